// Nexthop objects against the real kernel, `ip -j nexthop` and `ip -j route`
// as the oracle: applied from any start (empty, partly there, beside other
// owners' nexthops and groups), changed minimally (a weight is one replace;
// routes keep using the group), deleted in order, rolled back exactly when
// the kernel refuses, never touching another owner's nexthops (prune
// included), shown as config that plans to nothing, carrying traffic over
// both members of a group, and put back by `watch` when deleted by hand.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { collectLogLines, Netns, netrec, netrecRaw, netrecSpawn, tempDir } from './helpers/netns.js';
import { counters, ping, sysctl } from './helpers/traffic.js';

type J = Record<string, any>;

const OWN = '78';

function ok(r: { status: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

/** `apply -o json`, which must succeed; its JSON. */
function apply(ns: Netns, file: string, ...more: string[]): J {
  return JSON.parse(ok(netrec(['apply', file, '--netns', ns.name, '-o', 'json', ...more]))) as J;
}

/** A second apply of the same config sends nothing. */
function assertSteady(ns: Netns, file: string, ...more: string[]): void {
  const again = apply(ns, file, ...more);
  assert.equal(again.messages, 0, JSON.stringify(again.changes));
  assert.equal(again.result, 'no-changes');
}

/** The kernel's nexthops by id, as `ip -j nexthop show` has them. */
function nexthops(ns: Netns): Map<number, J> {
  return new Map((ns.json('nexthop', 'show') as J[]).map((n) => [n.id as number, n]));
}

function routes(ns: Netns): J[] {
  return ns.json('route', 'show') as J[];
}

/** What ip says of a group: "id[,weight]" of each member, sorted. */
function members(n: J | undefined): string[] {
  return ((n?.group ?? []) as J[]).map((m) => `${m.id},${m.weight ?? 1}`).sort();
}

/** Two veth pairs in the namespace, the first with an address, both up (the configs own them). */
function setup(ns: Netns): void {
  ns.batch(['link add va type veth peer name vb', 'link add vc type veth peer name vd']);
}

/** `fn` in a fresh namespace with the two veth pairs and a scratch directory, both removed afterwards whatever happens. */
function scratch(fn: (ns: Netns, t: ReturnType<typeof tempDir>) => void): void {
  const ns = Netns.create('nh');
  const t = tempDir();
  try {
    setup(ns);
    fn(ns, t);
  } finally {
    t.cleanup();
    ns.destroy();
  }
}

const BASE = `version: 1
interfaces:
  - { name: va, addresses: [10.0.0.1/24] }
  - { name: vb }
  - { name: vc, addresses: [10.9.0.1/24] }
  - { name: vd }
`;

const CONFIG = (weight = 3, extra = '') => `${BASE}nexthops:
  - { id: 10, via: 10.0.0.2, dev: va }
  - { id: 11, via: 10.0.0.3, dev: va }
  - { id: 12, blackhole: true }
  - { id: 13, dev: vc }
  - { id: 100, group: [ { id: 10 }, { id: 11, weight: ${weight} } ] }
  - { id: 101, group: [ { id: 10 }, { id: 11 } ], resilient: { buckets: 32, idle-timer: 60 } }
${extra}routes:
  - { to: 203.0.113.0/24, nexthop: 100 }
  - { to: 198.18.0.0/15, nexthop: 101 }
  - { to: 192.0.2.0/24, nexthop: 12 }
  - { to: 198.51.100.0/24, nexthop: 13 }
`;

/** The kernel holds exactly what CONFIG declares, owned by netrec. */
function assertConfig(ns: Netns, weight = 3): void {
  const n = nexthops(ns);
  for (const id of [10, 11, 12, 13, 100, 101]) assert.equal(String(n.get(id)?.protocol), OWN, `nexthop ${id} is netrec's: ${JSON.stringify(n.get(id))}`);
  assert.equal(n.get(10)!.gateway, '10.0.0.2');
  assert.equal(n.get(10)!.dev, 'va');
  assert.equal(n.get(11)!.gateway, '10.0.0.3');
  assert.ok('blackhole' in n.get(12)!, 'nexthop 12 is a blackhole');
  assert.equal(n.get(13)!.dev, 'vc');
  assert.equal(n.get(13)!.gateway, undefined);
  assert.deepEqual(members(n.get(100)), ['10,1', `11,${weight}`]);
  assert.equal(n.get(100)!.type, undefined, 'group 100 is multipath');
  assert.deepEqual(members(n.get(101)), ['10,1', '11,1']);
  assert.equal(n.get(101)!.type, 'resilient');
  assert.equal(n.get(101)!.resilient_args.buckets, 32);
  assert.equal(n.get(101)!.resilient_args.idle_timer, 60);
  const byDst = new Map(routes(ns).map((r) => [r.dst as string, r]));
  for (const [dst, id] of [['203.0.113.0/24', 100], ['198.18.0.0/15', 101], ['192.0.2.0/24', 12], ['198.51.100.0/24', 13]] as const) {
    assert.equal(byDst.get(dst)?.nhid, id, `route ${dst} goes through nexthop ${id}: ${JSON.stringify(byDst.get(dst))}`);
    assert.equal(String(byDst.get(dst)?.protocol), OWN);
  }
}

/**
 * Another owner's nexthops: one on our gateway, one on our other gateway,
 * and a group of them with the same layout and weights as our group 100.
 */
function addForeign(ns: Netns, weight = 3): void {
  ns.batch([
    'nexthop add id 20 via 10.0.0.2 dev va proto static',
    'nexthop add id 21 via 10.0.0.3 dev va proto static',
    `nexthop add id 200 group 20/21,${weight} proto static`,
    'nexthop add id 201 group 20/21 type resilient buckets 32 idle_timer 60 proto bird',
    'route add 203.0.114.0/24 nhid 200 proto static',
  ]);
}

function foreignOf(ns: Netns): J {
  const n = nexthops(ns);
  return { nexthops: [20, 21, 200, 201].map((id) => n.get(id)), route: routes(ns).find((r) => r.dst === '203.0.114.0/24') };
}

describe('nexthop objects', () => {
  it('apply from empty, beside another owner\'s nexthops and a group of the same layout: ip agrees, a second apply sends nothing, theirs are untouched', () =>
    scratch((ns, t) => {
      const file = t.write('nh.yaml', CONFIG());
      const first = apply(ns, file);
      assert.equal(first.result, 'applied');
      assertConfig(ns);
      assertSteady(ns, file);
      // The same again in a fresh namespace where others' nexthops are already there.
      const ns2 = Netns.create('nh');
      try {
        setup(ns2);
        // The interfaces as netrec makes them (the nexthops need va up, with carrier and its address).
        apply(ns2, t.write('base.yaml', BASE));
        addForeign(ns2);
        const theirs = foreignOf(ns2);
        apply(ns2, file);
        assertConfig(ns2);
        assert.deepEqual(foreignOf(ns2), theirs, 'the other owner\'s nexthops, group and route are as they were');
        assertSteady(ns2, file);
      } finally {
        ns2.destroy();
      }
    }));

  it('apply from a partly matching state changes only what differs', () =>
    scratch((ns, t) => {
      // The interfaces as netrec makes them; then nexthops of netrec's, as an earlier run left them.
      apply(ns, t.write('base.yaml', BASE));
      ns.batch([
        // Ours already: 10 as declared, 11 on another gateway, 100 with another weight; 12, 13 and 101 missing.
        `nexthop add id 10 via 10.0.0.2 dev va proto ${OWN}`,
        `nexthop add id 11 via 10.0.0.7 dev va proto ${OWN}`,
        `nexthop add id 100 group 10/11,2 proto ${OWN}`,
        `route add 203.0.113.0/24 nhid 100 proto ${OWN}`,
      ]);
      const file = t.write('nh.yaml', CONFIG());
      const plan = JSON.parse(ok(netrecRaw(['plan', file, '--netns', ns.name, '-o', 'json']))) as J;
      const changes = (plan.changes as J[]).filter((c) => c.type === 'nexthop').map((c) => `${c.action} ${c.id}`);
      assert.deepEqual(changes.sort(), ['create 101', 'create 12', 'create 13', 'update 100', 'update 11'].sort());
      const route = routes(ns).find((r) => r.dst === '203.0.113.0/24');
      apply(ns, file);
      assertConfig(ns);
      assert.ok(route !== undefined && routes(ns).some((r) => r.dst === '203.0.113.0/24'), 'the route through group 100 stayed');
      assertSteady(ns, file);
    }));

  it('a member\'s weight is one replace of the group, and the routes through it stay as they are', () =>
    scratch((ns, t) => {
      apply(ns, t.write('a.yaml', CONFIG(3)));
      const before = routes(ns);
      const r = apply(ns, t.write('b.yaml', CONFIG(5)));
      assert.equal(r.messages, 1, JSON.stringify(r.changes));
      assert.deepEqual((r.changes as J[]).map((c) => `${c.action} ${c.type} ${c.id}`), ['update nexthop 100']);
      assertConfig(ns, 5);
      assert.deepEqual(
        routes(ns).map((x) => `${x.dst} ${x.nhid}`),
        before.map((x) => `${x.dst} ${x.nhid}`),
        'every route is still there, on the same nexthop',
      );
    }));

  it('removing nexthops deletes the route first, then the group, then the member; nothing else is sent', () =>
    scratch((ns, t) => {
      apply(ns, t.write('a.yaml', CONFIG()));
      // Without 101 and its route, and without 11 (which leaves group 100 as the kernel leaves it: 10 alone).
      const smaller = `${BASE}nexthops:
  - { id: 10, via: 10.0.0.2, dev: va }
  - { id: 12, blackhole: true }
  - { id: 13, dev: vc }
  - { id: 100, group: [ { id: 10 } ] }
routes:
  - { to: 203.0.113.0/24, nexthop: 100 }
  - { to: 192.0.2.0/24, nexthop: 12 }
  - { to: 198.51.100.0/24, nexthop: 13 }
`;
      const r = apply(ns, t.write('b.yaml', smaller));
      assert.deepEqual((r.changes as J[]).map((c) => `${c.action} ${c.type} ${c.id}`), [
        'delete route 198.18.0.0/15 table 254 metric 0',
        'delete nexthop 101',
        'delete nexthop 11',
      ]);
      assert.equal(r.messages, 3);
      const n = nexthops(ns);
      assert.deepEqual([...n.keys()].sort((a, b) => a - b), [10, 12, 13, 100]);
      assert.deepEqual(members(n.get(100)), ['10,1']);
      assert.ok(routes(ns).some((x) => x.dst === '203.0.113.0/24' && x.nhid === 100), 'the route through group 100 stayed');
      assertSteady(ns, t.write('b2.yaml', smaller));
    }));

  it('a change the kernel refuses rolls back the one before it: nexthops and routes are as they were', () =>
    scratch((ns, t) => {
      apply(ns, t.write('a.yaml', CONFIG()));
      const before = { nh: ns.json('nexthop', 'show'), routes: routes(ns) };
      // 10 moves to another gateway (accepted), then 11 becomes a blackhole, which
      // the kernel refuses for a member of a group with more than one path.
      const bad = CONFIG().replace('{ id: 10, via: 10.0.0.2, dev: va }', '{ id: 10, via: 10.0.0.9, dev: va }').replace('{ id: 11, via: 10.0.0.3, dev: va }', '{ id: 11, blackhole: true }');
      const r = netrecRaw(['apply', t.write('bad.yaml', bad), '--netns', ns.name, '-o', 'json']);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      const out = JSON.parse(r.stdout) as J;
      assert.equal(out.result, 'rolled-back');
      assert.ok(out.messages >= 3, `the accepted change and its undo were sent (${out.messages})`);
      assert.ok(/blackhole/i.test(r.stderr), `the kernel's words are shown: ${r.stderr}`);
      assert.deepEqual(ns.json('nexthop', 'show'), before.nh);
      assert.deepEqual(routes(ns), before.routes);
    }));

  it('prune deletes only netrec\'s nexthops: another owner\'s group and its members stay; a declared id of theirs is a problem, not taken over', () =>
    scratch((ns, t) => {
      apply(ns, t.write('a.yaml', CONFIG()));
      addForeign(ns);
      const theirs = foreignOf(ns);
      const empty = t.write('empty.yaml', `${BASE}policy: { prune: true }\n`);
      const r = apply(ns, empty);
      assert.equal((r.changes as J[]).filter((c) => c.type === 'nexthop' && c.action === 'delete').length, 6);
      assert.deepEqual([...nexthops(ns).keys()].sort((a, b) => a - b), [20, 21, 200, 201]);
      assert.deepEqual(foreignOf(ns), theirs);
      assertSteady(ns, empty);
      // Declaring one of their ids without protocol: refused before anything is sent, with who owns it.
      const grab = t.write('grab.yaml', `${BASE}nexthops:\n  - { id: 200, group: [ { id: 20 } ] }\n`);
      const g = netrecRaw(['apply', grab, '--netns', ns.name]);
      assert.equal(g.status, 1, g.stdout + g.stderr);
      assert.ok(g.stderr.includes(`${grab}:8:5: nexthop 200 exists and is protocol static's, not netrec's`), g.stderr);
      // Declaring it absent does not delete it either.
      const drop = t.write('drop.yaml', `${BASE}nexthops:\n  - { id: 21, state: absent }\n`);
      const d = netrecRaw(['apply', drop, '--netns', ns.name]);
      assert.equal(d.status, 1, d.stdout + d.stderr);
      assert.ok(d.stderr.includes('never deletes another owner\'s nexthop'), d.stderr);
      assert.deepEqual(foreignOf(ns), theirs);
    }));

  it('show, applied as config, changes nothing (with another owner\'s nexthops in it)', () =>
    scratch((ns, t) => {
      apply(ns, t.write('a.yaml', CONFIG()));
      addForeign(ns);
      const shown = ok(netrecRaw(['show', '--netns', ns.name]));
      assert.ok(shown.includes('nexthops:') && shown.includes('nexthop: 100') && shown.includes('protocol: static'), shown);
      const file = t.write('shown.yaml', shown);
      ok(netrecRaw(['plan', file, '--netns', ns.name, '--detailed-exitcode']));
      assertSteady(ns, file);
    }));
});

describe('nexthop traffic', () => {
  it('a route through a group reaches both of its next hops', (ctx) => {
    const a = Netns.create('nha');
    const b = Netns.create('nhb');
    const c = Netns.create('nhc');
    const t = tempDir();
    try {
      for (const ns of [a, b, c]) {
        sysctl(ns, 'net.ipv6.conf.all.disable_ipv6', 1);
        sysctl(ns, 'net.ipv6.conf.default.disable_ipv6', 1);
      }
      const veth = (x: Netns, xName: string, y: Netns, yName: string) => x.ip('link', 'add', xName, 'type', 'veth', 'peer', 'name', yName, 'netns', y.name);
      veth(a, 'ab', b, 'ba');
      veth(a, 'ac', c, 'ca');
      // B and C each answer for all of 198.51.100.0/24 (a local route on lo) and route back to A.
      b.batch(['link set ba up', 'addr add 10.1.0.2/24 dev ba', 'route add local 198.51.100.0/24 dev lo']);
      c.batch(['link set ca up', 'addr add 10.2.0.2/24 dev ca', 'route add local 198.51.100.0/24 dev lo']);
      const file = t.write('a.yaml', `version: 1
interfaces:
  - { name: ab, addresses: [10.1.0.1/24] }
  - { name: ac, addresses: [10.2.0.1/24] }
nexthops:
  - { id: 1, via: 10.1.0.2, dev: ab }
  - { id: 2, via: 10.2.0.2, dev: ac }
  - { id: 10, group: [ { id: 1 }, { id: 2 } ] }
routes:
  - { to: 198.51.100.0/24, nexthop: 10 }
`);
      apply(a, file);
      assertSteady(a, file);
      // Flows hash by addresses (policy 0): many destinations spread over both members.
      const rxB = counters(b, 'ba').rxPackets;
      const rxC = counters(c, 'ca').rxPackets;
      let answered = 0;
      for (let i = 1; i <= 40; i++) answered += ping(a, `198.51.100.${i}`, { count: 1 }).received;
      assert.equal(answered, 40, 'every destination answered');
      const gotB = counters(b, 'ba').rxPackets - rxB;
      const gotC = counters(c, 'ca').rxPackets - rxC;
      assert.ok(gotB > 0 && gotC > 0, `both next hops carried traffic: B ${gotB}, C ${gotC}`);
      assert.ok(gotB + gotC >= 40, `every request went through B or C: ${gotB + gotC}`);
      ctx.diagnostic(`40 destinations: ${gotB} packets received by B, ${gotC} by C`);
    } finally {
      t.cleanup();
      for (const ns of [a, b, c]) ns.destroy();
    }
  });
});

describe('nexthop watch', () => {
  it('a nexthop deleted by hand is put back, with the group and route the kernel took along', async () => {
    const ns = Netns.create('nhw');
    const t = tempDir();
    let proc: ChildProcess | undefined;
    try {
      setup(ns);
      const file = t.write('nh.yaml', CONFIG());
      const logs: J[] = [];
      const port = 20000 + Math.floor(Math.random() * 20000);
      proc = netrecSpawn(['watch', file, '--netns', ns.name, '--log-format', 'json', '--metrics-address', `127.0.0.1:${port}`, '--resync-interval', '1h']);
      collectLogLines(proc.stderr!, logs);
      await until(20_000, 'watch converges at start', () => logs.some((l) => l.msg === 'reconcile' && l.trigger?.includes('start')));
      assertConfig(ns);
      // 13 alone carries a route; 10 is a member of both groups.
      ns.ip('nexthop', 'del', 'id', '13');
      ns.ip('nexthop', 'del', 'id', '10');
      await until(20_000, 'nexthops, groups and routes back', () => {
        try {
          assertConfig(ns);
          return true;
        } catch {
          return false;
        }
      });
    } finally {
      if (proc && proc.exitCode === null) {
        proc.kill('SIGKILL');
        await new Promise((r) => proc!.once('close', r));
      }
      t.cleanup();
      ns.destroy();
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it holds, failing after `ms` (a bound, not a measurement). */
async function until(ms: number, what: string, check: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}
