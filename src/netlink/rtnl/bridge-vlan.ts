// VLANs of a bridge and of its ports (linux/if_bridge.h), carried in
// IFLA_AF_SPEC of AF_BRIDGE link messages: one IFLA_BRIDGE_VLAN_INFO
// (struct bridge_vlan_info { u16 flags; u16 vid; }) per VID, or a pair with
// RANGE_BEGIN / RANGE_END for a range. The model keeps a link's VLANs as
// the kernel's compressed dump gives them: by VID, each run of consecutive
// VIDs with the same flags as one range (a PVID always alone).
//
// Read: RTM_GETLINK dump of family AF_BRIDGE with RTEXT_FILTER_BRVLAN_COMPRESSED
// (a message per bridge, for its own VLANs, and per port). Written as
// `bridge vlan add|del` writes them: RTM_SETLINK adds or changes the flags
// of VIDs, RTM_DELLINK removes them, each with the VIDs that change only;
// BRIDGE_FLAGS_SELF says the bridge's own VLANs.
import type { Vlan } from '../../model/types.js';
import { AF_BRIDGE, NLM_F_ACK, NLM_F_REQUEST, RTM_DELLINK, RTM_SETLINK } from '../constants.js';
import { findAttr, forEachAttr, type Message, type Writer } from '../message.js';

const IFLA_AF_SPEC = 26;
export const IFLA_BRIDGE_FLAGS = 0;
export const IFLA_BRIDGE_VLAN_INFO = 2;
export const BRIDGE_FLAGS_SELF = 2;
export const BRIDGE_VLAN_INFO_PVID = 0x2;
export const BRIDGE_VLAN_INFO_UNTAGGED = 0x4;
export const BRIDGE_VLAN_INFO_RANGE_BEGIN = 0x8;
export const BRIDGE_VLAN_INFO_RANGE_END = 0x10;
/** IFLA_EXT_MASK bit: VLANs in the dump, consecutive ones as ranges. */
export const RTEXT_FILTER_BRVLAN_COMPRESSED = 1 << 2;
export const VID_MIN = 1;
export const VID_MAX = 4094;

/**
 * A VLAN entry, one row per field: its config key (the model field), the
 * flag bit that carries it (vid and end: the struct's vid), its schema and
 * its word in `bridge vlan` (a flag: the keyword alone when set).
 */
export interface VlanRow {
  field: keyof Vlan;
  bit?: number;
  schema: Readonly<Record<string, unknown>>;
  word: string;
}

export const VLAN_TABLE: readonly VlanRow[] = [
  {
    field: 'vid',
    schema: {
      description: 'A VLAN id 1..4094, or a range "A-B".',
      type: ['string', 'integer'],
      minimum: VID_MIN,
      maximum: VID_MAX,
      pattern: '^[0-9]{1,4}-[0-9]{1,4}$',
      errorMessage: 'vid is a VLAN id 1..4094 or a range A-B, like 20-29',
    },
    word: 'vid',
  },
  { field: 'pvid', bit: BRIDGE_VLAN_INFO_PVID, schema: { description: 'Untagged frames coming in get this VLAN (one per interface; not on a range).', type: 'boolean' }, word: 'pvid' },
  { field: 'untagged', bit: BRIDGE_VLAN_INFO_UNTAGGED, schema: { description: 'Frames of this VLAN leave untagged.', type: 'boolean' }, word: 'untagged' },
];

const FLAG_ROWS = VLAN_TABLE.filter((r) => r.bit !== undefined);

/** The config schema of `vlans:`, from the table. */
export const VLANS_SCHEMA = {
  description: "The bridge's own VLANs (on a bridge) or a bridge port's VLANs; authoritative when present: VLANs not listed are removed.",
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['vid'],
    properties: Object.fromEntries(VLAN_TABLE.map((r) => [r.field, r.schema])),
  },
} as const;

/** An entry's flag bits. */
export function flagsOf(v: Vlan): number {
  let bits = 0;
  for (const r of FLAG_ROWS) if (v[r.field]) bits |= r.bit!;
  return bits;
}

/** An entry of VIDs lo..hi with flag bits. */
function entry(lo: number, hi: number, bits: number): Vlan {
  const v: Vlan = { vid: lo };
  if (hi > lo) v.end = hi;
  for (const r of FLAG_ROWS) if (bits & r.bit!) (v as unknown as Record<string, unknown>)[r.field] = true;
  return v;
}

/** VID -> flag bits. */
export function expand(vlans: readonly Vlan[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const v of vlans) {
    const bits = flagsOf(v);
    for (let vid = v.vid; vid <= (v.end ?? v.vid); vid++) out.set(vid, bits);
  }
  return out;
}

