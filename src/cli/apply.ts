// netrec apply: make the kernel match the config, all or nothing.
import type { Command } from 'commander';
import { applyPlan, type ApplyOutcome } from '../apply/apply.js';
import { describeRestore, predictAfter, recoverPending, restoreChange, scopedState, scopeToKeys, waitForConfirmation, type ConfirmOutcome } from '../apply/confirm.js';
import { lockNamespace } from '../apply/lock.js';
import { ChangeWitness } from '../apply/witness.js';
import { parseProbe, runProbes, type Probe } from '../apply/probes.js';
import { readState } from '../kernel/read.js';
import type { Desired, State } from '../model/types.js';
import type { Connection } from '../netlink/connection.js';
import { processStartTime, type Pending, type StateStore } from '../state/store.js';
import { scopeOf } from '../plan/plan.js';
import { configHash } from '../config/fingerprint.js';
import { loadWithRevision } from '../config/revision.js';
import { outcomeError, recordRun, type HistoryEntry } from '../state/history.js';
import { openStore, configReader } from './state.js';
import { writePlanJson } from '../plan/render/json.js';
import { renderText } from '../plan/render/text.js';
import { changeCount, isEmpty, planChanges, type Change, type Plan } from '../plan/types.js';
import { hostOf, hostOption, netnsPath, openConnection, parseDuration, runCommand, useColor, UserError } from './common.js';
import { DEFAULT_STATE_DIR } from '../state/store.js';
import { loadDesired, planFor, readActual as readActualState } from './prepare.js';
import { Progress } from './progress.js';
import { checkSavedNamespace, checkSavedPlan, openSavedPlan } from './saved-plan.js';

interface ApplyOpts {
  netns?: string;
  host?: string;
  dryRun?: boolean;
  output: string;
  confirmTimeout?: string;
  probe: string[];
  stateDir?: string;
  insecureConfig?: boolean;
}

/** Signals that stop an apply: whatever phase it is in, it ends with none of its change in place. */
const STOP_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];

/** Plans longer than this are abbreviated in apply's output (`netrec plan` prints them whole). */
const MAX_PLAN_LINES = 200;

export function register(program: Command): void {
  program
    .command('apply')
    .summary('make the kernel match the config: minimal, ordered, all or nothing')
    .description(
      'Plan as `netrec plan` does, then apply the changes in batches, checking every kernel ' +
        'acknowledgement, and verify the result against what the plan intended. If the kernel refuses ' +
        'any change, holds something other than what was sent, or the run gets SIGHUP, SIGINT (Ctrl-C) ' +
        'or SIGTERM, every change of the run is put back as it was and the exit status is 1. ' +
        'Only one netrec at a time changes a namespace; a second one exits 1 naming the holder.',
    )
    .argument('<config...>', 'config files or directories, or one plan saved by `netrec plan --out FILE`')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--dry-run', 'print the plan and change nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--confirm-timeout <duration>', 'keep the change only if `netrec confirm` (or y on this terminal) comes within DURATION; otherwise, or on SIGHUP/SIGINT/SIGTERM, put the previous state back')
    .option('--probe <probe>', 'with --confirm-timeout: ping:ADDRESS or tcp:HOST:PORT that must pass after the change (repeatable; only probes that passed before count)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--state-dir <dir>', 'where pending confirmations and history are kept', DEFAULT_STATE_DIR)
    .option('--insecure-config', 'accept config files that users other than root could have written')
    .addOption(hostOption())
    .addHelpText(
      'after',
      '\nExamples:\n  netrec apply site.yaml\n  netrec apply /etc/netrec/ --netns edge1 -o json\n  netrec apply site.yaml --dry-run\n' +
        '  netrec apply site.yaml --confirm-timeout 60s --probe ping:192.0.2.1   # on a remote host: lose SSH, get the old network back',
    )
    .action((configs: string[], opts: ApplyOpts) => runCommand(() => apply(configs, opts)));
}

async function apply(configs: string[], opts: ApplyOpts): Promise<number> {
  if (opts.output !== 'text' && opts.output !== 'json') throw new UserError(`unknown output format "${opts.output}" (text or json)`);
  const started = performance.now();
  const json = opts.output === 'json';
  // From here to the end, SIGHUP (the SSH session died), SIGINT and SIGTERM
  // only ask the run to stop: what it wrote is put back (never half a
  // change), and a second signal does not interrupt that rollback.
  const stop = new StopRequest();
  try {
    return await applyUntilStopped(configs, opts, started, json, stop);
  } finally {
    stop.finished();
  }
}

