// bridge: STP and timers, VLAN filtering (linux/if_link.h IFLA_BR_*). Timers
// travel in clock_t (centiseconds); the model keeps seconds. br_changelink
// takes all of them in place (the default PVID through
// __br_vlan_set_default_pvid, without the "filtering off" condition that
// only sysfs has); a new default PVID moves the default VLAN of the bridge
// and of the ports that still have it (plan/effects.ts knows).
// A master that takes a member's address when it has none of its own; its
// members are its ports, with settings of their own (IFLA_BRPORT_*, under
// `bridge-port:`), and it and its ports have VLANs (netlink/rtnl/bridge-vlan.ts).
// br_dev_setup: ether_setup's MTU range.
import { AttrLayout, be16, boolU32, boolU8, centiseconds, named, u16, u32 } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor, PortRole } from './kind.js';
import { ETHER } from './limits.js';

export const IFLA_BR_FORWARD_DELAY = 1;
export const IFLA_BR_AGEING_TIME = 4;
export const IFLA_BR_STP_STATE = 5;
export const IFLA_BR_PRIORITY = 6;
export const IFLA_BR_VLAN_FILTERING = 7;
export const IFLA_BR_VLAN_PROTOCOL = 8;
export const IFLA_BR_VLAN_DEFAULT_PVID = 39;

export const IFLA_BRPORT_PRIORITY = 2;
export const IFLA_BRPORT_COST = 3;
export const IFLA_BRPORT_MODE = 4;
export const IFLA_BRPORT_GUARD = 5;
export const IFLA_BRPORT_LEARNING = 8;
export const IFLA_BRPORT_UNICAST_FLOOD = 9;
export const IFLA_BRPORT_MCAST_FLOOD = 27;
export const IFLA_BRPORT_BCAST_FLOOD = 30;
export const IFLA_BRPORT_NEIGH_SUPPRESS = 32;
export const IFLA_BRPORT_ISOLATED = 33;

/** VLAN protocols (ethertypes) by name. */
export const VLAN_PROTOCOLS: Record<number, '802.1q' | '802.1ad'> = { 0x8100: '802.1q', 0x88a8: '802.1ad' };

const onOff = (description: string) => ({ description, type: 'boolean' });

/**
 * A bridge's ports (`bridge-port:`, `ip link set dev PORT type bridge_slave`):
 * br_port_slave_changelink -> br_setport takes every one of them in place.
 */
const port: PortRole = {
  key: 'bridge-port',
  slaveKind: 'bridge',
  options: [
    { key: 'learning', schema: onOff('Learn source addresses on this port.'), word: { key: 'learning', text: 'onoff' } },
    { key: 'unicast-flood', schema: onOff('Flood unicast frames to unknown destinations through this port.'), word: { key: 'flood', text: 'onoff' } },
    { key: 'mcast-flood', schema: onOff('Flood multicast frames through this port.'), word: { key: 'mcast_flood', text: 'onoff' } },
    { key: 'bcast-flood', schema: onOff('Flood broadcast frames through this port.'), word: { key: 'bcast_flood', text: 'onoff' } },
    { key: 'isolated', schema: onOff('An isolated port forwards only to ports that are not isolated.'), word: { key: 'isolated', text: 'onoff' } },
    { key: 'hairpin', schema: onOff('Send frames back out of the port they came in through.'), word: { key: 'hairpin', text: 'onoff' } },
    { key: 'neigh-suppress', schema: onOff('Suppress ARP and neighbour discovery on this port.'), word: { key: 'neigh_suppress', text: 'onoff' } },
    { key: 'bpdu-guard', schema: onOff('Turn the port off when an STP BPDU comes in.'), word: { key: 'guard', text: 'onoff' } },
    { key: 'cost', schema: { description: 'STP path cost of the port.', type: 'integer', minimum: 1, maximum: 65535 }, word: { key: 'cost' } },
    { key: 'priority', schema: { description: 'STP priority of the port, 0..63.', type: 'integer', minimum: 0, maximum: 63 }, word: { key: 'priority' } },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_BRPORT_LEARNING, field: 'learning', codec: boolU8 },
    { attr: IFLA_BRPORT_UNICAST_FLOOD, field: 'unicastFlood', codec: boolU8 },
    { attr: IFLA_BRPORT_MCAST_FLOOD, field: 'mcastFlood', codec: boolU8 },
    { attr: IFLA_BRPORT_BCAST_FLOOD, field: 'bcastFlood', codec: boolU8 },
    { attr: IFLA_BRPORT_ISOLATED, field: 'isolated', codec: boolU8 },
    { attr: IFLA_BRPORT_MODE, field: 'hairpin', codec: boolU8 },
    { attr: IFLA_BRPORT_NEIGH_SUPPRESS, field: 'neighSuppress', codec: boolU8 },
    { attr: IFLA_BRPORT_GUARD, field: 'bpduGuard', codec: boolU8 },
    { attr: IFLA_BRPORT_COST, field: 'cost', codec: u32 },
    { attr: IFLA_BRPORT_PRIORITY, field: 'priority', codec: u16 },
  ]),
};

export const bridge: LinkKindDescriptor = {
  kind: 'bridge',
  infoKind: 'bridge',
  summary: 'Options for kind: bridge.',
  options: [
    { key: 'stp', schema: { description: 'Spanning tree protocol on or off.', type: 'boolean' }, word: { key: 'stp', text: 'onoff' } },
    { key: 'forward-delay', schema: { description: 'Forward delay in seconds.', type: 'integer', minimum: 0, maximum: 21474836 }, word: { key: 'forward_delay', text: 'centis' } },
    { key: 'ageing-time', schema: { description: 'MAC address ageing time in seconds.', type: 'integer', minimum: 0, maximum: 21474836 }, word: { key: 'ageing_time', text: 'centis' } },
    { key: 'priority', schema: { description: 'Bridge priority for STP, 0..65535.', type: 'integer', minimum: 0, maximum: 65535 }, word: { key: 'priority' } },
    { key: 'vlan-filtering', schema: { description: 'Forward by VLAN (the ports\' and the bridge\'s own `vlans:`).', type: 'boolean' }, word: { key: 'vlan_filtering', text: 'onoff' } },
    { key: 'vlan-protocol', schema: { description: 'The VLAN protocol filtered on.', enum: Object.values(VLAN_PROTOCOLS) }, word: { key: 'vlan_protocol' } },
    {
      key: 'default-pvid',
      schema: { description: 'The VLAN a new port gets (untagged, as its PVID); 0: none. A new value also moves it on the bridge and on ports that still have the old one.', type: 'integer', minimum: 0, maximum: 4094 },
      word: { key: 'vlan_default_pvid' },
    },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_BR_FORWARD_DELAY, field: 'forwardDelay', codec: centiseconds },
    { attr: IFLA_BR_AGEING_TIME, field: 'ageingTime', codec: centiseconds },
    { attr: IFLA_BR_STP_STATE, field: 'stp', codec: boolU32 },
    { attr: IFLA_BR_PRIORITY, field: 'priority', codec: u16 },
    { attr: IFLA_BR_VLAN_FILTERING, field: 'vlanFiltering', codec: boolU8 },
    { attr: IFLA_BR_VLAN_PROTOCOL, field: 'vlanProtocol', codec: named(be16, VLAN_PROTOCOLS, 'VLAN protocol') },
    { attr: IFLA_BR_VLAN_DEFAULT_PVID, field: 'defaultPvid', codec: u16 },
  ]),
  master: { takesMemberAddress: true, port, vlans: true },
  limits: ETHER,
};
