// sd_notify: what is sent when, over a real AF_UNIX datagram socket too.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadNative } from '../../src/netlink/socket.js';
import type { Level } from '../../src/watch/log.js';
import { ago, notifySocket, ServiceNotifier, watchdogIntervalMs } from '../../src/watch/notify.js';
import { scratchDir } from '../helpers/scratch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A notifier whose datagrams land in `sent` (as key/value objects), on a clock the test moves. */
function recorder(env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: '/run/test/notify' }) {
  const sent: Record<string, string>[] = [];
  const logs: { level: Level; msg: string }[] = [];
  let now = 1_000_000;
  const n = new ServiceNotifier({
    env,
    send: (m) => {
      assert.ok(m.endsWith('\n'), 'each line ends with a newline');
      sent.push(Object.fromEntries(m.trimEnd().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])));
    },
    now: () => now,
    monotonicUsec: () => 123456789,
    log: (level, msg) => logs.push({ level, msg }),
  });
  return { n, sent, logs, advance: (ms: number) => (now += ms) };
}

describe('NOTIFY_SOCKET and WATCHDOG_USEC', () => {
  it('a path or an abstract @name; anything else, or nothing, is no socket', () => {
    assert.equal(notifySocket({ NOTIFY_SOCKET: '/run/systemd/notify' }), '/run/systemd/notify');
    assert.equal(notifySocket({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify/123' }), '@/org/freedesktop/systemd1/notify/123');
    assert.equal(notifySocket({}), undefined);
    assert.equal(notifySocket({ NOTIFY_SOCKET: '' }), undefined);
    assert.equal(notifySocket({ NOTIFY_SOCKET: 'vsock:2:1234' }), undefined);
  });

  it('the watchdog interval is half of WATCHDOG_USEC, only for the process WATCHDOG_PID names', () => {
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' }), 15_000);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42), 15_000);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '43' }, 42), undefined);
    assert.equal(watchdogIntervalMs({}), undefined);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '0' }), undefined);
    assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' }), undefined);
  });

  it('durations in the status line', () => {
    assert.equal(ago(3200), '3s');
    assert.equal(ago(119_000), '119s');
    assert.equal(ago(5 * 60_000), '5m');
    assert.equal(ago(3 * 3600_000), '3h');
    assert.equal(ago(4 * 86400_000), '4d');
  });
});

describe('what is sent when', () => {
  it('nothing without NOTIFY_SOCKET', () => {
    const { n, sent } = recorder({});
    n.start(() => undefined);
    n.failed('refused', 'Invalid prefsrc address (EINVAL)');
    n.converged(3, 3);
    n.reloadStarted();
    n.converged(3, 0);
    n.stopping();
    assert.equal(n.enabled, false);
    assert.deepEqual(sent, []);
  });

  it('READY=1 only after the first convergence; a refusal before it is a STATUS line', () => {
    const { n, sent, advance } = recorder();
    n.failed('refused', 'create route 10.9.0.0/16: Invalid prefsrc address (EINVAL)');
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0], { STATUS: 'refused: create route 10.9.0.0/16: Invalid prefsrc address (EINVAL)' });
    n.reloadStarted(); // not started yet: no reload state
    n.failed('refused', 'create route 10.9.0.0/16: Invalid prefsrc address (EINVAL)');
    assert.equal(sent.length, 1, 'the same status is not sent again');
    advance(1000);
    n.converged(12, 4);
    assert.deepEqual(sent[1], { READY: '1', STATUS: 'converged: 12 objects, last change 0s ago' });
    advance(3000);
    n.converged(12, 0);
    assert.deepEqual(sent[2], { STATUS: 'converged: 12 objects, last change 3s ago' });
    assert.equal(sent.filter((m) => m.READY).length, 1, 'READY=1 once');
  });

  it('a repair is reported even when its line reads as the last one did', () => {
    const { n, sent } = recorder();
    n.converged(4, 4);
    n.converged(4, 1);
    assert.deepEqual(sent, [
      { READY: '1', STATUS: 'converged: 4 objects, last change 0s ago' },
      { STATUS: 'converged: 4 objects, last change 0s ago' },
    ]);
  });

  it('a start with nothing to change says so', () => {
    const { n, sent, advance } = recorder();
    advance(2000);
    n.converged(5, 0);
    assert.deepEqual(sent, [{ READY: '1', STATUS: 'converged: 5 objects, no change needed since start 2s ago' }]);
  });

  it('RELOADING=1 with MONOTONIC_USEC, then READY=1 when the reload converged or failed', () => {
    const { n, sent } = recorder();
    n.converged(2, 2);
    n.reloadStarted();
    assert.deepEqual(sent[1], { RELOADING: '1', MONOTONIC_USEC: '123456789', STATUS: 'reloading the config' });
    n.converged(3, 1);
    assert.deepEqual(sent[2], { READY: '1', STATUS: 'converged: 3 objects, last change 0s ago' });
    n.reloadStarted();
    n.failed('refused', 'Invalid prefsrc address (EINVAL)');
    assert.deepEqual(sent[4], { READY: '1', STATUS: 'refused: Invalid prefsrc address (EINVAL)' });
    n.failed('verification', 'route 10.1.0.0/16: gateway differs');
    assert.deepEqual(sent[5], { STATUS: 'not converged (verification): route 10.1.0.0/16: gateway differs' });
  });

  it('a rejected config is named in the status while the last good one stays in force', () => {
    const { n, sent } = recorder();
    n.converged(2, 2);
    n.reloadStarted();
    n.configRead('/etc/netrec/a.yaml:3:7: unknown key "gatway"');
    n.converged(2, 0);
    assert.deepEqual(sent[2], { READY: '1', STATUS: 'converged: 2 objects, last change 0s ago; config rejected, the last good one stays in force: /etc/netrec/a.yaml:3:7: unknown key "gatway"' });
  });

  it('STOPPING=1 once, and nothing after it', () => {
    const { n, sent } = recorder();
    n.converged(1, 1);
    n.stopping();
    n.stopping();
    n.failed('interrupted', 'interrupted');
    assert.deepEqual(sent.slice(1), [{ STOPPING: '1', STATUS: 'stopping' }]);
  });

  it('a long kernel message is cut to one line', () => {
    const { n, sent } = recorder();
    n.failed('io', 'x'.repeat(1000) + '\nsecond line');
    assert.ok(sent[0]!.STATUS!.length <= 240 && !sent[0]!.STATUS!.includes('\n'));
  });

  it('a send that fails is logged once and does not throw', () => {
    const logs: string[] = [];
    const n = new ServiceNotifier({
      env: { NOTIFY_SOCKET: '/nonexistent/notify' },
      log: (_l, msg, f) => logs.push(`${msg} ${f?.problem}`),
    });
    n.converged(1, 1);
    n.converged(1, 1);
    assert.equal(logs.length, 1, logs.join('\n'));
    assert.match(logs[0]!, /cannot notify the service manager.*sendto \/nonexistent\/notify: No such file or directory/);
  });
});

