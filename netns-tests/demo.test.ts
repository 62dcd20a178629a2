// The first run: `sudo npm run demo` in a clone owned by a normal user. npm
// runs the script as root; netrec, as root, applies only configs nobody but
// root could have written, which a user's clone is not. The demo must still
// work (it copies its config into a directory of root's own).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chownSync, cpSync, existsSync, lchownSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './helpers/netns.js';

const USER = 1000;

/** Root of the initial user namespace: files can be given to uid 1000, a real other user. */
function canChown(): boolean {
  if (readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') !== '0 0 4294967295') return false;
  return process.getuid?.() === 0;
}

describe('the demo', { skip: canChown() ? false : 'needs root in the initial user namespace (a clone owned by uid 1000)' }, () => {
  it('runs as root from a clone owned by a normal user, and leaves nothing behind', () => {
    const clone = mkdtempSync(join(tmpdir(), 'netrec-clone-'));
    try {
      // The clone as the user has it: sources and examples of theirs; the build
      // (dist, the addon, node_modules) is the one of this tree, linked.
      for (const d of ['bin', 'examples', 'scripts', 'package.json']) cpSync(join(ROOT, d), join(clone, d), { recursive: true });
      for (const d of ['dist', 'build', 'node_modules']) symlinkSync(join(ROOT, d), join(clone, d));
      const own = (p: string): void => {
        lchownSync(p, USER, USER);
        for (const e of readdirSync(p, { withFileTypes: true })) {
          const q = join(p, e.name);
          if (e.isDirectory()) own(q);
          else lchownSync(q, USER, USER);
        }
      };
      own(clone);
      chownSync(clone, USER, USER);
      const tmpBefore = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('netrec-demo.')));
      const r = spawnSync('bash', [join(clone, 'scripts/demo.sh')], { cwd: clone, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1' } });
      const out = `${r.stdout}${r.stderr}`;
      assert.equal(r.status, 0, out);
      assert.doesNotMatch(out, /refusing config/);
      assert.match(out, /^Applied: \d+ created/m, 'the first apply made the changes');
      assert.match(out, /apply again: nothing left to do\S*\nNo changes\./, 'the second apply found nothing to do (the plan is empty)');
      assert.match(out, /default via 198\.51\.100\.1 dev wan0/, 'ip sees the applied routes');
      const ns = /the namespace (netrec-demo-\d+) is deleted now/.exec(out)?.[1];
      assert.ok(ns, out);
      assert.ok(!existsSync(`/run/netns/${ns}`), `${ns} is deleted`);
      const left = readdirSync(tmpdir()).filter((n) => n.startsWith('netrec-demo.') && !tmpBefore.has(n));
      assert.deepEqual(left, [], 'its temp directory is removed');
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  });
});
