// A socket subscribed to the rtnetlink multicast groups. It must be open
// before the first dump, or changes between the dump and the subscription
// are lost. ENOBUFS means events were dropped: the only recovery is a new
// full dump, which the controller does when told `overflow`.
//
// An overrun also sets an error on the socket, which the event loop sees as
// POLLERR; libuv then stops watching the descriptor and reports the error to
// the callback once. Reading goes on only if it is started again, which is
// done here: without it, the first overflow ends all event delivery for good.
import {
  RTNLGRP_IPV4_IFADDR,
  RTNLGRP_IPV4_NETCONF,
  RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV4_RULE,
  RTNLGRP_IPV6_IFADDR,
  RTNLGRP_IPV6_NETCONF,
  RTNLGRP_IPV6_ROUTE,
  RTNLGRP_IPV6_RULE,
  RTNLGRP_LINK,
  RTNLGRP_NEIGH,
  RTNLGRP_NEXTHOP,
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
  RTNLGRP_NEXTHOP,
  // Changes of forwarding, rp_filter and proxy_arp (docs/watch.md says which settings the kernel announces).
  RTNLGRP_IPV4_NETCONF,
  RTNLGRP_IPV6_NETCONF,
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
  private sock: RawSocket;
  private reading = false;
  private program?: Buffer;
  overflows = 0;
  /** Times the subscription was opened anew (resubscribe). */
  resubscriptions = 0;

  constructor(private readonly nsPath: string | undefined, private readonly rcvbuf: number, private readonly handlers: EventHandlers) {
    this.sock = this.open();
  }

  private open(): RawSocket {
    const sock = openRawSocket(this.nsPath);
    sock.setRcvbuf(this.rcvbuf);
    for (const g of GROUPS) sock.join(g);
    if (this.program && sock.attachFilter) sock.attachFilter(this.program);
    return sock;
  }

  /**
   * A fresh socket in place of this one, joined to the same groups (with the
   * same filter): whatever state the old one was left in, events flow again.
   * Events between the two subscriptions are lost, so the caller re-reads
   * the whole state after this, exactly as after an overflow.
   */
  resubscribe(): void {
    const old = this.sock;
    this.sock = this.open();
    this.resubscriptions++;
    try {
      old.stopReading();
    } finally {
      old.close();
    }
    if (this.reading) this.arm();
  }

  /** Have the kernel drop what `program` rejects before it is queued; false when the socket cannot. */
  filter(program: Buffer): boolean {
    if (!this.sock.attachFilter) return false;
    this.sock.attachFilter(program);
    this.program = program;
    return true;
  }

  start(): void {
    this.reading = true;
    this.arm();
  }

  private arm(): void {
    const sock = this.sock;
    const onReadable = (status?: number): void => {
      if (sock !== this.sock) return;
      // A negative status: the loop saw an error (POLLERR after ENOBUFS) and
      // stopped watching the socket. Watch it again before reading, so the
      // reading cannot leave it unwatched.
      if (typeof status === 'number' && status < 0 && this.reading) sock.startReading(onReadable);
      this.drain();
    };
    sock.startReading(onReadable);
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
    this.reading = false;
    this.sock.close();
  }
}
