// Nexthop objects on the wire: netrec's requests against those of real
// `ip nexthop` commands (iproute2 6.1), captured in a scratch namespace
// where va is ifindex 3 with
//   strace -e trace=sendmsg -e write=3 -xx -s 65535 ip nexthop ...
// (message type, flags, nhmsg header and attributes must agree; attribute
// order is free on the wire), and decode(encode(x)) == x for each shape.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NexthopObject } from '../../src/model/types.js';
import { RTM_NEWNEXTHOP } from '../../src/netlink/constants.js';
import type { NameIndex } from '../../src/netlink/rtnl/layout.js';
import { decodeNexthop, NHA_GROUPS, NHA_HW_STATS_ENABLE, writeNexthop } from '../../src/netlink/rtnl/nexthop.js';
import { asReply, attrTree, idx, message, names, written } from './helpers.js';

const va: NameIndex = {
  ifindex(name) {
    if (name !== 'va') throw new Error(`no interface named ${name}`);
    return 3;
  },
};

const captured = (hex: string): Buffer => Buffer.from(hex, 'hex');
const NHMSG = 8;

describe('nexthop requests as iproute2 sends them', () => {
  const cases: [string, string, 'create' | 'replace' | 'delete', NexthopObject][] = [
    [
      'ip nexthop add id 30 via 10.0.0.7 dev va onlink proto 78',
      '300000006800050692c2146b0000000002004e0004000000080001001e000000080006000a0000070800050003000000',
      'create',
      { id: 30, family: 'ipv4', via: '10.0.0.7', dev: 'va', onLink: true, protocol: 78 },
    ],
    [
      'ip nexthop add id 31 group 30/5,3 proto 78',
      '340000006800050692c2146b0000000000004e0000000000080001001f000000140002001e000000000000000500000002000000',
      'create',
      { id: 31, group: [{ id: 30, weight: 1 }, { id: 5, weight: 3 }], protocol: 78 },
    ],
    [
      'ip nexthop add id 32 group 30,2/5 type resilient buckets 16 idle_timer 60 unbalanced_timer 300 proto 78',
      '580000006800050692c2146b0000000000004e00000000000800010020000000140002001e0000000100000005000000000000001c000c800600010010000000080002007017000008000300307500000600030001000000',
      'create',
      { id: 32, group: [{ id: 30, weight: 2 }, { id: 5, weight: 1 }], resilient: true, buckets: 16, idleTimer: 60, unbalancedTimer: 300, protocol: 78 },
    ],
    ['ip nexthop add id 34 blackhole proto 78', '240000006800050692c2146b0000000002004e0000000000080001002200000004000400', 'create', { id: 34, family: 'ipv4', blackhole: true, protocol: 78 }],
    [
      'ip nexthop add id 35 via fe80::1 dev va proto 78',
      '3c0000006800050692c2146b000000000a004e0000000000080001002300000014000600fe8000000000000000000000000000010800050003000000',
      'create',
      { id: 35, family: 'ipv6', via: 'fe80::1', dev: 'va', protocol: 78 },
    ],
    [
      'ip nexthop replace id 31 group 30/5,4 proto 78',
      '340000006800050592c2146b0000000000004e0000000000080001001f000000140002001e000000000000000500000003000000',
      'replace',
      { id: 31, group: [{ id: 30, weight: 1 }, { id: 5, weight: 4 }], protocol: 78 },
    ],
    // A delete names the id alone, in a zeroed header (the kernel refuses a marker there).
    ['ip nexthop del id 34', '200000006900050092c2146b0000000000000000000000000800010022000000', 'delete', { id: 34, family: 'ipv4', blackhole: true, protocol: 78 }],
  ];
  for (const [what, hex, op, n] of cases) {
    it(what, () => {
      // Members in the order iproute2 sent them: the group's bytes must agree.
      const ours = written((w) => writeNexthop(w, op, n, 1, va));
      assert.deepEqual(attrTree(ours, NHMSG), attrTree(captured(hex), NHMSG));
    });
  }
});

describe('nexthop round trips', () => {
  const shapes: NexthopObject[] = [
    { id: 1, protocol: 78, family: 'ipv4', via: '192.0.2.1', dev: 'eth0' },
    { id: 2, protocol: 4, family: 'ipv4', via: '192.0.2.9', dev: 'eth1', onLink: true },
    { id: 3, protocol: 0, family: 'ipv6', via: 'fe80::1', dev: 'eth0' },
    { id: 4, protocol: 78, family: 'ipv4', dev: 'wan0' },
    { id: 5, protocol: 78, family: 'ipv6', blackhole: true },
    { id: 6, protocol: 78, family: 'ipv4', dev: 'eth0', fdb: true },
    { id: 100, protocol: 78, group: [{ id: 1, weight: 1 }, { id: 2, weight: 256 }] },
    { id: 101, protocol: 186, group: [{ id: 1, weight: 7 }, { id: 4, weight: 1 }], resilient: true, buckets: 64, idleTimer: 120, unbalancedTimer: 0.5 },
    { id: 102, protocol: 78, family: 'ipv4', via: '192.0.2.1', dev: 'eth0', attributes: { '7': '0100', '8': '0800010002000000' } },
  ];
  for (const n of shapes) {
    it(`id ${n.id}: decode(encode(x)) is x`, () => {
      const back = decodeNexthop(asReply(written((w) => writeNexthop(w, 'create', n, 1, idx))), names);
      assert.deepEqual(back, n);
    });
  }

  it('a delete names only the id; the header carries no family, marker or flags', () => {
    const b = written((w) => writeNexthop(w, 'delete', shapes[1]!, 1, idx));
    assert.equal(b.readUInt16LE(4), 105);
    assert.equal(b.subarray(16, 24).toString('hex'), '0000000000000000');
    assert.deepEqual(attrTree(b, NHMSG).attrs, [[1, '02000000']]);
  });

  it('a weight outside 1..256 is not written', () => {
    assert.throws(() => written((w) => writeNexthop(w, 'create', { id: 9, protocol: 78, group: [{ id: 1, weight: 257 }] }, 1, idx)), /weight 257/);
  });

  it('dump filters and statistics the kernel adds are not kept; an unknown attribute is; a nexthop on an unknown device reads as none', () => {
    const m = message(RTM_NEWNEXTHOP, (w) => {
      const h = w.struct(NHMSG);
      w.buf[h] = 2;
      w.buf[h + 2] = 78;
      w.u32(1, 7);
      w.u32(5, 2);
      w.flag(NHA_GROUPS);
      w.u32(NHA_HW_STATS_ENABLE, 0);
      w.u32(40, 9);
    });
    assert.deepEqual(decodeNexthop(m, names), { id: 7, protocol: 78, family: 'ipv4', dev: 'eth0', attributes: { '40': '09000000' } });
    const lost = message(RTM_NEWNEXTHOP, (w) => {
      w.struct(NHMSG);
      w.u32(1, 8);
      w.u32(5, 99);
    });
    assert.equal(decodeNexthop(lost, names), undefined);
  });
});
