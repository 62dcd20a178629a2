// Decoding replies shaped the way the kernel sends them, built attribute by
// attribute with the framing primitives (not with our encoders), plus one
// message captured from a real kernel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AF_BRIDGE, AF_INET, AF_INET6, RTM_NEWADDR, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE, RTM_NEWRULE } from '../../src/netlink/constants.js';
import type { Writer } from '../../src/netlink/message.js';
import { decodeAddress } from '../../src/netlink/rtnl/address.js';
import { decodeLink, resolveLinks, type RawLink } from '../../src/netlink/rtnl/link.js';
import { decodeNeighbor } from '../../src/netlink/rtnl/neighbor.js';
import { decodeRoute } from '../../src/netlink/rtnl/route.js';
import { decodeRule } from '../../src/netlink/rtnl/rule.js';
import { hex, message, names, only } from './helpers.js';

function ifinfo(w: Writer, index: number, flags: number, family = 0): void {
  const at = w.struct(16);
  w.buf[at] = family;
  w.buf.writeUInt16LE(1, at + 2); // ARPHRD_ETHER
  w.buf.writeInt32LE(index, at + 4);
  w.buf.writeUInt32LE(flags, at + 8);
}

function linkInfo(w: Writer, kind: string | undefined, data?: (w: Writer) => void, slaveKind?: string): void {
  const info = w.beginNested(18);
  if (kind !== undefined) w.string(1, kind);
  if (data) {
    const d = w.beginNested(2);
    data(w);
    w.endNested(d);
  }
  if (slaveKind !== undefined) w.string(4, slaveKind);
  w.endNested(info);
}

const link = (body: (w: Writer) => void): RawLink => decodeLink(message(RTM_NEWLINK, body))!;

describe('decodeLink', () => {
  it('reads a bridge with timers in centiseconds, admin and oper state, mac, and the MTU and address limits', () => {
    const l = link((w) => {
      ifinfo(w, 4, 0x1043); // IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST
      w.string(3, 'br0');
      w.u32(13, 1000); // IFLA_TXQLEN, not modelled
      w.u8(16, 6); // IFLA_OPERSTATE IF_OPER_UP
      w.u32(4, 1500);
      w.bytes(1, Uint8Array.of(0x02, 0xab, 0, 0, 0, 0x01));
      w.u32(50, 68); // IFLA_MIN_MTU
      w.u32(51, 65535); // IFLA_MAX_MTU
      linkInfo(w, 'bridge', (d) => {
        d.u32(1, 1500); // FORWARD_DELAY
        d.u32(2, 200); // HELLO_TIME, not modelled
        d.u32(4, 30000); // AGEING_TIME
        d.u32(5, 0); // STP_STATE
        d.u16(6, 32768); // PRIORITY
        d.u8(7, 0); // VLAN_FILTERING
        d.u16(9, 0); // GROUP_FWD_MASK, not modelled
        d.u16(39, 1); // VLAN_DEFAULT_PVID
      });
    });
    assert.deepEqual(l, {
      name: 'br0',
      kind: 'bridge',
      state: 'up',
      ifindex: 4,
      operState: 'up',
      mtu: 1500,
      mac: '02:ab:00:00:00:01',
      limits: { addrLen: 6, minMtu: 68, maxMtu: 65535, type: 1 },
      options: { forwardDelay: 15, ageingTime: 300, stp: false, priority: 32768, vlanFiltering: false, defaultPvid: 1 },
    });
  });

  it('treats no kind as a device, slave info alone as a device, unknown kinds as opaque', () => {
    const lo = link((w) => {
      ifinfo(w, 1, 0x9);
      w.string(3, 'lo');
      w.bytes(1, new Uint8Array(6)); // all-zero address: none
    });
    assert.equal(lo.kind, 'device');
    assert.equal(lo.mac, undefined);
    const port = link((w) => {
      ifinfo(w, 2, 0);
      w.string(3, 'eth0');
      w.u32(10, 4);
      linkInfo(w, undefined, undefined, 'bridge');
    });
    assert.equal(port.kind, 'device');
    assert.equal(port.masterIndex, 4);
    const ifb = link((w) => {
      ifinfo(w, 9, 0);
      w.string(3, 'ifb0');
      linkInfo(w, 'ifb', (d) => d.u32(1, 1));
    });
    assert.equal(ifb.kind, 'other:ifb');
    assert.equal(Object.keys(ifb).includes('ifb'), false);
  });

  it('reads vlan and vxlan options with references as indexes', () => {
    const vlan = link((w) => {
      ifinfo(w, 10, 0);
      w.string(3, 'eth0.10');
      w.u32(5, 2); // IFLA_LINK
      linkInfo(w, 'vlan', (d) => {
        d.u16(1, 10);
        d.bytes(2, new Uint8Array(8)); // IFLA_VLAN_FLAGS, not modelled
        d.be16(5, 0x8100);
      });
    });
    assert.deepEqual(vlan.options, { id: 10, protocol: '802.1q' });
    assert.equal(vlan.linkIndex, 2);
    const vx = link((w) => {
      ifinfo(w, 11, 0);
      w.string(3, 'vx0');
      linkInfo(w, 'vxlan', (d) => {
        d.u32(1, 100);
        d.bytes(16, Buffer.from('ff050000000000000000000000000100', 'hex')); // GROUP6
        d.u32(3, 5); // LINK
        d.bytes(4, Uint8Array.of(198, 51, 100, 2)); // LOCAL
        d.u8(5, 64);
        d.u8(7, 1);
        d.be16(15, 4789);
      });
    });
    assert.deepEqual(vx.options, { vni: 100, remote: 'ff05::100', local: '198.51.100.2', ttl: 64, learning: true, port: 4789 });
    assert.equal(vx.linkIndex, 5);
  });

  it('skips AF_BRIDGE port messages and rejects a link without a name', () => {
    assert.equal(decodeLink(message(RTM_NEWLINK, (w) => ifinfo(w, 2, 0, AF_BRIDGE))), undefined);
    assert.throws(() => decodeLink(message(RTM_NEWLINK, (w) => ifinfo(w, 2, 0))), { name: 'NetlinkParseError' });
  });
});

