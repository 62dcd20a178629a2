// The kernel model: what each change does, and what the kernel does with it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { addressKey, neighborKey, routeKey } from '../../src/model/identity.js';
import type { Link, State } from '../../src/model/types.js';
import { World, applyToState } from '../../src/plan/effects.js';
import type { Change } from '../../src/plan/types.js';
import { OURS, PROTO_KERNEL, addr, link, neigh, route, state } from './fixtures.js';

const ids = (s: State) => ({
  links: s.links.map((l) => l.name).sort(),
  addresses: s.addresses.map(addressKey).sort(),
  routes: s.routes.map((r) => r.to + (r.table === 254 ? '' : ` table ${r.table}`)).sort(),
  neighbors: s.neighbors.map(neighborKey).sort(),
});

function deleteLink(l: Link): Change {
  return { action: 'delete', type: 'interface', id: l.name, before: l, after: null };
}

test('deleting a link takes its addresses, neighbors, routes, uppers and veth peer; members lose their master', () => {
  const d0 = link('d0', 'bridge');
  const s = state({
    links: [link('eth0', 'device'), d0, link('vl0', 'vlan', { options: { link: 'd0', id: 5 } }), link('m0', 'dummy', { master: 'd0' }), link('va', 'veth', { options: { peer: 'vb' }, master: 'd0' }), link('vb', 'veth', { options: { peer: 'va' } })],
    addresses: [addr('d0', '10.0.0.1/24'), addr('vl0', '10.5.0.1/24'), addr('eth0', '192.0.2.1/24')],
    routes: [
      route('10.9.0.0/16', { dev: 'd0' }),
      route('10.8.0.0/16', { nexthops: [{ via: '192.0.2.9', dev: 'eth0', weight: 1 }, { via: '10.0.0.9', dev: 'd0', weight: 1 }] }),
      route('10.7.0.0/16', { dev: 'vl0' }),
      route('10.6.0.0/16', { dev: 'eth0' }),
    ],
    neighbors: [neigh('d0', '10.0.0.50'), neigh('eth0', '192.0.2.50')],
  });
  const after = applyToState(s, deleteLink(d0));
  assert.deepEqual(ids(after), {
    links: ['eth0', 'm0', 'va', 'vb'],
    addresses: ['eth0 192.0.2.1/24'],
    routes: ['10.6.0.0/16'],
    neighbors: ['eth0 192.0.2.50'],
  });
  assert.equal(after.links.find((l) => l.name === 'm0')!.master, undefined);

  const pair = applyToState(after, deleteLink(after.links.find((l) => l.name === 'vb')!));
  assert.deepEqual(ids(pair).links, ['eth0', 'm0']);
});

test('deleting an IPv4 address takes the routes using it as source in the tables it serves, and the last one all IPv4 routes through the link', () => {
  const a1 = addr('eth0', '10.0.0.1/24');
  const s = state({
    links: [link('eth0', 'device')],
    addresses: [a1, addr('eth0', '10.0.1.1/24'), addr('eth0', 'fd00::1/64')],
    routes: [
      route('10.0.0.0/24', { dev: 'eth0', src: '10.0.0.1', protocol: PROTO_KERNEL, scope: 'link' }),
      route('10.0.0.1/32', { table: 255, type: 'local', dev: 'eth0', src: '10.0.0.1', protocol: PROTO_KERNEL, scope: 'host' }),
      route('10.9.0.0/16', { via: '10.0.1.254', dev: 'eth0', src: '10.0.0.1' }),
      route('10.8.0.0/16', { via: '10.0.1.254', dev: 'eth0', src: '10.0.0.1', table: 100 }),
      route('10.7.0.0/16', { via: '10.0.1.254', dev: 'eth0' }),
      route('fd10::/64', { dev: 'eth0' }),
    ],
  });
  const one = applyToState(s, { action: 'delete', type: 'address', id: addressKey(a1), before: a1, after: null });
  assert.deepEqual(ids(one).routes, ['10.7.0.0/16', '10.8.0.0/16 table 100', 'fd10::/64']);
  const last = applyToState(one, { action: 'delete', type: 'address', id: 'eth0 10.0.1.1/24', before: addr('eth0', '10.0.1.1/24'), after: null });
  assert.deepEqual(ids(last).routes, ['fd10::/64']);
});

