// Saved state of a confirm-timeout apply, against the real kernel: a restore
// puts back only the change, and only where the change's objects are still
// as it left them; the state belongs to the namespace itself, not its name;
// a waiting apply that is gone is said to be gone.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Netns, netrec, netrecRaw, netrecSpawn, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let stateDir: string;

const BASE = ['link add up0 type veth peer name up1', 'addr add 192.0.2.1/24 dev up0', 'link set up0 up', 'link set up1 up', 'route add 203.0.113.0/24 via 192.0.2.254 proto static'];

beforeEach(() => {
  ns = Netns.create('saved');
  tmp = tempDir();
  stateDir = join(tmp.dir, 'state');
  ns.batch(BASE);
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHANGE = `version: 1
interfaces:
  - name: br9
    kind: bridge
    addresses: [10.9.0.1/24]
routes:
  - to: 10.99.0.0/16
    via: 10.9.0.254
  - to: 10.98.0.0/16
    via: 10.9.0.254
  - to: 203.0.113.0/24
    via: 192.0.2.253
  - to: 198.51.100.0/24
    via: 192.0.2.253
`;

/** Start a confirm-timeout apply, wait until it waits, and SIGKILL it. Returns its pid. */
async function applyAndKill(n: Netns, file: string): Promise<number> {
  const p = netrecSpawn(['apply', file, '--netns', n.name, '--state-dir', stateDir, '--confirm-timeout', '60s']);
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const closed = new Promise((r) => p.on('close', r));
  const t0 = Date.now();
  while (!/within/.test(err)) {
    if (Date.now() - t0 > 15_000 || p.exitCode !== null) assert.fail(`apply did not get to wait for confirmation: ${err}`);
    await sleep(25);
  }
  p.kill('SIGKILL');
  await closed;
  return p.pid!;
}

const route = (n: Netns, dst: string) => n.json('route', 'show', dst)[0] as J | undefined;
const link = (n: Netns, name: string) => n.json('link', 'show').find((l) => (l as J).ifname === name) as J | undefined;

describe('restore scope after a crash', () => {
  it('the next apply restores only what is still as the killed change left it; what others changed, removed or added since stays', async () => {
    // Unrelated objects of others, one of which goes away while the change waits.
    ns.batch(['link add brold type bridge', 'route add 198.18.0.0/24 dev up0 proto static']);
    const f = tmp.write('c.yaml', CHANGE);
    await applyAndKill(ns, f);
    assert.ok(link(ns, 'br9') && route(ns, '10.99.0.0/16') && route(ns, '10.98.0.0/16'), 'applied before the kill');
    assert.equal(route(ns, '203.0.113.0/24')!.gateway, '192.0.2.253');

    // Meanwhile, by others: one created route deleted, one changed; a route of the change's taken over by another gateway;
    // an unrelated route and bridge removed, others added.
    ns.batch([
      'route del 10.98.0.0/16',
      'route replace 198.51.100.0/24 via 192.0.2.252 proto static',
      'link del brold',
      'route del 198.18.0.0/24',
      'link add brnew type bridge',
      'route add 198.19.0.0/24 dev up0 proto static',
    ]);

    const r = netrec(['apply', tmp.write('noop.yaml', 'version: 1\n'), '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 0, r.stderr);

    // Put back: what is still as the change left it.
    assert.equal(link(ns, 'br9'), undefined, 'created bridge removed');
    assert.equal(route(ns, '10.99.0.0/16'), undefined, 'created route removed');
    assert.equal(route(ns, '203.0.113.0/24')!.gateway, '192.0.2.254', 'adopted route back to its old gateway');
    assert.equal(route(ns, '203.0.113.0/24')!.protocol, 'static', '... and its old owner');
    // Left as others made it.
    assert.equal(route(ns, '10.98.0.0/16'), undefined, 'deleted by others: stays deleted');
    assert.equal(route(ns, '198.51.100.0/24')!.gateway, '192.0.2.252', "others' version of a route the change made stays");
    assert.equal(link(ns, 'brold'), undefined, 'removed unrelated bridge not brought back');
    assert.equal(route(ns, '198.18.0.0/24'), undefined, 'removed unrelated route not brought back');
    assert.ok(link(ns, 'brnew'), 'added bridge kept');
    assert.ok(route(ns, '198.19.0.0/24'), 'added route kept');
    assert.ok(link(ns, 'up0') && route(ns, '192.0.2.0/24'), 'foreign base intact');
    assert.match(r.stderr, /is gone without a confirmation; undoing its change first/);
    assert.match(r.stderr, /put back as before the change: .*route 10\.99\.0\.0\/16/);
    assert.match(r.stderr, /left as they are now, changed by others since the change: route 198\.51\.100\.0\/24 table 254 metric 0/);
    // Done: the record is gone, the next run restores nothing.
    const again = netrec(['apply', tmp.write('noop2.yaml', 'version: 1\n'), '--netns', ns.name, '--state-dir', stateDir]);
    assert.doesNotMatch(again.stderr, /undoing|put back/);
  });
});

describe('restore scope on timeout', () => {
  it('what others change while the apply waits stays; the restore does not take it away with a bridge it would delete', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    const p = netrecSpawn(['apply', f, '--netns', ns.name, '--state-dir', stateDir, '--confirm-timeout', '4s']);
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const closed = new Promise<number | null>((r) => p.on('close', r));
    const t0 = Date.now();
    while (!/within/.test(err)) {
      if (Date.now() - t0 > 15_000 || p.exitCode !== null) assert.fail(err);
      await sleep(25);
    }
    // Others, while it waits: a route of the change re-pointed, a route of theirs through the new bridge.
    ns.batch(['route replace 10.99.0.0/16 via 10.9.0.253 proto static', 'route add 10.97.0.0/16 via 10.9.0.254 proto static']);
    const code = await closed;
    assert.equal(code, 1, err);
    assert.equal(route(ns, '10.99.0.0/16')!.gateway, '10.9.0.253', "others' version stays");
    assert.ok(route(ns, '10.97.0.0/16'), "others' route through the bridge stays");
    assert.ok(link(ns, 'br9'), 'the bridge stays: deleting it would take their routes');
    assert.equal(route(ns, '10.98.0.0/16'), undefined, 'untouched route of the change removed');
    assert.equal(route(ns, '198.51.100.0/24'), undefined, 'untouched route of the change removed');
    assert.equal(route(ns, '203.0.113.0/24')!.gateway, '192.0.2.254', 'adopted route back as it was');
    assert.match(err, /not confirmed \(timeout\); the change is undone and verified where it was still as it left it; \d+ objects that others changed meanwhile stay/);
    assert.match(err, /left as they are now, changed by others since the change: .*interface br9.*route 10\.99\.0\.0\/16/);
  });
});

describe('saved state belongs to the namespace, not its name', () => {
  it('a namespace deleted and made again under the same name does not get the old pending state', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    await applyAndKill(ns, f);
    const old = statSync(ns.path);
    // Made again under the same name; the kernel reuses inode numbers, so try for the same one (bounded).
    let reused = false;
    for (let i = 0; i < 12 && !reused; i++) {
      execFileSync('ip', ['netns', 'del', ns.name]);
      execFileSync('ip', ['netns', 'add', ns.name]);
      reused = statSync(ns.path).ino === old.ino;
    }
    ns.ip('link', 'set', 'lo', 'up');
    // The new namespace holds exactly what the old change had left, made by someone else.
    ns.batch([...BASE.slice(0, 4), 'route add 203.0.113.0/24 via 192.0.2.253 proto static']);
    const r = netrec(['apply', tmp.write('noop.yaml', 'version: 1\n'), '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(route(ns, '203.0.113.0/24')?.gateway, '192.0.2.253', 'the new namespace is not "restored" from the old one');
    assert.doesNotMatch(r.stderr, /undoing|put back/);
    if (reused) assert.match(r.stderr, /warning: .*pending\.json: saved by apply pid \d+ in an earlier namespace that had this inode number/);
    process.stderr.write(`# inode number reused by the new namespace: ${reused}\n`);
  });

  it('the same namespace reached by path (/proc/PID/ns/net) finds its pending state', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    await applyAndKill(ns, f);
    const holder = sleeperIn(ns);
    await sleep(200); // ip has entered the namespace and exec'd sleep
    try {
      const r = netrec(['apply', tmp.write('noop.yaml', 'version: 1\n'), '--netns', `/proc/${holder.pid}/ns/net`, '--state-dir', stateDir]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(route(ns, '203.0.113.0/24')!.gateway, '192.0.2.254', 'restored in the namespace it belongs to');
      assert.match(r.stderr, /undoing its change first/);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

/** A process inside the namespace, to reach it by /proc/PID/ns/net. */
function sleeperIn(n: Netns) {
  return spawn('ip', ['netns', 'exec', n.name, 'sleep', '30'], { stdio: 'ignore' });
}

describe('a waiting apply that is gone', () => {
  it('show and confirm say it is gone and what happens next; confirm then keeps the change', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    const pid = await applyAndKill(ns, f);
    const s = netrecRaw(['show', '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(s.status, 0, s.stderr);
    assert.match(s.stderr, new RegExp(`the apply that was waiting for confirmation \\(pid ${pid}, .*\\) is gone, so its change was not rolled back; the next apply or watch in this namespace undoes it`));
    assert.doesNotMatch(s.stderr, /is waiting/);
    const c = netrec(['confirm', '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stdout, new RegExp(`The apply that was waiting \\(pid ${pid}, .*\\) is gone; it did not get to roll back. Confirmed: its change stays`));
    const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /is gone; its change was confirmed afterwards and stays/);
    assert.match(r.stdout, /No changes/);
    assert.ok(link(ns, 'br9'), 'confirmed change kept');
    assert.equal(route(ns, '203.0.113.0/24')!.gateway, '192.0.2.253');
  });

  it('while the apply still waits, show says so', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    const p = netrecSpawn(['apply', f, '--netns', ns.name, '--state-dir', stateDir, '--confirm-timeout', '60s']);
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    const closed = new Promise((r) => p.on('close', r));
    try {
      const t0 = Date.now();
      while (!/within/.test(err)) {
        if (Date.now() - t0 > 15_000) assert.fail(err);
        await sleep(25);
      }
      const s = netrecRaw(['show', '--netns', ns.name, '--state-dir', stateDir]);
      assert.match(s.stderr, new RegExp(`an apply \\(pid ${p.pid}\\) is waiting for \`netrec confirm --netns ${ns.name}\`; it rolls back in \\d+s`));
    } finally {
      p.kill('SIGHUP');
      await closed;
    }
    assert.equal(link(ns, 'br9'), undefined, 'rolled back on SIGHUP');
  });
});
