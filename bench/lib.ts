// Bench plumbing: throwaway namespaces, timed processes with peak RSS, and
// generators for the configs and `ip -batch` files of each scenario.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const NETREC = join(ROOT, 'bin/netrec.js');

export interface Timed {
  ms: number;
  /** Peak resident set size of the process, MiB. */
  rssMiB: number;
  stdout: string;
  stderr: string;
  status: number | null;
}

let timeBin: string | undefined;
function gnuTime(): string {
  if (timeBin) return timeBin;
  if (!existsSync('/usr/bin/time')) {
    execFileSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time'], { stdio: 'inherit' });
  }
  timeBin = '/usr/bin/time';
  return timeBin;
}

/**
 * The environment of every timed command: this one, less NODE_EXTRA_CA_CERTS.
 * With it set, Node parses that CA bundle before running any code (about
 * 80 ms per process on a 2-core machine), a cost of the host's TLS set-up
 * that netrec, which opens no TLS connection, would not pay on a stock system.
 */
const RUN_ENV: NodeJS.ProcessEnv = { ...process.env };
delete RUN_ENV.NODE_EXTRA_CA_CERTS;

/** Run a command to completion, measuring wall time and peak RSS (GNU time's %M). */
export function timed(cmd: string, args: string[], input?: string): Timed {
  const t0 = performance.now();
  const r = spawnSync(gnuTime(), ['-f', '@@RSS %M', cmd, ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30, env: RUN_ENV });
  const ms = performance.now() - t0;
  const m = /@@RSS (\d+)/.exec(r.stderr);
  return { ms, rssMiB: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout, stderr: r.stderr.replace(/@@RSS \d+\n?/, ''), status: r.status };
}

export function netrecTimed(args: string[]): Timed {
  const t = timed(process.execPath, [NETREC, ...args]);
  if (t.status !== 0 && !(args[0] === 'plan' && t.status === 2)) throw new Error(`netrec ${args.join(' ')} failed (${t.status}):\n${t.stderr.slice(0, 2000)}`);
  return t;
}

/** Busy and total CPU time of the machine so far, in clock ticks (/proc/stat). */
function cpuTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').slice(0, 200).split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3]! - f[4]!, total };
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Wait (at most 5 s) until the machine has been nearly idle for 200 ms. The
 * kernel frees a deleted namespace's routes in the background, on the cores
 * the next timed run needs: 120,000 routes keep a core busy for a second.
 */
export function settle(): void {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const a = cpuTicks();
    sleepMs(200);
    const b = cpuTicks();
    if (b.busy - a.busy <= 0.1 * (b.total - a.total)) return;
  }
}

export class BenchNs {
  readonly name = `nrb-${process.pid}-${randomBytes(3).toString('hex')}`;
  constructor() {
    execFileSync('ip', ['netns', 'add', this.name]);
    this.ip('link', 'set', 'lo', 'up');
  }
  /**
   * A namespace with the uplink the routes go through, made with ip, once
   * the kernel is done with it (no address still tentative): both netrec and
   * the baseline start from a host whose links are up and quiet.
   */
  static withUplink(): BenchNs {
    const ns = new BenchNs();
    for (const l of UPLINK_SETUP) ns.ip(...l.split(' '));
    const deadline = Date.now() + 5000;
    while (/tentative/.test(ns.ip('addr', 'show')) && Date.now() < deadline) sleepMs(50);
    settle();
    return ns;
  }

  ip(...args: string[]): string {
    return execFileSync('ip', ['-n', this.name, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  }
  batchTimed(file: string): Timed {
    const t = timed('ip', ['-n', this.name, '-batch', file]);
    if (t.status !== 0) throw new Error(`ip -batch failed: ${t.stderr.slice(0, 500)}`);
    return t;
  }
  destroy(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
    settle();
  }
}

/** The n-th IPv4 /24 in 20.0.0.0/6-ish space (distinct for n < 4M). */
export function v4(n: number): string {
  return `${20 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}.0/24`;
}
export function v6(n: number): string {
  return `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::/64`;
}

export interface RouteSet {
  v4: number;
  v6: number;
}

/** Uplink the routes go through: a veth pair with an address of each family. */
export const UPLINK_SETUP = ['link add up0 type veth peer name up1', 'link set up0 up', 'link set up1 up', 'addr add 10.255.0.1/16 dev up0', 'addr add 2001:db8:ffff::1/64 dev up0 nodad'];
export const UPLINK_YAML = `version: 1
interfaces:
  - name: up0
    kind: veth
    veth: { peer: up1 }
    addresses: [10.255.0.1/16, "2001:db8:ffff::1/64"]
  - name: up1
    kind: veth
    veth: { peer: up0 }
`;

/** A netrec config with the uplink and `n` routes, written to `path`. */
export function writeRoutesYaml(path: string, n: RouteSet, changeOne = false): void {
  const parts: string[] = [UPLINK_YAML, 'routes:\n'];
  for (let i = 0; i < n.v4; i++) parts.push(`  - { to: ${v4(i)}, via: ${changeOne && i === 0 ? '10.255.0.253' : '10.255.0.254'} }\n`);
  for (let i = 0; i < n.v6; i++) parts.push(`  - { to: "${v6(i)}", via: "2001:db8:ffff::fe" }\n`);
  writeFileSync(path, parts.join(''));
}

/** The same routes as an `ip -batch` file (uplink made separately). */
export function writeRoutesBatch(path: string, n: RouteSet): void {
  const parts: string[] = [];
  for (let i = 0; i < n.v4; i++) parts.push(`route add ${v4(i)} via 10.255.0.254\n`);
  for (let i = 0; i < n.v6; i++) parts.push(`route add ${v6(i)} via 2001:db8:ffff::fe\n`);
  writeFileSync(path, parts.join(''));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
