// `netrec apply` against the real kernel: convergence, minimality,
// transitions, atomicity, exclusion. Each test owns a throwaway namespace.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { lockNamespace } from '../src/apply/lock.js';
import { loadConfig } from '../src/config/load.js';
import { assertKernelMatches } from './helpers/oracle.js';
import { fullState, Netns, netrec, netrecSpawn, ROOT, tempDir } from './helpers/netns.js';
import { missingKind, missingVlanFiltering, type OptionalKind } from './helpers/traffic.js';

type J = Record<string, any>;

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  ns = Netns.create('apply');
  tmp = tempDir();
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

function apply(file: string, ...extra: string[]) {
  return netrec(['apply', file, '--netns', ns.name, ...extra]);
}
function applyJson(file: string): J {
  const r = apply(file, '-o', 'json');
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as J;
}
function planExit(file: string): number | null {
  return netrec(['plan', file, '--netns', ns.name, '--detailed-exitcode']).status;
}

/** Foreign state made with ip: an interface, an address, a route, a rule, a neighbor. */
function addForeign(): void {
  ns.batch([
    'link add fx0 type veth peer name fx1',
    'link set fx0 up',
    'addr add 172.30.0.1/24 dev fx0',
    'route add 172.31.0.0/16 via 172.30.0.254 proto static',
    'route add 172.32.0.0/16 via 172.30.0.254 table 77',
    'rule add priority 3000 from 172.30.0.0/24 table 77',
    'neigh add 172.30.0.9 lladdr 02:00:00:00:09:09 dev fx0 nud permanent',
  ]);
}
function foreignState(): J {
  const s = fullState(ns);
  const keep = (xs: unknown) => (xs as string[]).filter((x) => /fx0|fx1|172\.3[0-2]\./.test(x));
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, keep(v)]));
}

const examples = readdirSync(join(ROOT, 'examples')).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(ROOT, 'examples', f));

/** Why this kernel cannot apply an example (a kind it lacks), or undefined. */
function missingFor(example: string): string | undefined {
  const optional: OptionalKind[] = ['ipvlan', 'macvtap', 'gre'];
  const links = loadConfig([example]).state.links;
  const kinds = new Set(links.map((l) => l.kind));
  const vlans = links.some((l) => l.vlans !== undefined || l.options?.vlanFiltering === true);
  return optional.filter((k) => kinds.has(k)).map(missingKind).find((m) => m !== undefined) ?? (vlans ? missingVlanFiltering() : undefined);
}

describe('examples converge from any starting state', () => {
  for (const example of examples) {
    for (const start of ['empty', 'converged', 'partial', 'foreign'] as const) {
      it(`${example.split('/').pop()} from ${start}`, { skip: missingFor(example) ?? false }, () => {
        const desired = loadConfig([example]);
        if (start === 'converged' || start === 'partial') {
          const r = apply(example);
          assert.equal(r.status, 0, r.stderr);
        }
        if (start === 'partial') {
          // Knock out one object of each kind the example declares.
          const l = desired.state.links.find((x) => x.kind !== 'device' && x.state !== 'absent');
          if (l) ns.ip('link', 'del', l.name);
          const r = desired.state.routes.find((x) => x.state !== 'absent');
          if (r) spawnIgnore(() => ns.ip('route', 'del', r.to, 'table', String(r.table), 'metric', String(r.metric)));
        }
        if (start === 'foreign') addForeign();
        const foreignBefore = foreignState();
        const r = apply(example);
        assert.equal(r.status, 0, `apply failed:\n${r.stdout}\n${r.stderr}`);
        assertKernelMatches(ns, desired);
        assert.equal(planExit(example), 0, 'plan shows no changes after apply');
        assert.deepEqual(foreignState(), foreignBefore, 'foreign objects untouched');
      });
    }
  }
});

function spawnIgnore(fn: () => void): void {
  try {
    fn();
  } catch {
    // the object may already be gone with its link
  }
}

