// Config files to watch, robust to editors' atomic saves (temp + rename),
// deletion and re-creation, and Kubernetes ConfigMap updates (the ..data
// symlink swap): watch the directories, treat any event as "look again",
// and let the content hash decide whether anything changed.
import { watch, type FSWatcher } from 'chokidar';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { configFilePaths } from '../config/load.js';
import { dirname, resolve } from 'node:path';

/** Directories whose events matter for these configs. */
export function watchedDirs(configs: string[]): string[] {
  const dirs = new Set<string>();
  for (const c of configs) {
    const p = resolve(c);
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      // missing now: watch where it will appear
    }
    dirs.add(isDir ? p : dirname(p));
  }
  return [...dirs];
}

/** A hash of every config file's bytes (following symlinks), to skip no-op reloads. */
export function configHash(configs: string[]): string {
  const h = createHash('sha256');
  for (const f of configFilePaths(configs)) {
    h.update(f + '\n');
    try {
      h.update(readFileSync(f));
    } catch {
      h.update('unreadable\n');
    }
  }
  return h.digest('hex');
}

export function watchConfigs(configs: string[], onChange: () => void): FSWatcher {
  const w = watch(watchedDirs(configs), { depth: 0, ignoreInitial: true, followSymlinks: false, awaitWriteFinish: false });
  w.on('all', () => onChange());
  return w;
}

/** A cheap fingerprint (inode, size, mtime of every config file, symlinks followed) for the polling safety net. */
export function configSignature(configs: string[]): string {
  return configFilePaths(configs)
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
