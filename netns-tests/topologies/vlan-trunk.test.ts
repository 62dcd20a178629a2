// A VLAN trunk between two hosts (full-kernel lane: needs 8021q): VLANs with
// the same id on both ends reach each other (802.1Q, and 802.1ad for the
// outer tag of QinQ); the same subnet on different ids does not.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertDoesNotReach, assertReaches, countDuring, missingKind, topology, type Topology } from '../helpers/traffic.js';

/** Each test is skipped, with the reason, on a kernel without vlan. */
const skip = missingKind('vlan') ?? false;

describe('a VLAN trunk between two hosts', () => {
  let t: Topology;
  before(() => {
    if (skip) return;
    t = topology(['a', 'b'], { ipv6: false });
    t.link('a', 'trunk', 'b', 'trunk');
    t.apply('a', 'vlan-trunk.a');
    t.apply('b', 'vlan-trunk.b');
  });
  after(() => t?.destroy());

  for (const [vlan, far] of [['v10', '10.61.10.2'], ['v20', '10.61.20.2'], ['v40', '10.61.40.2']]) {
    it(`${vlan}: the hosts reach each other over the trunk, tagged`, { skip }, () => {
      const { rx } = countDuring(t.ns('b'), vlan, () => assertReaches(t.ns('a'), far));
      assert.ok(rx >= 3, `B's ${vlan} received the echo requests (${rx} packets)`);
    });
  }

  it('the same subnet on VLAN 31 and VLAN 32 stays apart', { skip }, () => {
    const { rx } = countDuring(t.ns('b'), 'v32', () => assertDoesNotReach(t.ns('a'), '10.61.30.2'));
    assert.equal(rx, 0, `B's v32 received nothing (${rx} packets)`);
  });
});
