// The YAML reader's lean read against its full read (values and the
// places of list entries), both against js-yaml without a listener, and
// the YAML writer against the reader.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import jsyaml from 'js-yaml';
import type { PosTree } from '../../src/config/source.js';
import { parseFullYaml, parseLeanYaml, plainScalarValue, SCHEMA } from '../../src/config/yaml.js';
import { toYaml, yamlString } from '../../src/config/yaml-emit.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url);
/** Property runs; raise with NETREC_FUZZ_RUNS for a longer search. */
const RUNS = Number(process.env.NETREC_FUZZ_RUNS ?? 2000);

function jsYaml(text: string): { value?: unknown; error?: boolean } {
  try {
    return { value: jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) };
  } catch {
    return { error: true };
  }
}

/**
 * Every list in `value` that the lean read placed, with its item offsets
 * by the lean read and by the full tree, and how many lists there are.
 */
function placedLists(value: unknown, tree: PosTree, items: WeakMap<object, number[]>, out: { lean: number[]; full: number[] }[] = []): typeof out {
  if (value === null || typeof value !== 'object' || typeof tree === 'number') return out;
  if (Array.isArray(value)) {
    const lean = items.get(value);
    const kids = tree.map ? [] : (tree.kids as PosTree[]);
    // Where the full tree's items do not match the values one to one (js-yaml's events for an empty item
    // before a lone CR come late), it places nothing in this list to compare with.
    if (kids.length !== value.length || value.some((v, i) => shape(v) !== shape(kids[i]!, true))) return out;
    if (lean) out.push({ lean, full: kids.map((k) => (typeof k === 'number' ? k : k.at)) });
    value.forEach((v, i) => kids[i] !== undefined && placedLists(v, kids[i]!, items, out));
  } else if (tree.map) {
    for (let j = 0; j < tree.kids.length; j += 3) {
      const key = tree.kids[j] as string;
      if (Object.hasOwn(value, key)) placedLists((value as Record<string, unknown>)[key], tree.kids[j + 2] as PosTree, items, out);
    }
  }
  return out;
}

function shape(x: unknown, node = false): string {
  if (node) return typeof x === 'number' ? 'scalar' : (x as { map: boolean }).map ? 'map' : 'list';
  return Array.isArray(x) ? 'list' : x !== null && typeof x === 'object' ? 'map' : 'scalar';
}

/**
 * The lean read of `text` gives js-yaml's value and, for each list it
 * places, the places of the full read's tree; it leaves a text to the full
 * read only for an alias, a merge key, a duplicate key or an error.
 */
function agrees(text: string): boolean {
  const lean = parseLeanYaml('t.yaml', text);
  const full = parseFullYaml('t.yaml', text);
  if (!lean) {
    const why = 'message' in full || full.duplicates.length > 0 || text.includes('*') || text.includes('<<') || jsYaml(text).error;
    assert.ok(why, `the lean read refused text that holds no alias, merge key, duplicate or error:\n${text}`);
    return true;
  }
  assert.ok(!('message' in full), `the lean read took text that the full read refuses:\n${text}\n${'message' in full ? full.message : ''}`);
  assert.deepStrictEqual(lean.value, full.value, text);
  assert.deepStrictEqual(lean.value, jsyaml.load(text, { schema: SCHEMA }), text);
  for (const { lean: l, full: f } of placedLists(lean.value, full.tree, lean.items)) assert.deepStrictEqual(l, f, text);
  return true;
}

test('the examples are read lean, with every list entry placed, as js-yaml reads them', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const text = readFileSync(new URL(f, EXAMPLES), 'utf8');
    const lean = parseLeanYaml(f, text);
    assert.ok(lean, `${f} is not read lean`);
    agrees(text);
    const full = parseFullYaml(f, text) as { tree: PosTree };
    let lists = 0;
    const count = (v: unknown): void => {
      if (Array.isArray(v)) {
        if (v.length > 0) lists++;
        v.forEach(count);
      } else if (v !== null && typeof v === 'object') Object.values(v).forEach(count);
    };
    count(lean.value);
    assert.equal(placedLists(lean.value, full.tree, lean.items).length, lists, `${f}: a list left to the full tree`);
  }
});

