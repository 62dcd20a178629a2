// Garbage in: truncated, oversized, misaligned and random bytes must end in
// a NetlinkParseError (or a clean result), never another exception or a hang.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NetlinkParseError } from '../../src/netlink/errors.js';
import { parseMessages, type Message } from '../../src/netlink/message.js';
import { decodeAddress, writeAddress } from '../../src/netlink/rtnl/address.js';
import type { IndexName } from '../../src/netlink/rtnl/layout.js';
import { decodeLink, resolveLinks, writeLink } from '../../src/netlink/rtnl/link.js';
import { decodeNeighbor, writeNeighbor } from '../../src/netlink/rtnl/neighbor.js';
import { decodeRoute, writeRoute } from '../../src/netlink/rtnl/route.js';
import { decodeRule, writeRule } from '../../src/netlink/rtnl/rule.js';
import { idx, names, written } from './helpers.js';

/** Every index has a name, so decoding goes past the interface lookup. */
const anyName: IndexName = { name: (i) => `if${i}` };

function decodeAll(m: Message): void {
  for (const n of [names, anyName]) {
    decodeAddress(m, n);
    decodeRoute(m, n);
    decodeNeighbor(m, n);
  }
  decodeRule(m);
  const l = decodeLink(m);
  if (l) resolveLinks([l]);
}

/** Run `fn`; only a NetlinkParseError may escape it. */
function onlyParseErrors(fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof NetlinkParseError)) throw e;
  }
}

/** Real requests of every kind, to mutate. */
const SAMPLES: Buffer[] = [
  written((w) => writeLink(w, 'create', { name: 'vx0', kind: 'vxlan', state: 'up', mtu: 1450, mac: '02:00:00:00:00:01', options: { vni: 7, local: '2001:db8::1', remote: '2001:db8::2', link: 'eth0', port: 4789, ttl: 3, learning: false } }, 1, idx)),
  written((w) => writeLink(w, 'create', { name: 'v0', kind: 'veth', state: 'up', options: { peer: 'v1' } }, 1, idx)),
  written((w) => writeLink(w, 'create', { name: 'br0', kind: 'bridge', state: 'up', options: { stp: true, forwardDelay: 4, ageingTime: 30, priority: 1 } }, 1, idx)),
  written((w) => writeLink(w, 'update', { name: 'eth0', kind: 'device', state: 'up', master: 'br0', alias: 'x' }, 1, idx)),
  written((w) => writeAddress(w, 'create', { dev: 'eth0', family: 'ipv6', address: '2001:db8::1/128', peer: '2001:db8::2/64', label: 'l', validLifetime: 9, protocol: 3 }, 1, idx)),
  written((w) =>
    writeRoute(
      w,
      'create',
      {
        family: 'ipv4', table: 300, to: '10.0.0.0/8', metric: 5, tos: 0, type: 'unicast', protocol: 9, src: '10.0.0.1', mtu: 1400,
        nexthops: [{ via: '192.0.2.1', dev: 'eth0', weight: 2 }, { via: 'fe80::1', dev: 'eth1', weight: 1, onLink: true }],
      },
      1,
      idx,
    ),
  ),
  written((w) => writeRoute(w, 'create', { family: 'ipv6', table: 254, to: '::/0', metric: 1, tos: 0, type: 'unicast', protocol: 9, via: 'fe80::1', dev: 'eth0' }, 1, idx)),
  written((w) => writeRule(w, 'create', { family: 'ipv6', priority: 5, from: 'fd00::/8', to: 'fd01::/16', iif: 'a', oif: 'b', fwmark: 1, fwmask: 3, table: 9, action: 'lookup', protocol: 4 }, 1)),
  written((w) => writeNeighbor(w, 'create', { dev: 'eth0', family: 'ipv4', address: '192.0.2.9', lladdr: '02:00:00:00:00:09', protocol: 1 }, 1, idx)),
];

describe('garbage', () => {
  it('random bytes through parseMessages and every decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        onlyParseErrors(() => parseMessages(Buffer.from(bytes), decodeAll));
      }),
      { numRuns: 2000 },
    );
  });

  it('random bodies behind a well-formed header, fed to every decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 0xffff }), (body, type) => {
        const buf = Buffer.alloc(16 + body.length);
        buf.writeUInt32LE(buf.length, 0);
        buf.writeUInt16LE(type, 4);
        buf.set(body, 16);
        onlyParseErrors(() => parseMessages(buf, decodeAll));
      }),
      { numRuns: 2000 },
    );
  });

  it('real messages, truncated, extended, with bytes changed', () => {
    const mutated = fc.tuple(
      fc.constantFrom(...SAMPLES),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.nat(),
      fc.uint8Array({ maxLength: 12 }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(mutated, ([sample, edits, cut, tail, fixLength]) => {
        let buf = Buffer.concat([Buffer.from(sample.subarray(0, 16 + (cut % Math.max(1, sample.length - 15)))), tail]);
        for (const [at, v] of edits) buf[16 + (at % Math.max(1, buf.length - 16))] = v;
        if (buf.length < 16) buf = Buffer.concat([buf, Buffer.alloc(16 - buf.length)]);
        if (fixLength) buf.writeUInt32LE(buf.length, 0);
        onlyParseErrors(() => parseMessages(buf, decodeAll));
      }),
      { numRuns: 3000 },
    );
  });

  it('typed errors for the usual defects', () => {
    const route = SAMPLES[5]!;
    const truncatedHeader = route.subarray(0, 10);
    const oversized = Buffer.from(route);
    oversized.writeUInt32LE(route.length + 8, 0);
    const attrPastEnd = Buffer.from(route);
    attrPastEnd.writeUInt16LE(200, 16 + 12); // first attribute claims more than the message holds
    const shortAttr = Buffer.from(route);
    shortAttr.writeUInt16LE(2, 16 + 12); // attribute shorter than its header
    const shortFamilyHeader = Buffer.from(route.subarray(0, 24));
    shortFamilyHeader.writeUInt32LE(24, 0);
    const wrongAddrLen = Buffer.from(route);
    wrongAddrLen[16] = 10; // AF_INET6 header with 4-byte addresses
    for (const [what, buf] of Object.entries({ truncatedHeader, oversized, attrPastEnd, shortAttr, shortFamilyHeader, wrongAddrLen })) {
      assert.throws(() => parseMessages(buf, (m) => decodeRoute(m, names)), NetlinkParseError, what);
    }
  });
});
