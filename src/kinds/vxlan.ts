// VXLAN tunnel (linux/if_link.h IFLA_VXLAN_*). The remote and local
// addresses use the 4-byte attribute for IPv4 and the *6 one for IPv6; the
// port is in network order. Learning, ttl and the underlay link change in
// place (from one to another: adding or removing one replaces the tunnel),
// and so do the remote and local addresses within their family (the
// kernel's vxlan_changelink: "New group address family does not match old
// group"); the VNI and port are fixed at creation. Its underlay link,
// optional, travels in IFLA_VXLAN_LINK. vxlan_setup: ether_setup's MTU range.
import { AttrLayout, boolU8, be16, indexRef, ipOfLen, u32, u8 } from '../netlink/rtnl/layout.js';
import { sameFamily, type LinkCtx, type LinkKindDescriptor } from './kind.js';
import { ETHER } from './limits.js';

export const IFLA_VXLAN_ID = 1;
export const IFLA_VXLAN_GROUP = 2;
export const IFLA_VXLAN_LINK = 3;
export const IFLA_VXLAN_LOCAL = 4;
export const IFLA_VXLAN_TTL = 5;
export const IFLA_VXLAN_LEARNING = 7;
export const IFLA_VXLAN_PORT = 15;
export const IFLA_VXLAN_GROUP6 = 16;
export const IFLA_VXLAN_LOCAL6 = 17;

const CREATE = ['create', 'replace'] as const;
const ALWAYS = ['create', 'replace', 'update'] as const;
const ip4 = ipOfLen(4);
const ip6 = ipOfLen(16);

export const vxlan: LinkKindDescriptor = {
  kind: 'vxlan',
  infoKind: 'vxlan',
  summary: 'Options for kind: vxlan.',
  options: [
    { key: 'vni', required: true, schema: { description: 'VXLAN network identifier, 0..16777215.', type: 'integer', minimum: 0, maximum: 16777215 }, word: { key: 'id', onDelete: true } },
    { key: 'local', value: 'address', schema: { description: 'Local tunnel endpoint address.', $ref: '#/$defs/address' }, word: { key: 'local' }, inPlace: sameFamily },
    { key: 'remote', value: 'address', schema: { description: 'Remote tunnel endpoint address.', $ref: '#/$defs/address' }, word: { key: 'remote' }, inPlace: sameFamily },
    { key: 'port', schema: { description: 'UDP destination port (IANA: 4789).', type: 'integer', minimum: 1, maximum: 65535 }, word: { key: 'dstport' } },
    { key: 'link', value: 'ifname', schema: { description: 'Underlay interface.', $ref: '#/$defs/ifname' }, word: { key: 'dev' }, inPlace: (had, want) => had !== undefined && want !== undefined },
    { key: 'learning', schema: { description: 'Learn remote MAC addresses from received packets.', type: 'boolean' }, word: { key: 'learning', text: 'onoff', flag: true } },
    { key: 'ttl', schema: { description: 'TTL of the outer packets, 0..255 (0: inherit).', type: 'integer', minimum: 0, maximum: 255 }, word: { key: 'ttl' } },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_VXLAN_ID, field: 'vni', codec: u32, on: CREATE },
    { attr: IFLA_VXLAN_GROUP, field: 'remote', codec: ip4, on: ALWAYS },
    { attr: IFLA_VXLAN_GROUP6, field: 'remote', codec: ip6, on: ALWAYS },
    { attr: IFLA_VXLAN_LOCAL, field: 'local', codec: ip4, on: ALWAYS },
    { attr: IFLA_VXLAN_LOCAL6, field: 'local', codec: ip6, on: ALWAYS },
    { attr: IFLA_VXLAN_LINK, field: 'link', codec: indexRef<LinkCtx>('linkIndex'), on: ALWAYS },
    { attr: IFLA_VXLAN_PORT, field: 'port', codec: be16, on: CREATE },
    { attr: IFLA_VXLAN_LEARNING, field: 'learning', codec: boolU8, on: ALWAYS },
    { attr: IFLA_VXLAN_TTL, field: 'ttl', codec: u8, on: ALWAYS },
  ]),
  lower: { key: 'link', required: false, iflaLink: false },
  limits: ETHER,
};
