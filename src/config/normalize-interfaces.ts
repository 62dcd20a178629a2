// interfaces: entries -> Link, and their `addresses:` -> Address.
import { OWNER_ALIAS } from '../model/constants.js';
import { maxPrefixLen } from '../model/ip.js';
import { KINDS, kindOf, limitsOf, PORT_KINDS, type KindOption, type LinkKindDescriptor } from '../kinds/registry.js';
import { BRIDGE_VLAN_INFO_PVID, compress, flagsOf, VID_MAX, VID_MIN } from '../netlink/rtnl/bridge-vlan.js';
import type { Address, IpSettings, Link, LinkOptions, NamespaceSettings, Vlan } from '../model/types.js';
import { INTERFACE_SETTINGS, NAMESPACE_SETTINGS, valueProblem, type IpSetting } from '../netlink/rtnl/devconf.js';
import { Entry, FamilyVote, type FileContext } from './context.js';
import { checkedName } from './normalize-routes.js';
import { staticLinkProblems } from './limits.js';
import { Bad, mac, prefixAddress, protocol, table } from './values.js';

export interface RawAddressEntry {
  address: string;
  peer?: string;
  noprefixroute?: boolean;
  'valid-lifetime'?: number | 'forever';
  'preferred-lifetime'?: number | 'forever';
  label?: string;
  state?: 'present' | 'absent';
  protocol?: string | number;
  'kernel-managed'?: boolean;
  secondary?: boolean;
}

export interface RawInterface {
  name: string;
  kind?: string;
  state?: 'up' | 'down' | 'absent';
  mtu?: number;
  mac?: string;
  master?: string;
  managed?: boolean;
  addresses?: (string | RawAddressEntry)[];
  /** A kind's options, under the kind's own key (src/kinds/: its descriptor's options). */
  [kindKey: string]: unknown;
}

/** Kinds with options: their key in an interface entry. */
const OPTION_KINDS = KINDS.filter((d) => d.options.length > 0);

/** "KIND: { link: NAME, id: N }": what a kind cannot be made without; undefined when nothing. */
function requiredText(d: LinkKindDescriptor): string | undefined {
  const required = d.options.filter((o) => o.required);
  if (required.length === 0) return undefined;
  const placeholder = (o: KindOption) => (o.value === 'ifname' ? 'NAME' : o.value === 'table' ? 'TABLE' : o.value === 'address' ? 'ADDRESS' : 'N');
  return `${d.kind}: { ${required.map((o) => `${o.key}: ${placeholder(o)}`).join(', ')} }`;
}
const REQUIRED_OPTIONS = new Map(KINDS.map((d) => [d.kind, requiredText(d)]));

export interface Interfaces {
  links: Link[];
  addresses: Address[];
  /** Names of entries left out for schema problems: references to them are not errors. */
  unchecked: string[];
}

export function normalizeInterfaces(ctx: FileContext, raws: RawInterface[], skip: ReadonlySet<number>): Interfaces {
  const e = new Entry(ctx, ['interfaces']);
  const sourceOf = ctx.src.itemPositions(['interfaces'], raws);
  const out: Interfaces = { links: [], addresses: [], unchecked: [] };
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i]!;
    if (skip.has(i)) {
      if (raw && typeof raw.name === 'string') out.unchecked.push(raw.name);
      continue;
    }
    e.start(i);
    const l = link(e, raw);
    if (l) {
      out.links.push(ctx.place(l, sourceOf, i));
      ctx.load.paths.set(l, { src: ctx.src, path: ['interfaces', i] });
    } else out.unchecked.push(raw.name);
    // The addresses of an interface with problems are still checked, and left out with it.
    if (raw.addresses) addresses(ctx, i, raw.name, raw.addresses, l ? out.addresses : []);
  }
  return out;
}

