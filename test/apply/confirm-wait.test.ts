// The wait of a confirm-timeout apply, on a fake clock and fake signals:
// when it times out, what confirms it, which probes count, and what ends it
// early. No root, no network, no real time.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { awaitConfirmation, type ConfirmWait, type ProbeResults } from '../../src/apply/confirm-wait.js';
import type { Clock, ConfirmOutcome } from '../../src/apply/confirm.js';
import { parseProbe, type Probe } from '../../src/apply/probes.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** Time that moves only when the test says so. */
class FakeClock implements Clock {
  t = 1_000_000;
  private timers: { at: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** Move time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
    }
    this.t = end;
    await flush();
  }
}

const probe = parseProbe('ping:192.0.2.1');

function setup(over: Partial<ConfirmWait> = {}, probesAfter: ProbeResults = new Map([[probe.text, { ok: true, detail: 'reply' }]])) {
  const clock = new FakeClock();
  const signals = new EventEmitter();
  const store = { confirmed: false, isConfirmed() { return this.confirmed; } };
  const said: string[] = [];
  const probeRuns: Probe[][] = [];
  const wait: ConfirmWait = {
    confirmMs: 3000,
    store,
    netns: 'edge1',
    probes: [],
    probesBefore: new Map(),
    runProbes: async (ps) => {
      probeRuns.push(ps);
      return probesAfter;
    },
    say: (s) => void said.push(s),
    clock,
    signals,
    ...over,
  };
  let outcome: ConfirmOutcome | undefined;
  const started = awaitConfirmation(wait).then((o) => (outcome = o));
  return {
    clock,
    signals,
    store,
    said,
    probeRuns,
    outcome: () => outcome,
    done: started,
  };
}

describe('confirm wait (apply --confirm-timeout)', () => {
  test('times out at the deadline, not before, and says how to confirm', async () => {
    const w = setup();
    await w.clock.advance(2900);
    assert.equal(w.outcome(), undefined, 'still waiting 100 ms before the deadline');
    await w.clock.advance(200);
    assert.equal(w.outcome(), 'timeout');
    assert.deepEqual(w.said, ['Applied; keeping it only if confirmed within 3s: run `netrec confirm --netns edge1`.\n']);
  });

  test('`netrec confirm` (the flag in the state directory) keeps the change before the deadline', async () => {
    const w = setup();
    await w.clock.advance(1000);
    w.store.confirmed = true;
    await w.clock.advance(300);
    assert.equal(w.outcome(), 'confirmed');
    assert.ok(w.clock.now() < 1_000_000 + 3000);
  });

  test('counted probes that all pass confirm it without a person', async () => {
    const w = setup({ probes: [probe], probesBefore: new Map([[probe.text, { ok: true }]]) });
    await w.clock.advance(1);
    assert.equal(w.outcome(), 'confirmed');
    assert.deepEqual(w.probeRuns, [[probe]]);
    assert.match(w.said.join(''), /Probes must pass: ping:192\.0\.2\.1\./);
  });

  test('probes still failing at the deadline end it as probe-failed, each failure said', async () => {
    const w = setup({ probes: [probe], probesBefore: new Map([[probe.text, { ok: true }]]) }, new Map([[probe.text, { ok: false, detail: 'no reply within 500 ms' }]]));
    await w.clock.advance(2000);
    assert.equal(w.outcome(), undefined);
    assert.ok(w.probeRuns.length > 1, 'the probes are run again while waiting');
    await w.clock.advance(1100);
    assert.equal(w.outcome(), 'probe-failed');
    assert.match(w.said.at(-1)!, /^netrec: probe ping:192\.0\.2\.1 fails after the change: no reply within 500 ms\n$/);
  });

  test('a probe that failed before the change does not count: with none counted, a person must confirm', async () => {
    const w = setup({ probes: [probe], probesBefore: new Map([[probe.text, { ok: false }]]) });
    await w.clock.advance(3100);
    assert.equal(w.outcome(), 'timeout', 'not probe-failed: no probe counted');
    assert.deepEqual(w.probeRuns, []);
    assert.deepEqual(w.said.slice(0, 2), [
      'netrec: no probe passed before the change; waiting for a manual confirmation instead\n',
      'netrec: probe ping:192.0.2.1 already failed before the change; it does not count\n',
    ]);
    assert.doesNotMatch(w.said[2]!, /Probes must pass/);
  });

  test('a stop signal during the wait ends it with that signal, and its handlers are removed', async () => {
    const w = setup();
    await w.clock.advance(500);
    assert.equal(w.signals.listenerCount('SIGHUP'), 1);
    w.signals.emit('SIGHUP');
    await w.clock.advance(1);
    assert.equal(w.outcome(), 'SIGHUP');
    for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM']) assert.equal(w.signals.listenerCount(sig), 0, sig);
  });

  test('a signal that came while the change was written ends the wait before it starts', async () => {
    const w = setup({ stopped: 'SIGTERM', probes: [probe], probesBefore: new Map([[probe.text, { ok: true }]]) });
    await w.done;
    assert.equal(w.outcome(), 'SIGTERM');
    assert.deepEqual(w.probeRuns, []);
    assert.equal(w.signals.listenerCount('SIGTERM'), 0);
  });
});
