// Attribute comparison per object type: what differs between a desired
// object and the actual one with the same identity, whether the kernel can
// change it in place (update) or needs delete + create (replace), and the
// object netrec writes.
//
// Two modes. Plan: a desired attribute that is undefined means "leave as is"
// (not compared, and kept when the object is rewritten), everything netrec
// writes carries its protocol marker, and the links it creates its alias. Exact (rollback):
// the desired object is the whole truth, protocol and alias included.
import { KINDS, kindOf, PORT_KINDS } from '../kinds/registry.js';
import { sameVlans } from '../netlink/rtnl/bridge-vlan.js';
import { OWNER_ALIAS } from '../model/constants.js';
import { ADDRESS_TABLE } from '../netlink/rtnl/address.js';
import { NEIGHBOR_TABLE } from '../netlink/rtnl/neighbor.js';
import { membersText, NEXTHOP_TABLE } from '../netlink/rtnl/nexthop.js';
import { flatRows } from '../netlink/rtnl/layout.js';
import { nexthopsDiffer, ROUTE_ROWS } from '../netlink/rtnl/route.js';
import type { Address, Link, NamespaceSettings, Neighbor, NexthopObject, Route, Rule, SettingValue } from '../model/types.js';
import { INTERFACE_SETTINGS, NAMESPACE_SETTINGS, settingName, settingValue, withSetting, type IpSetting } from '../netlink/rtnl/devconf.js';
import { collectRows, comparedRows, compileDiffers, mergeRows, rowChange, rowDiffers } from './attrs.js';
import type { AttrChange } from './types.js';

export interface CompareMode {
  exact: boolean;
  /** The marker netrec writes (plan mode). */
  protocol: number;
  /**
   * The kernel records address owners (IFA_PROTO, 6.1+): seen on an
   * address it made itself. Then an address without one is adopted like any
   * other; otherwise the marker would not hold, and is not compared.
   */
  addressOwners?: boolean;
  /** The kernel keeps the owner an address was made with (before 6.4): an existing one is not marked. */
  addressOwnerFixed?: boolean;
}

export interface Difference<T> {
  action: 'update' | 'replace';
  attrs: AttrChange[];
  after: T;
  reason?: string;
}

interface AttrSpec<T> {
  /** Config-format name, as shown in plans. */
  name: string;
  get(o: T): unknown;
  /** True when `a` lacks what `d` asks for; default: strict equality of defined desired values. */
  differs?(d: T, a: T, exact: boolean): boolean;
}

function differs<T>(s: AttrSpec<T>, d: T, a: T, exact: boolean): boolean {
  return s.differs ? s.differs(d, a, exact) : valueDiffers(s.get(d), s.get(a), exact);
}

/** The default comparison: a desired value that is set (or any, when exact) must be the actual one. */
function valueDiffers(want: unknown, have: unknown, exact: boolean): boolean {
  return (want !== undefined || exact) && want !== have;
}

function flagDiffers(want: boolean | undefined, have: boolean | undefined, exact: boolean): boolean {
  return (want !== undefined || exact) && !!want !== !!have;
}

function collect<T>(specs: readonly AttrSpec<T>[], d: T, a: T, exact: boolean, out: AttrChange[]): AttrChange[] {
  for (const s of specs) if (differs(s, d, a, exact)) out.push({ attr: s.name, old: s.get(a), new: s.get(d) });
  return out;
}

function protocolChange(want: number | undefined, have: number | undefined): AttrChange[] {
  return want === have ? [] : [{ attr: 'protocol', old: have, new: want }];
}

function cannotChange(attrs: readonly AttrChange[]): string {
  return `${attrs.map((c) => c.attr).join(', ')} cannot change in place`;
}

// ---- interfaces -----------------------------------------------------------

/** A link attribute: a field of Link, (with `kind`) a field of the options of links of that kind, or (with `setting`) an IP setting. */
type LinkAttr = AttrSpec<Link> & { kind?: string; field: string; setting?: IpSetting };

