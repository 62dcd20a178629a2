// Requests of real `ip` commands (iproute2 6.1), captured in a scratch
// namespace where v0 is ifindex 3:
//   strace -f -e trace=sendmsg -e write=3 -xx -s 65535 ip ...
// netrec's request for the same object must carry the same message type,
// flags, family header and attributes (their order is free on the wire).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NameIndex } from '../../src/netlink/rtnl/layout.js';
import { writeAddress } from '../../src/netlink/rtnl/address.js';
import { writeNeighbor } from '../../src/netlink/rtnl/neighbor.js';
import { writeRoute } from '../../src/netlink/rtnl/route.js';
import { writeRule } from '../../src/netlink/rtnl/rule.js';
import { attrTree, rawAttrType, written } from './helpers.js';

const v0: NameIndex = {
  ifindex(name) {
    if (name !== 'v0') throw new Error(`no interface named ${name}`);
    return 3;
  },
};

const captured = (hex: string): Buffer => Buffer.from(hex, 'hex');

describe('requests as iproute2 sends them', () => {
  it('address: ip addr add 192.0.2.1/24 dev v0', () => {
    const ip = captured('2800000014000506e618146b00000000021800000300000008000200c000020108000100c0000201');
    const ours = written((w) => writeAddress(w, 'create', { dev: 'v0', family: 'ipv4', address: '192.0.2.1/24' }, 1, v0));
    assert.deepEqual(attrTree(ours, 8), attrTree(ip, 8));
  });

  it('route: ip route add 198.51.100.0/24 via 192.0.2.254 dev v0 table 1000 proto 78 metric 100 mtu 1400 initcwnd 10', () => {
    const ip = captured(
      '5800000018000506e618146b0000000002180000004e00010000000008000100c633640008000500c00002fe08000f00e80300000800060064000000080004000300000014000800080002007805000008000b000a000000',
    );
    const ours = written((w) =>
      writeRoute(
        w,
        'create',
        { family: 'ipv4', table: 1000, to: '198.51.100.0/24', metric: 100, tos: 0, type: 'unicast', protocol: 78, via: '192.0.2.254', dev: 'v0', mtu: 1400, initcwnd: 10 },
        1,
        v0,
      ),
    );
    assert.deepEqual(attrTree(ours, 12), attrTree(ip, 12));
  });

  it('IPv6 route with metrics: ip -6 route add 2001:db8::/32 via fe80::1 dev v0 table 1000 proto 78 metric 1024 hoplimit 64 advmss 1400', () => {
    const ip = captured(
      '7000000018000506e618146b000000000a200000004e0001000000001400010020010db800000000000000000000000014000500fe80000000000000000000000000000108000f00e8030000080006000004000008000400030000001400080008000a00400000000800080078050000',
    );
    const ours = written((w) =>
      writeRoute(
        w,
        'create',
        { family: 'ipv6', table: 1000, to: '2001:db8::/32', metric: 1024, tos: 0, type: 'unicast', protocol: 78, via: 'fe80::1', dev: 'v0', hoplimit: 64, advmss: 1400 },
        1,
        v0,
      ),
    );
    assert.deepEqual(attrTree(ours, 12), attrTree(ip, 12));
  });

  it('multipath route: ip route add 203.0.113.0/24 table 1000 proto 78 metric 0 nexthop via 192.0.2.253 dev v0 weight 1 nexthop via 192.0.2.252 dev v0 weight 2', () => {
    const ip = captured(
      '5800000018000506ec18146b0000000002180000004e00010000000008000100cb00710008000f00e8030000080006000000000024000900100000000300000008000500c00002fd100000010300000008000500c00002fc',
    );
    const ours = written((w) =>
      writeRoute(
        w,
        'create',
        {
          family: 'ipv4', table: 1000, to: '203.0.113.0/24', metric: 0, tos: 0, type: 'unicast', protocol: 78,
          nexthops: [
            { via: '192.0.2.253', dev: 'v0', weight: 1 },
            { via: '192.0.2.252', dev: 'v0', weight: 2 },
          ],
        },
        1,
        v0,
      ),
    );
    // RTA_MULTIPATH holds rtnexthop structs, not attributes: compared as bytes, header type included (no NLA_F_NESTED).
    assert.deepEqual(attrTree(ours, 12), attrTree(ip, 12));
    assert.equal(rawAttrType(ours, 12, 9), rawAttrType(ip, 12, 9), 'RTA_MULTIPATH is sent without NLA_F_NESTED, as iproute2 does');
  });

  it('rule: ip rule add from 10.1.0.0/16 iif v0 fwmark 0x10/0xff lookup 1000 pref 100 proto 78', () => {
    const ip = captured(
      '5400000020000506e618146b00000000020010000000000100000000080002000a010000070003007630000008000a001000000008001000ff00000008000f00e80300000800060064000000050015004e000000',
    );
    const ours = written((w) =>
      writeRule(w, 'create', { family: 'ipv4', priority: 100, from: '10.1.0.0/16', iif: 'v0', fwmark: 0x10, fwmask: 0xff, table: 1000, action: 'lookup', protocol: 78 }, 1),
    );
    assert.deepEqual(attrTree(ours, 12), attrTree(ip, 12));
  });

  it('neighbor: ip neigh replace 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0 nud permanent proto 78', () => {
    const ip = captured('380000001c000505e718146b0000000002000000030000008000000005000c004e00000008000100c00002090a0002000200000000090000');
    const ours = written((w) =>
      writeNeighbor(w, 'replace', { dev: 'v0', family: 'ipv4', address: '192.0.2.9', lladdr: '02:00:00:00:00:09', state: 'permanent', protocol: 78 }, 1, v0),
    );
    assert.deepEqual(attrTree(ours, 12), attrTree(ip, 12));
  });
});
