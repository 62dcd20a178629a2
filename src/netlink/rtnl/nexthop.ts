// Nexthop objects: RTM_NEWNEXTHOP / RTM_DELNEXTHOP, a struct nhmsg plus
// NHA_* attributes (linux/nexthop.h). A nexthop is a single next hop (a
// gateway and device, a device alone, or a blackhole) or a group of other
// nexthop objects by id, multipath or resilient. Its id is its identity; the
// owner is nh_protocol. One table (NEXTHOP_TABLE) describes every attribute:
// it writes and reads nexthops, and the planner compares and shows them by it.
import type { Family, NexthopMember, NexthopObject } from '../../model/types.js';
import {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  RTM_DELNEXTHOP,
  RTM_NEWNEXTHOP,
} from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import type { Message, Writer } from '../message.js';
import { addrLenOf, AttrLayout, centiseconds, Ctx, devName, group, ip, keptAttributes, keptText, need, needHeader, readKept, u16, u32, type AttrSpec, type Codec, type IndexName, type NameIndex } from './layout.js';

export const NHA_ID = 1;
export const NHA_GROUP = 2;
export const NHA_GROUP_TYPE = 3;
export const NHA_BLACKHOLE = 4;
export const NHA_OIF = 5;
export const NHA_GATEWAY = 6;
export const NHA_GROUPS = 9;
export const NHA_MASTER = 10;
export const NHA_FDB = 11;
export const NHA_RES_GROUP = 12;
export const NHA_OP_FLAGS = 14;
export const NHA_GROUP_STATS = 15;
export const NHA_HW_STATS_ENABLE = 16;
export const NHA_HW_STATS_USED = 17;
export const NHA_RES_GROUP_BUCKETS = 1;
export const NHA_RES_GROUP_IDLE_TIMER = 2;
export const NHA_RES_GROUP_UNBALANCED_TIMER = 3;
export const NEXTHOP_GRP_TYPE_RESILIENT = 1;
export const RTNH_F_ONLINK = 4;
export const NHMSG_LEN = 8;
/** struct nexthop_grp { u32 id; u8 weight (weight - 1); u8 weight_high; u16 resvd2 }. */
const NEXTHOP_GRP_LEN = 8;

/** A flag attribute: present (no payload) means true. */
const flag: Codec<boolean> = {
  read: () => true,
  write: (w, t, v) => {
    if (v) w.flag(t);
  },
};

/** NHA_GROUP_TYPE: resilient is true; multipath (0, the default, not written) reads as absent. */
const groupType: Codec<boolean> = {
  read: (b, at, len) => (need(len, 2, at), b.readUInt16LE(at) === NEXTHOP_GRP_TYPE_RESILIENT ? true : undefined),
  write: (w, t, v) => {
    if (v) w.u16(t, NEXTHOP_GRP_TYPE_RESILIENT);
  },
};

/** NHA_GROUP: an array of nexthop_grp, weight on the wire as weight - 1 (weight_high carries bit 8 on kernels that allow more than 256). */
const members: Codec<NexthopMember[]> = {
  read: (b, at, len) => {
    if (len % NEXTHOP_GRP_LEN !== 0) throw new NetlinkParseError(`NHA_GROUP at byte ${at} has ${len} bytes, not a multiple of ${NEXTHOP_GRP_LEN}`);
    const out: NexthopMember[] = [];
    for (let o = at; o < at + len; o += NEXTHOP_GRP_LEN) out.push({ id: b.readUInt32LE(o), weight: (b[o + 4]! | (b[o + 5]! << 8)) + 1 });
    return out.sort((x, y) => x.id - y.id);
  },
  write: (w, t, v) => {
    const bytes = Buffer.alloc(v.length * NEXTHOP_GRP_LEN);
    v.forEach((m, i) => {
      if (!Number.isInteger(m.weight) || m.weight < 1 || m.weight > 256) throw new Error(`nexthop group weight ${m.weight} is not in 1..256`);
      bytes.writeUInt32LE(m.id, i * NEXTHOP_GRP_LEN);
      bytes[i * NEXTHOP_GRP_LEN + 4] = m.weight - 1;
    });
    w.bytes(t, bytes);
  },
};

