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

/** One attribute of attrTree: its type (flags masked off) and payload, or its children when it is a nest. */
export interface AttrNode {
  type: number;
  hex?: string;
  children?: AttrNode[];
}

/**
 * A request as a tree to compare with another: message type and flags,
 * the family header (`headerLen` bytes) and the attributes, sorted by type
 * (order is free on the wire), descending into the top-level types in `nests`
 * (iproute2 leaves NLA_F_NESTED off some nests, so the flag decides
 * nothing). Sequence number, port id and lengths are left out.
 */
export function attrTree(buf: Buffer, headerLen: number, nests: readonly number[] = []): { type: number; flags: number; header: string; attrs: AttrNode[] } {
  const walk = (off: number, end: number, top: boolean): AttrNode[] => {
    const out: AttrNode[] = [];
    while (off + 4 <= end) {
      const len = buf.readUInt16LE(off);
      assert.ok(len >= 4 && off + len <= end, `bad attribute at byte ${off}`);
      const type = buf.readUInt16LE(off + 2) & 0x3fff;
      out.push(top && nests.includes(type) ? { type, children: walk(off + 4, off + len, false) } : { type, hex: buf.toString('hex', off + 4, off + len) });
      off += (len + 3) & ~3;
    }
    return out.sort((a, b) => a.type - b.type);
  };
  const end = buf.readUInt32LE(0);
  return { type: buf.readUInt16LE(4), flags: buf.readUInt16LE(6), header: buf.toString('hex', 16, 16 + headerLen), attrs: walk(16 + ((headerLen + 3) & ~3), end, true) };
}
