// macvtap: the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, and (like macvlan, whose driver and layout it
// shares) the link is fixed at creation and the mode changes in place except
// to or from passthru.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, roundTrips, sameAsIp } from './helpers.js';

const tap0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 'tap0', kind: 'macvtap', state: 'up', options, ...more });

describe('macvtap', () => {
  it('create: the same attributes as `ip link add tap0 link x0 type macvtap mode bridge`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add tap0 link x0 type macvtap mode bridge
    // (iproute2 6.x; x0 is ifindex 3): the RTM_NEWLINK request.
    sameAsIp(
      tap0({ link: 'x0', mode: 'bridge' }),
      'create',
      `50 00 00 00 10 00 05 06  a3 18 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 05 00 03 00 00 00  09 00 03 00 74 61 70 30
       00 00 00 00 1c 00 12 00  0b 00 01 00 6d 61 63 76
       74 61 70 00 0c 00 02 00  08 00 01 00 04 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps the link and every mode', () => {
    for (const mode of ['private', 'vepa', 'bridge', 'passthru', 'source']) roundTrips(tap0({ link: 'x0', mode }));
    roundTrips(tap0({ link: 'x0' }));
  });

  it('a new link, or passthru set or cleared, replaces it; another mode changes in place', () => {
    const have = tap0({ link: 'x0', mode: 'bridge' });
    assert.equal(changeOf(have, tap0({ link: 'x0', mode: 'vepa' })), 'update');
    assert.equal(changeOf(have, tap0({ link: 'x0', mode: 'passthru' })), 'replace');
    assert.equal(changeOf(tap0({ link: 'x0', mode: 'passthru' }), tap0({ link: 'x0', mode: 'bridge' })), 'replace');
    assert.equal(changeOf(have, tap0({ link: 'x1', mode: 'bridge' })), 'replace');
    assert.equal(changeOf(have, tap0({ link: 'x0', mode: 'bridge' }, { mtu: 1400 })), 'update');
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', tap0({ link: 'x0', mode: 'vepa' }), namesOf()), 'tap0 macvtap link x0 mode vepa');
  });
});
