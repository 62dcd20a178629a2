// netrec validate: check configs without touching the kernel.
import type { Command } from 'commander';
import { ConfigError, formatProblem } from '../config/errors.js';
import { fleetHosts, isFleetDir } from '../config/fleet.js';
import type { Desired } from '../model/types.js';
import { hostOption, runCommand, UserError } from './common.js';
import { loadDesired } from './prepare.js';

export function register(program: Command): void {
  program
    .command('validate')
    .summary('check configs: syntax, schema and meaning; reads and changes nothing')
    .description(
      'Check CONFIG files (or directories of *.yaml/*.yml/*.json) against the schema and the ' +
        'semantic rules (addresses, prefixes, names, references, duplicates). Every problem is ' +
        'reported as FILE:LINE:COL: message. Nothing is read from or written to the kernel. ' +
        'A fleet directory without --host is checked for every host under hosts/.',
    )
    .argument('<config...>', 'config files or directories')
    .addOption(hostOption())
    .addHelpText('after', '\nExamples:\n  netrec validate site.yaml\n  netrec validate /etc/netrec/\n  netrec validate fleet/            # every host of a fleet\n  netrec validate fleet/ --host edge-1')
    .action((configs: string[], opts: { host?: string }) =>
      runCommand(async () => {
        if (opts.host === undefined && configs.length === 1 && isFleetDir(configs[0]!)) return validateFleet(configs[0]!);
        const d = loadDesired(configs, { host: opts.host });
        process.stdout.write(`${counts(d)}\n`);
      }),
    );
}

function counts(d: Desired): string {
  const s = d.state;
  return (
    `${d.files.length} file${d.files.length === 1 ? '' : 's'} valid: ${s.links.length} interfaces, ${s.addresses.length} addresses, ` +
    `${s.routes.length} routes, ${s.rules.length} rules, ${s.neighbors.length} neighbors`
  );
}

/** Every host's view, each reported on its own: valid hosts on stdout, problems on stderr prefixed by the host. */
function validateFleet(root: string): number {
  const hosts = fleetHosts(root);
  if (hosts.length === 0) throw new UserError(`the fleet ${root} has no hosts: add a directory hosts/HOST/ for each host`);
  let bad = 0;
  let problems = 0;
  for (const host of hosts) {
    try {
      process.stdout.write(`host ${host}: ${counts(loadDesired([root], { host }))}\n`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      bad++;
      problems += e.problems.length;
      for (const p of e.problems) process.stderr.write(`host ${host}: ${formatProblem(p)}\n`);
      process.stdout.write(`host ${host}: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}\n`);
    }
  }
  if (bad > 0) {
    process.stderr.write(`netrec: ${bad} of ${hosts.length} hosts have problems (${problems} in all); nothing was changed\n`);
    return 1;
  }
  process.stdout.write(`fleet ${root}: all ${hosts.length} hosts valid\n`);
  return 0;
}
