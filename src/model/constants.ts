// Numbers from the kernel uapi and iproute2 that the model speaks in.

/** netrec's default ownership marker (rtm_protocol, FRA_PROTOCOL, NDA_PROTOCOL, IFA_PROTO). Unassigned in iproute2's rt_protos. */
export const DEFAULT_PROTOCOL = 0x4e;

export const TABLE_UNSPEC = 0;
export const TABLE_COMPAT = 252;
export const TABLE_DEFAULT = 253;
export const TABLE_MAIN = 254;
export const TABLE_LOCAL = 255;

export const BUILTIN_TABLES: Record<string, number> = { default: TABLE_DEFAULT, main: TABLE_MAIN, local: TABLE_LOCAL };

/** rtm_protocol names as iproute2 prints them (/etc/iproute2/rt_protos). */
export const PROTOCOL_NAMES: Record<number, string> = {
  0: 'unspec', 1: 'redirect', 2: 'kernel', 3: 'boot', 4: 'static',
  8: 'gated', 9: 'ra', 10: 'mrt', 11: 'zebra', 12: 'bird', 13: 'dnrouted', 14: 'xorp',
  15: 'ntk', 16: 'dhcp', 17: 'mrouted', 18: 'keepalived', 42: 'babel', 99: 'openr',
  186: 'bgp', 187: 'isis', 188: 'ospf', 189: 'rip', 192: 'eigrp',
};

/** IFA_PROTO names (linux/if_addr.h IFAPROT_*); other values are shown as numbers. */
export const ADDRESS_PROTOCOL_NAMES: Record<number, string> = { 0: 'unspec', 1: 'kernel_lo', 2: 'kernel_ra', 3: 'kernel_ll' };

export const IPV6_DEFAULT_METRIC = 1024;

/** IFLA_IFALIAS of virtual interfaces netrec created (contract section 4). */
export const OWNER_ALIAS = 'netrec';

/** IP protocol names as iproute2 prints them (/etc/protocols); others are numbers. */
export const IP_PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  1: 'icmp',
  2: 'igmp',
  4: 'ipip',
  6: 'tcp',
  17: 'udp',
  33: 'dccp',
  41: 'ipv6',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'ipv6-icmp',
  112: 'vrrp',
  132: 'sctp',
  136: 'udplite',
};
