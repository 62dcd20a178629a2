// The native socket: descriptors never leak (close or garbage collection),
// closed sockets fail cleanly, truncation-free receive of the kernel's replies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Connection } from '../../src/netlink/connection.js';
import { RTM_GETLINK } from '../../src/netlink/constants.js';
import { SocketError } from '../../src/netlink/errors.js';
import { openRawSocket } from '../../src/netlink/socket.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

describe('native socket', () => {
  it('close() releases the descriptor and is idempotent', () => {
    const before = openFds();
    const socks = Array.from({ length: 50 }, () => openRawSocket());
    assert.equal(openFds(), before + 50);
    for (const s of socks) {
      s.close();
      s.close();
    }
    assert.equal(openFds(), before);
  });

  it('a closed socket throws EBADF instead of crashing', () => {
    const s = openRawSocket();
    s.close();
    assert.throws(() => s.send(Buffer.alloc(16)), (e: { errno?: number }) => e.errno === 9);
    assert.throws(() => s.recv(), (e: { errno?: number }) => e.errno === 9);
  });

  it('garbage collection closes sockets nobody closed', () => {
    const socketModule = fileURLToPath(new URL('../../src/netlink/socket.js', import.meta.url));
    const script = `
      const { openRawSocket } = await import(${JSON.stringify(socketModule)});
      const fs = await import('node:fs');
      const count = () => fs.readdirSync('/proc/self/fd').length;
      const before = count();
      for (let i = 0; i < 300; i++) openRawSocket();
      const opened = count() - before;
      for (let i = 0; i < 10 && count() > before; i++) { gc(); await new Promise((r) => setTimeout(r, 20)); }
      console.log(JSON.stringify({ opened, left: count() - before }));`;
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const { opened, left } = JSON.parse(r.stdout) as { opened: number; left: number };
    assert.equal(opened, 300);
    assert.equal(left, 0);
  });

  it('a namespace path that does not exist gives a SocketError naming it', () => {
    assert.throws(() => openRawSocket('/run/netns/netrec-no-such-namespace'), (e: unknown) => e instanceof SocketError && e.code === 'ENOENT' && e.message.includes('/run/netns/netrec-no-such-namespace'));
  });

  it('dumps the links of its own namespace (lo is always there)', async () => {
    const conn = Connection.open();
    try {
      const names = await conn.dump(RTM_GETLINK, (w) => w.struct(16), (m) => m.buf.readInt32LE(m.off + 4));
      assert.ok(names.includes(1), 'ifindex 1 (lo) present');
    } finally {
      conn.close();
    }
  });
});
