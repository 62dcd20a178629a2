// Safe on remote hosts: confirm-or-rollback, probes, crash safety, trusted
// config and corrupt state files, against the real kernel.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fullState, Netns, netrec, netrecSpawn, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let stateDir: string;
beforeEach(() => {
  ns = Netns.create('confirm');
  tmp = tempDir();
  stateDir = join(tmp.dir, 'state');
  ns.batch(['link add up0 type veth peer name up1', 'addr add 192.0.2.1/24 dev up0', 'link set up0 up', 'link set up1 up', 'route add 203.0.113.0/24 via 192.0.2.254 proto static']);
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

/** The state folder of a namespace: named by its identity (device and inode), not by its name. */
function nsStateDir(root: string, n: Netns): string {
  const st = statSync(n.path);
  return join(root, `ns-${st.dev}-${st.ino}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CHANGE = `version: 1
interfaces:
  - name: br9
    kind: bridge
    addresses: [10.9.0.1/24]
routes:
  - to: 10.99.0.0/16
    via: 10.9.0.254
  - to: 203.0.113.0/24
    via: 192.0.2.253
`;

function startApply(file: string, ...extra: string[]) {
  const p = netrecSpawn(['apply', file, '--netns', ns.name, '--state-dir', stateDir, ...extra]);
  let err = '';
  p.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; err: () => string }>((resolve) => p.on('close', (code) => resolve({ code, err: () => err })));
  return { p, done, err: () => err };
}

async function waitFor(what: string, ms: number, check: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

describe('confirm or roll back', () => {
  it('confirmed from a second process: the change stays', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    const a = startApply(f, '--confirm-timeout', '3s');
    await waitFor('waiting for confirmation', 5000, () => /confirm/.test(a.err()) && /within/.test(a.err()));
    const c = netrec(['confirm', '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(c.status, 0, c.stderr);
    const r = await a.done;
    assert.equal(r.code, 0, r.err());
    assert.equal(ns.json('link', 'show', 'br9').length, 1);
    assert.equal((ns.json('route', 'show', '203.0.113.0/24')[0] as J).gateway, '192.0.2.253');
    const none = netrec(['confirm', '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /nothing to confirm/);
  });

  for (const how of ['timeout', 'SIGHUP'] as const) {
    it(`${how}: the full ip -j state is exactly the prior one`, async () => {
      const f = tmp.write('c.yaml', CHANGE);
      const before = fullState(ns);
      const a = startApply(f, '--confirm-timeout', '3s');
      await waitFor('waiting for confirmation', 5000, () => /within/.test(a.err()));
      assert.equal(ns.json('link', 'show', 'br9').length, 1, 'applied while waiting');
      if (how === 'SIGHUP') a.p.kill('SIGHUP');
      const r = await a.done;
      assert.equal(r.code, 1);
      assert.match(r.err(), /previous state is back/);
      assert.deepEqual(fullState(ns), before);
      const h = netrec(['history', '--netns', ns.name, '--state-dir', stateDir, '-o', 'json']);
      assert.equal((JSON.parse(h.stdout) as J[]).at(-1)!.confirm, 'rolled-back');
    });
  }

  it('a change that cuts the route to a probe target is rolled back by itself', async () => {
    // The probe target 192.0.2.1 answers before (local on up0); the change takes the
    // address and with it the route to the target (and the kernel flushes the route via 192.0.2.254).
    const f = tmp.write('p.yaml', 'version: 1\ninterfaces:\n  - name: up0\n    addresses: []\n');
    const before = fullState(ns);
    const a = startApply(f, '--confirm-timeout', '3s', '--probe', 'ping:192.0.2.1');
    const r = await a.done;
    assert.equal(r.code, 1, r.err());
    assert.match(r.err(), /probe ping:192\.0\.2\.1 fails/);
    assert.deepEqual(fullState(ns), before);
  });

  it('probes that pass confirm an unattended rollout', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    const a = startApply(f, '--confirm-timeout', '5s', '--probe', 'ping:192.0.2.1');
    const r = await a.done;
    assert.equal(r.code, 0, r.err());
    assert.equal(ns.json('link', 'show', 'br9').length, 1);
  });

  it('killed while waiting: the next run restores the prior state first', async () => {
    const f = tmp.write('c.yaml', CHANGE);
    const before = fullState(ns);
    const a = startApply(f, '--confirm-timeout', '30s');
    await waitFor('waiting for confirmation', 5000, () => /within/.test(a.err()));
    a.p.kill('SIGKILL');
    await a.done;
    assert.equal(ns.json('link', 'show', 'br9').length, 1, 'still applied after the kill');
    const other = tmp.write('noop.yaml', 'version: 1\n');
    const r = netrec(['apply', other, '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /restored the state from before an unconfirmed change/);
    assert.deepEqual(fullState(ns), before);
  });
});

describe('crash safety', () => {
  it('SIGKILL at random moments of a 5,000-route apply, 50 times: every next apply converges, foreign objects intact', async () => {
    const lines = ['version: 1', 'interfaces:', '  - { name: k0, kind: bridge, addresses: [10.40.0.1/16] }', 'routes:'];
    for (let i = 0; i < 5000; i++) lines.push(`  - { to: 10.${41 + (i >> 8)}.${i & 255}.0/24, via: 10.40.0.254 }`);
    const full = tmp.write('full.yaml', lines.join('\n') + '\n');
    const half = tmp.write('half.yaml', lines.slice(0, 4 + 2500).join('\n') + '\n');
    const foreign = (): string => {
      const s = fullState(ns);
      return JSON.stringify([(s.route4 as string[]).filter((r) => r.includes('"203.0.113.0/24"')), (s.addr as string[]).filter((a) => a.includes('"up0"'))]);
    };
    const foreignBefore = foreign();
    for (let run = 0; run < 50; run++) {
      const f = run % 2 ? full : half;
      const a = startApply(f);
      await sleep(Math.floor(Math.random() * 600));
      a.p.kill('SIGKILL');
      await a.done;
      const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', stateDir]);
      assert.equal(r.status, 0, `run ${run}: ${r.stderr}`);
      assert.equal(netrec(['plan', f, '--netns', ns.name, '--detailed-exitcode']).status, 0, `run ${run} converged`);
      assert.equal(foreign(), foreignBefore, `run ${run}: foreign objects intact`);
    }
  });
});

describe('trusted config', () => {
  it('a group-writable config is refused and nothing changes; --insecure-config accepts it', () => {
    const f = tmp.write('c.yaml', CHANGE);
    chmodSync(f, 0o664);
    const before = fullState(ns);
    const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /writable by group/);
    assert.deepEqual(fullState(ns), before);
    const ok = netrec(['apply', f, '--netns', ns.name, '--state-dir', stateDir, '--insecure-config']);
    assert.equal(ok.status, 0, ok.stderr);
  });
});

describe('corrupt state files', () => {
  for (const [name, content] of [
    ['empty', ''],
    ['truncated', '{"version":1,"pid":1,"before":{"links":['],
    ['garbage', '\u0000\u0001garbage'],
    ['wrong version', '{"version":99,"before":{},"scope":{}}'],
    ['missing fields', '{"version":1,"pid":1}'],
  ] as const) {
    it(`${name} pending file: a clear warning, nothing deleted, the apply goes on`, () => {
      const dir = nsStateDir(stateDir, ns);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'pending.json'), content);
      const f = tmp.write('c.yaml', CHANGE);
      const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', stateDir]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /pending\.json: .*moved to/);
      assert.equal((ns.json('route', 'show', '203.0.113.0/24')[0] as J).gateway, '192.0.2.253');
      assert.ok(ns.json('addr', 'show', 'dev', 'up0').length === 1, 'foreign address kept');
      assert.ok(readdirSync(dir).some((x) => x.startsWith('pending.json.corrupt-')), 'kept aside for a person');
      assert.ok(!existsSync(join(dir, 'pending.json')));
    });
  }

  it('a torn history line is skipped with a warning', () => {
    const dir = nsStateDir(stateDir, ns);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'history.jsonl'), '{"time":"2026-01-01T00:00:00Z","configHash":"ab","summary":{"create":1,"update":0,"replace":0,"delete":0},"result":"applied","durationMs":3,"messages":1}\n{"time":"20');
    const r = netrec(['history', '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /applied/);
    assert.match(r.stderr, /unreadable line skipped/);
  });
});
