// ip6gretap: a GRE tunnel over IPv6 carrying Ethernet frames
// (net/ipv6/ip6_gre.c, ip6gre_tap_setup: ether_setup). The IFLA_GRE_*
// layout and options of gre.ts with 16-byte endpoints; it has no fallback
// device of its own.
import { greLayout, greLimits, greOptions } from './gre.js';
import type { LinkKindDescriptor } from './kind.js';
import { underlay } from './tunnel.js';

export const ip6gretap: LinkKindDescriptor = {
  kind: 'ip6gretap',
  infoKind: 'ip6gretap',
  summary: 'Options for kind: ip6gretap, a GRE tunnel over IPv6 carrying Ethernet frames.',
  options: greOptions('ip6gretap', 6),
  layout: greLayout(6),
  lower: underlay,
  limits: greLimits(6, true),
};
