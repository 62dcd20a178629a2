// examples/netrec-watch.service: a unit systemd accepts, that starts netrec
// the way npm installs it, says when the network is up (Type=notify, READY
// after convergence) and is ordered accordingly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../src/cli/main.js';
import { scratchDir } from '../helpers/scratch.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const UNIT = join(ROOT, 'examples/netrec-watch.service');
const text = readFileSync(UNIT, 'utf8');

type Unit = Map<string, Map<string, string[]>>;

/** systemd.syntax(7): [Section] headers, Key=Value lines (a key may repeat), # and ; comments, backslash continuations. */
function parseUnit(src: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  const lines = src.replace(/\\\n/g, ' ').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) return;
    const head = /^\[([A-Za-z]+)\]$/.exec(line);
    if (head) {
      assert.ok(!unit.has(head[1]!), `section [${head[1]}] twice`);
      unit.set(head[1]!, (section = new Map()));
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*)$/.exec(line);
    assert.ok(kv, `line ${i + 1} is not Key=Value: ${raw}`);
    assert.ok(section, `line ${i + 1} is outside a section`);
    section.set(kv[1]!, [...(section.get(kv[1]!) ?? []), kv[2]!]);
  });
  return unit;
}

const unit = parseUnit(text);
const get = (s: string, k: string): string[] => unit.get(s)?.get(k) ?? [];
const one = (s: string, k: string): string => {
  const v = get(s, k);
  assert.equal(v.length, 1, `[${s}] ${k}= once (${v.length})`);
  return v[0]!;
};
const words = (s: string, k: string): string[] => get(s, k).flatMap((v) => v.split(/\s+/).filter(Boolean));

describe('examples/netrec-watch.service', () => {
  it('has the three sections and nothing else', () => {
    assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
  });

  it('is Type=notify with the main process as the only sender and a watchdog', () => {
    assert.equal(one('Service', 'Type'), 'notify');
    assert.equal(one('Service', 'NotifyAccess'), 'main');
    const wd = /^(\d+)(s|min)$/.exec(one('Service', 'WatchdogSec'));
    assert.ok(wd && Number(wd[1]) > 0, 'WatchdogSec is a positive duration');
    assert.match(one('Service', 'Restart'), /^(on-failure|on-watchdog|on-abnormal|always)$/, 'a missed watchdog restarts netrec');
    assert.ok(get('Service', 'TimeoutStartSec').length === 1, 'how long the first convergence may hold network.target is stated');
  });

  it('is ordered before network.target (ready means converged), after network-pre.target', () => {
    assert.ok(words('Unit', 'Before').includes('network.target'));
    assert.ok(words('Unit', 'After').includes('network-pre.target'));
    assert.ok(words('Unit', 'Wants').includes('network-pre.target'));
    assert.ok(!words('Unit', 'After').includes('network.target'), 'After=network.target with Before=network.target is a cycle');
    assert.ok(!words('Unit', 'After').includes('network-online.target'));
    assert.deepEqual(words('Install', 'WantedBy'), ['multi-user.target']);
  });

  it('runs netrec by the absolute path npm installs it at, with options `netrec watch` has', async () => {
    const argv = one('Service', 'ExecStart').split(/\s+/);
    assert.equal(argv[0], '/usr/local/bin/netrec', 'npm install -g with the default prefix /usr/local');
    assert.ok(!argv.includes('/usr/bin/env') && !argv[0]!.includes('env'), 'no /usr/bin/env lookup: systemd wants an absolute path');
    assert.match(text, /npm prefix -g/, 'the comment says how to find another prefix');
    assert.equal(argv[1], 'watch');
    const watch = (await buildProgram('watch')).commands.find((c) => c.name() === 'watch')!;
    const known = new Set(watch.options.map((o) => o.long));
    const given = argv.slice(2).filter((a) => a.startsWith('--'));
    assert.ok(given.length > 0);
    for (const o of given) assert.ok(known.has(o), `netrec watch has no option ${o}`);
    assert.ok(argv.slice(2).some((a) => a.startsWith('/etc/netrec')), 'the config directory');
    assert.deepEqual(one('Service', 'ExecReload').split(/\s+/), ['/bin/kill', '-HUP', '$MAINPID'], 'reload is SIGHUP');
  });

  it('points at documentation that ships with the package', () => {
    const docs = words('Unit', 'Documentation');
    for (const d of docs) assert.match(d, /^(https?|file|man|info):/);
    const file = docs.find((d) => d.startsWith('file:'));
    assert.ok(file, 'a file: link to the installed docs');
    const m = /^file:\/usr\/local\/lib\/node_modules\/netrec\/(.+)$/.exec(file!);
    assert.ok(m, `${file} is where npm install -g puts the package`);
    assert.ok(existsSync(join(ROOT, m[1]!)), `${m[1]} exists`);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    assert.ok(pkg.files.includes(m[1]!.split('/')[0]!), `package.json "files" ships ${m[1]}`);
  });

  const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  it('passes systemd-analyze verify with no warning', { skip: analyze ? false : 'systemd-analyze is not installed' }, () => {
    // verify checks that ExecStart= is executable: point it at this checkout's netrec.
    const dir = scratchDir('unit-');
    try {
      const copy = join(dir, 'netrec-watch.service');
      writeFileSync(copy, text.replace(/^ExecStart=\/usr\/local\/bin\/netrec /m, `ExecStart=${join(ROOT, 'bin/netrec.js')} `));
      const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.stderr, '', r.stderr);
      assert.equal(r.status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
