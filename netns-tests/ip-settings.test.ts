// Namespace and per-interface IP settings (contract section 7) against the
// real kernel: the sysctl files read inside the namespace and `ip -j -d link`
// are the oracle. Each test owns throwaway namespaces.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { collectLogLines, Netns, netrec, netrecRaw, netrecSpawn, tempDir } from './helpers/netns.js';
import { assertDoesNotReach, assertReaches, topology, type Topology } from './helpers/traffic.js';

type J = Record<string, any>;

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  ns = Netns.create('ipset');
  tmp = tempDir();
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

function config(name: string, text: string): string {
  const file = join(tmp.dir, name);
  writeFileSync(file, text);
  return file;
}

/** `sysctl -n KEY` inside the namespace (the key as sysctl names it: net.ipv4.conf.wan0.forwarding). */
function sysctl(key: string, n: Netns = ns): string {
  return execFileSync('ip', ['netns', 'exec', n.name, 'sysctl', '-n', key], { encoding: 'utf8' }).trim();
}
function setSysctl(key: string, value: string | number, n: Netns = ns): void {
  execFileSync('ip', ['netns', 'exec', n.name, 'sysctl', '-qw', `${key}=${value}`]);
}

/** The text of every IP sysctl file of the namespace (all interfaces, all, default), file by file. */
function sysctlFiles(): string {
  return execFileSync('ip', ['netns', 'exec', ns.name, 'sh', '-c', 'cd /proc/sys/net && grep -r . ipv4/ip_forward ipv4/conf ipv6/conf 2>/dev/null | sort'], { encoding: 'utf8' });
}

