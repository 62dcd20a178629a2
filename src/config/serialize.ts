// State -> config document (the reverse of loading), for `show`, snapshots
// and `plan -o diff`. Defaults are left out, so a document reads like a
// hand-written config; what loading fills in for a missing key is exactly
// what is left out here, so loadSnapshot(toDocument(s)) gives s back.
import { DEFAULT_PROTOCOL, OWNER_ALIAS, TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN } from '../model/constants.js';
import { IP_PROTOCOL_NAMES, ruleKey } from '../model/identity.js';
import { kindOf, portKind, type Kind } from '../kinds/registry.js';
import { copyRouteMetrics } from '../netlink/rtnl/route.js';
import type { Address, Link, LinkOptions, NamespaceSettings, Neighbor, NexthopObject, Policy, Route, Rule, State } from '../model/types.js';
import { INTERFACE_SETTINGS, NAMESPACE_SETTINGS, settingValue, withSetting, type IpSetting } from '../netlink/rtnl/devconf.js';
import { addressSortKey, parseIPv4 } from '../model/ip.js';
import { defaultMetric, defaultScope, defaultTable } from './normalize-routes.js';
import { BUILTIN_TABLE_NUMBERS, builtinTables, protocolName } from './values.js';
import { COMMENTS } from './yaml-emit.js';

export { toJson, toYaml, writeJson, writeYaml } from './yaml-emit.js';

export interface DocumentOptions {
  /** Include what the kernel makes by itself (kernel routes, table local, link-local addresses, default rules, learned neighbors). */
  all?: boolean;
  /** Names for table numbers; written under `tables:` and used for routes, rules and vrfs. */
  tables?: Record<string, number>;
  /** Written under `policy:`; an object's protocol is left out when it is this marker. */
  policy?: Policy;
}

type Doc = Record<string, unknown>;

const PROTO_KERNEL = 2;
const LINK_LOCAL = /^fe[89ab][0-9a-f]:/;

export function toDocument(state: State, opts: DocumentOptions = {}): Record<string, unknown> {
  const ctx = new Renderer(opts);
  const doc: Doc = { version: 1 };
  const tables = ctx.declaredTables();
  if (Object.keys(tables).length > 0) doc.tables = tables;
  const policy = opts.policy && policyDoc(opts.policy);
  if (policy) doc.policy = policy;
  if (state.namespace !== undefined) {
    const ns = settingsDoc(state.namespace, NAMESPACE_SETTINGS);
    if (ns !== undefined) doc.namespace = ns;
  }
  const interfaces = ctx.interfaces(state.links, state.addresses);
  if (interfaces.length > 0) doc.interfaces = interfaces;
  const nexthops = [...state.nexthops].sort((a, b) => a.id - b.id).map((n) => ctx.nexthop(n));
  if (nexthops.length > 0) doc.nexthops = nexthops;
  const routes = sortRoutes(state.routes.filter((r) => opts.all || (r.protocol !== PROTO_KERNEL && r.table !== TABLE_LOCAL))).map((r) => ctx.route(r));
  if (routes.length > 0) doc.routes = routes;
  const rules = sortBy(state.rules.filter((r) => opts.all || !isDefaultRule(r)), (r) => `${r.family === 'ipv4' ? 4 : 6}${hex(r.priority, 8)}${ruleKey(r)}`).map((r) => ctx.rule(r));
  if (rules.length > 0) doc.rules = rules;
  const neighbors = sortBy(state.neighbors.filter((n) => opts.all || !isKernelNeighbor(n)), (n) => `${n.dev}\0${n.family === 'ipv4' ? 4 : 6}${addressSortKey(n.address)}`).map((n) => ctx.neighbor(n));
  if (neighbors.length > 0) doc.neighbors = neighbors;
  return doc;
}

/** `ipv4:` and `ipv6:` of a link or the namespace, by config key in the settings table's order; undefined when there are none. */
function settingsDoc(o: Link | NamespaceSettings, table: readonly IpSetting[]): Doc | undefined {
  const doc: Doc = {};
  for (const s of table) {
    const v = settingValue(o, s);
    if (v === undefined) continue;
    ((doc[s.family] ??= {}) as Doc)[s.key] = v;
  }
  return Object.keys(doc).length > 0 ? doc : undefined;
}

