// `netrec watch` as a systemd service: sd_notify over a real AF_UNIX
// datagram socket (the test stands in for the service manager), journald
// log lines, and the health endpoints across a kernel refusal.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { loadNative } from '../src/netlink/socket.js';
import { Netns, NETREC, netrecRaw, tempDir } from './helpers/netns.js';

type J = Record<string, any>;
type Message = Record<string, string>;

const native = loadNative();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let proc: ChildProcess | undefined;
let fd = -1;

beforeEach(() => {
  ns = Netns.create('svc');
  tmp = tempDir();
});
afterEach(async () => {
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    proc.kill('SIGKILL');
    await new Promise((r) => proc!.once('close', r));
  }
  proc = undefined;
  if (fd >= 0) native.closeDatagram(fd);
  fd = -1;
  ns.destroy();
  tmp.cleanup();
});

/** The service manager's side: a datagram socket bound to an abstract name, read as KEY=VALUE messages. */
class NotifySocket {
  readonly name = `@netrec-test-notify-${process.pid}-${randomBytes(4).toString('hex')}`;
  readonly messages: Message[] = [];
  constructor() {
    fd = native.bindDatagram(this.name);
  }
  /** Read what waits; returns the new messages. */
  drain(): Message[] {
    const fresh: Message[] = [];
    for (let b = native.recvDatagram(fd); b; b = native.recvDatagram(fd)) {
      const m: Message = {};
      for (const line of b.toString().split('\n').filter(Boolean)) m[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
      fresh.push(m);
    }
    this.messages.push(...fresh);
    return fresh;
  }
  /** Messages before this index were matched by `next` or came before a match. */
  private cursor = 0;
  /**
   * Poll every 2 ms until a message after the last one matched satisfies
   * `check` (bounded); returns it. Several may arrive in one read.
   */
  async next(what: string, ms: number, check: (m: Message) => boolean): Promise<Message> {
    const t0 = Date.now();
    for (;;) {
      this.drain();
      const i = this.messages.findIndex((m, j) => j >= this.cursor && check(m));
      if (i >= 0) {
        this.cursor = i + 1;
        return this.messages[i]!;
      }
      if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms; got ${JSON.stringify(this.messages.filter((m) => !m.WATCHDOG))}`);
      await sleep(2);
    }
  }
}

function startWatch(args: string[], env: NodeJS.ProcessEnv, stderr: 'pipe' | number = 'pipe'): ChildProcess {
  proc = spawn(process.execPath, [NETREC, 'watch', ...args, '--netns', ns.name, '--resync-interval', '1h'], {
    env: { ...process.env, NO_COLOR: '1', JOURNAL_STREAM: '', NOTIFY_SOCKET: '', WATCHDOG_USEC: '', ...env },
    stdio: ['ignore', 'ignore', stderr],
  });
  return proc;
}

const ROUTES = 3000;
function config(extraRoutes = '', routes = ROUTES): string {
  const lines = [
    'version: 1',
    'interfaces:',
    '  - { name: s0, kind: veth, veth: { peer: s0p }, mtu: 1400, addresses: [10.50.0.1/24] }',
    '  - { name: s0p, kind: veth, veth: { peer: s0 } }',
    'routes:',
  ];
  for (let i = 0; i < routes; i++) lines.push(`  - { to: 10.${100 + (i >> 8)}.${i & 255}.0/24, via: 10.50.0.254 }`);
  return lines.join('\n') + '\n' + extraRoutes;
}
const planIsEmpty = (file: string) => netrecRaw(['plan', file, '--netns', ns.name, '--detailed-exitcode']).status === 0;

describe('sd_notify', () => {
  it('READY=1 arrives only once the namespace matches the config; STATUS, WATCHDOG=1, RELOADING=1/READY=1 on SIGHUP, STOPPING=1 on SIGTERM; journal log lines', async () => {
    const sock = new NotifySocket();
    const f = tmp.write('s.yaml', config());
    const errPath = join(tmp.dir, 'stderr');
    const errFd = openSync(errPath, 'w');
    const st = fstatSync(errFd, { bigint: true });
    const p = startWatch([f], { NOTIFY_SOCKET: sock.name, WATCHDOG_USEC: '200000', JOURNAL_STREAM: `${st.dev}:${st.ino}` }, errFd);
    closeSync(errFd);
    const ready = await sock.next('READY=1', 30_000, (m) => m.READY === '1');
    // The oracle at once: everything the config declares is there when READY=1 arrives.
    const link = ns.json('link', 'show', 's0')[0] as J;
    const routes = (ns.json('route', 'show') as J[]).filter((r) => r.gateway === '10.50.0.254').length;
    const addrs = (ns.json('addr', 'show', 'dev', 's0')[0] as J).addr_info.map((a: J) => `${a.local}/${a.prefixlen}`);
    assert.equal(link?.mtu, 1400);
    assert.equal(routes, ROUTES, 'all routes in place when READY=1 arrives');
    assert.ok(addrs.includes('10.50.0.1/24'));
    assert.match(ready.STATUS ?? '', new RegExp(`^converged: ${2 + 1 + ROUTES} objects, last change \\d+s ago$`));
    const before = sock.messages.slice(0, sock.messages.indexOf(ready));
    assert.ok(
      before.every((m) => m.WATCHDOG === '1' || (m.STATUS !== undefined && !m.READY)),
      `before READY=1 only watchdog pings and status lines: ${JSON.stringify(before.filter((m) => !m.WATCHDOG))}`,
    );
    assert.ok(planIsEmpty(f), 'plan is empty after the start');

    // WATCHDOG_USEC=200000: a ping every 100 ms.
    const pings0 = sock.messages.filter((m) => m.WATCHDOG === '1').length;
    await sleep(1000);
    sock.drain();
    const pings = sock.messages.filter((m) => m.WATCHDOG === '1').length - pings0;
    assert.ok(pings >= 5 && pings <= 15, `WATCHDOG=1 pings in 1 s: ${pings}`);

    // A change by someone else: repaired, the status says when.
    ns.ip('route', 'del', '10.100.0.0/24');
    await sock.next('status after the repair', 5000, (m) => /^converged: \d+ objects, last change 0s ago$/.test(m.STATUS ?? '') && !m.READY);
    assert.equal(ns.json('route', 'show', '10.100.0.0/24').length, 1, 'repaired');

    // SIGHUP: RELOADING=1 with MONOTONIC_USEC on CLOCK_MONOTONIC, then READY=1.
    const at = native.monotonicUsec();
    p.kill('SIGHUP');
    const reloading = await sock.next('RELOADING=1', 5000, (m) => m.RELOADING === '1');
    const mono = Number(reloading.MONOTONIC_USEC);
    assert.ok(mono >= at && mono - at < 5_000_000, `MONOTONIC_USEC ${mono} vs ${at}`);
    await sock.next('READY=1 after the reload', 5000, (m) => m.READY === '1');

    // SIGTERM: STOPPING=1, exit 0.
    const closed = new Promise<number | null>((r) => p.once('close', r));
    p.kill('SIGTERM');
    await sock.next('STOPPING=1', 5000, (m) => m.STOPPING === '1');
    assert.equal(await closed, 0);
    assert.equal(sock.messages.filter((m) => m.READY === '1').length, 2, 'READY=1 at start and after the reload');

    // stderr was "the journal": priority prefixes, no timestamps.
    const log = readFileSync(errPath, 'utf8').split('\n').filter(Boolean);
    assert.ok(log.length >= 3, log.join('\n'));
    for (const l of log) assert.match(l, /^<[0-7]>/, l);
    assert.ok(!log.some((l) => /\d{4}-\d\d-\d\dT\d\d:\d\d/.test(l)), 'no timestamps for the journal to duplicate');
    assert.ok(log.some((l) => l.startsWith('<6>config loaded')));
  });
});

describe('health endpoints and metrics', () => {
  it('after a kernel refusal /livez stays 200 and /readyz is 503 (STATUS says refused), until a fixed config converges; build info and process metrics', async () => {
    const sock = new NotifySocket();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const f = tmp.write('s.yaml', config('', 3));
    startWatch([f, '--log-format', 'json', '--metrics-address', `127.0.0.1:${port}`], { NOTIFY_SOCKET: sock.name });
    const get = async (path: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: r.status, text: await r.text() };
    };
    await sock.next('READY=1', 15_000, (m) => m.READY === '1');
    assert.equal((await get('/readyz')).status, 200);
    assert.equal((await get('/livez')).status, 200);

    // Valid config, but the kernel refuses the route at apply time: its preferred source is on no interface.
    writeFileSync(f, config('  - { to: 10.9.0.0/16, via: 10.50.0.254, src: 192.0.2.77 }\n', 3));
    const refused = await sock.next('refused status', 10_000, (m) => /^refused: .*Invalid prefsrc address/.test(m.STATUS ?? ''));
    assert.equal(refused.READY, '1', 'the reload ends (READY=1) even though it was refused');
    assert.deepEqual(ns.json('route', 'show', '10.9.0.0/16'), [], 'rolled back');
    const seen = new Set<string>();
    // Across the back-off's retries (1 s, 2 s): not ready, but alive.
    for (let i = 0; i < 30; i++) {
      for (const path of ['/readyz', '/livez', '/healthz']) seen.add(`${path} ${(await get(path)).status}`);
      await sleep(50);
    }
    assert.deepEqual([...seen].sort(), ['/healthz 200', '/livez 200', '/readyz 503']);
    const m1 = (await get('/metrics')).text;
    assert.ok(value(m1, 'netrec_reconcile_failures_total{reason="refused"}') >= 1, 'failures counted under reason="refused"');
    assert.equal(value(m1, 'netrec_config_last_reload_successful'), 1, 'the config itself loaded');

    // Fixed: the preferred source is ours.
    writeFileSync(f, config('  - { to: 10.9.0.0/16, via: 10.50.0.254, src: 10.50.0.1 }\n', 3));
    await sock.next('converged again', 15_000, (m) => /^converged: 7 objects/.test(m.STATUS ?? ''));
    assert.equal((await get('/readyz')).status, 200);
    assert.equal((ns.json('route', 'show', '10.9.0.0/16')[0] as J).prefsrc, '10.50.0.1');
    assert.ok(planIsEmpty(f), 'plan is empty after the fix');

    // A config that does not load: the gauge drops, the last good config stays in force and ready.
    writeFileSync(f, 'version: 1\nroutes: [\n');
    const deadline = Date.now() + 5000;
    let m2 = '';
    while (Date.now() < deadline) {
      m2 = (await get('/metrics')).text;
      if (value(m2, 'netrec_config_last_reload_successful') === 0) break;
      await sleep(50);
    }
    assert.equal(value(m2, 'netrec_config_last_reload_successful'), 0);
    assert.equal(value(m2, 'netrec_config_errors_total{reason="invalid"}'), 1);
    assert.equal((await get('/readyz')).status, 200, 'the last good config is still converged');

    const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    assert.equal(value(m2, `netrec_build_info{version="${version}",node="${process.version}"}`), 1);
    for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'process_open_fds', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      assert.ok(m2.split('\n').some((l) => l.startsWith(name + ' ') || l.startsWith(name + '{')), `${name} served`);
    }
  });
});

/** The value of the sample whose name and labels are exactly `series`. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}
