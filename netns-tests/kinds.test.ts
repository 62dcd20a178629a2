// Link kinds that some kernels lack (dummy, vlan, bond, vrf): created, changed,
// recreated and deleted by `netrec apply`, each step checked against
// `ip -j -d link show` and `ip -j route show table N`, and the end state of
// each test converged (`plan --detailed-exitcode` says no changes). A kind the
// running kernel cannot make is skipped with the reason; the full-kernel lane
// (scripts/kernel-lane.sh) covers them all.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { Netns, netrec, tempDir } from './helpers/netns.js';
import { missingKind, type OptionalKind } from './helpers/traffic.js';

type J = Record<string, any>;

const KINDS: OptionalKind[] = ['dummy', 'vlan', 'bond', 'vrf'];
const missing = new Map(KINDS.map((k) => [k, missingKind(k)]));
/** `it`, skipped with the reason when the kernel cannot make `kind` (so the skips are counted per test). */
const itFor = (kind: OptionalKind) => (name: string, fn: () => void) => it(name, { skip: missing.get(kind) ?? false }, fn);

after(() => {
  const covered = KINDS.filter((k) => !missing.get(k));
  const skipped = KINDS.filter((k) => missing.get(k));
  const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
  console.log(`link kinds covered on kernel ${kernel}: ${covered.join(', ') || 'none'}; skipped: ${skipped.join(', ') || 'none'}`);
});

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  ns = Netns.create('kinds');
  tmp = tempDir();
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

let steps = 0;
let lastFile = '';
/** Apply a config (each netrec run is costly under emulation: tests apply only what they check). */
function step(yaml: string): void {
  lastFile = tmp.write(`step-${++steps}.yaml`, yaml);
  const r = netrec(['apply', lastFile, '--netns', ns.name]);
  assert.equal(r.status, 0, `apply failed:\n${yaml}\n${r.stdout}${r.stderr}`);
}
/** A plan of the last applied config against the kernel is empty. */
function assertConverged(): void {
  const plan = netrec(['plan', lastFile, '--netns', ns.name, '--detailed-exitcode']);
  assert.equal(plan.status, 0, `plan after apply is not empty:\n${plan.stdout}${plan.stderr}`);
}

/** `ip -j -d link show NAME`, or undefined when there is no such link. */
function link(name: string): J | undefined {
  return (ns.json('-d', 'link', 'show') as J[]).find((l) => l.ifname === name);
}
function mustLink(name: string): J {
  const l = link(name);
  assert.ok(l, `${name} exists`);
  return l;
}
function addresses(name: string): string[] {
  return (ns.json('addr', 'show', 'dev', name) as J[])[0].addr_info.filter((a: J) => a.scope !== 'link').map((a: J) => `${a.local}/${a.prefixlen}`);
}
function routes(table: number): J[] {
  return ns.json('-4', 'route', 'show', 'table', String(table)) as J[];
}
const isUp = (l: J) => (l.flags as string[]).includes('UP');

/** A veth pair declared on both ends, with extra lines for the first end. */
const veth = (name: string, peer: string, extra = '') => `  - name: ${name}
    kind: veth
    veth: { peer: ${peer} }
${extra}  - name: ${peer}
    kind: veth
    veth: { peer: ${name} }
`;

describe('dummy', () => {
  const it = itFor('dummy');
  const config = (attrs: string) => `version: 1
policy: { prune: true }
interfaces:
  - name: dum0
    kind: dummy
${attrs}    addresses: [10.70.0.1/24, "2001:db8:70::1/64"]
`;

  it('is created with its mtu, mac, state and addresses, then changed in place', () => {
    step(config('    mtu: 1400\n    mac: "02:00:00:00:d0:01"\n'));
    const created = mustLink('dum0');
    assert.equal(created.linkinfo?.info_kind, 'dummy');
    assert.equal(created.mtu, 1400);
    assert.equal(created.address, '02:00:00:00:d0:01');
    assert.ok(isUp(created), 'dum0 is up');
    assert.deepEqual(addresses('dum0').sort(), ['10.70.0.1/24', '2001:db8:70::1/64']);

    step(config('    mtu: 9000\n    mac: "02:00:00:00:d0:02"\n    state: down\n'));
    const changed = mustLink('dum0');
    assert.equal(changed.ifindex, created.ifindex, 'the same link, not a new one');
    assert.equal(changed.mtu, 9000);
    assert.equal(changed.address, '02:00:00:00:d0:02');
    assert.ok(!isUp(changed), 'dum0 is down');
    assertConverged();
  });

  it('is deleted when no longer declared', () => {
    step(config(''));
    step('version: 1\npolicy: { prune: true }\ninterfaces: []\n');
    assert.equal(link('dum0'), undefined, 'undeclared dum0 is deleted');
    assertConverged();
  });
});

