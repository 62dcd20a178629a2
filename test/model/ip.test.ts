// The address parser and formatter against independent implementations:
// Node's net.isIP (libuv's inet_pton) for what is an address, the WHATWG URL
// parser for canonical IPv6 text (RFC 5952), ipaddr.js for bytes <-> text,
// and net.BlockList for which addresses a prefix holds. Inputs: random
// addresses in every spelling (canonical, upper case, expanded, zero-padded,
// dotted IPv4 tails, IPv4-mapped), prefixes, and near-miss garbage.
import assert from 'node:assert/strict';
import { BlockList, isIP } from 'node:net';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import {
  addressSortKey,
  bytesToIp,
  canonicalIp,
  familyOf,
  formatPrefix,
  hasHostBits,
  ipToBytes,
  networkWithHostBits,
  parseIPv4,
  parseIPv4Prefix,
  parsePrefix,
  prefixNetwork,
  RepeatedAddressText,
} from '../../src/model/ip.js';
import { hex } from '../netlink/helpers.js';

// ---- the reference ------------------------------------------------------------

/** Whether the text is an address: inet_pton's answer, zone ids refused (they name an interface, not address bytes). */
function refValid(s: string): 0 | 4 | 6 {
  return s.includes('%') ? 0 : (isIP(s) as 0 | 4 | 6);
}

/** Canonical text: the dotted quad as it is (inet_pton takes no leading zeros), IPv6 as the URL parser writes it. */
function refCanonical(s: string): string | undefined {
  const v = refValid(s);
  if (v === 0) return undefined;
  return v === 4 ? s : new URL(`http://[${s}]/`).hostname.slice(1, -1);
}

function refBytes(s: string): Uint8Array | undefined {
  const c = refCanonical(s);
  if (c === undefined) return undefined;
  return Uint8Array.from(refValid(s) === 4 ? c.split('.').map(Number) : ipaddr.IPv6.parse(c).toByteArray());
}

function refText(b: Uint8Array): string {
  return ipaddr.fromByteArray(Array.from(b)).toString();
}

/** The bytes with the bits past `len` cleared. */
function masked(b: Uint8Array, len: number): Uint8Array {
  return Uint8Array.from(b, (x, i) => (i * 8 + 8 <= len ? x : i * 8 >= len ? 0 : x & (0xff << (8 - (len - i * 8)))));
}

// ---- inputs -----------------------------------------------------------------

/** Bytes with many zero groups, so that "::" runs of every length and place come up. */
const bytes16 = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 }).map((a) => Uint8Array.from(a));
const mapped = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((v4) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]));
const bytes4 = fc.uint8Array({ minLength: 4, maxLength: 4 });
const anyBytes = fc.oneof(bytes4, bytes16, mapped, fc.constant(new Uint8Array(16)));

/** Spellings of one address: canonical, upper case, expanded, zero-padded, and with a dotted IPv4 tail. */
const spelling = anyBytes.chain((b) => {
  const canonical = refText(b);
  const forms = [canonical, canonical.toUpperCase()];
  if (b.length === 16) {
    const v6 = ipaddr.fromByteArray(Array.from(b)) as ipaddr.IPv6;
    const expanded = v6.toNormalizedString();
    const padded = expanded.split(':').map((g) => g.padStart(4, '0')).join(':');
    const tail = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    const head = expanded.split(':').slice(0, 6).join(':');
    forms.push(expanded, padded, padded.toUpperCase(), `${head}:${tail}`);
    if (b.subarray(0, 12).every((x) => x === 0)) forms.push(`::${tail}`);
    if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) forms.push(`::ffff:${tail}`, `::FFFF:${tail}`);
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
      .tuple(fc.nat(s.length), fc.constantFrom('', ':', '.', '0', '00', 'f', '::', '%', '%1', 'g', '/', ' '), fc.boolean())
      .map(([i, c, insert]) => s.slice(0, i) + c + s.slice(insert ? i : i + 1)),
  ),
);

const anyText = fc.oneof(spelling, nearMiss, fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), fc.string({ maxLength: 12 }));

// ---- tests ------------------------------------------------------------------

