// Rollback plans: put back exactly what a plan changed, nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { plan, planRestore, scopeOf } from '../../src/plan/plan.js';
import { OURS, PROTO_KERNEL, PROTO_STATIC, addr, applyPlan, comparable, desiredOf, find, lines, link, neigh, route, rule, state } from './fixtures.js';

test('scope: every identity a plan touches, with what the kernel removes along', () => {
  const actual = state({
    links: [link('d0', 'dummy', { alias: OWNER_ALIAS })],
    addresses: [addr('d0', '10.0.0.1/24', { protocol: OURS })],
    routes: [route('10.9.0.0/16', { dev: 'd0' })],
  });
  const p = plan(desiredOf({ routes: [route('10.8.0.0/16', { type: 'blackhole' })] }), actual).plan;
  const scope = scopeOf(p);
  assert.deepEqual([...scope.interface], ['d0']);
  assert.deepEqual([...scope.address], ['d0 10.0.0.1/24']);
  assert.deepEqual([...scope.route].sort(), ['10.8.0.0/16 table 254 metric 0', '10.9.0.0/16 table 254 metric 0']);
  assert.deepEqual([...scope.rule], []);
  assert.deepEqual([...scope.neighbor], []);
});

test('restore undoes a vxlan recreation: old vni, its address and route come back', () => {
  const vx = (vni: number) => link('vx0', 'vxlan', { options: { vni }, alias: OWNER_ALIAS, mtu: 1450 });
  const a = addr('vx0', '10.1.0.1/24', { protocol: OURS });
  const r = route('10.2.0.0/16', { via: '10.1.0.254', dev: 'vx0' });
  const actual = state({ links: [vx(100)], addresses: [a], routes: [r, route('10.1.0.0/24', { dev: 'vx0', src: '10.1.0.1', protocol: PROTO_KERNEL })] });
  const p = plan(desiredOf({ links: [vx(200)], addresses: [a], routes: [r] }), actual).plan;
  const applied = applyPlan(actual, p);
  const restore = planRestore(actual, applied, scopeOf(p));
  assert.deepEqual(lines(restore), ['replace interface vx0', 'create address vx0 10.1.0.1/24', 'create route 10.2.0.0/16 table 254 metric 0']);
  assert.deepEqual(find(restore, 'interface', 'vx0')!.after, vx(100));
  // The kernel's prefix route comes back with the address; the restore leaves it to the kernel.
  assert.deepEqual(comparable(applyPlan(applied, restore), { withoutKernelMade: true }), comparable(actual, { withoutKernelMade: true }));
});

test('restore puts back protocols and aliases exactly, and undoes deletes and creates', () => {
  const actual = state({
    links: [link('eth0', 'device'), link('d0')],
    routes: [route('10.9.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC }), route('10.8.0.0/16', { dev: 'eth0' })],
    rules: [rule(100, { protocol: PROTO_STATIC })],
  });
  const desired = desiredOf({ links: [link('d0')], routes: [route('10.9.0.0/16', { dev: 'eth0' }), route('10.7.0.0/16', { dev: 'eth0' })], rules: [rule(100)] });
  const p = plan(desired, actual).plan;
  assert.deepEqual(lines(p).sort(), [
    'create route 10.7.0.0/16 table 254 metric 0',
    'delete route 10.8.0.0/16 table 254 metric 0',
    'replace rule ipv4 pref 100 lookup 254',
    'update route 10.9.0.0/16 table 254 metric 0',
  ]);
  const applied = applyPlan(actual, p);
  const restore = planRestore(actual, applied, scopeOf(p));
  assert.deepEqual(lines(restore).sort(), [
    'create route 10.8.0.0/16 table 254 metric 0',
    'delete route 10.7.0.0/16 table 254 metric 0',
    'replace rule ipv4 pref 100 lookup 254',
    'update route 10.9.0.0/16 table 254 metric 0',
  ]);
  assert.equal(find(restore, 'route', '10.9.0.0/16 table 254 metric 0')!.after!.protocol, PROTO_STATIC);
  assert.deepEqual(comparable(applyPlan(applied, restore)), comparable(actual));
});

test('restore puts a replaced interface back with its own alias, and an alias changed since back exactly', () => {
  const theirs = link('vx0', 'vxlan', { options: { vni: 100 }, alias: 'their tunnel' });
  const actual = state({ links: [theirs] });
  const p = plan(desiredOf({ links: [link('vx0', 'vxlan', { options: { vni: 200 } })] }), actual).plan;
  assert.equal(find(p, 'interface', 'vx0')!.after!.alias, OWNER_ALIAS);
  const applied = applyPlan(actual, p);
  const restore = planRestore(actual, applied, scopeOf(p));
  assert.deepEqual(find(restore, 'interface', 'vx0')!.after, theirs);
  const renamed = state({ links: [{ ...theirs, alias: 'someone else' }] });
  assert.deepEqual(find(planRestore(actual, renamed, scopeOf(p)), 'interface', 'vx0')!.attrs, [{ attr: 'alias', old: 'someone else', new: 'their tunnel' }]);
});

test('restore leaves alone what is outside the scope, even when it differs', () => {
  const actual = state({ links: [link('eth0', 'device')], routes: [route('10.9.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC })] });
  const p = plan(desiredOf({ routes: [route('10.8.0.0/16', { dev: 'eth0' })] }), actual).plan;
  const applied = applyPlan(actual, p);
  // Meanwhile someone else changes a route and adds another.
  const changed = { ...applied, routes: [...applied.routes.filter((r) => r.to !== '10.9.0.0/16'), route('10.9.0.0/16', { dev: 'eth0', protocol: 16 }), route('10.5.0.0/16', { dev: 'eth0', protocol: 16 })] };
  assert.deepEqual(lines(planRestore(actual, changed, scopeOf(p))), ['delete route 10.8.0.0/16 table 254 metric 0']);
});

test('restore re-creates what is missing though outside the scope, but not what the kernel makes', () => {
  const actual = state({
    links: [link('eth0', 'device')],
    addresses: [addr('eth0', '10.0.0.1/24'), addr('eth0', 'fe80::1/64', { kernelManaged: true })],
    routes: [route('10.9.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC }), route('10.0.0.0/24', { dev: 'eth0', protocol: PROTO_KERNEL })],
    neighbors: [neigh('eth0', '10.0.0.7', { state: 'noarp' }), neigh('eth0', 'ff02::2', { state: 'noarp' }), neigh('eth0', '10.0.0.8', { state: 'stale' })],
  });
  const gone = state({ links: [link('eth0', 'device')] });
  const scope = scopeOf(plan(desiredOf({}), actual).plan);
  assert.deepEqual(lines(planRestore(actual, gone, scope)), [
    'create address eth0 10.0.0.1/24',
    'create route 10.9.0.0/16 table 254 metric 0',
    'create neighbor eth0 10.0.0.7',
  ]);
});
