// Normalisation: what a config means in the model, with the kernel's
// defaults filled in the way the kernel (and iproute2) fill them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { DEFAULT_PROTOCOL } from '../../src/model/constants.js';
import type { Desired, Route } from '../../src/model/types.js';
import { unmark, writeFixtures, yaml } from './helpers.js';

function load(text: string, name = 'c.yaml'): Desired {
  return loadConfig(writeFixtures({ [name]: text }).paths);
}

/** The object without where it came from. */
function bare<T extends { source?: unknown }>(o: T): Omit<T, 'source'> {
  const { source: _source, ...rest } = o;
  return rest;
}

test('route defaults: default destination, host routes, metric, tos, type, scope, table, protocol', () => {
  const d = load(
    yaml(
      'version: 1',
      'routes:',
      '  - { to: default, via: 192.0.2.1 }',
      '  - { to: default, via: "2001:db8::1" }',
      '  - { to: 10.1.2.3, dev: eth0 }',
      '  - { to: "2001:DB8:0:0::1", dev: eth0, metric: 0 }',
      '  - { to: 10.9.0.0/16, dev: eth0, metric: 7 }',
      '  - { to: 10.8.0.0/16, type: blackhole }',
      '  - { to: 10.7.0.1, type: local, dev: eth0 }',
      '  - { to: "2001:db8:5::/48", dev: eth0 }',
    ),
  );
  const p = DEFAULT_PROTOCOL;
  const common = { tos: 0, type: 'unicast', protocol: p, state: 'present' } as const;
  assert.deepEqual(d.state.routes.map(bare), [
    { family: 'ipv4', table: 254, to: '0.0.0.0/0', metric: 0, ...common, via: '192.0.2.1', scope: 'global' },
    { family: 'ipv6', table: 254, to: '::/0', metric: 1024, ...common, via: '2001:db8::1', scope: 'global' },
    { family: 'ipv4', table: 254, to: '10.1.2.3/32', metric: 0, ...common, dev: 'eth0', scope: 'link' },
    { family: 'ipv6', table: 254, to: '2001:db8::1/128', metric: 1024, ...common, dev: 'eth0', scope: 'global' },
    { family: 'ipv4', table: 254, to: '10.9.0.0/16', metric: 7, ...common, dev: 'eth0', scope: 'link' },
    { family: 'ipv4', table: 254, to: '10.8.0.0/16', metric: 0, ...common, type: 'blackhole', scope: 'global' },
    { family: 'ipv4', table: 255, to: '10.7.0.1/32', metric: 0, ...common, type: 'local', dev: 'eth0', scope: 'host' },
    { family: 'ipv6', table: 254, to: '2001:db8:5::/48', metric: 1024, ...common, dev: 'eth0', scope: 'global' },
  ]);
});

test('tables resolve to numbers: declared names, built-in names, numbers, numeric strings', () => {
  const d = load(
    yaml(
      'version: 1',
      'tables: { wan2: 200 }',
      'routes:',
      '  - { to: 10.0.0.0/8, dev: a, table: wan2 }',
      '  - { to: 10.0.0.0/8, dev: a, table: local }',
      '  - { to: 10.0.0.0/8, dev: a, table: default }',
      '  - { to: 10.0.0.0/8, dev: a, table: 4000000000 }',
      '  - { to: 10.0.0.0/8, dev: a, table: "77" }',
      'rules:',
      '  - { priority: 10, from: 10.0.0.0/8, table: wan2 }',
      '  - { priority: 11, from: 10.0.0.0/8, action: blackhole }',
    ),
  );
  assert.deepEqual(
    d.state.routes.map((r) => r.table),
    [200, 255, 253, 4000000000, 77],
  );
  assert.deepEqual(
    d.state.rules.map((r) => [r.action, r.table]),
    [['lookup', 200], ['blackhole', 0]],
  );
  assert.deepEqual(d.tables, { wan2: 200 });
});