/** An IP setting of the settings table (netlink/rtnl/devconf.ts), FAMILY.KEY: compared where declared. */
function ipSetting(s: IpSetting): LinkAttr {
  return { name: settingName(s), field: `${s.family}.${s.field}`, setting: s, get: (l) => settingValue(l, s) };
}

/** A kind's option, KIND.KEY: named by the kind and config key; read only on links of that kind. */
function option(kind: string, key: string, field: string): LinkAttr {
  return { name: `${kind}.${key}`, kind, field, get: (l) => (l.kind === kind ? l.options?.[field] : undefined) };
}

/** The plan's name for Link.promoteSecondaries (net.ipv4.conf.DEV.promote_secondaries). */
export const PROMOTE_SECONDARIES = 'ipv4.promote-secondaries';

const LINK_MUTABLE_BEFORE: readonly LinkAttr[] = [
  { name: 'mtu', field: 'mtu', get: (l) => l.mtu },
  { name: 'mac', field: 'mac', get: (l) => l.mac },
  { name: 'master', field: 'master', get: (l) => l.master },
];
const LINK_MUTABLE_AFTER: readonly LinkAttr[] = [
  { name: 'state', field: 'state', get: (l) => l.state },
  // Not in the config format: set by plans around the delete of a primary
  // IPv4 address whose secondaries stay, and compared when restoring.
  { name: PROMOTE_SECONDARIES, field: 'promoteSecondaries', get: (l) => l.promoteSecondaries, differs: (d, a, exact) => flagDiffers(d.promoteSecondaries, a.promoteSecondaries, exact) },
  ...INTERFACE_SETTINGS.map(ipSetting),
];

/**
 * Per kind, what changes in place (the link's own attributes around the
 * options its layout writes on update) and what is fixed at creation (a
 * change means delete + create), in the order of the kind's options.
 */
const LINK_MUTABLE = new Map<string, readonly LinkAttr[]>();
const LINK_IMMUTABLE = new Map<string, readonly LinkAttr[]>();
const LINK_ATTRS = new Map<string, LinkAttr>([...LINK_MUTABLE_BEFORE, ...LINK_MUTABLE_AFTER].map((s) => [s.name, s]));
for (const d of KINDS) {
  const k = kindOf(d.kind)!;
  const mutable: LinkAttr[] = [];
  const fixed: LinkAttr[] = [];
  for (const f of k.fields) {
    const spec = option(d.kind, f.option.key, f.field);
    (f.mutable ? mutable : fixed).push(spec);
    LINK_ATTRS.set(spec.name, spec);
    // Changes in place only between some values: the others replace the link.
    const inPlace = f.mutable ? f.option.inPlace : undefined;
    if (inPlace) fixed.push({ ...spec, differs: (dl, al) => valueDiffers(spec.get(dl), spec.get(al), false) && !inPlace(spec.get(al), spec.get(dl)) });
  }
  LINK_MUTABLE.set(d.kind, [...LINK_MUTABLE_BEFORE, ...mutable, ...LINK_MUTABLE_AFTER]);
  LINK_IMMUTABLE.set(d.kind, fixed);
}
const LINK_PLAIN: readonly LinkAttr[] = [...LINK_MUTABLE_BEFORE, ...LINK_MUTABLE_AFTER];

/**
 * The link netrec creates for a declared one. Its IP settings, VLANs and
 * port settings are not part of creation: they are written once it exists
 * (IP settings by the update that follows its creation; VLANs and port
 * settings by the plan's port stage, portUpdate, once the link is in its
 * master). The kernel gives a new link its defaults, which are not known here.
 */
export function linkToCreate(d: Link, mode: CompareMode): Link {
  const { addressesAuthoritative: _authoritative, source: _source, vlans: _vlans, port: _port, ipv4: _ipv4, ipv6: _ipv6, ...link } = d;
  if (mode.exact) return link;
  return { ...link, alias: OWNER_ALIAS };
}

