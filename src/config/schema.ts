// Checks a parsed config against schema/netrec.schema.json and words the
// problems for people, each with the path it is about.
//
// The schema file is the one definition of the format (editors use it
// through the yaml-language-server modeline). ajv compiles it at build time
// (scripts/build-schema-validator.mjs) into a standalone validator, which is
// all a run loads: importing and compiling ajv would cost about 0.3 s.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Path, PathSegment } from './source.js';

/** A schema problem: where (path; the key itself when `key`) and what. */
export interface PathProblem {
  path: Path;
  key: boolean;
  message: string;
}

const SCHEMA_URL = new URL('../../../schema/netrec.schema.json', import.meta.url);
const VALIDATOR = './schema-validator.cjs';
const requireHere = createRequire(import.meta.url);

/** The keywords whose errors are worded here; the tests make sure the schema uses no others. */
export const SUPPORTED_KEYWORDS = [
  '$schema', '$defs', '$ref', 'title', 'description', 'errorMessage',
  'type', 'enum', 'const', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern',
  'properties', 'required', 'additionalProperties', 'propertyNames', 'items', 'minItems',
] as const;

/** The parts of a schema node that messages quote. */
interface SchemaNode {
  type?: string | string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  errorMessage?: string;
  properties?: Record<string, SchemaNode>;
}

export function loadSchemaFile(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Record<string, unknown>;
}

/**
 * The compiled validator. Node's module cache keeps the one instance, so
 * asking again is a lookup; it is loaded on the first check, not at import.
 */
function validator(): ValidateFunction {
  try {
    return requireHere(VALIDATOR) as ValidateFunction;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== 'MODULE_NOT_FOUND' || !err.message.includes(VALIDATOR)) throw e;
    throw new Error(`the schema validator ${VALIDATOR} is not built: run npm run prepare`);
  }
}

/** Every problem the schema finds in a parsed document, each with its path. */
export function validateSchema(value: unknown): PathProblem[] {
  const validate = validator();
  if (validate(value)) return [];
  // ajv leaves the errors of the call just made on the function.
  return problemsOf(validate.errors ?? [], value);
}

/** ajv's errors of one place (a value, or a key with `key`), to be worded together. */
interface Place {
  path: PathSegment[];
  key: boolean;
  errors: ErrorObject[];
}

/**
 * One problem per failed keyword at each place, except that a wrong type
 * hides the rest and a string's length and pattern make one problem. Places
 * come parents first: a parent and its first key can share a line and column.
 */
function problemsOf(errors: ErrorObject[], doc: unknown): PathProblem[] {
  const places = new Map<string, Place>();
  for (const e of errors) {
    if (e.propertyName !== undefined) continue; // a bad key's details: its propertyNames error words it
    const name = e.keyword === 'additionalProperties' ? e.params.additionalProperty : e.keyword === 'propertyNames' ? e.params.propertyName : undefined;
    const id = name === undefined ? e.instancePath : `${e.instancePath}/${escapePointer(name as string)}\0`;
    let place = places.get(id);
    if (!place) {
      const path = pathOf(e.instancePath, doc);
      if (name !== undefined) path.push(name as string);
      places.set(id, (place = { path, key: name !== undefined, errors: [] }));
    }
    place.errors.push(e);
  }
  const out: PathProblem[] = [];
  for (const place of [...places.values()].sort((a, b) => a.path.length - b.path.length)) {
    for (const message of messagesOf(place)) out.push({ path: place.path, key: place.key, message });
  }
  return out;
}

/** The path of a JSON pointer into `doc`: list indices as numbers, keys as strings. */
function pathOf(pointer: string, doc: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  if (pointer === '') return path;
  let at = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.includes('~') ? raw.replace(/~1/g, '/').replace(/~0/g, '~') : raw;
    const seg = Array.isArray(at) ? Number(key) : key;
    path.push(seg);
    at = (at as Record<PathSegment, unknown>)[seg];
  }
  return path;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Wording order of a place's problems, as the schema's keywords are checked. */
const ORDER = ['const', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'required', 'minItems'];

