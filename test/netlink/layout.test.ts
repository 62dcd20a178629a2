// The table-driven codec machinery: which attributes each operation writes,
// nested groups, default route scopes, and decoding speed on a full table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Route } from '../../src/model/types.js';
import { NLM_F_MULTI } from '../../src/netlink/constants.js';
import { parseMessages, Writer } from '../../src/netlink/message.js';
import { AttrLayout, Ctx, group, u16, u32 } from '../../src/netlink/rtnl/layout.js';
import { decodeRoute, defaultScope, writeRoute } from '../../src/netlink/rtnl/route.js';
import { hex, idx, names, written } from './helpers.js';

describe('AttrLayout', () => {
  const inner = new AttrLayout([{ attr: 1, field: 'c', codec: u16 }]);
  const layout = new AttrLayout([
    { attr: 1, field: 'a', codec: u32 },
    { attr: 2, field: 'b', codec: u32, on: ['delete'] },
    { attr: 3, codec: group(inner) },
  ]);

  it('writes the set fields that the operation writes, nests only when a nested field is set', () => {
    const ctx = new Ctx();
    assert.deepEqual(written((w) => layout.encode(w, { a: 1, b: 2 }, ctx.reset('create', 0))), hex('0800 0100 01000000'));
    assert.deepEqual(written((w) => layout.encode(w, { a: 1, b: 2 }, ctx.reset('delete', 0))), hex('0800 0200 02000000'));
    assert.deepEqual(written((w) => layout.encode(w, { c: 7 }, ctx.reset('update', 0))), hex('0c00 0380  0600 0100 07000000'));
  });

  it('decodes by attribute number, nested groups into the same object, unknown attributes skipped', () => {
    const target = {};
    const bytes = hex('0800 0100 05000000  0800 6300 ffffffff  0c00 0380 0600 0100 09000000');
    layout.decode(bytes, 0, bytes.length, target, new Ctx());
    assert.deepEqual(target, { a: 5, c: 9 });
  });

  it('refuses an attribute declared twice', () => {
    assert.throws(() => new AttrLayout([{ attr: 1, field: 'a', codec: u32 }, { attr: 1, field: 'b', codec: u32 }]), /declared twice/);
  });
});

describe('defaultScope', () => {
  it('follows iproute2: host for local/nat, link for broadcast kinds and direct unicast, else universe', () => {
    const r = (o: Partial<Route>) => defaultScope({ family: 'ipv4', type: 'unicast', ...o });
    assert.equal(r({}), 'link');
    assert.equal(r({ via: '192.0.2.1' }), 'global');
    assert.equal(r({ nexthops: [{ weight: 1, via: '192.0.2.1' }] }), 'global');
    assert.equal(r({ nhid: 5 }), 'global');
    assert.equal(r({ type: 'local' }), 'host');
    assert.equal(r({ type: 'nat' }), 'host');
    assert.equal(r({ type: 'broadcast' }), 'link');
    assert.equal(r({ type: 'blackhole' }), 'global');
    assert.equal(r({ family: 'ipv6' }), 'global');
  });
});

describe('speed', () => {
  it('decodes a dump of 100,000 routes, every one (speed is measured in bench/, not here)', () => {
    const w = new Writer(8 << 20);
    const r: Route = { family: 'ipv4', table: 254, to: '', metric: 100, tos: 0, type: 'unicast', via: '192.0.2.1', dev: 'eth0', protocol: 0x4e };
    for (let i = 0; i < 100_000; i++) {
      r.to = `${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`;
      const start = w.off;
      writeRoute(w, 'create', r, i, idx);
      w.buf.writeUInt16LE(NLM_F_MULTI, start + 6);
    }
    const dump = w.bytesView();
    const routes: Route[] = [];
    parseMessages(dump, (m) => {
      const x = decodeRoute(m, names);
      if (x) routes.push(x);
    });
    assert.equal(routes.length, 100_000);
    assert.equal(routes[99_999]!.to, '11.134.159.0/24');
  });
});

describe('Writer growth', () => {
  it('numeric attributes that make the buffer grow land in the new buffer', () => {
    const w = new Writer(8);
    for (let i = 0; i < 64; i++) w.u32(1, i);
    const values: number[] = [];
    for (let off = 0; off < w.off; off += 8) values.push(w.buf.readUInt32LE(off + 4));
    assert.deepEqual(values, Array.from({ length: 64 }, (_, i) => i));
  });
});
