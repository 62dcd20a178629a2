// A RawSocket for unit tests: replies are queued by the subclass's send()
// (rtnetlink answers inside sendmsg) and handed out by recv().
import type { RawSocket } from '../../src/netlink/socket.js';

export abstract class QueueSocket implements RawSocket {
  readonly fd = -1;
  queue: Buffer[] = [];
  constructor(readonly portId: number) {}
  abstract send(buf: Buffer): number;
  recv(): Buffer | null {
    return this.queue.shift() ?? null;
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
