// vlan: the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, and the id, protocol and lower link are fixed at
// creation (vlan_changelink applies only IFLA_VLAN_FLAGS and the QoS maps; it
// ignores IFLA_VLAN_ID and IFLA_VLAN_PROTOCOL, and nothing moves IFLA_LINK).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, roundTrips, sameAsIp } from './helpers.js';

const vl0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 'vl0', kind: 'vlan', state: 'up', options, ...more });

describe('vlan', () => {
  it('create: the same attributes as `ip link add vl0 link x0 mtu 1400 type vlan protocol 802.1ad id 100`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add vl0 link x0 mtu 1400 type vlan protocol 802.1ad id 100
    // (iproute2 6.1; x0 is ifindex 3; the kernel then refuses it, without 8021q): the RTM_NEWLINK request.
    // IFLA_VLAN_PROTOCOL 0x88a8 in network order.
    sameAsIp(
      vl0({ link: 'x0', id: 100, protocol: '802.1ad' }, { mtu: 1400 }),
      'create',
      `58 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 04 00 78 05 00 00  08 00 05 00 03 00 00 00
       08 00 03 00 76 6c 30 00  20 00 12 00 08 00 01 00
       76 6c 61 6e 14 00 02 00  06 00 05 00 88 a8 00 00
       06 00 01 00 64 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps the link, the id and every protocol', () => {
    for (const id of [0, 1, 100, 4094]) roundTrips(vl0({ link: 'x0', id }));
    for (const protocol of ['802.1q', '802.1ad']) roundTrips(vl0({ link: 'x0', id: 100, protocol }));
  });

  it('a new id, protocol or link replaces it; an MTU changes in place', () => {
    const have = vl0({ link: 'x0', id: 100, protocol: '802.1q' });
    assert.equal(changeOf(have, vl0({ link: 'x0', id: 200, protocol: '802.1q' })), 'replace');
    assert.equal(changeOf(have, vl0({ link: 'x0', id: 100, protocol: '802.1ad' })), 'replace');
    assert.equal(changeOf(have, vl0({ link: 'x1', id: 100, protocol: '802.1q' })), 'replace');
    assert.equal(changeOf(have, vl0({ link: 'x0', id: 100, protocol: '802.1q' }, { mtu: 1400 })), 'update');
    assert.equal(changeOf(have, vl0({ link: 'x0', id: 100, protocol: '802.1q' })), undefined);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', vl0({ link: 'x0', id: 100, protocol: '802.1ad' }), namesOf()), 'vl0 vlan link x0 id 100 protocol 802.1ad');
  });
});