/** Records the first stop signal; output errors (a terminal that went away with the SSH session) never end the run. */
class StopRequest {
  signal: StopSignal | undefined;
  /** What the run is doing, for the message a signal gets. */
  phase: 'prepare' | 'write' | 'confirm' | 'rollback' | 'done' = 'prepare';
  private readonly handlers = STOP_SIGNALS.map((sig) => [sig, () => this.on(sig)] as const);
  private readonly ignore = (): void => undefined;

  constructor() {
    for (const [sig, h] of this.handlers) process.on(sig, h);
    // The command line's own handlers end the process on a closed pipe and
    // throw on other output errors (EIO from a terminal that went away with
    // the SSH session): either would cut a rollback short. Output is
    // best-effort from here on; the work is not.
    for (const stream of [process.stdout, process.stderr]) {
      stream.removeAllListeners('error');
      stream.on('error', this.ignore);
    }
  }

  get requested(): boolean {
    return this.signal !== undefined;
  }

  private on(sig: StopSignal): void {
    // The confirm wait has its own handlers and says what it does; once the
    // run has ended, its result stands and the process is on its way out.
    if (this.phase === 'confirm' || this.phase === 'done') return;
    if (this.signal !== undefined) {
      say(`\nnetrec: ${sig} again; still putting back what this run changed (it is not interrupted)\n`);
      return;
    }
    this.signal = sig;
    say(
      this.phase === 'prepare'
        ? `\nnetrec: ${sig}; stopping before any change\n`
        : `\nnetrec: ${sig}; stopping and putting back what this run changed\n`,
    );
  }

  /**
   * The run has ended: its exit status stands. The handlers stay (they do
   * not keep the process alive), so a signal between here and the exit
   * cannot kill it with another status.
   */
  finished(): void {
    this.phase = 'done';
  }
}

/** Write to stderr, never throwing: the terminal may be gone. */
function say(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // nowhere to say it
  }
}