describe('resolveLinks', () => {
  it('names masters, veth peers and lower links; leaves out what lives in another namespace', () => {
    const raw: RawLink[] = [
      { name: 'br0', kind: 'bridge', state: 'up', ifindex: 4 },
      { name: 'v0', kind: 'veth', state: 'up', ifindex: 5, peerIndex: 6, masterIndex: 4 },
      { name: 'v1', kind: 'veth', state: 'up', ifindex: 6, peerIndex: 5 },
      { name: 'c0', kind: 'veth', state: 'up', ifindex: 7, peerIndex: 4, linkNetnsid: 0 },
      { name: 'v0.5', kind: 'vlan', state: 'up', ifindex: 8, linkIndex: 5, options: { id: 5 } as never },
      { name: 'mv0', kind: 'macvlan', state: 'up', ifindex: 9, linkIndex: 3, linkNetnsid: 1, options: { mode: 'bridge' } as never },
      { name: 'vx0', kind: 'vxlan', state: 'up', ifindex: 10, linkIndex: 99, options: { vni: 1 } },
      { name: 'gone', kind: 'device', state: 'up', ifindex: 11, masterIndex: 77 },
    ];
    const links = resolveLinks(raw);
    assert.deepEqual(links, [
      { name: 'br0', kind: 'bridge', state: 'up', ifindex: 4 },
      { name: 'v0', kind: 'veth', state: 'up', ifindex: 5, master: 'br0', options: { peer: 'v1' } },
      { name: 'v1', kind: 'veth', state: 'up', ifindex: 6, options: { peer: 'v0' } },
      { name: 'c0', kind: 'veth', state: 'up', ifindex: 7 },
      { name: 'v0.5', kind: 'vlan', state: 'up', ifindex: 8, options: { id: 5, link: 'v0' } },
      { name: 'mv0', kind: 'macvlan', state: 'up', ifindex: 9, options: { mode: 'bridge', link: '' } },
      { name: 'vx0', kind: 'vxlan', state: 'up', ifindex: 10, options: { vni: 1 } },
      { name: 'gone', kind: 'device', state: 'up', ifindex: 11 },
    ]);
  });
});

