// A fast reader for the block-style YAML that configs are written in:
// mappings, sequences, one-line plain and quoted scalars, one-line flow
// collections, comments. It records every node's offset as it goes (the
// PosTree of source.ts). Anything outside that subset (anchors, tags, block
// or multi-line scalars, multi-line flow, tabs, CR, non-ASCII, duplicate
// keys, and all syntax errors) makes it give up, and the caller parses with
// js-yaml, which knows all of YAML and words the errors. Scalars resolve as
// js-yaml's core schema does, through js-yaml's own types, so both readers
// give the same values.
import jsyaml from 'js-yaml';
import type { PosTree } from './source.js';

interface ImplicitType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}
const coreTypes = (jsyaml as unknown as { types: Record<'null' | 'bool' | 'int' | 'float', ImplicitType> }).types;
const IMPLICIT: ImplicitType[] = [coreTypes.null, coreTypes.bool, coreTypes.int, coreTypes.float];

const GIVE_UP = { giveUp: true } as const;
/** Deeper nesting is left to js-yaml, which bounds it and says where (and this reader's recursion stays short). */
const FAST_MAX_DEPTH = 50;
const RECENT_SLOTS = 16;

const NL = 10;
const SP = 32;
const HASH = 35;
const DQ = 34;
const SQ = 39;
const DASH = 45;
const COLON = 58;
const QUESTION = 63;

/** Characters allowed inside plain scalars (block context); a conservative subset of YAML's. */
const PLAIN = new Uint8Array(128);
/** ... as the first character. */
const PLAIN_FIRST = new Uint8Array(128);
/** ... in plain keys. */
const KEY = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alnum = /[A-Za-z0-9]/.test(ch);
  PLAIN[c] = alnum || '_./:+-@=~,()!&*?%$^<>;'.includes(ch) ? 1 : 0;
  PLAIN_FIRST[c] = alnum || '_./~+($=^'.includes(ch) ? 1 : 0;
  KEY[c] = alnum || '_.-/$'.includes(ch) ? 1 : 0;
}
/** Characters of the plain scalars of an entry like "{ to: 10.0.0.0/8, via: 10.0.0.1 }" (see scalarMap). */
const SIMPLE = new Uint8Array(128);
for (let c = 0; c < 128; c++) SIMPLE[c] = /[A-Za-z0-9._/:-]/.test(String.fromCharCode(c)) ? 1 : 0;
/** The most entries scalarMap reads (more are left to flowMap). */
const SCALAR_MAP_ENTRIES = 8;
/** Printable ASCII: with newlines, the only characters of the subset. */
const isPrintable = (c: number) => c >= SP && c <= 0x7e;
const FLOW_INDICATOR = (c: number) => c === 44 || c === 91 || c === 93 || c === 123 || c === 125;

/** The core-schema value of a plain scalar (null, boolean, number or the text). */
export function resolvePlain(text: string): unknown {
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // None of null, bool, int or float contains these; addresses and names skip the resolvers.
    if (c === COLON || c === 47 || c === SP) return text;
    if (c === 46 && ++dots > 1) return text;
    if (c >= 48 && c <= 57) digits++;
  }
  return resolveScanned(text, digits === text.length, false);
}

function resolveScanned(text: string, allDigits: boolean, isString: boolean): unknown {
  if (isString) return text;
  if (allDigits && text.length < 16) return Number(text); // a decimal int, as js-yaml reads it
  const first = text.charCodeAt(0) | 0x20;
  if (first >= 0x61 && first <= 0x7a && first !== 0x6e && first !== 0x74 && first !== 0x66) return text;
  for (const t of IMPLICIT) if (t.resolve(text)) return t.construct(text);
  return text;
}

/** The config format's keys, so that parsed keys are shared constant strings. */
const KNOWN_KEYS: string[][] = [];
for (const k of (
  'version tables policy protocol prune interfaces name kind state mtu mac master managed addresses address peer ' +
  'noprefixroute valid-lifetime preferred-lifetime label kernel-managed bridge stp forward-delay ageing-time priority ' +
  'veth vlan link id vxlan vni local remote port learning ttl macvlan mode bond miimon vrf table routes to via dev ' +
  'nexthops weight on-link metric type scope src tos family nhid mtu-lock initcwnd initrwnd advmss hoplimit quickack congctl pref other ' +
  'rules from iif oif fwmark action neighbors lladdr $schema'
).split(' ')) {
  (KNOWN_KEYS[k.length * 128 + k.charCodeAt(0)] ??= []).push(k);
}

