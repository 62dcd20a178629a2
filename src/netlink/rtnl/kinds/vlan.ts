// 802.1Q/802.1ad VLAN on a lower link (IFLA_LINK). The id and protocol
// cannot change in place. IFLA_VLAN_PROTOCOL is an ethertype in network order.
import { AttrLayout, be16, named, u16 } from '../layout.js';
import { layoutDriver, type LinkCtx } from './driver.js';

export const IFLA_VLAN_ID = 1;
export const IFLA_VLAN_PROTOCOL = 5;

const PROTOCOLS: Record<number, '802.1q' | '802.1ad'> = { 0x8100: '802.1q', 0x88a8: '802.1ad' };

const layout = new AttrLayout<LinkCtx>([
  { attr: IFLA_VLAN_ID, field: 'id', codec: u16, on: ['create', 'replace'] },
  { attr: IFLA_VLAN_PROTOCOL, field: 'protocol', codec: named(be16, PROTOCOLS, 'VLAN protocol'), on: ['create', 'replace'] },
]);

export const vlan = layoutDriver('vlan', 'vlan', layout, { iflaLink: 'link', lowerLink: 'required' });
