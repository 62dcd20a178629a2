// rules and neighbors: entries -> Rule, Neighbor.
import type { Family, Neighbor, Rule, RuleAction } from '../model/types.js';
import { Entry, FamilyVote, type FileContext } from './context.js';
import { checkedName } from './normalize-routes.js';
import { IP_PROTOCOL_NAMES } from '../model/identity.js';
import { Bad, fwmark, mac, protocol, table } from './values.js';

export interface RawRule {
  priority: number;
  not?: boolean;
  from?: string;
  to?: string;
  iif?: string;
  oif?: string;
  fwmark?: string | number;
  tos?: string | number;
  dscp?: number;
  uidrange?: string | number;
  ipproto?: string | number;
  sport?: string | number;
  dport?: string | number;
  l3mdev?: boolean;
  'suppress-prefixlength'?: number;
  'suppress-ifgroup'?: number;
  table?: string | number;
  action?: RuleAction;
  goto?: number;
  attributes?: Record<string, string>;
  family?: Family;
  state?: 'present' | 'absent';
  protocol?: string | number;
}

export interface RawNeighbor {
  dev: string;
  address: string;
  lladdr?: string;
  state?: string;
  protocol?: string | number;
}

export function normalizeRules(ctx: FileContext, raws: RawRule[], skip: ReadonlySet<number>): Rule[] {
  const e = new Entry(ctx, ['rules']);
  const vote = new FamilyVote('rule');
  const sourceOf = ctx.src.itemPositions(['rules'], raws);
  const out: Rule[] = [];
  for (let i = 0; i < raws.length; i++) {
    if (skip.has(i)) continue;
    e.start(i);
    const r = rule(e, vote, raws[i]!);
    if (r) out.push(ctx.place(r, sourceOf, i));
  }
  return out;
}

