// bond: mode (fixed once there are slaves: set at creation) and MII
// monitoring interval (changes in place). linux/if_link.h, if_bonding.h.
// A master whose members go down and up as they join or leave, and which
// takes a member's address when it has none of its own. bond_setup: ether_setup's MTU range.
import { AttrLayout, named, u32, u8 } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETHER } from './limits.js';

export const IFLA_BOND_MODE = 1;
export const IFLA_BOND_MIIMON = 3;

export const BOND_MODES: Record<number, string> = {
  0: 'balance-rr',
  1: 'active-backup',
  2: 'balance-xor',
  3: 'broadcast',
  4: '802.3ad',
  5: 'balance-tlb',
  6: 'balance-alb',
};

export const bond: LinkKindDescriptor = {
  kind: 'bond',
  infoKind: 'bond',
  summary: 'Options for kind: bond.',
  options: [
    { key: 'mode', schema: { description: 'Bonding mode.', enum: Object.values(BOND_MODES) }, word: { key: 'mode' } },
    { key: 'miimon', schema: { description: 'Link monitoring interval in milliseconds.', type: 'integer', minimum: 0, maximum: 2147483647 }, word: { key: 'miimon' } },
  ],
  layout: new AttrLayout<LinkCtx>([
    { attr: IFLA_BOND_MODE, field: 'mode', codec: named(u8, BOND_MODES, 'bond mode'), on: ['create', 'replace'] },
    { attr: IFLA_BOND_MIIMON, field: 'miimon', codec: u32 },
  ]),
  master: { cyclesMembers: true, takesMemberAddress: true },
  limits: ETHER,
};
