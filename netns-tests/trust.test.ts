// Trusted configs and a trusted state directory, against the real kernel:
// what a non-root user (nobody, uid 65534) could have written is never
// applied or restored by root's apply, watch or confirm.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, readFileSync, renameSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { NETREC, Netns, netrec, netrecRaw, netrecSpawn, tempDir, collectLogLines } from './helpers/netns.js';
import { NOBODY, realNobody } from './helpers/users.js';

type J = Record<string, any>;

const SKIP = realNobody() ? false : 'needs root in the initial user namespace (files owned by a real nobody)';

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let stateDir: string;
let procs: ChildProcess[] = [];

beforeEach(() => {
  ns = Netns.create('trust');
  tmp = tempDir();
  chmodSync(tmp.dir, 0o755);
  stateDir = join(tmp.dir, 'state');
  // Foreign objects: a veth made by ip, a static route.
  ns.batch(['link add up0 type veth peer name up1', 'addr add 192.0.2.1/24 dev up0', 'link set up0 up', 'link set up1 up', 'route add 203.0.113.0/24 via 192.0.2.254 proto static']);
});
afterEach(async () => {
  for (const p of procs) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await new Promise((r) => p.once('close', r));
    }
  }
  procs = [];
  ns.destroy();
  tmp.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GOOD = 'version: 1\nroutes:\n  - to: 10.1.0.0/16\n    type: blackhole\n';
const BAD = 'version: 1\nroutes:\n  - to: 10.66.0.0/16\n    type: blackhole\n';
const hasRoute = (dst: string) => ns.json('route', 'show', dst).length === 1;

/** A directory (mode 0755) under the test's temp dir, owned by `uid`. */
function dir(rel: string, uid = 0, mode = 0o755): string {
  const d = join(tmp.dir, rel);
  mkdirSync(d, { recursive: true });
  chmodSync(d, mode);
  chownSync(d, uid, uid);
  return d;
}

function file(path: string, text: string, uid = 0, mode = 0o644): string {
  writeFileSync(path, text);
  chmodSync(path, mode);
  chownSync(path, uid, uid);
  return path;
}

/** The state folder of a namespace: named by its identity (device and inode), not by its name. */
function nsStateDir(root: string, n: Netns): string {
  const st = statSync(n.path);
  return join(root, `ns-${st.dev}-${st.ino}`);
}

function applyRefused(config: string, why: RegExp): void {
  const r = netrecRaw(['apply', config, '--netns', ns.name, '--state-dir', stateDir]);
  assert.ok(!hasRoute('10.66.0.0/16'), `nothing applied: ${r.stdout}${r.stderr}`);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, why);
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
}

