// JSON files: JSON.parse for the value (fast), a pass over the text for what
// JSON.parse lets through (duplicate keys, of which it keeps the last, and
// nesting deeper than anything can use), and a scanner for positions that
// runs only when a position is first needed.
import type { Problem } from './errors.js';
import { SourceText, type PosCollection, type PosTree } from './source.js';
import { MAX_DEPTH, type Duplicate } from './yaml.js';

export function parseJson(file: string, text: string): SourceText | Problem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return jsonSyntaxProblem(file, text, (e as Error).message);
  }
  const checked = checkJson(text);
  const src = new SourceText(file, text, value, () => scanJson(text));
  if (checked.deepAt >= 0) return { ...src.position(checked.deepAt), message: `nested deeper than ${MAX_DEPTH} levels; a config needs a handful` };
  for (const d of checked.duplicates) {
    const first = src.position(d.first);
    const key = d.key.length > 60 ? `${d.key.slice(0, 40)}...(${d.key.length} characters)` : d.key;
    src.problems.push({ ...src.position(d.at), message: `duplicate key "${key}" (first at line ${first.line}, column ${first.col}); a key may appear once in an object` });
  }
  return src;
}

/**
 * Duplicate keys and too deep nesting of valid JSON text, in one pass. Keys
 * are compared as text, in place, while an object has few keys and none
 * with an escape; beyond that, as decoded strings.
 */
function checkJson(text: string): { duplicates: Duplicate[]; deepAt: number } {
  const duplicates: Duplicate[] = [];
  const n = text.length;
  /** The keys of the open objects, as [start, end) of their text inside the quotes. */
  const starts: number[] = [];
  const ends: number[] = [];
  /** Per depth: where that collection's keys begin in starts/ends; its decoded keys once compared as strings. */
  const frames: number[] = [0];
  const decoded: (Map<string, number> | undefined)[] = [undefined];
  let depth = 0;
  const decode = (s: number, e: number): string => JSON.parse(text.slice(s - 1, e + 1)) as string;
  /** The next backslash at or after the string being read (Infinity: none); strings without one end at the next quote. */
  let backslash = -1;
  // The next of each structural character, found with indexOf (fast over long strings and indentation).
  const find = (ch: string, from: number): number => {
    const x = text.indexOf(ch, from);
    return x < 0 ? n : x;
  };
  let quote = find('"', 0);
  let openMap = find('{', 0);
  let closeMap = find('}', 0);
  let openList = find('[', 0);
  let closeList = find(']', 0);
  for (;;) {
    const i = Math.min(quote, openMap, closeMap, openList, closeList);
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === 34) {
      const s = i + 1;
      let j = text.indexOf('"', s);
      if (backslash < s) {
        const b = text.indexOf('\\', s);
        backslash = b < 0 ? Infinity : b;
      }
      const escaped = backslash < j;
      if (escaped) {
        for (j = s; ; ) {
          const d = text.charCodeAt(j);
          if (d === 92) j += 2;
          else if (d === 34) break;
          else j++;
        }
      }
      // Past the string, and past what was inside it.
      quote = find('"', j + 1);
      if (openMap < j) openMap = find('{', j + 1);
      if (closeMap < j) closeMap = find('}', j + 1);
      if (openList < j) openList = find('[', j + 1);
      if (closeList < j) closeList = find(']', j + 1);
      let k = j + 1;
      for (let d = text.charCodeAt(k); d === 32 || d === 10 || d === 13 || d === 9; d = text.charCodeAt(++k));
      if (text.charCodeAt(k) !== 58) continue; // a value, not a key
      const from = frames[depth]!;
      let map = decoded[depth];
      if (!map && (escaped || starts.length - from >= 16)) {
        map = decoded[depth] = new Map();
        for (let q = from; q < starts.length; q++) map.set(decode(starts[q]!, ends[q]!), starts[q]! - 1);
      }
      if (map) {
        const key = escaped ? decode(s, j) : text.slice(s, j);
        const first = map.get(key);
        if (first === undefined) map.set(key, s - 1);
        else duplicates.push({ key, at: s - 1, first });
      } else {
        const len = j - s;
        for (let q = from; q < starts.length; q++) {
          const qs = starts[q]!;
          if (ends[q]! - qs !== len) continue;
          let same = true;
          for (let m = 0; m < len && same; m++) same = text.charCodeAt(qs + m) === text.charCodeAt(s + m);
          if (same) {
            duplicates.push({ key: text.slice(s, j), at: s - 1, first: qs - 1 });
            break;
          }
        }
      }
      starts.push(s);
      ends.push(j);
    } else if (c === 123 || c === 91) {
      if (c === 123) openMap = find('{', i + 1);
      else openList = find('[', i + 1);
      if (++depth > MAX_DEPTH) return { duplicates, deepAt: i };
      frames[depth] = starts.length;
      decoded[depth] = undefined;
    } else {
      if (c === 125) closeMap = find('}', i + 1);
      else closeList = find(']', i + 1);
      starts.length = ends.length = frames[depth]!;
      decoded[depth] = undefined;
      depth--;
    }
  }
  return { duplicates, deepAt: -1 };
}

