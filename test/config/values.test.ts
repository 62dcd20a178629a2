// The config's value parsers (src/config/values.ts): addresses and
// prefixes as a config writes them, and the caches a load keeps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalIp, networkWithHostBits } from '../../src/model/ip.js';
import { Bad, ValueParser } from '../../src/config/values.js';

test('address answers a repeated text (kept from the last call) as a fresh one', () => {
  const texts = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('', '10.0.0.1/8', 'x', '2001:DB8::1', '::ffff:1.2.3.4'));
  fc.assert(
    fc.property(fc.array(texts, { maxLength: 6 }), (list) => {
      const values = new ValueParser();
      for (const t of [...list, ...list.reverse()]) {
        const a = values.address(t);
        const fresh = canonicalIp(t);
        if (a instanceof Bad) assert.ok(fresh === undefined || t.includes('/'), t);
        else assert.equal(a.text, fresh, t);
      }
    }),
    { numRuns: 500 },
  );
  const values = new ValueParser();
  assert.equal((values.address('') as Bad).message, '"" is not an IPv4 or IPv6 address');
  assert.equal((values.address('') as Bad).message, '"" is not an IPv4 or IPv6 address');
});

test('canonicalNetworkFamily: exactly the network prefixes that networkPrefix takes as they are written', () => {
  const octet = fc.oneof(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('00', '01', '256', '', 'x', '1a'));
  const len = fc.oneof(fc.integer({ min: 0, max: 130 }).map(String), fc.constantFrom('', '00', '08', '032', '0128', '/8', 'x', '1 '));
  const v4 = fc.tuple(fc.array(octet, { minLength: 3, maxLength: 5 }), fc.option(len)).map(([os, l]) => `${os.join('.')}${l === null ? '' : `/${l}`}`);
  const v6addr = fc.oneof(fc.ipV6(), fc.ipV6().map((a) => canonicalIp(a)!), fc.ipV6().map((a) => canonicalIp(a)!.toUpperCase()));
  // Networks: the address cut to its prefix, so that host bits are rare but still happen.
  const v6 = fc.tuple(v6addr, fc.option(len)).map(([a, l]) => {
    const net = l === null || !/^\d+$/.test(l) || Number(l) > 128 ? undefined : networkWithHostBits(canonicalIp(a)!, Number(l));
    return l === null ? a : `${net ?? a}/${l}`;
  });
  const values = new ValueParser();
  fc.assert(
    fc.property(fc.oneof(v4, v6, fc.string()), (v) => {
      const p = values.networkPrefix(v);
      const family = values.canonicalNetworkFamily(v);
      const takenAsWritten = !(p instanceof Bad) && p.text === v && v.includes('/');
      assert.equal(family !== undefined, takenAsWritten, v);
      if (family !== undefined) assert.equal(family, (p as { family: string }).family, v);
    }),
    { numRuns: 20000 },
  );
});

test('ifName answers a repeated name (kept from the last call) as a fresh one', () => {
  const names = fc.constantFrom('eth0', 'eth1', '', 'a/b', 'x'.repeat(16), '.', 'wan0');
  fc.assert(
    fc.property(fc.array(names, { maxLength: 6 }), (list) => {
      const values = new ValueParser();
      for (const n of [...list, ...list.reverse()]) assert.deepEqual(values.ifName(n), new ValueParser().ifName(n), n);
    }),
    { numRuns: 300 },
  );
});
