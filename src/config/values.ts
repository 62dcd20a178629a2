// Parsers for the values of the config format. Each returns the normalised
// value, or a Bad with the message when the text is wrong; the caller knows
// where the value was and reports it. Nothing is allocated on the good path
// beyond the value itself.
import { ethernetMacProblem } from './limits.js';
import { ADDRESS_PROTOCOL_NAMES, BUILTIN_TABLES, PROTOCOL_NAMES, TABLE_DEFAULT, TABLE_LOCAL, TABLE_MAIN } from '../model/constants.js';
import { canonicalIp, canonicalMac, ipv4Network, ipv4Text, isCanonicalIPv6Network, networkWithHostBits, parseIPv4, parseIPv4Prefix, prefixLength, type IPv4Out } from '../model/ip.js';
import type { Family } from '../model/types.js';
import { suggest } from './schema.js';

export class Bad {
  constructor(readonly message: string) {}
}

export const FAMILY_NAMES: Record<Family, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };

const IFNAME_FORBIDDEN = /[/:\s]/;
const NON_ASCII = /[^\x00-\x7f]/;
const CONTROL = /[\x00-\x1f\x7f]/;

export interface ParsedAddress {
  readonly family: Family;
  readonly text: string;
}

export interface ParsedPrefix {
  family: Family;
  len: number;
  /** False for a bare address (then len is the full length). */
  explicitLen: boolean;
  /** Canonical "addr/len". */
  text: string;
  /** IPv4: the address as a number; IPv6: -1. */
  v4: number;
}

/** The canonical address of a parsed prefix (without the length). */
export function prefixAddress(p: ParsedPrefix): string {
  return p.text.slice(0, p.text.indexOf('/'));
}

/**
 * The parsers of interface names and addresses, with what one load keeps
 * between values: the last good name and the last address (a device and a
 * gateway repeat on route after route), and the bytes an IPv6 address is
 * parsed into. Make one per load (or per test); never shared between loads.
 */
export class ValueParser {
  private lastName: string | undefined = undefined;
  private lastAddressText: string | undefined = undefined;
  private lastAddress: ParsedAddress | Bad = new Bad('');
  /** parseIPv6's output, reused: the values only ask whether text is canonical, and the network. */
  private readonly scratch = new Uint8Array(16);
  /** parseIPv4Prefix's output. */
  private readonly out: IPv4Out = { v4: 0 };

  /** Interface names as the kernel takes them: 1..15 bytes, no '/', ':' or whitespace, not '.' or '..'. */
  ifName(v: string): string | Bad {
    if (v === this.lastName) return v;
    const bytes = NON_ASCII.test(v) ? Buffer.byteLength(v) : v.length;
    if (bytes === 0 || bytes > 15) return new Bad(`interface name "${v}" is ${bytes} bytes long; the kernel allows 1 to 15`);
    if (CONTROL.test(v)) return new Bad(`interface name ${JSON.stringify(v)} must not contain control characters (the kernel ends a name at NUL)`);
    if (IFNAME_FORBIDDEN.test(v)) return new Bad(`interface name "${v}" must not contain '/', ':' or whitespace`);
    if (v === '.' || v === '..') return new Bad(`"${v}" is not a valid interface name`);
    return (this.lastName = v);
  }

  /** A bare address (no prefix length), canonical. */
  address(v: string): ParsedAddress | Bad {
    if (v !== this.lastAddressText) {
      this.lastAddress = this.parseAddress(v);
      this.lastAddressText = v;
    }
    return this.lastAddress;
  }

  private parseAddress(v: string): ParsedAddress | Bad {
    if (parseIPv4(v) >= 0) return { family: 'ipv4', text: v };
    if (v.includes('/')) return new Bad(`"${v}" must be an address without prefix length`);
    const text = canonicalIp(v, this.scratch);
    if (text === undefined) return new Bad(`"${v}" is not an IPv4 or IPv6 address`);
    return { family: 'ipv6', text };
  }

