// Config files -> Desired (and a snapshot -> State): read, parse, check
// against the schema, merge the settings, normalise each file, check across
// files. Every problem found on the way is reported, at once.
import { isAscii } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Desired, FleetInfo, Source, State } from '../model/types.js';
import { FileContext, LazySources, type LoadState, type Settings } from './context.js';
import { ConfigError, sortProblems, type Problem } from './errors.js';
import { parseJson } from './json.js';
import { normalizeInterfaces, type RawInterface } from './normalize-interfaces.js';
import { normalizeRoutes, type RawRoute } from './normalize-routes.js';
import { normalizeNeighbors, normalizeRules, type RawNeighbor, type RawRule } from './normalize-rules.js';
import { validateSchema } from './schema.js';
import { allFleetFiles, defaultHost, isFleetDir, mergeLayers, selectHost, type FleetSelection } from './fleet.js';
import { crossCheck, identities } from './semantic.js';
import { collectSettings, type SettingsSource } from './settings.js';
import type { Path } from './source.js';
import { parseYaml } from './yaml.js';

export interface RawDocument {
  version: 1;
  tables?: Record<string, number>;
  policy?: { protocol?: string | number; prune?: boolean };
  interfaces?: RawInterface[];
  routes?: RawRoute[];
  rules?: RawRule[];
  neighbors?: RawNeighbor[];
}

/** A parsed file and what of it the schema rejected (left out of normalisation). */
interface Loaded extends SettingsSource {
  doc: RawDocument;
  skip: Skips;
}

const NO_ENTRIES: ReadonlySet<number> = new Set();

/** Parts of a document with schema problems: whole sections, list entries, table names, policy keys. */
class Skips {
  readonly sections = new Set<string>();
  private readonly parts = new Map<string, Set<string | number>>();

  add(path: Path): void {
    const [section, part] = path;
    if (section === undefined) return;
    if (part === undefined) this.sections.add(String(section));
    else {
      let set = this.parts.get(String(section));
      if (!set) this.parts.set(String(section), (set = new Set()));
      set.add(part);
    }
  }

  entries(section: string): ReadonlySet<number> {
    return (this.parts.get(section) as Set<number> | undefined) ?? NO_ENTRIES;
  }

  has(section: string, part: string): boolean {
    return this.sections.has(section) || this.parts.get(section)?.has(part) === true;
  }
}

/** How to read a config file's bytes: commands that write as root pass a trusted reader (state/trust.ts), whose refusals are thrown as they are. */
export interface LoadOptions {
  read?: (file: string) => Buffer;
  /** The host whose view of a fleet directory to load (config/fleet.ts); default: the hostname. Plain configs ignore it. */
  host?: string;
}

export function loadConfig(paths: string[], opts: LoadOptions = {}): Desired {
  const problems: Problem[] = [];
  const fleet = selectFleet(paths, opts, problems);
  if (fleet === null) throw new ConfigError(sortProblems(problems, []));
  const files = fleet ? fleet.layers.flatMap((l) => l.files) : expandPaths(paths, problems);
  const loaded = files.map((f) => parseFile(f, problems, opts.read)).filter((l): l is Loaded => l !== undefined);
  const { settings, tables } = collectSettings(loaded, problems, false);
  let info: FleetInfo | undefined;
  let merge: ((perFile: Map<string, State>) => State) | undefined;
  if (fleet) {
    info = { root: fleet.root, host: fleet.host, layers: fleet.layers.map((l) => ({ name: l.name, files: l.files })), overrides: [] };
    if (fleet.hostFile) info.hostFile = fleet.hostFile;
    merge = (perFile) => {
      const layers = fleet.layers.map((l) => ({ name: l.name, state: concatStates(l.files.map((f) => perFile.get(f)).filter((s): s is State => s !== undefined)) }));
      const merged = mergeLayers(layers, identities(settings.policy.protocol));
      info!.overrides = merged.overrides;
      return merged.state;
    };
  }
  const state = normalizeAll(loaded, settings, problems, merge);
  if (problems.length > 0) throw new ConfigError(sortProblems(problems, fleet?.hostFile ? [fleet.hostFile, ...files] : files));
  return { state, policy: settings.policy, tables, files, ...(info ? { fleet: info } : {}) };
}

