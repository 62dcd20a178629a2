// Operational errors on the command line: each is one line, `netrec: WHAT;
// HOW TO FIX`, exit status 1, and no stack trace unless --debug asks for it
// (issue: unprivileged apply, history and confirm, a metrics address without
// a host, a metrics port in use).
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Netns, netrec, netrecRaw, netrecSpawn, tempDir, type RunResult } from './helpers/netns.js';
import { NOBODY, realNobody } from './helpers/users.js';

const CONFIG = 'version: 1\nroutes:\n  - to: 10.1.0.0/16\n    type: blackhole\n';

const NEEDS_NOBODY = realNobody() ? false : 'needs root in the initial user namespace (a real unprivileged user)';

/** One line on stderr, starting `netrec: `, exit 1, no stack frame. */
function assertOneLine(r: RunResult, what: RegExp): void {
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  assert.equal(r.status, 1, `exit 1:\n${r.stdout}${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `no stack trace:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /internal error/, r.stderr);
  assert.equal(lines.length, 1, `one line:\n${r.stderr}`);
  assert.match(lines[0]!, /^netrec: [^;]+; \S/, `netrec: WHAT; HOW TO FIX:\n${r.stderr}`);
  assert.match(lines[0]!, what);
}

/** A free TCP port on 127.0.0.1 (bound, read, released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let config: string;

beforeEach(() => {
  ns = Netns.create('clierr');
  tmp = tempDir();
  chmodSync(tmp.dir, 0o755);
  config = tmp.write('c.yaml', CONFIG);
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

/** A directory under the test's temp dir, with owner and mode. */
function dir(name: string, uid: number, mode: number): string {
  const d = join(tmp.dir, name);
  mkdirSync(d, { recursive: true });
  chownSync(d, uid, uid);
  chmodSync(d, mode);
  return d;
}

/** The state folder of the test's namespace under `root`. */
function nsStateDir(root: string): string {
  const st = statSync(ns.path);
  return join(root, `ns-${st.dev}-${st.ino}`);
}

describe('unprivileged commands: one line saying why and what to do', { skip: NEEDS_NOBODY }, () => {
  it('apply: a state directory it may not use', () => {
    const state = dir('state', 0, 0o700);
    const r = netrecRaw(['apply', config, '--netns', ns.name, '--state-dir', state], { uid: NOBODY });
    assertOneLine(r, /cannot use the state directory .*state.*: permission denied; run as root or with CAP_NET_ADMIN/);
    assert.equal(ns.json('route', 'show', '10.1.0.0/16').length, 0, 'nothing applied');
  });

  it('apply: the namespace lock it may not create', () => {
    const state = dir('state-nobody', NOBODY, 0o700);
    const run = dir('run', 0, 0o755);
    const r = netrecRaw(['apply', config, '--netns', ns.name, '--state-dir', state], { uid: NOBODY, env: { NETREC_RUN_DIR: run } });
    assertOneLine(r, new RegExp(`cannot open the namespace lock ${run}/netns-\\d+-\\d+\\.lock: permission denied; run as root or with CAP_NET_ADMIN; the lock lives in ${run}`));
    assert.equal(ns.json('route', 'show', '10.1.0.0/16').length, 0, 'nothing applied');
  });

  it('history: the state directory is root\'s', () => {
    const state = dir('state', 0, 0o700);
    const r = netrecRaw(['history', '--netns', ns.name, '--state-dir', state], { uid: NOBODY });
    assertOneLine(r, /cannot read the history of this namespace .*permission denied; run `netrec history` as root/);
  });

  it('confirm: says it cannot read the state, not "nothing to confirm"', () => {
    // Both ways the state can be closed to a user: the top directory, and the namespace's folder in a readable one.
    const closedTop = dir('state-top', 0, 0o700);
    const openTop = dir('state-open', 0, 0o755);
    mkdirSync(nsStateDir(openTop), { mode: 0o700 });
    writeFileSync(join(nsStateDir(openTop), 'pending.json'), '{}', { mode: 0o600 });
    for (const state of [closedTop, openTop]) {
      const r = netrecRaw(['confirm', '--netns', ns.name, '--state-dir', state], { uid: NOBODY });
      assertOneLine(r, /cannot read the pending confirmation of this namespace .*permission denied; run `netrec confirm` as root/);
      assert.doesNotMatch(r.stderr, /nothing to confirm/);
    }
  });

  it('--debug (before or after the command) adds the stack trace', () => {
    const state = dir('state', 0, 0o700);
    for (const args of [['--debug', 'history'], ['history', '--debug']]) {
      const r = netrecRaw([...args, '--netns', ns.name, '--state-dir', state], { uid: NOBODY });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^netrec: cannot read the history/);
      assert.match(r.stderr, /^\s+at /m, `a stack with --debug:\n${r.stderr}`);
    }
  });
});

