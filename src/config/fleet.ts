// Fleets (contract section 8): one directory describes many hosts, and each
// host loads its own view of it:
//
//   fleet/
//     common/*.yaml          every host
//     groups/NAME/*.yaml     the hosts that list NAME
//     hosts/HOST/*.yaml      one host; hosts/HOST/host.yaml lists its groups
//
// A host's view is the layers common < its groups (in the order host.yaml
// lists them) < hosts/HOST. An object declared in a later layer replaces the
// object of the same identity (contract section 3) from every earlier one; an
// interface replaces the earlier entry whole, with the addresses declared in
// it. Within one layer, a second declaration is a duplicate, as in any config
// (reported by the cross-checks of the merged view, both places named).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Override, Source, State } from '../model/types.js';
import type { Problem } from './errors.js';
import { configFileNames } from './load.js';
import type { Identities, Identity } from './semantic.js';
import { parseYaml } from './yaml.js';

/** The subdirectories that make a directory a fleet. */
const FLEET_PARTS = ['common', 'groups', 'hosts'] as const;
const HOST_FILES = ['host.yaml', 'host.yml'];
/** Host and group names: one path component, no dot first (no `..`, no hidden directories). */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export interface Layer {
  /** `common`, `groups/NAME` or `hosts/HOST`: the directory, relative to the fleet. */
  name: string;
  dir: string;
  /** Config files in load order (a host's host.yaml is not one of them). */
  files: string[];
}

export interface FleetSelection {
  root: string;
  host: string;
  /** hosts/HOST/host.yaml, when there is one. */
  hostFile?: string;
  layers: Layer[];
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether a CONFIG directory is a fleet: it has a common/, groups/ or hosts/
 * subdirectory. The loader asks this before it lists a directory's files, so
 * a fleet's subdirectories are its layers, never "subdirectories skipped".
 */
export function isFleetDir(path: string): boolean {
  return isDir(path) && FLEET_PARTS.some((p) => isDir(join(path, p)));
}

/** The host a fleet is loaded for when none is named: this machine's hostname. */
export function defaultHost(): string {
  return hostname();
}

function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => !n.startsWith('.') && isDir(join(dir, n)))
      .sort();
  } catch {
    return [];
  }
}

/** The hosts of a fleet: the directories under hosts/. */
export function fleetHosts(root: string): string[] {
  return subdirs(join(root, 'hosts'));
}

