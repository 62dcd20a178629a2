// Address text <-> bytes on the hot path of full-table dumps and installs.
// Same results as model/ip.ts (ipaddr.js), which the tests check, but
// without regular expressions or intermediate arrays: a million routes
// carry two million addresses. Unusual spellings (zone ids, embedded IPv4
// in IPv6) fall back to model/ip.ts.
import { ipToBytes } from '../../model/ip.js';

/**
 * The characters of the text being formatted. The string is made from them
 * in one go: concatenating parts would allocate a string per part, and a
 * concatenation string that any map lookup must flatten first.
 * Room for the longest IPv6 address and "/128".
 */
const chars = Buffer.alloc(48);

/** The text written into `chars` (documented API only: this runs on stock distributions' Node). */
function text(end: number): string {
  return chars.toString('latin1', 0, end);
}

/** Canonical text of 4 or 16 bytes at `at`. */
export function formatIp(b: Uint8Array, at: number, len: 4 | 16): string {
  return text(putIp(b, at, len));
}

/** "address/bits" for the 4 or 16 bytes at `at`. */
export function formatPrefix(b: Uint8Array, at: number, len: 4 | 16, bits: number): string {
  let p = putIp(b, at, len);
  chars[p++] = 47; // '/'
  return text(putDecimal(p, bits));
}

/**
 * RFC 5952 text of the 16 bytes at `at`: lower-case hex without leading
 * zeros, the longest run of two or more zero groups (the first of equals)
 * as "::".
 */
export function formatIPv6(b: Uint8Array, at: number): string {
  return text(putIPv6(b, at));
}

function putIp(b: Uint8Array, at: number, len: 4 | 16): number {
  if (len === 16) return putIPv6(b, at);
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

function putIPv6(b: Uint8Array, at: number): number {
  let best = -1;
  let bestLen = 1;
  let run = -1;
  for (let i = 0; i < 8; i++) {
    if (b[at + 2 * i] === 0 && b[at + 2 * i + 1] === 0) {
      if (run < 0) run = i;
      if (i - run + 1 > bestLen) {
        best = run;
        bestLen = i - run + 1;
      }
    } else run = -1;
  }
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
 * formatIp that hands back the previous text while the same bytes come
 * again: the routes of a table mostly share a few gateways, and one string
 * for all of them is one allocation, and one string to compare.
 */
export class RepeatedAddressText {
  private readonly last = new Uint8Array(16);
  private lastLen = 0;
  private text = '';

  format(b: Uint8Array, at: number, len: 4 | 16): string {
    const last = this.last;
    let same = len === this.lastLen;
    for (let i = 0; same && i < len; i++) same = b[at + i] === last[i];
    if (same) return this.text;
    for (let i = 0; i < len; i++) last[i] = b[at + i]!;
    this.lastLen = len;
    return (this.text = formatIp(b, at, len));
  }
}

/** Bytes (4 or 16) of address text, or undefined when it is not an address. */
export function parseIp(text: string, from = 0, to = text.length): Uint8Array | undefined {
  for (let i = from; i < to; i++) {
    if (text.charCodeAt(i) === 58 /* : */) return parseIPv6(text, from, to) ?? ipToBytes(text.slice(from, to));
  }
  return parseIPv4(text, from, to);
}

/** Dotted quad, each part 0-255 without leading zeros. */
function parseIPv4(text: string, from: number, to: number): Uint8Array | undefined {
  const out = new Uint8Array(4);
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 46;
    if (c === 46 /* . */) {
      if (digits === 0 || part > 3) return undefined;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return undefined; // leading zero
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return undefined;
    } else return undefined;
  }
  return part === 4 ? out : undefined;
}

/** Hex groups with at most one "::". Anything else (IPv4 tail, zone id) gives undefined: the caller falls back. */
function parseIPv6(text: string, from: number, to: number): Uint8Array | undefined {
  const groups = new Uint16Array(8);
  let n = 0;
  let gap = -1;
  let i = from;
  if (to - from >= 2 && text.charCodeAt(i) === 58 && text.charCodeAt(i + 1) === 58) {
    gap = 0;
    i += 2;
  }
  while (i < to) {
    let value = 0;
    let digits = 0;
    for (; i < to; i++) {
      const c = text.charCodeAt(i);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      value = (value << 4) | d;
      if (++digits > 4) return undefined;
    }
    if (digits === 0 || n === 8) return undefined;
    groups[n++] = value;
    if (i === to) break;
    if (text.charCodeAt(i) !== 58) return undefined;
    i++;
    if (i < to && text.charCodeAt(i) === 58) {
      if (gap >= 0) return undefined;
      gap = n;
      i++;
    } else if (i === to) return undefined; // trailing single ":"
  }
  if (gap < 0 ? n !== 8 : n > 7) return undefined;
  const out = new Uint8Array(16);
  const tail = gap < 0 ? 0 : n - gap;
  for (let g = 0; g < n; g++) {
    const slot = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
    out[2 * slot] = groups[g]! >> 8;
    out[2 * slot + 1] = groups[g]! & 0xff;
  }
  return out;
}

/** "addr/len" (a bare address is full length): bytes and length, or undefined when invalid. */
export function parsePrefixText(text: string): { bytes: Uint8Array; len: number } | undefined {
  const slash = text.indexOf('/');
  const bytes = parseIp(text, 0, slash < 0 ? text.length : slash);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { bytes, len: max };
  const digits = text.length - slash - 1;
  if (digits < 1 || digits > 3) return undefined;
  let len = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
    len = len * 10 + (c - 48);
  }
  return len <= max ? { bytes, len } : undefined;
}