describe('the trust check of a config', { skip: NEEDS_NOBODY }, () => {
  it('says to change the owner when the owner is the problem (and the mode too when that is also wrong)', () => {
    const clone = dir('clone', 1000, 0o775);
    const f = join(clone, 'c.yaml');
    writeFileSync(f, CONFIG);
    chownSync(f, 1000, 1000);
    const r = netrecRaw(['apply', f, '--netns', ns.name, '--state-dir', join(tmp.dir, 'state')]);
    assertOneLine(r, new RegExp(`${clone}: directory owned by uid 1000.*, not root; fix: chown root:root ${clone} && chmod go-w ${clone} \\(the owner is the problem: chmod cannot fix it\\)`));
    assert.equal(ns.json('route', 'show', '10.1.0.0/16').length, 0, 'nothing applied');
  });
});

describe('watch --metrics-address', () => {
  let server: Server | undefined;
  after(() => server?.close());

  it('an address it cannot read: one line with the expected form', () => {
    for (const bad of ['94x74', '127.0.0.1:99999', '::1:9474', 'localhost']) {
      const r = netrecRaw(['watch', config, '--netns', ns.name, '--metrics-address', bad, '--state-dir', tmp.dir]);
      assertOneLine(r, /--metrics-address .*; write HOST:PORT, e\.g\. 127\.0\.0\.1:9474, \[::1\]:9474, or :9474 for all addresses/);
      assert.equal(ns.json('route', 'show', '10.1.0.0/16').length, 0, 'nothing applied');
    }
  });

  it('a port in use: one line naming the address', async () => {
    server = createServer();
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const r = netrecRaw(['watch', config, '--netns', ns.name, '--metrics-address', `127.0.0.1:${port}`, '--state-dir', tmp.dir]);
    assertOneLine(r, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use; stop the program listening there`));
    assert.equal(ns.json('route', 'show', '10.1.0.0/16').length, 0, 'nothing applied');
  });

  it('a bare port means all addresses: /livez answers on 127.0.0.1', async () => {
    const port = await freePort();
    const p = netrecSpawn(['watch', config, '--netns', ns.name, '--metrics-address', String(port), '--state-dir', tmp.dir, '--resync-interval', '1h']);
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const closed = new Promise((r) => p.once('close', r));
    try {
      let status: number | undefined;
      for (let i = 0; i < 50 && status === undefined && p.exitCode === null; i++) {
        status = await new Promise<number | undefined>((resolve) => {
          get({ host: '127.0.0.1', port, path: '/livez', timeout: 1000 }, (res) => {
            res.resume();
            resolve(res.statusCode);
          }).on('error', () => setTimeout(() => resolve(undefined), 200));
        });
      }
      assert.equal(status, 200, `GET /livez on 127.0.0.1:${port}\n${err}`);
    } finally {
      if (p.exitCode === null) p.kill('SIGTERM');
      await closed;
    }
  });
});

describe('other operational errors', () => {
  it('a namespace that does not exist', () => {
    const r = netrecRaw(['plan', config, '--netns', 'netrec-no-such-namespace']);
    assertOneLine(r, /network namespace "netrec-no-such-namespace" does not exist .*; see `ip netns list`/);
  });

  it('a duration it cannot read, or one too short to make sense', () => {
    for (const [d, why] of [
      ['5x', /invalid duration "5x": unknown unit "x"; write a number and a unit/],
      ['soon', /invalid duration "soon"/],
      ['0s', /duration "0s" is too short; it must be at least 1s/],
    ] as const) {
      const r = netrecRaw(['apply', config, '--netns', ns.name, '--confirm-timeout', d, '--state-dir', tmp.dir]);
      assertOneLine(r, new RegExp(`--confirm-timeout: ${why.source}`));
      assert.equal(ns.json('route', 'show', '10.1.0.0/16').length, 0, 'nothing applied');
    }
    const w = netrecRaw(['watch', config, '--netns', ns.name, '--resync-interval', '500ms', '--state-dir', tmp.dir]);
    assertOneLine(w, /--resync-interval: duration "500ms" is too short; it must be at least 1s/);
  });

  it('a config file that does not exist: its path and line, no stack', () => {
    const missing = join(tmp.dir, 'missing.yaml');
    const r = netrecRaw(['plan', missing, '--netns', ns.name]);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
    assert.match(r.stderr, new RegExp(`^${missing}:1:1: cannot read: no such file or directory$`, 'm'));
  });
});

describe('history: a line that is JSON but not an entry', () => {
  it('is skipped with a warning; the entries around it are listed', () => {
    const state = join(tmp.dir, 'state');
    const a = netrec(['apply', config, '--netns', ns.name, '--state-dir', state]);
    assert.equal(a.status, 0, a.stderr);
    const file = join(nsStateDir(state), 'history.jsonl');
    const good = readFileSync(file, 'utf8').trim();
    writeFileSync(file, ['42', '{}', 'null', '"text"', '[]', '{"time":"x","result":"applied","summary":null}', good, ''].join('\n'), { mode: 0o600 });
    for (const output of ['text', 'json']) {
      const r = netrecRaw(['history', '--netns', ns.name, '--state-dir', state, '-o', output]);
      assert.equal(r.status, 0, r.stderr);
      assert.doesNotMatch(r.stderr, /^\s+at |internal error/m);
      for (const line of [1, 2, 3, 4, 5, 6]) assert.match(r.stderr, new RegExp(`history\\.jsonl:${line}: not a history entry.*; skipped`));
      if (output === 'json') assert.equal((JSON.parse(r.stdout) as unknown[]).length, 1);
      else assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
    }
  });
});
