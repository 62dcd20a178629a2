// readState against a scripted kernel: the dump requests it sends (strict
// checking wants zeroed headers), what it makes of the replies, and how it
// copes with interfaces that come and go between dumps.
import assert from 'node:assert/strict';
import { constants as os } from 'node:os';
import { describe, it } from 'node:test';
import { readState } from '../../src/kernel/read.js';
import type { Address, Link, Neighbor, NexthopObject, Route, Rule } from '../../src/model/types.js';
import {
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  NLMSG_ERROR,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLM_F_MULTI,
  NLM_F_ACK,
  NLM_F_REQUEST,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETNEIGH,
  RTM_GETNETCONF,
  RTM_GETNEXTHOP,
  RTM_GETROUTE,
  RTM_GETRULE,
  RTM_NEWLINK,
} from '../../src/netlink/constants.js';
import { Connection } from '../../src/netlink/connection.js';
import { parseMessages } from '../../src/netlink/message.js';
import { writeAddress } from '../../src/netlink/rtnl/address.js';
import type { NameIndex } from '../../src/netlink/rtnl/layout.js';
import { writeNeighbor } from '../../src/netlink/rtnl/neighbor.js';
import { writeNexthop } from '../../src/netlink/rtnl/nexthop.js';
import { writeRoute } from '../../src/netlink/rtnl/route.js';
import { writeRule } from '../../src/netlink/rtnl/rule.js';
import { QueueSocket } from '../helpers/fake-socket.js';
import { hex, written } from './helpers.js';

interface Request {
  type: number;
  flags: number;
  body: Buffer;
}

/** What the scripted kernel answers a dump with: whole messages, or an errno. */
type Answer = (type: number, family: number, attempt: number) => Buffer[] | number;

class FakeKernel extends QueueSocket {
  readonly requests: Request[] = [];
  private readonly seen = new Map<string, number>();
  constructor(private readonly answer: Answer) {
    super(99);
  }

  send(buf: Buffer): number {
    parseMessages(Buffer.from(buf), (m) => {
      const body = Buffer.from(m.buf.subarray(m.off, m.end));
      this.requests.push({ type: m.type, flags: m.flags, body });
      const key = `${m.type}/${body[0]}`;
      const attempt = (this.seen.get(key) ?? 0) + 1;
      this.seen.set(key, attempt);
      const answer = this.answer(m.type, body[0]!, attempt);
      const parts: Buffer[] = [];
      if (typeof answer === 'number') {
        const e = Buffer.alloc(16 + 4 + 16);
        e.writeUInt32LE(e.length, 0);
        e.writeUInt16LE(NLMSG_ERROR, 4);
        e.writeUInt16LE(NLM_F_CAPPED, 6);
        e.writeUInt32LE(m.seq, 8);
        e.writeUInt32LE(this.portId, 12);
        e.writeInt32LE(-answer, 16);
        m.buf.copy(e, 20, m.off - 16, m.off);
        parts.push(e);
      } else {
        parts.push(...this.dumpReply(m.seq, answer));
      }
      this.queue.push(Buffer.concat(parts));
    });
    return buf.length;
  }
}

/** A link as a dump reports it: ifinfomsg with index and flags, name, optional master / peer / kind. */
function linkMessage(index: number, name: string, o: { up?: boolean; master?: number; link?: number; kind?: string } = {}): Buffer {
  return written((w) => {
    const s = w.begin(RTM_NEWLINK, NLM_F_MULTI, 0);
    const h = w.struct(16);
    w.buf.writeInt32LE(index, h + 4);
    w.buf.writeUInt32LE(o.up ? 1 : 0, h + 8);
    w.string(3, name);
    w.u32(4, 1500);
    if (o.master) w.u32(10, o.master);
    if (o.link) w.u32(5, o.link);
    if (o.kind) {
      const info = w.beginNested(18);
      w.string(1, o.kind);
      w.endNested(info);
    }
    w.end(s);
  });
}

const LINKS = [
  linkMessage(1, 'lo', { up: true }),
  linkMessage(2, 'eth0', { up: true }),
  linkMessage(3, 'br0', { up: true, kind: 'bridge' }),
  linkMessage(4, 'v0', { kind: 'veth', link: 5, master: 3 }),
  linkMessage(5, 'v1', { kind: 'veth', link: 4 }),
];
/**
 * The VLAN dump (AF_BRIDGE, compressed): br0's own VLAN 1, and port v0's
 * VLAN 1 (pvid untagged) and 10-20 as a range; lo as a driver would report
 * its own bridging (no VLANs).
 */
