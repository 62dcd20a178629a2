// Opening the files netrec reads (configs, snapshots, its own records): only
// regular files, and not more than a limit. The file is opened without
// blocking (a FIFO put in a config directory must not hang a run), checked
// with fstat on the descriptor, and read from that descriptor up to the
// limit (a symlink to /dev/zero, or a file that keeps growing, must not
// fill the memory).
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

const MiB = 1024 * 1024;

/** The per-file and total limits on config bytes, from the environment (read on each call). */
export interface SizeLimits {
  file: number;
  total: number;
}

export const DEFAULT_MAX_FILE_SIZE = 256 * MiB;
export const DEFAULT_MAX_TOTAL_SIZE = 1024 * MiB;

export function sizeLimits(env: NodeJS.ProcessEnv = process.env): SizeLimits {
  return {
    file: byteCount(env.NETREC_MAX_CONFIG_FILE_SIZE, DEFAULT_MAX_FILE_SIZE),
    total: byteCount(env.NETREC_MAX_CONFIG_SIZE, DEFAULT_MAX_TOTAL_SIZE),
  };
}

/** "1048576", "300M", "300MiB", "2G": a byte count; anything else is the default. */
function byteCount(text: string | undefined, fallback: number): number {
  const m = text === undefined ? null : /^\s*(\d+)\s*([KMG]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return fallback;
  const unit = { '': 1, K: 1024, M: MiB, G: 1024 * MiB }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * unit;
}

/** "256 MiB", "1.5 GiB", "900 bytes". */
export function showBytes(n: number): string {
  if (n >= 1024 * MiB) return `${+(n / (1024 * MiB)).toFixed(1)} GiB`;
  if (n >= MiB) return `${+(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/** A file netrec will not read: `why` says what it is, `fix` how to go on. */
export class InputError extends Error {
  constructor(
    readonly path: string,
    readonly why: string,
    readonly fix: string,
  ) {
    super(`${path}: ${why}; ${fix}`);
    this.name = 'InputError';
  }
}

/** A file over the size limit it was read with. */
export class TooLargeError extends InputError {
  constructor(
    path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(path, `is larger than ${showBytes(limit)}`, 'split it, or raise the limit');
    this.name = 'TooLargeError';
  }
}

/** What a file that is not a regular one is, in words. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symlink';
  return 'not a regular file';
}

/** The refusal of a file that is not a regular one (`st` describes it). */
export function notRegularFile(path: string, st: Stats): InputError {
  return notRegular(path, kindOf(st));
}

function notRegular(path: string, kind: string): InputError {
  return new InputError(path, `is ${kind}, not a regular file`, 'netrec reads only regular files');
}

/**
 * Open `path` for reading (with extra `flags`, e.g. O_NOFOLLOW) without
 * blocking, and make sure it is a regular file; `shown` names it in errors.
 * The caller reads from the descriptor (readOpened) and closes it.
 */
export function openRegular(path: string, flags = 0, shown = path): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | flags);
  } catch (e) {
    // A socket cannot be opened at all (ENXIO); say what it is.
    if ((e as NodeJS.ErrnoException).code === 'ENXIO') {
      let kind = 'a socket or a device with nothing behind it';
      try {
        kind = kindOf(statSync(path));
      } catch {
        // as above
      }
      throw notRegular(shown, kind);
    }
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw notRegular(shown, kindOf(st));
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/** The bytes of an opened regular file, at most `limit` of them (else TooLargeError). */
export function readOpened(fd: number, shown: string, limit: number): Buffer {
  const size = fstatSync(fd).size;
  if (size > limit) throw new TooLargeError(shown, size, limit);
  // Read to the end, whatever the size said: the file may have grown (or be in /proc).
  let buf = Buffer.allocUnsafe(Math.max(size, 4096) + 1);
  let n = 0;
  for (;;) {
    if (n === buf.length) {
      if (n > limit) throw new TooLargeError(shown, n, limit);
      const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limit + 1));
      buf.copy(bigger, 0, 0, n);
      buf = bigger;
    }
    const got = readSync(fd, buf, n, buf.length - n, null);
    if (got === 0) break;
    n += got;
  }
  if (n > limit) throw new TooLargeError(shown, n, limit);
  return buf.subarray(0, n);
}

/** A regular file's bytes, at most `limit` (default: the config file limit). */
export function readRegular(path: string, limit = sizeLimits().file, flags = 0): Buffer {
  const fd = openRegular(path, flags);
  try {
    return readOpened(fd, path, limit);
  } finally {
    closeSync(fd);
  }
}
