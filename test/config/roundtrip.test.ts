// State -> document -> text -> state: a snapshot reads back as the state it
// was written from, and a rendered config loads back as the same config.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadConfig, loadSnapshot } from '../../src/config/load.js';
import { routeSortKey, sortRoutes, toDocument, toJson, toYaml, type DocumentOptions } from '../../src/config/serialize.js';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { bytesToIp } from '../../src/model/ip.js';
import type { Address, Family, Link, Neighbor, Nexthop, NexthopObject, Route, Rule, State } from '../../src/model/types.js';
import { writeFixtures } from './helpers.js';

/** Property runs; raise with NETREC_FUZZ_RUNS for a longer search. */
const RUNS = Number(process.env.NETREC_FUZZ_RUNS ?? 150);

/** A list sorted by its items' JSON with sorted keys: order-free comparison. */
function canonical(state: State): Record<string, string[]> {
  const json = (o: unknown): string =>
    JSON.stringify(o, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
  // The namespace's settings are one object, not a list.
  return Object.fromEntries(Object.entries(state).map(([k, v]: [string, unknown]) => [k, Array.isArray(v) ? v.map(json).sort() : [json(v)]]));
}

// ---- random actual states -----------------------------------------------------

const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ifname = fc.stringMatching(/^[a-z][a-z0-9_-]{0,9}$/);
const mac6 = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => {
  b[0]! &= 0xfe; // unicast
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
});
const familyArb = fc.constantFrom<Family>('ipv4', 'ipv6');
const addrOf = (f: Family) => fc.uint8Array({ minLength: f === 'ipv4' ? 4 : 16, maxLength: f === 'ipv4' ? 4 : 16 }).map((b) => bytesToIp(b));
/** A network prefix (no host bits) of the family, at least `min` long. */
const networkOf = (f: Family, min = 0) =>
  fc.tuple(fc.uint8Array({ minLength: f === 'ipv4' ? 4 : 16, maxLength: f === 'ipv4' ? 4 : 16 }), fc.integer({ min, max: f === 'ipv4' ? 32 : 128 })).map(([b, len]) => {
    for (let bit = len; bit < b.length * 8; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return `${bytesToIp(b)}/${len}`;
  });
const protocolArb = fc.integer({ min: 0, max: 255 });
const tableArb = fc.oneof(fc.constantFrom(253, 254, 255, 100, 200), fc.integer({ min: 1, max: 0xffffffff }));

function linksArb(): fc.Arbitrary<Link[]> {
  return fc.uniqueArray(ifname, { minLength: 1, maxLength: 6 }).chain((names) =>
    fc.tuple(...names.map((name, i) => linkArb(name, names.slice(0, i)))).map((links) => {
      // Masters: only earlier bridges, bonds and vrfs (no loops).
      const masters = new Set(links.filter((l) => ['bridge', 'bond', 'vrf'].includes(l.kind)).map((l) => l.name));
      for (const l of links) if (l.master !== undefined && !masters.has(l.master)) delete l.master;
      return links;
    }),
  );
}

function linkArb(name: string, earlier: string[]): fc.Arbitrary<Link> {
  const kind = fc.constantFrom('device', 'dummy', 'bridge', 'veth', 'vlan', 'vxlan', 'macvlan', 'bond', 'vrf') as fc.Arbitrary<Link['kind']>;
  return kind.chain((k) =>
    fc
      .record(
        {
          name: fc.constant(name),
          kind: fc.constant(k),
          state: fc.constantFrom<Link['state']>('up', 'down'),
          mtu: fc.integer({ min: 1, max: 65536 }),
          mac: mac6,
          master: earlier.length ? fc.constantFrom(...earlier) : fc.constant(name),
          alias: fc.constant(OWNER_ALIAS),
          ...options(k, name),
        },
        { requiredKeys: ['name', 'kind', 'state', ...(k === 'veth' || k === 'vlan' || k === 'vxlan' || k === 'macvlan' || k === 'vrf' ? ['options'] : [])] as never[] },
      )
      .map((l) => {
        if (l.master === name) delete l.master;
        return l as Link;
      }),
  );
}

function options(kind: Link['kind'], name: string): Record<string, fc.Arbitrary<unknown>> {
  switch (kind) {
    case 'bridge':
      return { options: fc.record({ stp: fc.boolean(), forwardDelay: fc.integer({ min: 0, max: 30 }), ageingTime: fc.integer({ min: 0, max: 1000 }), priority: fc.integer({ min: 0, max: 65535 }) }, { requiredKeys: [] }) };
    case 'veth':
      return { options: fc.constant({ peer: `${name}.p` }) };
    case 'vlan':
      return { options: fc.record({ link: ifname, id: fc.integer({ min: 0, max: 4094 }), protocol: fc.constantFrom('802.1q', '802.1ad') }, { requiredKeys: ['link', 'id'] }) };
    case 'vxlan':
      return {
        options: familyArb.chain((f) =>
          fc.record(
            { vni: fc.integer({ min: 0, max: 16777215 }), local: addrOf(f), remote: addrOf(f), port: fc.integer({ min: 1, max: 65535 }), link: ifname, learning: fc.boolean(), ttl: fc.integer({ min: 0, max: 255 }) },
            { requiredKeys: ['vni'] },
          ),
        ),
      };
    case 'macvlan':
      return { options: fc.record({ link: ifname, mode: fc.constantFrom('private', 'vepa', 'bridge', 'passthru', 'source') }, { requiredKeys: ['link'] }) };
    case 'bond':
      return { options: fc.record({ mode: fc.constantFrom('balance-rr', 'active-backup', '802.3ad'), miimon: fc.integer({ min: 0, max: 1000 }) }, { requiredKeys: [] }) };
    case 'vrf':
      return { options: tableArb.map((table) => ({ table })) };
    default:
      return {};
  }
}

function addressArb(devs: string[]): fc.Arbitrary<Address> {
  return fc
    .record({
      dev: fc.constantFrom(...devs),
      family: familyArb,
      peer: fc.boolean(),
      life: fc.oneof(fc.constant(['forever', 'forever'] as const), fc.tuple(fc.integer({ min: 1, max: 1e6 }), fc.nat()), fc.tuple(fc.constant('forever' as const), fc.nat({ max: 1e6 }))),
      noprefixroute: fc.boolean(),
      label: fc.option(fc.stringMatching(/^[a-z0-9]{1,4}$/)),
      protocol: fc.option(fc.integer({ min: 1, max: 255 })),
      kernelManaged: fc.boolean(),
    })
    .chain((r) =>
      fc.tuple(addrOf(r.family), addrOf(r.family), fc.integer({ min: 0, max: r.family === 'ipv4' ? 32 : 128 })).map(([local, peer, len]) => {
        const max = r.family === 'ipv4' ? 32 : 128;
        const a: Address = { dev: r.dev, family: r.family, address: r.peer ? `${local}/${max}` : `${local}/${len}` };
        if (r.peer) a.peer = `${peer}/${len}`;
        if (r.noprefixroute) a.noprefixroute = true;
        const [valid, preferred] = r.life as readonly [number | 'forever', number | 'forever'];
        a.validLifetime = valid;
        a.preferredLifetime = typeof valid === 'number' ? Math.min(Number(preferred), valid) : preferred;
        const label = `${r.dev}:${r.label}`;
        if (r.family === 'ipv4' && r.label !== null && Buffer.byteLength(label) <= 15) a.label = label;
        if (r.protocol !== null) a.protocol = r.protocol;
        a.kernelManaged = r.kernelManaged;
        return a;
      }),
    );
}

const REJECT = ['blackhole', 'unreachable', 'prohibit', 'throw'];

function routeArb(): fc.Arbitrary<Route> {
  return fc
    .record({
      family: familyArb,
      table: tableArb,
      type: fc.constantFrom<Route['type']>('unicast', 'unicast', 'local', 'blackhole', 'unreachable', 'prohibit', 'throw', 'broadcast', 'anycast', 'multicast', 'nat'),
      scope: fc.constantFrom<NonNullable<Route['scope']>>('global', 'link', 'host', 'site', 'nowhere'),
      protocol: protocolArb,
      metric: u32,
      tos: fc.integer({ min: 0, max: 255 }),
      mtu: fc.option(fc.integer({ min: 1, max: 65535 })),
      onLink: fc.boolean(),
      nhid: fc.option(fc.integer({ min: 1, max: 0xffffffff })),
      how: fc.constantFrom('via', 'dev', 'both', 'nexthops', 'none'),
      dev: ifname,
      hasSrc: fc.boolean(),
    })
    .chain((r) =>
      fc
        .tuple(
          networkOf(r.family),
          addrOf(r.family),
          addrOf(r.family),
          fc.array(fc.record({ weight: fc.integer({ min: 1, max: 256 }), via: addrOf(r.family), dev: ifname, onLink: fc.constant(true as const) }, { requiredKeys: ['weight'] }), { minLength: 1, maxLength: 3 }),
        )
        .map(([to, via, src, nexthops]) => {
          const route: Route = { family: r.family, table: r.table, to, metric: r.family === 'ipv6' && r.metric === 0 ? 1024 : r.metric, tos: r.family === 'ipv4' ? r.tos : 0, type: r.type, protocol: r.protocol, scope: r.scope };
          if (!REJECT.includes(r.type)) {
            if (r.how === 'via' || r.how === 'both') route.via = via;
            if (r.how === 'dev' || r.how === 'both') route.dev = r.dev;
            if (r.how === 'nexthops') route.nexthops = nexthops.map((nh): Nexthop => (nh.via === undefined && nh.dev === undefined ? { ...nh, dev: r.dev } : nh));
          }
          if (r.hasSrc) route.src = src;
          if (r.mtu !== null) route.mtu = r.mtu;
          if (r.onLink) route.onLink = true;
          if (r.nhid !== null && r.type === 'unicast') {
            // A route through a nexthop object has the object's path, not its own (as the decoder reads it).
            route.nhid = r.nhid;
            delete route.via;
            delete route.dev;
            delete route.nexthops;
            delete route.onLink;
          }
          return route;
        }),
    );
}

function ruleArb(): fc.Arbitrary<Rule> {
  const range = (max: number, min: number) => fc.tuple(fc.integer({ min, max }), fc.integer({ min, max })).map(([a, b]) => (a < b ? [a, b] : [b, a]) as [number, number]);
  const port = fc.option(range(65535, 1).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)));
  return fc
    .record({
      family: familyArb,
      priority: fc.integer({ min: 0, max: 0xfffffffe }),
      not: fc.boolean(),
      iif: fc.option(ifname),
      oif: fc.option(ifname),
      mark: fc.option(fc.tuple(u32, fc.option(fc.integer({ min: 0, max: 0xfffffffe })))),
      ds: fc.oneof(fc.constant(null), fc.record({ tos: fc.integer({ min: 1, max: 255 }) }), fc.record({ dscp: fc.integer({ min: 0, max: 63 }) })),
      uidrange: fc.option(range(0xfffffffe, 0).map(([a, b]) => `${a}-${b}`)),
      ipproto: fc.option(fc.integer({ min: 1, max: 255 })),
      sport: port,
      dport: port,
      l3mdev: fc.boolean(),
      suppressPrefixlength: fc.option(fc.integer({ min: 0, max: 32 })),
      suppressIfgroup: fc.option(fc.integer({ min: 0, max: 1000 })),
      attributes: fc.option(fc.dictionary(fc.integer({ min: 31, max: 200 }).map(String), fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b).toString('hex')), { minKeys: 1, maxKeys: 2 })),
      action: fc.constantFrom<Rule['action']>('lookup', 'lookup', 'blackhole', 'unreachable', 'prohibit', 'nop', 'goto'),
      gotoStep: fc.integer({ min: 1, max: 1000 }),
      table: fc.integer({ min: 1, max: 0xffffffff }),
      protocol: protocolArb,
      hasFrom: fc.boolean(),
      hasTo: fc.boolean(),
    })
    .chain((r) =>
      fc.tuple(networkOf(r.family, 1), networkOf(r.family, 1)).map(([from, to]) => {
        const l3mdev = r.l3mdev && r.action === 'lookup';
        const rule: Rule = { family: r.family, priority: r.priority, table: r.action === 'lookup' && !l3mdev ? r.table : 0, action: r.action, protocol: r.protocol };
        if (r.not) rule.not = true;
        if (r.hasFrom) rule.from = from;
        if (r.hasTo) rule.to = to;
        if (r.iif !== null) rule.iif = r.iif;
        if (r.oif !== null) rule.oif = r.oif;
        if (r.mark) {
          rule.fwmark = r.mark[0];
          if (r.mark[1] !== null) rule.fwmask = r.mark[1];
        }
        if (r.ds) Object.assign(rule, r.ds);
        if (r.uidrange !== null) rule.uidrange = r.uidrange;
        if (r.ipproto !== null) rule.ipproto = r.ipproto;
        if (r.sport !== null) rule.sport = r.sport;
        if (r.dport !== null) rule.dport = r.dport;
        if (l3mdev) rule.l3mdev = true;
        if (r.suppressPrefixlength !== null) rule.suppressPrefixlength = r.suppressPrefixlength;
        if (r.suppressIfgroup !== null) rule.suppressIfgroup = r.suppressIfgroup;
        if (r.attributes !== null) rule.attributes = r.attributes;
        if (r.action === 'goto') rule.goto = Math.min(r.priority + r.gotoStep, 0xffffffff);
        return rule;
      }),
    );
}

