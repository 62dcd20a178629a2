// Links: RTM_NEWLINK / RTM_DELLINK, an ifinfomsg plus IFLA_* attributes
// (linux/rtnetlink.h, if_link.h). The kind-specific part (IFLA_LINKINFO)
// is each kind's layout (src/kinds/). Decoded links keep ifindex
// references as numbers; resolveLinks() names them once every link is known.
import type { DeviceLimits, Link } from '../../model/types.js';
import {
  AF_INET,
  AF_UNSPEC,
  NLA_HDRLEN,
  NLA_TYPE_MASK,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  RTM_DELLINK,
  RTM_NEWLINK,
} from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import { attrLength, type Message, type Writer } from '../message.js';
import { kindOf, kindOfInfoKind, LinkCtx, portKind, type Kind } from '../../kinds/registry.js';
import { readAfSpec, writeAfSpec } from './devconf.js';
import { AttrLayout, indexRef, mac, named, need, needHeader, s32, string, u32, u8, type Codec, type NameIndex, type WriteOp } from './layout.js';

export type { IndexName, NameIndex, WriteOp } from './layout.js';

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_IFALIAS = 20;
export const IFLA_EXT_MASK = 29;
export const IFLA_AF_SPEC = 26;
export const IFLA_LINK_NETNSID = 37;
export const IFLA_MIN_MTU = 50;
export const IFLA_MAX_MTU = 51;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_INFO_SLAVE_KIND = 4;
export const IFLA_INFO_SLAVE_DATA = 5;
export const IFF_UP = 0x1;
export const IFINFOMSG_LEN = 16;

/** The ifindex of a link message (ifinfomsg.ifi_index), or undefined when the header is cut short. */
export function linkMessageIndex(m: Message): number | undefined {
  return m.end - m.off >= IFINFOMSG_LEN ? m.buf.readInt32LE(m.off + 4) : undefined;
}

/** IFF_UP in a link message's ifinfomsg (ifi_flags): the admin state it announces. */
export function linkMessageUp(m: Message): boolean {
  return m.end - m.off >= IFINFOMSG_LEN && (m.buf.readUInt32LE(m.off + 8) & IFF_UP) !== 0;
}
/** IFLA_EXT_MASK bit: leave the statistics out of dumps. */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/** A decoded link: ifindex references still numbers (see resolveLinks). */
export type RawLink = Link & {
  ifindex: number;
  masterIndex?: number;
  /** Lower link: IFLA_LINK, or the kind's own attribute. */
  linkIndex?: number;
  /** A paired kind: the peer's ifindex. */
  peerIndex?: number;
  /** linkIndex / peerIndex count in the namespace with this id, not this one. */
  linkNetnsid?: number;
};

/** IF_OPER_* as /sys/class/net/X/operstate names them. */
const OPER_STATES: Record<number, string> = {
  0: 'unknown',
  1: 'notpresent',
  2: 'down',
  3: 'lowerlayerdown',
  4: 'testing',
  5: 'dormant',
  6: 'up',
};

/** IFLA_LINK: written for kinds whose lower link it names; read for any kind. */
const lowerLink: Codec<Link, LinkCtx> = {
  read: (b, at, len, ctx) => {
    need(len, 4, at);
    ctx.linkIndex = b.readUInt32LE(at);
    return undefined;
  },
  write: (w, t, link, ctx) => {
    const k = kindOf(link.kind);
    if (!k?.d.lower?.iflaLink) return;
    const lower = link.options?.[k.lowerField!] as string | undefined;
    if (lower) w.u32(t, ctx.idx!.ifindex(lower));
  },
};

const netnsid: Codec<number, LinkCtx> = {
  read: (b, at, len, ctx, target) => {
    ctx.linkNetnsid = s32.read(b, at, len, ctx, target);
    return undefined;
  },
  write: () => {},
};

