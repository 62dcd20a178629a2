// The GRE kinds (gre, gretap, ip6gre, ip6gretap; one layout, from gre.ts):
// the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, every write states every setting (changelink
// rebuilds the tunnel from the request), local, ttl, key and link change in
// place and a new remote replaces the tunnel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { writeLink } from '../../src/netlink/rtnl/link.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { attrTree, written } from '../netlink/helpers.js';
import { changeOf, lowerIdx, readBack, roundTrips, sameAsIp } from './helpers.js';

const tun = (kind: string, options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 't1', kind, state: 'up', options, ...more });
const v4 = { local: '192.0.2.1', remote: '198.51.100.7', ttl: 64, key: 42, link: 'x0' };
const v6 = { local: '2001:db8::1', remote: '2001:db8::7', ttl: 64, key: 42, link: 'x0' };

/** The IFLA_INFO_DATA of a request, as attribute type -> payload hex. */
function infoData(l: Link, op: 'create' | 'update'): Map<number, string> {
  const tree = attrTree(written((w) => writeLink(w, op, l, 1, lowerIdx)));
  const info = tree.attrs.find(([t]) => t === 18)?.[1] as [number, unknown][];
  const data = info.find(([t]) => t === 2)?.[1] as [number, string][];
  return new Map(data);
}

