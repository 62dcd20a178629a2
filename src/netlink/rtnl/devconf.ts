// IP settings of the namespace and of each interface (contract section 7):
// the kernel's devconf. One table says, per setting, its config key, family,
// where the kernel keeps it (IPV4_DEVCONF_* / DEVCONF_* index, or its own
// attribute), its sysctl file, how its value reads (switch, names, number)
// and how netrec writes it (netlink where the kernel takes it, else the
// namespace's sysctl file). Decoding the link dump, encoding the link update,
// the sysctl writes, the planner's comparison, the plan's words, the config
// and `show` are all driven by it.
//
// IFLA_AF_SPEC of a link (if_link.h, devinet.c inet_fill_link_af,
// addrconf.c inet6_fill_link_af):
//   AF_INET  { IFLA_INET_CONF: u32[IPV4_DEVCONF_MAX], entry i is index i+1 }
//   AF_INET6 { IFLA_INET6_CONF: s32[DEVCONF_MAX], entry i is index i;
//              IFLA_INET6_ADDR_GEN_MODE: u8 }
// The namespace's forwarding is read with RTM_GETNETCONF for
// NETCONFA_IFINDEX_ALL (the "all" devconf, which ip_forward is).
// Written: AF_INET { IFLA_INET_CONF { INDEX: u32 } } (inet_set_link_af takes
// any index, one attribute each), AF_INET6 { IFLA_INET6_ADDR_GEN_MODE: u8 }.
// The kernel takes no other IPv6 setting over netlink.
import type { Family, IpSettings, Link, NamespaceSettings, SettingValue } from '../../model/types.js';
import { AF_INET, AF_INET6 } from '../constants.js';
import { findAttr, type Writer } from '../message.js';
import { fieldOf } from '../../kinds/kind.js';

export const IFLA_INET_CONF = 1;
export const IFLA_INET6_CONF = 2;
export const IFLA_INET6_ADDR_GEN_MODE = 8;
export const IPV4_DEVCONF_PROMOTE_SECONDARIES = 20;
/** RTM_GETNETCONF (linux/netconf.h): struct netconfmsg { u8 family } (4 bytes), then NETCONFA_*. */
export const NETCONFMSG_LEN = 4;
export const NETCONFA_IFINDEX = 1;
export const NETCONFA_FORWARDING = 2;
export const NETCONFA_IFINDEX_ALL = -1;

/** How a setting's value reads: a switch, names for numbers, or a number. */
export type ValueCodec =
  /** 0 false, 1 true; `levels`: further numbers the kernel knows (accept_ra 2), kept as numbers. */
  | { type: 'bool'; levels?: number }
  | { type: 'enum'; names: readonly string[] }
  | { type: 'int'; min: number; max: number };

export interface IpSetting {
  /** The namespace's own setting, or one each interface has. */
  scope: 'namespace' | 'interface';
  family: Family;
  /** Config key under `ipv4:` / `ipv6:` (kebab-case). */
  key: string;
  /** Model field: the camelCase of the key, derived (fieldOf). */
  field: string;
  /** The sysctl file: under net/FAMILY/conf/IFNAME/ for an interface, else the whole path under /proc/sys. */
  sysctl: string;
  /** IPV4_DEVCONF_* (1-based) / DEVCONF_* (0-based) index in the link dump's devconf array. */
  index?: number;
  /** A namespace setting's NETCONFA_* attribute in the RTM_GETNETCONF answer for NETCONFA_IFINDEX_ALL: how it is read. */
  netconf?: number;
  /** Written over netlink (RTM_SETLINK IFLA_AF_SPEC) or through the sysctl file. */
  write: 'netlink' | 'sysctl';
  value: ValueCodec;
  /**
   * A namespace setting whose write sets this field of every interface of
   * its family too (devinet.c inet_forward_change, addrconf.c
   * addrconf_fixup_forwarding).
   */
  rewrites?: string;
  /** The kernel's default for a new interface or namespace (docs). */
  defaultText: string;
  description: string;
}

const BOOL: ValueCodec = { type: 'bool' };

