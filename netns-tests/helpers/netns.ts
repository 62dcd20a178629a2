// Throwaway network namespaces for kernel tests, `ip -j` as the independent
// oracle, and netrec run as a user runs it (a process).
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** Repository root (dist/netns-tests/helpers -> ../../..). */
export const ROOT = resolve(here, '../../..');
export const NETREC = join(ROOT, 'bin/netrec.js');

const live = new Set<string>();
process.on('exit', () => {
  for (const name of live) spawnSync('ip', ['netns', 'del', name]);
});

export class Netns {
  readonly name: string;
  readonly path: string;
  private constructor(name: string) {
    this.name = name;
    this.path = `/run/netns/${name}`;
  }

  /** A fresh namespace with a unique name and lo up. */
  static create(tag = 't'): Netns {
    const name = `nrt-${tag}-${process.pid}-${randomBytes(3).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', name]);
    live.add(name);
    const ns = new Netns(name);
    ns.ip('link', 'set', 'lo', 'up');
    // No duplicate address detection: addresses are usable at once and a state
    // snapshot does not change while DAD finishes.
    for (const scope of ['all', 'default']) {
      execFileSync('ip', ['netns', 'exec', name, 'sysctl', '-qw', `net.ipv6.conf.${scope}.accept_dad=0`]);
    }
    return ns;
  }

  /** `ip -n NAME args...`; throws with ip's stderr on failure. */
  ip(...args: string[]): string {
    try {
      return execFileSync('ip', ['-n', this.name, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: string };
      throw new Error(`ip -n ${this.name} ${args.join(' ')}: ${err.stderr ?? e}`);
    }
  }

  /** Many `ip` commands through one `ip -batch` process. */
  batch(lines: string[]): void {
    execFileSync('ip', ['-n', this.name, '-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
  }

  /** `ip -j -n NAME args...` parsed. */
  json<T = Record<string, unknown>[]>(...args: string[]): T {
    const out = execFileSync('ip', ['-j', '-n', this.name, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
    return (out.trim() ? JSON.parse(out) : []) as T;
  }

  destroy(): void {
    spawnSync('ip', ['netns', 'del', this.name]);
    live.delete(this.name);
  }
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the netrec CLI to completion, without the after-apply check. */
export function netrecRaw(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): RunResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [NETREC, ...args], {
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 1 << 30,
    ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** apply's options that take a value and that plan does not have. */
const APPLY_ONLY_WITH_VALUE = new Set(['--confirm-timeout', '--probe', '--state-dir', '-o', '--output']);
/** apply's flags that plan does not have. */
const APPLY_ONLY_FLAGS = new Set(['--insecure-config', '--debug', '--progress', '--no-progress']);

/**
 * The plan command that must be empty after a successful `apply args`
 * (contract section 5.1), or undefined when the apply changed nothing to check
 * (--dry-run, --help) or did not succeed.
 */
export function planAfterApply(args: readonly string[]): string[] | undefined {
  if (args[0] !== 'apply' || args.includes('--dry-run') || args.includes('--help') || args.includes('-h')) return undefined;
  const out = ['plan'];
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!;
    if (APPLY_ONLY_WITH_VALUE.has(a)) i++;
    else if (a.startsWith('--confirm-timeout=') || a.startsWith('--state-dir=') || a.startsWith('--probe=') || a.startsWith('--output=')) continue;
    else if (!APPLY_ONLY_FLAGS.has(a)) out.push(a);
  }
  out.push('--detailed-exitcode');
  return out;
}

/**
 * Run the netrec CLI to completion. Every apply that succeeds is followed by
 * `netrec plan --detailed-exitcode` with the same configs and namespace,
 * which must exit 0 (contract section 5, promises 1 and 7): a test cannot
 * pass on an apply that said "applied" while the kernel still differs.
 */
export function netrec(args: string[], opts: { input?: string; env?: NodeJS.ProcessEnv; uid?: number; gid?: number } = {}): RunResult {
  const r = netrecRaw(args, opts);
  const check = r.status === 0 ? planAfterApply(args) : undefined;
  if (check !== undefined) {
    const p = netrecRaw(check, { env: opts.env });
    if (p.status !== 0) {
      throw new Error(`apply succeeded but \`netrec ${check.join(' ')}\` exited ${p.status}:\n${p.stdout}${p.stderr}\napply said:\n${r.stdout}${r.stderr}`);
    }
  }
  return r;
}