/** The plan's name of the VLANs of a link (a bridge's own, or a port's). */
export const VLANS = 'vlans';

/** Each master kind's port settings, by plan name (`bridge-port.learning`). */
const PORT_ATTRS: readonly (LinkAttr & { portKind: string })[] = PORT_KINDS.flatMap((p) =>
  p.fields.map((f) => ({
    name: `${p.role.key}.${f.option.key}`,
    field: f.field,
    portKind: p.kind,
    get: (l: Link) => (l.port?.kind === p.kind ? l.port.options[f.field] : undefined),
  })),
);

/** The port setting a plan name is (`bridge-port.learning`): the master's kind and the model field. */
export function portAttr(name: string): { kind: string; field: string } | undefined {
  const s = PORT_ATTRS.find((x) => x.name === name);
  return s === undefined ? undefined : { kind: s.portKind, field: s.field };
}

/**
 * A link's VLANs and port settings: the declared VLANs, when declared, are
 * the whole list; port settings are compared as far as declared (exactly
 * when restoring: what was read). Decided once the link is in its master
 * (after every link change), against the state those changes leave.
 */
export function portUpdate(d: Link, a: Link): Difference<Link> | undefined {
  const attrs: AttrChange[] = [];
  if (d.vlans !== undefined && !sameVlans(d.vlans, a.vlans)) attrs.push({ attr: VLANS, old: a.vlans, new: d.vlans });
  if (d.port !== undefined) {
    for (const s of PORT_ATTRS) if (s.portKind === d.port.kind && differs(s, d, a, false)) attrs.push({ attr: s.name, old: s.get(a), new: s.get(d) });
  }
  if (attrs.length === 0) return undefined;
  const after: Link = { ...a };
  if (d.vlans !== undefined) after.vlans = d.vlans;
  if (d.port !== undefined && attrs.some((c) => c.attr !== VLANS)) {
    const options = { ...(a.port?.kind === d.port.kind ? a.port.options : {}) };
    for (const [k, v] of Object.entries(d.port.options)) if (v !== undefined) options[k] = v;
    after.port = { kind: d.port.kind, options };
  }
  return { action: 'update', attrs, after };
}

/**
 * Kind or creation-time options differ: the reason the link must be replaced.
 * Options are compared only when the declared link has them (never exactly).
 */
export function linkReplacement(d: Link, a: Link): { reason: string; attrs: AttrChange[] } | undefined {
  if (d.kind !== 'device' && d.kind !== a.kind) {
    return { reason: `kind cannot change in place`, attrs: [{ attr: 'kind', old: a.kind, new: d.kind }] };
  }
  const fixed = d.options === undefined ? undefined : LINK_IMMUTABLE.get(d.kind);
  if (fixed === undefined || !fixed.some((s) => differs(s, d, a, false))) return undefined;
  const attrs = collect(fixed, d, a, false, []);
  return { reason: cannotChange(attrs), attrs };
}

/**
 * Attributes to update in place (the caller has ruled out replacement).
 * `releaseMaster`: the link's current master is declared in the config, so
 * membership is netrec's to manage and a declaration without `master` means
 * none (an operator who deletes `master: br0` expects the link to leave br0).
 */
export function linkUpdate(d: Link, a: Link, mode: CompareMode, releaseMaster = false): Difference<Link> | undefined {
  const attrs: AttrChange[] = [];
  // Only `master` can be cleared, and promote_secondaries put back off;
  // other options of a link cannot be unset. Options are compared only when
  // the declared link has them.
  const specs = (d.options === undefined ? undefined : LINK_MUTABLE.get(d.kind)) ?? LINK_PLAIN;
  for (const s of specs) {
    const exact = s.field === 'master' ? mode.exact || releaseMaster : mode.exact && s.field === 'promoteSecondaries';
    if (differs(s, d, a, exact)) attrs.push({ attr: s.name, old: s.get(a), new: s.get(d) });
  }
  // The alias is netrec's mark of what it created, written only at creation:
  // an existing interface keeps the alias it has, whoever made it. Only a
  // rollback (exact) puts an alias back.
  if (mode.exact && d.alias !== a.alias) attrs.push({ attr: 'alias', old: a.alias, new: d.alias });
  if (attrs.length === 0) return undefined;
  const after: Link = { ...a };
  for (const c of attrs) setLinkAttr(after, c.attr, c.new);
  return { action: 'update', attrs, after };
}

