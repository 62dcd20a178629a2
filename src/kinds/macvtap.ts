// macvtap: a macvlan whose packets also reach user space through a tap
// character device. The same driver and IFLA_MACVLAN_* layout as macvlan
// (shared from macvlan.ts), its own IFLA_INFO_KIND.
import type { LinkKindDescriptor } from './kind.js';
import { ETHER } from './limits.js';
import { macvlanLayout, macvlanOptions } from './macvlan.js';

export const macvtap: LinkKindDescriptor = {
  kind: 'macvtap',
  infoKind: 'macvtap',
  summary: 'Options for kind: macvtap.',
  options: macvlanOptions('Macvtap'),
  layout: macvlanLayout,
  lower: { key: 'link', required: true, iflaLink: true },
  limits: { ...ETHER, belowLower: true },
};
