// A socket subscribed to the rtnetlink multicast groups. It must be open
// before the first dump, or changes between the dump and the subscription
// are lost. ENOBUFS means events were dropped: the only recovery is a new
// full dump, which the controller does when told `overflow`.
import {
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV4_RULE,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_IPV6_RULE,
  RTNLGRP_LINK,
  RTNLGRP_NEIGH,
} from '../netlink/constants.js';
import { parseMessages, type Message } from '../netlink/message.js';
import { openRawSocket, type RawSocket } from '../netlink/socket.js';

export const GROUPS = [
  RTNLGRP_LINK,
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_IPV4_RULE,
  RTNLGRP_IPV6_RULE,
  RTNLGRP_NEIGH,
];

export interface EventHandlers {
  /** Each event message, in kernel order. */
  onMessage(m: Message): void;
  /** After a burst has been read (one readable callback). */
  onBurst(): void;
  /** Events were lost (ENOBUFS): re-dump. */
  onOverflow(): void;
}

export class EventSource {
  private readonly sock: RawSocket;
  overflows = 0;

  constructor(nsPath: string | undefined, rcvbuf: number, private readonly handlers: EventHandlers) {
    this.sock = openRawSocket(nsPath);
    this.sock.setRcvbuf(rcvbuf);
    for (const g of GROUPS) this.sock.join(g);
  }

  /** Have the kernel drop what `program` rejects before it is queued; false when the socket cannot. */
  filter(program: Buffer): boolean {
    if (!this.sock.attachFilter) return false;
    this.sock.attachFilter(program);
    return true;
  }

  start(): void {
    this.sock.startReading(() => this.drain());
  }

  /** Read every event waiting now. Returns the number of messages read. */
  drain(): number {
    let n = 0;
    for (;;) {
      let data: Buffer | null;
      try {
        data = this.sock.recv();
      } catch (e) {
        if ((e as { errno?: number }).errno === 105 /* ENOBUFS */) {
          this.overflows++;
          this.handlers.onOverflow();
          continue;
        }
        throw e;
      }
      if (data === null) break;
      parseMessages(data, (m) => {
        n++;
        this.handlers.onMessage(m);
      });
    }
    if (n > 0) this.handlers.onBurst();
    return n;
  }

  close(): void {
    this.sock.close();
  }
}
