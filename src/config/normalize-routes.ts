// routes: entries -> Route, with the kernel's defaults filled in so that a
// declared route and the same route read back from the kernel are equal.
import { IPV6_DEFAULT_METRIC, TABLE_LOCAL, TABLE_MAIN } from '../model/constants.js';
import { defaultPrefix } from '../model/ip.js';
import type { Family, Nexthop, Route, RouteType, Scope, Source } from '../model/types.js';
import { copyRouteMetrics, namesRouteSetting } from '../netlink/rtnl/route.js';
import { Entry, FamilyVote, type FileContext } from './context.js';
import { Bad, protocol, table } from './values.js';

export interface RawNexthop {
  via?: string;
  dev?: string;
  weight?: number;
  'on-link'?: boolean;
}

export interface RawRoute {
  to: string;
  via?: string;
  dev?: string;
  nexthops?: RawNexthop[];
  metric?: number;
  table?: string | number;
  type?: RouteType;
  scope?: Scope;
  src?: string;
  from?: string;
  mtu?: number;
  /** The route settings (metrics, preference) by config name: see copyRouteMetrics. */
  [setting: string]: unknown;
  pref?: 'low' | 'medium' | 'high';
  other?: Record<string, string>;
  'on-link'?: boolean;
  tos?: number;
  family?: Family;
  state?: 'present' | 'absent';
  protocol?: string | number;
  /** RTA_NH_ID: a nexthop object's id. */
  nexthop?: number;
  /** Snapshots written before `nexthop:`: the same. */
  nhid?: number;
}

/** Types the kernel answers with an error: they take no gateway, device or nexthops. */
const REJECT_TYPES = new Set<RouteType>(['blackhole', 'unreachable', 'prohibit', 'throw']);
/** Types iproute2 puts in table local when no table is given. */
const LOCAL_TABLE_TYPES = new Set<RouteType>(['local', 'broadcast', 'anycast', 'nat']);

/** The scope iproute2 gives a route when none is asked for. */
export function defaultScope(r: Pick<Route, 'family' | 'type' | 'via' | 'nexthops' | 'nhid'>): Scope {
  if (r.family === 'ipv6') return 'global';
  if (r.type === 'local' || r.type === 'nat') return 'host';
  if (r.type === 'broadcast' || r.type === 'multicast' || r.type === 'anycast') return 'link';
  if (r.type === 'unicast' && r.via === undefined && r.nexthops === undefined && r.nhid === undefined) return 'link';
  return 'global';
}

/** The table a route goes to when none is given (iproute2's choice). */
export function defaultTable(type: RouteType): number {
  return type !== 'unicast' && LOCAL_TABLE_TYPES.has(type) ? TABLE_LOCAL : TABLE_MAIN;
}

export function defaultMetric(family: Family): number {
  return family === 'ipv6' ? IPV6_DEFAULT_METRIC : 0;
}

export function normalizeRoutes(ctx: FileContext, raws: RawRoute[], skip: ReadonlySet<number>): Route[] {
  const e = new Entry(ctx, ['routes']);
  const vote = new FamilyVote('route');
  const sourceOf = ctx.src.itemPositions(['routes'], raws);
  const out: Route[] = [];
  for (let i = 0; i < raws.length; i++) {
    if (skip.size > 0 && skip.has(i)) continue;
    e.start(i);
    const raw = raws[i]!;
    const r = route(e, vote, raw, sourceOf);
    if (r) out.push(r);
  }
  return out;
}

/**
 * A gateway route without device, source, mtu or nexthops, as one literal:
 * each key added later would grow the object's store.
 */
function gatewayRouteOf(family: Family, table: number, to: string, metric: number, tos: number, type: RouteType, protocol: number, via: string, scope: Scope, state: 'present' | 'absent', source: Source): Route {
  return { family, table, to, metric, tos, type, protocol, via, scope, state, source };
}

/** Whether a route names any of the keys that most routes leave out (source prefix, metrics, preference, kept attributes). */
function hasMore(raw: RawRoute): boolean {
  return raw.from !== undefined || raw.other !== undefined || namesRouteSetting(raw);
}

