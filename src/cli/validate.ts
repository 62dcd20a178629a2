// netrec validate: check configs without touching the kernel.
import type { Command } from 'commander';
import { ConfigError, formatProblem, problemsJson, type Warning } from '../config/errors.js';
import { fleetHosts, isFleetDir } from '../config/fleet.js';
import { warnOnStderr, type LoadOptions } from '../config/load.js';
import type { Desired } from '../model/types.js';
import { hostOption, runCommand, UserError } from './common.js';
import { loadDesired } from './prepare.js';

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
    .option('-o, --output <format>', 'text or json', 'text')
    .option('-v, --verbose', 'list the files read')
    .addOption(hostOption())
    .addHelpText(
      'after',
      '\nExamples:\n  netrec validate site.yaml\n  netrec validate -v /etc/netrec/\n  netrec validate -o json /etc/netrec/ > problems.json\n' +
        '  netrec validate fleet/            # every host of a fleet\n  netrec validate fleet/ --host edge-1',
    )
    .action((configs: string[], opts: ValidateOpts) =>
      runCommand(async () => {
        if (!['text', 'json'].includes(opts.output)) throw new UserError(`unknown output format "${opts.output}" (text or json)`);
        const json = opts.output === 'json';
        if (opts.host === undefined && configs.length === 1 && isFleetDir(configs[0]!)) return validateFleet(configs[0]!, json);
        const warnings: Warning[] = [];
        const load: LoadOptions = {
          warn: (w) => {
            warnings.push(w);
            warnOnStderr(w);
          },
          host: opts.host,
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
        if (json) {
          process.stdout.write(`${JSON.stringify({ valid: true, errors: [], warnings, files: d.files, counts: counts(d) }, null, 2)}\n`);
          return 0;
        }
        process.stdout.write(`${countLine(d)}\n`);
      }),
    );
}

function counts(d: Desired): Record<string, number> {
  const s = d.state;
  return { interfaces: s.links.length, addresses: s.addresses.length, routes: s.routes.length, rules: s.rules.length, neighbors: s.neighbors.length };
}

function countLine(d: Desired): string {
  const c = counts(d);
  return (
    `${d.files.length} file${d.files.length === 1 ? '' : 's'} valid: ${c.interfaces} interfaces, ${c.addresses} addresses, ` +
    `${c.routes} routes, ${c.rules} rules, ${c.neighbors} neighbors`
  );
}

/** Every host's view, each reported on its own: valid hosts on stdout, problems on stderr prefixed by the host (or one JSON document). */
function validateFleet(root: string, json: boolean): number {
  const hosts = fleetHosts(root);
  if (hosts.length === 0) throw new UserError(`the fleet ${root} has no hosts: add a directory hosts/HOST/ for each host`);
  let bad = 0;
  let problems = 0;
  const report: Record<string, unknown> = {};
  for (const host of hosts) {
    try {
      const d = loadDesired([root], { host });
      report[host] = { valid: true, errors: [], files: d.files, counts: counts(d) };
      if (!json) process.stdout.write(`host ${host}: ${countLine(d)}\n`);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      bad++;
      problems += e.problems.length;
      report[host] = { valid: false, errors: e.problems.map((p) => ({ file: p.file, line: p.line, column: p.col, message: p.message })) };
      if (json) continue;
      for (const p of e.problems) process.stderr.write(`host ${host}: ${formatProblem(p)}\n`);
      process.stdout.write(`host ${host}: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}\n`);
    }
  }
  if (json) {
    process.stdout.write(`${JSON.stringify({ valid: bad === 0, hosts: report }, null, 2)}\n`);
    return bad > 0 ? 1 : 0;
  }
  if (bad > 0) {
    process.stderr.write(`netrec: ${bad} of ${hosts.length} hosts have problems (${problems} in all); nothing was changed\n`);
    return 1;
  }
  process.stdout.write(`fleet ${root}: all ${hosts.length} hosts valid\n`);
  return 0;
}
