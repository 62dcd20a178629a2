// The tunnel kinds (gre, gretap, ip6gre, ip6gretap, ipip, sit, ip6tnl,
// geneve) through `netrec apply`, each step checked against `ip -j -d link
// show` (info_data) and followed by an empty plan (the netrec() helper):
// created from empty next to a foreign tunnel of the same kind, which
// survives; changed in place (the same ifindex); replaced where the kernel
// fixes a value (a new remote, a new VNI); deleted once no longer declared.
// The kernel's fallback devices (gre0, tunl0, ...), which appear once the
// module is loaded, are never touched, even with prune on, and `show` fed
// back to `plan` plans nothing. A GRE tunnel between two namespaces carries
// echo requests, and a GRE tunnel outlives its underlay being replaced. A
// kernel without a kind skips with the reason; the
// full-kernel lane loads them all.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { echo } from './helpers/echo.js';
import { kindSteps, type J } from './helpers/kind-steps.js';
import { Netns, netrec, tempDir } from './helpers/netns.js';
import { missingKind, type OptionalKind } from './helpers/traffic.js';

/** The devices the kernel makes in every namespace once a tunnel module is loaded. */
const FALLBACK = ['gre0', 'gretap0', 'erspan0', 'ip6gre0', 'tunl0', 'sit0', 'ip6tnl0'];

interface Case {
  kind: OptionalKind;
  /** The options of t1 at creation, in flow style, and what info_data then says. */
  create: string;
  expect: J;
  /** Options that change in place, and what info_data then says. */
  inPlace: string;
  changed: J;
  /** Options the kernel fixes at creation (the option's name for the plan's words), and what info_data then says. */
  replace: string;
  fixed: string;
  replaced: J;
  /** `ip link add theirs0 type KIND ...`: a foreign tunnel of the same kind. */
  theirs: string[];
}

const v4 = (more: string) => `local: 192.0.2.1, remote: 198.51.100.7, ttl: 64, link: par0${more}`;
const v6 = (more: string) => `local: "2001:db8::1", remote: "2001:db8::7", ttl: 64, link: par0${more}`;

const gre = (kind: OptionalKind, six: boolean): Case => {
  const o = six ? v6 : v4;
  const [local, local2, remote, remote2, theirs] = six
    ? ['2001:db8::1', '2001:db8::2', '2001:db8::7', '2001:db8::9', '2001:db8::50']
    : ['192.0.2.1', '192.0.2.2', '198.51.100.7', '198.51.100.9', '198.51.100.50'];
  return {
    kind,
    create: o(', key: 42'),
    expect: { local, remote, ttl: 64, ikey: '0.0.0.42', okey: '0.0.0.42', link: 'par0' },
    inPlace: o(', key: 43').replace('ttl: 64', 'ttl: 32').replace(local, local2),
    changed: { local: local2, remote, ttl: 32, ikey: '0.0.0.43', link: 'par0' },
    replace: o(', key: 43').replace('ttl: 64', 'ttl: 32').replace(local, local2).replace(remote, remote2),
    fixed: 'remote',
    replaced: { local: local2, remote: remote2, ttl: 32, ikey: '0.0.0.43' },
    theirs: ['type', kind, 'local', local, 'remote', theirs, 'key', '7'],
  };
};

const iptun = (kind: OptionalKind, six: boolean): Case => {
  const o = six ? (more: string) => v6(`, mode: ip6ip6${more}`) : v4;
  const [local, local2, remote, remote2, theirs] = six
    ? ['2001:db8::1', '2001:db8::2', '2001:db8::7', '2001:db8::9', '2001:db8::50']
    : ['192.0.2.1', '192.0.2.2', '198.51.100.7', '198.51.100.9', '198.51.100.50'];
  const changedMode = six ? { proto: 'any' } : {};
  const inPlace = o('').replace('ttl: 64', 'ttl: 32').replace(local, local2).replace('ip6ip6', 'any');
  return {
    kind,
    create: o(''),
    expect: { local, remote, ttl: 64, link: 'par0', ...(six ? { proto: 'ip6ip6' } : {}) },
    inPlace,
    changed: { local: local2, remote, ttl: 32, link: 'par0', ...changedMode },
    replace: inPlace.replace(remote, remote2),
    fixed: 'remote',
    replaced: { local: local2, remote: remote2, ttl: 32, ...changedMode },
    theirs: ['type', kind, 'local', local, 'remote', theirs],
  };
};