/** The route of an entry, placed (its source attached). */
function route(e: Entry, vote: FamilyVote, raw: RawRoute, sourceOf: (i: number) => Source): Route | undefined {
  const { settings } = e.ctx;
  vote.reset(raw.family);
  let to: string | undefined;
  const canonical = e.ctx.values.canonicalNetworkFamily(raw.to);
  if (canonical !== undefined) {
    to = raw.to;
    vote.add(e, canonical, 'to', 'to', raw.to);
  } else if (raw.to !== 'default') {
    const p = e.ctx.values.networkPrefix(raw.to);
    if (p instanceof Bad) {
      e.problem('to', p.message);
      vote.spoiled = true;
    } else {
      to = p.text;
      vote.add(e, p.family, 'to', 'to', raw.to);
    }
  }
  const via = gateway(e, vote, raw.via, 'via', 'via');
  const src = gateway(e, vote, raw.src, 'src', 'src');
  let from: string | undefined;
  if (raw.from !== undefined) {
    const p = e.ctx.values.networkPrefix(raw.from);
    if (p instanceof Bad) e.problem('from', p.message);
    else if (p.family !== 'ipv6') e.problem('from', 'from (a source prefix) is for IPv6 routes only; IPv4 selects by source with rules');
    else {
      vote.add(e, p.family, 'from', 'from', raw.from);
      // ::/0 is no source prefix at all, as the kernel reports it.
      if (!p.text.endsWith('/0')) from = p.text;
    }
  }
  const dev = raw.dev === undefined ? undefined : checkedName(e, raw.dev, 'dev');
  let nexthops: Nexthop[] | undefined;
  if (raw.nexthops) {
    if (raw.via !== undefined || raw.dev !== undefined) e.problem('nexthops', 'nexthops excludes via and dev on the route itself; give each nexthop its own', true);
    nexthops = raw.nexthops.map((nh, j) => nexthop(e, vote, nh, j));
  }
  const nhid = raw.nexthop ?? (settings.snapshot ? raw.nhid : undefined);
  if (raw.nexthop !== undefined) {
    if (raw.via !== undefined || raw.dev !== undefined || raw.nexthops) e.problem('nexthop', 'nexthop (a nexthop object) excludes via, dev and nexthops on the route itself', true);
    if (!Number.isInteger(raw.nexthop) || raw.nexthop < 1 || raw.nexthop > 0xffffffff) e.problem('nexthop', `nexthop must be a nexthop id, 1..4294967295 (got ${raw.nexthop})`);
  }
  const family = vote.family;
  if (family === undefined) {
    if (vote.untold()) e.problem(undefined, `cannot tell whether this route is IPv4 or IPv6; add family: ipv4 or family: ipv6`);
    return undefined;
  }
  const type = raw.type ?? 'unicast';
  const tableNumber = raw.table === undefined ? defaultTable(type) : table(raw.table, settings.tables);
  if (tableNumber instanceof Bad) e.problem('table', tableNumber.message);
  if (raw.tos && family === 'ipv6') e.problem('tos', 'tos is for IPv4 routes only');
  const state = settings.snapshot ? raw.state : (raw.state ?? 'present');
  if (REJECT_TYPES.has(type) && (raw.via !== undefined || raw.dev !== undefined || raw.nexthops || raw.nexthop !== undefined)) {
    e.problem('type', `a ${type} route takes no via, dev, nexthops or nexthop`);
  } else if (type === 'unicast' && state !== 'absent' && !settings.snapshot && raw.via === undefined && raw.dev === undefined && !raw.nexthops && raw.nexthop === undefined) {
    e.problem(undefined, 'a unicast route needs via, dev, nexthops or nexthop');
  }
  // A declared protocol names the owner the route is expected to have: another owner's route is checked, not adopted.
  const proto = raw.protocol !== undefined ? protocol(raw.protocol) : settings.policy.protocol;
  if (raw.pref !== undefined && family === 'ipv4') e.problem('pref', 'pref (router preference) is for IPv6 routes only');
  if (raw.other !== undefined) {
    for (const [k, v] of Object.entries(raw.other)) {
      if (!/^(metrics\.)?[1-9][0-9]{0,4}$/.test(k)) e.problem(['other', k], `"${k}" is not an attribute number (N, or metrics.N for a route metric)`);
      else if (!/^([0-9a-f]{2})*$/.test(v)) e.problem(['other', k], 'the payload is hex bytes, as `show` writes it');
    }
  }
  if (proto instanceof Bad) e.problem('protocol', proto.message);
  if (!e.ok || tableNumber instanceof Bad || proto instanceof Bad) return undefined;

  let metric = raw.metric ?? defaultMetric(family);
  if (family === 'ipv6' && metric === 0) metric = IPV6_DEFAULT_METRIC;
  const dest = to ?? defaultPrefix(family);
  const tos = raw.tos ?? 0;
  const scope = raw.scope ?? defaultScope({ family, type, via, nexthops, nhid });
  const more = hasMore(raw);
  if (!settings.snapshot && via !== undefined && dev === undefined && !nexthops && src === undefined && raw.mtu === undefined && !raw['on-link'] && state !== undefined && !more) {
    return gatewayRouteOf(family, tableNumber, dest, metric, tos, type, proto, via, scope, state, sourceOf(e.index));
  }
  // And that of a snapshot (gateway and device), in the order the keys are added below.
  if (settings.snapshot && via !== undefined && dev !== undefined && !nexthops && src === undefined && raw.mtu === undefined && !raw['on-link'] && nhid === undefined && state === undefined && !more) {
    return e.ctx.place<Route>({ family, table: tableNumber, to: dest, metric, tos, type, protocol: proto, via, dev, scope }, sourceOf, e.index);
  }
  const r: Route = { family, table: tableNumber, to: dest, metric, tos, type, protocol: proto };
  if (via !== undefined) r.via = via;
  if (dev !== undefined) r.dev = dev;
  if (nexthops) r.nexthops = nexthops;
  r.scope = scope;
  if (from !== undefined) r.from = from;
  if (src !== undefined) r.src = src;
  if (raw.mtu !== undefined) r.mtu = raw.mtu;
  if (raw['on-link']) r.onLink = true;
  if (more) {
    copyRouteMetrics(raw, r, 'name', 'field');
    if (raw.other !== undefined && Object.keys(raw.other).length > 0) {
      const other: Record<string, string> = {};
      for (const k of Object.keys(raw.other).sort()) other[k] = raw.other[k]!;
      r.other = other;
    }
  }
  if (nhid !== undefined) r.nhid = nhid;
  if (state !== undefined) r.state = state;
  return e.ctx.place(r, sourceOf, e.index);
}