function jsonSyntaxProblem(file: string, text: string, message: string): Problem {
  const found = findJsonError(text);
  const at = new SourceText(file, text, undefined, 0).position(found?.offset ?? text.length);
  return { ...at, message: `JSON syntax error: ${found?.message ?? message}` };
}

/**
 * Where JSON.parse stopped and why: its own messages carry no position on
 * every Node version. A small recursive-descent check of the text.
 */
function findJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const fail = (message: string): never => {
    throw { offset: i, message };
  };
  const at = (): string => (i >= text.length ? 'the end of the input' : `"${text[i]}"`);
  const skip = (): void => {
    while (/[ \t\r\n]/.test(text[i] ?? '')) i++;
  };
  const string = (): void => {
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n') fail('unterminated string');
      if (c === '"') break;
      if (c === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('bad \\u escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('bad escape');
      } else if (c < ' ') fail('control character in a string');
      i++;
    }
    i++;
  };
  const value = (): void => {
    skip();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      skip();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (close === '}') {
          skip();
          if (text[i] !== '"') fail(`expected a key in double quotes, found ${at()}`);
          string();
          skip();
          if (text[i] !== ':') fail(`expected ":", found ${at()}`);
          i++;
        }
        value();
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === close) {
          i++;
          return;
        }
        fail(`expected "," or "${close}", found ${at()}`);
      }
    }
    if (c === '"') return string();
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail(`expected a value, found ${at()}`);
    i += m![0].length;
  };
  try {
    value();
    skip();
    if (i < text.length) fail(`unexpected ${at()} after the value`);
  } catch (e) {
    return e as { offset: number; message: string };
  }
  return undefined;
}

/** The PosTree of valid JSON text. */
function scanJson(text: string): PosTree {
  let i = 0;
  const skip = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else return;
    }
  };
  const stringEnd = (from: number): number => {
    let j = from + 1;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 34) return j + 1;
      else j++;
    }
  };
  const value = (): PosTree => {
    skip();
    const at = i;
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) {
      const map = c === 123;
      const kids: (string | PosTree)[] = [];
      const node: PosCollection = { at, map, kids };
      i++;
      skip();
      if (text.charCodeAt(i) === (map ? 125 : 93)) {
        i++;
        return node;
      }
      for (;;) {
        if (map) {
          skip();
          const keyAt = i;
          i = stringEnd(i);
          const raw = text.slice(keyAt + 1, i - 1);
          const key = raw.includes('\\') ? (JSON.parse(text.slice(keyAt, i)) as string) : raw;
          skip();
          i++; // ':'
          kids.push(key, keyAt, value());
        } else {
          kids.push(value());
        }
        skip();
        if (text.charCodeAt(i++) !== 44) return node; // ',' or the closing bracket
      }
    }
    if (c === 34) i = stringEnd(i);
    else {
      // A number, true, false or null: up to the next delimiter.
      for (let d = text.charCodeAt(i); i < text.length && d !== 44 && d !== 93 && d !== 125 && d !== 32 && d !== 10 && d !== 13 && d !== 9; d = text.charCodeAt(++i));
    }
    return at;
  };
  return value();
}