function rule(e: Entry, vote: FamilyVote, raw: RawRule): Rule | undefined {
  const { settings } = e.ctx;
  vote.reset(raw.family);
  const from = rulePrefix(e, vote, raw.from, 'from');
  const to = rulePrefix(e, vote, raw.to, 'to');
  const iif = raw.iif === undefined ? undefined : checkedName(e, raw.iif, 'iif');
  const oif = raw.oif === undefined ? undefined : checkedName(e, raw.oif, 'oif');
  let mark: { mark: number; mask?: number } | undefined;
  if (raw.fwmark !== undefined) {
    const m = fwmark(raw.fwmark);
    if (m instanceof Bad) e.problem('fwmark', m.message);
    // `fwmark 0` without a mask selects nothing: the kernel stores no fwmark (iproute2 reads it so too).
    else if (!(m.mark === 0 && !explicitMask(raw.fwmark))) mark = m;
  }
  const tos = raw.tos === undefined ? undefined : checked(e, 'tos', byteValue(raw.tos, 'tos'));
  if (raw.dscp !== undefined && tos) e.problem('dscp', 'dscp and tos exclude each other (the kernel takes one of them)');
  const uidrange = raw.uidrange === undefined ? undefined : checked(e, 'uidrange', numberRange(raw.uidrange, 0xfffffffe, 'uidrange', false));
  const ipproto = raw.ipproto === undefined ? undefined : checked(e, 'ipproto', ipProtocol(raw.ipproto));
  const sport = raw.sport === undefined ? undefined : checked(e, 'sport', numberRange(raw.sport, 0xffff, 'sport', true));
  const dport = raw.dport === undefined ? undefined : checked(e, 'dport', numberRange(raw.dport, 0xffff, 'dport', true));
  const attributes = raw.attributes === undefined ? undefined : checked(e, 'attributes', otherAttributes(raw.attributes));
  const action = raw.action ?? (raw.goto !== undefined ? 'goto' : 'lookup');
  if (action === 'goto') {
    if (raw.goto === undefined) e.problem('action', 'action goto needs `goto: PRIORITY`, the rule to continue at');
    else if (raw.goto <= raw.priority) e.problem('goto', `goto ${raw.goto} must be after this rule's priority ${raw.priority} (the kernel refuses backward jumps)`);
  } else if (raw.goto !== undefined) e.problem('goto', `goto goes with action goto; this rule's action is ${action}`);
  if (raw.l3mdev === false) e.problem('l3mdev', 'l3mdev: false is the default; leave the key out');
  let tableNumber = 0;
  if (action === 'lookup' && raw.l3mdev) {
    if (raw.table !== undefined) e.problem('table', 'l3mdev looks up the table of the L3 master device; it takes no table');
  } else if (action === 'lookup') {
    if (raw.table === undefined) e.problem(undefined, 'action lookup needs a table');
    else {
      const t = table(raw.table, settings.tables);
      if (t instanceof Bad) e.problem('table', t.message);
      else tableNumber = t;
    }
  } else if (raw.table !== undefined) {
    e.problem('table', `table goes with action lookup only; this rule's action is ${action}`);
  } else if (raw.l3mdev) e.problem('l3mdev', `l3mdev goes with action lookup only; this rule's action is ${action}`);
  const family = vote.family;
  if (vote.untold()) e.problem(undefined, 'cannot tell whether this rule is IPv4 or IPv6; add family: ipv4 or family: ipv6');
  const max = family === 'ipv6' ? 128 : 32;
  if (raw['suppress-prefixlength'] !== undefined && raw['suppress-prefixlength'] > max) e.problem('suppress-prefixlength', `suppress-prefixlength ${raw['suppress-prefixlength']} exceeds ${max}`);
  // Declared with a protocol, a rule belongs to that owner: checked, not adopted (contract section 4).
  const proto = raw.protocol !== undefined ? protocol(raw.protocol) : settings.policy.protocol;
  if (proto instanceof Bad) e.problem('protocol', proto.message);
  if (!e.ok || family === undefined || proto instanceof Bad) return undefined;

  const r: Rule = { family, priority: raw.priority, table: tableNumber, action, protocol: proto };
  if (raw.not) r.not = true;
  if (from !== undefined) r.from = from;
  if (to !== undefined) r.to = to;
  if (iif !== undefined) r.iif = iif;
  if (oif !== undefined) r.oif = oif;
  if (mark) {
    r.fwmark = mark.mark;
    if (mark.mask !== undefined) r.fwmask = mark.mask;
  }
  if (tos) r.tos = tos;
  if (raw.dscp !== undefined) r.dscp = raw.dscp;
  if (uidrange !== undefined) r.uidrange = uidrange;
  if (ipproto !== undefined) r.ipproto = ipproto;
  if (sport !== undefined) r.sport = sport;
  if (dport !== undefined) r.dport = dport;
  if (raw.l3mdev) r.l3mdev = true;
  if (raw['suppress-prefixlength'] !== undefined) r.suppressPrefixlength = raw['suppress-prefixlength'];
  if (raw['suppress-ifgroup'] !== undefined) r.suppressIfgroup = raw['suppress-ifgroup'];
  if (action === 'goto') r.goto = raw.goto!;
  if (attributes !== undefined && Object.keys(attributes).length > 0) r.attributes = attributes;
  const state = settings.snapshot ? raw.state : (raw.state ?? 'present');
  if (state !== undefined) r.state = state;
  return r;
}

function checked<T>(e: Entry, key: string, v: T | Bad): T | undefined {
  if (v instanceof Bad) {
    e.problem(key, v.message);
    return undefined;
  }
  return v;
}

function explicitMask(v: string | number): boolean {
  return typeof v === 'string' && v.includes('/');
}