/**
 * IFLA_AF_SPEC: the link's IP settings (devconf.ts's table) and its IPv4
 * promote_secondaries. An update writes those it carries that the kernel
 * takes over netlink; inet_set_link_af applies each without touching the
 * others.
 */
const afSpec: Codec<Link> = {
  read: (b, at, len, _ctx, target) => {
    readAfSpec(b, at, len, target as Link);
    return undefined;
  },
  write: (w, t, link) => writeAfSpec(w, t, link),
};

const infoLayout = new AttrLayout<LinkCtx>([
  {
    attr: IFLA_INFO_KIND,
    codec: {
      read: (b, at, len, ctx, target) => void (ctx.kindName = string.read(b, at, len, ctx, target)),
      write: () => {},
    },
  },
  {
    attr: IFLA_INFO_DATA,
    codec: {
      read: (_b, at, len, ctx) => void ((ctx.dataAt = at), (ctx.dataLen = len)),
      write: () => {},
    },
  },
  {
    attr: IFLA_INFO_SLAVE_KIND,
    codec: {
      read: (b, at, len, ctx, target) => void (ctx.slaveKind = string.read(b, at, len, ctx, target)),
      write: () => {},
    },
  },
  {
    attr: IFLA_INFO_SLAVE_DATA,
    codec: {
      read: (_b, at, len, ctx) => void ((ctx.slaveAt = at), (ctx.slaveLen = len)),
      write: () => {},
    },
  },
]);

/**
 * IFLA_LINKINFO { IFLA_INFO_KIND, IFLA_INFO_DATA }. No kind (a plain device,
 * or one with only slave info) reads as 'device'; a kind without a
 * descriptor as 'other:KIND', kept opaque. IFLA_INFO_DATA is the kind's
 * layout over Link.options. An update sends it only when the kind has
 * something that changes in place.
 */
const linkInfo: Codec<Link, LinkCtx> = {
  read: (b, at, len, ctx, target) => {
    infoLayout.decode(b, at, at + len, target, ctx);
    const link = target as Link;
    if (ctx.slaveAt >= 0) readPort(b, link, ctx);
    if (ctx.kindName === undefined) return undefined;
    const k = kindOfInfoKind(ctx.kindName);
    if (!k) {
      link.kind = `other:${ctx.kindName}`;
      return undefined;
    }
    link.kind = k.d.kind;
    ctx.driver = k.d;
    if (ctx.dataAt >= 0 && k.fields.length > 0) {
      const opts = {};
      k.d.layout.decode(b, ctx.dataAt, ctx.dataAt + ctx.dataLen, opts, ctx);
      for (const _ in opts) {
        link.options = opts;
        break;
      }
    }
    return undefined;
  },
  write: (w, t, link, ctx) => {
    const k = kindOf(link.kind);
    const info = w.beginNested(t);
    if (k) {
      const kindAt = w.off;
      w.string(IFLA_INFO_KIND, k.d.infoKind);
      const data = w.beginNested(IFLA_INFO_DATA);
      if (link.options) k.d.layout.encode(w, link.options, ctx);
      if (w.off > data + NLA_HDRLEN) w.endNested(data);
      else w.off = ctx.op === 'update' ? kindAt : data;
    }
    if (ctx.op === 'update' && link.port) writePort(w, link.port, ctx);
    if (w.off === info + NLA_HDRLEN) w.off = info;
    else w.endNested(info);
  },
};

/** A port's settings: IFLA_INFO_SLAVE_KIND and IFLA_INFO_SLAVE_DATA, as its master's port layout has them. */
function readPort(b: Buffer, link: Link, ctx: LinkCtx): void {
  const p = portKind(ctx.slaveKind, true);
  if (p === undefined) return;
  const options = {};
  p.role.layout.decode(b, ctx.slaveAt, ctx.slaveAt + ctx.slaveLen, options, ctx);
  link.port = { kind: p.kind, options };
}

