// IP addresses and prefixes: the one parser and formatter, for every form
// netrec uses. Text is read as inet_pton reads it (dotted quads without
// leading zeros, IPv6 with at most one "::" and an optional dotted IPv4
// tail; no zone ids); canonical text is what the kernel's addresses read
// back as: dotted quads, and RFC 5952 IPv6 (lower case, no leading zeros,
// the longest run of two or more zero groups, the first of equals, as "::",
// and no mixed notation). Bytes are what netlink carries; IPv4 is also an
// unsigned 32-bit number (the route table's map keys, the show sort).
//
// Full routing tables run through here a million addresses at a time, so
// nothing allocates but the result: parsers read a text range in place and
// write into bytes the caller passes (or a fresh array when it passes none),
// formatters build the string from bytes in one go.
import type { Family } from './types.js';

// ---- IPv4 ------------------------------------------------------------------

/**
 * The IPv4 address in s[from, to) as an unsigned number, or -1. Leading
 * zeros are refused (inet_pton does: they read as octal elsewhere), so a
 * valid text is canonical.
 */
export function parseIPv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? s.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || (i < to && ++dots > 3)) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else return -1;
  }
  return dots === 3 ? value : -1;
}

/** Dotted-quad text of an IPv4 address number. */
export function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** The IPv4 network of `v`/`len` when host bits are set, else -1. */
export function ipv4Network(v: number, len: number): number {
  const host = len >= 32 ? 0 : (v & (-1 >>> len)) >>> 0;
  return host === 0 ? -1 : v - host;
}

/** Where parseIPv4Prefix leaves the address it read. */
export interface IPv4Out {
  /** The address as a signed 32-bit integer: a small integer to V8 for most addresses, so a map key that costs no allocation. */
  v4: number;
}

/**
 * The prefix length of canonical IPv4 prefix text "a.b.c.d/len", the
 * address left in out.v4; -1 for anything else (IPv6, a bare address, or
 * text with leading zeros, which could name the same prefix twice). One
 * pass, no searches: the route table asks this of every route.
 */
export function parseIPv4Prefix(s: string, out: IPv4Out): number {
  let addr = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 1 && part === 0) return -1;
      part = part * 10 + c - 48;
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      addr = (addr << 8) | part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c === 47) break;
    else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  const len = prefixLength(s, i);
  if (len < 0 || len > 32) return -1;
  out.v4 = (addr << 8) | part;
  return len;
}

/**
 * The prefix length after the '/' at `slash`, written canonically (1 to 3
 * digits, no leading zero); -1 when there is no '/' there or it is not.
 */
export function prefixLength(s: string, slash: number): number {
  const digits = s.length - slash - 1;
  if (digits < 1 || digits > 3 || s.charCodeAt(slash) !== 47) return -1;
  let len = 0;
  for (let i = slash + 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (d === 0 && len === 0 && digits > 1)) return -1;
    len = len * 10 + d;
  }
  return len;
}

// ---- IPv6 ------------------------------------------------------------------

/** parseIPv6's answers. */
export const NOT_IPV6 = -1;
export const IPV6 = 0;
export const CANONICAL_IPV6 = 1;

/**
 * Parse the IPv6 address in s[from, to) into the 16 bytes of `out` at `at`,
 * in one pass (no searches, no fills: this runs for every IPv6 route).
 * Answers NOT_IPV6 (bytes undefined) when invalid, else IPV6; with
 * `canonical`, CANONICAL_IPV6 when the text is already canonical.
 */
