// bond: mode (fixed once there are slaves: set at creation) and MII
// monitoring interval (changes in place). linux/if_link.h, if_bonding.h.
import { AttrLayout, named, u32, u8 } from '../layout.js';
import { layoutDriver, type LinkCtx } from './driver.js';

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

const layout = new AttrLayout<LinkCtx>([
  { attr: IFLA_BOND_MODE, field: 'mode', codec: named(u8, BOND_MODES, 'bond mode'), on: ['create', 'replace'] },
  { attr: IFLA_BOND_MIIMON, field: 'miimon', codec: u32 },
]);

export const bond = layoutDriver('bond', 'bond', layout);
