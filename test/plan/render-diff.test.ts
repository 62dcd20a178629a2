// `plan -o diff` from the plan's own before and after: every change shows,
// each side holds whole objects, and a key the config drops is a hunk.
import { objectsOf, setObjectsOf } from '../../src/model/state.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { PROMOTE_SECONDARIES } from '../../src/plan/compare.js';
import { plan } from '../../src/plan/plan.js';
import { summarize } from '../../src/plan/reconcile.js';
import { renderDiff } from '../../src/plan/render/diff.js';
import type { Change, ModelObject, Plan } from '../../src/plan/types.js';
import type { State } from '../../src/model/types.js';
import { idOf } from '../../src/plan/reconcile.js';
import { toDocument, toYaml } from '../../src/config/serialize.js';
import { OURS, PROTO_STATIC, addr, changes, desiredOf, link, neigh, route, state } from './fixtures.js';
import { actualState, desiredConfig } from './scenario.js';

function planOf(stages: Change[][]): Plan {
  return { stages, summary: summarize(stages) };
}

const changed = (diff: string): string[] => diff.split('\n').filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l));

test('a master the config no longer names is a hunk, and the current side is the whole interface', () => {
  const bridge = link('lan0', 'bridge', { alias: OWNER_ALIAS, mac: '02:00:00:00:00:10' });
  const lan1 = link('lan1', 'veth', { options: { peer: 'host1' }, master: 'lan0', mtu: 1500, mac: '02:00:00:00:00:11', alias: OWNER_ALIAS });
  const host1 = link('host1', 'veth', { options: { peer: 'lan1' }, mtu: 1500, mac: '02:00:00:00:00:12', alias: OWNER_ALIAS });
  const current = state({ links: [bridge, lan1, host1] });
  const desired = desiredOf({ links: [link('lan0', 'bridge'), link('lan1', 'veth', { options: { peer: 'host1' } })] });
  const p = plan(desired, current).plan;
  const diff = renderDiff(p, current, desired);
  assert.deepEqual(changed(diff), ['-    master: lan0'], diff);
  // Context: what the config does not mention is there, as the kernel has it.
  assert.match(diff, /^ {5}mac: "02:00:00:00:00:11"$/m);
  assert.match(diff, /^ {5}mtu: 1500$/m);
});

test('creates, deletes, updates and the ends the kernel makes are on their side; untouched objects are not shown', () => {
  const current = state({
    links: [link('eth0', 'device', { mtu: 1500 })],
    addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS })],
    routes: [
      route('10.8.0.0/16', { dev: 'eth0' }),
      route('10.7.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC }),
      route('10.6.0.0/16', { via: '10.0.0.9', dev: 'eth0' }),
      route('10.5.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC }),
    ],
    neighbors: [neigh('eth0', '10.0.0.9', { lladdr: '02:00:00:00:00:09', state: 'permanent', protocol: OURS })],
  });
  const desired = desiredOf({
    links: [link('eth0', 'device'), link('v0', 'veth', { options: { peer: 'v1' } })],
    addresses: [addr('eth0', '10.0.0.1/24'), addr('eth0', '10.0.0.2/24')],
    routes: [route('10.6.0.0/16', { via: '10.0.0.8' }), route('10.5.0.0/16', { dev: 'eth0' })],
    neighbors: [neigh('eth0', '10.0.0.9', { lladdr: '02:00:00:00:00:0a' })],
  });
  const p = plan(desired, current).plan;
  const diff = renderDiff(p, current, desired);
  const lines = changed(diff);
  for (const want of ['-  - to: 10.8.0.0/16', '-    via: 10.0.0.9', '+    via: 10.0.0.8', '-    protocol: static', '-    lladdr: "02:00:00:00:00:09"', '+    lladdr: "02:00:00:00:00:0a"', '+  - name: v1', '+      - 10.0.0.2/24']) {
    assert.ok(lines.includes(want), `missing ${JSON.stringify(want)} in\n${diff}`);
  }
  // The foreign route the plan leaves alone, and the unchanged address (context under eth0), are no change.
  assert.ok(!diff.includes('10.7.0.0/16'), diff);
  assert.ok(!lines.some((l) => l.includes('10.0.0.1/24')), diff);
});

test('nothing to show when the plan is empty', () => {
  const current = state({ links: [link('eth0', 'device', { mtu: 9000, mac: '02:00:00:00:00:01' })], routes: [route('10.9.0.0/16', { via: '10.0.0.254', dev: 'eth0' })] });
  const desired = desiredOf({ links: [link('eth0', 'device', { mtu: 9000 })], routes: [route('10.9.0.0/16', { via: '10.0.0.254' })] });
  assert.equal(renderDiff(plan(desired, current).plan, current, desired), '');
});

/** Bookkeeping of the planner, not in the config format: promote_secondaries goes on and back off within one plan. */
function bookkeeping(c: Change): boolean {
  return c.type === 'interface' && c.action === 'update' && (c.attrs ?? []).every((a) => a.attr === PROMOTE_SECONDARIES);
}

/**
 * A create of what is there now, as the config format reads (a rule moved
 * out of the way of a delete and put back, an address the kernel takes with
 * its link and the plan makes again): no difference between now and then.
 */
function putBack(c: Change, actual: State): boolean {
  if (c.action !== 'create') return false;
  const list: readonly ModelObject[] = objectsOf(actual, c.type);
  return list.some((o) => idOf(c.type, o) === c.id && configText(c.type, o) === configText(c.type, c.after!));
}

/** One object in the config format (what -o diff compares). */
function configText(type: Change['type'], o: ModelObject): string {
  const s: State = { links: [], addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] };
  setObjectsOf(s, type, [o]);
  if (type === 'address') s.links.push({ name: (o as { dev: string }).dev, kind: 'device', state: 'up' });
  return toYaml(toDocument(s, { all: true }));
}

test('every change of a plan appears in -o diff (random states and configs)', () => {
  const scenario = fc.gen().map((g) => {
    const actual = actualState(g);
    return { actual, desired: desiredConfig(g, actual) };
  });
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const p = plan(desired, actual).plan;
      for (const c of changes(p)) {
        if (bookkeeping(c) || putBack(c, actual)) continue;
        const diff = renderDiff(planOf([[c]]), actual, desired);
        const lines = changed(diff);
        assert.ok(lines.length > 0, `${c.action} ${c.type} ${c.id} shows no change:\n${JSON.stringify(c)}`);
        // Each attribute the plan changes is a changed line under its config key.
        for (const a of c.attrs ?? []) {
          if (a.attr === PROMOTE_SECONDARIES) continue;
          const key = a.attr.slice(a.attr.lastIndexOf('.') + 1);
          assert.ok(lines.some((l) => l.includes(`${key}:`) || (key === 'nexthops' && /\b(via|dev|weight):/.test(l)) || (key === 'vlans' && /\b(vid|pvid|untagged):/.test(l))), `${c.action} ${c.type} ${c.id}: no changed line for ${a.attr}\n${diff}`);
        }
      }
      if (changes(p).some((c) => !bookkeeping(c))) assert.ok(changed(renderDiff(p, actual, desired)).length > 0);
    }),
    { numRuns: 100 },
  );
});
