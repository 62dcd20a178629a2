// macvlan: the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, the lower link is fixed at creation, and so is
// the mode changes in place except to or from passthru: macvlan_changelink
// takes IFLA_MACVLAN_MODE on a live link unless it sets or clears passthru
// ("Passthrough mode can't be set or cleared dynamically", -EINVAL).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, roundTrips, sameAsIp } from './helpers.js';

const mv0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 'mv0', kind: 'macvlan', state: 'up', options, ...more });
const MODES = ['private', 'vepa', 'bridge', 'passthru', 'source'];

describe('macvlan', () => {
  it('create: the same attributes as `ip link add mv0 link x0 mtu 1400 type macvlan mode private`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add mv0 link x0 mtu 1400 type macvlan mode private
    // (iproute2 6.1; x0 is ifindex 3): the RTM_NEWLINK request.
    sameAsIp(
      mv0({ link: 'x0', mode: 'private' }, { mtu: 1400 }),
      'create',
      `54 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 04 00 78 05 00 00  08 00 05 00 03 00 00 00
       08 00 03 00 6d 76 30 00  1c 00 12 00 0b 00 01 00
       6d 61 63 76 6c 61 6e 00  0c 00 02 00 08 00 01 00
       01 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps the link and every mode', () => {
    for (const mode of MODES) roundTrips(mv0({ link: 'x0', mode }));
    roundTrips(mv0({ link: 'x0' }));
  });

  it('a new link replaces it, and so does setting or clearing passthru; an MTU changes in place', () => {
    const have = mv0({ link: 'x0', mode: 'bridge' });
    assert.equal(changeOf(have, mv0({ link: 'x1', mode: 'bridge' })), 'replace');
    assert.equal(changeOf(have, mv0({ link: 'x0', mode: 'passthru' })), 'replace');
    assert.equal(changeOf(mv0({ link: 'x0', mode: 'passthru' }), mv0({ link: 'x0', mode: 'vepa' })), 'replace');
    assert.equal(changeOf(have, mv0({ link: 'x0', mode: 'bridge' }, { mtu: 1400 })), 'update');
    assert.equal(changeOf(have, mv0({ link: 'x0', mode: 'bridge' })), undefined);
  });

  it('a mode other than passthru changes in place, as macvlan_changelink allows', () => {
    for (const from of ['private', 'vepa', 'bridge', 'source']) {
      for (const to of ['private', 'vepa', 'bridge', 'source']) {
        if (from !== to) assert.equal(changeOf(mv0({ link: 'x0', mode: from }), mv0({ link: 'x0', mode: to })), 'update', `${from} -> ${to}`);
      }
    }
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', mv0({ link: 'x0', mode: 'private' }), namesOf()), 'mv0 macvlan link x0 mode private');
  });
});
