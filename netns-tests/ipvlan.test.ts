// ipvlan through `netrec apply`, each step checked against `ip -j -d link
// show` and followed by an empty plan (the netrec() helper): created from
// empty; a foreign ipvlan on the same parent survives; mode and flags change
// in place (the same ifindex); removed when no longer declared. A kernel
// without ipvlan skips with the reason; the full-kernel lane loads it.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Netns, netrec, tempDir } from './helpers/netns.js';
import { missingKind } from './helpers/traffic.js';

type J = Record<string, any>;
const missing = missingKind('ipvlan');

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  ns = Netns.create('ipvlan');
  tmp = tempDir();
  ns.ip('link', 'add', 'par0', 'type', 'veth', 'peer', 'name', 'par1');
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

let steps = 0;
function apply(yaml: string): void {
  const file = tmp.write(`step-${++steps}.yaml`, yaml);
  const r = netrec(['apply', file, '--netns', ns.name]);
  assert.equal(r.status, 0, `apply failed:\n${yaml}\n${r.stdout}${r.stderr}`);
}
/** iproute2 shows the flags as one of the keys bridge, private, vepa set true. */
const flagsOf = (l: J): string | undefined => ['bridge', 'private', 'vepa'].find((f) => l.linkinfo.info_data[f] === true);
function link(name: string): J | undefined {
  return (ns.json('-d', 'link', 'show') as J[]).find((l) => l.ifname === name);
}
const config = (ipvlan: string) => `version: 1
policy: { prune: true }
interfaces:
  - name: par0
${ipvlan}`;
const ipv0 = (options: string) => `  - name: ipv0\n    kind: ipvlan\n    ipvlan: { link: par0${options} }\n    mtu: 1400\n`;

describe('ipvlan', { skip: missing ?? false }, () => {
  it('is created on its parent with mode and flags, changed in place, and deleted; a foreign ipvlan on the same parent stays', () => {
    ns.ip('link', 'add', 'link', 'par0', 'name', 'theirs0', 'type', 'ipvlan', 'mode', 'l3');
    const theirs = link('theirs0')!;

    apply(config(ipv0(', mode: l3, flags: bridge')));
    const made = link('ipv0');
    assert.ok(made, 'ipv0 exists');
    assert.equal(made.link, 'par0');
    assert.equal(made.mtu, 1400);
    assert.equal(made.linkinfo.info_kind, 'ipvlan');
    assert.equal(made.linkinfo.info_data.mode, 'l3');
    assert.equal(flagsOf(made), 'bridge');
    assert.equal(link('theirs0')?.ifindex, theirs.ifindex, 'the foreign ipvlan is left');

    apply(config(ipv0(', mode: l2, flags: private')));
    const changed = link('ipv0')!;
    assert.equal(changed.ifindex, made.ifindex, 'changed in place, not made anew');
    assert.equal(changed.linkinfo.info_data.mode, 'l2');
    assert.equal(flagsOf(changed), 'private');

    apply(config(''));
    assert.equal(link('ipv0'), undefined, 'ipv0 is deleted once no longer declared');
    assert.equal(link('theirs0')?.ifindex, theirs.ifindex, 'the foreign ipvlan is still there');
  });
});
