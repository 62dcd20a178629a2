// Bridge VLAN filtering through `netrec apply`, with `bridge -j vlan show`
// and `ip -j -d link show` as the oracle: a VLAN-aware bridge with its own
// VLANs and ports with theirs, applied from empty and over a partly matching
// state next to a foreign port whose VLANs stay; a port's declared list is
// authoritative (its default VLAN 1 goes); a second apply sends nothing and
// `show` fed back to `plan` plans nothing. Changes are minimal (one VID, one
// message); a refusal later in the same apply puts the VLANs back exactly;
// watch puts back a VLAN removed by hand. Traffic: VLAN 10 carries echo
// requests between two ports that have it and reaches no port without it.
// Port settings (bridge-port:) need no VLAN filtering and run everywhere; a
// kernel built without VLAN filtering skips the rest with the reason.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectLogLines, Netns, netrec, netrecSpawn, ROOT, tempDir } from './helpers/netns.js';
import { assertDoesNotReach, assertReaches, countDuring, missingKind, missingVlanFiltering } from './helpers/traffic.js';

type J = Record<string, any>;

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
let steps = 0;

beforeEach(() => {
  ns = Netns.create('brvlan');
  tmp = tempDir();
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

/** Apply a whole config (followed by the empty-plan check of netrec()); apply's JSON report. */
function apply(yaml: string, netns = ns): J {
  const file = tmp.write(`step-${++steps}.yaml`, yaml);
  const r = netrec(['apply', file, '--netns', netns.name, '-o', 'json']);
  assert.equal(r.status, 0, `apply failed:\n${yaml}\n${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout) as J;
}

/** `netrec plan` of a config, as text. */
function planText(yaml: string): string {
  const file = tmp.write(`plan-${++steps}.yaml`, yaml);
  const r = netrec(['plan', file, '--netns', ns.name]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** `bridge -j vlan show`: per interface, each VID with its flags ("10 pvid untagged"), ranges spelt out. */
function vlanTable(netns = ns): Record<string, string[]> {
  const out = execFileSync('ip', ['netns', 'exec', netns.name, 'bridge', '-j', 'vlan', 'show'], { encoding: 'utf8' });
  const table: Record<string, string[]> = {};
  for (const dev of (out.trim() ? JSON.parse(out) : []) as J[]) {
    const list: string[] = [];
    for (const v of dev.vlans as J[]) {
      const flags: string[] = v.flags ?? [];
      const words = [flags.includes('PVID') ? 'pvid' : '', flags.includes('Egress Untagged') ? 'untagged' : ''].filter(Boolean);
      // iproute2 names the VID "vlan" (and a range's end "vlanEnd"); newer releases "vid" and "vidEnd".
      const lo = (v.vlan ?? v.vid) as number;
      const hi = (v.vlanEnd ?? v.vidEnd ?? lo) as number;
      assert.ok(Number.isInteger(lo) && Number.isInteger(hi), `a VLAN entry bridge -j names no VID: ${JSON.stringify(v)}`);
      for (let vid = lo; vid <= hi; vid++) list.push([String(vid), ...words].join(' '));
    }
    table[dev.ifname as string] = list;
  }
  return table;
}

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => String(lo + i));

/** The port settings of `dev` as `ip -j -d link show` has them (without the running STP timers). */
function portData(dev: string): J {
  const [l] = ns.json<J[]>('-d', 'link', 'show', 'dev', dev);
  return Object.fromEntries(Object.entries(l!.linkinfo.info_slave_data as J).filter(([k]) => !k.endsWith('_timer')));
}

/** show fed back to plan plans nothing. */
function showPlansNothing(): void {
  const shown = netrec(['show', '--netns', ns.name, '-o', 'yaml']);
  assert.equal(shown.status, 0, shown.stderr);
  const file = tmp.write(`shown-${++steps}.yaml`, shown.stdout);
  const p = netrec(['plan', file, '--netns', ns.name, '--detailed-exitcode']);
  assert.equal(p.status, 0, `show -> plan is not empty:\n${p.stdout}${p.stderr}\nshow said:\n${shown.stdout}`);
}

const veth = (name: string, more = '') => `  - name: ${name}
    kind: veth
    veth: { peer: ${name}p }
${more}  - name: ${name}p
    kind: veth
    veth: { peer: ${name} }
`;

/** A config plus an address on br0 and a route the kernel refuses (a preferred source no interface has), written last. */
function refused(config: string): string {
  return `${config.replace('    kind: bridge\n', '    kind: bridge\n    addresses: [10.1.0.1/24]\n')}routes:
  - to: 10.3.0.0/16
    via: 10.1.0.254
    src: 10.99.99.1
`;
}

describe('bridge port settings', () => {
  /** A bridge with one veth port with these settings. */
  const config = (port: string) => `version: 1
interfaces:
  - name: br0
    kind: bridge
${veth('lan1', `    master: br0\n    bridge-port: { ${port} }\n`)}`;

  it('are applied, read back by ip, changed in place minimally and shown; a second apply sends nothing', () => {
    const first = apply(config('learning: false, isolated: true, cost: 100, priority: 32, hairpin: true'));
    assert.equal(first.result, 'applied');
    const d = portData('lan1');
    assert.equal(d.learning, false);
    assert.equal(d.isolated, true);
    assert.equal(d.cost, 100);
    assert.equal(d.priority, 32);
    assert.equal(d.hairpin, true);
    assert.equal(apply(config('learning: false, isolated: true, cost: 100, priority: 32, hairpin: true')).messages, 0);
    const ifindex = (ns.json<J[]>('link', 'show', 'dev', 'lan1')[0]!).ifindex;
    const text = planText(config('learning: true, isolated: true, cost: 100, priority: 32, hairpin: true'));
    assert.match(text, /~ interface lan1 bridge_slave learning off -> on\n/);
    const second = apply(config('learning: true, isolated: true, cost: 100, priority: 32, hairpin: true'));
    assert.equal(second.messages, 1, 'one update of the port');
    assert.equal(portData('lan1').learning, true);
    assert.equal(ns.json<J[]>('link', 'show', 'dev', 'lan1')[0]!.ifindex, ifindex, 'changed in place');
    showPlansNothing();
  });

  it('a refusal later in the same apply puts them back exactly', () => {
    apply(config('learning: false, cost: 100'));
    const before = portData('lan1');
    const file = tmp.write('refused.yaml', refused(config('learning: true, cost: 200, neigh-suppress: true')));
    const r = netrec(['apply', file, '--netns', ns.name]);
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, /Invalid prefsrc address/);
    assert.match(r.stderr, /rolled back/);
    assert.deepEqual(portData('lan1'), before);
  });

  it('on an interface whose master is not a bridge: an error at the key, nothing changed', () => {
    const file = tmp.write('bad.yaml', `version: 1
interfaces:
  - name: b0
    kind: veth
    veth: { peer: b0p }
    bridge-port: { learning: false }
    vlans: [ { vid: 10 } ]
  - name: b0p
    kind: veth
    veth: { peer: b0 }
`);
    const r = netrec(['apply', file, '--netns', ns.name]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /bad\.yaml:6:\d+.*bridge-port settings are for a port of a bridge, and it has no master/);
    assert.match(r.stderr, /bad\.yaml:7:\d+.*vlans are a bridge's own or a bridge port's/);
    const names = ns.json<J[]>('link', 'show').map((l) => l.ifname as string);
    assert.ok(!names.includes('b0') && !names.includes('b0p'), names.join(' '));
  });
});

const missing = missingVlanFiltering();

/** A VLAN-aware bridge with its own VLANs, an access port and a trunk port. */
const SWITCH = (lan1: string, lan2: string, self = '[ { vid: 1, pvid: true, untagged: true }, { vid: 10 }, { vid: "20-29" } ]') => `version: 1
interfaces:
  - name: br0
    kind: bridge
    bridge: { vlan-filtering: true }
    vlans: ${self}
${veth('lan1', `    master: br0\n${lan1 ? `    vlans: ${lan1}\n` : ''}`)}${veth('lan2', `    master: br0\n${lan2 ? `    vlans: ${lan2}\n` : ''}`)}`;

const ACCESS = '[ { vid: 10, pvid: true, untagged: true } ]';
const TRUNK = '[ { vid: 10 }, { vid: "20-29" } ]';

describe('bridge VLANs', { skip: missing ?? false }, () => {
  it('apply from empty: the bridge, its own VLANs and its ports as declared; again: nothing sent; show -> plan empty', () => {
    const first = apply(SWITCH(ACCESS, TRUNK));
    assert.equal(first.result, 'applied');
    const [br] = ns.json<J[]>('-d', 'link', 'show', 'dev', 'br0');
    assert.equal(br!.linkinfo.info_data.vlan_filtering, 1);
    assert.deepEqual(vlanTable(), {
      br0: ['1 pvid untagged', '10', ...range(20, 29)],
      lan1: ['10 pvid untagged'],
      lan2: ['10', ...range(20, 29)],
    });
    assert.equal(apply(SWITCH(ACCESS, TRUNK)).messages, 0);
    showPlansNothing();
  });

  it('apply over a partly matching state: a foreign port keeps its VLANs, a declared port loses the undeclared ones', () => {
    ns.batch([
      'link add br0 type bridge vlan_filtering 1',
      'link add lan1 type veth peer name lan1p',
      'link set lan1 master br0',
      'link add fx0 type veth peer name fx0p',
      'link set fx0 master br0',
    ]);
    const bridge = (...args: string[]) => execFileSync('ip', ['netns', 'exec', ns.name, 'bridge', ...args]);
    bridge('vlan', 'add', 'dev', 'lan1', 'vid', '10', 'pvid', 'untagged');
    bridge('vlan', 'add', 'dev', 'lan1', 'vid', '300');
    bridge('vlan', 'add', 'dev', 'fx0', 'vid', '100-105');
    const before = vlanTable();
    assert.deepEqual(before.lan1, ['1 untagged', '10 pvid untagged', '300']);
    const config = `version: 1
interfaces:
  - name: br0
    kind: bridge
    bridge: { vlan-filtering: true }
  - name: lan1
    master: br0
    vlans: ${TRUNK}
`;
    const text = planText(config);
    assert.match(text, /~ interface lan1 vlans \+10, \+20-29, -1, -300\n/);
    const r = apply(config);
    assert.equal(r.result, 'applied');
    const after = vlanTable();
    assert.deepEqual(after.lan1, ['10', ...range(20, 29)]);
    assert.deepEqual(after.fx0, before.fx0, 'the foreign port is untouched');
    assert.deepEqual(after.br0, before.br0, 'the bridge\'s own VLANs are not declared: left alone');
    assert.equal(apply(config).messages, 0);
  });

  it('minimal transitions: one VID added is one message; a new pvid is one add and one del; dropping the vlans key changes nothing', () => {
    apply(SWITCH(ACCESS, TRUNK));
    const added = apply(SWITCH(ACCESS, '[ { vid: 10 }, { vid: "20-29" }, { vid: 40 } ]'));
    assert.equal(added.messages, 1);
    assert.deepEqual(vlanTable().lan2, ['10', ...range(20, 29), '40']);
    assert.match(planText(SWITCH('[ { vid: 20, pvid: true, untagged: true } ]', '[ { vid: 10 }, { vid: "20-29" }, { vid: 40 } ]')), /~ interface lan1 vlans \+20 pvid untagged, -10\n/);
    const moved = apply(SWITCH('[ { vid: 20, pvid: true, untagged: true } ]', '[ { vid: 10 }, { vid: "20-29" }, { vid: 40 } ]'));
    assert.equal(moved.messages, 2);
    assert.deepEqual(vlanTable().lan1, ['20 pvid untagged']);
    const flags = apply(SWITCH('[ { vid: 20, pvid: true } ]', '[ { vid: 10 }, { vid: "20-29" }, { vid: 40 } ]'));
    assert.equal(flags.messages, 1, 'new flags of one VID: one add');
    assert.deepEqual(vlanTable().lan1, ['20 pvid']);
    const before = vlanTable();
    const dropped = apply(SWITCH('', ''));
    assert.equal(dropped.messages, 0);
    assert.deepEqual(vlanTable(), before);
  });

  it('a refusal later in the same apply puts the VLANs back exactly', () => {
    apply(SWITCH(ACCESS, TRUNK));
    const before = vlanTable();
    assert.deepEqual(before.lan1, ['10 pvid untagged']);
    const file = tmp.write('refused.yaml', refused(SWITCH('[ { vid: 30, pvid: true, untagged: true } ]', '[ { vid: 10 } ]', '[ { vid: 1, pvid: true, untagged: true } ]')));
    const r = netrec(['apply', file, '--netns', ns.name]);
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, /Invalid prefsrc address/);
    assert.match(r.stderr, /rolled back/);
    assert.deepEqual(vlanTable(), before);
  });

  it('a new default-pvid moves the default VLAN where the kernel moves it, and the plan knows: declared VLANs hold after', () => {
    const config = (pvid: string) => `version: 1
interfaces:
  - name: br0
    kind: bridge
    bridge: { vlan-filtering: true${pvid} }
${veth('lan1', '    master: br0\n')}${veth('lan2', '    master: br0\n    vlans: [ { vid: 1, pvid: true, untagged: true }, { vid: 10 } ]\n')}`;
    apply(config(''));
    assert.deepEqual(vlanTable(), { br0: ['1 pvid untagged'], lan1: ['1 pvid untagged'], lan2: ['1 pvid untagged', '10'] });
    assert.match(planText(config(', default-pvid: 5')), /~ interface lan2 vlans \+1 pvid untagged, -5\n/);
    const moved = apply(config(', default-pvid: 5'));
    assert.equal(moved.messages, 3, 'the bridge, then one add and one del on lan2');
    assert.deepEqual(vlanTable(), { br0: ['5 pvid untagged'], lan1: ['5 pvid untagged'], lan2: ['1 pvid untagged', '10'] });
  });

  it('examples/vlan-aware-switch.yaml applies from empty as it says; again: nothing sent', () => {
    const example = readFileSync(join(ROOT, 'examples/vlan-aware-switch.yaml'), 'utf8');
    assert.equal(apply(example).result, 'applied');
    assert.deepEqual(vlanTable(), {
      sw0: ['10'],
      trunk0: ['10', ...range(20, 29)],
      access10: ['10 pvid untagged'],
      access20: ['20 pvid untagged'],
    });
    assert.equal(portData('access20').flood, false);
    assert.equal(portData('trunk0').cost, 100);
    assert.equal(apply(example).messages, 0);
  });

  it('watch puts back a VLAN removed by hand (bridge vlan del)', async () => {
    const file = tmp.write('watch.yaml', SWITCH(ACCESS, TRUNK));
    const logs: J[] = [];
    const proc: ChildProcess = netrecSpawn(['watch', file, '--netns', ns.name, '--log-format', 'json', '--resync-interval', '1h', '--metrics-address', `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}`]);
    collectLogLines(proc.stderr!, logs);
    try {
      await until(60_000, 'watch converges at start', () => logs.some((l) => l.msg === 'reconcile' && l.trigger?.includes('start')));
      assert.deepEqual(vlanTable().lan2, ['10', ...range(20, 29)]);
      execFileSync('ip', ['netns', 'exec', ns.name, 'bridge', 'vlan', 'del', 'dev', 'lan2', 'vid', '25']);
      await until(60_000, 'VLAN 25 back on lan2', () => vlanTable().lan2?.includes('25') === true);
      assert.deepEqual(vlanTable().lan2, ['10', ...range(20, 29)]);
    } finally {
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('close', r));
    }
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` holds, at most `ms` (a bound, not a timing assertion: the lane's emulation is slow). */
async function until(ms: number, what: string, check: () => boolean): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      if (check()) return;
    } catch {
      // not there yet
    }
    if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

describe('traffic through a VLAN-aware bridge', { skip: missing ?? missingKind('vlan') ?? false }, () => {
  const hosts: Netns[] = [];
  afterEach(() => {
    for (const h of hosts.splice(0)) h.destroy();
  });

  it('VLAN 10 carries echo requests between the two ports that have it, and reaches no port without it', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((t) => Netns.create(`vh${t}`));
    hosts.push(a!, b!, c!);
    const ports = { pa: a!, pb: b!, pc: c! };
    for (const [port, host] of Object.entries(ports)) ns.ip('link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host.name);
    const r = apply(`version: 1
interfaces:
  - name: br0
    kind: bridge
    bridge: { vlan-filtering: true }
  - { name: pa, master: br0, vlans: [ { vid: 10 } ] }
  - { name: pb, master: br0, vlans: [ { vid: 10 } ] }
  - { name: pc, master: br0, vlans: [ { vid: 20 } ] }
`);
    assert.equal(r.result, 'applied');
    assert.deepEqual(vlanTable(), { br0: ['1 pvid untagged'], pa: ['10'], pb: ['10'], pc: ['20'] });
    [a!, b!, c!].forEach((host, i) => {
      host.batch(['link set eth0 up', 'link add link eth0 name eth0.10 type vlan id 10', `addr add 10.10.0.${i + 1}/24 dev eth0.10`, 'link set eth0.10 up']);
    });
    const seen = countDuring(c!, 'eth0.10', () => assertReaches(a!, '10.10.0.2'));
    assert.equal(seen.rx, 0, 'nothing of VLAN 10 reaches the port without it');
    assertDoesNotReach(a!, '10.10.0.3');
  });
});
