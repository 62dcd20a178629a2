// The hot-path address text codecs agree with model/ip.ts (ipaddr.js) on
// every input: canonical, expanded, upper-case, and near-miss garbage.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { bytesToIp, ipToBytes, parsePrefix } from '../../src/model/ip.js';
import { formatIp, formatIPv6, formatPrefix, parseIp, parsePrefixText, RepeatedAddressText } from '../../src/netlink/rtnl/iptext.js';
import { hex } from './helpers.js';

const bytes16 = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 }).map((a) => Uint8Array.from(a));
const bytes4 = fc.uint8Array({ minLength: 4, maxLength: 4 });

/** Spellings of one address: canonical, fully expanded, zero-padded, upper-case. */
const spelling = fc.oneof(bytes4, bytes16).chain((b) => {
  const canonical = bytesToIp(b);
  const forms = [canonical, canonical.toUpperCase()];
  if (b.length === 16) {
    const expanded = (ipaddr.fromByteArray(Array.from(b)) as ipaddr.IPv6).toNormalizedString();
    const padded = expanded.split(':').map((g) => g.padStart(4, '0')).join(':');
    forms.push(expanded, padded, padded.toUpperCase());
  }
  return fc.constantFrom(...forms);
});

/** Strings over the address alphabet: mostly invalid, some valid. */
const nearMiss = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 }),
  fc.string({ unit: fc.constantFrom(...'0123456789.'), maxLength: 16 }),
  fc.string({ unit: fc.constantFrom(...'01f:'), maxLength: 20 }),
  // One character of a valid spelling replaced, or one inserted.
  spelling.chain((s) =>
    fc
      .tuple(fc.nat(s.length), fc.constantFrom('', ':', '.', '0', 'f', '::', '%', 'g'), fc.boolean())
      .map(([i, c, insert]) => s.slice(0, i) + c + s.slice(insert ? i : i + 1)),
  ),
);

describe('address text', () => {
  it('formats IPv6 as bytesToIp does', () => {
    fc.assert(fc.property(bytes16, (b) => assert.equal(formatIPv6(b, 0), bytesToIp(b))), { numRuns: 3000 });
    assert.equal(formatIPv6(hex('00000000000000000000000000000000'), 0), '::');
    assert.equal(formatIPv6(hex('20010000000000010000000000010001'), 0), '2001::1:0:0:1:1', 'first of two equal runs');
    assert.equal(formatIPv6(hex('20010db8000000010001000100010001'), 0), '2001:db8:0:1:1:1:1:1', 'a single zero group stays');
  });

  it('formats addresses and prefixes of both families as bytesToIp does', () => {
    const at = fc.nat(3);
    fc.assert(
      fc.property(fc.oneof(bytes4, bytes16), at, fc.nat(128), (b, pad, bits) => {
        const buf = new Uint8Array(pad + b.length);
        buf.set(b, pad);
        assert.equal(formatIp(buf, pad, b.length as 4 | 16), bytesToIp(b));
        assert.equal(formatPrefix(buf, pad, b.length as 4 | 16, bits), `${bytesToIp(b)}/${bits}`);
      }),
      { numRuns: 3000 },
    );
    assert.equal(formatIp(hex('0a00ff09'), 0, 4), '10.0.255.9');
  });

  it('reuses the text of a repeated address only for the same bytes', () => {
    // Few distinct bytes and both lengths: repeats, near repeats, and an IPv4 address equal to the start of an IPv6 one.
    const few = (n: number) => fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 });
    fc.assert(
      fc.property(fc.array(fc.oneof(few(4), few(16)), { maxLength: 20 }), (list) => {
        const text = new RepeatedAddressText();
        for (const b of list) assert.equal(text.format(b, 0, b.length as 4 | 16), bytesToIp(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('parses every spelling of an address as ipToBytes does', () => {
    fc.assert(fc.property(spelling, (s) => assert.deepEqual(parseIp(s), ipToBytes(s), s)), { numRuns: 3000 });
  });

  it('rejects what ipToBytes rejects', () => {
    fc.assert(fc.property(nearMiss, (s) => assert.deepEqual(parseIp(s), ipToBytes(s), s)), { numRuns: 5000 });
    for (const s of ['', '::', '1::', '::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::ffff:1.2.3.4', 'fe80::1%eth0', '01.2.3.4', '1.2.3.256', '1:2', ':1', '1:::2']) {
      assert.deepEqual(parseIp(s), ipToBytes(s), s);
    }
  });

  it('parses prefixes as parsePrefix does', () => {
    const prefix = fc.oneof(
      fc.tuple(spelling, fc.oneof(fc.integer({ min: 0, max: 140 }).map(String), fc.constantFrom('', '08', 'x', '1000'))).map(([a, l]) => `${a}/${l}`),
      spelling,
      nearMiss,
    );
    fc.assert(
      fc.property(prefix, (s) => {
        const want = parsePrefix(s);
        assert.deepEqual(parsePrefixText(s), want && { bytes: want.bytes, len: want.len }, s);
      }),
      { numRuns: 3000 },
    );
  });
});
