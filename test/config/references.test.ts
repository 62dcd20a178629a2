// checkReferences: names a config uses without declaring them must exist in
// the actual state (and not be about to be deleted).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { checkReferences } from '../../src/config/semantic.js';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import type { State } from '../../src/model/types.js';
import { writeFixtures, yaml } from './helpers.js';

const config = yaml(
  'version: 1',
  'interfaces:',
  '  - { name: br0, kind: bridge }',
  '  - { name: vl7, kind: vlan, vlan: { link: eth1, id: 7 } }',
  '  - { name: mv0, kind: macvlan, macvlan: { link: eth2 } }',
  '  - { name: vx0, kind: vxlan, vxlan: { vni: 7, link: eth3 } }',
  'routes:',
  '  - { to: 10.1.0.0/16, dev: eth0 }',
  '  - { to: 10.2.0.0/16, dev: br0 }',
  '  - to: 10.3.0.0/16',
  '    nexthops: [{ dev: eth4 }, { via: 192.0.2.1 }]',
  '  - { to: 10.4.0.0/16, dev: gone0, state: absent }',
  'rules:',
  '  - { priority: 5, iif: ppp0, table: main, family: ipv4 }',
  'neighbors:',
  '  - { dev: eth5, address: 10.0.0.1, lladdr: "02:00:00:00:00:01" }',
);

function actual(...names: string[]): State {
  return { links: names.map((name) => ({ name, kind: 'device', state: 'up' })), addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] };
}

test('undeclared interfaces must exist; rules may name interfaces that do not exist yet', () => {
  const { paths } = writeFixtures({ 'c.yaml': config });
  const d = loadConfig(paths);
  const problems = checkReferences(d, actual());
  assert.deepEqual(
    problems.map((p) => `${p.line}:${p.col} ${p.message}`),
    [
      '4:5 vlan link "eth1" is neither declared nor present',
      '5:5 macvlan link "eth2" is neither declared nor present',
      '6:5 vxlan link "eth3" is neither declared nor present',
      '8:5 route dev "eth0" is neither declared nor present',
      '10:5 nexthop dev "eth4" is neither declared nor present',
      '16:5 neighbor dev "eth5" is neither declared nor present',
    ],
  );
  assert.ok(problems.every((p) => p.file === paths[0]));
  assert.deepEqual(checkReferences(d, actual('eth0', 'eth1', 'eth2', 'eth3', 'eth4', 'eth5')), []);
});

test('an interface netrec made and no longer declares is deleted: it cannot be used', () => {
  const { paths } = writeFixtures({ 'c.yaml': yaml('version: 1', 'routes: [{ to: 10.1.0.0/16, dev: old0 }]') });
  const d = loadConfig(paths);
  const managed: State = { ...actual(), links: [{ name: 'old0', kind: 'dummy', state: 'up', alias: OWNER_ALIAS }] };
  assert.match(checkReferences(d, managed)[0]?.message ?? '', /netrec created and no longer declares/);
  // Without prune it stays.
  const { paths: keep } = writeFixtures({ 'c.yaml': yaml('version: 1', 'policy: { prune: false }', 'routes: [{ to: 10.1.0.0/16, dev: old0 }]') });
  assert.deepEqual(checkReferences(loadConfig(keep), managed), []);
});

test('group members and a route\'s nexthop are declared or present single nexthops', () => {
  const { paths } = writeFixtures({
    'c.yaml': yaml(
      'version: 1',
      'nexthops:',
      '  - { id: 1, dev: eth0 }',
      '  - { id: 2, state: absent }',
      '  - { id: 10, group: [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }] }',
      '  - { id: 11, group: [{ id: 10 }] }',
      'routes:',
      '  - { to: 10.1.0.0/16, nexthop: 10 }',
      '  - { to: 10.2.0.0/16, nexthop: 5 }',
      '  - { to: 10.3.0.0/16, nexthop: 2 }',
    ),
  });
  const d = loadConfig(paths);
  const have: State = { ...actual('eth0'), nexthops: [{ id: 3, protocol: 4, family: 'ipv4', dev: 'eth0' }] };
  assert.deepEqual(
    checkReferences(d, have).map((p) => `${p.line}:${p.col} ${p.message}`),
    [
      '5:5 nexthop 10: group member 2 is neither declared nor present (it is declared absent)',
      '5:5 nexthop 10: group member 4 is neither declared nor present',
      '6:5 nexthop 11: group member 10 is a group itself; a group\'s members are single nexthops',
      '9:5 route 10.2.0.0/16 table 254 metric 0: nexthop 5 is neither declared nor present',
      '10:5 route 10.3.0.0/16 table 254 metric 0: nexthop 2 is neither declared nor present (it is declared absent)',
    ],
  );
});
