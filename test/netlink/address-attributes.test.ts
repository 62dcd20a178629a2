// decodeAddress reads attributes with a switch written for speed; the
// address layout's generic decoder is the reference. Both must give the
// same fields and the same errors, on real address messages with their
// attributes reordered and bytes changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesToIp } from '../../src/model/ip.js';
import type { Address, Family } from '../../src/model/types.js';
import { addressLayout, IFADDRMSG_LEN, readAddressAttributes, writeAddress, type AddrWire } from '../../src/netlink/rtnl/address.js';
import { addrLenOf, Ctx } from '../../src/netlink/rtnl/layout.js';
import { DEVS, idx, written } from './helpers.js';

const family = fc.constantFrom<Family>('ipv4', 'ipv6');
/** Few distinct bytes: local and prefix addresses often the same. */
const addr = (f: Family) => fc.uint8Array({ minLength: f === 'ipv4' ? 4 : 16, maxLength: f === 'ipv4' ? 4 : 16, min: 0, max: 2 }).map((b) => bytesToIp(b));

const address: fc.Arbitrary<Address> = family.chain((f) =>
  fc.record(
    {
      dev: fc.constantFrom(...DEVS),
      family: fc.constant(f),
      address: addr(f).map((a) => `${a}/${f === 'ipv4' ? 24 : 64}`),
      peer: addr(f).map((a) => `${a}/${f === 'ipv4' ? 32 : 128}`),
      label: fc.constantFrom('eth0', 'eth0:1', ''),
      noprefixroute: fc.constant(true),
      validLifetime: fc.nat(1000),
      preferredLifetime: fc.nat(1000),
      protocol: fc.integer({ min: 0, max: 255 }),
    },
    { requiredKeys: ['dev', 'family', 'address'] },
  ),
);

/** The attributes' byte ranges in a message body, after the ifaddrmsg header. */
function attributeSpans(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = IFADDRMSG_LEN; off + 4 <= body.length; ) {
    const len = (body.readUInt16LE(off) + 3) & ~3;
    out.push(body.subarray(off, off + len));
    off += len;
  }
  return out;
}

/** An address message body with its attributes in another order and some bytes changed. */
const body = fc
  .tuple(address, fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }))
  .map(([a, order, edits]) => {
    const msg = written((w) => writeAddress(w, 'create', a, 1, idx)).subarray(16);
    const attrs = attributeSpans(msg);
    for (let i = 0; i < order.length && attrs.length > 1; i++) {
      const x = i % attrs.length;
      const y = order[i]! % attrs.length;
      [attrs[x], attrs[y]] = [attrs[y]!, attrs[x]!];
    }
    const out = Buffer.concat([msg.subarray(0, IFADDRMSG_LEN), ...attrs]);
    for (const [at, v] of edits) out[at % out.length] = v;
    return { out, family: a.family };
  });

type Outcome = { wire: AddrWire } | { error: string };

function decodeWith(read: (b: Buffer, off: number, end: number, wire: AddrWire, ctx: Ctx) => void, b: Buffer, f: Family): Outcome {
  const ctx = new Ctx().reset('create', addrLenOf(f === 'ipv4' ? 2 : 10));
  const wire: AddrWire = {};
  try {
    read(b, IFADDRMSG_LEN, b.length, wire, ctx);
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
  // The switch stores into fields reset to undefined; the layout leaves them out.
  return { wire: Object.fromEntries(Object.entries(wire).filter(([, v]) => v !== undefined)) };
}

describe('address attributes', () => {
  it('read by the switch as by the address layout', () => {
    const generic = (b: Buffer, off: number, end: number, wire: AddrWire, ctx: Ctx) => addressLayout.decode(b, off, end, wire, ctx);
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 6 }), (messages) => {
        for (const { out, family: f } of messages) assert.deepStrictEqual(decodeWith(readAddressAttributes, out, f), decodeWith(generic, out, f));
      }),
      { numRuns: 1000 },
    );
  });
});
