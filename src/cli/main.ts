// netrec's command line: one file per command, registered here.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { register as registerApply } from './apply.js';
import { register as registerConfirm } from './confirm.js';
import { register as registerHistory } from './history.js';
import { register as registerPlan } from './plan.js';
import { register as registerShow } from './show.js';
import { register as registerValidate } from './validate.js';
import { register as registerWatch } from './watch.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command('netrec')
    .description(
      'Declarative network configuration for Linux: write interfaces, addresses, routes, rules ' +
        'and neighbors in YAML; netrec reads the kernel over netlink, shows the difference and ' +
        'applies the smallest set of changes, all or nothing.',
    )
    .version(version())
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nTypical use:\n  netrec validate site.yaml        check a config\n  netrec plan site.yaml            review the changes\n' +
        '  netrec apply site.yaml           make them\n  netrec show -o yaml              print the current state as a config\n' +
        '\nExit status: 0 success, 1 error; `plan --detailed-exitcode`: 0 no changes, 2 changes pending.',
    );
  program.exitOverride((err) => {
    // commander's own usage errors: exit 1 like every other error; --help and --version: 0.
    process.exit(err.exitCode === 0 ? 0 : 1);
  });
  registerValidate(program);
  registerPlan(program);
  registerApply(program);
  registerShow(program);
  registerWatch(program);
  registerConfirm(program);
  registerHistory(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  // `netrec plan ... | head`: a closed pipe ends the output, not in a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  await buildProgram().parseAsync(argv);
}