describe('watchdog', () => {
  it('WATCHDOG=1 at half WATCHDOG_USEC while healthy; withheld (and logged once) while not', async () => {
    let problem: string | undefined;
    const { n, sent, logs } = recorder({ NOTIFY_SOCKET: '@x', WATCHDOG_USEC: '40000' });
    assert.equal(n.watchdogInterval, 20);
    const pings = () => sent.filter((m) => m.WATCHDOG === '1').length;
    const until = async (what: string, check: () => boolean) => {
      const t0 = Date.now();
      while (!check()) {
        if (Date.now() - t0 > 3000) assert.fail(`${what}: not within 3 s`);
        await sleep(5);
      }
    };
    const t0 = Date.now();
    n.start(() => problem);
    await until('three pings', () => pings() >= 3);
    // At most one per 20 ms (and the one at start): never faster than asked.
    assert.ok(pings() <= (Date.now() - t0) / 20 + 2, `${pings()} pings in ${Date.now() - t0} ms`);
    problem = 'a reconcile has been running for 130 s';
    await sleep(50);
    const before = sent.length;
    await sleep(120);
    assert.equal(sent.length, before, 'no WATCHDOG=1 while a reconcile is stuck');
    assert.equal(logs.filter((l) => l.msg.includes('watchdog notifications withheld')).length, 1);
    problem = undefined;
    await until('pings resumed', () => sent.length > before);
    n.stopping();
    const stopped = sent.length;
    await sleep(60);
    assert.equal(sent.length, stopped, 'no pings after STOPPING=1');
  });

  it('no watchdog timer without WATCHDOG_USEC', async () => {
    const { n, sent } = recorder();
    assert.equal(n.watchdogInterval, undefined);
    n.start(() => undefined);
    await sleep(50);
    assert.deepEqual(sent, []);
    n.stopping();
  });
});

describe('over a real socket', () => {
  const native = loadNative();
  const drain = (fd: number): string[] => {
    const out: string[] = [];
    for (let b = native.recvDatagram(fd); b; b = native.recvDatagram(fd)) out.push(b.toString());
    return out;
  };

  it('an abstract name (@) and a path both receive the datagram', () => {
    const dir = scratchDir('notify-');
    try {
      for (const name of [`@netrec-test-${process.pid}-${randomBytes(4).toString('hex')}`, join(dir, 'notify')]) {
        const fd = native.bindDatagram(name);
        try {
          const n = new ServiceNotifier({ env: { NOTIFY_SOCKET: name } });
          n.converged(7, 7);
          n.stopping();
          assert.deepEqual(drain(fd), ['READY=1\nSTATUS=converged: 7 objects, last change 0s ago\n', 'STOPPING=1\nSTATUS=stopping\n']);
        } finally {
          native.closeDatagram(fd);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('MONOTONIC_USEC is on CLOCK_MONOTONIC (the clock of /proc/uptime)', () => {
    const usec = native.monotonicUsec();
    const uptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1e6;
    // /proc/uptime is CLOCK_BOOTTIME (includes suspend); without suspend they agree closely, and MONOTONIC never exceeds it.
    assert.ok(usec <= uptime + 20_000 && usec > 0, `${usec} vs ${uptime}`);
  });

  it('a name longer than sun_path is refused with ENAMETOOLONG', () => {
    assert.throws(() => native.sendDatagram('/' + 'x'.repeat(200), Buffer.from('READY=1\n')), (e: { errno?: number }) => e.errno === 36);
  });
});