export function parseIPv6(s: string, from: number, to: number, out: Uint8Array, at = 0, canonical = false): number {
  let minimal = true;
  let gap = -1;
  let n = 0;
  let i = from;
  // charCodeAt is never asked past the end: optimised code would slow down for all calls.
  if (to - from > 1 && s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return NOT_IPV6;
    gap = 0;
    i += 2;
  }
  while (i < to) {
    let v = 0;
    let j = i;
    for (; j < to; j++) {
      const c = s.charCodeAt(j);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      if (c <= 70 && c >= 65) minimal = false; // canonical text is lower case
      v = v * 16 + d;
    }
    if (j < to && s.charCodeAt(j) === 46) {
      // A dotted IPv4 tail: the last two groups, and never canonical text.
      const v4 = n > 6 ? -1 : parseIPv4(s, i, to);
      if (v4 < 0) return NOT_IPV6;
      out[at + 2 * n] = v4 >>> 24;
      out[at + 2 * n + 1] = (v4 >>> 16) & 255;
      out[at + 2 * n + 2] = (v4 >>> 8) & 255;
      out[at + 2 * n + 3] = v4 & 255;
      n += 2;
      minimal = false;
      break;
    }
    if (j === i || j - i > 4 || n === 8) return NOT_IPV6;
    if (j - i > 1 && s.charCodeAt(i) === 48) minimal = false;
    out[at + 2 * n] = v >> 8;
    out[at + 2 * n + 1] = v & 255;
    n++;
    if (j === to) break;
    if (s.charCodeAt(j) !== 58 || j + 1 === to) return NOT_IPV6;
    i = j + 1;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return NOT_IPV6;
      gap = n;
      i++;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return NOT_IPV6;
  const zeros = gap < 0 ? 0 : 8 - n;
  // Move the groups after "::" to the end and zero the gap.
  for (let b = at + 2 * n - 1; b >= at + 2 * gap && zeros > 0; b--) out[b + 2 * zeros] = out[b]!;
  for (let b = at + 2 * gap; b < at + 2 * (gap + zeros); b++) out[b] = 0;
  return canonical && minimal && longestZeroRun(out, at) === gap * 16 + zeros ? CANONICAL_IPV6 : IPV6;
}

/** The longest run of two or more zero groups of the 16 bytes at `at` (the first of equals) as start * 16 + length; -16 when none. */
function longestZeroRun(b: Uint8Array, at: number): number {
  let best = -1;
  let bestLen = 1;
  let run = -1;
  for (let g = 0; g < 8; g++) {
    if (b[at + 2 * g] === 0 && b[at + 2 * g + 1] === 0) {
      if (run < 0) run = g;
      if (g - run + 1 > bestLen) {
        best = run;
        bestLen = g - run + 1;
      }
    } else run = -1;
  }
  return best < 0 ? -16 : best * 16 + bestLen;
}

// ---- text -> bytes ---------------------------------------------------------

/** Bytes (4 or 16) of the address in text[from, to), or undefined when it is not an address. */
export function ipToBytes(text: string, from = 0, to = text.length): Uint8Array | undefined {
  // IPv6 text fails as IPv4 within its first group; IPv4 text is never IPv6 (it has no ':').
  const v = parseIPv4(text, from, to);
  if (v < 0) {
    const out = new Uint8Array(16);
    return parseIPv6(text, from, to, out) === NOT_IPV6 ? undefined : out;
  }
  const out = new Uint8Array(4);
  out[0] = v >>> 24;
  out[1] = (v >>> 16) & 255;
  out[2] = (v >>> 8) & 255;
  out[3] = v & 255;
  return out;
}

export function familyOf(addr: string): Family | undefined {
  if (parseIPv4(addr) >= 0) return 'ipv4';
  return addr.includes(':') && parseIPv6(addr, 0, addr.length, new Uint8Array(16)) !== NOT_IPV6 ? 'ipv6' : undefined;
}

export interface Prefix {
  family: Family;
  bytes: Uint8Array;
  len: number;
}

/** "addr/len" or a bare address (full length); the length may have leading zeros ("/08"). Undefined when invalid. */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const bytes = ipToBytes(text, 0, slash < 0 ? text.length : slash);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  const family: Family = max === 32 ? 'ipv4' : 'ipv6';
  if (slash < 0) return { family, bytes, len: max };
  const digits = text.length - slash - 1;
  if (digits < 1 || digits > 3) return undefined;
  let len = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    len = len * 10 + (c - 48);
  }
  return len <= max ? { family, bytes, len } : undefined;
}

