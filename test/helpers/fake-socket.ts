// A RawSocket for unit tests: replies are queued by the subclass's send()
// (rtnetlink answers inside sendmsg) and handed out by recv().
import { NLMSG_DONE, NLM_F_MULTI } from '../../src/netlink/constants.js';
import type { RawSocket } from '../../src/netlink/socket.js';

export abstract class QueueSocket implements RawSocket {
  readonly fd = -1;
  queue: Buffer[] = [];
  constructor(readonly portId: number) {}
  abstract send(buf: Buffer): number;
  recv(): Buffer | null {
    return this.queue.shift() ?? null;
  }
  /** The messages of a dump answer to request `seq`, addressed to this socket (NLM_F_MULTI), then NLMSG_DONE. */
  dumpReply(seq: number, msgs: readonly Buffer[]): Buffer[] {
    const stamp = (r: Buffer): Buffer => {
      r.writeUInt16LE(NLM_F_MULTI, 6);
      r.writeUInt32LE(seq, 8);
      r.writeUInt32LE(this.portId, 12);
      return r;
    };
    const done = Buffer.alloc(20);
    done.writeUInt32LE(20, 0);
    done.writeUInt16LE(NLMSG_DONE, 4);
    return [...msgs.map((x) => stamp(Buffer.from(x))), stamp(done)];
  }
  join(): void {}
  leave(): void {}
  setRcvbuf(n: number): number {
    return n;
  }
  startReading(cb: () => void): void {
    setImmediate(cb);
  }
  stopReading(): void {}
  close(): void {}
}
