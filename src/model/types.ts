// The one model of network state. The config loader, the kernel reader, the
// planner, the renderers and `show` all speak these types, so there is one
// normaliser and one comparison. Field names follow the config format
// (contract section 2) in camelCase; renderers map them back to kebab-case.
//
// Canonical forms (see normalize.ts):
// - addresses: lower-case, compressed IPv6, no zone; prefixes as "addr/len";
//   a route destination "default" is stored as "0.0.0.0/0" or "::/0".
// - tables: numbers (254 main, 255 local, 253 default).
// - optional attributes are `undefined` when the kernel default applies.

export type Family = 'ipv4' | 'ipv6';

/** Where an object was declared: FILE:LINE:COL (1-based). */
export interface Source {
  file: string;
  line: number;
  col: number;
  /** In a fleet (contract section 8): the layer the file belongs to, `common`, `groups/NAME` or `hosts/HOST`. */
  layer?: string;
}

/**
 * A link's kind: 'device' (a physical or foreign interface netrec configures
 * but never creates), a kind of src/kinds/registry.ts,
 * or `other:KIND` for a kernel kind netrec does not model (read-only, kept
 * opaque). The model does not list the kinds: their descriptors do.
 */
export type LinkKind = string;

/**
 * The options of a link's kind, by model field (the camelCase of the config
 * key): which fields, and their types, are the kind's descriptor's
 * (src/kinds/KIND.ts). The config and `show` write them under the kind's
 * own key (`KIND: { KEY: VALUE }`).
 */
export type LinkOptions = Record<string, string | number | boolean | undefined>;

/** A member's port settings under its master's kind (`bridge-port:` for a bridge's ports). */
export interface PortOptions {
  kind: string;
  options: LinkOptions;
}

/** One VLAN entry: a VID, or the range vid..end, with its flags. */
export interface Vlan {
  vid: number;
  /** Last VID of a range (> vid). */
  end?: number;
  /** Untagged frames coming in get this VLAN (one per port). */
  pvid?: boolean;
  /** Frames leave the port untagged. */
  untagged?: boolean;
}

/** What the kernel reports of an existing device that bounds its settings (config/limits.ts checks against it). */
export interface DeviceLimits {
  /** IFLA_MIN_MTU, IFLA_MAX_MTU (0: no maximum). */
  minMtu?: number;
  maxMtu?: number;
  /** Bytes of its link-layer address (the length of IFLA_ADDRESS: dev->addr_len). */
  addrLen?: number;
  /** ifinfomsg.ifi_type (ARPHRD_*). */
  type?: number;
}

export interface Link {
  name: string;
  kind: LinkKind;
  /** Desired: up | down | absent. Actual: up | down (admin state, IFF_UP). */
  state: 'up' | 'down' | 'absent';
  mtu?: number;
  mac?: string; // lower-case aa:bb:cc:dd:ee:ff
  master?: string;
  /** The kind's options (see LinkOptions); undefined when none are set or known. */
  options?: LinkOptions;
  /**
   * A member's settings as a port of its master (`bridge-port:`), by model
   * field of the master kind's port options; `kind`: the master's kind.
   * Desired: compared as far as declared. Actual: as the kernel reports them
   * (IFLA_INFO_SLAVE_DATA).
   */
  port?: PortOptions;
  /**
   * VLANs of a bridge (its own, `self`) or of a bridge port, canonical
   * (netlink/rtnl/bridge-vlan.ts): by VID, runs of VIDs with the same flags
   * as one range. Desired: authoritative when set, left alone when
   * undefined. Actual: set on bridges and their ports.
   */
  vlans?: Vlan[];
  /**
   * Desired only: the interface lists `addresses:` and so owns its address
   * list (contract section 4). Actual: undefined.
   */
  addressesAuthoritative?: boolean;
  /**
   * Actual only: IFLA_IFALIAS. netrec marks the virtual interfaces it
   * creates with the alias OWNER_ALIAS, which survives restarts and is not
   * on a same-named interface that someone else makes later.
   */
  alias?: string;
  /**
   * Actual only: the link's IPv4 promote_secondaries (IFLA_INET_CONF), when
   * set. Without it, deleting a primary IPv4 address deletes the secondary
   * ones of its subnet too. Planned changes set it for the time of such a
   * delete; rollback puts it back.
   */
  promoteSecondaries?: boolean;
  /**
   * Per-interface IP settings (devconf; netlink/rtnl/devconf.ts's table), by
   * model field. Desired: only what is declared (the rest is left alone).
   * Actual: every setting of the table the kernel reports; undefined when
   * the link has no devconf of that family (IPv6 on a link with an MTU
   * below 1280).
   */
  ipv4?: IpSettings;
  ipv6?: IpSettings;
  /** Actual only: kernel index and operational state (IFLA_OPERSTATE name). */
  ifindex?: number;
  operState?: string;
  /** Actual only: what the kernel says bounds its MTU and address (config/limits.ts). */
  limits?: DeviceLimits;
  source?: Source;
}