function neighborArb(): fc.Arbitrary<Neighbor> {
  return fc
    .record({
      dev: ifname,
      family: familyArb,
      lladdr: fc.option(mac6),
      state: fc.constantFrom('permanent', 'noarp', 'reachable', 'stale', 'delay', 'probe', 'failed', 'incomplete', 'none'),
      protocol: fc.option(fc.integer({ min: 1, max: 255 })),
    })
    .chain((r) =>
      addrOf(r.family).map((address) => {
        const n: Neighbor = { dev: r.dev, family: r.family, address, state: r.state };
        if (r.lladdr !== null) n.lladdr = r.lladdr;
        if (r.protocol !== null) n.protocol = r.protocol;
        return n;
      }),
    );
}

const stateArb: fc.Arbitrary<State> = linksArb().chain((links) =>
  fc.record({
    links: fc.constant(links),
    addresses: fc.array(addressArb(links.map((l) => l.name)), { maxLength: 6 }),
    routes: fc.array(routeArb(), { maxLength: 8 }),
    rules: fc.array(ruleArb(), { maxLength: 5 }),
    neighbors: fc.array(neighborArb(), { maxLength: 4 }),
    nexthops: fc.uniqueArray(nexthopArb(), { maxLength: 4, selector: (n) => n.id }),
  }),
);

