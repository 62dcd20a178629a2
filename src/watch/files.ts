// Config files to watch, robust to editors' atomic saves (temp + rename),
// deletion and re-creation, and Kubernetes ConfigMap updates (the ..data
// symlink swap): watch the directories, treat any event as "look again",
// and let the content hash (config/fingerprint.ts) decide.
import { watch, type FSWatcher } from 'chokidar';
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fleetDirs, isFleetDir } from '../config/fleet.js';

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
    // A fleet's files are one level down, in its layer directories.
    if (isDir && isFleetDir(p)) for (const d of fleetDirs(p)) dirs.add(d);
  }
  return [...dirs];
}

export function watchConfigs(configs: string[], onChange: () => void): FSWatcher {
  const w = watch(watchedDirs(configs), { depth: 0, ignoreInitial: true, followSymlinks: false, awaitWriteFinish: false });
  w.on('all', () => onChange());
  return w;
}
