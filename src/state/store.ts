// netrec's state directory, one folder per network namespace:
//   pending.json   the prior state of an apply awaiting confirmation
//   confirmed      written by `netrec confirm`
//   history.jsonl  one line per apply
// Every file is versioned; one that is corrupt, truncated or of another
// version gives a clear warning and a safe default (nothing is restored,
// nothing is deleted), never a crash.
import { existsSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { State } from '../model/types.js';
import { appendLine, readIfExists, writeAtomic } from './files.js';

export const DEFAULT_STATE_DIR = '/var/lib/netrec';
const VERSION = 1;

export interface ScopeKeys {
  interface: string[];
  address: string[];
  route: string[];
  rule: string[];
  neighbor: string[];
}

export interface Pending {
  version: number;
  pid: number;
  created: string;
  /** ms since the epoch after which an unconfirmed change is rolled back. */
  deadline: number;
  configHash: string;
  /** The state before the apply, and which identities the apply may touch. */
  before: State;
  scope: ScopeKeys;
}

export interface HistoryEntry {
  time: string;
  configHash: string;
  summary: { create: number; update: number; replace: number; delete: number };
  result: string;
  durationMs: number;
  messages: number;
  confirm?: 'confirmed' | 'rolled-back' | 'pending';
}

/** The folder name for a namespace: its name, or its inode for paths and our own. */
export function namespaceKey(ns: string | undefined): string {
  if (ns && !ns.includes('/')) return `netns-${ns}`;
  const st = statSync(ns ?? '/proc/self/ns/net');
  return `ino-${st.ino}`;
}

export class StateStore {
  readonly dir: string;
  readonly warnings: string[] = [];
  constructor(root: string, nsKey: string) {
    this.dir = join(root, nsKey);
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

  readPending(): Pending | undefined {
    let text: string | undefined;
    try {
      text = readIfExists(this.path('pending.json'));
    } catch (e) {
      this.warnings.push(`cannot read ${this.path('pending.json')}: ${(e as Error).message}`);
      return undefined;
    }
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
    const s = p.before;
    const lists = s && ['links', 'addresses', 'routes', 'rules', 'neighbors'].every((k) => Array.isArray((s as unknown as Record<string, unknown>)[k]));
    const scopeOk = p.scope && ['interface', 'address', 'route', 'rule', 'neighbor'].every((k) => Array.isArray((p.scope as unknown as Record<string, unknown>)[k]));
    if (!lists || !scopeOk || typeof p.deadline !== 'number') {
      this.quarantine('pending.json', 'missing fields');
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
    return existsSync(this.path('confirmed'));
  }

  private clearConfirmed(): void {
    try {
      unlinkSync(this.path('confirmed'));
    } catch {
      // none
    }
  }

  appendHistory(e: HistoryEntry): void {
    appendLine(this.path('history.jsonl'), JSON.stringify(e));
  }

  /** History entries, oldest first; a torn or corrupt line is skipped with a warning. */
  readHistory(): HistoryEntry[] {
    const text = readIfExists(this.path('history.jsonl'));
    if (!text) return [];
    const out: HistoryEntry[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push(JSON.parse(line) as HistoryEntry);
      } catch {
        this.warnings.push(`${this.path('history.jsonl')}:${i + 1}: unreadable line skipped`);
      }
    });
    return out;
  }
}
