// One `netrec apply`, from the config (or a saved plan) to the recorded
// result: load, lock the namespace, undo an unconfirmed change a killed
// apply left, read, plan, show the plan, write and verify (apply.ts), wait
// for a confirmation when asked (and put the previous state back without
// one), record the run in the namespace's history, and report how it ended.
// Stop signals end every phase with none of the run's change in place.
import { configHash } from '../config/fingerprint.js';
import { loadWithRevision } from '../config/revision.js';
import { UserError } from '../cli/errors.js';
import { netnsPath, openConnection } from '../kernel/namespace.js';
import { readState } from '../kernel/read.js';
import type { State } from '../model/types.js';
import type { Connection } from '../netlink/connection.js';
import { scopeOf } from '../plan/plan.js';
import { loadDesired, planFor, readActual as readActualState } from '../plan/prepare.js';
import type { ApplyReport, Phases } from '../plan/render/apply.js';
import { render, type Format, type Output } from '../plan/render/formats.js';
import { checkSavedNamespace, checkSavedPlan, openSavedPlan } from '../plan/saved.js';
import { changeCount, isEmpty, type Change, type Plan } from '../plan/types.js';
import { configReader, openStore } from '../state/access.js';
import { outcomeError, recordRun, type HistoryEntry } from '../state/history.js';
import { processStartTime, type Pending, type StateStore } from '../state/store.js';
import { applyPlan, type ApplyOutcome } from './apply.js';
import { describeRestore, predictAfter, recoverPending, restoreChange, scopedState, scopeToKeys, type ConfirmOutcome } from './confirm.js';
import { awaitConfirmation } from './confirm-wait.js';
import { lockNamespace } from './lock.js';
import { runProbes, type Probe } from './probes.js';
import { Progress } from './progress.js';
import { StopRequest, type StopSignal } from './stop.js';
import { ChangeWitness } from './witness.js';

/** An apply as the command line asked for it, its options parsed. */
export interface ApplyRequest {
  /** Config files or directories, or one saved plan. */
  configs: string[];
  /** --netns as given (a saved plan brings its own when none is). */
  netns?: string;
  host: string;
  dryRun: boolean;
  /** --confirm-timeout, ms. */
  confirmMs?: number;
  probes: Probe[];
  stateDir?: string;
  insecureConfig: boolean;
  format: Format;
  /** performance.now() when the command started. */
  started: number;
}

/** Run the apply; returns the exit status. Errors before any change throw (UserError, ConfigError, ...). */
export async function runApply(req: ApplyRequest, out: Output): Promise<number> {
  // Output is best-effort: the terminal may be gone (the SSH session died).
  const say = (text: string): void => {
    try {
      out.warn(text);
    } catch {
      // nowhere to say it
    }
  };
  // From here to the end, SIGHUP, SIGINT and SIGTERM only ask the run to stop.
  const stop = new StopRequest(say);
  try {
    return await applyUntilStopped(req, { ...out, warn: say }, stop);
  } finally {
    stop.finished();
  }
}

