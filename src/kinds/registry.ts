// The link kinds netrec models, in one list, and what the rest of netrec asks
// of them. Adding a kind is one new descriptor file plus one line here
// (docs/adding-a-link-kind.md). A link's kind is one of these, 'device' (a
// physical or foreign interface netrec configures but never creates), or
// 'other:KIND' (a kind netrec does not model, kept read-only).
import type { Link } from '../model/types.js';
import { bond } from './bond.js';
import { bridge } from './bridge.js';
import { dummy } from './dummy.js';
import { geneve } from './geneve.js';
import { gre } from './gre.js';
import { gretap } from './gretap.js';
import { ip6gre } from './ip6gre.js';
import { ip6gretap } from './ip6gretap.js';
import { ip6tnl } from './ip6tnl.js';
import { ipip } from './ipip.js';
import { ipvlan } from './ipvlan.js';
import { fieldOf, type KindLimits, type KindOption, type LinkKindDescriptor } from './kind.js';
import { macvlan } from './macvlan.js';
import { macvtap } from './macvtap.js';
import { sit } from './sit.js';
import { veth } from './veth.js';
import { vlan } from './vlan.js';
import { vrf } from './vrf.js';
import { vxlan } from './vxlan.js';

export { LinkCtx, fieldOf, type KindLimits, type KindOption, type LinkKindDescriptor, type OptionWord } from './kind.js';

/** Every modelled kind, in the order plans list their options. */
export const KINDS: readonly LinkKindDescriptor[] = [veth, bridge, vlan, vxlan, macvlan, bond, dummy, vrf, ipvlan, macvtap, gre, gretap, ip6gre, ip6gretap, ipip, sit, ip6tnl, geneve];

/** A kind with what follows from its descriptor, computed once. */
export interface Kind {
  d: LinkKindDescriptor;
  /** Model fields of the roles' options. */
  lowerField: string | undefined;
  peerField: string | undefined;
  tableField: string | undefined;
  /** Each option's model field, and whether it changes in place (its layout writes it on update). */
  fields: readonly { option: KindOption; field: string; mutable: boolean }[];
}

/** The kind of an interface declared as `device` or read without a kind: bounded by the device's own limits. */
export const DEVICE_LIMITS: KindLimits = { mtu: [0, 0], ethernet: false };

function compile(d: LinkKindDescriptor): Kind {
  const field = (key: string | undefined) => (key === undefined ? undefined : fieldOf(key));
  return {
    d,
    lowerField: field(d.lower?.key),
    peerField: field(d.peer?.key),
    tableField: field(d.master?.table),
    fields: d.options.map((option) => ({ option, field: fieldOf(option.key), mutable: d.layout.writes(fieldOf(option.key), 'update') })),
  };
}

const byKind = new Map<string, Kind>();
const byInfoKind = new Map<string, Kind>();
for (const d of KINDS) {
  if (byKind.has(d.kind) || d.kind === 'device' || d.kind.startsWith('other:')) throw new Error(`link kind ${d.kind} declared twice or reserved`);
  const k = compile(d);
  byKind.set(d.kind, k);
  byInfoKind.set(d.infoKind, k);
}

/** The kind a link is declared or read as; undefined for 'device' and 'other:*'. */
export function kindOf(kind: string): Kind | undefined {
  return byKind.get(kind);
}

/** The kind of an IFLA_INFO_KIND; undefined for kinds netrec does not model. */
export function kindOfInfoKind(infoKind: string): Kind | undefined {
  return byInfoKind.get(infoKind);
}

/** Kinds netrec creates and may delete; `device` and kinds it does not model are never deleted. */
export function isVirtual(kind: string): boolean {
  return byKind.has(kind);
}

/** The link an upper (a kind with a lower link) sits on, created before it. */
export function lowerOf(l: Link): string | undefined {
  const f = byKind.get(l.kind)?.lowerField;
  return f === undefined ? undefined : (l.options?.[f] as string | undefined);
}

/** The lower link the kernel deletes `l` with (not one it outlives). */
export function goesWithLower(l: Link): string | undefined {
  return byKind.get(l.kind)?.d.lower?.survives ? undefined : lowerOf(l);
}

/** A link's options once its lower link is gone (as a dump names it: without one). */
export function lowerWithout(l: Link): Link['options'] {
  const f = byKind.get(l.kind)?.lowerField;
  if (f === undefined || l.options === undefined) return l.options;
  const { [f]: _gone, ...rest } = l.options;
  return rest;
}

/** The other end a link of a paired kind names. */
export function peerOf(l: Link | undefined): string | undefined {
  const f = l === undefined ? undefined : byKind.get(l.kind)?.peerField;
  return f === undefined ? undefined : (l!.options?.[f] as string | undefined);
}

/** A link of `kind` made as the other end of `peer`: as the kernel makes it, down. */
export function peerLink(kind: string, name: string, peer: string): Link {
  const f = byKind.get(kind)!.peerField!;
  return { name, kind, state: 'down', options: { [f]: peer } };
}

/** The master role of a link's kind; undefined when links cannot be its members. */
export function masterRole(l: Link | undefined): LinkKindDescriptor['master'] {
  return l === undefined ? undefined : byKind.get(l.kind)?.d.master;
}

/** The table a master's members' routes go to (a vrf's). */
export function memberTable(master: Link | undefined): number | undefined {
  const f = master === undefined ? undefined : byKind.get(master.kind)?.tableField;
  return f === undefined ? undefined : (master!.options?.[f] as number | undefined);
}

/** The MTU and address limits of a kind ('device' and unmodelled kinds: the device's own, known from the kernel). */
export function limitsOf(kind: string): KindLimits {
  return byKind.get(kind)?.d.limits ?? DEVICE_LIMITS;
}

/** "a bridge, bond or vrf": the kinds that can be masters, for messages. */
export function masterKindsText(): string {
  const names = KINDS.filter((d) => d.master).map((d) => d.kind);
  return names.length < 2 ? `a ${names.join('')}` : `a ${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** Masters whose members have port settings of theirs: the kind and its port role. */
export const PORT_KINDS: readonly { kind: string; role: NonNullable<NonNullable<LinkKindDescriptor['master']>['port']>; fields: readonly { option: KindOption; field: string; mutable: boolean }[] }[] = KINDS.filter(
  (d) => d.master?.port !== undefined,
).map((d) => {
  const role = d.master!.port!;
  return { kind: d.kind, role, fields: role.options.map((option) => ({ option, field: fieldOf(option.key), mutable: role.layout.writes(fieldOf(option.key), 'update') })) };
});

/** The port role of a master kind (its kind name, or its IFLA_INFO_SLAVE_KIND with `bySlaveKind`). */
export function portKind(kind: string | undefined, bySlaveKind = false): (typeof PORT_KINDS)[number] | undefined {
  return kind === undefined ? undefined : PORT_KINDS.find((p) => (bySlaveKind ? p.role.slaveKind : p.kind) === kind);
}

/** Whether links of this kind, and their ports, have VLANs. */
export function hasVlans(kind: string | undefined): boolean {
  return kind !== undefined && byKind.get(kind)?.d.master?.vlans === true;
}
