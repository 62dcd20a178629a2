// Connection against a scripted fake kernel: sequence matching, interrupted
// dumps, extended ACKs, batches that stop at a refusal, ACK bounds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from '../../src/netlink/constants.js';
import { Connection, DumpInterruptedError } from '../../src/netlink/connection.js';
import { KernelError, NetlinkParseError } from '../../src/netlink/errors.js';
import { parseMessages, Writer, type Message } from '../../src/netlink/message.js';
import { QueueSocket } from '../helpers/fake-socket.js';

type Handler = (req: Message, reply: Writer) => void;

/** A socket whose "kernel" answers each request with `handler`, synchronously, like rtnetlink. */
class FakeSocket extends QueueSocket {
  sends = 0;
  maxPerSend = 0;
  constructor(private handler: Handler, portId = 4242) {
    super(portId);
  }
  send(buf: Buffer): number {
    this.sends++;
    const reply = new Writer();
    let n = 0;
    parseMessages(Buffer.from(buf), (m) => {
      n++;
      this.handler(m, reply);
    });
    this.maxPerSend = Math.max(this.maxPerSend, n);
    if (reply.off > 0) this.queue.push(Buffer.from(reply.bytesView()));
    return buf.length;
  }
}

/** Like FakeSocket, with the pool-thread send: the "kernel" works at once, the callback comes on a later turn. */
class AsyncFakeSocket extends FakeSocket {
  sendAsync(buf: Buffer, offset: number, length: number, cb: (err: unknown, sent?: number) => void): void {
    const n = this.send(Buffer.from(buf.subarray(offset, offset + length)));
    setImmediate(() => cb(null, n));
  }
}

function ack(reply: Writer, req: Message, errno = 0, extack?: string, offset?: number, pid = 4242): void {
  const flags = extack !== undefined ? NLM_F_CAPPED | NLM_F_ACK_TLVS : NLM_F_CAPPED;
  const s = reply.begin(NLMSG_ERROR, flags, req.seq, pid);
  reply.reserve(20);
  reply.buf.writeInt32LE(-errno, reply.off);
  req.buf.copy(reply.buf, reply.off + 4, req.off - 16, req.off); // echoed header only (capped)
  reply.off += 20;
  if (extack !== undefined) reply.string(NLMSGERR_ATTR_MSG, extack);
  if (offset !== undefined) reply.u32(NLMSGERR_ATTR_OFFS, offset);
  reply.end(s);
}

function part(reply: Writer, req: Message, value: number, flags = 0): void {
  const s = reply.begin(100, NLM_F_MULTI | flags, req.seq, 4242);
  reply.u32(1, value);
  reply.end(s);
}

function done(reply: Writer, req: Message): void {
  const s = reply.begin(NLMSG_DONE, NLM_F_MULTI, req.seq, 4242);
  reply.reserve(4);
  reply.buf.writeInt32LE(0, reply.off);
  reply.off += 4;
  reply.end(s);
}

const decodeValue = (m: Message): number => m.buf.readUInt32LE(m.off + 4);

describe('Connection.dump', () => {
  it('collects multi-part replies until NLMSG_DONE and ignores other sequence numbers', async () => {
    const sock = new FakeSocket((req, r) => {
      part(r, { ...req, seq: req.seq + 1000 }, 99); // stale reply to someone else
      part(r, req, 1);
      part(r, req, 2);
      done(r, req);
    });
    const conn = new Connection(sock);
    assert.deepEqual(await conn.dump(18, (w) => w.struct(16), decodeValue), [1, 2]);
  });

  it('retries an interrupted dump and never returns its partial result', async () => {
    let attempt = 0;
    const sock = new FakeSocket((req, r) => {
      attempt++;
      part(r, req, attempt, attempt < 3 ? NLM_F_DUMP_INTR : 0);
      done(r, req);
    });
    const conn = new Connection(sock);
    assert.deepEqual(await conn.dump(18, (w) => w.struct(16), decodeValue), [3]);
    assert.equal(conn.dumpRetries, 2);
  });

  it('pauses between interrupted attempts, 5 ms doubling', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const sock = new FakeSocket((req, r) => {
      part(r, req, 1, NLM_F_DUMP_INTR);
      done(r, req);
    });
    const conn = new Connection(sock);
    const settled = assert.rejects(conn.dump(18, (w) => w.struct(16), decodeValue, 3), DumpInterruptedError);
    const flush = () => new Promise((r) => setImmediate(r));
    await flush();
    assert.equal(sock.sends, 1);
    t.mock.timers.tick(4);
    await flush();
    assert.equal(sock.sends, 1, 'no retry before 5 ms');
    t.mock.timers.tick(1);
    await flush();
    assert.equal(sock.sends, 2);
    t.mock.timers.tick(9);
    await flush();
    assert.equal(sock.sends, 2, 'the second pause is longer');
    t.mock.timers.tick(1);
    await flush();
    assert.equal(sock.sends, 3);
    await settled;
  });

  it('gives up after a bounded number of interrupted attempts', async () => {
    const sock = new FakeSocket((req, r) => {
      part(r, req, 1, NLM_F_DUMP_INTR);
      done(r, req);
    });
    const conn = new Connection(sock);
    await assert.rejects(conn.dump(18, (w) => w.struct(16), decodeValue, 4), DumpInterruptedError);
    assert.equal(sock.sends, 4);
  });
});

