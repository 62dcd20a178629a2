// GRE tunnel over IPv4 (net/ipv4/ip_gre.c, linux/if_tunnel.h IFLA_GRE_*),
// and the layout and options it shares with the other GRE kinds (gretap,
// ip6gre, ip6gretap).
// The endpoints are 4 bytes here, 16 for the ip6 kinds, whose IFLA_GRE_TTL
// is the hop limit. A key is IFLA_GRE_IKEY and IFLA_GRE_OKEY (be32) with
// GRE_KEY in IFLA_GRE_IFLAGS and IFLA_GRE_OFLAGS (be16), as `ip link add
// ... key N` writes it; key 0 reads as none. The underlay link, optional,
// is IFLA_GRE_LINK.
//
// changelink (ipgre_changelink, ip6gre_changelink) takes every attribute
// but rebuilds the tunnel's whole configuration from the request alone
// (ipgre_netlink_parms and ip6gre_netlink_parms start from zero), so every
// write states every setting, iproute2's defaults for those netrec does not
// model included. Local address, ttl, key and link change in place; the
// remote address is restated but fixed at creation: ip_tunnel_changelink
// refuses to add or drop one on a gre (that turns a point-to-point device
// into a broadcast one), and a new remote is a new tunnel.
//
// MTU: ETH_MIN_MTU up to ip_tunnel_change_mtu's IP_MAX_MTU less the outer
// IPv4 and GRE headers with a key (20 + 8), less the Ethernet header for
// gretap; over IPv6, ip6_tnl_change_mtu's IP6_MAX_MTU less the header room
// (LL_MAX_HEADER and the outer headers: 88).
import { AttrLayout, be16, be32, constant, endpoint, indexRef, restated, u16, u32, u8, type Codec } from '../netlink/rtnl/layout.js';
import type { KindLimits, KindOption, LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETH_MIN_MTU, IP6_MAX_MTU } from './limits.js';
import { endpointOptions, IPV6_DEFAULT_TNL_ENCAP_LIMIT, TUNNEL_ENCAP_FLAG_CSUM6, underlay, underlayOption, type Family } from './tunnel.js';

export const IFLA_GRE_LINK = 1;
export const IFLA_GRE_IFLAGS = 2;
export const IFLA_GRE_OFLAGS = 3;
export const IFLA_GRE_IKEY = 4;
export const IFLA_GRE_OKEY = 5;
export const IFLA_GRE_LOCAL = 6;
export const IFLA_GRE_REMOTE = 7;
export const IFLA_GRE_TTL = 8;
export const IFLA_GRE_TOS = 9;
export const IFLA_GRE_PMTUDISC = 10;
export const IFLA_GRE_ENCAP_LIMIT = 11;
export const IFLA_GRE_FLOWINFO = 12;
export const IFLA_GRE_FLAGS = 13;
export const IFLA_GRE_ENCAP_TYPE = 14;
export const IFLA_GRE_ENCAP_FLAGS = 15;
export const IFLA_GRE_ENCAP_SPORT = 16;
export const IFLA_GRE_ENCAP_DPORT = 17;
export const IFLA_GRE_FWMARK = 20;
export const IFLA_GRE_ERSPAN_VER = 22;

/** GRE_KEY in the GRE header's flags (network order). */
const GRE_KEY = 0x2000;

/** The key; 0 (a dump's value without one) reads as none. */
const key: Codec<number> = {
  read: (b, at, len, ctx, target) => be32.read(b, at, len, ctx, target) || undefined,
  write: be32.write,
};

/** IFLA_GRE_IFLAGS / OFLAGS: GRE_KEY when the tunnel has a key (read from the key attributes). */
const keyFlags: Codec<object> = {
  read: () => undefined,
  write: (w, t, obj) => w.be16(t, (obj as { key?: number }).key === undefined ? 0 : GRE_KEY),
};

/** IFLA_INFO_DATA of the GRE kinds over IPv4 (`4`) or IPv6 (`6`), with iproute2's defaults for what netrec does not model. */
export function greLayout(family: Family): AttrLayout<LinkCtx> {
  const ip = endpoint(family === 4 ? 4 : 16, 'refuse');
  const defaults =
    family === 4
      ? [
          { attr: IFLA_GRE_PMTUDISC, codec: constant(u8, 1) },
          { attr: IFLA_GRE_TOS, codec: constant(u8, 0) },
          { attr: IFLA_GRE_ENCAP_FLAGS, codec: constant(u16, 0) },
        ]
      : [
          { attr: IFLA_GRE_ENCAP_LIMIT, codec: constant(u8, IPV6_DEFAULT_TNL_ENCAP_LIMIT) },
          { attr: IFLA_GRE_FLOWINFO, codec: constant(be32, 0) },
          { attr: IFLA_GRE_FLAGS, codec: constant(u32, 0) },
          { attr: IFLA_GRE_ERSPAN_VER, codec: constant(u8, 1) },
          { attr: IFLA_GRE_ENCAP_FLAGS, codec: constant(u16, TUNNEL_ENCAP_FLAG_CSUM6) },
        ];
  return new AttrLayout<LinkCtx>([
    { attr: IFLA_GRE_LINK, field: 'link', codec: indexRef<LinkCtx>('linkIndex') },
    { attr: IFLA_GRE_LOCAL, field: 'local', codec: ip },
    { attr: IFLA_GRE_REMOTE, field: 'remote', whole: true, codec: restated('remote', ip) },
    { attr: IFLA_GRE_TTL, field: 'ttl', codec: u8 },
    { attr: IFLA_GRE_IKEY, field: 'key', codec: key },
    { attr: IFLA_GRE_OKEY, field: 'key', codec: key },
    { attr: IFLA_GRE_IFLAGS, codec: keyFlags },
    { attr: IFLA_GRE_OFLAGS, codec: keyFlags },
    { attr: IFLA_GRE_FWMARK, codec: constant(u32, 0) },
    { attr: IFLA_GRE_ENCAP_TYPE, codec: constant(u16, 0) },
    { attr: IFLA_GRE_ENCAP_SPORT, codec: constant(be16, 0) },
    { attr: IFLA_GRE_ENCAP_DPORT, codec: constant(be16, 0) },
    ...defaults,
  ]);
}

/** Options of the GRE kinds. */
export function greOptions(what: string, family: Family): KindOption[] {
  return [
    ...endpointOptions(what, family),
    { key: 'key', schema: { description: 'GRE key, 1..4294967295, for both directions.', type: 'integer', minimum: 1, maximum: 4294967295 }, word: { key: 'key' } },
    underlayOption,
  ];
}

/**
 * Over IPv4, IP_MAX_MTU less the outer header (20), the GRE header with a
 * key (8) and, for gretap, Ethernet's (14); over IPv6 ip6_tnl_change_mtu's
 * IP6_MAX_MTU less the device's header room (88), tap or not.
 */
export function greLimits(family: Family, tap: boolean): KindLimits {
  const max = family === 4 ? 65535 - 20 - 8 - (tap ? 14 : 0) : IP6_MAX_MTU - 88;
  return { mtu: [ETH_MIN_MTU, max], ethernet: tap };
}

export const gre: LinkKindDescriptor = {
  kind: 'gre',
  infoKind: 'gre',
  summary: 'Options for kind: gre, a GRE tunnel over IPv4 carrying IP packets.',
  options: greOptions('gre', 4),
  layout: greLayout(4),
  lower: underlay,
  fallback: 'gre0',
  limits: greLimits(4, false),
};