// ---- bytes -> text ---------------------------------------------------------

/**
 * Scratch for the formatters: the string is made from these bytes in one
 * go, where concatenating parts would allocate a string per part and leave
 * a concatenation that any map lookup must flatten first. It carries
 * nothing from one call to the next (each call writes what it reads, and
 * runs to the end without yielding). Room for the longest IPv6 text and "/128".
 */
const chars = Buffer.alloc(48);

/** The text written into `chars` (documented API only: this runs on stock distributions' Node). */
function text(end: number): string {
  return chars.toString('latin1', 0, end);
}

/** Canonical text of the 4 or 16 bytes at `at`. */
export function bytesToIp(b: Uint8Array, at = 0, len = b.length - at): string {
  return text(putIp(b, at, len));
}

/** "address/bits" for the 4 or 16 bytes at `at`. */
export function formatPrefix(b: Uint8Array, at: number, len: number, bits: number): string {
  let p = putIp(b, at, len);
  chars[p++] = 47; // '/'
  return text(putDecimal(p, bits));
}

function putIp(b: Uint8Array, at: number, len: number): number {
  if (len === 16) return putIPv6(b, at);
  if (len !== 4) throw new RangeError(`address of ${len} bytes`);
  let p = putDecimal(0, b[at]!);
  for (let i = 1; i < 4; i++) {
    chars[p++] = 46; // '.'
    p = putDecimal(p, b[at + i]!);
  }
  return p;
}

/** Writes v (0-999) at p without leading zeros; returns the end. */
function putDecimal(p: number, v: number): number {
  if (v >= 100) chars[p++] = 48 + ((v / 100) | 0);
  if (v >= 10) chars[p++] = 48 + (((v / 10) | 0) % 10);
  chars[p++] = 48 + (v % 10);
  return p;
}

/** RFC 5952 text of the 16 bytes at `at`; returns the end. */
function putIPv6(b: Uint8Array, at: number): number {
  const run = longestZeroRun(b, at);
  const best = run >> 4;
  const bestLen = run & 15;
  let p = 0;
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      chars[p++] = 58; // ':'
      chars[p++] = 58;
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== best + bestLen) chars[p++] = 58;
    p = putHex(p, (b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!);
  }
  return p;
}

/** Writes v (0-0xffff) at p in lower-case hex without leading zeros; returns the end. */
function putHex(p: number, v: number): number {
  for (let shift = v >= 0x1000 ? 12 : v >= 0x100 ? 8 : v >= 0x10 ? 4 : 0; shift >= 0; shift -= 4) {
    const d = (v >> shift) & 0xf;
    chars[p++] = d < 10 ? 48 + d : 87 + d;
  }
  return p;
}

/**
 * bytesToIp that hands back the previous text while the same bytes come
 * again: the routes of a table mostly share a few gateways, and one string
 * for all of them is one allocation, and one string to compare.
 */
export class RepeatedAddressText {
  private readonly last = new Uint8Array(16);
  private lastLen = 0;
  private text = '';

  format(b: Uint8Array, at: number, len: number): string {
    const last = this.last;
    let same = len === this.lastLen;
    for (let i = 0; same && i < len; i++) same = b[at + i] === last[i];
    if (same) return this.text;
    const text = bytesToIp(b, at, len);
    for (let i = 0; i < len; i++) last[i] = b[at + i]!;
    this.lastLen = len;
    return (this.text = text);
  }
}

// ---- text -> canonical text ------------------------------------------------

/**
 * Canonical text of an IPv4 or IPv6 address (no prefix length), or
 * undefined; `s` itself when canonical already. `scratch` (16 bytes) spares
 * an allocation per IPv6 address to a caller that parses many.
 */