/** Start netrec without waiting (for concurrency and signal tests). */
export function netrecSpawn(args: string[]) {
  return spawn(process.execPath, [NETREC, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Appends each line of a `--log-format json` stream to `logs` as it comes (a line that is not JSON as `{ msg: line }`). */
export function collectLogLines(stream: NodeJS.ReadableStream, logs: Record<string, unknown>[]): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
}

/** A temp dir for config files; removed by the returned cleanup. */
export function tempDir(): { dir: string; write(name: string, text: string): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'netrec-test-'));
  return {
    dir,
    write(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Json = Record<string, unknown>;

/** Keys that change by themselves (counters, timers, lifetimes) and are not state. */
// Bridge timers count by themselves. ifindex: a link that had to be re-created (rollback of a deletion) gets a new index.
const VOLATILE = new Set(['gc_timer', 'hello_timer', 'tcn_timer', 'topology_change_timer', 'ifindex', 'link_index', 'stats', 'stats64', 'valid_life_time', 'preferred_life_time', 'used', 'confirmed', 'updated', 'expires', 'operstate', 'linkinfo_xstats', 'probes', 'carrier_changes', 'carrier_up_count', 'carrier_down_count']);

/**
 * Flags that follow the carrier, which the kernel's link watch sets a while
 * after a link comes up (up to a second later on a slow machine): a snapshot
 * just after `ip link set up` and one taken later differ in them alone.
 */
const CARRIER_FLAGS = new Set(['NO-CARRIER', 'LOWER_UP', 'linkdown']);

function strip(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') {
    const out: Json = {};
    for (const [k, x] of Object.entries(v as Json)) {
      if (VOLATILE.has(k)) continue;
      out[k] = k === 'flags' && Array.isArray(x) ? x.filter((f) => !CARRIER_FLAGS.has(f as string)) : strip(x);
    }
    return out;
  }
  return v;
}

/**
 * The addresses, once none is tentative. With DAD off the flag still lasts
 * until the kernel's DAD work item runs, which a busy machine delays; a
 * snapshot taken inside that window would differ from one taken after it.
 */
function settledAddresses(ns: Netns, timeoutMs = 5000): Json[] {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const links = ns.json('addr', 'show') as Json[];
    const tentative = links.some((l) => (l.addr_info as Json[]).some((a) => a.tentative));
    if (!tentative || Date.now() > deadline) return links;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

/** The namespace's whole state as `ip -j` sees it, less counters, timers and remaining lifetimes. */
export function fullState(ns: Netns): Json {
  const sortBy = (a: unknown[]) => a.map((x) => JSON.stringify(strip(x))).sort();
  return {
    link: sortBy(ns.json('-d', 'link', 'show')),
    addr: sortBy(settledAddresses(ns).map((l) => ({ ifname: l.ifname, addr_info: l.addr_info }))),
    route4: sortBy(ns.json('-4', 'route', 'show', 'table', 'all')),
    route6: sortBy(ns.json('-6', 'route', 'show', 'table', 'all')),
    rule4: sortBy(ns.json('-4', 'rule', 'show')),
    rule6: sortBy(ns.json('-6', 'rule', 'show')),
    neigh: sortBy(ns.json('neigh', 'show').filter((n) => ((n as Json).state as string[] | undefined)?.includes('PERMANENT'))),
  };
}
