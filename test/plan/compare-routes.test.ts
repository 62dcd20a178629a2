// routeDiffers is generated from the route table for speed; routeDifference
// interprets the same rows. On any pair of routes, in both modes, the first
// must say "differs" exactly when the second finds an attribute to change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Route } from '../../src/model/types.js';
import { routeDifference, routeDiffers } from '../../src/plan/compare.js';
import { OURS, route } from './fixtures.js';

/** Few values per attribute, each often unset, so that equal and unequal pairs both come up. */
const maybe = <T>(...values: T[]) => fc.option(fc.constantFrom(...values), { nil: undefined });
const hop = fc.record({ via: maybe('192.0.2.1', '192.0.2.2'), dev: maybe('eth0', 'eth1'), weight: fc.constantFrom(1, 2), onLink: maybe(true, false) }, { requiredKeys: ['weight'] });
const attrs = fc.record(
  {
    type: fc.constantFrom('unicast' as const, 'blackhole' as const),
    via: maybe('192.0.2.1', '192.0.2.2'),
    dev: maybe('eth0', 'eth1'),
    scope: maybe('global' as const, 'link' as const),
    src: maybe('192.0.2.9'),
    mtu: maybe(1400, 1500),
    onLink: maybe(true, false),
    nexthops: fc.option(fc.array(hop, { maxLength: 3 }), { nil: undefined }),
    protocol: fc.constantFrom(OURS, 4),
  },
  { requiredKeys: ['type', 'protocol'] },
);
const someRoute = attrs.map((a) => route('10.0.0.0/8', a as Partial<Route>));

test('routeDiffers agrees with routeDifference', () => {
  fc.assert(
    fc.property(someRoute, someRoute, fc.boolean(), fc.constantFrom(OURS, 4), (d, a, exact, protocol) => {
      const mode = { exact, protocol };
      assert.equal(routeDiffers(d, a, mode), routeDifference(d, a, mode).attrs.length > 0);
    }),
    { numRuns: 5000 },
  );
});