function ifaddr(w: Writer, family: number, len: number, flags: number, index: number): void {
  const at = w.struct(8);
  w.buf[at] = family;
  w.buf[at + 1] = len;
  w.buf[at + 2] = flags;
  w.buf.writeUInt32LE(index, at + 4);
}

function cacheinfo(w: Writer, preferred: number, valid: number): void {
  const ci = Buffer.alloc(16);
  ci.writeUInt32LE(preferred, 0);
  ci.writeUInt32LE(valid, 4);
  ci.writeUInt32LE(1234, 8);
  w.bytes(6, ci);
}

describe('decodeAddress', () => {
  it('reads a point-to-point IPv4 address: IFA_ADDRESS is the peer, the prefix length is the peer`s', () => {
    const a = decodeAddress(
      message(RTM_NEWADDR, (w) => {
        ifaddr(w, AF_INET, 24, 0x80, 2);
        w.bytes(1, Uint8Array.of(10, 0, 0, 2));
        w.bytes(2, Uint8Array.of(10, 0, 0, 1));
        w.string(3, 'eth0');
        cacheinfo(w, 0xffffffff, 0xffffffff);
        w.u32(8, 0x80);
      }),
      names,
    );
    assert.deepEqual(a, {
      dev: 'eth0',
      family: 'ipv4',
      address: '10.0.0.1/32',
      peer: '10.0.0.2/24',
      validLifetime: 'forever',
      preferredLifetime: 'forever',
      kernelManaged: false,
    });
  });

  it('keeps a label that differs from the device, flags from IFA_FLAGS, finite lifetimes', () => {
    const a = decodeAddress(
      message(RTM_NEWADDR, (w) => {
        ifaddr(w, AF_INET, 24, 0, 2);
        w.bytes(1, Uint8Array.of(192, 0, 2, 1));
        w.bytes(2, Uint8Array.of(192, 0, 2, 1));
        w.string(3, 'eth0:x');
        cacheinfo(w, 100, 200);
        w.u32(8, 0x200); // IFA_F_NOPREFIXROUTE, beyond the u8 header field
        w.u8(11, 0x4e);
      }),
      names,
      0x4e,
    );
    assert.deepEqual(a, {
      dev: 'eth0',
      family: 'ipv4',
      address: '192.0.2.1/24',
      noprefixroute: true,
      validLifetime: 200,
      preferredLifetime: 100,
      label: 'eth0:x',
      protocol: 0x4e,
      kernelManaged: false,
    });
  });

  const v6 = (addr: string, flags: number, valid: number, proto?: number, ours = 0x4e) =>
    decodeAddress(
      message(RTM_NEWADDR, (w) => {
        ifaddr(w, AF_INET6, 64, flags & 0xff, 2);
        w.bytes(1, Buffer.from(addr, 'hex'));
        cacheinfo(w, valid, valid);
        w.u32(8, flags);
        if (proto !== undefined) w.u8(11, proto);
      }),
      names,
      ours,
    )!;

  it('marks what the kernel manages', () => {
    assert.equal(v6('fe800000000000000000000000000001', 0x80, 0xffffffff).kernelManaged, true, 'link-local');
    assert.equal(v6('fe800000000000000000000000000001', 0x80, 0xffffffff).address, 'fe80::1/64');
    assert.equal(v6('20010db8000000000000000000000001', 0x01, 600).kernelManaged, true, 'temporary');
    assert.equal(v6('20010db8000000000000000000000001', 0x00, 0xffffffff, 2).kernelManaged, true, 'from a router advertisement');
    assert.equal(v6('20010db8000000000000000000000001', 0x00, 600).kernelManaged, true, 'finite, not ours');
    assert.equal(v6('20010db8000000000000000000000001', 0x00, 600, 0x4e).kernelManaged, false, 'finite, ours');
    assert.equal(v6('20010db8000000000000000000000001', 0x00, 600, 0x10, 0x10).kernelManaged, false, 'finite, ours (custom marker)');
    assert.equal(v6('20010db8000000000000000000000001', 0x80, 0xffffffff).kernelManaged, false, 'static');
    assert.equal(v6('0fe80000000000000000000000000001', 0x80, 0xffffffff).kernelManaged, false, 'fe8::/16 is not link-local');
  });

  it('drops addresses on unknown interfaces and other families', () => {
    const on = (index: number, family = AF_INET) =>
      decodeAddress(
        message(RTM_NEWADDR, (w) => {
          ifaddr(w, family, 8, 0, index);
          w.bytes(1, Uint8Array.of(10, 0, 0, 1));
        }),
        names,
      );
    assert.equal(on(42), undefined);
    assert.equal(on(2, 17), undefined);
    assert.equal(on(2)?.address, '10.0.0.1/8');
  });
});

