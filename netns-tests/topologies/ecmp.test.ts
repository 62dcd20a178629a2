// ECMP: one destination behind two equal next hops. Many flows (one per
// source address; the kernel's default multipath hash is on source and
// destination) are spread over both, so both next hops' counters move.
// IPv6 is off, so only the test's traffic moves them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertReaches, counters, topology, type Topology } from '../helpers/traffic.js';

const FAR = '192.0.2.200';
/** The host's addresses, as in configs/ecmp.h.yaml: 10.31.0.10 .. 10.31.0.41. */
const SOURCES = Array.from({ length: 32 }, (_, i) => `10.31.0.${10 + i}`);

describe('ECMP over two next hops', () => {
  let t: Topology;
  before(() => {
    t = topology(['r', 'h', 'n1', 'n2'], { ipv6: false, forwarding: ['r'] });
    t.link('h', 'eth0', 'r', 'lan');
    t.link('n1', 'eth0', 'r', 'nh1');
    t.link('n2', 'eth0', 'r', 'nh2');
    for (const role of ['r', 'h', 'n1', 'n2']) t.apply(role, `ecmp.${role}`);
  });
  after(() => t?.destroy());

  it('flows from many sources reach the destination through both next hops', () => {
    const before1 = counters(t.ns('n1'), 'eth0').rxPackets;
    const before2 = counters(t.ns('n2'), 'eth0').rxPackets;
    for (const from of SOURCES) assertReaches(t.ns('h'), FAR, { count: 1, from });
    const via1 = counters(t.ns('n1'), 'eth0').rxPackets - before1;
    const via2 = counters(t.ns('n2'), 'eth0').rxPackets - before2;
    // 32 flows hashed over two paths: each path carrying at least 3 fails by chance with p < 1e-6.
    assert.ok(via1 >= 3, `next hop 1 carried traffic (${via1} packets; next hop 2: ${via2})`);
    assert.ok(via2 >= 3, `next hop 2 carried traffic (${via2} packets; next hop 1: ${via1})`);
  });
});