/**
 * The state with each interface's IP settings only where they differ from
 * `defaults`, what the namespace gives a new interface
 * (net.ipv4.conf.default.*, net.ipv6.conf.default.*): what `show` prints
 * without --all. The namespace's own settings stay.
 */
export function hideDefaultSettings(state: State, defaults: Pick<Link, 'ipv4' | 'ipv6'>): State {
  const links = state.links.map((l) => {
    if (l.ipv4 === undefined && l.ipv6 === undefined) return l;
    const { ipv4: _v4, ipv6: _v6, ...out } = l;
    let shown: Link = out;
    for (const s of INTERFACE_SETTINGS) {
      const v = settingValue(l, s);
      if (v !== undefined && v !== settingValue(defaults as Link, s)) shown = withSetting(shown, s, v);
    }
    return shown;
  });
  return { ...state, links };
}

function policyDoc(p: Policy): Doc | undefined {
  const doc: Doc = {};
  if (p.protocol !== DEFAULT_PROTOCOL) doc.protocol = protocolName(p.protocol);
  if (!p.prune) doc.prune = false;
  return Object.keys(doc).length > 0 ? doc : undefined;
}

/** The rules every namespace starts with: 0 lookup local, 32766 lookup main, 32767 lookup default. */
function isDefaultRule(r: Rule): boolean {
  if (r.action !== 'lookup' || ruleKey(r) !== `${r.family} pref ${r.priority} lookup ${r.table}`) return false;
  return (r.priority === 0 && r.table === TABLE_LOCAL) || (r.priority === 32766 && r.table === TABLE_MAIN) || (r.priority === 32767 && r.table === TABLE_DEFAULT);
}

/**
 * Neighbors the kernel made: learned ones (reachable, stale, ...) and noarp
 * ones (multicast groups, loopback), which `ip neigh` hides too. netrec
 * writes permanent entries; desired ones (present/absent) are kept.
 */
function isKernelNeighbor(n: Neighbor): boolean {
  return n.state !== undefined && n.state !== 'permanent' && n.state !== 'present' && n.state !== 'absent';
}

class Renderer {
  private readonly owner: number;
  private readonly all: boolean;
  private readonly tableNames = new Map<number, string>();
  private readonly tables: Record<string, number> = {};

