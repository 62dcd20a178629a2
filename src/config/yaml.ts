// YAML files: a fast reader for a subset of YAML first, then js-yaml with
// its `listener` option, which reports where each node opens and closes:
// positions come from the parser that reads the value.
//
// Most files are read first by the fast reader of yaml-fast.ts, a general
// reader of a subset of YAML (checked against js-yaml on generated
// documents) that gives the same value and list entries' places; outside
// its subset it gives up, and js-yaml reads the text as below.
//
// js-yaml reads a file once, lean: only the offsets of sequence items (the
// sources of list entries) are recorded. Whatever the lean read does not
// cover (aliases, merge keys, duplicate keys, any error) is read again in
// full: every node's place, duplicates with both places, bounded aliases.
// The full tree of places is also built on demand when a problem needs a
// place other than a list entry's.
//
// js-yaml runs with merge keys (<<) and without its duplicate-key error in
// the full read: duplicates are found here, with both places, and the rest
// of the file is still checked. Nesting and the expansion of aliases are
// bounded, so that a small hostile file cannot take the memory or the stack.
import jsyaml from 'js-yaml';
import type { Problem } from './errors.js';
import { SourceText, type PosCollection, type PosTree } from './source.js';
import { parseFastYaml } from './yaml-fast.js';

/** The deepest nesting of collections accepted (a config needs about 6). */
export const MAX_DEPTH = 100;
/** Values an alias-expanded document may hold beyond its own nodes (see TreeBuilder.limit). */
const ALIAS_ALLOWANCE = 100_000;

/** YAML's merge key, as the YAML type repository defines it (js-yaml's loader merges by this tag). */
const MERGE = new jsyaml.Type('tag:yaml.org,2002:merge', { kind: 'scalar', resolve: (data: unknown) => data === '<<' || data === null });
/** The core schema (YAML 1.2's own) with merge keys: how configs are read. */
export const SCHEMA = jsyaml.CORE_SCHEMA.extend({ implicit: [MERGE] });

/** A mapping key written twice: where, and where first. */
export interface Duplicate {
  key: string;
  at: number;
  first: number;
}

export interface FullParsed {
  value: unknown;
  tree: PosTree;
  duplicates: Duplicate[];
}

export interface LeanParsed {
  value: unknown;
  /** Each sequence's item offsets, by the parsed array (those the lean read could place). */
  items: WeakMap<object, number[]>;
}

export function parseYaml(file: string, text: string): SourceText | Problem {
  const lean = parseFastYaml(text) ?? parseLeanYaml(file, text);
  if (lean) return new SourceText(file, text, lean.value, () => fullTree(file, text), lean.items);
  const full = parseFullYaml(file, text);
  if ('message' in full) return full;
  const src = new SourceText(file, text, full.value, full.tree);
  for (const d of full.duplicates) {
    const first = src.position(d.first);
    src.problems.push({ ...src.position(d.at), message: `duplicate key "${clipKey(d.key)}" (first at line ${first.line}, column ${first.col}); a key may appear once in a mapping` });
  }
  return src;
}

/** The places of a text the lean read took (which the full read then takes too). */
function fullTree(file: string, text: string): PosTree {
  const full = parseFullYaml(file, text);
  if ('message' in full) throw new Error(`${file}: read lean, but not in full: ${full.message}`);
  return full.tree;
}

/**
 * The value and the sequences' item offsets, or undefined when the text
 * needs the full read: it may hold an alias ("*") or a merge key ("<<"),
 * or js-yaml refused it (a duplicate key among others: the lean read
 * leaves js-yaml's duplicate check on).
 */
export function parseLeanYaml(file: string, text: string): LeanParsed | undefined {
  if (text.includes('*') || text.includes('<<')) return undefined;
  const recorder = new ItemRecorder(text);
  try {
    const value = jsyaml.load(text, { filename: file, schema: SCHEMA, maxDepth: MAX_DEPTH, listener: recorder.listener } as jsyaml.LoadOptions);
    return { value, items: recorder.items };
  } catch (e) {
    if (e instanceof jsyaml.YAMLException) return undefined;
    throw e;
  }
}

/**
 * The lean listener: each node's opening offset is pushed on one stack,
 * above its open parent's start there; a sequence keeps its part of the
 * stack as its items' offsets when it matches the items one to one (else
 * the full tree places them). Mappings' children only come and go on the
 * stack, so that reading a mapping allocates nothing here.
 */