/** On an update (`ip link set dev PORT type bridge_slave ...`): what changes in place of a port's settings. */
function writePort(w: Writer, port: NonNullable<Link['port']>, ctx: LinkCtx): void {
  const p = portKind(port.kind);
  if (p === undefined) return;
  const at = w.off;
  w.string(IFLA_INFO_SLAVE_KIND, p.role.slaveKind);
  const data = w.beginNested(IFLA_INFO_SLAVE_DATA);
  p.role.layout.encode(w, port.options, ctx);
  if (w.off > data + NLA_HDRLEN) w.endNested(data);
  else w.off = at;
}

/** The device's limits, read only (config/limits.ts checks desired values against them). */
function limitsOf(target: object): DeviceLimits {
  const l = target as Link;
  return (l.limits ??= {});
}

const mtuLimit = (key: 'minMtu' | 'maxMtu'): Codec<number> => ({
  read: (b, at, len, _ctx, target) => {
    need(len, 4, at);
    limitsOf(target)[key] = b.readUInt32LE(at);
    return undefined;
  },
  write: () => {},
});

/** IFLA_ADDRESS: the MAC (an all-zero one reads as none), and its length, which is the device's address length. */
const linkAddress: Codec<string> = {
  read: (b, at, len, ctx, target) => {
    limitsOf(target).addrLen = len;
    return mac.read(b, at, len, ctx, target);
  },
  write: mac.write,
};

const CREATE = ['create', 'replace'] as const;

const layout = new AttrLayout<LinkCtx>([
  { attr: IFLA_IFNAME, field: 'name', codec: string, on: CREATE },
  { attr: IFLA_MTU, field: 'mtu', codec: u32 },
  { attr: IFLA_ADDRESS, field: 'mac', codec: linkAddress },
  { attr: IFLA_LINK, codec: lowerLink, on: CREATE },
  { attr: IFLA_MASTER, field: 'master', codec: indexRef<LinkCtx>('masterIndex'), on: ['update'] },
  { attr: IFLA_IFALIAS, field: 'alias', codec: string, on: ['update'] },
  { attr: IFLA_OPERSTATE, field: 'operState', codec: named(u8, OPER_STATES, 'operstate'), on: [] },
  { attr: IFLA_LINK_NETNSID, codec: netnsid, on: [] },
  { attr: IFLA_AF_SPEC, codec: afSpec, on: ['update'] },
  { attr: IFLA_LINKINFO, codec: linkInfo },
  { attr: IFLA_MIN_MTU, codec: mtuLimit('minMtu'), on: [] },
  { attr: IFLA_MAX_MTU, codec: mtuLimit('maxMtu'), on: [] },
]);

const enc = new LinkCtx();
const dec = new LinkCtx();

/**
 * One RTM_NEWLINK / RTM_DELLINK request.
 * create / replace: name, kind and its data, lower link, mtu, mac (state,
 *   master and alias are set by a following update, once the link exists).
 * update: on l.ifindex (else idx), only what the object carries: mtu, mac,
 *   alias, master ('' releases), admin state, kind data that changes in place.
 * delete: by ifindex.
 */
export function writeLink(w: Writer, op: WriteOp, l: Link, seq: number, idx: NameIndex): void {
  const ctx = enc.resetLink(op);
  ctx.idx = idx;
  let type = RTM_NEWLINK;
  let flags = NLM_F_REQUEST | NLM_F_ACK;
  let index = 0;
  let ifFlags = 0;
  let change = 0;
  switch (op) {
    case 'create':
    case 'replace':
      creatable(l, kindOf(l.kind));
      flags |= op === 'create' ? NLM_F_CREATE | NLM_F_EXCL : NLM_F_CREATE | NLM_F_REPLACE;
      break;
    case 'update':
      index = l.ifindex ?? idx.ifindex(l.name);
      if (l.state !== 'absent') {
        change = IFF_UP;
        ifFlags = l.state === 'up' ? IFF_UP : 0;
      }
      break;
    case 'delete':
      type = RTM_DELLINK;
      index = l.ifindex ?? idx.ifindex(l.name);
      break;
  }
  const start = w.begin(type, flags, seq);
  const h = w.struct(IFINFOMSG_LEN);
  w.buf[h] = AF_UNSPEC;
  w.buf.writeInt32LE(index, h + 4);
  w.buf.writeUInt32LE(ifFlags, h + 8);
  w.buf.writeUInt32LE(change, h + 12);
  if (op !== 'delete') layout.encode(w, l, ctx);
  w.end(start);
}