const BASE = `version: 1
interfaces:
  - name: up0
    kind: veth
    veth: { peer: up0p }
    mtu: 1500
    addresses: [192.0.2.1/24, "2001:db8::1/64"]
  - name: up0p
    kind: veth
    veth: { peer: up0 }
  - name: br0
    kind: bridge
    addresses: [198.51.100.1/24]
  - name: m0
    kind: veth
    veth: { peer: m0p }
    master: br0
  - name: m0p
    kind: veth
    veth: { peer: m0 }
routes:
  - to: default
    via: 192.0.2.254
  - to: 203.0.113.0/24
    via: 192.0.2.253
    metric: 50
rules:
  - priority: 100
    from: 198.51.100.0/24
    table: 100
neighbors:
  - dev: up0
    address: 192.0.2.77
    lladdr: "02:00:00:00:00:77"
`;

describe('minimality', () => {
  it('a second apply sends no message and says "No changes."', () => {
    const f = tmp.write('base.yaml', BASE);
    const first = applyJson(f);
    assert.equal(first.result, 'applied');
    assert.ok(first.messages > 0);
    // Where the time went: every phase, in whole ms, adding up to no more than the run.
    const phases = first.phasesMs as Record<string, number>;
    assert.deepEqual(Object.keys(phases), ['start', 'load', 'read', 'plan', 'write', 'verify']);
    for (const v of Object.values(phases)) assert.ok(Number.isInteger(v) && v >= 0, JSON.stringify(phases));
    assert.ok(phases.write! > 0 && phases.load! + phases.read! + phases.plan! + phases.write! + phases.verify! <= first.durationMs + 5, JSON.stringify(first));
    const second = applyJson(f);
    assert.equal(second.result, 'no-changes');
    assert.equal(second.messages, 0);
    assert.deepEqual(Object.keys(second.phasesMs), ['start', 'load', 'read', 'plan']);
    const text = apply(f);
    assert.equal(text.status, 0);
    assert.match(text.stdout, /No changes\./);
  });
});

describe('message counts', () => {
  it('N new routes cost exactly N route messages; the same config again costs none', () => {
    const uplink = 'version: 1\ninterfaces:\n  - { name: n0, kind: bridge, addresses: [10.77.0.1/16] }\n';
    applyJson(tmp.write('uplink.yaml', uplink));
    const lines = [uplink, 'routes:'];
    for (let i = 0; i < 2000; i++) lines.push(`  - { to: 10.${80 + (i >> 8)}.${i & 255}.0/24, via: 10.77.0.254 }`);
    const f = tmp.write('routes.yaml', lines.join('\n') + '\n');
    const cold = applyJson(f);
    assert.equal(cold.summary.create, 2000);
    assert.equal(cold.messages, 2000);
    assert.equal(applyJson(f).messages, 0);
  });
});