test('deleting an IPv6 address keeps routes using it as source, without the source, and takes its kernel routes', () => {
  const a = addr('eth0', 'fd00::1/64');
  const s = state({
    links: [link('eth0', 'device')],
    addresses: [a],
    routes: [
      route('fd00::/64', { dev: 'eth0', metric: 256, protocol: PROTO_KERNEL }),
      route('fd00::1/128', { table: 255, type: 'local', dev: 'eth0', metric: 0, protocol: PROTO_KERNEL }),
      route('fd10::/64', { via: 'fd00::fe', dev: 'eth0', src: 'fd00::1' }),
    ],
  });
  const after = applyToState(s, { action: 'delete', type: 'address', id: addressKey(a), before: a, after: null });
  assert.deepEqual(after.routes, [route('fd10::/64', { via: 'fd00::fe', dev: 'eth0', src: undefined })]);
  // A second address in the same prefix keeps the prefix route.
  const shared = applyToState({ ...s, addresses: [a, addr('eth0', 'fd00::2/64')] }, { action: 'delete', type: 'address', id: addressKey(a), before: a, after: null });
  assert.ok(shared.routes.some((r) => r.to === 'fd00::/64'));
});

test('a link going down loses IPv4 routes but not local ones, IPv6 addresses and routes, neighbors; multipath lives while a hop does', () => {
  const before = link('eth0', 'device');
  const s = state({
    links: [before, link('eth1', 'device')],
    addresses: [addr('eth0', '10.0.0.1/24'), addr('eth0', 'fd00::1/64')],
    routes: [
      route('10.9.0.0/16', { dev: 'eth0' }),
      route('10.0.0.1/32', { table: 255, type: 'local', dev: 'eth0', scope: 'host', protocol: PROTO_KERNEL }),
      route('10.8.0.0/16', { nexthops: [{ via: '10.0.0.9', dev: 'eth0', weight: 1 }, { via: '10.1.0.9', dev: 'eth1', weight: 1 }] }),
      route('10.6.0.0/16', { nexthops: [{ via: '10.0.0.9', dev: 'eth0', weight: 1 }, { via: '10.0.0.8', dev: 'eth0', weight: 1 }] }),
      route('fd10::/64', { dev: 'eth0' }),
    ],
    neighbors: [neigh('eth0', '10.0.0.50', { state: 'permanent' })],
  });
  const down: Change = { action: 'update', type: 'interface', id: 'eth0', before, after: { ...before, state: 'down' }, attrs: [{ attr: 'state', old: 'up', new: 'down' }] };
  const w = World.of(s);
  const effects = w.apply(down)!;
  assert.deepEqual(ids(w.toState()), { links: ['eth0', 'eth1'], addresses: ['eth0 10.0.0.1/24'], routes: ['10.0.0.1/32 table 255', '10.8.0.0/16'], neighbors: [] });
  assert.equal(w.kernelDid.route.get(routeKey(route('10.9.0.0/16'))), 'removed by the kernel with eth0 going down');
  assert.equal(effects.length, 5);
  assert.ok(effects.every((e) => e.removed));
});

