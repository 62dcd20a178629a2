// What a link kind is. Each kind is one descriptor (src/kinds/KIND.ts),
// listed once in registry.ts; everything else (the link codec, the config
// schema and normaliser, the semantic checks, ownership and ordering, the
// comparison, `show`, the MTU and address limits, the plan's words) asks the
// descriptors and names no kind. See docs/adding-a-link-kind.md.
import type { Link, LinkOptions } from '../model/types.js';
import { Ctx, type AttrLayout, type WriteOp } from '../netlink/rtnl/layout.js';

/** Codec context for links: ifindex references are kept as numbers until every link is known. */
export class LinkCtx extends Ctx {
  /** IFLA_LINK, or a kind's own lower-link attribute (IFLA_VXLAN_LINK). */
  linkIndex: number | undefined = undefined;
  masterIndex: number | undefined = undefined;
  /** IFLA_LINK_NETNSID: linkIndex counts in another namespace. */
  linkNetnsid: number | undefined = undefined;
  /** IFLA_INFO_KIND and where IFLA_INFO_DATA lies, while decoding IFLA_LINKINFO. */
  kindName: string | undefined = undefined;
  dataAt = -1;
  dataLen = 0;
  /** IFLA_INFO_SLAVE_KIND and where IFLA_INFO_SLAVE_DATA lies. */
  slaveKind: string | undefined = undefined;
  slaveAt = -1;
  slaveLen = 0;
  /** The kind IFLA_INFO_KIND named. */
  driver: LinkKindDescriptor | undefined = undefined;

  resetLink(op: WriteOp): this {
    this.reset(op, 0);
    this.linkIndex = this.masterIndex = this.linkNetnsid = undefined;
    this.kindName = this.driver = this.slaveKind = undefined;
    this.dataAt = this.slaveAt = -1;
    this.dataLen = this.slaveLen = 0;
    return this;
  }
}

/** How plans show an option, in iproute2's words (`ip -d link show`). */
export interface OptionWord {
  /** iproute2's keyword. */
  key: string;
  /** The value as iproute2 writes it: on/off, clock_t centiseconds from seconds, a table by name; default: as is. */
  text?: 'onoff' | 'centis' | 'table';
  /** A switch: on whole-object lines its keyword alone when on. */
  flag?: boolean;
  /** Shown on lines of deletes: what the link hangs on or is told apart by (peer, lower link, id, table). */
  onDelete?: boolean;
}

/** One option of a kind: config key, model field, schema, how it is read and shown. */
export interface KindOption {
  /** Config key (kebab-case). The model field is its camelCase (forward-delay: forwardDelay), as the layout names it. */
  key: string;
  /**
   * How the config value is read beyond the schema: an interface name, an IP
   * address (all of a kind's addresses share one family), or a routing table
   * (a number or a declared name). Default: as the schema checked it.
   */
  value?: 'ifname' | 'address' | 'table';
  /** The kind cannot be made without it (schema `required`, the normaliser's "kind K needs ..."). */
  required?: boolean;
  /** JSON Schema of the config value: description, type, bounds, enum. */
  schema: Readonly<Record<string, unknown>>;
  word: OptionWord;
  /**
   * For an option its layout writes on update: the values between which the
   * kernel's changelink takes it (`had` as the link has it, `want` as
   * declared). Other changes replace the link. Default: any.
   */
  inPlace?: (had: unknown, want: unknown) => boolean;
}

/**
 * A master's settings of each member as its port: the config key of the
 * options (`bridge-port`), IFLA_INFO_SLAVE_KIND, the options (as a kind's)
 * and IFLA_INFO_SLAVE_DATA as a layout over them (what the layout writes on
 * update changes in place). Written with an update of the member
 * (`ip link set dev PORT type bridge_slave ...`), read from the link dump.
 */
export interface PortRole {
  key: string;
  slaveKind: string;
  options: readonly KindOption[];
  layout: AttrLayout<LinkCtx>;
}

/** MTU range and address form of a kind's devices, as the kernel's setup function sets them. */
export interface KindLimits {
  /** dev->min_mtu, dev->max_mtu (max 0: none). */
  mtu: readonly [number, number];
  /** The MTU may not exceed its lower link's. */
  belowLower?: boolean;
  /** Its address is an Ethernet one: 6 bytes, unicast, not all zero (eth_prepare_mac_addr_change). */
  ethernet: boolean;
}

export interface LinkKindDescriptor {
  /** The kind as the config and the model name it (`kind: vlan`), also the key of its options (`vlan: {...}`). */
  kind: string;
  /** IFLA_INFO_KIND. */
  infoKind: string;
  /** The schema's description of the options key. */
  summary: string;
  /** The options, in the order the config, `show` and plans list them. */
  options: readonly KindOption[];
  /**
   * IFLA_INFO_DATA over Link.options. An entry's `on` says which writes carry
   * it, and so what changes in place: a field written on 'update' does, any
   * other is fixed at creation (a change replaces the link).
   */
  layout: AttrLayout<LinkCtx>;
  /**
   * It sits on a lower link named by option `key`; the kernel deletes it with
   * that link, unless `survives`: then it stays, naming a link that is gone
   * (IP tunnels keep their underlay's old ifindex). `iflaLink`: creation names
   * it in IFLA_LINK (else the layout has its own attribute). `required`: a
   * dump always names one ('' when it is in another namespace or gone).
   */
  lower?: { key: string; required: boolean; iflaLink: boolean; survives?: boolean };
  /** It is made in pairs: option `key` names the other end, made by the same request; dumps name it in IFLA_LINK. */
  peer?: { key: string };
  /**
   * Other links can be its members (`master:`). `cyclesMembers`: joining or
   * leaving takes the member down and up. `takesMemberAddress`: without an
   * address of its own it takes a member's. `table`: the option naming the
   * table its members' routes go to. `port`: its members' settings as its
   * ports. `vlans`: it and its ports have VLANs (netlink/rtnl/bridge-vlan.ts).
   */
  master?: { cyclesMembers?: boolean; takesMemberAddress?: boolean; table?: string; port?: PortRole; vlans?: boolean };
  /**
   * The device the kernel makes by itself in every namespace once the kind's
   * module is loaded: not netrec's, it can be neither deleted nor
   * reconfigured as its kind, so it reads as `other:KIND`, like a kind netrec
   * does not model.
   */
  fallback?: string;
  limits: KindLimits;
}

/** inPlace for an address: the kernel keeps the family it was made with. */
export function sameFamily(had: unknown, want: unknown): boolean {
  return typeof had === 'string' && typeof want === 'string' && had.includes(':') === want.includes(':');
}

/** The model field of a config key: forward-delay -> forwardDelay. */
export function fieldOf(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** One option value of a link, when it has it. */
export function optionValue(l: Link, key: string): unknown {
  return l.options?.[fieldOf(key)];
}

export type { LinkOptions };
