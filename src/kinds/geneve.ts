// Geneve tunnel (drivers/net/geneve.c, linux/if_link.h IFLA_GENEVE_*). The
// remote address uses the 4-byte attribute for IPv4 and REMOTE6 for IPv6;
// the port is in network order. changelink (geneve_changelink) starts from
// the tunnel's configuration and takes the remote address (of the same
// family) and the ttl; it refuses a new VNI or port, which are fixed at
// creation. iproute2's tos and flow label (0) go with every write.
// geneve_setup and geneve_configure: ETH_MIN_MTU up to IP_MAX_MTU less the
// Geneve, UDP and Ethernet headers (30) and the outer IP header (20 for
// IPv4, 40 for IPv6: the smaller bound is the one for either).
import { AttrLayout, be16, be32, constant, endpoint, u32, u8 } from '../netlink/rtnl/layout.js';
import { sameFamily, type LinkCtx, type LinkKindDescriptor } from './kind.js';
import { ETH_MIN_MTU } from './limits.js';

export const IFLA_GENEVE_ID = 1;
export const IFLA_GENEVE_REMOTE = 2;
export const IFLA_GENEVE_TTL = 3;
export const IFLA_GENEVE_TOS = 4;
export const IFLA_GENEVE_PORT = 5;
export const IFLA_GENEVE_REMOTE6 = 7;
export const IFLA_GENEVE_LABEL = 11;

const CREATE = ['create', 'replace'] as const;

export const geneve: LinkKindDescriptor = {
  kind: 'geneve',
  infoKind: 'geneve',
  summary: 'Options for kind: geneve, a Geneve tunnel carrying Ethernet frames over UDP.',
  options: [
    { key: 'vni', required: true, schema: { description: 'Geneve network identifier, 0..16777215.', type: 'integer', minimum: 0, maximum: 16777215 }, word: { key: 'id', onDelete: true } },
    { key: 'remote', value: 'address', required: true, schema: { description: 'Remote tunnel endpoint address; it changes in place within its family.', $ref: '#/$defs/address' }, word: { key: 'remote' }, inPlace: sameFamily },
    { key: 'port', schema: { description: 'UDP destination port (default and IANA: 6081).', type: 'integer', minimum: 1, maximum: 65535 }, word: { key: 'dstport' } },
    { key: 'ttl', schema: { description: 'TTL of the outer packets, 0..255 (0: as the route says).', type: 'integer', minimum: 0, maximum: 255 }, word: { key: 'ttl' } },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_GENEVE_ID, field: 'vni', codec: u32, on: CREATE },
    { attr: IFLA_GENEVE_REMOTE, field: 'remote', codec: endpoint(4, 'skip') },
    { attr: IFLA_GENEVE_REMOTE6, field: 'remote', codec: endpoint(16, 'skip') },
    { attr: IFLA_GENEVE_PORT, field: 'port', codec: be16, on: CREATE },
    { attr: IFLA_GENEVE_TTL, field: 'ttl', codec: u8 },
    { attr: IFLA_GENEVE_TOS, codec: constant(u8, 0) },
    { attr: IFLA_GENEVE_LABEL, codec: constant(be32, 0) },
  ]),
  limits: { mtu: [ETH_MIN_MTU, 65535 - 30 - 40], ethernet: true },
};