/**
 * The host's layers when the CONFIG is a fleet directory; undefined for a
 * plain config; null when the selection failed (problems say why). A fleet
 * is the only CONFIG of a load.
 */
function selectFleet(paths: string[], opts: LoadOptions, problems: Problem[]): FleetSelection | undefined | null {
  const root = paths.find((p) => isFleetDir(p));
  if (root === undefined) return undefined;
  if (paths.length > 1) {
    problems.push({ file: root, line: 1, col: 1, message: 'a fleet directory is loaded on its own: give it as the only CONFIG (put shared files in its common/)' });
    return null;
  }
  return selectHost(root, opts.host ?? defaultHost(), problems, opts.read) ?? null;
}

/** A snapshot (`netrec show -o json|yaml`) as an actual state: read-only keys count, no sources. */
export function loadSnapshot(path: string): State {
  const problems: Problem[] = [];
  const loaded = parseFile(path, problems);
  if (!loaded) throw new ConfigError(problems);
  const { settings } = collectSettings([loaded], problems, true);
  const state = normalizeAll([loaded], settings, problems);
  if (problems.length > 0) throw new ConfigError(sortProblems(problems, [path]));
  return state;
}

const CONFIG_FILE = /\.(ya?ml|json)$/;

/** The config files of a directory, in the order they load: *.yaml, *.yml, *.json, not hidden, lexical. */
export function configFileNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => CONFIG_FILE.test(n) && !n.startsWith('.'))
    .sort();
}

/**
 * Every file the CONFIG arguments stand for, as the loader reads them (a
 * directory's config files; a missing path as itself), for fingerprints.
 */
export function configFilePaths(configs: string[], host?: string): string[] {
  const out: string[] = [];
  for (const c of configs) {
    const p = resolve(c);
    if (isFleetDir(p)) {
      out.push(...fleetFilePaths(p, host));
      continue;
    }
    try {
      if (statSync(p).isDirectory()) {
        for (const f of configFileNames(p)) out.push(join(p, f));
        continue;
      }
    } catch {
      // missing: fingerprinted as missing
    }
    out.push(p);
  }
  return out;
}

/** A fleet's files for one host (host.yaml included: it chooses the groups), or all of them when no host is named or it has none. */
function fleetFilePaths(root: string, host: string | undefined): string[] {
  if (host === undefined) return allFleetFiles(root);
  const sel = selectHost(root, host, []);
  if (!sel) return allFleetFiles(root);
  return [...(sel.hostFile ? [sel.hostFile] : []), ...sel.layers.flatMap((l) => l.files)];
}

/** Files of the CONFIG arguments: files as given, directories' config files in lexical order. */
function expandPaths(paths: string[], problems: Problem[]): string[] {
  const files: string[] = [];
  const seen = new Set<string>();
  const add = (f: string): void => {
    const key = resolve(f);
    if (!seen.has(key)) {
      seen.add(key);
      files.push(f);
    }
  };
  if (paths.length === 0) problems.push({ file: '(none)', line: 1, col: 1, message: 'no config given' });
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (e) {
      problems.push({ file: p, line: 1, col: 1, message: `cannot read: ${ioReason(e)}` });
      continue;
    }
    if (!isDir) {
      add(p);
      continue;
    }
    const names = configFileNames(p);
    if (names.length === 0) problems.push({ file: p, line: 1, col: 1, message: 'the directory has no *.yaml, *.yml or *.json files' });
    for (const n of names) add(join(p, n));
  }
  return files;
}

function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
}

