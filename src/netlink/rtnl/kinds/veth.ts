// veth pair. Creation names the peer in VETH_INFO_PEER, which holds a whole
// ifinfomsg plus attributes (linux/veth.h). Dumps carry no IFLA_INFO_DATA:
// the peer's ifindex comes as IFLA_LINK (with IFLA_LINK_NETNSID when the
// peer lives in another namespace).
import type { KindDriver } from './driver.js';

export const VETH_INFO_PEER = 1;
const IFLA_IFNAME = 3;
const IFINFOMSG_LEN = 16;

export const veth: KindDriver = {
  kind: 'veth',
  modelKind: 'veth',
  iflaLink: 'peer',
  encode(w, link, ctx) {
    if (ctx.op !== 'create' && ctx.op !== 'replace') return;
    if (!link.veth) throw new Error(`veth ${link.name} needs a peer name`);
    const peer = w.beginNested(VETH_INFO_PEER);
    w.struct(IFINFOMSG_LEN);
    w.string(IFLA_IFNAME, link.veth.peer);
    w.endNested(peer);
  },
  decode: () => undefined,
};
