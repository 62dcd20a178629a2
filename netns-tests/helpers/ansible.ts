// Ansible as a fleet operator runs it: the collection in contrib/ansible/
// installed with ansible-galaxy into a throwaway collections path, and
// ansible-playbook run against an inventory of namespace "hosts" (connection
// local), with Ansible's own files kept in a temp dir.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT } from './netns.js';

export const COLLECTION = join(ROOT, 'contrib/ansible');
export const ROLLOUT = join(COLLECTION, 'playbooks/rollout.yml');

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * ansible-playbook, installed from the distribution's packages when missing
 * (Debian's ansible-core). Throws when it cannot be had: the test is not
 * skipped.
 */
export function ensureAnsible(): void {
  if (onPath('ansible-playbook') && onPath('ansible-galaxy')) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-qq', 'ansible-core'], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 600_000 });
  let r = install();
  if (r.status !== 0) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 300_000 });
    r = install();
  }
  if (r.status !== 0 || !onPath('ansible-playbook')) {
    throw new Error(`ansible-playbook is missing and \`apt-get install -y ansible-core\` failed (exit ${r.status}): ${r.stderr}`);
  }
}

/** Per host: ok, changed, unreachable, failed, skipped, rescued, ignored. */
export type Recap = Map<string, Record<string, number>>;

/** The PLAY RECAP lines of ansible-playbook's default output. */
export function parseRecap(stdout: string): { recap: Recap; lines: string[] } {
  const at = stdout.lastIndexOf('PLAY RECAP');
  const recap: Recap = new Map();
  const lines: string[] = [];
  if (at < 0) return { recap, lines };
  for (const line of stdout.slice(at).split('\n').slice(1)) {
    const m = /^(\S+)\s+:\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const counts: Record<string, number> = {};
    for (const kv of m[2]!.trim().split(/\s+/)) {
      const [k, v] = kv.split('=');
      counts[k!] = Number(v);
    }
    recap.set(m[1]!, counts);
    lines.push(line.trimEnd());
  }
  return { recap, lines };
}

/**
 * The hosts of each batch of one task, in order: the hosts that reported a
 * result under each `TASK [name]` header (with `serial`, Ansible prints the
 * header once per batch).
 */
export function batchesOf(stdout: string, task: string): string[][] {
  const batches: string[][] = [];
  let current: string[] | undefined;
  for (const line of stdout.split('\n')) {
    if (line.startsWith('TASK [') || line.startsWith('PLAY RECAP')) {
      current = line.startsWith(`TASK [${task}]`) ? [] : undefined;
      if (current) batches.push(current);
      continue;
    }
    const m = /^(ok|changed|fatal|failed|skipping): \[([^\]\s]+)/.exec(line);
    if (m && current) current.push(m[2]!);
  }
  return batches;
}

export interface PlaybookRun {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  recap: Recap;
  recapLines: string[];
}

export class AnsibleEnv {
  readonly dir: string;
  readonly env: NodeJS.ProcessEnv;

  /** Installs the collection from the repository into `dir` (ansible-galaxy checks galaxy.yml on the way). */
  constructor(dir: string) {
    this.dir = dir;
    const collections = join(dir, 'collections');
    for (const d of ['home', 'local-tmp', 'remote-tmp', collections]) mkdirSync(join(dir, d), { recursive: true, mode: 0o700 });
    this.env = {
      ...process.env,
      // bin/netrec.js starts with `#!/usr/bin/env node`: the node running the tests.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
      ANSIBLE_HOME: join(dir, 'home'),
      ANSIBLE_LOCAL_TEMP: join(dir, 'local-tmp'),
      ANSIBLE_REMOTE_TEMP: join(dir, 'remote-tmp'),
      ANSIBLE_COLLECTIONS_PATH: collections,
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_FORCE_COLOR: '0',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
      ANSIBLE_STDOUT_CALLBACK: 'default',
      ANSIBLE_HOST_KEY_CHECKING: '0',
      ANSIBLE_PYTHON_INTERPRETER: 'auto_silent',
      NO_COLOR: '1',
    };
    execFileSync('ansible-galaxy', ['collection', 'install', '--force', COLLECTION, '-p', collections], { env: this.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
  }

  /** `ansible-doc --json` of a module of the installed collection. */
  doc(module: string): Record<string, any> {
    const out = execFileSync('ansible-doc', ['--json', module], { env: this.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    return (JSON.parse(out) as Record<string, Record<string, any>>)[module]!;
  }

  /** A YAML inventory (JSON is YAML) written to the temp dir. */
  inventory(name: string, inv: unknown): string {
    const p = join(this.dir, name);
    writeFileSync(p, JSON.stringify(inv, null, 2));
    return p;
  }

  /** ansible-playbook to completion, bounded in time. */
  playbook(playbook: string, inventory: string, args: string[] = [], extraVars: Record<string, unknown> = {}, timeoutMs = 300_000): PlaybookRun {
    const t0 = performance.now();
    const r = spawnSync('ansible-playbook', ['-i', inventory, playbook, '-e', JSON.stringify(extraVars), ...args], {
      env: this.env,
      encoding: 'utf8',
      timeout: timeoutMs,
      killSignal: 'SIGTERM',
      maxBuffer: 1 << 28,
    });
    const ms = performance.now() - t0;
    const { recap, lines } = parseRecap(r.stdout ?? '');
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms, recap, recapLines: lines };
  }

  /** What the playbook recorded for a host (netrec_report_dir). */
  report(dir: string, host: string): Record<string, any> {
    return JSON.parse(readFileSync(join(dir, `${host}.json`), 'utf8')) as Record<string, any>;
  }
}
