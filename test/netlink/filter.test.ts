// The socket filter that drops our own announcements, checked against the
// classic BPF encoding written out by hand (struct sock_filter, <linux/filter.h>).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropFromPorts } from '../../src/netlink/filter.js';

/** A tiny classic BPF interpreter for the three instructions the program uses. */
function run(prog: Buffer, packet: Buffer): number {
  let a = 0;
  for (let pc = 0; pc * 8 < prog.length; ) {
    const code = prog.readUInt16LE(pc * 8);
    const jt = prog[pc * 8 + 2]!;
    const jf = prog[pc * 8 + 3]!;
    const k = prog.readUInt32LE(pc * 8 + 4);
    if (code === 0x06) return k;
    if (code === 0x20) a = packet.readUInt32BE(k);
    else if (code === 0x15) {
      pc += 1 + (a === k ? jt : jf);
      continue;
    } else throw new Error(`unexpected opcode ${code}`);
    pc++;
  }
  throw new Error('fell off the end');
}

function header(pid: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(16, 0);
  b.writeUInt16LE(24, 4);
  b.writeUInt32LE(pid, 12);
  return b;
}

test('one port: the exact instructions', () => {
  const p = dropFromPorts([0x01020304]);
  assert.deepEqual(
    [...Array(p.length / 8).keys()].map((i) => [p.readUInt16LE(i * 8), p[i * 8 + 2], p[i * 8 + 3], p.readUInt32LE(i * 8 + 4)]),
    [
      [0x20, 0, 0, 12], // ld [12]: nlmsg_pid, read big-endian
      [0x15, 1, 0, 0x04030201], // jeq (the little-endian pid as read), to the drop
      [0x06, 0, 0, 0xffffffff], // keep
      [0x06, 0, 0, 0], // drop
    ],
  );
});

test('drops exactly the listed ports, keeps the kernel (0) and everyone else', () => {
  const ports = [4242, 2_000_000_001, 7];
  const p = dropFromPorts(ports);
  for (const pid of ports) assert.equal(run(p, header(pid)), 0, `port ${pid}`);
  for (const pid of [0, 4243, 2_000_000_000, 0xffffffff]) assert.notEqual(run(p, header(pid)), 0, `port ${pid}`);
});
