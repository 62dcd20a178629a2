// Attribute layouts declared once, as data: attribute number, codec, model
// field. The same table drives the encoder and the decoder, so the two are
// mirror images and cannot drift. Decoding walks the attributes once and
// looks each one up by number in a dense array; codecs are shared
// singletons, so a message costs no closures.
import { AF_INET, AF_INET6, NLA_HDRLEN, NLA_TYPE_MASK } from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import { attrLength, type Writer } from '../message.js';
import { bytesToIp, bytesToMac, ipToBytes, macToBytes, parsePrefix } from '../../model/ip.js';

export type WriteOp = 'create' | 'replace' | 'update' | 'delete';

/** Name -> ifindex, for writes. Throws Error(`no interface named ${name}`) when unknown. */
export interface NameIndex {
  ifindex(name: string): number;
}

/** ifindex -> name, for reads; undefined when unknown. */
export interface IndexName {
  name(ifindex: number): string | undefined;
}

/**
 * What codecs may need beyond the attribute: the message's address length,
 * the name maps, prefix lengths from the family header. One instance per
 * module, reset per message (encode and decode are synchronous).
 */
export class Ctx {
  op: WriteOp = 'create';
  /** Bytes of an address in this message (4 or 16); 0 accepts either. */
  addrLen = 0;
  idx: NameIndex | undefined = undefined;
  names: IndexName | undefined = undefined;
  /** Set while decoding when an ifindex did not resolve to a name. */
  missing = false;
  /** Prefix lengths from the family header (rtmsg, fib_rule_hdr). */
  dstLen = 0;
  srcLen = 0;
  /** Prefix bytes parsed once by the header writer, reused by the attribute writer. */
  dstBytes: Uint8Array | undefined = undefined;
  srcBytes: Uint8Array | undefined = undefined;

  reset(op: WriteOp, addrLen: number): this {
    this.op = op;
    this.addrLen = addrLen;
    this.missing = false;
    this.dstLen = this.srcLen = 0;
    this.dstBytes = this.srcBytes = undefined;
    return this;
  }
}

/** One attribute's payload <-> one value. */
export interface Codec<T, C extends Ctx = Ctx> {
  /** The value, or undefined to store nothing. `target` is the object being decoded. */
  read(buf: Buffer, at: number, len: number, ctx: C, target: object): T | undefined;
  /** Write the attribute (or nothing, when the value belongs elsewhere). */
  write(w: Writer, type: number, value: T, ctx: C): void;
}

export interface AttrSpec<C extends Ctx = Ctx> {
  attr: number;
  /** Model field. Absent: the codec reads and writes the whole object (a nested group of fields). */
  field?: string;
  codec: Codec<any, C>;
  /** Operations that write it; default create, replace, update. */
  on?: readonly WriteOp[];
}

const OP_BIT: Record<WriteOp, number> = { create: 1, replace: 2, update: 4, delete: 8 };
const DEFAULT_OPS = OP_BIT.create | OP_BIT.replace | OP_BIT.update;

interface CompiledSpec<C extends Ctx> {
  attr: number;
  field: string | undefined;
  codec: Codec<any, C>;
  ops: number;
  /** Stores a decoded value in `field`. */
  set: ((target: object, value: unknown) => void) | undefined;
}

/**
 * A store into one named field, compiled once per layout entry: each has
 * its own inline cache, where `target[field] = v` with a varying field is a
 * megamorphic keyed store (a quarter slower on a full routing-table dump).
 * Falls back to the keyed store where code generation is disallowed.
 */
function fieldSetter(field: string): (target: object, value: unknown) => void {
  if (!/^[A-Za-z_$][\w$]*$/.test(field)) throw new Error(`bad field name ${field}`);
  try {
    return new Function('t', 'v', `t.${field} = v;`) as (target: object, value: unknown) => void;
  } catch {
    return (target, value) => {
      (target as Record<string, unknown>)[field] = value;
    };
  }
}

/** Keeps an attribute a layout does not name (decode's `unknown`). */
export type UnknownAttr = (target: object, type: number, buf: Buffer, at: number, len: number) => void;

export class AttrLayout<C extends Ctx = Ctx> {
  private readonly specs: CompiledSpec<C>[];
  private readonly byType: (CompiledSpec<C> | undefined)[];

  /** `unknown`: where decode keeps attributes not in `specs` (default: skipped). */
  constructor(specs: readonly AttrSpec<C>[], private readonly unknown?: UnknownAttr) {
    this.specs = specs.map((s) => ({
      attr: s.attr,
      field: s.field,
      codec: s.codec,
      ops: s.on ? s.on.reduce((m, op) => m | OP_BIT[op], 0) : DEFAULT_OPS,
      set: s.field === undefined ? undefined : fieldSetter(s.field),
    }));
    const max = Math.max(0, ...specs.map((s) => s.attr));
    this.byType = new Array<CompiledSpec<C> | undefined>(max + 1).fill(undefined);
    for (const s of this.specs) {
      if (this.byType[s.attr]) throw new Error(`attribute ${s.attr} declared twice`);
      this.byType[s.attr] = s;
    }
  }