function link(e: Entry, raw: RawInterface): Link | undefined {
  const { settings } = e.ctx;
  const name = checkedName(e, raw.name, 'name');
  const kind = raw.kind ?? 'device';
  const state = raw.state ?? 'up';
  for (const { kind: key } of OPTION_KINDS) {
    if (raw[key] !== undefined && key !== kind) e.problem(key, `${key} options need kind: ${key} (this interface is kind ${kind})`, true);
  }
  const required = REQUIRED_OPTIONS.get(kind);
  if (required && state !== 'absent' && raw[kind] === undefined) e.problem(undefined, `kind ${kind} needs ${required}`);
  if (state === 'absent' && raw.addresses !== undefined) e.problem('addresses', 'an interface declared absent cannot have addresses', true);
  for (const family of ['ipv4', 'ipv6'] as const) {
    if (state === 'absent' && raw[family] !== undefined) e.problem(family, `an interface declared absent has no ${family} settings`, true);
  }
  if ((raw.ipv6 as { disable?: unknown } | undefined)?.disable === true && hasIpv6(raw.addresses)) {
    e.problem(['ipv6', 'disable'], 'IPv6 is disabled on this interface, so it cannot have the IPv6 addresses it lists (the kernel removes them)');
  }
  let macText: string | undefined;
  if (raw.mac !== undefined) {
    const m = mac(raw.mac, limitsOf(kind).ethernet);
    if (m instanceof Bad) e.problem('mac', m.message);
    else macText = m;
  }
  const master = raw.master === undefined ? undefined : checkedName(e, raw.master, 'master');
  if (master !== undefined && master === raw.name) e.problem('master', 'an interface cannot be its own master');
  const l: Link = { name: name ?? raw.name, kind, state };
  if (raw.mtu !== undefined) l.mtu = raw.mtu;
  if (!settings.snapshot && state !== 'absent') {
    for (const [key, message] of staticLinkProblems(kind, raw.mtu, hasIpv6(raw.addresses))) e.problem(key, message);
  }
  if (macText !== undefined) l.mac = macText;
  if (master !== undefined) l.master = master;
  options(e, raw, l);
  vlans(e, raw, l);
  portOptions(e, raw, l);
  ipSettings(e, raw, l, INTERFACE_SETTINGS);
  if (settings.snapshot) {
    if (raw.managed) l.alias = OWNER_ALIAS;
  } else {
    l.addressesAuthoritative = raw.addresses !== undefined;
  }
  return e.ok ? l : undefined;
}

/**
 * `ipv4:` / `ipv6:` of an interface or the namespace, by the settings table
 * (netlink/rtnl/devconf.ts); what is left out is left alone.
 */
function ipSettings(e: Entry, raw: Record<string, unknown>, into: Link | NamespaceSettings, table: readonly IpSetting[]): void {
  for (const family of ['ipv4', 'ipv6'] as const) {
    const rawFamily = raw[family] as Record<string, unknown> | undefined;
    if (rawFamily === undefined || rawFamily === null || typeof rawFamily !== 'object') continue;
    const out: IpSettings = {};
    for (const s of table) {
      if (s.family !== family || rawFamily[s.key] === undefined) continue;
      const problem = valueProblem(s, rawFamily[s.key]);
      if (problem !== undefined) e.problem([family, s.key], problem);
      else out[s.field] = rawFamily[s.key] as IpSettings[string];
    }
    into[family] = out;
  }
}

/** The top-level `namespace:` section. */
export function normalizeNamespace(ctx: FileContext, raw: Record<string, unknown>): NamespaceSettings | undefined {
  const e = new Entry(ctx, []);
  e.start('namespace' as unknown as number);
  const ns: NamespaceSettings = {};
  ipSettings(e, raw, ns, NAMESPACE_SETTINGS);
  if (!e.ok) return undefined;
  const source = ctx.src.locate(['namespace']);
  if (source) ns.source = source;
  return ns;
}

/** Whether an interface's address list has an IPv6 address. */
function hasIpv6(raws: RawInterface['addresses']): boolean {
  return (raws ?? []).some((r) => {
    const text = typeof r === 'string' ? r : r?.address;
    return typeof text === 'string' && text.includes(':') && (typeof r === 'string' || r.state !== 'absent');
  });
}