describe('vlan', () => {
  const it = itFor('vlan');
  const config = (vlan: string, extra = '') => `version: 1
policy: { prune: true }
interfaces:
${veth('trunk0', 'trunk0p')}  - name: vl0
    kind: vlan
    vlan: ${vlan}
${extra}    addresses: [10.71.0.1/24]
routes:
  - to: 10.72.0.0/16
    via: 10.71.0.254
`;
  function vlanData(): J {
    const l = mustLink('vl0');
    assert.equal(l.linkinfo?.info_kind, 'vlan');
    assert.equal(l.link, 'trunk0', 'vl0 sits on trunk0');
    return l.linkinfo.info_data as J;
  }
  function routeBack(): void {
    assert.deepEqual(addresses('vl0'), ['10.71.0.1/24'], 'the address is on vl0');
    const r = routes(254).find((x) => x.dst === '10.72.0.0/16');
    assert.ok(r, 'the route through vl0 exists');
    assert.equal(r.dev, 'vl0');
    assert.equal(r.gateway, '10.71.0.254');
  }

  it('802.1Q: is created on its parent with its id, then its mtu changes in place', () => {
    step(config('{ link: trunk0, id: 10 }', '    mtu: 1500\n'));
    const d = vlanData();
    assert.equal(d.protocol, '802.1Q');
    assert.equal(d.id, 10);
    routeBack();
    const created = mustLink('vl0');

    step(config('{ link: trunk0, id: 10 }', '    mtu: 1400\n'));
    const changed = mustLink('vl0');
    assert.equal(changed.ifindex, created.ifindex, 'the same link, not a new one');
    assert.equal(changed.mtu, 1400);
    assertConverged();
  });

  it('802.1ad: is created with the service tag protocol', () => {
    step(config('{ link: trunk0, id: 100, protocol: 802.1ad }'));
    const d = vlanData();
    assert.equal(d.protocol, '802.1ad');
    assert.equal(d.id, 100);
    routeBack();
    assertConverged();
  });

  it('is recreated on an id change, with its address and route back', () => {
    step(config('{ link: trunk0, id: 10 }'));
    step(config('{ link: trunk0, id: 20 }'));
    assert.equal(vlanData().id, 20);
    routeBack();
    assertConverged();
  });

  it('is recreated on a protocol change', () => {
    step(config('{ link: trunk0, id: 10, protocol: 802.1q }'));
    step(config('{ link: trunk0, id: 10, protocol: 802.1ad }'));
    assert.equal(vlanData().protocol, '802.1ad');
    routeBack();
    assertConverged();
  });

  it('is deleted by state: absent, its parent stays', () => {
    step(config('{ link: trunk0, id: 10 }'));
    step(`version: 1\ninterfaces:\n${veth('trunk0', 'trunk0p')}  - name: vl0\n    kind: vlan\n    vlan: { link: trunk0, id: 10 }\n    state: absent\n`);
    assert.equal(link('vl0'), undefined, 'vl0 is deleted');
    assert.ok(link('trunk0'), 'trunk0 stays');
    assert.equal(routes(254).find((x) => x.dst === '10.72.0.0/16'), undefined, 'its route went with it');
    assertConverged();
  });
});

