// netrec's state directory, one folder per network namespace:
//   pending.json   what an apply awaiting confirmation changed (before and after)
//   confirmed      written by `netrec confirm`
//   history.jsonl  one line per run of apply or watch (state/history.ts)
// The folder belongs to the namespace itself, not to the name it was reached
// by: it is named by the namespace file's device and inode, and a pending
// record also carries the namespace's cookie and the boot it was made in, so
// a namespace deleted and made again (the kernel reuses inode numbers) never
// gets another one's saved state.
//
// Only trusted files are read (state/trust.ts): the directory and all above
// it owned by root (or the user running netrec) and not writable by others,
// every record opened without following links and checked on its
// descriptor. A record that fails is refused with a warning and never
// restored. One that is corrupt, truncated or of another version is moved
// aside with a warning; nothing is restored from it, nothing deleted.
import { mkdirSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { State } from '../model/types.js';
import { openRawSocket } from '../netlink/socket.js';
import { appendLine, readRecord, writeAtomic } from './files.js';
import { InputError } from './open.js';
import { isHistoryEntry, type HistoryEntry } from './history.js';
import { checkTrustedDir, TrustError, trustedOwners } from './trust.js';

export type { HistoryEntry } from './history.js';

export const DEFAULT_STATE_DIR = '/var/lib/netrec';
/** 3: a link's kind options are one field, `options` (they were a field per kind). */
const VERSION = 3;

export interface ScopeKeys {
  /** Absent in records written before the namespace's settings were managed. */
  namespace?: string[];
  interface: string[];
  address: string[];
  route: string[];
  rule: string[];
  neighbor: string[];
  nexthop: string[];
}

/** Which namespace this is: its file's device and inode, and what tells a later namespace with the same inode apart. */
export interface NamespaceId {
  dev: number;
  ino: number;
  /** SO_NETNS_COOKIE: never reused while the system runs (kernels before 5.14: absent). */
  cookie?: string;
  /** /proc/sys/kernel/random/boot_id: cookies start again at each boot. */
  boot?: string;
}

export interface Pending {
  version: number;
  /** The apply that waits for the confirmation, and its start time (/proc/PID/stat field 22), so a reused pid is not taken for it. */
  pid: number;
  startTime: string;
  ns: NamespaceId;
  created: string;
  /** ms since the epoch after which an unconfirmed change is rolled back. */
  deadline: number;
  configHash: string;
  /** The identities the change touches (what the kernel does by itself included). */
  scope: ScopeKeys;
  /** Those objects before the change, and as the change left them. */
  before: State;
  after: State;
  /** false while `after` is only what the plan predicts (the apply had not finished); true once read back from the kernel. */
  afterRead: boolean;
}

/** The identity of the namespace at `nsPath` (default: our own). */
export function namespaceIdentity(nsPath: string | undefined): NamespaceId {
  const st = statSync(nsPath ?? '/proc/self/ns/net');
  const id: NamespaceId = { dev: st.dev, ino: st.ino };
  try {
    const sock = openRawSocket(nsPath);
    try {
      if (sock.netnsCookie !== undefined) id.cookie = sock.netnsCookie;
    } finally {
      sock.close();
    }
  } catch {
    // not allowed into it (not root): the inode is all we know
  }
  try {
    id.boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // no procfs
  }
  return id;
}

/** The folder name for a namespace. */
export function namespaceKey(id: NamespaceId): string {
  return `ns-${id.dev}-${id.ino}`;
}

/** Whether a saved identity is this namespace (what one side lacks is not held against it). */
export function sameNamespace(saved: NamespaceId, now: NamespaceId): boolean {
  if (saved.dev !== now.dev || saved.ino !== now.ino) return false;
  if (saved.boot && now.boot && saved.boot !== now.boot) return false;
  if (saved.cookie && now.cookie && saved.cookie !== now.cookie) return false;
  return true;
}

/** A process's start time in clock ticks since boot (/proc/PID/stat field 22), or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[22 - 3];
  } catch {
    return undefined;
  }
}

/** Whether the apply that wrote `p` still runs (the same process, not a later one with its pid). */
export function waiterAlive(p: Pending): boolean {
  return processStartTime(p.pid) === p.startTime;
}

export class StateStore {
  readonly dir: string;
  readonly warnings: string[] = [];
  private readonly owners = trustedOwners();

  /**
   * The folder of namespace `ns` under `root`, checked to be trusted (throws
   * TrustError). With `create`, made (0700) when missing.
   */
  constructor(
    root: string,
    readonly ns: NamespaceId,
    opts: { create?: boolean } = {},
  ) {
    this.dir = join(root, namespaceKey(ns));
    checkTrustedDir(root, this.owners);
    if (opts.create) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    checkTrustedDir(this.dir, this.owners);
  }

  private path(name: string): string {
    return join(this.dir, name);
  }

  /** Move a bad file aside so it is kept for a person to look at and not read again. */
  private quarantine(name: string, why: string): void {
    const p = this.path(name);
    const aside = `${p}.corrupt-${Date.now()}`;
    try {
      renameSync(p, aside);
    } catch {
      // leave it
    }
    this.warnings.push(`${p}: ${why}; moved to ${aside}; nothing was restored from it`);
  }

  /** A record's text; a refused or unreadable one is a warning and undefined. */
  private read(name: string): string | undefined {
    try {
      return readRecord(this.path(name), this.owners);
    } catch (e) {
      if (e instanceof TrustError || e instanceof InputError) this.warnings.push(`refused ${e.message}; nothing was restored from it`);
      else this.warnings.push(`cannot read ${this.path(name)}: ${(e as Error).message}`);
      return undefined;
    }
  }

  readPending(): Pending | undefined {
    const text = this.read('pending.json');
    if (text === undefined) return undefined;
    let p: Pending;
    try {
      p = JSON.parse(text) as Pending;
    } catch {
      this.quarantine('pending.json', text.length === 0 ? 'empty file' : 'not valid JSON (truncated or corrupt)');
      return undefined;
    }
    if (p?.version !== VERSION) {
      this.quarantine('pending.json', `unknown version ${JSON.stringify(p?.version)} (this netrec reads ${VERSION})`);
      return undefined;
    }
    const isState = (s: unknown) => s && ['links', 'addresses', 'routes', 'rules', 'neighbors'].every((k) => Array.isArray((s as Record<string, unknown>)[k]));
    const scopeOk = p.scope && ['interface', 'address', 'route', 'rule', 'neighbor'].every((k) => Array.isArray((p.scope as unknown as Record<string, unknown>)[k]));
    if (!isState(p.before) || !isState(p.after) || !scopeOk || typeof p.deadline !== 'number' || typeof p.pid !== 'number' || !p.ns || typeof p.ns.ino !== 'number') {
      this.quarantine('pending.json', 'missing fields');
      return undefined;
    }
    // Saved before nexthop objects were modelled: none then.
    for (const s of [p.before, p.after] as unknown as Record<string, unknown>[]) s.nexthops ??= [];
    (p.scope as unknown as Record<string, unknown>).nexthop ??= [];
    if (!sameNamespace(p.ns, this.ns)) {
      this.quarantine('pending.json', `saved by apply pid ${p.pid} in an earlier namespace that had this inode number (it was deleted; this one was made later)`);
      return undefined;
    }
    return p;
  }

  writePending(p: Omit<Pending, 'version'>): void {
    this.clearConfirmed();
    writeAtomic(this.path('pending.json'), JSON.stringify({ version: VERSION, ...p }));
  }

  clearPending(): void {
    for (const f of ['pending.json', 'confirmed']) {
      try {
        unlinkSync(this.path(f));
      } catch {
        // already gone
      }
    }
  }

  confirm(): void {
    writeAtomic(this.path('confirmed'), `${new Date().toISOString()} pid ${process.pid}\n`);
  }

  isConfirmed(): boolean {
    return this.read('confirmed') !== undefined;
  }

  private clearConfirmed(): void {
    try {
      unlinkSync(this.path('confirmed'));
    } catch {
      // none
    }
  }

  appendHistory(e: HistoryEntry): void {
    appendLine(this.path('history.jsonl'), JSON.stringify(e), this.owners);
  }

  /**
   * History entries, oldest first; a torn or corrupt line is skipped with a
   * warning, and so is valid JSON that is not an entry (a line someone else
   * wrote, or a later netrec's record of another kind).
   */
  readHistory(): HistoryEntry[] {
    const text = this.read('history.jsonl');
    if (!text) return [];
    const out: HistoryEntry[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        this.warnings.push(`${this.path('history.jsonl')}:${i + 1}: unreadable line skipped`);
        return;
      }
      if (isHistoryEntry(v)) out.push(v);
      else this.warnings.push(`${this.path('history.jsonl')}:${i + 1}: not a history entry (valid JSON, but not what netrec writes); skipped`);
    });
    return out;
  }
}
