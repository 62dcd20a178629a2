// One writer per network namespace (contract 5.6). An flock(2) on a file named
// after the namespace's inode, so two paths to one namespace share a lock and
// a killed holder never leaves it stale. The file holds the holder's pid and
// command line, so the loser can say who holds it.
import { mkdirSync, readFileSync, statSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadNative } from '../netlink/socket.js';
import { errnoName } from '../netlink/errors.js';
import { UserError } from '../cli/errors.js';

export class LockHeldError extends Error {
  constructor(readonly holder: string, readonly path: string) {
    super(`another netrec is changing this network namespace (${holder}); lock ${path}`);
    this.name = 'LockHeldError';
  }
}

export interface NamespaceLock {
  path: string;
  release(): void;
}

/** Directory for lock files: /run/netrec when writable, else a per-user temp dir. */
function lockDir(): string {
  for (const dir of [process.env.NETREC_RUN_DIR, '/run/netrec', join(process.env.XDG_RUNTIME_DIR ?? tmpdir(), 'netrec')]) {
    if (!dir) continue;
    try {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      return dir;
    } catch {
      // try the next one
    }
  }
  throw new UserError('cannot create a directory for the namespace lock (/run/netrec, or $XDG_RUNTIME_DIR/netrec)', 'run as root or with CAP_NET_ADMIN, or set NETREC_RUN_DIR to a directory you can write');
}

/** `nsPath` is the namespace file (/run/netns/X, /proc/PID/ns/net); undefined: our own. */
export function lockNamespace(nsPath: string | undefined): NamespaceLock {
  const st = statSync(nsPath ?? '/proc/self/ns/net');
  const path = join(lockDir(), `netns-${st.dev}-${st.ino}.lock`);
  const native = loadNative();
  let fd: number;
  try {
    fd = native.lockFile(path);
  } catch (e) {
    const err = e as { errno?: number };
    if (err.errno === 11 /* EWOULDBLOCK */) {
      let holder = 'unknown process';
      try {
        holder = readFileSync(path, 'utf8').trim() || holder;
      } catch {
        // unreadable: keep the generic name
      }
      throw new LockHeldError(holder, path);
    }
    if (typeof err.errno === 'number') {
      const code = errnoName(err.errno);
      const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : code;
      throw new UserError(
        `cannot open the namespace lock ${path}: ${why}`,
        code === 'EACCES' || code === 'EPERM'
          ? `run as root or with CAP_NET_ADMIN; the lock lives in ${dirname(path)} (NETREC_RUN_DIR chooses another directory)`
          : `the lock lives in ${dirname(path)}; NETREC_RUN_DIR chooses another directory`,
      );
    }
    throw e;
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `pid ${process.pid}: ${process.argv.slice(1).join(' ')}\n`, 0);
  let held = true;
  return {
    path,
    release() {
      if (!held) return;
      held = false;
      ftruncateSync(fd, 0);
      native.unlockFile(fd);
    },
  };
}
