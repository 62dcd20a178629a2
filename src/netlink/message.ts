// Netlink framing: message headers and attributes (TLVs), written into one
// growable buffer so a whole batch of requests is a single sendmsg, and read
// back with bounds checks so a bad message is a typed error, never a crash.
import { NLA_F_NESTED, NLA_HDRLEN, NLA_TYPE_MASK, NLMSG_HDRLEN } from './constants.js';
import { NetlinkParseError } from './errors.js';

export const align4 = (n: number): number => (n + 3) & ~3;

/** Builds netlink messages back to back. Little-endian host order (x86, arm64). */
export class Writer {
  buf: Buffer;
  off = 0;
  constructor(size = 4096) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Make room for n more bytes. */
  reserve(n: number): void {
    if (this.off + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.off + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.off);
    this.buf = next;
  }

  /** Start a message; returns its offset, to pass to end(). */
  begin(type: number, flags: number, seq: number, pid = 0): number {
    this.reserve(NLMSG_HDRLEN);
    const start = this.off;
    const b = this.buf;
    b.writeUInt32LE(0, start);
    b.writeUInt16LE(type, start + 4);
    b.writeUInt16LE(flags, start + 6);
    b.writeUInt32LE(seq >>> 0, start + 8);
    b.writeUInt32LE(pid >>> 0, start + 12);
    this.off += NLMSG_HDRLEN;
    return start;
  }

  /** Finish the message started at `start`: fill in its length. */
  end(start: number): void {
    this.buf.writeUInt32LE(this.off - start, start);
  }

  /** Zeroed fixed-size family header (ifinfomsg, rtmsg, ...); returns its offset. */
  struct(size: number): number {
    this.reserve(align4(size));
    const at = this.off;
    this.buf.fill(0, at, at + align4(size));
    this.off += align4(size);
    return at;
  }

  private attrHeader(type: number, payload: number): number {
    const total = align4(NLA_HDRLEN + payload);
    this.reserve(total);
    const at = this.off;
    this.buf.writeUInt16LE(NLA_HDRLEN + payload, at);
    this.buf.writeUInt16LE(type, at + 2);
    // zero the padding
    if (total > NLA_HDRLEN + payload) this.buf.fill(0, at + NLA_HDRLEN + payload, at + total);
    this.off += total;
    return at + NLA_HDRLEN;
  }

  u8(type: number, v: number): void {
    const at = this.attrHeader(type, 1);
    this.buf.writeUInt8(v, at);
  }
  u16(type: number, v: number): void {
    const at = this.attrHeader(type, 2);
    this.buf.writeUInt16LE(v, at);
  }
  /** Network byte order (ports, some protocol ids). */
  be16(type: number, v: number): void {
    const at = this.attrHeader(type, 2);
    this.buf.writeUInt16BE(v, at);
  }
  u32(type: number, v: number): void {
    const at = this.attrHeader(type, 4);
    this.buf.writeUInt32LE(v >>> 0, at);
  }
  s32(type: number, v: number): void {
    const at = this.attrHeader(type, 4);
    this.buf.writeInt32LE(v, at);
  }
  be32(type: number, v: number): void {
    const at = this.attrHeader(type, 4);
    this.buf.writeUInt32BE(v >>> 0, at);
  }
  u64(type: number, v: bigint): void {
    const at = this.attrHeader(type, 8);
    this.buf.writeBigUInt64LE(v, at);
  }
  flag(type: number): void {
    this.attrHeader(type, 0);
  }
  bytes(type: number, v: Uint8Array): void {
    const at = this.attrHeader(type, v.length);
    this.buf.set(v, at);
  }
  /** NUL-terminated string. */
  string(type: number, v: string): void {
    const len = Buffer.byteLength(v);
    const at = this.attrHeader(type, len + 1);
    this.buf.write(v, at, len, 'utf8');
    this.buf[at + len] = 0;
  }
  /**
   * Start a nested attribute; returns its offset, to pass to endNested().
   * `nested: false` for a payload of structs rather than attributes
   * (RTA_MULTIPATH), which iproute2 sends without NLA_F_NESTED.
   */
  beginNested(type: number, nested = true): number {
    this.reserve(NLA_HDRLEN);
    const at = this.off;
    this.buf.writeUInt16LE(nested ? type | NLA_F_NESTED : type, at + 2);
    this.off += NLA_HDRLEN;
    return at;
  }
  endNested(at: number): void {
    this.buf.writeUInt16LE(this.off - at, at);
  }

  /** The bytes written so far (a view, not a copy). */
  bytesView(): Buffer {
    return this.buf.subarray(0, this.off);
  }

  reset(): void {
    this.off = 0;
  }
}

/** One parsed message: a view into the receive buffer. */
export interface Message {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  buf: Buffer;
  /** Offset of the payload (after the 16-byte header). */
  off: number;
  /** End of the message (exclusive), within buf. */
  end: number;
}

/**
 * Split a buffer of back-to-back messages. Throws NetlinkParseError on a
 * length that is too short, runs past the buffer, or misaligns the next one.
 */
