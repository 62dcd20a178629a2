// Routes: RTM_NEWROUTE / RTM_DELROUTE, an rtmsg plus RTA_* attributes
// (linux/rtnetlink.h). Table ids above 255 travel in RTA_TABLE; ECMP
// routes carry RTA_MULTIPATH, a list of rtnexthop each followed by its own
// attributes. One table (ROUTE_TABLE) describes every attribute: it
// writes and reads routes, and the planner compares and shows them by it.
// Decoding is the hot path of a full-table dump: one pass over the
// attributes by the decoder generated from the table, one object per route.
import { IPV6_DEFAULT_METRIC, TABLE_UNSPEC } from '../../model/constants.js';
import type { Family, Nexthop, Route, RouteType, Scope } from '../../model/types.js';
import {
  AF_INET,
  AF_INET6,
  NLM_F_ACK,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  RTM_DELROUTE,
  RTM_NEWROUTE,
} from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import { u32At, type Message, type Writer } from '../message.js';
import { formatPrefix, RepeatedAddressText } from '../../model/ip.js';
import {
  addressBytes,
  addrLenOf,
  AttrLayout,
  checkIpLen,
  Ctx,
  devName,
  flatRows,
  group,
  ip,
  nameOf,
  need,
  needHeader,
  readIp,
  string,
  u32,
  type AttrSpec,
  type Codec,
  type IndexName,
  type NameIndex,
} from './layout.js';

export type { IndexName, NameIndex, WriteOp } from './layout.js';

/** How a route request is sent: create (EXCL), replace (the first route of its key), prepend/append (beside others of its key), delete. */
export type RouteOp = 'create' | 'replace' | 'prepend' | 'append' | 'delete';

export const RTA_DST = 1;
export const RTA_SRC = 2;
export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7;
export const RTA_METRICS = 8;
export const RTA_MULTIPATH = 9;
export const RTA_TABLE = 15;
export const RTA_VIA = 18;
export const RTA_PREF = 20;
export const RTA_NH_ID = 30;
export const RTAX_LOCK = 1;
export const RTAX_MTU = 2;
export const RTAX_ADVMSS = 8;
export const RTAX_HOPLIMIT = 10;
export const RTAX_INITCWND = 11;
export const RTAX_INITRWND = 14;
export const RTAX_QUICKACK = 15;
export const RTAX_CC_ALGO = 16;
export const RTNH_F_ONLINK = 4;
export const RTM_F_CLONED = 0x200;
export const RTMSG_LEN = 12;
const RTNH_LEN = 8;

export const RT_SCOPE_NOWHERE = 255;

/** rtm_type by number (RTN_*); RTN_UNSPEC and RTN_XRESOLVE are not in the model. */
const TYPES: readonly (RouteType | undefined)[] = [
  undefined, 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat',
];
const TYPE_NUM = new Map<string, number>(TYPES.flatMap((t, i) => (t ? [[t, i]] : [])));

const SCOPE_NUM = new Map<string, number>([['global', 0], ['site', 200], ['link', 253], ['host', 254], ['nowhere', 255]]);
/** rtm_scope by number: an array, where a sparse object's numeric keys are a dictionary lookup per route. */
const SCOPES = new Array<Scope | undefined>(256).fill(undefined);
for (const [scope, n] of SCOPE_NUM) SCOPES[n] = scope as Scope;

/** The scope iproute2 gives a route that names none. IPv6 has no route scopes: the kernel reports universe. */
export function defaultScope(r: Pick<Route, 'family' | 'type' | 'via' | 'nexthops' | 'nhid'>): Scope {
  if (r.family === 'ipv6') return 'global';
  switch (r.type) {
    case 'local':
    case 'nat':
      return 'host';
    case 'broadcast':
    case 'multicast':
    case 'anycast':
      return 'link';
    case 'unicast':
      return r.via !== undefined || r.nexthops?.length || r.nhid !== undefined ? 'global' : 'link';
    default:
      return 'global';
  }
}

/**
 * The route codecs' state for one write call or one decoder: the gateway
 * last read (as text, reused while the same bytes come again: the routes of
 * a table mostly share a few gateways) and the gateway being written
 * (parsed once for RTA_GATEWAY and RTA_VIA).
 */
