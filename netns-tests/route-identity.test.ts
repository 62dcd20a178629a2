// Route identity against the real kernel (contract sections 3 and 4): routes
// the kernel keeps apart are apart to netrec, several routes under one key
// (`ip route append`/`prepend`) are each their owner's, and every delete or
// replace netrec sends takes exactly its own route. `ip -j` is the oracle.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, it } from 'node:test';
import jsyaml from 'js-yaml';
import { Netns, netrec, netrecRaw, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

const OURS = 0x4e;
const PROTOS: Record<string, number> = { kernel: 2, boot: 3, static: 4, ra: 9, dhcp: 16 };
// ip -j leaves out the protocol boot, the default of `ip route add`.
const protoNum = (p: unknown): number => (p === undefined ? 3 : typeof p === 'number' ? p : (PROTOS[p as string] ?? Number(p)));

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  ns = Netns.create('rid');
  tmp = tempDir();
  ns.batch([
    'link add va type veth peer name va-p',
    'link add vb type veth peer name vb-p',
    'link set va up', 'link set va-p up', 'link set vb up', 'link set vb-p up',
    'addr add 10.126.0.1/24 dev va',
    'addr add 10.126.1.1/24 dev vb',
    'addr add 2001:db8:a::1/64 dev va',
    'addr add 2001:db8:b::1/64 dev vb',
  ]);
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

/** Write a config of these routes (YAML flow entries) and apply it; the helper then checks plan is empty. */
function apply(routes: string[], name = 'c.yaml'): J {
  const f = tmp.write(name, ['version: 1', routes.length ? 'routes:' : 'routes: []', ...routes.map((r) => `  - ${r}`), ''].join('\n'));
  const r = netrec(['apply', f, '--netns', ns.name, '-o', 'json']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as J;
}

/** The routes to one destination as `ip -j` reports them, as "dev DEV via GW proto N [extra]" texts in the kernel's order. */
function routesTo(dst: string, ...extra: string[]): string[] {
  const v6 = dst.includes(':');
  const all = ns.json(v6 ? '-6' : '-4', 'route', 'show', 'table', 'all', ...extra) as J[];
  const want = dst.endsWith('/0') ? 'default' : dst;
  return all
    .filter((r) => r.dst === want)
    .map((r) => {
      let t = `dev ${r.dev ?? '-'} via ${r.gateway ?? '-'} proto ${protoNum(r.protocol)}`;
      if (r.type && r.type !== 'unicast') t = `${r.type} ${t}`;
      if (r.from) t += ` from ${r.from}`;
      if (r.prefsrc) t += ` src ${r.prefsrc}`;
      for (const m of (r.metrics ?? []) as J[]) for (const [k, v] of Object.entries(m)) t += ` ${k} ${JSON.stringify(v)}`;
      if (r.pref && r.pref !== 'medium') t += ` pref ${r.pref}`;
      return t;
    });
}

function sorted(xs: string[]): string[] {
  return [...xs].sort();
}

describe('IPv4: a foreign route under the same key (append/prepend) is never taken for netrec\'s', () => {
  it('prepended foreign twin on another device survives netrec\'s change and prune of its own route', () => {
    apply(['{ to: 10.127.0.0/16, dev: vb }']);
    ns.ip('route', 'prepend', '10.127.0.0/16', 'dev', 'va', 'proto', 'static');
    assert.deepEqual(routesTo('10.127.0.0/16'), ['dev va via - proto 4', `dev vb via - proto ${OURS}`]);
    // An attribute change: a replace would take the first route of the key (va's).
    apply(['{ to: 10.127.0.0/16, dev: vb, mtu: 1400 }']);
    assert.deepEqual(sorted(routesTo('10.127.0.0/16')), sorted(['dev va via - proto 4', `dev vb via - proto ${OURS} mtu 1400`]));
    // Pruned: a delete naming only the key would take va's.
    apply(['{ to: 10.200.0.0/16, dev: va }']);
    assert.deepEqual(routesTo('10.127.0.0/16'), ['dev va via - proto 4']);
  });

  it('appended foreign twin on another gateway survives create, adopt and change of netrec\'s', () => {
    ns.ip('route', 'add', '10.127.0.0/16', 'via', '10.126.0.254', 'proto', 'static');
    // Create: the foreign route is on another path; netrec's goes beside it (first, so that it is the one used).
    apply(['{ to: 10.127.0.0/16, via: 10.126.1.254 }']);
    assert.deepEqual(routesTo('10.127.0.0/16'), [`dev vb via 10.126.1.254 proto ${OURS}`, 'dev va via 10.126.0.254 proto 4']);
    // Adopt: a second foreign route on the declared path is netrec's to take over, the other stays.
    ns.ip('route', 'del', '10.127.0.0/16', 'via', '10.126.1.254', 'proto', String(OURS));
    ns.ip('route', 'append', '10.127.0.0/16', 'via', '10.126.1.254', 'proto', 'boot');
    apply(['{ to: 10.127.0.0/16, via: 10.126.1.254, initcwnd: 10 }']);
    assert.deepEqual(sorted(routesTo('10.127.0.0/16')), sorted(['dev va via 10.126.0.254 proto 4', `dev vb via 10.126.1.254 proto ${OURS} initcwnd 10`]));
    // Change the gateway of netrec's route.
    apply(['{ to: 10.127.0.0/16, via: 10.126.1.253 }']);
    assert.deepEqual(sorted(routesTo('10.127.0.0/16')), sorted(['dev va via 10.126.0.254 proto 4', `dev vb via 10.126.1.253 proto ${OURS}`]));
    apply([]);
    assert.deepEqual(routesTo('10.127.0.0/16'), ['dev va via 10.126.0.254 proto 4']);
  });
});

describe('IPv6: routes the kernel keeps apart by device or source prefix are apart to netrec', () => {
  it('device routes to one prefix: adopting the one on vb leaves va\'s; netrec\'s stays visible and is pruned beside an appended foreign one', () => {
    ns.ip('-6', 'route', 'add', '2001:db8:77::/64', 'dev', 'va', 'proto', 'static');
    ns.ip('-6', 'route', 'append', '2001:db8:77::/64', 'dev', 'vb', 'proto', 'boot');
    apply(['{ to: "2001:db8:77::/64", dev: vb }']);
    assert.deepEqual(sorted(routesTo('2001:db8:77::/64')), sorted(['dev va via - proto 4', `dev vb via - proto ${OURS}`]));
    apply(['{ to: "2001:db8:77::/64", dev: vb, mtu: 1400 }']);
    assert.deepEqual(sorted(routesTo('2001:db8:77::/64')), sorted(['dev va via - proto 4', `dev vb via - proto ${OURS} mtu 1400`]));
    apply([]);
    assert.deepEqual(routesTo('2001:db8:77::/64'), ['dev va via - proto 4']);
  });

  it('netrec creates its device route beside a foreign one on another device, and prunes only its own', () => {
    ns.ip('-6', 'route', 'add', '2001:db8:77::/64', 'dev', 'va', 'proto', 'static');
    apply(['{ to: "2001:db8:77::/64", dev: vb }']);
    assert.deepEqual(sorted(routesTo('2001:db8:77::/64')), sorted(['dev va via - proto 4', `dev vb via - proto ${OURS}`]));
    apply([]);
    assert.deepEqual(routesTo('2001:db8:77::/64'), ['dev va via - proto 4']);
  });

  it('a gateway route beside a foreign device route of the same metric: created, changed and pruned alone', () => {
    ns.ip('-6', 'route', 'add', '2001:db8:79::/64', 'dev', 'vb', 'proto', 'static');
    apply(['{ to: "2001:db8:79::/64", via: "2001:db8:a::fe" }']);
    assert.deepEqual(sorted(routesTo('2001:db8:79::/64')), sorted(['dev vb via - proto 4', `dev va via 2001:db8:a::fe proto ${OURS}`]));
    apply(['{ to: "2001:db8:79::/64", via: "2001:db8:a::fe", mtu: 1300 }']);
    assert.deepEqual(sorted(routesTo('2001:db8:79::/64')), sorted(['dev vb via - proto 4', `dev va via 2001:db8:a::fe proto ${OURS} mtu 1300`]));
    apply([]);
    assert.deepEqual(routesTo('2001:db8:79::/64'), ['dev vb via - proto 4']);
  });

  it('source prefix (from:) is part of the identity: a foreign source-specific route survives netrec\'s route to the same prefix', () => {
    ns.ip('-6', 'route', 'add', '2001:db8:78::/64', 'from', '2001:db8:f::/48', 'dev', 'va', 'proto', 'static');
    apply(['{ to: "2001:db8:78::/64", dev: va }']);
    assert.deepEqual(sorted(routesTo('2001:db8:78::/64')), sorted(['dev va via - proto 4 from 2001:db8:f::/48', `dev va via - proto ${OURS}`]));
    apply(['{ to: "2001:db8:78::/64", dev: va, mtu: 1300 }', '{ to: "2001:db8:78::/64", from: "2001:db8:e::/48", dev: vb }']);
    assert.deepEqual(
      sorted(routesTo('2001:db8:78::/64')),
      sorted(['dev va via - proto 4 from 2001:db8:f::/48', `dev va via - proto ${OURS} mtu 1300`, `dev vb via - proto ${OURS} from 2001:db8:e::/48`]),
    );
    apply([]);
    assert.deepEqual(routesTo('2001:db8:78::/64'), ['dev va via - proto 4 from 2001:db8:f::/48']);
  });
});

describe('a declared route is the whole route', () => {
  it('removing mtu and src clears them; metrics are kept or changed as the plan says', () => {
    apply(['{ to: 10.128.0.0/16, via: 10.126.0.254, src: 10.126.0.1, mtu: 1400, advmss: 1300, initcwnd: 10 }']);
    assert.deepEqual(routesTo('10.128.0.0/16'), [`dev va via 10.126.0.254 proto ${OURS} src 10.126.0.1 mtu 1400 advmss 1300 initcwnd 10`]);
    const f = tmp.write('p.yaml', 'version: 1\nroutes:\n  - { to: 10.128.0.0/16, via: 10.126.0.253, initcwnd: 10 }\n');
    const plan = netrec(['plan', f, '--netns', ns.name]);
    assert.equal(plan.status, 0, plan.stderr);
    assert.match(plan.stdout, /mtu 1400 -> none/);
    assert.match(plan.stdout, /src 10\.126\.0\.1 -> none/);
    assert.match(plan.stdout, /advmss 1300 -> none/);
    apply(['{ to: 10.128.0.0/16, via: 10.126.0.253, initcwnd: 10 }']);
    assert.deepEqual(routesTo('10.128.0.0/16'), [`dev va via 10.126.0.253 proto ${OURS} initcwnd 10`]);
  });

  it('every named metric and the IPv6 preference are written, read back and changed', () => {
    apply([
      '{ to: "2001:db8:90::/64", via: "2001:db8:a::fe", pref: high, hoplimit: 7, quickack: true, congctl: reno, mtu: 1400, mtu-lock: true, initrwnd: 20 }',
    ]);
    assert.deepEqual(routesTo('2001:db8:90::/64'), [
      `dev va via 2001:db8:a::fe proto ${OURS} mtu 1400 hoplimit 7 initrwnd 20 quickack 1 congestion "reno" pref high`,
    ]);
    // ip -j does not say whether the mtu is locked; its text does.
    assert.match(ns.ip('-6', 'route', 'show', '2001:db8:90::/64'), /mtu lock 1400/);
    apply(['{ to: "2001:db8:90::/64", via: "2001:db8:a::fe", pref: low, mtu: 1400 }']);
    assert.deepEqual(routesTo('2001:db8:90::/64'), [`dev va via 2001:db8:a::fe proto ${OURS} mtu 1400 pref low`]);
    assert.doesNotMatch(ns.ip('-6', 'route', 'show', '2001:db8:90::/64'), /lock/);
  });

  it('unicast to blackhole and back: the rewrite carries no device or gateway', () => {
    apply(['{ to: 10.129.0.0/16, via: 10.126.0.254 }', '{ to: "2001:db8:91::/64", dev: va }']);
    apply(['{ to: 10.129.0.0/16, type: blackhole }', '{ to: "2001:db8:91::/64", type: blackhole }']);
    assert.deepEqual(routesTo('10.129.0.0/16'), [`blackhole dev - via - proto ${OURS}`]);
    assert.deepEqual(routesTo('2001:db8:91::/64'), [`blackhole dev lo via - proto ${OURS}`]);
    apply(['{ to: 10.129.0.0/16, via: 10.126.0.254 }']);
    assert.deepEqual(routesTo('10.129.0.0/16'), [`dev va via 10.126.0.254 proto ${OURS}`]);
  });

  it('a route of another owner declared with its protocol is checked, never adopted or pruned', () => {
    ns.ip('route', 'add', '10.130.0.0/16', 'via', '10.126.0.254', 'proto', 'boot');
    const r = apply(['{ to: 10.130.0.0/16, via: 10.126.0.254, protocol: boot }']);
    assert.equal(r.messages, 0);
    assert.deepEqual(routesTo('10.130.0.0/16'), ['dev va via 10.126.0.254 proto 3']);
    // Not as declared: an error naming the difference, nothing changed.
    const f = tmp.write('bad.yaml', 'version: 1\nroutes:\n  - { to: 10.130.0.0/16, via: 10.126.0.253, protocol: boot }\n');
    const bad = netrecRaw(['apply', f, '--netns', ns.name]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr + bad.stdout, /another owner's route/);
    assert.deepEqual(routesTo('10.130.0.0/16'), ['dev va via 10.126.0.254 proto 3']);
    apply([]);
    assert.deepEqual(routesTo('10.130.0.0/16'), ['dev va via 10.126.0.254 proto 3']);
  });
});

describe('show of foreign routes, fed back', () => {
  it('plan of `show -o yaml` is "No changes." and its apply sends no message', () => {
    ns.batch([
      'route add 10.140.0.0/16 via 10.126.0.254 proto static',
      'route add 10.141.0.0/16 via 10.126.0.254 proto boot mtu 1400 advmss 1300',
      'route add 10.142.0.0/16 dev vb proto dhcp metric 100 initcwnd 10 quickack 1',
      'route add 10.143.0.0/16 dev va proto static',
      'route append 10.143.0.0/16 dev vb proto boot',
      'route prepend 10.143.0.0/16 via 10.126.1.254 proto dhcp',
      'route add blackhole 10.144.0.0/16 proto static',
      'route add 10.145.0.0/16 via 10.126.0.254 proto static realm 7',
      'route add 2001:db8:77::/64 dev va proto static',
      'route append 2001:db8:77::/64 dev vb proto boot',
      'route add 2001:db8:78::/64 from 2001:db8:f::/48 dev va proto static',
      'route add 2001:db8:79::/64 via 2001:db8:a::fe proto ra pref high hoplimit 9',
    ]);
    const shown = netrec(['show', '--netns', ns.name, '-o', 'yaml']);
    assert.equal(shown.status, 0, shown.stderr);
    // The routes part of it: the interfaces (made here with ip) are another matter.
    const doc = jsyaml.load(shown.stdout) as J;
    delete doc.interfaces;
    assert.ok((doc.routes as J[]).length >= 12);
    const f = tmp.write('shown.yaml', jsyaml.dump(doc));
    const v = netrec(['validate', f]);
    assert.equal(v.status, 0, v.stderr + v.stdout);
    const p = netrec(['plan', f, '--netns', ns.name]);
    assert.equal(p.status, 0, p.stderr + p.stdout);
    assert.match(p.stdout, /No changes\./);
    const before = execFileSync('ip', ['-n', ns.name, '-j', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
    const r = netrec(['apply', f, '--netns', ns.name, '-o', 'json']);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.equal((JSON.parse(r.stdout) as J).messages, 0);
    assert.equal(execFileSync('ip', ['-n', ns.name, '-j', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }), before);
    // The realm netrec does not model is shown, kept in `other`.
    assert.match(shown.stdout, /other:/);
  });
});

describe('IPv6 route whose src is an address added in the same run', () => {
  it('applies in one run with duplicate address detection on', () => {
    for (const scope of ['all', 'default', 'va']) execFileSync('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', `net.ipv6.conf.${scope}.accept_dad=1`]);
    const f = tmp.write(
      'dad.yaml',
      [
        'version: 1',
        'interfaces:',
        '  - name: va',
        '    addresses: [10.126.0.1/24, "2001:db8:a::1/64", "2001:db8:a::77/64"]',
        'routes:',
        '  - { to: "2001:db8:92::/64", via: "2001:db8:a::fe", src: "2001:db8:a::77" }',
        '',
      ].join('\n'),
    );
    const r = netrec(['apply', f, '--netns', ns.name]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.deepEqual(routesTo('2001:db8:92::/64'), [`dev va via 2001:db8:a::fe proto ${OURS} src 2001:db8:a::77`]);
  });
});