/** Set one attribute (plan name) on a link copy; options are copied before writing. */
function setLinkAttr(l: Link, name: string, value: unknown): void {
  if (name === 'alias') {
    l.alias = value as string | undefined;
    return;
  }
  const s = LINK_ATTRS.get(name)!;
  if (s.setting !== undefined) Object.assign(l, withSetting(l, s.setting, value as SettingValue | undefined));
  else if (s.kind === undefined) (l as unknown as Record<string, unknown>)[s.field] = value;
  else l.options = { ...l.options, [s.field]: value as string | number | boolean };
}

// ---- the namespace ------------------------------------------------------------

/** The namespace's declared settings that differ from the kernel's, and the settings after writing them. */
export function namespaceDifference(d: NamespaceSettings, a: NamespaceSettings, _mode: CompareMode): Difference<NamespaceSettings> | undefined {
  const attrs: AttrChange[] = [];
  let after: NamespaceSettings = { ...a };
  for (const s of NAMESPACE_SETTINGS) {
    const want = settingValue(d, s);
    const have = settingValue(a, s);
    if (want === undefined || want === have) continue;
    attrs.push({ attr: settingName(s), old: have, new: want });
    after = withSetting(after, s, want);
  }
  return attrs.length === 0 ? undefined : { action: 'update', attrs, after };
}

// ---- addresses ------------------------------------------------------------

/** The address rows compared, from the address table. */
const ADDRESS_COMPARED = comparedRows(ADDRESS_TABLE);

export function addressToCreate(d: Address, mode: CompareMode): Address {
  if (mode.exact) return d;
  const { state: _state, source: _source, ...address } = d;
  return { ...address, protocol: mode.protocol };
}

export function addressDifference(d: Address, a: Address, mode: CompareMode): Difference<Address> | undefined {
  // What the kernel cannot change in place comes first: it names the replace.
  const fixed: AttrChange[] = [];
  const inPlace: AttrChange[] = [];
  for (const s of ADDRESS_COMPARED) {
    if (!rowDiffers(s, d, a, mode.exact)) continue;
    (rowChange(s, d) === 'replace' ? fixed : inPlace).push({ attr: s.name, old: a[s.field as keyof Address], new: d[s.field as keyof Address] });
  }
  const attrs = [...fixed, ...inPlace];
  if (mode.exact) attrs.push(...protocolChange(d.protocol, a.protocol));
  // Kernels before 6.1 report no IFA_PROTO: without it there is nothing to compare.
  else if (!mode.addressOwnerFixed && (a.protocol !== undefined || mode.addressOwners)) attrs.push(...protocolChange(mode.protocol, a.protocol));
  if (attrs.length === 0) return undefined;
  let after = d;
  if (!mode.exact) {
    // An update in place keeps the owner where the kernel keeps it; a replace makes the address anew, netrec's.
    const owner = mode.addressOwnerFixed && fixed.length === 0 ? a.protocol : mode.protocol;
    after = { ...a, protocol: owner, kernelManaged: undefined };
    mergeRows(ADDRESS_COMPARED, d, a, after);
  }
  return fixed.length > 0 ? { action: 'replace', attrs, after, reason: `${cannotChange(fixed)} on IPv4` } : { action: 'update', attrs, after };
}

// ---- routes ---------------------------------------------------------------