test('policy: defaults, and the marker goes on every route, rule, neighbor and address', () => {
  const dflt = load(yaml('version: 1'));
  assert.deepEqual(dflt.policy, { protocol: DEFAULT_PROTOCOL, prune: true });
  const d = load(
    yaml(
      'version: 1',
      'policy: { protocol: 0x99, prune: false }',
      'interfaces:',
      '  - { name: a, addresses: [10.0.0.1/24] }',
      'routes: [{ to: 10.1.0.0/16, dev: a }]',
      'rules: [{ priority: 5, to: 10.1.0.0/16, table: main }]',
      'neighbors: [{ dev: a, address: 10.0.0.2, lladdr: "02:00:00:00:00:02" }]',
    ),
  );
  assert.deepEqual(d.policy, { protocol: 0x99, prune: false });
  for (const o of [d.state.routes[0], d.state.rules[0], d.state.neighbors[0], d.state.addresses[0]]) assert.equal(o?.protocol, 0x99);
  assert.equal(load(yaml('version: 1', 'policy: { protocol: bird }')).policy.protocol, 12);
});

test('interfaces: defaults, authoritative addresses, address objects', () => {
  const d = load(
    yaml(
      'version: 1',
      'interfaces:',
      '  - name: eth0',
      '  - name: eth1',
      '    addresses: []',
      '  - name: br0',
      '    kind: bridge',
      '    state: down',
      '    mac: "02:AA:bb:0:0:1"',
      '    addresses:',
      '      - 192.168.1.1/24',
      '      - 192.168.1.2',
      '      - address: "FD00::1/64"',
      '        noprefixroute: true',
      '      - { address: 192.168.2.1/24, label: br0, valid-lifetime: 600 }',
      '      - { address: 192.168.3.1/24, label: "br0:x", noprefixroute: false }',
      '      - { address: 10.9.9.1, peer: 10.9.9.2/30 }',
    ),
  );
  assert.deepEqual(d.state.links.map(bare), [
    { name: 'eth0', kind: 'device', state: 'up', addressesAuthoritative: false },
    { name: 'eth1', kind: 'device', state: 'up', addressesAuthoritative: true },
    { name: 'br0', kind: 'bridge', state: 'down', mac: '02:aa:bb:00:00:01', addressesAuthoritative: true },
  ]);
  const p = DEFAULT_PROTOCOL;
  const forever = { validLifetime: 'forever', preferredLifetime: 'forever' } as const;
  assert.deepEqual(d.state.addresses.map(bare), [
    { dev: 'br0', family: 'ipv4', address: '192.168.1.1/24', protocol: p, state: 'present', ...forever },
    { dev: 'br0', family: 'ipv4', address: '192.168.1.2/32', protocol: p, state: 'present', ...forever },
    { dev: 'br0', family: 'ipv6', address: 'fd00::1/64', noprefixroute: true, protocol: p, state: 'present', ...forever },
    // The label equal to the interface name is the kernel's default; the preferred lifetime follows the valid one.
    { dev: 'br0', family: 'ipv4', address: '192.168.2.1/24', validLifetime: 600, preferredLifetime: 600, protocol: p, state: 'present' },
    { dev: 'br0', family: 'ipv4', address: '192.168.3.1/24', label: 'br0:x', protocol: p, state: 'present', ...forever },
    // With a peer, the local address is whole and the prefix length is the peer's.
    { dev: 'br0', family: 'ipv4', address: '10.9.9.1/32', peer: '10.9.9.2/30', protocol: p, state: 'present', ...forever },
  ]);
});

test('link options become the model options', () => {
  const d = load(
    yaml(
      'version: 1',
      'tables: { blue: 1000 }',
      'interfaces:',
      '  - { name: br0, kind: bridge, bridge: { stp: true, forward-delay: 4, ageing-time: 30, priority: 100 } }',
      '  - { name: v0, kind: veth, veth: { peer: v1 } }',
      '  - { name: vl5, kind: vlan, vlan: { link: eth0, id: 5, protocol: 802.1ad } }',
      '  - { name: vx1, kind: vxlan, vxlan: { vni: 1, local: "2001:db8::1", remote: "2001:DB8::2", port: 4789, link: eth0, learning: false, ttl: 5 } }',
      '  - { name: mv0, kind: macvlan, macvlan: { link: eth0, mode: vepa } }',
      '  - { name: bo0, kind: bond, bond: { mode: 802.3ad, miimon: 100 } }',
      '  - { name: vrf-blue, kind: vrf, vrf: { table: blue } }',
    ),
  );
  const opts = d.state.links.map((l) => l.options);
  assert.deepEqual(opts, [
    { stp: true, forwardDelay: 4, ageingTime: 30, priority: 100 },
    { peer: 'v1' },
    { link: 'eth0', id: 5, protocol: '802.1ad' },
    { vni: 1, local: '2001:db8::1', remote: '2001:db8::2', port: 4789, link: 'eth0', learning: false, ttl: 5 },
    { link: 'eth0', mode: 'vepa' },
    { mode: '802.3ad', miimon: 100 },
    { table: 1000 },
  ]);
});

