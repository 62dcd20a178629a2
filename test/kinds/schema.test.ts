// The link-kind parts of schema/netrec.schema.json are the descriptors':
// the committed file is exactly what they generate (`npm run schema`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { KINDS } from '../../src/kinds/registry.js';
import { linkKindProperties, withLinkKinds } from '../../src/kinds/schema.js';

const FILE = new URL('../../../schema/netrec.schema.json', import.meta.url);
const text = readFileSync(FILE, 'utf8');

describe('the schema from the link kinds', () => {
  it('the committed schema is what the descriptors generate (run `npm run schema` after changing a kind)', () => {
    assert.equal(withLinkKinds(text), text);
  });

  it('names every kind, and each kind with options has its options object with their keys and required ones', () => {
    const iface = (JSON.parse(text) as { $defs: { interface: { properties: Record<string, { enum?: string[]; required?: string[]; properties?: object }> } } }).$defs.interface.properties;
    assert.deepEqual(iface.kind!.enum, ['device', ...KINDS.map((d) => d.kind)]);
    for (const d of KINDS) {
      if (d.options.length === 0) {
        assert.equal(iface[d.kind], undefined, `${d.kind} has no options key`);
        continue;
      }
      assert.deepEqual(Object.keys(iface[d.kind]!.properties!), d.options.map((o) => o.key), `${d.kind} options`);
      const required = d.options.filter((o) => o.required).map((o) => o.key);
      assert.deepEqual(iface[d.kind]!.required ?? [], required, `${d.kind} required options`);
    }
  });

  it('a stale kind part is rewritten and the hand-written rest is left byte for byte', () => {
    // The kind enum, on one line or (once long) one kind a line.
    const stale = text.replace(/"enum": \[(\s*)"device",/, (m, space: string) => `${m}${space || ' '}"gone",`);
    assert.notEqual(stale, text);
    assert.equal(withLinkKinds(stale), text);
    const gen = linkKindProperties();
    assert.ok(gen.options.length > 0);
  });
});