  constructor(opts: DocumentOptions) {
    this.owner = opts.policy?.protocol ?? DEFAULT_PROTOCOL;
    this.all = opts.all === true;
    for (const [name, n] of builtinTables()) this.tableNames.set(n, name);
    const declared = Object.entries(opts.tables ?? {})
      .filter(([name, n]) => !builtinTables().has(name) && !BUILTIN_TABLE_NUMBERS.has(n))
      .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1));
    for (const [name, n] of declared) {
      if (this.tableNames.has(n)) continue; // one name per number: the first in order
      this.tableNames.set(n, name);
      this.tables[name] = n;
    }
  }

  declaredTables(): Record<string, number> {
    return this.tables;
  }

  private table(n: number): string | number {
    return this.tableNames.get(n) ?? n;
  }

  /** Set `key` when the object's protocol is not the owner's (none recorded shows as unspec). */
  private protocol(doc: Doc, p: number | undefined, forAddress = false): void {
    if ((p ?? 0) !== this.owner) doc.protocol = protocolName(p ?? 0, forAddress);
  }

  interfaces(links: Link[], addresses: Address[]): Doc[] {
    const byDev = new Map<string, Address[]>();
    for (const a of addresses) {
      if (!this.showAddress(a)) continue;
      let list = byDev.get(a.dev);
      if (!list) byDev.set(a.dev, (list = []));
      list.push(a);
    }
    return sortBy(links, (l) => l.name).map((l) => this.link(l, byDev.get(l.name)));
  }

  private showAddress(a: Address): boolean {
    return this.all || !(a.kernelManaged || (a.family === 'ipv6' && LINK_LOCAL.test(a.address)));
  }

  link(l: Link, addresses: Address[] | undefined): Doc {
    const d: Doc = { name: l.name };
    const k = kindOf(l.kind);
    if (l.kind.startsWith('other:')) (d as { [COMMENTS]?: Record<string, string> })[COMMENTS] = { name: `kind ${l.kind.slice(6)}, which netrec shows as a device` };
    // One end of a pair whose peer is in another namespace (or gone) cannot
    // be declared as its kind here (it names its peer, which netrec would
    // create): it is configured like a device, and shown as one.
    else if (k?.peerField !== undefined && l.options?.[k.peerField] === undefined) {
      (d as { [COMMENTS]?: Record<string, string> })[COMMENTS] = { name: `${l.kind} whose peer is in another namespace, which netrec shows as a device` };
    } else if (l.kind !== 'device') d.kind = l.kind;
    if (l.state !== 'up') d.state = l.state;
    if (l.mtu !== undefined) d.mtu = l.mtu;
    if (l.mac !== undefined) d.mac = l.mac;
    if (l.master !== undefined) d.master = l.master;
    if (l.alias === OWNER_ALIAS) d.managed = true;
    const settings = settingsDoc(l, INTERFACE_SETTINGS);
    if (settings !== undefined) Object.assign(d, settings);
    if (k !== undefined && l.options !== undefined && k.fields.length > 0) d[l.kind] = this.options(k, l.options);
    const port = l.port === undefined ? undefined : portKind(l.port.kind);
    if (port !== undefined) d[port.role.key] = this.options(port, l.port!.options);
    // An empty list says nothing worth keeping (a kernel without VLAN filtering reads none anywhere).
    if (l.vlans?.length) d.vlans = l.vlans.map((v) => defined({ vid: v.end === undefined ? v.vid : `${v.vid}-${v.end}`, pvid: v.pvid || undefined, untagged: v.untagged || undefined }));
    if (addresses?.length) d.addresses = sortBy(addresses, addressEntrySortKey).map((a) => this.address(a));
    else if (l.addressesAuthoritative) d.addresses = [];
    return d;
  }

  /** A link's options under their config keys, in its kind's order; tables by name. */
  private options(k: Pick<Kind, 'fields'>, options: LinkOptions): Doc {
    const d: Doc = {};
    for (const { option, field } of k.fields) {
      const v = options[field];
      if (v !== undefined) d[option.key] = option.value === 'table' ? this.table(v as number) : v;
    }
    return d;
  }

  /** A plain "addr/len" string unless it has more to say. */
  address(a: Address): string | Doc {
    const d: Doc = {};
    // With a peer, the prefix length is the peer's (the local address is whole).
    d.address = a.peer === undefined ? a.address : a.address.split('/')[0];
    if (a.peer !== undefined) d.peer = a.peer;
    if (a.noprefixroute) d.noprefixroute = true;
    const valid = a.validLifetime ?? 'forever';
    if (valid !== 'forever') d['valid-lifetime'] = valid;
    if ((a.preferredLifetime ?? 'forever') !== valid) d['preferred-lifetime'] = a.preferredLifetime ?? 'forever';
    if (a.label !== undefined && a.label !== a.dev) d.label = a.label;
    if (a.state === 'absent') d.state = a.state;
    this.protocol(d, a.protocol, true);
    if (a.kernelManaged) d['kernel-managed'] = true;
    if (a.secondary) d.secondary = true;
    const keys = Object.keys(d);
    return keys.length === 1 ? a.address : d;
  }

  route(r: Route): Doc {
    const d: Doc = { to: r.to.endsWith('/0') ? 'default' : r.to };
    if (r.nhid !== undefined) d.nexthop = r.nhid;
    if (r.via !== undefined) d.via = r.via;
    if (r.dev !== undefined) d.dev = r.dev;
    if (r.nexthops) d.nexthops = r.nexthops.map((nh) => defined({ via: nh.via, dev: nh.dev, weight: nh.weight === 1 ? undefined : nh.weight, 'on-link': nh.onLink || undefined }));
    if (r.metric !== defaultMetric(r.family)) d.metric = r.metric;
    if (r.table !== defaultTable(r.type)) d.table = this.table(r.table);
    if (r.type !== 'unicast') d.type = r.type;
    if (r.scope !== undefined && r.scope !== defaultScope(r)) d.scope = r.scope;
    if (r.from !== undefined) d.from = r.from;
    if (r.src !== undefined) d.src = r.src;
    if (r.mtu !== undefined) d.mtu = r.mtu;
    copyRouteMetrics(r, d, 'field', 'name');
    if (r.other !== undefined) d.other = { ...r.other };
    if (r.onLink) d['on-link'] = true;
    if (r.tos) d.tos = r.tos;
    const told = d.to !== 'default' || r.via !== undefined || r.src !== undefined || r.nexthops?.some((nh) => nh.via !== undefined);
    if (!told) d.family = r.family;
    if (r.state === 'absent') d.state = r.state;
    this.protocol(d, r.protocol);
    return d;
  }

  rule(r: Rule): Doc {
    const d: Doc = { priority: r.priority };
    if (r.not) d.not = true;
    if (r.from !== undefined) d.from = r.from;
    if (r.to !== undefined) d.to = r.to;
    if (r.iif !== undefined) d.iif = r.iif;
    if (r.oif !== undefined) d.oif = r.oif;
    if (r.fwmark !== undefined) {
      const mask = r.fwmask ?? 0xffffffff;
      // A bare mark 0 would read back as no fwmark: its full mask is written out.
      d.fwmark = mask === 0xffffffff && r.fwmark !== 0 ? `0x${r.fwmark.toString(16)}` : `0x${r.fwmark.toString(16)}/0x${mask.toString(16)}`;
    }
    if (r.tos) d.tos = `0x${r.tos.toString(16)}`;
    if (r.dscp !== undefined) d.dscp = r.dscp;
    if (r.uidrange !== undefined) d.uidrange = r.uidrange;
    if (r.ipproto !== undefined) d.ipproto = IP_PROTOCOL_NAMES[r.ipproto] ?? r.ipproto;
    if (r.sport !== undefined) d.sport = portValue(r.sport);
    if (r.dport !== undefined) d.dport = portValue(r.dport);
    if (r.l3mdev) d.l3mdev = true;
    if (r.suppressPrefixlength !== undefined) d['suppress-prefixlength'] = r.suppressPrefixlength;
    if (r.suppressIfgroup !== undefined) d['suppress-ifgroup'] = r.suppressIfgroup;
    if (r.action === 'lookup') {
      if (!r.l3mdev || r.table !== 0) d.table = this.table(r.table);
    } else d.action = r.action;
    if (r.action === 'goto' && r.goto !== undefined) d.goto = r.goto;
    if (r.attributes && Object.keys(r.attributes).length > 0) d.attributes = { ...r.attributes };
    if (r.from === undefined && r.to === undefined) d.family = r.family;
    if (r.state === 'absent') d.state = r.state;
    this.protocol(d, r.protocol);
    return d;
  }

  /** A nexthop object: what loading fills in (weight 1, family ipv4 where no via tells it) left out. */
  nexthop(n: NexthopObject): Doc {
    const d: Doc = { id: n.id };
    if (n.group !== undefined) d.group = n.group.map((m) => (m.weight === 1 ? { id: m.id } : { id: m.id, weight: m.weight }));
    if (n.resilient) d.resilient = defined({ buckets: n.buckets, 'idle-timer': n.idleTimer, 'unbalanced-timer': n.unbalancedTimer });
    if (n.blackhole) d.blackhole = true;
    if (n.via !== undefined) d.via = n.via;
    if (n.dev !== undefined) d.dev = n.dev;
    if (n.onLink) d['on-link'] = true;
    if (n.fdb) d.fdb = true;
    if (n.group === undefined && n.via === undefined && n.family === 'ipv6') d.family = n.family;
    if (n.attributes && Object.keys(n.attributes).length > 0) d.attributes = { ...n.attributes };
    if (n.state === 'absent') d.state = n.state;
    this.protocol(d, n.protocol);
    return d;
  }

  neighbor(n: Neighbor): Doc {
    const d: Doc = { dev: n.dev, address: n.address };
    if (n.lladdr !== undefined) d.lladdr = n.lladdr;
    if (n.state !== undefined && n.state !== 'present' && n.state !== 'permanent') d.state = n.state;
    this.protocol(d, n.protocol);
    return d;
  }
}

