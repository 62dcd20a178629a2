// Scenario 7: with `netrec watch` managing 100k routes, delete one managed
// route with ip and time, from the kernel's own events seen on a separate
// socket, how long until the route is back.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RTM_DELROUTE, RTM_NEWROUTE, RTNLGRP_IPV4_ROUTE } from '../src/netlink/constants.js';
import { parseMessages } from '../src/netlink/message.js';
import { openRawSocket } from '../src/netlink/socket.js';
import { BenchNs, median, NETREC, percentile, v4, writeRoutesYaml, type RouteSet } from './lib.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function watchRepair(tmp: string, n: RouteSet, trials: number): Promise<{ trials: number; median: number; p99: number; rssMiB: number }> {
  const ns = new BenchNs();
  const yaml = join(tmp, 'watch.yaml');
  writeRoutesYaml(yaml, n);
  const watch = spawn(process.execPath, [NETREC, 'watch', yaml, '--netns', ns.name, '--log-format', 'json'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  watch.stderr.on('data', (d) => (log += d));
  const sock = openRawSocket(`/run/netns/${ns.name}`);
  sock.setRcvbuf(64 << 20);
  try {
    // Wait for the initial apply to converge.
    for (let i = 0; i < 600 && !/"trigger":"start"/.test(log); i++) await sleep(100);
    if (!/"trigger":"start"/.test(log)) throw new Error(`watch did not converge: ${log.slice(0, 2000)}`);
    sock.join(RTNLGRP_IPV4_ROUTE);
    const lat: number[] = [];
    for (let t = 0; t < trials; t++) {
      while (sock.recv()) {
        // drop older events
      }
      const dst = v4((t * 7919) % n.v4);
      const [addr, len] = dst.split('/');
      let deleted = 0;
      let back = 0;
      const del = spawn('ip', ['-n', ns.name, 'route', 'del', dst]);
      const t0 = Date.now();
      while (!back && Date.now() - t0 < 5000) {
        const data = sock.recv();
        if (!data) {
          await sleep(0);
          continue;
        }
        const now = performance.now();
        parseMessages(data, (m) => {
          if (m.type !== RTM_DELROUTE && m.type !== RTM_NEWROUTE) return;
          if (m.buf[m.off + 1] !== Number(len)) return;
          // RTA_DST follows the 12-byte rtmsg; find it.
          let off = m.off + 12;
          while (off + 4 <= m.end) {
            const alen = m.buf.readUInt16LE(off);
            const type = m.buf.readUInt16LE(off + 2);
            if (type === 1 && `${m.buf[off + 4]}.${m.buf[off + 5]}.${m.buf[off + 6]}.${m.buf[off + 7]}` === addr) {
              if (m.type === RTM_DELROUTE && !deleted) deleted = now;
              else if (m.type === RTM_NEWROUTE && deleted) back = now;
            }
            off += (alen + 3) & ~3;
          }
        });
      }
      await new Promise((r) => (del.exitCode !== null ? r(null) : del.once('close', r)));
      if (!back) throw new Error(`route ${dst} not repaired within 5 s`);
      lat.push(back - deleted);
    }
    const status = readFileSync(`/proc/${watch.pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
    return { trials, median: median(lat), p99: percentile(lat, 99), rssMiB: rss };
  } finally {
    sock.close();
    watch.kill('SIGTERM');
    await new Promise((r) => watch.once('close', r));
    ns.destroy();
  }
}
