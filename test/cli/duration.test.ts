import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_DURATION_MS, parseDuration } from '../../src/cli/duration.js';
import { UserError } from '../../src/cli/errors.js';

describe('parseDuration (systemd.time-like)', () => {
  const ok: [string, number][] = [
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['2min 30s', 150_000],
    ['1.5s', 1500],
    ['45', 45_000],
    ['1d', 86_400_000],
    ['3 hours', 10_800_000],
    [' 10s ', 10_000],
    ['0s', 0],
  ];
  for (const [text, ms] of ok) it(`"${text}" is ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  const bad: [string, RegExp][] = [
    ['', /invalid duration ""; write a number and a unit \(ms, s, m, h, d\), like 90s, 5m, 1h30m or 500ms/],
    ['5x', /invalid duration "5x": unknown unit "x"/],
    ['m5', /invalid duration "m5"/],
    ['1h30', /invalid duration "1h30"/],
    ['-5s', /invalid duration "-5s"/],
    ['5 s s', /invalid duration "5 s s"/],
    ['1e3s', /invalid duration "1e3s"/],
    ['25d', /duration "25d" is too long; it must be at most 24d/],
  ];
  for (const [text, why] of bad) {
    it(`"${text}" is refused`, () => assert.throws(() => parseDuration(text), (e: unknown) => e instanceof UserError && why.test(e.message)));
  }

  it('names the option and the minimum where zero makes no sense', () => {
    assert.throws(() => parseDuration('0s', { option: '--confirm-timeout', minMs: 1000 }), /^UserError: --confirm-timeout: duration "0s" is too short; it must be at least 1s$/);
    assert.throws(() => parseDuration('999ms', { option: '--resync-interval', minMs: 1000 }), /--resync-interval: duration "999ms" is too short/);
    assert.equal(parseDuration('1s', { minMs: 1000 }), 1000);
  });

  it('the longest accepted duration fits a timer', () => {
    assert.ok(parseDuration('24d') <= MAX_DURATION_MS);
  });

  it('a long input is shortened in the message', () => {
    assert.throws(() => parseDuration('x'.repeat(10_000)), (e: Error) => e.message.length < 200);
  });
});
