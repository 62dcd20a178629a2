// Planner rules for addresses and neighbors that depend on what the kernel
// does by itself (secondary IPv4 addresses, a link's last IPv4 address) and on
// ownership (an expected owner that is not netrec), plus the lladdr check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROMOTE_SECONDARIES } from '../../src/plan/compare.js';
import { plan, planRestore, scopeOf } from '../../src/plan/plan.js';
import { OURS, PROTO_KERNEL, PROTO_STATIC, addr, applyPlan, desiredOf, find, lines, link, neigh, route, state } from './fixtures.js';

const br0 = link('br0', 'bridge', { mac: '02:00:00:00:00:01' });
const declaredBr0 = link('br0', 'bridge', { addressesAuthoritative: true });
const primary = addr('br0', '10.0.0.1/24', { protocol: OURS });
const secondary = (address: string) => addr('br0', address, { protocol: OURS, secondary: true });
const foreignRoute = route('192.168.5.0/24', { via: '10.0.0.254', dev: 'br0', protocol: PROTO_STATIC });
const srcRoute = route('192.168.6.0/24', { dev: 'br0', src: '10.0.0.1', protocol: PROTO_STATIC });
const prefixRoute = route('10.0.0.0/24', { dev: 'br0', src: '10.0.0.1', scope: 'link', protocol: PROTO_KERNEL });
const foreignNeighbor = neigh('br0', '10.0.0.9', { lladdr: '02:00:00:00:00:09', state: 'permanent' });

function actualWith(...addresses: ReturnType<typeof addr>[]) {
  return state({ links: [br0], addresses, routes: [foreignRoute, srcRoute, prefixRoute], neighbors: [foreignNeighbor] });
}

test('a primary that goes while a secondary stays: promote_secondaries on around the delete, and only what really goes is named', () => {
  const actual = actualWith(primary, secondary('10.0.0.2/24'), secondary('10.0.0.3/24'));
  const desired = desiredOf({ links: [declaredBr0], addresses: [addr('br0', '10.0.0.2/24'), addr('br0', '10.0.0.3/24')] });
  const result = plan(desired, actual);
  assert.deepEqual(result.problems, []);
  const p = result.plan;
  assert.deepEqual(lines(p), ['update interface br0', 'delete address br0 10.0.0.1/24', 'update interface br0']);
  assert.deepEqual(p.stages[0]![0]!.attrs, [{ attr: PROMOTE_SECONDARIES, old: false, new: true }]);
  assert.deepEqual(p.stages[2]![0]!.attrs, [{ attr: PROMOTE_SECONDARIES, old: true, new: false }]);
  // The route with the deleted address as source goes; the kernel's prefix route comes back by itself.
  assert.deepEqual(find(p, 'address', 'br0 10.0.0.1/24')!.effects, [{ type: 'route', id: '192.168.6.0/24 table 254 metric 0', removed: true }]);
  const after = applyPlan(actual, p);
  assert.deepEqual(after.addresses.map((a) => [a.address, a.secondary === true]), [['10.0.0.2/24', false], ['10.0.0.3/24', true]]);
  assert.ok(after.routes.some((r) => r.to === '192.168.5.0/24'));
  assert.ok(after.neighbors.some((n) => n.address === '10.0.0.9'));
  assert.equal(after.links[0]!.promoteSecondaries, undefined);
  assert.deepEqual(lines(plan(desired, after).plan), []);
});

test('without promote_secondaries the kernel takes the secondaries, the link\'s IPv4 routes and its ARP entries: addresses: [] sends one delete and names them', () => {
  const actual = actualWith(primary, secondary('10.0.0.2/24'));
  const p = plan(desiredOf({ links: [declaredBr0] }), actual).plan;
  assert.deepEqual(lines(p), ['delete address br0 10.0.0.1/24']);
  assert.deepEqual(
    find(p, 'address', 'br0 10.0.0.1/24')!.effects!.map((e) => `${e.type} ${e.id}`).sort(),
    ['address br0 10.0.0.2/24', 'neighbor br0 10.0.0.9', 'route 192.168.5.0/24 table 254 metric 0', 'route 192.168.6.0/24 table 254 metric 0'],
  );
  const after = applyPlan(actual, p);
  assert.deepEqual(after.addresses, []);
  assert.deepEqual(after.neighbors, []);
});

test('a link that promotes secondaries already needs no promotion; a declared neighbor lost with the last IPv4 address is written again', () => {
  const promoting = state({ links: [{ ...br0, promoteSecondaries: true }], addresses: [primary, secondary('10.0.0.2/24')] });
  assert.deepEqual(lines(plan(desiredOf({ links: [declaredBr0], addresses: [addr('br0', '10.0.0.2/24')] }), promoting).plan), ['delete address br0 10.0.0.1/24']);

  const mine = neigh('br0', '10.0.0.7', { lladdr: '02:00:00:00:00:07', state: 'present' });
  const actual = state({ links: [br0], addresses: [primary], neighbors: [{ ...mine, state: 'permanent', protocol: OURS }] });
  const p = plan(desiredOf({ links: [declaredBr0], neighbors: [mine] }), actual).plan;
  assert.deepEqual(lines(p), ['delete address br0 10.0.0.1/24', 'create neighbor br0 10.0.0.7']);
  assert.equal(find(p, 'neighbor', 'br0 10.0.0.7')!.reason, 'removed by the kernel with 10.0.0.1/24 on br0');
});

