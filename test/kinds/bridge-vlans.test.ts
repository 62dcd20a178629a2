// Bridge VLANs and port settings: the VLAN entry table (canonical lists,
// minimal deltas, words), the requests against bridge(8)'s and ip(8)'s
// bytes, the compressed dump read back, the bridge's VLAN options and port
// settings through decode -> encode -> decode, and the planner: VLANs and
// port settings are decided after the port joins its master, minimally,
// in iproute2's words.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rmSync } from 'node:fs';
import { loadConfig } from '../../src/config/load.js';
import { writeFixtures } from '../config/helpers.js';
import type { Link, State, Vlan } from '../../src/model/types.js';
import { canonicalVlans, decodeBridgeVlans, sameVlans, vlanDelta, vlanDeltaText, writeVlans } from '../../src/netlink/rtnl/bridge-vlan.js';
import { decodeLink, writeLink } from '../../src/netlink/rtnl/link.js';
import { LinkCtx, portKind } from '../../src/kinds/registry.js';
import { RTM_NEWLINK } from '../../src/netlink/constants.js';
import { opsFor } from '../../src/kernel/write.js';
import { plan } from '../../src/plan/plan.js';
import { planChanges } from '../../src/plan/types.js';
import { renderText } from '../../src/plan/render/text.js';
import { asReply, attrTree, hex, written, type AttrNode } from '../netlink/helpers.js';
import { changeOf, roundTrips } from './helpers.js';

const V = (vid: number, more: Partial<Vlan> = {}): Vlan => ({ vid, ...more });
const DEFAULT: Vlan = { vid: 1, pvid: true, untagged: true };

describe('the VLAN entry table', () => {
  it('keeps lists canonical: by VID, runs with the same flags as one range, a pvid alone', () => {
    assert.deepEqual(canonicalVlans([V(25), V(20, { end: 24 }), V(26, { end: 29 }), V(10, { pvid: true, untagged: true }), V(11, { untagged: true })]), [
      V(10, { pvid: true, untagged: true }),
      V(11, { untagged: true }),
      V(20, { end: 29 }),
    ]);
    assert.deepEqual(canonicalVlans([V(5, { untagged: true }), V(6, { untagged: true }), V(7)]), [V(5, { end: 6, untagged: true }), V(7)]);
    assert.ok(sameVlans([V(20, { end: 29 })], canonicalVlans([V(20, { end: 22 }), V(23, { end: 29 })])));
    assert.ok(!sameVlans([V(20, { end: 29 })], [V(20, { end: 29, untagged: true })]));
    assert.ok(sameVlans([], undefined));
  });

  it('a delta names only the VIDs that change: new ones and new flags to add, the rest to remove', () => {
    assert.deepEqual(vlanDelta([DEFAULT, V(10)], [DEFAULT]), { add: [V(10)], del: [] });
    assert.deepEqual(vlanDelta([V(20, { pvid: true, untagged: true })], [V(10, { pvid: true, untagged: true })]), { add: [V(20, { pvid: true, untagged: true })], del: [V(10)] });
    assert.deepEqual(vlanDelta([V(10)], [V(10, { pvid: true, untagged: true })]), { add: [V(10)], del: [] });
    assert.deepEqual(vlanDelta([V(20, { end: 29 })], [V(20, { end: 25 }), V(40)]), { add: [V(26, { end: 29 })], del: [V(40)] });
    assert.deepEqual(vlanDelta([DEFAULT], [DEFAULT]), { add: [], del: [] });
    assert.equal(vlanDeltaText([V(10, { pvid: true, untagged: true }), V(20, { end: 29 })], [DEFAULT]), '+10 pvid untagged, +20-29, -1');
  });
});

