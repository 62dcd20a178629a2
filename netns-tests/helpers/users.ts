// A real unprivileged user for tests that run netrec as one.
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';

export const NOBODY = 65534;

/** Root of the initial user namespace, so that uid 65534 is a real other user (not so under `unshare -Ur`, where it is every unmapped user). */
export function realNobody(): boolean {
  if (readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') !== '0 0 4294967295') return false;
  const d = mkdtempSync('/tmp/netrec-probe-');
  try {
    chownSync(d, NOBODY, NOBODY);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}
