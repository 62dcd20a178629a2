// Planning over large routing tables stays linear: no per-route scans, no
// key strings for routes that do not change. (Figures for 1,000,000 routes
// come from the benchmark; these guard against quadratic work.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import type { Route } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { OURS, desiredOf, link, route, state } from './fixtures.js';

const N = 50_000;

function table(dev: string, via: (i: number) => string): Route[] {
  const out: Route[] = [];
  for (let i = 0; i < N; i++) out.push(route(`${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`, { dev, via: via(i), protocol: OURS }));
  return out;
}

function timed<T>(f: () => T): [T, number] {
  const start = performance.now();
  const out = f();
  return [out, performance.now() - start];
}

test('50,000 routes: unchanged ones plan to nothing, changed ones to updates, quickly', () => {
  const actual = state({ links: [link('eth0', 'device')], routes: table('eth0', (i) => (i % 10 === 0 ? '192.0.2.9' : '192.0.2.1')) });
  const desired = desiredOf({ routes: table('eth0', () => '192.0.2.1') });
  const [result, ms] = timed(() => plan(desired, actual));
  assert.deepEqual(result.plan.summary, { create: 0, update: N / 10, replace: 0, delete: 0 });
  // Typically 100-300 ms; quadratic work would take minutes.
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
});

test('50,000 routes on a deleted link: one delete, the routes in its effects, quickly', () => {
  const actual = state({ links: [link('eth0', 'device'), link('d0', 'dummy', { alias: OWNER_ALIAS })], routes: table('d0', () => '192.0.2.1') });
  const [result, ms] = timed(() => plan(desiredOf({}), actual));
  const changes = result.plan.stages.flat();
  assert.deepEqual(
    changes.map((c) => `${c.action} ${c.id}`),
    ['delete d0'],
  );
  assert.equal(changes[0]!.effects!.length, N);
  assert.ok(ms < 3000, `took ${ms.toFixed(0)} ms`);
});
