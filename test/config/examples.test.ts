// The examples: they load, tell editors where the schema is, and use only
// what an empty network namespace on a kernel with veth, bridge, vxlan,
// macvlan, macvtap, ipvlan and gre can take (so that the netns tests can
// apply them; they skip an example whose kinds the kernel lacks).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadConfig } from '../../src/config/load.js';
import { checkReferences } from '../../src/config/semantic.js';
import { emptyState } from '../../src/model/types.js';

const DIR = new URL('../../../examples/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const MODELINE = '# yaml-language-server: $schema=../schema/netrec.schema.json\n';

test('the five examples are there', () => {
  for (const f of ['edge-router.yaml', 'policy-routing.yaml', 'ecmp.yaml', 'vxlan-overlay.yaml', 'container-host.yaml']) assert.ok(files.includes(f), f);
});

for (const f of files) {
  test(`examples/${f} loads, starts with the modeline and needs nothing but veth, bridge, vxlan, macvlan, macvtap, ipvlan and gre`, () => {
    const path = new URL(f, DIR).pathname;
    const text = readFileSync(path, 'utf8');
    assert.ok(text.startsWith(MODELINE), 'no yaml-language-server modeline');
    assert.ok(text.split('\n').filter((l) => /^\s*#/.test(l)).length >= 5, 'an example teaches: it needs comments');
    const desired = loadConfig([path]);
    assert.ok(desired.state.links.length > 0);
    for (const l of desired.state.links) {
      if (l.state === 'absent') continue;
      assert.ok(['veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'ipvlan', 'gre'].includes(l.kind), `${l.name} is kind ${l.kind}`);
    }
    // Everything referenced is declared: it applies to an empty namespace.
    assert.deepEqual(checkReferences(desired, emptyState()), []);
  });
}

test('ecmp-nexthops: a multipath and a resilient group of the same nexthops, routes through both', () => {
  const d = loadConfig([new URL('ecmp-nexthops.yaml', DIR).pathname]);
  const groups = d.state.nexthops.filter((n) => n.group !== undefined);
  assert.deepEqual(groups.map((g) => [g.id, g.resilient === true]), [[100, false], [101, true]]);
  const singles = new Set(d.state.nexthops.filter((n) => n.group === undefined).map((n) => n.id));
  for (const g of groups) assert.ok(g.group!.every((m) => singles.has(m.id)), `group ${g.id} has only declared single nexthops`);
  assert.deepEqual(d.state.routes.map((r) => r.nhid).sort(), [100, 101]);
});

test('edge-router: a LAN bridge with members, a default route for each family', () => {
  const d = loadConfig([new URL('edge-router.yaml', DIR).pathname]);
  const bridge = d.state.links.find((l) => l.kind === 'bridge')!;
  assert.ok(d.state.links.filter((l) => l.master === bridge.name).length >= 2);
  const defaults = d.state.routes.filter((r) => r.to.endsWith('/0')).map((r) => r.family).sort();
  assert.deepEqual(defaults, ['ipv4', 'ipv6']);
  assert.ok(d.state.addresses.some((a) => a.family === 'ipv6'));
});

test('policy-routing: named tables, rules that use them, two uplinks', () => {
  const d = loadConfig([new URL('policy-routing.yaml', DIR).pathname]);
  assert.ok(Object.keys(d.tables).length >= 2);
  const tables = new Set(Object.values(d.tables));
  assert.ok(d.state.rules.filter((r) => tables.has(r.table)).length >= 2);
  assert.ok(new Set(d.state.routes.filter((r) => r.to === '0.0.0.0/0').map((r) => r.dev)).size >= 2);
});

test('ipvlan-macvtap: a macvtap and an ipvlan, each on an uplink', () => {
  const d = loadConfig([new URL('ipvlan-macvtap.yaml', DIR).pathname]);
  const kinds = new Map(d.state.links.map((l) => [l.kind, l]));
  assert.equal(kinds.get('macvtap')?.options?.link, 'uplink0');
  assert.deepEqual(kinds.get('ipvlan')?.options, { link: 'uplink1', mode: 'l3', flags: 'bridge' });
});

test("gre-site: a GRE tunnel over the WAN interface, and the other site's LAN through it", () => {
  const d = loadConfig([new URL('gre-site.yaml', DIR).pathname]);
  const gre = d.state.links.find((l) => l.kind === 'gre')!;
  assert.deepEqual(gre.options, { local: '192.0.2.1', remote: '198.51.100.7', ttl: 64, key: 42, link: 'wan0' });
  assert.ok(d.state.links.some((l) => l.name === 'wan0'));
  assert.ok(d.state.routes.some((r) => r.dev === gre.name && r.to === '10.2.0.0/24'));
});

test('ecmp: multipath routes', () => {
  const d = loadConfig([new URL('ecmp.yaml', DIR).pathname]);
  assert.ok(d.state.routes.some((r) => (r.nexthops?.length ?? 0) >= 2));
});

test('router-forwarding: forwarding for the namespace, off on the ISP side, strict rp_filter on the uplink', () => {
  const d = loadConfig([new URL('router-forwarding.yaml', DIR).pathname]);
  assert.deepEqual(d.state.namespace?.ipv4, { forwarding: true });
  assert.deepEqual(d.state.namespace?.ipv6, { forwarding: true });
  const byName = new Map(d.state.links.map((l) => [l.name, l]));
  assert.equal(byName.get('wan0')!.ipv4!.rpFilter, 'strict');
  assert.equal(byName.get('isp0')!.ipv4!.forwarding, false);
  assert.equal(byName.get('lan0')!.ipv6!.acceptRa, false);
});
