// ipvlan through `netrec apply`, each step checked against `ip -j -d link
// show` and followed by an empty plan (the netrec() helper): created from
// empty; a foreign ipvlan on the same parent survives; mode and flags change
// in place (the same ifindex); removed when no longer declared. A kernel
// without ipvlan skips with the reason; the full-kernel lane loads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindSteps, type J } from './helpers/kind-steps.js';
import { missingKind } from './helpers/traffic.js';

const missing = missingKind('ipvlan');
const steps = kindSteps('ipvlan');
const { apply, link } = steps;
/** iproute2 shows the flags as one of the keys bridge, private, vepa set true. */
const flagsOf = (l: J): string | undefined => ['bridge', 'private', 'vepa'].find((f) => l.linkinfo.info_data[f] === true);
const config = (ipvlan: string) => `version: 1
policy: { prune: true }
interfaces:
  - name: par0
${ipvlan}`;
const ipv0 = (options: string) => `  - name: ipv0\n    kind: ipvlan\n    ipvlan: { link: par0${options} }\n    mtu: 1400\n`;

describe('ipvlan', { skip: missing ?? false }, () => {
  it('is created on its parent with mode and flags, changed in place, and deleted; a foreign ipvlan on the same parent stays', () => {
    steps.ns.ip('link', 'add', 'link', 'par0', 'name', 'theirs0', 'type', 'ipvlan', 'mode', 'l3');
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
