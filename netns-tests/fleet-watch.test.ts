// A fleet in git, laid out as git-sync lays it out (the repository, one
// worktree per commit, a link to the current one), watched by three
// `netrec watch --host hN --netns nsN` processes, one per namespace "host".
// The link is flipped to a new commit by renaming a new link over it: each
// namespace converges to its own view of the new commit (ip -j says so, plan
// is empty), `netrec status` reports the new revision, and so does the
// netrec_config_info metric.
import assert from 'node:assert/strict';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectLogLines, Netns, netrec, netrecRaw, netrecSpawn, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll `check` every 50 ms until it holds or `ms` pass. */
async function within(ms: number, what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ''}`);
    await sleep(50);
  }
}

const HOSTS = ['h1', 'h2', 'h3'] as const;

/** The fleet at each of the two commits: what changes is group a's route and h1's address; h3's view stays. */
function writeFleet(dir: string, rev: 1 | 2): void {
  const f = (name: string, text: string) => {
    mkdirSync(join(dir, 'fleet', name, '..'), { recursive: true });
    writeFileSync(join(dir, 'fleet', name), text);
  };
  f('common/10-base.yaml', 'version: 1\ninterfaces:\n  - { name: br0, kind: bridge, mtu: 1500 }\n');
  f('groups/a/10.yaml', `version: 1\nroutes:\n  - { to: ${rev === 1 ? '10.70.0.0/16' : '10.71.0.0/16'}, dev: br0 }\n`);
  f('groups/b/10.yaml', 'version: 1\ninterfaces:\n  - { name: br0, kind: bridge, mtu: 1400 }\n');
  f('hosts/h1/host.yaml', 'version: 1\ngroups: [a]\n');
  f('hosts/h2/host.yaml', 'version: 1\ngroups: [a, b]\n');
  f('hosts/h3/host.yaml', 'version: 1\ngroups: [b]\n');
  const veth = (h: string, addr: string) =>
    `version: 1\ninterfaces:\n  - { name: ${h}a, kind: veth, veth: { peer: ${h}b }, addresses: [${addr}] }\n  - { name: ${h}b, kind: veth, veth: { peer: ${h}a } }\n`;
  f('hosts/h1/20.yaml', veth('h1', rev === 1 ? '10.81.0.1/24' : '10.81.0.2/24'));
  f('hosts/h2/20.yaml', veth('h2', '10.82.0.1/24'));
  f('hosts/h3/20.yaml', veth('h3', '10.83.0.1/24'));
}

/** What each host's namespace must hold at a commit, read with ip -j. */
function expected(host: (typeof HOSTS)[number], rev: 1 | 2): { mtu: number; routes: string[]; addr: string } {
  const route = rev === 1 ? '10.70.0.0/16' : '10.71.0.0/16';
  return {
    mtu: host === 'h1' ? 1500 : 1400,
    routes: host === 'h3' ? [] : [route],
    addr: host === 'h1' ? (rev === 1 ? '10.81.0.1' : '10.81.0.2') : host === 'h2' ? '10.82.0.1' : '10.83.0.1',
  };
}

function observed(ns: Netns, host: string): { mtu: number; routes: string[]; addr: string } {
  const br = (ns.json('link', 'show', 'dev', 'br0') as J[])[0]!;
  const routes = (ns.json('-4', 'route', 'show', 'dev', 'br0') as J[]).filter((r) => r.protocol !== 'kernel').map((r) => String(r.dst)).sort();
  const addrs = (ns.json('-4', 'addr', 'show', 'dev', `${host}a`) as J[])[0]?.addr_info as J[] | undefined;
  return { mtu: br.mtu as number, routes, addr: (addrs ?? []).map((a) => a.local).join(',') };
}

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'fleet',
  GIT_AUTHOR_EMAIL: 'fleet@example.net',
  GIT_COMMITTER_NAME: 'fleet',
  GIT_COMMITTER_EMAIL: 'fleet@example.net',
};

describe('a fleet behind a git-sync link, three watching hosts', () => {
  const namespaces = new Map<string, Netns>();
  const procs: ChildProcess[] = [];
  const logs = new Map<string, J[]>();
  const ports = new Map<string, number>();
  let tmp: ReturnType<typeof tempDir>;
  let stateDir: string;
  let link: string;
  let config: string;
  let commits: [string, string];

  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: GIT_ENV, encoding: 'utf8', timeout: 30_000 }).trim();

  before(() => {
    tmp = tempDir();
    stateDir = join(tmp.dir, 'state');
    // The upstream repository, with the two commits.
    const upstream = join(tmp.dir, 'upstream');
    mkdirSync(upstream);
    git(upstream, 'init', '-q');
    writeFleet(upstream, 1);
    git(upstream, 'add', '.');
    git(upstream, 'commit', '-qm', 'fleet: first');
    const c1 = git(upstream, 'rev-parse', 'HEAD');
    writeFleet(upstream, 2);
    git(upstream, 'commit', '-qam', 'fleet: group a moves its route, h1 its address');
    commits = [c1, git(upstream, 'rev-parse', 'HEAD')];
    // git-sync's root: the repository, a worktree for the first commit, and the link to it.
    const root = join(tmp.dir, 'sync');
    mkdirSync(root);
    git(root, 'init', '-q');
    git(root, 'fetch', '-q', upstream, 'main');
    git(root, 'worktree', 'add', '-q', '--detach', join(root, '.worktrees', c1), c1);
    link = join(root, 'current');
    symlinkSync(join('.worktrees', c1), link);
    config = join(link, 'fleet');
    for (const h of HOSTS) namespaces.set(h, Netns.create(`fleet${h}`));
  });

  after(async () => {
    for (const p of procs) {
      if (p.exitCode === null) {
        p.kill('SIGKILL');
        await new Promise((r) => p.once('close', r));
      }
    }
    for (const ns of namespaces.values()) ns.destroy();
    tmp.cleanup();
  });

  const status = (h: string): J => {
    const r = netrecRaw(['status', '--netns', namespaces.get(h)!.name, '--state-dir', stateDir, '-o', 'json']);
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as J;
  };
  const planEmpty = (h: string): void => {
    const r = netrecRaw(['plan', config, '--host', h, '--netns', namespaces.get(h)!.name, '--detailed-exitcode']);
    assert.equal(r.status, 0, `${h}: plan not empty:\n${r.stdout}${r.stderr}`);
  };
  const metricLines = async (h: string, name: string): Promise<string[]> => {
    const res = await fetch(`http://127.0.0.1:${ports.get(h)}/metrics`);
    const text = await res.text();
    return text.split('\n').filter((l) => l.startsWith(name));
  };
  const configInfo = (h: string) => metricLines(h, 'netrec_config_info{');

  it('each host converges to its own view of the first commit', async () => {
    for (const h of HOSTS) {
      const port = 20000 + Math.floor(Math.random() * 20000);
      ports.set(h, port);
      const p = netrecSpawn(['watch', config, '--host', h, '--netns', namespaces.get(h)!.name, '--state-dir', stateDir, '--log-format', 'json', '--resync-interval', '1h', '--metrics-address', `127.0.0.1:${port}`]);
      procs.push(p);
      const l: J[] = [];
      logs.set(h, l);
      collectLogLines(p.stderr!, l);
    }
    for (const h of HOSTS) {
      const ns = namespaces.get(h)!;
      await within(20_000, `${h} converges on the first commit`, () => assert.deepEqual(observed(ns, h), expected(h, 1)) === undefined);
    }
    for (const h of HOSTS) {
      await within(10_000, `${h}: status has the first commit`, () => status(h).revision === commits[0]);
      planEmpty(h);
      const s = status(h);
      assert.equal(s.host, h);
      assert.equal(s.lastRun.result, 'applied');
      assert.equal(s.lastRun.trigger, 'watch-start');
    }
  });

  it('the link flipped to the next commit: each host converges to its new view, status and metrics report the new revision', async () => {
    const [c1, c2] = commits;
    const root = join(tmp.dir, 'sync');
    git(root, 'worktree', 'add', '-q', '--detach', join(root, '.worktrees', c2), c2);
    // The flip, as git-sync does it: a new link renamed over the old one.
    symlinkSync(join('.worktrees', c2), `${link}.new`);
    renameSync(`${link}.new`, link);
    for (const h of HOSTS) {
      const ns = namespaces.get(h)!;
      await within(20_000, `${h} converges on the second commit`, () => assert.deepEqual(observed(ns, h), expected(h, 2)) === undefined);
    }
    for (const h of HOSTS) {
      // h3's view did not change: the new revision is in force there too.
      await within(10_000, `${h}: status has the second commit`, () => status(h).revision === c2);
      planEmpty(h);
      const s = status(h);
      assert.equal(s.host, h);
      assert.equal(s.lastError, null);
      assert.equal(s.lastRun.trigger, 'watch-file');
      assert.equal(s.lastRun.result, h === 'h3' ? 'no-changes' : 'applied');
      assert.deepEqual(await configInfo(h), [`netrec_config_info{revision="${c2}",host="${h}"} 1`]);
      const stamp = async (name: string) => Number((await metricLines(h, `${name} `))[0]?.split(' ')[1]);
      const now = Date.now() / 1000;
      assert.ok(Math.abs(now - (await stamp('netrec_last_success_timestamp_seconds'))) < 120, `${h}: last success is recent`);
      assert.ok(Math.abs(now - (await stamp('netrec_last_apply_timestamp_seconds'))) < 120, `${h}: last apply is recent`);
      assert.notEqual(c1, c2);
    }
    // Still exactly each host's own view (h1 and h2 did not get h3's settings or the reverse).
    for (const h of HOSTS) assert.deepEqual(observed(namespaces.get(h)!, h), expected(h, 2));
  });

  it('drift that watch undoes is history: status counts it since the revision came', async () => {
    const ns = namespaces.get('h1')!;
    ns.ip('route', 'del', '10.71.0.0/16', 'dev', 'br0');
    await within(10_000, 'h1: the route is back', () => observed(ns, 'h1').routes.length === 1);
    await within(10_000, 'h1: status counts the correction', () => status('h1').driftCorrections.changes === 1);
    const s = status('h1');
    assert.equal(s.revision, commits[1]);
    assert.equal(s.lastRun.trigger, 'watch-drift');
    assert.equal(s.driftCorrections.runs, 1);
    planEmpty('h1');
  });
});

