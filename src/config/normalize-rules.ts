// rules and neighbors: entries -> Rule, Neighbor.
import type { Family, Neighbor, Rule, RuleAction } from '../model/types.js';
import { Entry, FamilyVote, type FileContext } from './context.js';
import { checkedName } from './normalize-routes.js';
import { address, Bad, fwmark, mac, networkPrefix, protocol, table } from './values.js';

export interface RawRule {
  priority: number;
  from?: string;
  to?: string;
  iif?: string;
  oif?: string;
  fwmark?: string | number;
  table?: string | number;
  action?: RuleAction;
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
    else mark = m;
  }
  const action = raw.action ?? 'lookup';
  if (action === 'goto' && !settings.snapshot) e.problem('action', 'action goto needs a target rule, which netrec does not model (show prints it, a config cannot ask for it)');
  let tableNumber = 0;
  if (action === 'lookup') {
    if (raw.table === undefined) e.problem(undefined, 'action lookup needs a table');
    else {
      const t = table(raw.table, settings.tables);
      if (t instanceof Bad) e.problem('table', t.message);
      else tableNumber = t;
    }
  } else if (raw.table !== undefined) {
    e.problem('table', `table goes with action lookup only; this rule's action is ${action}`);
  }
  const family = vote.family;
  if (vote.untold()) e.problem(undefined, 'cannot tell whether this rule is IPv4 or IPv6; add family: ipv4 or family: ipv6');
  const proto = settings.snapshot && raw.protocol !== undefined ? protocol(raw.protocol) : settings.policy.protocol;
  if (proto instanceof Bad) e.problem('protocol', proto.message);
  if (!e.ok || family === undefined || proto instanceof Bad) return undefined;

  const r: Rule = { family, priority: raw.priority, table: tableNumber, action, protocol: proto };
  if (from !== undefined) r.from = from;
  if (to !== undefined) r.to = to;
  if (iif !== undefined) r.iif = iif;
  if (oif !== undefined) r.oif = oif;
  if (mark) {
    r.fwmark = mark.mark;
    if (mark.mask !== undefined) r.fwmask = mark.mask;
  }
  const state = settings.snapshot ? raw.state : (raw.state ?? 'present');
  if (state !== undefined) r.state = state;
  return r;
}

/** from/to: a network prefix; /0 means any and is left out, as the kernel does. */
function rulePrefix(e: Entry, vote: FamilyVote, v: string | undefined, key: string): string | undefined {
  if (v === undefined) return undefined;
  const p = networkPrefix(v);
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
  const addr = address(raw.address);
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
