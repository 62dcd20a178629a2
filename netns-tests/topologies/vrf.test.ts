// A VRF per customer on a provider edge router (full-kernel lane: needs vrf):
// the red and blue customers' sites use the very same addresses, and each
// site reaches only its own customer's other site, including an address
// the router reaches through a route in the customer's VRF table.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertReaches, countDuring, missingKind, topology, type Topology } from '../helpers/traffic.js';

const SITES = ['red1', 'red2', 'blue1', 'blue2'];

/** Each test is skipped, with the reason, on a kernel without vrf. */
const skip = missingKind('vrf') ?? false;

describe('VRFs separate two customers with overlapping addresses', () => {
  let t: Topology;
  before(() => {
    if (skip) return;
    t = topology(['r', ...SITES], { ipv6: false, forwarding: ['r'] });
    for (const site of SITES) {
      t.link(site, 'eth0', 'r', site);
      t.apply(site, `vrf.site${site.slice(-1)}`);
    }
    t.apply('r', 'vrf.r');
  });
  after(() => t?.destroy());

  for (const [customer, other] of [['red', 'blue'], ['blue', 'red']]) {
    for (const far of ['10.62.2.2', '10.63.0.1']) {
      it(`${customer} site 1 reaches ${far} at ${customer} site 2, never at ${other} site 2`, { skip }, () => {
        let wrong = 0;
        const { rx: right } = countDuring(t.ns(`${customer}2`), 'eth0', () => {
          wrong = countDuring(t.ns(`${other}2`), 'eth0', () => assertReaches(t.ns(`${customer}1`), far)).rx;
        });
        assert.ok(right >= 3, `${customer} site 2 received the echo requests (${right} packets)`);
        assert.equal(wrong, 0, `${other} site 2 received nothing (${wrong} packets)`);
      });
    }
  }
});
