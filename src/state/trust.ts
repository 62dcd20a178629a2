// Trusted files (as sshd's StrictModes, but checked on what is actually
// read). netrec writes the network as root: a config, or a saved state, that
// another user could have written is a way to take over the host's network.
//
// A path is trusted when every directory from / down to the file's real
// location, every symlink on the way (and each link's own directories), and
// the file itself are owned by root (or by the user running netrec) and not
// writable by group or others. A sticky directory (/tmp) may be writable by
// all: others can add entries there but not replace ours, so only the entry's
// owner counts. The file is then opened once, checked with fstat on that
// descriptor and read from it: what was checked is what is read, with no gap
// between the two for someone to swap the file in.
import { closeSync, constants, fstatSync, lstatSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { resolve } from 'node:path';
import { notRegularFile, openRegular, readOpened, sizeLimits } from './open.js';

/** A path that fails the check: `message` is one line saying what and how to fix it. */
export class TrustError extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
    readonly fix: string,
  ) {
    super(`${path}: ${why}; ${fix}`);
    this.name = 'TrustError';
  }
}

/**
 * Owners that may have written a trusted file: root, and the user running
 * netrec. In a user namespace that does not map the host's root (an
 * unprivileged `unshare -Ur`), files of unmapped users, the host's root
 * among them, show as the overflow uid and cannot be told apart: they count
 * as root's there, where netrec can only change what that user owns anyway.
 */
export function trustedOwners(): number[] {
  const uid = process.getuid?.() ?? 0;
  const owners = uid === 0 ? [0] : [0, uid];
  const overflow = unmappedOwner();
  if (overflow !== undefined && !owners.includes(overflow)) owners.push(overflow);
  return owners;
}

/** The overflow uid, when this process runs in a user namespace that does not map every uid. */
function unmappedOwner(): number | undefined {
  try {
    const map = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/);
    if (map.length === 3 && map[0] === '0' && map[1] === '0' && map[2] === '4294967295') return undefined;
    return Number(readFileSync('/proc/sys/kernel/overflowuid', 'utf8').trim());
  } catch {
    return undefined;
  }
}

function ownerName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid)) return `uid ${uid} (${f[0]})`;
    }
  } catch {
    // no passwd: the number says it
  }
  return `uid ${uid}`;
}

function whoMayWrite(owners: number[]): string {
  return owners.length === 1 ? 'root' : `root or uid ${owners.slice(1).join(' or ')}`;
}

/** The problem with one entry on the way (directory, symlink or the file), if any. */
function checkEntry(path: string, st: Stats, owners: number[], what: string): TrustError | undefined {
  const chownTo = owners.length === 1 ? 'root:root' : String(owners[1]);
  if (!owners.includes(st.uid)) {
    // The owner is the problem: chmod cannot fix that. Say so, and what the mode needs as well.
    const alsoMode = !st.isSymbolicLink() && !(st.isDirectory() && st.mode & 0o1000) && st.mode & 0o022 ? ` && chmod go-w ${path}` : '';
    return new TrustError(
      path,
      `${what} owned by ${ownerName(st.uid)}, not ${whoMayWrite(owners)}`,
      `fix: chown ${st.isSymbolicLink() ? '-h ' : ''}${chownTo} ${path}${alsoMode} (the owner is the problem: chmod cannot fix it)`,
    );
  }
  if (st.isSymbolicLink()) return undefined; // a link's own mode means nothing
  if (st.isDirectory() && st.mode & 0o1000) return undefined; // sticky: entries are checked by owner
  const w = st.mode & 0o022;
  if (w) {
    const by = w === 0o022 ? 'group and others' : w & 0o020 ? 'group' : 'others';
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    return new TrustError(path, `${what} writable by ${by} (mode ${mode})`, `fix: chmod go-w ${path}`);
  }
  return undefined;
}

const MAX_LINKS = 40; // as the kernel's own limit on nested symlinks

export interface Resolved {
  /** The real path: no symlink in it. */
  real: string;
  /** lstat of the real path; undefined when it does not exist. */
  st?: Stats;
}

/**
 * Follow `path` from / as the kernel would, checking every directory and
 * symlink on the way; `what` names the final entry in messages. Throws
 * TrustError at the first problem. A missing final entry is not a problem
 * here (st is undefined); a missing directory on the way is reported as
 * missing by whoever opens the path.
 */
export function resolveTrusted(path: string, owners = trustedOwners(), what = 'file'): Resolved {
  const todo = resolve(path).split('/').filter(Boolean);
  let cur = '/';
  const check = (p: string, st: Stats, kind: string): void => {
    const problem = checkEntry(p, st, owners, kind);
    if (problem) throw problem;
  };
  check('/', lstatSync('/'), 'directory');
  let links = 0;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      // `cur` has no symlinks in it, so its parent is the real parent (checked already).
      cur = cur === '/' ? '/' : cur.slice(0, cur.lastIndexOf('/')) || '/';
      continue;
    }
    const next = cur === '/' ? `/${name}` : `${cur}/${name}`;
    let st: Stats;
    try {
      st = lstatSync(next);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { real: [next, ...todo].join('/') };
      throw e;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new TrustError(path, 'too many levels of symbolic links', 'fix: point it at the file directly');
      check(next, st, 'symlink');
      const target = readlinkSync(next);
      todo.unshift(...target.split('/').filter(Boolean));
      if (target.startsWith('/')) cur = '/';
      continue;
    }
    const last = todo.length === 0;
    // A device, FIFO or socket is refused as such (its own mode would only confuse the message).
    if (last && what === 'file' && !st.isFile() && !st.isDirectory()) throw notRegularFile(path, st);
    check(next, st, st.isDirectory() ? (last && what === 'directory' ? what : 'directory') : what);
    cur = next;
    if (last) return { real: cur, st };
  }
  return { real: cur, st: lstatSync(cur) };
}

/**
 * Open `path` for reading, trusted: its directories and links checked, then
 * the opened descriptor itself (fstat), which must be the very file that was
 * checked. The caller reads from the returned fd and closes it.
 */
export function openTrusted(path: string, owners = trustedOwners(), what = 'file'): number {
  const { real, st } = resolveTrusted(path, owners, what);
  // No symlink left to follow; not blocking, so that a FIFO planted there cannot hang us (it is refused).
  const fd = openRegular(real, constants.O_NOFOLLOW, real === resolve(path) ? path : `${path} (really ${real})`);
  try {
    const fst = fstatSync(fd);
    const problem = checkEntry(real === resolve(path) ? path : `${path} (really ${real})`, fst, owners, what);
    if (problem) throw problem;
    if (!st || st.dev !== fst.dev || st.ino !== fst.ino) {
      throw new TrustError(path, 'was replaced while it was being checked', 'nothing was read from it; if this repeats, find out who is replacing it');
    }
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The content of a trusted file, read from the descriptor that was checked, at most `limit` bytes. */
export function readTrusted(path: string, owners = trustedOwners(), limit = sizeLimits().file): Buffer {
  const fd = openTrusted(path, owners, 'file');
  try {
    return readOpened(fd, path, limit);
  } finally {
    closeSync(fd);
  }
}

/** Check a directory that netrec keeps its own files in (and everything above it). */
export function checkTrustedDir(path: string, owners = trustedOwners()): Resolved {
  const r = resolveTrusted(path, owners, 'directory');
  if (r.st && !r.st.isDirectory()) throw new TrustError(path, 'is not a directory', 'fix: remove it or choose another directory');
  return r;
}