function applyJson(file: string, n: Netns = ns): J {
  const r = netrec(['apply', file, '--netns', n.name, '-o', 'json']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as J;
}

function planExit(file: string): number | null {
  return netrecRaw(['plan', file, '--netns', ns.name, '--detailed-exitcode']).status;
}

function addrGenMode(dev: string): string {
  return (ns.json('-d', 'link', 'show', 'dev', dev)[0] as J).inet6_addr_gen_mode;
}

/** A second apply changes nothing: no netlink message, no sysctl write. */
function assertSecondApplyQuiet(file: string): void {
  const again = applyJson(file);
  assert.equal(again.result, 'no-changes');
  assert.equal(again.messages, 0);
  assert.equal(again.sysctlWrites, 0);
  assert.equal(planExit(file), 0);
}

const ROUTER = `version: 1
namespace:
  ipv4: { forwarding: true }
  ipv6: { forwarding: true }
interfaces:
  - name: wan0
    kind: veth
    veth: { peer: lan0 }
    ipv4: { forwarding: true, rp-filter: strict, proxy-arp: true, accept-local: true, arp-ignore: 1, arp-announce: 2 }
    ipv6: { forwarding: false, accept-ra: false, autoconf: false, addr-gen-mode: none }
  - name: lan0
    kind: veth
    veth: { peer: wan0 }
    ipv4: { rp-filter: loose }
    ipv6: { accept-ra: 2, addr-gen-mode: random }
`;

/** What ROUTER declares, as the kernel must hold it. */
function assertRouter(): void {
  assert.equal(sysctl('net.ipv4.ip_forward'), '1');
  assert.equal(sysctl('net.ipv6.conf.all.forwarding'), '1');
  assert.equal(sysctl('net.ipv4.conf.wan0.forwarding'), '1');
  assert.equal(sysctl('net.ipv4.conf.wan0.rp_filter'), '1');
  assert.equal(sysctl('net.ipv4.conf.wan0.proxy_arp'), '1');
  assert.equal(sysctl('net.ipv4.conf.wan0.accept_local'), '1');
  assert.equal(sysctl('net.ipv4.conf.wan0.arp_ignore'), '1');
  assert.equal(sysctl('net.ipv4.conf.wan0.arp_announce'), '2');
  assert.equal(sysctl('net.ipv6.conf.wan0.forwarding'), '0');
  assert.equal(sysctl('net.ipv6.conf.wan0.accept_ra'), '0');
  assert.equal(sysctl('net.ipv6.conf.wan0.autoconf'), '0');
  assert.equal(addrGenMode('wan0'), 'none');
  assert.equal(sysctl('net.ipv4.conf.lan0.rp_filter'), '2');
  assert.equal(sysctl('net.ipv6.conf.lan0.accept_ra'), '2');
  assert.equal(addrGenMode('lan0'), 'random');
}

describe('IP settings: apply', () => {
  it('from an empty namespace: every setting as declared, then nothing to do; show -> plan is empty', () => {
    const file = config('router.yaml', ROUTER);
    const first = applyJson(file);
    assert.equal(first.result, 'applied');
    assert.ok(first.sysctlWrites > 0, 'IPv6 settings and the namespace are written through sysctl files');
    assertRouter();
    assertSecondApplyQuiet(file);
    const shown = netrecRaw(['show', '--netns', ns.name]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /namespace:\n {2}ipv4:\n {4}forwarding: true/);
    assert.match(shown.stdout, /rp-filter: strict/);
    const snapshot = config('shown.yaml', shown.stdout);
    assert.equal(planExit(snapshot), 0, 'applying show\'s output changes nothing');
  });

  it('from a partly matching state: only what differs is written', () => {
    ns.ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'lan0');
    for (const [k, v] of [['net.ipv4.ip_forward', 1], ['net.ipv4.conf.wan0.rp_filter', 1], ['net.ipv6.conf.wan0.accept_ra', 0], ['net.ipv6.conf.lan0.accept_ra', 2]] as const) setSysctl(k, v);
    const devices = ROUTER.replace(/ {4}kind: veth\n {4}veth: \{ peer: \w+ \}\n/g, '');
    const file = config('partial.yaml', devices);
    const first = applyJson(file);
    assert.equal(first.result, 'applied');
    const attrs = (first.changes as J[]).flatMap((c) => (c.attrs ?? []).map((a: J) => `${c.type} ${c.id} ${a.attr}`));
    for (const same of ['namespace namespace ipv4.forwarding', 'interface wan0 ipv4.rp-filter', 'interface wan0 ipv6.accept-ra', 'interface lan0 ipv6.accept-ra']) {
      assert.ok(!attrs.includes(same), `${same} already holds and is not written`);
    }
    assert.ok(attrs.includes('namespace namespace ipv6.forwarding'));
    assertRouter();
    assertSecondApplyQuiet(file);
  });

  it('one setting changed: exactly one write (netlink for IPv4 devconf, a sysctl file for IPv6 accept_ra)', () => {
    const file = config('router.yaml', ROUTER);
    applyJson(file);
    const v4 = applyJson(config('v4.yaml', ROUTER.replace('rp-filter: strict', 'rp-filter: loose')));
    assert.deepEqual([v4.messages, v4.sysctlWrites], [1, 0]);
    assert.equal(sysctl('net.ipv4.conf.wan0.rp_filter'), '2');
    const v6 = applyJson(config('v6.yaml', ROUTER.replace('rp-filter: strict', 'rp-filter: loose').replace('accept-ra: false', 'accept-ra: true')));
    assert.deepEqual([v6.messages, v6.sysctlWrites], [0, 1]);
    assert.equal(sysctl('net.ipv6.conf.wan0.accept_ra'), '1');
    const mode = applyJson(config('mode.yaml', ROUTER.replace('rp-filter: strict', 'rp-filter: loose').replace('accept-ra: false', 'accept-ra: true').replace('addr-gen-mode: none', 'addr-gen-mode: eui64')));
    assert.deepEqual([mode.messages, mode.sysctlWrites], [1, 0]);
    assert.equal(addrGenMode('wan0'), 'eui64');
  });

  it('an interface with a dot in its name: its sysctl directory is its name (sysctl(8) writes it with a slash)', () => {
    const file = config('dot.yaml', `version: 1
interfaces:
  - name: wan0.10
    kind: veth
    veth: { peer: p10 }
    ipv4: { arp-ignore: 2 }
    ipv6: { accept-ra: false, autoconf: false }
`);
    const r = applyJson(file);
    assert.deepEqual([r.result, r.sysctlWrites], ['applied', 2]);
    assert.equal(sysctl('net.ipv6.conf.wan0/10.accept_ra'), '0');
    assert.equal(sysctl('net.ipv6.conf.wan0/10.autoconf'), '0');
    assert.equal(sysctl('net.ipv4.conf.wan0/10.arp_ignore'), '2');
    assertSecondApplyQuiet(file);
  });

  it('namespace and interface declared together both hold (all.forwarding on, wan0 off)', () => {
    ns.ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'lan0');
    const file = config('both.yaml', `version: 1
namespace:
  ipv4: { forwarding: true }
  ipv6: { forwarding: true }
interfaces:
  - name: wan0
    ipv4: { forwarding: false }
    ipv6: { forwarding: false }
`);
    const r = netrec(['plan', file, '--netns', ns.name]);
    assert.match(r.stdout, /^~ namespace ipv4\.forwarding: false -> true, ipv6\.forwarding: false -> true$/m);
    assert.match(r.stdout, /^~ interface wan0 (state down -> up, )?ipv4\.forwarding: true -> false, ipv6\.forwarding: true -> false/m, 'the plan knows the namespace write sets wan0 first');
    applyJson(file);
    assert.equal(sysctl('net.ipv6.conf.all.forwarding'), '1');
    assert.equal(sysctl('net.ipv4.ip_forward'), '1');
    assert.equal(sysctl('net.ipv6.conf.wan0.forwarding'), '0');
    assert.equal(sysctl('net.ipv4.conf.wan0.forwarding'), '0');
    assert.equal(sysctl('net.ipv6.conf.lan0.forwarding'), '1', 'the undeclared interface follows the namespace');
    assertSecondApplyQuiet(file);
  });

  // addr-gen-mode random is left out here: with it, the kernel makes the
  // link a random stable_secret when it comes up, which nothing can unset
  // (docs/config.md, IP settings).
  it('a refusal rolls back: every sysctl file of the namespace is byte for byte as before', () => {
    ns.ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'lan0');
    setSysctl('net.ipv4.conf.wan0.arp_ignore', 2);
    setSysctl('net.ipv6.conf.lan0.accept_ra', 2);
    const before = sysctlFiles();
    const file = config('refused.yaml', `${ROUTER.replace(/ {4}kind: veth\n {4}veth: \{ peer: \w+ \}\n/g, '').replace('ipv6: { accept-ra: 2, addr-gen-mode: random }', 'ipv6: { accept-ra: false, addr-gen-mode: none }')}
    addresses: [10.9.0.1/24]
routes:
  - { to: 10.77.0.0/16, dev: lan0, src: 10.99.99.99 }
`);
    const r = netrecRaw(['apply', file, '--netns', ns.name, '-o', 'json']);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as J;
    assert.equal(out.result, 'rolled-back');
    assert.ok(out.sysctlWrites > 0, 'the run wrote sysctl files before the refusal');
    assert.match(r.stderr, /Invalid prefsrc address/);
    assert.equal(sysctlFiles(), before);
  });
});

