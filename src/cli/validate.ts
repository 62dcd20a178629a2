// netrec validate: check configs without touching the kernel.
import type { Command } from 'commander';
import { ConfigError, type Warning } from '../config/errors.js';
import { fleetHosts, isFleetDir } from '../config/fleet.js';
import { warnOnStderr, type LoadOptions } from '../config/load.js';
import { fleetProblems, type FleetReport } from '../plan/render/config.js';
import { formatFor, render, type Format } from '../plan/render/formats.js';
import { hostOption, outputOption, runCommand, stdOutput, UserError } from './common.js';
import { loadDesired } from '../plan/prepare.js';

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
        if (opts.host === undefined && configs.length === 1 && isFleetDir(configs[0]!)) return validateFleet(configs[0]!, format);
        const out = stdOutput();
        const warnings: Warning[] = [];
        const load: LoadOptions = {
          warn: (w) => {
            warnings.push(w);
            warnOnStderr(w);
          },
          host: opts.host,
        };
        const verbose = Boolean(opts.verbose);
        let desired;
        try {
          desired = loadDesired(configs, load);
        } catch (e) {
          if (!(e instanceof ConfigError)) throw e;
          render(format, 'validate', { files: e.files ?? [], verbose, warnings }, out);
          // Problems as a document where the format has one (-o json); else reported as the error they are.
          if (render(format, 'problems', { problems: e.problems, warnings }, out)) return 1;
          throw e;
        }
        render(format, 'validate', { files: desired.files, verbose, warnings, desired }, out);
        return 0;
      }),
    );
}

/** Every host's view, each reported on its own (valid hosts on stdout, problems on stderr prefixed by the host, or one JSON document). */
function validateFleet(root: string, format: Format): number {
  const hosts = fleetHosts(root);
  if (hosts.length === 0) throw new UserError(`the fleet ${root} has no hosts: add a directory hosts/HOST/ for each host`);
  const report: FleetReport = { root, hosts: [] };
  for (const host of hosts) {
    try {
      report.hosts.push({ host, desired: loadDesired([root], { host }) });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      report.hosts.push({ host, problems: e.problems });
    }
  }
  render(format, 'fleet', report, stdOutput());
  return fleetProblems(report).bad > 0 ? 1 : 0;
}
