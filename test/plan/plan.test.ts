// Planner scenarios with hand-written expectations: ordering, moves,
// recreations, what the kernel removes by itself, ownership, problems.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { kernelTraits, plan } from '../../src/plan/plan.js';
import { OURS, PROTO_KERNEL, PROTO_STATIC, addr, applyPlan, desiredOf, find, lines, link, neigh, route, rule, stageOf, state } from './fixtures.js';

const owned = { alias: OWNER_ALIAS };
const eth0 = link('eth0', 'device');
const eth1 = link('eth1', 'device');

function assertConverges(desired: ReturnType<typeof desiredOf>, actual: ReturnType<typeof state>): void {
  const first = plan(desired, actual);
  assert.deepEqual(first.problems, []);
  assert.deepEqual(lines(plan(desired, applyPlan(actual, first.plan)).plan), []);
}

test('nothing declared and nothing owned: no changes', () => {
  const actual = state({ links: [eth0], routes: [route('10.9.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC })] });
  const result = plan(desiredOf({}), actual);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.plan.stages, []);
  assert.deepEqual(result.plan.summary, { create: 0, update: 0, replace: 0, delete: 0 });
});

test('new interface, address and route are created in that order, the link marked as netrec\'s', () => {
  const desired = desiredOf({
    links: [link('d0')],
    addresses: [addr('d0', '10.0.0.1/24')],
    routes: [route('10.9.0.0/16', { via: '10.0.0.254' }), route('10.0.0.0/24', { dev: 'd0', scope: 'link', metric: 10 })],
  });
  const p = plan(desired, state({ links: [eth0] })).plan;
  assert.deepEqual(lines(p), [
    'create interface d0',
    'create address d0 10.0.0.1/24',
    'create route 10.0.0.0/24 table 254 metric 10',
    'create route 10.9.0.0/16 table 254 metric 0',
  ]);
  assert.equal(find(p, 'interface', 'd0')!.after!.alias, OWNER_ALIAS);
  assert.equal(find(p, 'address', 'd0 10.0.0.1/24')!.after!.protocol, OURS);
  // The gateway route waits for the route that makes its gateway reachable.
  assert.ok(stageOf(p, 'route', '10.0.0.0/24 table 254 metric 10') < stageOf(p, 'route', '10.9.0.0/16 table 254 metric 0'));
  assert.deepEqual(p.summary, { create: 4, update: 0, replace: 0, delete: 0 });
});

test('an address moving to another interface is deleted on the old one first', () => {
  const actual = state({ links: [eth0, eth1], addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS })] });
  for (const prune of [true, false]) {
    const desired = desiredOf({ links: [eth0, eth1], addresses: [addr('eth1', '10.0.0.1/24')] }, { prune });
    const p = plan(desired, actual).plan;
    assert.deepEqual(lines(p), ['delete address eth0 10.0.0.1/24', 'create address eth1 10.0.0.1/24']);
    assert.equal(find(p, 'address', 'eth0 10.0.0.1/24')!.reason, 'moves to eth1');
    assert.ok(stageOf(p, 'address', 'eth0 10.0.0.1/24') < stageOf(p, 'address', 'eth1 10.0.0.1/24'));
  }
});

test('a foreign address declared on another interface stays where it is', () => {
  const actual = state({ links: [eth0, eth1], addresses: [addr('eth0', '10.0.0.1/24')] });
  const p = plan(desiredOf({ links: [eth1], addresses: [addr('eth1', '10.0.0.1/24')] }), actual).plan;
  assert.deepEqual(lines(p), ['create address eth1 10.0.0.1/24']);
});

