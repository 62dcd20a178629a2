// dummy: no options of its own; the request netrec writes is the one `ip`
// writes, it reads back with no options, and only link-level settings (the
// MTU) change, in place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, readBack, roundTrips, sameAsIp } from './helpers.js';

const dm0 = (more: Partial<Link> = {}): Link => ({ name: 'dm0', kind: 'dummy', state: 'up', ...more });

describe('dummy', () => {
  it('create: the same attributes as `ip link add dm0 mtu 1400 type dummy`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add dm0 mtu 1400 type dummy
    // (iproute2 6.1; the kernel then refuses it, without the dummy module): the RTM_NEWLINK request.
    sameAsIp(
      dm0({ mtu: 1400 }),
      'create',
      `40 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 04 00 78 05 00 00  08 00 03 00 64 6d 30 00
       10 00 12 00 09 00 01 00  64 75 6d 6d 79 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps a link with no options', () => {
    roundTrips(dm0());
    assert.equal(readBack(dm0()).options, undefined);
    assert.equal(readBack(dm0({ mtu: 1400 })).kind, 'dummy');
  });

  it('an MTU changes in place; nothing else differs', () => {
    assert.equal(changeOf(dm0(), dm0({ mtu: 1400 })), 'update');
    assert.equal(changeOf(dm0(), dm0()), undefined);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', dm0(), namesOf()), 'dm0 dummy');
  });
});
