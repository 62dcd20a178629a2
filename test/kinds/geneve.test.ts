// geneve: the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, the remote address and ttl change in place,
// and a new VNI or port replaces the tunnel (geneve_changelink refuses them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { writeLink } from '../../src/netlink/rtnl/link.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { attrTree, written } from '../netlink/helpers.js';
import { changeOf, lowerIdx, roundTrips, sameAsIp } from './helpers.js';

const gnv0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 't1', kind: 'geneve', state: 'up', options, ...more });
const base = { vni: 5000, remote: '198.51.100.7', port: 6081, ttl: 64 };

describe('geneve', () => {
  it('create: the same attributes as `ip link add t1 type geneve id 5000 remote 198.51.100.7 dstport 6081 ttl 64`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add t1 type geneve id 5000 remote 198.51.100.7 dstport 6081 ttl 64
    // (iproute2 6.1): the RTM_NEWLINK request (refused here for want of the kind, but the same).
    sameAsIp(
      gnv0(base),
      'create',
      `6c 00 00 00 10 00 05 06  13 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  44 00 12 00 0a 00 01 00
       67 65 6e 65 76 65 00 00  34 00 02 00 08 00 01 00
       88 13 00 00 08 00 02 00  c6 33 64 07 08 00 0b 00
       00 00 00 00 05 00 03 00  40 00 00 00 05 00 04 00
       00 00 00 00 06 00 05 00  17 c1 00 00`,
    );
  });

  it('decode -> encode -> decode keeps every option, over IPv4 and IPv6', () => {
    for (const vni of [0, 1, 5000, 16777215]) for (const ttl of [0, 64, 255]) roundTrips(gnv0({ ...base, vni, ttl }));
    for (const port of [1, 4789, 6081, 65535]) roundTrips(gnv0({ ...base, port }));
    roundTrips(gnv0({ vni: 7, remote: '2001:db8::7' }));
    roundTrips(gnv0({ vni: 7, remote: '198.51.100.7' }));
  });

  it('an IPv6 remote travels in IFLA_GENEVE_REMOTE6', () => {
    const tree = attrTree(written((w) => writeLink(w, 'create', gnv0({ vni: 7, remote: '2001:db8::7' }), 1, lowerIdx)));
    const info = tree.attrs.find(([t]) => t === 18)?.[1] as [number, unknown][];
    const data = new Map(info.find(([t]) => t === 2)?.[1] as [number, string][]);
    assert.equal(data.get(7), '20010db8000000000000000000000007');
    assert.equal(data.has(2), false);
  });

  it('remote and ttl change in place; a new vni or port replaces it', () => {
    const have = gnv0(base);
    assert.equal(changeOf(have, gnv0({ ...base, remote: '198.51.100.9' })), 'update');
    assert.equal(changeOf(have, gnv0({ ...base, ttl: 10 })), 'update');
    assert.equal(changeOf(have, gnv0({ ...base, vni: 5001 })), 'replace');
    assert.equal(changeOf(have, gnv0({ ...base, port: 6000 })), 'replace');
    // geneve_changelink keeps the family the tunnel was made with.
    assert.equal(changeOf(have, gnv0({ ...base, remote: '2001:db8::7' })), 'replace');
    assert.equal(changeOf(gnv0({ ...base, remote: '2001:db8::7' }), gnv0({ ...base, remote: '2001:db8::8' })), 'update');
    assert.equal(changeOf(have, gnv0({ ...base })), undefined);
    // The update carries remote and ttl (and iproute2's tos and label), not the vni or port.
    const tree = attrTree(written((w) => writeLink(w, 'update', gnv0({ ...base, ttl: 10 }, { ifindex: 9 }), 1, lowerIdx)));
    const info = tree.attrs.find(([t]) => t === 18)?.[1] as [number, unknown][];
    assert.deepEqual([...new Map(info.find(([t]) => t === 2)?.[1] as [number, string][]).keys()].sort((a, b) => a - b), [2, 3, 4, 11]);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', gnv0(base), namesOf()), 't1 geneve id 5000 remote 198.51.100.7 dstport 6081 ttl 64');
  });
});