const CASES: Case[] = [
  gre('gre', false),
  gre('gretap', false),
  gre('ip6gre', true),
  gre('ip6gretap', true),
  iptun('ipip', false),
  iptun('sit', false),
  iptun('ip6tnl', true),
  {
    kind: 'geneve',
    create: 'vni: 5000, remote: 198.51.100.7, port: 6081, ttl: 64',
    expect: { id: 5000, remote: '198.51.100.7', port: 6081, ttl: 64 },
    inPlace: 'vni: 5000, remote: 198.51.100.9, port: 6081, ttl: 10',
    changed: { id: 5000, remote: '198.51.100.9', ttl: 10 },
    replace: 'vni: 5001, remote: 198.51.100.9, port: 6081, ttl: 10',
    fixed: 'vni',
    replaced: { id: 5001, remote: '198.51.100.9', ttl: 10 },
    theirs: ['type', 'geneve', 'id', '6000', 'remote', '198.51.100.50'],
  },
];

const config = (t1: string) => `version: 1
policy: { prune: true }
interfaces:
  - name: par0
${t1}`;

/** info_data has every key of `want` with its value. */
function hasData(l: J | undefined, want: J, what: string): void {
  assert.ok(l, `${what}: the link exists`);
  for (const [k, v] of Object.entries(want)) assert.equal(l.linkinfo?.info_data?.[k], v, `${what}: info_data.${k}`);
}

for (const c of CASES) {
  const missing = missingKind(c.kind);
  describe(c.kind, { skip: missing ?? false }, () => {
    const steps = kindSteps(`tun-${c.kind}`);
    const { apply, link } = steps;
    const t1 = (options: string) => `  - name: t1\n    kind: ${c.kind}\n    ${c.kind}: { ${options} }\n`;
    /** The kernel's own devices in the namespace: name -> their ifindex, flags and mtu. */
    const fallbacks = () =>
      new Map(
        FALLBACK.flatMap((n) => {
          const l = link(n);
          return l ? [[n, JSON.stringify([l.ifindex, l.flags, l.mtu])] as const] : [];
        }),
      );

    it('is created next to a foreign one, changed in place, replaced for a value the kernel fixes, and deleted; the kernel fallback devices are left alone', () => {
      steps.ns.ip('link', 'add', 'theirs0', ...c.theirs);
      const theirs = link('theirs0')!;
      const kernels = fallbacks();

      apply(config(t1(c.create)));
      const made = link('t1');
      hasData(made, c.expect, 'created');
      assert.equal(made!.linkinfo.info_kind, c.kind);
      assert.equal(link('theirs0')?.ifindex, theirs.ifindex, 'the foreign tunnel is left');

      apply(config(t1(c.inPlace)));
      const changed = link('t1');
      hasData(changed, c.changed, 'changed');
      assert.equal(changed!.ifindex, made!.ifindex, 'changed in place');

      // What show says of the namespace (the foreign tunnel and the kernel's devices included) plans nothing.
      const files = tempDir();
      try {
        const shown = netrec(['show', '--netns', steps.ns.name, '-o', 'yaml']);
        assert.equal(shown.status, 0, shown.stderr);
        for (const name of kernels.keys()) assert.doesNotMatch(shown.stdout, new RegExp(`- name: ${name}\\n\\s+kind:`), `${name} is shown as a device, not as a tunnel netrec could change`);
        const plan = netrec(['plan', files.write('shown.yaml', shown.stdout), '--netns', steps.ns.name, '--detailed-exitcode']);
        assert.equal(plan.status, 0, `show fed back plans changes:\n${shown.stdout}\n${plan.stdout}${plan.stderr}`);
      } finally {
        files.cleanup();
      }

      const out = apply(config(t1(c.replace)));
      assert.match(out, new RegExp(`${c.kind}\\.${c.fixed} cannot change in place`));
      const replaced = link('t1');
      hasData(replaced, c.replaced, 'replaced');
      assert.notEqual(replaced!.ifindex, made!.ifindex, 'made anew');

      apply(config(''));
      assert.equal(link('t1'), undefined, 't1 is deleted once no longer declared');
      assert.equal(link('theirs0')?.ifindex, theirs.ifindex, 'the foreign tunnel is still there');
      const left = fallbacks();
      assert.ok(left.size > 0 || c.kind === 'geneve', 'the module made its fallback devices');
      for (const [name, was] of kernels) assert.equal(left.get(name), was, `${name} is untouched`);
    });
  });
}