test('a vxlan vni change recreates the link and restores its addresses and routes', () => {
  const vx = (vni: number) => link('vx0', 'vxlan', { options: { vni, port: 4789 } });
  const a = addr('vx0', '10.1.0.1/24');
  const r = route('10.2.0.0/16', { via: '10.1.0.254', dev: 'vx0' });
  const actual = state({
    links: [eth0, { ...vx(100), ...owned }],
    addresses: [{ ...a, protocol: OURS }],
    routes: [r, route('10.1.0.0/24', { dev: 'vx0', src: '10.1.0.1', scope: 'link', protocol: PROTO_KERNEL })],
  });
  const desired = desiredOf({ links: [vx(200)], addresses: [a], routes: [r] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['replace interface vx0', 'create address vx0 10.1.0.1/24', 'create route 10.2.0.0/16 table 254 metric 0']);
  const replace = find(p, 'interface', 'vx0')!;
  assert.equal(replace.reason, 'vxlan.vni cannot change in place');
  assert.deepEqual(replace.attrs, [{ attr: 'vxlan.vni', old: 100, new: 200 }]);
  // The kernel's own prefix route goes too, but it comes back with the address: no effect to report.
  assert.deepEqual(
    replace.effects?.map((e) => `${e.type} ${e.id}`).sort(),
    ['address vx0 10.1.0.1/24', 'route 10.2.0.0/16 table 254 metric 0'],
  );
  assert.equal(find(p, 'address', 'vx0 10.1.0.1/24')!.reason, 'removed by the kernel with vx0');
  assert.equal(find(p, 'route', '10.2.0.0/16 table 254 metric 0')!.reason, 'removed by the kernel with vx0');
  assert.ok(stageOf(p, 'interface', 'vx0') < stageOf(p, 'address', 'vx0 10.1.0.1/24'));
  assert.ok(stageOf(p, 'address', 'vx0 10.1.0.1/24') < stageOf(p, 'route', '10.2.0.0/16 table 254 metric 0'));
  assertConverges(desired, actual);
});

test('a vlan on a replaced link is created again after it', () => {
  const actual = state({
    links: [link('d0', 'dummy', owned), link('vl0', 'vlan', { ...owned, options: { link: 'd0', id: 10 } })],
  });
  const desired = desiredOf({ links: [link('d0', 'bridge'), link('vl0', 'vlan', { options: { link: 'd0', id: 10 } })] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['replace interface d0', 'create interface vl0']);
  assert.equal(find(p, 'interface', 'd0')!.reason, 'kind cannot change in place');
  assert.equal(find(p, 'interface', 'vl0')!.reason, 'removed by the kernel with d0');
  assert.ok(stageOf(p, 'interface', 'd0') < stageOf(p, 'interface', 'vl0'));
  assertConverges(desired, actual);
});

test('an IP tunnel outlives its replaced underlay: it is pointed at the new one in place, not created again', () => {
  const gre = (more: object = {}) => link('gre1', 'gre', { ...more, options: { local: '192.0.2.1', remote: '198.51.100.7', link: 'd0' } });
  const actual = state({ links: [link('d0', 'dummy', owned), gre(owned)], addresses: [addr('gre1', '10.1.0.1/30', { protocol: OURS })] });
  const desired = desiredOf({ links: [link('d0', 'bridge'), gre()], addresses: [addr('gre1', '10.1.0.1/30')] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['replace interface d0', 'update interface gre1']);
  const c = find(p, 'interface', 'gre1')!;
  assert.deepEqual(c.attrs, [{ attr: 'gre.link', old: undefined, new: 'd0' }]);
  assert.ok(stageOf(p, 'interface', 'd0') < stageOf(p, 'interface', 'gre1'));
  assert.deepEqual(find(p, 'interface', 'd0')!.effects, [{ type: 'interface', id: 'gre1', removed: false }]);
  assertConverges(desired, actual);
});

test('an existing address is adopted with netrec\'s mark where the kernel can change it (6.4+), and unmarked where it keeps the one it was made with', () => {
  assert.deepEqual([kernelTraits('6.1.0-57-amd64'), kernelTraits('6.3.13'), kernelTraits('6.4.0'), kernelTraits('6.18.44'), kernelTraits('7.0')].map((k) => k.addressOwnerInPlace), [false, false, true, true, true]);
  // The kernel marks its own addresses (::1 kernel_lo): it records owners.
  const lo = addr('lo', '::1/128', { family: 'ipv6', protocol: 1 });
  const actual = state({ links: [eth0, link('lo', 'device')], addresses: [lo, addr('eth0', '10.0.0.1/24')] });
  const desired = desiredOf({ addresses: [addr('eth0', '10.0.0.1/24')] });
  const now = plan(desired, actual, kernelTraits('6.18.0')).plan;
  assert.deepEqual(lines(now), ['update address eth0 10.0.0.1/24']);
  assert.deepEqual(find(now, 'address', 'eth0 10.0.0.1/24')!.attrs, [{ attr: 'protocol', old: undefined, new: OURS }]);
  assert.deepEqual(lines(plan(desired, actual, kernelTraits('6.1.0')).plan), [], 'a change 6.1 would not make is not planned');
});

test('bridge membership moves to a new bridge once it exists', () => {
  const actual = state({ links: [eth0, link('br0', 'bridge', owned), link('eth1', 'device', { master: 'br0' })] });
  const desired = desiredOf({ links: [link('br0', 'bridge'), link('br1', 'bridge'), link('eth1', 'device', { master: 'br1' })] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['create interface br1', 'update interface eth1']);
  assert.deepEqual(find(p, 'interface', 'eth1')!.attrs, [{ attr: 'master', old: 'br0', new: 'br1' }]);
  assert.ok(stageOf(p, 'interface', 'br1') < stageOf(p, 'interface', 'eth1'));
  assertConverges(desired, actual);
});

test('new masters are created before new members, lower links before vlans', () => {
  const desired = desiredOf({
    links: [link('d1', 'dummy', { master: 'br0' }), link('vl0', 'vlan', { options: { link: 'd0', id: 5 } }), link('br0', 'bridge'), link('d0')],
  });
  const p = plan(desired, state()).plan;
  assert.ok(stageOf(p, 'interface', 'br0') < stageOf(p, 'interface', 'd1'));
  assert.ok(stageOf(p, 'interface', 'd0') < stageOf(p, 'interface', 'vl0'));
  assert.equal(find(p, 'interface', 'd1')!.after!.master, 'br0');
  assertConverges(desired, state());
});

test('a veth peer change replaces the pair; the new peer comes with it and is then set up', () => {
  const actual = state({ links: [link('va', 'veth', { ...owned, options: { peer: 'vb' } }), link('vb', 'veth', { options: { peer: 'va' } })] });
  const desired = desiredOf({ links: [link('va', 'veth', { options: { peer: 'vc' } }), link('vc', 'veth', { options: { peer: 'va' } })] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['replace interface va', 'update interface vc']);
  const replace = find(p, 'interface', 'va')!;
  assert.equal(replace.reason, 'veth.peer cannot change in place');
  assert.deepEqual(replace.effects, [
    { type: 'interface', id: 'vb', removed: true },
    { type: 'interface', id: 'vc', removed: false },
  ]);
  const update = find(p, 'interface', 'vc')!;
  assert.equal(update.reason, 'created by the kernel with va');
  assert.deepEqual(update.attrs, [{ attr: 'state', old: 'down', new: 'up' }]);
  assertConverges(desired, actual);
});

test('a veth pair declared on both ends is created once, from the smaller name', () => {
  const desired = desiredOf({ links: [link('vz', 'veth', { options: { peer: 'vy' }, mtu: 9000 }), link('vy', 'veth', { options: { peer: 'vz' } })] });
  const p = plan(desired, state()).plan;
  assert.deepEqual(lines(p), ['create interface vy', 'update interface vz']);
  assert.deepEqual(find(p, 'interface', 'vz')!.attrs, [
    { attr: 'mtu', old: undefined, new: 9000 },
    { attr: 'state', old: 'down', new: 'up' },
  ]);
  assertConverges(desired, state());
});

test('deleting a link does not delete what the kernel removes with it', () => {
  const actual = state({
    links: [eth0, link('d0', 'dummy', owned)],
    addresses: [addr('d0', '10.0.0.1/24', { protocol: OURS })],
    routes: [
      route('10.9.0.0/16', { dev: 'd0' }),
      route('10.8.0.0/16', { nexthops: [{ via: '10.0.0.254', dev: 'd0', weight: 1 }, { via: '192.0.2.1', dev: 'eth0', weight: 1 }] }),
      route('10.7.0.0/16', { dev: 'eth0' }),
    ],
    neighbors: [neigh('d0', '10.0.0.50', { protocol: OURS, state: 'permanent' })],
  });
  const desired = desiredOf({ routes: [route('10.7.0.0/16', { dev: 'eth0' })] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['delete interface d0']);
  assert.deepEqual(
    find(p, 'interface', 'd0')!.effects!.map((e) => `${e.type} ${e.id}`).sort(),
    ['address d0 10.0.0.1/24', 'neighbor d0 10.0.0.50', 'route 10.8.0.0/16 table 254 metric 0', 'route 10.9.0.0/16 table 254 metric 0'],
  );
  // The same when the link and its objects are all declared absent.
  const absent = desiredOf({
    links: [link('d0', 'dummy', { state: 'absent' })],
    routes: [route('10.9.0.0/16', { state: 'absent' }), route('10.7.0.0/16', { dev: 'eth0' })],
    addresses: [addr('d0', '10.0.0.1/24', { state: 'absent' })],
  });
  assert.deepEqual(lines(plan(absent, actual).plan), ['delete interface d0']);
});

test('uppers are deleted before their lower link, members before their master', () => {
  const actual = state({
    links: [
      link('d0', 'dummy', owned),
      link('vl0', 'vlan', { ...owned, options: { link: 'd0', id: 10 } }),
      link('br0', 'bridge', owned),
      link('d1', 'dummy', { ...owned, master: 'br0' }),
    ],
  });
  const p = plan(desiredOf({}), actual).plan;
  assert.deepEqual(lines(p).sort(), ['delete interface br0', 'delete interface d0', 'delete interface d1', 'delete interface vl0']);
  assert.ok(stageOf(p, 'interface', 'vl0') < stageOf(p, 'interface', 'd0'));
  assert.ok(stageOf(p, 'interface', 'd1') < stageOf(p, 'interface', 'br0'));
});

test('a veth pair no longer declared is deleted once', () => {
  const actual = state({ links: [link('va', 'veth', { ...owned, options: { peer: 'vb' } }), link('vb', 'veth', { ...owned, options: { peer: 'va' } })] });
  const p = plan(desiredOf({}), actual).plan;
  assert.deepEqual(lines(p), ['delete interface va']);
  assert.deepEqual(find(p, 'interface', 'va')!.effects, [{ type: 'interface', id: 'vb', removed: true }]);
});

test('ownership: owned undeclared objects go with prune, foreign ones only when declared absent', () => {
  const actual = state({
    links: [eth0, link('d9', 'dummy', owned), link('d8', 'dummy')],
    routes: [route('10.1.0.0/16', { dev: 'eth0' }), route('10.2.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC }), route('10.3.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC })],
    rules: [rule(100), rule(101, { protocol: PROTO_STATIC })],
    neighbors: [neigh('eth0', '10.0.0.5', { protocol: OURS }), neigh('eth0', '10.0.0.6')],
    addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS }), addr('eth0', '10.0.0.2/24')],
  });
  const absent = { routes: [route('10.3.0.0/16', { state: 'absent' })] };
  assert.deepEqual(lines(plan(desiredOf(absent), actual).plan).sort(), [
    'delete address eth0 10.0.0.1/24',
    'delete interface d9',
    'delete neighbor eth0 10.0.0.5',
    'delete route 10.1.0.0/16 table 254 metric 0',
    'delete route 10.3.0.0/16 table 254 metric 0',
    'delete rule ipv4 pref 100 lookup 254',
  ]);
  assert.deepEqual(lines(plan(desiredOf(absent, { prune: false }), actual).plan), ['delete route 10.3.0.0/16 table 254 metric 0']);
});

test('declared objects that exist as foreign ones are adopted; a foreign interface keeps its alias', () => {
  const actual = state({
    links: [eth0, link('d0')],
    routes: [route('10.9.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC })],
    rules: [rule(100, { protocol: PROTO_STATIC })],
    neighbors: [neigh('eth0', '10.0.0.5', { lladdr: '02:00:00:00:00:05', state: 'reachable' })],
  });
  const desired = desiredOf({
    links: [link('d0')],
    routes: [route('10.9.0.0/16', { dev: 'eth0' })],
    rules: [rule(100)],
    neighbors: [neigh('eth0', '10.0.0.5', { lladdr: '02:00:00:00:00:05' })],
  });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['update route 10.9.0.0/16 table 254 metric 0', 'replace rule ipv4 pref 100 lookup 254', 'update neighbor eth0 10.0.0.5']);
  assert.equal(find(p, 'interface', 'd0'), undefined);
  assert.deepEqual(find(p, 'route', '10.9.0.0/16 table 254 metric 0')!.attrs, [{ attr: 'protocol', old: PROTO_STATIC, new: OURS }]);
  assert.equal(find(p, 'rule', 'ipv4 pref 100 lookup 254')!.after!.protocol, OURS);
  assert.deepEqual(find(p, 'neighbor', 'eth0 10.0.0.5')!.after, { dev: 'eth0', family: 'ipv4', address: '10.0.0.5', lladdr: '02:00:00:00:00:05', state: 'permanent', protocol: OURS });
  assertConverges(desired, actual);
});

test('a declared route is the whole route: what it leaves out is cleared, except the derived device and the kept attributes', () => {
  const actual = state({
    links: [link('eth0', 'device', { mtu: 9000, mac: '02:00:00:00:00:09' })],
    routes: [route('10.9.0.0/16', { via: '10.0.0.254', dev: 'eth0', mtu: 1400, src: '10.0.0.1', advmss: 1300, initcwnd: 10, other: { '11': '01000000' } })],
  });
  const desired = desiredOf({ links: [eth0], routes: [route('10.9.0.0/16', { via: '10.0.0.253', initcwnd: 10 })] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['update route 10.9.0.0/16 table 254 metric 0']);
  const update = find(p, 'route', '10.9.0.0/16 table 254 metric 0')!;
  assert.deepEqual(update.attrs, [
    { attr: 'via', old: '10.0.0.254', new: '10.0.0.253' },
    { attr: 'src', old: '10.0.0.1', new: undefined },
    { attr: 'mtu', old: 1400, new: undefined },
    { attr: 'advmss', old: 1300, new: undefined },
  ]);
  // Cleared: mtu, src, advmss. Kept: initcwnd (declared) and the attribute netrec does not model.
  // Left for the kernel to derive for the new gateway: the device.
  assert.equal(update.after!.mtu, undefined);
  assert.equal(update.after!.src, undefined);
  assert.equal(update.after!.initcwnd, 10);
  assert.deepEqual(update.after!.other, { '11': '01000000' });
  assert.equal(update.after!.dev, undefined);
  assert.equal(update.placement, undefined, 'alone under its key: one replace');
  assertConverges(desired, actual);
});

test('unicast to blackhole: the rewrite carries no device or gateway', () => {
  const actual = state({ links: [eth0], routes: [route('10.9.0.0/16', { via: '10.0.0.254', dev: 'eth0' })] });
  const p = plan(desiredOf({ routes: [route('10.9.0.0/16', { type: 'blackhole' })] }), actual).plan;
  const update = find(p, 'route', '10.9.0.0/16 table 254 metric 0')!;
  assert.equal(update.after!.type, 'blackhole');
  assert.equal(update.after!.via, undefined);
  assert.equal(update.after!.dev, undefined);
});

test('a foreign route on another path under the same IPv4 key is kept: netrec adds its own beside it', () => {
  const foreign = route('10.9.0.0/16', { via: '10.0.0.254', dev: 'eth0', protocol: PROTO_STATIC });
  const actual = state({ links: [eth0], routes: [foreign] });
  const desired = desiredOf({ links: [eth0], routes: [route('10.9.0.0/16', { via: '10.0.0.253' })] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['create route 10.9.0.0/16 table 254 metric 0']);
  assert.equal(find(p, 'route', '10.9.0.0/16 table 254 metric 0')!.placement, 'prepend');
  const after = applyPlan(actual, p);
  assert.equal(after.routes.length, 2);
  assert.ok(after.routes.includes(foreign));
  assertConverges(desired, actual);
});

test('multipath nexthops compare as a multiset', () => {
  const hops = [
    { via: '10.0.0.1', dev: 'eth0', weight: 1 },
    { via: '10.0.1.1', dev: 'eth1', weight: 2 },
  ];
  const actual = state({ links: [eth0, eth1], routes: [route('10.9.0.0/16', { nexthops: [hops[1]!, hops[0]!] })] });
  assert.deepEqual(lines(plan(desiredOf({ routes: [route('10.9.0.0/16', { nexthops: hops })] }), actual).plan), []);
  const changed = [hops[0]!, { ...hops[1]!, weight: 1 }];
  assert.deepEqual(lines(plan(desiredOf({ routes: [route('10.9.0.0/16', { nexthops: changed })] }), actual).plan), ['update route 10.9.0.0/16 table 254 metric 0']);
  // A declared single path is not met by a multipath route.
  assert.deepEqual(lines(plan(desiredOf({ routes: [route('10.9.0.0/16', { via: '10.0.0.1' })] }), actual).plan), ['update route 10.9.0.0/16 table 254 metric 0']);
});

test('a route through a nexthop object is compared by its nexthop: declared on another path, it is adopted onto that path', () => {
  const actual = state({ links: [eth0], routes: [route('10.9.0.0/16', { nhid: 7, protocol: PROTO_STATIC })] });
  const p = plan(desiredOf({ routes: [route('10.9.0.0/16', { dev: 'eth0' })] }), actual).plan;
  assert.deepEqual(lines(p), ['update route 10.9.0.0/16 table 254 metric 0']);
  assert.deepEqual(find(p, 'route', '10.9.0.0/16 table 254 metric 0')!.attrs!.find((a) => a.attr === 'nexthop'), { attr: 'nexthop', old: 7, new: undefined });
  // Declared through the same nexthop, it is the same route.
  const same = state({ links: [eth0], routes: [route('10.9.0.0/16', { nhid: 7, scope: 'global' })] });
  assert.deepEqual(lines(plan(desiredOf({ routes: [route('10.9.0.0/16', { nhid: 7, scope: 'global' })] }), same).plan), []);
  assert.deepEqual(lines(plan(desiredOf({ routes: [route('10.9.0.0/16', { nhid: 8, scope: 'global' })] }), same).plan), ['update route 10.9.0.0/16 table 254 metric 0']);
});

test('an interface that lists its addresses loses the others, except those the kernel manages', () => {
  const actual = state({
    links: [eth0],
    addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS }), addr('eth0', '10.0.0.9/24', { protocol: PROTO_STATIC }), addr('eth0', 'fe80::1/64', { kernelManaged: true, protocol: 3 })],
  });
  const desired = desiredOf({ links: [link('eth0', 'device', { addressesAuthoritative: true })], addresses: [addr('eth0', '10.0.0.1/24')] }, { prune: false });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['delete address eth0 10.0.0.9/24']);
  assert.equal(find(p, 'address', 'eth0 10.0.0.9/24')!.reason, 'not listed on eth0');
});

test('address lifetimes update in place; an IPv4 label needs delete and create', () => {
  const actual = state({
    links: [eth0],
    addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS, validLifetime: 100, preferredLifetime: 100 }), addr('eth0', '10.0.0.2/24', { protocol: OURS })],
  });
  const desired = desiredOf({
    links: [eth0],
    addresses: [addr('eth0', '10.0.0.1/24', { validLifetime: 'forever' }), addr('eth0', '10.0.0.2/24', { label: 'eth0:web' })],
  });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['update address eth0 10.0.0.1/24', 'replace address eth0 10.0.0.2/24']);
  assert.deepEqual(find(p, 'address', 'eth0 10.0.0.1/24')!.attrs, [{ attr: 'valid-lifetime', old: 100, new: 'forever' }]);
  assert.equal(find(p, 'address', 'eth0 10.0.0.2/24')!.reason, 'label cannot change in place on IPv4');
  // A finite lifetime counts down: the remaining time of one netrec wrote does not differ.
  const counting = state({ links: [eth0], addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS, validLifetime: 3000 })] });
  assert.deepEqual(lines(plan(desiredOf({ addresses: [addr('eth0', '10.0.0.1/24', { validLifetime: 3600 })] }), counting).plan), []);
});