async function applyUntilStopped(configs: string[], opts: ApplyOpts, started: number, json: boolean, stop: StopRequest): Promise<number> {
  // A plan saved by `plan --out` brings its own desired state (and revision), and the namespace it was made for.
  const saved = openSavedPlan(configs);
  if (saved && opts.netns === undefined) opts.netns = saved.body.namespace?.name ?? undefined;
  const host = hostOf(opts);
  const { desired, revision } = saved
    ? { desired: saved.body.desired, revision: saved.body.revision ?? saved.checksum }
    : loadWithRevision(configs, host, () => loadDesired(configs, { ...configReader(Boolean(opts.insecureConfig)), host }));
  const loaded = performance.now();
  const confirmMs = opts.confirmTimeout !== undefined ? parseDuration(opts.confirmTimeout, { option: '--confirm-timeout', minMs: 1000 }) : undefined;
  const probes: Probe[] = opts.probe.map((p) => {
    try {
      return parseProbe(p);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
  });
  if (probes.length > 0 && confirmMs === undefined) throw new UserError('--probe needs --confirm-timeout (the time the probes have to pass)');
  const nsPath = netnsPath(opts.netns);
  if (saved) checkSavedNamespace(configs[0]!, saved, nsPath, opts.netns);
  // Checked before anything is locked or changed: an untrusted state directory stops the run.
  const store = opts.dryRun ? undefined : openStore(opts.stateDir, opts.netns, { create: true });
  const lock = opts.dryRun ? undefined : lockNamespace(nsPath);
  const conn = openConnection(opts.netns);
  const readActual = () => readState(conn, { protocol: desired.policy.protocol });
  let witness: ChangeWitness | undefined;
  try {
    if (store) await recover(conn, store, opts.netns, readActual);
    if (stop.requested) {
      say(`netrec: stopped by ${stop.signal} before any change of this run; nothing of it was written.\n`);
      return 1;
    }
    // Subscribed before the read, so it sees every change after it; our
    // sockets are all open first, so it knows every port our requests use.
    if (!opts.dryRun) {
      conn.openLanes();
      witness = new ChangeWitness(nsPath, conn.portIds());
    }
    const before = await readActualState(conn, undefined, desired.policy.protocol);
    const read = performance.now();
    const plan = planFor(desired, before);
    if (saved) checkSavedPlan(configs[0]!, saved, { plan, actual: before });
    const phases: Phases = { start: started, load: loaded - started, read: read - loaded, plan: performance.now() - read };
    if (!json) printPlan(plan, desired);
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
    if (opts.dryRun || isEmpty(plan)) {
      // A run that changed nothing is history when it puts a new revision in force.
      if (!opts.dryRun) record({ result: 'no-changes', messages: 0 });
      if (json) printJson(plan, { result: isEmpty(plan) ? 'no-changes' : 'dry-run', messages: 0 }, started, phases);
      else if (opts.dryRun && !isEmpty(plan)) process.stdout.write('Dry run: nothing was changed.\n');
      return 0;
    }
    const probesBefore = probes.length > 0 ? await runProbes(nsPath, probes, 1000) : new Map<string, { ok: boolean }>();
    if (stop.requested) {
      if (json) printJson(plan, { result: 'rolled-back', messages: 0 }, started, phases);
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
    const progress = new Progress(process.stderr, changeCount(plan), json);
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
      confirm = await confirmOrRollBack({ conn, store: store!, pending, readActual, probes, probesBefore, nsPath, netns: opts.netns, confirmMs: confirmMs!, outcome, stop });
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
    if (json) printJson(plan, { result: outcome.result, messages: outcome.messages }, started, phases, outcome);
    if (!confirm || confirm === 'confirmed') printOutcome(plan, outcome, started, stop.signal, json);
    return outcome.result === 'applied' ? 0 : 1;
  } finally {
    witness?.close();
    conn.close();
    lock?.release();
  }
}

interface ConfirmContext {
  conn: Connection;
  store: StateStore;
  pending: Omit<Pending, 'version'>;
  readActual: () => Promise<State>;
  probes: Probe[];
  probesBefore: Map<string, { ok: boolean }>;
  nsPath: string | undefined;
  netns: string | undefined;
  confirmMs: number;
  outcome: ApplyOutcome;
  stop: StopRequest;
}

/**
 * After a confirm-timeout apply: wait for `netrec confirm`, `y`, or the
 * probes; keep the change when confirmed, else put the saved state back
 * (updating `outcome`). Returns how it ended.
 */
async function confirmOrRollBack(x: ConfirmContext): Promise<ConfirmOutcome> {
  const { conn, store, pending, readActual, probes, probesBefore, nsPath, confirmMs, outcome, stop } = x;
  const counted = probes.filter((p) => probesBefore.get(p.text)?.ok);
  if (probes.length > 0 && counted.length === 0) process.stderr.write('netrec: no probe passed before the change; waiting for a manual confirmation instead\n');
  for (const p of probes) if (!probesBefore.get(p.text)?.ok) process.stderr.write(`netrec: probe ${p.text} already failed before the change; it does not count\n`);
  const stdin = process.stdin.isTTY ? process.stdin : undefined;
  const secs = Math.round(confirmMs / 1000);
  process.stderr.write(
    `Applied; keeping it only if confirmed within ${secs}s: run \`netrec confirm${x.netns ? ` --netns ${x.netns}` : ''}\`${stdin ? ' or type y and Enter here' : ''}.` +
      `${counted.length ? ` Probes must pass: ${counted.map((p) => p.text).join(', ')}.` : ''}\n`,
  );
  // With probes the rollout is unattended: all counted probes passing confirms it.
  let failing: [string, { ok: boolean; detail: string }][] = [];
  // A signal that came while the change was being written or verified ends
  // the wait before it starts, as the same signal during the wait would.
  stop.phase = 'confirm';
  let confirm: ConfirmOutcome = stop.signal ?? await waitForConfirmation({
    deadline: Date.now() + confirmMs,
    store,
    tty: stdin,
    check: counted.length
      ? async () => {
          failing = [...(await runProbes(nsPath, counted, 500)).entries()].filter(([, r]) => !r.ok);
          return failing.length === 0 ? 'confirmed' : undefined;
        }
      : undefined,
  });
  if (confirm === 'timeout' && counted.length > 0) {
    confirm = 'probe-failed';
    for (const [t, r] of failing) process.stderr.write(`netrec: probe ${t} fails after the change: ${r.detail}\n`);
  }
  if (confirm === 'confirmed') {
    store.clearPending();
    process.stderr.write('Confirmed; the change stays.\n');
  } else {
    stop.signal ??= confirm === 'SIGHUP' || confirm === 'SIGINT' || confirm === 'SIGTERM' ? confirm : undefined;
    stop.phase = 'rollback';
    // Only the change is undone: what others changed meanwhile stays as it is now.
    const report = await restoreChange(conn, pending, readActual);
    const left = report.left;
    outcome.messages = conn.mutations;
    if (left.length === 0) store.clearPending();
    outcome.result = left.length === 0 ? 'rolled-back' : 'failed';
    outcome.rollbackLeft = left;
    process.stderr.write(
      left.length > 0
        ? `netrec: not confirmed (${confirm}); rollback incomplete, ${left.length} objects could not be put back.\n`
        : report.changedSince.length === 0
          ? `netrec: not confirmed (${confirm}); the previous state is back and verified.\n`
          : `netrec: not confirmed (${confirm}); the change is undone and verified where it was still as it left it; ${report.changedSince.length} objects that others changed meanwhile stay as they are now.\n`,
    );
    for (const line of describeRestore(report)) process.stderr.write(`netrec: ${line}\n`);
  }
  return confirm;
}

/** A confirm-timeout apply that was killed left its change unconfirmed: undo it first (only what is still as it left it). */
async function recover(conn: Connection, store: StateStore, netns: string | undefined, readActual: () => Promise<State>): Promise<void> {
  const r = await recoverPending(conn, store, readActual);
  for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
  if (!r) return;
  const who = `the apply that was waiting for confirmation (pid ${r.pending.pid}, started ${r.pending.created})`;
  if (r.waiting) {
    throw new UserError(`${who} is still running and waits for \`netrec confirm${netns ? ` --netns ${netns}` : ''}\`; confirm it or let it time out first. Nothing was done.`);
  }
  if (r.confirmed) {
    process.stderr.write(`netrec: ${who} is gone; its change was confirmed afterwards and stays.\n`);
    return;
  }
  const report = r.report!;
  if (report.left.length > 0) {
    for (const line of describeRestore(report)) process.stderr.write(`netrec: ${line}\n`);
    throw new UserError(`${who} is gone, and its unconfirmed change could not be fully undone; ${report.left.length} objects differ. Nothing else was done.`);
  }
  process.stderr.write(`netrec: ${who} is gone without a confirmation; undoing its change first (restored the state from before an unconfirmed change).\n`);
  for (const line of describeRestore(report)) process.stderr.write(`netrec: ${line}\n`);
}

function printPlan(plan: Plan, desired: Desired): void {
  const opts = { color: useColor(process.stdout), tables: desired.tables, protocol: desired.policy.protocol };
  const total = changeCount(plan);
  if (total <= MAX_PLAN_LINES) {
    process.stdout.write(renderText(plan, opts));
    return;
  }
  // Render only the head, then the real summary: a 100,000-line plan is for `netrec plan`.
  const head: Plan = { stages: [planChanges(plan, MAX_PLAN_LINES)], summary: plan.summary };
  const text = renderText(head, opts);
  const lines = text.trimEnd().split('\n');
  const summaryAt = lines.findIndex((l) => l.includes('Plan:'));
  const body = summaryAt >= 0 ? lines.slice(0, summaryAt) : lines;
  process.stdout.write(`${body.join('\n')}\n  ... and ${total - MAX_PLAN_LINES} more changes (\`netrec plan\` lists them all)\n${lines.slice(summaryAt).join('\n')}\n`);
}

function where(c: Change): string {
  return c.source ? ` (${c.source.file}:${c.source.line})` : '';
}

/** The outcome for people: the summary line on stdout (text mode), failures on stderr (both modes). */
function printOutcome(plan: Plan, o: ApplyOutcome, started: number, signal: StopSignal | undefined, json: boolean): void {
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  const s = plan.summary;
  for (const r of o.refusals) {
    say(`netrec: the kernel refused to ${r.change.action} ${r.change.type} ${r.change.id}${where(r.change)}: ${r.error.message}\n`);
  }
  for (const m of o.mismatches.slice(0, 20)) say(`netrec: verification failed: ${m.detail}${m.change ? where(m.change) : ''}\n`);
  if (o.mismatches.length > 20) say(`netrec: ... and ${o.mismatches.length - 20} more objects differ from what was sent\n`);
  if (o.result === 'applied') {
    const rounds = o.rounds > 1 ? `, ${o.rounds} rounds to converge` : '';
    if (!json) {
      process.stdout.write(
        `Applied: ${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted in ${secs}s (${o.messages} netlink messages${rounds}).\n`,
      );
    }
    return;
  }
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

/**
 * Where the time of a run went, ms: process start-up until the command
 * ran, loading the config, reading the kernel (lock and recovery
 * included), planning, then executing the changes (rollback included) and
 * verifying them. Confirmation waits are not in it.
 */
interface Phases {
  start: number;
  load: number;
  read: number;
  plan: number;
  write?: number;
  verify?: number;
}

function printJson(plan: Plan, extra: { result: string; messages: number }, started: number, phases: Phases, o?: ApplyOutcome): void {
  const tail: Record<string, unknown> = { messages: extra.messages, durationMs: Math.round(performance.now() - started), result: extra.result };
  tail.phasesMs = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Math.round(v)]));
  if (o && (o.refusals.length > 0 || o.mismatches.length > 0)) {
    tail.errors = [
      ...o.refusals.map((r) => ({
        action: r.change.action,
        type: r.change.type,
        id: r.change.id,
        source: r.change.source ? `${r.change.source.file}:${r.change.source.line}` : null,
        message: r.error.message,
      })),
      ...o.mismatches.map((m) => ({
        action: m.change?.action ?? null,
        type: m.type,
        id: m.id,
        source: m.change?.source ? `${m.change.source.file}:${m.change.source.line}` : null,
        message: `verification failed: ${m.detail}`,
      })),
    ];
  }
  writePlanJson((s) => process.stdout.write(s), plan, tail);
}
