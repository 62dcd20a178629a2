// netrec apply: make the kernel match the config, all or nothing.
import type { Command } from 'commander';
import { applyPlan, type ApplyOutcome } from '../apply/apply.js';
import { lockNamespace } from '../apply/lock.js';
import { planToJson, renderText } from '../plan/render/index.js';
import { isEmpty, planChanges, type Change, type Plan } from '../plan/types.js';
import { netnsPath, openConnection, runCommand, useColor, UserError } from './common.js';
import { loadDesired, planFor, readActual } from './prepare.js';
import { Progress } from './progress.js';

interface ApplyOpts {
  netns?: string;
  dryRun?: boolean;
  output: string;
}

/** Plans longer than this are abbreviated in apply's output (`netrec plan` prints them whole). */
const MAX_PLAN_LINES = 200;

export function register(program: Command): void {
  program
    .command('apply')
    .summary('make the kernel match the config: minimal, ordered, all or nothing')
    .description(
      'Plan as `netrec plan` does, then apply the changes in batches, checking every kernel\n' +
        'acknowledgement, and verify the result. If the kernel refuses any change (or you press\n' +
        'Ctrl-C), every change of the run is put back as it was and the exit status is 1.\n' +
        'Only one netrec at a time changes a namespace; a second one exits 1 naming the holder.',
    )
    .argument('<config...>', 'config files or directories')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--dry-run', 'print the plan and change nothing')
    .option('-o, --output <format>', 'text or json', 'text')
    .addHelpText('after', '\nExamples:\n  netrec apply site.yaml\n  netrec apply /etc/netrec/ --netns edge1 -o json\n  netrec apply site.yaml --dry-run')
    .action((configs: string[], opts: ApplyOpts) => runCommand(() => apply(configs, opts)));
}

async function apply(configs: string[], opts: ApplyOpts): Promise<number> {
  if (opts.output !== 'text' && opts.output !== 'json') throw new UserError(`unknown output format "${opts.output}" (text or json)`);
  const started = performance.now();
  const json = opts.output === 'json';
  const desired = loadDesired(configs);
  const nsPath = netnsPath(opts.netns);
  const lock = opts.dryRun ? undefined : lockNamespace(nsPath);
  const conn = openConnection(opts.netns);
  let stopRequested = false;
  const onSignal = (): void => {
    if (stopRequested) return;
    stopRequested = true;
    process.stderr.write('\nnetrec: interrupted; stopping and putting back what this run changed\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const before = await readActual(conn, undefined, desired.policy.protocol);
    const plan = planFor(desired, before);
    if (!json) printPlan(plan);
    if (opts.dryRun || isEmpty(plan)) {
      if (json) printJson(plan, { result: isEmpty(plan) ? 'no-changes' : 'dry-run', messages: 0 }, started);
      else if (opts.dryRun && !isEmpty(plan)) process.stdout.write('Dry run: nothing was changed.\n');
      return 0;
    }
    const progress = new Progress(process.stderr, planChanges(plan).length, json);
    const outcome = await applyPlan(conn, desired, before, plan, {
      shouldStop: () => stopRequested,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    if (json) printJson(plan, { result: outcome.result, messages: outcome.messages }, started, outcome);
    else printOutcome(plan, outcome, started);
    return outcome.result === 'applied' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    conn.close();
    lock?.release();
  }
}

function printPlan(plan: Plan): void {
  const text = renderText(plan, { color: useColor(process.stdout) });
  const lines = text.split('\n');
  if (lines.length <= MAX_PLAN_LINES + 2) {
    process.stdout.write(text);
    return;
  }
  const head = lines.slice(0, MAX_PLAN_LINES);
  const summary = lines.filter((l) => l.startsWith('Plan:')).join('\n');
  const more = planChanges(plan).length - MAX_PLAN_LINES;
  process.stdout.write(`${head.join('\n')}\n  ... and ${more} more changes (\`netrec plan\` lists them all)\n${summary}\n`);
}

function where(c: Change): string {
  return c.source ? ` (${c.source.file}:${c.source.line})` : '';
}

function printOutcome(plan: Plan, o: ApplyOutcome, started: number): void {
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  const s = plan.summary;
  for (const r of o.refusals) {
    process.stderr.write(`netrec: the kernel refused to ${r.change.action} ${r.change.type} ${r.change.id}${where(r.change)}: ${r.error.message}\n`);
  }
  if (o.result === 'applied') {
    const rounds = o.rounds > 1 ? `, ${o.rounds} rounds to converge` : '';
    process.stdout.write(
      `Applied: ${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted in ${secs}s (${o.messages} netlink messages${rounds}).\n`,
    );
    return;
  }
  if (o.result === 'rolled-back') {
    const why = o.interrupted ? 'interrupted' : 'refused';
    process.stderr.write(`netrec: ${why}; rolled back: every change of this run was put back as it was (${o.messages} netlink messages, ${secs}s).\n`);
    return;
  }
  if (o.unconverged.length > 0 && o.refusals.length === 0 && !o.interrupted) {
    process.stderr.write(`netrec: the kernel did not converge after ${o.rounds} rounds; still pending:\n`);
    for (const c of o.unconverged.slice(0, 50)) process.stderr.write(`  ${c.action} ${c.type} ${c.id}${where(c)}\n`);
    return;
  }
  process.stderr.write(`netrec: rollback incomplete; these could not be put back:\n`);
  for (const c of o.rollbackLeft.slice(0, 50)) process.stderr.write(`  ${c.action} ${c.type} ${c.id}\n`);
}

function printJson(plan: Plan, extra: { result: string; messages: number }, started: number, o?: ApplyOutcome): void {
  const body: Record<string, unknown> = { ...planToJson(plan), messages: extra.messages, durationMs: Math.round(performance.now() - started), result: extra.result };
  if (o && o.refusals.length > 0) {
    body.errors = o.refusals.map((r) => ({
      action: r.change.action,
      type: r.change.type,
      id: r.change.id,
      source: r.change.source ? `${r.change.source.file}:${r.change.source.line}` : null,
      message: r.error.message,
    }));
  }
  process.stdout.write(JSON.stringify(body) + '\n');
}
