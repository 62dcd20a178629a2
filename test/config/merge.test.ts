// Several configs, and directories of them: lists are concatenated in file
// order, tables and policy merged.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { writeFixtures, yaml } from './helpers.js';

test('lists concatenate in file order; tables and policy merge across files', () => {
  const { paths } = writeFixtures({
    'a.yaml': yaml('version: 1', 'tables: { isp: 100 }', 'policy: { protocol: 0x60 }', 'interfaces: [{ name: a }]', 'routes: [{ to: 10.1.0.0/16, dev: a }]'),
    'b.yaml': yaml('version: 1', 'tables: { guest: 200 }', 'policy: { prune: false, protocol: 96 }', 'interfaces: [{ name: b }]', 'routes: [{ to: 10.2.0.0/16, dev: b, table: isp }]'),
    'c.json': JSON.stringify({ version: 1, routes: [{ to: '10.3.0.0/16', dev: 'a', table: 'guest' }] }),
  });
  const d = loadConfig(paths);
  assert.deepEqual(d.files, paths);
  assert.deepEqual(d.tables, { isp: 100, guest: 200 });
  assert.deepEqual(d.policy, { protocol: 0x60, prune: false });
  assert.deepEqual(d.state.links.map((l) => l.name), ['a', 'b']);
  assert.deepEqual(d.state.routes.map((r) => [r.to, r.table, r.protocol, r.source?.file]), [
    ['10.1.0.0/16', 254, 0x60, paths[0]],
    ['10.2.0.0/16', 100, 0x60, paths[1]],
    ['10.3.0.0/16', 200, 0x60, paths[2]],
  ]);
});

test('a directory means its *.yaml, *.yml and *.json files in lexical order, not recursively', () => {
  const { dir } = writeFixtures({
    'conf/20-b.yml': yaml('version: 1', 'interfaces: [{ name: b }]'),
    'conf/10-a.yaml': yaml('version: 1', 'interfaces: [{ name: a }]'),
    'conf/30-c.json': JSON.stringify({ version: 1, interfaces: [{ name: 'c' }] }),
    'conf/Z-upper.yaml': yaml('version: 1', 'interfaces: [{ name: z }]'),
    'conf/README.md': '# not a config',
    'conf/.hidden.yaml': 'not: [valid',
    'conf/sub/40-d.yaml': yaml('version: 1', 'interfaces: [{ name: d }]'),
  });
  const conf = join(dir, 'conf');
  const d = loadConfig([conf]);
  assert.deepEqual(d.files, ['10-a.yaml', '20-b.yml', '30-c.json', 'Z-upper.yaml'].map((f) => join(conf, f)));
  assert.deepEqual(d.state.links.map((l) => l.name), ['a', 'b', 'c', 'z']);
});

test('files and directories mix; a file given twice is read once', () => {
  const { dir } = writeFixtures({
    'conf/10-a.yaml': yaml('version: 1', 'interfaces: [{ name: a }]'),
    'extra.yaml': yaml('version: 1', 'interfaces: [{ name: x }]'),
  });
  const d = loadConfig([join(dir, 'extra.yaml'), join(dir, 'conf'), join(dir, 'conf', '10-a.yaml')]);
  assert.deepEqual(d.state.links.map((l) => l.name), ['x', 'a']);
});

test('a name used in one file may be declared in another', () => {
  const { paths } = writeFixtures({
    'routes.yaml': yaml('version: 1', 'routes: [{ to: 10.2.0.0/16, dev: b, table: late }]', 'interfaces: [{ name: lan1, master: br0 }]'),
    'tables.yaml': yaml('version: 1', 'tables: { late: 7 }', 'interfaces: [{ name: br0, kind: bridge }]'),
  });
  const d = loadConfig(paths);
  assert.equal(d.state.routes[0]!.table, 7);
});

test('the same table or policy value given twice is fine', () => {
  const { paths } = writeFixtures({
    'a.yaml': yaml('version: 1', 'tables: { isp: 100 }', 'policy: { prune: false }'),
    'b.yaml': yaml('version: 1', 'tables: { isp: 100 }', 'policy: { prune: false }'),
  });
  assert.deepEqual(loadConfig(paths).tables, { isp: 100 });
});