function vlanMessage(index: number, entries: [number, number][] | undefined): Buffer {
  return written((w) => {
    const s = w.begin(RTM_NEWLINK, NLM_F_MULTI, 0);
    const h = w.struct(16);
    w.buf[h] = AF_BRIDGE;
    w.buf.writeInt32LE(index, h + 4);
    if (entries) {
      const spec = w.beginNested(26);
      for (const [flags, vid] of entries) w.bytes(2, Buffer.from([flags & 0xff, flags >> 8, vid & 0xff, vid >> 8]));
      w.endNested(spec);
    }
    w.end(s);
  });
}
const VLAN_DUMP = [
  vlanMessage(1, undefined),
  vlanMessage(3, [[0x6, 1]]),
  vlanMessage(4, [[0x6, 1], [0x8, 10], [0x10, 20]]),
];

const IDX: Record<string, number> = { lo: 1, eth0: 2, br0: 3, v0: 4, v1: 5, late0: 9 };
const idx: NameIndex = { ifindex: (n) => IDX[n]! };

const A4: Address = { dev: 'eth0', family: 'ipv4', address: '192.0.2.1/24' };
const A6: Address = { dev: 'v1', family: 'ipv6', address: '2001:db8::1/64', validLifetime: 600, preferredLifetime: 300, protocol: 0x10 };
const R4: Route = { family: 'ipv4', table: 254, to: '0.0.0.0/0', metric: 0, tos: 0, type: 'unicast', via: '192.0.2.254', dev: 'eth0', protocol: 0x4e };
const R6: Route = { family: 'ipv6', table: 254, to: '2001:db8:1::/48', metric: 1024, tos: 0, type: 'unicast', dev: 'v1', protocol: 3 };
const RULE4: Rule = { family: 'ipv4', priority: 100, from: '10.0.0.0/8', table: 100, action: 'lookup', protocol: 0x4e };
const RULE6: Rule = { family: 'ipv6', priority: 32766, table: 254, action: 'lookup', protocol: 2 };
const N4: Neighbor = { dev: 'eth0', family: 'ipv4', address: '192.0.2.9', lladdr: '02:00:00:00:00:09', protocol: 0x4e };
const NH: NexthopObject = { id: 7, protocol: 0x4e, family: 'ipv4', via: '192.0.2.254', dev: 'eth0' };

const addr = (a: Address) => written((w) => writeAddress(w, 'create', a, 0, idx));
const route = (r: Route) => written((w) => writeRoute(w, 'create', r, 0, idx));
const rule = (r: Rule) => written((w) => writeRule(w, 'create', r, 0));
const neigh = (n: Neighbor) => written((w) => writeNeighbor(w, 'create', n, 0, idx));
const nexthop = (n: NexthopObject) => written((w) => writeNexthop(w, 'create', n, 0, idx));

/** A kernel holding the objects above. */
function standard(type: number, family: number): Buffer[] | number {
  switch (type) {
    case RTM_GETLINK:
      return family === AF_BRIDGE ? VLAN_DUMP : LINKS;
    case RTM_GETADDR:
      return family === AF_INET ? [addr(A4)] : [addr(A6)];
    case RTM_GETROUTE:
      return family === AF_INET ? [route(R4)] : [route(R6)];
    case RTM_GETRULE:
      return family === AF_INET ? [rule(RULE4)] : [rule(RULE6)];
    case RTM_GETNEIGH:
      return family === AF_INET ? [neigh(N4)] : [];
    case RTM_GETNEXTHOP:
      return [nexthop(NH)];
  }
  return os.errno.EOPNOTSUPP;
}

async function read(answer: Answer, protocol?: number) {
  const kernel = new FakeKernel(answer);
  const conn = new Connection(kernel);
  const { namespace, ...state } = await readState(conn, protocol === undefined ? {} : { protocol });
  // This fake kernel has no RTM_GETNETCONF (EOPNOTSUPP): no namespace settings.
  assert.deepEqual(namespace, {});
  return { state, kernel };
}

