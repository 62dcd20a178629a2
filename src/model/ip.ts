// Address text <-> bytes and canonical text. ipaddr.js does the parsing;
// IPv4 has a fast path because full routing tables are mostly IPv4.
import ipaddr from 'ipaddr.js';
import type { Family } from './types.js';

const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function familyOf(addr: string): Family | undefined {
  if (V4.test(addr)) return 'ipv4';
  if (addr.includes(':') && ipaddr.IPv6.isValid(addr)) return 'ipv6';
  return undefined;
}

/** Bytes of an address (4 or 16), or undefined when it is not an address. */
export function ipToBytes(addr: string): Uint8Array | undefined {
  const m = V4.exec(addr);
  if (m) return Uint8Array.of(+m[1]!, +m[2]!, +m[3]!, +m[4]!);
  if (!addr.includes(':') || !ipaddr.IPv6.isValid(addr)) return undefined;
  return Uint8Array.from(ipaddr.IPv6.parse(addr).toByteArray());
}

/** Canonical text of 4 or 16 bytes (RFC 5952 for IPv6). */
export function bytesToIp(b: Uint8Array, off = 0, len = b.length - off): string {
  if (len === 4) return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
  if (len === 16) return ipaddr.fromByteArray(Array.from(b.subarray(off, off + 16))).toString();
  throw new RangeError(`address of ${len} bytes`);
}

/** Canonical text of an address, or undefined when invalid. */
export function canonicalIp(addr: string): string | undefined {
  if (V4.test(addr)) return addr;
  const b = ipToBytes(addr);
  return b ? bytesToIp(b) : undefined;
}

export interface Prefix {
  family: Family;
  bytes: Uint8Array;
  len: number;
}

/** Parse "addr/len" or a bare address (full-length prefix). */
export function parsePrefix(text: string): Prefix | undefined {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const bytes = ipToBytes(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash < 0) return { family: bytes.length === 4 ? 'ipv4' : 'ipv6', bytes, len: max };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const len = Number(lenText);
  if (len > max) return undefined;
  return { family: bytes.length === 4 ? 'ipv4' : 'ipv6', bytes, len };
}

export function formatPrefix(p: Prefix): string {
  return `${bytesToIp(p.bytes)}/${p.len}`;
}

/** True when bits beyond the prefix length are set ("192.168.1.1/24"). */
export function hasHostBits(p: Prefix): boolean {
  for (let bit = p.len; bit < p.bytes.length * 8; bit++) {
    if (p.bytes[bit >> 3]! & (0x80 >> (bit & 7))) return true;
  }
  return false;
}

export function maxPrefixLen(f: Family): number {
  return f === 'ipv4' ? 32 : 128;
}

export function defaultPrefix(f: Family): string {
  return f === 'ipv4' ? '0.0.0.0/0' : '::/0';
}

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
