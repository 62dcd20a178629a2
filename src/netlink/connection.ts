// A conversation with the kernel over one socket: requests matched to their
// ACKs by sequence number, multi-part dumps (retried when interrupted), and
// pipelined batches with a bounded number of un-acknowledged messages.
//
// rtnetlink handles requests inside sendmsg, and produces further dump parts
// inside recvmsg, so replies are normally waiting as soon as the call
// returns; the event loop is only awaited when they are not.
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants.js';
import { KernelError, NetlinkParseError, SocketError } from './errors.js';
import { attrString, attrU32, emptyMessage, forEachAttr, readMessage, Writer, type Message } from './message.js';
import { openRawSocket, toSocketError, type RawSocket } from './socket.js';
import { Sysctl } from './sysctl.js';

export interface ConnectionOptions {
  /** Network namespace path (/run/netns/NAME, /proc/PID/ns/net). */
  netns?: string;
  /** Receive buffer to ask for (bytes). */
  rcvbuf?: number;
  /** Sockets a large independent batch may use at once (see batch's `parallel`). */
  lanes?: number;
}

/** Result of one message in a batch. */
/** `error` is the kernel's refusal, an encoding error (nothing sent), or null when not sent. */
export type BatchResult = { ok: true } | { ok: false; error: KernelError | Error } | { ok: false; error: null };

export interface BatchOptions {
  /** Messages per sendmsg. */
  chunk?: number;
  /** Stop sending after the chunk with the first refusal (ACKs of messages sent are still read). */
  stopOnError?: boolean;
  /** Called after each chunk's ACKs are read, with the count done so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * The messages do not depend on each other's order: chunks may go out over
   * several sockets at once. rtnetlink does its work inside sendmsg, and
   * route inserts take only short per-namespace locks, so two sockets on
   * pool threads keep two cores busy in the kernel.
   */
  parallel?: boolean;
  /** Called after each chunk (on the socket of the batch), e.g. to drain a notification socket. */
  afterChunk?: () => void;
  /** Checked before each chunk: true stops sending (what was not sent reports `error: null`). */
  shouldStop?: () => boolean;
}

export class DumpInterruptedError extends Error {
  constructor(attempts: number) {
    super(`the kernel's table kept changing during the dump (NLM_F_DUMP_INTR on ${attempts} attempts)`);
    this.name = 'DumpInterruptedError';
  }
}

const DEFAULT_RCVBUF = 32 * 1024 * 1024;
const DEFAULT_LANES = 2;
/** One shared positive result: a million-message batch needs no million objects. */
const ACKED: BatchResult = Object.freeze({ ok: true });
/** Messages per sendmsg. */
const DEFAULT_CHUNK = 256;
/** Kernel memory one small ACK skb is charged (truesize), generously rounded up. */
const ACK_TRUESIZE = 1024;

export class Connection {
  readonly sock: RawSocket;
  readonly rcvbuf: number;
  /** Extra sockets for parallel batches, opened on first need. */
  private lanes: RawSocket[] = [];
  private readonly maxLanes: number;
  private readonly openLane: (() => RawSocket) | undefined;
  private seq: number;
  private busy: Promise<unknown> = Promise.resolve();
  /** Mutating messages sent so far (batch()). */
  mutations = 0;
  /** Dump attempts that came back interrupted and were retried. */
  dumpRetries = 0;
  /** The namespace's sysctl files (IP settings the kernel takes no netlink request for); its `writes` count beside `mutations`. */
  readonly sysctl: Sysctl;

  /** `openLane` opens another socket in the same namespace for parallel batches. */
  constructor(sock: RawSocket, rcvbuf = DEFAULT_RCVBUF, openLane?: () => RawSocket, lanes = DEFAULT_LANES, netns?: string) {
    this.sock = sock;
    this.sysctl = new Sysctl(netns);
    this.rcvbuf = sock.setRcvbuf(rcvbuf);
    this.openLane = openLane;
    this.maxLanes = Math.max(1, lanes);
    // Start from a time-derived value so stale replies to an earlier process's socket never match.
    this.seq = (Date.now() & 0x3fffffff) >>> 0;
  }

