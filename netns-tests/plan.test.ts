// `netrec plan` live and offline: --from-state needs no privileges and gives
// the same plan as planning against the namespace itself; exit codes for CI.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
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
