// Neighbors (ARP / NDP entries): RTM_NEWNEIGH / RTM_DELNEIGH, an ndmsg plus
// NDA_* attributes (linux/neighbour.h). Bridge FDB entries (AF_BRIDGE) and
// proxy entries share the message type but are not in the model.
import type { Family, Neighbor } from '../../model/types.js';
import { AF_INET, AF_INET6, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, RTM_DELNEIGH, RTM_NEWNEIGH } from '../constants.js';
import type { Message, Writer } from '../message.js';
import { addrLenOf, AttrLayout, Ctx, ip, mac, nameOf, needHeader, u8, type AttrSpec, type IndexName, type NameIndex } from './layout.js';

export type { IndexName, NameIndex, WriteOp } from './layout.js';

export const NDA_DST = 1;
export const NDA_LLADDR = 2;
export const NDA_PROTOCOL = 12;
export const NTF_PROXY = 0x08;
export const NUD_PERMANENT = 0x80;
export const NDMSG_LEN = 12;

/** NUD_* state names as `ip neigh` prints them (lower-case). */
const STATES: Record<number, string> = {
  0x00: 'none',
  0x01: 'incomplete',
  0x02: 'reachable',
  0x04: 'stale',
  0x08: 'delay',
  0x10: 'probe',
  0x20: 'failed',
  0x40: 'noarp',
  0x80: 'permanent',
};

/** A row of the neighbor table. */
export type NeighborAttr = AttrSpec<Ctx, Neighbor> & { field?: keyof Neighbor & string };

/**
 * The neighbor table: the address is the key (with the device, in the
 * header); the link-layer address changes in place (NLM_F_REPLACE).
 */
export const NEIGHBOR_TABLE: readonly NeighborAttr[] = [
  { attr: NDA_DST, field: 'address', codec: ip, name: 'address', role: 'key' },
  { attr: NDA_LLADDR, field: 'lladdr', codec: mac, name: 'lladdr', role: 'attr', compare: 'declared', merge: 'kept', show: { word: 'lladdr' } },
  { attr: NDA_PROTOCOL, field: 'protocol', codec: u8, role: 'attr' },
];

const layout = new AttrLayout(NEIGHBOR_TABLE);

/** One RTM_NEWNEIGH (a permanent entry; create: EXCL, replace: REPLACE) or RTM_DELNEIGH request. */
export function writeNeighbor(w: Writer, op: 'create' | 'replace' | 'delete', n: Neighbor, seq: number, idx: NameIndex): void {
  const af = n.family === 'ipv4' ? AF_INET : AF_INET6;
  const ctx = new Ctx().reset(op, addrLenOf(af));
  const flags = op === 'delete' ? 0 : op === 'create' ? NLM_F_CREATE | NLM_F_EXCL : NLM_F_CREATE | NLM_F_REPLACE;
  const start = w.begin(op === 'delete' ? RTM_DELNEIGH : RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | flags, seq);
  const h = w.struct(NDMSG_LEN);
  w.buf[h] = af;
  w.buf.writeInt32LE(idx.ifindex(n.dev), h + 4);
  if (op !== 'delete') w.buf.writeUInt16LE(NUD_PERMANENT, h + 8);
  layout.encode(w, n, ctx);
  w.end(start);
}

/**
 * A neighbor from a dump or an event; undefined for bridge FDB entries,
 * proxy entries, other families and interfaces `names` does not know.
 */
export function decodeNeighbor(m: Message, names: IndexName): Neighbor | undefined {
  const b = m.buf;
  const o = m.off;
  needHeader(m.end - o, NDMSG_LEN, 'neighbor');
  const af = b[o]!;
  const addrLen = addrLenOf(af);
  if (addrLen === 0 || b[o + 10]! & NTF_PROXY) return undefined;
  const ctx = new Ctx().reset('create', addrLen);
  ctx.names = names;
  const dev = nameOf(b.readInt32LE(o + 4), ctx);
  if (dev === undefined) return undefined;
  const family: Family = af === AF_INET ? 'ipv4' : 'ipv6';
  const state = b.readUInt16LE(o + 8);
  const n: Neighbor = { dev, family, address: '', state: STATES[state] ?? `0x${state.toString(16)}` };
  layout.decode(b, o + NDMSG_LEN, m.end, n, ctx);
  if (n.address === '') return undefined;
  return n;
}
