// Random actual states (as the kernel could report them) and random valid
// configs over the same small set of names, so that plans meet every case:
// adoption, pruning, kind and option changes, veth pairs, masters, moves.
import fc from 'fast-check';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { addressKey, neighborKey, routeKey, ruleKey } from '../../src/model/identity.js';
import type { Address, Desired, Link, Neighbor, Nexthop, Route, Rule, State } from '../../src/model/types.js';
import { OURS, PROTO_BOOT, PROTO_KERNEL, PROTO_STATIC, addr, neigh, route, rule } from './fixtures.js';

type Gen = fc.GeneratorValue;

const V4_ADDRESSES = ['10.0.0.1/24', '10.0.0.2/24', '10.0.1.1/24', '10.0.2.1/24'];
const V6_ADDRESSES = ['fd00::1/64', 'fd00:1::1/64'];
const DESTINATIONS = ['192.168.0.0/24', '192.168.1.0/24', '172.16.0.0/16', '0.0.0.0/0', 'fd10::/64', '::/0'];
const GATEWAYS = { ipv4: ['10.0.0.254', '10.0.1.254'], ipv6: ['fd00::fe'] };
const NEIGHBORS = ['10.0.0.50', '10.0.0.51', 'fd00::50'];
const MACS = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'];
const VETH_PAIRS: ([string, string] | null)[] = [null, ['va', 'vb'], ['va', 'vc'], ['vb', 'vc']];
const MEMBERS = ['d0', 'd1', 'eth1', 'va'];

