// What the IP tunnel kinds share: their endpoint and underlay options, one
// address family per kind, and iproute2's defaults over IPv6
// (include/net/ip6_tunnel.h, linux/if_tunnel.h).
import type { KindOption } from './kind.js';

export type Family = 4 | 6;

/** IPV6_DEFAULT_TNL_ENCAP_LIMIT: iproute2's encapsulation limit for new IPv6 tunnels. */
export const IPV6_DEFAULT_TNL_ENCAP_LIMIT = 4;
/** TUNNEL_ENCAP_FLAG_CSUM6: iproute2's default encapsulation flags for new IPv6 tunnels. */
export const TUNNEL_ENCAP_FLAG_CSUM6 = 2;

/** local, remote and ttl (the hop limit over IPv6) of a tunnel over `family`; a new remote makes the tunnel anew. */
export function endpointOptions(kind: string, family: Family): KindOption[] {
  const ip = family === 4 ? 'IPv4' : 'IPv6';
  // The addresses are read as any address; the pattern keeps the other family out.
  const pattern = family === 4 ? '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$' : ':';
  return [
    { key: 'local', value: 'address', schema: { description: `Local ${ip} endpoint address (default: any).`, type: 'string', pattern }, word: { key: 'local' } },
    { key: 'remote', value: 'address', schema: { description: `Remote ${ip} endpoint address (default: any). A new remote makes the ${kind} anew.`, type: 'string', pattern }, word: { key: 'remote', onDelete: true } },
    {
      key: 'ttl',
      schema: { description: `${family === 4 ? 'TTL' : 'Hop limit'} of the outer packets, 0..255 (0: inherit).`, type: 'integer', minimum: 0, maximum: 255 },
      word: { key: family === 4 ? 'ttl' : 'hoplimit' },
    },
  ];
}

/** The underlay the outer packets leave by, in the kind's own attribute. */
export const underlayOption: KindOption = {
  key: 'link',
  value: 'ifname',
  schema: { description: 'Underlay interface the outer packets leave by (default: as routed).', $ref: '#/$defs/ifname' },
  word: { key: 'dev' },
};

/**
 * The underlay as a lower link: optional, in the kind's own attribute rather
 * than IFLA_LINK. The tunnel outlives it: ip_tunnel keeps the old ifindex in
 * its parameters, and a dump then names no link.
 */
export const underlay = { key: 'link', required: false, iflaLink: false, survives: true } as const;