  /** Write, in declaration order, every attribute whose field is set and that `ctx.op` writes. */
  encode(w: Writer, obj: object, ctx: C): void {
    const bit = OP_BIT[ctx.op];
    for (const s of this.specs) {
      if (!(s.ops & bit)) continue;
      const v = s.field === undefined ? obj : (obj as Record<string, unknown>)[s.field];
      if (v !== undefined) s.codec.write(w, s.attr, v, ctx);
    }
  }

  /** Whether `op` writes an attribute of model field `field` (for 'update': whether the field changes in place). */
  writes(field: string, op: WriteOp): boolean {
    return this.specs.some((s) => s.field === field && (s.ops & OP_BIT[op]) !== 0);
  }

  /** Read the attributes in buf[off, end) into `target`; attributes not in the layout are skipped. */
  decode(buf: Buffer, off: number, end: number, target: object, ctx: C): void {
    const byType = this.byType;
    while (end - off >= NLA_HDRLEN) {
      const len = attrLength(buf, off, end);
      const type = buf.readUInt16LE(off + 2) & NLA_TYPE_MASK;
      const spec = type < byType.length ? byType[type] : undefined;
      if (spec !== undefined) {
        const v = spec.codec.read(buf, off + NLA_HDRLEN, len - NLA_HDRLEN, ctx, target);
        if (v !== undefined && spec.set !== undefined) spec.set(target, v);
      } else if (this.unknown !== undefined) this.unknown(target, type, buf, off + NLA_HDRLEN, len - NLA_HDRLEN);
      off += (len + 3) & ~3;
    }
  }
}

export function need(len: number, size: number, at: number): void {
  if (len < size) throw new NetlinkParseError(`attribute at byte ${at} has ${len} bytes, needs ${size}`);
}

// ---- codecs ----------------------------------------------------------------

export const u8: Codec<number> = {
  read: (b, at, len) => (need(len, 1, at), b[at]!),
  write: (w, t, v) => w.u8(t, v),
};
export const u16: Codec<number> = {
  read: (b, at, len) => (need(len, 2, at), b.readUInt16LE(at)),
  write: (w, t, v) => w.u16(t, v),
};
export const u32: Codec<number> = {
  read: (b, at, len) => (need(len, 4, at), b.readUInt32LE(at)),
  write: (w, t, v) => w.u32(t, v),
};
export const s32: Codec<number> = {
  read: (b, at, len) => (need(len, 4, at), b.readInt32LE(at)),
  write: (w, t, v) => w.s32(t, v),
};
/** Network byte order (ports, ethertypes). */
export const be16: Codec<number> = {
  read: (b, at, len) => (need(len, 2, at), b.readUInt16BE(at)),
  write: (w, t, v) => w.be16(t, v),
};
/** A u8 that is 0 or 1. */
export const boolU8: Codec<boolean> = {
  read: (b, at, len) => (need(len, 1, at), b[at] !== 0),
  write: (w, t, v) => w.u8(t, v ? 1 : 0),
};
/** A u32 that is 0 or 1. */
export const boolU32: Codec<boolean> = {
  read: (b, at, len) => (need(len, 4, at), b.readUInt32LE(at) !== 0),
  write: (w, t, v) => w.u32(t, v ? 1 : 0),
};
/** NUL-terminated string. */
export const string: Codec<string> = {
  read: (b, at, len) => {
    let end = at;
    const stop = at + len;
    while (end < stop && b[end] !== 0) end++;
    return b.toString('utf8', at, end);
  },
  write: (w, t, v) => w.string(t, v),
};
/** Link-layer address, canonical lower-case text; an all-zero or empty one reads as absent. */
export const mac: Codec<string> = {
  read: (b, at, len) => {
    for (let i = at; i < at + len; i++) if (b[i] !== 0) return bytesToMac(b, at, len);
    return undefined;
  },
  write: (w, t, v) => w.bytes(t, macToBytes(v)),
};

/** An IP address of the message's family (ctx.addrLen), as canonical text. */
export const ip: Codec<string> = {
  read: (b, at, len, ctx) => readIp(b, at, len, ctx.addrLen),
  write: (w, t, v, ctx) => w.bytes(t, addressBytes(v, ctx.addrLen)),
};

/**
 * An IP address of exactly `n` bytes. Writing skips an address of the other
 * family, so a pair of attributes (IFLA_VXLAN_GROUP / GROUP6) shares one field.
 */
export function ipOfLen(n: 4 | 16): Codec<string> {
  return {
    read: (b, at, len) => readIp(b, at, len, n),
    write: (w, t, v) => {
      const bytes = addressBytes(v, 0);
      if (bytes.length === n) w.bytes(t, bytes);
    },
  };
}

