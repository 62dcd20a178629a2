// A namespace's whole state, read through dumps: links first, then what
// refers to them by ifindex. Objects on an interface the link dump did not
// have (created or deleted meanwhile) are dropped, and the whole read is
// redone once more so that a race is not mistaken for the truth.
import { DEFAULT_PROTOCOL } from '../model/constants.js';
import type { Address, Link, NamespaceSettings, Neighbor, NexthopObject, Route, Rule, State } from '../model/types.js';
import { readNetconf, writeNetconfRequest } from '../netlink/rtnl/devconf.js';
import {
  AF_BRIDGE,
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETNEIGH,
  RTM_GETNEXTHOP,
  RTM_GETROUTE,
  RTM_GETNETCONF,
  RTM_GETRULE,
  RTM_NEWNETCONF,
  NLMSG_HDRLEN,
} from '../netlink/constants.js';
import type { Connection } from '../netlink/connection.js';
import { KernelError } from '../netlink/errors.js';
import type { Message, Writer } from '../netlink/message.js';
import { addressLayout, decodeAddress, IFADDRMSG_LEN, type AddrWire } from '../netlink/rtnl/address.js';
import { Ctx, type IndexName } from '../netlink/rtnl/layout.js';
import { decodeBridgeVlans, RTEXT_FILTER_BRVLAN_COMPRESSED } from '../netlink/rtnl/bridge-vlan.js';
import { hasVlans } from '../kinds/registry.js';
import { decodeLink, IFINFOMSG_LEN, IFLA_EXT_MASK, resolveLinks, RTEXT_FILTER_SKIP_STATS, type RawLink } from '../netlink/rtnl/link.js';
import { decodeNeighbor, NDMSG_LEN } from '../netlink/rtnl/neighbor.js';
import { decodeNexthop, NHMSG_LEN } from '../netlink/rtnl/nexthop.js';
import { RouteDecoder, RTMSG_LEN } from '../netlink/rtnl/route.js';
import { decodeRule, FIB_RULE_HDR_LEN } from '../netlink/rtnl/rule.js';

export { resolveLinks } from '../netlink/rtnl/link.js';

export interface ReadOptions {
  /** netrec's ownership marker, default DEFAULT_PROTOCOL; decides Address.kernelManaged. */
  protocol?: number;
}

/** Reads before accepting one whose objects name interfaces the link dump lacked. */
const READ_ATTEMPTS = 3;

/** Zeroed family header with only the family set: what NETLINK_GET_STRICT_CHK accepts. */
function header(size: number, family: number): (w: Writer) => void {
  return (w) => {
    const at = w.struct(size);
    w.buf[at] = family;
  };
}

/** Skip replies of another family: a kernel without the family answers with all of them. */
function ofFamily<T>(family: number, decode: (m: Message) => T | undefined): (m: Message) => T | undefined {
  return (m) => (m.end > m.off && m.buf[m.off] === family ? decode(m) : undefined);
}

/** Dump one family; a kernel without it (IPv6 disabled) has nothing to report. */
async function dumpFamily<T>(conn: Connection, type: number, size: number, family: number, decode: (m: Message) => T | undefined): Promise<T[]> {
  try {
    return await conn.dump(type, header(size, family), ofFamily(family, decode));
  } catch (e) {
    if (family === AF_INET6 && e instanceof KernelError && e.code === 'EAFNOSUPPORT') return [];
    throw e;
  }
}

async function dumpBoth<T>(conn: Connection, type: number, size: number, decode: (m: Message) => T | undefined): Promise<T[]> {
  const v4 = await dumpFamily(conn, type, size, AF_INET, decode);
  const v6 = await dumpFamily(conn, type, size, AF_INET6, decode);
  for (const x of v6) v4.push(x);
  return v4;
}

/** Every link as dumped, ifindex references not yet named (see resolveLinks); `vlans`: with bridge VLANs. */
export async function dumpLinks(conn: Connection, vlans = true): Promise<RawLink[]> {
  const raw = await conn.dump(RTM_GETLINK, linkDump(AF_UNSPEC, RTEXT_FILTER_SKIP_STATS), decodeLink);
  return vlans ? withVlans(conn, raw) : raw;
}

/** A link dump request of a family, with IFLA_EXT_MASK. */
function linkDump(family: number, mask: number): (w: Writer) => void {
  return (w) => {
    header(IFINFOMSG_LEN, family)(w);
    w.u32(IFLA_EXT_MASK, mask);
  };
}

/**
 * The VLANs of bridges and of their ports (`bridge vlan show`): a second
 * dump, of family AF_BRIDGE, only when there is a bridge. Every bridge and
 * port gets a list, empty when the kernel names no VLAN (a kernel without
 * VLAN filtering names none). A link may come twice (as a port, from its
 * master, and for itself when its driver reports its own bridging): the
 * message that names VLANs counts.
 */
async function withVlans(conn: Connection, raw: RawLink[]): Promise<RawLink[]> {
  const bridges = new Set<number>();
  for (const l of raw) if (hasVlans(l.kind)) bridges.add(l.ifindex);
  if (bridges.size === 0) return raw;
  const byIndex = new Map<number, RawLink>();
  for (const l of raw) {
    if (bridges.has(l.ifindex) || (l.masterIndex !== undefined && bridges.has(l.masterIndex))) {
      l.vlans = [];
      byIndex.set(l.ifindex, l);
    }
  }
  const found = await conn.dump(RTM_GETLINK, linkDump(AF_BRIDGE, RTEXT_FILTER_BRVLAN_COMPRESSED), decodeBridgeVlans);
  for (const f of found) {
    const l = byIndex.get(f.ifindex);
    if (l !== undefined && f.vlans !== undefined) l.vlans = f.vlans;
  }
  return raw;
}