/** A file's text as UTF-8; plain ASCII (most configs) skips the decoder, several times faster on big files. */
function readText(file: string, read: (file: string) => Buffer = readFileSync): string {
  const bytes = read(file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

function parseFile(file: string, problems: Problem[], read?: (file: string) => Buffer): Loaded | undefined {
  let text: string;
  try {
    text = readText(file, read);
  } catch (e) {
    if (!(e as NodeJS.ErrnoException).code) throw e; // a refusal by the reader, not an I/O error
    problems.push({ file, line: 1, col: 1, message: `cannot read: ${ioReason(e)}` });
    return undefined;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const src = file.endsWith('.json') ? parseJson(file, text) : parseYaml(file, text);
  if (!('locate' in src)) {
    problems.push(src);
    return undefined;
  }
  const value = src.value;
  if (value === undefined || value === null) {
    problems.push({ ...src.position(0), message: 'the file is empty; a config has at least version: 1' });
    return undefined;
  }
  const skip = new Skips();
  const isMapping = typeof value === 'object' && !Array.isArray(value);
  for (const p of validateSchema(value)) {
    problems.push({ ...src.locate(p.path, p.key), message: p.message });
    skip.add(p.path);
  }
  return isMapping ? { src, doc: value as RawDocument, skip } : undefined;
}

/**
 * Every file's objects, normalised, as one state: concatenated, or put
 * together by `merge` (a fleet's layers), from each file's own state by file
 * name. Then the checks across objects.
 */
function normalizeAll(loaded: Loaded[], settings: Settings, problems: Problem[], merge?: (perFile: Map<string, State>) => State): State {
  const load: LoadState = { settings, problems, sources: new LazySources(), paths: new Map() };
  const perFile = new Map<string, State>();
  const unchecked = new Set<string>();
  for (const { src, doc, skip } of loaded) {
    const ctx = new FileContext(src, load);
    const own: State = { links: [], addresses: [], routes: [], rules: [], neighbors: [] };
    const list = <T>(key: keyof RawDocument): T[] | undefined => (Array.isArray(doc[key]) && !skip.sections.has(key) ? (doc[key] as T[]) : undefined);
    const interfaces = list<RawInterface>('interfaces');
    if (interfaces) {
      const r = normalizeInterfaces(ctx, interfaces, skip.entries('interfaces'));
      own.links = r.links;
      own.addresses = r.addresses;
      for (const name of r.unchecked) unchecked.add(name);
    }
    const routes = list<RawRoute>('routes');
    if (routes) own.routes = normalizeRoutes(ctx, routes, skip.entries('routes'));
    const rules = list<RawRule>('rules');
    if (rules) own.rules = normalizeRules(ctx, rules, skip.entries('rules'));
    const neighbors = list<RawNeighbor>('neighbors');
    if (neighbors) own.neighbors = normalizeNeighbors(ctx, neighbors, skip.entries('neighbors'));
    perFile.set(src.file, own);
  }
  const state = merge ? merge(perFile) : concatStates([...perFile.values()]);
  const locate = (obj: object, sub?: Path): Source | undefined => {
    const p = sub && load.paths.get(obj);
    if (p) return p.src.locate([...p.path, ...sub!]);
    return (obj as { source?: Source }).source ?? load.sources.get(obj);
  };
  for (const p of crossCheck({ state, locate, unchecked, snapshot: settings.snapshot, owner: settings.policy.protocol })) problems.push(p);
  return state;
}

/** The files' lists as one (concat copies; no spread of 100,000 arguments). */
function concat<T>(lists: T[][]): T[] {
  const full = lists.filter((l) => l.length > 0);
  return full.length === 1 ? full[0]! : ([] as T[]).concat(...full);
}

function concatStates(states: State[]): State {
  return {
    links: concat(states.map((s) => s.links)),
    addresses: concat(states.map((s) => s.addresses)),
    routes: concat(states.map((s) => s.routes)),
    rules: concat(states.map((s) => s.rules)),
    neighbors: concat(states.map((s) => s.neighbors)),
  };
}
