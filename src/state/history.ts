// The history of a namespace (history.jsonl in its state folder): one line
// per run that changed something, failed, or put a new revision in force,
// written by `netrec apply` and `netrec watch` through recordRun alone.
import { userInfo } from 'node:os';
import type { ApplyOutcome } from '../apply/apply.js';
import type { StateStore } from './store.js';

/** What started a run: the command line, or watch on a config change, on drift in the kernel, or on its resync timer. */
export type HistoryTrigger = 'cli' | 'watch-start' | 'watch-file' | 'watch-drift' | 'watch-resync';

export interface HistoryEntry {
  time: string;
  configHash: string;
  summary: { create: number; update: number; replace: number; delete: number };
  /** applied | no-changes | rolled-back | failed */
  result: string;
  durationMs: number;
  messages: number;
  confirm?: 'confirmed' | 'rolled-back' | 'pending';
  /** The config's revision (config/revision.ts): a git commit or `sha256:...`. */
  revision?: string;
  /** In a fleet, the host whose view was applied. */
  host?: string;
  trigger?: HistoryTrigger;
  /** Why the run failed or was rolled back (the last error), one line. */
  error?: string;
  /** Who ran it and how. */
  user?: string;
  command?: string;
  /** The CONFIG arguments. */
  config?: string[];
}

/** A run as the caller knows it; time, user and command are filled in. */
export type RunRecord = Omit<HistoryEntry, 'time' | 'user' | 'command'>;

/** Whether a parsed line is an entry this netrec can show (older entries lack the newer, optional fields). */
export function isHistoryEntry(v: unknown): v is HistoryEntry {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const e = v as Record<string, unknown>;
  const s = e.summary as Record<string, unknown> | undefined;
  return (
    typeof e.time === 'string' &&
    typeof e.result === 'string' &&
    typeof e.configHash === 'string' &&
    typeof s === 'object' &&
    s !== null &&
    ['create', 'update', 'replace', 'delete'].every((k) => typeof s[k] === 'number') &&
    typeof e.durationMs === 'number' &&
    typeof e.messages === 'number'
  );
}

function who(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return process.getuid ? `uid ${process.getuid()}` : undefined;
  }
}

const MAX_COMMAND = 300;

/**
 * Append a run to the namespace's history. A run that changed nothing is
 * recorded only when it put another revision (or host) in force than the
 * last entry says: a cron'd apply or a quiet watch adds no lines. History is
 * a record, not a precondition: a failure to write it is passed to `warn`.
 */
export function recordRun(store: StateStore, run: RunRecord, warn: (message: string) => void): void {
  try {
    if (run.result === 'no-changes') {
      const last = store.readHistory().at(-1);
      if (last && last.revision === run.revision && last.host === run.host) return;
    }
    const command = ['netrec', ...process.argv.slice(2)].join(' ');
    const entry: HistoryEntry = {
      time: new Date().toISOString(),
      ...run,
      ...(who() !== undefined ? { user: who() } : {}),
      command: command.length > MAX_COMMAND ? `${command.slice(0, MAX_COMMAND)}...` : command,
    };
    if (entry.error !== undefined) entry.error = entry.error.replace(/\s*\n\s*/g, '; ');
    store.appendHistory(entry);
  } catch (e) {
    warn(`could not record this run in ${store.dir}: ${(e as Error).message}`);
  }
}

/** Why an apply did not end as applied, one line; undefined when it did. */
export function outcomeError(o: ApplyOutcome): string | undefined {
  if (o.result === 'applied' || o.result === 'no-changes') return undefined;
  const parts = [
    ...o.refusals.map((r) => `the kernel refused to ${r.change.action} ${r.change.type} ${r.change.id}: ${r.error.message}`),
    ...o.mismatches.map((m) => `verification failed: ${m.detail}`),
  ];
  if (o.rollbackLeft.length > 0) parts.push(`rollback incomplete: ${o.rollbackLeft.length} objects could not be put back`);
  if (parts.length > 0) return parts.join('; ');
  return o.interrupted ? 'interrupted' : o.unconverged.length > 0 ? `did not converge after ${o.rounds} rounds` : o.result;
}