describe('apply of a fleet host records its revision, host and errors', () => {
  let ns: Netns;
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    ns = Netns.create('fleetapply');
    tmp = tempDir();
  });
  after(() => {
    ns.destroy();
    tmp.cleanup();
  });

  it('a good apply puts the content revision in force; a refused one is the last error and leaves it', () => {
    writeFleet(tmp.dir, 1);
    const fleet = join(tmp.dir, 'fleet');
    const stateDir = join(tmp.dir, 'state');
    const a = netrec(['apply', fleet, '--host', 'h2', '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(a.status, 0, a.stderr);
    assert.deepEqual(observed(ns, 'h2'), expected('h2', 1));
    const st = () => JSON.parse(netrecRaw(['status', '--netns', ns.name, '--state-dir', stateDir, '-o', 'json']).stdout) as J;
    const first = st();
    assert.match(first.revision, /^sha256:[0-9a-f]{64}$/);
    assert.equal(first.host, 'h2');
    assert.equal(first.lastRun.trigger, 'cli');
    assert.equal(first.lastError, null);
    // A preferred source no interface has: only the kernel refuses it; rolled back, recorded.
    writeFileSync(join(fleet, 'hosts', 'h2', '30.yaml'), 'version: 1\nroutes:\n  - { to: 10.99.0.0/16, dev: br0, src: 10.98.0.1 }\n');
    const b = netrecRaw(['apply', fleet, '--host', 'h2', '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(b.status, 1, b.stdout + b.stderr);
    const second = st();
    assert.equal(second.revision, first.revision, 'the revision in force stays');
    assert.equal(second.lastRun.result, 'rolled-back');
    assert.notEqual(second.lastRun.revision, first.revision);
    assert.match(second.lastError.message, /the kernel refused to create route 10\.99\.0\.0\/16/);
    assert.deepEqual(observed(ns, 'h2'), expected('h2', 1));
    const h = netrecRaw(['history', '--netns', ns.name, '--state-dir', stateDir]);
    assert.match(h.stdout, /rolled-back .* rev sha256:\S+ +host h2 +cli +error: the kernel refused/);
  });
});
