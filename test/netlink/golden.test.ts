// Golden bytes: one request per object, written out by hand from the uapi
// layouts (linux/netlink.h nlmsghdr, rtnetlink.h ifinfomsg/ifaddrmsg/rtmsg/
// rtnexthop, if_link.h IFLA_*, veth.h, if_addr.h, fib_rules.h, neighbour.h).
// Little-endian host order; NLA_F_NESTED (0x8000) on nests; 4-byte padding.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeAddress } from '../../src/netlink/rtnl/address.js';
import { writeLink } from '../../src/netlink/rtnl/link.js';
import { writeNeighbor } from '../../src/netlink/rtnl/neighbor.js';
import { writeRoute } from '../../src/netlink/rtnl/route.js';
import { writeRule } from '../../src/netlink/rtnl/rule.js';
import { hex, idx, written } from './helpers.js';

// nlmsg_flags: NLM_F_REQUEST 0x1 | NLM_F_ACK 0x4, plus NLM_F_CREATE 0x400 | NLM_F_EXCL 0x200 for create.
const CREATE_FLAGS = '0506'; // 0x0605 little-endian
const PLAIN_FLAGS = '0500';

describe('golden requests', () => {
  it('link create: veth with its peer in VETH_INFO_PEER', () => {
    const got = written((w) => writeLink(w, 'create', { name: 'v0', kind: 'veth', state: 'up', mtu: 1400, options: { peer: 'v1' } }, 1, idx));
    const want = hex(`
      60000000 1000 ${CREATE_FLAGS} 01000000 00000000      # nlmsghdr: len 96, RTM_NEWLINK 16, seq 1, pid 0
      00 00 0000 00000000 00000000 00000000               # ifinfomsg: AF_UNSPEC, type 0, index 0, flags 0, change 0
      0700 0300 76300000                                  # IFLA_IFNAME "v0"
      0800 0400 78050000                                  # IFLA_MTU 1400
      3000 1280                                           # IFLA_LINKINFO (nested), 48 bytes
        0900 0100 76657468 00000000                       # IFLA_INFO_KIND "veth"
        2000 0280                                         # IFLA_INFO_DATA (nested), 32 bytes
          1c00 0180                                       # VETH_INFO_PEER (nested), 28 bytes
            00 00 0000 00000000 00000000 00000000         # peer ifinfomsg
            0700 0300 76310000                            # IFLA_IFNAME "v1"
    `);
    assert.deepEqual(got, want);
  });

  it('link update: index, IFF_UP, mtu, master released, alias, bridge data that changes in place', () => {
    const got = written((w) =>
      writeLink(
        w,
        'update',
        { name: 'br0', kind: 'bridge', state: 'up', ifindex: 7, mtu: 9000, master: '', alias: 'netrec', options: { stp: true, forwardDelay: 15 } },
        2,
        idx,
      ),
    );
    const want = hex(`
      60000000 1000 ${PLAIN_FLAGS} 02000000 00000000      # len 96, RTM_NEWLINK, no create flags, seq 2
      00 00 0000 07000000 01000000 01000000               # index 7, flags IFF_UP, change IFF_UP
      0800 0400 28230000                                  # IFLA_MTU 9000
      0800 0a00 00000000                                  # IFLA_MASTER 0
      0b00 1400 6e657472 65630000                         # IFLA_IFALIAS "netrec"
      2400 1280                                           # IFLA_LINKINFO 36 bytes
        0b00 0100 62726964 67650000                       # IFLA_INFO_KIND "bridge"
        1400 0280                                         # IFLA_INFO_DATA 20 bytes
          0800 0100 dc050000                              # IFLA_BR_FORWARD_DELAY 1500 (centiseconds)
          0800 0500 01000000                              # IFLA_BR_STP_STATE 1
    `);
    assert.deepEqual(got, want);
  });

  it('link create: vlan with IFLA_LINK and a network-order protocol', () => {
    const got = written((w) =>
      writeLink(w, 'create', { name: 'eth0.10', kind: 'vlan', state: 'up', options: { link: 'eth0', id: 10, protocol: '802.1ad' } }, 3, idx),
    );
    const want = hex(`
      58000000 1000 ${CREATE_FLAGS} 03000000 00000000      # len 88
      00 00 0000 00000000 00000000 00000000
      0c00 0300 65746830 2e313000                         # IFLA_IFNAME "eth0.10"
      0800 0500 02000000                                  # IFLA_LINK 2 (eth0)
      2400 1280                                           # IFLA_LINKINFO 36 bytes
        0900 0100 766c616e 00000000                       # IFLA_INFO_KIND "vlan"
        1400 0280                                         # IFLA_INFO_DATA 20 bytes
          0600 0100 0a000000                              # IFLA_VLAN_ID 10 (u16)
          0600 0500 88a80000                              # IFLA_VLAN_PROTOCOL 0x88a8 (be16)
    `);
    assert.deepEqual(got, want);
  });

  it('address create: IPv4 with label, lifetimes and protocol', () => {
    const got = written((w) =>
      writeAddress(
        w,
        'create',
        { dev: 'eth0', family: 'ipv4', address: '192.0.2.1/24', label: 'eth0:1', validLifetime: 3600, preferredLifetime: 1800, protocol: 0x4e },
        4,
        idx,
      ),
    );
    const want = hex(`
      50000000 1400 ${CREATE_FLAGS} 04000000 00000000      # len 80, RTM_NEWADDR 20
      02 18 00 00 02000000                                # ifaddrmsg: AF_INET, /24, flags 0, scope 0, index 2
      0800 0200 c0000201                                  # IFA_LOCAL 192.0.2.1
      0800 0100 c0000201                                  # IFA_ADDRESS 192.0.2.1
      0b00 0300 65746830 3a310000                         # IFA_LABEL "eth0:1"
      1400 0600 08070000 100e0000 00000000 00000000       # IFA_CACHEINFO preferred 1800, valid 3600
      0500 0b00 4e000000                                  # IFA_PROTO 0x4e
    `);
    assert.deepEqual(got, want);
  });

  it('address delete: point-to-point, prefix length of the peer', () => {
    const got = written((w) => writeAddress(w, 'delete', { dev: 'eth0', family: 'ipv4', address: '10.0.0.1/32', peer: '10.0.0.2/24' }, 5, idx));
    const want = hex(`
      28000000 1500 ${PLAIN_FLAGS} 05000000 00000000      # len 40, RTM_DELADDR 21
      02 18 00 00 02000000                                # AF_INET, /24, index 2
      0800 0200 0a000001                                  # IFA_LOCAL 10.0.0.1
      0800 0100 0a000002                                  # IFA_ADDRESS 10.0.0.2
    `);
    assert.deepEqual(got, want);
  });

  it('route create: IPv4, table above 255, gateway, source, mtu, onlink', () => {
    const got = written((w) =>
      writeRoute(
        w,
        'create',
        {
          family: 'ipv4', table: 1000, to: '198.51.100.0/24', metric: 100, tos: 0, type: 'unicast',
          via: '192.0.2.254', dev: 'eth0', src: '192.0.2.1', mtu: 1400, onLink: true, protocol: 0x4e,
        },
        6,
        idx,
      ),
    );
    const want = hex(`
      58000000 1800 ${CREATE_FLAGS} 06000000 00000000      # len 88, RTM_NEWROUTE 24
      02 18 00 00 00 4e 00 01 04000000                    # rtmsg: AF_INET, dst /24, table UNSPEC, proto 0x4e, scope universe, unicast, RTNH_F_ONLINK
      0800 0f00 e8030000                                  # RTA_TABLE 1000
      0800 0100 c6336400                                  # RTA_DST 198.51.100.0
      0800 0600 64000000                                  # RTA_PRIORITY 100
      0800 0400 02000000                                  # RTA_OIF 2
      0800 0500 c00002fe                                  # RTA_GATEWAY 192.0.2.254
      0800 0700 c0000201                                  # RTA_PREFSRC 192.0.2.1
      0c00 0880 0800 0200 78050000                        # RTA_METRICS (nested) RTAX_MTU 1400
    `);
    assert.deepEqual(got, want);
  });

  it('route create: IPv6 multipath in one message', () => {
    const got = written((w) =>
      writeRoute(
        w,
        'create',
        {
          family: 'ipv6', table: 254, to: '2001:db8::/32', metric: 1024, tos: 0, type: 'unicast', protocol: 0x4e,
          nexthops: [
            { via: 'fe80::1', dev: 'eth0', weight: 1 },
            { via: 'fe80::2', dev: 'eth1', weight: 3, onLink: true },
          ],
        },
        7,
        idx,
      ),
    );
    const want = hex(`
      7c000000 1800 ${CREATE_FLAGS} 07000000 00000000      # len 124
      0a 20 00 00 fe 4e 00 01 00000000                    # AF_INET6, /32, table 254, proto 0x4e, scope universe, unicast
      0800 0f00 fe000000                                  # RTA_TABLE 254
      1400 0100 20010db8 00000000 00000000 00000000       # RTA_DST 2001:db8::
      0800 0600 00040000                                  # RTA_PRIORITY 1024
      3c00 0900                                           # RTA_MULTIPATH 60 bytes (no NLA_F_NESTED: structs, as iproute2 sends it)
        1c00 00 00 02000000                               # rtnexthop len 28, flags 0, hops 0, ifindex 2
        1400 0500 fe800000 00000000 00000000 00000001     # RTA_GATEWAY fe80::1
        1c00 04 02 03000000                               # rtnexthop len 28, RTNH_F_ONLINK, hops 2, ifindex 3
        1400 0500 fe800000 00000000 00000000 00000002     # RTA_GATEWAY fe80::2
    `);
    assert.deepEqual(got, want);
  });

  it('route delete: names the route exactly (type, protocol, device, gateway); scope nowhere when unknown', () => {
    const got = written((w) =>
      writeRoute(
        w,
        'delete',
        { family: 'ipv4', table: 254, to: '0.0.0.0/0', metric: 0, tos: 0, type: 'unicast', via: '192.0.2.254', dev: 'eth0', protocol: 0x4e },
        8,
        idx,
      ),
    );
    const want = hex(`
      3c000000 1900 ${PLAIN_FLAGS} 08000000 00000000      # len 60, RTM_DELROUTE 25
      02 00 00 00 fe 4e ff 01 00000000                    # AF_INET, /0, no source, table 254, proto 0x4e, RT_SCOPE_NOWHERE, RTN_UNICAST
      0800 0f00 fe000000                                  # RTA_TABLE 254
      0800 0600 00000000                                  # RTA_PRIORITY 0
      0800 0400 02000000                                  # RTA_OIF eth0
      0800 0500 c00002fe                                  # RTA_GATEWAY 192.0.2.254
    `);
    assert.deepEqual(got, want);
  });

  it('IPv6 route delete: source prefix, device, and the unspecified gateway of a route without one', () => {
    const got = written((w) =>
      writeRoute(
        w,
        'delete',
        { family: 'ipv6', table: 254, to: '2001:db8::/32', from: '2001:db8:f::/48', metric: 1024, tos: 0, type: 'unicast', scope: 'global', dev: 'eth0', protocol: 4 },
        10,
        idx,
      ),
    );
    const want = hex(`
      70000000 1900 ${PLAIN_FLAGS} 0a000000 00000000      # len 112, RTM_DELROUTE 25, seq 10
      0a 20 30 00 fe 04 00 01 00000000                    # AF_INET6, /32, source /48, table 254, proto static, RT_SCOPE_UNIVERSE, RTN_UNICAST
      0800 0f00 fe000000                                  # RTA_TABLE 254
      1400 0100 20010db8000000000000000000000000          # RTA_DST 2001:db8::
      1400 0200 20010db8000f00000000000000000000          # RTA_SRC 2001:db8:f::
      0800 0600 00040000                                  # RTA_PRIORITY 1024
      0800 0400 02000000                                  # RTA_OIF eth0
      1400 0500 00000000000000000000000000000000          # RTA_GATEWAY :: (no gateway; a gateway left out would be any)
    `);
    assert.deepEqual(got, want);
  });

  it('route create beside others of its key: NLM_F_CREATE only (prepend), with NLM_F_APPEND (append)', () => {
    const r = { family: 'ipv4', table: 254, to: '10.0.0.0/8', metric: 0, tos: 0, type: 'unicast', dev: 'eth0', protocol: 0x4e } as const;
    assert.equal(written((w) => writeRoute(w, 'prepend', { ...r }, 1, idx)).readUInt16LE(6), 0x0405);
    assert.equal(written((w) => writeRoute(w, 'append', { ...r }, 1, idx)).readUInt16LE(6), 0x0c05);
    assert.equal(written((w) => writeRoute(w, 'replace', { ...r }, 1, idx)).readUInt16LE(6), 0x0505);
  });

  it('rule create: from, iif, fwmark/mask, table, protocol', () => {
    const got = written((w) =>
      writeRule(
        w,
        'create',
        { family: 'ipv4', priority: 1000, from: '192.168.10.0/24', iif: 'lan0', fwmark: 0x10, fwmask: 0xff, table: 200, action: 'lookup', protocol: 0x4e },
        9,
      ),
    );
    const want = hex(`
      58000000 2000 ${CREATE_FLAGS} 09000000 00000000      # len 88, RTM_NEWRULE 32
      02 00 18 00 c8 00 00 01 00000000                    # fib_rule_hdr: AF_INET, dst 0, src /24, tos 0, table 200, FR_ACT_TO_TBL
      0800 0600 e8030000                                  # FRA_PRIORITY 1000
      0800 0200 c0a80a00                                  # FRA_SRC 192.168.10.0
      0800 0a00 10000000                                  # FRA_FWMARK 0x10
      0800 1000 ff000000                                  # FRA_FWMASK 0xff
      0900 0300 6c616e30 00000000                         # FRA_IIFNAME "lan0"
      0800 0f00 c8000000                                  # FRA_TABLE 200
      0500 1500 4e000000                                  # FRA_PROTOCOL 0x4e
    `);
    assert.deepEqual(got, want);
  });

  it('neighbor create: permanent IPv6 entry with protocol', () => {
    const got = written((w) =>
      writeNeighbor(w, 'create', { dev: 'eth0', family: 'ipv6', address: '2001:db8::50', lladdr: '02:00:00:00:10:50', protocol: 0x4e }, 10, idx),
    );
    const want = hex(`
      44000000 1c00 ${CREATE_FLAGS} 0a000000 00000000      # len 68, RTM_NEWNEIGH 28
      0a 00 0000 02000000 8000 00 00                      # ndmsg: AF_INET6, ifindex 2, NUD_PERMANENT, flags 0, type 0
      1400 0100 20010db8 00000000 00000000 00000050       # NDA_DST 2001:db8::50
      0a00 0200 02000000 10500000                         # NDA_LLADDR 02:00:00:00:10:50
      0500 0c00 4e000000                                  # NDA_PROTOCOL 0x4e
    `);
    assert.deepEqual(got, want);
  });
});
