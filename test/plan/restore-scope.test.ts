// What a confirm-timeout or crash restore puts back (contract 5.8): only the
// change's objects, only where they are still as the change left them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideRestore, predictAfter, scopedState, scopeToKeys } from '../../src/apply/confirm.js';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { plan, planRestore, scopeOf } from '../../src/plan/plan.js';
import type { State } from '../../src/model/types.js';
import { PROTO_STATIC, applyPlan, desiredOf, lines, link, route, state } from './fixtures.js';

const eth0 = link('eth0', 'device');
const before = state({
  links: [eth0, link('old0', 'bridge')],
  routes: [route('203.0.113.0/24', { via: '192.0.2.254', dev: 'eth0', protocol: PROTO_STATIC }), route('198.18.0.0/24', { dev: 'eth0', protocol: PROTO_STATIC })],
});
const desired = desiredOf({
  links: [link('br9', 'bridge')],
  routes: [route('10.99.0.0/16', { dev: 'br9' }), route('10.98.0.0/16', { dev: 'br9' }), route('203.0.113.0/24', { via: '192.0.2.253', dev: 'eth0' })],
});

/** The pending record of the change, and the state it left. */
function change() {
  const p = plan(desired, before).plan;
  const scope = scopeOf(p);
  const after = applyPlan(before, p);
  // As the kernel reports what netrec made: marked as ours.
  for (const l of after.links) if (l.name === 'br9') l.alias = OWNER_ALIAS;
  return { record: { scope: scopeToKeys(scope), before: scopedState(before, scope), after: scopedState(after, scope) }, after };
}

const without = (s: State, pred: (kind: string, o: { to?: string; name?: string }) => boolean): State => ({
  ...s,
  links: s.links.filter((l) => !pred('link', l)),
  routes: s.routes.filter((r) => !pred('route', r)),
});

test('nothing changed since: everything of the change is put back, nothing else is touched', () => {
  const { record, after } = change();
  const d = decideRestore(record, after);
  assert.deepEqual(d.changedSince, []);
  assert.deepEqual(d.restore.map((r) => `${r.type} ${r.id}`).sort(), ['interface br9', 'route 10.98.0.0/16 table 254 metric 0', 'route 10.99.0.0/16 table 254 metric 0', 'route 203.0.113.0/24 table 254 metric 0']);
  const restored = applyPlan(after, planRestore(d.target, after, d.scope));
  assert.deepEqual(restored.routes.map((r) => `${r.to} ${r.via ?? ''}`).sort(), ['198.18.0.0/24 ', '203.0.113.0/24 192.0.2.254']);
});

test("others' changes since stay: a route of the change deleted, one re-pointed, unrelated objects removed and added", () => {
  const { record, after } = change();
  let now = without(after, (k, o) => (k === 'route' && (o.to === '10.98.0.0/16' || o.to === '198.18.0.0/24')) || (k === 'link' && o.name === 'old0'));
  now = { ...now, routes: [...now.routes.filter((r) => r.to !== '203.0.113.0/24'), route('203.0.113.0/24', { via: '192.0.2.252', dev: 'eth0', protocol: PROTO_STATIC }), route('198.19.0.0/24', { dev: 'eth0', protocol: PROTO_STATIC })], links: [...now.links, link('new0', 'bridge')] };
  const d = decideRestore(record, now);
  assert.deepEqual(d.changedSince.map((r) => `${r.type} ${r.id}`), ['route 203.0.113.0/24 table 254 metric 0']);
  const p = planRestore(d.target, now, d.scope);
  // The route through br9 goes with it (the kernel's doing).
  assert.deepEqual(lines(p).sort(), ['delete interface br9']);
  const restored = applyPlan(now, p);
  assert.deepEqual(restored.links.map((l) => l.name).sort(), ['eth0', 'new0']);
  assert.deepEqual(restored.routes.map((r) => `${r.to} ${r.via ?? ''}`).sort(), ['198.19.0.0/24 ', '203.0.113.0/24 192.0.2.252']);
});

test("a link of the change that others routed through stays, with the note; the rest is put back", () => {
  const { record, after } = change();
  const now = { ...after, routes: [...after.routes, route('10.97.0.0/16', { dev: 'br9', protocol: PROTO_STATIC })] };
  const d = decideRestore(record, now);
  assert.ok(d.changedSince.some((r) => r.type === 'interface' && r.id === 'br9'), JSON.stringify(d.changedSince));
  const restored = applyPlan(now, planRestore(d.target, now, d.scope));
  assert.ok(restored.routes.some((r) => r.to === '10.97.0.0/16'), "others' route kept");
  assert.ok(restored.links.some((l) => l.name === 'br9'));
  assert.equal(restored.routes.find((r) => r.to === '203.0.113.0/24')!.via, '192.0.2.254');
});

test('predicted after-state: what the plan leaves, inside its scope', () => {
  const p = plan(desired, before).plan;
  const predicted = predictAfter(before, p, scopeOf(p));
  // The foreign route on another gateway stays beside netrec's (docs/config.md, several routes under one key): both are in scope.
  assert.deepEqual(predicted.routes.map((r) => `${r.to} ${r.via ?? ''}`).sort(), ['10.98.0.0/16 ', '10.99.0.0/16 ', '203.0.113.0/24 192.0.2.253', '203.0.113.0/24 192.0.2.254']);
  assert.deepEqual(predicted.links.map((l) => l.name), ['br9']);
});