/** A u32 in the kernel's clock_t (USER_HZ = 100, centiseconds) <-> seconds. */
export const centiseconds: Codec<number> = {
  read: (b, at, len) => (need(len, 4, at), b.readUInt32LE(at) / 100),
  write: (w, t, v) => w.u32(t, Math.round(v * 100)),
};

/** A numeric attribute with named values. Unknown numbers read as undefined; unknown names cannot be written. */
export function named<N extends string>(base: Codec<number>, names: Record<number, N>, what: string): Codec<N> {
  const byName = new Map<string, number>(Object.entries(names).map(([k, v]) => [v, Number(k)]));
  return {
    read: (b, at, len, ctx, target) => {
      const n = base.read(b, at, len, ctx, target);
      return n === undefined ? undefined : names[n];
    },
    write: (w, t, v, ctx) => {
      const n = byName.get(v);
      if (n === undefined) throw new Error(`unknown ${what} ${v}`);
      base.write(w, t, n, ctx);
    },
  };
}

/**
 * An ifindex attribute that reads into a Ctx slot (resolved to a name later)
 * and writes a name looked up in ctx.idx; '' writes 0 (none, e.g. release
 * from a master).
 */
export function indexRef<C extends Ctx>(slot: { [K in keyof C]: C[K] extends number | undefined ? K : never }[keyof C]): Codec<string, C> {
  return {
    read: (b, at, len, ctx) => {
      need(len, 4, at);
      (ctx as Record<keyof C, unknown>)[slot] = b.readUInt32LE(at);
      return undefined;
    },
    write: (w, t, v, ctx) => w.u32(t, v === '' ? 0 : ctx.idx!.ifindex(v)),
  };
}

/** An ifindex attribute resolved to a name right away through ctx.names (0 reads as absent). */
export const devName: Codec<string> = {
  read: (b, at, len, ctx) => {
    need(len, 4, at);
    return nameOf(b.readUInt32LE(at), ctx);
  },
  write: (w, t, v, ctx) => w.u32(t, ctx.idx!.ifindex(v)),
};

/** Name of ifindex `i`; marks ctx.missing when it is not known. 0 means none. */
export function nameOf(i: number, ctx: Ctx): string | undefined {
  if (i === 0) return undefined;
  const n = ctx.names!.name(i);
  if (n === undefined) ctx.missing = true;
  return n;
}

/** Fields of the same object kept in a nested attribute (RTA_METRICS, IFLA_INFO_DATA). Written only when one is set. */
export function group<C extends Ctx>(layout: AttrLayout<C>): Codec<object, C> {
  return {
    read: (b, at, len, ctx, target) => {
      layout.decode(b, at, at + len, target, ctx);
      return undefined;
    },
    write: (w, t, obj, ctx) => {
      const nest = w.beginNested(t);
      layout.encode(w, obj, ctx);
      if (w.off === nest + NLA_HDRLEN) w.off = nest;
      else w.endNested(nest);
    },
  };
}

// ---- addresses and prefixes ------------------------------------------------

export function readIp(b: Buffer, at: number, len: number, addrLen: number): string {
  checkIpLen(at, len, addrLen);
  return bytesToIp(b, at, len);
}

/** Checks an address attribute has `addrLen` bytes (0: 4 or 16). */
export function checkIpLen(at: number, len: number, addrLen: number): void {
  if (addrLen ? len !== addrLen : len !== 4 && len !== 16) {
    throw new NetlinkParseError(`address at byte ${at} has ${len} bytes, expected ${addrLen || '4 or 16'}`);
  }
}

/** Bytes of address text; Error when it is not an address of `addrLen` bytes (0: any). */
export function addressBytes(text: string, addrLen: number): Uint8Array {
  const bytes = ipToBytes(text);
  if (!bytes) throw new Error(`invalid address ${text}`);
  if (addrLen && bytes.length !== addrLen) throw new Error(`address ${text} is not ${addrLen === 4 ? 'IPv4' : 'IPv6'}`);
  return bytes;
}

/** Parse "addr/len" (or a bare address: full length) of `addrLen` bytes; Error when invalid. */
export function prefixBytes(text: string, addrLen: number): { bytes: Uint8Array; len: number } {
  const p = parsePrefix(text);
  if (!p) throw new Error(`invalid prefix ${text}`);
  if (addrLen && p.bytes.length !== addrLen) throw new Error(`prefix ${text} is not ${addrLen === 4 ? 'IPv4' : 'IPv6'}`);
  return p;
}

/** Address bytes for AF_INET / AF_INET6; 0 for other families. */
export function addrLenOf(af: number): number {
  return af === AF_INET ? 4 : af === AF_INET6 ? 16 : 0;
}

/** Checks the family header fits in the message. */
export function needHeader(len: number, size: number, what: string): void {
  if (len < size) throw new NetlinkParseError(`${what} message has ${len} bytes, its header needs ${size}`);
}
