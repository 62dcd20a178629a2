// Planning nexthop objects: their order among the other stages, what the
// kernel cannot change in place, what it removes along with a nexthop, and
// ownership (another owner's nexthops and groups are never changed,
// deleted or taken over).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NexthopObject } from '../../src/model/types.js';
import { plan, planRestore, scopeOf } from '../../src/plan/plan.js';
import { addr, applyPlan, desiredOf, find, lines, link, OURS, PROTO_STATIC, route, stageOf, state } from './fixtures.js';

const nh = (id: number, extra: Partial<NexthopObject> = {}): NexthopObject => ({ id, protocol: OURS, family: 'ipv4', via: `10.0.0.${id}`, dev: 'eth0', ...extra });
const grp = (id: number, members: [number, number][], extra: Partial<NexthopObject> = {}): NexthopObject => ({
  id,
  protocol: OURS,
  group: members.map(([m, weight]) => ({ id: m, weight })).sort((a, b) => a.id - b.id),
  ...extra,
});

const LINKS = { links: [link('eth0', 'device')], addresses: [addr('eth0', '10.0.0.1/24')] };

describe('nexthop planning', () => {
  it('creates after addresses and direct routes, groups after their members, routes through them last', () => {
    const d = desiredOf({
      ...LINKS,
      nexthops: [grp(100, [[1, 1], [2, 3]]), nh(1), nh(2)],
      routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' }), route('10.9.0.0/16', { dev: 'eth0', scope: 'link' })],
    });
    const p = plan(d, state({ links: [link('eth0', 'device')] })).plan;
    const at = (type: 'address' | 'route' | 'nexthop', id: string) => stageOf(p, type, id);
    assert.ok(at('address', 'eth0 10.0.0.1/24') < at('route', '10.9.0.0/16 table 254 metric 0'));
    assert.ok(at('route', '10.9.0.0/16 table 254 metric 0') < at('nexthop', '1'));
    assert.equal(at('nexthop', '1'), at('nexthop', '2'));
    assert.ok(at('nexthop', '2') < at('nexthop', '100'));
    assert.ok(at('nexthop', '100') < at('route', '203.0.113.0/24 table 254 metric 0'));
  });

  it('a weight is an update in place; the routes through the group are left alone', () => {
    const actual = state({ ...LINKS, nexthops: [nh(1), nh(2), grp(100, [[1, 1], [2, 3]])], routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' })] });
    const p = plan(desiredOf({ ...LINKS, nexthops: [nh(1), nh(2), grp(100, [[1, 1], [2, 5]])], routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' })] }), actual).plan;
    assert.deepEqual(lines(p), ['update nexthop 100']);
    assert.equal(find(p, 'nexthop', '100')!.effects, undefined);
  });

  it('single <-> group, the group type and the buckets are a replace, which takes the routes through it, made again after', () => {
    const actual = state({ ...LINKS, nexthops: [nh(1), nh(2), grp(101, [[1, 1], [2, 1]], { resilient: true, buckets: 64 })], routes: [route('198.18.0.0/15', { nhid: 101, scope: 'global' })] });
    for (const after of [grp(101, [[1, 1], [2, 1]], { resilient: true, buckets: 32 }), grp(101, [[1, 1], [2, 1]]), nh(101)]) {
      const p = plan(desiredOf({ ...LINKS, nexthops: [nh(1), nh(2), after], routes: [route('198.18.0.0/15', { nhid: 101, scope: 'global' })] }), actual).plan;
      const c = find(p, 'nexthop', '101')!;
      assert.equal(c.action, 'replace', JSON.stringify(after));
      assert.deepEqual(c.effects, [{ type: 'route', id: '198.18.0.0/15 table 254 metric 0', removed: true }]);
      assert.equal(find(p, 'route', '198.18.0.0/15 table 254 metric 0')!.action, 'create');
      assert.ok(stageOf(p, 'nexthop', '101') < stageOf(p, 'route', '198.18.0.0/15 table 254 metric 0'));
    }
    // Timers change in place.
    const p = plan(desiredOf({ ...LINKS, nexthops: [nh(1), nh(2), grp(101, [[1, 1], [2, 1]], { resilient: true, idleTimer: 30 })], routes: [route('198.18.0.0/15', { nhid: 101, scope: 'global' })] }), actual).plan;
    assert.deepEqual(lines(p), ['update nexthop 101']);
    assert.equal(find(p, 'nexthop', '101')!.after!.buckets, 64, 'buckets kept as they are');
  });

  it('deletes: routes through a nexthop, then groups, then members; a member that goes leaves its group', () => {
    const actual = state({
      ...LINKS,
      nexthops: [nh(1), nh(2), grp(100, [[1, 1], [2, 1]]), grp(101, [[2, 1]])],
      routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' }), route('198.18.0.0/15', { nhid: 101, scope: 'global' })],
    });
    const p = plan(desiredOf({ ...LINKS, nexthops: [nh(1), grp(100, [[1, 1]])], routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' })] }), actual).plan;
    assert.deepEqual(lines(p), ['delete route 198.18.0.0/15 table 254 metric 0', 'delete nexthop 101', 'delete nexthop 2']);
    assert.ok(stageOf(p, 'route', '198.18.0.0/15 table 254 metric 0') < stageOf(p, 'nexthop', '101'));
    assert.ok(stageOf(p, 'nexthop', '101') < stageOf(p, 'nexthop', '2'));
    assert.deepEqual(find(p, 'nexthop', '2')!.effects, [{ type: 'nexthop', id: '100', removed: false }]);
    const after = applyPlan(actual, p);
    assert.deepEqual(after.nexthops.find((n) => n.id === 100)!.group, [{ id: 1, weight: 1 }]);
  });

  it('a group left without members goes with its last one, and the routes through it too', () => {
    const actual = state({ ...LINKS, nexthops: [nh(1), grp(100, [[1, 1]])], routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' })] });
    const p = plan(desiredOf({ ...LINKS, nexthops: [] }, { prune: true }), actual).plan;
    const c = find(p, 'nexthop', '1')!;
    // The group and the route are deleted by the plan before the member: nothing is left for the kernel to take.
    assert.equal(c.effects, undefined);
    assert.deepEqual(lines(p), ['delete route 203.0.113.0/24 table 254 metric 0', 'delete nexthop 100', 'delete nexthop 1']);
  });

  it('a link going away takes the nexthops on it, which are made again', () => {
    const actual = state({ links: [link('v0', 'dummy', { alias: 'netrec' })], addresses: [], nexthops: [nh(1, { dev: 'v0' })] });
    const d = desiredOf({ links: [link('v0', 'veth', { options: { peer: 'v1' } })], nexthops: [nh(1, { dev: 'v0' })] });
    const p = plan(d, actual).plan;
    const c = find(p, 'interface', 'v0')!;
    assert.equal(c.action, 'replace');
    assert.ok(c.effects!.some((e) => e.type === 'nexthop' && e.id === '1' && e.removed));
    assert.equal(find(p, 'nexthop', '1')!.action, 'create');
  });
});

describe('nexthops on interfaces that are down', () => {
  it('a nexthop on a down interface, or a blackhole while lo is down, is a problem, not a request the kernel refuses', () => {
    const down = state({ links: [link('eth0', 'device', { state: 'down' }), link('lo', 'device', { state: 'down' })] });
    const { plan: p, problems } = plan(desiredOf({ nexthops: [nh(1), { id: 2, protocol: OURS, family: 'ipv4', blackhole: true }] }), down);
    assert.deepEqual(lines(p), []);
    assert.deepEqual(problems.map((x) => x.message), [
      'nexthop 1: interface eth0 is down, and the kernel takes no nexthop on an interface that is down',
      'nexthop 2: interface lo is down, and the kernel takes no nexthop on an interface that is down (a blackhole nexthop is on lo)',
    ]);
    // Brought up by the same plan: fine.
    const up = plan(desiredOf({ links: [link('eth0', 'device'), link('lo', 'device')], nexthops: [nh(1), { id: 2, protocol: OURS, family: 'ipv4', blackhole: true }] }), down);
    assert.deepEqual(up.problems, []);
    assert.deepEqual(lines(up.plan).filter((l) => l.includes('nexthop')), ['create nexthop 1', 'create nexthop 2']);
  });
});

describe('nexthop ownership', () => {
  const foreign = [nh(20, { protocol: PROTO_STATIC }), nh(21, { protocol: PROTO_STATIC }), grp(200, [[20, 1], [21, 3]], { protocol: PROTO_STATIC })];

  it('prune deletes only netrec\'s own; another owner\'s group and members stay', () => {
    const actual = state({ ...LINKS, nexthops: [nh(1), grp(100, [[1, 1]]), ...foreign] });
    const { plan: p, problems } = plan(desiredOf({ ...LINKS }, { prune: true }), actual);
    assert.deepEqual(problems, []);
    assert.deepEqual(lines(p), ['delete nexthop 100', 'delete nexthop 1']);
  });

  it('a declared id that another owner holds is a problem naming the owner, not an adoption', () => {
    const actual = state({ ...LINKS, nexthops: foreign });
    const { plan: p, problems } = plan(desiredOf({ ...LINKS, nexthops: [grp(200, [[20, 1]])] }), actual);
    assert.equal(p.stages.flat().filter((c) => c.type === 'nexthop').length, 0);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /nexthop 200 exists and is protocol static's, not netrec's; .*declare it with protocol: static/);
  });

  it('declared with the other owner\'s protocol, it is checked: as declared, nothing; differing, a problem', () => {
    const actual = state({ ...LINKS, nexthops: foreign });
    assert.deepEqual(plan(desiredOf({ ...LINKS, nexthops: foreign }), actual).problems, []);
    const { problems } = plan(desiredOf({ ...LINKS, nexthops: [grp(200, [[20, 1], [21, 2]], { protocol: PROTO_STATIC })] }), actual);
    assert.match(problems[0]!.message, /nexthop 200 is declared with protocol static .*group is 20\/21,3, declared 20\/21,2/);
  });

  it('another owner\'s nexthop declared absent is not deleted', () => {
    const actual = state({ ...LINKS, nexthops: foreign });
    const { plan: p, problems } = plan(desiredOf({ ...LINKS, nexthops: [{ id: 21, protocol: OURS, state: 'absent' }] }), actual);
    assert.deepEqual(lines(p), []);
    assert.match(problems[0]!.message, /never deletes another owner's nexthop/);
  });

  it('a nexthop of ours in another owner\'s group is neither pruned nor re-created (the kernel would take it out of their group)', () => {
    const actual = state({ ...LINKS, nexthops: [nh(1), grp(300, [[1, 1]], { protocol: PROTO_STATIC })] });
    const pruned = plan(desiredOf({ ...LINKS }, { prune: true }), actual);
    assert.deepEqual(lines(pruned.plan), []);
    assert.match(pruned.problems[0]!.message, /nexthop 1 is a member of nexthop group 300, which is protocol static's/);
    const remade = plan(desiredOf({ ...LINKS, nexthops: [grp(1, [[5, 1]])] }), state({ ...actual, nexthops: [...actual.nexthops, nh(5)] }));
    assert.equal(remade.plan.stages.flat().filter((c) => c.type === 'nexthop' && c.id === '1').length, 0);
    assert.match(remade.problems[0]!.message, /re-creating it would take it out of that group/);
  });

  it('a rollback puts nexthops back exactly, whoever owns them', () => {
    const before = state({ ...LINKS, nexthops: [nh(1), nh(2), grp(100, [[1, 1], [2, 3]])], routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' })] });
    const forward = plan(desiredOf({ ...LINKS, nexthops: [nh(1), grp(100, [[1, 1]], { resilient: true })], routes: [route('203.0.113.0/24', { nhid: 100, scope: 'global' })] }), before).plan;
    const after = applyPlan(before, forward);
    const back = planRestore(before, after, scopeOf(forward));
    const restored = applyPlan(after, back);
    const sorted = (s: typeof before) => [...s.nexthops].sort((a, b) => a.id - b.id);
    assert.deepEqual(sorted(restored), sorted(before));
    assert.deepEqual(restored.routes.map((r) => `${r.to} ${r.nhid}`), before.routes.map((r) => `${r.to} ${r.nhid}`));
  });
});
