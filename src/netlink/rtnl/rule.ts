// Policy routing rules: RTM_NEWRULE / RTM_DELRULE, a fib_rule_hdr plus
// FRA_* attributes (linux/fib_rules.h). Interfaces are named, not indexed.
import type { Family, Rule, RuleAction } from '../../model/types.js';
import { AF_INET, AF_INET6, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, RTM_DELRULE, RTM_NEWRULE } from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import type { Message, Writer } from '../message.js';
import { addrLenOf, AttrLayout, Ctx, needHeader, prefixBytes, readIp, string, u32, u8, type Codec } from './layout.js';

export type { IndexName, NameIndex, WriteOp } from './layout.js';

export const FRA_DST = 1;
export const FRA_SRC = 2;
export const FRA_IIFNAME = 3;
export const FRA_PRIORITY = 6;
export const FRA_FWMARK = 10;
export const FRA_FLOW = 11;
export const FRA_TUN_ID = 12;
export const FRA_SUPPRESS_IFGROUP = 13;
export const FRA_SUPPRESS_PREFIXLEN = 14;
export const FRA_TABLE = 15;
export const FRA_FWMASK = 16;
export const FRA_OIFNAME = 17;
export const FRA_L3MDEV = 19;
export const FRA_UID_RANGE = 20;
export const FRA_PROTOCOL = 21;
export const FRA_IP_PROTO = 22;
export const FRA_SPORT_RANGE = 23;
export const FRA_DPORT_RANGE = 24;
export const FIB_RULE_INVERT = 0x2;
export const FIB_RULE_HDR_LEN = 12;

/** FR_ACT_* by number. */
const ACTIONS: Record<number, RuleAction> = { 1: 'lookup', 2: 'goto', 3: 'nop', 6: 'blackhole', 7: 'unreachable', 8: 'prohibit' };
const ACTION_NUM = new Map<string, number>(Object.entries(ACTIONS).map(([n, a]) => [a, Number(n)]));

class RuleCtx extends Ctx {
  /** The rule uses a selector or option the model cannot express. */
  unmodeled = false;
}

