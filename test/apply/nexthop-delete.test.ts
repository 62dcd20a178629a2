// RTM_DELNEXTHOP names the id alone (the kernel refuses a marker on it), so
// executePlan reads the nexthops again before a stage that deletes one and
// refuses to delete one that is no longer what the plan read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executePlan } from '../../src/apply/execute.js';
import type { NexthopObject } from '../../src/model/types.js';
import { NLMSG_ERROR, RTM_DELNEXTHOP, RTM_GETLINK, RTM_GETNEXTHOP, RTM_NEWLINK } from '../../src/netlink/constants.js';
import { Connection } from '../../src/netlink/connection.js';
import { parseMessages } from '../../src/netlink/message.js';
import { writeNexthop } from '../../src/netlink/rtnl/nexthop.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { QueueSocket } from '../helpers/fake-socket.js';
import { idx, written } from '../netlink/helpers.js';

/** A kernel holding `held` nexthops and the link eth0 (ifindex 2); it records the nexthop ids it is asked to delete. */
class Kernel extends QueueSocket {
  readonly deleted: number[] = [];
  constructor(private readonly held: NexthopObject[]) {
    super(77);
  }

  send(buf: Buffer): number {
    parseMessages(Buffer.from(buf), (m) => {
      const reply = (msgs: Buffer[]): void => {
        this.queue.push(Buffer.concat(this.dumpReply(m.seq, msgs)));
      };
      if (m.type === RTM_GETLINK) {
        reply([
          written((w) => {
            const s = w.begin(RTM_NEWLINK, 0, 0);
            const h = w.struct(16);
            w.buf.writeInt32LE(2, h + 4);
            w.string(3, 'eth0');
            w.end(s);
          }),
        ]);
      } else if (m.type === RTM_GETNEXTHOP) {
        reply(this.held.map((n) => written((w) => writeNexthop(w, 'create', n, 0, idx))));
      } else {
        if (m.type === RTM_DELNEXTHOP) this.deleted.push(m.buf.readUInt32LE(m.off + 8 + 4));
        const ack = Buffer.alloc(36);
        ack.writeUInt32LE(36, 0);
        ack.writeUInt16LE(NLMSG_ERROR, 4);
        ack.writeUInt32LE(m.seq, 8);
        ack.writeUInt32LE(this.portId, 12);
        m.buf.copy(ack, 20, m.off - 16, m.off);
        this.queue.push(ack);
      }
    });
    return buf.length;
  }
}

const read: NexthopObject = { id: 10, protocol: 78, family: 'ipv4', via: '192.0.2.1', dev: 'eth0' };
const del = (n: NexthopObject): Change => ({ action: 'delete', type: 'nexthop', id: String(n.id), before: n, after: null });
const planOf = (...changes: Change[]): Plan => ({ stages: [changes], summary: { create: 0, update: 0, replace: 0, delete: changes.length } });

describe('deleting nexthops', () => {
  it('deletes a nexthop that is still what the plan read', async () => {
    const k = new Kernel([read]);
    const r = await executePlan(new Connection(k), planOf(del(read)), { stopOnError: true });
    assert.deepEqual(r.refusals, []);
    assert.deepEqual(k.deleted, [10]);
  });

  it('does not delete one that another owner has made under its id since', async () => {
    const k = new Kernel([{ ...read, protocol: 4 }]);
    const r = await executePlan(new Connection(k), planOf(del(read)), { stopOnError: true });
    assert.deepEqual(k.deleted, []);
    assert.equal(r.refusals.length, 1);
    assert.match(r.refusals[0]!.error.message, /nexthop 10 changed since the plan read it \(protocol is 4, the plan read 78\), so it is not deleted/);
  });

  it('a rollback (best effort) still deletes the others of the stage', async () => {
    const other: NexthopObject = { id: 11, protocol: 78, family: 'ipv4', dev: 'eth0' };
    const k = new Kernel([{ ...read, via: '192.0.2.9' }, other]);
    const r = await executePlan(new Connection(k), planOf(del(read), del(other)), { stopOnError: false });
    assert.deepEqual(k.deleted, [11]);
    assert.equal(r.refusals.length, 1);
  });
});