  /** "addr/len" or a bare address (the full length). */
  prefix(v: string): ParsedPrefix | Bad {
    let slash = -1; // the first '/': a loop is cheaper than indexOf on text this short
    for (let i = 0; i < v.length && slash < 0; i++) if (v.charCodeAt(i) === 47) slash = i;
    const end = slash < 0 ? v.length : slash;
    // IPv4 is parsed in place: most of a routing table is IPv4.
    const v4 = parseIPv4(v, 0, end);
    // The canonical address when the text's is not.
    let addr: string | undefined;
    if (v4 < 0) {
      const given = slash < 0 ? v : v.slice(0, end);
      const canonical = canonicalIp(given, this.scratch);
      if (canonical === undefined || !canonical.includes(':')) return new Bad(`"${v}" is not an IPv4 or IPv6 ${slash < 0 ? 'address' : 'prefix'}`);
      if (canonical !== given) addr = canonical;
    }
    const family: Family = v4 >= 0 ? 'ipv4' : 'ipv6';
    const max = v4 >= 0 ? 32 : 128;
    if (slash < 0) return { family, len: max, explicitLen: false, text: `${addr ?? v}/${max}`, v4 };
    let len = 0;
    const digits = v.length - slash - 1;
    for (let i = slash + 1; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 48 || c > 57 || digits > 3) return new Bad(`"${v}": the prefix length must be a number 0..${max}`);
      len = len * 10 + (c - 48);
    }
    if (digits === 0) return new Bad(`"${v}": the prefix length must be a number 0..${max}`);
    if (len > max) return new Bad(`"${v}": prefix length ${len} is too long for ${FAMILY_NAMES[family]} (at most ${max})`);
    // Most input is canonical already: keep its text rather than build another.
    const canonicalLen = digits === 1 || v.charCodeAt(slash + 1) !== 48;
    const text = addr === undefined ? (canonicalLen ? v : `${v.slice(0, slash)}/${len}`) : `${addr}/${len}`;
    return { family, len, explicitLen: true, text, v4 };
  }

  /** A destination-like prefix: no host bits. */
  networkPrefix(v: string): ParsedPrefix | Bad {
    const p = this.prefix(v);
    if (p instanceof Bad) return p;
    const net = p.v4 >= 0 ? (ipv4Network(p.v4, p.len) < 0 ? undefined : ipv4Text(ipv4Network(p.v4, p.len))) : networkWithHostBits(prefixAddress(p), p.len, this.scratch);
    if (net !== undefined) return new Bad(`"${v}" has host bits set; the network is ${net}/${p.len}`);
    return p;
  }

  /**
   * The family of `v` when it is a network prefix in canonical text
   * ("10.0.0.0/8", "2001:db8::/32"), which networkPrefix takes as it is;
   * else undefined. Most of a routing table is, and this tells without
   * building the prefix.
   */
  canonicalNetworkFamily(v: string): Family | undefined {
    const out = this.out;
    const len4 = parseIPv4Prefix(v, out);
    if (len4 >= 0) return ipv4Network(out.v4 >>> 0, len4) < 0 ? 'ipv4' : undefined;
    // The slash before a length of 1 to 3 digits (lastIndexOf is a runtime call, not a builtin).
    let slash = v.length - 2;
    while (slash > v.length - 5 && slash > 0 && v.charCodeAt(slash) !== 47) slash--;
    const len = prefixLength(v, slash);
    return len >= 0 && len <= 128 && isCanonicalIPv6Network(v, slash, len, this.scratch) ? 'ipv6' : undefined;
  }
}

/** A table name (declared or built in), or a number 1..2^32-1. */
export function table(v: string | number, names: ReadonlyMap<string, number>): number | Bad {
  if (typeof v === 'number' || /^\d+$/.test(v)) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff) return new Bad(`table ${v} is out of range (1..4294967295)`);
    return n;
  }
  const n = names.get(v);
  if (n !== undefined) return n;
  return new Bad(`unknown table "${v}"; declare it under tables: or use a number${suggest(v, [...names.keys()])}`);
}

export const BUILTIN_TABLE_NUMBERS = new Set([TABLE_DEFAULT, TABLE_MAIN, TABLE_LOCAL]);

export function builtinTables(): Map<string, number> {
  return new Map(Object.entries(BUILTIN_TABLES));
}

const PROTOCOL_NUMBERS = new Map(Object.entries(PROTOCOL_NAMES).map(([n, name]) => [name, Number(n)]));

/** IFA_PROTO values (iproute2's rt_addrprotos): addresses speak their own names. */
const ADDRESS_PROTOCOL_NUMBERS = new Map(Object.entries(ADDRESS_PROTOCOL_NAMES).map(([n, name]) => [name, Number(n)]));

/** A protocol number 0..255 from a number, "0x4e", "78" or a name. */
export function protocol(v: string | number, forAddress = false): number | Bad {
  let n: number | undefined;
  if (typeof v === 'number') n = v;
  else if (/^0x[0-9a-f]+$/i.test(v)) n = parseInt(v.slice(2), 16);
  else if (/^\d+$/.test(v)) n = Number(v);
  else n = (forAddress ? ADDRESS_PROTOCOL_NUMBERS : PROTOCOL_NUMBERS).get(v);
  if (n === undefined) {
    const names = [...(forAddress ? ADDRESS_PROTOCOL_NUMBERS : PROTOCOL_NUMBERS).keys()];
    return new Bad(`unknown protocol "${v}"${suggest(String(v), names)}`);
  }
  if (!Number.isInteger(n) || n < 0 || n > 255) return new Bad(`protocol ${v} is out of range (0..255)`);
  return n;
}

/** The name `show` prints for a protocol number (the number when it has none). */
export function protocolName(n: number, forAddress = false): string | number {
  return (forAddress ? ADDRESS_PROTOCOL_NAMES : PROTOCOL_NAMES)[n] ?? n;
}

/** "MARK" or "MARK/MASK" (hex or decimal), or a number. A full mask is left out, as the kernel reports it. */
export function fwmark(v: string | number): { mark: number; mask?: number } | Bad {
  const [markText, maskText] = typeof v === 'number' ? [String(v)] : v.split('/');
  const mark = u32(markText!);
  const mask = maskText === undefined ? 0xffffffff : u32(maskText);
  if (mark === undefined || mask === undefined) return new Bad(`fwmark "${v}" must be MARK or MARK/MASK with 32-bit numbers`);
  return mask === 0xffffffff ? { mark } : { mark, mask };
}

function u32(text: string): number | undefined {
  const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text.slice(2), 16) : /^\d+$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? n : undefined;
}

/** Canonical MAC; `ethernet` asks for 6 bytes and no multicast bit (what virtual interfaces take). */
export function mac(v: string, ethernet: boolean): string | Bad {
  const m = canonicalMac(v);
  if (!m) return new Bad(`"${v}" is not a MAC address (hex bytes separated by ':')`);
  if (ethernet) {
    const bad = ethernetMacProblem(v, m.split(':').map((h) => parseInt(h, 16)));
    if (bad) return new Bad(bad);
  }
  return m;
}

