// The watch cache and netconf events: which settings' changes make it read
// again (docs/watch.md, IP settings).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AF_INET, AF_INET6, RTM_NEWNETCONF } from '../../src/netlink/constants.js';
import { NETCONFA_FORWARDING, NETCONFA_IFINDEX, NETCONFMSG_LEN } from '../../src/netlink/rtnl/devconf.js';
import { isClean, KernelCache, noDirt } from '../../src/watch/cache.js';
import { message } from '../netlink/helpers.js';

function netconf(family: number, ifindex: number) {
  return message(RTM_NEWNETCONF, (w) => {
    const h = w.struct(NETCONFMSG_LEN);
    w.buf[h] = family;
    w.s32(NETCONFA_IFINDEX, ifindex);
    w.s32(NETCONFA_FORWARDING, 1);
  });
}

test('a netconf event about an interface re-reads the links, one about all or default also the namespace', () => {
  const cache = new KernelCache(0x4e);
  const one = noDirt();
  cache.apply(netconf(AF_INET, 5), one);
  assert.deepEqual([one.links, one.namespace, one.full], [true, false, false]);
  for (const ifindex of [-1, -2]) {
    const all = noDirt();
    cache.apply(netconf(AF_INET6, ifindex), all);
    assert.deepEqual([all.links, all.namespace], [true, true]);
    assert.equal(isClean(all), false);
  }
});
