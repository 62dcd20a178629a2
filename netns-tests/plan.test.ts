// `netrec plan` live and offline: --from-state needs no privileges and gives
// the same plan as planning against the namespace itself; exit codes for CI.
import assert from 'node:assert/strict';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Netns, netrec, ROOT, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

describe('plan --from-state', () => {
  let ns: Netns;
  let tmp: ReturnType<typeof tempDir>;
  let snapshot: string;
  const config = join(ROOT, 'examples/edge-router.yaml');

  before(() => {
    ns = Netns.create('plan');
    tmp = tempDir();
    chmodSync(tmp.dir, 0o755);
    // A partly matching, partly foreign starting state.
    assert.equal(netrec(['apply', config, '--netns', ns.name]).status, 0);
    ns.batch(['route add 198.18.0.0/15 dev lo proto static', 'link add fx0 type veth peer name fx1']);
    const first = (ns.json('route', 'show', 'proto', '78') as J[])[0]!;
    ns.ip('route', 'del', first.dst === 'default' ? '0.0.0.0/0' : first.dst);
    const show = netrec(['show', '--netns', ns.name, '-o', 'json', '--all']);
    assert.equal(show.status, 0, show.stderr);
    snapshot = tmp.write('state.json', show.stdout);
    chmodSync(snapshot, 0o644);
  });
  after(() => {
    ns.destroy();
    tmp.cleanup();
  });

  it('gives the same plan as planning against the namespace', () => {
    const live = netrec(['plan', config, '--netns', ns.name, '-o', 'json']);
    const offline = netrec(['plan', config, '--from-state', snapshot, '-o', 'json']);
    assert.equal(live.status, 0, live.stderr);
    assert.equal(offline.status, 0, offline.stderr);
    const ids = (o: string) => (JSON.parse(o) as J).changes.map((c: J) => `${c.action} ${c.type} ${c.id}`).sort();
    assert.ok(ids(live.stdout).length > 0, 'the partial state needs changes');
    assert.deepEqual(ids(offline.stdout), ids(live.stdout));
    assert.deepEqual((JSON.parse(offline.stdout) as J).summary, (JSON.parse(live.stdout) as J).summary);
  });

  it('works as an unprivileged user', { skip: process.getuid?.() !== 0 || process.env.NETREC_TEST_UNPRIVILEGED ? 'needs real root to switch to an unprivileged user' : false }, () => {
    const r = netrec(['plan', config, '--from-state', snapshot, '-o', 'json'], { uid: 65534, gid: 65534 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok((JSON.parse(r.stdout) as J).changes.length > 0);
  });

  it('--detailed-exitcode: 2 with changes pending, 0 without, 1 on error', () => {
    assert.equal(netrec(['plan', config, '--from-state', snapshot, '--detailed-exitcode']).status, 2);
    assert.equal(netrec(['apply', config, '--netns', ns.name]).status, 0);
    assert.equal(netrec(['plan', config, '--netns', ns.name, '--detailed-exitcode']).status, 0);
    const bad = tmp.write('bad.yaml', 'version: 1\nroutes:\n  - to: 10.0.0.1/8\n');
    const r = netrec(['plan', bad, '--netns', ns.name, '--detailed-exitcode']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.yaml:3:\d+: .*host bits/);
  });

  it('-o diff shows the change as a unified diff of the config format', () => {
    const f = tmp.write('mtu.yaml', 'version: 1\ninterfaces:\n  - name: fx0\n    mtu: 1400\n');
    const r = netrec(['plan', f, '--netns', ns.name, '-o', 'diff']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^-\s+mtu: 1500$/m);
    assert.match(r.stdout, /^\+\s+mtu: 1400$/m);
  });
});

describe('plan text', () => {
  it('plan text on an empty namespace', () => {
    const ns = Netns.create('ptext');
    try {
      const config = join(ROOT, 'examples/edge-router.yaml');
      const r = netrec(['plan', config, '--netns', ns.name]);
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      for (const want of [
        '+ route default via 198.51.100.1 dev wan0 proto netrec',
        '+ route default via 2001:db8:ffff::1 dev wan0 proto netrec metric 1024',
        '+ route blackhole 10.0.0.0/8 proto netrec',
        '+ route blackhole 172.16.0.0/12 proto netrec',
        '+ interface lan0 bridge stp off forward_delay 0 mtu 1500',
        '+ interface lan1 veth peer host1 master lan0',
        '+ neighbor 192.168.10.50 lladdr 02:00:00:00:10:50 dev lan0',
        '+ address 192.168.10.1/24 dev lan0',
        // The ends the kernel makes with their veth are creates; wan0, made with isp0 and then brought up, too.
        '+ interface host1 veth peer lan1 state down (created by the kernel with lan1)',
        '+ interface host2 veth peer lan2 state down (created by the kernel with lan2)',
        '+ interface wan0 veth peer isp0 (created by the kernel with isp0)',
      ]) {
        assert.ok(lines.includes(want), `missing "${want}" in:\n${r.stdout}`);
      }
      assert.doesNotMatch(r.stdout, /none ->|^~/m);
      const created = lines.filter((l) => l.startsWith('+ ')).length;
      assert.equal(lines.at(-1), `Plan: ${created} to create, 0 to update, 0 to replace, 0 to delete.`);

      // The kernel as the oracle: the interfaces the plan shows are the ones apply leaves, no more, no fewer.
      const planned = lines.filter((l) => l.startsWith('+ interface ')).map((l) => l.split(' ')[2]).sort();
      assert.equal(netrec(['apply', config, '--netns', ns.name]).status, 0);
      const links = (ns.json('link', 'show') as J[]).map((l) => l.ifname as string).filter((n) => n !== 'lo').sort();
      assert.deepEqual(planned, links);
      const routes = ns.json('route', 'show', 'default') as J[];
      assert.deepEqual(routes.map((x) => [x.gateway, x.dev]), [['198.51.100.1', 'wan0']]);
      assert.match(netrec(['plan', config, '--netns', ns.name]).stdout, /^No changes\.$/m);
    } finally {
      ns.destroy();
    }
  });

  it('-o diff has a hunk for a master the config no longer names, and the whole current interface', () => {
    const ns = Netns.create('pdiff');
    const t = tempDir();
    try {
      const config = join(ROOT, 'examples/edge-router.yaml');
      assert.equal(netrec(['apply', config, '--netns', ns.name]).status, 0);
      const unmastered = t.write('edge.yaml', readFileSync(config, 'utf8').replace('veth: { peer: host1 }     # host1 is created with lan1 and left as the kernel makes it\n    master: lan0', 'veth: { peer: host1 }'));
      const text = netrec(['plan', unmastered, '--netns', ns.name]);
      // Leaving the bridge changes its address, which flushes its neighbors: the kernel's removal is named.
      assert.match(text.stdout, /^~ interface lan1 master lan0 -> none \(the kernel also removes neighbor 192\.168\.10\.50 dev lan0\)$/m);
      const r = netrec(['plan', unmastered, '--netns', ns.name, '-o', 'diff']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^-\s+master: lan0$/m);
      // The current side holds what the config does not mention: lan1's mac as the kernel has it.
      const mac = (ns.json('link', 'show', 'lan1') as J[])[0]!.address as string;
      assert.match(r.stdout, new RegExp(`^ \\s+mac: "${mac}"$`, 'm'));
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });
});
