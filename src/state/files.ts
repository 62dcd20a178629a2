// Small durable files in a trusted directory: written to a temp file,
// fsynced, renamed over the old one, so a crash leaves either the old content
// or the new, never half. Nothing here follows a symlink, and every record is
// read from the descriptor whose owner and mode were checked.
import { closeSync, constants, fstatSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { openRegular, readOpened, sizeLimits } from './open.js';
import { TrustError } from './trust.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_APPEND, O_NOFOLLOW } = constants;

/** Write `path` atomically; its directory must already be a trusted one. */
export function writeAtomic(path: string, data: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    unlinkSync(tmp); // a leftover of an earlier process with our pid
  } catch {
    // none
  }
  const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  // Make the rename itself durable.
  const dfd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

/** The problem with a record's opened descriptor: not a plain file of ours. */
function recordProblem(path: string, fd: number, owners: number[]): TrustError | undefined {
  const st = fstatSync(fd);
  if (!st.isFile()) return new TrustError(path, 'not a regular file', 'remove it');
  if (!owners.includes(st.uid)) return new TrustError(path, `owned by uid ${st.uid}, not ${owners.length === 1 ? 'root' : `root or uid ${owners.slice(1).join(' or ')}`}`, 'remove it (netrec never wrote it)');
  if (st.mode & 0o022) return new TrustError(path, `writable by others (mode ${(st.mode & 0o777).toString(8)})`, 'remove it (netrec writes its records 0600)');
  return undefined;
}

/** Append one line, durably (history is append-only; a torn last line is skipped on read). */
export function appendLine(path: string, line: string, owners: number[]): void {
  const fd = openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0o600);
  try {
    const problem = recordProblem(path, fd, owners);
    if (problem) throw problem;
    writeSync(fd, line.endsWith('\n') ? line : line + '\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * A record's text, read from the descriptor that was checked; undefined when
 * there is none. Throws TrustError for a record netrec cannot have written (a
 * symlink, another owner, writable by others).
 */
export function readRecord(path: string, owners: number[]): string | undefined {
  let fd: number;
  try {
    fd = openRegular(path, O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new TrustError(path, 'is a symlink', 'remove it (netrec never writes one)');
    throw e;
  }
  try {
    const problem = recordProblem(path, fd, owners);
    if (problem) throw problem;
    return readOpened(fd, path, sizeLimits().file).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
