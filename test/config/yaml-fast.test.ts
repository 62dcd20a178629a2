// The fast YAML reader against js-yaml: on generated documents within and
// near its subset, it either gives up or gives js-yaml's value and the
// same places of list entries as the js-yaml reads; and its resolver of
// plain scalars against js-yaml's core schema.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import type { PosTree } from '../../src/config/source.js';
import { parseFullYaml, parseLeanYaml, SCHEMA } from '../../src/config/yaml.js';
import { parseFastYaml, resolvePlain } from '../../src/config/yaml-fast.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
/** Property runs; raise with NETREC_FUZZ_RUNS for a longer search. */
const RUNS = Number(process.env.NETREC_FUZZ_RUNS ?? 3000);

/** Plain scalars of every core-schema type, and near misses. */
const TRICKY = [
  '0x1F', '0x1f', '0xZZ', '0x', '-0x1F', '+0x1F', '0X1F', '1e3', '1E3', '1e+3', '1e-3', '1.5e3', '1.e3', '.5e3', '-1e3', '1e', 'e3', '1e400',
  '.inf', '.Inf', '.INF', '-.inf', '+.inf', '.iNf', 'inf', '.nan', '.NaN', '.NAN', '-.nan', 'nan', 'NaN', 'Infinity',
  '~', 'null', 'Null', 'NULL', 'nULL', 'nul', 'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'yes', 'no', 'on', 'off', 'y', 'n',
  '0', '-0', '+0', '00', '-00', '007', '-007', '0o17', '0o8', '0o', '-0o17', '0b101', '0b2', '0b', '+0b1', '0O17', '0B1',
  '12', '+12', '-12', '1_000', '1_0', '_1', '1__0', '0x_1F', '1.5', '1.', '.5', '-.5', '+.5', '-1.', '1.2.3', '0.0', '-0.0', '+0.0', '1.5_0',
  '12345678901234567', '123456789012345', '1234567890123456', '9007199254740993', '99999999999999999999', '1' + '0'.repeat(400),
  '-', '+', '.', '..', '-x', '+x', '~x', 'x~', 'a-b', 'a.b', 'a_b', '$x', 'wan0', 'main', 'x/y', '10.0.0.1', '10.0.0.0/8', '2001:db8::1',
  '::/0', '02:00:00:00:00:01', 'a:b', 'http://x', 'a b', 'a  b', 'x,y', 'a#b', 'a (b)', 'k=v', '?x', ':x', '-1-', '1:2', '1/2', 'üml',
];
const KEYS = ['a', 'b', 'to', 'name', 'x_y', 'k.1', '$s', 'a-b', '1', '0x1F', 'true', 'null', '~', '-0', '1e3', '.inf', 'on', 'a b', '"q"', "'s'", '"1"', 'constructor', '__proto__', '-k'];

const textArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ':', '#', '-', "'", '"', '\\', ',', '[', '{', '1', '.', 'é', 't', 'n', '\t'), maxLength: 8 });
const numberish = fc.string({ unit: fc.constantFrom(...'0123456789+-._eExXoObBaAfFinNlLu~'), minLength: 1, maxLength: 7 });
const keyArb = fc.oneof(fc.constantFrom(...KEYS), numberish.filter((k) => /^[0-9a-zA-Z]/.test(k)));
const scalarArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: numberish },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY).map((t) => `'${t}'`) },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY).map((t) => `"${t}"`) },
  { weight: 1, arbitrary: textArb.map((t) => `'${t.replace(/'/g, "''")}'`) },
  { weight: 1, arbitrary: textArb.map((t) => JSON.stringify(t)) },
  { weight: 1, arbitrary: fc.constantFrom('"a\\tb\\u0041\\x41\\"\\\\"', '"\\N"', '"\\e\\0"', "'it''s'", '""', "''") },
  { weight: 1, arbitrary: textArb },
);
const comment = fc.constantFrom('', '', '', ' # c', '  #c', '#c', ' #');
const gap = fc.constantFrom('', '', '', '\n', '\n# note\n', '\n  # indented note\n', '\n\n');

/** Generated YAML: block and flow mappings and sequences, with comments and empty values, in a random mix. */
const yamlText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  scalar: scalarArb,
  flow: fc.oneof(
    { depthSize: 'small' },
    fc.array(fc.oneof(tie('scalar'), tie('flow')) as fc.Arbitrary<string>, { maxLength: 4 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(fc.tuple(keyArb, fc.oneof(tie('scalar'), tie('flow')) as fc.Arbitrary<string>, fc.constantFrom(': ', ':', ' : ', ':  ')), { maxLength: 4 }).map(
      (xs) => `{ ${xs.map(([k, v, c]) => `${k}${c}${v}`).join(', ')} }`,
    ),
    fc.constantFrom('[]', '{}', '[ ]', '{ }', '[a,]', '[a, , b]', '{a: 1,}', '{a}', '[a: b]', '{a: b:c}'),
  ),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('scalar'), tie('flow'), tie('block'), fc.constant('')),
  block: fc.oneof(
    { depthSize: 'small' },
    fc.array(fc.tuple(keyArb, tie('node') as fc.Arbitrary<string>, comment, gap), { minLength: 1, maxLength: 4 }).map((entries) =>
      entries.map(([k, v, c, g]) => (v.includes('\n') ? `${k}:${c}\n${indent(v)}` : `${k}:${v === '' ? '' : ' '}${v}${c}`) + g).join('\n'),
    ),
    fc.array(fc.tuple(tie('node') as fc.Arbitrary<string>, comment, fc.boolean()), { minLength: 1, maxLength: 4 }).map((items) =>
      items.map(([v, c, own]) => (v.includes('\n') ? (own ? `-${c}\n${indent(v)}` : `- ${indent(v).trimStart()}`) : `-${v === '' ? '' : ' '}${v}${c}`)).join('\n'),
    ),
  ),
})).block as fc.Arbitrary<string>;

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => (l === '' ? l : `  ${l}`))
    .join('\n');
}

