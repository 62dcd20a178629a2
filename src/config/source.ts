// Where things are in a config file. The parsers record, next to the parsed
// value, a tree of character offsets with the same shape (PosTree); a path
// into the value (["routes", 3, "via"]) then finds its place in the text.
// Offsets become LINE:COL only when asked, through a line table built once.
import type { Source } from '../model/types.js';
import type { Problem } from './errors.js';

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** A scalar is just its offset; a collection keeps its children's positions. */
export type PosTree = number | PosCollection;

export interface PosCollection {
  /** Offset of the collection's first character. */
  at: number;
  map: boolean;
  /**
   * Mapping: [key, keyOffset, value, key, keyOffset, value, ...].
   * Sequence: [item, item, ...].
   */
  kids: (string | PosTree)[];
}

/** One parsed config file: its value and a way to find places in it. */
export class SourceText {
  /** Problems the parser found that still left a value (a duplicate key: the last one counts). */
  readonly problems: Problem[] = [];
  private lineStarts: Int32Array | undefined;
  /** The line of the last position asked for (0-based): list entries are asked for in order. */
  private lastLine = 0;
  private treeCache: PosTree | undefined;
  private buildTree: (() => PosTree) | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly value: unknown,
    /** The position tree, or how to build it on first use. */
    tree: PosTree | (() => PosTree),
    /** Item offsets of sequences, by parsed array, when known without the tree. */
    private readonly items?: WeakMap<object, number[]>,
  ) {
    if (typeof tree === 'function') this.buildTree = tree;
    else this.treeCache = tree;
  }

  get tree(): PosTree {
    if (this.treeCache === undefined) {
      this.treeCache = this.buildTree!();
      this.buildTree = undefined;
    }
    return this.treeCache;
  }

  /** LINE:COL of a character offset. */
  position(offset: number): Source {
    const starts = (this.lineStarts ??= lineStartsOf(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    const last = this.lastLine;
    if (starts[last]! <= offset) {
      lo = last;
      if (last + 2 <= hi && starts[last + 2]! > offset) hi = last + 1;
    }
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    this.lastLine = lo;
    return { file: this.file, line: lo + 1, col: offset - starts[lo]! + 1 };
  }

  /**
   * Position of the value at `path`, or of its key with `key`. When the path
   * leads nowhere (a missing key), the deepest collection on the way.
   */
  locate(path: Path, key = false): Source {
    return this.position(offsetAt(this.tree, path, key));
  }

  /** Position of each item of `array`, the sequence at `path` (list entries' sources). */
  itemPositions(path: Path, array: unknown[]): (i: number) => Source {
    const offsets = this.items?.get(array);
    if (offsets) return (i) => this.position(offsets[i]!);
    let node: PosTree | undefined; // found on first use: it may need the whole tree
    return (i) => {
      node ??= nodeAt(this.tree, path);
      const item = typeof node === 'number' || node.map ? undefined : node.kids[i];
      return this.position(offsetOf(item === undefined ? node : (item as PosTree)));
    };
  }
}

function lineStartsOf(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[n++] = i + 1;
  return starts;
}

function offsetOf(node: PosTree): number {
  return typeof node === 'number' ? node : node.at;
}

function nodeAt(tree: PosTree, path: Path): PosTree {
  let node = tree;
  for (const seg of path) {
    const next = child(node, seg);
    if (!next) break;
    node = next.node;
  }
  return node;
}

function offsetAt(tree: PosTree, path: Path, key: boolean): number {
  let node = tree;
  for (let i = 0; i < path.length; i++) {
    const next = child(node, path[i]!);
    if (!next) break;
    if (key && i === path.length - 1 && next.keyAt !== undefined) return next.keyAt;
    node = next.node;
  }
  return offsetOf(node);
}

function child(node: PosTree, seg: PathSegment): { node: PosTree; keyAt?: number } | undefined {
  if (typeof node === 'number') return undefined;
  const kids = node.kids;
  if (!node.map) {
    const item = typeof seg === 'number' ? kids[seg] : undefined;
    return item === undefined ? undefined : { node: item as PosTree };
  }
  const name = String(seg);
  // The last one wins, as in JSON.parse.
  for (let j = kids.length - 3; j >= 0; j -= 3) {
    if (kids[j] === name) return { node: kids[j + 2] as PosTree, keyAt: kids[j + 1] as number };
  }
  return undefined;
}
