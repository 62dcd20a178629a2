// Config files -> Desired (and a snapshot -> State): read, parse, check
// against the schema, merge the settings, normalise each file, check across
// files. Every problem found on the way is reported, at once.
import { isAscii, isUtf8 } from 'node:buffer';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Desired, FleetInfo, Source, State } from '../model/types.js';
import { FileContext, LazySources, type LoadState, type Settings } from './context.js';
import { ValueParser } from './values.js';
import { ConfigError, sortProblems, type Problem, type Warning } from './errors.js';

export type { Warning };
import { parseJson } from './json.js';
import { normalizeInterfaces, normalizeNamespace, type RawInterface } from './normalize-interfaces.js';
import { normalizeRoutes, type RawRoute } from './normalize-routes.js';
import { normalizeNeighbors, normalizeRules, type RawNeighbor, type RawRule } from './normalize-rules.js';
import { normalizeNexthops, type RawNexthopObject } from './normalize-nexthops.js';
import { validateSchema } from './schema.js';
import { allFleetFiles, defaultHost, isFleetDir, mergeLayers, selectHost, type FleetSelection } from './fleet.js';
import { crossCheck, identities } from './semantic.js';
import { collectSettings, type SettingsSource } from './settings.js';
import { InputError, readRegular, showBytes, sizeLimits, TooLargeError, type SizeLimits } from '../state/open.js';
import { SourceText, type Path } from './source.js';
import { parseYaml } from './yaml.js';