/** A gateway-like address (via, src): canonical text, family counted. `label` names it in messages. */
function gateway(e: Entry, vote: FamilyVote, v: string | undefined, key: string | (string | number)[], label: string): string | undefined {
  if (v === undefined) return undefined;
  const a = e.ctx.values.address(v);
  if (a instanceof Bad) {
    e.problem(key, a.message);
    vote.spoiled = true;
    return undefined;
  }
  vote.add(e, a.family, key, label, v);
  return a.text;
}

export function checkedName(e: Entry, v: string, key: string | (string | number)[]): string | undefined {
  const n = e.ctx.values.ifName(v);
  if (n instanceof Bad) {
    e.problem(key, n.message);
    return undefined;
  }
  return n;
}

function nexthop(e: Entry, vote: FamilyVote, raw: RawNexthop, j: number): Nexthop {
  const nh: Nexthop = { weight: raw.weight ?? 1 };
  const via = gateway(e, vote, raw.via, ['nexthops', j, 'via'], 'nexthop via');
  if (via !== undefined) nh.via = via;
  if (raw.dev !== undefined) {
    const dev = checkedName(e, raw.dev, ['nexthops', j, 'dev']);
    if (dev !== undefined) nh.dev = dev;
  }
  if (raw['on-link']) nh.onLink = true;
  if (raw.via === undefined && raw.dev === undefined) e.problem(['nexthops', j], 'a nexthop needs via or dev');
  return nh;
}
