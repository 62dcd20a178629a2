// 802.1Q/802.1ad VLAN on a lower link (IFLA_LINK). The id and protocol
// cannot change in place. IFLA_VLAN_PROTOCOL is an ethertype in network order.
// vlan_setup: min 0, max ETH_MAX_MTU; and not above its link's MTU
// (vlan_dev_change_mtu, and at creation).
import { AttrLayout, be16, named, u16 } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETH_MAX_MTU } from './limits.js';

export const IFLA_VLAN_ID = 1;
export const IFLA_VLAN_PROTOCOL = 5;

const PROTOCOLS: Record<number, string> = { 0x8100: '802.1q', 0x88a8: '802.1ad' };

export const vlan: LinkKindDescriptor = {
  kind: 'vlan',
  infoKind: 'vlan',
  summary: 'Options for kind: vlan.',
  options: [
    { key: 'link', value: 'ifname', required: true, schema: { description: 'The parent interface.', $ref: '#/$defs/ifname' }, word: { key: 'link', onDelete: true } },
    { key: 'id', required: true, schema: { description: 'VLAN id, 0..4094.', type: 'integer', minimum: 0, maximum: 4094 }, word: { key: 'id', onDelete: true } },
    { key: 'protocol', schema: { description: '802.1q (default) or 802.1ad (QinQ).', enum: Object.values(PROTOCOLS) }, word: { key: 'protocol' } },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_VLAN_ID, field: 'id', codec: u16, on: ['create', 'replace'] },
    { attr: IFLA_VLAN_PROTOCOL, field: 'protocol', codec: named(be16, PROTOCOLS, 'VLAN protocol'), on: ['create', 'replace'] },
  ]),
  lower: { key: 'link', required: true, iflaLink: true },
  limits: { mtu: [0, ETH_MAX_MTU], belowLower: true, ethernet: true },
};
