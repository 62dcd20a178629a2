// Checks a parsed config against schema/netrec.schema.json and words the
// problems for people, each with the path it is about.
//
// The schema file is the one definition of the format (editors use it
// through the yaml-language-server modeline). It is read here by a small
// interpreter of the keywords it uses rather than compiled with ajv: ajv's
// import and compile cost about 0.3 s per run, more than a whole load of a
// big config may take. The tests check the schema with ajv in strict mode
// and that both agree.
import { readFileSync } from 'node:fs';
import type { Path, PathSegment } from './source.js';

/** A schema problem: where (path; the key itself when `key`) and what. */
export interface PathProblem {
  path: Path;
  key: boolean;
  message: string;
}

const SCHEMA_URL = new URL('../../../schema/netrec.schema.json', import.meta.url);

/** The keywords the schema uses; the tests make sure it uses no others. */
export const SUPPORTED_KEYWORDS = [
  '$schema', '$defs', '$ref', 'title', 'description', 'errorMessage',
  'type', 'enum', 'const', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern',
  'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'minItems',
] as const;

interface RawSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  errorMessage?: string;
  properties?: Record<string, RawSchema>;
  required?: string[];
  additionalProperties?: boolean | RawSchema;
  propertyNames?: RawSchema;
  items?: RawSchema;
  minItems?: number;
  $defs?: Record<string, RawSchema>;
}

/** A schema node with references resolved and patterns compiled. */
interface Node {
  raw: RawSchema;
  types?: Set<string>;
  pattern?: RegExp;
  properties?: Map<string, Node>;
  additional?: Node | false;
  propertyNames?: Node;
  items?: Node;
}

let root: Node | undefined;

export function loadSchemaFile(): RawSchema {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as RawSchema;
}

