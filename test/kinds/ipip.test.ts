// The IFLA_IPTUN_* kinds (ipip, sit, ip6tnl; one layout, from ipip.ts): the
// request netrec writes is the one `ip` writes, options survive decode ->
// encode -> decode, every write states every setting (changelink rebuilds
// the tunnel from the request), local, ttl, link and ip6tnl's mode change in
// place and a new remote replaces the tunnel.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { writeLink } from '../../src/netlink/rtnl/link.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { attrTree, written } from '../netlink/helpers.js';
import { changeOf, lowerIdx, readBack, roundTrips, sameAsIp } from './helpers.js';

const tun = (kind: string, options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 't1', kind, state: 'up', options, ...more });
const v4 = { local: '192.0.2.1', remote: '198.51.100.7', ttl: 64, link: 'x0' };
const v6 = { local: '2001:db8::1', remote: '2001:db8::7', ttl: 64, link: 'x0' };

/** The IFLA_INFO_DATA of a request, as attribute type -> payload hex. */
function infoData(l: Link, op: 'create' | 'update'): Map<number, string> {
  const tree = attrTree(written((w) => writeLink(w, op, l, 1, lowerIdx)));
  const info = tree.attrs.find(([t]) => t === 18)?.[1] as [number, unknown][];
  return new Map(info.find(([t]) => t === 2)?.[1] as [number, string][]);
}

