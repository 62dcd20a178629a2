// Bad and hostile inputs: each case gives the exact problems (LINE:COL:
// message, per file) that loading must report, all at once. Cases marked
// `isolated` run `netrec validate` in a child process with a time
// limit and a heap cap, so that a hang or a blow-up fails the case instead of
// the run.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Problem, type Warning } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { parseLeanYaml } from '../../src/config/yaml.js';
import { configReader } from '../../src/state/access.js';
import { readRecord } from '../../src/state/files.js';
import { namespaceIdentity, StateStore } from '../../src/state/store.js';
import { yaml } from './helpers.js';
import { scratchDir } from '../helpers/scratch.js';

const NETREC = join(dirname(fileURLToPath(import.meta.url)), '../../../bin/netrec.js');
/** Seconds and heap MiB a hostile case may take in its child process. */
const TIME_LIMIT_S = 20;
const HEAP_LIMIT_MB = 256;

type Content = string | Buffer | ((path: string) => void);

interface Case {
  name: string;
  /** Files (and directories, by a function) under a fresh directory; `.` names the directory itself. */
  files: Record<string, Content>;
  /** What to load: names under the directory (default: every file given, in order). */
  load?: string[];
  /** Expected problems as "NAME:LINE:COL: message", NAME relative to the directory. */
  problems: string[];
  /** Expected warnings as "NAME: message". */
  warnings?: string[];
  isolated?: boolean;
  env?: NodeJS.ProcessEnv;
}

const mkfifo = (path: string): void => {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, `mkfifo: ${r.stderr}`);
};

/** An alias bomb under routes: ten levels of nine aliases each (9^10 values). */
function aliasBomb(): string {
  const lines = ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x]'];
  let prev = 'a';
  for (const n of 'bcdefghijk') {
    lines.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    prev = n;
  }
  lines.push('routes:', `  - *${prev}`);
  return yaml(...lines);
}

const DEPTH = 100_000;
const HUGE_KEY = 'k'.repeat(20_000_000);