/** A document: maybe a "---" line, maybe a leading comment, maybe no final newline. */
const documentArb = fc
  .tuple(fc.constantFrom('', '---\n', '# head\n', '\n'), fc.oneof({ weight: 5, arbitrary: yamlText }, { weight: 1, arbitrary: yamlText.map((t) => t.replace(/\n/g, '\n ')) }), fc.constantFrom('\n', '', '\n\n', '\n# tail'))
  .map(([head, body, tail]) => head + body + tail);

/**
 * Each list of the fast read's value with its item offsets, beside the lean
 * read's offsets for the same list or, where it placed none, the full tree's.
 */
function compareLists(fastValue: unknown, fastItems: WeakMap<object, number[]>, leanValue: unknown, leanItems: WeakMap<object, number[]>, tree: PosTree, text: string): number {
  if (fastValue === null || typeof fastValue !== 'object') return 0;
  let lists = 0;
  if (Array.isArray(fastValue)) {
    const mine = fastItems.get(fastValue);
    assert.ok(mine, `a list without places:\n${text}`);
    const kids = typeof tree === 'number' || tree.map ? undefined : (tree.kids as PosTree[]);
    const theirs = leanItems.get(leanValue as object) ?? kids?.map((k) => (typeof k === 'number' ? k : k.at));
    if (theirs) {
      assert.deepStrictEqual(mine, theirs, `item offsets of a list:\n${text}`);
      lists++;
    }
    fastValue.forEach((v, i) => {
      lists += compareLists(v, fastItems, (leanValue as unknown[])[i], leanItems, kids?.[i] ?? 0, text);
    });
  } else {
    const kids = typeof tree !== 'number' && tree.map ? tree.kids : [];
    for (const key of Object.keys(fastValue)) {
      let sub: PosTree = 0;
      for (let j = 0; j < kids.length; j += 3) if (kids[j] === key) sub = kids[j + 2] as PosTree;
      lists += compareLists((fastValue as Record<string, unknown>)[key], fastItems, (leanValue as Record<string, unknown>)[key], leanItems, sub, text);
    }
  }
  return lists;
}

/** Whether the fast read took `text`; when it did, it agrees with js-yaml and with the js-yaml reads' places. */
function fastAgrees(text: string): boolean {
  const fast = parseFastYaml(text);
  if (!fast) return false;
  let expected: unknown;
  try {
    expected = jsyaml.load(text, { schema: SCHEMA });
  } catch (e) {
    assert.fail(`the fast read took text that js-yaml refuses (${(e as Error).message}):\n${text}`);
  }
  assert.deepStrictEqual(fast.value, expected, text);
  const lean = parseLeanYaml('t.yaml', text);
  assert.ok(lean, `the fast read took text the lean read refuses:\n${text}`);
  const full = parseFullYaml('t.yaml', text);
  assert.ok(!('message' in full) && full.duplicates.length === 0, text);
  compareLists(fast.value, fast.items, lean.value, lean.items, full.tree, text);
  return true;
}

test('resolvePlain gives js-yaml core-schema values (null, bool, int, float, string)', () => {
  const check = (s: string): void => {
    let v: unknown;
    try {
      v = (jsyaml.load(`k: ${s}\n`, { schema: SCHEMA }) as { k: unknown }).k;
    } catch {
      return;
    }
    if (v !== null && typeof v === 'object') return;
    assert.deepStrictEqual(resolvePlain(s), v, s);
  };
  for (const t of TRICKY) check(t);
  fc.assert(fc.property(numberish, (s) => check(s)), { numRuns: RUNS * 5 });
  fc.assert(fc.property(fc.oneof(fc.double().map(String), fc.integer().map(String), fc.integer().map((n) => `0x${n.toString(16)}`), fc.bigInt().map(String)), (s) => check(s)), { numRuns: RUNS });
});

test('hand-picked forms: the fast read takes them and agrees with js-yaml', () => {
  const forms = [
    'a: 1\nb: [1, 2, "x"]\nc: { d: e, "f": \'g\' }\n',
    'list:\n- a\n- b\nnext: 1\n',
    'list:\n  - a:   1   # comment\n    b: ~\n  -\n    c: null\n  - [x, y]\n',
    '---\nkey: value\n',
    'key:\nother: 2\n',
    `scalars: [${TRICKY.filter((t) => !/[ ,#:?]|^-$|ü/.test(t)).join(', ')}]\n`,
    'routes:\n  - { to: 10.0.0.0/8, via: 10.0.0.1 }\n  - { to: "::/0", via: fe80::1, metric: 5 }\n',
    '"1": one\n\'true\': yes\n',
  ];
  for (const f of forms) assert.ok(fastAgrees(f), `not read fast:\n${f}`);
});

test('the examples are read fast, as js-yaml reads them', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5);
  for (const f of files) assert.ok(fastAgrees(readFileSync(new URL(f, EXAMPLES), 'utf8')), `${f} is not read fast`);
});

test('generated YAML: the fast read gives up or agrees with js-yaml, values and list places', () => {
  let taken = 0;
  let runs = 0;
  fc.assert(
    fc.property(documentArb, (text) => {
      runs++;
      if (fastAgrees(text)) taken++;
    }),
    { numRuns: RUNS },
  );
  // Else the property says little.
  assert.ok(taken > runs / 10, `only ${taken} of ${runs} documents read fast`);
});