/** Nexthop objects as the kernel reports them: single ones (gateway and device, a device, a blackhole) and groups. */
function nexthopArb(): fc.Arbitrary<NexthopObject> {
  const id = fc.integer({ min: 1, max: 2000 });
  const protocol = fc.constantFrom(0, 4, 78, 186);
  const single = fc.record({
    id,
    protocol,
    family: fc.constantFrom<'ipv4'>('ipv4'),
    via: fc.option(fc.constantFrom('192.0.2.1', '198.51.100.7'), { nil: undefined }),
    dev: fc.constantFrom('eth0', 'eth1'),
  }).map((n): NexthopObject => {
    const out: NexthopObject = { id: n.id, protocol: n.protocol, family: n.family, dev: n.dev };
    if (n.via !== undefined) out.via = n.via;
    return out;
  });
  const six = fc.record({ id, protocol, via: fc.option(fc.constantFrom('2001:db8::1', 'fe80::1'), { nil: undefined }) }).map(
    (n): NexthopObject => (n.via === undefined ? { id: n.id, protocol: n.protocol, family: 'ipv6', blackhole: true } : { id: n.id, protocol: n.protocol, family: 'ipv6', via: n.via, dev: 'eth0', onLink: true }),
  );
  const group = fc.record({
    id,
    protocol,
    members: fc.uniqueArray(fc.record({ id: fc.integer({ min: 2001, max: 4000 }), weight: fc.integer({ min: 1, max: 256 }) }), { minLength: 1, maxLength: 4, selector: (m) => m.id }),
    resilient: fc.option(fc.record({ buckets: fc.integer({ min: 1, max: 512 }), idleTimer: fc.integer({ min: 0, max: 3600 }), unbalancedTimer: fc.integer({ min: 0, max: 3600 }) }), { nil: undefined }),
  }).map((g): NexthopObject => {
    const out: NexthopObject = { id: g.id, protocol: g.protocol, group: [...g.members].sort((a, b) => a.id - b.id) };
    if (g.resilient) Object.assign(out, { resilient: true }, g.resilient);
    return out;
  });
  return fc.oneof(single, six, group);
}