  static open(opts: ConnectionOptions = {}): Connection {
    const rcvbuf = opts.rcvbuf ?? DEFAULT_RCVBUF;
    const openLane = (): RawSocket => {
      const s = openRawSocket(opts.netns);
      s.setRcvbuf(rcvbuf);
      return s;
    };
    return new Connection(openRawSocket(opts.netns), rcvbuf, openLane, opts.lanes, opts.netns);
  }

  close(): void {
    for (const s of this.sockets()) s.close();
    this.lanes = [];
  }

  /** Every socket this connection has open to send on. */
  private sockets(): RawSocket[] {
    return [this.sock, ...this.lanes];
  }

  /** Port ids of every socket this connection sends on. */
  portIds(): number[] {
    return this.sockets().map((s) => s.portId);
  }

  /**
   * Open the sockets parallel batches use now rather than on first need, so
   * that `portIds()` names every socket this connection will send on.
   */
  openLanes(): void {
    if (!this.openLane || !this.sock.sendAsync) return;
    try {
      while (this.lanes.length < this.maxLanes - 1) this.lanes.push(this.openLane());
    } catch {
      // One socket still does the job, only slower.
    }
  }

  /** The sockets a batch of `chunks` chunks uses: more than one only when worth a thread hop. */
  private socketsFor(chunks: number, parallel: boolean): RawSocket[] {
    if (!parallel || chunks < 4) return [this.sock];
    this.openLanes();
    return this.sockets();
  }

  nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0;
    if (this.seq === 0) this.seq = 1;
    return this.seq;
  }

  /** Run operations one at a time: one socket carries one dump at a time. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  private send(bytes: Buffer, sock = this.sock): void {
    try {
      sock.send(bytes);
    } catch (e) {
      throw toSocketError(e, 'netlink send');
    }
  }

  /** sendmsg off the event loop when the socket can, else inline. */
  private sendOffThread(bytes: Buffer, sock: RawSocket, offThread: boolean): Promise<void> | void {
    if (!offThread || !sock.sendAsync) return this.send(bytes, sock);
    return new Promise((resolve, reject) => {
      sock.sendAsync!(bytes, 0, bytes.length, (err) => (err ? reject(toSocketError(err, 'netlink send')) : resolve()));
    });
  }

  /**
   * Read replies until `onMessage` returns true. Drains what is waiting
   * synchronously; waits on the event loop only when nothing is.
   */
  private async readUntil(onMessage: (m: Message) => boolean, sock = this.sock): Promise<void> {
    // Read once: the native getter costs a call into the addon, per message of a dump otherwise.
    const portId = sock.portId;
    // Callers are done with a message when they return: one object serves them all.
    const m = emptyMessage();
    for (;;) {
      let data: Buffer | null;
      try {
        data = sock.recv();
      } catch (e) {
        throw toSocketError(e, 'netlink receive');
      }
      if (data === null) {
        await this.readable(sock);
        continue;
      }
      let done = false;
      // Every message is checked, also those after the one that ends the read.
      for (let off = 0; off < data.length; ) {
        off = readMessage(data, off, m);
        if (done) continue;
        if (m.pid !== portId && m.pid !== 0) continue; // not a reply to us
        if (m.type === NLMSG_NOOP || m.type === NLMSG_OVERRUN) continue;
        done = onMessage(m);
      }
      if (done) return;
    }
  }

  private readable(sock: RawSocket): Promise<void> {
    return new Promise((resolve) => {
      sock.startReading(() => {
        sock.stopReading();
        resolve();
      });
    });
  }

  /**
   * Dump a table. `build` writes the request's family header and any filter
   * attributes after the netlink header that dump() has begun. `decode`
   * turns each reply into a value (or undefined to skip it). An interrupted
   * dump (NLM_F_DUMP_INTR) is thrown away and retried, up to `attempts` times,
   * after a pause that grows (5 ms doubling, at most 250 ms): a kernel busy
   * configuring thousands of new interfaces (IPv6 addresses, DAD) changes
   * the tables for a second or two, and immediate retries all fail alike.
   */
  dump<T>(type: number, build: (w: Writer) => void, decode: (m: Message) => T | undefined, attempts = 16): Promise<T[]> {
    return this.exclusive(async () => {
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await sleep(Math.min(250, 5 * 2 ** (attempt - 2)));
        const w = new Writer(256);
        const seq = this.nextSeq();
        const start = w.begin(type, NLM_F_REQUEST | NLM_F_DUMP, seq);
        build(w);
        w.end(start);
        this.send(w.bytesView());
        const out: T[] = [];
        let interrupted = false;
        let failure: Error | undefined;
        await this.readUntil((m) => {
          if (m.seq !== seq) return false;
          if (m.flags & NLM_F_DUMP_INTR) interrupted = true;
          if (m.type === NLMSG_DONE) {
            failure = doneError(m);
            return true;
          }
          if (m.type === NLMSG_ERROR) {
            failure = ackError(m) ?? new NetlinkParseError('dump ended with an ACK instead of NLMSG_DONE');
            return true;
          }
          const v = decode(m);
          if (v !== undefined) out.push(v);
          return false;
        });
        if (failure) throw failure;
        if (!interrupted) return out;
        this.dumpRetries++;
      }
      throw new DumpInterruptedError(attempts);
    });
  }

  /**
   * Send one request with NLM_F_ACK and wait for its ACK. Replies before
   * the ACK (for NLM_F_ECHO or a GET) are returned as copies.
   */
  request(type: number, flags: number, build: (w: Writer) => void): Promise<Buffer[]> {
    return this.exclusive(async () => {
      const w = new Writer(256);
      const seq = this.nextSeq();
      const start = w.begin(type, flags | NLM_F_REQUEST | NLM_F_ACK, seq);
      build(w);
      w.end(start);
      this.send(w.bytesView());
      const replies: Buffer[] = [];
      let failure: Error | undefined;
      await this.readUntil((m) => {
        if (m.seq !== seq) return false;
        if (m.type === NLMSG_ERROR) {
          failure = ackError(m);
          return true;
        }
        replies.push(Buffer.from(m.buf.subarray(m.off - NLMSG_HDRLEN, m.end)));
        return false;
      });
      if (failure) throw failure;
      return replies;
    });
  }

  /**
   * Send `count` mutating messages, `chunk` per sendmsg. rtnetlink handles
   * a whole sendmsg before it returns, so the chunk is the number of ACKs
   * in flight on a socket: it is capped so they always fit the receive
   * buffer (a lost ACK would be an unknown outcome). `encode(w, i, seq)`
   * writes message i, with NLM_F_ACK in its flags, or returns an Error and
   * writes nothing (the message is then refused without being sent). Every
   * ACK is matched by sequence number. Without `parallel`, messages reach the
   * kernel in index order.
   */
  batch(
    count: number,
    encode: (w: Writer, index: number, seq: number) => Error | void,
    opts: BatchOptions = {},
  ): Promise<BatchResult[]> {
    return this.exclusive(async () => {
      const chunk = Math.max(1, Math.min(opts.chunk ?? DEFAULT_CHUNK, Math.floor(this.rcvbuf / 2 / ACK_TRUESIZE)));
      const stopOnError = opts.stopOnError ?? true;
      const results: BatchResult[] = new Array(count);
      const sockets = this.socketsFor(Math.ceil(count / chunk), opts.parallel ?? false);
      const offThread = sockets.length > 1;
      let next = 0;
      let done = 0;
      let refused = false;
      let broken = false;
      // Each lane takes the next chunk, sends it and reads its ACKs, until none is left.
      const lane = async (sock: RawSocket): Promise<void> => {
        // A chunk's sequence numbers are consecutive (one may be skipped at the
        // 32-bit wrap): its ACKs find their message by offset, not by a map.
        const pending = new Int32Array(chunk + 1);
        const w = new Writer(64 * 1024);
        while (next < count && !broken && !(refused && stopOnError) && !opts.shouldStop?.()) {
          w.reset();
          pending.fill(-1);
          const from = next;
          const end = Math.min(count, from + chunk);
          next = end;
          let seq0 = -1;
          let sent = 0;
          for (let i = from; i < end; i++) {
            const seq = this.nextSeq();
            if (seq0 < 0) seq0 = seq;
            const bad = encode(w, i, seq);
            if (bad) {
              results[i] = { ok: false, error: bad };
              refused = true;
              continue;
            }
            pending[(seq - seq0) >>> 0] = i;
            sent++;
          }
          if (sent > 0) {
            await this.sendOffThread(w.bytesView(), sock, offThread);
            this.mutations += sent;
            let left = sent;
            await this.readUntil((m) => {
              const at = (m.seq - seq0) >>> 0;
              const i = at < pending.length ? pending[at]! : -1;
              if (i < 0 || m.type !== NLMSG_ERROR) return false;
              pending[at] = -1;
              const err = ackError(m);
              if (err) {
                results[i] = { ok: false, error: err };
                refused = true;
              } else results[i] = ACKED;
              return --left === 0;
            }, sock);
          }
          done += end - from;
          opts.afterChunk?.();
          opts.onProgress?.(done, count);
        }
      };
      // A socket error ends every lane; the batch waits for all before it throws.
      const ended = await Promise.allSettled(
        sockets.map((sock) =>
          lane(sock).catch((e: unknown) => {
            broken = true;
            throw e;
          }),
        ),
      );
      for (const e of ended) if (e.status === 'rejected') throw e.reason;
      for (let i = 0; i < count; i++) if (results[i] === undefined) results[i] = { ok: false, error: null };
      return results;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error an ACK carries, or undefined for a positive ACK. */
export function ackError(m: Message): KernelError | undefined {
  const b = m.buf;
  if (m.end - m.off < 4) throw new NetlinkParseError('truncated NLMSG_ERROR');
  const code = b.readInt32LE(m.off);
  if (code === 0) return undefined;
  return new KernelError(-code, ...readExtack(m));
}

/** NLMSG_DONE can carry an error (and extended ACK) too. */
function doneError(m: Message): Error | undefined {
  if (m.end - m.off < 4) return undefined;
  const code = m.buf.readInt32LE(m.off);
  if (code >= 0) return undefined;
  if (!(m.flags & NLM_F_ACK_TLVS)) return new KernelError(-code);
  let msg: string | undefined;
  let offs: number | undefined;
  forEachAttr(m.buf, m.off + 4, m.end, (t, at, len) => {
    if (t === NLMSGERR_ATTR_MSG) msg = attrString(m.buf, at, len);
  });
  return new KernelError(-code, msg, offs);
}

/**
 * Extended ACK TLVs follow the nlmsgerr: after only the echoed header when
 * NLM_F_CAPPED is set, else after the whole echoed request.
 */
export function readExtack(m: Message): [string | undefined, number | undefined] {
  if (!(m.flags & NLM_F_ACK_TLVS)) return [undefined, undefined];
  const b = m.buf;
  if (m.end - m.off < 4 + NLMSG_HDRLEN) return [undefined, undefined];
  const echoedLen = b.readUInt32LE(m.off + 4);
  const tlvStart = m.off + 4 + (m.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : ((echoedLen + 3) & ~3));
  if (tlvStart > m.end) return [undefined, undefined];
  let msg: string | undefined;
  let offs: number | undefined;
  forEachAttr(b, tlvStart, m.end, (t, at, len) => {
    if (t === NLMSGERR_ATTR_MSG) msg = attrString(b, at, len);
    else if (t === NLMSGERR_ATTR_OFFS) offs = attrU32(b, at, len);
  });
  return [msg, offs];
}

export { SocketError };
