// IPv4 in IPv4 tunnel (net/ipv4/ipip.c, linux/if_tunnel.h IFLA_IPTUN_*),
// and the layout it shares with the other IFLA_IPTUN_* kinds (sit: IPv6 in
// IPv4; ip6tnl: over IPv6). The endpoints are 4 bytes, 16 over IPv6; the
// underlay link, optional, is IFLA_IPTUN_LINK.
//
// changelink (ipip_changelink, ipip6_changelink, ip6_tnl_changelink)
// rebuilds the tunnel's whole configuration from the request alone, so
// every write states every setting, iproute2's defaults for those netrec
// does not model included. Local address, ttl, link (and the IPv6 mode)
// change in place; the remote address is restated but fixed at creation:
// ipip and sit refuse to add or drop one in place (that turns a
// point-to-point device into a broadcast one), and a new remote is a new
// tunnel.
//
// MTU: ip_tunnel_change_mtu allows ETH_MIN_MTU up to IP_MAX_MTU less the
// outer IPv4 header (20).
import { AttrLayout, be16, be32, constant, endpoint, indexRef, restated, u16, u32, u8 } from '../netlink/rtnl/layout.js';
import type { AttrSpec } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETH_MIN_MTU } from './limits.js';
import { endpointOptions, IPV6_DEFAULT_TNL_ENCAP_LIMIT, TUNNEL_ENCAP_FLAG_CSUM6, underlay, underlayOption } from './tunnel.js';

export const IFLA_IPTUN_LINK = 1;
export const IFLA_IPTUN_LOCAL = 2;
export const IFLA_IPTUN_REMOTE = 3;
export const IFLA_IPTUN_TTL = 4;
export const IFLA_IPTUN_TOS = 5;
export const IFLA_IPTUN_ENCAP_LIMIT = 6;
export const IFLA_IPTUN_FLOWINFO = 7;
export const IFLA_IPTUN_FLAGS = 8;
export const IFLA_IPTUN_PROTO = 9;
export const IFLA_IPTUN_PMTUDISC = 10;
export const IFLA_IPTUN_ENCAP_TYPE = 15;
export const IFLA_IPTUN_ENCAP_FLAGS = 16;
export const IFLA_IPTUN_ENCAP_SPORT = 17;
export const IFLA_IPTUN_ENCAP_DPORT = 18;
export const IFLA_IPTUN_FWMARK = 20;

/**
 * IFLA_INFO_DATA of the IFLA_IPTUN_* kinds, with iproute2's defaults for
 * what netrec does not model: over IPv4 (`ipip`, and `sit`, which also
 * sends IFLA_IPTUN_FLAGS as a u16) protocol 0 (either), pmtudisc and tos;
 * over IPv6 (`ip6`: 16-byte endpoints) the encapsulation limit, flow
 * label and u32 flags, and `more` (its mode).
 */
export function iptunLayout(variant: 'ipip' | 'sit' | 'ip6', more: readonly AttrSpec<LinkCtx>[] = []): AttrLayout<LinkCtx> {
  const ip = endpoint(variant === 'ip6' ? 16 : 4, 'refuse');
  const v4 = [
    { attr: IFLA_IPTUN_PROTO, codec: constant(u8, 0) },
    { attr: IFLA_IPTUN_PMTUDISC, codec: constant(u8, 1) },
    { attr: IFLA_IPTUN_TOS, codec: constant(u8, 0) },
    { attr: IFLA_IPTUN_ENCAP_FLAGS, codec: constant(u16, 0) },
  ];
  const sit = variant === 'sit' ? [{ attr: IFLA_IPTUN_FLAGS, codec: constant(u16, 0) }] : [];
  const v6 = [
    { attr: IFLA_IPTUN_ENCAP_LIMIT, codec: constant(u8, IPV6_DEFAULT_TNL_ENCAP_LIMIT) },
    { attr: IFLA_IPTUN_FLOWINFO, codec: constant(be32, 0) },
    { attr: IFLA_IPTUN_FLAGS, codec: constant(u32, 0) },
    { attr: IFLA_IPTUN_ENCAP_FLAGS, codec: constant(u16, TUNNEL_ENCAP_FLAG_CSUM6) },
  ];
  return new AttrLayout<LinkCtx>([
    { attr: IFLA_IPTUN_LINK, field: 'link', codec: indexRef<LinkCtx>('linkIndex') },
    { attr: IFLA_IPTUN_LOCAL, field: 'local', codec: ip },
    { attr: IFLA_IPTUN_REMOTE, field: 'remote', whole: true, codec: restated('remote', ip) },
    { attr: IFLA_IPTUN_TTL, field: 'ttl', codec: u8 },
    { attr: IFLA_IPTUN_FWMARK, codec: constant(u32, 0) },
    { attr: IFLA_IPTUN_ENCAP_TYPE, codec: constant(u16, 0) },
    { attr: IFLA_IPTUN_ENCAP_SPORT, codec: constant(be16, 0) },
    { attr: IFLA_IPTUN_ENCAP_DPORT, codec: constant(be16, 0) },
    ...(variant === 'ip6' ? v6 : [...v4, ...sit]),
    ...more,
  ]);
}

export const ipip: LinkKindDescriptor = {
  kind: 'ipip',
  infoKind: 'ipip',
  summary: 'Options for kind: ipip, an IPv4 in IPv4 tunnel.',
  options: [...endpointOptions('ipip', 4), underlayOption],
  layout: iptunLayout('ipip'),
  lower: underlay,
  fallback: 'tunl0',
  limits: { mtu: [ETH_MIN_MTU, 65535 - 20], ethernet: false },
};
