// sit: IPv6 (and IPv4) in IPv4 tunnel (net/ipv6/sit.c). The IFLA_IPTUN_*
// layout of ipip.ts with sit's u16 IFLA_IPTUN_FLAGS; the kernel's fallback
// device is sit0. ipip6_tunnel_setup: IPV6_MIN_MTU up to IP6_MAX_MTU less
// the outer IPv4 header (20).
import { iptunLayout } from './ipip.js';
import type { LinkKindDescriptor } from './kind.js';
import { IP6_MAX_MTU, IPV6_MIN_MTU } from './limits.js';
import { endpointOptions, underlay, underlayOption } from './tunnel.js';

export const sit: LinkKindDescriptor = {
  kind: 'sit',
  infoKind: 'sit',
  summary: 'Options for kind: sit, an IPv6 in IPv4 tunnel.',
  options: [...endpointOptions('sit', 4), underlayOption],
  layout: iptunLayout('sit'),
  lower: underlay,
  fallback: 'sit0',
  limits: { mtu: [IPV6_MIN_MTU, IP6_MAX_MTU - 20], ethernet: false },
};
