// netrec status: where a namespace stands, from its history and saved state
// (no kernel read): the revision in force and when it was applied, the last
// run's result, drift corrections since, a pending confirmation, the last error.
import type { Command } from 'commander';
import type { HistoryEntry } from '../state/history.js';
import { DEFAULT_STATE_DIR, waiterAlive, type Pending } from '../state/store.js';
import { netnsPath, runCommand, UserError } from './common.js';
import { openStore } from './state.js';

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

export function renderStatus(s: Status): string {
  const lines: string[] = [];
  if (s.revision === null && s.lastRun === null) lines.push('No runs recorded (apply and watch record theirs).');
  else {
    lines.push(`Revision:     ${s.revision ?? '(none succeeded)'}${s.host ? `  (host ${s.host})` : ''}`);
    if (s.appliedAt) lines.push(`Applied:      ${s.appliedAt}`);
    if (s.lastRun) lines.push(`Last run:     ${s.lastRun.time}  ${s.lastRun.result}${s.lastRun.trigger ? `  (${s.lastRun.trigger})` : ''}`);
    lines.push(`Drift fixed:  ${s.driftCorrections.changes} changes in ${s.driftCorrections.runs} runs since${s.driftCorrections.last ? `, last ${s.driftCorrections.last}` : ''}`);
  }
  if (s.pending) {
    lines.push(
      s.pending.waiting
        ? `Pending:      an apply (pid ${s.pending.pid}) waits for \`netrec confirm\` until ${s.pending.deadline}`
        : `Pending:      the apply that waited for confirmation (pid ${s.pending.pid}, ${s.pending.created}) is gone; the next apply or watch undoes its change`,
    );
  } else lines.push('Pending:      nothing awaits confirmation');
  lines.push(`Last error:   ${s.lastError ? `${s.lastError.time}  ${s.lastError.message}` : 'none'}`);
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('status')
    .summary('what a namespace runs: revision, when applied, result, drift fixed, pending confirmation, last error')
    .description(
      "Report a namespace's state as netrec's own records tell it, without reading the kernel: the " +
        'revision of the config in force (git commit or sha256 content hash) and when it was applied, the ' +
        'last run and its result, the drift corrections watch made since, an apply waiting for confirmation, ' +
        'and the last error.',
    )
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--state-dir <dir>', 'where history and pending confirmations are kept', DEFAULT_STATE_DIR)
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText('after', '\nExamples:\n  netrec status\n  netrec status --netns edge1 -o json')
    .action((opts: { netns?: string; stateDir: string; output: string }) =>
      runCommand(async () => {
        if (opts.output !== 'text' && opts.output !== 'json') throw new UserError(`unknown output format "${opts.output}" (text or json)`);
        if (opts.netns?.includes('/')) netnsPath(opts.netns);
        const store = openStore(opts.stateDir, opts.netns);
        const s = statusOf(store.readHistory(), store.readPending());
        for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
        process.stdout.write(opts.output === 'json' ? JSON.stringify(s, null, 2) + '\n' : renderStatus(s));
        return 0;
      }),
    );
}