class ItemRecorder {
  readonly items = new WeakMap<object, number[]>();
  private depth = 0;
  private readonly openAt: number[] = [];
  /** Children's opening offsets (-1: an empty node) of the open nodes, innermost last. */
  private stack = new Int32Array(1024);
  private top = 0;
  /** Where each open node's children start on the stack, by depth. */
  private readonly starts: number[] = [];
  /** The value of each open node's last child that is a collection. */
  private readonly lastKid: unknown[] = [];

  constructor(private readonly text: string) {}

  readonly listener = (event: jsyaml.EventType, state: jsyaml.State): void => {
    if (event === 'open') {
      const d = ++this.depth;
      this.openAt[d] = state.position;
      this.starts[d] = this.top;
      this.lastKid[d] = undefined;
      return;
    }
    const d = this.depth--;
    const from = this.starts[d]!;
    const result = state.result as unknown;
    if (state.kind === 'sequence' && this.top > from) this.sequence(result as unknown[], from, this.lastKid[d]);
    this.top = from;
    if (from === this.stack.length) {
      const grown = new Int32Array(from * 2);
      grown.set(this.stack);
      this.stack = grown;
    }
    // kind is null for an empty node.
    this.stack[this.top++] = (state.kind as string | null) === null ? -1 : this.openAt[d]!;
    if (typeof result === 'object' && result !== null) this.lastKid[d - 1] = result;
  };

  private sequence(result: unknown[], from: number, lastKid: unknown): void {
    const n = this.top - from;
    // A flow sequence in a block sequence closes twice, as the would-be key one level down and
    // as the item (see TreeBuilder): the inner close placed it, or left it to the full tree.
    if (n !== result.length || (n === 1 && lastKid === result)) return;
    const offsets = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const k = this.stack[from + i]!;
      if (k < 0) return;
      offsets[i] = skipSpaceAndComments(this.text, k);
    }
    this.items.set(result, offsets);
  }
}

/**
 * What the plain scalar `text` (one line, no flow indicators) reads as,
 * as a mapping's value, with the schema above: null, a boolean, a number, or the text itself.
 * The core schema's null, boolean, int and float have no ":", "/" or
 * space and at most one dot, and those starting with a letter start with
 * n, t or f: any other text is a string without asking js-yaml.
 */
export function plainScalarValue(text: string): unknown {
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 58 || c === 47 || c === 32) return text;
    if (c === 46 && ++dots > 1) return text;
  }
  const first = text.charCodeAt(0) | 0x20;
  if (first >= 0x61 && first <= 0x7a && first !== 0x6e && first !== 0x74 && first !== 0x66) return text;
  try {
    // As a mapping's value: alone, a text like "---a" would start a document.
    return (jsyaml.load(`k: ${text}`, { schema: SCHEMA }) as { k: unknown }).k;
  } catch {
    return undefined;
  }
}

/** A key as messages quote it: long ones cut short. */
function clipKey(key: string): string {
  return key.length > 60 ? `${key.slice(0, 40)}...(${key.length} characters)` : key;
}

/** A problem found while js-yaml reads, at an offset of the text. */
class Refusal {
  constructor(
    readonly offset: number,
    readonly message: string,
  ) {}
}

/** js-yaml with a listener that records where each node starts. */
export function parseFullYaml(file: string, text: string): FullParsed | Problem {
  const builder = new TreeBuilder(text);
  const at = (offset: number): Problem & { file: string } => ({ ...new SourceText(file, text, undefined, 0).position(offset), message: '' });
  try {
    // json: a duplicate key keeps the last value (found and reported here). Newer js-yaml bounds depth and merges itself too.
    const options = { filename: file, schema: SCHEMA, json: true, maxDepth: MAX_DEPTH, maxTotalMergeKeys: 2_000_000, listener: builder.listener };
    const value = jsyaml.load(text, options as jsyaml.LoadOptions);
    return { value, tree: builder.root, duplicates: builder.duplicates };
  } catch (e) {
    if (e instanceof Refusal) return { ...at(e.offset), message: e.message };
    if (!(e instanceof jsyaml.YAMLException)) throw e;
    if (e.reason === 'expected a single document in the stream, but found more') {
      return { ...at(documentStart(text, builder.roots[1] ?? 0)), message: 'a second YAML document starts here; a config file holds one document (split it into two files)' };
    }
    const mark = e.mark ?? { line: 0, column: 0 };
    const deep = /^nesting exceeded maxDepth/.test(e.reason);
    const message = deep ? `nested deeper than ${MAX_DEPTH} levels; a config needs a handful` : `YAML syntax error: ${e.reason}`;
    return { file, line: mark.line + 1, col: mark.column + 1, message };
  }
}