const SNIPPETS = [
  'a: 1\nb: [1, 2, "x"]\nc: { d: e, "f": \'g\' }\n',
  'list:\n- a\n- b\nnext: 1\n',
  'list:\n  - a:   1   # comment\n    b: ~\n  -\n    c: null\n  - [x, y]\n',
  '---\nkey: value\n',
  'key:\nother: 2\n',
  'quoted: "a\\tb\\u0041\\x41\\"\\\\"\nsingle: \'it\'\'s\'\n',
  'ip6: 2001:db8::1\nzero: ::/0\nmac: 02:00:00:00:00:01\nurl: http://x/y\n',
  'n: 0x10\no: 0o17\nf: 1.5e3\nt: True\nno: no\nneg: -5\nplus: +5\ndot: .5\ninf: -.inf\nnan: .NaN\n',
  'k: a#b\n',
  'k: a # b\n',
  'k: "x" y\n',
  'k: a: b\n',
  'k: [a, b\n',
  'k: [a, , b]\n',
  'k: [a, b,]\n',
  '{ a: 1 }\n',
  'a: 1\n  b: 2\n',
  'a:\n    b: 1\n  c: 2\n',
  'a: 1\na: 2\n',
  'a: &x 1\nb: *x\n',
  'a: |\n  text\n',
  'a: >\n  text\n',
  'a: !!str 1\n',
  '? a\n: b\n',
  'a:\n  - - x\n',
  '- a\n- b\n',
  'a: multi\n  line\n',
  'a: "two\n  lines"\n',
  'a:\tb\n',
  'a: b\r\n',
  '"quoted key": 1\n\'single\': 2\n',
  'a: {b: [c, {d: e}]}\n',
  'a: {b:c}\n',
  'a: [b:c]\n',
  'a: [-1, -x, ?y, :z]\n',
  '1: x\n',
  'true: x\n',
  'constructor: 1\n',
  'a:\n# comment\n  b: 1\n',
  'a: 1\n...\n',
  'a: 1\n---\nb: 2\n',
  '',
  '# only a comment\n',
  'a: \'\'\nb: ""\n',
  'a: "\\N"\n',
  'k: v #c\n#d\n   # e\nl: w\n',
  'a:  [ 1 ,2 ]  \n',
  'a: { }\nb: [ ]\n',
  'a: - b\n',
  '- - a\n',
  'key : value\n',
  'a: b:c\n',
  'a: "x":\n',
  ' a: 1\n b: 2\n',
  '- a:\n    - main\n    - \n- []\n',
  'a:\n  - b:\n      -\n\n  # c\n  - x\n',
  'a:\n    - m\n    - \nb: 1\n',
];

test('hand-picked snippets: the lean read agrees with the full read and js-yaml', () => {
  for (const s of SNIPPETS) agrees(s);
  // The ordinary forms are read lean.
  for (const s of SNIPPETS.slice(0, 8)) assert.ok(parseLeanYaml('t.yaml', s), `not read lean:\n${s}`);
});

// ---- random YAML text -------------------------------------------------------

const keyArb = fc.constantFrom('a', 'to', 'via', 'dev', 'name', 'forward-delay', 'x_y', 'k.1', '$schema', 'on', 'null', '1', 'a b', '"q"');
const plainArb = fc.constantFrom(
  'main', '10.0.0.0/8', '2001:db8::1', '::/0', '::1', 'fe80::1', '02:00:00:00:00:01', '0x4e', '078', '1_0', '12', '-3', '+4', '1.5', '1e3',
  '.inf', '.nan', 'true', 'False', 'yes', 'null', '~', 'a-b', 'a.b', '-', '?x', ':x', 'a:b', 'http://x', 'x,y', 'a#b', 'a (b)', 'k=v', 'üml',
);
const textArb = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ':', '#', '-', "'", '"', '\\', ',', '[', '{', '1', '.', 'é', 't', 'n') });