/** The mapping of the first `n` keys and values. */
function objectOf(keys: string[], values: unknown[], n: number): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (let k = 0; k < n; k++) obj[keys[k]!] = values[k];
  return obj;
}

/** Whether `s` has `word` at `i` (startsWith, without the call's cost for short words). */
function textAt(s: string, i: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (s.charCodeAt(i + k) !== word.charCodeAt(k)) return false;
  return true;
}

/** The config key s[i, j) as the shared constant string, or undefined when it is no config key. */
function knownKey(s: string, i: number, j: number): string | undefined {
  const known = KNOWN_KEYS[(j - i) * 128 + s.charCodeAt(i)];
  if (known) for (const name of known) if (textAt(s, i, name)) return name;
  return undefined;
}

export interface Parsed {
  value: unknown;
  /** Positions of everything; only when asked for (`withTree`). */
  tree?: PosTree;
  /** Without the tree: each sequence's item offsets, by the parsed array. */
  items?: WeakMap<object, number[]>;
}

/**
 * The value of `text` and where its nodes are, or undefined when the text is
 * outside the subset (which has no characters but newlines and printable
 * ASCII: the scanners of quoted scalars and comments, which take what the
 * others refuse, check). Without `withTree` only sequence items' offsets are
 * kept (list entries' sources), which saves a third of the time on big files.
 */
