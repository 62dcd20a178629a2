// netrec validate: check configs without touching the kernel.
import type { Command } from 'commander';
import { ConfigError, problemsJson, type Warning } from '../config/errors.js';
import { warnOnStderr, type LoadOptions } from '../config/load.js';
import { runCommand, UserError } from './common.js';
import { loadDesired } from './prepare.js';

interface ValidateOpts {
  output: string;
  verbose?: boolean;
}

export function register(program: Command): void {
  program
    .command('validate')
    .summary('check configs: syntax, schema and meaning; reads and changes nothing')
    .description(
      'Check CONFIG files (or directories of *.yaml/*.yml/*.json) against the schema and the ' +
        'semantic rules (addresses, prefixes, names, references, duplicates). Every problem is ' +
        'reported as FILE:LINE:COL: message; with -o json, as JSON on stdout for CI annotations. ' +
        'Nothing is read from or written to the kernel.',
    )
    .argument('<config...>', 'config files or directories')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('-v, --verbose', 'list the files read')
    .addHelpText('after', '\nExamples:\n  netrec validate site.yaml\n  netrec validate -v /etc/netrec/\n  netrec validate -o json /etc/netrec/ > problems.json')
    .action((configs: string[], opts: ValidateOpts) =>
      runCommand(async () => {
        if (!['text', 'json'].includes(opts.output)) throw new UserError(`unknown output format "${opts.output}" (text or json)`);
        const json = opts.output === 'json';
        const warnings: Warning[] = [];
        const load: LoadOptions = {
          warn: (w) => {
            warnings.push(w);
            warnOnStderr(w);
          },
        };
        const listFiles = (files: readonly string[] | undefined): void => {
          if (opts.verbose && !json) for (const f of files ?? []) process.stdout.write(`read ${f}\n`);
        };
        let d;
        try {
          d = loadDesired(configs, load);
        } catch (e) {
          if (e instanceof ConfigError) listFiles(e.files);
          if (json && e instanceof ConfigError) {
            process.stdout.write(problemsJson(e.problems, warnings));
            return 1;
          }
          throw e;
        }
        listFiles(d.files);
        const s = d.state;
        const counts = { interfaces: s.links.length, addresses: s.addresses.length, routes: s.routes.length, rules: s.rules.length, neighbors: s.neighbors.length };
        if (json) {
          process.stdout.write(`${JSON.stringify({ valid: true, errors: [], warnings, files: d.files, counts }, null, 2)}\n`);
          return 0;
        }
        process.stdout.write(
          `${d.files.length} file${d.files.length === 1 ? '' : 's'} valid: ${counts.interfaces} interfaces, ${counts.addresses} addresses, ` +
            `${counts.routes} routes, ${counts.rules} rules, ${counts.neighbors} neighbors\n`,
        );
      }),
    );
}
