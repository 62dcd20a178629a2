// Configs and states as commands print them: `validate` (one config, or
// every host of a fleet), `show` (the kernel state in the config format),
// `show --sources` (where each object of a config comes from), and a
// load's problems as JSON.
import { formatProblem, problemsJson, type Problem, type Warning } from '../../config/errors.js';
import { identities, type Identity } from '../../config/semantic.js';
import { toDocument } from '../../config/serialize.js';
import { writeJson, writeYaml } from '../../config/yaml-emit.js';
import type { Desired, Override, Source, State } from '../../model/types.js';

/** What a load found wrong (`-o json` prints it for CI annotations; text reports it as the error it is). */
export interface ProblemsReport {
  problems: readonly Problem[];
  warnings: readonly Warning[];
}

/** `validate` of one config: what was read, and what it declares (none: it has problems, reported apart). */
export interface ValidateReport {
  files: readonly string[];
  /** List the files read (text). */
  verbose: boolean;
  warnings: readonly Warning[];
  desired?: Desired;
}

/** `validate` of a fleet: each host's view, valid or with its problems. */
export interface FleetReport {
  root: string;
  hosts: { host: string; desired?: Desired; problems?: readonly Problem[] }[];
}

/** `show`: the kernel state; without `all`, what the kernel makes by itself is left out. */
export interface StateReport {
  state: State;
  all: boolean;
}

type Write = (s: string) => void;

export function counts(d: Desired): Record<string, number> {
  const s = d.state;
  return { interfaces: s.links.length, addresses: s.addresses.length, routes: s.routes.length, rules: s.rules.length, neighbors: s.neighbors.length, nexthops: s.nexthops.length };
}

function countLine(d: Desired): string {
  const c = counts(d);
  return (
    `${d.files.length} file${d.files.length === 1 ? '' : 's'} valid: ${c.interfaces} interfaces, ${c.addresses} addresses, ` +
    `${c.routes} routes, ${c.rules} rules, ${c.neighbors} neighbors${c.nexthops ? `, ${c.nexthops} nexthops` : ''}`
  );
}

export function problemsAsJson(r: ProblemsReport, write: Write): void {
  write(problemsJson(r.problems, r.warnings));
}

export function validateText(r: ValidateReport, write: Write): void {
  if (r.verbose) for (const f of r.files) write(`read ${f}\n`);
  if (r.desired) write(`${countLine(r.desired)}\n`);
}

export function validateJson(r: ValidateReport, write: Write): void {
  if (r.desired) write(`${JSON.stringify({ valid: true, errors: [], warnings: r.warnings, files: r.desired.files, counts: counts(r.desired) }, null, 2)}\n`);
}

/** Hosts whose view has problems, and those problems in all. */
export function fleetProblems(r: FleetReport): { bad: number; problems: number } {
  let bad = 0;
  let problems = 0;
  for (const h of r.hosts) {
    if (!h.problems) continue;
    bad++;
    problems += h.problems.length;
  }
  return { bad, problems };
}

/** Valid hosts on stdout, problems on stderr prefixed by the host, then the verdict. */
export function fleetText(r: FleetReport, write: Write, warn: Write): void {
  for (const h of r.hosts) {
    if (h.desired) write(`host ${h.host}: ${countLine(h.desired)}\n`);
    else if (h.problems) {
      for (const p of h.problems) warn(`host ${h.host}: ${formatProblem(p)}\n`);
      write(`host ${h.host}: ${h.problems.length} problem${h.problems.length === 1 ? '' : 's'}\n`);
    }
  }
  const { bad, problems } = fleetProblems(r);
  if (bad > 0) warn(`netrec: ${bad} of ${r.hosts.length} hosts have problems (${problems} in all); nothing was changed\n`);
  else write(`fleet ${r.root}: all ${r.hosts.length} hosts valid\n`);
}

export function fleetJson(r: FleetReport, write: Write): void {
  const report: Record<string, unknown> = {};
  for (const h of r.hosts) {
    report[h.host] = h.desired
      ? { valid: true, errors: [], files: h.desired.files, counts: counts(h.desired) }
      : { valid: false, errors: (h.problems ?? []).map((p) => ({ file: p.file, line: p.line, column: p.col, message: p.message })) };
  }
  write(`${JSON.stringify({ valid: fleetProblems(r).bad === 0, hosts: report }, null, 2)}\n`);
}

export function stateYaml(r: StateReport, write: Write): void {
  writeYaml(write, toDocument(r.state, { all: r.all }));
}

export function stateJson(r: StateReport, write: Write): void {
  writeJson(write, toDocument(r.state, { all: r.all }));
}

interface SourceRow {
  type: string;
  id: string;
  layer: string | null;
  source: string | null;
  replaces: { layer: string; source: string | null }[];
}

/** Each object a config declares for its host, with its layer and place, and what it replaced. */
function sourceRows(d: Desired): SourceRow[] {
  const ids = identities(d.policy.protocol);
  // Every declaration an object displaced, earliest layer first (common's, replaced by a group's, replaced by the host's).
  const replaced = new Map<string, Override['replaced']>();
  for (const o of d.fleet?.overrides ?? []) replaced.set(`${o.type} ${o.id}`, [...(replaced.get(`${o.type} ${o.id}`) ?? []), ...o.replaced]);
  const rows: SourceRow[] = [];
  const at = (s: Source | undefined): string | null => (s ? `${s.file}:${s.line}:${s.col}` : null);
  for (const k of Object.keys(ids) as (keyof typeof ids)[]) {
    const id = ids[k] as Identity<{ source?: Source }>;
    for (const o of d.state[k] as { source?: Source }[]) {
      const key = id.key(o);
      const r = replaced.get(`${id.type} ${key}`);
      rows.push({ type: id.type, id: key, layer: o.source?.layer ?? null, source: at(o.source), replaces: (r ?? []).map((x) => ({ layer: x.layer, source: at(x.source) })) });
    }
  }
  return rows;
}

export function sourcesJson(d: Desired, write: Write): void {
  const head = d.fleet ? { fleet: d.fleet.root, host: d.fleet.host, layers: d.fleet.layers.map((l) => l.name) } : { files: d.files };
  write(JSON.stringify({ ...head, objects: sourceRows(d) }, null, 2) + '\n');
}

export function sourcesText(d: Desired, write: Write): void {
  const rows = sourceRows(d);
  if (d.fleet) write(`# fleet ${d.fleet.root}, host ${d.fleet.host}: layers ${d.fleet.layers.map((l) => l.name).join(' < ')}\n`);
  const width = Math.max(0, ...rows.map((r) => r.type.length + r.id.length + 1));
  for (const r of rows) {
    const what = `${r.type} ${r.id}`.padEnd(width);
    const repl = r.replaces.length ? `  (replaces ${r.replaces.map((x) => `${x.layer} ${x.source ?? ''}`.trim()).join(', ')})` : '';
    write(`${what}  ${r.layer ? `${r.layer}  ` : ''}${r.source ?? '(no source)'}${repl}\n`);
  }
}