test('a link joining or leaving a vrf is cycled; joining a bridge is not', () => {
  const d0 = link('d0');
  const s = state({ links: [d0, link('vrf0', 'vrf', { options: { table: 10 } }), link('br0', 'bridge')], routes: [route('10.9.0.0/16', { dev: 'd0' })] });
  const join = (master: string, from = d0): Change => ({ action: 'update', type: 'interface', id: 'd0', before: from, after: { ...from, master }, attrs: [] });
  assert.deepEqual(ids(applyToState(s, join('br0'))).routes, ['10.9.0.0/16']);
  assert.deepEqual(ids(applyToState(s, join('vrf0'))).routes, []);
  // Deleting the vrf releases and cycles its members.
  const member = { ...s, links: [link('d0', 'dummy', { master: 'vrf0' }), link('vrf0', 'vrf', { options: { table: 10 } })] };
  assert.deepEqual(ids(applyToState(member, deleteLink(member.links[1]!))).routes, []);
});

test('creating a veth creates its peer, marked like the link', () => {
  const va = link('va', 'veth', { options: { peer: 'vb' }, alias: OWNER_ALIAS });
  const after = applyToState(state(), { action: 'create', type: 'interface', id: 'va', before: null, after: va });
  assert.deepEqual(after.links, [va, { name: 'vb', kind: 'veth', state: 'down', options: { peer: 'va' }, alias: OWNER_ALIAS }]);
});

test('changes whose object is gone do nothing; a create of an existing link does nothing', () => {
  const s = state({ links: [link('d0')], routes: [route('10.9.0.0/16', { dev: 'd0' })] });
  const w = World.of(s);
  const gone = route('10.1.0.0/16');
  assert.equal(w.apply({ action: 'delete', type: 'route', id: routeKey(gone), before: gone, after: null }), undefined);
  assert.equal(w.apply({ action: 'update', type: 'route', id: routeKey(gone), before: gone, after: gone }), undefined);
  assert.equal(w.apply({ action: 'create', type: 'interface', id: 'd0', before: null, after: link('d0', 'bridge') }), undefined);
  assert.deepEqual(w.toState(), s);
});

test('an address replace is a delete and a create: the routes through it go', () => {
  const a = addr('eth0', '10.0.0.1/24', { protocol: OURS });
  const s = state({ links: [link('eth0', 'device')], addresses: [a], routes: [route('10.9.0.0/16', { via: '10.0.0.254', dev: 'eth0' })] });
  const after = applyToState(s, { action: 'replace', type: 'address', id: addressKey(a), before: a, after: { ...a, label: 'eth0:x' } });
  assert.deepEqual(after.addresses, [{ ...a, label: 'eth0:x' }]);
  assert.deepEqual(after.routes, []);
});

test('a bridge changing members or a link changing its address loses its neighbors, permanent ones included', () => {
  const port = link('p0', 'veth', { options: { peer: 'p1' } });
  const s = state({
    links: [link('br0', 'bridge'), port, link('p1', 'veth', { options: { peer: 'p0' } }), link('d0')],
    neighbors: [neigh('br0', '10.0.0.50', { state: 'permanent', lladdr: '02:00:00:00:00:05' }), neigh('d0', '10.1.0.50', { state: 'permanent' })],
  });
  const join: Change = { action: 'update', type: 'interface', id: 'p0', before: port, after: { ...port, master: 'br0' }, attrs: [] };
  assert.deepEqual(ids(applyToState(s, join)).neighbors, ['d0 10.1.0.50']);
  const created: Change = { action: 'create', type: 'interface', id: 'p9', before: null, after: link('p9', 'dummy', { master: 'br0' }) };
  assert.deepEqual(ids(applyToState(s, created)).neighbors, ['d0 10.1.0.50']);
  const d0 = s.links[3]!;
  const mac: Change = { action: 'update', type: 'interface', id: 'd0', before: d0, after: { ...d0, mac: '02:00:00:00:00:09' }, attrs: [] };
  assert.deepEqual(ids(applyToState(s, mac)).neighbors, ['br0 10.0.0.50']);
  // A dummy taking a member is no bridge: nothing changes.
  const other: Change = { action: 'update', type: 'interface', id: 'p0', before: port, after: { ...port, master: 'd0' }, attrs: [] };
  assert.equal(applyToState(s, other).neighbors.length, 2);
});
