// Signals at random moments of a large apply, against the real kernel: SIGHUP
// (the SSH session died), SIGINT and SIGTERM, with and without
// --confirm-timeout. Every run must end with none of the change or all of it
// (and, with --confirm-timeout, none: nobody confirms), and the objects that
// were there before (foreign and netrec's own) as they were. Never half.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fullState, Netns, netrecSpawn, tempDir } from './helpers/netns.js';

const ROUTES = 15_000;
const SEED = Number(process.env.NETREC_SIGNAL_SEED ?? 20261204);

/** mulberry32: a small seeded generator, so a failing run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let config: string;
let original: Record<string, unknown>;

/** A namespace of its own for each mode, so one cannot leave the other a changed start. */
function setUp(): void {
  ns = Netns.create('signals');
  tmp = tempDir();
  // What was there before: an interface, a foreign route, a foreign twin of one
  // of the config's routes, and one of netrec's own that the config keeps.
  ns.batch([
    'link add up0 type veth peer name up1',
    'addr add 10.40.0.1/16 dev up0',
    'link set up0 up',
    'link set up1 up',
    'route add 203.0.113.0/24 via 10.40.0.254 proto static',
    'route add 10.41.0.0/24 via 10.40.0.253 proto static',
    'route add 198.51.100.0/24 via 10.40.0.254 proto 78',
  ]);
  const lines = ['version: 1', 'routes:', '  - { to: 198.51.100.0/24, via: 10.40.0.254 }'];
  for (let i = 0; i < ROUTES; i++) lines.push(`  - { to: 10.${41 + (i >> 8)}.${i & 255}.0/24, via: 10.40.0.254 }`);
  config = tmp.write('big.yaml', lines.join('\n') + '\n');
  original = fullState(ns);
}
function tearDown(): void {
  ns.destroy();
  tmp.cleanup();
}

/** The config's routes as `ip -j route show` lists them: via the config's gateway, in 10.41.0.0-10.99.255.255. */
function configRoutes(): number {
  return ns.json<{ dst: string; gateway?: string }[]>('route', 'show').filter((r) => /^10\.(4[1-9]|[5-9]\d)\./.test(r.dst) && r.gateway === '10.40.0.254').length;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** True once the write has begun: a route of the config (not the adopted twin) is in the kernel. */
function writing(): boolean {
  return ns.json('route', 'show', '10.42.0.0/24').length > 0 || ns.json('route', 'show', '10.60.0.0/24').length > 0;
}

/**
 * Start an apply and send `sig`: `delayMs` after the start (`anchor`
 * 'start': any phase, from start-up to the end), or after the first of
 * its routes is in the kernel ('write': inside the write phase).
 */
async function applyAndSignal(sig: NodeJS.Signals, anchor: 'start' | 'write', delayMs: number, again: boolean, extra: string[]): Promise<Run> {
  const p = netrecSpawn(['apply', config, '--netns', ns.name, '--state-dir', join(tmp.dir, 'state'), '-o', 'json', ...extra]);
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((r) => p.once('close', (code, signal) => r([code, signal])));
  if (anchor === 'write') {
    const t0 = Date.now();
    while (!writing() && p.exitCode === null && Date.now() - t0 < 30_000) await sleep(2);
  }
  await sleep(delayMs);
  p.kill(sig);
  if (again) {
    // A second signal while the first one's rollback runs must not cut it short.
    await sleep(30);
    p.kill(sig);
  }
  const [code, signal] = await Promise.race([closed, sleep(120_000).then(() => [-1, null] as [number, null])]);
  if (code === -1) {
    p.kill('SIGKILL');
    assert.fail(`apply did not end within 120 s after ${sig}`);
  }
  return { code, signal, stdout, stderr };
}

function result(r: Run): { result?: string; messages?: number } {
  try {
    return JSON.parse(r.stdout) as { result?: string; messages?: number };
  } catch {
    return {};
  }
}

for (const mode of ['plain', 'confirm-timeout'] as const) {
  describe(`signals during apply (${mode})`, () => {
    before(setUp);
    after(tearDown);
    it(`SIGHUP, SIGINT and SIGTERM at seeded random moments of a ${ROUTES.toLocaleString('en')}-route apply: none of the change or all of it, never half`, async () => {
      const random = prng(SEED + (mode === 'plain' ? 0 : 1));
      const extra = mode === 'plain' ? [] : ['--confirm-timeout', '60s'];
      const tally: Record<string, number> = {};
      let midWrite = 0;
      const RUNS_PER_SIGNAL = 4;
      for (const sig of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) {
        for (let k = 0; k < RUNS_PER_SIGNAL; k++) {
          // Half the runs anywhere in the run, half inside the write phase.
          const anchor = k % 2 === 0 ? 'start' : 'write';
          const delay = anchor === 'start' ? Math.round(random() * 2500) : Math.round(random() * 60);
          const again = random() < 0.5;
          const what = `${sig} ${delay} ms after the ${anchor === 'start' ? 'start' : 'first write'}${again ? ' (twice)' : ''}`;
          assert.equal(configRoutes(), 0, `${what}: starts from the original state`);
          const r = await applyAndSignal(sig, anchor, delay, again, extra);
          const n = configRoutes();
          const out = result(r);
          const key = `${out.result ?? (r.signal ? `killed by ${r.signal}` : 'no output')} -> ${n === 0 ? 'none' : n === ROUTES ? 'all' : 'HALF'}`;
          tally[key] = (tally[key] ?? 0) + 1;
          assert.ok(n === 0 || n === ROUTES, `${what}: ${n} of the config's ${ROUTES} routes are in the kernel (half-applied)\n${r.stderr}`);
          if (mode === 'confirm-timeout') assert.equal(n, 0, `${what}: an unconfirmed change must not stay\n${r.stderr}`);
          if (n === 0) {
            // None of it: the state from before, foreign twin and netrec's own route included.
            assert.deepEqual(fullState(ns), original, `${what}: the state from before the run`);
            assert.notEqual(r.code, 0, `${what}: a stopped run does not exit 0`);
            if (r.code === 1) assert.match(r.stderr, new RegExp(`${sig}.*(rolled back|nothing of it was written|previous state is back)`, 's'), `${what}: says what was done`);
            if (out.result === 'rolled-back' && (out.messages ?? 0) > 0) midWrite++;
          } else {
            // All of it: the run completed and reported before the signal (which
            // may still catch the process in its last moments, after its output).
            assert.equal(out.result, 'applied', `${what}: all of it, so the run completed before the signal\n${r.stderr}`);
            assert.ok(r.code === 0 || r.signal === sig, `${what}: exit ${r.code} ${r.signal}`);
            ns.ip('route', 'flush', 'proto', '78', 'via', '10.40.0.254');
            ns.ip('route', 'add', '198.51.100.0/24', 'via', '10.40.0.254', 'proto', '78');
            ns.ip('route', 'replace', '10.41.0.0/24', 'via', '10.40.0.253', 'proto', 'static');
            assert.deepEqual(fullState(ns), original, `${what}: reset`);
          }
        }
      }
      console.log(`${mode}, seed ${SEED}: ${JSON.stringify(tally)}; ${midWrite} runs stopped after writing began`);
      assert.ok(midWrite > 0, 'at least one signal landed after writing began');
    });
  });
}