test('rules: prefixes, marks, actions, family', () => {
  const d = load(
    yaml(
      'version: 1',
      'rules:',
      '  - { priority: 1, from: 10.0.0.0/8, to: 0.0.0.0/0, table: main }',
      '  - { priority: 2, fwmark: 0x10/0xff, table: 100, family: ipv6 }',
      '  - { priority: 3, fwmark: 7, iif: lan0, oif: wan0, table: 100, family: ipv4 }',
      '  - { priority: 4, fwmark: "0x10/0xffffffff", action: unreachable, family: ipv4 }',
      '  - { priority: 5, from: "2001:db8::5", action: prohibit }',
    ),
  );
  const p = DEFAULT_PROTOCOL;
  assert.deepEqual(d.state.rules.map(bare), [
    // "to 0.0.0.0/0" means any, as the kernel keeps it; it still tells the family.
    { family: 'ipv4', priority: 1, table: 254, action: 'lookup', protocol: p, from: '10.0.0.0/8', state: 'present' },
    { family: 'ipv6', priority: 2, table: 100, action: 'lookup', protocol: p, fwmark: 16, fwmask: 255, state: 'present' },
    // A full mask is left out, as the kernel reports it.
    { family: 'ipv4', priority: 3, table: 100, action: 'lookup', protocol: p, iif: 'lan0', oif: 'wan0', fwmark: 7, state: 'present' },
    { family: 'ipv4', priority: 4, table: 0, action: 'unreachable', protocol: p, fwmark: 16, state: 'present' },
    { family: 'ipv6', priority: 5, table: 0, action: 'prohibit', protocol: p, from: '2001:db8::5/128', state: 'present' },
  ]);
});

test('nexthops: weight defaults to 1, families from the gateways', () => {
  const d = load(yaml('version: 1', 'routes:', '  - to: default', '    nexthops:', '      - { via: "fe80::1", dev: a }', '      - { via: "fe80::2", dev: b, weight: 3, on-link: true }'));
  const r = d.state.routes[0] as Route;
  assert.equal(r.family, 'ipv6');
  assert.equal(r.to, '::/0');
  assert.deepEqual(r.nexthops, [
    { weight: 1, via: 'fe80::1', dev: 'a' },
    { weight: 3, via: 'fe80::2', dev: 'b', onLink: true },
  ]);
  assert.equal(r.scope, 'global');
});

test('neighbors: present by default; permanent means present', () => {
  const d = load(
    yaml(
      'version: 1',
      'neighbors:',
      '  - { dev: a, address: 10.0.0.5, lladdr: "02:00:00:00:00:AB" }',
      '  - { dev: a, address: "FE80::5", lladdr: "02:00:00:00:00:05", state: permanent }',
      '  - { dev: a, address: 10.0.0.6, state: absent }',
    ),
  );
  assert.deepEqual(
    d.state.neighbors.map(bare),
    [
      { dev: 'a', family: 'ipv4', address: '10.0.0.5', state: 'present', lladdr: '02:00:00:00:00:ab', protocol: DEFAULT_PROTOCOL },
      { dev: 'a', family: 'ipv6', address: 'fe80::5', state: 'present', lladdr: '02:00:00:00:00:05', protocol: DEFAULT_PROTOCOL },
      { dev: 'a', family: 'ipv4', address: '10.0.0.6', state: 'absent', protocol: DEFAULT_PROTOCOL },
    ],
  );
});

