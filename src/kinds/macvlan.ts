// macvlan on a lower link (IFLA_LINK), with its mode (linux/if_link.h
// IFLA_MACVLAN_*). The mode changes in place except to or from passthru
// (macvlan_changelink: "Passthrough mode can't be set or cleared
// dynamically"). Its MTU may not exceed its link's
// (macvlan_change_mtu); macvlan_common_setup: ether_setup's range.
import { AttrLayout, named, u32 } from '../netlink/rtnl/layout.js';
import type { KindOption, LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETHER } from './limits.js';

export const IFLA_MACVLAN_MODE = 1;

const MODES: Record<number, string> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

/** IFLA_INFO_DATA of the kinds built on the macvlan driver (macvlan, macvtap). */
export const macvlanLayout = new AttrLayout<LinkCtx>([
  { attr: IFLA_MACVLAN_MODE, field: 'mode', codec: named(u32, MODES, 'macvlan mode') },
]);

/** Their options: the parent interface and the mode. */
export function macvlanOptions(what: string): KindOption[] {
  return [
    { key: 'link', value: 'ifname', required: true, schema: { description: 'The parent interface.', $ref: '#/$defs/ifname' }, word: { key: 'link', onDelete: true } },
    { key: 'mode', schema: { description: `${what} mode.`, enum: Object.values(MODES) }, word: { key: 'mode' }, inPlace: (had, want) => had !== 'passthru' && want !== 'passthru' },
  ];
}

export const macvlan: LinkKindDescriptor = {
  kind: 'macvlan',
  infoKind: 'macvlan',
  summary: 'Options for kind: macvlan.',
  options: macvlanOptions('Macvlan'),
  layout: macvlanLayout,
  lower: { key: 'link', required: true, iflaLink: true },
  limits: { ...ETHER, belowLower: true },
};