/** The kind's own options, as the model holds them (its descriptor says how each is read). */
function options(e: Entry, raw: RawInterface, l: Link): void {
  const k = kindOf(l.kind);
  const rawOptions = k === undefined ? undefined : (raw[l.kind] as Record<string, unknown> | undefined);
  if (k === undefined || rawOptions === undefined || k.fields.length === 0) return;
  const kind = l.kind;
  const opts: LinkOptions = {};
  let vote: FamilyVote | undefined;
  for (const { option, field } of k.fields) {
    const v = rawOptions[option.key];
    if (v === undefined) continue;
    const at = [kind, option.key];
    switch (option.value) {
      case 'ifname': {
        const name = checkedName(e, v as string, at);
        if (field === k.peerField && name === raw.name) e.problem(at, `a ${kind} cannot be its own ${option.key}`);
        opts[field] = name ?? (v as string);
        break;
      }
      case 'address': {
        const a = e.ctx.values.address(v as string);
        if (a instanceof Bad) {
          e.problem(at, a.message);
          break;
        }
        if (vote === undefined) {
          vote = new FamilyVote(kind);
          vote.reset(undefined);
        }
        vote.add(e, a.family, at, option.key, v as string);
        opts[field] = a.text;
        break;
      }
      case 'table': {
        const t = table(v as string | number, e.ctx.settings.tables);
        if (t instanceof Bad) e.problem(at, t.message);
        else opts[field] = t;
        break;
      }
      default:
        opts[field] = v as string | number | boolean;
    }
  }
  l.options = opts;
}

/**
 * `vlans:` as the model keeps them: canonical (by VID, runs with the same
 * flags as ranges). A VID listed twice, a range as PVID or two PVIDs are
 * errors; which links may have VLANs is a cross-check (semantic.ts).
 */
function vlans(e: Entry, raw: RawInterface, l: Link): void {
  const list = raw.vlans as { vid: number | string; pvid?: boolean; untagged?: boolean }[] | undefined;
  if (list === undefined) return;
  const byVid = new Map<number, number>();
  let pvid: number | undefined;
  list.forEach((item, j) => {
    const m = typeof item.vid === 'number' ? [item.vid, item.vid] : /^(\d+)-(\d+)$/.exec(item.vid)?.slice(1).map(Number);
    const [lo, hi] = m ?? [0, 0];
    if (!(lo! >= VID_MIN && hi! <= VID_MAX && lo! <= hi!)) {
      e.problem(['vlans', j, 'vid'], `vid ${item.vid}: a VLAN id is ${VID_MIN}..${VID_MAX}, a range "A-B" with A < B`);
      return;
    }
    const bits = flagsOf(item as Vlan);
    if (bits & BRIDGE_VLAN_INFO_PVID) {
      if (hi! > lo!) e.problem(['vlans', j, 'pvid'], `a range (${item.vid}) cannot be the pvid`);
      else if (pvid !== undefined) e.problem(['vlans', j, 'pvid'], `only one VLAN can be the pvid; ${pvid} is already`);
      else pvid = lo;
    }
    for (let vid = lo!; vid <= hi!; vid++) {
      if (byVid.has(vid)) {
        e.problem(['vlans', j, 'vid'], `VLAN ${vid} is listed twice`);
        return;
      }
      byVid.set(vid, bits);
    }
  });
  l.vlans = compress(byVid);
}

/** A master's port settings (`bridge-port:`), as the model holds them; whether the master takes them is a cross-check. */
function portOptions(e: Entry, raw: RawInterface, l: Link): void {
  for (const p of PORT_KINDS) {
    const rawOptions = raw[p.role.key] as Record<string, unknown> | undefined;
    if (rawOptions === undefined) continue;
    const options: LinkOptions = {};
    for (const { option, field } of p.fields) if (rawOptions[option.key] !== undefined) options[field] = rawOptions[option.key] as string | number | boolean;
    l.port = { kind: p.kind, options };
  }
}

