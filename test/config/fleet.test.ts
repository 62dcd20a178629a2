// Fleets (contract section 8): layer merging and host selection, their
// errors with FILE:LINE:COL, validate of every host, and the layer and file
// each object came from in `plan -o json` and `show --sources`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { isFleetDir } from '../../src/config/fleet.js';
import { loadConfig } from '../../src/config/load.js';
import { checkReferences } from '../../src/config/semantic.js';
import { emptyState } from '../../src/model/types.js';
import { writeFixtures, yaml } from './helpers.js';

const NETREC = new URL('../../../bin/netrec.js', import.meta.url).pathname;
const EXAMPLE = new URL('../../../examples/fleet/', import.meta.url).pathname;

function netrec(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [NETREC, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`);
  }
  assert.fail('expected a ConfigError');
}

/** A fleet: common, two groups, two hosts. */
function fleet(extra: Record<string, string> = {}) {
  return writeFixtures({
    'f/common/10-base.yaml': yaml(
      'version: 1',
      'tables: { uplink: 200 }',
      'interfaces:',
      '  - { name: br0, kind: bridge, mtu: 1500, addresses: [10.0.0.1/24] }',
      '  - { name: m0, kind: dummy }',
      'routes:',
      '  - { to: 192.0.2.0/24, dev: br0, table: uplink }',
    ),
    'f/groups/edge/10.yaml': yaml('version: 1', 'interfaces:', '  - { name: br0, kind: bridge, mtu: 9000 }', 'routes:', '  - { to: 192.0.2.0/24, dev: m0, table: uplink }'),
    'f/groups/west/10.yaml': yaml('version: 1', 'interfaces:', '  - { name: br0, kind: bridge, mtu: 4000 }'),
    'f/hosts/h1/host.yaml': yaml('version: 1', 'groups: [west, edge]'),
    'f/hosts/h1/20.yaml': yaml('version: 1', 'interfaces:', '  - { name: m0, kind: dummy, mtu: 1400 }'),
    'f/hosts/h2/host.yaml': yaml('version: 1', 'groups: [edge, west]'),
    ...extra,
  });
}

test('a directory with common/, groups/ or hosts/ is a fleet; others are not', () => {
  const { dir } = fleet({ 'plain/a.yaml': yaml('version: 1') });
  assert.equal(isFleetDir(join(dir, 'f')), true);
  assert.equal(isFleetDir(join(dir, 'plain')), false);
  assert.equal(isFleetDir(join(dir, 'f', 'common', '10-base.yaml')), false);
});

test('layers: common < groups in host.yaml order < host; a later layer replaces the same identity', () => {
  const { dir } = fleet();
  const root = join(dir, 'f');
  const h1 = loadConfig([root], { host: 'h1' });
  const br1 = h1.state.links.find((l) => l.name === 'br0')!;
  // h1 lists west then edge: edge is later and wins.
  assert.equal(br1.mtu, 9000);
  assert.equal(br1.source?.layer, 'groups/edge');
  assert.equal(br1.source?.file, join(root, 'groups/edge/10.yaml'));
  // The host's own m0 replaces common's.
  const m0 = h1.state.links.find((l) => l.name === 'm0')!;
  assert.equal(m0.mtu, 1400);
  assert.equal(m0.source?.layer, 'hosts/h1');
  // One of each identity: the replaced declarations are gone.
  assert.deepEqual(h1.state.links.map((l) => l.name).sort(), ['br0', 'm0']);
  // br0 was replaced whole: common's address went with common's entry.
  assert.deepEqual(h1.state.addresses, []);
  // The route of the same identity from the group replaced common's.
  assert.equal(h1.state.routes.length, 1);
  assert.equal(h1.state.routes[0]!.dev, 'm0');
  assert.equal(h1.state.routes[0]!.source?.layer, 'groups/edge');
  assert.deepEqual(h1.fleet?.layers.map((l) => l.name), ['common', 'groups/west', 'groups/edge', 'hosts/h1']);
  const o = h1.fleet!.overrides.filter((x) => x.type === 'interface' && x.id === 'br0');
  assert.deepEqual(o.map((x) => [x.layer, x.replaced.map((r) => r.layer)]), [
    ['groups/west', ['common']],
    ['groups/edge', ['groups/west']],
  ]);
  // h2 lists edge then west: west wins; with no own files, common's m0 stays.
  const h2 = loadConfig([root], { host: 'h2' });
  assert.equal(h2.state.links.find((l) => l.name === 'br0')!.mtu, 4000);
  assert.equal(h2.state.links.find((l) => l.name === 'm0')!.source?.layer, 'common');
});

test('an address of a later layer replaces one of the same identity; addresses of an interface kept from an earlier layer stay', () => {
  const { dir } = fleet({
    'f/hosts/h3/20.yaml': yaml('version: 1', 'interfaces:', '  - { name: m0, kind: dummy, addresses: [10.9.0.1/24] }'),
  });
  const d = loadConfig([join(dir, 'f')], { host: 'h3' });
  // br0 comes from common, with its address; m0 from the host, with its own.
  assert.deepEqual(d.state.addresses.map((a) => [a.dev, a.address, a.source?.layer]).sort(), [
    ['br0', '10.0.0.1/24', 'common'],
    ['m0', '10.9.0.1/24', 'hosts/h3'],
  ]);
});

test('a duplicate within one layer is an error naming both FILE:LINE:COL', () => {
  const { dir } = fleet({
    'f/groups/edge/20.yaml': yaml('version: 1', 'interfaces:', '  - { name: br0, kind: bridge, mtu: 1280 }'),
  });
  const root = join(dir, 'f');
  const problems = problemsOf(() => loadConfig([root], { host: 'h1' }));
  assert.deepEqual(problems, [`${join(root, 'groups/edge/20.yaml')}:3:5: interface br0 is declared twice (first at ${join(root, 'groups/edge/10.yaml')}:3:5)`]);
  // Within the host's own layer too, for routes.
  const b = fleet({
    'f/hosts/h1/30.yaml': yaml('version: 1', 'routes:', '  - { to: 198.51.100.0/24, dev: m0 }', '  - { to: 198.51.100.0/24, dev: m0 }'),
  });
  const p2 = problemsOf(() => loadConfig([join(b.dir, 'f')], { host: 'h1' }));
  assert.equal(p2.length, 1);
  assert.match(p2[0]!, /30\.yaml:4:5: route 198\.51\.100\.0\/24 table 254 metric 0 is declared twice \(first at .*30\.yaml:3:5\)$/);
});

test('an unknown group is an error at its place in host.yaml', () => {
  const { dir } = fleet({ 'f/hosts/h4/host.yaml': yaml('version: 1', 'groups: [edge, east]') });
  const root = join(dir, 'f');
  assert.deepEqual(problemsOf(() => loadConfig([root], { host: 'h4' })), [
    `${join(root, 'hosts/h4/host.yaml')}:2:16: unknown group "east": there is no directory ${join(root, 'groups/east')}/ (groups: edge, west)`,
  ]);
});

test('host.yaml: other keys, a group listed twice and a missing version are located errors', () => {
  const { dir } = fleet({ 'f/hosts/h5/host.yaml': yaml('groups: [edge, edge]', 'interfaces: []') });
  const problems = problemsOf(() => loadConfig([join(dir, 'f')], { host: 'h5' }));
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0]!, /host\.yaml:1:1: missing version: 1$/);
  assert.match(problems[1]!, /host\.yaml:1:16: group "edge" is listed twice$/);
  assert.match(problems[2]!, /host\.yaml:2:1: unknown key "interfaces"/);
});

test('a host without a directory is an error naming where it would be and the hosts there are', () => {
  const { dir } = fleet();
  const root = join(dir, 'f');
  assert.deepEqual(problemsOf(() => loadConfig([root], { host: 'h9' })), [
    `${join(root, 'hosts/h9')}:1:1: host "h9" has no directory in the fleet (hosts: h1, h2); choose one with --host, or add ${join(root, 'hosts/h9')}/`,
  ]);
  assert.equal(problemsOf(() => loadConfig([root], { host: '..' })).length, 1);
});

test('a fleet is the only CONFIG of a load', () => {
  const { dir } = fleet({ 'x.yaml': yaml('version: 1') });
  const problems = problemsOf(() => loadConfig([join(dir, 'f'), join(dir, 'x.yaml')], { host: 'h1' }));
  assert.match(problems[0]!, /a fleet directory is loaded on its own/);
});

test('validate without --host checks every host and reports each; --host checks one', () => {
  const { dir } = fleet({ 'f/hosts/h4/host.yaml': yaml('version: 1', 'groups: [east]') });
  const root = join(dir, 'f');
  const all = netrec(['validate', root]);
  assert.equal(all.status, 1, all.stderr);
  assert.match(all.stdout, /^host h1: 4 files valid: 2 interfaces/m);
  assert.match(all.stdout, /^host h2: 3 files valid: 2 interfaces/m);
  assert.match(all.stdout, /^host h4: 1 problem$/m);
  assert.match(all.stderr, new RegExp(`^host h4: ${join(root, 'hosts/h4/host.yaml')}:2:10: unknown group "east"`, 'm'));
  assert.match(all.stderr, /1 of 3 hosts have problems/);
  const one = netrec(['validate', root, '--host', 'h2']);
  assert.equal(one.status, 0, one.stderr);
  assert.match(one.stdout, /^3 files valid/);
  const good = fleet();
  const ok = netrec(['validate', join(good.dir, 'f')]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /all 2 hosts valid/);
});

test('plan -o json and show --sources say the layer and the file of each object', () => {
  const { dir } = fleet({ 'empty.yaml': yaml('version: 1') });
  const root = join(dir, 'f');
  const plan = netrec(['plan', root, '--host', 'h1', '--from-state', join(dir, 'empty.yaml'), '-o', 'json']);
  assert.equal(plan.status, 0, plan.stderr);
  const changes = (JSON.parse(plan.stdout) as { changes: { type: string; id: string; layer?: string; source: string }[] }).changes;
  const byId = new Map(changes.map((c) => [`${c.type} ${c.id}`, c]));
  assert.equal(byId.get('interface br0')?.layer, 'groups/edge');
  assert.equal(byId.get('interface br0')?.source, `${join(root, 'groups/edge/10.yaml')}:3`);
  assert.equal(byId.get('interface m0')?.layer, 'hosts/h1');
  assert.equal(byId.get('interface m0')?.source, `${join(root, 'hosts/h1/20.yaml')}:3`);
  const show = netrec(['show', '--sources', root, '--host', 'h1', '-o', 'json']);
  assert.equal(show.status, 0, show.stderr);
  const s = JSON.parse(show.stdout) as { host: string; layers: string[]; objects: { type: string; id: string; layer: string; source: string; replaces: { layer: string }[] }[] };
  assert.equal(s.host, 'h1');
  const br0 = s.objects.find((o) => o.type === 'interface' && o.id === 'br0')!;
  assert.equal(br0.source, `${join(root, 'groups/edge/10.yaml')}:3:5`);
  assert.deepEqual(br0.replaces.map((r) => r.layer), ['common', 'groups/west']);
  const text = netrec(['show', '--sources', root, '--host', 'h1']);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^interface m0 +hosts\/h1 +\S+20\.yaml:3:5 +\(replaces common \S+10-base\.yaml:5:5\)$/m);
});

test('examples/fleet: every host validates and applies to an empty namespace', () => {
  for (const host of ['edge-1', 'edge-2', 'core-1']) {
    const d = loadConfig([EXAMPLE], { host });
    assert.equal(d.fleet?.host, host);
    assert.ok(d.fleet!.layers.length >= 3, `${host}: common, a group and the host`);
    assert.deepEqual(checkReferences(d, emptyState()), [], host);
    for (const l of d.state.links) assert.ok(['veth', 'bridge'].includes(l.kind), `${host}: ${l.name} is kind ${l.kind}`);
  }
  const edge1 = loadConfig([EXAMPLE], { host: 'edge-1' });
  assert.equal(edge1.state.links.find((l) => l.name === 'br-lan')!.mtu, 9000);
  const edge2 = loadConfig([EXAMPLE], { host: 'edge-2' });
  assert.equal(edge2.state.links.find((l) => l.name === 'br-lan')!.mtu, 1500);
  const r = netrec(['validate', EXAMPLE]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /all 3 hosts valid/);
});

test("a fleet's own top level holds only its layers: other files there are not read, and each is named in a warning", () => {
  const { dir } = fleet({ 'f/stray.yaml': yaml('version: 1', 'interfaces:', '  - { name: stray0, kind: dummy }'), 'f/notes.txt': 'x\n' });
  const warnings: string[] = [];
  const d = loadConfig([join(dir, 'f')], { host: 'h1', warn: (w) => warnings.push(`${w.file.slice(dir.length + 1)}: ${w.message}`) });
  assert.equal(d.state.links.some((l) => l.name === 'stray0'), false);
  assert.deepEqual(warnings, [
    'f/notes.txt: skipped: not a *.yaml, *.yml or *.json file',
    'f/stray.yaml: skipped: a fleet directory reads only common/, groups/NAME/ and hosts/HOST/ (move it into common/ for every host)',
  ]);
});
