// Addresses: RTM_NEWADDR / RTM_DELADDR, an ifaddrmsg plus IFA_* attributes
// (linux/if_addr.h). IFA_LOCAL is the interface's own address; IFA_ADDRESS
// is the prefix address, which is the peer on point-to-point links.
import { DEFAULT_PROTOCOL } from '../../model/constants.js';
import { maxPrefixLen } from '../../model/ip.js';
import type { Address, Family } from '../../model/types.js';
import { AF_INET, AF_INET6, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, RTM_DELADDR, RTM_NEWADDR } from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import type { Message, Writer } from '../message.js';
import { addrLenOf, AttrLayout, Ctx, ip, nameOf, need, needHeader, prefixBytes, string, u32, u8, type AttrSpec, type Codec, type IndexName, type NameIndex } from './layout.js';

export type { IndexName, NameIndex, WriteOp } from './layout.js';

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;
export const IFA_LABEL = 3;
export const IFA_CACHEINFO = 6;
export const IFA_FLAGS = 8;
export const IFA_PROTO = 11;
export const IFA_F_TEMPORARY = 0x01; // IPv6
export const IFA_F_SECONDARY = 0x01; // IPv4
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFADDRMSG_LEN = 8;
/** IFA_PROTO values the kernel itself sets (6.1+): loopback, router advertisement, link-local. */
export const IFAPROT_KERNEL_LO = 1;
export const IFAPROT_KERNEL_RA = 2;
export const IFAPROT_KERNEL_LL = 3;
const INFINITY_LIFE_TIME = 0xffffffff;
const RT_SCOPE_HOST = 254;

/**
 * The attributes as they are on the wire, before they become an Address:
 * bare local and prefix addresses, full flags.
 */
export interface AddrWire {
  local?: string;
  prefix?: string;
  label?: string;
  flags?: number;
  validLifetime?: number | 'forever';
  preferredLifetime?: number | 'forever';
  protocol?: number;
}

const lifetime = (v: number): number | 'forever' => (v === INFINITY_LIFE_TIME ? 'forever' : v);
const seconds = (v: number | 'forever' | undefined): number => (v === undefined || v === 'forever' ? INFINITY_LIFE_TIME : v);

/** struct ifa_cacheinfo { prefered, valid, cstamp, tstamp }: written only for a finite lifetime. */
const cacheinfo: Codec<AddrWire> = {
  read: (b, at, len, _ctx, target) => {
    need(len, 8, at);
    const a = target as AddrWire;
    a.preferredLifetime = lifetime(b.readUInt32LE(at));
    a.validLifetime = lifetime(b.readUInt32LE(at + 4));
    return undefined;
  },
  write: (w, t, a) => {
    const valid = seconds(a.validLifetime);
    // A preferred lifetime left open follows the valid one (the kernel refuses preferred > valid).
    const preferred = a.preferredLifetime === undefined ? valid : seconds(a.preferredLifetime);
    if (valid === INFINITY_LIFE_TIME && preferred === INFINITY_LIFE_TIME) return;
    const ci = Buffer.alloc(16);
    ci.writeUInt32LE(preferred, 0);
    ci.writeUInt32LE(valid, 4);
    w.bytes(t, ci);
  },
};

/** IFA_FLAGS (u32) extends ifa_flags; written only when a flag is set. */
const flags: Codec<number> = {
  read: u32.read,
  write: (w, t, v, ctx) => {
    if (v !== 0) u32.write(w, t, v, ctx);
  },
};

/**
 * The address attributes, as they are on the wire (AddrWire): writes and
 * reads addresses. The local and prefix addresses are the key; the rest
 * are settings, written on create and replace.
 */
export const addressLayout = new AttrLayout([
  { attr: IFA_LOCAL, field: 'local', codec: ip, role: 'key' },
  { attr: IFA_ADDRESS, field: 'prefix', codec: ip, role: 'key' },
  { attr: IFA_LABEL, field: 'label', codec: string, role: 'attr' },
  { attr: IFA_CACHEINFO, codec: cacheinfo, role: 'attr' },
  { attr: IFA_FLAGS, field: 'flags', codec: flags, role: 'attr' },
  { attr: IFA_PROTO, field: 'protocol', codec: u8, role: 'attr' },
]);