async function applyUntilStopped(req: ApplyRequest, out: Output, stop: StopRequest): Promise<number> {
  const { configs, started, confirmMs, probes, format } = req;
  const say = out.warn;
  // A plan saved by `plan --out` brings its own desired state (and revision), and the namespace it was made for.
  const saved = openSavedPlan(configs);
  const netns = req.netns ?? (saved ? (saved.body.namespace?.name ?? undefined) : undefined);
  const host = req.host;
  const { desired, revision } = saved
    ? { desired: saved.body.desired, revision: saved.body.revision ?? saved.checksum }
    : loadWithRevision(configs, host, () => loadDesired(configs, { ...configReader(req.insecureConfig), host }));
  const loaded = performance.now();
  const nsPath = netnsPath(netns);
  if (saved) checkSavedNamespace(configs[0]!, saved, nsPath, netns);
  // Checked before anything is locked or changed: an untrusted state directory stops the run.
  const store = req.dryRun ? undefined : openStore(req.stateDir, netns, { create: true });
  const lock = req.dryRun ? undefined : lockNamespace(nsPath);
  const conn = openConnection(netns);
  const readActual = () => readState(conn, { protocol: desired.policy.protocol });
  let witness: ChangeWitness | undefined;
  const report = (r: Omit<ApplyReport, 'plan' | 'durationMs' | 'phases'>, plan: Plan, phases: Phases): void => {
    render(format, 'apply', { plan, durationMs: performance.now() - started, phases, ...r }, out);
  };
  try {
    if (store) await recover(conn, store, netns, readActual, say);
    if (stop.requested) {
      say(`netrec: stopped by ${stop.signal} before any change of this run; nothing of it was written.\n`);
      return 1;
    }
    // Subscribed before the read, so it sees every change after it; our
    // sockets are all open first, so it knows every port our requests use.
    if (!req.dryRun) {
      conn.openLanes();
      witness = new ChangeWitness(nsPath, conn.portIds());
    }
    const before = await readActualState(conn, undefined, desired.policy.protocol);
    const read = performance.now();
    const plan = planFor(desired, before);
    if (saved) checkSavedPlan(configs[0]!, saved, { plan, actual: before });
    const phases: Phases = { start: started, load: loaded - started, read: read - loaded, plan: performance.now() - read };
    render(format, 'preview', { plan, desired }, out);
    const hash = configHash(configs, host);
    const record = (o: { result: string; messages: number; error?: string; confirm?: HistoryEntry['confirm'] }): void =>
      recordRun(
        store!,
        {
          configHash: hash,
          summary: plan.summary,
          durationMs: Math.round(performance.now() - started),
          revision,
          ...(desired.fleet ? { host: desired.fleet.host } : {}),
          trigger: 'cli',
          config: configs,
          ...o,
        },
        (w) => say(`netrec: warning: ${w}\n`),
      );
    if (req.dryRun || isEmpty(plan)) {
      // A run that changed nothing is history when it puts a new revision in force.
      if (!req.dryRun) record({ result: 'no-changes', messages: 0 });
      report({ result: isEmpty(plan) ? 'no-changes' : 'dry-run', messages: 0 }, plan, phases);
      return 0;
    }
    const probesBefore = probes.length > 0 ? await runProbes(nsPath, probes, 1000) : new Map<string, { ok: boolean }>();
    if (stop.requested) {
      report({ result: 'rolled-back', messages: 0 }, plan, phases);
      say(`netrec: stopped by ${stop.signal} before any change of this run; nothing of it was written.\n`);
      return 1;
    }
    // Only a confirm-timeout apply keeps the rollback scope up front (a key per object).
    const scope = confirmMs !== undefined ? scopeOf(plan) : undefined;
    let pending: Omit<Pending, 'version'> | undefined;
    if (scope) {
      // What the change touches, before and (until it can be read back) as planned.
      pending = {
        pid: process.pid,
        startTime: processStartTime(process.pid) ?? '',
        ns: store!.ns,
        created: new Date().toISOString(),
        deadline: Date.now() + confirmMs!,
        configHash: hash,
        scope: scopeToKeys(scope),
        before: scopedState(before, scope),
        after: predictAfter(before, plan, scope),
        afterRead: false,
      };
      store!.writePending(pending);
    }
    const progress = new Progress(process.stderr, changeCount(plan), !format.forPeople);
    const applying = performance.now();
    stop.phase = 'write';
    const outcome = await applyPlan(conn, desired, before, plan, {
      shouldStop: () => stop.requested,
      // A stop that comes once everything is written still undoes the change:
      // the run had not reported success, so it ends with none of it.
      undoWhenStoppedLate: confirmMs === undefined,
      onProgress: (done, total) => progress.update(done, total),
      readActual,
      witness,
    });
    phases.write = outcome.writeMs;
    phases.verify = performance.now() - applying - outcome.writeMs;
    witness?.close();
    witness = undefined;
    progress.finish();
    let confirm: ConfirmOutcome | undefined;
    if (pending && outcome.result === 'applied') {
      // As the change left them, read back: what a restore compares with.
      pending = { ...pending, after: scopedState(await readActual(), scope!), afterRead: true };
      store!.writePending(pending);
      // A signal that came while the change was being written or verified ends
      // the wait before it starts, as the same signal during the wait would.
      stop.phase = 'confirm';
      confirm = await awaitConfirmation({
        confirmMs: confirmMs!,
        store: store!,
        tty: process.stdin.isTTY ? process.stdin : undefined,
        netns,
        probes,
        probesBefore,
        runProbes: (ps, timeoutMs) => runProbes(nsPath, ps, timeoutMs),
        stopped: stop.signal,
        say,
      });
      await keepOrRollBack({ conn, store: store!, pending, readActual, confirm, outcome, stop, say });
    } else if (pending && outcome.rollbackLeft.length === 0) {
      // Put back (or nothing written): the saved state is no longer needed. A
      // rollback that left objects keeps it, for the next run to finish.
      store!.clearPending();
    }
    const error = confirm && confirm !== 'confirmed' ? `not confirmed (${confirm}); ${outcome.rollbackLeft.length ? outcomeError(outcome) : 'the previous state was put back'}` : outcomeError(outcome);
    record({
      result: outcome.result,
      messages: outcome.messages,
      ...(confirm ? { confirm: confirm === 'confirmed' ? 'confirmed' : 'rolled-back' } : {}),
      ...(error !== undefined ? { error } : {}),
    });
    report({ result: outcome.result, messages: outcome.messages, outcome }, plan, phases);
    if (!confirm || confirm === 'confirmed') reportFailures(outcome, started, stop.signal, say);
    return outcome.result === 'applied' ? 0 : 1;
  } finally {
    witness?.close();
    conn.close();
    lock?.release();
  }
}

interface KeepOrRollBack {
  conn: Connection;
  store: StateStore;
  pending: Omit<Pending, 'version'>;
  readActual: () => Promise<State>;
  confirm: ConfirmOutcome;
  outcome: ApplyOutcome;
  stop: StopRequest;
  say: (text: string) => void;
}