/** A single port as a number, a range as text. */
function portValue(p: string): string | number {
  return /^\d+$/.test(p) ? Number(p) : p;
}

/** The object without its undefined values. */
function defined(o: Doc): Doc {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

function sortBy<T>(items: readonly T[], key: (o: T) => string): T[] {
  const keyed = items.map((o) => ({ k: key(o), o }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.o);
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function prefixSortKey(p: string): string {
  const slash = p.indexOf('/');
  return `${addressSortKey(slash < 0 ? p : p.slice(0, slash))}${hex(slash < 0 ? 255 : Number(p.slice(slash + 1)), 2)}`;
}

export function routeSortKey(r: Route): string {
  // The device last: the kernel keeps routes that differ only by it (per-interface routes in table local).
  return `${r.family === 'ipv4' ? 4 : 6}${hex(r.table, 8)}${prefixSortKey(r.to)}${hex(r.metric, 8)}${hex(r.tos, 2)}${r.from === undefined ? '' : prefixSortKey(r.from)} ${r.dev ?? ''}`;
}

function addressEntrySortKey(a: Address): string {
  return `${a.family === 'ipv4' ? 4 : 6}${prefixSortKey(a.address)}${a.peer ?? ''}`;
}

/** The largest number that hex(n, 8) writes in 8 digits. */
const U32_MAX = 0xffffffff;

/**
 * Routes in routeSortKey order. The key of an IPv4 route is fixed-width hex
 * of numbers and then the device: such routes compare as those numbers,
 * without a key string each (a full table's worth of them cost most of the
 * time of `show`). Any other route compares by its key.
 */
export function sortRoutes(routes: readonly Route[]): Route[] {
  const n = routes.length;
  const table = new Float64Array(n);
  /** The address as a number; -1 for a route compared by its key. */
  const addr = new Float64Array(n);
  /** Prefix length, metric and tos in one number (2^48 at most: exact). */
  const rest = new Float64Array(n);
  const keys = new Map<number, string>();
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = routes[i]!;
    order.push(i);
    const slash = r.to.indexOf('/');
    const len = slash < 0 ? -1 : smallNumber(r.to, slash + 1);
    const a = r.family === 'ipv4' && len >= 0 ? parseIPv4(r.to, 0, slash) : -1;
    const numeric = a >= 0 && isHex(r.table, U32_MAX) && isHex(r.metric, U32_MAX) && isHex(r.tos, 255);
    table[i] = r.table;
    addr[i] = numeric ? a : -1;
    rest[i] = len * 2 ** 40 + r.metric * 2 ** 8 + r.tos;
  }
  const keyOf = (i: number): string => {
    let k = keys.get(i);
    if (k === undefined) keys.set(i, (k = routeSortKey(routes[i]!)));
    return k;
  };
  order.sort((i, j) => {
    if (addr[i]! >= 0 && addr[j]! >= 0) {
      const d = table[i]! - table[j]! || addr[i]! - addr[j]! || rest[i]! - rest[j]!;
      if (d !== 0) return d;
      const a = routes[i]!.dev ?? '';
      const b = routes[j]!.dev ?? '';
      return a < b ? -1 : a > b ? 1 : 0;
    }
    const a = keyOf(i);
    const b = keyOf(j);
    return a < b ? -1 : a > b ? 1 : 0;
  });
  return order.map((i) => routes[i]!);
}

/** True when n is an integer 0..max, which hex() writes in the key's fixed width. */
function isHex(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= max;
}

/** The number of 1 to 3 decimal digits from `from` to the end (a prefix length), or -1. */
function smallNumber(s: string, from: number): number {
  if (s.length === from || s.length - from > 3) return -1;
  let v = 0;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + c - 48;
  }
  return v <= 255 ? v : -1;
}
