// bridge: the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, and STP, its timers and the priority change in
// place (br_changelink takes IFLA_BR_STP_STATE, FORWARD_DELAY, AGEING_TIME
// and PRIORITY on a live bridge).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, readBack, roundTrips, sameAsIp } from './helpers.js';

const br0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 'br0', kind: 'bridge', state: 'up', options, ...more });

describe('bridge', () => {
  it('create: the same attributes as `ip link add br0 mtu 1400 type bridge stp_state 1 forward_delay 1500 ageing_time 30000 priority 4096`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add br0 mtu 1400 type bridge stp_state 1 forward_delay 1500 ageing_time 30000 priority 4096
    // (iproute2 6.1): the RTM_NEWLINK request. Timers in centiseconds: 15 s, 300 s.
    sameAsIp(
      br0({ stp: true, forwardDelay: 15, ageingTime: 300, priority: 4096 }, { mtu: 1400 }),
      'create',
      `64 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 04 00 78 05 00 00  08 00 03 00 62 72 30 00
       34 00 12 00 0a 00 01 00  62 72 69 64 67 65 00 00
       24 00 02 00 08 00 05 00  01 00 00 00 08 00 01 00
       dc 05 00 00 08 00 04 00  30 75 00 00 06 00 06 00
       00 10 00 00`,
    );
  });

  it('decode -> encode -> decode keeps stp, the timers and the priority', () => {
    for (const stp of [true, false]) roundTrips(br0({ stp }));
    for (const forwardDelay of [0, 2, 15, 30, 21474836]) roundTrips(br0({ forwardDelay }));
    for (const ageingTime of [0, 10, 300, 21474836]) roundTrips(br0({ ageingTime }));
    for (const priority of [0, 1, 32768, 65535]) roundTrips(br0({ priority }));
    roundTrips(br0({ stp: false, forwardDelay: 4, ageingTime: 30, priority: 100 }));
    assert.equal(readBack(br0({})).options, undefined, 'no options read back as none');
  });

  it('stp, forward delay, ageing time and priority change in place', () => {
    const have = br0({ stp: false, forwardDelay: 15, ageingTime: 300, priority: 32768 });
    assert.equal(changeOf(have, br0({ stp: true, forwardDelay: 15, ageingTime: 300, priority: 32768 })), 'update');
    assert.equal(changeOf(have, br0({ stp: false, forwardDelay: 4, ageingTime: 300, priority: 32768 })), 'update');
    assert.equal(changeOf(have, br0({ stp: false, forwardDelay: 15, ageingTime: 30, priority: 32768 })), 'update');
    assert.equal(changeOf(have, br0({ stp: false, forwardDelay: 15, ageingTime: 300, priority: 4096 })), 'update');
    assert.equal(changeOf(have, br0({ stp: false, forwardDelay: 15, ageingTime: 300, priority: 32768 })), undefined);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(
      objectWords('interface', br0({ stp: true, forwardDelay: 15, ageingTime: 300, priority: 4096 }), namesOf()),
      'br0 bridge stp on forward_delay 1500 ageing_time 30000 priority 4096',
    );
  });
});
