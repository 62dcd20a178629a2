// Checks across objects, after all files are merged: duplicates (contract
// section 3), masters, pairs, references to interfaces declared absent;
// and, before planning, references to interfaces against the actual state.
import { hasVlans, kindOf, lowerOf, masterKindsText, masterRole, peerOf, portKind } from '../kinds/registry.js';
import { OWNER_ALIAS } from '../model/constants.js';
import { addressKey, neighborKey, nexthopKey, routeKey, routeKeyDev, ruleKey } from '../model/identity.js';
import type { Desired, Link, NexthopObject, ObjectType, Route, Source, State } from '../model/types.js';
import type { Problem } from './errors.js';
import { FirstSeen } from './first-seen.js';
import type { Path } from './source.js';

/** Where an object (or, for interfaces, one of its keys) was declared. */
export type Locator = (obj: object, sub?: Path) => Source | undefined;

export interface CrossCheckInput {
  state: State;
  locate: Locator;
  /** Interfaces left out for other problems: references to them are not checked. */
  unchecked: ReadonlySet<string>;
  snapshot: boolean;
  /** netrec's marker (policy.protocol): of the routes under one identity, it owns at most one. */
  owner?: number;
}

export function crossCheck(input: CrossCheckInput): Problem[] {
  const problems: Problem[] = [];
  const { state, locate } = input;
  const at = (obj: object, message: string, sub?: Path): void => {
    const where = locate(obj, sub) ?? locate(obj);
    if (where) problems.push({ ...where, message });
  };
  const place = (obj: object): string => {
    const where = locate(obj);
    return where ? `${where.file}:${where.line}:${where.col}` : 'elsewhere';
  };

  const ids = identities(input.owner);
  const links = unique(state.links, ids.links, at, place);
  // A snapshot is the kernel's word: it may hold routes that the model's
  // identity cannot tell apart (per-interface multicast routes in table local).
  if (!input.snapshot) {
    unique(state.addresses, ids.addresses, at, place);
    unique(state.routes, ids.routes, at, place);
    unique(state.rules, ids.rules, at, place);
    unique(state.neighbors, ids.neighbors, at, place);
    unique(state.nexthops, ids.nexthops, at, place);
  }

  const declaredPeers = new Map<string, Link>();
  for (const l of state.links) {
    if (l.master !== undefined) checkMaster(l, links, input, at, place);
    if (!input.snapshot && (l.vlans !== undefined || l.port !== undefined)) checkPort(l, links, input, at);
    const peer = peerOf(l);
    if (peer !== undefined) {
      const kind = l.kind;
      const path = [kind, kindOf(kind)!.d.peer!.key];
      const other = links.get(peer);
      const otherPeer = peerOf(other);
      if (other && other.kind !== kind) at(l, `${kind} peer "${peer}" is declared as kind ${other.kind} at ${place(other)}; both ends of a ${kind} pair are kind ${kind}`, path);
      else if (otherPeer !== undefined && otherPeer !== l.name) {
        at(l, `${kind} peer "${peer}" names "${otherPeer}" as its own peer at ${place(other!)}; both ends must name each other`, path);
      }
      const first = declaredPeers.get(peer);
      if (first) at(l, `"${peer}" is already the ${kind} peer of "${first.name}" (${place(first)})`, path);
      else declaredPeers.set(peer, l);
    }
  }
  if (!input.snapshot) checkAbsentReferences(state, links, at, place);
  return problems;
}

type Report = (obj: object, message: string, sub?: Path) => void;

/**
 * When two declarations are the same object (contract section 3), per list
 * of a State: objects are bucketed by a string they already hold (`bucket`)
 * and compared within the bucket (`same`), which for a full routing table is
 * much cheaper than building an identity key per object; `key` words the
 * identity in messages. Duplicates within a config and the override of one
 * fleet layer by a later one (config/fleet.ts) both go by it.
 */
export interface Identity<T> {
  type: ObjectType;
  bucket: (o: T) => string;
  same?: (a: T, b: T) => boolean;
  key: (o: T) => string;
}

export type Identities = { [K in Exclude<keyof State, 'namespace'>]: Identity<State[K][number]> };

/** The identities of declared objects; `owner` is netrec's marker (policy.protocol). */
export function identities(owner: number | undefined): Identities {
  return {
    links: { type: 'interface', bucket: (l) => l.name, key: (l) => l.name },
    addresses: { type: 'address', bucket: (a) => a.address, same: (a, b) => a.dev === b.dev && a.peer === b.peer, key: addressKey },
    routes: { type: 'route', bucket: (r) => r.to, same: (a, b) => sameDeclaredRoute(a, b, owner), key: routeKey },
    rules: { type: 'rule', bucket: ruleKey, key: ruleKey },
    neighbors: { type: 'neighbor', bucket: (n) => n.address, same: (a, b) => a.dev === b.dev, key: neighborKey },
    nexthops: { type: 'nexthop', bucket: nexthopKey, key: nexthopKey },
  };
}

