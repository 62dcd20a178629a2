// netrec validate: check configs without touching the kernel.
import type { Command } from 'commander';
import { runCommand } from './common.js';
import { loadDesired } from './prepare.js';

export function register(program: Command): void {
  program
    .command('validate')
    .summary('check configs: syntax, schema and meaning; reads and changes nothing')
    .description(
      'Check CONFIG files (or directories of *.yaml/*.yml/*.json) against the schema and the ' +
        'semantic rules (addresses, prefixes, names, references, duplicates). Every problem is ' +
        'reported as FILE:LINE:COL: message. Nothing is read from or written to the kernel.',
    )
    .argument('<config...>', 'config files or directories')
    .addHelpText('after', '\nExamples:\n  netrec validate site.yaml\n  netrec validate /etc/netrec/')
    .action((configs: string[]) =>
      runCommand(async () => {
        const d = loadDesired(configs);
        const s = d.state;
        process.stdout.write(
          `${d.files.length} file${d.files.length === 1 ? '' : 's'} valid: ${s.links.length} interfaces, ${s.addresses.length} addresses, ` +
            `${s.routes.length} routes, ${s.rules.length} rules, ${s.neighbors.length} neighbors\n`,
        );
      }),
    );
}
