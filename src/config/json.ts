// JSON files: JSON.parse for the value (fast), and a scanner for positions
// that runs only when a position is first needed.
import type { Problem } from './errors.js';
import { SourceText, type PosCollection, type PosTree } from './source.js';

export function parseJson(file: string, text: string): SourceText | Problem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return jsonSyntaxProblem(file, text, (e as Error).message);
  }
  return new SourceText(file, text, value, () => scanJson(text));
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