/** The canonical list of VID -> flag bits: by VID, each run of consecutive VIDs with the same flags one range, a PVID alone. */
export function compress(byVid: ReadonlyMap<number, number>): Vlan[] {
  const vids = [...byVid.keys()].sort((a, b) => a - b);
  const out: Vlan[] = [];
  for (let i = 0; i < vids.length; ) {
    const lo = vids[i]!;
    const bits = byVid.get(lo)!;
    let hi = lo;
    if (!(bits & BRIDGE_VLAN_INFO_PVID)) {
      while (i + 1 < vids.length && vids[i + 1] === hi + 1 && byVid.get(vids[i + 1]!) === bits) hi = vids[++i]!;
    }
    i++;
    out.push(entry(lo, hi, bits));
  }
  return out;
}

export function canonicalVlans(vlans: readonly Vlan[]): Vlan[] {
  return compress(expand(vlans));
}

/** Whether two canonical lists are the same VLANs with the same flags. */
export function sameVlans(a: readonly Vlan[] | undefined, b: readonly Vlan[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v.vid === y[i]!.vid && v.end === y[i]!.end && flagsOf(v) === flagsOf(y[i]!));
}

/** What turns `have` into `want`: VIDs to add or give new flags (with the flags), VIDs to remove. Each canonical. */
export function vlanDelta(want: readonly Vlan[], have: readonly Vlan[] | undefined): { add: Vlan[]; del: Vlan[] } {
  const w = expand(want);
  const h = expand(have ?? []);
  const add = new Map<number, number>();
  const del = new Map<number, number>();
  for (const [vid, bits] of w) if (h.get(vid) !== bits) add.set(vid, bits);
  for (const vid of h.keys()) if (!w.has(vid)) del.set(vid, 0);
  return { add: compress(add), del: compress(del) };
}

/** An entry in `bridge vlan` words: "10 pvid untagged", "20-29". */
export function vlanText(v: Vlan): string {
  const words = [v.end === undefined ? String(v.vid) : `${v.vid}-${v.end}`];
  for (const r of FLAG_ROWS) if (v[r.field]) words.push(r.word);
  return words.join(' ');
}

/** A change of a link's VLANs: "+10 pvid untagged, +20-29, -1" (adds and new flags, then removals). */
export function vlanDeltaText(want: readonly Vlan[], have: readonly Vlan[] | undefined): string {
  const { add, del } = vlanDelta(want, have);
  return [...add.map((v) => `+${vlanText(v)}`), ...del.map((v) => `-${vlanText(v)}`)].join(', ');
}

// ---- wire ------------------------------------------------------------------

/** The VLANs of an IFLA_AF_SPEC payload (buf[at, end)); undefined when it has none. */
export function readVlans(b: Buffer, off: number, end: number): Vlan[] | undefined {
  let out: Vlan[] | undefined;
  let begin = -1;
  forEachAttr(b, off, end, (type, at, len) => {
    if (type !== IFLA_BRIDGE_VLAN_INFO || len < 4) return;
    const flags = b.readUInt16LE(at);
    const vid = b.readUInt16LE(at + 2);
    out ??= [];
    if (flags & BRIDGE_VLAN_INFO_RANGE_BEGIN) begin = vid;
    else if (flags & BRIDGE_VLAN_INFO_RANGE_END && begin >= 0) {
      out.push(entry(begin, vid, flags));
      begin = -1;
    } else out.push(entry(vid, vid, flags));
  });
  return out;
}

/**
 * One `bridge vlan add` (RTM_SETLINK) or `bridge vlan del` (RTM_DELLINK)
 * request for the link `ifindex`: a bridge's own VLANs (`self`) or a port's.
 */
export function writeVlans(w: Writer, op: 'add' | 'del', ifindex: number, self: boolean, vlans: readonly Vlan[], seq: number): void {
  const start = w.begin(op === 'add' ? RTM_SETLINK : RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, seq);
  const h = w.struct(16);
  w.buf[h] = AF_BRIDGE;
  w.buf.writeInt32LE(ifindex, h + 4);
  const spec = w.beginNested(IFLA_AF_SPEC, false); // as bridge(8) writes it
  if (self) w.u16(IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF);
  for (const v of vlans) {
    const bits = op === 'add' ? flagsOf(v) : 0;
    if (v.end === undefined) info(w, bits, v.vid);
    else {
      info(w, bits | BRIDGE_VLAN_INFO_RANGE_BEGIN, v.vid);
      info(w, bits | BRIDGE_VLAN_INFO_RANGE_END, v.end);
    }
  }
  w.endNested(spec);
  w.end(start);
}

function info(w: Writer, flags: number, vid: number): void {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(flags, 0);
  b.writeUInt16LE(vid, 2);
  w.bytes(IFLA_BRIDGE_VLAN_INFO, b);
}

/** An AF_BRIDGE link message of the VLAN dump: the link and its VLANs (undefined: the message names none). */
export function decodeBridgeVlans(m: Message): { ifindex: number; vlans: Vlan[] | undefined } | undefined {
  const b = m.buf;
  if (m.end - m.off < 16 || b[m.off] !== AF_BRIDGE) return undefined;
  const ifindex = b.readInt32LE(m.off + 4);
  const spec = findAttr(b, m.off + 16, m.end, IFLA_AF_SPEC);
  return { ifindex, vlans: spec === undefined ? undefined : readVlans(b, spec.at, spec.at + spec.len) };
}
