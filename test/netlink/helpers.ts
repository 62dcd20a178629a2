// Shared pieces for the rtnetlink codec tests: a fixed name <-> ifindex
// table, hex fixtures, and requests turned into dump replies.
import assert from 'node:assert/strict';
import { NLM_F_MULTI } from '../../src/netlink/constants.js';
import { parseMessages, Writer, type Message } from '../../src/netlink/message.js';
import type { IndexName, NameIndex } from '../../src/netlink/rtnl/layout.js';

export const IFINDEX: Record<string, number> = { lo: 1, eth0: 2, eth1: 3, br0: 4, wan0: 5, lan0: 6, 'v-peer': 7, bond0: 8 };
export const DEVS = Object.keys(IFINDEX);

export const idx: NameIndex = {
  ifindex(name) {
    const i = IFINDEX[name];
    if (i === undefined) throw new Error(`no interface named ${name}`);
    return i;
  },
};

const byIndex = new Map(Object.entries(IFINDEX).map(([n, i]) => [i, n]));
export const names: IndexName = { name: (i) => byIndex.get(i) };

/** Bytes from hex written with spaces, newlines and `# comments` for reading. */
export function hex(text: string): Buffer {
  const digits = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  assert.match(digits, /^([0-9a-f]{2})*$/, 'fixture is not hex');
  return Buffer.from(digits, 'hex');
}

/** What `write` puts in a fresh Writer, as a copy. */
export function written(write: (w: Writer) => void): Buffer {
  const w = new Writer(64);
  write(w);
  return Buffer.from(w.bytesView());
}

/** The single message in `buf`. */
export function only(buf: Buffer): Message {
  const all: Message[] = [];
  parseMessages(buf, (m) => all.push(m));
  assert.equal(all.length, 1);
  return all[0]!;
}

/** A request as the kernel would send the same object back in a dump: same body, NLM_F_MULTI. */
export function asReply(request: Buffer): Message {
  const b = Buffer.from(request);
  b.writeUInt16LE(NLM_F_MULTI, 6);
  return only(b);
}

/** A message of `type` whose body `body` writes (the family header and attributes). */
export function message(type: number, body: (w: Writer) => void): Message {
  return only(
    written((w) => {
      const s = w.begin(type, NLM_F_MULTI, 1);
      body(w);
      w.end(s);
    }),
  );
}

/** An attribute tree: [type, payload as hex | nested attributes], siblings sorted. */
export type AttrNode = [number, string | AttrNode[]];

/** A payload as hex; a string without its NUL (iproute2 leaves it out of IFLA_INFO_KIND, the kernel takes both). */
function leaf(p: Buffer): string {
  const text = p.length > 1 && p[p.length - 1] === 0 && p.subarray(0, -1).every((c) => c >= 0x20 && c < 0x7f);
  return (text ? p.subarray(0, -1) : p).toString('hex');
}

/** The attributes in buf[off, end), when they fill it exactly (each at least a header); else undefined. */
function attrList(buf: Buffer, off: number, end: number): AttrNode[] | undefined {
  const out: AttrNode[] = [];
  while (off < end) {
    if (end - off < 4) return undefined;
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) return undefined;
    const type = buf.readUInt16LE(off + 2);
    const at = off + 4;
    // Nested: a payload that reads whole as attributes (iproute2 flags no nest,
    // netrec does: the flag is left out). A leaf keeps its whole type, so a
    // struct payload sent as a nest (NLA_F_NESTED on RTA_MULTIPATH) differs.
    const kids = len > 4 ? attrList(buf, at, off + len) : undefined;
    out.push(kids ? [type & 0x3fff, kids] : [type, leaf(buf.subarray(at, off + len))]);
    off += (len + 3) & ~3;
  }
  return out.sort((a, b) => a[0] - b[0] || (JSON.stringify(a[1]) < JSON.stringify(b[1]) ? -1 : 1));
}

/** The whole 16-bit type (flags included) of the top-level attribute `type` of a request, or undefined. */
export function rawAttrType(buf: Buffer, headerLen: number, type: number): number | undefined {
  for (let off = 16 + ((headerLen + 3) & ~3); off + 4 <= buf.readUInt32LE(0); ) {
    const len = buf.readUInt16LE(off);
    const t = buf.readUInt16LE(off + 2);
    if ((t & 0x3fff) === type) return t;
    if (len < 4) return undefined;
    off += (len + 3) & ~3;
  }
  return undefined;
}

/**
 * One rtnetlink request as a tree to compare with another: type, flags, the
 * family header (`headerLen` bytes: 16 ifinfomsg, 8 ifaddrmsg, 12 rtmsg or
 * fib_rule_hdr or ndmsg) and its attributes in any order; seq and pid left out.
 */
export function attrTree(buf: Buffer, headerLen = 16): { type: number; flags: number; header: string; attrs: AttrNode[] } {
  const len = buf.readUInt32LE(0);
  const attrs = attrList(buf, 16 + ((headerLen + 3) & ~3), len);
  assert.ok(attrs, 'the attributes fill the message');
  return { type: buf.readUInt16LE(4), flags: buf.readUInt16LE(6), header: buf.subarray(16, 16 + headerLen).toString('hex'), attrs };
}