/** Every setting netrec manages, in config order. */
export const IP_SETTINGS: readonly IpSetting[] = ([
  { scope: 'namespace', family: 'ipv4', key: 'forwarding', sysctl: 'net/ipv4/ip_forward', netconf: NETCONFA_FORWARDING, write: 'sysctl', value: BOOL, rewrites: 'forwarding', defaultText: 'false',
    description: 'net.ipv4.ip_forward: route IPv4 between interfaces. Writing it sets every interface\'s ipv4.forwarding (and the default for new ones) to the same value.' },
  { scope: 'namespace', family: 'ipv6', key: 'forwarding', sysctl: 'net/ipv6/conf/all/forwarding', netconf: NETCONFA_FORWARDING, write: 'sysctl', value: BOOL, rewrites: 'forwarding', defaultText: 'false',
    description: 'net.ipv6.conf.all.forwarding: route IPv6 between interfaces. Writing it sets every interface\'s ipv6.forwarding (and the default for new ones) to the same value.' },
  { scope: 'interface', family: 'ipv4', key: 'forwarding', sysctl: 'forwarding', index: 1, write: 'netlink', value: BOOL, defaultText: 'net.ipv4.conf.default.forwarding',
    description: 'net.ipv4.conf.IF.forwarding: forward IPv4 packets received on this interface.' },
  { scope: 'interface', family: 'ipv4', key: 'rp-filter', sysctl: 'rp_filter', index: 8, write: 'netlink', value: { type: 'enum', names: ['off', 'strict', 'loose'] }, defaultText: 'net.ipv4.conf.default.rp_filter',
    description: 'net.ipv4.conf.IF.rp_filter: reverse path filter (the kernel applies the higher of this and net.ipv4.conf.all.rp_filter).' },
  { scope: 'interface', family: 'ipv4', key: 'proxy-arp', sysctl: 'proxy_arp', index: 3, write: 'netlink', value: BOOL, defaultText: 'false',
    description: 'net.ipv4.conf.IF.proxy_arp: answer ARP for addresses this host routes to.' },
  { scope: 'interface', family: 'ipv4', key: 'accept-local', sysctl: 'accept_local', index: 23, write: 'netlink', value: BOOL, defaultText: 'false',
    description: 'net.ipv4.conf.IF.accept_local: accept packets with a local source address.' },
  { scope: 'interface', family: 'ipv4', key: 'arp-ignore', sysctl: 'arp_ignore', index: 19, write: 'netlink', value: { type: 'int', min: 0, max: 8 }, defaultText: '0',
    description: 'net.ipv4.conf.IF.arp_ignore: which ARP requests to answer (0-3, 8).' },
  { scope: 'interface', family: 'ipv4', key: 'arp-announce', sysctl: 'arp_announce', index: 18, write: 'netlink', value: { type: 'int', min: 0, max: 2 }, defaultText: '0',
    description: 'net.ipv4.conf.IF.arp_announce: which source address ARP requests use (0-2).' },
  { scope: 'interface', family: 'ipv6', key: 'forwarding', sysctl: 'forwarding', index: 0, write: 'sysctl', value: BOOL, defaultText: 'net.ipv6.conf.default.forwarding',
    description: 'net.ipv6.conf.IF.forwarding: act as a router on this interface (no router advertisements are accepted, unless accept-ra is 2).' },
  { scope: 'interface', family: 'ipv6', key: 'accept-ra', sysctl: 'accept_ra', index: 3, write: 'sysctl', value: { type: 'bool', levels: 2 }, defaultText: 'true',
    description: 'net.ipv6.conf.IF.accept_ra: accept router advertisements (2: even when forwarding).' },
  { scope: 'interface', family: 'ipv6', key: 'autoconf', sysctl: 'autoconf', index: 5, write: 'sysctl', value: BOOL, defaultText: 'true',
    description: 'net.ipv6.conf.IF.autoconf: make addresses from prefixes in router advertisements (SLAAC).' },
  { scope: 'interface', family: 'ipv6', key: 'addr-gen-mode', sysctl: 'addr_gen_mode', write: 'netlink', value: { type: 'enum', names: ['eui64', 'none', 'stable-privacy', 'random'] }, defaultText: 'eui64',
    description: 'How the link-local (and SLAAC) interface identifier is made (IFLA_INET6_ADDR_GEN_MODE).' },
  { scope: 'interface', family: 'ipv6', key: 'disable', sysctl: 'disable_ipv6', index: 26, write: 'sysctl', value: BOOL, defaultText: 'net.ipv6.conf.default.disable_ipv6',
    description: 'net.ipv6.conf.IF.disable_ipv6: no IPv6 on this interface (its IPv6 addresses go).' },
] satisfies Omit<IpSetting, 'field'>[]).map((s) => ({ ...s, field: fieldOf(s.key) }));