describe('readState', () => {
  it('reads every object type of both families, links named and resolved', async () => {
    const { state } = await read(standard, 0x10);
    const links: Link[] = [
      { name: 'lo', kind: 'device', state: 'up', ifindex: 1, mtu: 1500 },
      { name: 'eth0', kind: 'device', state: 'up', ifindex: 2, mtu: 1500 },
      { name: 'br0', kind: 'bridge', state: 'up', ifindex: 3, mtu: 1500, vlans: [{ vid: 1, pvid: true, untagged: true }] },
      {
        name: 'v0',
        kind: 'veth',
        state: 'down',
        ifindex: 4,
        mtu: 1500,
        master: 'br0',
        options: { peer: 'v1' },
        vlans: [{ vid: 1, pvid: true, untagged: true }, { vid: 10, end: 20 }],
      },
      { name: 'v1', kind: 'veth', state: 'down', ifindex: 5, mtu: 1500, options: { peer: 'v0' } },
    ];
    assert.deepEqual(state, {
      links,
      addresses: [
        { ...A4, kernelManaged: false },
        { ...A6, kernelManaged: false },
      ],
      routes: [{ ...R4, scope: 'global' }, { ...R6, scope: 'global' }],
      rules: [RULE4, RULE6],
      neighbors: [{ ...N4, state: 'permanent' }],
      nexthops: [NH],
    });
  });

  it('sends dump requests with zeroed family headers, one per family, links without statistics, VLANs when there is a bridge', async () => {
    const { kernel } = await read(standard);
    const seen = kernel.requests.map((r) => [r.type, r.flags, r.body.toString('hex')]);
    const DUMP = NLM_F_REQUEST | NLM_F_DUMP;
    assert.deepEqual(seen, [
      [RTM_GETLINK, DUMP, hex('00 00 0000 00000000 00000000 00000000  0800 1d00 08000000  # ifinfomsg, IFLA_EXT_MASK = RTEXT_FILTER_SKIP_STATS').toString('hex')],
      [RTM_GETLINK, DUMP, hex('07 00 0000 00000000 00000000 00000000  0800 1d00 04000000  # AF_BRIDGE, IFLA_EXT_MASK = RTEXT_FILTER_BRVLAN_COMPRESSED').toString('hex')],
      [RTM_GETADDR, DUMP, '0200000000000000'],
      [RTM_GETADDR, DUMP, '0a00000000000000'],
      [RTM_GETROUTE, DUMP, '020000000000000000000000'],
      [RTM_GETROUTE, DUMP, '0a0000000000000000000000'],
      [RTM_GETRULE, DUMP, '020000000000000000000000'],
      [RTM_GETRULE, DUMP, '0a0000000000000000000000'],
      [RTM_GETNEIGH, DUMP, '020000000000000000000000'],
      [RTM_GETNEIGH, DUMP, '0a0000000000000000000000'],
      [RTM_GETNEXTHOP, DUMP, '0000000000000000'],
      // The namespace's settings: RTM_GETNETCONF { netconfmsg, NETCONFA_IFINDEX = -1 (all) } per family.
      [RTM_GETNETCONF, NLM_F_REQUEST | NLM_F_ACK, hex('02 000000  0800 0100 ffffffff').toString('hex')],
      [RTM_GETNETCONF, NLM_F_REQUEST | NLM_F_ACK, hex('0a 000000  0800 0100 ffffffff').toString('hex')],
    ]);
  });

  it('uses the ownership marker to tell finite addresses netrec made from the kernel`s', async () => {
    const ours = await read(standard, 0x10);
    const theirs = await read(standard);
    assert.equal(ours.state.addresses[1]!.kernelManaged, false);
    assert.equal(theirs.state.addresses[1]!.kernelManaged, true);
  });

  it('reads again when an object names an interface the link dump did not have', async () => {
    const late = { ...R4, to: '198.51.100.0/24', dev: 'late0' };
    const { state, kernel } = await read((type, family, attempt) => {
      if (type === RTM_GETLINK) return attempt === 1 ? LINKS : [...LINKS, linkMessage(9, 'late0')];
      if (type === RTM_GETROUTE && family === AF_INET) return [route(R4), route(late)];
      return standard(type, family);
    });
    assert.equal(kernel.requests.filter((r) => r.type === RTM_GETLINK && r.body[0] !== AF_BRIDGE).length, 2);
    assert.deepEqual(state.links.map((l) => l.name), ['lo', 'eth0', 'br0', 'v0', 'v1', 'late0']);
    assert.deepEqual(state.routes.map((r) => r.to), ['0.0.0.0/0', '198.51.100.0/24', '2001:db8:1::/48']);
  });

  it('gives up re-reading after a bound and drops what cannot be named', async () => {
    const gone = { ...N4, address: '192.0.2.10', dev: 'late0' };
    const { state, kernel } = await read((type, family) => (type === RTM_GETNEIGH && family === AF_INET ? [neigh(N4), neigh(gone)] : standard(type, family)));
    assert.equal(kernel.requests.filter((r) => r.type === RTM_GETLINK && r.body[0] !== AF_BRIDGE).length, 3);
    assert.deepEqual(state.neighbors.map((n) => n.address), ['192.0.2.9']);
  });

  it('copes with a kernel without IPv6, and one that answers an unknown family with every family', async () => {
    const { state } = await read((type, family) => {
      if (family === AF_INET6 && type === RTM_GETRULE) return os.errno.EAFNOSUPPORT;
      if (family === AF_INET6 && type === RTM_GETROUTE) return [route(R4)];
      if (family === AF_INET6 && type === RTM_GETADDR) return [addr(A4)];
      return standard(type, family);
    });
    assert.deepEqual(state.rules, [RULE4]);
    assert.deepEqual(state.routes.map((r) => r.to), ['0.0.0.0/0']);
    assert.deepEqual(state.addresses.map((a) => a.address), ['192.0.2.1/24']);
  });

  it('passes other kernel refusals on', async () => {
    await assert.rejects(
      read((type, family) => (type === RTM_GETROUTE && family === AF_INET ? os.errno.EPERM : standard(type, family))),
      { name: 'KernelError', code: 'EPERM' },
    );
  });
});
