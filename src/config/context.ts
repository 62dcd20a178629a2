// What normalising one file needs: the settings of the whole load, a place
// for problems, and a way to name the place of a value.
import type { Family, Policy, Source } from '../model/types.js';
import type { Problem } from './errors.js';
import type { Path, PathSegment, SourceText } from './source.js';
import { FAMILY_NAMES, ValueParser } from './values.js';

export interface Settings {
  /** Table names, built-in ones included. */
  tables: ReadonlyMap<string, number>;
  policy: Policy;
  /**
   * Reading a snapshot (an actual state): the read-only keys (protocol,
   * managed, ...) count, and desired-only defaults are not filled in.
   */
  snapshot: boolean;
}

/** What all files of one load share. */
export interface LoadState {
  settings: Settings;
  problems: Problem[];
  /** Sources of snapshot objects, which must not carry them; found only when a problem needs one. */
  sources: LazySources;
  /** Interfaces' file and path, so that problems found later can point at one of their keys. */
  paths: Map<object, { src: SourceText; path: Path }>;
  /** The value parsers, with what they keep from one value to the next. */
  values: ValueParser;
}

export class FileContext {
  readonly settings: Settings;
  readonly values: ValueParser;

  constructor(
    readonly src: SourceText,
    readonly load: LoadState,
  ) {
    this.settings = load.settings;
    this.values = load.values;
  }

  problem(path: Path, message: string, key = false): void {
    this.load.problems.push({ ...this.src.locate(path, key), message });
  }

  /** Attach where an object came from (item `i` of a list): on the object for a config, aside for a snapshot. */
  place<T extends { source?: Source }>(obj: T, sourceOf: (i: number) => Source, i: number): T {
    if (this.settings.snapshot) this.load.sources.add(obj, sourceOf, i);
    else obj.source = sourceOf(i);
    return obj;
  }
}

/**
 * Where snapshot objects came from, recorded without an allocation per
 * object (a closure and a Map entry each cost more than the object itself
 * for a full routing table): the object, its item index and, once per run
 * of objects from one list, the list's positions. The index by object is
 * built on the first question.
 */
export class LazySources {
  private readonly objects: object[] = [];
  private readonly items: number[] = [];
  /** Runs: the first object's number in `objects`, and its list's positions. */
  private readonly runStarts: number[] = [];
  private readonly runLists: ((i: number) => Source)[] = [];
  private byObject: Map<object, number> | undefined;

  add(obj: object, sourceOf: (i: number) => Source, i: number): void {
    if (this.runLists[this.runLists.length - 1] !== sourceOf) {
      this.runStarts.push(this.objects.length);
      this.runLists.push(sourceOf);
    }
    this.objects.push(obj);
    this.items.push(i);
    this.byObject = undefined;
  }

  get(obj: object): Source | undefined {
    if (!this.byObject) {
      this.byObject = new Map();
      for (let n = 0; n < this.objects.length; n++) this.byObject.set(this.objects[n]!, n);
    }
    const n = this.byObject.get(obj);
    if (n === undefined) return undefined;
    let run = this.runStarts.length - 1;
    while (this.runStarts[run]! > n) run--;
    return this.runLists[run]!(this.items[n]!);
  }
}

/**
 * The list entry being normalised, reused across entries so that the good
 * path allocates no paths: problems build theirs when they happen.
 */
export class Entry {
  index = 0;
  ok = true;

  constructor(
    readonly ctx: FileContext,
    /** Path of the list, e.g. ["routes"] or ["interfaces", 3, "addresses"]. */
    readonly list: Path,
  ) {}

  start(index: number): void {
    this.index = index;
    this.ok = true;
  }

  /** A problem with a key of the entry (or a deeper path); `key` points at the key rather than the value. */
  problem(sub: PathSegment | Path | undefined, message: string, key = false): void {
    this.ok = false;
    const rest = sub === undefined ? [] : Array.isArray(sub) ? sub : [sub as PathSegment];
    this.ctx.problem([...this.list, this.index, ...rest], message, key);
  }
}

/** Which family an object is, from the first thing that tells; later ones must agree. */
export class FamilyVote {
  family: Family | undefined;
  /** Something that would have told was itself wrong (and reported): "cannot tell" would only repeat it. */
  spoiled = false;
  /** What told the family: a key's label and text (worded only for a conflict), or an explicit family. */
  private fromLabel = '';
  private fromText = '';

  constructor(private readonly what: string) {}

  reset(explicit: Family | undefined): void {
    this.family = explicit;
    this.spoiled = false;
    this.fromLabel = explicit ? 'family:' : '';
    this.fromText = explicit ?? '';
  }

  /** True when nothing told the family and nothing that could have was wrong. */
  untold(): boolean {
    return this.family === undefined && !this.spoiled;
  }

  /** The evidence is `label text`, e.g. "via 2001:db8::1"; a conflict is reported at `at`. */
  add(e: Entry, f: Family, at: PathSegment | Path, label: string, text: string): void {
    if (this.family === undefined) {
      this.family = f;
      this.fromLabel = label;
      this.fromText = text;
    } else if (f !== this.family) {
      e.problem(at, `${label} ${text} is ${FAMILY_NAMES[f]}, but this ${this.what} is ${FAMILY_NAMES[this.family]} (${this.fromLabel} ${this.fromText})`);
    }
  }
}
