// Fingerprints of a config's files: a content hash (history records it; watch
// reloads only when it changes) and a cheap stat signature (watch's polling
// safety net).
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readRegular } from '../state/open.js';
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
