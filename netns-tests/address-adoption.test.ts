// An address someone else added (`ip addr add`, no owner) and then declared
// in a config is adopted: the apply succeeds and the next plan is empty, on
// every kernel. From 6.4 the kernel takes netrec's owner mark on the
// existing address; from 5.18 to 6.3 it keeps the owner the address was made
// with (a replace does not change IFA_PROTO), and netrec adopts it unmarked
// rather than planning a change that never holds (so it is not pruned when
// it leaves the config either). Runs here and on the full-kernel lane (6.1).
import assert from 'node:assert/strict';
import { release } from 'node:os';
import { it } from 'node:test';
import { kernelTraits } from '../src/plan/plan.js';
import { Netns, netrec, tempDir } from './helpers/netns.js';

it('an address added by ip, then declared, is adopted and the plan is then empty', () => {
  const ns = Netns.create('adopt');
  const t = tempDir();
  try {
    ns.ip('link', 'add', 'p0', 'type', 'veth', 'peer', 'name', 'p1');
    ns.ip('link', 'set', 'p0', 'up');
    ns.ip('addr', 'add', '10.5.0.1/24', 'dev', 'p0');
    ns.ip('addr', 'add', '2001:db8:5::1/64', 'dev', 'p0', 'nodad');
    const apply = (name: string, yaml: string) => {
      const file = t.write(name, yaml);
      const r = netrec(['apply', file, '--netns', ns.name]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      const plan = netrec(['plan', file, '--netns', ns.name, '--detailed-exitcode']);
      assert.equal(plan.status, 0, plan.stdout + plan.stderr);
    };
    const ours = () =>
      (ns.json('addr', 'show', 'p0') as { addr_info: { local: string }[] }[])[0]!.addr_info.map((a) => a.local).filter((a) => a === '10.5.0.1' || a === '2001:db8:5::1');
    apply('declared.yaml', 'version: 1\npolicy: { prune: true }\ninterfaces:\n  - name: p0\n    addresses: [10.5.0.1/24, 2001:db8:5::1/64]\n');
    assert.deepEqual(ours(), ['10.5.0.1', '2001:db8:5::1']);
    // Pruned once undeclared only where the kernel took netrec's mark (ip 6.1 does not show IFA_PROTO: this is how it shows).
    apply('undeclared.yaml', 'version: 1\npolicy: { prune: true }\ninterfaces:\n  - name: p0\n');
    assert.deepEqual(ours(), kernelTraits(release()).addressOwnerInPlace ? [] : ['10.5.0.1', '2001:db8:5::1'], `on ${release()}`);
  } finally {
    t.cleanup();
    ns.destroy();
  }
});
