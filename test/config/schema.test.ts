// The JSON Schema: valid for ajv in strict mode (what editors and other
// tools use), documented, built into the validator the loader runs, and its
// problems reported at the right places in words for people.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { ErrorObject, ValidateFunction } from 'ajv';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { loadSchemaFile, SUPPORTED_KEYWORDS, validateSchema } from '../../src/config/schema.js';
import { KINDS } from '../../src/kinds/registry.js';

interface BuildScript {
  VALIDATOR_FILE: string;
  newAjv(): { compile(schema: object): ValidateFunction };
  validatorModule(schema: object): string;
}
const build = (await import(new URL('../../../scripts/build-schema-validator.mjs', import.meta.url).href)) as BuildScript;

const schema = loadSchemaFile();
const ajvValidate = build.newAjv().compile(schema);

const EXAMPLES = new URL('../../../examples/', import.meta.url);
const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => jsyaml.load(readFileSync(new URL(f, EXAMPLES), 'utf8'), { schema: jsyaml.CORE_SCHEMA }) as Record<string, unknown>);

/** Every schema object in the file, with its JSON pointer. */
function* walk(node: unknown, at: string): Generator<[string, Record<string, unknown>]> {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [i, n] of node.entries()) yield* walk(n, `${at}/${i}`);
    return;
  }
  const o = node as Record<string, unknown>;
  yield [at, o];
  for (const [k, v] of Object.entries(o)) {
    if (k === 'properties' || k === '$defs') for (const [name, sub] of Object.entries(v as object)) yield* walk(sub, `${at}/${k}/${name}`);
    else if (k === 'items' || k === 'additionalProperties' || k === 'propertyNames') yield* walk(v, `${at}/${k}`);
  }
}

test('the schema compiles with ajv in strict mode and the examples pass it', () => {
  for (const doc of examples) {
    assert.ok(ajvValidate(doc), JSON.stringify(ajvValidate.errors));
    assert.deepEqual(validateSchema(doc), []);
  }
});

test('the built validator is the one the build script makes from the schema file as it is now', () => {
  const built = readFileSync(build.VALIDATOR_FILE, 'utf8');
  assert.ok(built === build.validatorModule(schema), `${build.VALIDATOR_FILE} is stale: run npm run prepare`);
});

test('every property has a description, directly or through its $ref', () => {
  const defs = schema.$defs as Record<string, Record<string, unknown>>;
  for (const [at, node] of walk(schema, '#')) {
    for (const [name, prop] of Object.entries((node.properties as Record<string, Record<string, unknown>>) ?? {})) {
      const ref = typeof prop.$ref === 'string' ? defs[prop.$ref.replace('#/$defs/', '')] : undefined;
      assert.ok(prop.description ?? ref?.description, `${at}/properties/${name} has no description`);
    }
  }
});

test('the schema uses only keywords the loader words, and forbids unknown keys everywhere', () => {
  const known = new Set<string>(SUPPORTED_KEYWORDS);
  for (const [at, node] of walk(schema, '#')) {
    for (const k of Object.keys(node)) assert.ok(known.has(k), `${at} uses ${k}`);
    if (node.properties) assert.equal(node.additionalProperties, false, `${at} allows unknown keys`);
  }
});