/**
 * The route attributes compared, from the route table. A declared route is
 * the whole route: an attribute it leaves out is the kernel's default (no
 * src, no mtu, no metrics, medium preference), so removing `mtu:` from a
 * config clears it. Exceptions, compared only when declared: the device of
 * a gateway route (the kernel derives it), and the attributes netrec does
 * not model (`other`), which are kept when netrec rewrites the route.
 */
const ROUTE_COMPARED = comparedRows(ROUTE_ROWS);
/** Path rows: mergeRoute decides them together. */
const ROUTE_PATH = new Set(['type', 'via', 'dev', 'nexthops']);
const ROUTE_MERGED = ROUTE_COMPARED.filter((s) => !ROUTE_PATH.has(s.field));
/**
 * Whether routeDifference would find anything, for the one pass over a
 * full routing table: generated from the route table (direct field reads,
 * no allocation), the owner first.
 */
export const routeDiffers: (d: Route, a: Route, mode: CompareMode) => boolean = compileDiffers(
  ROUTE_COMPARED,
  '(mode.exact ? d.protocol : mode.protocol) !== a.protocol',
);

/** Types that carry no device or gateway (the kernel refuses them on one). */
const PATHLESS: ReadonlySet<string> = new Set(['blackhole', 'unreachable', 'prohibit', 'throw']);

export function routeToCreate(d: Route, mode: CompareMode): Route {
  return mode.exact || d.protocol === mode.protocol ? d : { ...d, protocol: mode.protocol };
}

/** Whether a declared route's nexthops differ from an existing one's (not exact). */
export function routeNexthopsDiffer(d: Route, a: Route): boolean {
  return nexthopsDiffer(d, a, false);
}

export function routeDifference(d: Route, a: Route, mode: CompareMode): Difference<Route> {
  const attrs = collectRows(ROUTE_COMPARED, d, a, mode.exact, []);
  attrs.push(...protocolChange(mode.exact ? d.protocol : mode.protocol, a.protocol));
  return { action: 'update', attrs, after: mode.exact ? d : mergeRoute(d, a, mode.protocol) };
}

/**
 * The route netrec writes for a declaration over an existing one: the
 * declaration, whole (what it leaves out is the kernel's default), plus
 * what it leaves to the kernel or to others: the device of an unchanged
 * gateway (a new gateway is not tied to the old device; the kernel derives
 * it again), and the attributes netrec does not model. A route without a
 * path (blackhole, unreachable, prohibit, throw) takes neither device nor
 * gateway.
 */
function mergeRoute(d: Route, a: Route, protocol: number): Route {
  const pathless = PATHLESS.has(d.type);
  const multipath = !pathless && d.nexthops !== undefined;
  const r: Route = {
    family: a.family,
    table: a.table,
    to: a.to,
    metric: a.metric,
    tos: a.tos,
    type: d.type,
    protocol,
  };
  if (a.from !== undefined) r.from = a.from;
  if (!pathless && !multipath) {
    if (d.via !== undefined) r.via = d.via;
    const dev = d.dev ?? (d.via === a.via ? a.dev : undefined);
    if (dev !== undefined) r.dev = dev;
  }
  if (multipath) r.nexthops = d.nexthops;
  mergeRows(ROUTE_MERGED, d, a, r);
  return r;
}

// ---- rules and neighbors --------------------------------------------------

/**
 * The rule netrec writes. Its protocol is the declared one: netrec's marker
 * unless the config names another owner (contract section 4), which is then
 * checked rather than adopted.
 */
export function ruleToCreate(d: Rule, _mode: CompareMode): Rule {
  if (d.source === undefined) return d;
  const { source: _source, ...rule } = d;
  return rule;
}

/** Everything but the protocol is identity, so only the protocol can differ. */
export function ruleDifference(d: Rule, a: Rule, mode: CompareMode): Difference<Rule> | undefined {
  const attrs = protocolChange(d.protocol, a.protocol);
  if (attrs.length === 0) return undefined;
  return { action: 'replace', attrs, after: ruleToCreate(d, mode), reason: 'a rule cannot change in place' };
}

