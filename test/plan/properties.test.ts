// Properties over random kernel states and random valid configs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addressKey, linkKey, neighborKey, routeKey, ruleKey } from '../../src/model/identity.js';
import type { Address, Desired, Link, ObjectType, State } from '../../src/model/types.js';
import { isKernelMade, isOwnedBy, isVirtual } from '../../src/plan/ownership.js';
import { plan, planRestore, scopeOf } from '../../src/plan/plan.js';
import type { Change, ModelObject } from '../../src/plan/types.js';
import { isDeepStrictEqual } from 'node:util';
import { applyPlan, changes, comparable, lines, stageOf } from './fixtures.js';
import { actualState, appliedState, desiredConfig } from './scenario.js';

const RUNS = { numRuns: 100 };

const scenario = fc.gen().map((g) => {
  const actual = actualState(g);
  return { actual, desired: desiredConfig(g, actual) };
});

function keyed(s: State): [ObjectType, string, ModelObject][] {
  return [
    ...s.links.map((o): [ObjectType, string, ModelObject] => ['interface', linkKey(o), o]),
    ...s.addresses.map((o): [ObjectType, string, ModelObject] => ['address', addressKey(o), o]),
    ...s.routes.map((o): [ObjectType, string, ModelObject] => ['route', routeKey(o), o]),
    ...s.rules.map((o): [ObjectType, string, ModelObject] => ['rule', ruleKey(o), o]),
    ...s.neighbors.map((o): [ObjectType, string, ModelObject] => ['neighbor', neighborKey(o), o]),
  ];
}

function declaredKeys(d: Desired): Map<string, string | undefined> {
  return new Map(keyed(d.state).map(([type, key, o]) => [`${type} ${key}`, (o as { state?: string }).state]));
}

/** Addresses an interface with `addresses:` does not list, or owned ones declared elsewhere, may go without prune. */
function addressMayGo(d: Desired, a: Address): boolean {
  const l = d.state.links.find((x) => x.name === a.dev);
  return l?.addressesAuthoritative === true || d.state.addresses.some((x) => x.address === a.address && x.dev !== a.dev);
}

test('valid configs plan without problems, and the applied plan leaves nothing to do', () => {
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const first = plan(desired, actual);
      assert.deepEqual(first.problems, []);
      const after = applyPlan(actual, first.plan);
      const second = plan(desired, after);
      assert.deepEqual(second.problems, []);
      assert.deepEqual(lines(second.plan), []);
    }),
    RUNS,
  );
});

test('a config planned against the state it describes has no changes', () => {
  fc.assert(
    fc.property(scenario, ({ desired }) => {
      const result = plan(desired, appliedState(desired));
      assert.deepEqual(result.problems, []);
      assert.deepEqual(lines(result.plan), []);
      assert.deepEqual(result.plan.summary, { create: 0, update: 0, replace: 0, delete: 0 });
    }),
    RUNS,
  );
});

/**
 * Rules taken out of the way of a delete the kernel would otherwise match
 * them for, and put back as they were (plan/rule-order.ts).
 */
function movedRules(all: readonly Change[]): Set<string> {
  const created = new Map(all.filter((c) => c.type === 'rule' && c.action === 'create').map((c) => [c.id, c.after]));
  return new Set(all.filter((c) => c.type === 'rule' && c.action === 'delete' && isDeepStrictEqual(created.get(c.id), c.before)).map((c) => c.id));
}

test('no foreign object is deleted unless declared absent', () => {
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const declared = declaredKeys(desired);
      const all = changes(plan(desired, actual).plan);
      const putBack = movedRules(all);
      for (const c of all) {
        if (c.action !== 'delete' || declared.has(`${c.type} ${c.id}`) || putBack.has(c.id)) continue;
        const owned = isOwnedBy(c.type, c.before!, desired.policy.protocol);
        const listed = c.type === 'address' && addressMayGo(desired, c.before as Address);
        assert.ok(owned || listed, `deletes foreign ${c.type} ${c.id}`);
      }
    }),
    RUNS,
  );
});

test('an owned undeclared object is deleted if and only if prune is on', () => {
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const declared = declaredKeys(desired);
      const p = plan(desired, actual).plan;
      const remaining = new Set(keyed(applyPlan(actual, p)).map(([type, key]) => `${type} ${key}`));
      const putBack = movedRules(changes(p));
      const deleted = new Set(changes(p).filter((c) => c.action === 'delete' && !putBack.has(c.id)).map((c) => `${c.type} ${c.id}`));
      const peers = new Set(desired.state.links.filter((l) => l.state !== 'absent' && l.kind === 'veth' && l.options).map((l) => l.options!.peer as string));
      for (const [type, key, o] of keyed(actual)) {
        if (declared.has(`${type} ${key}`) || !isOwnedBy(type, o, desired.policy.protocol)) continue;
        if (type === 'interface' && (!isVirtual((o as Link).kind) || peers.has(key))) continue;
        if (type === 'address' && ((o as Address).kernelManaged || addressMayGo(desired, o as Address))) continue;
        if (desired.policy.prune) assert.ok(!remaining.has(`${type} ${key}`), `${type} ${key} survives prune`);
        else assert.ok(!deleted.has(`${type} ${key}`), `${type} ${key} deleted without prune`);
      }
    }),
    RUNS,
  );
});

test('addresses, routes and neighbors are created after changes to their interface', () => {
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const p = plan(desired, actual).plan;
      for (const c of changes(p)) {
        if (c.action !== 'create' || (c.type !== 'address' && c.type !== 'route' && c.type !== 'neighbor')) continue;
        const after = c.after as { dev?: string };
        if (after.dev === undefined) continue;
        const linkStage = stageOf(p, 'interface', after.dev);
        assert.ok(linkStage < stageOf(p, c.type, c.id), `${c.type} ${c.id} before its interface`);
      }
    }),
    RUNS,
  );
});

test('restoring after a plan puts back the original state', () => {
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const p = plan(desired, actual).plan;
      const applied = applyPlan(actual, p);
      const restore = planRestore(actual, applied, scopeOf(p));
      const restored = applyPlan(applied, restore);
      assert.deepEqual(comparable(restored, { withoutKernelMade: true }), comparable(actual, { withoutKernelMade: true }));
    }),
    RUNS,
  );
});

test('restoring a state that is already there does nothing', () => {
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const everything = scopeOf(plan(desired, actual).plan);
      for (const [type, key] of keyed(actual)) everything[type].add(key);
      assert.deepEqual(lines(planRestore(actual, actual, everything)), []);
    }),
    RUNS,
  );
});

test('objects the kernel makes by itself are neither restored nor deleted by a restore', () => {
  fc.assert(
    fc.property(scenario, ({ actual, desired }) => {
      const p = plan(desired, actual).plan;
      const restore = planRestore(actual, applyPlan(actual, p), scopeOf(p));
      for (const c of changes(restore)) assert.ok(!isKernelMade(c.type, (c.after ?? c.before)!), `${c.action} ${c.type} ${c.id}`);
    }),
    RUNS,
  );
});
