// gretap: a GRE tunnel over IPv4 carrying Ethernet frames (net/ipv4/ip_gre.c,
// ipgre_tap_setup: ether_setup). The same IFLA_GRE_* layout and options as
// gre (shared from gre.ts), its own IFLA_INFO_KIND; the kernel's fallback
// device is gretap0.
import { greLayout, greLimits, greOptions } from './gre.js';
import type { LinkKindDescriptor } from './kind.js';
import { underlay } from './tunnel.js';

export const gretap: LinkKindDescriptor = {
  kind: 'gretap',
  infoKind: 'gretap',
  summary: 'Options for kind: gretap, a GRE tunnel over IPv4 carrying Ethernet frames.',
  options: greOptions('gretap', 4),
  layout: greLayout(4),
  lower: underlay,
  fallback: 'gretap0',
  limits: greLimits(4, true),
};
