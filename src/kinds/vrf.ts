// vrf: an L3 master device bound to a routing table, fixed at creation. Its
// members' routes go to that table; joining or leaving takes a member down
// and up. vrf_setup: IPV6_MIN_MTU..IP6_MAX_MTU.
import { AttrLayout, u32 } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';
import { IP6_MAX_MTU, IPV6_MIN_MTU } from './limits.js';

export const IFLA_VRF_TABLE = 1;

export const vrf: LinkKindDescriptor = {
  kind: 'vrf',
  infoKind: 'vrf',
  summary: 'Options for kind: vrf.',
  options: [{ key: 'table', value: 'table', required: true, schema: { description: "The VRF's routing table.", $ref: '#/$defs/table' }, word: { key: 'table', text: 'table', onDelete: true } }],
  layout: new AttrLayout<LinkCtx>([{ attr: IFLA_VRF_TABLE, field: 'table', codec: u32, on: ['create', 'replace'] }]),
  master: { cyclesMembers: true, table: 'table' },
  limits: { mtu: [IPV6_MIN_MTU, IP6_MAX_MTU], ethernet: true },
};