test('every object records the place of its list entry', () => {
  const text = yaml(
    'version: 1',
    'interfaces:',
    '  - ‸name: a',
    '    addresses:',
    '      - 10.0.0.1/24',
    'routes:',
    '  - { to: 10.1.0.0/16, dev: a }',
    'rules:',
    '  -',
    '    priority: 1',
    '    from: 10.0.0.0/8',
    '    table: main',
    'neighbors:',
    '- dev: a',
    '  address: 10.0.0.9',
    '  lladdr: "02:00:00:00:00:09"',
  );
  const { paths, spot } = writeFixtures({ 'c.yaml': text });
  const d = loadConfig(paths);
  const at = (o: { source?: unknown }) => o.source;
  assert.deepEqual(at(d.state.links[0]!), spot);
  assert.deepEqual(at(d.state.addresses[0]!), { file: paths[0], line: 5, col: 9 });
  assert.deepEqual(at(d.state.routes[0]!), { file: paths[0], line: 7, col: 5 });
  assert.deepEqual(at(d.state.rules[0]!), { file: paths[0], line: 10, col: 5 });
  assert.deepEqual(at(d.state.neighbors[0]!), { file: paths[0], line: 14, col: 3 });
});

test('the same config in JSON loads to the same state, with JSON positions', () => {
  const yamlText = yaml('version: 1', 'tables: { t: 9 }', 'interfaces:', '  - { name: a, kind: bridge, addresses: [10.0.0.1/24] }', 'routes:', '  - { to: default, via: 10.0.0.254, table: t }');
  const doc = { version: 1, tables: { t: 9 }, interfaces: [{ name: 'a', kind: 'bridge', addresses: ['10.0.0.1/24'] }], routes: [{ to: 'default', via: '10.0.0.254', table: 't' }] };
  const fromYaml = load(yamlText);
  const { text, at } = unmark(JSON.stringify(doc, null, 2).replace('{\n      "to"', '‸{\n      "to"'));
  const { paths } = writeFixtures({ 'c.json': text });
  const fromJson = loadConfig(paths);
  const strip = (d: Desired) => Object.values(d.state).map((list: { source?: unknown }[]) => list.map(bare));
  assert.deepEqual(strip(fromJson), strip(fromYaml));
  assert.deepEqual(fromJson.state.routes[0]!.source, { file: paths[0], ...at });
});

test('read-only keys of show output are accepted and ignored in a config; routes, rules and addresses keep their expected owner', () => {
  const d = load(
    yaml(
      'version: 1',
      'interfaces:',
      '  - name: a',
      '    managed: true',
      '    addresses: [{ address: 10.0.0.1/24, protocol: kernel_lo, kernel-managed: true }]',
      'routes: [{ to: 10.1.0.0/16, dev: a, protocol: boot, nhid: 5 }]',
      'rules: [{ priority: 5, to: 10.1.0.0/16, table: main, protocol: 3 }]',
    ),
  );
  assert.equal(d.state.links[0]!.alias, undefined);
  // An address's or neighbor's protocol is the owner it is expected to have (checked by plans).
  assert.equal(d.state.addresses[0]!.protocol, 1);
  assert.equal(d.state.addresses[0]!.kernelManaged, undefined);
  // A route's protocol names the owner it is expected to have (contract section 4): kept.
  assert.equal(d.state.routes[0]!.protocol, 3);
  assert.equal(d.state.routes[0]!.nhid, undefined);
  // A rule's protocol names the owner it is expected to have (contract section 4).
  assert.equal(d.state.rules[0]!.protocol, 3);
});

test('UTF-8 text (a byte order mark, names and comments beyond ASCII) reads as such; positions count characters', () => {
  const plain = yaml('version: 1', 'interfaces:', '  - { name: br0, kind: bridge }', 'routes:', '  - { to: 10.1.0.0/16, dev: br0 }');
  const utf8 = yaml('version: 1 # größe', 'interfaces:', '  - { name: brü, kind: bridge }', 'routes:', '  - { to: 10.1.0.0/16, dev: brü }');
  const a = load(plain);
  const b = load(`\ufeff${utf8}`);
  assert.equal(b.state.links[0]!.name, 'brü');
  assert.deepEqual(b.state.routes.map(bare), a.state.routes.map((r) => ({ ...bare(r), dev: 'brü' })));
  assert.deepEqual({ ...b.state.routes[0]!.source, file: '' }, { ...a.state.routes[0]!.source, file: '' });
});