/** The "---" line before a document's root node (at `root`), or the root itself. */
function documentStart(text: string, root: number): number {
  for (let nl = text.lastIndexOf('\n', root - 1); ; nl = text.lastIndexOf('\n', nl - 1)) {
    const line = nl + 1;
    if (text.startsWith('---', line) && /^---(\s|$)/.test(text.slice(line, line + 4))) return line;
    if (nl < 0) return root;
  }
}

interface Child {
  node: PosTree;
  /** Set when the child is a mapping key. */
  key?: string;
  /** The child's value, when it is a collection. */
  value?: unknown;
}

/**
 * js-yaml calls the listener when a node opens (before the spaces and
 * comments in front of it) and closes (with its value). Children are
 * collected per depth; a scalar followed by ":" is a mapping key.
 */
class TreeBuilder {
  root: PosTree = 0;
  /** Where each document's root node opened. */
  readonly roots: number[] = [];
  readonly duplicates: Duplicate[] = [];
  /** Nodes open around the current one (the listener's own count: each open has its close). */
  private depth = 0;
  private readonly openAt: number[] = [];
  private readonly children: (Child[] | undefined)[] = [];
  /** Each collection's size (values in it, aliases expanded) and depth. */
  private readonly sizes = new WeakMap<object, { size: number; depth: number }>();
  /** Nodes read so far. */
  private nodes = 0;
  /** An alias was read: collections are measured from then on. */
  private aliased = false;

  constructor(private readonly text: string) {}

  readonly listener = (event: jsyaml.EventType, state: jsyaml.State): void => {
    if (event === 'open') {
      const depth = ++this.depth;
      if (depth > MAX_DEPTH) throw new Refusal(skipSpaceAndComments(this.text, state.position), `nested deeper than ${MAX_DEPTH} levels; a config needs a handful`);
      this.openAt[depth] = state.position;
      this.children[depth] = undefined;
      if (depth === 1) this.roots.push(skipSpaceAndComments(this.text, state.position));
      return;
    }
    const depth = this.depth--;
    this.nodes++;
    const kids = this.children[depth] ?? [];
    this.children[depth] = undefined;
    // kind is null for an empty node.
    const empty = (state.kind as string | null) === null;
    const at = empty ? -1 : skipSpaceAndComments(this.text, this.openAt[depth]!);
    let node: PosTree = at;
    const result = state.result;
    // Sizes count only once there are aliases: before the first, every collection is as big as its text.
    // (An alias closes as an empty node with the anchored value.)
    if (!this.aliased && empty && result !== null && this.text.charCodeAt(skipSpaceAndComments(this.text, this.openAt[depth]!)) === 42) this.aliased = true;
    if (this.aliased && result !== null && typeof result === 'object') this.measure(result as object, empty ? skipSpaceAndComments(this.text, this.openAt[depth]!) : at);
    if (kids.length === 1 && kids[0]!.value === result && result !== null && typeof result === 'object') {
      // js-yaml read this collection as a would-be key one level down (a flow collection in a block sequence).
      node = kids[0]!.node;
    } else if (state.kind === 'mapping' || state.kind === 'sequence') {
      node = collection(this.text, at, state.kind === 'mapping', kids, Array.isArray(result) ? result.length : 0, this.duplicates);
    }
    if (depth === 1) {
      this.root = node === -1 ? 0 : node;
      return;
    }
    const parent = (this.children[depth - 1] ??= []);
    const isKey = !empty && (result === null || typeof result !== 'object') && followedByColon(this.text, state.position);
    parent.push(isKey ? { node, key: String(result) } : typeof result === 'object' && result !== null ? { node, value: result } : { node });
  };

