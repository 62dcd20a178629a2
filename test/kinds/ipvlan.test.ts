// ipvlan: the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, and mode and flags change in place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { objectWords, namesOf } from '../../src/plan/render/words.js';
import { writeLink } from '../../src/netlink/rtnl/link.js';
import { attrTree, written } from '../netlink/helpers.js';
import { changeOf, lowerIdx, roundTrips, sameAsIp } from './helpers.js';

const ipv0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 'ipv0', kind: 'ipvlan', state: 'up', options, ...more });

describe('ipvlan', () => {
  it('create: the same attributes as `ip link add ipv0 link x0 mtu 1400 type ipvlan mode l2 private`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add ipv0 link x0 mtu 1400 type ipvlan mode l2 private
    // (iproute2 6.x; x0 is ifindex 3): the RTM_NEWLINK request.
    sameAsIp(
      ipv0({ link: 'x0', mode: 'l2', flags: 'private' }, { mtu: 1400 }),
      'create',
      `60 00 00 00 10 00 05 06  a3 18 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 04 00 78 05 00 00  08 00 05 00 03 00 00 00
       09 00 03 00 69 70 76 30  00 00 00 00 24 00 12 00
       0a 00 01 00 69 70 76 6c  61 6e 00 00 14 00 02 00
       06 00 01 00 00 00 00 00  06 00 02 00 01 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps the link, mode and flags of every value', () => {
    for (const mode of ['l2', 'l3', 'l3s']) for (const flags of ['bridge', 'private', 'vepa']) roundTrips(ipv0({ link: 'x0', mode, flags }));
    roundTrips(ipv0({ link: 'x0' }));
  });

  it('mode and flags change in place (the update carries them); the link replaces it', () => {
    const have = ipv0({ link: 'x0', mode: 'l3', flags: 'bridge' });
    assert.equal(changeOf(have, ipv0({ link: 'x0', mode: 'l2', flags: 'bridge' })), 'update');
    assert.equal(changeOf(have, ipv0({ link: 'x0', mode: 'l3', flags: 'vepa' })), 'update');
    assert.equal(changeOf(have, ipv0({ link: 'x1', mode: 'l3', flags: 'bridge' })), 'replace');
    // The update's IFLA_LINKINFO { IFLA_INFO_KIND, IFLA_INFO_DATA { MODE l3s (2), FLAGS private (1) } }.
    const update = attrTree(written((w) => writeLink(w, 'update', ipv0({ link: 'x0', mode: 'l3s', flags: 'private' }, { ifindex: 9 }), 1, lowerIdx)));
    const info = update.attrs.find(([t]) => t === 18)?.[1];
    assert.deepEqual(info, [
      [1, Buffer.from('ipvlan').toString('hex')],
      [2, [[1, '0200'], [2, '0100']]],
    ]);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', ipv0({ link: 'x0', mode: 'l2', flags: 'vepa' }), namesOf()), 'ipv0 ipvlan link x0 mode l2 flags vepa');
  });
});