export const INTERFACE_SETTINGS = IP_SETTINGS.filter((s) => s.scope === 'interface');
export const NAMESPACE_SETTINGS = IP_SETTINGS.filter((s) => s.scope === 'namespace');
const V4_NETLINK = INTERFACE_SETTINGS.filter((s) => s.family === 'ipv4');
const V6_CONF = INTERFACE_SETTINGS.filter((s) => s.family === 'ipv6' && s.index !== undefined);
const ADDR_GEN_MODE = INTERFACE_SETTINGS.find((s) => s.field === 'addrGenMode')!;

/** The plan's and the docs' name of a setting: `ipv4.rp-filter`. */
export function settingName(s: IpSetting): string {
  return `${s.family}.${s.key}`;
}

// ---- values -------------------------------------------------------------------

/** The model value of a kernel number. Numbers the codec has no word for stay numbers (shown and restored as they are). */
export function fromKernel(s: IpSetting, n: number): SettingValue {
  const v = s.value;
  if (v.type === 'bool') return n === 0 ? false : n === 1 ? true : n;
  if (v.type === 'enum') return v.names[n] ?? n;
  return n;
}

/** The kernel number of a model value. */
export function toKernel(s: IpSetting, value: SettingValue): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  const v = s.value;
  const i = v.type === 'enum' ? v.names.indexOf(value) : -1;
  if (i < 0) throw new Error(`${settingName(s)}: unknown value ${value}`);
  return i;
}

/** A config value's problem, or undefined when the value is one the setting takes. */
export function valueProblem(s: IpSetting, value: unknown): string | undefined {
  const v = s.value;
  if (v.type === 'bool') {
    if (typeof value === 'boolean') return undefined;
    if (v.levels !== undefined && Number.isInteger(value) && (value as number) >= 0 && (value as number) <= v.levels) return undefined;
    return `${settingName(s)} is true or false${v.levels !== undefined ? ` (or 0..${v.levels})` : ''}`;
  }
  if (v.type === 'enum') return typeof value === 'string' && v.names.includes(value) ? undefined : `${settingName(s)} is one of ${v.names.join(', ')}`;
  return Number.isInteger(value) && (value as number) >= v.min && (value as number) <= v.max ? undefined : `${settingName(s)} is a number from ${v.min} to ${v.max}`;
}

/** The JSON Schema of a setting's value. */
export function valueSchema(s: IpSetting): Record<string, unknown> {
  const v = s.value;
  const node: Record<string, unknown> = { description: s.description };
  if (v.type === 'bool') {
    if (v.levels === undefined) node.type = 'boolean';
    else Object.assign(node, { type: ['boolean', 'integer'], minimum: 0, maximum: v.levels });
  } else if (v.type === 'enum') node.enum = [...v.names];
  else Object.assign(node, { type: 'integer', minimum: v.min, maximum: v.max });
  return node;
}