describe('gre kinds', () => {
  // strace -f -e trace=sendmsg -e write=3 ip link add t1 type KIND local L remote R ttl 64 key 42 dev x0
  // (iproute2 6.1; x0 is ifindex 3): the RTM_NEWLINK requests. The kernel
  // here lacks the kinds and refuses them, but the request is the same.
  it('gre create: the same attributes as `ip link add t1 type gre local 192.0.2.1 remote 198.51.100.7 ttl 64 key 42 dev x0`', () => {
    sameAsIp(
      tun('gre', v4),
      'create',
      `b0 00 00 00 10 00 05 06  08 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  88 00 12 00 07 00 01 00
       67 72 65 00 7c 00 02 00  08 00 04 00 00 00 00 2a
       08 00 05 00 00 00 00 2a  06 00 02 00 20 00 00 00
       06 00 03 00 20 00 00 00  08 00 06 00 c0 00 02 01
       08 00 07 00 c6 33 64 07  05 00 0a 00 01 00 00 00
       05 00 09 00 00 00 00 00  08 00 01 00 03 00 00 00
       05 00 08 00 40 00 00 00  08 00 14 00 00 00 00 00
       06 00 0e 00 00 00 00 00  06 00 0f 00 00 00 00 00
       06 00 10 00 00 00 00 00  06 00 11 00 00 00 00 00`,
    );
  });

  it('gretap create: the same attributes as `ip link add t1 type gretap local 192.0.2.1 remote 198.51.100.7 ttl 64 key 42 dev x0`', () => {
    sameAsIp(
      tun('gretap', v4),
      'create',
      `b4 00 00 00 10 00 05 06  12 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  8c 00 12 00 0a 00 01 00
       67 72 65 74 61 70 00 00  7c 00 02 00 08 00 04 00
       00 00 00 2a 08 00 05 00  00 00 00 2a 06 00 02 00
       20 00 00 00 06 00 03 00  20 00 00 00 08 00 06 00
       c0 00 02 01 08 00 07 00  c6 33 64 07 05 00 0a 00
       01 00 00 00 05 00 09 00  00 00 00 00 08 00 01 00
       03 00 00 00 05 00 08 00  40 00 00 00 08 00 14 00
       00 00 00 00 06 00 0e 00  00 00 00 00 06 00 0f 00
       00 00 00 00 06 00 10 00  00 00 00 00 06 00 11 00
       00 00 00 00`,
    );
  });

  it('ip6gre create: the same attributes as `ip link add t1 type ip6gre local 2001:db8::1 remote 2001:db8::7 ttl 64 key 42 dev x0`', () => {
    sameAsIp(
      tun('ip6gre', v6),
      'create',
      `dc 00 00 00 10 00 05 06  12 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  b4 00 12 00 0a 00 01 00
       69 70 36 67 72 65 00 00  a4 00 02 00 08 00 04 00
       00 00 00 2a 08 00 05 00  00 00 00 2a 06 00 02 00
       20 00 00 00 06 00 03 00  20 00 00 00 14 00 06 00
       20 01 0d b8 00 00 00 00  00 00 00 00 00 00 00 01
       14 00 07 00 20 01 0d b8  00 00 00 00 00 00 00 00
       00 00 00 07 08 00 01 00  03 00 00 00 05 00 08 00
       40 00 00 00 05 00 0b 00  04 00 00 00 08 00 0c 00
       00 00 00 00 08 00 0d 00  00 00 00 00 08 00 14 00
       00 00 00 00 05 00 16 00  01 00 00 00 06 00 0e 00
       00 00 00 00 06 00 0f 00  02 00 00 00 06 00 10 00
       00 00 00 00 06 00 11 00  00 00 00 00`,
    );
  });

  it('ip6gretap create: the same attributes as `ip link add t1 type ip6gretap local 2001:db8::1 remote 2001:db8::7 ttl 64 key 42 dev x0`', () => {
    sameAsIp(
      tun('ip6gretap', v6),
      'create',
      `e0 00 00 00 10 00 05 06  13 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  b8 00 12 00 0d 00 01 00
       69 70 36 67 72 65 74 61  70 00 00 00 a4 00 02 00
       08 00 04 00 00 00 00 2a  08 00 05 00 00 00 00 2a
       06 00 02 00 20 00 00 00  06 00 03 00 20 00 00 00
       14 00 06 00 20 01 0d b8  00 00 00 00 00 00 00 00
       00 00 00 01 14 00 07 00  20 01 0d b8 00 00 00 00
       00 00 00 00 00 00 00 07  08 00 01 00 03 00 00 00
       05 00 08 00 40 00 00 00  05 00 0b 00 04 00 00 00
       08 00 0c 00 00 00 00 00  08 00 0d 00 00 00 00 00
       08 00 14 00 00 00 00 00  05 00 16 00 01 00 00 00
       06 00 0e 00 00 00 00 00  06 00 0f 00 02 00 00 00
       06 00 10 00 00 00 00 00  06 00 11 00 00 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps every option, and a tunnel without key, link or endpoints', () => {
    for (const kind of ['gre', 'gretap']) {
      for (const ttl of [0, 1, 64, 255]) for (const key of [1, 42, 4294967295]) roundTrips(tun(kind, { ...v4, ttl, key }));
      roundTrips(tun(kind, { remote: '198.51.100.7' }));
      roundTrips(tun(kind, { local: '192.0.2.1', ttl: 0 }));
    }
    for (const kind of ['ip6gre', 'ip6gretap']) {
      for (const ttl of [0, 1, 64, 255]) for (const key of [1, 42, 4294967295]) roundTrips(tun(kind, { ...v6, ttl, key }));
      roundTrips(tun(kind, { remote: '2001:db8::7' }));
    }
  });

  it('without a key: no key attributes set, GRE_KEY clear', () => {
    const data = infoData(tun('gre', { remote: '198.51.100.7' }), 'create');
    assert.equal(data.get(2), '0000');
    assert.equal(data.get(3), '0000');
    assert.equal(data.has(4), false);
  });

  it('an address of the other family is refused, not dropped', () => {
    assert.throws(() => written((w) => writeLink(w, 'create', tun('gre', { remote: '2001:db8::7' }), 1, lowerIdx)), /not IPv4/);
    assert.throws(() => written((w) => writeLink(w, 'create', tun('ip6gre', { local: '192.0.2.1' }), 1, lowerIdx)), /not IPv6/);
  });

  it('local, ttl, key and link change in place; a new remote replaces the tunnel', () => {
    for (const [kind, base] of [['gre', v4], ['gretap', v4], ['ip6gre', v6], ['ip6gretap', v6]] as const) {
      const have = tun(kind, base);
      const local = kind.startsWith('ip6') ? '2001:db8::2' : '192.0.2.2';
      const remote = kind.startsWith('ip6') ? '2001:db8::9' : '198.51.100.9';
      assert.equal(changeOf(have, tun(kind, { ...base, local })), 'update', `${kind} local`);
      assert.equal(changeOf(have, tun(kind, { ...base, ttl: 1 })), 'update', `${kind} ttl`);
      assert.equal(changeOf(have, tun(kind, { ...base, key: 7 })), 'update', `${kind} key`);
      assert.equal(changeOf(have, tun(kind, { ...base, link: 'x1' })), 'update', `${kind} link`);
      assert.equal(changeOf(have, tun(kind, { ...base, remote })), 'replace', `${kind} remote`);
      assert.equal(changeOf(have, tun(kind, { ...base })), undefined, `${kind} same`);
    }
  });

  it('an update states every setting, the remote and iproute2 defaults included (changelink starts from zero)', () => {
    const update = infoData(tun('gre', v4, { ifindex: 9 }), 'update');
    const create = infoData(tun('gre', v4), 'create');
    assert.deepEqual(update, create);
    assert.equal(update.get(7), 'c6336407', 'IFLA_GRE_REMOTE');
    assert.equal(update.get(10), '01', 'IFLA_GRE_PMTUDISC');
  });

  it("the kernel's fallback devices (gre0, gretap0, ip6gre0) read as a kind netrec does not model", () => {
    for (const [kind, name] of [['gre', 'gre0'], ['gretap', 'gretap0'], ['ip6gre', 'ip6gre0']]) {
      const l = readBack({ name, kind, state: 'down', options: { ttl: 0 } });
      assert.equal(l.kind, `other:${kind}`, name);
      assert.equal(l.options, undefined, name);
      assert.equal(readBack({ name: 'x9', kind, state: 'down', options: { ttl: 0 } }).kind, kind, 'any other name is the kind');
    }
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', tun('gre', v4), namesOf()), 't1 gre local 192.0.2.1 remote 198.51.100.7 ttl 64 key 42 dev x0');
    assert.equal(objectWords('interface', tun('ip6gre', v6), namesOf()), 't1 ip6gre local 2001:db8::1 remote 2001:db8::7 hoplimit 64 key 42 dev x0');
  });
});