export function canonicalIp(s: string, scratch?: Uint8Array): string | undefined {
  if (parseIPv4(s) >= 0) return s; // a valid dotted quad has no leading zeros: it is canonical
  const b = scratch ?? new Uint8Array(16);
  const kind = parseIPv6(s, 0, s.length, b, 0, true);
  return kind === CANONICAL_IPV6 ? s : kind === IPV6 ? bytesToIp(b, 0, 16) : undefined;
}

/** Whether s[0, to) is an IPv6 address in canonical text with no bits set past the first `len`. */
export function isCanonicalIPv6Network(s: string, to: number, len: number, scratch?: Uint8Array): boolean {
  const b = scratch ?? new Uint8Array(16);
  return parseIPv6(s, 0, to, b, 0, true) === CANONICAL_IPV6 && !maskHostBits(b, 0, 16, len);
}

/** Clears the bits of the `size` bytes at `at` past the first `len`; true when any was set. */
function maskHostBits(b: Uint8Array, at: number, size: number, len: number): boolean {
  let changed = false;
  for (let i = len >> 3; i < size; i++) {
    const keep = len - i * 8; // the byte's bits inside the prefix (may be <= 0)
    const mask = keep <= 0 ? 0 : (0xff00 >> keep) & 0xff;
    if (b[at + i]! & ~mask) {
      b[at + i] = b[at + i]! & mask;
      changed = true;
    }
  }
  return changed;
}

/** True when bits beyond the prefix length are set ("192.168.1.1/24"). */
export function hasHostBits(p: Prefix): boolean {
  return maskHostBits(p.bytes.slice(), 0, p.bytes.length, p.len);
}

/** The prefix with the bits beyond its length cleared ("fd00::1/64" -> "fd00::/64"). */
export function prefixNetwork(p: Prefix): Prefix {
  const bytes = p.bytes.slice();
  maskHostBits(bytes, 0, bytes.length, p.len);
  return { family: p.family, bytes, len: p.len };
}

/**
 * For a canonical address and a prefix length: the network's canonical
 * text when bits beyond the length are set, else undefined.
 */
export function networkWithHostBits(canonical: string, len: number, scratch?: Uint8Array): string | undefined {
  const v4 = parseIPv4(canonical);
  if (v4 >= 0) {
    const net = ipv4Network(v4, len);
    return net < 0 ? undefined : ipv4Text(net);
  }
  const b = scratch ?? new Uint8Array(16);
  if (parseIPv6(canonical, 0, canonical.length, b) === NOT_IPV6) return undefined;
  return maskHostBits(b, 0, 16, len) ? bytesToIp(b, 0, 16) : undefined;
}

/** Hex of the address bytes (8 or 32 digits), so that text order is numeric order; the text itself if invalid. */
export function addressSortKey(s: string): string {
  const v4 = parseIPv4(s);
  if (v4 >= 0) return v4.toString(16).padStart(8, '0');
  const b = new Uint8Array(16);
  if (parseIPv6(s, 0, s.length, b) === NOT_IPV6) return s;
  let key = '';
  for (let i = 0; i < 16; i += 2) key += ((b[i]! << 8) | b[i + 1]!).toString(16).padStart(4, '0');
  return key;
}

export function maxPrefixLen(f: Family): number {
  return f === 'ipv4' ? 32 : 128;
}

export function defaultPrefix(f: Family): string {
  return f === 'ipv4' ? '0.0.0.0/0' : '::/0';
}

// ---- MAC addresses ---------------------------------------------------------

/** Canonical MAC: lower-case, colon-separated, two digits per byte. */
export function canonicalMac(mac: string): string | undefined {
  const parts = mac.split(/[:-]/);
  if (parts.length < 4 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) return undefined;
  return parts.map((p) => p.toLowerCase().padStart(2, '0')).join(':');
}

export function macToBytes(mac: string): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}

export function bytesToMac(b: Uint8Array, off = 0, len = b.length - off): string {
  let s = '';
  for (let i = 0; i < len; i++) s += (i ? ':' : '') + b[off + i]!.toString(16).padStart(2, '0');
  return s;
}