/**
 * Two route declarations of one identity (contract section 3) are the same
 * route, except where they are about routes the kernel keeps apart under
 * one key (`ip route append`): a route of another owner (declared with its
 * protocol, as `show` prints it) that differs from the other declaration in
 * owner, type, gateway, device or nexthops.
 */
function sameDeclaredRoute(a: Route, b: Route, owner: number | undefined): boolean {
  if (a.table !== b.table || a.metric !== b.metric || a.tos !== b.tos || a.from !== b.from || routeKeyDev(a) !== routeKeyDev(b)) return false;
  // IPv6 keeps one route per identity, whoever made it (gateway routes become one ECMP route; others are duplicates),
  // except that a route with a gateway and one without (a blackhole) do not meet.
  if (a.family === 'ipv6') return ecmpV6(a) === ecmpV6(b);
  // Two of netrec's own are one route; two of another owner only when on one path.
  return a.protocol === b.protocol && (a.protocol === owner || samePathText(a) === samePathText(b));
}

function ecmpV6(r: Route): boolean {
  return r.family === 'ipv6' && r.type === 'unicast' && (r.via !== undefined || (r.nexthops !== undefined && r.nexthops.length > 0));
}

function samePathText(r: Route): string {
  return `${r.type} ${r.via ?? ''} ${r.dev ?? ''} ${JSON.stringify(r.nexthops ?? null)}`;
}

/** First of each identity; a repeat is reported where it is, naming the first. */
function unique<T extends object>(objects: readonly T[], id: Identity<T>, at: Report, place: (o: object) => string): FirstSeen<T> {
  const { type, bucket, same, key } = id;
  const first = new FirstSeen<T>(objects, bucket);
  const more = new Map<string, T[]>();
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i]!;
    const head = first.first(i);
    if (head === o) continue;
    const b = bucket(o);
    const others = more.get(b);
    const earlier = same === undefined ? head : [head, ...(others ?? [])].find((x) => same(x, o));
    if (earlier) at(o, `${type} ${key(o)} is declared twice (first at ${place(earlier)})`);
    else if (others) others.push(o);
    else more.set(b, [o]);
  }
  return first;
}

function checkMaster(l: Link, links: FirstSeen<Link>, input: CrossCheckInput, at: Report, place: (o: object) => string): void {
  const name = l.master!;
  if (input.unchecked.has(name)) return;
  const master = links.get(name);
  if (!master) {
    if (!input.snapshot) at(l, `master "${name}" is not declared; a master is ${masterKindsText()} declared in the config`, ['master']);
    return;
  }
  if (!input.snapshot && !masterRole(master)) at(l, `master "${name}" is kind ${master.kind} (${place(master)}); a master is ${masterKindsText()}`, ['master']);
  else if (master.state === 'absent') at(l, `master "${name}" is declared absent (${place(master)})`, ['master']);
  // A loop of masters: follow the chain from l; it must end.
  const seen = new Set([l.name]);
  for (let m: Link | undefined = master; m?.master !== undefined; m = links.get(m.master)) {
    if (seen.has(m.name)) {
      at(l, `masters form a loop: ${[...seen, m.name].join(' -> ')}`, ['master']);
      return;
    }
    seen.add(m.name);
  }
}

/**
 * VLANs are a bridge's own or a bridge port's; port settings are those of
 * the declared master's kind (`bridge-port:` on a port of a bridge).
 */
function checkPort(l: Link, links: FirstSeen<Link>, input: CrossCheckInput, at: Report): void {
  const name = l.master;
  if (name !== undefined && input.unchecked.has(name)) return;
  const master = name === undefined ? undefined : links.get(name);
  const masterText = name === undefined ? 'it has no master' : master === undefined ? `its master "${name}" is not declared` : `its master "${name}" is kind ${master.kind}`;
  if (l.vlans !== undefined && !hasVlans(l.kind) && !hasVlans(master?.kind)) {
    at(l, `vlans are a bridge's own or a bridge port's, and this interface is ${l.kind === 'device' ? 'a device' : `kind ${l.kind}`} and ${masterText}`, ['vlans']);
  }
  if (l.port !== undefined && master?.kind !== l.port.kind) {
    const key = portKind(l.port.kind)!.role.key;
    at(l, `${key} settings are for a port of a ${l.port.kind}, and ${masterText}`, [key]);
  }
}

/** The path of a dev key, shared: not one per route. */
const DEV: Path = ['dev'];