describe('bridge VLAN requests', () => {
  it('a port\'s range: the bytes of `bridge vlan add vid 20-29 dev x0 untagged`', () => {
    // ip netns exec g strace -e trace=sendmsg -e write=3 bridge vlan add vid 20-29 dev x0 untagged
    // (iproute2 6.1, x0 = ifindex 4): RTM_SETLINK, AF_BRIDGE, IFLA_AF_SPEC (not flagged nested)
    // { VLAN_INFO { UNTAGGED|RANGE_BEGIN, 20 }, VLAN_INFO { UNTAGGED|RANGE_END, 29 } }.
    const ours = written((w) => writeVlans(w, 'add', 4, false, [V(20, { end: 29, untagged: true })], 1));
    assert.deepEqual(
      attrTree(ours),
      attrTree(
        hex(`34 00 00 00 13 00 05 00  81 c6 14 6b 00 00 00 00
             07 00 00 00 04 00 00 00  00 00 00 00 00 00 00 00
             14 00 1a 00 08 00 02 00  0c 00 14 00 08 00 02 00
             14 00 1d 00`),
      ),
    );
  });

  it('a bridge\'s own: the bytes of `bridge vlan add vid 10 dev br0 self pvid untagged`', () => {
    // strace ... bridge vlan add vid 10 dev br0 self pvid untagged (br0 = ifindex 2): IFLA_BRIDGE_FLAGS SELF first.
    const ours = written((w) => writeVlans(w, 'add', 2, true, [V(10, { pvid: true, untagged: true })], 1));
    assert.deepEqual(
      attrTree(ours),
      attrTree(
        hex(`34 00 00 00 13 00 05 00  81 c6 14 6b 00 00 00 00
             07 00 00 00 02 00 00 00  00 00 00 00 00 00 00 00
             14 00 1a 00 06 00 00 00  02 00 00 00 08 00 02 00
             06 00 0a 00`),
      ),
    );
  });

  it('a removal: the bytes of `bridge vlan del vid 1 dev x0`', () => {
    // strace ... bridge vlan del vid 1 dev x0: RTM_DELLINK, flags 0.
    const ours = written((w) => writeVlans(w, 'del', 4, false, [DEFAULT], 1));
    assert.deepEqual(
      attrTree(ours),
      attrTree(
        hex(`2c 00 00 00 11 00 05 00  81 c6 14 6b 00 00 00 00
             07 00 00 00 04 00 00 00  00 00 00 00 00 00 00 00
             0c 00 1a 00 08 00 02 00  00 00 01 00`),
      ),
    );
  });

  it('what is written reads back as the compressed dump gives it', () => {
    const vlans = [DEFAULT, V(10, { untagged: true }), V(20, { end: 29 }), V(4094)];
    const m = asReply(written((w) => writeVlans(w, 'add', 7, false, vlans, 1)));
    assert.deepEqual(decodeBridgeVlans(m), { ifindex: 7, vlans });
  });
});

