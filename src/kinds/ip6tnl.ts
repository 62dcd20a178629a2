// ip6tnl: IPv6 or IPv4 in IPv6 tunnel (net/ipv6/ip6_tunnel.c). The
// IFLA_IPTUN_* layout of ipip.ts over IPv6, with the mode in
// IFLA_IPTUN_PROTO (u8), which changes in place (ip6_tnl_changelink takes
// it); without one the kernel carries either. The kernel's fallback device
// is ip6tnl0. MTU: ip6_tnl_dev_init_gen's IP6_MAX_MTU less the outer IPv6
// header (40) at most; ip6_tnl_change_mtu asks at least IPV6_MIN_MTU of an
// ip6ip6 tunnel (ETH_MIN_MTU of the others), taken for every mode, as a
// tunnel's mode can change in place.
import { named, u8 } from '../netlink/rtnl/layout.js';
import { IFLA_IPTUN_PROTO, iptunLayout } from './ipip.js';
import type { LinkKindDescriptor } from './kind.js';
import { IP6_MAX_MTU, IPV6_MIN_MTU } from './limits.js';
import { endpointOptions, underlay, underlayOption } from './tunnel.js';

/** IPPROTO_IPV6, IPPROTO_IPIP, 0 (either). */
const MODES: Record<number, string> = { 41: 'ip6ip6', 4: 'ipip6', 0: 'any' };

export const ip6tnl: LinkKindDescriptor = {
  kind: 'ip6tnl',
  infoKind: 'ip6tnl',
  summary: 'Options for kind: ip6tnl, an IPv6 or IPv4 in IPv6 tunnel.',
  options: [
    ...endpointOptions('ip6tnl', 6),
    { key: 'mode', schema: { description: 'What it carries: ip6ip6 (IPv6), ipip6 (IPv4) or any (either, the kernel default).', enum: Object.values(MODES) }, word: { key: 'mode' } },
    underlayOption,
  ],
  layout: iptunLayout('ip6', [{ attr: IFLA_IPTUN_PROTO, field: 'mode', codec: named(u8, MODES, 'ip6tnl mode') }]),
  lower: underlay,
  fallback: 'ip6tnl0',
  limits: { mtu: [IPV6_MIN_MTU, IP6_MAX_MTU - 40], ethernet: false },
};