describe('decodeRoute', () => {
  it('reads a message captured from a real kernel (IPv6 local route, metric 0)', () => {
    const m = only(
      hex(`
        74000000 1800 0200 00000000 00000000
        0a800000ff0200020000000008000f00ff00000014000100fd0000000000000000000000000000010800060000000000
        080004000300000024000c0000000000000000000000000000000000000000000000000000000000000000000500140000000000
      `),
    );
    assert.deepEqual(decodeRoute(m, names), {
      family: 'ipv6',
      table: 255,
      to: 'fd00::1/128',
      metric: 1024,
      tos: 0,
      type: 'local',
      protocol: 2,
      scope: 'global',
      dev: 'eth1',
    });
  });

  it('gives a plain object, its fields in the order of the model', () => {
    const r = decodeRoute(
      message(RTM_NEWROUTE, (w) => {
        rtmsg(w, { dst: 24 });
        w.bytes(1, Uint8Array.of(10, 1, 2, 0));
        w.bytes(5, Uint8Array.of(192, 0, 2, 1));
        w.u32(4, 2);
      }),
      names,
    )!;
    assert.equal(Object.getPrototypeOf(r), Object.prototype);
    assert.equal(r.constructor, Object);
    assert.equal(
      JSON.stringify(r),
      JSON.stringify({ family: 'ipv4', table: 254, to: '10.1.2.0/24', metric: 0, tos: 0, type: 'unicast', protocol: 3, scope: 'global', via: '192.0.2.1', dev: names.name(2) }),
    );
    assert.deepEqual({ ...r }, r);
  });

  function rtmsg(w: Writer, o: { family?: number; dst?: number; tos?: number; table?: number; proto?: number; scope?: number; type?: number; flags?: number }): void {
    const at = w.struct(12);
    const b = w.buf;
    b[at] = o.family ?? AF_INET;
    b[at + 1] = o.dst ?? 0;
    b[at + 3] = o.tos ?? 0;
    b[at + 4] = o.table ?? 254;
    b[at + 5] = o.proto ?? 3;
    b[at + 6] = o.scope ?? 0;
    b[at + 7] = o.type ?? 1;
    b.writeUInt32LE(o.flags ?? 0, at + 8);
  }

  it('reads IPv4 multipath with weights and per-nexthop onlink, table from RTA_TABLE', () => {
    const r = decodeRoute(
      message(RTM_NEWROUTE, (w) => {
        rtmsg(w, { dst: 16, table: 252, proto: 0x4e });
        w.u32(15, 1000);
        w.bytes(1, Uint8Array.of(172, 16, 0, 0));
        const mp = w.beginNested(9);
        for (const [gw, weight, flags, ifindex] of [[1, 1, 0, 2], [2, 3, 4, 3]] as const) {
          const h = w.struct(8);
          w.buf[h + 2] = flags;
          w.buf[h + 3] = weight - 1;
          w.buf.writeInt32LE(ifindex, h + 4);
          w.bytes(5, Uint8Array.of(192, 0, 2, gw));
          w.buf.writeUInt16LE(w.off - h, h);
        }
        w.endNested(mp);
      }),
      names,
    );
    assert.deepEqual(r, {
      family: 'ipv4',
      table: 1000,
      to: '172.16.0.0/16',
      metric: 0,
      tos: 0,
      type: 'unicast',
      protocol: 0x4e,
      scope: 'global',
      nexthops: [
        { weight: 1, dev: 'eth0', via: '192.0.2.1' },
        { weight: 3, dev: 'eth1', via: '192.0.2.2', onLink: true },
      ],
    });
  });

  it('reads an IPv4 route via an IPv6 gateway (RTA_VIA), default destination, onlink flag, metrics', () => {
    const r = decodeRoute(
      message(RTM_NEWROUTE, (w) => {
        rtmsg(w, { flags: 4 });
        w.u32(6, 20);
        const via = Buffer.alloc(18);
        via.writeUInt16LE(AF_INET6, 0);
        via[2] = 0xfe;
        via[3] = 0x80;
        via[17] = 1;
        w.bytes(18, via);
        w.u32(4, 5);
        const mx = w.beginNested(8);
        w.u32(2, 1380);
        w.u32(4, 7); // RTAX_RTT: a metric the model does not name, kept in `other`
        w.endNested(mx);
      }),
      names,
    );
    assert.deepEqual(r, {
      family: 'ipv4',
      table: 254,
      to: '0.0.0.0/0',
      metric: 20,
      tos: 0,
      type: 'unicast',
      protocol: 3,
      scope: 'global',
      via: 'fe80::1',
      dev: 'wan0',
      mtu: 1380,
      other: { 'metrics.4': '07000000' },
      onLink: true,
    });
  });

  it('skips cloned routes, unknown interfaces and families; reads the source prefix of a source-specific route', () => {
    const r = (o: Parameters<typeof rtmsg>[1], oif = 2, src = 0) =>
      decodeRoute(
        message(RTM_NEWROUTE, (w) => {
          rtmsg(w, o);
          if (src) w.buf[w.off - 10] = src;
          w.u32(4, oif);
        }),
        names,
      );
    assert.notEqual(r({}), undefined);
    assert.equal(r({ flags: 0x200 }), undefined);
    assert.equal(r({}, 99), undefined);
    assert.equal(r({ family: 128 }), undefined);
    assert.equal(r({ type: 0 }), undefined);
    assert.equal(r({ family: AF_INET6 }, 2, 64)?.from, '::/64');
  });
});

