// `netrec watch` against the real kernel: drift repair, config edits,
// bursts of foreign changes, lost events, signals, metrics.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, renameSync, symlinkSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { fullState, Netns, netrecSpawn, tempDir, collectLogLines } from './helpers/netns.js';

type J = Record<string, any>;

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let proc: ChildProcess | undefined;
let logs: J[] = [];
let port = 0;

beforeEach(() => {
  ns = Netns.create('watch');
  tmp = tempDir();
  logs = [];
});
afterEach(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill('SIGKILL');
    await new Promise((r) => proc!.once('close', r));
  }
  proc = undefined;
  ns.destroy();
  tmp.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` every 20 ms until it holds or `ms` pass; returns the time it took. */
async function within(ms: number, what: string, check: () => boolean): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    try {
      if (check()) return Date.now() - t0;
    } catch {
      // not there yet
    }
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

const CONFIG = (mtu = 1400, extra = '') => `version: 1
interfaces:
  - name: w0
    kind: veth
    veth: { peer: w0p }
    mtu: ${mtu}
    addresses: [10.50.0.1/24]
  - name: w0p
    kind: veth
    veth: { peer: w0 }
routes:
  - to: 10.60.0.0/16
    via: 10.50.0.254
${extra}`;

async function startWatch(config: string, ...extra: string[]): Promise<void> {
  port = 20000 + Math.floor(Math.random() * 20000);
  proc = netrecSpawn(['watch', config, '--netns', ns.name, '--log-format', 'json', '--metrics-address', `127.0.0.1:${port}`, '--resync-interval', '1h', ...extra]);
  collectLogLines(proc.stderr!, logs);
  await within(10_000, 'watch converges at start', () => logs.some((l) => l.msg === 'reconcile' && l.trigger?.includes('start')));
}

async function metrics(): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}
function metricValue(text: string, name: string, labels = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.startsWith(name + (labels ? `{${labels}` : '')) && (labels || line.startsWith(name + ' ') || line.startsWith(name + '{'))) total += Number(line.split(' ').pop());
  }
  return total;
}
function mtu(dev: string): number {
  return (ns.json('link', 'show', dev)[0] as J).mtu;
}
const hasRoute = (dst: string) => ns.json('route', 'show', dst).length === 1;
const hasAddr = (dev: string, a: string) => (ns.json('addr', 'show', 'dev', dev)[0] as J).addr_info.some((x: J) => `${x.local}/${x.prefixlen}` === a);

describe('drift', () => {
  it('managed objects are put back within 1 s; foreign ones are left alone', async () => {
    const f = tmp.write('w.yaml', CONFIG());
    await startWatch(f);
    ns.ip('addr', 'del', '10.50.0.1/24', 'dev', 'w0');
    await within(1000, 'address back', () => hasAddr('w0', '10.50.0.1/24') && hasRoute('10.60.0.0/16'));
    ns.ip('route', 'del', '10.60.0.0/16');
    await within(1000, 'route back', () => hasRoute('10.60.0.0/16'));
    ns.ip('link', 'set', 'w0', 'mtu', '1300');
    await within(1000, 'mtu back', () => mtu('w0') === 1400);
    ns.ip('link', 'set', 'w0', 'down');
    await within(1000, 'link up again, route back', () => (ns.json('link', 'show', 'w0')[0] as J).flags.includes('UP') && hasRoute('10.60.0.0/16'));
    const before = metricValue(await metrics(), 'netrec_drift_corrections_total');
    assert.ok(before >= 4, `corrections counted (${before})`);
    // Foreign: made and changed by hand; watch must not write.
    ns.ip('route', 'add', '10.70.0.0/16', 'via', '10.50.0.254', 'proto', 'static');
    ns.ip('route', 'replace', '10.70.0.0/16', 'via', '10.50.0.253', 'proto', 'static');
    ns.ip('link', 'set', 'w0p', 'mtu', '1280');
    await sleep(500);
    assert.equal((ns.json('route', 'show', '10.70.0.0/16')[0] as J).gateway, '10.50.0.253');
    assert.equal(metricValue(await metrics(), 'netrec_drift_corrections_total'), before, 'no writes for foreign changes');
  });
});

describe('config edits', () => {
  it('rename-save, in-place write and a ConfigMap symlink swap are each applied within 1 s; an invalid edit is ignored and logged', async () => {
    // ConfigMap layout: dir/config.yaml -> ..data/config.yaml, ..data -> ..v1
    const dir = join(tmp.dir, 'cm');
    mkdirSync(join(dir, '..v1'), { recursive: true });
    writeFileSync(join(dir, '..v1', 'config.yaml'), CONFIG(1400));
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync('..data/config.yaml', join(dir, 'config.yaml'));
    await startWatch(dir);
    assert.equal(mtu('w0'), 1400);
    // Symlink swap.
    mkdirSync(join(dir, '..v2'));
    writeFileSync(join(dir, '..v2', 'config.yaml'), CONFIG(1410));
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await within(1000, 'symlink swap applied', () => mtu('w0') === 1410);
    // Rename-save into the directory.
    const real = join(dir, 'config.yaml');
    rmSync(real);
    writeFileSync(join(dir, '.config.yaml.swp'), CONFIG(1420));
    renameSync(join(dir, '.config.yaml.swp'), real);
    await within(1000, 'rename save applied', () => mtu('w0') === 1420);
    // In-place write.
    writeFileSync(real, CONFIG(1430));
    await within(1000, 'in-place write applied', () => mtu('w0') === 1430);
    // Invalid edit: logged with its position, nothing changes.
    writeFileSync(real, CONFIG(1440).replace('10.60.0.0/16', '10.60.0.0/33'));
    await within(2000, 'invalid edit logged', () => logs.some((l) => l.msg?.includes('config rejected') && /config\.yaml:\d+:\d+/.test(l.problem)));
    await sleep(300);
    assert.equal(mtu('w0'), 1430, 'last good config stays in force');
    writeFileSync(real, CONFIG(1440));
    await within(1000, 'fixed edit applied', () => mtu('w0') === 1440);
  });
});

describe('load and lost events', () => {
  it('bursts of 20,000 foreign routes: no writes for them, managed drift still fixed within 2 s, memory bounded', async () => {
    const f = tmp.write('w.yaml', CONFIG());
    await startWatch(f);
    const corrections0 = metricValue(await metrics(), 'netrec_drift_corrections_total');
    const add: string[] = [];
    const del: string[] = [];
    for (let i = 0; i < 20000; i++) {
      add.push(`route add 172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 via 10.50.0.254 proto static`);
      del.push(`route del 172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32 via 10.50.0.254`);
    }
    ns.batch(add.slice(0, 10000));
    ns.ip('route', 'del', '10.60.0.0/16');
    ns.batch(add.slice(10000));
    await within(2000, 'managed route back during the burst', () => hasRoute('10.60.0.0/16'));
    ns.batch(del);
    await sleep(500);
    const m = await metrics();
    assert.equal(metricValue(m, 'netrec_drift_corrections_total') - corrections0, 1, 'one correction: the managed route');
    const status = readFileSync(`/proc/${proc!.pid}/status`, 'utf8');
    const hwmKb = Number(/VmHWM:\s+(\d+)/.exec(status)![1]);
    console.log(`watch peak RSS during 20k-route bursts: ${(hwmKb / 1024).toFixed(0)} MiB`);
    assert.ok(hwmKb < 400 * 1024, `peak RSS ${hwmKb} kB`);
  });

  it('a tiny event buffer overflows (ENOBUFS); watch re-reads and converges', async () => {
    const f = tmp.write('w.yaml', CONFIG());
    await startWatch(f, '--event-rcvbuf', '2048');
    const flood: string[] = [];
    for (let i = 0; i < 3000; i++) flood.push(`route add 172.20.${i >> 8}.${i & 255}/32 via 10.50.0.254 proto static`);
    ns.ip('route', 'del', '10.60.0.0/16');
    ns.batch(flood);
    // No bound is promised here beyond "recovers": a re-dump overtaken by the flood backs off and retries.
    await within(10_000, 'overflow noticed', () => logs.some((l) => /events were lost/.test(l.msg ?? '')));
    await within(10_000, 'converged after re-dump', () => hasRoute('10.60.0.0/16'));
    assert.ok(metricValue(await metrics(), 'netrec_event_overflows_total') >= 1);
  });
});

describe('recovery from lost events', () => {
  it('after sustained event loss and back-off, watch still repairs drift; /readyz is 503 during the loss and 200 after, /livez stays 200', async () => {
    const f = tmp.write('w.yaml', CONFIG());
    await startWatch(f, '--event-rcvbuf', '2048');
    const status = async (path: string) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    assert.equal(await status('/readyz'), 200, 'ready once converged');
    // Waves of 40,000 foreign route changes (adds, then deletes, ...) from
    // another process, while /readyz and /livez are polled; until a re-read
    // overtaken by a wave has failed and backed off (at most 6 waves: how
    // many it takes depends on how fast a re-read is against the flood).
    const add: string[] = [];
    const del: string[] = [];
    for (let i = 0; i < 40000; i++) {
      const to = `172.${16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32`;
      add.push(`route add ${to} via 10.50.0.254 proto static`);
      del.push(`route del ${to} via 10.50.0.254`);
    }
    const files = [tmp.write('flood-add.txt', add.join('\n') + '\n'), tmp.write('flood-del.txt', del.join('\n') + '\n')];
    const seen = new Set<string>();
    const backedOff = () => logs.some((l) => /retrying with back-off/.test(l.msg ?? ''));
    let waves = 0;
    while (waves < 6 && !backedOff()) {
      const flood = spawn('ip', ['-n', ns.name, '-batch', files[waves++ % 2]!], { stdio: 'ignore' });
      const flooded = new Promise((r) => flood.once('close', r));
      let done = false;
      void flooded.then(() => (done = true));
      for (let i = 0; i < 2000 && !done; i++) {
        seen.add(`readyz ${await status('/readyz')}`);
        seen.add(`livez ${await status('/livez')}`);
        await sleep(5);
      }
      await flooded;
    }
    await within(10_000, 'events lost', () => logs.some((l) => /events were lost/.test(l.msg ?? '')));
    // Not ready while the re-read is pending or backing off (sampled after the flood too).
    for (let i = 0; i < 50 && !seen.has('readyz 503'); i++) {
      seen.add(`readyz ${await status('/readyz')}`);
      await sleep(10);
    }
    assert.ok(seen.has('readyz 503'), `readiness during the loss: ${[...seen].join(', ')}`);
    assert.ok(!seen.has('livez 503'), 'live throughout');
    assert.ok(backedOff(), `the loss was sustained enough to back off (${waves} waves)`);
    await within(20_000, 'ready again after the re-read', () => logs.some((l) => l.msg === 'converged again after failures'));
    let ready = 0;
    for (let i = 0; i < 200 && ready !== 200; i++) {
      ready = await status('/readyz');
      if (ready !== 200) await sleep(50);
    }
    assert.equal(ready, 200, 'ready again');
    // Still reacting to kernel events: a deleted managed route comes back.
    ns.ip('route', 'del', '10.60.0.0/16');
    const ms = await within(5000, 'drift repaired after the back-off', () => hasRoute('10.60.0.0/16'));
    console.log(`drift repaired ${ms} ms after the delete, following ${waves} waves of 40,000 lost-event route changes and back-off`);
    assert.equal(await status('/livez'), 200);
  });

  it('an unconfirmed apply --confirm-timeout that was killed is put back by the watch started next', async () => {
    ns.batch(['link add up0 type veth peer name up1', 'addr add 192.0.2.1/24 dev up0', 'link set up0 up', 'route add 203.0.113.0/24 via 192.0.2.254 proto static']);
    const stateDir = join(tmp.dir, 'state');
    const before = fullState(ns);
    const change = tmp.write('change.yaml', 'version: 1\ninterfaces:\n  - { name: br9, kind: bridge, addresses: [10.9.0.1/24] }\nroutes:\n  - { to: 10.99.0.0/16, via: 10.9.0.254 }\n  - { to: 203.0.113.0/24, via: 192.0.2.253 }\n');
    const a = netrecSpawn(['apply', change, '--netns', ns.name, '--state-dir', stateDir, '--confirm-timeout', '60s']);
    let err = '';
    a.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await within(10_000, 'apply waits for confirmation', () => /within/.test(err));
    a.kill('SIGKILL');
    await new Promise((r) => a.once('close', r));
    assert.equal(ns.json('link', 'show', 'br9').length, 1, 'still applied after the kill');
    const empty = tmp.write('empty.yaml', 'version: 1\n');
    await startWatch(empty, '--state-dir', stateDir);
    assert.ok(logs.some((l) => /restored the state from before an unconfirmed change/.test(l.msg ?? '')), 'restore logged');
    assert.deepEqual(fullState(ns), before);
  });
});

describe('signals', () => {
  it('SIGTERM during a large reconcile leaves the old or the new state, never a mix, and exits 0', async () => {
    const f = tmp.write('w.yaml', CONFIG());
    await startWatch(f);
    const lines = [CONFIG(), ''].join('');
    const big = [lines.trimEnd()];
    for (let i = 0; i < 30000; i++) big.push(`  - { to: 10.${100 + (i >> 8)}.${i & 255}.0/24, via: 10.50.0.254 }`);
    writeFileSync(f, big.join('\n') + '\n');
    await within(15_000, 'big reconcile started', () => ns.json('route', 'show').length > 5);
    proc!.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => proc!.once('close', r));
    assert.equal(code, 0);
    const n = (ns.json('route', 'show') as J[]).filter((r) => String(r.dst).startsWith('10.1') || String(r.dst).startsWith('10.2')).length;
    assert.ok(n === 0 || n === 30000, `routes present: ${n} (must be all or none)`);
  });
});

describe('metrics', () => {
  it('parse as Prometheus text and move with reconciles', async () => {
    const f = tmp.write('w.yaml', CONFIG());
    await startWatch(f);
    const m1 = await metrics();
    for (const line of m1.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? [-+0-9.eE]+|NaN|[+-]Inf$/, line);
    }
    const r1 = metricValue(m1, 'netrec_reconciles_total');
    ns.ip('route', 'del', '10.60.0.0/16');
    await within(1000, 'route back', () => hasRoute('10.60.0.0/16'));
    const m2 = await metrics();
    assert.ok(metricValue(m2, 'netrec_reconciles_total') > r1);
    assert.equal(metricValue(m2, 'netrec_managed_objects', 'type="route"'), 1);
    assert.ok(metricValue(m2, 'netrec_last_success_timestamp_seconds') > 0);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(health.status, 200);
  });
});
