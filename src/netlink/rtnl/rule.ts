// Policy routing rules: RTM_NEWRULE / RTM_DELRULE, a fib_rule_hdr plus
// FRA_* attributes (linux/fib_rules.h). Interfaces are named, not indexed.
import type { Family, Rule, RuleAction } from '../../model/types.js';
import { AF_INET, AF_INET6, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, RTM_DELRULE, RTM_NEWRULE } from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import type { Message, Writer } from '../message.js';
import { IP_PROTOCOL_NAMES } from '../../model/constants.js';
import { addrLenOf, AttrLayout, Ctx, keptAttributes, keptText, need, needHeader, readIp, readKept, string, u32, u8, type AttrSpec, type Codec } from './layout.js';

export type { IndexName, NameIndex, WriteOp } from './layout.js';

export const FRA_DST = 1;
export const FRA_SRC = 2;
export const FRA_IIFNAME = 3;
export const FRA_GOTO = 4;
export const FRA_PRIORITY = 6;
export const FRA_FWMARK = 10;
export const FRA_FLOW = 11;
export const FRA_TUN_ID = 12;
export const FRA_SUPPRESS_IFGROUP = 13;
export const FRA_SUPPRESS_PREFIXLEN = 14;
export const FRA_TABLE = 15;
export const FRA_FWMASK = 16;
export const FRA_OIFNAME = 17;
export const FRA_PAD = 18;
export const FRA_L3MDEV = 19;
export const FRA_UID_RANGE = 20;
export const FRA_PROTOCOL = 21;
export const FRA_IP_PROTO = 22;
export const FRA_SPORT_RANGE = 23;
export const FRA_DPORT_RANGE = 24;
export const FRA_DSCP = 25;
export const FRA_SPORT_MASK = 28;
export const FRA_DPORT_MASK = 29;
export const FRA_DSCP_MASK = 30;
export const FIB_RULE_INVERT = 0x2;
export const FIB_RULE_HDR_LEN = 12;

/** FR_ACT_* by number. */
const ACTIONS: Record<number, RuleAction> = { 1: 'lookup', 2: 'goto', 3: 'nop', 6: 'blackhole', 7: 'unreachable', 8: 'prohibit' };
const ACTION_NUM = new Map<string, number>(Object.entries(ACTIONS).map(([n, a]) => [a, Number(n)]));

/** FRA_SRC / FRA_DST: the address; its length is in the header (ctx). Absent for "all". */
function prefix(which: 'src' | 'dst'): Codec<string> {
  return {
    read: (b, at, len, ctx) => `${readIp(b, at, len, ctx.addrLen)}/${which === 'src' ? ctx.srcLen : ctx.dstLen}`,
    write: (w, t, _v, ctx) => {
      const bytes = which === 'src' ? ctx.srcBytes : ctx.dstBytes;
      if (bytes && (which === 'src' ? ctx.srcLen : ctx.dstLen) > 0) w.bytes(t, bytes);
    },
  };
}

/** FRA_TABLE: written only for an action that looks a table up. */
const table: Codec<number> = {
  read: u32.read,
  write: (w, t, v, ctx) => {
    if (v !== 0) u32.write(w, t, v, ctx);
  },
};

/** A u32 where 0xffffffff (-1) means unset: the suppressors, reported on every rule. */
const optionalU32: Codec<number> = {
  read: (b, at, len) => (need(len, 4, at), b.readUInt32LE(at) === 0xffffffff ? undefined : b.readUInt32LE(at)),
  write: (w, t, v) => w.u32(t, v),
};

/** A u8 where 0 means unset (ip_proto). */
const nonZeroU8: Codec<number> = {
  read: (b, at, len) => (need(len, 1, at), b[at] === 0 ? undefined : b[at]),
  write: (w, t, v) => w.u8(t, v),
};

/** FRA_L3MDEV: a flag byte. */
const flag: Codec<boolean> = {
  read: (b, at, len) => (need(len, 1, at), b[at] === 0 ? undefined : true),
  write: (w, t, v) => {
    if (v) w.u8(t, 1);
  },
};

/** A pair of host-order numbers, `start-end` (uid ranges: u32, ports: u16); a single port reads as one number. */
function range(size: 2 | 4, single: boolean): Codec<string> {
  return {
    read: (b, at, len) => {
      need(len, size * 2, at);
      const start = size === 2 ? b.readUInt16LE(at) : b.readUInt32LE(at);
      const end = size === 2 ? b.readUInt16LE(at + 2) : b.readUInt32LE(at + 4);
      return single && start === end ? `${start}` : `${start}-${end}`;
    },
    write: (w, t, v) => {
      const [start, end] = rangeBounds(v);
      const bytes = Buffer.alloc(size * 2);
      if (size === 2) {
        bytes.writeUInt16LE(start, 0);
        bytes.writeUInt16LE(end, 2);
      } else {
        bytes.writeUInt32LE(start, 0);
        bytes.writeUInt32LE(end, 4);
      }
      w.bytes(t, bytes);
    },
  };
}

