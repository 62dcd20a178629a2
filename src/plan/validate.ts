// netrec validate: load configs (every host's view of a fleet, or one
// config) and report what they declare or what is wrong with them, in the
// format asked for. Nothing touches the kernel.
import { UserError } from '../cli/errors.js';
import { ConfigError, type Warning } from '../config/errors.js';
import { fleetHosts } from '../config/fleet.js';
import { warnOnStderr, type LoadOptions } from '../config/load.js';
import { loadDesired } from './prepare.js';
import { fleetProblems, type FleetReport } from './render/config.js';
import { render, type Format, type Output } from './render/formats.js';

export interface ValidateRequest {
  configs: string[];
  host?: string;
  /** List the files read. */
  verbose: boolean;
  format: Format;
}

/** Validate one config (files, a directory, or one host's view of a fleet); returns the exit status. */
export function validateConfigs(req: ValidateRequest, out: Output): number {
  const { configs, format } = req;
  const warnings: Warning[] = [];
  const load: LoadOptions = {
    warn: (w) => {
      warnings.push(w);
      warnOnStderr(w);
    },
    host: req.host,
  };
  const verbose = req.verbose;
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
}

/** Every host's view, each reported on its own (valid hosts on stdout, problems on stderr prefixed by the host, or one JSON document). */
export function validateFleet(root: string, format: Format, out: Output): number {
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
  render(format, 'fleet', report, out);
  return fleetProblems(report).bad > 0 ? 1 : 0;
}