const cases: Case[] = [
  {
    name: 'YAML duplicate key: named, with both places',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    dev: b') },
    problems: ['a.yaml:5:5: duplicate key "dev" (first at line 4, column 5); a key may appear once in a mapping'],
  },
  {
    name: 'YAML duplicate key in a flow mapping',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, dev: a, to: 10.0.0.0/16 }') },
    problems: ['a.yaml:3:31: duplicate key "to" (first at line 3, column 7); a key may appear once in a mapping'],
  },
  {
    name: 'YAML duplicate top-level key',
    files: { 'a.yaml': yaml('version: 1', 'routes: []', 'version: 1') },
    problems: ['a.yaml:3:1: duplicate key "version" (first at line 1, column 1); a key may appear once in a mapping'],
  },
  {
    name: 'JSON duplicate key: named, with both places',
    files: { 'a.json': '{\n  "version": 1,\n  "routes": [\n    { "to": "10.0.0.0/8", "dev": "a",\n      "dev": "b" }\n  ]\n}\n' },
    problems: ['a.json:5:7: duplicate key "dev" (first at line 4, column 27); a key may appear once in an object'],
  },
  {
    name: 'JSON duplicate key written with an escape',
    files: { 'a.json': '{"version": 1, "\\u0076ersion": 1}\n' },
    problems: ['a.json:1:16: duplicate key "version" (first at line 1, column 2); a key may appear once in an object'],
  },
  {
    name: 'JSON duplicate top-level key among many',
    files: { 'a.json': `{"version": 1, "tables": {${Array.from({ length: 20 }, (_, i) => `"t${i}": ${i + 10}`).join(', ')}, "t3": 99}}\n` },
    problems: ['a.json:1:237: duplicate key "t3" (first at line 1, column 57); a key may appear once in an object'],
  },
  {
    name: 'a second YAML document is reported at its ---',
    files: { 'a.yaml': yaml('version: 1', 'routes: []', '', '# next', '---', 'version: 1') },
    problems: ['a.yaml:5:1: a second YAML document starts here; a config file holds one document (split it into two files)'],
  },
  {
    name: 'a second YAML document after an explicit first ---',
    files: { 'a.yaml': yaml('---', 'version: 1', '---', 'version: 1') },
    problems: ['a.yaml:3:1: a second YAML document starts here; a config file holds one document (split it into two files)'],
  },
  {
    name: 'every problem of every file in one run',
    files: {
      'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    dev: b', '    metrc: 5', '  - to: 10.0.0.300/8', '    dev: a'),
      'b.json': '{"version": 2, "routes": [], "routes": []}\n',
      'c.yaml': yaml('version: 1', 'interfaces:', '  - name: x0', '    kind: dummy', '    mtu: .nan'),
    },
    problems: [
      'a.yaml:5:5: duplicate key "dev" (first at line 4, column 5); a key may appear once in a mapping',
      'a.yaml:6:5: unknown key "metrc"; did you mean "metric"?',
      'a.yaml:7:9: "10.0.0.300/8" is not an IPv4 or IPv6 prefix',
      'b.json:1:13: "version" must be 1 (got 2)',
      'b.json:1:30: duplicate key "routes" (first at line 1, column 16); a key may appear once in an object',
      'c.yaml:5:10: "mtu" must be an integer (got .nan)',
    ],
  },
  {
    name: 'a directory warns about what it skips and reads no subdirectory (40.yaml/ is no EISDIR)',
    files: {
      '10.yaml': yaml('version: 1'),
      '40-d.YAML': yaml('version: 1'),
      'notes.txt': 'x\n',
      '20.yml.bak': 'x\n',
      '.hidden.yaml': 'not: read\n',
      '40.yaml': (p) => mkdirSync(p),
      'sub': (p) => mkdirSync(p),
    },
    load: ['.'],
    problems: [],
    warnings: [
      '20.yml.bak: skipped: not a *.yaml, *.yml or *.json file',
      '40-d.YAML: skipped: only names ending in .yaml, .yml or .json, in lower case, are read',
      '40.yaml: skipped: a subdirectory (subdirectories of a config directory are not read)',
      'notes.txt: skipped: not a *.yaml, *.yml or *.json file',
      'sub: skipped: a subdirectory (subdirectories of a config directory are not read)',
    ],
  },
  {
    name: 'suggestion from iproute2: dst -> to',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - dst: 10.0.0.0/8', '    to: 10.0.0.0/8', '    dev: a') },
    problems: ['a.yaml:3:5: unknown key "dst"; did you mean "to"?'],
  },
  {
    name: 'suggestion from netplan: gateway -> via',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    gateway: 192.0.2.1') },
    problems: ['a.yaml:4:5: unknown key "gateway"; did you mean "via"?'],
  },
  {
    name: 'suggestion from iproute2: prefsrc -> src',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    prefsrc: 192.0.2.1') },
    problems: ['a.yaml:5:5: unknown key "prefsrc"; did you mean "src"?'],
  },
  {
    name: 'suggestion from iproute2: proto -> protocol',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    proto: static') },
    problems: ['a.yaml:5:5: unknown key "proto"; did you mean "protocol"?'],
  },
  {
    name: 'suggestion from iproute2: valid_lft -> valid-lifetime',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: d0', '    kind: dummy', '    addresses:', '      - address: 192.0.2.1/24', '        valid_lft: 60') },
    problems: ['a.yaml:7:9: unknown key "valid_lft"; did you mean "valid-lifetime"?'],
  },
  {
    name: 'suggestion from iproute2: ip rule lookup -> table',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    from: 10.0.0.0/8', '    lookup: main') },
    problems: ['a.yaml:5:5: unknown key "lookup"; did you mean "table"?'],
  },
  {
    name: 'MAC with dashes: refused, with the colon form',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: d0', '    kind: dummy', '    mac: 02-00-00-00-00-01') },
    problems: ['a.yaml:5:10: "mac": write a MAC address with \':\' between the bytes, like "02:00:00:00:00:01" (got "02-00-00-00-00-01")'],
  },
  {
    name: '.inf and -.inf are named, not "null"',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: d0', '    kind: dummy', '    mtu: .inf', '  - name: d1', '    kind: dummy', '    mtu: -.inf') },
    problems: ['a.yaml:5:10: "mtu" must be an integer (got .inf)', 'a.yaml:8:10: "mtu" must be an integer (got -.inf)'],
  },
  {
    name: 'NUL in an interface name (the kernel would cut the name there)',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: "a\\0b"', '    kind: dummy') },
    problems: ['a.yaml:3:11: "name": an interface name is 1..15 bytes without \'/\', \':\', whitespace or control characters (NUL included) (got "a\\u0000b")'],
  },
  {
    name: 'NUL in a route device (JSON)',
    files: { 'a.json': '{"version": 1, "routes": [{"to": "10.0.0.0/8", "dev": "e\\u0000x"}]}\n' },
    problems: ['a.json:1:55: "dev": an interface name is 1..15 bytes without \'/\', \':\', whitespace or control characters (NUL included) (got "e\\u0000x")'],
  },
  {
    name: 'invalid UTF-8 in a name: the file is refused at the byte',
    files: { 'a.yaml': Buffer.concat([Buffer.from('version: 1\ninterfaces:\n  - name: "a'), Buffer.from([0xff]), Buffer.from('"\n    kind: dummy\n  - name: "a'), Buffer.from([0xfe]), Buffer.from('"\n    kind: dummy\n')]) },
    problems: ['a.yaml:3:13: the file is not valid UTF-8 (byte 0xff); names and all text must be UTF-8, as the kernel keeps names as bytes'],
  },
  {
    name: 'an interface name of 8 characters and 16 bytes',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: éééééééé', '    kind: dummy') },
    problems: ['a.yaml:3:11: interface name "éééééééé" is 16 bytes long; the kernel allows 1 to 15'],
  },
  {
    name: 'a FIFO in a config directory is refused with its path, without hanging',
    files: { '10.yaml': yaml('version: 1'), '20.yaml': mkfifo },
    load: ['.'],
    problems: ['20.yaml:1:1: is a FIFO (named pipe), not a regular file; netrec reads only regular files'],
    isolated: true,
  },
  {
    name: 'a FIFO given as the config',
    files: { 'a.yaml': mkfifo },
    problems: ['a.yaml:1:1: is a FIFO (named pipe), not a regular file; netrec reads only regular files'],
    isolated: true,
  },
  {
    name: 'a symlink to /dev/zero is refused, memory stays flat',
    files: { 'zero.yaml': (p) => symlinkSync('/dev/zero', p) },
    problems: ['zero.yaml:1:1: is a character device, not a regular file; netrec reads only regular files'],
    isolated: true,
  },
  {
    name: 'a YAML alias bomb under routes: a located error, fast and small',
    files: { 'a.yaml': aliasBomb() },
    problems: ['a.yaml:7:4: YAML aliases here expand to 597871 values from 68 in the file (at most 100680); write the values out instead'],
    isolated: true,
  },
  {
    name: '100,000 levels of YAML nesting: a located error',
    files: { 'a.yaml': `version: 1\nroutes: ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}\n` },
    problems: ['a.yaml:2:108: nested deeper than 100 levels; a config needs a handful'],
    isolated: true,
  },
  {
    name: '3,000 levels of YAML block nesting: a located error',
    files: { 'a.yaml': `version: 1\nroutes:\n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}x\n` },
    problems: ['a.yaml:102:100: nested deeper than 100 levels; a config needs a handful'],
    isolated: true,
  },
  {
    name: '100,000 levels of JSON nesting: a located error',
    files: { 'a.json': `{"version": 1, "routes": ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}\n` },
    problems: ['a.json:1:125: nested deeper than 100 levels; a config needs a handful'],
    isolated: true,
  },
  {
    name: 'a 20 MB unknown key is not echoed whole',
    files: { 'a.yaml': `version: 1\n${HUGE_KEY}: 1\n` },
    problems: [`a.yaml:2:1: unknown key "${'k'.repeat(40)}...(20000000 characters)"`],
    isolated: true,
  },
  {
    name: 'a 20 MB duplicate key is not echoed whole',
    files: { 'a.json': `{"version": 1, "${HUGE_KEY}": 1, "${HUGE_KEY}": 2}\n` },
    problems: [
      `a.json:1:20000023: duplicate key "${'k'.repeat(40)}...(20000000 characters)" (first at line 1, column 16); a key may appear once in an object`,
      `a.json:1:20000023: unknown key "${'k'.repeat(40)}...(20000000 characters)"`,
    ],
    isolated: true,
  },
  {
    name: 'a file over the per-file limit (NETREC_MAX_CONFIG_FILE_SIZE)',
    files: { 'a.yaml': yaml('version: 1', `# ${'x'.repeat(2000)}`) },
    env: { NETREC_MAX_CONFIG_FILE_SIZE: '1K' },
    problems: ['a.yaml:1:1: the file is over 1 KiB (2 KiB), the limit for one config file; split it, or raise NETREC_MAX_CONFIG_FILE_SIZE'],
    isolated: true,
  },
  {
    name: 'files over the total limit (NETREC_MAX_CONFIG_SIZE)',
    files: { 'a.yaml': yaml('version: 1', `# ${'x'.repeat(600)}`), 'b.yaml': yaml('version: 1', `# ${'x'.repeat(600)}`) },
    env: { NETREC_MAX_CONFIG_SIZE: '1K' },
    problems: ['b.yaml:1:1: the config files together are over 1 KiB with this one, the limit for one load; raise NETREC_MAX_CONFIG_SIZE if that much is meant'],
    isolated: true,
  },
];

