// netrec's command line: one file per command, registered here.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { normalizeArgv } from './argv.js';
import { reportError } from './errors.js';

/**
 * Each command's module, loaded only when that command runs (or for the
 * overall help): start-up is paid on every run, and watch's file watcher
 * and metrics server have no business in `netrec plan`.
 */
const COMMANDS: Record<string, () => Promise<{ register(program: Command): void }>> = {
  validate: () => import('./validate.js'),
  plan: () => import('./plan.js'),
  apply: () => import('./apply.js'),
  show: () => import('./show.js'),
  watch: () => import('./watch.js'),
  confirm: () => import('./confirm.js'),
  history: () => import('./history.js'),
  status: () => import('./status.js'),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('netrec')
    .description(
      'Declarative network configuration for Linux: write interfaces, addresses, routes, rules ' +
        'and neighbors in YAML; netrec reads the kernel over netlink, shows the difference and ' +
        'applies the smallest set of changes, all or nothing.',
    )
    .version(version())
    .option('--debug', 'with an error, also print its stack trace (for bug reports); watch: also log every event-triggered reconcile')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true })
    .addHelpText(
      'after',
      '\nTypical use:\n  netrec validate site.yaml        check a config\n  netrec plan site.yaml            review the changes\n' +
        '  netrec apply site.yaml           make them\n  netrec show -o yaml              print the current state as a config\n' +
        '\nExit status: 0 success, 1 error; `plan --detailed-exitcode`: 0 no changes, 2 changes pending.\n' +
        'Errors are one line, `netrec: WHAT; HOW TO FIX`; --debug (before or after the command) adds the stack trace.',
    );
  program.exitOverride((err) => {
    // commander's own usage errors: exit 1 like every other error; --help and --version: 0.
    process.exit(err.exitCode === 0 ? 0 : 1);
  });
  const names = only !== undefined && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  for (const name of names) (await COMMANDS[name]!()).register(program);
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
  // Every failure of every command ends here: one line and exit status 1 (errors.ts).
  const args = normalizeArgv(argv);
  let program: Command | undefined;
  try {
    program = await buildProgram(args[2]);
    await program.parseAsync(args);
  } catch (e) {
    const debug = program ? Boolean(program.opts().debug) : args.slice(2).includes('--debug');
    process.exitCode = reportError(e, { debug });
  }
}