describe('trusted config: apply', { skip: SKIP }, () => {
  it('a group-writable parent directory is refused, naming it and how to fix it', () => {
    const d = dir('cfg/sub', 0, 0o775);
    applyRefused(file(join(d, 'c.yaml'), BAD), /refusing config .*c\.yaml: .*cfg\/sub: directory writable by group \(mode 0775\); fix: chmod go-w/);
  });

  it('a world-writable grandparent directory is refused', () => {
    dir('cfg', 0, 0o777);
    const d = dir('cfg/sub');
    applyRefused(file(join(d, 'c.yaml'), BAD), /cfg: directory writable by group and others \(mode 0777\)/);
  });

  it("a directory owned by nobody further up is refused (not only the file's own directory)", () => {
    dir('cfg', NOBODY);
    const d = dir('cfg/sub');
    applyRefused(file(join(d, 'c.yaml'), BAD), /cfg: directory owned by uid 65534 \(nobody\), not root; fix: chown root/);
  });

  it("a symlink into another user's directory is refused, though the file it reaches is root's", () => {
    const theirs = dir('theirs', NOBODY);
    file(join(theirs, 'c.yaml'), BAD);
    const d = dir('cfg');
    symlinkSync(join(theirs, 'c.yaml'), join(d, 'c.yaml'));
    applyRefused(join(d, 'c.yaml'), /theirs: directory owned by uid 65534/);
  });

  it('a directory of configs behind a symlinked directory is checked along the link', () => {
    const theirs = dir('theirs', NOBODY);
    const real = dir('theirs/conf.d');
    file(join(real, 'a.yaml'), BAD);
    const d = dir('cfg');
    symlinkSync(real, join(d, 'conf.d'));
    applyRefused(join(d, 'conf.d'), new RegExp(`${theirs}: directory owned by uid 65534`));
  });

  it('a config owned by nobody, or writable by others, is refused; --insecure-config accepts it', () => {
    const d = dir('cfg');
    const f = file(join(d, 'c.yaml'), BAD, NOBODY);
    applyRefused(f, /c\.yaml: file owned by uid 65534 \(nobody\), not root; fix: chown root/);
    chownSync(f, 0, 0);
    chmodSync(f, 0o666);
    applyRefused(f, /c\.yaml: file writable by group and others \(mode 0666\); fix: chmod go-w/);
    const ok = netrec(['apply', f, '--netns', ns.name, '--state-dir', stateDir, '--insecure-config']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.ok(hasRoute('10.66.0.0/16'));
  });

  it('sticky /tmp-like directories pass when the entry in them is root\'s, and fail when it is not', () => {
    const sticky = dir('sticky', 0, 0o1777);
    const f = file(join(sticky, 'c.yaml'), GOOD);
    const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(hasRoute('10.1.0.0/16'));
    const planted = join(sticky, 'p.yaml');
    symlinkSync(f, planted);
    lchownSync(planted, NOBODY, NOBODY); // a link nobody made
    applyRefused(planted, /p\.yaml: symlink owned by uid 65534/);
  });

  it('race: a symlink flipped between a trusted and an untrusted file during 60 applies never gets the untrusted content applied', async () => {
    const d = dir('cfg');
    file(join(d, 'good.yaml'), GOOD);
    file(join(d, 'bad.yaml'), BAD, NOBODY);
    symlinkSync('good.yaml', join(d, 'cur.yaml'));
    // Flip with rename (atomic): the link always exists and points at one of the two; a flip about every millisecond.
    const flip = `const fs = require('fs'); const d = process.argv[1]; const nap = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; ; i++) { const t = d + '/n' + (i & 1); try { fs.unlinkSync(t); } catch {} fs.symlinkSync(i & 1 ? 'good.yaml' : 'bad.yaml', t); fs.renameSync(t, d + '/cur.yaml'); Atomics.wait(nap, 0, 0, 1); }`;
    const flipper = spawn(process.execPath, ['-e', flip, d], { stdio: 'ignore' });
    procs.push(flipper);
    let applied = 0;
    let refused = 0;
    try {
      for (let i = 0; i < 60; i++) {
        const r = netrecRaw(['apply', join(d, 'cur.yaml'), '--netns', ns.name, '--state-dir', stateDir]);
        assert.ok(!hasRoute('10.66.0.0/16'), `run ${i}: untrusted content applied\n${r.stdout}${r.stderr}`);
        if (r.status === 0) applied++;
        else {
          assert.match(r.stderr, /refusing|was replaced while/, r.stderr);
          refused++;
        }
      }
    } finally {
      flipper.kill('SIGKILL');
    }
    assert.equal(applied + refused, 60);
    process.stderr.write(`# race: ${applied} applied the trusted file, ${refused} refused the untrusted one\n`);
  });
});

/** A watch with JSON logs; resolves once it converged at start. */
async function startWatch(config: string, logs: J[]): Promise<ChildProcess> {
  const p = netrecSpawn(['watch', config, '--netns', ns.name, '--log-format', 'json', '--resync-interval', '1h']);
  procs.push(p);
  collectLogLines(p.stderr!, logs);
  await until(15_000, 'watch converges at start', () => logs.some((l) => l.msg === 'reconcile' && l.trigger?.includes('start')));
  return p;
}

async function until(ms: number, what: string, check: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

describe('trusted config: watch', { skip: SKIP }, () => {
  const refusals = (logs: J[]) => logs.filter((l) => /config refused/.test(String(l.msg)));

  it('refuses each untrusted reload (group-writable directory, nobody-owned edit, symlink swap to nobody\'s file), keeps the last good config and still repairs it', async () => {
    const d = dir('cfg');
    const f = file(join(d, 'w.yaml'), GOOD);
    const logs: J[] = [];
    await startWatch(f, logs);
    assert.ok(hasRoute('10.1.0.0/16'));

    // 1. The directory becomes group-writable, then the file is edited.
    chmodSync(d, 0o775);
    writeFileSync(f, BAD);
    await until(10_000, 'refusal 1', () => refusals(logs).length >= 1 || hasRoute('10.66.0.0/16'));
    assert.ok(!hasRoute('10.66.0.0/16'), 'edit in a group-writable directory not applied');
    assert.match(refusals(logs)[0]!.problem, /cfg: directory writable by group/);
    chmodSync(d, 0o755);
    writeFileSync(f, GOOD);

    // 2. nobody's file moved over it (an edit by another user).
    const theirs = file(join(d, 'theirs.yaml'), BAD.replace('10.66', '10.67'), NOBODY);
    renameSync(theirs, f);
    await until(10_000, 'refusal 2', () => refusals(logs).length >= 2 || hasRoute('10.67.0.0/16'));
    assert.ok(!hasRoute('10.67.0.0/16'), "nobody's file not applied");
    assert.match(refusals(logs)[1]!.problem, /w\.yaml: file owned by uid 65534/);

    // 3. Swapped for a symlink to a file in nobody's directory.
    const other = dir('theirs', NOBODY);
    file(join(other, 'x.yaml'), BAD.replace('10.66', '10.68'), NOBODY);
    symlinkSync(join(other, 'x.yaml'), join(d, 'tmp-link'));
    renameSync(join(d, 'tmp-link'), f);
    await until(10_000, 'refusal 3', () => refusals(logs).length >= 3 || hasRoute('10.68.0.0/16'));
    assert.ok(!hasRoute('10.68.0.0/16'), "symlink to nobody's directory not applied");
    assert.match(refusals(logs)[2]!.problem, /theirs: directory owned by uid 65534/);

    for (const net of ['10.66.0.0/16', '10.67.0.0/16', '10.68.0.0/16']) assert.ok(!hasRoute(net), `${net} never applied`);
    assert.ok(hasRoute('10.1.0.0/16'), 'the last good config stays');
    // ... and is still kept: drift is repaired from it.
    ns.ip('route', 'del', '10.1.0.0/16');
    await until(10_000, 'drift repaired from the last good config', () => hasRoute('10.1.0.0/16'));
    assert.ok(!hasRoute('10.68.0.0/16'));
  });

  it('an untrusted config at start is refused (exit 1); --insecure-config accepts it', async () => {
    const d = dir('cfg', 0, 0o777);
    const f = file(join(d, 'w.yaml'), GOOD);
    // Bounded: a watch that does not refuse would run on.
    const r = spawnSync(process.execPath, [NETREC, 'watch', f, '--netns', ns.name], { encoding: 'utf8', timeout: 20_000 });
    assert.ok(!hasRoute('10.1.0.0/16'), 'nothing applied');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /refusing config .*cfg: directory writable by group and others.*--insecure-config/);
    assert.ok(!hasRoute('10.1.0.0/16'));
    const p = netrecSpawn(['watch', f, '--netns', ns.name, '--insecure-config', '--log-format', 'json']);
    procs.push(p);
    await until(15_000, 'applied with --insecure-config', () => hasRoute('10.1.0.0/16'));
  });
});

/** What a user who owns the state directory plants for root's next apply to "restore". */
function plantedPending(n: Netns): string {
  const st = statSync(n.path);
  const before = {
    links: [{ name: 'lo', kind: 'loopback', state: 'up' }],
    addresses: [],
    routes: [{ family: 'ipv4', table: 254, to: '0.0.0.0/0', metric: 0, type: 'blackhole', protocol: 4, scope: 'global' }],
    rules: [],
    neighbors: [],
  };
  const scope = { interface: ['up0', 'up1'], address: [], route: ['203.0.113.0/24 table 254 metric 0', '0.0.0.0/0 table 254 metric 0'], rule: [], neighbor: [] };
  const now = { links: [], addresses: [], routes: [], rules: [], neighbors: [] };
  return JSON.stringify({ version: 3, pid: 999999, startTime: '1', ns: { dev: st.dev, ino: st.ino }, created: new Date().toISOString(), deadline: 0, configHash: '', scope, before, after: now, afterRead: true });
}

/** The same plan in the layout earlier releases read (keyed by name, version 1). */
function plantedPendingV1(): string {
  const p = JSON.parse(plantedPending(ns));
  return JSON.stringify({ version: 1, pid: 999999, created: p.created, deadline: 0, configHash: '', before: p.before, scope: p.scope });
}

function foreignIntact(): void {
  assert.equal((ns.json('route', 'show', '203.0.113.0/24')[0] as J).gateway, '192.0.2.254', 'foreign static route intact');
  assert.equal(ns.json('link', 'show', 'up0').length, 1, 'foreign veth intact');
  assert.ok(!hasRoute('default'), 'no blackhole default route');
}

describe('trusted state directory', { skip: SKIP }, () => {
  it('a state directory owned by nobody, with a planted pending.json: apply and confirm refuse it, nothing is restored', () => {
    const root = dir('state-nobody', NOBODY, 0o700);
    for (const sub of [nsStateDir(root, ns), join(root, `netns-${ns.name}`)]) {
      mkdirSync(sub);
      chownSync(sub, NOBODY, NOBODY);
      file(join(sub, 'pending.json'), sub.includes('netns-') ? plantedPendingV1() : plantedPending(ns), NOBODY);
    }
    const f = file(join(dir('cfg'), 'c.yaml'), GOOD);
    const r = netrecRaw(['apply', f, '--netns', ns.name, '--state-dir', root]);
    foreignIntact();
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /refusing the state directory: .*state-nobody: directory owned by uid 65534 \(nobody\), not root; fix: chown root:root .*or choose another --state-dir/);
    assert.ok(!hasRoute('10.1.0.0/16'), 'the apply did not go on without its state directory');
    const c = netrecRaw(['confirm', '--netns', ns.name, '--state-dir', root]);
    assert.equal(c.status, 1);
    assert.match(c.stderr, /refusing the state directory/);
  });

  it('a group-writable state directory is refused', () => {
    const root = dir('state-gw', 0, 0o770);
    const f = file(join(dir('cfg'), 'c.yaml'), GOOD);
    const r = netrecRaw(['apply', f, '--netns', ns.name, '--state-dir', root]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /state-gw: directory writable by group \(mode 0770\)/);
  });

  it("a pending.json owned by nobody in root's state directory is refused with a warning, never restored; the apply goes on", () => {
    const root = dir('state', 0, 0o700);
    for (const sub of [nsStateDir(root, ns), join(root, `netns-${ns.name}`)]) {
      mkdirSync(sub, { mode: 0o700 });
      file(join(sub, 'pending.json'), sub.includes('netns-') ? plantedPendingV1() : plantedPending(ns), NOBODY, 0o600);
    }
    const f = file(join(dir('cfg'), 'c.yaml'), GOOD);
    const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', root]);
    foreignIntact();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: refused .*pending\.json: owned by uid 65534, not root; .*nothing was restored from it/);
    assert.doesNotMatch(r.stderr, /restored the state/);
    assert.ok(hasRoute('10.1.0.0/16'));
    const c = netrecRaw(['confirm', '--netns', ns.name, '--state-dir', root]);
    assert.equal(c.status, 1);
    assert.match(c.stderr, /refused .*pending\.json: owned by uid 65534/);
    assert.match(c.stderr, /nothing to confirm/);
  });

  it('a pending.json writable by others, or a symlink, is refused', () => {
    const root = dir('state', 0, 0o700);
    const sub = nsStateDir(root, ns);
    mkdirSync(sub, { mode: 0o700 });
    const p = file(join(sub, 'pending.json'), plantedPending(ns), 0, 0o666);
    const f = file(join(dir('cfg'), 'c.yaml'), GOOD);
    const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', root]);
    foreignIntact();
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /refused .*pending\.json: writable by others/);
    renameSync(p, join(tmp.dir, 'elsewhere.json'));
    symlinkSync(join(tmp.dir, 'elsewhere.json'), p);
    const r2 = netrec(['apply', f, '--netns', ns.name, '--state-dir', root]);
    foreignIntact();
    assert.equal(r2.status, 0, r2.stderr);
    assert.match(r2.stderr, /refused .*pending\.json: is a symlink/);
  });

  it('the state directory is created 0700', () => {
    const f = file(join(dir('cfg'), 'c.yaml'), GOOD);
    const r = netrec(['apply', f, '--netns', ns.name, '--state-dir', join(tmp.dir, 'new', 'state')]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(join(tmp.dir, 'new', 'state')).mode & 0o777, 0o700);
    assert.equal(statSync(nsStateDir(join(tmp.dir, 'new', 'state'), ns)).mode & 0o777, 0o700);
    assert.match(readFileSync(join(nsStateDir(join(tmp.dir, 'new', 'state'), ns), 'history.jsonl'), 'utf8'), /"result":"applied"/);
  });
});