export function parseFastYaml(text: string, withTree = false): Parsed | undefined {
  try {
    return new FastYaml(text, withTree).document();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

class FastYaml {
  private readonly n: number;
  /** The current content line: its indentation (-1 at the end) and first content offset. */
  private ind = 0;
  private c = 0;
  /** What the last node parser produced. */
  private val: unknown = null;
  private pos: PosTree = 0;
  private str = '';
  private readonly items = new WeakMap<object, number[]>();
  /** Recent scalars' strings and their hashes, by hash. */
  private readonly recent: string[] = new Array<string>(RECENT_SLOTS).fill('');
  private readonly recentHash = new Int32Array(RECENT_SLOTS);
  /** The entries read so far by scalarMap. */
  private readonly entryKeys: string[] = [];
  private readonly entryValues: unknown[] = [];
  /** Collections open around the current node. */
  private depth = 0;

  constructor(
    private readonly s: string,
    private readonly withTree: boolean,
  ) {
    this.n = s.length;
  }

  document(): Parsed {
    const s = this.s;
    this.toContent(0);
    if (this.ind === 0 && s.startsWith('---', this.c) && this.isBlankAfter(this.c + 3)) {
      this.toContent(this.endOfLine(this.c + 3));
    }
    if (this.ind < 0) throw GIVE_UP;
    const first = s.charCodeAt(this.c);
    if (first === 91 || first === 123) this.inline(this.c); // a flow collection as the whole document
    else this.block(this.ind);
    if (this.ind >= 0) throw GIVE_UP;
    return this.withTree ? { value: this.val, tree: this.pos } : { value: this.val, items: this.items };
  }

  /** Move to the next line with content, from the start of a line. */
  private toContent(from: number): void {
    const s = this.s;
    let p = from;
    for (;;) {
      let q = p;
      while (s.charCodeAt(q) === SP) q++;
      if (q >= this.n) {
        this.ind = -1;
        this.c = this.n;
        return;
      }
      const ch = s.charCodeAt(q);
      if (ch === NL) p = q + 1;
      else if (ch === HASH) p = this.commentEnd(q);
      else {
        this.ind = q - p;
        this.c = q;
        return;
      }
    }
  }

  /** After a node: only spaces and a comment may follow. Returns the next line's start. */
  private endOfLine(from: number): number {
    const s = this.s;
    let i = from;
    while (s.charCodeAt(i) === SP) i++;
    if (i >= this.n) return this.n;
    const ch = s.charCodeAt(i);
    if (ch === NL) return i + 1;
    if (ch === HASH && s.charCodeAt(i - 1) === SP) return this.commentEnd(i);
    throw GIVE_UP;
  }

  /** The start of the line after the comment at `i`. */
  private commentEnd(i: number): number {
    const s = this.s;
    for (; i < this.n; i++) {
      const ch = s.charCodeAt(i);
      if (ch === NL) return i + 1;
      if (!isPrintable(ch)) throw GIVE_UP;
    }
    return this.n;
  }

  private isBlankAfter(i: number): boolean {
    const ch = this.s.charCodeAt(i);
    return i >= this.n || ch === NL || ch === SP;
  }

  private isDash(i: number): boolean {
    return this.s.charCodeAt(i) === DASH && this.isBlankAfter(i + 1);
  }

  /** A block node starting on the current content line. */
  private block(ind: number): void {
    if (this.isDash(this.c)) this.seq(ind);
    else if (this.keyEnd(this.c) >= 0) this.map(ind, this.c);
    else throw GIVE_UP; // a scalar on a line of its own
  }

  private seq(ind: number): void {
    if (++this.depth > FAST_MAX_DEPTH) throw GIVE_UP;
    const s = this.s;
    const items: unknown[] = [];
    const kids: PosTree[] = [];
    const at = this.c;
    for (;;) {
      const dash = this.c;
      let q = dash + 1;
      while (s.charCodeAt(q) === SP) q++;
      const ch = s.charCodeAt(q);
      if (q >= this.n || ch === NL || ch === HASH) {
        this.toContent(this.endOfLine(q));
        if (this.ind > ind) this.block(this.ind);
        else if (this.ind >= 0 && this.ind < ind && this.isDash(this.c)) {
          throw GIVE_UP; // js-yaml reads the "-" of an outer list after an empty item as an item of this one
        } else {
          this.val = null;
          this.pos = dash;
        }
      } else if (this.isDash(q)) {
        throw GIVE_UP; // "- - x"
      } else if (this.keyEnd(q) >= 0) {
        this.map(q - (dash - ind), q);
      } else {
        this.inline(q);
      }
      items.push(this.val);
      kids.push(this.pos);
      if (this.ind < ind) break;
      if (this.ind > ind) throw GIVE_UP;
      if (!this.isDash(this.c)) break; // the mapping around continues
    }
    this.val = items;
    this.pos = this.sequenceNode(at, items, kids);
    this.depth--;
  }

  /** Without the tree, a collection is just its offset, and a sequence's item offsets are kept. */
  private sequenceNode(at: number, items: unknown[], kids: PosTree[]): PosTree {
    if (this.withTree) return { at, map: false, kids };
    this.items.set(items, kids as number[]);
    return at;
  }

  private map(ind: number, first: number): void {
    if (++this.depth > FAST_MAX_DEPTH) throw GIVE_UP;
    const obj: Record<string, unknown> = {};
    const kids: (string | PosTree)[] = [];
    let k = first;
    for (;;) {
      const afterColon = this.keyEnd(k);
      if (afterColon < 0) throw GIVE_UP;
      const key = this.str;
      // A repeated key (or one like "constructor") is left to js-yaml.
      if (key === '__proto__' || obj[key] !== undefined) throw GIVE_UP;
      const s = this.s;
      let q = afterColon;
      while (s.charCodeAt(q) === SP) q++;
      const ch = s.charCodeAt(q);
      if (q >= this.n || ch === NL || ch === HASH) {
        this.toContent(this.endOfLine(q));
        if (this.ind > ind) this.block(this.ind);
        else if (this.ind === ind && this.isDash(this.c)) this.seq(ind);
        else {
          this.val = null;
          this.pos = k;
        }
      } else {
        this.inline(q);
      }
      obj[key] = this.val;
      if (this.withTree) kids.push(key, k, this.pos);
      if (this.ind < ind) break;
      if (this.ind > ind || this.isDash(this.c)) throw GIVE_UP;
      k = this.c;
    }
    this.val = obj;
    this.pos = this.withTree ? { at: first, map: true, kids } : first;
    this.depth--;
  }

  /**
   * When a mapping key starts at `i` ("key: ..." or "key:" at the end of the
   * line): the offset after its colon, with the key in `str`; else -1.
   */
  private keyEnd(i: number): number {
    const s = this.s;
    const ch = s.charCodeAt(i);
    const quoted = ch === DQ || ch === SQ;
    let j = i;
    if (quoted) j = ch === DQ ? this.doubleQuoted(i) : this.singleQuoted(i);
    else while (KEY[s.charCodeAt(j)] === 1) j++;
    let k = j;
    while (s.charCodeAt(k) === SP) k++;
    if (j === i || s.charCodeAt(k) !== COLON || !this.isBlankAfter(k + 1)) return -1;
    if (!quoted) {
      let key = knownKey(s, i, j);
      if (key === undefined) {
        key = s.slice(i, j);
        // Keys like "1", "true" or "-x" are left to js-yaml.
        if (!PLAIN_FIRST[ch] || typeof resolvePlain(key) !== 'string') throw GIVE_UP;
      }
      this.str = key;
    }
    return k + 1;
  }

  /** A value after "key: " or "- " on the current line; then moves to the next content line. */
  private inline(q: number): void {
    const ch = this.s.charCodeAt(q);
    let end: number;
    if (ch === DQ || ch === SQ) {
      end = ch === DQ ? this.doubleQuoted(q) : this.singleQuoted(q);
      this.val = this.str;
      this.pos = q;
    } else if (ch === 91 || ch === 123) {
      end = ch === 123 && !this.withTree ? this.scalarMap(q) : -1;
      if (end < 0) end = this.flowNode(q);
    } else {
      end = this.plain(q, false);
    }
    this.toContent(this.endOfLine(end));
  }

  /** A one-line plain scalar; in flow context it also ends at , [ ] { }. */
  private plain(q: number, flow: boolean): number {
    const s = this.s;
    const first = s.charCodeAt(q);
    if (!PLAIN_FIRST[first]) {
      // "-", "?" and ":" may start a plain scalar when something safe follows.
      const next = s.charCodeAt(q + 1);
      if (!(first === DASH || first === QUESTION || first === COLON) || q + 1 >= this.n || !PLAIN[next] || next === SP || (flow && FLOW_INDICATOR(next))) throw GIVE_UP;
    }
    let i = q;
    let last = q;
    let digits = 0;
    let dots = 0;
    let isString = false;
    let hash = 0;
    while (i < this.n) {
      const ch = s.charCodeAt(i);
      if (ch === NL) break;
      if (ch === SP) {
        i++;
        continue;
      }
      if (ch >= 48 && ch <= 57) digits++;
      else if (ch === 46) isString ||= ++dots > 1;
      else if (ch === 47) isString = true;
      else if (ch === HASH) {
        if (s.charCodeAt(i - 1) === SP) break;
        throw GIVE_UP;
      } else if (ch === COLON) {
        const next = s.charCodeAt(i + 1);
        if (i + 1 >= this.n || next === SP || next === NL || (flow && FLOW_INDICATOR(next))) {
          if (flow) break;
          throw GIVE_UP; // "a: b: c"
        }
        isString = true;
      } else if (flow && FLOW_INDICATOR(ch)) break;
      else if (!PLAIN[ch]) throw GIVE_UP;
      if (i > last && last > q) isString = true; // an inner space
      hash = (hash * 31 + ch) | 0;
      last = ++i;
    }
    this.val = resolveScanned(this.text(q, last, hash), digits === last - q, isString);
    this.pos = q;
    return last;
  }

  private doubleQuoted(q: number): number {
    const s = this.s;
    let out = '';
    let seg = q + 1;
    let hash = 0;
    for (let i = q + 1; ; ) {
      const ch = s.charCodeAt(i);
      if (i >= this.n || !isPrintable(ch)) throw GIVE_UP;
      if (ch === DQ) {
        this.str = out === '' ? this.text(seg, i, hash) : out + s.slice(seg, i);
        return i + 1;
      }
      if (ch !== 92) {
        hash = (hash * 31 + ch) | 0;
        i++;
        continue;
      }
      out += s.slice(seg, i);
      const e = s[i + 1];
      const simple = e === undefined ? undefined : ESCAPES[e];
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else if (e === 'x' || e === 'u') {
        const len = e === 'x' ? 2 : 4;
        const hex = s.slice(i + 2, i + 2 + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw GIVE_UP;
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2 + len;
      } else throw GIVE_UP;
      seg = i;
    }
  }

  private singleQuoted(q: number): number {
    const s = this.s;
    let out = '';
    let seg = q + 1;
    let hash = 0;
    for (let i = q + 1; ; i++) {
      const ch = s.charCodeAt(i);
      if (i >= this.n || !isPrintable(ch)) throw GIVE_UP;
      if (ch !== SQ) {
        hash = (hash * 31 + ch) | 0;
        continue;
      }
      if (s.charCodeAt(i + 1) !== SQ) {
        this.str = out === '' ? this.text(seg, i, hash) : out + s.slice(seg, i);
        return i + 1;
      }
      out += `${s.slice(seg, i)}'`;
      seg = ++i + 1;
    }
  }

  /**
   * The text s[from, to), whose characters (spaces left out) hash to
   * `hash`: the string of a recent scalar when it is the same text (the
   * gateway of every route, held once).
   */
  private text(from: number, to: number, hash: number): string {
    const slot = hash & (RECENT_SLOTS - 1);
    const recent = this.recent[slot]!;
    if (this.recentHash[slot] === hash && recent.length === to - from && textAt(this.s, from, recent)) return recent;
    this.recentHash[slot] = hash;
    return (this.recent[slot] = this.s.slice(from, to));
  }

  private skipSpaces(i: number): number {
    while (this.s.charCodeAt(i) === SP) i++;
    return i;
  }

  /** A node inside a one-line flow collection (or the collection itself). */
  private flowNode(i: number): number {
    const ch = this.s.charCodeAt(i);
    if (ch === 91) return this.flowSeq(i);
    if (ch === 123) return this.flowMap(i);
    if (ch === DQ || ch === SQ) {
      const end = ch === DQ ? this.doubleQuoted(i) : this.singleQuoted(i);
      this.val = this.str;
      this.pos = i;
      return end;
    }
    return this.plain(i, true);
  }

  private flowSeq(start: number): number {
    if (++this.depth > FAST_MAX_DEPTH) throw GIVE_UP;
    const s = this.s;
    const items: unknown[] = [];
    const kids: PosTree[] = [];
    let i = this.skipSpaces(start + 1);
    if (s.charCodeAt(i) !== 93) {
      for (;;) {
        i = this.skipSpaces(this.flowNode(i));
        items.push(this.val);
        kids.push(this.pos);
        if (this.atFlowEnd(i, 93)) break;
        i = this.skipSpaces(i + 1);
      }
    }
    this.val = items;
    this.pos = this.sequenceNode(start, items, kids);
    this.depth--;
    return i + 1;
  }

  private flowMap(start: number): number {
    if (++this.depth > FAST_MAX_DEPTH) throw GIVE_UP;
    const s = this.s;
    const obj: Record<string, unknown> = {};
    const kids: (string | PosTree)[] | undefined = this.withTree ? [] : undefined;
    let i = this.skipSpaces(start + 1);
    if (s.charCodeAt(i) !== 125) {
      for (;;) {
        const keyAt = i;
        i = this.skipSpaces(this.flowKey(i));
        const key = this.str;
        if (key === '__proto__' || obj[key] !== undefined || s.charCodeAt(i) !== COLON) throw GIVE_UP;
        i = this.skipSpaces(i + 1);
        const vc = s.charCodeAt(i);
        if (vc === 44 || vc === 125 || vc === NL || i >= this.n) throw GIVE_UP;
        i = this.skipSpaces(this.flowNode(i));
        obj[key] = this.val;
        if (kids) kids.push(key, keyAt, this.pos);
        if (this.atFlowEnd(i, 125)) break;
        i = this.skipSpaces(i + 1);
      }
    }
    this.val = obj;
    this.pos = kids ? { at: start, map: true, kids } : start;
    this.depth--;
    return i + 1;
  }

  /**
   * A one-line flow mapping of config keys and scalars without spaces,
   * flow indicators or escapes (a route of a routing table), read in one
   * pass: the offset after it, or -1, having read nothing, for anything else,
   * which flowMap then reads (or gives up on). The values are those of
   * flowMap, and the position is all that flowMap records without the tree.
   */
  private scalarMap(start: number): number {
    const s = this.s;
    const keys = this.entryKeys;
    const values = this.entryValues;
    let n = 0;
    let i = start + 1;
    for (;;) {
      while (s.charCodeAt(i) === SP) i++;
      const keyAt = i;
      while (KEY[s.charCodeAt(i)] === 1) i++;
      if (s.charCodeAt(i) !== COLON || s.charCodeAt(i + 1) !== SP) return -1;
      const key = knownKey(s, keyAt, i);
      if (key === undefined || n === SCALAR_MAP_ENTRIES) return -1;
      for (let k = 0; k < n; k++) if (keys[k] === key) return -1; // a repeated key: flowMap gives up
      i += 2;
      while (s.charCodeAt(i) === SP) i++;
      const q = i;
      let hash = 0;
      let value: unknown;
      if (s.charCodeAt(q) === DQ) {
        for (i = q + 1; ; i++) {
          const ch = s.charCodeAt(i);
          if (ch === DQ) break;
          if (ch === 92 || !isPrintable(ch)) return -1; // an escape, a line end or the end of the text
          hash = (hash * 31 + ch) | 0;
        }
        value = this.text(q + 1, i++, hash);
      } else {
        if (!PLAIN_FIRST[s.charCodeAt(q)] || SIMPLE[s.charCodeAt(q)] !== 1) return -1;
        let digits = 0;
        let dots = 0;
        let isString = false;
        for (; ; i++) {
          const ch = s.charCodeAt(i);
          if (SIMPLE[ch] !== 1) break;
          if (ch >= 48 && ch <= 57) digits++;
          else if (ch === 46) isString ||= ++dots > 1;
          else if (ch === 47) isString = true;
          else if (ch === COLON) {
            if (SIMPLE[s.charCodeAt(i + 1)] !== 1) break; // ends the scalar: flowMap's to tell
            isString = true;
          }
          hash = (hash * 31 + ch) | 0;
        }
        value = resolveScanned(this.text(q, i, hash), digits === i - q, isString);
      }
      keys[n] = key;
      values[n++] = value;
      while (s.charCodeAt(i) === SP) i++;
      const next = s.charCodeAt(i);
      if (next === 125) break;
      if (next !== 44) return -1;
      i++;
    }
    // The usual route as a literal: no keyed stores, and an object of just its size.
    this.val = n === 2 && keys[0] === 'to' && keys[1] === 'via' ? { to: values[0], via: values[1] } : objectOf(keys, values, n);
    this.pos = start;
    return i + 1;
  }

  /** After an entry of a flow collection: true at its end; else a comma must follow (and no trailing one). */
  private atFlowEnd(i: number, close: number): boolean {
    const s = this.s;
    const ch = s.charCodeAt(i);
    if (ch === close) return true;
    if (ch !== 44) throw GIVE_UP;
    if (s.charCodeAt(this.skipSpaces(i + 1)) === close) throw GIVE_UP; // trailing comma
    return false;
  }

  /**
   * A key in a flow mapping, into `str`: a known key ("to: ...") directly as
   * the shared string, anything else as a string-valued flow node.
   */
  private flowKey(i: number): number {
    const s = this.s;
    const ch = s.charCodeAt(i);
    let j = i;
    while (KEY[s.charCodeAt(j)] === 1) j++;
    if (s.charCodeAt(j) === COLON) {
      const next = s.charCodeAt(j + 1);
      const known = j + 1 >= this.n || next === SP || next === NL || FLOW_INDICATOR(next) ? knownKey(s, i, j) : undefined;
      if (known !== undefined) {
        this.str = known;
        return j;
      }
    }
    const end = this.flowNode(i);
    if (typeof this.val !== 'string' || (ch !== DQ && ch !== SQ && !KEY[ch]!)) throw GIVE_UP;
    this.str = this.val;
    return end;
  }
}

const ESCAPES: Record<string, string> = {
  '0': '\x00', a: '\x07', b: '\x08', t: '\x09', n: '\x0A', v: '\x0B', f: '\x0C', r: '\x0D', e: '\x1B',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\',
};