/** What is declared absent cannot be used by what is declared present. */
function checkAbsentReferences(state: State, links: FirstSeen<Link>, at: Report, place: (o: object) => string): void {
  const check = (obj: object & { state?: string }, name: string | undefined, sub: Path): void => {
    if (name === undefined || obj.state === 'absent') return;
    const l = links.get(name);
    if (l?.state === 'absent') at(obj, `"${name}" is declared absent (${place(l)})`, sub);
  };
  for (const l of state.links) {
    const lower = lowerOf(l);
    if (lower !== undefined) check(l, lower, [l.kind, kindOf(l.kind)!.d.lower!.key]);
  }
  for (const r of state.routes) {
    check(r, r.dev, DEV);
    r.nexthops?.forEach((nh, j) => check(r, nh.dev, ['nexthops', j, 'dev']));
  }
  for (const n of state.neighbors) check(n, n.dev, DEV);
  for (const n of state.nexthops) check(n, n.dev, DEV);
}

/**
 * References to interfaces that the config does not declare (route and
 * nexthop dev, a lower link, neighbor dev) must exist in the
 * actual state, and not be an interface netrec created that this plan will
 * delete. Rules' iif/oif may name interfaces that do not exist yet: the
 * kernel keeps such rules and applies them when the interface appears.
 */
export function checkReferences(desired: Desired, actual: State): Problem[] {
  const declared = new Map<string, Link>();
  for (const l of desired.state.links) declared.set(l.name, l);
  const existing = new Map<string, Link>();
  for (const l of actual.links) existing.set(l.name, l);
  const problems: Problem[] = [];
  const check = (obj: { source?: Source; state?: string }, what: string, name: string | undefined): void => {
    if (name === undefined || obj.state === 'absent' || declared.has(name)) return;
    const have = existing.get(name);
    let why: string | undefined;
    if (!have) why = `${what} "${name}" is neither declared nor present`;
    else if (have.alias === OWNER_ALIAS && desired.policy.prune) why = `${what} "${name}" is an interface netrec created and no longer declares, so this plan deletes it; declare it to keep it`;
    if (why && obj.source) problems.push({ ...obj.source, message: why });
    else if (why) problems.push({ file: desired.files[0] ?? '', line: 0, col: 0, message: why });
  };
  for (const l of desired.state.links) {
    if (l.state === 'absent') continue;
    check(l, `${l.kind} ${kindOf(l.kind)?.d.lower?.key}`, lowerOf(l));
  }
  for (const r of desired.state.routes) {
    check(r, 'route dev', r.dev);
    for (const nh of r.nexthops ?? []) check(r, 'nexthop dev', nh.dev);
  }
  for (const n of desired.state.neighbors) check(n, 'neighbor dev', n.dev);
  for (const n of desired.state.nexthops) check(n, 'nexthop dev', n.dev);
  problems.push(...checkNexthopReferences(desired, actual));
  return problems;
}

/**
 * A group's members and a route's `nexthop:` name nexthop objects that are
 * declared (present) or exist; a member is a single nexthop (the kernel
 * nests no groups).
 */
function checkNexthopReferences(desired: Desired, actual: State): Problem[] {
  const declared = new Map<number, NexthopObject>();
  for (const n of desired.state.nexthops) declared.set(n.id, n);
  const existing = new Map<number, NexthopObject>();
  for (const n of actual.nexthops) existing.set(n.id, n);
  const problems: Problem[] = [];
  const report = (obj: { source?: Source }, message: string): void => {
    problems.push(obj.source ? { ...obj.source, message } : { file: desired.files[0] ?? '', line: 0, col: 0, message });
  };
  const find = (id: number): NexthopObject | undefined => {
    const d = declared.get(id);
    return d === undefined ? existing.get(id) : d.state === 'absent' ? undefined : d;
  };
  for (const n of desired.state.nexthops) {
    if (n.state === 'absent' || n.group === undefined) continue;
    for (const m of n.group) {
      const member = find(m.id);
      if (member === undefined) report(n, `nexthop ${n.id}: group member ${m.id} is neither declared nor present${declared.get(m.id)?.state === 'absent' ? ' (it is declared absent)' : ''}`);
      else if (member.group !== undefined) report(n, `nexthop ${n.id}: group member ${m.id} is a group itself; a group's members are single nexthops`);
    }
  }
  for (const r of desired.state.routes) {
    if (r.state === 'absent' || r.nhid === undefined || r.protocol !== desired.policy.protocol) continue;
    if (find(r.nhid) === undefined) report(r, `route ${routeKey(r)}: nexthop ${r.nhid} is neither declared nor present${declared.get(r.nhid)?.state === 'absent' ? ' (it is declared absent)' : ''}`);
  }
  return problems;
}