describe('ipip kinds', () => {
  // strace -f -e trace=sendmsg -e write=3 ip link add t1 type KIND local L remote R ttl 64 ... dev x0
  // (iproute2 6.1; x0 is ifindex 3): the RTM_NEWLINK requests. The kernel
  // here lacks the kinds and refuses them, but the request is the same.
  it('ipip create: the same attributes as `ip link add t1 type ipip local 192.0.2.1 remote 198.51.100.7 ttl 64 dev x0`', () => {
    sameAsIp(
      tun('ipip', v4),
      'create',
      `98 00 00 00 10 00 05 06  13 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  70 00 12 00 08 00 01 00
       69 70 69 70 64 00 02 00  05 00 09 00 00 00 00 00
       08 00 02 00 c0 00 02 01  08 00 03 00 c6 33 64 07
       05 00 0a 00 01 00 00 00  05 00 05 00 00 00 00 00
       05 00 04 00 40 00 00 00  08 00 01 00 03 00 00 00
       08 00 14 00 00 00 00 00  06 00 0f 00 00 00 00 00
       06 00 10 00 00 00 00 00  06 00 11 00 00 00 00 00
       06 00 12 00 00 00 00 00`,
    );
  });

  it('sit create: the same attributes as `ip link add t1 type sit local 192.0.2.1 remote 198.51.100.7 ttl 64 dev x0`', () => {
    sameAsIp(
      tun('sit', v4),
      'create',
      `a0 00 00 00 10 00 05 06  13 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  78 00 12 00 07 00 01 00
       73 69 74 00 6c 00 02 00  05 00 09 00 00 00 00 00
       08 00 02 00 c0 00 02 01  08 00 03 00 c6 33 64 07
       05 00 0a 00 01 00 00 00  05 00 05 00 00 00 00 00
       05 00 04 00 40 00 00 00  08 00 01 00 03 00 00 00
       08 00 14 00 00 00 00 00  06 00 0f 00 00 00 00 00
       06 00 10 00 00 00 00 00  06 00 11 00 00 00 00 00
       06 00 12 00 00 00 00 00  06 00 08 00 00 00 00 00`,
    );
  });

  it('ip6tnl create: the same attributes as `ip link add t1 type ip6tnl local 2001:db8::1 remote 2001:db8::7 ttl 64 mode ip6ip6 dev x0`', () => {
    sameAsIp(
      tun('ip6tnl', { ...v6, mode: 'ip6ip6' }),
      'create',
      `bc 00 00 00 10 00 05 06  13 3d 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       07 00 03 00 74 31 00 00  94 00 12 00 0a 00 01 00
       69 70 36 74 6e 6c 00 00  84 00 02 00 05 00 09 00
       29 00 00 00 14 00 02 00  20 01 0d b8 00 00 00 00
       00 00 00 00 00 00 00 01  14 00 03 00 20 01 0d b8
       00 00 00 00 00 00 00 00  00 00 00 07 05 00 04 00
       40 00 00 00 05 00 06 00  04 00 00 00 08 00 07 00
       00 00 00 00 08 00 08 00  00 00 00 00 08 00 01 00
       03 00 00 00 08 00 14 00  00 00 00 00 06 00 0f 00
       00 00 00 00 06 00 10 00  02 00 00 00 06 00 11 00
       00 00 00 00 06 00 12 00  00 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps every option, and a tunnel without link or endpoints', () => {
    for (const kind of ['ipip', 'sit']) {
      for (const ttl of [0, 1, 64, 255]) roundTrips(tun(kind, { ...v4, ttl }));
      roundTrips(tun(kind, { remote: '198.51.100.7' }));
      roundTrips(tun(kind, { ttl: 0 }));
    }
    for (const mode of ['ip6ip6', 'ipip6', 'any']) for (const ttl of [0, 64, 255]) roundTrips(tun('ip6tnl', { ...v6, ttl, mode }));
    roundTrips(tun('ip6tnl', { remote: '2001:db8::7', mode: 'any' }));
  });

  it('ip6tnl modes are IPPROTO_IPV6, IPPROTO_IPIP and 0 in IFLA_IPTUN_PROTO', () => {
    assert.equal(infoData(tun('ip6tnl', { ...v6, mode: 'ip6ip6' }), 'create').get(9), '29');
    assert.equal(infoData(tun('ip6tnl', { ...v6, mode: 'ipip6' }), 'create').get(9), '04');
    assert.equal(infoData(tun('ip6tnl', { ...v6, mode: 'any' }), 'create').get(9), '00');
  });

  it('an address of the other family is refused, not dropped', () => {
    assert.throws(() => written((w) => writeLink(w, 'create', tun('sit', { remote: '2001:db8::7' }), 1, lowerIdx)), /not IPv4/);
    assert.throws(() => written((w) => writeLink(w, 'create', tun('ip6tnl', { local: '192.0.2.1' }), 1, lowerIdx)), /not IPv6/);
  });

  it('local, ttl, link and mode change in place; a new remote replaces the tunnel', () => {
    for (const [kind, base] of [['ipip', v4], ['sit', v4], ['ip6tnl', { ...v6, mode: 'ip6ip6' }]] as const) {
      const have = tun(kind, base);
      const six = kind === 'ip6tnl';
      assert.equal(changeOf(have, tun(kind, { ...base, local: six ? '2001:db8::2' : '192.0.2.2' })), 'update', `${kind} local`);
      assert.equal(changeOf(have, tun(kind, { ...base, ttl: 1 })), 'update', `${kind} ttl`);
      assert.equal(changeOf(have, tun(kind, { ...base, link: 'x1' })), 'update', `${kind} link`);
      assert.equal(changeOf(have, tun(kind, { ...base, remote: six ? '2001:db8::9' : '198.51.100.9' })), 'replace', `${kind} remote`);
      assert.equal(changeOf(have, tun(kind, { ...base })), undefined, `${kind} same`);
    }
    assert.equal(changeOf(tun('ip6tnl', { ...v6, mode: 'ip6ip6' }), tun('ip6tnl', { ...v6, mode: 'any' })), 'update');
  });

  it('an update states every setting, the remote and iproute2 defaults included (changelink starts from zero)', () => {
    for (const [kind, base] of [['ipip', v4], ['sit', v4], ['ip6tnl', { ...v6, mode: 'ipip6' }]] as const) {
      const update = infoData(tun(kind, base, { ifindex: 9 }), 'update');
      assert.deepEqual(update, infoData(tun(kind, base), 'create'), kind);
      assert.ok(update.has(3), `${kind} IFLA_IPTUN_REMOTE`);
    }
  });

  it("the kernel's fallback devices (tunl0, sit0, ip6tnl0) read as a kind netrec does not model", () => {
    for (const [kind, name] of [['ipip', 'tunl0'], ['sit', 'sit0'], ['ip6tnl', 'ip6tnl0']]) {
      const l = readBack({ name, kind, state: 'down', options: { ttl: 0 } });
      assert.equal(l.kind, `other:${kind}`, name);
      assert.equal(l.options, undefined, name);
    }
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', tun('ipip', v4), namesOf()), 't1 ipip local 192.0.2.1 remote 198.51.100.7 ttl 64 dev x0');
    assert.equal(objectWords('interface', tun('ip6tnl', { ...v6, mode: 'any' }), namesOf()), 't1 ip6tnl local 2001:db8::1 remote 2001:db8::7 hoplimit 64 mode any dev x0');
  });
});