/** Remaining lifetimes count down: a finite lifetime matches any finite one not longer than asked. */
function lifetimeMatches(want: Address['validLifetime'], have: Address['validLifetime']): boolean {
  return want === have || (typeof want === 'number' && typeof have === 'number' && have <= want);
}

function lifetimeRow(field: 'validLifetime' | 'preferredLifetime', name: string, word: string): AttrSpec<Ctx, Address> {
  return {
    field, name, role: 'attr', merge: 'kept',
    compare: (d, a, exact) => (d[field] !== undefined || exact) && !lifetimeMatches(d[field] ?? 'forever', a[field] ?? 'forever'),
    show: { word, hide: (a) => a[field] === 'forever' },
  };
}

/** IPv4 reports the interface name as label when none was set; IPv6 has no label. */
function labelOf(a: Address): string | undefined {
  return a.family === 'ipv4' ? (a.label ?? a.dev) : undefined;
}

/**
 * The address as the config and the plan see it: its identity (address,
 * peer, device), what is compared and how it changes (an IPv4 address's
 * label and flags are fixed at creation: delete + create; IPv6 changes its
 * flags in place; lifetimes change in place), and iproute2's words. The
 * owner (protocol) is compared by the planner's mode. A rewritten address
 * keeps what the desired one leaves out (merge: kept). addressLayout writes
 * it on the wire.
 */
export const ADDRESS_TABLE: readonly AttrSpec<Ctx, Address>[] = [
  { field: 'address', name: 'address', role: 'key', show: { word: '', bare: true, text: (a) => (a.peer === undefined ? a.address : bare(a.address)) } },
  { field: 'peer', name: 'peer', role: 'key', show: { word: 'peer' } },
  { field: 'dev', name: 'dev', role: 'key', show: { word: 'dev' } },
  {
    field: 'noprefixroute', name: 'noprefixroute', role: 'attr', compare: 'declared', absent: false, merge: 'kept',
    change: (a) => (a.family === 'ipv4' ? 'replace' : 'update'),
    show: { word: 'noprefixroute', flag: true },
  },
  {
    field: 'label', name: 'label', role: 'attr', change: 'replace', merge: 'kept',
    compare: (d, a, exact) => (d.label !== undefined || exact) && labelOf(d) !== labelOf(a),
    show: { word: 'label', hide: (a) => a.label === a.dev },
  },
  lifetimeRow('validLifetime', 'valid-lifetime', 'valid_lft'),
  lifetimeRow('preferredLifetime', 'preferred-lifetime', 'preferred_lft'),
];

/**
 * One RTM_NEWADDR (create: EXCL, replace: REPLACE) or RTM_DELADDR request.
 * With a peer, the prefix length on the wire is the peer's.
 */
export function writeAddress(w: Writer, op: 'create' | 'replace' | 'delete', a: Address, seq: number, idx: NameIndex): void {
  const af = a.family === 'ipv4' ? AF_INET : AF_INET6;
  const ctx = new Ctx().reset(op, addrLenOf(af));
  const local = prefixBytes(a.address, ctx.addrLen);
  const peer = a.peer === undefined ? undefined : prefixBytes(a.peer, ctx.addrLen);
  const localText = bare(a.address);
  const wire: AddrWire = { local: localText, prefix: a.peer === undefined ? localText : bare(a.peer) };
  if (op !== 'delete') {
    if (a.label !== undefined) wire.label = a.label;
    if (a.noprefixroute) wire.flags = IFA_F_NOPREFIXROUTE;
    if (a.validLifetime !== undefined) wire.validLifetime = a.validLifetime;
    if (a.preferredLifetime !== undefined) wire.preferredLifetime = a.preferredLifetime;
    if (a.protocol !== undefined) wire.protocol = a.protocol;
  }
  const flagsOut = op === 'delete' ? 0 : op === 'create' ? NLM_F_CREATE | NLM_F_EXCL : NLM_F_CREATE | NLM_F_REPLACE;
  const start = w.begin(op === 'delete' ? RTM_DELADDR : RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | flagsOut, seq);
  const h = w.struct(IFADDRMSG_LEN);
  w.buf[h] = af;
  w.buf[h + 1] = (peer ?? local).len;
  // iproute2's default: loopback addresses are host-scoped.
  w.buf[h + 3] = op !== 'delete' && af === AF_INET && local.bytes[0] === 127 ? RT_SCOPE_HOST : 0;
  w.buf.writeUInt32LE(idx.ifindex(a.dev), h + 4);
  addressLayout.encode(w, wire, ctx);
  w.end(start);
}