describe('transitions', () => {
  function step(text: string): J {
    const f = tmp.write(`step-${Math.random().toString(36).slice(2)}.yaml`, text);
    const out = applyJson(f);
    assertKernelMatches(ns, loadConfig([f]));
    assert.equal(planExit(f), 0);
    return out;
  }

  it('mtu, mac and state change in place', () => {
    step(BASE);
    const idx = (ns.json('link', 'show', 'up0')[0] as J).ifindex;
    const out = step(
      BASE.replace('mtu: 1500', 'mtu: 1400\n    mac: "02:00:00:00:aa:01"').replace('    kind: bridge\n    addresses: [198.51.100.1/24]', '    kind: bridge\n    state: down\n    addresses: [198.51.100.1/24]'),
    );
    assert.equal(out.summary.update, 2);
    assert.equal(out.summary.delete + out.summary.replace, 0);
    // A new MAC flushes the link's neighbor table, permanent entries included: netrec puts its neighbor back.
    for (const c of (out.changes as J[]).filter((x) => x.action === 'create')) assert.equal(c.type, 'neighbor');
    assert.equal((ns.json('link', 'show', 'up0')[0] as J).ifindex, idx, 'same link, not recreated');
  });

  it('an address moves between interfaces', () => {
    step(BASE);
    const moved = BASE.replace('addresses: [198.51.100.1/24]', 'addresses: []').replace('addresses: [192.0.2.1/24, "2001:db8::1/64"]', 'addresses: [192.0.2.1/24, "2001:db8::1/64", 198.51.100.1/24]');
    step(moved.replace(/rules:[\s\S]*?table: 100\n/, 'rules: []\n'));
  });

  it("a route's gateway changes in place (update, one message)", () => {
    step(BASE);
    const out = step(BASE.replace('via: 192.0.2.253', 'via: 192.0.2.252'));
    const change = (out.changes as J[]).find((c) => c.type === 'route');
    assert.equal(change?.action, 'update');
    assert.equal(out.messages, 1);
  });

  it('a vxlan vni change recreates it and its addresses and routes come back', () => {
    const vx = (vni: number) =>
      BASE.replace('interfaces:\n', `interfaces:\n  - name: vx0\n    kind: vxlan\n    vxlan: { vni: ${vni}, local: 192.0.2.1, remote: 192.0.2.254, port: 4789, link: up0 }\n    addresses: [10.99.0.1/24]\n`).replace(
        'routes:\n',
        'routes:\n  - to: 10.200.0.0/16\n    via: 10.99.0.2\n',
      );
    step(vx(10));
    const out = step(vx(11));
    assert.ok((out.changes as J[]).some((c) => c.type === 'interface' && c.action === 'replace'));
    assert.equal((ns.json('-d', 'link', 'show', 'vx0')[0] as J).linkinfo.info_data.id, 11);
  });

  it('bridge membership changes', () => {
    step(BASE);
    step(BASE.replace('    master: br0\n', ''));
    assert.equal((ns.json('link', 'show', 'm0')[0] as J).master, undefined);
    step(BASE);
    assert.equal((ns.json('link', 'show', 'm0')[0] as J).master, 'br0');
  });

  it('an interface netrec made is deleted with its owned routes; one ip made stays', () => {
    ns.batch(['link add byhand0 type veth peer name byhand1']);
    const withExtra = BASE.replace('interfaces:\n', 'interfaces:\n  - name: x0\n    kind: bridge\n    addresses: [10.5.0.1/24]\n').replace('routes:\n', 'routes:\n  - to: 10.6.0.0/16\n    via: 10.5.0.254\n');
    step(withExtra);
    assert.ok(ns.json('link', 'show', 'x0').length === 1);
    step(BASE);
    assert.throws(() => ns.json('link', 'show', 'x0'), 'x0 deleted');
    assert.equal(ns.json('route', 'show', '10.6.0.0/16').length, 0);
    assert.equal(ns.json('link', 'show', 'byhand0').length, 1, 'interface made by ip stays');
  });
});

