// Policy routing: the router has two uplinks; traffic from LAN 1 leaves by
// uplink A (main table), traffic from LAN 2 by uplink B (a rule on the source
// prefix and a second table). Both uplinks hold the same far address, and
// each routes back only to its own LAN, so a reply proves the way out; the
// uplinks' packet counters show it too (IPv6 is off, so nothing else moves them).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertReaches, countDuring, topology, type Topology } from '../helpers/traffic.js';

const FAR = '192.0.2.100';

describe('policy routing by source prefix over two uplinks', () => {
  let t: Topology;
  before(() => {
    t = topology(['r', 'h1', 'h2', 'ua', 'ub'], { ipv6: false, forwarding: ['r'] });
    t.link('h1', 'eth0', 'r', 'lan1');
    t.link('h2', 'eth0', 'r', 'lan2');
    t.link('ua', 'eth0', 'r', 'wan-a');
    t.link('ub', 'eth0', 'r', 'wan-b');
    for (const role of ['r', 'h1', 'h2', 'ua', 'ub']) t.apply(role, `policy.${role}`);
  });
  after(() => t?.destroy());

  /** Echo requests that reached each uplink while `host` pinged the far address. */
  function pingFar(host: string): { a: number; b: number } {
    let b = 0;
    const { rx: a } = countDuring(t.ns('ua'), 'eth0', () => {
      b = countDuring(t.ns('ub'), 'eth0', () => assertReaches(t.ns(host), FAR)).rx;
    });
    return { a, b };
  }

  it('traffic from LAN 1 leaves by uplink A', () => {
    const { a, b } = pingFar('h1');
    assert.ok(a >= 3, `uplink A received the echo requests (${a} packets)`);
    assert.ok(b < 3, `uplink B did not (${b} packets)`);
  });

  it('traffic from LAN 2 leaves by uplink B', () => {
    const { a, b } = pingFar('h2');
    assert.ok(b >= 3, `uplink B received the echo requests (${b} packets)`);
    assert.ok(a < 3, `uplink A did not (${a} packets)`);
  });
});