/** FRA_SRC / FRA_DST: the address; its length is in the header (ctx). Absent for "all". */
function prefix(which: 'src' | 'dst'): Codec<string, RuleCtx> {
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

/** An attribute the model has no field for: a rule carrying it is not one netrec can describe. */
function unmodeled(isDefault?: (b: Buffer, at: number, len: number) => boolean): Codec<never, RuleCtx> {
  return {
    read: (b, at, len, ctx) => {
      if (!isDefault?.(b, at, len)) ctx.unmodeled = true;
      return undefined;
    },
    write: () => {},
  };
}
// The kernel reports these two on every rule; -1 means unset.
const unsetU32 = (b: Buffer, at: number, len: number): boolean => len >= 4 && b.readUInt32LE(at) === 0xffffffff;
const zeroU8 = (b: Buffer, at: number, len: number): boolean => len >= 1 && b[at] === 0;

const ALL = ['create', 'delete'] as const;

const layout = new AttrLayout<RuleCtx>([
  { attr: FRA_PRIORITY, field: 'priority', codec: u32, on: ALL },
  { attr: FRA_SRC, field: 'from', codec: prefix('src'), on: ALL },
  { attr: FRA_DST, field: 'to', codec: prefix('dst'), on: ALL },
  { attr: FRA_IIFNAME, field: 'iif', codec: string, on: ALL },
  { attr: FRA_OIFNAME, field: 'oif', codec: string, on: ALL },
  { attr: FRA_FWMARK, field: 'fwmark', codec: u32, on: ALL },
  { attr: FRA_FWMASK, field: 'fwmask', codec: u32, on: ALL },
  { attr: FRA_TABLE, field: 'table', codec: table, on: ALL },
  { attr: FRA_PROTOCOL, field: 'protocol', codec: u8, on: ['create'] },
  { attr: FRA_FLOW, codec: unmodeled(), on: [] },
  { attr: FRA_TUN_ID, codec: unmodeled(), on: [] },
  { attr: FRA_SUPPRESS_IFGROUP, codec: unmodeled(unsetU32), on: [] },
  { attr: FRA_SUPPRESS_PREFIXLEN, codec: unmodeled(unsetU32), on: [] },
  { attr: FRA_L3MDEV, codec: unmodeled(zeroU8), on: [] },
  { attr: FRA_UID_RANGE, codec: unmodeled(), on: [] },
  { attr: FRA_IP_PROTO, codec: unmodeled(zeroU8), on: [] },
  { attr: FRA_SPORT_RANGE, codec: unmodeled(), on: [] },
  { attr: FRA_DPORT_RANGE, codec: unmodeled(), on: [] },
]);

const enc = new RuleCtx();
const dec = new RuleCtx();

/**
 * One RTM_NEWRULE (create, EXCL) or RTM_DELRULE request. A delete names the
 * whole identity but not the protocol, so it matches whoever made the rule.
 */
export function writeRule(w: Writer, op: 'create' | 'delete', r: Rule, seq: number): void {
  const af = r.family === 'ipv4' ? AF_INET : AF_INET6;
  const ctx = enc.reset(op, addrLenOf(af));
  const action = ACTION_NUM.get(r.action);
  if (action === undefined) throw new Error(`unknown rule action ${r.action}`);
  if (r.from !== undefined) {
    const p = prefixBytes(r.from, ctx.addrLen);
    ctx.srcLen = p.len;
    ctx.srcBytes = p.bytes;
  }
  if (r.to !== undefined) {
    const p = prefixBytes(r.to, ctx.addrLen);
    ctx.dstLen = p.len;
    ctx.dstBytes = p.bytes;
  }
  const create = op === 'create';
  const start = w.begin(create ? RTM_NEWRULE : RTM_DELRULE, NLM_F_REQUEST | NLM_F_ACK | (create ? NLM_F_CREATE | NLM_F_EXCL : 0), seq);
  const h = w.struct(FIB_RULE_HDR_LEN);
  w.buf[h] = af;
  w.buf[h + 1] = ctx.dstLen;
  w.buf[h + 2] = ctx.srcLen;
  w.buf[h + 4] = r.table < 256 ? r.table : 0;
  w.buf[h + 7] = action;
  layout.encode(w, r, ctx);
  w.end(start);
}

/**
 * A rule from a dump or an event. Undefined for other families and for
 * rules the model cannot describe: `not`, tos, uid ranges, ports, ip
 * proto, l3mdev, suppress_*, tunnel id, realms. A goto keeps its action
 * but not its target.
 */
export function decodeRule(m: Message): Rule | undefined {
  const b = m.buf;
  const o = m.off;
  needHeader(m.end - o, FIB_RULE_HDR_LEN, 'rule');
  const af = b[o]!;
  const addrLen = addrLenOf(af);
  if (addrLen === 0) return undefined;
  const action = ACTIONS[b[o + 7]!];
  if (action === undefined || b[o + 3] !== 0 || b.readUInt32LE(o + 8) & FIB_RULE_INVERT) return undefined;
  const ctx = dec.reset('create', addrLen);
  ctx.unmodeled = false;
  ctx.dstLen = b[o + 1]!;
  ctx.srcLen = b[o + 2]!;
  if (ctx.dstLen > addrLen * 8 || ctx.srcLen > addrLen * 8) throw new NetlinkParseError(`rule prefix length exceeds ${addrLen * 8}`);
  const family: Family = af === AF_INET ? 'ipv4' : 'ipv6';
  const r: Rule = { family, priority: 0, table: b[o + 4]!, action, protocol: 0 };
  layout.decode(b, o + FIB_RULE_HDR_LEN, m.end, r, ctx);
  if (ctx.unmodeled) return undefined;
  // The kernel keeps a mark without a mask as mask 0xffffffff, and leaves out a zero mark.
  if (r.fwmask !== undefined) {
    r.fwmark ??= 0;
    if (r.fwmask === 0xffffffff) delete r.fwmask;
  }
  return r;
}
