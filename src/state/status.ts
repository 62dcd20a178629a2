// Where a namespace stands, from its history and saved state (no kernel
// read): the revision in force and when it was applied, the last run's
// result, drift corrections since, a pending confirmation, the last error.
import type { HistoryEntry } from './history.js';
import { waiterAlive, type Pending } from './store.js';

export interface Status {
  /** The revision of the last run that succeeded (applied, or found nothing to change), and its host. */
  revision: string | null;
  host: string | null;
  /** When that revision was first put in force (the first successful run of it since another revision). */
  appliedAt: string | null;
  /** The last run: when, what started it, how it ended. */
  lastRun: { time: string; result: string; trigger: string | null; revision: string | null } | null;
  /** Changes made by watch to undo drift since the revision was applied, and in how many runs. */
  driftCorrections: { changes: number; runs: number; last: string | null };
  pending: { pid: number; created: string; deadline: string; waiting: boolean } | null;
  lastError: { time: string; message: string; revision: string | null } | null;
}

const OK = new Set(['applied', 'no-changes']);

/** The status a history and a pending record say (exported for tests). */
export function statusOf(history: HistoryEntry[], pending: Pending | undefined): Status {
  let current: HistoryEntry | undefined;
  let since = -1;
  history.forEach((e, i) => {
    if (!OK.has(e.result)) return;
    if (!current || e.revision !== current.revision || e.host !== current.host) since = i;
    current = e;
  });
  const last = history.at(-1);
  const drift = { changes: 0, runs: 0, last: null as string | null };
  if (since >= 0) {
    for (const e of history.slice(since + 1)) {
      if ((e.trigger !== 'watch-drift' && e.trigger !== 'watch-resync') || e.result !== 'applied') continue;
      const s = e.summary;
      const n = s.create + s.update + s.replace + s.delete;
      if (n === 0) continue;
      drift.changes += n;
      drift.runs++;
      drift.last = e.time;
    }
  }
  const failed = [...history].reverse().find((e) => e.error !== undefined || !OK.has(e.result));
  return {
    revision: current?.revision ?? null,
    host: current?.host ?? null,
    appliedAt: since >= 0 ? history[since]!.time : null,
    lastRun: last ? { time: last.time, result: last.result, trigger: last.trigger ?? null, revision: last.revision ?? null } : null,
    driftCorrections: drift,
    pending: pending ? { pid: pending.pid, created: pending.created, deadline: new Date(pending.deadline).toISOString(), waiting: waiterAlive(pending) } : null,
    lastError: failed ? { time: failed.time, message: failed.error ?? failed.result, revision: failed.revision ?? null } : null,
  };
}