export class RouteCtx extends Ctx {
  /** Made by the first gateway read: a write needs none. */
  gatewayText: RepeatedAddressText | undefined = undefined;
  viaText: string | undefined = undefined;
  viaBytes: Uint8Array = NO_BYTES;
}

const NO_BYTES = new Uint8Array(0);

function gatewayBytes(text: string, ctx: RouteCtx): Uint8Array {
  if (text !== ctx.viaText) {
    ctx.viaBytes = addressBytes(text, 0);
    ctx.viaText = text;
  }
  return ctx.viaBytes;
}

/** RTA_GATEWAY: a gateway of the route's own family. */
const gateway: Codec<string, RouteCtx> = {
  read: (b, at, len, ctx) => {
    checkIpLen(at, len, ctx.addrLen);
    return (ctx.gatewayText ??= new RepeatedAddressText()).format(b, at, len as 4 | 16);
  },
  write: (w, t, v, ctx) => {
    const bytes = gatewayBytes(v, ctx);
    if (bytes.length === ctx.addrLen) w.bytes(t, bytes);
  },
};

/** RTA_VIA { u16 family; addr }: a gateway of the other family (IPv4 over an IPv6 nexthop). */
const via: Codec<string, RouteCtx> = {
  read: (b, at, len) => {
    need(len, 2, at);
    const n = addrLenOf(b.readUInt16LE(at));
    if (!n) throw new NetlinkParseError(`RTA_VIA at byte ${at} has address family ${b.readUInt16LE(at)}`);
    return readIp(b, at + 2, len - 2, n);
  },
  write: (w, t, v, ctx) => {
    const bytes = gatewayBytes(v, ctx);
    if (bytes.length === ctx.addrLen) return;
    const payload = Buffer.alloc(2 + bytes.length);
    payload.writeUInt16LE(bytes.length === 4 ? AF_INET : AF_INET6, 0);
    payload.set(bytes, 2);
    w.bytes(t, payload);
  },
};

/** RTA_DST: the address; its length is rtm_dst_len (ctx). Absent for a default route. */
const dst: Codec<string> = {
  read: (b, at, len, ctx) => (checkIpLen(at, len, ctx.addrLen), formatPrefix(b, at, len as 4 | 16, ctx.dstLen)),
  write: (w, t, _v, ctx) => {
    if (ctx.dstLen > 0) w.bytes(t, ctx.dstBytes!);
  },
};

/** RTA_SRC: the IPv6 source prefix; its length is rtm_src_len (ctx). */
const srcPrefix: Codec<string> = {
  read: (b, at, len, ctx) => (checkIpLen(at, len, ctx.addrLen), formatPrefix(b, at, len as 4 | 16, ctx.srcLen)),
  write: (w, t, _v, ctx) => {
    if (ctx.srcLen > 0) w.bytes(t, ctx.srcBytes!);
  },
};

/**
 * Attribute types that describe a route's state or a lookup rather than the
 * route (cache info, expiry, the fields of an RTM_GETROUTE query): not kept.
 * Any other attribute the model does not name is kept in `other`.
 */
const NOT_KEPT = new Uint8Array(64);
for (const t of [0, 3, 12, 16, 17, 23, 24, 25, 27, 28, 29]) NOT_KEPT[t] = 1;

/** Keep an attribute the model does not name, as hex, under `key`. */
function keepOther(r: Route, key: string, b: Buffer, at: number, len: number): void {
  const other = (r.other ??= {});
  other[key] = b.toString('hex', at, at + len);
}

function keepUnknownAttr(target: object, type: number, b: Buffer, at: number, len: number): void {
  if (type < NOT_KEPT.length && NOT_KEPT[type] === 1) return;
  keepOther(target as Route, String(type), b, at, len);
}

function keepUnknownMetric(target: object, type: number, b: Buffer, at: number, len: number): void {
  keepOther(target as Route, `metrics.${type}`, b, at, len);
}

