// netrec plan: what apply would change, as text, JSON or a unified diff.
import type { Command } from 'commander';
import { formatFor } from '../plan/render/formats.js';
import { runPlan } from '../plan/run.js';
import { hostOf, hostOption, outputOption, runCommand, stdOutput, UserError } from './common.js';

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
        const request = {
          configs,
          netns: opts.netns,
          host: hostOf(opts),
          fromState: opts.fromState,
          format,
          full: Boolean(opts.full),
          detailedExitcode: Boolean(opts.detailedExitcode),
          saveTo: opts.out,
        };
        return runPlan(request, stdOutput());
      }),
    );
}