const optionsArb: fc.Arbitrary<DocumentOptions> = fc.record(
  {
    tables: fc.constantFrom<Record<string, number>>({}, { isp: 100 }, { isp: 100, guest: 200 }),
    policy: fc.record({ protocol: fc.integer({ min: 4, max: 255 }), prune: fc.boolean() }),
  },
  { requiredKeys: [] },
);

test('a state written with toDocument (all) reads back with loadSnapshot as the same state, in YAML and JSON', () => {
  const { dir } = writeFixtures({});
  fc.assert(
    fc.property(stateArb, optionsArb, (state, opts) => {
      const doc = toDocument(state, { ...opts, all: true });
      for (const [name, text] of [['s.yaml', toYaml(doc)], ['s.json', toJson(doc)]] as const) {
        const file = join(dir, name);
        writeFileSync(file, text);
        let back: State;
        try {
          back = loadSnapshot(file);
        } catch (e) {
          assert.fail(`${(e as Error).message}\n${text}`);
        }
        assert.deepStrictEqual(canonical(back), canonical(state), text);
      }
    }),
    { numRuns: RUNS },
  );
});

test('toDocument is deterministic: input order does not matter', () => {
  fc.assert(
    fc.property(stateArb, (state) => {
      const reversed: State = { links: [...state.links].reverse(), addresses: [...state.addresses].reverse(), routes: [...state.routes].reverse(), rules: [...state.rules].reverse(), neighbors: [...state.neighbors].reverse(), nexthops: [...state.nexthops].reverse() };
      const distinct = new Set(state.routes.map((r) => `${r.family}${r.table}${r.to}${r.metric}${r.tos}${r.dev}`)).size === state.routes.length;
      if (distinct) assert.equal(toYaml(toDocument(reversed, { all: true })), toYaml(toDocument(state, { all: true })));
    }),
    { numRuns: Math.ceil(RUNS / 3) },
  );
});

