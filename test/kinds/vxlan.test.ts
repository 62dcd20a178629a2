// vxlan: the request netrec writes is the one `ip` writes (IPv4 and IPv6
// endpoints), options survive decode -> encode -> decode, and what changes
// in place follows vxlan_nl2conf/vxlan_changelink: ttl and learning do; the
// VNI ("Cannot change VNI") and port ("Cannot change port") do not, nor the
// address family of remote or local ("New group address family does not
// match old group"). A new remote or local of the same family, and a new
// underlay link, change in place.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, roundTrips, sameAsIp } from './helpers.js';

const vx = (name: string, options: Link['options'], more: Partial<Link> = {}): Link => ({ name, kind: 'vxlan', state: 'up', options, ...more });
const BASE = { vni: 42, remote: '192.0.2.2', local: '192.0.2.1', port: 4789, link: 'x0', ttl: 64, learning: false };

describe('vxlan', () => {
  it('create: the same attributes as `ip link add vx0 type vxlan id 42 remote 192.0.2.2 local 192.0.2.1 dstport 4789 dev x0 ttl 64 nolearning`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add vx0 type vxlan id 42 remote 192.0.2.2 local 192.0.2.1 dstport 4789 dev x0 ttl 64 nolearning
    // (iproute2 6.1; x0 is ifindex 3): the RTM_NEWLINK request. Port 4789 in network order (12 b5).
    sameAsIp(
      vx('vx0', BASE),
      'create',
      `74 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 03 00 76 78 30 00  4c 00 12 00 09 00 01 00
       76 78 6c 61 6e 00 00 00  3c 00 02 00 08 00 03 00
       03 00 00 00 05 00 05 00  40 00 00 00 08 00 01 00
       2a 00 00 00 08 00 04 00  c0 00 02 01 08 00 02 00
       c0 00 02 02 05 00 07 00  00 00 00 00 06 00 0f 00
       12 b5 00 00`,
    );
  });

  it('create: the same attributes as `ip link add vx6 type vxlan id 42 remote 2001:db8::2 local 2001:db8::1 dstport 4789 learning ttl 0`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add vx6 type vxlan id 42 remote 2001:db8::2 local 2001:db8::1 dstport 4789 learning ttl 0
    // (iproute2 6.1): the RTM_NEWLINK request; IFLA_VXLAN_GROUP6 and LOCAL6.
    sameAsIp(
      vx('vx6', { vni: 42, remote: '2001:db8::2', local: '2001:db8::1', port: 4789, learning: true, ttl: 0 }),
      'create',
      `84 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       08 00 03 00 76 78 36 00  5c 00 12 00 09 00 01 00
       76 78 6c 61 6e 00 00 00  4c 00 02 00 05 00 05 00
       00 00 00 00 08 00 01 00  2a 00 00 00 14 00 11 00
       20 01 0d b8 00 00 00 00  00 00 00 00 00 00 00 01
       14 00 10 00 20 01 0d b8  00 00 00 00 00 00 00 00
       00 00 00 02 05 00 07 00  01 00 00 00 06 00 0f 00
       12 b5 00 00`,
    );
  });

  it('decode -> encode -> decode keeps every option at its values and boundaries', () => {
    for (const vni of [0, 1, 42, 16777215]) roundTrips(vx('vx0', { vni }));
    for (const remote of ['192.0.2.2', '239.1.1.1', '2001:db8::2', 'ff05::100']) roundTrips(vx('vx0', { vni: 1, remote }));
    for (const local of ['192.0.2.1', '2001:db8::1']) roundTrips(vx('vx0', { vni: 1, local }));
    for (const port of [1, 4789, 8472, 65535]) roundTrips(vx('vx0', { vni: 1, port }));
    for (const learning of [true, false]) roundTrips(vx('vx0', { vni: 1, learning }));
    for (const ttl of [0, 1, 64, 255]) roundTrips(vx('vx0', { vni: 1, ttl }));
    roundTrips(vx('vx0', { vni: 1, link: 'x0' }));
    roundTrips(vx('vx0', BASE));
  });

  it('ttl and learning change in place; the VNI, port and address family replace it', () => {
    const have = vx('vx0', BASE);
    assert.equal(changeOf(have, vx('vx0', { ...BASE, ttl: 1 })), 'update');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, ttl: 0 })), 'update');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, learning: true })), 'update');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, vni: 43 })), 'replace');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, port: 8472 })), 'replace');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, remote: '2001:db8::2' })), 'replace');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, local: '2001:db8::1' })), 'replace');
    assert.equal(changeOf(have, vx('vx0', BASE)), undefined);
  });

  it('a new remote or local of the same family, or a new link, changes in place, as vxlan_changelink allows', () => {
    const have = vx('vx0', BASE);
    assert.equal(changeOf(have, vx('vx0', { ...BASE, remote: '192.0.2.3' })), 'update');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, local: '192.0.2.4' })), 'update');
    assert.equal(changeOf(have, vx('vx0', { ...BASE, link: 'x1' })), 'update');
  });

  it('is shown in iproute2 words', () => {
    assert.equal(
      objectWords('interface', vx('vx0', { ...BASE, learning: true }), namesOf()),
      'vx0 vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789 dev x0 learning ttl 64',
    );
  });
});