function fibRuleHdr(w: Writer, family: number, action: number, table: number, flags = 0, src = 0): void {
  const at = w.struct(12);
  w.buf[at] = family;
  w.buf[at + 2] = src;
  w.buf[at + 4] = table;
  w.buf[at + 7] = action;
  w.buf.writeUInt32LE(flags, at + 8);
}

describe('decodeRule', () => {
  it('reads a rule as the kernel reports it (mask of a plain fwmark, suppress_* unset)', () => {
    const r = decodeRule(
      message(RTM_NEWRULE, (w) => {
        fibRuleHdr(w, AF_INET, 1, 252, 0, 8);
        w.u32(15, 1000);
        w.u32(14, 0xffffffff);
        w.u8(21, 0x4e);
        w.u32(6, 100);
        w.bytes(2, Uint8Array.of(10, 0, 0, 0));
        w.string(3, 'lan0');
        w.u32(10, 0x20);
        w.u32(16, 0xffffffff);
      }),
    );
    assert.deepEqual(r, { family: 'ipv4', priority: 100, table: 1000, action: 'lookup', protocol: 0x4e, from: '10.0.0.0/8', iif: 'lan0', fwmark: 0x20 });
  });

  it('keeps a zero mark with a mask, an action without a table', () => {
    const r = decodeRule(
      message(RTM_NEWRULE, (w) => {
        fibRuleHdr(w, AF_INET6, 6, 0);
        w.u32(6, 7);
        w.u32(16, 0xff);
      }),
    );
    assert.deepEqual(r, { family: 'ipv6', priority: 7, table: 0, action: 'blackhole', protocol: 0, fwmark: 0, fwmask: 0xff });
  });

  it('reads every selector, and keeps what it does not model as attributes by number', () => {
    const rule = (body: (w: Writer) => void, flags = 0, tos = 0) =>
      decodeRule(
        message(RTM_NEWRULE, (w) => {
          fibRuleHdr(w, AF_INET, 1, 254, flags);
          w.buf[w.off - 9] = tos;
          body(w);
        }),
      );
    const main = { family: 'ipv4', priority: 0, table: 254, action: 'lookup', protocol: 0 };
    assert.deepEqual(rule(() => {}), main);
    assert.deepEqual(rule(() => {}, 0x2), { ...main, not: true }, 'not');
    assert.deepEqual(rule(() => {}, 0x4 | 0x8 | 0x10), main, 'unresolved, detached: state, not selectors');
    assert.deepEqual(rule(() => {}, 0, 0x10), { ...main, tos: 0x10 }, 'tos');
    assert.deepEqual(rule((w) => w.u32(14, 0)), { ...main, suppressPrefixlength: 0 }, 'suppress_prefixlength 0');
    assert.deepEqual(rule((w) => w.u32(13, 5)), { ...main, suppressIfgroup: 5 }, 'suppress_ifgroup 5');
    assert.deepEqual(rule((w) => w.u8(19, 1)), { ...main, l3mdev: true }, 'l3mdev');
    assert.deepEqual(rule((w) => w.bytes(20, Uint8Array.of(0xe8, 3, 0, 0, 0xcf, 7, 0, 0))), { ...main, uidrange: '1000-1999' }, 'uid range');
    assert.deepEqual(rule((w) => w.u8(22, 6)), { ...main, ipproto: 6 }, 'ipproto');
    // A single port comes with its mask of all ones, which is no selector of its own.
    assert.deepEqual(
      rule((w) => {
        w.bytes(24, Uint8Array.of(0xbb, 1, 0xbb, 1));
        w.u16(29, 0xffff);
        w.bytes(23, Uint8Array.of(0xe8, 3, 0xd0, 7));
      }),
      { ...main, dport: '443', sport: '1000-2000' },
      'ports',
    );
    assert.deepEqual(rule((w) => w.u16(29, 0xff00)), { ...main, attributes: { 29: '00ff' } }, 'a port mask of its own');
    assert.deepEqual(rule((w) => w.u8(25, 46)), { ...main, dscp: 46 }, 'dscp');
    assert.deepEqual(rule((w) => w.u32(11, 0x00050007)), { ...main, attributes: { 11: '07000500' } }, 'realms');
    assert.deepEqual(rule((w) => w.bytes(40, Uint8Array.of(1, 2))), { ...main, attributes: { 40: '0102' } }, 'an attribute newer than netrec');
  });

  it('reads a goto with its target', () => {
    const r = decodeRule(
      message(RTM_NEWRULE, (w) => {
        fibRuleHdr(w, AF_INET6, 2, 0);
        w.u32(6, 5);
        w.u32(4, 10);
      }),
    );
    assert.deepEqual(r, { family: 'ipv6', priority: 5, table: 0, action: 'goto', goto: 10, protocol: 0 });
  });
});

