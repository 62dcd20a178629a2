// Interfaces netrec did not make stay theirs (contract section 4): declaring
// one manages its attributes but never rewrites its alias, and leaving the
// config never deletes it. Only interfaces netrec created are pruned, and a
// same-named interface made later by someone else is not one of them. `show`
// output fed back to plan and apply changes nothing. `ip -j` is the oracle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Netns, netrec, netrecRaw, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

function link(ns: Netns, name: string): J | undefined {
  return (ns.json('-d', 'link', 'show') as J[]).find((l) => l.ifname === name);
}

function ok(r: { status: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

describe('interface ownership', () => {
  it('a bridge made with ip link add is managed when declared, keeps its alias, and is not deleted when it leaves the config', () => {
    const ns = Netns.create('own');
    const t = tempDir();
    try {
      ns.ip('link', 'add', 'br9', 'type', 'bridge');
      ns.ip('link', 'set', 'br9', 'alias', 'made by the operator');
      const declared = t.write('declared.yaml', 'version: 1\ninterfaces:\n  - { name: br9, kind: bridge, mtu: 1400 }\n  - { name: mine0, kind: bridge }\n');
      ok(netrec(['apply', declared, '--netns', ns.name]));
      assert.equal(link(ns, 'br9')!.mtu, 1400);
      assert.equal(link(ns, 'br9')!.ifalias, 'made by the operator');
      assert.equal(link(ns, 'mine0')!.ifalias, 'netrec');

      // Both leave the config: netrec's own bridge is pruned, the operator's stays as it is.
      const empty = t.write('empty.yaml', 'version: 1\n');
      const plan = ok(netrec(['plan', empty, '--netns', ns.name]));
      assert.match(plan, /^- interface mine0 bridge$/m);
      assert.doesNotMatch(plan, /br9/);
      ok(netrec(['apply', empty, '--netns', ns.name]));
      assert.equal(link(ns, 'mine0'), undefined);
      assert.equal(link(ns, 'br9')!.ifalias, 'made by the operator');
      assert.equal(link(ns, 'br9')!.mtu, 1400);

      // Only state: absent deletes it.
      const absent = t.write('absent.yaml', 'version: 1\ninterfaces:\n  - { name: br9, kind: bridge, state: absent }\n');
      ok(netrec(['apply', absent, '--netns', ns.name]));
      assert.equal(link(ns, 'br9'), undefined);
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('a same-named interface someone else makes after netrec deleted its own is not pruned', () => {
    const ns = Netns.create('own');
    const t = tempDir();
    try {
      const declared = t.write('declared.yaml', 'version: 1\ninterfaces:\n  - { name: br8, kind: bridge }\n');
      const empty = t.write('empty.yaml', 'version: 1\n');
      ok(netrec(['apply', declared, '--netns', ns.name]));
      assert.equal(link(ns, 'br8')!.ifalias, 'netrec');
      ok(netrec(['apply', empty, '--netns', ns.name]));
      assert.equal(link(ns, 'br8'), undefined);
      ns.ip('link', 'add', 'br8', 'type', 'bridge');
      const r = netrec(['apply', empty, '--netns', ns.name, '-o', 'json']);
      assert.equal(JSON.parse(ok(r)).messages, 0);
      assert.ok(link(ns, 'br8'), 'the new br8 is still there');
      // Declared and then dropped again, it is still not netrec's.
      ok(netrec(['apply', declared, '--netns', ns.name]));
      ok(netrec(['apply', empty, '--netns', ns.name]));
      assert.ok(link(ns, 'br8'));
      assert.equal(link(ns, 'br8')!.ifalias, undefined);
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('a rollback puts the alias of a replaced foreign interface back exactly', () => {
    const ns = Netns.create('own');
    const t = tempDir();
    try {
      ns.ip('link', 'add', 'vx5', 'type', 'vxlan', 'id', '5', 'dstport', '4789');
      ns.ip('link', 'set', 'vx5', 'alias', 'their tunnel');
      ns.ip('link', 'add', 'd5', 'type', 'bridge');
      ns.ip('link', 'set', 'd5', 'up');
      // The vni change replaces vx5; the route with a preferred source no interface has is then refused by the kernel, and the run rolls back.
      const cfg = t.write('c.yaml', 'version: 1\ninterfaces:\n  - { name: vx5, kind: vxlan, vxlan: { vni: 6, port: 4789 } }\nroutes:\n  - { to: 10.77.0.0/16, dev: d5, src: 10.78.0.1 }\n');
      const r = netrecRaw(['apply', cfg, '--netns', ns.name]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout + r.stderr, /rolled back/i);
      const vx = link(ns, 'vx5')!;
      assert.equal(vx.linkinfo.info_data.id, 5);
      assert.equal(vx.ifalias, 'their tunnel');
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('vxlan learning off and back on converges, ttl too', () => {
    const ns = Netns.create('own');
    const t = tempDir();
    try {
      const cfg = (learning: boolean, ttl: number) =>
        t.write(`vx-${learning}-${ttl}.yaml`, `version: 1\ninterfaces:\n  - { name: vx0, kind: vxlan, vxlan: { vni: 100, port: 4789, learning: ${learning}, ttl: ${ttl} } }\n`);
      const data = () => link(ns, 'vx0')!.linkinfo.info_data as J;
      ok(netrec(['apply', cfg(true, 10), '--netns', ns.name]));
      assert.equal(data().learning, true);
      ok(netrec(['apply', cfg(false, 20), '--netns', ns.name]));
      assert.equal(data().learning, false);
      assert.equal(data().ttl, 20);
      const index = link(ns, 'vx0')!.ifindex;
      const r = netrec(['apply', cfg(true, 30), '--netns', ns.name, '-o', 'json']);
      assert.equal(JSON.parse(ok(r)).result, 'applied');
      assert.equal(data().learning, true);
      assert.equal(data().ttl, 30);
      assert.equal(link(ns, 'vx0')!.ifindex, index, 'changed in place, not recreated');
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('a vxlan remote, local or underlay of the same family changes in place; another family replaces it', () => {
    const ns = Netns.create('own');
    const t = tempDir();
    try {
      ns.ip('link', 'add', 'u0', 'type', 'veth', 'peer', 'name', 'u1');
      let n = 0;
      const apply = (opts: string): string => {
        const file = t.write(`vx-${++n}.yaml`, `version: 1\ninterfaces:\n  - { name: vx0, kind: vxlan, vxlan: { vni: 100, port: 4789, ${opts} } }\n`);
        const out = ok(netrec(['apply', file, '--netns', ns.name]));
        assert.match(ok(netrec(['plan', file, '--netns', ns.name, '--detailed-exitcode'])), /^No changes\.$/m);
        return out;
      };
      const data = () => link(ns, 'vx0')!.linkinfo.info_data as J;
      apply('local: 192.0.2.1, remote: 192.0.2.2, link: u0');
      const index = link(ns, 'vx0')!.ifindex;
      const inPlace = apply('local: 192.0.2.3, remote: 192.0.2.4, link: u1');
      assert.match(inPlace, /~ interface vx0/);
      assert.deepEqual([data().local, data().remote, data().link], ['192.0.2.3', '192.0.2.4', 'u1']);
      assert.equal(link(ns, 'vx0')!.ifindex, index, 'changed in place, not recreated');
      const replaced = apply('local: 2001:db8::3, remote: 2001:db8::4, link: u1');
      assert.match(replaced, /cannot change in place/);
      assert.deepEqual([data().local6, data().remote6], ['2001:db8::3', '2001:db8::4']);
      assert.notEqual(link(ns, 'vx0')!.ifindex, index, 'a new family makes it anew');
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('a veth whose peer is in another namespace: show -> validate ok -> plan "No changes."', () => {
    const ns = Netns.create('own');
    const other = Netns.create('own2');
    const t = tempDir();
    try {
      ns.ip('link', 'add', 'vh0', 'type', 'veth', 'peer', 'name', 'vh1');
      ns.ip('link', 'set', 'vh1', 'netns', other.name);
      ns.ip('link', 'set', 'vh0', 'mtu', '1450', 'up');
      const shown = ok(netrec(['show', '--netns', ns.name]));
      assert.match(shown, /name: vh0/);
      const file = t.write('shown.yaml', shown);
      ok(netrec(['validate', file]));
      assert.match(ok(netrec(['plan', file, '--netns', ns.name, '--detailed-exitcode'])), /^No changes\.$/m);
      // Declared like that, it is configured as a device.
      const cfg = t.write('c.yaml', 'version: 1\ninterfaces:\n  - { name: vh0, mtu: 1400 }\n');
      ok(netrec(['apply', cfg, '--netns', ns.name]));
      assert.equal(link(ns, 'vh0')!.mtu, 1400);
      assert.equal(link(ns, 'vh0')!.linkinfo.info_kind, 'veth');
    } finally {
      t.cleanup();
      other.destroy();
      ns.destroy();
    }
  });

  it('show of foreign interfaces (with aliases), addresses and neighbors, fed to plan and apply, changes nothing', () => {
    const ns = Netns.create('own');
    const t = tempDir();
    try {
      // netrec's own: a bridge, a veth pair, an address and a neighbor.
      const mine = t.write('mine.yaml', 'version: 1\ninterfaces:\n  - { name: mine0, kind: bridge, addresses: [10.6.0.1/24] }\n  - { name: m0, kind: veth, veth: { peer: m1 }, master: mine0 }\nneighbors:\n  - { dev: mine0, address: 10.6.0.9, lladdr: "02:00:00:00:06:09" }\n');
      ok(netrec(['apply', mine, '--netns', ns.name]));
      ns.batch([
        'link add br0 type bridge',
        'link set br0 alias "the operator\'s bridge"',
        'link set br0 mtu 1400',
        'link add va type veth peer name vb',
        'link set va alias theirs',
        'link add vx1 type vxlan id 42 dstport 4789 nolearning',
        'link add mv0 link va type macvlan mode bridge',
        'link set br0 up', 'link set va up', 'link set vb up', 'link set vx1 up', 'link set mv0 up',
        'addr add 10.1.0.1/24 dev br0',
        'addr add 10.1.0.2/24 dev br0',
        'addr add 10.2.0.1/24 dev va label va:x',
        'addr add fd00:1::1/64 dev br0 nodad',
        'neigh add 10.1.0.9 lladdr 02:00:00:00:00:09 dev br0',
        'neigh add 10.1.0.8 lladdr 02:00:00:00:00:08 dev br0 protocol 16',
        'neigh add fd00:1::9 lladdr 02:00:00:00:01:09 dev br0',
        'neigh add 10.2.0.7 lladdr 02:00:00:00:02:07 dev va protocol 4',
      ]);
      // Addresses of another owner: written by netrec under another marker (IFA_PROTO).
      const other = t.write('other.yaml', 'version: 1\npolicy: { protocol: 16, prune: false }\ninterfaces:\n  - name: vb\n    addresses: [10.3.0.1/24, "fd00:3::1/64"]\n');
      ok(netrec(['apply', other, '--netns', ns.name]));
      const before = ns.json('-d', 'link', 'show');
      const shown = ok(netrec(['show', '--netns', ns.name]));
      assert.match(shown, /protocol: dhcp/);
      assert.match(shown, /name: mine0\n\s+kind: bridge\n(.*\n)*?\s+managed: true/);
      const file = t.write('shown.yaml', shown);
      assert.match(ok(netrec(['plan', file, '--netns', ns.name, '--detailed-exitcode'])), /^No changes\.$/m);
      const r = JSON.parse(ok(netrec(['apply', file, '--netns', ns.name, '-o', 'json'])));
      assert.equal(r.messages, 0);
      assert.equal(r.result, 'no-changes');
      const aliases = (ls: J[]) => Object.fromEntries(ls.map((l) => [l.ifname, l.ifalias]));
      assert.deepEqual(aliases(ns.json('-d', 'link', 'show')), aliases(before));
      // A foreign address is checked, not adopted: declared with another owner that it no longer has, plan says so and changes nothing.
      ns.ip('addr', 'del', '10.3.0.1/24', 'dev', 'vb');
      const p = netrecRaw(['plan', file, '--netns', ns.name]);
      assert.equal(p.status, 1);
      assert.match(p.stderr, /address vb 10\.3\.0\.1\/24 is declared with protocol 16 .*it does not exist/);
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });
});