test('a route of only a destination and a gateway loads as the same route with a key at its default value does', () => {
  const addr = fc.oneof(
    fc.ipV4(),
    fc.ipV6(),
    fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: 0, max: 130 })).map(([a, l]) => `${a}/${l}`),
    fc.constantFrom('default', '10.0.0.0/8', '10.0.0.1/8', '10.0.0.0/08', '010.0.0.0/8', '::/0', '2001:DB8::/32', '2001:db8::1/64', 'x', '1.2.3.4/'),
  );
  // Read with the given keys and with a key of its default value (tos: 0).
  const outcome = (to: string, via: string, extra: string): unknown => {
    try {
      return load(`version: 1\nroutes:\n  - { to: ${JSON.stringify(to)}, via: ${JSON.stringify(via)}${extra} }\n`).state.routes.map(bare);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.message.replace(/^.*c\.yaml:/gm, 'c.yaml:');
    }
  };
  fc.assert(
    fc.property(addr, addr, (to, via) => {
      assert.deepStrictEqual(outcome(to, via, ''), outcome(to, via, ', tos: 0'));
    }),
    { numRuns: 300 },
  );
});

test('rule selectors load in their canonical forms; fwmark 0 without a mask is no fwmark, as the kernel stores it', () => {
  const d = load(
    yaml(
      'version: 1',
      'rules:',
      '  - { priority: 1, family: ipv4, fwmark: 0, table: 5 }',
      '  - { priority: 2, family: ipv4, fwmark: 0x0/0xffffffff, table: 5 }',
      '  - { priority: 3, family: ipv6, uidrange: 7, ipproto: TCP, sport: 443-443, dport: 80-90, table: 5 }',
      '  - { priority: 4, family: ipv4, l3mdev: true, suppress-prefixlength: 0, suppress-ifgroup: 2 }',
      '  - { priority: 5, family: ipv4, goto: 9, tos: "0x10", not: true, attributes: { "11": "0x07000500" } }',
    ),
  );
  const bare = d.state.rules.map(({ source: _s, state: _st, protocol: _p, ...r }) => r);
  assert.deepEqual(bare, [
    { family: 'ipv4', priority: 1, table: 5, action: 'lookup' },
    { family: 'ipv4', priority: 2, table: 5, action: 'lookup', fwmark: 0 },
    { family: 'ipv6', priority: 3, table: 5, action: 'lookup', uidrange: '7-7', ipproto: 6, sport: '443', dport: '80-90' },
    { family: 'ipv4', priority: 4, table: 0, action: 'lookup', l3mdev: true, suppressPrefixlength: 0, suppressIfgroup: 2 },
    { family: 'ipv4', priority: 5, table: 0, action: 'goto', goto: 9, tos: 0x10, not: true, attributes: { 11: '07000500' } },
  ]);
});

test('route source prefix, metrics, preference and kept attributes; twins of other owners under one IPv4 identity load', () => {
  const d = load(
    yaml(
      'version: 1',
      'routes:',
      '  - { to: "2001:db8:1::/64", from: "2001:db8:f::/48", dev: a, pref: high, mtu: 1400, mtu-lock: true, initcwnd: 10, initrwnd: 20, advmss: 1300, hoplimit: 9, quickack: true, congctl: bbr }',
      '  - { to: "2001:db8:2::/64", from: "::/0", dev: a, pref: medium, other: { metrics.3: "01000000", "11": "07000000" } }',
      '  - { to: 10.127.0.0/16, dev: a }',
      '  - { to: 10.127.0.0/16, dev: b, protocol: static }',
      '  - { to: 10.127.0.0/16, via: 192.0.2.1, protocol: static }',
    ),
  );
  const [a, b, own, s1, s2] = d.state.routes.map(bare);
  assert.deepEqual(a, {
    family: 'ipv6', table: 254, to: '2001:db8:1::/64', metric: 1024, tos: 0, type: 'unicast', protocol: DEFAULT_PROTOCOL, dev: 'a', scope: 'global',
    from: '2001:db8:f::/48', mtu: 1400, mtuLock: true, initcwnd: 10, initrwnd: 20, advmss: 1300, hoplimit: 9, quickack: true, congctl: 'bbr', pref: 'high', state: 'present',
  });
  // Any source (::/0) is no source prefix, medium the default preference; kept attributes sorted by key.
  assert.equal(b!.from, undefined);
  assert.equal(b!.pref, undefined);
  assert.deepEqual(Object.entries(b!.other!), [['11', '07000000'], ['metrics.3', '01000000']]);
  assert.equal(own!.protocol, DEFAULT_PROTOCOL);
  assert.equal(s1!.protocol, 4);
  assert.equal(s2!.protocol, 4);
});
