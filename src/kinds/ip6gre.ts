// ip6gre: a GRE tunnel over IPv6 carrying IP packets (net/ipv6/ip6_gre.c).
// The IFLA_GRE_* layout and options of gre.ts with 16-byte endpoints;
// IFLA_GRE_TTL is the hop limit. The kernel's fallback device is ip6gre0.
import { greLayout, greLimits, greOptions } from './gre.js';
import type { LinkKindDescriptor } from './kind.js';
import { underlay } from './tunnel.js';

export const ip6gre: LinkKindDescriptor = {
  kind: 'ip6gre',
  infoKind: 'ip6gre',
  summary: 'Options for kind: ip6gre, a GRE tunnel over IPv6 carrying IP packets.',
  options: greOptions('ip6gre', 6),
  layout: greLayout(6),
  lower: underlay,
  fallback: 'ip6gre0',
  limits: greLimits(6, false),
};
