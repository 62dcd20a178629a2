// Fingerprints of a config's files: a content hash (history records it; watch
// reloads only when it changes) and a cheap stat signature (watch's polling
// safety net).
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { configFilePaths } from './load.js';

/** A hash of every config file's bytes (following symlinks), to skip no-op reloads; of a fleet, the files of `host`'s view. */
export function configHash(configs: string[], host?: string): string {
  const h = createHash('sha256');
  for (const f of configFilePaths(configs, host)) {
    h.update(f + '\n');
    try {
      h.update(readRegular(f));
    } catch {
      h.update('unreadable\n');
    }
  }
  return h.digest('hex');
}

/** A regular file's bytes; anything else (a FIFO or device put in its place) is not read, so it cannot block. */
function readRegular(f: string): Buffer {
  const fd = openSync(f, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new Error('not a regular file');
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A cheap fingerprint (inode, size, mtime of every config file, symlinks followed) for the polling safety net. */
export function configSignature(configs: string[], host?: string): string {
  return configFilePaths(configs, host)
    .map((f) => {
      try {
        const st = statSync(f);
        return `${f} ${st.ino} ${st.size} ${st.mtimeMs}`;
      } catch {
        return `missing ${f}`;
      }
    })
    .join('\n');
}
