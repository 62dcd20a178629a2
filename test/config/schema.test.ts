// The JSON Schema: valid for ajv in strict mode (what editors and other
// tools use), documented, and read by the loader's interpreter exactly as
// ajv reads it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import { loadSchemaFile, SUPPORTED_KEYWORDS, validateSchema } from '../../src/config/schema.js';

const schema = loadSchemaFile() as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
const ajvValidate = ajv.compile(schema);

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

test('the schema compiles with ajv in strict mode and accepts the examples', () => {
  for (const doc of examples) assert.ok(ajvValidate(doc), JSON.stringify(ajvValidate.errors));
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

test('the schema uses only keywords the loader interprets, and forbids unknown keys everywhere', () => {
  const known = new Set<string>(SUPPORTED_KEYWORDS);
  for (const [at, node] of walk(schema, '#')) {
    for (const k of Object.keys(node)) assert.ok(known.has(k), `${at} uses ${k}`);
    if (node.properties) assert.equal(node.additionalProperties, false, `${at} allows unknown keys`);
  }
});

/** The places ajv complains about, in the interpreter's terms (the key itself for unknown or bad keys). */
function ajvPlaces(doc: unknown): string[] {
  if (ajvValidate(doc)) return [];
  const places = (ajvValidate.errors ?? []).map((e: ErrorObject) => {
    const p = e.params as Record<string, string>;
    if (e.keyword === 'additionalProperties') return `${e.instancePath}/${p.additionalProperty}`;
    if (e.keyword === 'propertyNames' || e.propertyName !== undefined) return `${e.instancePath}/${p.propertyName ?? e.propertyName}`;
    return e.instancePath;
  });
  return [...new Set(places)].sort();
}

function ourPlaces(doc: unknown): string[] {
  const places = validateSchema(doc).map((p) => p.path.map((s) => `/${String(s)}`).join(''));
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

/** All places in a JSON value (paths to every node), to pick one to change. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

function mutate(doc: unknown, path: (string | number)[], how: number, value: unknown, key: string): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return how === 0 ? value : copy;
  let parent = copy;
  for (const seg of path.slice(0, -1)) parent = parent[seg] as Record<string | number, unknown>;
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

test('the interpreter finds problems exactly where ajv does', () => {
  for (const doc of examples) assert.deepEqual(ourPlaces(doc), []);
  fc.assert(
    fc.property(fc.nat(), fc.nat({ max: 2 }), junk, fc.constantFrom('bogus', 'name', 'to', 'via', 'table', 'peer', '1bad', 'ok_name'), fc.nat(), (pick, how, value, key, which) => {
      const doc = examples[which % examples.length]!;
      const all = paths(doc);
      const mutated = mutate(doc, all[pick % all.length]!, how, value, key);
      assert.deepEqual(ourPlaces(mutated), ajvPlaces(mutated), JSON.stringify(mutated).slice(0, 400));
    }),
    { numRuns: 3000 },
  );
});

test('problems are worded for people', () => {
  const messages = validateSchema({ version: 1, routes: [{ to: 'default', metrc: 1, table: -1 }], interfaces: [{ name: 'a', kind: 'brige', mtu: 'big' }] }).map((p) => p.message);
  assert.deepEqual(messages.sort(), [
    '"kind" must be one of device, veth, bridge, vlan, vxlan, macvlan, bond, dummy, vrf (got "brige"); did you mean "bridge"?',
    '"mtu" must be an integer (got "big")',
    '"table" must be between 1 and 4294967295 (got -1)',
    'unknown key "metrc"; did you mean "metric"?',
  ]);
});