/** Every link, with masters, peers and lower links named. */
export async function readLinks(conn: Connection): Promise<Link[]> {
  return resolveLinks(await dumpLinks(conn));
}

export function readAddresses(conn: Connection, names: IndexName, protocol = DEFAULT_PROTOCOL): Promise<Address[]> {
  return dumpBoth(conn, RTM_GETADDR, IFADDRMSG_LEN, (m) => decodeAddress(m, names, protocol));
}

/** Routes of every table. */
export function readRoutes(conn: Connection, names: IndexName): Promise<Route[]> {
  const decoder = new RouteDecoder(names);
  return dumpBoth(conn, RTM_GETROUTE, RTMSG_LEN, (m) => decoder.decode(m));
}

export function readRules(conn: Connection): Promise<Rule[]> {
  return dumpBoth(conn, RTM_GETRULE, FIB_RULE_HDR_LEN, decodeRule);
}

/** Nexthop objects of every family (one AF_UNSPEC dump); a kernel without them has none. */
export async function readNexthops(conn: Connection, names: IndexName): Promise<NexthopObject[]> {
  try {
    return await conn.dump(RTM_GETNEXTHOP, header(NHMSG_LEN, AF_UNSPEC), (m) => decodeNexthop(m, names));
  } catch (e) {
    if (e instanceof KernelError && (e.code === 'EOPNOTSUPP' || e.code === 'EINVAL' || e.code === 'EAFNOSUPPORT')) return [];
    throw e;
  }
}

export function readNeighbors(conn: Connection, names: IndexName): Promise<Neighbor[]> {
  return dumpBoth(conn, RTM_GETNEIGH, NDMSG_LEN, (m) => decodeNeighbor(m, names));
}

/**
 * The namespace's own settings (net.ipv4.ip_forward,
 * net.ipv6.conf.all.forwarding): RTM_GETNETCONF for NETCONFA_IFINDEX_ALL,
 * per family, on the connection's socket. A family the kernel has not
 * (IPv6 disabled) is left out.
 */
export async function readNamespace(conn: Connection): Promise<NamespaceSettings> {
  const out: NamespaceSettings = {};
  for (const [af, family] of [[AF_INET, 'ipv4'], [AF_INET6, 'ipv6']] as const) {
    let replies: Buffer[];
    try {
      replies = await conn.request(RTM_GETNETCONF, 0, (w) => writeNetconfRequest(w, af));
    } catch (e) {
      if (e instanceof KernelError && (e.code === 'EAFNOSUPPORT' || e.code === 'EOPNOTSUPP')) continue;
      throw e;
    }
    for (const r of replies) if (r.readUInt16LE(4) === RTM_NEWNETCONF) readNetconf(r, NLMSG_HDRLEN, r.readUInt32LE(0), family, out);
  }
  return out;
}

/** The namespace's settings, links (with ifindex), addresses, routes of every table, rules and neighbors of both families. */
export async function readState(conn: Connection, opts: ReadOptions = {}): Promise<State> {
  const protocol = opts.protocol ?? DEFAULT_PROTOCOL;
  for (let attempt = 1; ; attempt++) {
    const raw = await dumpLinks(conn);
    const byIndex = new Map<number, string>();
    for (const l of raw) byIndex.set(l.ifindex, l.name);
    let unknown = 0;
    const names: IndexName = {
      name(i) {
        const n = byIndex.get(i);
        if (n === undefined) unknown++;
        return n;
      },
    };
    for (const l of raw) {
      if (l.masterIndex !== undefined && !byIndex.has(l.masterIndex)) unknown++;
      if (l.linkNetnsid === undefined && l.peerIndex !== undefined && !byIndex.has(l.peerIndex)) unknown++;
    }
    const addresses = await readAddresses(conn, names, protocol);
    const routes = await readRoutes(conn, names);
    const rules = await readRules(conn);
    const neighbors = await readNeighbors(conn, names);
    if (unknown === 0 || attempt === READ_ATTEMPTS) {
      const nexthops = await readNexthops(conn, names);
      return { namespace: await readNamespace(conn), links: resolveLinks(raw), addresses, routes, rules, neighbors, nexthops };
    }
  }
}

const IFA_F_DADFAILED = 0x08;
const IFA_F_TENTATIVE = 0x40;

/**
 * IPv6 addresses (bare text) still in duplicate address detection: the
 * kernel refuses a route with one of them as `src` until DAD ends. Those
 * whose DAD failed are not waited for (they stay tentative for good).
 */
export async function readTentativeAddresses(conn: Connection): Promise<Set<string>> {
  const ctx = new Ctx().reset('create', 16);
  const found = await dumpFamily(conn, RTM_GETADDR, IFADDRMSG_LEN, AF_INET6, (m) => {
    const wire: AddrWire = {};
    addressLayout.decode(m.buf, m.off + IFADDRMSG_LEN, m.end, wire, ctx);
    const flags = wire.flags ?? m.buf[m.off + 2]!;
    return flags & IFA_F_TENTATIVE && !(flags & IFA_F_DADFAILED) ? (wire.local ?? wire.prefix) : undefined;
  });
  return new Set(found);
}
