// Saved plans against the real kernel: `plan --out FILE` then `apply FILE`
// applies exactly the reviewed plan; a namespace that changed under it, a
// plan for another namespace, and a damaged file are refused in one line,
// exit 1, with nothing written (`ip -j` before and after as the oracle).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { fullState, Netns, netrec, netrecRaw, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

const CONFIG = `version: 1
interfaces:
  - name: br0
    kind: bridge
    mtu: 1400
    addresses: [192.0.2.1/24]
routes:
  - { to: 10.0.0.0/8, via: 192.0.2.254 }
  - { to: 10.1.0.0/16, type: blackhole }
`;

function oneLineError(r: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+|internal error/, 'no stack');
  assert.match(lines[0]!, pattern);
}

describe('saved plans (plan --out, apply FILE)', () => {
  let ns: Netns;
  let tmp: ReturnType<typeof tempDir>;
  let config: string;

  beforeEach(() => {
    ns = Netns.create('saved');
    tmp = tempDir();
    config = tmp.write('site.yaml', CONFIG);
  });
  afterEach(() => {
    ns.destroy();
    tmp.cleanup();
  });

  /** `plan CONFIG --netns NS -out FILE` (Terraform's spelling); the text plan is printed and the file written. */
  function savePlan(name = 'reviewed', summary = /Plan: 4 to create, 0 to update/): string {
    const file = `${tmp.dir}/${name}`;
    const r = netrec(['plan', config, '--netns', ns.name, '-out', file]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, summary);
    assert.match(r.stdout, new RegExp(`Saved the plan to ${file}`));
    return file;
  }

  function planIsEmpty(): void {
    const p = netrec(['plan', config, '--netns', ns.name, '--detailed-exitcode']);
    assert.equal(p.status, 0, `plan after apply: ${p.stdout}${p.stderr}`);
  }

  it('a saved plan is applied as is (found by its content, its namespace taken from the file); plan is empty after', () => {
    const file = savePlan('reviewed.txt');
    assert.throws(() => ns.json('link', 'show', 'br0'), 'nothing made by plan');
    // No --netns: the plan names the namespace it was made for.
    const r = netrecRaw(['apply', file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Applied: 4 created/);
    const br0 = (ns.json('-d', 'link', 'show', 'br0') as J[])[0]!;
    assert.equal(br0.mtu, 1400);
    assert.ok((ns.json('-4', 'route', 'show', '10.0.0.0/8') as J[]).some((x) => x.gateway === '192.0.2.254'));
    assert.equal((ns.json('-4', 'route', 'show', '10.1.0.0/16') as J[])[0]?.type, 'blackhole');
    planIsEmpty();
    // Applied once: the same file again is a plan for a namespace that has since changed.
    const again = netrecRaw(['apply', file, '--netns', ns.name]);
    oneLineError(again, /^netrec: the namespace changed since the plan was made: .* was added by another writer; .*; and 1 more; nothing was changed: run `netrec plan` again$/);
  });

  it('--out spelled --out=FILE works the same, and the JSON plan stays on stdout', () => {
    const file = `${tmp.dir}/p.json`;
    const r = netrec(['plan', config, '--netns', ns.name, '-o', 'json', `--out=${file}`]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as J).summary.create, 4);
    assert.match(r.stderr, /Saved the plan/);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as J;
    assert.equal(saved.format, 'netrec-plan');
    assert.equal(saved.body.namespace.name, ns.name);
    assert.equal(saved.body.plan.summary.create, 4);
    assert.ok(saved.body.sources[0].file.endsWith('site.yaml'));
    assert.match(saved.body.state.fingerprint, /^[0-9a-f]{64}$/);
    const a = netrecRaw(['apply', file, '--netns', ns.name]);
    assert.equal(a.status, 0, a.stderr);
    planIsEmpty();
  });

  it('a route another writer added between plan and apply: refused, naming it, nothing written', () => {
    const file = savePlan();
    ns.batch(['route add blackhole 10.1.0.0/16 proto static']);
    const before = fullState(ns);
    const r = netrecRaw(['apply', file, '--netns', ns.name]);
    oneLineError(r, /^netrec: the namespace changed since the plan was made: route 10\.1\.0\.0\/16 table 254 metric 0 was added by another writer; nothing was changed: run `netrec plan` again$/);
    assert.deepEqual(fullState(ns), before);
  });

  it('an interface another writer changed between plan and apply: refused, nothing written', () => {
    ns.batch(['link add br0 type bridge', 'link set br0 mtu 1500']);
    const file = savePlan('reviewed', /~ +interface br0 .*mtu 1500 -> 1400[^]*Plan: 3 to create, 1 to update/);
    ns.ip('link', 'set', 'br0', 'mtu', '1300');
    const before = fullState(ns);
    const r = netrecRaw(['apply', file, '--netns', ns.name]);
    oneLineError(r, /the namespace changed since the plan was made: interface br0 was changed by another writer/);
    assert.deepEqual(fullState(ns), before);
  });

  it('a plan made for another namespace is refused, and neither namespace changes', () => {
    const file = savePlan();
    const other = Netns.create('saved2');
    try {
      const beforeOther = fullState(other);
      const beforeOwn = fullState(ns);
      const r = netrecRaw(['apply', file, '--netns', other.name]);
      oneLineError(r, new RegExp(`was planned for namespace ${ns.name} \\(made .*\\), not for namespace ${other.name}: apply it where it was planned`));
      assert.deepEqual(fullState(other), beforeOther);
      assert.deepEqual(fullState(ns), beforeOwn);
    } finally {
      other.destroy();
    }
  });

  it('a namespace deleted and made again under the same name is another namespace', () => {
    const file = savePlan();
    const name = ns.name;
    ns.destroy();
    execFileSync('ip', ['netns', 'add', name]);
    try {
      const r = netrecRaw(['apply', file]);
      oneLineError(r, new RegExp(`was planned for namespace ${name} \\(made .*\\), which has been deleted and made again since: run \`netrec plan\` again$`));
      assert.throws(() => execFileSync('ip', ['-n', name, 'link', 'show', 'br0'], { stdio: 'pipe' }), 'nothing made');
    } finally {
      spawnSync('ip', ['netns', 'del', name]);
    }
  });

  it('a damaged file or one of another format version is refused in one line, nothing written', () => {
    const file = savePlan();
    const text = readFileSync(file, 'utf8');
    const before = fullState(ns);
    writeFileSync(file, text.slice(0, 200));
    oneLineError(netrecRaw(['apply', file, '--netns', ns.name]), /is a damaged saved plan \(.*\); make it again with `netrec plan CONFIG --out FILE`$/);
    writeFileSync(file, text.replace('"mtu":1400', '"mtu":9000'));
    oneLineError(netrecRaw(['apply', file, '--netns', ns.name]), /is a damaged saved plan \(its checksum does not match its content\)/);
    // A plan of an older netrec (version 1 kept a link's options under its kind's key) is refused.
    writeFileSync(file, text.replace('"version":2', '"version":1'));
    oneLineError(netrecRaw(['apply', file, '--netns', ns.name]), /is a saved plan of format version 1; this netrec reads version 2/);
    assert.deepEqual(fullState(ns), before);
  });

  it('plan and validate given a saved plan say what it is', () => {
    const file = savePlan();
    for (const cmd of ['plan', 'validate']) {
      oneLineError(netrecRaw([cmd, file, '--netns', ns.name].slice(0, cmd === 'plan' ? 4 : 2)), /is a plan saved by `netrec plan --out`, not a config: `netrec apply .*` applies it$/);
    }
  });
});