/** 0..255, decimal or 0x hex (tos). */
function byteValue(v: string | number, key: string): number | Bad {
  const n = typeof v === 'number' ? v : /^0x[0-9a-f]{1,2}$/i.test(v) ? parseInt(v.slice(2), 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : new Bad(`${key} "${v}" must be a number 0..255 (decimal or 0x hex)`);
}

/** "N" or "N-M" with N <= M <= max; canonical "N" (ports, when `single`) or "N-M". */
function numberRange(v: string | number, max: number, key: string, single: boolean): string | Bad {
  const m = /^(\d+)(?:-(\d+))?$/.exec(String(v));
  const start = m ? Number(m[1]) : NaN;
  const end = m?.[2] !== undefined ? Number(m[2]) : start;
  const low = single ? 1 : 0;
  if (!m || start < low || end > max || start > end) return new Bad(`${key} "${v}" must be N or N-M with ${low} <= N <= M <= ${max}`);
  return single && start === end ? `${start}` : `${start}-${end}`;
}

const IP_PROTOCOL_NUMBERS = new Map<string, number>([...Object.entries(IP_PROTOCOL_NAMES).map(([n, name]) => [name, Number(n)] as [string, number]), ['icmpv6', 58]]);

/** An IP protocol: a name (tcp, udp, icmp, ipv6-icmp, ...) or a number 1..255. */
function ipProtocol(v: string | number): number | Bad {
  const n = typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : IP_PROTOCOL_NUMBERS.get(v.toLowerCase());
  if (n === undefined) return new Bad(`unknown ipproto "${v}"; use a number 1..255 or one of ${[...IP_PROTOCOL_NUMBERS.keys()].join(', ')}`);
  if (!Number.isInteger(n) || n < 1 || n > 255) return new Bad(`ipproto ${v} is out of range (1..255)`);
  return n;
}

/** Attributes netrec does not model, as `show` prints them: attribute number -> hex payload. */
function otherAttributes(v: Record<string, string>): Record<string, string> | Bad {
  const out: Record<string, string> = {};
  for (const [type, hex] of Object.entries(v)) {
    const n = Number(type);
    if (!/^\d+$/.test(type) || n < 1 || n > 0x3fff) return new Bad(`attribute "${type}" must be an attribute number`);
    if (typeof hex !== 'string' || !/^(0x)?([0-9a-f]{2})*$/i.test(hex)) return new Bad(`attribute ${type}: "${hex}" must be hex bytes`);
    out[n] = hex.replace(/^0x/i, '').toLowerCase();
  }
  return out;
}

/** from/to: a network prefix; /0 means any and is left out, as the kernel does. */
function rulePrefix(e: Entry, vote: FamilyVote, v: string | undefined, key: string): string | undefined {
  if (v === undefined) return undefined;
  const p = e.ctx.values.networkPrefix(v);
  if (p instanceof Bad) {
    e.problem(key, p.message);
    vote.spoiled = true;
    return undefined;
  }
  vote.add(e, p.family, key, key, v);
  return p.len === 0 ? undefined : p.text;
}

/** NUD states that a config may name: they all mean "present". */
const PRESENT_STATES = new Set(['present', 'permanent', 'noarp']);

export function normalizeNeighbors(ctx: FileContext, raws: RawNeighbor[], skip: ReadonlySet<number>): Neighbor[] {
  const e = new Entry(ctx, ['neighbors']);
  const sourceOf = ctx.src.itemPositions(['neighbors'], raws);
  const out: Neighbor[] = [];
  for (let i = 0; i < raws.length; i++) {
    if (skip.has(i)) continue;
    e.start(i);
    const n = neighbor(e, raws[i]!);
    if (n) out.push(ctx.place(n, sourceOf, i));
  }
  return out;
}

function neighbor(e: Entry, raw: RawNeighbor): Neighbor | undefined {
  const { settings } = e.ctx;
  const dev = checkedName(e, raw.dev, 'dev');
  const addr = e.ctx.values.address(raw.address);
  if (addr instanceof Bad) e.problem('address', addr.message);
  let lladdr: string | undefined;
  if (raw.lladdr !== undefined) {
    const m = mac(raw.lladdr, false);
    if (m instanceof Bad) e.problem('lladdr', m.message);
    else lladdr = m;
  }
  let state: string;
  if (settings.snapshot) state = raw.state ?? 'permanent';
  else if (raw.state === 'absent') state = 'absent';
  else if (raw.state === undefined || PRESENT_STATES.has(raw.state)) state = 'present';
  else {
    e.problem('state', `state ${raw.state} is one the kernel learns; a config asks for present or absent`);
    state = 'present';
  }
  if (!settings.snapshot && state === 'present' && raw.lladdr === undefined) e.problem(undefined, 'a neighbor needs lladdr (unless it is state: absent)');
  // In a config, `protocol:` names the owner the neighbor is expected to
  // have (0, "unspec": none recorded); another owner's is checked, not adopted.
  let proto: number | Bad | undefined = settings.policy.protocol;
  if (raw.protocol !== undefined) {
    proto = protocol(raw.protocol);
    if (proto === 0 && settings.snapshot) proto = undefined; // "unspec": none recorded
  }
  if (proto instanceof Bad) e.problem('protocol', proto.message);
  if (!e.ok || dev === undefined || addr instanceof Bad || proto instanceof Bad) return undefined;

  const n: Neighbor = { dev, family: addr.family, address: addr.text, state };
  if (lladdr !== undefined) n.lladdr = lladdr;
  if (proto !== undefined) n.protocol = proto;
  return n;
}