describe('IP settings: confirm-timeout and crash restore', () => {
  it('killed while waiting for confirmation: the next run puts every setting back byte for byte from the saved state', async () => {
    ns.ip('link', 'add', 'wan0', 'type', 'veth', 'peer', 'name', 'lan0');
    setSysctl('net.ipv4.conf.wan0.arp_ignore', 2);
    const before = sysctlFiles();
    const stateDir = join(tmp.dir, 'state');
    const file = config('change.yaml', ROUTER.replace(/ {4}kind: veth\n {4}veth: \{ peer: \w+ \}\n/g, '').replace('addr-gen-mode: random', 'addr-gen-mode: none'));
    const p = netrecSpawn(['apply', file, '--netns', ns.name, '--state-dir', stateDir, '--confirm-timeout', '30s']);
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    const closed = new Promise((r) => p.once('close', r));
    for (const t0 = Date.now(); !/within/.test(err); ) {
      if (Date.now() - t0 > 10_000) assert.fail(`not waiting for confirmation:\n${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    assert.equal(sysctl('net.ipv4.ip_forward'), '1', 'applied while waiting');
    p.kill('SIGKILL');
    await closed;
    const r = netrecRaw(['apply', config('noop.yaml', 'version: 1\n'), '--netns', ns.name, '--state-dir', stateDir]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /restored the state from before an unconfirmed change/);
    assert.equal(sysctlFiles(), before);
  });
});

describe('IP settings: traffic', () => {
  let t: Topology;
  afterEach(() => t?.destroy());

  it('a router forwards between client and server only once namespace ipv4.forwarding is true', () => {
    t = topology(['client', 'router', 'server'], { ipv6: false });
    t.link('client', 'c0', 'router', 'r0');
    t.link('router', 'r1', 'server', 's0');
    const client = config('client.yaml', 'version: 1\ninterfaces:\n  - { name: c0, addresses: [10.31.0.2/24] }\nroutes:\n  - { to: default, via: 10.31.0.1 }\n');
    const server = config('server.yaml', 'version: 1\ninterfaces:\n  - { name: s0, addresses: [10.32.0.2/24] }\nroutes:\n  - { to: default, via: 10.32.0.1 }\n');
    const router = (on: boolean) =>
      config(`router-${on}.yaml`, `version: 1\nnamespace:\n  ipv4: { forwarding: ${on} }\ninterfaces:\n  - { name: r0, addresses: [10.31.0.1/24] }\n  - { name: r1, addresses: [10.32.0.1/24] }\n`);
    for (const [role, file] of [['client', client], ['server', server], ['router', router(false)]] as const) applyJson(file, t.ns(role));
    assertReaches(t.ns('client'), '10.31.0.1');
    assertDoesNotReach(t.ns('client'), '10.32.0.2');
    const on = applyJson(router(true), t.ns('router'));
    assert.equal(on.sysctlWrites, 1);
    assert.equal(sysctl('net.ipv4.conf.r0.forwarding', t.ns('router')), '1');
    assertReaches(t.ns('client'), '10.32.0.2');
  });
});

describe('IP settings: watch', () => {
  let proc: ChildProcess | undefined;
  afterEach(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc!.once('close', r));
    }
    proc = undefined;
  });

  async function within(ms: number, what: string, check: () => boolean): Promise<void> {
    const t0 = Date.now();
    while (!check()) {
      if (Date.now() - t0 > ms) assert.fail(`${what}: not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('settings changed by hand (namespace and interface forwarding) are put back', async () => {
    const file = config('router.yaml', ROUTER);
    applyJson(file);
    const logs: J[] = [];
    proc = netrecSpawn(['watch', file, '--netns', ns.name, '--log-format', 'json', '--resync-interval', '1h']);
    collectLogLines(proc.stderr!, logs);
    await within(10_000, 'watch converges at start', () => logs.some((l) => l.msg === 'reconcile' && l.trigger?.includes('start')));
    setSysctl('net.ipv4.conf.wan0.forwarding', 0);
    await within(10_000, 'wan0 ipv4 forwarding put back', () => sysctl('net.ipv4.conf.wan0.forwarding') === '1');
    setSysctl('net.ipv6.conf.all.forwarding', 0);
    await within(10_000, 'namespace ipv6 forwarding put back', () => sysctl('net.ipv6.conf.all.forwarding') === '1');
    // Writing all.forwarding rewrote wan0's too, which watch puts back as declared.
    await within(10_000, 'wan0 ipv6 forwarding as declared', () => sysctl('net.ipv6.conf.wan0.forwarding') === '0');
    setSysctl('net.ipv4.conf.wan0.rp_filter', 0);
    await within(10_000, 'wan0 rp_filter put back', () => sysctl('net.ipv4.conf.wan0.rp_filter') === '1');
    assert.equal(planExit(file), 0);
  });
});
