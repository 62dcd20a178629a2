// A fast reader for a subset of YAML: block mappings and sequences,
// one-line plain and quoted scalars, one-line flow collections, comments.
// It records where each sequence's items start (the sources of list
// entries), as the lean js-yaml read does. Anything outside that subset
// (anchors, aliases, tags, merge keys, block or multi-line scalars,
// multi-line flow, tabs, CR, non-ASCII, duplicate keys, keys that are not
// strings, and all syntax errors) makes it give up, and the caller reads
// the text with js-yaml, which knows all of YAML and words the errors.
// Plain scalars resolve as YAML 1.2's core schema does in js-yaml (null,
// bool, int, float; see resolvePlain); test/config/yaml-fast.test.ts
// checks the values and offsets against js-yaml's on generated documents.
// The reader knows nothing of what a config holds.

const GIVE_UP = { giveUp: true } as const;
/** Deeper nesting is left to js-yaml, which bounds it and says where (and this reader's recursion stays short). */
const FAST_MAX_DEPTH = 50;
/** Slots of the per-read caches of recent scalars and keys (powers of two). */
const RECENT_SLOTS = 16;
const KEY_SLOTS = 256;

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
/** ... in the plain scalars that scanMap reads. */
const SIMPLE = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  const alnum = /[A-Za-z0-9]/.test(ch);
  PLAIN[c] = alnum || '_./:+-@=~,()!&*?%$^<>;'.includes(ch) ? 1 : 0;
  PLAIN_FIRST[c] = alnum || '_./~+($=^'.includes(ch) ? 1 : 0;
  KEY[c] = alnum || '_.-/$'.includes(ch) ? 1 : 0;
  SIMPLE[c] = alnum || '._/:-'.includes(ch) ? 1 : 0;
}
/** The most entries scanMap reads (more are left to flowMap). */
const SCAN_MAP_ENTRIES = 8;
/** Printable ASCII: with newlines, the only characters of the subset. */
const isPrintable = (c: number) => c >= SP && c <= 0x7e;
const FLOW_INDICATOR = (c: number) => c === 44 || c === 91 || c === 93 || c === 123 || c === 125;

/**
 * The core-schema value of a plain scalar as js-yaml 4 resolves it: null,
 * a boolean, an integer, a float, or the text itself.
 */
export function resolvePlain(text: string): unknown {
  let dots = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // None of null, bool, int or float contains these.
    if (c === COLON || c === 47 || c === SP) return text;
    if (c === 46 && ++dots > 1) return text;
    if (c >= 48 && c <= 57) digits++;
  }
  return resolveScanned(text, digits === text.length, false);
}

/** resolvePlain, given what a scan found: whether all are digits, or that it cannot be but a string. */
function resolveScanned(text: string, allDigits: boolean, isString: boolean): unknown {
  if (isString || text.length === 0) return text;
  if (allDigits && text.length < 16) return Number(text); // a decimal int, exact below 2^53
  const first = text.charCodeAt(0);
  // Null, bool, int and float start with "~", n, t, f (either case), a digit, a sign or a dot.
  const letter = first | 0x20;
  if (letter >= 0x61 && letter <= 0x7a) {
    if (letter !== 0x6e && letter !== 0x74 && letter !== 0x66) return text;
  } else if (!((first >= 48 && first <= 57) || first === 43 || first === 45 || first === 46 || first === 126)) return text;
  switch (text) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  const int = coreInt(text);
  if (int !== undefined) return int;
  return coreFloat(text) ?? text;
}

const DEC = /^[0-9]+$/;
const BASES: Record<string, [number, RegExp]> = { b: [2, /^[01]+$/], o: [8, /^[0-7]+$/], x: [16, /^[0-9a-fA-F]+$/] };

