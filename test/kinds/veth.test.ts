// veth: the request netrec writes is the one `ip` writes (the peer in
// VETH_INFO_PEER, a whole ifinfomsg and its name), the link reads back, and
// the peer is fixed at creation (veth_link_ops has no changelink).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { decodeLink, resolveLinks, writeLink } from '../../src/netlink/rtnl/link.js';
import { asReply, written } from '../netlink/helpers.js';
import { changeOf, lowerIdx, sameAsIp } from './helpers.js';

/** The request for `l` read back as a dump reports it: the peer's ifindex (10) in IFLA_LINK, not in IFLA_INFO_DATA. */
function dumped(l: Link): Link {
  const raw = decodeLink(asReply(written((w) => writeLink(w, 'create', l, 1, lowerIdx))))!;
  assert.equal(raw.options, undefined, 'VETH_INFO_PEER is written, never read');
  const peer = String(l.options?.peer);
  const [got] = resolveLinks([{ ...raw, ifindex: 9, peerIndex: 10 }, { name: peer, kind: 'veth', state: 'up', ifindex: 10, peerIndex: 9 }]);
  delete got!.limits;
  return got!;
}

const ve0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 've0', kind: 'veth', state: 'up', options, ...more });

// strace -f -e trace=sendmsg -e write=3 ip link add ve0 mtu 1400 type veth peer name ve1
// (iproute2 6.1): the RTM_NEWLINK request.
const IP_VE0 = `5c 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 04 00 78 05 00 00  08 00 03 00 76 65 30 00
       2c 00 12 00 08 00 01 00  76 65 74 68 20 00 02 00
       1c 00 01 00 00 00 00 00  00 00 00 00 00 00 00 00
       00 00 00 00 08 00 03 00  76 65 31 00`;

describe('veth', () => {
  it('create: the same attributes as `ip link add ve0 mtu 1400 type veth peer name ve1`', () => {
    // One difference the kernel does not see: netrec flags VETH_INFO_PEER as a
    // nest (type 0x8001), ip does not (0x0001); veth's policy makes it
    // NLA_UNSPEC { .len = sizeof(struct ifinfomsg) }, whose NLA_F_NESTED
    // nla_type() masks and strict validation lets through.
    sameAsIp(
      ve0({ peer: 've1' }, { mtu: 1400 }),
      'create',
      IP_VE0.replace('1c 00 01 00', '1c 00 01 80'),
    );
  });

  it('decode -> encode -> decode keeps the peer, as a dump names it', () => {
    for (const peer of ['ve1', 'v', 'peer-of-ve0-15c']) {
      const once = dumped(ve0({ peer }));
      assert.deepEqual(once.options, { peer });
      assert.deepEqual(dumped(once), once, 'decode -> encode -> decode');
    }
  });

  it('a new peer replaces it; an MTU changes in place', () => {
    const have = ve0({ peer: 've1' });
    assert.equal(changeOf(have, ve0({ peer: 've2' })), 'replace');
    assert.equal(changeOf(have, ve0({ peer: 've1' }, { mtu: 1400 })), 'update');
    assert.equal(changeOf(have, ve0({ peer: 've1' })), undefined);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', ve0({ peer: 've1' }), namesOf()), 've0 veth peer ve1');
  });
});
