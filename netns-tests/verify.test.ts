// How apply checks its result: by the kernel's change announcements when
// they account for everything (a plan of routes only, nobody else writing),
// and by a full read otherwise — which then repairs what another writer did.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { applyPlan, type ApplyOptions } from '../src/apply/apply.js';
import { ChangeWitness } from '../src/apply/witness.js';
import { loadConfig } from '../src/config/load.js';
import { readState } from '../src/kernel/read.js';
import { Connection } from '../src/netlink/connection.js';
import { plan } from '../src/plan/plan.js';
import { fullState, Netns, netrec, netrecRaw, tempDir } from './helpers/netns.js';

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let conn: Connection;
beforeEach(() => {
  ns = Netns.create('verify');
  tmp = tempDir();
  conn = Connection.open({ netns: ns.path });
});
afterEach(() => {
  conn.close();
  ns.destroy();
  tmp.cleanup();
});

const UPLINK = 'version: 1\ninterfaces:\n  - { name: n0, kind: bridge, addresses: [10.77.0.1/16] }\n';
function route(i: number): string {
  return `10.${80 + (i >> 8)}.${i & 255}.0/24`;
}
function config(routes: number, mtu?: number): string {
  const lines = [mtu ? UPLINK.replace('kind: bridge,', `kind: bridge, mtu: ${mtu},`) : UPLINK, 'routes:'];
  for (let i = 0; i < routes; i++) lines.push(`  - { to: ${route(i)}, via: 10.77.0.254 }`);
  return lines.join('\n') + '\n';
}

/**
 * Plan `text` against the namespace and apply it the way `netrec apply` does,
 * with a witness. `betweenPlanAndWrite` runs after the plan, before any write.
 */
async function applyText(text: string, opts: Partial<ApplyOptions> = {}, witnessRcvbuf?: number, betweenPlanAndWrite?: () => void) {
  const desired = loadConfig([tmp.write(`c-${Math.random().toString(36).slice(2)}.yaml`, text)]);
  conn.openLanes();
  const witness = new ChangeWitness(ns.path, conn.portIds(), witnessRcvbuf);
  try {
    const before = await readState(conn, { protocol: desired.policy.protocol });
    const p = plan(desired, before).plan;
    betweenPlanAndWrite?.();
    const readActual = () => readState(conn, { protocol: desired.policy.protocol });
    return await applyPlan(conn, desired, before, p, { readActual, witness, ...opts });
  } finally {
    witness.close();
  }
}

function kernelRoutes(): string[] {
  return ns.json<{ dst: string; gateway?: string }[]>('route', 'show', 'proto', '0x4e').map((r) => `${r.dst} ${r.gateway}`);
}

describe('verification', () => {
  it('a plan of routes only is verified by its own announcements, sent over two sockets at once', async () => {
    await applyText(UPLINK);
    const o = await applyText(config(3000));
    assert.equal(o.result, 'applied');
    assert.equal(o.verifiedBy, 'notifications');
    assert.equal(o.messages, 3000);
    assert.equal(conn.portIds().length, 2, 'two sockets to send on, both known to the witness');
    const routes = kernelRoutes();
    assert.equal(routes.length, 3000);
    for (let i = 0; i < 3000; i += 97) assert.ok(routes.includes(`${route(i)} 10.77.0.254`), route(i));
  });

  it('another writer during the apply forces a full read, and a second round repairs what it removed', async () => {
    await applyText(UPLINK);
    let removed = false;
    const o = await applyText(config(3000), {
      onProgress: (done) => {
        // After the first chunk is in: someone else deletes one of our new routes.
        if (removed || done === 0) return;
        ns.ip('route', 'del', route(0));
        removed = true;
      },
    });
    assert.ok(removed);
    assert.equal(o.result, 'applied');
    assert.equal(o.verifiedBy, 'read');
    assert.equal(o.rounds, 2);
    assert.equal(kernelRoutes().length, 3000);
    assert.ok(kernelRoutes().includes(`${route(0)} 10.77.0.254`));
  });

  it('our own announcements overflowing a tiny queue are not taken as a clean run: verified by a read', async () => {
    await applyText(UPLINK);
    const o = await applyText(config(2000), {}, 4096);
    assert.equal(o.result, 'applied');
    assert.equal(o.verifiedBy, 'read');
    assert.equal(kernelRoutes().length, 2000);
  });

  it("another writer's burst (and the queue overflow it causes) is not taken as a clean run", async () => {
    await applyText(UPLINK);
    // Another writer's 2,000 routes overflow a tiny queue during the apply.
    const o = await applyText(config(500), {
      onProgress: (done) => {
        if (done > 0 && done < 500) ns.batch(Array.from({ length: 2000 }, (_, i) => `route add 10.${200 + (i >> 8)}.${i & 255}.0/24 via 10.77.0.254 proto static`));
      },
    }, 4096);
    assert.equal(o.result, 'applied');
    assert.equal(o.verifiedBy, 'read');
    assert.equal(kernelRoutes().length, 500);
  });

  it('declaring a link someone else made keeps the announcement check, and its alias stays unwritten', async () => {
    ns.batch(['link add n0 type bridge', 'addr add 10.77.0.1/16 dev n0', 'link set n0 up']);
    const o = await applyText(config(300).replace(/addresses: \[10\.77\.0\.1\/16\] /, 'mtu: 1500 '));
    assert.equal(o.result, 'applied');
    assert.equal(o.verifiedBy, 'notifications');
    assert.equal(ns.json<{ ifalias?: string }[]>('link', 'show', 'n0')[0]!.ifalias, undefined);
    assert.equal(kernelRoutes().length, 300);
  });

  it('another writer changing the adopted link meanwhile is caught by that read and repaired', async () => {
    ns.batch(['link add n0 type bridge', 'addr add 10.77.0.1/16 dev n0', 'link set n0 up']);
    let changed = false;
    const o = await applyText(config(300).replace(/addresses: \[10\.77\.0\.1\/16\] /, 'mtu: 1500 '), {
      onProgress: (done) => {
        if (changed || done === 0) return;
        ns.ip('link', 'set', 'n0', 'mtu', '1400');
        changed = true;
      },
    });
    assert.ok(changed);
    assert.equal(o.result, 'applied');
    assert.equal(o.verifiedBy, 'read');
    assert.equal(ns.json<{ mtu: number }[]>('link', 'show', 'n0')[0]!.mtu, 1500);
  });

  it('a plan that changes a link is verified by a full read', async () => {
    await applyText(config(10));
    const o = await applyText(config(10, 1400));
    assert.equal(o.result, 'applied');
    assert.equal(o.verifiedBy, 'read');
    assert.equal(ns.json<{ mtu: number }[]>('link', 'show', 'n0')[0]!.mtu, 1400);
  });
});