/**
 * After the wait of a confirm-timeout apply: keep the change when confirmed,
 * else put the saved state back (updating `outcome`).
 */
async function keepOrRollBack(x: KeepOrRollBack): Promise<void> {
  const { conn, store, pending, readActual, confirm, outcome, stop, say } = x;
  if (confirm === 'confirmed') {
    store.clearPending();
    say('Confirmed; the change stays.\n');
    return;
  }
  stop.signal ??= confirm === 'SIGHUP' || confirm === 'SIGINT' || confirm === 'SIGTERM' ? confirm : undefined;
  stop.phase = 'rollback';
  // Only the change is undone: what others changed meanwhile stays as it is now.
  const report = await restoreChange(conn, pending, readActual);
  const left = report.left;
  outcome.messages = conn.mutations;
  outcome.sysctlWrites = conn.sysctl.writes;
  if (left.length === 0) store.clearPending();
  outcome.result = left.length === 0 ? 'rolled-back' : 'failed';
  outcome.rollbackLeft = left;
  say(
    left.length > 0
      ? `netrec: not confirmed (${confirm}); rollback incomplete, ${left.length} objects could not be put back.\n`
      : report.changedSince.length === 0
        ? `netrec: not confirmed (${confirm}); the previous state is back and verified.\n`
        : `netrec: not confirmed (${confirm}); the change is undone and verified where it was still as it left it; ${report.changedSince.length} objects that others changed meanwhile stay as they are now.\n`,
  );
  for (const line of describeRestore(report)) say(`netrec: ${line}\n`);
}

/** A confirm-timeout apply that was killed left its change unconfirmed: undo it first (only what is still as it left it). */
async function recover(conn: Connection, store: StateStore, netns: string | undefined, readActual: () => Promise<State>, say: (text: string) => void): Promise<void> {
  const r = await recoverPending(conn, store, readActual);
  for (const w of store.warnings) say(`netrec: warning: ${w}\n`);
  if (!r) return;
  const who = `the apply that was waiting for confirmation (pid ${r.pending.pid}, started ${r.pending.created})`;
  if (r.waiting) {
    throw new UserError(`${who} is still running and waits for \`netrec confirm${netns ? ` --netns ${netns}` : ''}\`; confirm it or let it time out first. Nothing was done.`);
  }
  if (r.confirmed) {
    say(`netrec: ${who} is gone; its change was confirmed afterwards and stays.\n`);
    return;
  }
  const report = r.report!;
  if (report.left.length > 0) {
    for (const line of describeRestore(report)) say(`netrec: ${line}\n`);
    throw new UserError(`${who} is gone, and its unconfirmed change could not be fully undone; ${report.left.length} objects differ. Nothing else was done.`);
  }
  say(`netrec: ${who} is gone without a confirmation; undoing its change first (restored the state from before an unconfirmed change).\n`);
  for (const line of describeRestore(report)) say(`netrec: ${line}\n`);
}

function where(c: Change): string {
  return c.source ? ` (${c.source.file}:${c.source.line})` : '';
}

/** Why a run did not apply, on stderr whatever the output format: refusals, verification failures, what a rollback left. */
function reportFailures(o: ApplyOutcome, started: number, signal: StopSignal | undefined, say: (text: string) => void): void {
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  for (const r of o.refusals) {
    say(`netrec: the kernel refused to ${r.change.action} ${r.change.type} ${r.change.id}${where(r.change)}: ${r.error.message}\n`);
  }
  for (const m of o.mismatches.slice(0, 20)) say(`netrec: verification failed: ${m.detail}${m.change ? where(m.change) : ''}\n`);
  if (o.mismatches.length > 20) say(`netrec: ... and ${o.mismatches.length - 20} more objects differ from what was sent\n`);
  if (o.result === 'applied') return;
  if (o.result === 'rolled-back') {
    const why = o.interrupted ? (signal ? `interrupted by ${signal}` : 'interrupted') : o.refusals.length > 0 ? 'refused' : o.mismatches.length > 0 ? 'verification failed' : `not converged after ${o.rounds} rounds`;
    say(`netrec: ${why}; rolled back: every change of this run was put back as it was (${o.messages} netlink messages, ${secs}s).\n`);
    return;
  }
  if (o.unconverged.length > 0 && o.refusals.length === 0 && !o.interrupted && o.rollbackLeft.length === 0) {
    say(`netrec: the kernel did not converge after ${o.rounds} rounds; still pending:\n`);
    for (const c of o.unconverged.slice(0, 50)) say(`  ${c.action} ${c.type} ${c.id}${where(c)}\n`);
    return;
  }
  say(`netrec: ${signal ? `stopped by ${signal}; ` : ''}rollback incomplete; these could not be put back:\n`);
  for (const c of o.rollbackLeft.slice(0, 50)) say(`  ${c.action} ${c.type} ${c.id}\n`);
}
