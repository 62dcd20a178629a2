// decodeLink reads attributes with a switch written for speed; the link
// layout's generic decoder is the reference. Both must give the same
// fields, in the same order, the same ifindex references, and the same
// errors, on attribute lists of every type the layout knows (and some it
// skips), with real IFLA_LINKINFO payloads and random others.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Link } from '../../src/model/types.js';
import { Writer } from '../../src/netlink/message.js';
import { LinkCtx } from '../../src/netlink/rtnl/kinds/driver.js';
import { IFINFOMSG_LEN, IFLA_LINKINFO, linkLayout, readLinkAttributes, writeLink } from '../../src/netlink/rtnl/link.js';
import { idx, written } from './helpers.js';

const LINKS: Link[] = [
  { name: 'v0', kind: 'veth', state: 'up', veth: { peer: 'v1' } },
  { name: 'br0', kind: 'bridge', state: 'up', bridge: { stp: true, priority: 7, forwardDelay: 4, ageingTime: 300 } },
  { name: 'vl5', kind: 'vlan', state: 'up', vlan: { id: 5, link: 'eth0' } },
  { name: 'vx0', kind: 'vxlan', state: 'up', vxlan: { vni: 7, local: '2001:db8::1', remote: '2001:db8::2', link: 'eth0', port: 4789, ttl: 3, learning: false } },
  { name: 'd0', kind: 'dummy', state: 'up' },
];

/** The IFLA_LINKINFO payload writeLink gives a link. */
function linkInfoOf(l: Link): Buffer {
  const msg = written((w) => writeLink(w, 'create', l, 1, idx)).subarray(16);
  for (let off = IFINFOMSG_LEN; off + 4 <= msg.length; off += (msg.readUInt16LE(off) + 3) & ~3) {
    if ((msg.readUInt16LE(off + 2) & 0x3fff) === IFLA_LINKINFO) return msg.subarray(off + 4, off + msg.readUInt16LE(off));
  }
  throw new Error(`no IFLA_LINKINFO for ${l.name}`);
}
const INFOS = LINKS.map(linkInfoOf);
// An unknown kind, and kind data without a kind.
INFOS.push(Buffer.from('0c000100666f6f626172000008000200', 'hex'), Buffer.from('08000200', 'hex'));

/** Short payloads of few distinct bytes: names, numbers, all-zero and other link-layer addresses, bad lengths. */
const payload = fc.uint8Array({ minLength: 0, maxLength: 8, min: 0, max: 7 });
// IFLA_ADDRESS, IFNAME, MTU, LINK, MASTER, OPERSTATE, IFALIAS, LINK_NETNSID; 26 (AF_SPEC) and 99 are skipped.
const attribute = fc.oneof(
  fc.tuple(fc.constantFrom(1, 3, 4, 5, 10, 16, 20, 37, 26, 99), payload),
  fc.tuple(fc.constant(IFLA_LINKINFO), fc.constantFrom(...INFOS)),
);

const body = fc
  .tuple(fc.array(attribute, { maxLength: 10 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }))
  .map(([attrs, edits]) => {
    const w = new Writer(64);
    for (const [type, p] of attrs) w.bytes(type, p);
    const out = Buffer.from(w.bytesView());
    for (const [at, v] of edits) if (out.length > 0) out[at % out.length] = v;
    return out;
  });

type Outcome = { link: Link; keys: string[]; refs: unknown[] } | { error: string };

function decodeWith(read: (b: Buffer, off: number, end: number, l: Link, ctx: LinkCtx) => void, b: Buffer): Outcome {
  const ctx = new LinkCtx().resetLink('create');
  const link: Link = { name: '', kind: 'device', state: 'up' };
  try {
    read(b, 0, b.length, link, ctx);
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
  return { link, keys: Object.keys(link), refs: [ctx.linkIndex, ctx.masterIndex, ctx.linkNetnsid, ctx.driver?.kind] };
}

describe('link attributes', () => {
  it('read by the switch as by the link layout', () => {
    const generic = (b: Buffer, off: number, end: number, l: Link, ctx: LinkCtx) => linkLayout.decode(b, off, end, l, ctx);
    fc.assert(
      fc.property(body, (b) => assert.deepStrictEqual(decodeWith(readLinkAttributes, b), decodeWith(generic, b))),
      { numRuns: 2000 },
    );
  });
});
