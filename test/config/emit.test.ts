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
import { loadConfig, toDocument, toYaml } from '../../src/config/index.js';

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