function addresses(ctx: FileContext, i: number, dev: string, raws: (string | RawAddressEntry)[], out: Address[]): void {
  const e = new Entry(ctx, ['interfaces', i, 'addresses']);
  const sourceOf = ctx.src.itemPositions(['interfaces', i, 'addresses'], raws);
  for (let j = 0; j < raws.length; j++) {
    e.start(j);
    const a = interfaceAddress(e, dev, raws[j]!);
    if (a) out.push(ctx.place(a, sourceOf, j));
  }
}

function interfaceAddress(e: Entry, dev: string, raw: string | RawAddressEntry): Address | undefined {
  const { settings } = e.ctx;
  const entry = typeof raw === 'string' ? undefined : raw;
  const text = entry ? entry.address : (raw as string);
  const at = entry ? 'address' : undefined;
  const p = e.ctx.values.prefix(text);
  if (p instanceof Bad) {
    e.problem(at, p.message);
    return undefined;
  }
  const family = p.family;
  const max = maxPrefixLen(family);
  const addr = prefixAddress(p);
  const a: Address = { dev, family, address: `${addr}/${p.len}` };
  if (entry?.peer !== undefined) {
    const peer = e.ctx.values.prefix(entry.peer);
    if (peer instanceof Bad) e.problem('peer', peer.message);
    else if (peer.family !== family) e.problem('peer', `peer ${entry.peer} is ${peer.family === 'ipv4' ? 'IPv4' : 'IPv6'} but the address is not`);
    else {
      if (p.explicitLen && peer.explicitLen && p.len !== peer.len) e.problem('peer', `the address and its peer share one prefix length; got /${p.len} and /${peer.len}`);
      // As the kernel reports it: the local address whole, the prefix length on the peer.
      const len = peer.explicitLen ? peer.len : p.explicitLen ? p.len : max;
      a.address = `${addr}/${max}`;
      a.peer = `${prefixAddress(peer)}/${len}`;
    }
  }
  if (entry) lifetimesAndFlags(e, entry, a, dev);
  if (settings.snapshot) {
    const proto = entry?.protocol === undefined ? settings.policy.protocol : protocol(entry.protocol, true);
    if (proto instanceof Bad) e.problem('protocol', proto.message);
    else if (proto !== 0) a.protocol = proto; // "unspec": none recorded
    a.kernelManaged = entry?.['kernel-managed'] === true;
    if (entry?.secondary) a.secondary = true;
    if (entry?.state !== undefined) a.state = entry.state;
  } else {
    // `protocol:` names the owner the address is expected to have (0,
    // "unspec": none recorded); another owner's is checked, not adopted.
    const proto = entry?.protocol === undefined ? settings.policy.protocol : protocol(entry.protocol, true);
    if (proto instanceof Bad) e.problem('protocol', proto.message);
    else a.protocol = proto;
    a.state = entry?.state ?? 'present';
  }
  a.validLifetime ??= 'forever';
  a.preferredLifetime ??= 'forever';
  return e.ok ? a : undefined;
}

function lifetimesAndFlags(e: Entry, entry: RawAddressEntry, a: Address, dev: string): void {
  if (entry.noprefixroute) a.noprefixroute = true;
  const valid = entry['valid-lifetime'] ?? 'forever';
  // Left open, the preferred lifetime follows the valid one (as iproute2 does).
  const preferred = entry['preferred-lifetime'] ?? valid;
  if (valid !== 'forever' && (preferred === 'forever' || preferred > valid)) {
    e.problem('preferred-lifetime', `preferred-lifetime ${preferred} is longer than valid-lifetime ${valid}`);
  }
  a.validLifetime = valid;
  a.preferredLifetime = preferred;
  if (entry.label !== undefined) {
    if (a.family !== 'ipv4') e.problem('label', 'label is for IPv4 addresses only');
    else if (!entry.label.startsWith(dev)) e.problem('label', `label "${entry.label}" must start with the interface name "${dev}"`);
    else if (Buffer.byteLength(entry.label) > 15) e.problem('label', `label "${entry.label}" is longer than 15 bytes`);
    else if (entry.label !== dev) a.label = entry.label;
  }
}
