// `npm test`: unit tests always; the kernel tests (netns-tests/) when we can
// make network namespaces: as root directly, otherwise inside an unprivileged
// user+network+mount namespace (`unshare -Urnm`) when the host allows it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The *.test.js files under a directory. Given a directory, node's runner
 * also runs every other .js file below a `test` folder (helpers, fixtures)
 * and counts each as a passing test; naming the files keeps counts honest.
 */
function testFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => join(dir, f));
}

// --unit: only the unit tests; --netns: only the kernel tests; default both.
const unitOnly = process.argv.includes('--unit');
const netnsOnly = process.argv.includes('--netns');
const suites = netnsOnly ? [] : ['dist/test/'];
const isRoot = process.getuid?.() === 0;
let prefix = [];
if (!unitOnly && existsSync('dist/netns-tests')) {
  if (isRoot) suites.push('dist/netns-tests/');
  else {
    const probe = spawnSync('unshare', ['-Urnm', 'true']);
    if (probe.status === 0) {
      // As root of a new user namespace, with a private /run for `ip netns add`.
      prefix = ['unshare', '-Urnm', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs tmpfs /run && exec "$0" "$@"'];
      suites.push('dist/netns-tests/');
    } else {
      process.stderr.write('netns-tests NOT RUN: not root and unprivileged user namespaces are not available (run `sudo npm test`)\n');
    }
  }
}
const args = ['--test', '--test-concurrency=1', '--test-reporter=spec', ...suites.flatMap(testFiles)];
const cmd = prefix.length ? prefix[0] : process.execPath;
const cmdArgs = prefix.length ? [...prefix.slice(1), process.execPath, ...args] : args;
const r = spawnSync(cmd, cmdArgs, { stdio: 'inherit', env: { ...process.env, NETREC_TEST_UNPRIVILEGED: isRoot ? '' : '1' } });
process.exit(r.status ?? 1);