test('replacing the last IPv4 address of a link restores the routes the kernel flushes', () => {
  const r = route('10.9.0.0/16', { via: '10.0.0.254', dev: 'eth0' });
  const actual = state({ links: [eth0], addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS })], routes: [r] });
  const desired = desiredOf({ addresses: [addr('eth0', '10.0.0.1/24', { label: 'eth0:a' })], routes: [r] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['replace address eth0 10.0.0.1/24', 'create route 10.9.0.0/16 table 254 metric 0']);
  assert.equal(find(p, 'route', '10.9.0.0/16 table 254 metric 0')!.reason, 'removed by the kernel with 10.0.0.1/24 on eth0');
  // With a new address created first, the replaced one is not the last and the route stays.
  const more = desiredOf({ addresses: [addr('eth0', '10.0.0.1/24', { label: 'eth0:a' }), addr('eth0', '10.0.5.1/24')], routes: [r] });
  assert.deepEqual(lines(plan(more, actual).plan), ['create address eth0 10.0.5.1/24', 'replace address eth0 10.0.0.1/24']);
});

test('moving an interface into a vrf restores the routes the kernel flushes on the way', () => {
  const r = route('10.9.0.0/16', { dev: 'd0', table: 100 });
  const actual = state({ links: [link('d0', 'dummy', owned), link('vrf0', 'vrf', { ...owned, options: { table: 100 } })], routes: [r] });
  const desired = desiredOf({ links: [link('d0', 'dummy', { master: 'vrf0' }), link('vrf0', 'vrf', { options: { table: 100 } })], routes: [r] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['update interface d0', 'create route 10.9.0.0/16 table 100 metric 0']);
  assert.equal(find(p, 'route', '10.9.0.0/16 table 100 metric 0')!.reason, 'removed by the kernel with d0 joining vrf0');
});

test('setting a link down re-creates its IPv6 addresses and neighbors', () => {
  const a6 = addr('d0', 'fd00::1/64');
  const n = neigh('d0', '10.0.0.50', { lladdr: '02:00:00:00:00:05' });
  const actual = state({
    links: [link('d0', 'dummy', owned)],
    addresses: [{ ...a6, protocol: OURS }],
    neighbors: [{ ...n, protocol: OURS, state: 'permanent' }],
  });
  const desired = desiredOf({ links: [link('d0', 'dummy', { state: 'down' })], addresses: [a6], neighbors: [n] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p), ['update interface d0', 'create address d0 fd00::1/64', 'create neighbor d0 10.0.0.50']);
  assert.equal(find(p, 'address', 'd0 fd00::1/64')!.reason, 'removed by the kernel with d0 going down');
  assertConverges(desired, actual);
});

test('problems: what no plan can do', () => {
  const actual = state({ links: [eth0, link('eth1', 'device', { state: 'down' })] });
  const at = { file: 'net.yaml', line: 3, col: 5 };
  const cases: [Parameters<typeof desiredOf>[0], string][] = [
    [{ links: [link('eth7', 'device', { source: at })] }, 'interface eth7 does not exist; a device cannot be created'],
    [{ links: [link('eth0', 'device', { state: 'absent', source: at })] }, 'interface eth0 is a device and cannot be deleted'],
    [{ links: [link('eth0', 'bridge', { source: at })] }, 'interface eth0 is a device; netrec does not replace it with a bridge'],
    [{ routes: [route('10.9.0.0/16', { dev: 'eth1', source: at })] }, 'route 10.9.0.0/16 table 254 metric 0: interface eth1 is down, and the kernel takes no routes through an interface that is down'],
  ];
  for (const [declared, message] of cases) assert.deepEqual(plan(desiredOf(declared), actual).problems, [{ message, source: at }]);
});

test('a declared device is configured whatever its kind, and never marked', () => {
  const actual = state({ links: [link('tun0', 'other:tun', { mtu: 1500 })] });
  const p = plan(desiredOf({ links: [link('tun0', 'device', { mtu: 1400 })] }), actual).plan;
  assert.deepEqual(lines(p), ['update interface tun0']);
  assert.deepEqual(find(p, 'interface', 'tun0')!.attrs, [{ attr: 'mtu', old: 1500, new: 1400 }]);
});