describe('atomicity', () => {
  it('the fifth change refused: exit 1, kernel text and FILE:LINE, state exactly as before', () => {
    addForeign();
    const f = tmp.write(
      'bad.yaml',
      `version: 1
interfaces:
  - name: a0
    kind: bridge
    addresses: [10.1.0.1/24]
routes:
  - to: 10.2.0.0/16
    via: 10.1.0.254
  - to: 10.4.0.0/16
    via: 10.1.0.254
  - to: 10.3.0.0/16
    via: 10.1.0.254
    src: 10.99.99.1
`,
    );
    const before = fullState(ns);
    const r = apply(f);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.yaml:11/, 'names the route and its line');
    assert.match(r.stderr, /Invalid prefsrc address/, "carries the kernel's text");
    assert.match(r.stderr, /rolled back/);
    assert.deepEqual(fullState(ns), before);
  });

  it('a refusal in the middle of a 10,000-route apply rolls everything back', () => {
    ns.batch(['link add w0 type veth peer name w1', 'addr add 10.10.0.1/16 dev w0', 'link set w0 up', 'link set w1 up']);
    const lines = ['version: 1', 'routes:'];
    for (let i = 0; i < 10000; i++) {
      // One route with a preferred source no interface has: only the kernel refuses it.
      const src = i === 5000 ? ', src: 10.99.0.1' : '';
      lines.push(`  - { to: 10.${100 + (i >> 8)}.${i & 255}.0/24, via: 10.10.0.254${src} }`);
    }
    const f = tmp.write('big.yaml', lines.join('\n') + '\n');
    const before = fullState(ns);
    const r = apply(f, '-o', 'json');
    assert.equal(r.status, 1);
    const out = JSON.parse(r.stdout) as J;
    assert.equal(out.result, 'rolled-back');
    assert.match(JSON.stringify(out.errors), /big\.yaml:5003/);
    assert.deepEqual(fullState(ns), before);
  });

  it('SIGINT in the middle of a 50,000-route apply stops it at once and puts everything back', async () => {
    ns.batch(['link add w0 type veth peer name w1', 'addr add 10.10.0.1/16 dev w0', 'link set w0 up', 'link set w1 up']);
    const lines = ['version: 1', 'routes:'];
    for (let i = 0; i < 50_000; i++) lines.push(`  - { to: ${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24, via: 10.10.0.254 }`);
    const f = tmp.write('big.yaml', lines.join('\n') + '\n');
    const before = fullState(ns);
    const child = netrecSpawn(['apply', f, '--netns', ns.name]);
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    // Progress lines ("applied N/50000 changes") mean the routes are going in: interrupt at the first.
    child.stderr.on('data', (d: Buffer) => {
      if (!stderr.includes('applied ') && String(d).includes('applied ')) child.kill('SIGINT');
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /interrupted by SIGINT; rolled back/);
    assert.doesNotMatch(stdout, /Applied:/);
    // Sent and undone: fewer than the 50,000 a run that finished its stage first would have sent before undoing.
    const sent = Number(/\((\d+) netlink messages/.exec(stderr)?.[1]);
    assert.ok(sent < 50_000, `${sent} messages`);
    assert.deepEqual(fullState(ns), before);
  });
});

describe('exclusion', () => {
  it('a second apply while the namespace is locked exits 1 naming the holder', () => {
    const f = tmp.write('base.yaml', BASE);
    const lock = lockNamespace(ns.path);
    try {
      const before = fullState(ns);
      const r = apply(f);
      assert.equal(r.status, 1);
      assert.match(r.stderr, new RegExp(`another netrec.*pid ${process.pid}`));
      assert.deepEqual(fullState(ns), before, 'nothing changed');
    } finally {
      lock.release();
    }
  });

  it('two applies started at once: at most one fails, and only on the lock', async () => {
    const lines = ['version: 1', 'interfaces:', '  - { name: c0, kind: bridge, addresses: [10.20.0.1/16] }', 'routes:'];
    for (let i = 0; i < 20000; i++) lines.push(`  - { to: 10.${30 + (i >> 8)}.${i & 255}.0/24, via: 10.20.0.254 }`);
    const f = tmp.write('race.yaml', lines.join('\n') + '\n');
    const run = () =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = netrecSpawn(['apply', f, '--netns', ns.name]);
        let err = '';
        p.stderr.on('data', (d) => (err += d));
        p.on('close', (code) => resolve({ code, err }));
      });
    const results = await Promise.all([run(), run()]);
    assert.ok(results.some((x) => x.code === 0), 'one wins');
    for (const x of results) if (x.code !== 0) assert.match(x.err, /another netrec/);
    assert.equal(planExit(f), 0, 'converged, nothing corrupted');
  });
});

describe('bad input never reaches the kernel', () => {
  it('an invalid config is reported before the namespace is even opened', () => {
    const f = tmp.write('invalid.yaml', 'version: 1\nroutes:\n  - to: 10.0.0.0/33\n');
    const r = netrec(['apply', f, '--netns', 'netrec-missing-namespace']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /invalid\.yaml:3:/);
    assert.doesNotMatch(r.stderr, /namespace/);
  });

  it('an invalid config changes nothing in an existing namespace', () => {
    addForeign();
    const before = fullState(ns);
    const f = tmp.write('invalid.yaml', 'version: 1\ninterfaces:\n  - name: this-name-is-too-long0\n    kind: bridge\n');
    const r = apply(f);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /invalid\.yaml:3:/);
    assert.deepEqual(fullState(ns), before);
  });
});