/**
 * An address from a dump or an event; undefined for other families and for
 * addresses on interfaces `names` does not know. `protocol` is netrec's
 * marker: a finite-lifetime address without it is the kernel's (or DHCP's).
 */
export function decodeAddress(m: Message, names: IndexName, protocol: number = DEFAULT_PROTOCOL): Address | undefined {
  const b = m.buf;
  const o = m.off;
  needHeader(m.end - o, IFADDRMSG_LEN, 'address');
  const af = b[o]!;
  if (af !== AF_INET && af !== AF_INET6) return undefined;
  const family: Family = af === AF_INET ? 'ipv4' : 'ipv6';
  const prefixLen = b[o + 1]!;
  const max = maxPrefixLen(family);
  if (prefixLen > max) throw new NetlinkParseError(`address prefix length ${prefixLen} exceeds ${max}`);
  const ctx = new Ctx().reset('create', addrLenOf(af));
  ctx.names = names;
  const dev = nameOf(b.readUInt32LE(o + 4), ctx);
  if (dev === undefined) return undefined;
  const wire: AddrWire = {};
  addressLayout.decode(b, o + IFADDRMSG_LEN, m.end, wire, ctx);
  const local = wire.local ?? wire.prefix;
  if (local === undefined) throw new NetlinkParseError(`address on ${dev} has neither IFA_LOCAL nor IFA_ADDRESS`);
  const peer = wire.local !== undefined && wire.prefix !== undefined && wire.prefix !== wire.local ? wire.prefix : undefined;
  const a: Address = { dev, family, address: `${local}/${peer === undefined ? prefixLen : max}` };
  if (peer !== undefined) a.peer = `${peer}/${prefixLen}`;
  const f = wire.flags ?? b[o + 2]!;
  if (f & IFA_F_NOPREFIXROUTE) a.noprefixroute = true;
  if (family === 'ipv4' && f & IFA_F_SECONDARY) a.secondary = true;
  if (wire.validLifetime !== undefined) a.validLifetime = wire.validLifetime;
  if (wire.preferredLifetime !== undefined) a.preferredLifetime = wire.preferredLifetime;
  if (wire.label !== undefined && wire.label !== dev) a.label = wire.label;
  if (wire.protocol !== undefined) a.protocol = wire.protocol;
  a.kernelManaged = isKernelManaged(a, local, f, protocol);
  return a;
}

/** IPv6 link-local, temporary, set by the kernel (IFA_PROTO), or finite and not netrec's. */
function isKernelManaged(a: Address, local: string, flags: number, protocol: number): boolean {
  if (a.family === 'ipv6') {
    if (/^fe[89ab][0-9a-f]:/.test(local)) return true; // fe80::/10
    if (flags & IFA_F_TEMPORARY) return true;
  }
  if (a.protocol === IFAPROT_KERNEL_LO || a.protocol === IFAPROT_KERNEL_RA || a.protocol === IFAPROT_KERNEL_LL) return true;
  return typeof a.validLifetime === 'number' && a.protocol !== protocol;
}

function bare(prefix: string): string {
  const slash = prefix.indexOf('/');
  return slash < 0 ? prefix : prefix.slice(0, slash);
}
