// Address text: canonical forms as the model's (src/model/ip.ts) and as
// WHATWG URL parsing (an independent implementation of RFC 5952 text).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { addressSortKey, canonicalAddress, networkWithHostBits } from '../../src/config/addr.js';
import { bytesToIp, canonicalIp, hasHostBits, ipToBytes } from '../../src/model/ip.js';
import { address, Bad, canonicalNetworkFamily, networkPrefix } from '../../src/config/values.js';

/** Node's URL parser: the canonical IPv6 text, or undefined when invalid. */
function whatwgIPv6(s: string): string | undefined {
  try {
    return new URL(`http://[${s}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
}

test('IPv6: valid and canonical exactly when URL parsing says so', () => {
  fc.assert(fc.property(fc.ipV6(), (s) => canonicalAddress(s) === whatwgIPv6(s)), { numRuns: 5000 });
  const noise = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 });
  fc.assert(fc.property(noise, (s) => !s.includes(':') || canonicalAddress(s) === whatwgIPv6(s)), { numRuns: 20000 });
  for (const [text, canonical] of [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1:0:0:0:1:0:0:1', '1::1:0:0:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::ffff:1.2.3.4', '::ffff:102:304'],
    ['fe80::1%eth0', undefined],
  ] as const) {
    assert.equal(canonicalAddress(text), canonical, text);
  }
});

test("IPv4: the model's rules (dotted quad, no leading zeros)", () => {
  fc.assert(fc.property(fc.ipV4(), (s) => canonicalAddress(s) === canonicalIp(s)), { numRuns: 5000 });
  fc.assert(fc.property(fc.ipV4Extended(), (s) => canonicalAddress(s) === canonicalIp(s)), { numRuns: 5000 });
  for (const s of ['1.2.3.04', '256.1.1.1', '1.2.3', '1.2.3.4.5', '', '.1.2.3', '1..2.3']) assert.equal(canonicalAddress(s), undefined, s);
});

test('the same text as the model gives for bytes read from the kernel', () => {
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.uint8Array({ minLength: 16, maxLength: 16 })), (bytes) => {
      const text = bytesToIp(bytes);
      return canonicalAddress(text) === text;
    }),
    { numRuns: 5000 },
  );
});

test('host bits: the network when bits beyond the length are set', () => {
  const prefixes = fc.oneof(
    fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })),
    fc.tuple(fc.ipV6().map((s) => canonicalAddress(s)!), fc.integer({ min: 0, max: 128 })),
  );
  fc.assert(
    fc.property(prefixes, ([addr, len]) => {
      const bytes = ipToBytes(addr)!;
      const net = networkWithHostBits(addr, len);
      assert.equal(net !== undefined, hasHostBits({ family: bytes.length === 4 ? 'ipv4' : 'ipv6', bytes, len }));
      if (net !== undefined) {
        const masked = Uint8Array.from(bytes, (b, i) => (i * 8 + 8 <= len ? b : i * 8 >= len ? 0 : b & (0xff << (8 - (len - i * 8)))));
        assert.equal(net, bytesToIp(masked));
      }
    }),
    { numRuns: 5000 },
  );
  assert.equal(networkWithHostBits('10.1.2.3', 8), '10.0.0.0');
  assert.equal(networkWithHostBits('10.0.0.0', 8), undefined);
  assert.equal(networkWithHostBits('2001:db8::1', 64), '2001:db8::');
});

test('sort keys order addresses of a family numerically', () => {
  const sort = (xs: string[]) => xs.sort((a, b) => (addressSortKey(a) < addressSortKey(b) ? -1 : 1));
  assert.deepEqual(sort(['10.0.0.10', '9.255.0.1', '10.0.0.9', '0.0.0.0']), ['0.0.0.0', '9.255.0.1', '10.0.0.9', '10.0.0.10']);
  assert.deepEqual(sort(['fe80::1', '::1', '2001:db8::', '::', '2001:db8::a:0']), ['::', '::1', '2001:db8::', '2001:db8::a:0', 'fe80::1']);
});

test('address answers a repeated text (kept from the last call) as a fresh one', () => {
  const texts = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('', '10.0.0.1/8', 'x', '2001:DB8::1', '::ffff:1.2.3.4'));
  fc.assert(
    fc.property(fc.array(texts, { maxLength: 6 }), (list) => {
      for (const t of [...list, ...list.reverse()]) {
        const a = address(t);
        const fresh = canonicalAddress(t);
        if (a instanceof Bad) assert.ok(fresh === undefined || t.includes('/'), t);
        else assert.equal(a.text, fresh, t);
      }
    }),
    { numRuns: 500 },
  );
  assert.equal((address('') as Bad).message, '"" is not an IPv4 or IPv6 address');
  assert.equal((address('') as Bad).message, '"" is not an IPv4 or IPv6 address');
});

test('canonicalNetworkFamily: exactly the network prefixes that networkPrefix takes as they are written', () => {
  const octet = fc.oneof(fc.integer({ min: 0, max: 255 }).map(String), fc.constantFrom('00', '01', '256', '', 'x', '1a'));
  const len = fc.oneof(fc.integer({ min: 0, max: 130 }).map(String), fc.constantFrom('', '00', '08', '032', '0128', '/8', 'x', '1 '));
  const v4 = fc.tuple(fc.array(octet, { minLength: 3, maxLength: 5 }), fc.option(len)).map(([os, l]) => `${os.join('.')}${l === null ? '' : `/${l}`}`);
  const v6addr = fc.oneof(fc.ipV6(), fc.ipV6().map((a) => canonicalAddress(a)!), fc.ipV6().map((a) => canonicalAddress(a)!.toUpperCase()));
  // Networks: the address cut to its prefix, so that host bits are rare but still happen.
  const v6 = fc.tuple(v6addr, fc.option(len)).map(([a, l]) => {
    const net = l === null || !/^\d+$/.test(l) || Number(l) > 128 ? undefined : networkWithHostBits(canonicalAddress(a)!, Number(l));
    return l === null ? a : `${net ?? a}/${l}`;
  });
  fc.assert(
    fc.property(fc.oneof(v4, v6, fc.string()), (v) => {
      const p = networkPrefix(v);
      const family = canonicalNetworkFamily(v);
      const takenAsWritten = !(p instanceof Bad) && p.text === v && v.includes('/');
      assert.equal(family !== undefined, takenAsWritten, v);
      if (family !== undefined) assert.equal(family, (p as { family: string }).family, v);
    }),
    { numRuns: 20000 },
  );
});