/** A value as the plan shows it: the config's words (true, loose, 2). */
export function valueWord(v: SettingValue | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

export function settingValue(o: Link | NamespaceSettings | undefined, s: IpSetting): SettingValue | undefined {
  return o?.[s.family]?.[s.field];
}

/** A copy of `o` with one setting set. */
export function withSetting<T extends Link | NamespaceSettings>(o: T, s: IpSetting, value: SettingValue | undefined): T {
  const fam = { ...o[s.family] };
  if (value === undefined) delete fam[s.field];
  else fam[s.field] = value;
  return { ...o, [s.family]: fam };
}

// ---- RTM_GETNETCONF -------------------------------------------------------------

/** The request body for the namespace's ("all") netconf of a family. */
export function writeNetconfRequest(w: Writer, family: number): void {
  const h = w.struct(NETCONFMSG_LEN);
  w.buf[h] = family;
  w.s32(NETCONFA_IFINDEX, NETCONFA_IFINDEX_ALL);
}

/** The namespace settings of `family` an RTM_NEWNETCONF answer carries, into `out`. */
export function readNetconf(b: Buffer, off: number, end: number, family: Family, out: NamespaceSettings): void {
  for (const s of NAMESPACE_SETTINGS) {
    if (s.family !== family || s.netconf === undefined) continue;
    const a = findAttr(b, off + NETCONFMSG_LEN, end, s.netconf);
    if (a !== undefined && a.len >= 4) (out[family] ??= {})[s.field] = fromKernel(s, b.readInt32LE(a.at));
  }
}

// ---- the sysctl files ---------------------------------------------------------

/**
 * The sysctl file of a setting, under /proc/sys. The directory of an
 * interface is its name as it is: a vlan eth0.10 is conf/eth0.10 (only
 * sysctl(8), whose keys use '.' as the separator, writes it
 * net.ipv4.conf.eth0/10.forwarding). A name cannot hold a '/'.
 */
export function sysctlPath(s: IpSetting, ifname?: string): string {
  if (s.scope === 'namespace') return `/proc/sys/${s.sysctl}`;
  if (ifname === undefined || ifname.includes('/') || ifname === '.' || ifname === '..') throw new Error(`no sysctl directory for interface ${String(ifname)}`);
  return `/proc/sys/net/${s.family}/conf/${ifname}/${s.sysctl}`;
}

/** The text written to a sysctl file for a value. */
export function sysctlText(s: IpSetting, value: SettingValue): string {
  return `${toKernel(s, value)}\n`;
}

/** A value from a sysctl file's text. */
export function fromSysctl(s: IpSetting, text: string): SettingValue {
  const n = Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(n)) throw new Error(`${sysctlPath(s, 'IF')}: unexpected text ${JSON.stringify(text)}`);
  return fromKernel(s, n);
}

// ---- the link dump's IFLA_AF_SPEC ---------------------------------------------

type ConfReader = (b: Buffer, at: number) => IpSettings;

/**
 * A reader of a devconf array (IFLA_INET_CONF u32, IFLA_INET6_CONF s32)
 * generated from the table: one object literal with the table's fields in
 * its order, each read at its slot and turned into its value inline (this
 * runs for every link of every dump). `need`: the bytes it reads.
 */
function confReader(settings: readonly IpSetting[], read: 'readUInt32LE' | 'readInt32LE', base: number): { read: ConfReader; need: number } {
  const names: (readonly string[])[] = [];
  const fields = settings.map((s) => {
    const off = (s.index! - base) * 4;
    const n = `b.${read}(at + ${off})`;
    const v = s.value;
    let expr: string;
    if (v.type === 'bool') expr = `((n = ${n}) === 0 ? false : n === 1 ? true : n)`;
    else if (v.type === 'enum') {
      names.push(v.names);
      expr = `(names${names.length - 1}[n = ${n}] ?? n)`;
    } else expr = n;
    if (!/^[A-Za-z_$][\w$]*$/.test(s.field)) throw new Error(`bad field name ${s.field}`);
    return `${s.field}: ${expr}`;
  });
  const need = Math.max(...settings.map((s) => (s.index! - base) * 4 + 4));
  const body = `return function readConf(b, at) { let n; return { ${fields.join(', ')} }; };`;
  const make = new Function(...names.map((_, i) => `names${i}`), body) as (...n: (readonly string[])[]) => ConfReader;
  return { read: make(...names), need };
}

const V4_READ = confReader(V4_NETLINK, 'readUInt32LE', 1);
const V6_READ = confReader(V6_CONF, 'readInt32LE', 0);

/** The slow path for a devconf array shorter than the table needs (an older kernel): the settings it has. */
function readShortConf(settings: readonly IpSetting[], b: Buffer, at: number, len: number, signed: boolean, base: number): IpSettings {
  const out: IpSettings = {};
  for (const s of settings) {
    const off = (s.index! - base) * 4;
    if (len >= off + 4) out[s.field] = fromKernel(s, signed ? b.readInt32LE(at + off) : b.readUInt32LE(at + off));
  }
  return out;
}

