// Attribute tables declared once, as data: per attribute its number, codec
// and model field, and what the rest of netrec needs to know about it: its
// config/plan name, its part in the object's identity, whether it changes
// in place, the kernel's value when it is absent, and iproute2's word for
// it. The same table drives the encoder and the decoder (mirror images that
// cannot drift), the planner's comparison and the plan's words. Decoding
// runs a function generated from the table when the layout is built: a
// switch over the attribute number with a direct store into each field, as
// fast as one written out by hand, without one to keep in step.
import { AF_INET, AF_INET6, NLA_HDRLEN, NLA_TYPE_MASK } from '../constants.js';
import { NetlinkParseError } from '../errors.js';
import { attrLength, attrS32, attrString, attrU16, attrU32, attrU8, attrBe16, need, type Writer } from '../message.js';
import { bytesToIp, bytesToMac, ipToBytes, macToBytes, parsePrefix } from '../../model/ip.js';

export { need } from '../message.js';

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
 * write call or per decoder (never shared between modules or calls in
 * flight), reset per message.
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

  /** Parse the message's source and destination prefixes once (either may be absent), for the header and attribute writers. */
  prefixes(from: string | undefined, to: string | undefined): this {
    if (from !== undefined) {
      const p = prefixBytes(from, this.addrLen);
      this.srcLen = p.len;
      this.srcBytes = p.bytes;
    }
    if (to !== undefined) {
      const p = prefixBytes(to, this.addrLen);
      this.dstLen = p.len;
      this.dstBytes = p.bytes;
    }
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

/**
 * An attribute's part in the object's identity. `key`: part of the kernel's
 * key (two objects that differ in it are two objects). `match`: not
 * identity, but the kernel matches a delete by it, so a delete names it.
 * `attr`: a setting. Key and match attributes are written on every
 * operation; settings on create, replace and update.
 */
export type Role = 'key' | 'match' | 'attr';

/**
 * How a desired value is compared with the kernel's. `declared`: only when
 * the desired object sets it (or the comparison is exact), otherwise it is
 * left as it is. `whole`: leaving it out means the kernel's value when it
 * is absent (`absent`), so a value to clear is a difference.
 */
export type Compare<T> = 'declared' | 'whole' | ((d: T, a: T, exact: boolean) => boolean);

/** How an attribute reads in a plan, in iproute2's words. */
export interface Shown<T> {
  /** iproute2's keyword ("via", "dev", "proto", "metric", "lladdr"...). */
  word: string;
  /** A switch: the keyword alone when on. */
  flag?: boolean;
  /** The value's text; default: String(value), true as "1". */
  text?(o: T): string | undefined;
  /** The value alone, without the keyword. */
  bare?: boolean;
  /** Left out of whole-object lines: a default iproute2 does not print either. */
  hide?(o: T): boolean;
}

export interface AttrSpec<C extends Ctx = Ctx, T = any> {
  /** Netlink attribute type; absent for a field of the family header (written and read by the object's own code). */
  attr?: number;
  /** Model field. Absent: the codec reads and writes the whole object (a nested group of fields). */
  field?: string;
  /** The codec reads and writes the whole object though the row names a field (fields kept together on the wire). */
  whole?: boolean;
  codec?: Codec<any, C>;
  /** A nested group (RTA_METRICS): its rows, compared and shown in this row's place. */
  rows?: readonly AttrSpec<C, T>[];
  /** Operations that write it; default from `role` (key and match: all; attr: create, replace, update). */
  on?: readonly WriteOp[];
  /** Config and plan name (AttrChange.attr). Absent: not compared or shown on its own (another row's second wire form). */
  name?: string;
  role?: Role;
  /** 'replace': fixed at creation, a change means delete + create. Default: changes in place. */
  change?: 'update' | 'replace' | ((o: T) => 'update' | 'replace');
  /** The kernel's value when the attribute is absent (false for a switch). */
  absent?: unknown;
  compare?: Compare<T>;
  show?: Shown<T>;
  /**
   * What an object rewritten over an existing one takes: 'desired' (the
   * default) the desired value when it has one other than `absent`;
   * 'kept' the desired value, else the existing one's.
   */
  merge?: 'desired' | 'kept';
  /** An optional setting most objects leave out: tested together on the planner's fast path, copied by name (copyNamed). */
  rare?: boolean;
}

const OP_BIT: Record<WriteOp, number> = { create: 1, replace: 2, update: 4, delete: 8 };
const DEFAULT_OPS = OP_BIT.create | OP_BIT.replace | OP_BIT.update;
const ALL_OPS = DEFAULT_OPS | OP_BIT.delete;

interface CompiledSpec<C extends Ctx> {
  attr: number;
  field: string | undefined;
  codec: Codec<any, C>;
  ops: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Keeps an attribute a layout does not name (decode's `unknown`). */
export type UnknownAttr = (target: object, type: number, buf: Buffer, at: number, len: number) => void;

type Decode<C> = (buf: Buffer, off: number, end: number, target: object, ctx: C) => void;

/**
 * The wire part of an attribute table: the rows with a netlink attribute
 * number, in the order they are written.
 */
export class AttrLayout<C extends Ctx = Ctx> {
  private readonly specs: CompiledSpec<C>[];
  /** Attribute numbers the layout reads. */
  readonly types: ReadonlySet<number>;
  /** Read the attributes in buf[off, end) into `target`; attributes not in the layout go to `unknown` (default: skipped). */
  readonly decode: Decode<C>;

  constructor(specs: readonly AttrSpec<C>[], unknown?: UnknownAttr) {
    this.specs = specs
      .filter((s) => s.attr !== undefined)
      .map((s) => ({
        attr: s.attr!,
        field: s.whole ? undefined : s.field,
        codec: s.codec!,
        ops: s.on ? s.on.reduce((m, op) => m | OP_BIT[op], 0) : s.role === 'key' || s.role === 'match' ? ALL_OPS : DEFAULT_OPS,
      }));
    const seen = new Set<number>();
    for (const s of this.specs) {
      if (seen.has(s.attr)) throw new Error(`attribute ${s.attr} declared twice`);
      if (!s.codec) throw new Error(`attribute ${s.attr} has no codec`);
      seen.add(s.attr);
    }
    this.types = seen;
    this.decode = compileDecode(this.specs, unknown);
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
}

/**
 * The decoder of a layout, generated from it: one `case` per attribute,
 * calling that attribute's codec (a constant of the generated function, so
 * each call site sees one codec) and storing into its field by name (each
 * store its own inline cache, where `target[field] = v` with a varying
 * field is a megamorphic keyed store: a quarter slower on a full
 * routing-table dump).
 */
function compileDecode<C extends Ctx>(specs: readonly CompiledSpec<C>[], unknown: UnknownAttr | undefined): Decode<C> {
  const lines: string[] = [];
  specs.forEach((s, i) => {
    if (s.field === undefined) {
      lines.push(`case ${s.attr}: c${i}.read(b, at, n, ctx, t); break;`);
      return;
    }
    if (!IDENTIFIER.test(s.field)) throw new Error(`bad field name ${s.field}`);
    lines.push(`case ${s.attr}: v = c${i}.read(b, at, n, ctx, t); if (v !== undefined) t.${s.field} = v; break;`);
  });
  if (unknown !== undefined) lines.push(`default: unknown(t, type, b, at, n);`);
  const body = `
    return function decode(b, off, end, t, ctx) {
      while (end - off >= ${NLA_HDRLEN}) {
        const len = attrLength(b, off, end);
        const at = off + ${NLA_HDRLEN};
        const n = len - ${NLA_HDRLEN};
        const type = b.readUInt16LE(off + 2) & ${NLA_TYPE_MASK};
        let v;
        switch (type) {
          ${lines.join('\n          ')}
        }
        off += (len + 3) & ~3;
      }
    };`;
  const names = ['attrLength', 'unknown', ...specs.map((_, i) => `c${i}`)];
  const values = [attrLength, unknown, ...specs.map((s) => s.codec)];
  return new Function(...names, body)(...values) as Decode<C>;
}

/** An object's table with its nested groups' rows in their place: the order of comparison and of the plan's words. */
export function flatRows<R extends AttrSpec<any, any>>(rows: readonly R[]): R[] {
  return rows.flatMap((r) => (r.rows ? flatRows(r.rows as readonly R[]) : [r]));
}

/** The row named `name` (an error when the table has none: a typo in a derived view fails at load). */
export function rowNamed<R extends AttrSpec<any, any>>(rows: readonly R[], name: string): R {
  const r = flatRows(rows).find((x) => x.name === name);
  if (!r) throw new Error(`no attribute named ${name}`);
  return r;
}

// ---- codecs ----------------------------------------------------------------

export const u8: Codec<number> = {
  read: attrU8,
  write: (w, t, v) => w.u8(t, v),
};
export const u16: Codec<number> = {
  read: attrU16,
  write: (w, t, v) => w.u16(t, v),
};
export const u32: Codec<number> = {
  read: attrU32,
  write: (w, t, v) => w.u32(t, v),
};
export const s32: Codec<number> = {
  read: attrS32,
  write: (w, t, v) => w.s32(t, v),
};
/** Network byte order (ports, ethertypes). */
export const be16: Codec<number> = {
  read: attrBe16,
  write: (w, t, v) => w.be16(t, v),
};
/** Network byte order u32 (GRE keys, flow labels). */
export const be32: Codec<number> = {
  read: (b, at, len) => (need(len, 4, at), b.readUInt32BE(at)),
  write: (w, t, v) => w.be32(t, v),
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
  read: attrString,
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

/**
 * A tunnel endpoint of exactly `n` bytes; the unspecified address (0.0.0.0,
 * ::), which the kernel reports for "any", reads as absent. `other`: an
 * address of the other family is skipped (the pair's other attribute
 * carries it) or refused.
 */
export function endpoint(n: 4 | 16, other: 'skip' | 'refuse'): Codec<string> {
  return {
    read: (b, at, len) => {
      checkIpLen(at, len, n);
      for (let i = at; i < at + len; i++) if (b[i] !== 0) return bytesToIp(b, at, len);
      return undefined;
    },
    write: (w, t, v) => {
      const bytes = addressBytes(v, other === 'refuse' ? n : 0);
      if (bytes.length === n) w.bytes(t, bytes);
    },
  };
}

/**
 * A setting netrec does not model, written with a fixed value on every
 * write that carries the kind's data (as iproute2 writes its defaults), for
 * a row without a field: a kind whose changelink rebuilds its whole
 * configuration from the request gets the same value at creation and at
 * every change. Reads nothing.
 */
export function constant<T>(base: Codec<T>, value: T): Codec<object> {
  return {
    read: () => undefined,
    write: (w, t, _obj, ctx) => base.write(w, t, value, ctx),
  };
}

/**
 * A setting fixed at creation that a kind's changelink still needs in every
 * request (it rebuilds the whole configuration from the request alone), for
 * a `whole` row naming `field`: every write carries it, while the layout
 * does not count it among what changes in place, so a change of it replaces
 * the link.
 */
export function restated<C extends Ctx>(field: string, base: Codec<any, C>): Codec<object, C> {
  return {
    read: (b, at, len, ctx, target) => {
      const v = base.read(b, at, len, ctx, target);
      if (v !== undefined) (target as Record<string, unknown>)[field] = v;
      return undefined;
    },
    write: (w, t, obj, ctx) => {
      const v = (obj as Record<string, unknown>)[field];
      if (v !== undefined) base.write(w, t, v, ctx);
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

// ---- attributes an object's table does not name -----------------------------

/** An object that keeps the attributes its table does not name: number -> payload as hex. */
export interface KeepsAttributes {
  attributes?: Record<string, string>;
}

/** The kept attributes' numbers, in order. */
function keptTypes(o: KeepsAttributes): string[] {
  return Object.keys(o.attributes!).sort((a, b) => Number(a) - Number(b));
}

/** The kept attributes, re-sent as they came, for a `whole` row in slot 0 (reads nothing: see readKept). */
export const keptAttributes: Codec<KeepsAttributes> = {
  read: () => undefined,
  write: (w, _t, o) => {
    if (!o.attributes) return;
    for (const type of keptTypes(o)) w.bytes(Number(type), Buffer.from(o.attributes[type]!, 'hex'));
  },
};

/** The kept attributes in iproute2's words for an unknown one ("attr 40 0x09000000"), or undefined. */
export function keptText(o: KeepsAttributes): string | undefined {
  return o.attributes === undefined ? undefined : keptTypes(o).map((t) => `attr ${t} 0x${o.attributes![t]}`).join(' ');
}

/**
 * Keeps the attributes in buf[off, end) that the layout does not read
 * (`modelled`), by number as hex, except those `dropped` says the kernel
 * adds without being asked (defaults, statistics).
 */
export function readKept(b: Buffer, off: number, end: number, o: KeepsAttributes, modelled: ReadonlySet<number>, dropped: (type: number, payload: Buffer) => boolean): void {
  while (end - off >= NLA_HDRLEN) {
    const len = attrLength(b, off, end);
    const type = b.readUInt16LE(off + 2) & NLA_TYPE_MASK;
    if (!modelled.has(type)) {
      const payload = b.subarray(off + NLA_HDRLEN, off + len);
      if (!dropped(type, payload)) (o.attributes ??= {})[type] = payload.toString('hex');
    }
    off += (len + 3) & ~3;
  }
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