export interface RawDocument {
  version: 1;
  tables?: Record<string, number>;
  policy?: { protocol?: string | number; prune?: boolean };
  namespace?: Record<string, unknown>;
  interfaces?: RawInterface[];
  routes?: RawRoute[];
  rules?: RawRule[];
  neighbors?: RawNeighbor[];
  nexthops?: RawNexthopObject[];
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

/**
 * How to read a config file's bytes: commands that write as root pass a
 * trusted reader (state/trust.ts), whose refusals are thrown as they are. A
 * reader must refuse anything but a regular file (InputError) and more than
 * `maxBytes` (TooLargeError), as state/open.ts does.
 */
export interface LoadOptions {
  read?: (file: string, maxBytes: number) => Buffer;
  /** The host whose view of a fleet directory to load (config/fleet.ts); default: the hostname. Plain configs ignore it. */
  host?: string;
  /** Told of what is not read (a directory's other files); by default each is a line on stderr. */
  warn?: (w: Warning) => void;
  /** Subdirectories of a config directory that are skipped without a warning (default FLEET_DIRS). */
  quietDirs?: ReadonlySet<string>;
  /** The byte limits (default: from the environment, state/open.ts). */
  limits?: SizeLimits;
}

/** A fleet's layer directories (section 8 of the contract): read by the fleet loader, not as plain subdirectories. */
export const FLEET_DIRS: ReadonlySet<string> = new Set(['common', 'groups', 'hosts']);

export function formatWarning(w: Warning): string {
  return `netrec: warning: ${w.file}: ${w.message}`;
}

/** The default for warnings: a line on stderr. */
export function warnOnStderr(w: Warning): void {
  process.stderr.write(`${formatWarning(w)}\n`);
}

export function loadConfig(paths: string[], opts: LoadOptions = {}): Desired {
  const problems: Problem[] = [];
  const fleet = selectFleet(paths, opts, problems);
  if (fleet === null) throw new ConfigError(sortProblems(problems, []));
  const files = fleet ? fleet.layers.flatMap((l) => l.files) : expandPaths(paths, problems, opts);
  const budget = new Budget(opts.limits ?? sizeLimits());
  const loaded = files.map((f) => parseFile(f, problems, opts.read, budget)).filter((l): l is Loaded => l !== undefined);
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
  if (problems.length > 0) {
    const shown = fleet?.hostFile ? [fleet.hostFile, ...files] : files;
    throw Object.assign(new ConfigError(sortProblems(problems, shown)), { files: shown });
  }
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
  // The fleet's own top level holds only its layers: anything else there is not read, and said so.
  const top = readConfigDir(root);
  const warn = opts.warn ?? warnOnStderr;
  for (const w of top.skipped) warn(w);
  for (const n of top.names) warn({ file: join(root, n), message: 'skipped: a fleet directory reads only common/, groups/NAME/ and hosts/HOST/ (move it into common/ for every host)' });
  const limit = (opts.limits ?? sizeLimits()).file;
  const read = opts.read ? (f: string) => opts.read!(f, limit) : (f: string) => readRegular(f, limit);
  return selectHost(root, opts.host ?? defaultHost(), problems, read) ?? null;
}

/** A snapshot (`netrec show -o json|yaml`) as an actual state: read-only keys count, no sources. */
export function loadSnapshot(path: string): State {
  const problems: Problem[] = [];
  const loaded = parseFile(path, problems, undefined, new Budget(sizeLimits()));
  if (!loaded) throw new ConfigError(problems);
  const { settings } = collectSettings([loaded], problems, true);
  const state = normalizeAll([loaded], settings, problems);
  if (problems.length > 0) throw new ConfigError(sortProblems(problems, [path]));
  return state;
}

const CONFIG_FILE = /\.(ya?ml|json)$/;

/** What a directory holds for the loader: the config files it reads, and what it leaves out and why. */
export interface ConfigDir {
  /** Names of the config files, in the order they load. */
  names: string[];
  /** Entries not read (hidden ones aside), with the reason, for warnings. */
  skipped: Warning[];
}

/**
 * A directory's config files: *.yaml, *.yml, *.json (lower case), not
 * hidden, lexical order; anything else that is not hidden is listed as
 * skipped, except the subdirectories in `quietDirs`. An entry named like a
 * config file that is a directory is skipped too: subdirectories are not
 * read. FIFOs, devices and the like are listed as files, to be refused by
 * the reader with their path.
 */
export function readConfigDir(dir: string, quietDirs: ReadonlySet<string> = FLEET_DIRS): ConfigDir {
  const names: string[] = [];
  const skipped: Warning[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const name = e.name;
    if (name.startsWith('.')) continue;
    let isDir = e.isDirectory();
    if (e.isSymbolicLink()) {
      try {
        isDir = statSync(join(dir, name)).isDirectory();
      } catch {
        // a dangling link: read as a file, reported missing
      }
    }
    if (isDir) {
      if (!quietDirs.has(name)) skipped.push({ file: join(dir, name), message: 'skipped: a subdirectory (subdirectories of a config directory are not read)' });
    } else if (CONFIG_FILE.test(name)) names.push(name);
    else if (CONFIG_FILE.test(name.toLowerCase())) skipped.push({ file: join(dir, name), message: 'skipped: only names ending in .yaml, .yml or .json, in lower case, are read' });
    else skipped.push({ file: join(dir, name), message: 'skipped: not a *.yaml, *.yml or *.json file' });
  }
  names.sort();
  skipped.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return { names, skipped };
}

/** The config files of a directory, in the order they load: *.yaml, *.yml, *.json, not hidden, lexical. */
export function configFileNames(dir: string): string[] {
  return readConfigDir(dir).names;
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
function expandPaths(paths: string[], problems: Problem[], opts: LoadOptions): string[] {
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
    let dir: ConfigDir;
    try {
      dir = readConfigDir(p, opts.quietDirs);
    } catch (e) {
      problems.push({ file: p, line: 1, col: 1, message: `cannot read the directory: ${ioReason(e)}` });
      continue;
    }
    for (const w of dir.skipped) (opts.warn ?? warnOnStderr)(w);
    if (dir.names.length === 0) problems.push({ file: p, line: 1, col: 1, message: 'the directory has no *.yaml, *.yml or *.json files' });
    for (const n of dir.names) add(join(p, n));
  }
  return files;
}

function ioReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
}

/** The bytes left to read under the per-file and total limits. */
class Budget {
  private used = 0;

  constructor(readonly limits: SizeLimits) {}

  /** The most the next file may have. */
  next(): number {
    return Math.min(this.limits.file, Math.max(0, this.limits.total - this.used));
  }

  take(n: number): void {
    this.used += n;
  }