function compile(schema: RawSchema): Node {
  const cache = new Map<RawSchema, Node>();
  const build = (s: RawSchema): Node => {
    if (s.$ref) {
      const name = s.$ref.replace(/^#\/\$defs\//, '');
      const target = schema.$defs?.[name];
      if (!target) throw new Error(`schema: unresolved $ref ${s.$ref}`);
      return build(target);
    }
    let node = cache.get(s);
    if (node) return node;
    node = { raw: s };
    cache.set(s, node);
    if (s.type !== undefined) node.types = new Set(Array.isArray(s.type) ? s.type : [s.type]);
    if (s.pattern !== undefined) node.pattern = new RegExp(s.pattern, 'u');
    if (s.properties) node.properties = new Map(Object.entries(s.properties).map(([k, v]) => [k, build(v)]));
    if (s.additionalProperties === false) node.additional = false;
    else if (typeof s.additionalProperties === 'object') node.additional = build(s.additionalProperties);
    if (s.propertyNames) node.propertyNames = build(s.propertyNames);
    if (s.items) node.items = build(s.items);
    return node;
  };
  return build(schema);
}

export function validateSchema(value: unknown): PathProblem[] {
  root ??= compile(loadSchemaFile());
  const out: PathProblem[] = [];
  check(root, value, [], out);
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function hasType(types: Set<string>, t: string): boolean {
  return types.has(t) || (t === 'integer' && types.has('number'));
}

/** `path` is a stack shared by the whole walk; problems copy it. */
function check(node: Node, v: unknown, path: PathSegment[], out: PathProblem[]): void {
  const s = node.raw;
  const t = typeOf(v);
  if (node.types && !hasType(node.types, t)) {
    const types = [...node.types].map((x) => TYPE_WORDS[x] ?? x).join(' or ');
    report(out, path, `${nameOf(path)} must be ${types} (got ${shown(v)})`);
    return;
  }
  if (s.const !== undefined && v !== s.const) report(out, path, `${nameOf(path)} must be ${shown(s.const)} (got ${shown(v)})`);
  if (s.enum && !s.enum.includes(v)) {
    const allowed = s.enum.map(String);
    report(out, path, `${nameOf(path)} must be one of ${allowed.join(', ')} (got ${shown(v)})${suggest(String(v), allowed)}`);
  }
  if (t === 'integer' || t === 'number') {
    const n = v as number;
    if ((s.minimum !== undefined && n < s.minimum) || (s.maximum !== undefined && n > s.maximum)) {
      report(out, path, `${nameOf(path)} must be between ${s.minimum ?? '-infinity'} and ${s.maximum ?? 'infinity'} (got ${n})`);
    }
  } else if (t === 'string') {
    checkString(node, v as string, path, out);
  } else if (t === 'object') {
    checkObject(node, v as Record<string, unknown>, path, out);
  } else if (t === 'array') {
    const arr = v as unknown[];
    if (s.minItems !== undefined && arr.length < s.minItems) report(out, path, `${nameOf(path)} must not be empty`);
    if (node.items) {
      for (let i = 0; i < arr.length; i++) {
        path.push(i);
        check(node.items, arr[i], path, out);
        path.pop();
      }
    }
  }
}

function report(out: PathProblem[], path: Path, message: string, key = false): void {
  out.push({ path: [...path], key, message });
}

function checkString(node: Node, str: string, path: PathSegment[], out: PathProblem[]): void {
  const s = node.raw;
  // Lengths count code points, as JSON Schema does; code units are a bound that is exact for most text.
  let len = str.length;
  if ((s.maxLength !== undefined && len > s.maxLength) || (s.minLength !== undefined && len < s.minLength)) len = [...str].length;
  const badLength = (s.minLength !== undefined && len < s.minLength) || (s.maxLength !== undefined && len > s.maxLength);
  const badPattern = node.pattern !== undefined && !node.pattern.test(str);
  if (!badLength && !badPattern) return;
  const hint = s.errorMessage ?? (badPattern ? `must match ${s.pattern}` : `must be ${s.minLength ?? 0}..${s.maxLength ?? 'any'} characters long`);
  report(out, path, `${nameOf(path)}: ${hint} (got ${shown(str)})`);
}

function checkObject(node: Node, obj: Record<string, unknown>, path: PathSegment[], out: PathProblem[]): void {
  for (const name of node.raw.required ?? []) {
    if (!Object.hasOwn(obj, name)) report(out, path, `${nameOf(path)}: missing required key "${name}"`);
  }
  for (const key in obj) {
    const sub = node.properties?.get(key);
    if (node.propertyNames) {
      const before = out.length;
      path.push(key);
      check(node.propertyNames, key, path, out);
      path.pop();
      for (let i = before; i < out.length; i++) {
        out[i] = { path: [...path, key], key: true, message: `invalid name "${key}": ${node.propertyNames.raw.errorMessage ?? 'not allowed'}` };
      }
    }
    const schema = sub ?? node.additional;
    path.push(key);
    if (schema === false) {
      const known = [...(node.properties?.keys() ?? [])];
      report(out, path, `unknown key "${key}"${suggest(key, known)}`, true);
    } else if (schema) {
      check(schema, obj[key], path, out);
    }
    path.pop();
  }
}

const ENTRY_NAMES: Record<string, string> = {
  interfaces: 'interface',
  routes: 'route',
  rules: 'rule',
  neighbors: 'neighbor',
  addresses: 'address entry',
  nexthops: 'nexthop',
};

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  null: 'empty',
};

/** How a message names the thing at `path`: "via", "route", "the configuration". */
function nameOf(path: Path): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the configuration';
  if (typeof last === 'number') return ENTRY_NAMES[String(path[path.length - 2])] ?? 'entry';
  return `"${last}"`;
}

/** A value as a message quotes it, cut short when long. */
function shown(value: unknown): string {
  const text = value === undefined ? 'nothing' : value === null ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `; did you mean "x"?` for a near miss (edit distance <= 2), else nothing. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best === undefined || best === word ? '' : `; did you mean "${best}"?`;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
