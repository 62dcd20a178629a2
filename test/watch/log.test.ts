// watch's log lines: journald priorities instead of timestamps when stderr is the journal.
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, isJournalStream, type LoggerOptions } from '../../src/watch/log.js';
import { scratchDir } from '../helpers/scratch.js';

const NOW = new Date('2026-01-02T03:04:05.678Z');

function lines(format: 'text' | 'json', opts: LoggerOptions, emit: (log: ReturnType<typeof createLogger>) => void): string[] {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (d: Buffer) => chunks.push(d.toString()));
  emit(createLogger(format, out, { now: () => NOW, ...opts }));
  return chunks.join('').split('\n').filter(Boolean);
}

const sample = (log: ReturnType<typeof createLogger>) => {
  log('error', 'reconcile failed; retrying with back-off', { reason: 'Invalid prefsrc address (EINVAL)', retryInMs: 1000 });
  log('warn', 'kernel events were lost');
  log('info', 'config loaded', { files: 1, routes: 3 });
  log('debug', 'reconcile', { trigger: 'kernel', skipped: undefined });
};

describe('journald-aware text logs', () => {
  it('to the journal: sd-daemon priority prefixes, no timestamp', () => {
    assert.deepEqual(lines('text', { journal: true, debug: true }, sample), [
      '<3>reconcile failed; retrying with back-off reason="Invalid prefsrc address (EINVAL)" retryInMs=1000',
      '<4>kernel events were lost',
      '<6>config loaded files=1 routes=3',
      '<7>reconcile trigger=kernel',
    ]);
  });

  it('elsewhere: a timestamp and the level word, no prefix', () => {
    assert.deepEqual(lines('text', {}, sample), [
      '2026-01-02T03:04:05.678Z error reconcile failed; retrying with back-off reason="Invalid prefsrc address (EINVAL)" retryInMs=1000',
      '2026-01-02T03:04:05.678Z warn  kernel events were lost',
      '2026-01-02T03:04:05.678Z info  config loaded files=1 routes=3',
    ]);
  });

  it('JSON lines are the same with or without the journal', () => {
    const a = lines('json', { journal: true }, sample);
    assert.deepEqual(a, lines('json', {}, sample));
    assert.deepEqual(JSON.parse(a[0]!), { time: NOW.toISOString(), level: 'error', msg: 'reconcile failed; retrying with back-off', reason: 'Invalid prefsrc address (EINVAL)', retryInMs: 1000 });
  });

  it('a value with a newline stays on its line', () => {
    const [l] = lines('text', { journal: true }, (log) => log('error', 'config rejected', { problem: 'a\n<0>b' }));
    assert.equal(l, '<3>config rejected problem="a\\n<0>b"');
  });
});

describe('JOURNAL_STREAM', () => {
  it('is the journal only when it names the very stream (device:inode)', () => {
    const dir = scratchDir('log-');
    const fd = openSync(join(dir, 'stderr'), 'w');
    const other = openSync(join(dir, 'other'), 'w');
    try {
      const st = fstatSync(fd, { bigint: true });
      const stream = `${st.dev}:${st.ino}`;
      assert.equal(isJournalStream({ JOURNAL_STREAM: stream }, fd), true);
      assert.equal(isJournalStream({ JOURNAL_STREAM: stream }, other), false, 'stderr redirected elsewhere');
      assert.equal(isJournalStream({}, fd), false);
      assert.equal(isJournalStream({ JOURNAL_STREAM: 'garbage' }, fd), false);
      assert.equal(isJournalStream({ JOURNAL_STREAM: stream }, 9999), false, 'a closed descriptor');
    } finally {
      closeSync(fd);
      closeSync(other);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