/** A link from a dump or an event; undefined for messages of other families (AF_BRIDGE port info). */
export function decodeLink(m: Message): RawLink | undefined {
  const b = m.buf;
  const o = m.off;
  needHeader(m.end - o, IFINFOMSG_LEN, 'link');
  if (b[o] !== AF_UNSPEC) return undefined;
  const ctx = dec.resetLink('create');
  const link: RawLink = {
    name: '',
    kind: 'device',
    state: b.readUInt32LE(o + 8) & IFF_UP ? 'up' : 'down',
    ifindex: b.readInt32LE(o + 4),
  };
  layout.decode(b, o + IFINFOMSG_LEN, m.end, link, ctx);
  if (link.name === '') throw new NetlinkParseError(`link ${link.ifindex} has no IFLA_IFNAME`);
  if (link.alias === '') delete link.alias; // a cleared alias reads back empty
  if (link.limits) link.limits.type = b.readUInt16LE(o + 2);
  if (ctx.driver?.fallback === link.name) {
    // The kernel's own device of the kind's module: read-only, as an unmodelled kind.
    link.kind = `other:${ctx.driver.infoKind}`;
    delete link.options;
    ctx.driver = undefined;
  }
  if (ctx.masterIndex) link.masterIndex = ctx.masterIndex;
  if (ctx.linkIndex) {
    if (ctx.driver?.peer) link.peerIndex = ctx.linkIndex;
    else link.linkIndex = ctx.linkIndex;
  }
  if (ctx.linkNetnsid !== undefined) link.linkNetnsid = ctx.linkNetnsid;
  return link;
}

/**
 * Name the ifindex references of a whole link dump: master, the peer of a
 * paired kind, the lower link of a kind that has one. A reference into
 * another namespace (IFLA_LINK_NETNSID) or to a link that is gone cannot be
 * named: the peer and an optional lower link are then left out, a required
 * lower link is ''.
 */
export function resolveLinks(raw: readonly RawLink[]): Link[] {
  const names = new Map<number, string>();
  for (const r of raw) names.set(r.ifindex, r.name);
  return raw.map((r) => {
    const { masterIndex, linkIndex, peerIndex, linkNetnsid, ...link } = r;
    if (masterIndex !== undefined) {
      const master = names.get(masterIndex);
      if (master !== undefined) link.master = master;
    }
    const here = linkNetnsid === undefined;
    const k = kindOf(link.kind);
    if (k?.peerField !== undefined && peerIndex !== undefined) {
      const peer = here ? names.get(peerIndex) : undefined;
      if (peer !== undefined) link.options = { ...link.options, [k.peerField]: peer };
    }
    if (k?.lowerField !== undefined) setLowerLink(link, k, here && linkIndex !== undefined ? names.get(linkIndex) : undefined);
    return link;
  });
}

function setLowerLink(link: Link, k: Kind, lower: string | undefined): void {
  if (lower === undefined && !k.d.lower!.required) return;
  link.options = { ...link.options, [k.lowerField!]: lower ?? '' };
}

/** A link netrec can create: of a modelled kind, with the options its kind cannot be made without. */
function creatable(l: Link, k: Kind | undefined): void {
  if (!k) throw new Error(`cannot create interface ${l.name}: netrec does not create links of kind ${l.kind}`);
  for (const f of k.fields) {
    if (f.option.required && l.options?.[f.field] === undefined) throw new Error(`${l.kind} ${l.name} needs ${f.option.key}`);
  }
}
