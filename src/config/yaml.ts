// YAML files: the fast reader for the usual block style, js-yaml for the
// rest of YAML and for syntax errors. Both give the value and a PosTree.
import jsyaml from 'js-yaml';
import type { Problem } from './errors.js';
import { SourceText, type PosCollection, type PosTree } from './source.js';
import { parseFastYaml, type Parsed } from './yaml-fast.js';

export function parseYaml(file: string, text: string): SourceText | Problem {
  const fast = parseFastYaml(text);
  if (fast) {
    // Positions of everything only when a problem needs them.
    const tree = (): PosTree => parseFastYaml(text, true)!.tree!;
    return new SourceText(file, text, fast.value, tree, fast.items);
  }
  const full = parseFullYaml(file, text);
  if ('message' in full) return full;
  return new SourceText(file, text, full.value, full.tree!);
}

/** js-yaml with a listener that records where each node starts. */
export function parseFullYaml(file: string, text: string): Parsed | Problem {
  const builder = new TreeBuilder(text);
  try {
    const value = jsyaml.load(text, { filename: file, schema: jsyaml.CORE_SCHEMA, listener: builder.listener });
    return { value, tree: builder.root };
  } catch (e) {
    if (!(e instanceof jsyaml.YAMLException)) throw e;
    const mark = e.mark ?? { line: 0, column: 0 };
    return { file, line: mark.line + 1, col: mark.column + 1, message: `YAML syntax error: ${e.reason}` };
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
  private readonly openAt: number[] = [];
  private readonly children: (Child[] | undefined)[] = [];

  constructor(private readonly text: string) {}

  readonly listener = (event: jsyaml.EventType, st: jsyaml.State): void => {
    // js-yaml's state also has the nesting depth; kind is null for an empty node.
    const state = st as jsyaml.State & { depth: number; kind: string | null };
    const depth = state.depth;
    if (event === 'open') {
      this.openAt[depth] = state.position;
      this.children[depth] = undefined;
      return;
    }
    const kids = this.children[depth] ?? [];
    this.children[depth] = undefined;
    const empty = state.kind === null;
    const at = empty ? -1 : skipSpaceAndComments(this.text, this.openAt[depth]!);
    let node: PosTree = at;
    const result = state.result;
    if (kids.length === 1 && kids[0]!.value === result && result !== null && typeof result === 'object') {
      // js-yaml read this collection as a would-be key one level down (a flow collection in a block sequence).
      node = kids[0]!.node;
    } else if (state.kind === 'mapping' || state.kind === 'sequence') {
      node = collection(this.text, at, state.kind === 'mapping', kids, Array.isArray(result) ? result.length : 0);
    }
    if (depth === 1) {
      this.root = node === -1 ? 0 : node;
      return;
    }
    const parent = (this.children[depth - 1] ??= []);
    const isKey = !empty && (result === null || typeof result !== 'object') && followedByColon(this.text, state.position);
    parent.push(isKey ? { node, key: String(result) } : typeof result === 'object' && result !== null ? { node, value: result } : { node });
  };
}

function collection(text: string, at: number, map: boolean, kids: Child[], length: number): PosCollection {
  const out: (string | PosTree)[] = [];
  if (!map) {
    if (kids.length < length) return { at, map, kids: blockItems(text, at, kids, length) };
    for (const k of kids) out.push(k.node === -1 ? at : k.node);
    return { at, map, kids: out };
  }
  for (let i = 0; i < kids.length; i++) {
    const k = kids[i]!;
    if (k.key === undefined) continue; // a value whose key we could not see (explicit "?" keys)
    const keyAt = k.node === -1 ? at : (k.node as number);
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
