// Trusted config (as sshd's StrictModes): when netrec runs as root, a config
// that a non-root user could have written is a way to take over the host's
// network. Refuse files and directories writable by group or others, or
// owned by another non-root user.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { configFilePaths } from '../config/load.js';

export interface TrustProblem {
  path: string;
  why: string;
}

function check(path: string, out: TrustProblem[]): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return; // missing files are reported by the loader
  }
  if (st.uid !== 0 && st.uid !== process.getuid?.()) out.push({ path, why: `owned by uid ${st.uid}, not root` });
  // A sticky directory (/tmp) lets others add files but not replace ours.
  if (st.isDirectory() && st.mode & 0o1000) return;
  if (st.mode & 0o022) out.push({ path, why: `writable by ${st.mode & 0o020 ? 'group' : ''}${(st.mode & 0o022) === 0o022 ? ' and ' : ''}${st.mode & 0o002 ? 'others' : ''} (mode ${(st.mode & 0o777).toString(8)})` });
}

/** Problems with the configs' files and the directories holding them; empty when not root. */
export function untrustedConfigs(configs: string[]): TrustProblem[] {
  if (process.getuid?.() !== 0) return [];
  const out: TrustProblem[] = [];
  const dirs = new Set(configFilePaths(configs).map((f) => dirname(f)));
  for (const d of dirs) check(d, out);
  for (const f of configFilePaths(configs)) check(f, out);
  return out;
}