test('without all, what the kernel makes by itself is left out', () => {
  const state: State = {
    links: [{ name: 'eth0', kind: 'device', state: 'up' }],
    addresses: [
      { dev: 'eth0', family: 'ipv4', address: '192.0.2.1/24', kernelManaged: false },
      { dev: 'eth0', family: 'ipv6', address: 'fe80::1/64', kernelManaged: false },
      { dev: 'eth0', family: 'ipv6', address: '2001:db8::5/64', kernelManaged: true },
    ],
    routes: [
      { family: 'ipv4', table: 254, to: '192.0.2.0/24', metric: 0, tos: 0, type: 'unicast', protocol: 2, dev: 'eth0', scope: 'link' },
      { family: 'ipv4', table: 255, to: '192.0.2.1/32', metric: 0, tos: 0, type: 'local', protocol: 3, dev: 'eth0', scope: 'host' },
      { family: 'ipv4', table: 254, to: '0.0.0.0/0', metric: 0, tos: 0, type: 'unicast', protocol: 3, via: '192.0.2.254', dev: 'eth0', scope: 'global' },
    ],
    rules: [
      { family: 'ipv4', priority: 0, table: 255, action: 'lookup', protocol: 2 },
      { family: 'ipv6', priority: 32766, table: 254, action: 'lookup', protocol: 2 },
      { family: 'ipv4', priority: 32767, table: 253, action: 'lookup', protocol: 2 },
      { family: 'ipv4', priority: 32766, table: 254, action: 'lookup', protocol: 2, fwmark: 1 },
    ],
    neighbors: [
      { dev: 'eth0', family: 'ipv4', address: '192.0.2.7', lladdr: '02:00:00:00:00:07', state: 'reachable' },
      { dev: 'eth0', family: 'ipv6', address: 'ff02::1', lladdr: '33:33:00:00:00:01', state: 'noarp' },
      { dev: 'eth0', family: 'ipv4', address: '192.0.2.8', lladdr: '02:00:00:00:00:08', state: 'permanent', protocol: 0x4e },
    ],
    nexthops: [],
  };
  assert.deepEqual(toDocument(state), {
    version: 1,
    interfaces: [{ name: 'eth0', addresses: [{ address: '192.0.2.1/24', protocol: 'unspec' }] }],
    routes: [{ to: 'default', via: '192.0.2.254', dev: 'eth0', protocol: 'boot' }],
    rules: [{ priority: 32766, fwmark: '0x1', table: 'main', family: 'ipv4', protocol: 'kernel' }],
    neighbors: [{ dev: 'eth0', address: '192.0.2.8', lladdr: '02:00:00:00:00:08' }],
  });
  const all = toDocument(state, { all: true });
  assert.equal((all.routes as unknown[]).length, 3);
  assert.equal((all.rules as unknown[]).length, 4);
  assert.equal((all.neighbors as unknown[]).length, 3);
});