/** Make a case's files; returns the directory and the paths to load. */
function materialize(c: Case): { dir: string; paths: string[] } {
  const dir = scratchDir('bad-');
  for (const [name, content] of Object.entries(c.files)) {
    const path = join(dir, name);
    if (typeof content === 'function') content(path);
    else writeFileSync(path, content);
  }
  const names = c.load ?? Object.keys(c.files);
  return { dir, paths: names.map((n) => (n === '.' ? dir : join(dir, n))) };
}

const shownProblem = (dir: string, p: { file: string; line: number; col?: number; column?: number; message: string }): string =>
  `${relative(dir, p.file)}:${p.line}:${p.col ?? p.column}: ${p.message}`;
const shownWarning = (dir: string, w: Warning): string => `${relative(dir, w.file)}: ${w.message}`;

/** Load in this process: the problems and warnings, as the case writes them. */
function loadHere(dir: string, paths: string[]): { problems: string[]; warnings: string[] } {
  const warnings: Warning[] = [];
  let problems: Problem[] = [];
  try {
    loadConfig(paths, { warn: (w) => warnings.push(w) });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    problems = e.problems;
  }
  return { problems: problems.map((p) => shownProblem(dir, p)), warnings: warnings.map((w) => shownWarning(dir, w)) };
}