test('a rollback puts promote_secondaries back as it was', () => {
  const actual = actualWith(primary, secondary('10.0.0.2/24'));
  const p = plan(desiredOf({ links: [declaredBr0], addresses: [addr('br0', '10.0.0.2/24')] }), actual).plan;
  // Stopped after the promotion and the delete, before promote_secondaries went back.
  const half = applyPlan(actual, { stages: p.stages.slice(0, 2), summary: p.summary });
  assert.equal(half.links[0]!.promoteSecondaries, true);
  const restore = planRestore(actual, half, scopeOf(p));
  // The route that went with the address comes back too.
  assert.deepEqual(lines(restore), ['update interface br0', 'create address br0 10.0.0.1/24', 'create route 192.168.6.0/24 table 254 metric 0']);
  assert.equal(applyPlan(half, restore).links[0]!.promoteSecondaries, undefined);
});

test('an address or neighbor declared with another owner\'s protocol is checked, never adopted or removed', () => {
  const dhcp = 16;
  const theirs = addr('br0', '10.0.0.5/24', { protocol: dhcp });
  const unrecorded = neigh('br0', '10.0.0.9', { lladdr: '02:00:00:00:00:09', state: 'permanent' });
  const actual = state({ links: [br0], addresses: [theirs], neighbors: [unrecorded] });
  const desired = desiredOf({
    links: [declaredBr0],
    addresses: [{ ...theirs, state: 'present' }],
    neighbors: [{ ...unrecorded, state: 'present', protocol: 0 }],
  });
  const result = plan(desired, actual);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(lines(result.plan), []);
  // Gone, or with another owner: a problem, not a change.
  const missing = plan(desired, state({ links: [br0], neighbors: [{ ...unrecorded, protocol: PROTO_STATIC }] }));
  assert.deepEqual(lines(missing.plan), []);
  assert.deepEqual(missing.problems.map((x) => x.message), [
    'address br0 10.0.0.5/24 is declared with protocol 16 (another owner\'s), so netrec checks it and does not change it; it does not exist',
    'neighbor br0 10.0.0.9 is declared with protocol unspec (another owner\'s), so netrec checks it and does not change it; it differs: protocol is 4, declared 0',
  ]);
  // Declared without a protocol, the same neighbor is adopted.
  assert.deepEqual(lines(plan(desiredOf({ neighbors: [{ ...unrecorded, state: 'present' }] }), actual).plan), ['update neighbor br0 10.0.0.9']);
});

test('an address with no recorded owner is adopted where the kernel records owners, and left unmarked where it does not', () => {
  const plain = addr('br0', '10.0.0.5/24');
  const d = desiredOf({ addresses: [addr('br0', '10.0.0.5/24', { state: 'present' })] });
  assert.deepEqual(lines(plan(d, state({ links: [br0], addresses: [plain] })).plan), []);
  const lo = addr('lo', '::1/128', { protocol: 1, kernelManaged: true });
  const p = plan(d, state({ links: [br0, link('lo', 'device')], addresses: [plain, lo] })).plan;
  assert.deepEqual(find(p, 'address', 'br0 10.0.0.5/24')!.attrs, [{ attr: 'protocol', old: undefined, new: OURS }]);
});

test('an lladdr that does not fit the device is a problem at its source; nothing is planned for it', () => {
  const source = { file: 'net.yaml', line: 7, col: 5 };
  const long = neigh('br0', '10.0.0.9', { lladdr: '02:00:00:00:00:09:01:02', state: 'present', source });
  const result = plan(desiredOf({ neighbors: [long] }), state({ links: [br0] }));
  assert.deepEqual(lines(result.plan), []);
  assert.deepEqual(result.problems, [{ message: 'neighbor br0 10.0.0.9: lladdr 02:00:00:00:00:09:01:02 has 8 bytes, but the link-layer address of br0 has 6', source }]);
  // A link the plan creates is Ethernet-like.
  const created = plan(desiredOf({ links: [link('d1', 'bridge')], neighbors: [{ ...long, dev: 'd1' }] }), state());
  assert.equal(created.problems.length, 1);
});

test('a new address beside a replaced primary: promote_secondaries goes on before the new address, so no change to the link follows the addresses made on it', () => {
  const eth1 = link('eth1', 'device', { mac: '02:00:00:00:00:02' });
  const actual = state({ links: [eth1], addresses: [addr('eth1', '10.0.0.1/24', { protocol: OURS })] });
  const desired = desiredOf({ addresses: [addr('eth1', '10.0.0.2/24'), addr('eth1', '10.0.0.1/24', { label: 'eth1:1' })] });
  const result = plan(desired, actual);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(lines(result.plan), ['update interface eth1', 'create address eth1 10.0.0.2/24', 'replace address eth1 10.0.0.1/24', 'update interface eth1']);
  assert.deepEqual(result.plan.stages[0]![0]!.attrs, [{ attr: PROMOTE_SECONDARIES, old: false, new: true }]);
  const after = applyPlan(actual, result.plan);
  assert.deepEqual(after.addresses.map((a) => a.address).sort(), ['10.0.0.1/24', '10.0.0.2/24']);
  assert.equal(after.links[0]!.promoteSecondaries, undefined);
  assert.deepEqual(lines(plan(desired, after).plan), []);
});