/** Members as one comparable text (members are kept sorted by id). */
export function membersText(g: readonly NexthopMember[] | undefined): string | undefined {
  return g === undefined ? undefined : g.map((m) => (m.weight === 1 ? `${m.id}` : `${m.id},${m.weight}`)).join('/');
}

/** A row of the nexthop table. */
export type NexthopAttr = AttrSpec<Ctx, NexthopObject> & { field?: keyof NexthopObject & string };

/** NHA_RES_GROUP's rows: what a resilient group is made with (its buckets) and its timers, which change in place. */
const RESILIENT_ROWS: readonly NexthopAttr[] = [
  { attr: NHA_RES_GROUP_BUCKETS, field: 'buckets', codec: u16, name: 'resilient.buckets', role: 'attr', compare: 'declared', merge: 'kept', change: 'replace', show: { word: 'buckets' } },
  { attr: NHA_RES_GROUP_IDLE_TIMER, field: 'idleTimer', codec: centiseconds, name: 'resilient.idle-timer', role: 'attr', compare: 'declared', merge: 'kept', show: { word: 'idle_timer' } },
  { attr: NHA_RES_GROUP_UNBALANCED_TIMER, field: 'unbalancedTimer', codec: centiseconds, name: 'resilient.unbalanced-timer', role: 'attr', compare: 'declared', merge: 'kept', show: { word: 'unbalanced_timer' } },
];
const resilientLayout = new AttrLayout(RESILIENT_ROWS);

/**
 * The nexthop table, in iproute2's order (`ip nexthop show`). Rows without
 * `attr` are fields of the nhmsg header. The id is the whole identity and
 * all a delete names: the kernel takes no other attribute and no marker on
 * RTM_DELNEXTHOP (the header must be zero), so apply compares the nexthop
 * with what the plan read before deleting it. A replace (NLM_F_REPLACE)
 * rewrites the whole nexthop in place, and routes keep using it; what it
 * cannot change (single <-> group, the group's type, a resilient group's
 * buckets, fdb) is `change: 'replace'`, a delete and a create.
 */
export const NEXTHOP_TABLE: readonly NexthopAttr[] = [
  { attr: NHA_ID, field: 'id', codec: u32, name: 'id', role: 'key', show: { word: 'id' } },
  { attr: NHA_GROUP, field: 'group', codec: members, name: 'group', role: 'attr', compare: (d, a) => membersText(d.group) !== membersText(a.group), show: { word: 'group', text: (n) => membersText(n.group) } },
  { attr: NHA_GROUP_TYPE, field: 'resilient', codec: groupType, name: 'resilient', role: 'attr', compare: 'whole', absent: false, change: 'replace', show: { word: 'type', text: (n) => (n.resilient ? 'resilient' : undefined) } },
  { attr: NHA_RES_GROUP, codec: group(resilientLayout), role: 'attr', rows: RESILIENT_ROWS },
  { attr: NHA_GATEWAY, field: 'via', codec: ip, name: 'via', role: 'attr', compare: 'whole', show: { word: 'via' } },
  { attr: NHA_OIF, field: 'dev', codec: devName, name: 'dev', role: 'attr', compare: 'whole', show: { word: 'dev' } },
  { attr: NHA_BLACKHOLE, field: 'blackhole', codec: flag, name: 'blackhole', role: 'attr', compare: 'whole', absent: false, show: { word: 'blackhole', flag: true } },
  { field: 'onLink', name: 'on-link', role: 'attr', compare: 'whole', absent: false, show: { word: 'onlink', flag: true } },
  { attr: NHA_FDB, field: 'fdb', codec: flag, name: 'fdb', role: 'attr', compare: 'whole', absent: false, change: 'replace', show: { word: 'fdb', flag: true } },
  { field: 'family', name: 'family', role: 'attr', compare: 'declared', merge: 'kept' },
  // NHA_UNSPEC, never sent by the kernel: the slot that re-sends the kept attributes.
  {
    attr: 0, field: 'attributes', whole: true, codec: keptAttributes, name: 'attributes', role: 'attr', merge: 'kept',
    compare: (d, a, exact) => (d.attributes !== undefined || exact) && JSON.stringify(d.attributes) !== JSON.stringify(a.attributes),
    show: { word: 'attributes', bare: true, text: keptText },
  },
];