/** "a-b" or "a" -> [a, b]. */
export function rangeBounds(v: string): [number, number] {
  const dash = v.indexOf('-');
  return dash < 0 ? [Number(v), Number(v)] : [Number(v.slice(0, dash)), Number(v.slice(dash + 1))];
}

/** The fwmark's mask: written whenever there is a mark, so a mark 0 with the full mask stays a selector. */
const fwmask: Codec<Rule> = {
  read: (b, at, len, _ctx, target) => {
    need(len, 4, at);
    (target as Rule).fwmask = b.readUInt32LE(at);
    return undefined;
  },
  write: (w, t, r) => {
    if (r.fwmark !== undefined) w.u32(t, r.fwmask ?? 0xffffffff);
  },
};

/** A row of the rule table. */
export type RuleAttr = AttrSpec<Ctx, Rule> & { field?: keyof Rule & string };

/** A selector: part of the rule's key, shown as `word value`. */
function selector(attr: number, field: keyof Rule & string, codec: Codec<any>, name: string, word: string, more: Partial<RuleAttr> = {}): RuleAttr {
  return { attr, field, codec, name, role: 'key', show: { word }, ...more };
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** The action and its target as iproute2 writes them; tables by number unless `tableName` names them (the plan does). */
export function actionText(r: Rule, tableName: (t: number) => string = String): string | undefined {
  return r.action === 'lookup' ? (r.table ? `lookup ${tableName(r.table)}` : undefined) : r.action === 'goto' ? `goto ${r.goto ?? '?'}` : r.action;
}

/**
 * The rule table, in iproute2's order (`ip rule show`). Every attribute the
 * kernel compares in its wildcard match (rule_find in
 * net/core/fib_rules.c) is part of the key, written on create and on
 * delete, the protocol too: a delete then can only hit the rule it names.
 * Rows without `attr` are fields of the fib_rule_hdr. A new selector is one
 * row here: the identity (ruleKey), the plan's words and the codec follow.
 */
export const RULE_TABLE: readonly RuleAttr[] = [
  selector(FRA_PRIORITY, 'priority', u32, 'priority', 'pref'),
  { field: 'not', name: 'not', role: 'key', absent: false, show: { word: 'not', flag: true } },
  selector(FRA_SRC, 'from', prefix('src'), 'from', 'from'),
  selector(FRA_DST, 'to', prefix('dst'), 'to', 'to'),
  { field: 'tos', name: 'tos', role: 'key', show: { word: 'tos', text: (r) => (r.tos ? hex(r.tos) : undefined) } },
  selector(FRA_DSCP, 'dscp', u8, 'dscp', 'dscp'),
  selector(FRA_FWMARK, 'fwmark', u32, 'fwmark', 'fwmark', {
    show: { word: 'fwmark', text: (r) => (r.fwmark === undefined ? undefined : `${hex(r.fwmark)}/${hex(r.fwmask ?? 0xffffffff)}`) },
  }),
  { attr: FRA_FWMASK, codec: fwmask, role: 'key' },
  selector(FRA_IIFNAME, 'iif', string, 'iif', 'iif'),
  selector(FRA_OIFNAME, 'oif', string, 'oif', 'oif'),
  selector(FRA_UID_RANGE, 'uidrange', range(4, false), 'uidrange', 'uidrange'),
  selector(FRA_IP_PROTO, 'ipproto', nonZeroU8, 'ipproto', 'ipproto', {
    show: { word: 'ipproto', text: (r) => (r.ipproto === undefined ? undefined : (IP_PROTOCOL_NAMES[r.ipproto] ?? String(r.ipproto))) },
  }),
  selector(FRA_SPORT_RANGE, 'sport', range(2, true), 'sport', 'sport'),
  selector(FRA_DPORT_RANGE, 'dport', range(2, true), 'dport', 'dport'),
  selector(FRA_L3MDEV, 'l3mdev', flag, 'l3mdev', 'l3mdev', { absent: false, show: { word: 'l3mdev', flag: true } }),
  selector(FRA_SUPPRESS_PREFIXLEN, 'suppressPrefixlength', optionalU32, 'suppress-prefixlength', 'suppress_prefixlength'),
  selector(FRA_SUPPRESS_IFGROUP, 'suppressIfgroup', optionalU32, 'suppress-ifgroup', 'suppress_ifgroup'),
  // Unmodelled attributes the kernel compares too, as they came.
  {
    attr: 0, field: 'attributes', whole: true, codec: keptAttributes, name: 'attributes', role: 'key',
    show: { word: 'attributes', bare: true, text: keptText },
  },
  { field: 'action', name: 'action', role: 'key', show: { word: 'action', bare: true, text: (r) => actionText(r) } },
  { attr: FRA_TABLE, field: 'table', codec: table, role: 'key' },
  { attr: FRA_GOTO, field: 'goto', codec: u32, role: 'key' },
  // Not identity, but named on delete as well.
  { attr: FRA_PROTOCOL, field: 'protocol', codec: u8, role: 'match' },
];

/** The key rows that are shown, in table order: what ruleKey writes. */
const KEY_WORDS = RULE_TABLE.filter((row) => row.role === 'key' && row.show !== undefined && row.field !== undefined);

/** A row's words for rule `r`, or undefined when it says nothing (absent, or a switch that is off). */
function rowText(row: RuleAttr, r: Rule): string | undefined {
  const show = row.show!;
  if (show.text) {
    const t = show.text(r);
    return t === undefined ? undefined : show.bare ? t : `${show.word} ${t}`;
  }
  const v = r[row.field as keyof Rule];
  if (show.flag) return v ? show.word : undefined;
  return v === undefined ? undefined : `${show.word} ${String(v)}`;
}

/**
 * A rule's identity: the family and every key row of the rule table, in
 * iproute2's words and order ("ipv4 pref 100 from 10.0.0.0/8 lookup 100").
 * The kernel keeps two rules apart when any of these differ, so netrec does.
 */
export function ruleKey(r: Rule): string {
  let k: string = r.family;
  for (const row of KEY_WORDS) {
    const t = rowText(row, r);
    if (t !== undefined) k += ` ${t}`;
  }
  return k;
}

const layout = new AttrLayout(RULE_TABLE);

/** Attributes the layout reads (its slot 0 only writes), and FRA_PAD: everything else is kept as it came. */
const MODELLED = new Set([...layout.types].filter((t) => t !== 0)).add(FRA_PAD);

/**
 * Values the kernel reports for what was not asked for: a single port's
 * mask (all ones), the DSCP mask that goes with a plain dscp.
 */
function isKernelDefault(type: number, payload: Buffer): boolean {
  if (type === FRA_SPORT_MASK || type === FRA_DPORT_MASK) return payload.length >= 2 && payload.readUInt16LE(0) === 0xffff;
  if (type === FRA_DSCP_MASK) return payload.length >= 1 && payload[0] === 0x3f;
  return false;
}


/**
 * One RTM_NEWRULE or RTM_DELRULE request naming every selector, the action,
 * table, goto target and protocol of `r`. A create is exclusive
 * (NLM_F_EXCL) unless the planner knows of a rule the kernel's exclusive
 * check would take for this one (a more specific one at its priority).
 */
export function writeRule(w: Writer, op: 'create' | 'delete', r: Rule, seq: number, exclusive = true): void {
  const af = r.family === 'ipv4' ? AF_INET : AF_INET6;
  const ctx = new Ctx().reset(op, addrLenOf(af));
  const action = ACTION_NUM.get(r.action);
  if (action === undefined) throw new Error(`unknown rule action ${r.action}`);
  ctx.prefixes(r.from, r.to);
  const create = op === 'create';
  const start = w.begin(create ? RTM_NEWRULE : RTM_DELRULE, NLM_F_REQUEST | NLM_F_ACK | (create ? NLM_F_CREATE | (exclusive ? NLM_F_EXCL : 0) : 0), seq);
  const h = w.struct(FIB_RULE_HDR_LEN);
  w.buf[h] = af;
  w.buf[h + 1] = ctx.dstLen;
  w.buf[h + 2] = ctx.srcLen;
  w.buf[h + 3] = r.tos ?? 0;
  w.buf[h + 4] = r.table < 256 ? r.table : 0;
  w.buf[h + 7] = action;
  w.buf.writeUInt32LE(r.not ? FIB_RULE_INVERT : 0, h + 8);
  layout.encode(w, r, ctx);
  w.end(start);
}

/**
 * A rule from a dump or an event; undefined for other families. Every
 * attribute is kept: those netrec does not model go to `attributes`.
 */
export function decodeRule(m: Message): Rule | undefined {
  const b = m.buf;
  const o = m.off;
  needHeader(m.end - o, FIB_RULE_HDR_LEN, 'rule');
  const af = b[o]!;
  const addrLen = addrLenOf(af);
  if (addrLen === 0) return undefined;
  const action = ACTIONS[b[o + 7]!];
  // FR_ACT_UNSPEC and the reserved numbers: the kernel never reports them.
  if (action === undefined) return undefined;
  const ctx = new Ctx().reset('create', addrLen);
  ctx.dstLen = b[o + 1]!;
  ctx.srcLen = b[o + 2]!;
  if (ctx.dstLen > addrLen * 8 || ctx.srcLen > addrLen * 8) throw new NetlinkParseError(`rule prefix length exceeds ${addrLen * 8}`);
  const family: Family = af === AF_INET ? 'ipv4' : 'ipv6';
  const r: Rule = { family, priority: 0, table: b[o + 4]!, action, protocol: 0 };
  if (b[o + 3]) r.tos = b[o + 3];
  if (b.readUInt32LE(o + 8) & FIB_RULE_INVERT) r.not = true;
  layout.decode(b, o + FIB_RULE_HDR_LEN, m.end, r, ctx);
  // The kernel keeps a mark without a mask as mask 0xffffffff, and leaves out a zero mark.
  if (r.fwmask !== undefined) {
    r.fwmark ??= 0;
    if (r.fwmask === 0xffffffff) delete r.fwmask;
  }
  if (action !== 'goto') delete r.goto;
  readKept(b, o + FIB_RULE_HDR_LEN, m.end, r, MODELLED, isKernelDefault);
  return r;
}