describe('decodeNeighbor', () => {
  function ndmsg(w: Writer, family: number, index: number, state: number, flags = 0): void {
    const at = w.struct(12);
    w.buf[at] = family;
    w.buf.writeInt32LE(index, at + 4);
    w.buf.writeUInt16LE(state, at + 8);
    w.buf[at + 10] = flags;
  }
  const neigh = (family: number, index: number, state: number, flags = 0) =>
    decodeNeighbor(
      message(RTM_NEWNEIGH, (w) => {
        ndmsg(w, family, index, state, flags);
        w.bytes(1, family === AF_INET ? Uint8Array.of(192, 0, 2, 7) : Buffer.from('20010db8000000000000000000000007', 'hex'));
        w.bytes(2, Uint8Array.of(2, 0, 0, 0, 0, 7));
        w.u8(12, 9);
      }),
      names,
    );

  it('reads ARP and NDP entries with their state', () => {
    assert.deepEqual(neigh(AF_INET, 3, 0x02), { dev: 'eth1', family: 'ipv4', address: '192.0.2.7', state: 'reachable', lladdr: '02:00:00:00:00:07', protocol: 9 });
    assert.equal(neigh(AF_INET6, 3, 0x80)?.address, '2001:db8::7');
    assert.equal(neigh(AF_INET6, 3, 0x80)?.state, 'permanent');
  });

  it('skips bridge FDB entries, proxy entries and unknown interfaces', () => {
    assert.equal(neigh(AF_BRIDGE, 3, 0x80), undefined);
    assert.equal(neigh(AF_INET, 3, 0x80, 0x08), undefined);
    assert.equal(neigh(AF_INET, 55, 0x80), undefined);
  });
});
