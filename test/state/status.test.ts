// `netrec status` from history: the revision in force and when it came, the
// last run, drift corrections since, the last error; and the history reader
// that feeds it, which skips what is not an entry.
import assert from 'node:assert/strict';
import { appendFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { statusOf } from '../../src/state/status.js';
import { renderStatus } from '../../src/plan/render/records.js';
import { recordRun, type HistoryEntry } from '../../src/state/history.js';
import { namespaceIdentity, StateStore } from '../../src/state/store.js';
import { scratchDir } from '../helpers/scratch.js';

const tmp = scratchDir('status-');
after(() => rmSync(tmp, { recursive: true, force: true }));

let clock = Date.parse('2026-01-01T00:00:00Z');
function entry(e: Partial<HistoryEntry> & { result: string }): HistoryEntry {
  clock += 60_000;
  return { time: new Date(clock).toISOString(), configHash: 'h', summary: { create: 0, update: 0, replace: 0, delete: 0 }, durationMs: 5, messages: 0, ...e };
}
const changes = (n: number) => ({ create: 0, update: n, replace: 0, delete: 0 });

test('the revision in force is the last that succeeded; drift corrections count from when it came', () => {
  const h = [
    entry({ result: 'applied', revision: 'r1', host: 'h1', trigger: 'cli', summary: changes(3), messages: 3 }),
    entry({ result: 'applied', revision: 'r1', host: 'h1', trigger: 'watch-drift', summary: changes(1), messages: 1 }),
    entry({ result: 'applied', revision: 'r2', host: 'h1', trigger: 'watch-file', summary: changes(2), messages: 2 }),
    entry({ result: 'applied', revision: 'r2', host: 'h1', trigger: 'watch-drift', summary: changes(2), messages: 2 }),
    entry({ result: 'applied', revision: 'r2', host: 'h1', trigger: 'watch-resync', summary: changes(1), messages: 1 }),
    entry({ result: 'failed', revision: 'r3', host: 'h1', trigger: 'watch-file', error: 'config rejected: x.yaml:1:1: bad' }),
  ];
  const s = statusOf(h, undefined);
  assert.equal(s.revision, 'r2');
  assert.equal(s.host, 'h1');
  assert.equal(s.appliedAt, h[2]!.time);
  assert.deepEqual(s.driftCorrections, { changes: 3, runs: 2, last: h[4]!.time });
  assert.deepEqual(s.lastRun, { time: h[5]!.time, result: 'failed', trigger: 'watch-file', revision: 'r3' });
  assert.deepEqual(s.lastError, { time: h[5]!.time, message: 'config rejected: x.yaml:1:1: bad', revision: 'r3' });
  assert.equal(s.pending, null);
  const text = renderStatus(s);
  assert.match(text, /^Revision: +r2 +\(host h1\)$/m);
  assert.match(text, /^Drift fixed: +3 changes in 2 runs since/m);
  assert.match(text, /^Last error: .*config rejected/m);
});

test('a run that changed nothing still puts its revision in force; a rollback does not', () => {
  const h = [
    entry({ result: 'applied', revision: 'r1', trigger: 'cli', summary: changes(1) }),
    entry({ result: 'rolled-back', revision: 'r2', trigger: 'cli', summary: changes(1), confirm: 'rolled-back', error: 'not confirmed (timeout); the previous state was put back' }),
    entry({ result: 'no-changes', revision: 'r3', trigger: 'watch-file' }),
  ];
  const s = statusOf(h, undefined);
  assert.equal(s.revision, 'r3');
  assert.equal(s.appliedAt, h[2]!.time);
  assert.equal(s.lastError?.message, 'not confirmed (timeout); the previous state was put back');
  assert.deepEqual(statusOf(h.slice(0, 2), undefined).revision, 'r1');
  const none = statusOf([], undefined);
  assert.equal(none.revision, null);
  assert.equal(none.lastRun, null);
  assert.match(renderStatus(none), /No runs recorded/);
});

test('recordRun writes entries the reader gives back; quiet runs of the same revision add nothing; foreign lines are skipped', () => {
  const store = new StateStore(tmp, namespaceIdentity(undefined), { create: true });
  const warn: string[] = [];
  const base = { configHash: 'h', summary: changes(0), durationMs: 1, messages: 0, revision: 'r1', host: 'h1' };
  recordRun(store, { ...base, result: 'no-changes', trigger: 'watch-start' }, (w) => warn.push(w));
  recordRun(store, { ...base, result: 'no-changes', trigger: 'watch-file' }, (w) => warn.push(w));
  recordRun(store, { ...base, result: 'applied', trigger: 'watch-drift', summary: changes(1), messages: 1 }, (w) => warn.push(w));
  recordRun(store, { ...base, result: 'failed', trigger: 'watch-file', error: 'line one\n  line two' }, (w) => warn.push(w));
  recordRun(store, { ...base, revision: 'r2', result: 'no-changes', trigger: 'watch-file' }, (w) => warn.push(w));
  // Valid JSON that is not an entry, and a torn line.
  appendFileSync(join(store.dir, 'history.jsonl'), '{"hello":"world"}\n[1,2]\n{"time":"x","result":"applied"}\n{"time":"20');
  const h = store.readHistory();
  assert.deepEqual(warn, []);
  assert.deepEqual(h.map((e) => [e.result, e.revision, e.trigger]), [
    ['no-changes', 'r1', 'watch-start'],
    ['applied', 'r1', 'watch-drift'],
    ['failed', 'r1', 'watch-file'],
    ['no-changes', 'r2', 'watch-file'],
  ]);
  assert.equal(h[2]!.error, 'line one; line two');
  assert.equal(h[0]!.host, 'h1');
  assert.ok(h[0]!.command?.startsWith('netrec'));
  assert.equal(store.warnings.length, 4, store.warnings.join('\n'));
  assert.equal(store.warnings.filter((w) => /not a history entry/.test(w)).length, 3);
  assert.equal(statusOf(h, undefined).revision, 'r2');
});