/** Random YAML text in a random mix of styles. */
const yamlText: fc.Arbitrary<string> = fc.letrec((tie) => ({
  scalar: fc.oneof(
    plainArb,
    textArb.map((t) => `'${t.replace(/'/g, "''").replace(/\n/g, ' ')}'`),
    textArb.map((t) => JSON.stringify(t)),
    textArb,
  ),
  flow: fc.oneof(
    { depthSize: 'small' },
    fc.array(tie('scalar') as fc.Arbitrary<string>, { maxLength: 3 }).map((xs) => `[${xs.join(', ')}]`),
    fc.array(fc.tuple(keyArb, tie('scalar') as fc.Arbitrary<string>), { maxLength: 3 }).map((xs) => `{ ${xs.map(([k, v]) => `${k}: ${v}`).join(', ')} }`),
  ),
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('scalar'), tie('flow'), tie('block')),
  block: fc.oneof(
    { depthSize: 'small' },
    fc.array(fc.tuple(keyArb, tie('node') as fc.Arbitrary<string>, fc.constantFrom('', ' # c', '  #c')), { minLength: 1, maxLength: 4 }).map((entries) =>
      entries.map(([k, v, c]) => (v.includes('\n') ? `${k}:${c}\n${indent(v)}` : `${k}: ${v}${c}`)).join('\n'),
    ),
    fc.array(tie('node') as fc.Arbitrary<string>, { minLength: 1, maxLength: 4 }).map((items) =>
      items.map((v) => (v.includes('\n') ? `- ${indent(v).trimStart()}` : `- ${v}`)).join('\n'),
    ),
  ),
})).block as fc.Arbitrary<string>;

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

test('random YAML text: the lean read never disagrees with the full read', () => {
  fc.assert(
    fc.property(yamlText, (t) => agrees(`${t}\n`)),
    { numRuns: RUNS },
  );
});

test('random YAML text with a random edit: still no disagreement', () => {
  fc.assert(
    fc.property(yamlText, fc.nat(), fc.constantFrom('', ' ', ':', '-', '#', '\n', '  ', '"', "'", '[', '{', '}', '\t', ': ', '- '), fc.boolean(), (t, at, insert, remove) => {
      const i = t.length === 0 ? 0 : at % t.length;
      const edited = t.slice(0, i) + insert + t.slice(remove ? i + 1 : i);
      return agrees(`${edited}\n`);
    }),
    { numRuns: RUNS },
  );
});

test('lists of one-line flow mappings (a routing table): the lean read agrees', () => {
  const key = fc.constantFrom('to', 'via', 'dev', 'metric', 'table', 'on-link', 'x', 'peer', 'to ', '"to"');
  const value = fc.oneof(
    plainArb,
    fc.constantFrom('20.0.0.0/24', '"2001:db8::/64"', '"a\\tb"', '""', "'x'", '1.5', '1.2.3', '007', 'a b', 'a:', 'a,b', ':x', 'x:y:z', '~x', '-1', '1e3', '[a]', '{ a: b }', ''),
  );
  const entry = fc.array(fc.tuple(key, value, fc.constantFrom(' ', '', '  ')), { maxLength: 4 }).map((kvs) => `{${kvs.map(([k, v, sp]) => `${sp}${k}: ${v}`).join(',')} }`);
  const line = fc.tuple(entry, fc.constantFrom('', ' # c', ' ', ',', ' }')).map(([e, tail]) => `  - ${e}${tail}`);
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), (lines) => agrees(`routes:\n${lines.join('\n')}\n`)),
    { numRuns: RUNS },
  );
});

