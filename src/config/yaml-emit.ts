// Config documents as text: block-style YAML (what people edit and diff)
// and JSON (what snapshots are). The YAML writer is small and fast; it
// quotes every string that a YAML 1.1 or 1.2 reader could take for
// something else.
import { plainScalarValue } from './yaml.js';

/** On a mapping: comments for the lines of some of its keys, e.g. { name: "kind ifb" }. */
export const COMMENTS = Symbol('comments');

type Mapping = Record<string, unknown> & { [COMMENTS]?: Record<string, string> };

/** Where text goes, piece by piece: a full table's document as one string would be 100 MB (and its bytes as much again). */
export type Write = (text: string) => void;

export function toJson(doc: Record<string, unknown>): string {
  return collect(writeJson, doc);
}

export function toYaml(doc: Record<string, unknown>): string {
  return collect(writeYaml, doc);
}

function collect(writer: (write: Write, doc: Record<string, unknown>) => void, doc: Record<string, unknown>): string {
  const parts: string[] = [];
  writer((s) => parts.push(s), doc);
  return parts.join('');
}

/** List entries per piece of output. */
const BATCH = 10000;

/**
 * JSON.stringify(doc, null, 2) and a newline, in pieces: a long list of the
 * document goes out a batch of entries at a time, each batch stringified
 * inside a one-key object like the document, so that it comes indented as
 * in the whole.
 */
export function writeJson(write: Write, doc: Record<string, unknown>): void {
  let first = true;
  for (const k in doc) {
    const v = doc[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    write(first ? '{\n' : ',\n');
    first = false;
    if (!Array.isArray(v) || v.length <= BATCH) {
      write(JSON.stringify({ [k]: v }, null, 2).slice(2, -2));
      continue;
    }
    const head = `{\n  ${JSON.stringify(k)}: [\n`;
    const tail = '\n  ]\n}';
    write(head.slice(2));
    for (let i = 0; i < v.length; i += BATCH) {
      if (i > 0) write(',\n');
      write(JSON.stringify({ [k]: v.slice(i, i + BATCH) }, null, 2).slice(head.length, -tail.length));
    }
    write(tail.slice(0, -2));
  }
  write(first ? '{}\n' : '\n}\n');
}

/** Block-style YAML of the document, written a batch of lines at a time. */
export function writeYaml(write: Write, doc: Record<string, unknown>): void {
  const out = new Lines(write);
  mapping(doc as Mapping, 0, '', out);
  out.flush();
}

/**
 * Lines of output, each written with its newline, a batch at a time; with
 * the write's caches of keys as written and of indents (per call, not
 * module state).
 */
class Lines {
  private lines: string[] = [];
  private readonly keys = new Map<string, string>();
  private readonly pads: string[] = [];

  constructor(private readonly write: Write) {}

  push(line: string): void {
    if (this.lines.push(line) >= BATCH) this.flush();
  }

  flush(): void {
    if (this.lines.length === 0) return;
    this.write(`${this.lines.join('\n')}\n`);
    this.lines = [];
  }

  /** A key as written: plain when it is a name (as all of the config format's are), else quoted. */
  key(k: string): string {
    let text = this.keys.get(k);
    if (text === undefined) {
      text = PLAIN_KEY.test(k) ? yamlString(k) : JSON.stringify(k);
      if (this.keys.size < 1000) this.keys.set(k, text);
    }
    return text;
  }

  pad(n: number): string {
    return (this.pads[n] ??= ' '.repeat(n));
  }
}

/** Mapping at `indent`; its first line starts with `first` (the "- " of a sequence item). */
function mapping(obj: Mapping, indent: number, first: string, out: Lines): void {
  const pad = out.pad(indent);
  const comments = obj[COMMENTS];
  let lead = first;
  let empty = true;
  for (const k in obj) {
    const v = obj[k];
    if (v === undefined) continue;
    const key = `${lead}${out.key(k)}:`;
    lead = pad;
    empty = false;
    const comment = comments?.[k] === undefined ? '' : `  # ${comments[k]}`;
    if (v === null || typeof v !== 'object') out.push(`${key} ${scalar(v)}${comment}`);
    else if (Array.isArray(v)) {
      if (v.length === 0) out.push(`${key} []${comment}`);
      else {
        out.push(key + comment);
        sequence(v, indent + 2, out);
      }
    } else if (Object.keys(v).length === 0) out.push(`${key} {}${comment}`);
    else {
      out.push(key + comment);
      mapping(v as Mapping, indent + 2, out.pad(indent + 2), out);
    }
  }
  if (empty) out.push(`${first}{}`);
}

function sequence(items: unknown[], indent: number, out: Lines): void {
  const dash = `${out.pad(indent)}- `;
  for (const item of items) {
    if (item === null || typeof item !== 'object') out.push(dash + scalar(item));
    else if (Array.isArray(item)) {
      if (item.length === 0) out.push(`${dash}[]`);
      else {
        out.push(dash.trimEnd());
        sequence(item, indent + 2, out);
      }
    } else mapping(item as Mapping, indent + 2, dash, out);
  }
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return yamlString(v);
  if (v === null) return 'null';
  return String(v);
}

const PLAIN = /^[A-Za-z0-9_./][A-Za-z0-9_./:+@-]*$/;
/** Words YAML 1.1 readers take for booleans. */
const YAML11_BOOL = /^(y|yes|n|no|on|off)$/i;
/** YAML 1.1 sexagesimal numbers (190:20:30), and MACs, which look like them. */
const COLON_NUMBER = /^([-+]?\d[\d_]*(:[0-5]?\d)+(\.\d*)?|[0-9a-f]{2}(:[0-9a-f]{2})+)$/i;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_.$/-]*$/;

/** A string as a YAML scalar: plain when it reads back as the same string, else double-quoted. */
export function yamlString(s: string): string {
  const plain =
    PLAIN.test(s) &&
    !s.endsWith(':') &&
    !(s.length <= 3 && YAML11_BOOL.test(s)) &&
    !(s.includes(':') && COLON_NUMBER.test(s)) &&
    plainScalarValue(s) === s;
  return plain ? s : JSON.stringify(s);
}