describe('bond', () => {
  const it = itFor('bond');
  const config = (bond: string, members = ['m0', 'm1']) => `version: 1
policy: { prune: true }
interfaces:
  - name: bond0
    kind: bond
    bond: ${bond}
    addresses: [10.73.0.1/24]
${veth('m0', 'm0p', members.includes('m0') ? '    master: bond0\n' : '')}${veth('m1', 'm1p', members.includes('m1') ? '    master: bond0\n' : '')}`;
  function bondData(): J {
    const l = mustLink('bond0');
    assert.equal(l.linkinfo?.info_kind, 'bond');
    assert.ok(isUp(l), 'bond0 is up');
    return l.linkinfo.info_data as J;
  }
  const masterOf = (name: string) => mustLink(name).master as string | undefined;

  it('active-backup: is created with miimon and its members enslaved', () => {
    step(config('{ mode: active-backup, miimon: 100 }'));
    const d = bondData();
    assert.equal(d.mode, 'active-backup');
    assert.equal(d.miimon, 100);
    assert.equal(masterOf('m0'), 'bond0');
    assert.equal(masterOf('m1'), 'bond0');
    assert.equal(mustLink('m0').linkinfo?.info_slave_kind, 'bond');
    assert.deepEqual(addresses('bond0'), ['10.73.0.1/24']);
    assertConverged();
  });

  it('802.3ad: is created with its members enslaved', () => {
    step(config('{ mode: 802.3ad, miimon: 100 }'));
    const d = bondData();
    assert.equal(d.mode, '802.3ad');
    assert.equal(d.miimon, 100);
    assert.equal(masterOf('m0'), 'bond0');
    assert.equal(masterOf('m1'), 'bond0');
    assertConverged();
  });

  it('changes miimon in place and releases a member no longer declared in it', () => {
    step(config('{ mode: active-backup, miimon: 100 }'));
    const before = mustLink('bond0');
    step(config('{ mode: active-backup, miimon: 250 }', ['m0']));
    assert.equal(mustLink('bond0').ifindex, before.ifindex, 'the same link, not a new one');
    assert.equal(bondData().miimon, 250);
    assert.equal(masterOf('m0'), 'bond0');
    assert.equal(masterOf('m1'), undefined, 'm1 is released');
    assertConverged();
  });

  it('changes mode with members enslaved (active-backup to 802.3ad)', () => {
    step(config('{ mode: active-backup, miimon: 100 }'));
    step(config('{ mode: 802.3ad, miimon: 100 }'));
    assert.equal(bondData().mode, '802.3ad');
    assert.equal(masterOf('m0'), 'bond0');
    assert.equal(masterOf('m1'), 'bond0');
    assert.deepEqual(addresses('bond0'), ['10.73.0.1/24']);
    assertConverged();
  });

  it('is deleted when no longer declared, its members released', () => {
    step(config('{ mode: active-backup, miimon: 100 }'));
    step(`version: 1\npolicy: { prune: true }\ninterfaces:\n${veth('m0', 'm0p')}${veth('m1', 'm1p')}`);
    assert.equal(link('bond0'), undefined, 'bond0 is deleted');
    assert.equal(masterOf('m0'), undefined);
    assert.equal(masterOf('m1'), undefined);
    assertConverged();
  });
});

describe('vrf', () => {
  const it = itFor('vrf');
  const config = (table: number) => `version: 1
policy: { prune: true }
tables: { cust: ${table} }
interfaces:
  - name: red
    kind: vrf
    vrf: { table: ${table} }
${veth('r0', 'r0p', '    master: red\n    addresses: [10.74.0.1/24]\n')}${veth('r1', 'r1p', '    master: red\n    addresses: [10.75.0.1/24]\n')}routes:
  - to: 10.76.0.0/24
    via: 10.74.0.254
    dev: r0
    table: cust
`;
  /** The vrf's table holds the declared route and the members' connected routes; main holds none of them. */
  function assertVrfTable(table: number): void {
    const l = mustLink('red');
    assert.equal(l.linkinfo?.info_kind, 'vrf');
    assert.equal(l.linkinfo.info_data.table, table);
    assert.equal(mustLink('r0').master, 'red');
    assert.equal(mustLink('r1').master, 'red');
    const inVrf = routes(table);
    const declared = inVrf.find((r) => r.dst === '10.76.0.0/24');
    assert.ok(declared, `the declared route is in table ${table}`);
    assert.equal(declared.gateway, '10.74.0.254');
    assert.equal(declared.dev, 'r0');
    for (const [dst, dev] of [['10.74.0.0/24', 'r0'], ['10.75.0.0/24', 'r1']]) {
      assert.ok(inVrf.some((r) => r.dst === dst && r.dev === dev), `connected ${dst} moved into table ${table}`);
    }
    const main = routes(254).map((r) => r.dst as string);
    for (const dst of ['10.74.0.0/24', '10.75.0.0/24', '10.76.0.0/24']) assert.ok(!main.includes(dst), `${dst} is not in main`);
  }

  it('is created with its table, members enslaved, routes in its table', () => {
    step(config(100));
    assertVrfTable(100);
    assertConverged();
  });

  it('is recreated on a table change, members and routes follow', () => {
    step(config(100));
    step(config(101));
    assertVrfTable(101);
    assert.equal(routes(100).find((r) => r.dst === '10.76.0.0/24'), undefined, 'nothing left in table 100');
    assertConverged();
  });

  it('is deleted when no longer declared, its members released', () => {
    step(config(100));
    step(`version: 1\npolicy: { prune: true }\ninterfaces:\n${veth('r0', 'r0p')}${veth('r1', 'r1p')}`);
    assert.equal(link('red'), undefined, 'red is deleted');
    assert.equal(mustLink('r0').master, undefined);
    assert.equal(mustLink('r1').master, undefined);
    assert.equal(routes(100).find((r) => r.dst === '10.76.0.0/24'), undefined, 'its route is gone');
    assertConverged();
  });
});
