// ipvlan on a lower link (IFLA_LINK): its mode and flags (linux/if_link.h
// IFLA_IPVLAN_*, u16 each). Both belong to the lower link's port, shared by
// every ipvlan on it, and change in place (ipvlan_nl_changelink sets the
// port's mode and flags). ipvlan_link_setup: ether_setup's MTU range.
import { AttrLayout, named, u16 } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETHER } from './limits.js';

export const IFLA_IPVLAN_MODE = 1;
export const IFLA_IPVLAN_FLAGS = 2;

/** IPVLAN_MODE_L2, _L3, _L3S. */
const MODES: Record<number, string> = { 0: 'l2', 1: 'l3', 2: 'l3s' };
/** bridge is no flag; IPVLAN_F_PRIVATE, IPVLAN_F_VEPA. */
const FLAGS: Record<number, string> = { 0: 'bridge', 1: 'private', 2: 'vepa' };

export const ipvlan: LinkKindDescriptor = {
  kind: 'ipvlan',
  infoKind: 'ipvlan',
  summary: 'Options for kind: ipvlan. Mode and flags belong to the parent and are shared by every ipvlan on it.',
  options: [
    { key: 'link', value: 'ifname', required: true, schema: { description: 'The parent interface.', $ref: '#/$defs/ifname' }, word: { key: 'link', onDelete: true } },
    { key: 'mode', schema: { description: 'l3 (the kernel default), l2 or l3s.', enum: Object.values(MODES) }, word: { key: 'mode' } },
    { key: 'flags', schema: { description: 'bridge (the kernel default), private or vepa.', enum: Object.values(FLAGS) }, word: { key: 'flags' } },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_IPVLAN_MODE, field: 'mode', codec: named(u16, MODES, 'ipvlan mode') },
    { attr: IFLA_IPVLAN_FLAGS, field: 'flags', codec: named(u16, FLAGS, 'ipvlan flags') },
  ]),
  lower: { key: 'link', required: true, iflaLink: true },
  limits: ETHER,
};
