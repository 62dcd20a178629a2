// dummy: no options of its own. dummy_setup: min 0, max 0 (no limit).
import { AttrLayout } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';

export const dummy: LinkKindDescriptor = {
  kind: 'dummy',
  infoKind: 'dummy',
  summary: 'kind: dummy has no options.',
  options: [],
  layout: new AttrLayout<LinkCtx>([]),
  limits: { mtu: [0, 0], ethernet: true },
};