export interface Address {
  dev: string;
  family: Family;
  /** "addr/len", canonical. */
  address: string;
  peer?: string; // "addr/len" or bare address (point-to-point)
  noprefixroute?: boolean;
  /** seconds, or 'forever' (the default). */
  validLifetime?: number | 'forever';
  preferredLifetime?: number | 'forever';
  label?: string; // IPv4 only
  /** IFA_PROTO (6.1+): who made it. */
  protocol?: number;
  /**
   * Actual only: an IPv4 address the kernel holds as secondary
   * (IFA_F_SECONDARY): another address of the same subnet on the link came
   * first and is its primary.
   */
  secondary?: boolean;
  /**
   * Actual only: the kernel manages this address (IPv6 link-local, SLAAC,
   * temporary, or a finite lifetime netrec did not write). Never pruned.
   */
  kernelManaged?: boolean;
  state?: 'present' | 'absent';
  source?: Source;
}

export type RouteType = 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local' | 'throw' | 'broadcast' | 'anycast' | 'multicast' | 'nat';
export type Scope = 'global' | 'link' | 'host' | 'site' | 'nowhere';

export interface Nexthop {
  via?: string;
  dev?: string;
  weight: number; // 1..256
  onLink?: boolean;
}

export interface Route {
  family: Family;
  table: number;
  /** "prefix/len", canonical; default is 0.0.0.0/0 or ::/0. */
  to: string;
  /** Normalised: IPv6 0 -> 1024; IPv4 default 0. */
  metric: number;
  /** IPv4 TOS; 0 when unset. */
  tos: number;
  type: RouteType;
  via?: string;
  dev?: string;
  scope?: Scope;
  /**
   * IPv6 source prefix (RTA_SRC, rtm_src_len): part of the identity of an
   * IPv6 route (config key `from:`). Undefined: any source (::/0).
   */
  from?: string;
  src?: string;
  mtu?: number;
  onLink?: boolean;
  nexthops?: Nexthop[];
  // Route metrics (RTA_METRICS) and preference: netlink/rtnl/route.ts's table
  // describes each (config name, wire form, default, comparison, words).
  // Undefined: the kernel default (none set).
  /** RTAX_LOCK bit of RTAX_MTU: path MTU discovery may not lower it. */
  mtuLock?: boolean;
  initcwnd?: number;
  initrwnd?: number;
  advmss?: number;
  hoplimit?: number;
  quickack?: boolean;
  /** RTAX_CC_ALGO: congestion control algorithm name. */
  congctl?: string;
  /** IPv6 router preference (RTA_PREF); undefined: medium, the kernel default. */
  pref?: 'low' | 'high';
  /**
   * Attributes the model does not name, kept as the kernel reported them so
   * that they are compared, shown and re-sent when netrec rewrites the route:
   * "N" (an RTA_* type) or "metrics.N" (an RTAX_* metric) -> payload as hex.
   * Sorted by key.
   */
  other?: Record<string, string>;
  /** RTA_NH_ID: the route goes through this nexthop object (config key `nexthop:`); excludes via, dev and nexthops. */
  nhid?: number;
  /** rtm_protocol (number). Desired: policy.protocol. */
  protocol: number;
  state?: 'present' | 'absent';
  source?: Source;
}

export type RuleAction = 'lookup' | 'blackhole' | 'unreachable' | 'prohibit' | 'goto' | 'nop';

export interface Rule {
  family: Family;
  priority: number;
  /** FIB_RULE_INVERT: the selectors must not match (`not`). */
  not?: boolean;
  from?: string; // prefix; undefined = all
  to?: string;
  iif?: string;
  oif?: string;
  /** Undefined: no fwmark selector. Mark 0 is kept only with an explicit mask (the kernel drops a bare mark 0). */
  fwmark?: number;
  fwmask?: number; // undefined with fwmark = 0xffffffff
  /** IPv4 TOS / IPv6 traffic class byte (fib_rule_hdr.tos). */
  tos?: number;
  /** FRA_DSCP: a 6-bit DSCP value. */
  dscp?: number;
  /** FRA_UID_RANGE: "start-end". */
  uidrange?: string;
  /** FRA_IP_PROTO: an IP protocol number. */
  ipproto?: number;
  /** FRA_SPORT_RANGE / FRA_DPORT_RANGE: "port" or "start-end". */
  sport?: string;
  dport?: string;
  /** FRA_L3MDEV: look up the table of the packet's L3 master device. */
  l3mdev?: boolean;
  suppressPrefixlength?: number;
  suppressIfgroup?: number;
  /** lookup table; 0 when the action needs none. */
  table: number;
  action: RuleAction;
  /** FRA_GOTO: the priority an action goto jumps to. */
  goto?: number;
  /**
   * FRA_* attributes netrec does not model, by attribute number: the payload
   * as hex. Read, shown, compared as part of the identity and re-sent.
   */
  attributes?: Record<string, string>;
  protocol: number;
  state?: 'present' | 'absent';
  source?: Source;
}