/** Payloads of the kept attributes whose key starts with `prefix` (numbers after it) in key order. */
function otherOf(r: Route, metrics: boolean): [number, Buffer][] {
  const out: [number, Buffer][] = [];
  if (r.other === undefined) return out;
  for (const [k, hex] of Object.entries(r.other)) {
    const isMetric = k.startsWith('metrics.');
    if (isMetric !== metrics) continue;
    const n = Number(isMetric ? k.slice(8) : k);
    if (!Number.isInteger(n) || n <= 0 || n > 0x3fff) throw new Error(`route attribute key ${k} is not a number`);
    if (metrics && n === RTAX_LOCK) continue;
    out.push([n, Buffer.from(hex, 'hex')]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** The kept attributes, re-sent as they were read. Field-less: it writes from the whole route. */
const otherAttrs: Codec<Route> = {
  read: () => undefined,
  write: (w, _t, r) => {
    for (const [n, bytes] of otherOf(r, false)) w.bytes(n, bytes);
  },
};
const otherMetrics: Codec<Route> = {
  read: () => undefined,
  write: (w, _t, r) => {
    for (const [n, bytes] of otherOf(r, true)) w.bytes(n, bytes);
  },
};

/** RTAX_LOCK: the mtu's lock bit is `mtuLock`; other lock bits are kept as metrics.1. */
const lockBits: Codec<Route> = {
  read: (b, at, len, _ctx, target) => {
    need(len, 4, at);
    const r = target as Route;
    const m = b.readUInt32LE(at);
    if (m & (1 << RTAX_MTU)) r.mtuLock = true;
    const rest = (m & ~(1 << RTAX_MTU)) >>> 0;
    if (rest !== 0) {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32LE(rest, 0);
      keepOther(r, `metrics.${RTAX_LOCK}`, bytes, 0, 4);
    }
    return undefined;
  },
  write: (w, t, r) => {
    let m = r.mtuLock ? 1 << RTAX_MTU : 0;
    const rest = r.other?.[`metrics.${RTAX_LOCK}`];
    if (rest !== undefined) m |= Buffer.from(rest, 'hex').readUInt32LE(0);
    if (m !== 0) w.u32(t, m >>> 0);
  },
};

/** A u32 metric that is 0 or 1; 0 reads as absent (the kernel's default). */
const onU32: Codec<boolean> = {
  read: (b, at, len) => (need(len, 4, at), b.readUInt32LE(at) !== 0 ? true : undefined),
  write: (w, t, v) => {
    if (v) w.u32(t, 1);
  },
};

/** RTA_PREF (u8, ICMPV6_ROUTER_PREF_*): medium (0) is the default and reads as absent. */
const PREF_NUM = { high: 1, low: 3 } as const;
const pref: Codec<'low' | 'high'> = {
  read: (b, at, len) => {
    need(len, 1, at);
    const v = b[at]!;
    return v === 1 ? 'high' : v === 3 ? 'low' : undefined;
  },
  write: (w, t, v) => w.u8(t, PREF_NUM[v]),
};

const nexthopLayout = new AttrLayout<RouteCtx>([
  { attr: RTA_GATEWAY, field: 'via', codec: gateway },
  { attr: RTA_VIA, field: 'via', codec: via },
]);

/** RTA_MULTIPATH: rtnexthop { u16 len; u8 flags; u8 hops = weight - 1; s32 ifindex } + attributes, each. */
const multipath: Codec<Nexthop[], RouteCtx> = {
  read: (b, at, len, ctx) => {
    const out: Nexthop[] = [];
    const end = at + len;
    while (end - at >= RTNH_LEN) {
      const nlen = b.readUInt16LE(at);
      if (nlen < RTNH_LEN || nlen > end - at) throw new NetlinkParseError(`nexthop at byte ${at} claims ${nlen} bytes, ${end - at} present`);
      const nh: Nexthop = { weight: b[at + 3]! + 1 };
      const dev = nameOf(b.readInt32LE(at + 4), ctx);
      if (dev !== undefined) nh.dev = dev;
      nexthopLayout.decode(b, at + RTNH_LEN, at + nlen, nh, ctx);
      if (b[at + 2]! & RTNH_F_ONLINK) nh.onLink = true;
      out.push(nh);
      at += (nlen + 3) & ~3;
    }
    return out;
  },
  write: (w, t, nexthops, ctx) => {
    if (nexthops.length === 0) return;
    const nest = w.beginNested(t, false);
    for (const nh of nexthops) {
      if (!Number.isInteger(nh.weight) || nh.weight < 1 || nh.weight > 256) throw new Error(`nexthop weight ${nh.weight} is not in 1..256`);
      const h = w.struct(RTNH_LEN);
      w.buf[h + 2] = nh.onLink ? RTNH_F_ONLINK : 0;
      w.buf[h + 3] = nh.weight - 1;
      w.buf.writeInt32LE(nh.dev === undefined ? 0 : ctx.idx!.ifindex(nh.dev), h + 4);
      nexthopLayout.encode(w, nh, ctx);
      w.buf.writeUInt16LE(w.off - h, h);
    }
    w.endNested(nest);
  },
};

/** A row of the route table. */
export type RouteAttr = AttrSpec<RouteCtx, Route> & { field?: keyof Route & string };

/** A route setting iproute2 writes as `word value` and that a declaration leaving it out clears. */
function setting(attr: number, field: keyof Route & string, codec: Codec<any, RouteCtx>, name: string, more: Partial<RouteAttr> = {}): RouteAttr {
  return { attr, field, codec, name, role: 'attr', compare: 'whole', rare: true, show: { word: name }, ...more };
}

/**
 * RTA_METRICS, in comparison order: the route metrics the model names (any
 * other is kept in `other` as metrics.N). Written in RTAX order. A new
 * metric is one row here.
 */
const METRIC_ROWS: readonly RouteAttr[] = [
  {
    attr: RTAX_MTU, field: 'mtu', codec: u32, name: 'mtu', role: 'attr', compare: 'whole',
    show: { word: 'mtu', text: (r) => (r.mtu === undefined ? undefined : `${r.mtuLock ? 'lock ' : ''}${r.mtu}`) },
  },
  // Read with the mtu, as iproute2 writes it ("mtu lock 1400"): a lock that changes changes that word.
  setting(RTAX_LOCK, 'mtuLock', lockBits, 'mtu-lock', { whole: true, absent: false, show: { word: 'mtu lock', text: () => undefined } }),
  setting(RTAX_INITCWND, 'initcwnd', u32, 'initcwnd'),
  setting(RTAX_INITRWND, 'initrwnd', u32, 'initrwnd'),
  setting(RTAX_ADVMSS, 'advmss', u32, 'advmss'),
  setting(RTAX_HOPLIMIT, 'hoplimit', u32, 'hoplimit'),
  setting(RTAX_QUICKACK, 'quickack', onU32, 'quickack', { absent: false }),
  setting(RTAX_CC_ALGO, 'congctl', string, 'congctl'),
  // RTAX_UNSPEC, never sent by the kernel: the slot that re-sends the kept metrics.
  { attr: 0, codec: otherMetrics, role: 'attr' },
];

/** RTAX order, the kept metrics last. */
export const metricsLayout = new AttrLayout<RouteCtx>(
  [...METRIC_ROWS].sort((x, y) => (x.attr || 0x10000) - (y.attr || 0x10000)),
  keepUnknownMetric,
);

/**
 * The route table: every attribute of a route, in the order they are
 * written (rows without `attr` are fields of the rtmsg header). A delete
 * names everything the kernel matches a route by (fib_table_delete,
 * ip6_route_del): identity, device, gateway or nexthops, nexthop object,
 * preferred source; in the header type, scope and protocol. Absent ones
 * would be wildcards that could hit another route.
 */
export const ROUTE_TABLE: readonly RouteAttr[] = [
  { field: 'type', name: 'type', role: 'match', compare: 'declared' },
  { attr: RTA_TABLE, field: 'table', codec: u32, name: 'table', role: 'key' },
  { attr: RTA_DST, field: 'to', codec: dst, name: 'to', role: 'key' },
  { attr: RTA_SRC, field: 'from', codec: srcPrefix, name: 'from', role: 'key' },
  { attr: RTA_PRIORITY, field: 'metric', codec: u32, name: 'metric', role: 'key' },
  // The device of a gateway route is the kernel's to derive: compared only when declared.
  { attr: RTA_OIF, field: 'dev', codec: devName, name: 'dev', role: 'match', compare: 'declared', show: { word: 'dev' } },
  { attr: RTA_GATEWAY, field: 'via', codec: gateway, name: 'via', role: 'match', compare: 'whole', show: { word: 'via' } },
  { attr: RTA_VIA, field: 'via', codec: via, role: 'match' },
  { field: 'scope', name: 'scope', role: 'match', compare: 'declared' },
  { attr: RTA_PREFSRC, field: 'src', codec: ip, name: 'src', role: 'match', compare: 'whole', show: { word: 'src' } },
  { field: 'onLink', name: 'on-link', role: 'attr', compare: 'declared', absent: false, show: { word: 'onlink', flag: true } },
  { attr: RTA_METRICS, codec: group(metricsLayout), role: 'attr', rows: METRIC_ROWS },
  { attr: RTA_MULTIPATH, field: 'nexthops', codec: multipath, name: 'nexthops', role: 'match', compare: nexthopsDiffer },
  setting(RTA_PREF, 'pref', pref, 'pref', { absent: 'medium' }),
  // A nexthop object: the path is the object's (the kernel reports its gateway and device too; see RouteDecoder).
  { attr: RTA_NH_ID, field: 'nhid', codec: u32, name: 'nexthop', role: 'match', compare: 'whole', show: { word: 'nhid' } },
  // RTA_UNSPEC, never sent by the kernel: the slot that re-sends the kept attributes.
  {
    attr: 0, field: 'other', whole: true, codec: otherAttrs, name: 'other', role: 'attr', rare: true,
    compare: (d, a, exact) => (d.other !== undefined || exact) && otherText(d) !== otherText(a),
    merge: 'kept',
    show: {
      word: 'attributes', bare: true,
      text: (r) => (r.other === undefined ? undefined : Object.entries(r.other).map(([k, v]) => `attr ${k} 0x${v}`).join(' ')),
    },
  },
];

export const routeLayout = new AttrLayout<RouteCtx>(ROUTE_TABLE, keepUnknownAttr);

/** The table's rows in comparison order (groups in their place). */
export const ROUTE_ROWS: readonly RouteAttr[] = flatRows(ROUTE_TABLE);

/**
 * The settings most routes leave out and that are copied by name between
 * the config, the model and a rewritten route: metrics and preference.
 */
export const ROUTE_SETTINGS: readonly (RouteAttr & { field: keyof Route & string; name: string })[] = ROUTE_ROWS.filter(
  (r): r is RouteAttr & { field: keyof Route & string; name: string } => r.rare === true && typeof r.compare === 'string',
);

/**
 * Copies the settings `from` has onto `to`, by config name or model field
 * on either side; values the kernel has without them (unset, false, medium)
 * are left out.
 */
export function copyRouteMetrics(from: object, to: object, fromName: 'name' | 'field', toName: 'name' | 'field'): void {
  const src = from as Record<string, unknown>;
  const dst = to as Record<string, unknown>;
  for (const m of ROUTE_SETTINGS) {
    const v = src[m[fromName]];
    if (v !== undefined && v !== m.absent) dst[m[toName]] = v;
  }
}

/** Whether a config entry names any of the settings (by config name): generated, for the one pass over a 100k-route config. */
export const namesRouteSetting = new Function(
  'r',
  `return ${ROUTE_SETTINGS.map((m) => `r[${JSON.stringify(m.name)}] !== undefined`).join(' || ') || 'false'};`,
) as (raw: object) => boolean;

/** The opaque attributes as one comparable text (their keys are sorted). */
function otherText(r: Route): string | undefined {
  return r.other === undefined ? undefined : JSON.stringify(r.other);
}

function hopMatches(want: Nexthop, have: Nexthop, exact: boolean): boolean {
  if (want.weight !== have.weight) return false;
  if (exact) return want.via === have.via && want.dev === have.dev && !!want.onLink === !!have.onLink;
  return (
    (want.via === undefined || want.via === have.via) &&
    (want.dev === undefined || want.dev === have.dev) &&
    (want.onLink === undefined || want.onLink === !!have.onLink)
  );
}

/** Nexthops compare as a multiset: the kernel does not keep their order. False when neither route has any. */
export function nexthopsDiffer(d: Route, a: Route, exact: boolean): boolean {
  const have = a.nexthops ?? [];
  if (d.nexthops === undefined) {
    // A declared single path is not met by a multipath route.
    return have.length > 0 && (exact || d.via !== undefined || d.dev !== undefined);
  }
  if (have.length !== d.nexthops.length) return true;
  // Fully specified hops first, so a partly specified one cannot take their match.
  const want = [...d.nexthops].sort((x, y) => unspecified(x) - unspecified(y));
  const used = new Array<boolean>(have.length).fill(false);
  next: for (const w of want) {
    for (let i = 0; i < have.length; i++) {
      if (!used[i] && hopMatches(w, have[i]!, exact)) {
        used[i] = true;
        continue next;
      }
    }
    return true;
  }
  return false;
}

function unspecified(h: Nexthop): number {
  return (h.via === undefined ? 1 : 0) + (h.dev === undefined ? 1 : 0);
}

/** Types that carry no device or gateway: a rewrite from unicast leaves the old ones behind. */
const PATHLESS = new Set<RouteType>(['blackhole', 'unreachable', 'prohibit', 'throw']);


/**
 * One RTM_NEWROUTE or RTM_DELROUTE request. `create` fails on any route of
 * the key (EXCL), `replace` takes the first route of the key (REPLACE),
 * `prepend`/`append` add the route before/after the others of its key (as
 * `ip route prepend`/`append`). A delete names the route exactly (see
 * routeLayout), its protocol included.
 */
export function writeRoute(w: Writer, op: RouteOp, r: Route, seq: number, idx: NameIndex): void {
  const af = r.family === 'ipv4' ? AF_INET : AF_INET6;
  const del = op === 'delete';
  const ctx = new RouteCtx().reset(del ? 'delete' : op === 'replace' ? 'replace' : 'create', addrLenOf(af));
  ctx.idx = idx;
  ctx.prefixes(r.from, r.to);
  const flags = del
    ? 0
    : op === 'create'
      ? NLM_F_CREATE | NLM_F_EXCL
      : op === 'replace'
        ? NLM_F_CREATE | NLM_F_REPLACE
        : op === 'append'
          ? NLM_F_CREATE | NLM_F_APPEND
          : NLM_F_CREATE;
  const start = w.begin(del ? RTM_DELROUTE : RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | flags, seq);
  const h = w.struct(RTMSG_LEN);
  const b = w.buf;
  b[h] = af;
  b[h + 1] = ctx.dstLen;
  b[h + 2] = ctx.srcLen;
  b[h + 3] = r.tos;
  b[h + 4] = r.table < 256 ? r.table : TABLE_UNSPEC;
  const type = TYPE_NUM.get(r.type);
  if (type === undefined) throw new Error(`unknown route type ${r.type}`);
  b[h + 5] = r.protocol;
  b[h + 7] = type;
  if (del) b[h + 6] = r.scope === undefined ? RT_SCOPE_NOWHERE : SCOPE_NUM.get(r.scope)!;
  else {
    const scope = SCOPE_NUM.get(r.scope ?? defaultScope(r));
    if (scope === undefined) throw new Error(`unknown route scope ${r.scope}`);
    b[h + 6] = scope;
    b.writeUInt32LE(r.onLink ? RTNH_F_ONLINK : 0, h + 8);
  }
  // A route on a nexthop object names no nexthop of its own (the kernel refuses both);
  // one without a path (blackhole...) names no device or gateway when it is written.
  const attrs =
    r.nhid !== undefined || (!del && PATHLESS.has(r.type) && (r.dev !== undefined || r.via !== undefined || r.nexthops !== undefined))
      ? { ...r, dev: undefined, via: undefined, nexthops: undefined }
      : r;
  routeLayout.encode(w, attrs, ctx);
  // ip6_route_del takes a gateway left out as any gateway: a route without
  // one is named by the unspecified address, which only such a route has.
  if (del && af === AF_INET6 && attrs.via === undefined && attrs.nexthops === undefined && attrs.nhid === undefined) w.bytes(RTA_GATEWAY, NO_GATEWAY6);
  w.end(start);
}

const NO_GATEWAY6 = new Uint8Array(16);

/**
 * A decoded route's required fields, in the model's order. Made with `new`,
 * the object has room for the optional fields set after it (scope, via,
 * dev...), where an object literal has room only for its own keys and puts
 * the rest in a second allocation: less memory for a full table, and less
 * for the collector to copy. Its prototype is Object.prototype: to every
 * reader it is the plain object a literal is (decode.test checks).
 */
const DecodedRoute = function (this: Route, family: Family, table: number, tos: number, type: RouteType, protocol: number) {
  this.family = family;
  this.table = table;
  this.to = '';
  this.metric = 0;
  this.tos = tos;
  this.type = type;
  this.protocol = protocol;
} as unknown as new (family: Family, table: number, tos: number, type: RouteType, protocol: number) => Route;
DecodedRoute.prototype = Object.prototype;

/**
 * Decodes the routes of a dump or an event stream, one message after
 * another: its codec state (the gateway last read) lives as long as it.
 * Undefined for what the model does not keep: other families,
 * cloned/cache entries, RTN_UNSPEC/XRESOLVE, and routes through an
 * interface `names` does not know. A source-specific IPv6 route carries
 * its source prefix in `from`.
 */
export class RouteDecoder {
  private readonly ctx = new RouteCtx();
  constructor(private readonly names: IndexName) {}

  decode(m: Message): Route | undefined {
    const b = m.buf;
    const o = m.off;
    needHeader(m.end - o, RTMSG_LEN, 'route');
    const af = b[o]!;
    const addrLen = addrLenOf(af);
    if (addrLen === 0) return undefined;
    const rtmFlags = u32At(b, o + 8);
    const type = TYPES[b[o + 7]!];
    if (rtmFlags & RTM_F_CLONED || type === undefined) return undefined;
    const dstLen = b[o + 1]!;
    if (dstLen > addrLen * 8) throw new NetlinkParseError(`route prefix length ${dstLen} exceeds ${addrLen * 8}`);
    const srcLen = b[o + 2]!;
    if (srcLen > addrLen * 8) throw new NetlinkParseError(`route source prefix length ${srcLen} exceeds ${addrLen * 8}`);
    const ctx = this.ctx.reset('create', addrLen);
    ctx.names = this.names;
    ctx.dstLen = dstLen;
    ctx.srcLen = srcLen;
    const family: Family = af === AF_INET ? 'ipv4' : 'ipv6';
    const r = new DecodedRoute(family, b[o + 4]!, b[o + 3]!, type, b[o + 5]!);
    const scope = SCOPES[b[o + 6]!];
    if (scope !== undefined) r.scope = scope;
    routeLayout.decode(b, o + RTMSG_LEN, m.end, r, ctx);
    if (ctx.missing) return undefined;
    if (r.to === '') r.to = `${family === 'ipv4' ? '0.0.0.0' : '::'}/${dstLen}`;
    if (srcLen > 0 && r.from === undefined) r.from = `${family === 'ipv4' ? '0.0.0.0' : '::'}/${srcLen}`;
    if (r.metric === 0 && family === 'ipv6') r.metric = IPV6_DEFAULT_METRIC;
    if (rtmFlags & RTNH_F_ONLINK) r.onLink = true;
    if (r.nhid !== undefined) throughObject(r);
    return r;
  }
}

/**
 * A route through a nexthop object: its path is the object's. The kernel
 * reports the object's gateway and device (or hops) along with RTA_NH_ID
 * (net.ipv4.nexthop_compat_mode), and the type blackhole for a blackhole
 * nexthop; the route itself is a unicast route naming the object, as it was
 * written and as it is deleted.
 */
function throughObject(r: Route): void {
  delete r.via;
  delete r.dev;
  delete r.nexthops;
  delete r.onLink;
  if (r.type === 'blackhole') r.type = 'unicast';
}

/** One route message (see RouteDecoder; a dump decodes with one decoder). */
export function decodeRoute(m: Message, names: IndexName): Route | undefined {
  return new RouteDecoder(names).decode(m);
}
