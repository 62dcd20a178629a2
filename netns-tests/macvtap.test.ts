// macvtap through `netrec apply`, each step checked against `ip -j -d link
// show` and followed by an empty plan (the netrec() helper): created from
// empty; a foreign macvtap on the same parent survives; its mtu changes in
// place, and so does a new mode, but setting passthru replaces it (the
// kernel's macvlan_changelink refuses passthru on a live link) and so does
// leaving it; removed when no longer declared. A kernel without macvtap skips with the
// reason; the full-kernel lane loads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kindSteps } from './helpers/kind-steps.js';
import { missingKind } from './helpers/traffic.js';

const missing = missingKind('macvtap');
const steps = kindSteps('macvtap');
const { apply, link } = steps;
const config = (macvtap: string) => `version: 1
policy: { prune: true }
interfaces:
  - name: par0
${macvtap}`;
const tap0 = (mode: string, mtu: number) => `  - name: tap0\n    kind: macvtap\n    macvtap: { link: par0, mode: ${mode} }\n    mtu: ${mtu}\n`;

describe('macvtap', { skip: missing ?? false }, () => {
  it('is created on its parent, changed in place (mtu, mode), replaced for passthru, and deleted; a foreign macvtap on the same parent stays', () => {
    steps.ns.ip('link', 'add', 'link', 'par0', 'name', 'theirs0', 'type', 'macvtap', 'mode', 'bridge');
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

    apply(config(tap0('vepa', 1300)));
    const remoded = link('tap0')!;
    assert.equal(remoded.ifindex, made.ifindex, 'a new mode other than passthru changes in place');
    assert.equal(remoded.linkinfo.info_data.mode, 'vepa');

    apply(config(''));
    assert.equal(link('tap0'), undefined, 'tap0 is deleted once no longer declared');
    assert.equal(link('theirs0')?.ifindex, theirs.ifindex, 'the foreign macvtap is still there');

    // passthru takes its parent for itself: alone on it, and only from creation.
    steps.ns.ip('link', 'del', 'theirs0');
    apply(config(tap0('passthru', 1300)));
    const alone = link('tap0')!;
    assert.equal(alone.linkinfo.info_data.mode, 'passthru');
    const out = apply(config(tap0('bridge', 1300)));
    assert.match(out, /macvtap\.mode cannot change in place/);
    const replaced = link('tap0')!;
    assert.notEqual(replaced.ifindex, alone.ifindex, 'leaving passthru makes it anew');
    assert.equal(replaced.linkinfo.info_data.mode, 'bridge');
  });
});