/** A layer directory's config files, as the loader lists any config directory (config/load.ts). */
function configFiles(dir: string, skip: readonly string[] = []): string[] {
  try {
    return configFileNames(dir)
      .filter((n) => !skip.includes(n))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** The directories of a fleet whose entries make its files: common/, groups/ and each group, hosts/ and each host. */
export function fleetDirs(root: string): string[] {
  const out = ['common', 'groups', 'hosts'].map((d) => join(root, d)).filter(isDir);
  for (const g of subdirs(join(root, 'groups'))) out.push(join(root, 'groups', g));
  for (const h of fleetHosts(root)) out.push(join(root, 'hosts', h));
  return out;
}

/** Every config file of a fleet, all hosts and groups (for fingerprints when no host is chosen). */
export function allFleetFiles(root: string): string[] {
  const out = configFiles(join(root, 'common'));
  for (const g of subdirs(join(root, 'groups'))) out.push(...configFiles(join(root, 'groups', g)));
  for (const h of fleetHosts(root)) out.push(...configFiles(join(root, 'hosts', h)));
  return out;
}

/**
 * The layers of `host` in the fleet at `root`, or undefined with problems
 * (located: the host's directory, or the place in host.yaml). `read` reads
 * host.yaml as the config files are read (trusted, for commands that write).
 */
export function selectHost(root: string, host: string, problems: Problem[], read: (file: string) => Buffer = readFileSync): FleetSelection | undefined {
  const hostsDir = join(root, 'hosts');
  const hostDir = join(hostsDir, host);
  if (!NAME.test(host) || !isDir(hostDir)) {
    const known = fleetHosts(root);
    problems.push({
      file: hostDir,
      line: 1,
      col: 1,
      message: `host "${host}" has no directory in the fleet (${known.length ? `hosts: ${known.join(', ')}` : `${hostsDir} has none`}); choose one with --host, or add ${hostDir}/`,
    });
    return undefined;
  }
  const sel: FleetSelection = { root, host, layers: [{ name: 'common', dir: join(root, 'common'), files: configFiles(join(root, 'common')) }] };
  const hostFile = HOST_FILES.map((n) => join(hostDir, n)).find((f) => {
    try {
      return statSync(f).isFile();
    } catch {
      return false;
    }
  });
  let ok = true;
  if (hostFile) {
    sel.hostFile = hostFile;
    const groups = readHostFile(hostFile, root, problems, read);
    if (groups === undefined) ok = false;
    for (const g of groups ?? []) sel.layers.push({ name: `groups/${g}`, dir: join(root, 'groups', g), files: configFiles(join(root, 'groups', g)) });
  }
  sel.layers.push({ name: `hosts/${host}`, dir: hostDir, files: configFiles(hostDir, HOST_FILES) });
  return ok ? sel : undefined;
}

/** host.yaml: `version: 1` and `groups: [NAME, ...]`, each group a directory under groups/. Undefined when it has problems. */
function readHostFile(file: string, root: string, problems: Problem[], read: (file: string) => Buffer): string[] | undefined {
  let text: string;
  try {
    text = read(file).toString('utf8');
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e; // a refusal by a trusted reader
    problems.push({ file, line: 1, col: 1, message: `cannot read: ${(e as Error).message}` });
    return undefined;
  }
  const src = parseYaml(file, text);
  if (!('locate' in src)) {
    problems.push(src);
    return undefined;
  }
  const before = problems.length;
  const at = (path: (string | number)[], message: string, key = false): void => void problems.push({ ...src.locate(path, key), message });
  const doc = src.value;
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push({ ...src.position(0), message: 'host.yaml is a mapping: version: 1 and groups: [NAME, ...]' });
    return undefined;
  }
  const d = doc as Record<string, unknown>;
  if (d.version !== 1) {
    if ('version' in d) at(['version'], `unsupported version ${JSON.stringify(d.version)}; this netrec reads version: 1`);
    else problems.push({ ...src.position(0), message: 'missing version: 1' });
  }
  for (const k of Object.keys(d)) {
    if (k !== 'version' && k !== 'groups') at([k], `unknown key "${k}": host.yaml holds version and groups; the host's objects go in other files of its directory`, true);
  }
  const groups: string[] = [];
  if (d.groups !== undefined) {
    if (!Array.isArray(d.groups)) at(['groups'], 'groups is a list of group names, e.g. groups: [edge, eu-west]');
    else {
      const known = subdirs(join(root, 'groups'));
      d.groups.forEach((g: unknown, i) => {
        if (typeof g !== 'string' || !NAME.test(g)) at(['groups', i], `a group name is a directory name under groups/, got ${JSON.stringify(g)}`);
        else if (groups.includes(g)) at(['groups', i], `group "${g}" is listed twice`);
        else if (!known.includes(g)) at(['groups', i], `unknown group "${g}": there is no directory ${join(root, 'groups', g)}/ (${known.length ? `groups: ${known.join(', ')}` : 'the fleet has no groups/'})`);
        else groups.push(g);
      });
    }
  }
  return problems.length === before ? groups : undefined;
}

/**
 * The objects of all layers as one view: an object replaces the objects of
 * the same identity from earlier layers (never those of its own layer: they
 * stay, for the duplicate check to report). An interface replaced also takes
 * the addresses declared with it in the earlier layers. Each object's source
 * is tagged with its layer.
 */
const LISTS = ['links', 'addresses', 'routes', 'rules', 'neighbors'] as const;

export function mergeLayers(layers: { name: string; state: State }[], ids: Identities): { state: State; overrides: Override[] } {
  const overrides: Override[] = [];
  for (const { name, state } of layers) {
    for (const k of LISTS) for (const o of state[k]) if (o.source) o.source = { ...o.source, layer: name };
  }
  const pick = <T extends { source?: Source }>(list: (l: State) => T[], id: Identity<T>): { kept: T[]; layerOf: Map<T, number> } => {
    const entries: { o: T; layer: number; gone: boolean }[] = [];
    const byBucket = new Map<string, number[]>();
    layers.forEach((l, li) => {
      for (const o of list(l.state)) {
        const b = id.bucket(o);
        const idx = byBucket.get(b) ?? [];
        const replaced: { layer: string; source?: Source }[] = [];
        for (const i of idx) {
          const e = entries[i]!;
          if (e.gone || e.layer >= li || (id.same && !id.same(e.o, o))) continue;
          e.gone = true;
          replaced.push({ layer: layers[e.layer]!.name, source: e.o.source });
        }
        if (replaced.length > 0) overrides.push({ type: id.type, id: id.key(o), layer: l.name, source: o.source, replaced });
        idx.push(entries.length);
        byBucket.set(b, idx);
        entries.push({ o, layer: li, gone: false });
      }
    });
    const kept = entries.filter((e) => !e.gone);
    return { kept: kept.map((e) => e.o), layerOf: new Map(kept.map((e) => [e.o, e.layer])) };
  };
  const links = pick((s) => s.links, ids.links);
  // The layer whose entry of each interface is in force: addresses declared in earlier entries go with them.
  const linkLayer = new Map<string, number>();
  for (const l of links.kept) linkLayer.set(l.name, Math.max(linkLayer.get(l.name) ?? -1, links.layerOf.get(l)!));
  const addresses = pick((s) => s.addresses, ids.addresses);
  // The namespace's settings: a later layer's value of a setting wins.
  let namespace: State['namespace'];
  for (const { state: s } of layers) {
    if (s.namespace === undefined) continue;
    const source = s.namespace.source ?? namespace?.source;
    namespace = { ipv4: { ...namespace?.ipv4, ...s.namespace.ipv4 }, ipv6: { ...namespace?.ipv6, ...s.namespace.ipv6 }, ...(source ? { source } : {}) };
  }
  const state: State = {
    ...(namespace ? { namespace } : {}),
    links: links.kept,
    addresses: addresses.kept.filter((a) => (linkLayer.get(a.dev) ?? -1) <= addresses.layerOf.get(a)!),
    routes: pick((s) => s.routes, ids.routes).kept,
    rules: pick((s) => s.rules, ids.rules).kept,
    neighbors: pick((s) => s.neighbors, ids.neighbors).kept,
    nexthops: pick((s) => s.nexthops, ids.nexthops).kept,
  };
  return { state, overrides };
}