describe('a GRE tunnel between two namespaces', { skip: missingKind('gre') ?? false }, () => {
  let a: Netns;
  let b: Netns;
  let files: ReturnType<typeof tempDir>;
  before(() => {
    a = Netns.create('gre-a');
    b = Netns.create('gre-b');
    files = tempDir();
    a.ip('link', 'add', 'u0', 'type', 'veth', 'peer', 'name', 'u0', 'netns', b.name);
  });
  after(() => {
    a?.destroy();
    b?.destroy();
    files?.cleanup();
  });

  const side = (under: string, local: string, remote: string, inner: string) => `version: 1
interfaces:
  - name: u0
    addresses: [${under}/24]
  - name: gre1
    kind: gre
    gre: { local: ${local}, remote: ${remote}, ttl: 64, key: 42, link: u0 }
    addresses: [${inner}/30]
`;

  it('carries echo requests over the underlay, both ways', () => {
    for (const [ns, yaml] of [
      [a, side('10.88.0.1', '10.88.0.1', '10.88.0.2', '10.99.0.1')],
      [b, side('10.88.0.2', '10.88.0.2', '10.88.0.1', '10.99.0.2')],
    ] as const) {
      const r = netrec(['apply', files.write(`${ns.name}.yaml`, yaml), '--netns', ns.name]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
    }
    const there = echo(a.path, '10.99.0.2', { count: 3, untilMs: 10_000 });
    assert.equal(there.error, undefined);
    assert.equal(there.received, 3, JSON.stringify(there));
    const back = echo(b.path, '10.99.0.1', { count: 3, untilMs: 10_000 });
    assert.equal(back.received, 3, JSON.stringify(back));
    // The packets crossed the tunnel: its counters moved on both ends.
    const stats = (ns: Netns) => (ns.json('-s', 'link', 'show', 'gre1') as J[])[0]!.stats64;
    assert.ok(stats(a).tx.packets >= 3 && stats(b).rx.packets >= 3, 'the tunnel carried them');
  });
});

describe('a GRE tunnel whose underlay netrec replaces', { skip: missingKind('gre') ?? false }, () => {
  const steps = kindSteps('gre-under');
  const config = (underlay: string) => `version: 1
policy: { prune: true }
interfaces:
  - name: par0
  - name: u0
    ${underlay}
  - name: gre1
    kind: gre
    gre: { local: 192.0.2.1, remote: 198.51.100.7, ttl: 64, link: u0 }
    addresses: [10.99.0.1/30]
`;

  it('outlives it, as the kernel keeps IP tunnels, and is pointed at the new one in place', () => {
    steps.apply(config('kind: macvlan\n    macvlan: { link: par0, mode: bridge }'));
    const made = steps.link('gre1')!;
    assert.equal(made.link, 'u0');
    const under = steps.link('u0')!;

    const out = steps.apply(config('kind: bridge'));
    assert.match(out, /-\/\+ interface u0/);
    assert.match(out, /~ interface gre1/);
    const after = steps.link('gre1')!;
    assert.equal(after.ifindex, made.ifindex, 'the tunnel is the same one');
    assert.notEqual(steps.link('u0')!.ifindex, under.ifindex, 'its underlay was made anew');
    assert.equal(after.link, 'u0', 'and the tunnel names the new one');
    const addrs = steps.ns.json('-4', 'addr', 'show', 'gre1') as J[];
    assert.deepEqual(addrs[0]?.addr_info.map((a: J) => a.local), ['10.99.0.1'], 'its address is kept');
  });
});
