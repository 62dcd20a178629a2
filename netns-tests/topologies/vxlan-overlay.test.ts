// A vxlan overlay between two hosts whose underlay networks are joined by a
// router: the hosts reach each other's overlay addresses (IPv4 and IPv6), and
// the packets cross the router encapsulated.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertReaches, countDuring, topology, waitForDad, type Topology } from '../helpers/traffic.js';

describe('a vxlan overlay over a routed underlay', () => {
  let t: Topology;
  before(async () => {
    t = topology(['r', 'a', 'b'], { forwarding: ['r'] });
    t.link('a', 'eth0', 'r', 'ea');
    t.link('b', 'eth0', 'r', 'eb');
    for (const role of ['r', 'a', 'b']) t.apply(role, `vxlan.${role}`);
    await waitForDad([t.ns('a'), t.ns('b')]);
  });
  after(() => t?.destroy());

  for (const [family, far] of [['IPv4', '10.200.0.2'], ['IPv6', 'fd00:200::2']]) {
    it(`${family}: host A reaches host B's overlay address through the router`, () => {
      let overlay = 0;
      const { tx: routed } = countDuring(t.ns('r'), 'eb', () => {
        overlay = countDuring(t.ns('b'), 'vx0', () => assertReaches(t.ns('a'), far)).rx;
      });
      assert.ok(overlay >= 3, `B's vxlan interface received the echo requests (${overlay} packets)`);
      assert.ok(routed >= 3, `the router forwarded the encapsulated packets to B (${routed} packets)`);
    });
  }
});