describe('bridge options and port settings on the wire', () => {
  const br0 = (options: Link['options']): Link => ({ name: 'br0', kind: 'bridge', state: 'up', options });

  it('vlan-filtering, vlan-protocol and default-pvid read back, and change in place', () => {
    for (const vlanFiltering of [true, false]) roundTrips(br0({ vlanFiltering }));
    for (const vlanProtocol of ['802.1q', '802.1ad']) roundTrips(br0({ vlanProtocol }));
    for (const defaultPvid of [0, 1, 4094]) roundTrips(br0({ defaultPvid }));
    const have = br0({ vlanFiltering: false, vlanProtocol: '802.1q', defaultPvid: 1 });
    assert.equal(changeOf(have, br0({ vlanFiltering: true })), 'update');
    assert.equal(changeOf(have, br0({ vlanProtocol: '802.1ad' })), 'update');
    assert.equal(changeOf(have, br0({ defaultPvid: 5 })), 'update');
  });

  it('port settings: the slave data of `ip link set dev x0 type bridge_slave learning off cost 100`', () => {
    // strace ... ip link set dev x0 type bridge_slave learning off cost 100 (x0 = ifindex 4):
    // IFLA_LINKINFO { IFLA_INFO_KIND "bridge_slave", IFLA_INFO_SLAVE_DATA { LEARNING 0, COST 100 } }.
    // netrec names the master's kind in IFLA_INFO_SLAVE_KIND instead (as dumps do; the kernel
    // takes the slave data by the port's master either way), so the slave data is compared.
    const ip = attrTree(
      hex(`48 00 00 00 10 00 05 00  80 c6 14 6b 00 00 00 00
           00 00 00 00 04 00 00 00  00 00 00 00 00 00 00 00
           28 00 12 00 10 00 01 00  62 72 69 64 67 65 5f 73
           6c 61 76 65 14 00 05 00  05 00 08 00 00 00 00 00
           08 00 03 00 64 00 00 00`),
    );
    const port: Link = { name: 'x0', kind: 'device', state: 'absent', ifindex: 4, port: { kind: 'bridge', options: { learning: false, cost: 100 } } };
    const ours = attrTree(written((w) => writeLink(w, 'update', port, 1, { ifindex: () => 4 })));
    const slaveData = (t: typeof ours) => (t.attrs.find((a) => a[0] === 18)![1] as AttrNode[]).find((a) => a[0] === 5);
    assert.ok(slaveData(ip));
    assert.deepEqual(slaveData(ours), slaveData(ip));
    assert.equal(ours.header, ip.header);
  });

  it('port settings read back from a dump', () => {
    const options = { learning: false, unicastFlood: true, mcastFlood: false, bcastFlood: true, isolated: true, hairpin: false, neighSuppress: true, bpduGuard: false, cost: 100, priority: 32 };
    const role = portKind('bridge')!.role;
    // A dump's port: IFLA_LINKINFO { IFLA_INFO_SLAVE_KIND "bridge", IFLA_INFO_SLAVE_DATA { ... } }, from the table.
    const dump = written((w) => {
      const s = w.begin(RTM_NEWLINK, 0, 1);
      const h = w.struct(16);
      w.buf.writeInt32LE(4, h + 4);
      w.string(3, 'x0');
      const info = w.beginNested(18);
      w.string(4, 'bridge');
      const data = w.beginNested(5);
      role.layout.encode(w, options, new LinkCtx().resetLink('update'));
      w.endNested(data);
      w.endNested(info);
      w.end(s);
    });
    const back = decodeLink(asReply(dump))!;
    assert.deepEqual(back.port, { kind: 'bridge', options });
    assert.equal(back.kind, 'device');
  });
});

const STATE = (links: Link[]): State => ({ links, addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] });
const bridge = (more: Partial<Link> = {}): Link => ({ name: 'br0', kind: 'bridge', state: 'up', ifindex: 2, options: { vlanFiltering: true }, vlans: [DEFAULT], ...more });
const port = (more: Partial<Link> = {}): Link => ({ name: 'lan1', kind: 'device', state: 'up', ifindex: 3, master: 'br0', vlans: [DEFAULT], port: { kind: 'bridge', options: { learning: true, cost: 2 } }, ...more });

const CONFIG = (lan1: string) => `version: 1
interfaces:
  - name: br0
    kind: bridge
    bridge: { vlan-filtering: true }
  - name: lan1
    master: br0
${lan1}`;

function planOf(yaml: string, actual: State) {
  const { dir, paths } = writeFixtures({ 'net.yaml': yaml });
  const desired = loadConfig(paths);
  rmSync(dir, { recursive: true });
  const p = plan(desired, actual);
  assert.deepEqual(p.problems, []);
  return p.plan;
}
const text = (p: ReturnType<typeof planOf>) => renderText(p, { color: false }).split('\n').filter((l) => l.startsWith('~') || l.startsWith('+') || l.startsWith('-'));
const messages = (p: ReturnType<typeof planOf>) => planChanges(p).reduce((n, c) => n + opsFor(c).main.length + opsFor(c).post.length, 0);

