// A router between two LANs, each LAN a bridge on the router: hosts on
// different LANs reach each other through it over IPv4 and IPv6, hosts on
// the same LAN through the bridge. Every namespace is configured only by
// `netrec apply`; the test makes the veth cables and turns forwarding on.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertReaches, countDuring, topology, waitForDad, type Topology } from '../helpers/traffic.js';

describe('a router between two LANs on bridges', () => {
  let t: Topology;
  before(async () => {
    t = topology(['r', 'a1', 'a2', 'b1'], { forwarding: ['r'] });
    t.link('a1', 'eth0', 'r', 'pa1');
    t.link('a2', 'eth0', 'r', 'pa2');
    t.link('b1', 'eth0', 'r', 'pb1');
    t.apply('r', 'lan-router.r');
    for (const h of ['a1', 'a2', 'b1']) t.apply(h, `lan-router.${h}`);
    await waitForDad(['r', 'a1', 'a2', 'b1'].map((x) => t.ns(x)));
  });
  after(() => t?.destroy());

  it('IPv4: a host on LAN a reaches a host on LAN b, and back', () => {
    const { rx } = countDuring(t.ns('r'), 'br-b', () => assertReaches(t.ns('a1'), '10.10.2.10'));
    assert.ok(rx >= 3, `the replies entered the router on br-b (${rx} packets)`);
    assertReaches(t.ns('b1'), '10.10.1.11');
  });

  it('IPv6: a host on LAN a reaches a host on LAN b, and back', () => {
    const { rx } = countDuring(t.ns('r'), 'br-b', () => assertReaches(t.ns('a1'), '2001:db8:b::10'));
    assert.ok(rx >= 3, `the replies entered the router on br-b (${rx} packets)`);
    assertReaches(t.ns('b1'), '2001:db8:a::11');
  });

  it('hosts on the same LAN reach each other through the bridge, not the router', () => {
    const { tx } = countDuring(t.ns('r'), 'pa2', () => {
      assertReaches(t.ns('a1'), '10.10.1.11');
      assertReaches(t.ns('a1'), '2001:db8:a::11');
    });
    assert.ok(tx >= 6, `the bridge port to a2 carried the echo requests (${tx} packets)`);
  });
});