  /** Why a file over `limit` (as next() gave it) is refused. */
  refusal(size: number, limit: number): string {
    if (limit === this.limits.file) {
      return `the file is over ${showBytes(this.limits.file)} (${size > limit ? `${showBytes(size)}` : 'and still growing'}), the limit for one config file; split it, or raise NETREC_MAX_CONFIG_FILE_SIZE`;
    }
    return `the config files together are over ${showBytes(this.limits.total)} with this one, the limit for one load; raise NETREC_MAX_CONFIG_SIZE if that much is meant`;
  }
}

/** Offset of the first byte that is not valid UTF-8 (the text is known not to be). */
function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len === 0 || !isUtf8(b.subarray(i, i + len))) return i;
    i += len;
  }
  return b.length;
}

function parseFile(file: string, problems: Problem[], read: LoadOptions['read'], budget: Budget): Loaded | undefined {
  let bytes: Buffer;
  const limit = budget.next();
  try {
    bytes = (read ?? readRegular)(file, limit);
  } catch (e) {
    if (e instanceof TooLargeError) problems.push({ file, line: 1, col: 1, message: budget.refusal(e.size, limit) });
    else if (e instanceof InputError) problems.push({ file, line: 1, col: 1, message: `${e.why}; ${e.fix}` });
    else if (!(e as NodeJS.ErrnoException).code) throw e; // a refusal by the reader, not an I/O error
    else problems.push({ file, line: 1, col: 1, message: `cannot read: ${ioReason(e)}` });
    return undefined;
  }
  budget.take(bytes.length);
  const ascii = isAscii(bytes);
  if (!ascii && !isUtf8(bytes)) {
    const bad = firstInvalidUtf8(bytes);
    const before = bytes.subarray(0, bad).toString('utf8');
    const at = new SourceText(file, before, undefined, 0).position(before.length);
    problems.push({ ...at, message: `the file is not valid UTF-8 (byte 0x${bytes[bad]!.toString(16).padStart(2, '0')}); names and all text must be UTF-8, as the kernel keeps names as bytes` });
    return undefined;
  }
  // Plain ASCII (most configs) skips the decoder, several times faster on big files.
  let text = bytes.toString(ascii ? 'latin1' : 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const src = file.endsWith('.json') ? parseJson(file, text) : parseYaml(file, text);
  if (!('locate' in src)) {
    problems.push(src);
    return undefined;
  }
  for (const p of src.problems) problems.push(p);
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
  const load: LoadState = { settings, problems, sources: new LazySources(), paths: new Map(), values: new ValueParser() };
  const perFile = new Map<string, State>();
  const unchecked = new Set<string>();
  for (const { src, doc, skip } of loaded) {
    const ctx = new FileContext(src, load);
    const own: State = { links: [], addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] };
    const list = <T>(key: keyof RawDocument): T[] | undefined => (Array.isArray(doc[key]) && !skip.sections.has(key) ? (doc[key] as T[]) : undefined);
    if (doc.namespace && typeof doc.namespace === 'object' && !skip.has('namespace', 'ipv4') && !skip.has('namespace', 'ipv6')) {
      const ns = normalizeNamespace(ctx, doc.namespace);
      if (ns) own.namespace = ns;
    }
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
    const nexthops = list<RawNexthopObject>('nexthops');
    if (nexthops) own.nexthops = normalizeNexthops(ctx, nexthops, skip.entries('nexthops'));
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

/**
 * The files' states as one. The namespace's settings of several files are
 * merged setting by setting (a later file's value wins, as a fleet's later
 * layer does).
 */
function concatStates(states: State[]): State {
  let namespace: State['namespace'];
  for (const s of states) {
    if (s.namespace === undefined) continue;
    namespace = { ...namespace, ...s.namespace };
    for (const family of ['ipv4', 'ipv6'] as const) {
      if (s.namespace[family] !== undefined) namespace[family] = { ...namespace[family], ...s.namespace[family] };
    }
  }
  return {
    ...(namespace ? { namespace } : {}),
    links: concat(states.map((s) => s.links)),
    addresses: concat(states.map((s) => s.addresses)),
    routes: concat(states.map((s) => s.routes)),
    rules: concat(states.map((s) => s.rules)),
    neighbors: concat(states.map((s) => s.neighbors)),
    nexthops: concat(states.map((s) => s.nexthops)),
  };
}