export function parseMessages(buf: Buffer, cb: (m: Message) => void): void {
  for (let off = 0; off < buf.length; ) {
    const m = emptyMessage();
    off = readMessage(buf, off, m);
    cb(m);
  }
}

/**
 * Fill `m` with the message at `off` (checked as parseMessages does) and
 * return where the next one starts. One Message can serve a whole dump
 * this way, where the caller is done with each before reading the next.
 */
export function readMessage(buf: Buffer, off: number, m: Message): number {
  if (buf.length - off < NLMSG_HDRLEN) throw new NetlinkParseError(`truncated message header at byte ${off} (${buf.length - off} bytes left)`);
  const len = u32At(buf, off);
  if (len < NLMSG_HDRLEN) throw new NetlinkParseError(`message length ${len} at byte ${off} is shorter than its header`);
  if (off + len > buf.length) throw new NetlinkParseError(`message at byte ${off} claims ${len} bytes, only ${buf.length - off} present`);
  m.type = u16At(buf, off + 4);
  m.flags = u16At(buf, off + 6);
  // Buffer's reader for the ids, which can exceed a small integer: byte reads allocated more there (measured).
  m.seq = buf.readUInt32LE(off + 8);
  m.pid = buf.readUInt32LE(off + 12);
  m.buf = buf;
  m.off = off + NLMSG_HDRLEN;
  m.end = off + len;
  return off + align4(len);
}

/**
 * Little-endian integers at `at`, for hot paths that have checked the
 * bounds already: Buffer's readers check them again, which shows in the
 * first (not yet optimised) pass over a full-table dump.
 */
export function u16At(b: Uint8Array, at: number): number {
  return b[at]! | (b[at + 1]! << 8);
}
export function u32At(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

const NO_BYTES = Buffer.alloc(0);

/** A Message to fill in (see parseMessages). */
export function emptyMessage(): Message {
  return { type: 0, flags: 0, seq: 0, pid: 0, buf: NO_BYTES, off: 0, end: 0 };
}

/** The length of the attribute at `off`, header included, checked against the header's size and `end`. */
export function attrLength(buf: Buffer, off: number, end: number): number {
  const len = buf.readUInt16LE(off);
  if (len < NLA_HDRLEN) throw new NetlinkParseError(`attribute length ${len} at byte ${off} is shorter than its header`);
  if (len > end - off) throw new NetlinkParseError(`attribute at byte ${off} claims ${len} bytes, only ${end - off} present`);
  return len;
}

/**
 * Walk the attributes in buf[off, end). The callback gets the attribute type
 * (flags masked off), the payload offset and the payload length. Throws
 * NetlinkParseError when an attribute is malformed.
 */
export function forEachAttr(buf: Buffer, off: number, end: number, cb: (type: number, at: number, len: number) => void): void {
  while (off + NLA_HDRLEN <= end) {
    const len = attrLength(buf, off, end);
    cb(buf.readUInt16LE(off + 2) & NLA_TYPE_MASK, off + NLA_HDRLEN, len - NLA_HDRLEN);
    off += align4(len);
  }
}

/** The payload (offset, length) of the first attribute of `type` in buf[off, end), walked as forEachAttr does; undefined when there is none. */
export function findAttr(buf: Buffer, off: number, end: number, type: number): { at: number; len: number } | undefined {
  while (off + NLA_HDRLEN <= end) {
    const len = attrLength(buf, off, end);
    if ((buf.readUInt16LE(off + 2) & NLA_TYPE_MASK) === type) return { at: off + NLA_HDRLEN, len: len - NLA_HDRLEN };
    off += align4(len);
  }
  return undefined;
}

/**
 * Read helpers that check the payload size first: the primitives of
 * rtnl/layout.ts's codecs, and of the few attributes read outside a
 * layout (extended ACKs).
 */
export function attrU8(buf: Buffer, at: number, len: number): number {
  need(len, 1, at);
  return buf[at]!;
}
export function attrU16(buf: Buffer, at: number, len: number): number {
  need(len, 2, at);
  return buf.readUInt16LE(at);
}
export function attrBe16(buf: Buffer, at: number, len: number): number {
  need(len, 2, at);
  return buf.readUInt16BE(at);
}
export function attrU32(buf: Buffer, at: number, len: number): number {
  need(len, 4, at);
  return buf.readUInt32LE(at);
}
export function attrS32(buf: Buffer, at: number, len: number): number {
  need(len, 4, at);
  return buf.readInt32LE(at);
}
export function attrU64(buf: Buffer, at: number, len: number): bigint {
  need(len, 8, at);
  return buf.readBigUInt64LE(at);
}
/** String payload, up to the first NUL. */
export function attrString(buf: Buffer, at: number, len: number): string {
  let end = at;
  const stop = at + len;
  while (end < stop && buf[end] !== 0) end++;
  return buf.toString('utf8', at, end);
}

/** Checks an attribute's payload has at least `size` bytes. */
export function need(len: number, size: number, at: number): void {
  if (len < size) throw new NetlinkParseError(`attribute at byte ${at} has ${len} bytes, needs ${size}`);
}