  /**
   * Size and depth of a collection just read, counting what its aliases
   * stand for; an alias (a collection met again) is measured already.
   * Aliases may repeat what the file holds, but not blow it up: at most
   * ALIAS_ALLOWANCE values beyond ten times the nodes read, and no deeper
   * than MAX_DEPTH.
   */
  private measure(value: object, at: number): void {
    const { size, depth } = this.sizeOf(value);
    if (size > ALIAS_ALLOWANCE + 10 * this.nodes) {
      throw new Refusal(at, `YAML aliases here expand to ${size > 1e9 ? 'over a billion' : size} values from ${this.nodes} in the file (at most ${ALIAS_ALLOWANCE + 10 * this.nodes}); write the values out instead`);
    }
    if (depth > MAX_DEPTH) throw new Refusal(at, `nested deeper than ${MAX_DEPTH} levels (through aliases); a config needs a handful`);
  }

  /**
   * A collection's size and depth, remembered. Those read before the first
   * alias are measured when first asked: they hold no alias, so the
   * recursion is as deep as the text's nesting, which js-yaml bounds.
   */
  private sizeOf(value: object): { size: number; depth: number } {
    const known = this.sizes.get(value);
    if (known) return known;
    let size = 1;
    let depth = 1;
    const items = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
    for (const v of items) {
      if (v !== null && typeof v === 'object') {
        const m = this.sizeOf(v);
        size += m.size;
        if (m.depth >= depth) depth = m.depth + 1;
      } else size++;
    }
    const m = { size, depth };
    this.sizes.set(value, m);
    return m;
  }
}

function collection(text: string, at: number, map: boolean, kids: Child[], length: number, duplicates: Duplicate[]): PosCollection {
  const out: (string | PosTree)[] = [];
  if (!map) {
    if (kids.length < length) return { at, map, kids: blockItems(text, at, kids, length) };
    for (const k of kids) out.push(k.node === -1 ? at : k.node);
    return { at, map, kids: out };
  }
  let seen: Map<string, number> | undefined;
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    if (k.key === undefined) continue; // a value whose key we could not see (explicit "?" keys)
    const keyAt = k.node === -1 ? at : (k.node as number);
    if (k.key !== '<<') {
      // The keys so far are in `out` (every third entry); a Map once there are many.
      let first: number | undefined;
      if (out.length < 48) {
        for (let q = 0; q < out.length; q += 3) if (out[q] === k.key) first = out[q + 1] as number;
      } else {
        if (!seen) {
          seen = new Map();
          for (let q = out.length - 3; q >= 0; q -= 3) seen.set(out[q] as string, out[q + 1] as number);
        }
        first = seen.get(k.key);
        if (first === undefined) seen.set(k.key, keyAt);
      }
      if (first !== undefined) duplicates.push({ key: k.key, at: keyAt, first });
    }
    const next = kids[i + 1];
    // An empty value points at its key.
    const value = next && next.key === undefined ? next.node : keyAt;
    if (next && next.key === undefined) i++;
    out.push(k.key, keyAt, value === -1 ? keyAt : value);
  }
  return { at, map, kids: out };
}

/**
 * Items of a block sequence some of which are empty ("-" alone): js-yaml
 * reports nothing for those. Each item is the node that starts between its
 * "-" and the next one, or the "-" itself.
 */
function blockItems(text: string, at: number, kids: Child[], length: number): PosTree[] {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const indent = ' '.repeat(at - lineStart);
  const dashes: number[] = [at];
  for (let nl = text.indexOf('\n', at); nl >= 0 && dashes.length < length; nl = text.indexOf('\n', nl + 1)) {
    const i = nl + 1 + indent.length;
    if (text.startsWith(indent, nl + 1) && text[i] === '-' && /[\s]/.test(text[i + 1] ?? ' ')) dashes.push(i);
  }
  const items: PosTree[] = [];
  let k = 0;
  for (let d = 0; d < length; d++) {
    const next = dashes[d + 1] ?? Infinity;
    const kid = kids[k];
    const start = kid === undefined ? Infinity : typeof kid.node === 'number' ? kid.node : kid.node.at;
    if (kid && start < next && start !== -1) {
      items.push(kid.node);
      k++;
    } else items.push(dashes[d] ?? at);
  }
  return items;
}

function followedByColon(text: string, i: number): boolean {
  while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
  return text.charCodeAt(i) === 58;
}

/** First offset at or after `i` that is not blank and not in a comment. */
function skipSpaceAndComments(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35 && (i === 0 || /\s/.test(text[i - 1]!))) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl;
    } else break;
  }
  return i;
}
