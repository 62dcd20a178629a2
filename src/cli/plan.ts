// netrec plan: what apply would change, as text, JSON or a unified diff.
import type { Command } from 'commander';
import { formatFor, render } from '../plan/render/formats.js';
import { isEmpty } from '../plan/types.js';
import { ConfigError, type Warning } from '../config/errors.js';
import { warnOnStderr } from '../config/load.js';
import { hostOf, hostOption, openConnection, outputOption, runCommand, stdOutput, UserError } from './common.js';
import { loadDesired, planFor, readActual } from '../plan/prepare.js';
import { saveFor } from '../plan/saved.js';
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
    .addOption(outputOption('plan', 'text'))
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
        const format = formatFor('plan', opts.output);
        if (opts.fromState && opts.netns) throw new UserError('--from-state and --netns exclude each other');
        const host = hostOf(opts);
        const out = stdOutput();
        // Config problems go to stdout as a document where the format has one (-o json, for CI annotations), warnings with them.
        const warnings: Warning[] = [];
        const asDocument = (e: unknown): number => {
          if (!(e instanceof ConfigError) || !render(format, 'problems', { problems: e.problems, warnings }, out)) throw e;
          return 1;
        };
        const load = () => loadDesired(configs, { host, warn: (w) => (warnings.push(w), warnOnStderr(w)) });
        let desired, revision;
        try {
          // A saved plan records the revision it was made from, for apply's history.
          ({ desired, revision } = opts.out !== undefined ? loadWithRevision(configs, host, load) : { desired: load(), revision: undefined });
        } catch (e) {
          return asDocument(e);
        }
        const conn = opts.fromState ? undefined : openConnection(opts.netns);
        try {
          let actual, plan;
          try {
            actual = await readActual(conn, opts.fromState, desired.policy.protocol);
            plan = planFor(desired, actual);
          } catch (e) {
            return asDocument(e);
          }
          render(format, 'plan', { plan, actual, desired, full: opts.full }, out);
          if (opts.out !== undefined) {
            const line = saveFor(opts.out, { configs, desired, actual, plan, netns: opts.netns, fromState: Boolean(opts.fromState), revision });
            (format.forPeople ? out.write : out.warn)(line);
          }
          return opts.detailedExitcode && !isEmpty(plan) ? 2 : 0;
        } finally {
          conn?.close();
        }
      }),
    );
}
