// vrf: the request netrec writes is the one `ip` writes, the table survives
// decode -> encode -> decode, and is fixed at creation (vrf_link_ops has no
// changelink, so the kernel refuses IFLA_INFO_DATA on a live vrf).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, roundTrips, sameAsIp } from './helpers.js';

const vrf0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 'vrf0', kind: 'vrf', state: 'up', options, ...more });

describe('vrf', () => {
  it('create: the same attributes as `ip link add vrf0 type vrf table 10`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add vrf0 type vrf table 10
    // (iproute2 6.1; the kernel then refuses it, without the vrf module): the RTM_NEWLINK request.
    sameAsIp(
      vrf0({ table: 10 }),
      'create',
      `44 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       09 00 03 00 76 72 66 30  00 00 00 00 18 00 12 00
       07 00 01 00 76 72 66 00  0c 00 02 00 08 00 01 00
       0a 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps the table', () => {
    for (const table of [1, 10, 252, 255, 256, 4294967295]) roundTrips(vrf0({ table }));
  });

  it('a new table replaces it; an MTU changes in place', () => {
    const have = vrf0({ table: 10 });
    assert.equal(changeOf(have, vrf0({ table: 20 })), 'replace');
    assert.equal(changeOf(have, vrf0({ table: 10 }, { mtu: 1400 })), 'update');
    assert.equal(changeOf(have, vrf0({ table: 10 })), undefined);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', vrf0({ table: 10 }), namesOf()), 'vrf0 vrf table 10');
  });
});
