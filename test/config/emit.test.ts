// The YAML writer is hand-written for speed (about 10x faster than the yaml
// package's stringify on a 100,000-route document); the yaml package is its
// oracle: what it writes, the yaml package reads back to the same value (the
// writer quotes a little more, e.g. MACs that YAML 1.1 reads as numbers).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import YAML from 'yaml';
import { loadConfig, toDocument, toJson, toYaml } from '../../src/config/index.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

describe('toYaml against the yaml package', () => {
  for (const f of readdirSync(examples).filter((x) => x.endsWith('.yaml'))) {
    it(`${f}: the yaml package reads it back to the same document`, () => {
      const doc = toDocument(loadConfig([join(examples, f)]).state, {});
      assert.deepEqual(YAML.parse(toYaml(doc)), JSON.parse(JSON.stringify(doc)));
    });
  }

  it('strings a YAML reader could take for something else are quoted (random strings round-trip)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 5 }), fc.string({ maxLength: 12 }), (list, s) => {
        const doc = { version: 1, note: s, list };
        assert.deepEqual(YAML.parse(toYaml(doc)), doc);
      }),
      { numRuns: 500 },
    );
  });
});

describe('output in pieces', () => {
  const long = (n: number): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => ({ to: `10.${i >> 8}.${i & 255}.0/24`, via: '192.0.2.1', ...(i % 7 === 0 ? { nexthops: [{ via: '192.0.2.2' }], metric: i } : {}) }));

  it('toJson is JSON.stringify with two spaces and a newline, whatever the document', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.constant(undefined))), (doc) => {
        assert.equal(toJson(doc), `${JSON.stringify(doc, null, 2)}\n`);
      }),
      { numRuns: 2000 },
    );
    for (const n of [9999, 10000, 10001, 25000]) {
      const doc = { version: 1, routes: long(n), rules: [], neighbors: long(3), empty: {} };
      assert.equal(toJson(doc), `${JSON.stringify(doc, null, 2)}\n`, `${n} routes`);
    }
  });

  it('toYaml of a document longer than a batch of lines reads back the same', () => {
    const doc = { version: 1, routes: long(12345), neighbors: [{ dev: 'a', address: '192.0.2.9' }] };
    const text = toYaml(doc);
    assert.ok(text.endsWith('192.0.2.9\n') && !text.includes('\n\n'));
    assert.deepEqual(YAML.parse(text), doc);
  });
});
