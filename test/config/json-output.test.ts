// `validate -o json` and `plan -o json`: config problems on stdout as JSON
// (file, line, column, message) for CI annotations, warnings with them, exit 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { writeFixtures, yaml } from './helpers.js';

const NETREC = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/netrec.js');

function netrec(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [NETREC, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A config directory with two broken files and one file it skips. */
function brokenDir(): { dir: string; a: string; b: string } {
  const { dir, paths } = writeFixtures({
    'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    dev: b', '    gateway: 192.0.2.1'),
    'b.json': '{"version": 1, "interfaces": [{"name": "d0", "kind": "dummy", "mac": "02-00-00-00-00-01"}]}\n',
    'c.YML': yaml('version: 1'),
  });
  return { dir, a: paths[0]!, b: paths[1]! };
}

function expectedErrors(a: string, b: string): unknown {
  return {
    valid: false,
    errors: [
      { file: a, line: 5, column: 5, message: 'duplicate key "dev" (first at line 4, column 5); a key may appear once in a mapping' },
      { file: a, line: 6, column: 5, message: 'unknown key "gateway"; did you mean "via"?' },
      { file: b, line: 1, column: 70, message: '"mac": write a MAC address with \':\' between the bytes, like "02:00:00:00:00:01" (got "02-00-00-00-00-01")' },
    ],
    warnings: [],
  };
}

test('validate -o json: every problem on stdout as JSON, the skipped file as a warning, exit 1', () => {
  const { dir, a, b } = brokenDir();
  const r = netrec(['validate', '-o', 'json', dir]);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as { warnings: unknown[] };
  assert.deepEqual(out, {
    ...(expectedErrors(a, b) as object),
    warnings: [{ file: join(dir, 'c.YML'), message: 'skipped: only names ending in .yaml, .yml or .json, in lower case, are read' }],
  });
  // The warning also goes to stderr; nothing else does.
  assert.equal(r.stderr, `netrec: warning: ${join(dir, 'c.YML')}: skipped: only names ending in .yaml, .yml or .json, in lower case, are read\n`);
});

test('validate -o json: a valid config', () => {
  const { dir, paths } = writeFixtures({ 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: d0', '    kind: dummy') });
  const r = netrec(['validate', '-o', 'json', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    valid: true,
    errors: [],
    warnings: [],
    files: paths,
    counts: { interfaces: 1, addresses: 0, routes: 0, rules: 0, neighbors: 0, nexthops: 0 },
  });
  assert.equal(r.stderr, '');
});

test('validate -v lists the files read, in order, also when they are broken', () => {
  const { dir, paths } = writeFixtures({ 'b.yaml': yaml('version: 1'), 'a.yaml': yaml('version: 1') });
  const ok = netrec(['validate', '-v', dir]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, `read ${paths[1]}\nread ${paths[0]}\n2 files valid: 0 interfaces, 0 addresses, 0 routes, 0 rules, 0 neighbors\n`);
  const { dir: bad, a, b } = brokenDir();
  const r = netrec(['validate', '-v', bad]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `read ${a}\nread ${b}\n`);
  assert.match(r.stderr, /^netrec: warning: .*c\.YML: skipped/m);
  assert.match(r.stderr, /3 problems in the configuration; nothing was changed/);
});

test('plan -o json: config problems on stdout as JSON, exit 1', () => {
  const { a, b } = brokenDir();
  const { paths } = writeFixtures({ 'state.json': '{"version": 1}\n' });
  const r = netrec(['plan', '-o', 'json', '--from-state', paths[0]!, a, b]);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), expectedErrors(a, b));
  assert.equal(r.stderr, '');
});

test('plan -o json: a reference problem found against the state is JSON too', () => {
  const { paths } = writeFixtures({ 'state.json': '{"version": 1}\n', 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: nope0') });
  const r = netrec(['plan', '-o', 'json', '--from-state', paths[0]!, paths[1]!]);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    valid: false,
    errors: [{ file: paths[1], line: 3, column: 5, message: 'route dev "nope0" is neither declared nor present' }],
    warnings: [],
  });
});

test('plan -o text: config problems stay on stderr', () => {
  const { a, b } = brokenDir();
  const { paths } = writeFixtures({ 'state.json': '{"version": 1}\n' });
  const r = netrec(['plan', '--from-state', paths[0]!, a, b]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /a\.yaml:5:5: duplicate key "dev"/);
});
