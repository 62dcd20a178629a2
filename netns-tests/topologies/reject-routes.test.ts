// Blackhole and unreachable routes on a router, in front of a server that
// holds an address in each prefix: the blackhole drops silently (no reply, no
// ICMP error), the unreachable route answers with an ICMP error that reaches
// the sender, and the rest of the server's prefix is reachable.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertDoesNotReach, assertReaches, countDuring, topology, waitForDad, type Topology } from '../helpers/traffic.js';

const FAMILIES = [
  { family: 'IPv4', open: '10.99.3.1', blackholed: '10.99.1.1', refused: '10.99.2.1', router: '10.51.0.1' },
  { family: 'IPv6', open: '2001:db8:99:3::1', blackholed: '2001:db8:99:1::1', refused: '2001:db8:99:2::1', router: '2001:db8:51::1' },
];

describe('blackhole and unreachable routes', () => {
  let t: Topology;
  before(async () => {
    t = topology(['r', 'h', 's'], { forwarding: ['r'] });
    t.link('h', 'eth0', 'r', 'lan');
    t.link('s', 'eth0', 'r', 'srv');
    for (const role of ['r', 'h', 's']) t.apply(role, `reject.${role}`);
    await waitForDad([t.ns('r'), t.ns('h'), t.ns('s')]);
  });
  after(() => t?.destroy());

  for (const f of FAMILIES) {
    it(`${f.family}: the rest of the server's prefix is reachable`, () => {
      assertReaches(t.ns('h'), f.open);
    });

    it(`${f.family}: a blackhole route drops without an ICMP error`, () => {
      const { rx, result } = countDuring(t.ns('s'), 'eth0', () => assertDoesNotReach(t.ns('h'), f.blackholed));
      assert.doesNotMatch(result.output, /unreachable|prohibited/i, 'no ICMP error came back');
      assert.ok(rx < 3, `nothing reached the server (${rx} packets)`);
    });

    it(`${f.family}: an unreachable route sends an ICMP error back to the sender`, () => {
      const { rx, result } = countDuring(t.ns('s'), 'eth0', () => assertDoesNotReach(t.ns('h'), f.refused));
      assert.match(result.output, new RegExp(`From ${f.router}.*Unreachable`, 'i'), 'the router answered Destination Unreachable');
      assert.ok(rx < 3, `nothing reached the server (${rx} packets)`);
    });
  }
});
