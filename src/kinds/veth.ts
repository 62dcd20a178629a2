// veth pair. Creation names the peer in VETH_INFO_PEER, which holds a whole
// ifinfomsg plus attributes (linux/veth.h). Dumps carry no IFLA_INFO_DATA:
// the peer's ifindex comes as IFLA_LINK (with IFLA_LINK_NETNSID when the
// peer lives in another namespace). veth_setup: ether_setup's MTU range.
import { AttrLayout, type Codec } from '../netlink/rtnl/layout.js';
import type { LinkCtx, LinkKindDescriptor } from './kind.js';
import { ETHER } from './limits.js';

export const VETH_INFO_PEER = 1;
const IFLA_IFNAME = 3;
const IFINFOMSG_LEN = 16;

/** VETH_INFO_PEER { ifinfomsg, IFLA_IFNAME }: written at creation, never read back. */
const peerInfo: Codec<string, LinkCtx> = {
  read: () => undefined,
  write: (w, t, peer) => {
    const nest = w.beginNested(t);
    w.struct(IFINFOMSG_LEN);
    w.string(IFLA_IFNAME, peer);
    w.endNested(nest);
  },
};

export const veth: LinkKindDescriptor = {
  kind: 'veth',
  infoKind: 'veth',
  summary: 'Options for kind: veth. Both ends are created together; when the peer is also declared, it must name this interface as its peer.',
  options: [{ key: 'peer', value: 'ifname', required: true, schema: { description: 'Name of the other end.', $ref: '#/$defs/ifname' }, word: { key: 'peer', onDelete: true } }],
  layout: new AttrLayout<LinkCtx>([{ attr: VETH_INFO_PEER, field: 'peer', codec: peerInfo, on: ['create', 'replace'] }]),
  peer: { key: 'peer' },
  limits: ETHER,
};