test('kinds netrec does not model show as devices, with the real kind in a comment', () => {
  const doc = toDocument({ links: [{ name: 'ifb0', kind: 'other:ifb', state: 'down' }], addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] });
  assert.equal(toYaml(doc), 'version: 1\ninterfaces:\n  - name: ifb0  # kind ifb, which netrec shows as a device\n    state: down\n');
  assert.deepEqual(JSON.parse(toJson(doc)), { version: 1, interfaces: [{ name: 'ifb0', state: 'down' }] });
});

test('a loaded config, rendered and loaded again, is the same config (what plan -o diff shows)', () => {
  const examples = new URL('../../../examples/', import.meta.url);
  const bare = ({ source: _s, ...o }: { source?: unknown }) => o;
  const strip = (s: State) =>
    canonical({ ...Object.fromEntries(Object.entries(s).map(([k, v]: [string, { source?: unknown }[] | { source?: unknown }]) => [k, Array.isArray(v) ? v.map(bare) : bare(v)])) } as unknown as State);
  for (const f of readdirSync(examples).filter((n) => n.endsWith('.yaml'))) {
    const desired = loadConfig([new URL(f, examples).pathname]);
    const text = toYaml(toDocument(desired.state, { tables: desired.tables, policy: desired.policy }));
    const again = loadConfig(writeFixtures({ [f]: text }).paths);
    assert.deepStrictEqual(strip(again.state), strip(desired.state), `${f}:\n${text}`);
    assert.deepEqual(again.policy, desired.policy);
    assert.deepEqual(again.tables, desired.tables);
  }
});

test('a snapshot problem names the places of the objects it is about, though snapshot objects carry no source', () => {
  const { paths, spot } = writeFixtures({
    's.json': `{
  "version": 1,
  "interfaces": [
    { "name": "a", "kind": "veth", "veth": { "peer": "b" }, "addresses": ["10.0.0.1/24"] },
    { "name": "c", "kind": "veth", "veth": { "peer": "b" } },
    { "name": "b", "kind": "veth", "veth": { "peer": "a" }, "addresses": ["10.0.1.1/24"] },
    ‸{ "name": "a" }
  ],
  "routes": [{ "to": "10.9.0.0/16", "via": "10.0.0.2", "dev": "a" }]
}
`,
  });
  assert.throws(
    () => loadSnapshot(paths[0]!),
    (e: Error) => {
      const lines = e.message.split('\n');
      assert.ok(lines.includes(`${spot!.file}:${spot!.line}:${spot!.col}: interface a is declared twice (first at ${spot!.file}:4:5)`), e.message);
      assert.ok(lines.includes(`${spot!.file}:5:54: "b" is already the veth peer of "a" (${spot!.file}:4:5)`), e.message);
      return true;
    },
  );
});

test('routes sort as their keys do, IPv4 ones compared by number', () => {
  // Few distinct values, so that keys tie and the device and input order decide; odd ones fall back to the key.
  const odd = fc.record({
    family: familyArb,
    table: fc.constantFrom(254, 255, 0xffffffff, 2 ** 32),
    to: fc.constantFrom('10.0.0.0/8', '10.0.0.0/08', '10.0.0.0/24', '9.255.0.0/16', '10.0.0.0', '10.0.0.0/', '10.0.0.0/1234', '1.2.3/8', '2001:db8::/32', '::/0', '0.0.0.0/0'),
    metric: fc.constantFrom(0, 1, 1024, 0xffffffff, 2 ** 32, 1.5),
    tos: fc.constantFrom(0, 8, 255, 256),
    dev: fc.option(fc.constantFrom('a', 'b', 'eth0', 'é'), { nil: undefined }),
    n: fc.nat(),
  });
  const route = fc.oneof(routeArb(), odd.map(({ n: _, dev, ...r }): Route => ({ ...r, type: 'unicast', protocol: 3, ...(dev === undefined ? {} : { dev }) })));
  fc.assert(
    fc.property(fc.array(route, { maxLength: 40 }), (routes) => {
      const byKey = routes.map((r) => ({ k: routeSortKey(r), r })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.r);
      const sorted = sortRoutes(routes);
      assert.equal(sorted.length, byKey.length);
      sorted.forEach((r, i) => assert.equal(r, byKey[i]));
    }),
    { numRuns: 3000 },
  );
});
