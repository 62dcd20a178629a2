// macvtap through `netrec apply`, each step checked against `ip -j -d link
// show` and followed by an empty plan (the netrec() helper): created from
// empty; a foreign macvtap on the same parent survives; its mtu changes in
// place, a new mode replaces it (the kernel fixes the mode at creation);
// removed when no longer declared. A kernel without macvtap skips with the
// reason; the full-kernel lane loads it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Netns, netrec, tempDir } from './helpers/netns.js';
import { missingKind } from './helpers/traffic.js';

type J = Record<string, any>;
const missing = missingKind('macvtap');

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  ns = Netns.create('macvtap');
  tmp = tempDir();
  ns.ip('link', 'add', 'par0', 'type', 'veth', 'peer', 'name', 'par1');
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

let steps = 0;
function apply(yaml: string): string {
  const file = tmp.write(`step-${++steps}.yaml`, yaml);
  const r = netrec(['apply', file, '--netns', ns.name]);
  assert.equal(r.status, 0, `apply failed:\n${yaml}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}
function link(name: string): J | undefined {
  return (ns.json('-d', 'link', 'show') as J[]).find((l) => l.ifname === name);
}
const config = (macvtap: string) => `version: 1
policy: { prune: true }
interfaces:
  - name: par0
${macvtap}`;
const tap0 = (mode: string, mtu: number) => `  - name: tap0\n    kind: macvtap\n    macvtap: { link: par0, mode: ${mode} }\n    mtu: ${mtu}\n`;

describe('macvtap', { skip: missing ?? false }, () => {
  it('is created on its parent, changed in place, replaced for a new mode, and deleted; a foreign macvtap on the same parent stays', () => {
    ns.ip('link', 'add', 'link', 'par0', 'name', 'theirs0', 'type', 'macvtap', 'mode', 'bridge');
    const theirs = link('theirs0')!;

    apply(config(tap0('bridge', 1400)));
    const made = link('tap0');
    assert.ok(made, 'tap0 exists');
    assert.equal(made.link, 'par0');
    assert.equal(made.mtu, 1400);
    assert.equal(made.linkinfo.info_kind, 'macvtap');
    assert.equal(made.linkinfo.info_data.mode, 'bridge');
    assert.equal(link('theirs0')?.ifindex, theirs.ifindex, 'the foreign macvtap is left');

    apply(config(tap0('bridge', 1300)));
    const changed = link('tap0')!;
    assert.equal(changed.ifindex, made.ifindex, 'an mtu changes in place');
    assert.equal(changed.mtu, 1300);

    const out = apply(config(tap0('vepa', 1300)));
    assert.match(out, /macvtap\.mode cannot change in place/);
    const replaced = link('tap0')!;
    assert.notEqual(replaced.ifindex, made.ifindex, 'a new mode makes it anew');
    assert.equal(replaced.linkinfo.info_data.mode, 'vepa');
    assert.equal(replaced.link, 'par0');

    apply(config(''));
    assert.equal(link('tap0'), undefined, 'tap0 is deleted once no longer declared');
    assert.equal(link('theirs0')?.ifindex, theirs.ifindex, 'the foreign macvtap is still there');
  });
});
