// netrec plan: what apply would change, as text, JSON or a unified diff.
import type { Command } from 'commander';
import { renderDiff } from '../plan/render/diff.js';
import { writePlanJson } from '../plan/render/json.js';
import { renderText } from '../plan/render/text.js';
import { isEmpty } from '../plan/types.js';
import { ConfigError, problemsJson, type Warning } from '../config/errors.js';
import { warnOnStderr } from '../config/load.js';
import { hostOf, hostOption, openConnection, runCommand, useColor, UserError } from './common.js';
import { loadDesired, planFor, readActual } from './prepare.js';
import { saveFor } from './saved-plan.js';
import { loadWithRevision } from '../config/revision.js';

interface PlanOpts {
  netns?: string;
  host?: string;
  fromState?: string;
  output: string;
  detailedExitcode?: boolean;
  full?: boolean;
  out?: string;
}

export function register(program: Command): void {
  program
    .command('plan')
    .summary('show the changes apply would make, without making them')
    .description(
      'Compare CONFIG with the live kernel state (or a snapshot from `netrec show -o json`) and ' +
        'print the changes: + create, ~ update (old -> new), - delete, -/+ replace. With ' +
        '--from-state no privileges are needed, so CI can review a change for a host it cannot reach.',
    )
    .argument('<config...>', 'config files or directories')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--from-state <file>', 'plan against a snapshot written by `netrec show -o json`')
    .option('-o, --output <format>', 'text, json or diff', 'text')
    .option('--full', 'list every change (text); without it, more than 50 changes of one kind are counted on one line')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when changes are pending, 1 on error')
    .option('--out <file>', 'also save the plan to FILE, for `netrec apply FILE` to apply exactly it (also spelled -out)')
    .addOption(hostOption())
    .addHelpText(
      'after',
      '\nExamples:\n  netrec plan site.yaml\n  netrec plan site.yaml --netns edge1 -o diff\n' +
        '  netrec show -o json > state.json; netrec plan site.yaml --from-state state.json --detailed-exitcode',
    )
    .action((configs: string[], opts: PlanOpts) =>
      runCommand(async () => {
        if (!['text', 'json', 'diff'].includes(opts.output)) throw new UserError(`unknown output format "${opts.output}" (text, json or diff)`);
        if (opts.fromState && opts.netns) throw new UserError('--from-state and --netns exclude each other');
        const host = hostOf(opts);
        // With -o json, config problems go to stdout as JSON too (for CI annotations), and warnings with them.
        const json = opts.output === 'json';
        const warnings: Warning[] = [];
        const asJson = (e: unknown): number => {
          if (!json || !(e instanceof ConfigError)) throw e;
          process.stdout.write(problemsJson(e.problems, warnings));
          return 1;
        };
        const load = () => loadDesired(configs, { host, warn: (w) => (warnings.push(w), warnOnStderr(w)) });
        let desired, revision;
        try {
          // A saved plan records the revision it was made from, for apply's history.
          ({ desired, revision } = opts.out !== undefined ? loadWithRevision(configs, host, load) : { desired: load(), revision: undefined });
        } catch (e) {
          return asJson(e);
        }
        const conn = opts.fromState ? undefined : openConnection(opts.netns);
        try {
          let actual, plan;
          try {
            actual = await readActual(conn, opts.fromState, desired.policy.protocol);
            plan = planFor(desired, actual);
          } catch (e) {
            return asJson(e);
          }
          if (opts.output === 'json') writePlanJson((s) => process.stdout.write(s), plan, {}, 2);
          else if (opts.output === 'diff') process.stdout.write(renderDiff(plan, actual, desired));
          else process.stdout.write(renderText(plan, { color: useColor(process.stdout), full: opts.full, tables: desired.tables, protocol: desired.policy.protocol }));
          if (opts.out !== undefined) saveFor(opts.out, { configs, desired, actual, plan, netns: opts.netns, fromState: Boolean(opts.fromState), revision }, opts.output === 'text');
          return opts.detailedExitcode && !isEmpty(plan) ? 2 : 0;
        } finally {
          conn?.close();
        }
      }),
    );
}