function messagesOf(place: Place): string[] {
  const { path, errors } = place;
  const first = errors[0]!;
  const name = nameOf(path);
  if (place.key) {
    const key = String(path[path.length - 1]);
    if (first.keyword === 'propertyNames') return [`invalid name "${clip(key)}": ${(first.schema as SchemaNode).errorMessage ?? 'not allowed'}`];
    const known = Object.keys((first.parentSchema as SchemaNode).properties ?? {});
    return [`unknown key "${clip(key)}"${suggestKey(key, known)}`];
  }
  const wrongType = errors.find((e) => e.keyword === 'type');
  if (wrongType) {
    const types = [wrongType.params.type as string | string[]].flat().map((t) => TYPE_WORDS[t] ?? t);
    return [`${name} must be ${types.join(' or ')} (got ${shown(wrongType.data)})`];
  }
  const rank = (e: ErrorObject): number => (ORDER.indexOf(e.keyword) + 1 || ORDER.length + 1);
  const messages: string[] = [];
  let range = false;
  let text = false;
  for (const e of [...errors].sort((a, b) => rank(a) - rank(b))) {
    const node = e.parentSchema as SchemaNode;
    switch (e.keyword) {
      case 'const':
        messages.push(`${name} must be ${shown(e.params.allowedValue)} (got ${shown(e.data)})`);
        break;
      case 'enum': {
        const allowed = (e.params.allowedValues as unknown[]).map(String);
        messages.push(`${name} must be one of ${allowed.join(', ')} (got ${shown(e.data)})${suggest(String(e.data), allowed)}`);
        break;
      }
      case 'minimum':
      case 'maximum':
        if (!range) messages.push(`${name} must be between ${node.minimum ?? '-infinity'} and ${node.maximum ?? 'infinity'} (got ${e.data as number})`);
        range = true;
        break;
      case 'minLength':
      case 'maxLength':
      case 'pattern':
        if (!text) {
          const badPattern = errors.some((x) => x.keyword === 'pattern');
          const dashed = typeof e.data === 'string' && /^[0-9A-Fa-f]{1,2}(-[0-9A-Fa-f]{1,2})+$/.test(e.data);
          const hint = dashed
            ? `write a MAC address with ':' between the bytes, like "${(e.data as string).replace(/-/g, ':')}"`
            : (node.errorMessage ?? (badPattern ? `must match ${node.pattern}` : `must be ${node.minLength ?? 0}..${node.maxLength ?? 'any'} characters long`));
          messages.push(`${name}: ${hint} (got ${shown(e.data)})`);
        }
        text = true;
        break;
      case 'required':
        messages.push(`${name}: missing required key "${String(e.params.missingProperty)}"`);
        break;
      case 'minItems':
        messages.push(`${name} must not be empty`);
        break;
      default: // a keyword the schema started to use: ajv's own words
        messages.push(`${name} ${e.message ?? `fails ${e.keyword}`}`);
    }
  }
  return messages;
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

/** A value as a message quotes it, cut short when long; YAML's words for the numbers JSON has none for. */
function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  const text = value === undefined ? 'nothing' : value === null ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A key as a message quotes it: a long one cut short, with its length. */
export function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 40)}...(${text.length} characters)` : text;
}

/**
 * The words of iproute2 (ip route, ip addr, ip rule, ip neigh, ip link),
 * netplan and systemd-networkd for netrec's keys: the first of the keys
 * listed that the place has is suggested.
 */
const SYNONYMS: Record<string, readonly string[]> = {
  dst: ['to', 'address'],
  destination: ['to', 'address'],
  prefix: ['to'],
  gateway: ['via'],
  gw: ['via'],
  nexthop: ['nexthops', 'via'],
  prefsrc: ['src'],
  'preferred-source': ['src'],
  preferredsource: ['src'],
  source: ['src', 'from'],
  src: ['from'],
  proto: ['protocol'],
  valid_lft: ['valid-lifetime'],
  'valid-lft': ['valid-lifetime'],
  valid_lifetime: ['valid-lifetime'],
  validlifetimesec: ['valid-lifetime'],
  preferred_lft: ['preferred-lifetime'],
  'preferred-lft': ['preferred-lifetime'],
  preferred_lifetime: ['preferred-lifetime'],
  preferredlifetimesec: ['preferred-lifetime'],
  onlink: ['on-link'],
  gatewayonlink: ['on-link'],
  priority: ['metric'],
  preference: ['metric', 'priority'],
  prio: ['priority', 'metric'],
  pref: ['priority'],
  lookup: ['table'],
  'routing-table': ['table'],
  dev: ['name', 'iif'],
  device: ['dev', 'name'],
  interface: ['dev', 'name'],
  ifname: ['name', 'dev'],
  oif: ['dev'],
  iifname: ['iif'],
  oifname: ['oif'],
  type: ['kind', 'action'],
  macaddress: ['mac'],
  'mac-address': ['mac'],
  hwaddr: ['mac', 'lladdr'],
  address: ['mac'],
  lladdr: ['mac'],
  mac: ['lladdr'],
  ip: ['address'],
  nud: ['state'],
  mark: ['fwmark'],
  dsfield: ['tos'],
  controller: ['master'],
  parent: ['link'],
  'vlan-id': ['id'],
  vid: ['id'],
  id: ['vni'],
  dstport: ['port'],
  'mii-monitor-interval': ['miimon'],
  forward_delay: ['forward-delay'],
  forwarddelay: ['forward-delay'],
  ageing_time: ['ageing-time'],
  aging_time: ['ageing-time'],
  'aging-time': ['ageing-time'],
  agingtime: ['ageing-time'],
  ethernets: ['interfaces'],
  bridges: ['interfaces'],
  vlans: ['interfaces'],
  bonds: ['interfaces'],
  links: ['interfaces'],
  'routing-policy': ['rules'],
  neighbours: ['neighbors'],
  neigh: ['neighbors'],
  neighbour: ['neighbors'],
};

/** `; did you mean "x"?` for a key netrec spells differently (synonyms first, then near misses). */
export function suggestKey(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  const words = Object.hasOwn(SYNONYMS, lower) ? SYNONYMS[lower]! : Object.hasOwn(SYNONYMS, lower.replace(/_/g, '-')) ? SYNONYMS[lower.replace(/_/g, '-')]! : [];
  const synonym = words.find((w) => known.includes(w));
  if (synonym !== undefined) return `; did you mean "${synonym}"?`;
  return key.length > 64 ? '' : suggest(key, known);
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