function pick<T>(g: Gen, items: readonly T[]): T {
  return g(fc.constantFrom, ...items);
}
function maybe(g: Gen): boolean {
  return g(fc.boolean);
}
function some<T>(g: Gen, max: number, make: () => T | undefined): T[] {
  const out: T[] = [];
  const n = g(fc.integer, { min: 0, max });
  for (let i = 0; i < n; i++) {
    const o = make();
    if (o !== undefined) out.push(o);
  }
  return out;
}
function unique<T>(items: T[], key: (o: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((o) => !seen.has(key(o)) && seen.add(key(o)) !== undefined);
}
function familyOf(text: string): 'ipv4' | 'ipv6' {
  return text.includes(':') ? 'ipv6' : 'ipv4';
}

function actualLink(g: Gen, name: string, kind: Link['kind'], extra: Partial<Link> = {}): Link {
  const l: Link = { name, kind, state: pick(g, ['up', 'down'] as const), mtu: pick(g, [1500, 9000]), mac: pick(g, MACS), ...extra };
  if (maybe(g)) l.alias = OWNER_ALIAS;
  return l;
}

/** Routes through an interface the kernel holds only while it is up. */
function upLinks(links: Link[]): string[] {
  return links.filter((l) => l.state === 'up').map((l) => l.name);
}

function someRoute(g: Gen, devs: string[], protocols: number[], sources: string[]): Route | undefined {
  const to = pick(g, DESTINATIONS);
  const family = familyOf(to);
  const r = route(to, { table: pick(g, [254, 100]), protocol: pick(g, protocols) });
  if (family === 'ipv4') r.metric = pick(g, [0, 100]);
  const shape = pick(g, ['dev', 'via', 'multipath', 'blackhole'] as const);
  if (shape === 'blackhole') r.type = 'blackhole';
  else if (shape === 'multipath') {
    if (devs.length === 0) return undefined;
    const hop = (): Nexthop => ({ via: pick(g, GATEWAYS[family]), dev: pick(g, devs), weight: pick(g, [1, 2]) });
    r.nexthops = [hop(), hop()];
  } else {
    if (devs.length === 0) return undefined;
    r.dev = pick(g, devs);
    if (shape === 'via') r.via = pick(g, GATEWAYS[family]);
    const src = sources.filter((s) => familyOf(s) === family);
    if (src.length > 0 && maybe(g)) r.src = pick(g, src);
  }
  return r;
}

/** The VLAN a bridge and a new port of it get. */
const DEFAULT_VLAN = { vid: 1, pvid: true, untagged: true };

/** The state of a namespace as the kernel could report it. */
export function actualState(g: Gen): State {
  const links: Link[] = [
    { name: 'eth0', kind: 'device', state: 'up', mtu: 1500, mac: MACS[0] },
    { name: 'eth1', kind: 'device', state: pick(g, ['up', 'down'] as const), mtu: 1500, mac: MACS[1] },
  ];
  for (const name of ['d0', 'd1']) if (maybe(g)) links.push(actualLink(g, name, 'dummy'));
  if (maybe(g)) links.push(actualLink(g, 'br0', 'bridge', { options: { stp: maybe(g), forwardDelay: 15, ageingTime: 300, priority: 32768 } }));
  if (maybe(g)) links.push(actualLink(g, 'vrf0', 'vrf', { options: { table: pick(g, [100, 101]) } }));
  const lowers = links.filter((l) => l.name === 'eth0' || l.name === 'd0').map((l) => l.name);
  if (maybe(g)) links.push(actualLink(g, 'vl0', 'vlan', { options: { link: pick(g, lowers), id: pick(g, [10, 20]), protocol: '802.1q' } }));
  if (maybe(g)) links.push(actualLink(g, 'vx0', 'vxlan', { options: { vni: pick(g, [100, 200]), port: 4789, learning: maybe(g), ttl: 64 } }));
  const pair = pick(g, VETH_PAIRS);
  if (pair) links.push(actualLink(g, pair[0], 'veth', { options: { peer: pair[1] } }), actualLink(g, pair[1], 'veth', { options: { peer: pair[0] } }));
  const masters = links.filter((l) => l.kind === 'bridge' || l.kind === 'vrf').map((l) => l.name);
  for (const l of links) if (MEMBERS.includes(l.name) && masters.length > 0 && maybe(g)) l.master = pick(g, masters);
  // Bridges and their ports read with their VLANs, ports with their settings.
  for (const l of links) {
    if (l.kind === 'bridge') l.vlans = pick(g, [[DEFAULT_VLAN], [DEFAULT_VLAN, { vid: 10, end: 12 }]]);
    else if (l.master === 'br0') {
      l.vlans = pick(g, [[DEFAULT_VLAN], [{ vid: 10, pvid: true }], []]);
      l.port = { kind: 'bridge', options: { learning: maybe(g), cost: 2 } };
    }
  }

  const up = upLinks(links);
  const names = links.map((l) => l.name);
  const addresses = unique(
    some(g, 5, () => {
      const v6 = maybe(g);
      const a = addr(pick(g, v6 ? up : names), pick(g, v6 ? V6_ADDRESSES : V4_ADDRESSES));
      const proto = pick(g, [OURS, undefined, PROTO_STATIC]);
      if (proto !== undefined) a.protocol = proto;
      if (maybe(g)) a.kernelManaged = proto === undefined && v6;
      return a;
    }),
    addressKey,
  );
  const sources = addresses.map((a) => a.address.split('/')[0]!);
  const routes = unique([...kernelRoutes(addresses, up), ...some(g, 5, () => someRoute(g, up, [OURS, PROTO_STATIC, PROTO_BOOT], sources))], routeKey);
  const rules = unique(
    some(g, 3, () => rule(pick(g, [100, 101, 102]), { from: pick(g, [undefined, '10.0.0.0/24']), table: pick(g, [100, 254]), protocol: pick(g, [OURS, PROTO_STATIC]) })),
    ruleKey,
  );
  const neighbors = unique(
    some(g, 3, () => {
      if (up.length === 0) return undefined;
      const n = neigh(pick(g, up), pick(g, NEIGHBORS), { lladdr: pick(g, MACS), state: pick(g, ['permanent', 'reachable']) });
      const proto = pick(g, [OURS, undefined]);
      if (proto !== undefined) n.protocol = proto;
      return n;
    }),
    neighborKey,
  );
  return { links, addresses, routes, rules, neighbors, nexthops: [] };
}

/** The prefix and local routes the kernel adds for IPv4 addresses on links that are up. */
function kernelRoutes(addresses: Address[], up: string[]): Route[] {
  const out: Route[] = [];
  for (const a of addresses) {
    if (a.family !== 'ipv4' || !up.includes(a.dev)) continue;
    const [ip, len] = a.address.split('/') as [string, string];
    const net = `${ip.split('.').slice(0, 3).join('.')}.0/${len}`;
    out.push(route(net, { dev: a.dev, src: ip, scope: 'link', protocol: PROTO_KERNEL }));
    out.push(route(`${ip}/32`, { table: 255, type: 'local', dev: a.dev, src: ip, scope: 'host', protocol: PROTO_KERNEL }));
  }
  return out;
}

/** A valid config over the same names: references resolve, veth ends agree, routes use links that are up. */
export function desiredConfig(g: Gen, actual: State): Desired {
  const links: Link[] = [];
  const declare = (l: Link) => links.push(l);
  const present = (name: string) => links.some((l) => l.name === name && l.state !== 'absent');
  const virtualState = () => pick(g, ['up', 'up', 'down', 'absent'] as const);

  if (maybe(g)) declare({ name: 'eth0', kind: 'device', state: 'up', mtu: pick(g, [undefined, 1500, 9000]) });
  if (maybe(g)) declare({ name: 'eth1', kind: 'device', state: pick(g, ['up', 'down'] as const) });
  for (const name of ['d0', 'd1']) if (maybe(g)) declare({ name, kind: pick(g, ['dummy', 'dummy', 'bridge'] as const), state: virtualState(), mtu: pick(g, [undefined, 1500]) });
  if (maybe(g)) declare({ name: 'br0', kind: 'bridge', state: virtualState(), options: pick(g, [undefined, { stp: false }, { stp: true, priority: 4096 }]) });
  if (maybe(g)) declare({ name: 'vrf0', kind: 'vrf', state: virtualState(), options: { table: pick(g, [100, 101]) } });
  if (maybe(g)) declare({ name: 'vl0', kind: 'vlan', state: virtualState(), options: { link: present('d0') ? pick(g, ['eth0', 'd0']) : 'eth0', id: pick(g, [10, 20]) } });
  if (maybe(g)) declare({ name: 'vx0', kind: 'vxlan', state: virtualState(), options: { vni: pick(g, [100, 200]), link: pick(g, [undefined, 'eth0']), learning: pick(g, [undefined, true]) } });
  const pair = pick(g, VETH_PAIRS);
  if (pair) {
    const [a, b] = pick(g, [pair, [pair[1], pair[0]]]);
    const state = pick(g, ['up', 'down', 'absent'] as const);
    declare({ name: a, kind: 'veth', state, options: { peer: b }, mac: pick(g, [undefined, MACS[2]]) });
    declare({ name: b, kind: 'veth', state: state === 'absent' ? 'absent' : pick(g, ['up', 'down'] as const), options: state !== 'absent' && maybe(g) ? { peer: a } : undefined });
  }
  const masters = links.filter((l) => (l.name === 'br0' || l.name === 'vrf0') && l.state !== 'absent').map((l) => l.name);
  for (const l of links) if (MEMBERS.includes(l.name) && l.state !== 'absent' && masters.length > 0 && maybe(g)) l.master = pick(g, masters);
  for (const l of links) {
    if (l.state === 'absent' || (l.kind !== 'bridge' && l.master !== 'br0') || !maybe(g)) continue;
    l.vlans = pick(g, [[DEFAULT_VLAN], [{ vid: 10, pvid: true, untagged: true }, { vid: 20, end: 29 }], []]);
    if (l.master === 'br0' && maybe(g)) l.port = { kind: 'bridge', options: { learning: false } };
  }
  for (const l of links) if (l.state !== 'absent' && maybe(g)) l.addressesAuthoritative = true;

  // Interfaces that exist after the plan: declared ones, and the devices.
  const usable = [...new Set([...links.filter((l) => l.state !== 'absent').map((l) => l.name), 'eth0', 'eth1'])];
  const stateOf = (name: string) => links.find((l) => l.name === name)?.state ?? actual.links.find((l) => l.name === name)!.state;
  const up = usable.filter((n) => stateOf(n) === 'up');

  const addresses = some(g, 5, () => {
    const a = addr(pick(g, usable), pick(g, maybe(g) ? V6_ADDRESSES : V4_ADDRESSES), { protocol: OURS });
    if (maybe(g)) a.label = a.family === 'ipv4' ? `${a.dev}:1` : undefined;
    if (maybe(g)) a.validLifetime = pick(g, ['forever', 3600] as const);
    return a;
  });
  const sources = addresses.map((a) => a.address.split('/')[0]!);
  const routes = some(g, 5, () => someRoute(g, up, [OURS], sources));
  const rules = some(g, 3, () => rule(pick(g, [100, 101, 102]), { from: pick(g, [undefined, '10.0.0.0/24']), table: pick(g, [100, 254]) }));
  const neighbors = some(g, 3, () => neigh(pick(g, usable), pick(g, NEIGHBORS), { lladdr: pick(g, [undefined, ...MACS]), protocol: OURS }));

  // Some existing objects declared absent.
  const absent = <T extends { state?: string }>(items: T[]): T[] => items.filter(() => maybe(g) && maybe(g)).map((o) => ({ ...o, state: 'absent' }));
  return {
    state: {
      links,
      addresses: unique([...addresses, ...absent(actual.addresses.filter((a) => !a.kernelManaged))], addressKey),
      routes: unique([...routes, ...absent(actual.routes.filter((r) => r.protocol !== PROTO_KERNEL))], routeKey),
      rules: unique([...rules, ...absent(actual.rules)], ruleKey),
      neighbors: unique([...neighbors, ...absent(actual.neighbors)], neighborKey) as Neighbor[],
      nexthops: [],
    },
    policy: { protocol: OURS, prune: maybe(g) },
    tables: {},
    files: ['net.yaml'],
  };
}

/** What the kernel holds once a config is applied: its objects with the marks netrec gives them. */
export function appliedState(d: Desired): State {
  const links = d.state.links.filter((l) => l.state !== 'absent');
  const declaredPeer = new Map(links.filter((l) => l.kind === 'veth' && l.options?.peer).map((l) => [l.options!.peer as string, l.name]));
  return {
    links: [
      ...links.map((l): Link => {
        const out: Link = { ...l, addressesAuthoritative: undefined };
        if (l.kind !== 'device') out.alias = OWNER_ALIAS;
        if (l.kind === 'veth' && !l.options) out.options = { peer: declaredPeer.get(l.name)! };
        return out;
      }),
      ...['eth0', 'eth1'].filter((n) => !links.some((l) => l.name === n)).map((name): Link => ({ name, kind: 'device', state: 'up' })),
    ],
    addresses: d.state.addresses.filter((a) => a.state !== 'absent').map((a) => ({ ...a, protocol: d.policy.protocol })),
    routes: d.state.routes.filter((r) => r.state !== 'absent'),
    rules: d.state.rules.filter((r) => r.state !== 'absent'),
    neighbors: d.state.neighbors.filter((n) => n.state !== 'absent').map((n) => ({ ...n, state: 'permanent', protocol: d.policy.protocol })),
    nexthops: [],
  };
}