/** The places a freshly compiled ajv complains about, in the loader's terms (the key itself for unknown or bad keys). */
/** A JSON Pointer segment, as ajv writes instancePath. */
const pointer = (s: unknown): string => String(s).replace(/~/g, '~0').replace(/\//g, '~1');

function ajvPlaces(doc: unknown): string[] {
  if (ajvValidate(doc)) return [];
  const places = (ajvValidate.errors ?? []).map((e: ErrorObject) => {
    const p = e.params as Record<string, string>;
    if (e.keyword === 'additionalProperties') return `${e.instancePath}/${pointer(p.additionalProperty)}`;
    if (e.keyword === 'propertyNames' || e.propertyName !== undefined) return `${e.instancePath}/${pointer(p.propertyName ?? e.propertyName)}`;
    return e.instancePath;
  });
  return [...new Set(places)].sort();
}

function ourPlaces(doc: unknown): string[] {
  const places = validateSchema(doc).map((p) => p.path.map((s) => `/${pointer(s)}`).join(''));
  return [...new Set(places)].sort();
}

const junk = fc.oneof(
  fc.constantFrom('x', '', 'main', 'wan0', '10.0.0.0/8', 'forever', '0x10/0xff', 'bridge', 'ipv4', 'absent', 'a b', 'abcdefghijklmnop', '02:00:00:00:00:01', 'kernel'),
  fc.integer({ min: -5, max: 70000 }),
  fc.constantFrom(4294967295, 4294967296, 16777216, 1.5),
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
);

type Segment = string | number;

/** All places in a JSON value (paths to every node), to pick one to change. */
function paths(v: unknown, at: Segment[] = []): Segment[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function mutate(doc: unknown, path: Segment[], how: number, value: unknown, key: string): unknown {
  const copy = structuredClone(doc) as Record<Segment, unknown>;
  if (path.length === 0) return how === 0 ? value : copy;
  let parent = copy;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<Segment, unknown>;
  const last = path[path.length - 1]!;
  if (how === 0) parent[last] = value;
  else if (how === 1 && !Array.isArray(parent)) delete parent[last];
  else {
    const target = parent[last];
    if (target && typeof target === 'object' && !Array.isArray(target)) (target as Record<string, unknown>)[key] = value;
    else parent[last] = value;
  }
  return copy;
}

test('problems are found exactly where a freshly compiled ajv finds them', () => {
  fc.assert(
    fc.property(fc.nat(), fc.nat({ max: 2 }), junk, fc.constantFrom('bogus', 'name', 'to', 'via', 'table', 'peer', '1bad', 'ok_name', 'a/b~c'), fc.nat(), (pick, how, value, key, which) => {
      const doc = examples[which % examples.length]!;
      const all = paths(doc);
      const mutated = mutate(doc, all[pick % all.length]!, how, value, key);
      assert.deepEqual(ourPlaces(mutated), ajvPlaces(mutated), JSON.stringify(mutated).slice(0, 400));
    }),
    { numRuns: 3000 },
  );
});

test('a value the schema allows nowhere is reported at its own path, and only there', () => {
  // null fits no type, enum or const in the schema
  for (const doc of examples) {
    for (const path of paths(doc)) {
      const problems = validateSchema(mutate(doc, path, 0, null, ''));
      assert.equal(problems.length, 1, `${JSON.stringify(path)}: ${JSON.stringify(problems)}`);
      assert.deepEqual(problems[0]!.path, path);
      assert.equal(problems[0]!.key, false);
      assert.match(problems[0]!.message, / \(got nothing\)$/);
    }
  }
});

test('an unknown key is reported at the key itself', () => {
  for (const doc of examples) {
    for (const path of paths(doc)) {
      const mutated = structuredClone(doc);
      const mapping = valueAt(mutated, path);
      if (!isMapping(mapping) || path.join('/') === 'tables') continue; // tables: any name is a key
      (mapping as Record<string, unknown>)['a/b~c'] = 1;
      assert.deepEqual(validateSchema(mutated), [{ path: [...path, 'a/b~c'], key: true, message: 'unknown key "a/b~c"' }]);
    }
  }
});

function valueAt(doc: unknown, path: Segment[]): unknown {
  return path.reduce((v: unknown, seg) => (v as Record<Segment, unknown>)[seg], doc);
}

function isMapping(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

test('problems are worded for people', () => {
  const messages = validateSchema({ version: 1, routes: [{ to: 'default', metrc: 1, table: -1 }], interfaces: [{ name: 'a', kind: 'brige', mtu: 'big' }] }).map((p) => p.message);
  assert.deepEqual(messages.sort(), [
    `"kind" must be one of ${['device', ...KINDS.map((d) => d.kind)].join(', ')} (got "brige"); did you mean "bridge"?`,
    '"mtu" must be an integer (got "big")',
    '"table" must be between 1 and 4294967295 (got -1)',
    'unknown key "metrc"; did you mean "metric"?',
  ]);
});

test('each kind of problem has its wording, one problem per place', () => {
  const problems = validateSchema({
    version: '1',
    tables: { '2wan': 5, ok: 0 },
    interfaces: [
      { name: 'abcdefghijklmnop/', addresses: [{ label: '' }, 7], vlan: {} },
      'eth0',
    ],
    routes: [{ to: 'default', nexthops: [], table: -1.5, protocol: 256 }],
  });
  const byPlace = problems.map((p) => `${p.path.join('.')}${p.key ? ' (key)' : ''}: ${p.message}`).sort();
  assert.deepEqual(byPlace, [
    'interfaces.0.addresses.0.label: "label": must be 1..15 characters long (got "")',
    'interfaces.0.addresses.0: address entry: missing required key "address"',
    'interfaces.0.addresses.1: address entry must be a string or a mapping (got 7)',
    "interfaces.0.name: \"name\": an interface name is 1..15 bytes without '/', ':', whitespace or control characters (NUL included) (got \"abcdefghijklmnop/\")",
    'interfaces.0.vlan: "vlan": missing required key "id"',
    'interfaces.0.vlan: "vlan": missing required key "link"',
    'interfaces.1: interface must be a mapping (got "eth0")',
    'routes.0.nexthops: "nexthops" must not be empty',
    'routes.0.protocol: "protocol" must be between 0 and 255 (got 256)',
    'routes.0.table: "table" must be a string or an integer (got -1.5)',
    "tables.2wan (key): invalid name \"2wan\": a table name starts with a letter or '_' and has only letters, digits, '_', '.' and '-'",
    'tables.ok: "ok" must be between 1 and 4294967295 (got 0)',
    'version: "version" must be 1 (got "1")',
  ]);
  assert.deepEqual(
    problems.filter((p) => p.path.join('.') === 'interfaces.0.vlan').map((p) => p.message),
    ['"vlan": missing required key "link"', '"vlan": missing required key "id"'],
    'missing keys in the schema\'s order',
  );
  assert.deepEqual(validateSchema([]), [{ path: [], key: false, message: 'the configuration must be a mapping (got [])' }]);
});

test('problems of routes among plain ones keep their indices', () => {
  const plain = { to: '10.0.0.0/8', via: '192.0.2.1', dev: 'up0' };
  const problems = validateSchema({ version: 1, routes: [plain, { to: 1 }, plain, plain, { to: '10.1.0.0/16', dev: 'a/b' }, plain] });
  assert.deepEqual(
    problems.map((p) => [p.path, p.message]),
    [
      [['routes', 1, 'to'], '"to" must be a string (got 1)'],
      [['routes', 4, 'dev'], `"dev": an interface name is 1..15 bytes without '/', ':', whitespace or control characters (NUL included) (got "a/b")`],
    ],
  );
});