export interface Neighbor {
  dev: string;
  family: Family;
  address: string; // bare address, canonical
  lladdr?: string;
  /** NDA_PROTOCOL (5.2+). */
  protocol?: number;
  /** Actual: NUD state name (permanent, reachable, stale, noarp, ...). Desired: present | absent. */
  state?: string;
  source?: Source;
}

/** A member of a nexthop group: a nexthop object's id and its weight (1..256). */
export interface NexthopMember {
  id: number;
  weight: number;
}

/**
 * A kernel nexthop object (RTM_NEWNEXTHOP): a single next hop (gateway and
 * device, a device alone, or a blackhole) or a group of other nexthop
 * objects. Identity: its id. `Nexthop` is a hop of a multipath route.
 */
export interface NexthopObject {
  id: number;
  /** Single nexthops only (groups have none): from the gateway, else declared (iproute2's default: ipv4). */
  family?: Family;
  via?: string;
  dev?: string;
  onLink?: boolean;
  blackhole?: boolean;
  /** NHA_FDB: a nexthop for the bridge FDB (vxlan); read and kept, fixed at creation. */
  fdb?: boolean;
  /** Members, sorted by id. */
  group?: NexthopMember[];
  /** A resilient group (NHA_GROUP_TYPE resilient); undefined: a multipath group. Fixed at creation. */
  resilient?: boolean;
  /** NHA_RES_GROUP_BUCKETS of a resilient group; fixed at creation. Undefined: the kernel's default. */
  buckets?: number;
  /** NHA_RES_GROUP_IDLE_TIMER and NHA_RES_GROUP_UNBALANCED_TIMER of a resilient group, in seconds. */
  idleTimer?: number;
  unbalancedTimer?: number;
  /** NHA_* attributes netrec does not model, by attribute number: the payload as hex. Read, shown, compared and re-sent. */
  attributes?: Record<string, string>;
  /** nh_protocol: the owner. Desired: policy.protocol unless declared. */
  protocol: number;
  state?: 'present' | 'absent';
  source?: Source;
}

/** A setting's value: a switch, a name (rp-filter loose) or a number. */
export type SettingValue = boolean | number | string;

/** IP settings of one family by model field (netlink/rtnl/devconf.ts). */
export type IpSettings = Record<string, SettingValue>;

/**
 * The settings of the whole namespace (config `namespace:`): one object,
 * identity "namespace". Desired: what is declared. Actual: every setting.
 */
export interface NamespaceSettings {
  ipv4?: IpSettings;
  ipv6?: IpSettings;
  source?: Source;
}

/** A whole namespace's state, or a whole desired config. */
export interface State {
  /** The namespace's own settings; undefined: none declared (desired) or not read (a snapshot without them). */
  namespace?: NamespaceSettings;
  links: Link[];
  addresses: Address[];
  routes: Route[];
  rules: Rule[];
  neighbors: Neighbor[];
  nexthops: NexthopObject[];
}

/** Ownership and naming settings from the config (contract section 2, 4). */
export interface Policy {
  protocol: number;
  prune: boolean;
}

/** An object of a later fleet layer that replaced objects of earlier ones. */
export interface Override {
  type: ObjectType;
  id: string;
  layer: string;
  source?: Source;
  replaced: { layer: string; source?: Source }[];
}

/** What a fleet load adds to the Desired it makes. */
export interface FleetInfo {
  root: string;
  host: string;
  /** hosts/HOST/host.yaml, when there is one. */
  hostFile?: string;
  layers: { name: string; files: string[] }[];
  overrides: Override[];
}

/** A validated, normalised config. */
export interface Desired {
  state: State;
  policy: Policy;
  /** Declared table names (beyond main/local/default). */
  tables: Record<string, number>;
  /** The files it came from, in load order. */
  files: string[];
  /** Loaded from a fleet: for which host, from which layers, and what later layers replaced. */
  fleet?: FleetInfo;
}

export type ObjectType = 'namespace' | 'interface' | 'address' | 'route' | 'rule' | 'neighbor' | 'nexthop';

export function emptyState(): State {
  return { links: [], addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] };
}