describe('text -> bytes', () => {
  it('takes exactly the addresses inet_pton takes (no zone ids), with its bytes', () => {
    fc.assert(fc.property(anyText, (s) => assert.deepEqual(ipToBytes(s), refBytes(s), s)), { numRuns: 20000 });
  });

  it('reads a range of a longer text', () => {
    fc.assert(
      fc.property(spelling, fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), (s, before, after) => {
        assert.deepEqual(ipToBytes(before + s + after, before.length, before.length + s.length), refBytes(s), s);
      }),
      { numRuns: 2000 },
    );
  });

  it('the forms that differ between parsers', () => {
    const cases: [string, string | undefined][] = [
      ['::', '::'],
      ['::1', '::1'],
      ['1::', '1::'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
      ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
      ['::ffff:1.2.3.4', '::ffff:102:304'],
      ['::FFFF:1.2.3.4', '::ffff:102:304'],
      // IPv4-compatible, not IPv4-mapped (ipaddr.js's parser reads it as mapped).
      ['::1.2.3.4', '::102:304'],
      ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
      ['1:2:3:4:5:6:7:1.2.3.4', undefined],
      ['::ffff:01.2.3.4', undefined],
      ['::ffff:1.2.3', undefined],
      ['fe80::1%eth0', undefined],
      ['fe80::1%1', undefined],
      ['01.2.3.4', undefined],
      ['1.2.3.256', undefined],
      ['0x1.2.3.4', undefined],
      ['1.2.3', undefined],
      ['00000::1', undefined],
      ['1:::2', undefined],
      ['1:2:3:4::5:6:7:8', undefined],
      [':1', undefined],
      ['1:', undefined],
      ['', undefined],
    ];
    for (const [text, canonical] of cases) {
      assert.equal(canonicalIp(text), canonical, text);
      const b = ipToBytes(text);
      assert.equal(b && bytesToIp(b), canonical, text);
      assert.equal(familyOf(text), canonical === undefined ? undefined : canonical.includes(':') ? 'ipv6' : 'ipv4', text);
    }
  });
});

