// A RouteDecoder keeps codec state from one message to the next (the
// gateway text is reused while the same bytes come again). Decoding a run
// of messages with one decoder must give what a fresh decoder gives each
// message: the same fields, in the same order, the same unresolved
// interfaces, the same errors, on real route messages with their
// attributes reordered and bytes changed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesToIp } from '../../src/model/ip.js';
import type { Family, Route } from '../../src/model/types.js';
import { RouteDecoder, RTMSG_LEN, writeRoute } from '../../src/netlink/rtnl/route.js';
import { asReply, DEVS, idx, names, written } from './helpers.js';

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

/** A route message with its attributes in another order and some bytes changed (the header's kept). */
const message = fc
  .tuple(route, fc.array(fc.nat(), { maxLength: 12 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }))
  .map(([r, order, edits]) => {
    const whole = written((w) => writeRoute(w, 'create', JSON.parse(JSON.stringify(r)) as Route, 1, idx));
    const msg = whole.subarray(16);
    const attrs = attributeSpans(msg);
    for (let i = 0; i < order.length && attrs.length > 1; i++) {
      const a = i % attrs.length;
      const b = order[i]! % attrs.length;
      [attrs[a], attrs[b]] = [attrs[b]!, attrs[a]!];
    }
    const body = Buffer.concat([msg.subarray(0, RTMSG_LEN), ...attrs]);
    for (const [at, v] of edits) body[RTMSG_LEN + (at % Math.max(1, body.length - RTMSG_LEN))] = v;
    return Buffer.concat([whole.subarray(0, 16), body]);
  });

type Outcome = { route: Route | undefined; keys: string[] } | { error: string };

function decodeWith(d: RouteDecoder, b: Buffer): Outcome {
  try {
    const r = d.decode(asReply(b));
    return { route: r, keys: r === undefined ? [] : Object.keys(r) };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

describe('route attributes', () => {
  it('one decoder for a run of messages reads each as a fresh decoder does', () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), (messages) => {
        const shared = new RouteDecoder(names);
        for (const m of messages) assert.deepStrictEqual(decodeWith(shared, m), decodeWith(new RouteDecoder(names), m));
      }),
      { numRuns: 1000 },
    );
  });
});