test('text with characters other than newline and printable ASCII: the lean read agrees', () => {
  fc.assert(
    fc.property(yamlText, fc.nat(), fc.constantFrom('\t', '\r', '\x00', '\x7f', '\x85', 'é', '\u2028', '\ufeff', '😀'), (t, at, odd) => {
      const i = t.length === 0 ? 0 : at % (t.length + 1);
      return agrees(`${t.slice(0, i)}${odd}${t.slice(i)}\n`);
    }),
    { numRuns: RUNS },
  );
  for (const s of ['a: "é"\n', "a: 'x\ty'\n", '# é\na: 1\n', 'a: 1 # x\r\n', 'a: { b: "\x7f" }\n', '- [ "\x01" ]\n']) agrees(s);
});

// ---- the writer -------------------------------------------------------------

const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    plainArb,
    fc.string(),
    textArb,
    fc.integer({ min: -1e9, max: 1e9 }),
    fc.boolean(),
    fc.constant(null),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('list'), tie('map')),
  list: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(keyArb, fc.string({ minLength: 1 }).filter((k) => !(k in Object.prototype))), tie('node'), { maxKeys: 4, noNullPrototype: true }),
})).map as fc.Arbitrary<unknown>;

test('toYaml writes what js-yaml and the lean read read back as the same value', () => {
  fc.assert(
    fc.property(jsonValue, (v) => {
      const doc = v as Record<string, unknown>;
      const text = toYaml(doc);
      const back = jsYaml(text);
      assert.ok(!back.error, text);
      assert.deepStrictEqual(Object.keys(doc).length === 0 ? {} : back.value, doc);
      // Output without "*" or "<<" is read lean (so show output reads fast).
      const lean = parseLeanYaml('t.yaml', text);
      if (!text.includes('*') && !text.includes('<<')) assert.ok(lean, `not read lean:\n${text}`);
      agrees(text);
    }),
    { numRuns: RUNS },
  );
});

test('a plain scalar resolves as js-yaml reads it in a document', () => {
  const unit = fc.constantFrom('a', 'n', 'u', 'l', 't', 'r', 'e', 'f', 'N', 'T', 'F', 'x', 'o', 'b', 'i', '0', '1', '7', '9', '.', '-', '+', '_', ':', '/', ' ', '~', '@', 'E');
  fc.assert(
    fc.property(fc.string({ unit, minLength: 1, maxLength: 8 }), (t) => {
      if (t !== t.trim() || t.endsWith(':') || t.includes(': ') || t.startsWith('- ') || t === '-') return;
      let expected: unknown;
      try {
        expected = (jsyaml.load(`k: ${t}`, { schema: SCHEMA }) as { k: unknown }).k;
      } catch {
        return;
      }
      assert.deepStrictEqual(plainScalarValue(t), expected, t);
    }),
    { numRuns: RUNS * 5 },
  );
  for (const [t, v] of [['null', null], ['~', null], ['True', true], ['012', 12], ['0x1f', 31], ['.5', 0.5], ['-.inf', -Infinity], ['fe80::1', 'fe80::1'], ['a.b.c', 'a.b.c'], ['wan0', 'wan0']] as const) {
    assert.deepStrictEqual(plainScalarValue(t), v, t);
  }
});

test('strings that look like something else are quoted', () => {
  for (const s of ['true', 'yes', 'No', 'on', 'null', '~', '12', '0x10', '1.5', '.inf', '', ' a', 'a:', '#x', '02:00:00:00:00:01', '1:20', '::/0', '- x', 'a: b', '[x]']) {
    assert.match(yamlString(s), /^"/, s);
    assert.deepEqual(jsyaml.load(`k: ${yamlString(s)}`, { schema: jsyaml.CORE_SCHEMA }), { k: s });
  }
  for (const s of ['main', '10.0.0.0/8', '2001:db8::1', 'fe80::1', 'wan0', 'lan0-peer', 'a.b', 'kernel_lo']) assert.equal(yamlString(s), s);
});