/** The core schema's int (js-yaml 4): [-+] then 0, 0b.., 0o.., 0x.. or decimal digits, finite. */
function coreInt(text: string): number | undefined {
  const signed = text[0] === '-' || text[0] === '+';
  const sign = text[0] === '-' ? -1 : 1;
  const body = signed ? text.slice(1) : text;
  if (body === '0') return 0; // "-0" too: an int, and so not negative
  let value: number;
  const base = body[0] === '0' ? BASES[body[1]!] : undefined;
  if (base) {
    const digits = body.slice(2);
    if (!base[1].test(digits)) return undefined;
    value = sign * parseInt(digits, base[0]);
  } else {
    if (!DEC.test(body)) return undefined;
    value = sign * parseInt(body, 10);
  }
  return Number.isFinite(value) ? value : undefined;
}

const FLOAT = /^(?:[-+]?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** The core schema's float (js-yaml 4): finite decimals, [-+].inf and .nan in three spellings. */
function coreFloat(text: string): number | undefined {
  if (!FLOAT.test(text)) return undefined;
  const sign = text[0] === '-' ? -1 : 1;
  const body = (text[0] === '-' || text[0] === '+' ? text.slice(1) : text).toLowerCase();
  if (body === '.inf') return sign * Infinity;
  if (body === '.nan') return NaN;
  const value = sign * parseFloat(body);
  return Number.isFinite(value) ? value : undefined;
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

export interface FastParsed {
  value: unknown;
  /** Each sequence's item offsets, by the parsed array. */
  items: WeakMap<object, number[]>;
}

/**
 * The value of `text` and where its sequences' items are, or undefined
 * when the text is outside the subset (which has no characters but
 * newlines and printable ASCII: the scanners of quoted scalars and
 * comments, which take what the others refuse, check).
 */
export function parseFastYaml(text: string): FastParsed | undefined {
  try {
    return new FastYaml(text).document();
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
  /** Where it starts. */
  private pos = 0;
  private str = '';
  private readonly items = new WeakMap<object, number[]>();
  /** Recent scalars' strings and their hashes, by hash. */
  private readonly recent: string[] = new Array<string>(RECENT_SLOTS).fill('');
  private readonly recentHash = new Int32Array(RECENT_SLOTS);
  /** Recent keys and their hashes, by hash: each key held once. */
  private readonly keys: string[] = new Array<string>(KEY_SLOTS).fill('');
  private readonly keyHash = new Int32Array(KEY_SLOTS);
  /** The entries read so far by scanMap. */
  private readonly entryKeys: string[] = [];
  private readonly entryValues: unknown[] = [];
  /** Collections open around the current node. */
  private depth = 0;

  constructor(private readonly s: string) {
    this.n = s.length;
  }

  document(): FastParsed {
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
    return { value: this.val, items: this.items };
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
    const kids: number[] = [];
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
    this.pos = at;
    this.items.set(items, kids);
    this.depth--;
  }

  private map(ind: number, first: number): void {
    if (++this.depth > FAST_MAX_DEPTH) throw GIVE_UP;
    const obj: Record<string, unknown> = {};
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
      if (this.ind < ind) break;
      if (this.ind > ind || this.isDash(this.c)) throw GIVE_UP;
      k = this.c;
    }
    this.val = obj;
    this.pos = first;
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
    let hash = 0;
    if (quoted) j = ch === DQ ? this.doubleQuoted(i) : this.singleQuoted(i);
    else
      for (let c = s.charCodeAt(j); KEY[c] === 1; c = s.charCodeAt(++j)) hash = (hash * 31 + c) | 0;
    let k = j;
    while (s.charCodeAt(k) === SP) k++;
    if (j === i || s.charCodeAt(k) !== COLON || !this.isBlankAfter(k + 1)) return -1;
    if (!quoted) {
      const key = this.key(i, j, hash);
      // Keys like "1", "true" or "-x" are left to js-yaml.
      if (key === undefined) throw GIVE_UP;
      this.str = key;
    }
    return k + 1;
  }

  /**
   * The plain key s[from, to), whose characters hash to `hash`: the string
   * of a recent key when it is the same text (each key held once); or
   * undefined when the text does not read as a string. A key may sit in
   * either slot of a pair, so that two keys of one hash pair both stay.
   */
  private key(from: number, to: number, hash: number): string | undefined {
    const slot = hash & (KEY_SLOTS - 1);
    const keys = this.keys;
    const s = this.s;
    let recent = keys[slot]!;
    if (this.keyHash[slot] === hash && recent.length === to - from && textAt(s, from, recent)) return recent;
    const other = slot ^ 1;
    recent = keys[other]!;
    if (this.keyHash[other] === hash && recent.length === to - from && textAt(s, from, recent)) return recent;
    const key = s.slice(from, to);
    if (!PLAIN_FIRST[s.charCodeAt(from)] || typeof resolvePlain(key) !== 'string') return undefined;
    const into = keys[slot] === '' || keys[other] !== '' ? slot : other;
    this.keyHash[into] = hash;
    return (keys[into] = key);
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
      end = ch === 123 ? this.scanMap(q) : -1;
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
    const kids: number[] = [];
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
    this.pos = start;
    this.items.set(items, kids);
    this.depth--;
    return i + 1;
  }

  private flowMap(start: number): number {
    if (++this.depth > FAST_MAX_DEPTH) throw GIVE_UP;
    const s = this.s;
    const obj: Record<string, unknown> = {};
    let i = this.skipSpaces(start + 1);
    if (s.charCodeAt(i) !== 125) {
      for (;;) {
        i = this.skipSpaces(this.flowKey(i));
        const key = this.str;
        if (key === '__proto__' || obj[key] !== undefined || s.charCodeAt(i) !== COLON) throw GIVE_UP;
        i = this.skipSpaces(i + 1);
        const vc = s.charCodeAt(i);
        if (vc === 44 || vc === 125 || vc === NL || i >= this.n) throw GIVE_UP;
        i = this.skipSpaces(this.flowNode(i));
        obj[key] = this.val;
        if (this.atFlowEnd(i, 125)) break;
        i = this.skipSpaces(i + 1);
      }
    }
    this.val = obj;
    this.pos = start;
    this.depth--;
    return i + 1;
  }

  /**
   * A one-line flow mapping of plain keys and of scalars without spaces,
   * flow indicators or escapes (like "{ a: 1, b: x/y }"), read in one pass:
   * the offset after it, or -1, having read nothing, for anything else,
   * which flowMap then reads (or gives up on). The values are flowMap's.
   */
  private scanMap(start: number): number {
    const s = this.s;
    const keys = this.entryKeys;
    const values = this.entryValues;
    let n = 0;
    let i = start + 1;
    for (;;) {
      while (s.charCodeAt(i) === SP) i++;
      const keyAt = i;
      let keyHash = 0;
      for (let c = s.charCodeAt(i); KEY[c] === 1; c = s.charCodeAt(++i)) keyHash = (keyHash * 31 + c) | 0;
      if (i === keyAt || s.charCodeAt(i) !== COLON || s.charCodeAt(i + 1) !== SP || n === SCAN_MAP_ENTRIES) return -1;
      const key = this.key(keyAt, i, keyHash);
      if (key === undefined || key === '__proto__') return -1;
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
    this.val = objectOf(keys, values, n);
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
   * A key in a flow mapping, into `str`: a plain key ("a: ...") through the
   * cache of keys, anything else as a string-valued flow node.
   */
  private flowKey(i: number): number {
    const s = this.s;
    const ch = s.charCodeAt(i);
    let j = i;
    let hash = 0;
    for (let c = s.charCodeAt(j); KEY[c] === 1; c = s.charCodeAt(++j)) hash = (hash * 31 + c) | 0;
    if (j > i && s.charCodeAt(j) === COLON) {
      const next = s.charCodeAt(j + 1);
      const key = j + 1 >= this.n || next === SP || next === NL || FLOW_INDICATOR(next) ? this.key(i, j, hash) : undefined;
      if (key !== undefined) {
        this.str = key;
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