/** Load in a child process (`netrec validate`) under a time limit and a heap cap; problems and warnings read from stderr. */
function loadIsolated(dir: string, paths: string[], env: NodeJS.ProcessEnv = {}): { problems: string[]; warnings: string[]; ms: number } {
  const t = Date.now();
  const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, NETREC, 'validate', ...paths], {
    encoding: 'utf8',
    timeout: TIME_LIMIT_S * 1000,
    killSignal: 'SIGKILL',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const ms = Date.now() - t;
  assert.equal(r.signal, null, `killed by ${r.signal} after ${ms} ms (a hang or a blow-up); stderr: ${r.stderr?.slice(0, 500)}`);
  assert.doesNotMatch(r.stderr, /internal error|RangeError|heap out of memory/, r.stderr.slice(0, 500));
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const line of r.stderr.split('\n')) {
    const w = /^netrec: warning: (.*?): (.*)$/.exec(line);
    const p = /^(\/[^:]*):(\d+):(\d+): (.*)$/.exec(line);
    if (w) warnings.push(shownWarning(dir, { file: w[1]!, message: w[2]! }));
    else if (p) problems.push(shownProblem(dir, { file: p[1]!, line: Number(p[2]), col: Number(p[3]), message: p[4]! }));
    else assert.match(line, /^$|^netrec: \d+ problems? in the configuration; nothing was changed$/, `an unexpected line: ${line.slice(0, 300)}`);
  }
  assert.equal(r.status, problems.length > 0 ? 1 : 0);
  return { problems, warnings, ms };
}

