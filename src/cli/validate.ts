// netrec validate: check configs without touching the kernel.
import type { Command } from 'commander';
import { isFleetDir } from '../config/fleet.js';
import { formatFor } from '../plan/render/formats.js';
import { validateConfigs, validateFleet } from '../plan/validate.js';
import { hostOption, outputOption, runCommand, stdOutput } from './common.js';

interface ValidateOpts {
  output: string;
  verbose?: boolean;
  host?: string;
}

export function register(program: Command): void {
  program
    .command('validate')
    .summary('check config files; touches nothing')
    .description(
      'Check CONFIG files (or directories of *.yaml/*.yml/*.json) against the schema and the ' +
        'semantic rules (addresses, prefixes, names, references, duplicates). Every problem is ' +
        'reported as FILE:LINE:COL: message; with -o json, as JSON on stdout for CI annotations. ' +
        'Nothing is read from or written to the kernel. ' +
        'A fleet directory without --host is checked for every host under hosts/.',
    )
    .argument('<config...>', 'config files or directories')
    .addOption(outputOption('validate', 'text'))
    .option('-v, --verbose', 'list the files read')
    .addOption(hostOption())
    .addHelpText(
      'after',
      '\nExamples:\n  netrec validate site.yaml\n  netrec validate -v /etc/netrec/\n  netrec validate -o json /etc/netrec/ > problems.json\n' +
        '  netrec validate fleet/            # every host of a fleet\n  netrec validate fleet/ --host edge-1',
    )
    .action((configs: string[], opts: ValidateOpts) =>
      runCommand(async () => {
        const format = formatFor('validate', opts.output);
        if (opts.host === undefined && configs.length === 1 && isFleetDir(configs[0]!)) return validateFleet(configs[0]!, format, stdOutput());
        return validateConfigs({ configs, host: opts.host, verbose: Boolean(opts.verbose), format }, stdOutput());
      }),
    );
}