export function neighborToCreate(d: Neighbor, mode: CompareMode): Neighbor {
  if (mode.exact) return d;
  const { source: _source, ...neighbor } = d;
  return { ...neighbor, state: 'permanent', protocol: mode.protocol };
}

/** The neighbor attributes compared and merged, from the neighbor table. */
const NEIGHBOR_COMPARED = comparedRows(NEIGHBOR_TABLE);

export function neighborDifference(d: Neighbor, a: Neighbor, mode: CompareMode): Difference<Neighbor> | undefined {
  const attrs = collectRows(NEIGHBOR_COMPARED, d, a, mode.exact, []);
  if (mode.exact && d.state !== a.state) attrs.push({ attr: 'state', old: a.state, new: d.state });
  attrs.push(...protocolChange(mode.exact ? d.protocol : mode.protocol, a.protocol));
  if (attrs.length === 0) return undefined;
  if (mode.exact) return { action: 'update', attrs, after: d };
  const after: Neighbor = { ...a };
  mergeRows(NEIGHBOR_COMPARED, d, a, after);
  after.state = 'permanent';
  after.protocol = mode.protocol;
  return { action: 'update', attrs, after };
}

// ---- nexthop objects ------------------------------------------------------

/** The nexthop attributes compared and merged, from the nexthop table. */
const NEXTHOP_COMPARED = comparedRows(flatRows(NEXTHOP_TABLE));

/** The nexthop netrec writes: the declaration with its protocol (netrec's marker unless the config names another owner). */
export function nexthopToCreate(d: NexthopObject, mode: CompareMode): NexthopObject {
  if (mode.exact) return d;
  const { source: _source, state: _state, ...n } = d;
  return n;
}

/**
 * What differs between a declared nexthop and the existing one of its id.
 * NLM_F_REPLACE rewrites a nexthop in place (routes keep using it), except
 * what the kernel refuses to change there: a single nexthop becoming a
 * group or the other way round, the group's type, a resilient group's
 * buckets, fdb. Those are a replace (delete and create), which takes every
 * route through it along.
 */
export function nexthopDifference(d: NexthopObject, a: NexthopObject, mode: CompareMode): Difference<NexthopObject> | undefined {
  const fixed: AttrChange[] = [];
  const inPlace: AttrChange[] = [];
  const kindChanges = (d.group === undefined) !== (a.group === undefined);
  for (const s of NEXTHOP_COMPARED) {
    if (!rowDiffers(s, d, a, mode.exact)) continue;
    // A group's members read as iproute2 writes them ("10/11,3").
    const change =
      s.field === 'group'
        ? { attr: s.name, old: membersText(a.group), new: membersText(d.group) }
        : { attr: s.name, old: a[s.field as keyof NexthopObject], new: d[s.field as keyof NexthopObject] };
    (rowChange(s, d) === 'replace' || (kindChanges && s.field === 'group') ? fixed : inPlace).push(change);
  }
  const attrs = [...fixed, ...inPlace, ...protocolChange(d.protocol, a.protocol)];
  if (attrs.length === 0) return undefined;
  let after = d;
  if (!mode.exact) {
    after = { id: a.id, protocol: d.protocol };
    mergeRows(NEXTHOP_COMPARED, d, a, after);
    if (after.group !== undefined) delete after.family;
    if (!after.resilient) {
      delete after.buckets;
      delete after.idleTimer;
      delete after.unbalancedTimer;
    }
  }
  if (fixed.length > 0) {
    const reason = kindChanges ? (d.group === undefined ? 'a nexthop group cannot become a single nexthop in place' : 'a single nexthop cannot become a group in place') : cannotChange(fixed);
    return { action: 'replace', attrs, after, reason };
  }
  return { action: 'update', attrs, after };
}
