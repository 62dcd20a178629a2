// Scratch directories for unit tests: each under one directory of this test
// process, which goes when the process exits, whatever the tests did. So a
// test that writes files needs no cleanup of its own and leaves nothing in
// the system's temporary directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = mkdtempSync(join(tmpdir(), 'netrec-unit-'));
process.once('exit', () => rmSync(ROOT, { recursive: true, force: true }));

/** A fresh directory, removed with the process's scratch root. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(ROOT, prefix));
}