describe('planning VLANs and port settings', () => {
  it('a declared list is the whole list: in iproute2-like words, one add and one del', () => {
    const p = planOf(CONFIG('    vlans: [ { vid: 10, pvid: true, untagged: true }, { vid: "20-29" } ]\n'), STATE([bridge(), port()]));
    assert.deepEqual(text(p), ['~ interface lan1 vlans +10 pvid untagged, +20-29, -1']);
    assert.equal(messages(p), 2);
  });

  it('one VID more is one message; the same list again is nothing; no vlans key leaves them alone', () => {
    const have = port({ vlans: [V(10, { pvid: true, untagged: true })] });
    const more = planOf(CONFIG('    vlans: [ { vid: 10, pvid: true, untagged: true }, { vid: 40 } ]\n'), STATE([bridge(), have]));
    assert.deepEqual(text(more), ['~ interface lan1 vlans +40']);
    assert.equal(messages(more), 1);
    assert.equal(planChanges(planOf(CONFIG('    vlans: [ { vid: 10, pvid: true, untagged: true } ]\n'), STATE([bridge(), have]))).length, 0);
    assert.equal(planChanges(planOf(CONFIG(''), STATE([bridge(), have]))).length, 0);
  });

  it('a port that joins in this plan: its VLANs after the join, against the default VLAN it gets', () => {
    const p = planOf(CONFIG('    vlans: [ { vid: 10 } ]\n    bridge-port: { learning: false }\n'), STATE([bridge(), { name: 'lan1', kind: 'device', state: 'up', ifindex: 3 }]));
    const changes = planChanges(p);
    assert.deepEqual(
      changes.map((c) => c.attrs?.map((a) => a.attr)),
      [['master'], ['vlans', 'bridge-port.learning']],
    );
    assert.deepEqual(text(p), ['~ interface lan1 master none -> br0', '~ interface lan1 bridge_slave learning none -> off, vlans +10, -1']);
  });

  it('port settings as far as declared, one message of what changes', () => {
    const p = planOf(CONFIG('    bridge-port: { learning: false, cost: 2 }\n'), STATE([bridge(), port()]));
    assert.deepEqual(text(p), ['~ interface lan1 bridge_slave learning on -> off']);
    assert.equal(messages(p), 1);
  });

  it('a new default-pvid moves the default VLAN of the bridge and of ports that have it; a declared list is set back after', () => {
    const have = [bridge({ options: { vlanFiltering: true, defaultPvid: 1 } }), port({ vlans: [DEFAULT, V(10)] }), port({ name: 'lan2', ifindex: 4 })];
    const p = planOf(
      `version: 1
interfaces:
  - name: br0
    kind: bridge
    bridge: { default-pvid: 5 }
  - name: lan1
    master: br0
    vlans: [ { vid: 1, pvid: true, untagged: true }, { vid: 10 } ]
`,
      STATE(have),
    );
    assert.deepEqual(text(p), ['~ interface br0 bridge vlan_default_pvid 1 -> 5', '~ interface lan1 vlans +1 pvid untagged, -5']);
    const kept = planOf(CONFIG('    vlans: [ { vid: 5 } ]\n').replace('vlan-filtering: true', 'vlan-filtering: true, default-pvid: 5'), STATE([bridge({ options: { vlanFiltering: true, defaultPvid: 1 } }), port({ vlans: [DEFAULT, V(5)] })]));
    assert.deepEqual(text(kept), ['~ interface br0 bridge vlan_default_pvid 1 -> 5', '~ interface lan1 vlans -1'], 'a port that has the new VID already keeps the old one');
  });

  it('a new bridge and its new port: VLANs once both exist, the bridge\'s own with self', () => {
    const p = planOf(
      `version: 1
interfaces:
  - name: br0
    kind: bridge
    bridge: { vlan-filtering: true, default-pvid: 0 }
    vlans: [ { vid: 10 } ]
  - name: lan1
    kind: veth
    veth: { peer: lan1p }
    master: br0
    vlans: [ { vid: 10, pvid: true, untagged: true } ]
`,
      STATE([]),
    );
    const last = p.stages[p.stages.length - 1]!;
    assert.deepEqual(
      last.map((c) => `${c.id} ${c.attrs!.map((a) => a.attr).join(',')}`),
      ['br0 vlans', 'lan1 vlans'],
    );
    // default-pvid 0: the new ones have no VLAN to remove.
    assert.deepEqual(text(p).slice(-2), ['~ interface br0 vlans +10', '~ interface lan1 vlans +10 pvid untagged']);
  });
});
