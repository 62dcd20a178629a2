// The change witness matches every announcement of our own requests to the
// plan change it belongs to. Announcements are made here the way the kernel
// sends them (the object as it holds it, the requester's port, the flags),
// and fed through a fake subscription: no kernel needed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeWitness } from '../../src/apply/witness.js';
import { neighborKey, routeKey } from '../../src/model/identity.js';
import type { Link, Neighbor, Route } from '../../src/model/types.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELROUTE, RTM_NEWNEIGH, RTM_NEWROUTE } from '../../src/netlink/constants.js';
import { parseMessages, Writer, type Message } from '../../src/netlink/message.js';
import { writeNeighbor } from '../../src/netlink/rtnl/neighbor.js';
import { writeRoute } from '../../src/netlink/rtnl/route.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { idx, IFINDEX } from '../netlink/helpers.js';

const OURS = 4242;
const OTHER = 777;
const MARK = 78;
const LINKS = Object.entries(IFINDEX).map(([name, ifindex]) => ({ name, ifindex, kind: 'device', state: 'up' }) as Link);

/** An announcement of `o` as the kernel sends it: type, flags and the requester's port. */
function announce(type: number, flags: number, pid: number, o: Route | Neighbor): Message {
  const w = new Writer(256);
  if ('to' in o) writeRoute(w, 'replace', o, 1, idx);
  else writeNeighbor(w, 'replace', o, 1, idx);
  const b = Buffer.from(w.bytesView());
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(pid, 12);
  const out: Message[] = [];
  parseMessages(b, (m) => out.push(m));
  return out[0]!;
}

function witness(): ChangeWitness {
  return new ChangeWitness(undefined, [OURS], 0, () => ({ drain: () => 0, close: () => undefined }));
}

const route = (to: string, via: string, protocol = MARK): Route => ({ family: 'ipv4', table: 254, to, metric: 0, tos: 0, type: 'unicast', protocol, scope: 'global', via, dev: 'eth0' });
const neighbor = (address: string, lladdr: string): Neighbor => ({ dev: 'eth0', family: 'ipv4', address, lladdr, state: 'permanent', protocol: MARK });

function planOf(...changes: Change[]): Plan {
  return { stages: [changes], summary: { create: 0, update: 0, replace: 0, delete: 0 } };
}
const create = (r: Route): Change => ({ action: 'create', type: 'route', id: routeKey(r), before: null, after: r });
const remove = (r: Route): Change => ({ action: 'delete', type: 'route', id: routeKey(r), before: r, after: null });

const CREATED = NLM_F_CREATE | NLM_F_EXCL;

describe('change witness', () => {
  it('announcements equal to what the plan intended account for the whole plan', () => {
    const w = witness();
    const a = route('10.1.0.0/16', '192.0.2.1');
    const gone = route('10.2.0.0/16', '192.0.2.1');
    const n = neighbor('192.0.2.7', '02:00:00:00:00:07');
    w.expect(planOf(create(a), remove(gone), { action: 'create', type: 'neighbor', id: neighborKey(n), before: null, after: n }), LINKS);
    w.receive(announce(RTM_NEWROUTE, CREATED, OURS, a));
    w.receive(announce(RTM_DELROUTE, 0, OURS, gone));
    w.receive(announce(RTM_NEWNEIGH, 0, OURS, n));
    assert.deepEqual(w.wrongOutcomes(), []);
    assert.equal(w.accountsForAll(), true);
  });

  it('a delete that removed a foreign twin (same key, another gateway and owner) is wrong, naming both', () => {
    const w = witness();
    const ours = route('10.2.0.0/16', '192.0.2.1');
    const twin = route('10.2.0.0/16', '192.0.2.9', 4);
    w.expect(planOf(remove(ours)), LINKS);
    w.receive(announce(RTM_DELROUTE, 0, OURS, twin));
    const wrong = w.wrongOutcomes();
    assert.equal(wrong.length, 1);
    assert.match(wrong[0]!.detail, /removed 10\.2\.0\.0\/16 via 192\.0\.2\.9 .*protocol 4, not the planned 10\.2\.0\.0\/16 via 192\.0\.2\.1 .*protocol 78/);
    assert.equal(w.accountsForAll(), false);
  });

  it('a create the kernel reports as a replacement overwrote something the plan did not know of', () => {
    const w = witness();
    const a = route('10.1.0.0/16', '192.0.2.1');
    w.expect(planOf(create(a)), LINKS);
    w.receive(announce(RTM_NEWROUTE, NLM_F_REPLACE, OURS, a));
    assert.match(w.wrongOutcomes()[0]?.detail ?? '', /replaced a route the plan did not know of/);
  });

  it('an announcement of our own about an object the plan does not change is wrong', () => {
    const w = witness();
    w.expect(planOf(create(route('10.1.0.0/16', '192.0.2.1'))), LINKS);
    w.receive(announce(RTM_NEWROUTE, CREATED, OURS, route('10.1.0.0/16', '192.0.2.1')));
    w.receive(announce(RTM_DELROUTE, 0, OURS, route('10.9.0.0/16', '192.0.2.1', 4)));
    assert.match(w.wrongOutcomes()[0]?.detail ?? '', /deleted route 10\.9\.0\.0\/16 .*which the plan does not touch/);
  });

  it('an object announced differently from what was sent (a truncated lladdr) does not count as done: a read must settle it, and it is ours', () => {
    const w = witness();
    const sent = neighbor('192.0.2.7', '02:00:00:00:00:07:aa:bb');
    const held = neighbor('192.0.2.7', '02:00:00:00:00:07');
    w.expect(planOf({ action: 'create', type: 'neighbor', id: neighborKey(sent), before: null, after: sent }), LINKS);
    w.receive(announce(RTM_NEWNEIGH, 0, OURS, held));
    assert.equal(w.accountsForAll(), false);
    assert.equal(w.oursAlone('neighbor', neighborKey(sent)), true);
  });

  it('a missing announcement does not count as done', () => {
    const w = witness();
    const a = route('10.1.0.0/16', '192.0.2.1');
    const b = route('10.3.0.0/16', '192.0.2.1');
    w.expect(planOf(create(a), create(b)), LINKS);
    w.receive(announce(RTM_NEWROUTE, CREATED, OURS, a));
    assert.deepEqual(w.wrongOutcomes(), []);
    assert.equal(w.accountsForAll(), false);
  });

  it("another writer's announcement is not ours: it forces a read, and a difference under its key is put down to it", () => {
    const w = witness();
    const a = route('10.1.0.0/16', '192.0.2.1');
    w.expect(planOf(create(a)), LINKS);
    w.receive(announce(RTM_NEWROUTE, CREATED, OURS, a));
    w.receive(announce(RTM_DELROUTE, 0, OTHER, a));
    assert.deepEqual(w.wrongOutcomes(), []);
    assert.equal(w.accountsForAll(), false);
    assert.equal(w.oursAlone('route', routeKey(a)), false);
    assert.equal(w.oursAlone('route', '10.8.0.0/16 table 254 metric 0'), true);
  });
});
