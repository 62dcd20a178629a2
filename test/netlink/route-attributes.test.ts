// decodeRoute reads attributes with a switch written for speed; the route
// layout's generic decoder is the reference. Both must give the same
// fields, in the same order, the same unresolved interfaces, and the same
// errors, on real route messages with their attributes reordered and
// bytes changed, decoded one after another (the gateway text is reused
// from one message to the next).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesToIp } from '../../src/model/ip.js';
import type { Family, Route } from '../../src/model/types.js';
import { addrLenOf, Ctx } from '../../src/netlink/rtnl/layout.js';
import { readRouteAttributes, routeLayout, RTMSG_LEN, writeRoute } from '../../src/netlink/rtnl/route.js';
import { DEVS, idx, names, written } from './helpers.js';

const family = fc.constantFrom<Family>('ipv4', 'ipv6');
/** Few distinct bytes, so that consecutive messages often repeat an address. */
const addr = (f: Family) => fc.uint8Array({ minLength: f === 'ipv4' ? 4 : 16, maxLength: f === 'ipv4' ? 4 : 16, min: 0, max: 2 }).map((b) => bytesToIp(b));
const anyAddr = family.chain(addr);
const dev = fc.constantFrom(...DEVS);

const route: fc.Arbitrary<Route> = family.chain((f) =>
  fc.record(
    {
      family: fc.constant(f),
      table: fc.constantFrom(254, 300),
      to: fc.constantFrom(f === 'ipv4' ? '10.0.0.0/8' : '2001:db8::/32', f === 'ipv4' ? '0.0.0.0/0' : '::/0'),
      metric: fc.nat(3),
      tos: fc.constant(0),
      type: fc.constant('unicast' as const),
      protocol: fc.constant(9),
      via: fc.oneof(addr(f), anyAddr),
      dev,
      src: addr(f),
      mtu: fc.nat(9000),
      nexthops: fc.array(fc.record({ via: anyAddr, dev, weight: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: ['weight'] }), { minLength: 1, maxLength: 3 }),
      nhid: fc.nat(5),
      ...(f === 'ipv6' ? { from: fc.constantFrom('2001:db8:1::/48', 'fd00::/8'), pref: fc.constantFrom('low' as const, 'high' as const) } : {}),
      mtuLock: fc.constant(true),
      initcwnd: fc.nat(20),
      initrwnd: fc.nat(20),
      advmss: fc.nat(9000),
      hoplimit: fc.nat(255),
      quickack: fc.constant(true),
      congctl: fc.constantFrom('bbr', 'cubic'),
      other: fc.dictionary(fc.constantFrom('11', '21', 'metrics.1', 'metrics.3', 'metrics.9'), fc.constantFrom('01000000', '08000000', '00ff0000')),
    },
    { requiredKeys: ['family', 'table', 'to', 'metric', 'tos', 'type', 'protocol'] },
  ),
);

/** The attributes' byte ranges in a message body, after the rtmsg header. */
function attributeSpans(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = RTMSG_LEN; off + 4 <= body.length; ) {
    const len = (body.readUInt16LE(off) + 3) & ~3;
    out.push(body.subarray(off, off + len));
    off += len;
  }
  return out;
}

/** A route message body with its attributes in another order and some bytes changed. */
const body = fc
  .tuple(route, fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }))
  .map(([r, order, edits]) => {
    const msg = written((w) => writeRoute(w, 'create', JSON.parse(JSON.stringify(r)) as Route, 1, idx)).subarray(16);
    const attrs = attributeSpans(msg);
    for (let i = 0; i < order.length && attrs.length > 1; i++) {
      const a = i % attrs.length;
      const b = order[i]! % attrs.length;
      [attrs[a], attrs[b]] = [attrs[b]!, attrs[a]!];
    }
    const out = Buffer.concat([msg.subarray(0, RTMSG_LEN), ...attrs]);
    for (const [at, v] of edits) out[at % out.length] = v;
    return { out, family: r.family };
  });

type Outcome = { route: Route; keys: string[]; missing: boolean } | { error: string };

function decodeWith(read: (b: Buffer, off: number, end: number, r: Route, ctx: Ctx) => void, b: Buffer, f: Family): Outcome {
  const ctx = new Ctx().reset('create', addrLenOf(f === 'ipv4' ? 2 : 10));
  ctx.names = names;
  ctx.dstLen = 8;
  ctx.srcLen = 16;
  const r: Route = { family: f, table: 254, to: '', metric: 0, tos: 0, type: 'unicast', protocol: 9, scope: 'global' };
  try {
    read(b, RTMSG_LEN, b.length, r, ctx);
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
  return { route: r, keys: Object.keys(r), missing: ctx.missing };
}

describe('route attributes', () => {
  it('read by the switch as by the route layout', () => {
    const generic = (b: Buffer, off: number, end: number, r: Route, ctx: Ctx) => routeLayout.decode(b, off, end, r, ctx);
    fc.assert(
      fc.property(fc.array(body, { minLength: 1, maxLength: 6 }), (messages) => {
        for (const { out, family: f } of messages) assert.deepStrictEqual(decodeWith(readRouteAttributes, out, f), decodeWith(generic, out, f));
      }),
      { numRuns: 1000 },
    );
  });
});