describe('verification against what the plan intended', () => {
  it('a create that replaced an object another writer made between the plan and the write fails and is rolled back', async () => {
    await applyText(UPLINK);
    const o = await applyText(config(20), {}, undefined, () => ns.ip('route', 'add', route(7), 'via', '10.77.0.253', 'proto', 'static'));
    assert.equal(o.result, 'rolled-back');
    assert.equal(o.mismatches.length, 1);
    assert.match(o.mismatches[0]!.detail, new RegExp(`create of route ${route(7).replace(/\./g, '\\.')}.*replaced a route the plan did not know of`));
    assert.equal(kernelRoutes().length, 0, 'none of the change stays');
  });

  // The two cases below once got through as "applied" (the kernel cut the
  // lladdr to size; a delete took the twin listed first). The plan now
  // refuses the first and names the second exactly, so the kernel no longer
  // gets the chance: test/apply/witness.test.ts feeds the witness those
  // outcomes directly and checks that each fails the run.
  it('a neighbor lladdr longer than the device address is refused before anything is sent, with its location', () => {
    ns.batch(['link add t0 type veth peer name t1', 'link set t0 up', 'addr add 10.3.0.1/24 dev t0', 'neigh add 10.3.0.9 lladdr 02:00:00:00:00:09 dev t0 nud permanent']);
    const before = fullState(ns);
    const f = tmp.write('n.yaml', 'version: 1\nneighbors:\n  - { dev: t0, address: 10.3.0.5, lladdr: "02:00:00:00:00:05:aa:bb" }\n  - { dev: t0, address: 10.3.0.6, lladdr: "02:00:00:00:00:06" }\nroutes:\n  - { to: 10.4.0.0/16, via: 10.3.0.254 }\n');
    const r = netrecRaw(['apply', f, '--netns', ns.name, '--state-dir', `${tmp.dir}/state`]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /n\.yaml:3:\d+: .*lladdr 02:00:00:00:00:05:aa:bb has 8 bytes/);
    assert.deepEqual(fullState(ns), before, 'nothing changed');
  });

  it('a prune beside a foreign twin under the same key (added first) deletes exactly netrec\'s route, and the run says applied', () => {
    ns.batch(['link add t0 type veth peer name t1', 'link set t0 up', 'addr add 10.3.0.1/24 dev t0', 'route add 10.5.0.0/16 via 10.3.0.254 proto static', 'route append 10.5.0.0/16 via 10.3.0.253 proto 78']);
    const f = tmp.write('empty.yaml', 'version: 1\n');
    const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', `${tmp.dir}/state`, '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { result: string }).result, 'applied');
    const left = ns.json<{ gateway?: string; protocol?: string }[]>('route', 'show', '10.5.0.0/16');
    assert.deepEqual(left.map((x) => [x.gateway, x.protocol]), [['10.3.0.254', 'static']]);
  });

  it('multipath routes of both families, created and deleted, are announced as intended: no false failure', () => {
    ns.batch(['link add a0 type veth peer name a1', 'link add b0 type veth peer name b1', 'link set a0 up', 'link set a1 up', 'link set b0 up', 'link set b1 up',
      'addr add 2001:db8:a::1/64 dev a0 nodad', 'addr add 2001:db8:b::1/64 dev b0 nodad', 'addr add 10.7.0.1/24 dev a0', 'addr add 10.8.0.1/24 dev b0']);
    const f = tmp.write('mp.yaml', 'version: 1\nroutes:\n  - to: 2001:db8:99::/48\n    nexthops: [ { via: "2001:db8:a::2", dev: a0 }, { via: "2001:db8:b::2", dev: b0 } ]\n  - to: 10.99.0.0/16\n    nexthops: [ { via: 10.7.0.2 }, { via: 10.8.0.2, weight: 2 } ]\n  - { to: "2001:db8:77::/48", via: "2001:db8:a::2" }\n');
    const state = ['--state-dir', `${tmp.dir}/state`];
    const r = netrec(['apply', f, '--netns', ns.name, ...state]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(ns.json('route', 'show', 'proto', '78').length + ns.json('-6', 'route', 'show', 'proto', '78').length, 3);
    const d = netrec(['apply', tmp.write('none.yaml', 'version: 1\n'), '--netns', ns.name, ...state]);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(ns.json('route', 'show', 'proto', '78').length + ns.json('-6', 'route', 'show', 'proto', '78').length, 0);
  });
});

