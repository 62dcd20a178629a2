// Primary and secondary IPv4 addresses against the real kernel. Deleting a
// primary address takes the secondaries of its subnet along unless the link
// promotes one (promote_secondaries), and a link left without IPv4 loses its
// IPv4 routes and ARP entries: netrec promotes for the time of the delete so
// that foreign objects survive, and names what the kernel removes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { Netns, netrec, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

function ok(r: { status: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

function v4(ns: Netns, dev: string): { local: string; secondary: boolean }[] {
  const l = (ns.json('-4', 'addr', 'show', 'dev', dev) as J[])[0];
  return ((l?.addr_info ?? []) as J[]).map((a) => ({ local: `${a.local}/${a.prefixlen}`, secondary: a.secondary === true }));
}

/** net.ipv4.conf.DEV.promote_secondaries, read inside the namespace (`ip netns exec` gives it its own /proc/sys/net). */
function readConf(ns: Netns, dev: string): string {
  return execFileSync('ip', ['netns', 'exec', ns.name, 'cat', `/proc/sys/net/ipv4/conf/${dev}/promote_secondaries`], { encoding: 'utf8' }).trim();
}

const config = (addresses: string[]) => `version: 1\ninterfaces:\n  - name: br0\n    kind: bridge\n    addresses: [${addresses.join(', ')}]\n`;

describe('secondary IPv4 addresses', () => {
  it('deleting a primary while its secondaries stay keeps a foreign route, a foreign ARP entry and the secondaries; the plan names what goes', () => {
    const ns = Netns.create('sec');
    const t = tempDir();
    try {
      const all = t.write('all.yaml', config(['10.0.0.1/24', '10.0.0.2/24', '10.0.0.3/24']));
      ok(netrec(['apply', all, '--netns', ns.name]));
      assert.deepEqual(v4(ns, 'br0'), [
        { local: '10.0.0.1/24', secondary: false },
        { local: '10.0.0.2/24', secondary: true },
        { local: '10.0.0.3/24', secondary: true },
      ]);
      ns.ip('route', 'add', '192.168.5.0/24', 'via', '10.0.0.254', 'proto', 'static');
      ns.ip('route', 'add', '192.168.6.0/24', 'dev', 'br0', 'src', '10.0.0.1', 'proto', 'static');
      ns.ip('neigh', 'add', '10.0.0.9', 'lladdr', '02:00:00:00:00:09', 'dev', 'br0');

      const kept = t.write('kept.yaml', config(['10.0.0.2/24', '10.0.0.3/24']));
      const plan = ok(netrec(['plan', kept, '--netns', ns.name]));
      // show marks the secondaries, so a plan from a snapshot is the same plan.
      const snapshot = t.write('snap.json', ok(netrec(['show', '--netns', ns.name, '-o', 'json'])));
      assert.equal(ok(netrec(['plan', kept, '--from-state', snapshot])), plan);
      // The route that uses the deleted address as its source really goes, and is named; nothing else is.
      assert.match(plan, /^- address 10\.0\.0\.1\/24 dev br0 .*the kernel also removes route 192\.168\.6\.0\/24\)$/m);
      assert.match(plan, /^~ interface br0 promote_secondaries off -> on /m);
      ok(netrec(['apply', kept, '--netns', ns.name]));

      assert.deepEqual(v4(ns, 'br0'), [
        { local: '10.0.0.2/24', secondary: false },
        { local: '10.0.0.3/24', secondary: true },
      ]);
      const routes = ns.json('-4', 'route', 'show') as J[];
      assert.ok(routes.some((r) => r.dst === '192.168.5.0/24' && r.gateway === '10.0.0.254'), 'the foreign route through the link survives');
      assert.ok(!routes.some((r) => r.dst === '192.168.6.0/24'), 'the route with the deleted source is gone, as planned');
      assert.ok((ns.json('neigh', 'show', 'dev', 'br0') as J[]).some((n) => n.dst === '10.0.0.9'), 'the foreign ARP entry survives');
      assert.equal(readConf(ns, 'br0'), '0', 'promote_secondaries is put back');
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('addresses: [] on an interface with secondaries applies, sends no delete for what the kernel removed, and then plans nothing', () => {
    const ns = Netns.create('sec');
    const t = tempDir();
    try {
      ok(netrec(['apply', t.write('all.yaml', config(['10.0.0.1/24', '10.0.0.2/24', '10.0.0.3/24', '10.9.0.1/16'])), '--netns', ns.name]));
      const none = t.write('none.yaml', config([]));
      const r = JSON.parse(ok(netrec(['apply', none, '--netns', ns.name, '-o', 'json'])));
      assert.equal(r.result, 'applied');
      // One delete per primary: the kernel takes the secondaries with theirs.
      assert.equal(r.messages, 2);
      assert.deepEqual(v4(ns, 'br0'), []);
      assert.match(ok(netrec(['plan', none, '--netns', ns.name, '--detailed-exitcode'])), /^No changes\.$/m);
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('replacing a primary (a new label) while its secondary stays keeps the secondary and a foreign route', () => {
    const ns = Netns.create('sec');
    const t = tempDir();
    try {
      ok(netrec(['apply', t.write('a.yaml', config(['10.0.0.1/24', '10.0.0.2/24'])), '--netns', ns.name]));
      ns.ip('route', 'add', '192.168.5.0/24', 'via', '10.0.0.254', 'proto', 'static');
      const labelled = t.write('b.yaml', config(['{ address: 10.0.0.1/24, label: "br0:a" }', '10.0.0.2/24']));
      assert.match(ok(netrec(['plan', labelled, '--netns', ns.name])), /^-\/\+ address 10\.0\.0\.1\/24 dev br0 label none -> br0:a \(forces replacement\)/m);
      ok(netrec(['apply', labelled, '--netns', ns.name]));
      assert.deepEqual(v4(ns, 'br0'), [
        { local: '10.0.0.2/24', secondary: false },
        { local: '10.0.0.1/24', secondary: true },
      ]);
      assert.ok((ns.json('-4', 'route', 'show') as J[]).some((r) => r.dst === '192.168.5.0/24' && r.gateway === '10.0.0.254'));
      assert.equal(readConf(ns, 'br0'), '0');
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('a rollback after a promoted delete puts the addresses and promote_secondaries back, and a foreign route through the link survives', () => {
    const ns = Netns.create('sec');
    const t = tempDir();
    try {
      ok(netrec(['apply', t.write('all.yaml', config(['10.0.0.1/24', '10.0.0.2/24'])), '--netns', ns.name]));
      ns.ip('route', 'add', '192.168.5.0/24', 'via', '10.0.0.254', 'proto', 'static');
      // The route with a preferred source no interface has is refused by the kernel after the address stage: the run rolls back.
      const bad = t.write('bad.yaml', `${config(['10.0.0.2/24'])}routes:\n  - { to: 10.77.0.0/16, via: 10.0.0.254, dev: br0, src: 10.78.0.1 }\n`);
      const r = netrec(['apply', bad, '--netns', ns.name]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /rolled back/i);
      assert.deepEqual(v4(ns, 'br0').map((a) => a.local).sort(), ['10.0.0.1/24', '10.0.0.2/24']);
      assert.equal(readConf(ns, 'br0'), '0');
      // The foreign route was never in danger: the link kept an IPv4 address throughout.
      assert.ok((ns.json('-4', 'route', 'show') as J[]).some((r) => r.dst === '192.168.5.0/24' && r.gateway === '10.0.0.254'));
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });
});