const layout = new AttrLayout(NEXTHOP_TABLE);
/** What the layout reads (its slot 0 only writes): everything else is kept. */
const MODELLED = new Set([...layout.types].filter((t) => t !== 0));

/**
 * What the kernel reports that is not the nexthop (dump filters, statistics,
 * a switch at its default): not kept. Everything else the layout does not
 * read is kept in `attributes`.
 */
function isNotKept(type: number, payload: Buffer): boolean {
  if (type === NHA_GROUPS || type === NHA_MASTER || type === NHA_OP_FLAGS || type === NHA_GROUP_STATS || type === NHA_HW_STATS_USED) return true;
  return type === NHA_HW_STATS_ENABLE && payload.length >= 4 && payload.readUInt32LE(0) === 0;
}

/**
 * One RTM_NEWNEXTHOP (create: EXCL; replace: REPLACE, in place) or
 * RTM_DELNEXTHOP request. A delete names the id alone, in a zeroed header:
 * the kernel refuses anything else there (nh_valid_get_del_req).
 */
export function writeNexthop(w: Writer, op: 'create' | 'replace' | 'delete', n: NexthopObject, seq: number, idx: NameIndex): void {
  const del = op === 'delete';
  const af = n.group !== undefined ? AF_UNSPEC : n.family === 'ipv6' ? AF_INET6 : AF_INET;
  const ctx = new Ctx().reset(op, addrLenOf(af));
  ctx.idx = idx;
  const flags = del ? 0 : op === 'create' ? NLM_F_CREATE | NLM_F_EXCL : NLM_F_CREATE | NLM_F_REPLACE;
  const start = w.begin(del ? RTM_DELNEXTHOP : RTM_NEWNEXTHOP, NLM_F_REQUEST | NLM_F_ACK | flags, seq);
  const h = w.struct(NHMSG_LEN);
  if (!del) {
    w.buf[h] = af;
    w.buf[h + 2] = n.protocol;
    w.buf.writeUInt32LE(n.onLink ? RTNH_F_ONLINK : 0, h + 4);
  }
  layout.encode(w, n, ctx);
  w.end(start);
}

/**
 * A nexthop from a dump or an event; undefined for one on an interface
 * `names` does not know. Attributes the table does not read are kept as
 * they came (see isNotKept).
 */
export function decodeNexthop(m: Message, names: IndexName): NexthopObject | undefined {
  const b = m.buf;
  const o = m.off;
  needHeader(m.end - o, NHMSG_LEN, 'nexthop');
  const af = b[o]!;
  const ctx = new Ctx().reset('create', addrLenOf(af));
  ctx.names = names;
  const n: NexthopObject = { id: 0, protocol: b[o + 2]! };
  const family: Family | undefined = af === AF_INET ? 'ipv4' : af === AF_INET6 ? 'ipv6' : undefined;
  if (b.readUInt32LE(o + 4) & RTNH_F_ONLINK) n.onLink = true;
  layout.decode(b, o + NHMSG_LEN, m.end, n, ctx);
  if (ctx.missing || n.id === 0) return undefined;
  if (family !== undefined && n.group === undefined) n.family = family;
  readKept(b, o + NHMSG_LEN, m.end, n, MODELLED, isNotKept);
  return n;
}