for (const c of cases) {
  test(`bad input: ${c.name}`, () => {
    const { dir, paths } = materialize(c);
    try {
      const got = c.isolated ? loadIsolated(dir, paths, c.env) : loadHere(dir, paths);
      assert.deepEqual(got.problems, c.problems);
      assert.deepEqual(got.warnings, c.warnings ?? []);
      for (const p of got.problems) assert.ok(p.length < 400, `a message of ${p.length} characters`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('YAML merge keys are read (the docs promise anchors)', () => {
  const { paths } = materialize({
    name: '',
    files: {
      'a.yaml': yaml(
        'version: 1',
        'routes:',
        '  - &uplink',
        '    to: 10.0.0.0/8',
        '    via: 192.0.2.1',
        '    dev: wan0',
        '    metric: 10',
        '  - <<: *uplink',
        '    to: 10.1.0.0/16',
        '  - { <<: *uplink, to: 10.2.0.0/16, metric: 20 }',
      ),
    },
    problems: [],
  });
  const d = loadConfig(paths);
  assert.deepEqual(
    d.state.routes.map((r) => [r.to, r.via, r.dev, r.metric]),
    [
      ['10.0.0.0/8', '192.0.2.1', 'wan0', 10],
      ['10.1.0.0/16', '192.0.2.1', 'wan0', 10],
      ['10.2.0.0/16', '192.0.2.1', 'wan0', 20],
    ],
  );
  // The place of a merged route is its own entry.
  assert.equal(d.state.routes[1]!.source?.line, 8);
});

test('names that differ in their bytes stay different', () => {
  const { paths } = materialize({
    name: '',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: "a\\xff"', '    kind: dummy', '  - name: "a\\xfe"', '    kind: dummy') },
    problems: [],
  });
  const d = loadConfig(paths);
  assert.deepEqual(
    d.state.links.map((l) => Buffer.from(l.name).toString('hex')),
    ['61c3bf', '61c3be'],
  );
});

test('a socket is refused with its path', async () => {
  const dir = scratchDir('bad-');
  const path = join(dir, 'a.yaml');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    assert.deepEqual(loadHere(dir, [path]).problems, ['a.yaml:1:1: is a socket, not a regular file; netrec reads only regular files']);
  } finally {
    server.close();
  }
});

test('state files: a FIFO in place of a record is refused, without hanging', () => {
  const dir = scratchDir('bad-');
  const path = join(dir, 'pending.json');
  mkfifo(path);
  const t = Date.now();
  assert.throws(() => readRecord(path, [process.getuid!()]), /pending\.json: is a FIFO \(named pipe\), not a regular file/);
  assert.ok(Date.now() - t < 5000);
});

test('history: lines of valid JSON that are not entries are skipped with a warning, not a crash', () => {
  const root = scratchDir('bad-');
  const store = new StateStore(root, namespaceIdentity(undefined), { create: true });
  const entry = { time: '2026-01-01T00:00:00.000Z', configHash: 'ab', summary: { create: 1, update: 0, replace: 0, delete: 0 }, result: 'applied', durationMs: 3, messages: 1 };
  const lines = [JSON.stringify(entry), '5', 'null', '"x"', '[]', '{}', JSON.stringify({ ...entry, summary: null }), JSON.stringify({ ...entry, time: 7 }), '{"torn'];
  writeFileSync(join(store.dir, 'history.jsonl'), `${lines.join('\n')}\n`, { mode: 0o600 });
  assert.deepEqual(store.readHistory(), [entry]);
  const file = join(store.dir, 'history.jsonl');
  assert.deepEqual(store.warnings, [
    ...[2, 3, 4, 5, 6, 7, 8].map((n) => `${file}:${n}: not a history entry (valid JSON, but not what netrec writes); skipped`),
    `${file}:9: unreadable line skipped`,
  ]);
});

test('the lean and the full YAML read report the same problems', () => {
  // A "*" in a comment makes the same text go through the full read.
  let compared = 0;
  for (const c of cases) {
    if (c.isolated || c.load) continue;
    const entries = Object.entries(c.files);
    if (!entries.every(([name, content]) => name.endsWith('.yaml') && typeof content === 'string')) continue;
    const lean = materialize(c);
    const full = materialize({ ...c, files: Object.fromEntries(entries.map(([n, t]) => [n, `${t as string}# * read in full\n`])) });
    assert.deepEqual(loadHere(full.dir, full.paths), loadHere(lean.dir, lean.paths), c.name);
    if (entries.every(([n, t]) => parseLeanYaml(n, t as string) !== undefined)) compared++;
  }
  assert.ok(compared >= 8, `only ${compared} cases read lean`);
});

test('the trusted reader of apply and watch refuses a FIFO and a link to /dev/zero as not regular files', () => {
  const dir = scratchDir('bad-');
  symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
  mkfifo(join(dir, 'fifo.yaml'));
  const problems: string[] = [];
  try {
    loadConfig([join(dir, 'fifo.yaml'), join(dir, 'zero.yaml')], configReader(false));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    for (const p of e.problems) problems.push(shownProblem(dir, p));
  }
  assert.deepEqual(problems, [
    'fifo.yaml:1:1: is a FIFO (named pipe), not a regular file; netrec reads only regular files',
    'zero.yaml:1:1: is a character device, not a regular file; netrec reads only regular files',
  ]);
});
