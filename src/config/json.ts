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
  const m = /at position (\d+)/.exec(message);
  const offset = m ? Number(m[1]) : text.length;
  const src = new SourceText(file, text, undefined, 0).position(offset);
  const reason = message.replace(/\s*(in JSON )?at position \d+.*$/s, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of input');
  return { ...src, message: `JSON syntax error: ${reason}` };
}

/** The PosTree of valid JSON text. */
export function scanJson(text: string): PosTree {
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