describe('bytes -> text', () => {
  it('is RFC 5952 text (as ipaddr.js and the URL parser write it), read back as the same bytes', () => {
    fc.assert(
      fc.property(anyBytes, (b) => {
        const text = bytesToIp(b);
        assert.equal(text, refText(b));
        assert.equal(refCanonical(text), text);
        assert.deepEqual(ipToBytes(text), b);
        assert.equal(canonicalIp(text), text);
      }),
      { numRuns: 5000 },
    );
    assert.equal(bytesToIp(hex('00000000000000000000000000000000')), '::');
    assert.equal(bytesToIp(hex('20010000000000010000000000010001')), '2001::1:0:0:1:1', 'first of two equal runs');
    assert.equal(bytesToIp(hex('20010db8000000010001000100010001')), '2001:db8:0:1:1:1:1:1', 'a single zero group stays');
    assert.equal(bytesToIp(hex('0a00ff09')), '10.0.255.9');
    assert.throws(() => bytesToIp(new Uint8Array(5)), RangeError);
  });

  it('addresses and prefixes at an offset of a message', () => {
    fc.assert(
      fc.property(anyBytes, fc.nat(3), fc.nat(128), (b, pad, bits) => {
        const buf = new Uint8Array(pad + b.length + 2);
        buf.set(b, pad);
        assert.equal(bytesToIp(buf, pad, b.length), refText(b));
        assert.equal(formatPrefix(buf, pad, b.length, bits), `${refText(b)}/${bits}`);
      }),
      { numRuns: 3000 },
    );
  });

  it('reuses the text of a repeated address only for the same bytes', () => {
    // Few distinct bytes and both lengths: repeats, near repeats, and an IPv4 address equal to the start of an IPv6 one.
    const few = (n: number) => fc.uint8Array({ minLength: n, maxLength: n, min: 0, max: 1 });
    fc.assert(
      fc.property(fc.array(fc.oneof(few(4), few(16)), { maxLength: 20 }), (list) => {
        const text = new RepeatedAddressText();
        for (const b of list) assert.equal(text.format(b, 0, b.length), refText(b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('canonical text', () => {
  it('is the reference canonical text for every text, and undefined exactly for non-addresses', () => {
    fc.assert(fc.property(anyText, (s) => assert.equal(canonicalIp(s), refCanonical(s), s)), { numRuns: 20000 });
  });

  it('text -> bytes -> text is the canonical text', () => {
    fc.assert(
      fc.property(spelling, (s) => {
        const b = ipToBytes(s)!;
        assert.equal(bytesToIp(b), canonicalIp(s), s);
        assert.equal(canonicalIp(canonicalIp(s)!), canonicalIp(s), s);
      }),
      { numRuns: 5000 },
    );
  });

  it('IPv4 as a number', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended(), nearMiss), (s) => {
        const want = refValid(s) === 4 ? s.split('.').reduce((v, o) => v * 256 + Number(o), 0) : -1;
        assert.equal(parseIPv4(s), want, s);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('prefixes', () => {
  const lenText = fc.oneof(fc.integer({ min: 0, max: 140 }).map(String), fc.constantFrom('', '0', '00', '08', '032', '0128', 'x', '1000', '/8', '1 '));
  const prefixText = fc.oneof(fc.tuple(spelling, lenText).map(([a, l]) => `${a}/${l}`), spelling, nearMiss);

  it('parsePrefix: an address and a length of 1 to 3 digits up to the family maximum; a bare address is full length', () => {
    fc.assert(
      fc.property(prefixText, (s) => {
        const slash = s.indexOf('/');
        const addr = slash < 0 ? s : s.slice(0, slash);
        const bytes = refBytes(addr);
        const lt = slash < 0 ? undefined : s.slice(slash + 1);
        const len = lt === undefined ? bytes && bytes.length * 8 : /^\d{1,3}$/.test(lt) ? Number(lt) : undefined;
        const want = bytes && len !== undefined && len <= bytes.length * 8 ? { family: bytes.length === 4 ? 'ipv4' : 'ipv6', bytes, len } : undefined;
        assert.deepEqual(parsePrefix(s), want, s);
      }),
      { numRuns: 5000 },
    );
  });

  it('parseIPv4Prefix: exactly canonical IPv4 prefix text, the address as a signed 32-bit number', () => {
    fc.assert(
      fc.property(fc.oneof(prefixText, fc.tuple(fc.ipV4(), lenText).map(([a, l]) => `${a}/${l}`)), (s) => {
        const out = { v4: 12345 };
        const len = parseIPv4Prefix(s, out);
        const p = parsePrefix(s);
        const canonical = p !== undefined && p.family === 'ipv4' && s === `${bytesToIp(p.bytes)}/${p.len}`;
        assert.equal(len, canonical ? p.len : -1, s);
        if (canonical) assert.equal(out.v4, new DataView(p.bytes.buffer).getInt32(0), s);
        else assert.equal(out.v4, 12345, s);
      }),
      { numRuns: 10000 },
    );
  });

  it('host bits and networks: the network holds the address (net.BlockList) and has no host bits', () => {
    const prefixes = fc.tuple(anyBytes, fc.integer({ min: 0, max: 128 })).map(([b, len]) => ({ b, len: Math.min(len, b.length * 8) }));
    fc.assert(
      fc.property(prefixes, ({ b, len }) => {
        const family = b.length === 4 ? 'ipv4' : 'ipv6';
        const text = refText(b);
        const net = prefixNetwork({ family, bytes: b, len });
        assert.deepEqual(net.bytes, masked(b, len));
        const list = new BlockList();
        list.addSubnet(bytesToIp(net.bytes), len, family);
        assert.ok(list.check(text, family), `${text} in ${bytesToIp(net.bytes)}/${len}`);
        const set = !b.every((x, i) => x === net.bytes[i]);
        assert.equal(hasHostBits({ family, bytes: b, len }), set);
        assert.equal(hasHostBits(net), false);
        assert.equal(networkWithHostBits(text, len), set ? bytesToIp(net.bytes) : undefined);
      }),
      { numRuns: 5000 },
    );
    assert.equal(networkWithHostBits('10.1.2.3', 8), '10.0.0.0');
    assert.equal(networkWithHostBits('10.0.0.0', 8), undefined);
    assert.equal(networkWithHostBits('2001:db8::1', 64), '2001:db8::');
  });
});

it('sort keys order addresses of a family numerically', () => {
  const sort = (xs: string[]) => xs.sort((a, b) => (addressSortKey(a) < addressSortKey(b) ? -1 : 1));
  assert.deepEqual(sort(['10.0.0.10', '9.255.0.1', '10.0.0.9', '0.0.0.0']), ['0.0.0.0', '9.255.0.1', '10.0.0.9', '10.0.0.10']);
  assert.deepEqual(sort(['fe80::1', '::1', '2001:db8::', '::', '2001:db8::a:0']), ['::', '::1', '2001:db8::', '2001:db8::a:0', 'fe80::1']);
  fc.assert(
    fc.property(anyBytes, (b) => assert.equal(addressSortKey(bytesToIp(b)), Buffer.from(b).toString('hex'))),
    { numRuns: 2000 },
  );
});
