// The JSON Schema (schema/netrec.schema.json) as a compiled validator, and
// its errors in words a user understands, each with the path it is about.
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Path, PathSegment } from './source.js';

/** A schema problem: where (path; the key itself when `key`) and what. */
export interface PathProblem {
  path: Path;
  key: boolean;
  message: string;
}

export const SCHEMA_PATH = new URL('../../../schema/netrec.schema.json', import.meta.url);

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, verbose: true, allowUnionTypes: true, strict: true });
  // An annotation editors show (yaml-language-server); here it words pattern errors.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv.compile(schema);
}

export function validateSchema(value: unknown): PathProblem[] {
  validator ??= compile();
  if (validator(value)) return [];
  const out: PathProblem[] = [];
  for (const e of validator.errors ?? []) {
    const p = describe(e);
    if (p) out.push(p);
  }
  return out;
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

function pathOf(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => {
      const seg = s.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : seg;
    });
}

/** How a message names the thing at `path`: "via", "route", "the configuration". */
export function nameOf(path: Path): string {
  const last = path[path.length - 1];
  if (last === undefined) return 'the configuration';
  if (typeof last === 'number') return ENTRY_NAMES[String(path[path.length - 2])] ?? 'entry';
  return `"${last}"`;
}

export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function describe(e: ErrorObject): PathProblem | undefined {
  const path = pathOf(e.instancePath);
  const what = nameOf(path);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const got = ` (got ${shown(e.data)})`;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const known = Object.keys((parent.properties as object | undefined) ?? {});
      return { path: [...path, key], key: true, message: `unknown key "${key}"${suggest(key, known)}` };
    }
    case 'required':
      return { path, key: false, message: `${what}: missing required key "${String(params.missingProperty)}"` };
    case 'type': {
      const types = String(params.type).split(',').map((t) => TYPE_WORDS[t] ?? t);
      return { path, key: false, message: `${what} must be ${types.join(' or ')}${got}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      return { path, key: false, message: `${what} must be one of ${allowed.join(', ')}${got}${suggest(String(e.data), allowed)}` };
    }
    case 'const':
      return { path, key: false, message: `${what} must be ${shown(params.allowedValue)}${got}` };
    case 'minimum':
    case 'maximum':
      return { path, key: false, message: `${what} must be between ${String(parent.minimum)} and ${String(parent.maximum)}${got}` };
    case 'minItems':
      return { path, key: false, message: `${what} must not be empty` };
    case 'propertyNames':
      return { path: [...path, String(params.propertyName)], key: true, message: `invalid key "${String(params.propertyName)}"` };
    case 'pattern':
    case 'minLength':
    case 'maxLength': {
      if (e.propertyName !== undefined) return undefined; // worded by the propertyNames error
      const hint = typeof parent.errorMessage === 'string' ? parent.errorMessage : `must match ${String(parent.pattern)}`;
      return { path, key: false, message: `${what}: ${hint}${got}` };
    }
    default:
      return { path, key: false, message: `${what} ${e.message ?? 'is invalid'}` };
  }
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
