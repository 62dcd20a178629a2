// The first-seen table against a Map: same first value for every key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { FirstSeen } from '../../src/config/first-seen.js';

test('first-seen answers as a Map of first values does, for colliding and repeated keys', () => {
  const keys = fc.array(fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('10.0.0.0/8', '2001:db8::/32', '', 'é', '\u{1f600}')), { maxLength: 200 });
  fc.assert(
    fc.property(keys, fc.array(fc.string({ maxLength: 3 }), { maxLength: 20 }), (list, probes) => {
      const objects = list.map((key) => ({ key }));
      const table = new FirstSeen(objects, (o) => o.key);
      const map = new Map<string, { key: string }>();
      objects.forEach((o, i) => {
        if (!map.has(o.key)) map.set(o.key, o);
        assert.equal(table.first(i), map.get(o.key));
      });
      for (const k of [...list, ...probes]) assert.equal(table.get(k), map.get(k));
    }),
    { numRuns: 500 },
  );
});