/**
 * Read a link's IFLA_AF_SPEC into it: `ipv4` and `ipv6` with every setting
 * of the table (only the indices the table names are read), and
 * promoteSecondaries when set. A family the link has no devconf for (no
 * IPv6 on a link with an MTU below 1280) is left out.
 */
export function readAfSpec(b: Buffer, at: number, len: number, link: Link): void {
  const end = at + len;
  const inet = findAttr(b, at, end, AF_INET);
  const conf = inet === undefined ? undefined : findAttr(b, inet.at, inet.at + inet.len, IFLA_INET_CONF);
  if (conf !== undefined) {
    link.ipv4 = conf.len >= V4_READ.need ? V4_READ.read(b, conf.at) : readShortConf(V4_NETLINK, b, conf.at, conf.len, false, 1);
    const off = (IPV4_DEVCONF_PROMOTE_SECONDARIES - 1) * 4;
    if (conf.len >= off + 4 && b.readUInt32LE(conf.at + off) !== 0) link.promoteSecondaries = true;
  }
  const inet6 = findAttr(b, at, end, AF_INET6);
  if (inet6 === undefined) return;
  const conf6 = findAttr(b, inet6.at, inet6.at + inet6.len, IFLA_INET6_CONF);
  const v6: IpSettings = conf6 === undefined ? {} : conf6.len >= V6_READ.need ? V6_READ.read(b, conf6.at) : readShortConf(V6_CONF, b, conf6.at, conf6.len, true, 0);
  const mode = findAttr(b, inet6.at, inet6.at + inet6.len, IFLA_INET6_ADDR_GEN_MODE);
  if (mode !== undefined && mode.len >= 1) v6[ADDR_GEN_MODE.field] = fromKernel(ADDR_GEN_MODE, b[mode.at]!);
  link.ipv6 = v6;
}

/**
 * Write what a link update carries of the settings the kernel takes over
 * netlink: IPv4 devconf entries (and promote_secondaries) in one
 * IFLA_INET_CONF, the IPv6 address generation mode. Nothing when it carries
 * none.
 */
export function writeAfSpec(w: Writer, type: number, link: Link): void {
  const v4 = V4_NETLINK.filter((s) => link.ipv4?.[s.field] !== undefined);
  const mode = link.ipv6?.[ADDR_GEN_MODE.field];
  if (v4.length === 0 && link.promoteSecondaries === undefined && mode === undefined) return;
  const spec = w.beginNested(type);
  if (v4.length > 0 || link.promoteSecondaries !== undefined) {
    const inet = w.beginNested(AF_INET);
    const conf = w.beginNested(IFLA_INET_CONF);
    for (const s of v4) w.u32(s.index!, toKernel(s, link.ipv4![s.field]!));
    if (link.promoteSecondaries !== undefined) w.u32(IPV4_DEVCONF_PROMOTE_SECONDARIES, link.promoteSecondaries ? 1 : 0);
    w.endNested(conf);
    w.endNested(inet);
  }
  if (mode !== undefined) {
    const inet6 = w.beginNested(AF_INET6);
    w.u8(IFLA_INET6_ADDR_GEN_MODE, toKernel(ADDR_GEN_MODE, mode));
    w.endNested(inet6);
  }
  w.endNested(spec);
}

/** The settings of a link change written through sysctl files: path and text, in table order. */
export function sysctlWrites(o: Link | NamespaceSettings, names: readonly string[], ifname?: string): { setting: IpSetting; path: string; text: string }[] {
  const out: { setting: IpSetting; path: string; text: string }[] = [];
  const table = ifname === undefined ? NAMESPACE_SETTINGS : INTERFACE_SETTINGS;
  for (const s of table) {
    if (s.write !== 'sysctl' || !names.includes(settingName(s))) continue;
    const v = settingValue(o, s);
    if (v !== undefined) out.push({ setting: s, path: sysctlPath(s, ifname), text: sysctlText(s, v) });
  }
  return out;
}

/** The setting of a plan name, on interfaces or the namespace. */
export function settingNamed(name: string, scope: IpSetting['scope']): IpSetting | undefined {
  return IP_SETTINGS.find((s) => s.scope === scope && settingName(s) === name);
}