describe('Connection.request', () => {
  it('reports errno and the extended ACK message and offset', async () => {
    const sock = new FakeSocket((req, r) => ack(r, req, 22, 'Invalid prefix for given prefix length', 28));
    const conn = new Connection(sock);
    await assert.rejects(
      conn.request(24, 0, (w) => w.struct(12)),
      (e: unknown) => e instanceof KernelError && e.errno === 22 && e.code === 'EINVAL' && e.extack === 'Invalid prefix for given prefix length' && e.offset === 28 && e.message.includes('Invalid prefix'),
    );
  });

  it('resolves on a positive ACK', async () => {
    const sock = new FakeSocket((req, r) => ack(r, req));
    const conn = new Connection(sock);
    assert.deepEqual(await conn.request(24, 0, (w) => w.struct(12)), []);
  });

  it('turns a garbage reply into a NetlinkParseError', async () => {
    const sock = new FakeSocket(() => undefined);
    sock.send = () => {
      sock.queue.push(Buffer.from([0x08, 0, 0, 0, 1, 2, 3]));
      return 0;
    };
    const conn = new Connection(sock);
    await assert.rejects(conn.request(24, 0, (w) => w.struct(12)), NetlinkParseError);
  });
});

describe('Connection.batch', () => {
  it('sends in chunks, matches every ACK and stops after the chunk with a refusal', async () => {
    let n = 0;
    const sock = new FakeSocket((req, r) => {
      n++;
      ack(r, req, n === 5 ? 101 : 0, n === 5 ? 'Nexthop has invalid gateway' : undefined);
    });
    const conn = new Connection(sock);
    const results = await conn.batch(10, (w, i, seq) => {
      const s = w.begin(24, 0x05, seq);
      w.u32(1, i);
      w.end(s);
    }, { chunk: 3 });
    assert.equal(sock.sends, 2); // chunks [0..2], [3..5]; message 4 (the fifth) refused
    assert.equal(conn.mutations, 6);
    assert.deepEqual(results.map((r) => (r.ok ? 'ok' : r.error ? 'refused' : 'unsent')), ['ok', 'ok', 'ok', 'ok', 'refused', 'ok', 'unsent', 'unsent', 'unsent', 'unsent']);
    const refused = results[4]!;
    assert.ok(!refused.ok && refused.error instanceof KernelError && refused.error.extack === 'Nexthop has invalid gateway');
  });

  it('keeps going after a refusal when asked to (best-effort rollback)', async () => {
    let n = 0;
    const sock = new FakeSocket((req, r) => ack(r, req, ++n === 2 ? 2 : 0));
    const conn = new Connection(sock);
    const results = await conn.batch(4, (w, i, seq) => {
      const s = w.begin(25, 0x05, seq);
      w.end(s);
    }, { chunk: 2, stopOnError: false });
    assert.deepEqual(results.map((r) => r.ok), [true, false, true, true]);
  });

  it('never has more un-acknowledged messages than the receive buffer holds', async () => {
    const sock = new FakeSocket((req, r) => ack(r, req));
    const conn = new Connection(sock, 64 * 1024); // room for 32 ACKs at 1 KiB each, halved for safety
    await conn.batch(100, (w, _i, seq) => {
      const s = w.begin(24, 0x05, seq);
      w.end(s);
    }, { chunk: 256 });
    assert.equal(sock.maxPerSend, 32);
  });

  /** Two async sockets that record which message (its u32 payload) each one carried. */
  function lanes(refuse?: number) {
    const seen: number[] = [];
    const handler = (port: number): Handler => (req, r) => {
      const v = req.buf.readUInt32LE(req.off + 4);
      seen.push(v);
      ack(r, req, v === refuse ? 22 : 0, undefined, undefined, port);
    };
    const main = new AsyncFakeSocket(handler(4242), 4242);
    const second = new AsyncFakeSocket(handler(4343), 4343);
    const conn = new Connection(main, undefined, () => second);
    const encode = (w: Writer, i: number, seq: number): void => {
      const s = w.begin(24, 0x05, seq);
      w.u32(1, i);
      w.end(s);
    };
    return { seen, main, second, conn, encode };
  }

  it('a parallel batch goes out over two sockets, each message once, every ACK matched to it', async () => {
    const { seen, main, second, conn, encode } = lanes();
    const results = await conn.batch(1000, encode, { chunk: 10, parallel: true });
    assert.ok(main.sends > 0 && second.sends > 0, `${main.sends} + ${second.sends} sends`);
    assert.equal(main.sends + second.sends, 100);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
    assert.ok(results.every((r) => r.ok));
    assert.equal(conn.mutations, 1000);
    assert.deepEqual(conn.portIds(), [4242, 4343]);
  });

  it('a refusal on one socket stops both', async () => {
    const { seen, conn, encode } = lanes(300);
    const results = await conn.batch(1000, encode, { chunk: 10, parallel: true });
    const refused = results[300]!;
    assert.ok(!refused.ok && refused.error instanceof KernelError && refused.error.errno === 22);
    // At most the other socket's chunk in flight finishes after the refusal.
    assert.ok(seen.length <= 320, `${seen.length} sent`);
    assert.ok(results.slice(320).every((r) => !r.ok && r.error === null));
  });

  it('without `parallel`, one socket and index order', async () => {
    const { seen, second, conn, encode } = lanes();
    await conn.batch(1000, encode, { chunk: 10 });
    assert.equal(second.sends, 0);
    assert.deepEqual(seen, Array.from({ length: 1000 }, (_, i) => i));
  });

  it('shouldStop ends a batch between chunks', async () => {
    const { seen, conn, encode } = lanes();
    let chunks = 0;
    const results = await conn.batch(1000, encode, { chunk: 10, parallel: true, afterChunk: () => chunks++, shouldStop: () => chunks >= 3 });
    assert.ok(seen.length <= 40, `${seen.length} sent`);
    assert.equal(results.filter((r) => r.ok).length, seen.length);
  });

  it('matches ACKs across the 32-bit sequence wrap inside a chunk (0 is skipped)', async () => {
    const seqs: number[] = [];
    let n = 0;
    const sock = new FakeSocket((req, r) => {
      seqs.push(req.seq);
      ack(r, req, ++n === 9 ? 22 : 0);
    });
    const conn = new Connection(sock);
    (conn as unknown as { seq: number }).seq = 0xffffffff - 5;
    const results = await conn.batch(20, (w, _i, seq) => {
      const s = w.begin(24, 0x05, seq);
      w.end(s);
    }, { chunk: 20, stopOnError: false });
    assert.ok(seqs.includes(0xffffffff) && seqs.includes(1) && !seqs.includes(0));
    assert.deepEqual(results.map((r) => r.ok), Array.from({ length: 20 }, (_, i) => i !== 8));
  });

  it('refuses a message that cannot be encoded without sending it', async () => {
    const sock = new FakeSocket((req, r) => ack(r, req));
    const conn = new Connection(sock);
    const results = await conn.batch(3, (w, i, seq) => {
      if (i === 1) return new Error('no interface named gone0');
      const s = w.begin(24, 0x05, seq);
      w.end(s);
    }, { stopOnError: false });
    assert.equal(conn.mutations, 2);
    assert.ok(!results[1]!.ok && results[1]!.error?.message === 'no interface named gone0');
  });
});
