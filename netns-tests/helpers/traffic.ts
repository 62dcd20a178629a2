// Real traffic between throwaway namespaces: a topology of namespaces joined
// by veth pairs, each configured by `netrec apply --netns`, and bounded probes
// (ICMP echo with a fixed count and timeouts, helpers/echo.ts: no ping program
// needed) plus interface packet counters to show where packets went. Also: which link kinds the running kernel has.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { echo } from './echo.js';
import { Netns, netrec, ROOT } from './netns.js';

/** The topology configs, in the source tree. */
const TOPOLOGY_CONFIGS = join(ROOT, 'netns-tests/topologies/configs');

/** Set a sysctl inside a namespace (forwarding, IPv6 off: not part of netrec's config). */
export function sysctl(ns: Netns, key: string, value: string | number): void {
  execFileSync('ip', ['netns', 'exec', ns.name, 'sysctl', '-qw', `${key}=${value}`], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface Topology {
  /** The namespace that plays `role`. */
  ns(role: string): Netns;
  /** A veth pair from `aRole`'s `aName` to `bRole`'s `bName`, both down (the configs bring them up). */
  link(aRole: string, aName: string, bRole: string, bName: string): void;
  /** Apply netns-tests/topologies/configs/CONFIG.yaml in `role`'s namespace. */
  apply(role: string, config: string): void;
  /** Delete every namespace (safe to call twice, and after a partial setup). */
  destroy(): void;
}

/**
 * Namespaces named by role. `ipv6: false` turns IPv6 off in all of them before
 * any link exists, so that packet counters count only the test's own IPv4
 * traffic (no router solicitations, no neighbour discovery).
 */
export function topology(roles: string[], opts: { ipv6?: boolean; forwarding?: string[] } = {}): Topology {
  const byRole = new Map<string, Netns>();
  const t: Topology = {
    ns(role) {
      const ns = byRole.get(role);
      assert.ok(ns, `no namespace for role ${role}`);
      return ns;
    },
    link(aRole, aName, bRole, bName) {
      execFileSync('ip', ['link', 'add', aName, 'netns', t.ns(aRole).name, 'type', 'veth', 'peer', 'name', bName, 'netns', t.ns(bRole).name], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    },
    apply(role, config) {
      const file = join(TOPOLOGY_CONFIGS, `${config}.yaml`);
      const r = netrec(['apply', file, '--netns', t.ns(role).name]);
      assert.equal(r.status, 0, `netrec apply ${file} in ${t.ns(role).name} failed:\n${r.stdout}${r.stderr}`);
    },
    destroy() {
      for (const ns of byRole.values()) ns.destroy();
      byRole.clear();
    },
  };
  try {
    for (const role of roles) {
      const ns = Netns.create(role);
      byRole.set(role, ns);
      if (opts.ipv6 === false) {
        sysctl(ns, 'net.ipv6.conf.all.disable_ipv6', 1);
        sysctl(ns, 'net.ipv6.conf.default.disable_ipv6', 1);
      }
    }
    for (const role of opts.forwarding ?? []) {
      sysctl(t.ns(role), 'net.ipv4.ip_forward', 1);
      if (opts.ipv6 !== false) sysctl(t.ns(role), 'net.ipv6.conf.all.forwarding', 1);
    }
  } catch (e) {
    t.destroy();
    throw e;
  }
  return t;
}

export interface PingResult {
  status: number | null;
  transmitted: number;
  received: number;
  output: string;
}

export interface PingOptions {
  /** Echo requests (answers wanted, with `until`); default 3. */
  count?: number;
  /** Source address. */
  from?: string;
  /**
   * Keep sending (0.2 s apart) until `count` answers or this many seconds
   * pass, so a first exchange slowed by neighbour resolution on a busy
   * machine still counts. Without it: `count` requests, then a 2 s wait.
   */
  until?: number;
}

/** ICMP echo from inside `ns`, bounded in packets and time; `status` as ping's: 0 when answered (all `count` with `until`), else 1 (2: nothing could be sent). */
export function ping(ns: Netns, dst: string, opts: PingOptions = {}): PingResult {
  const count = opts.count ?? 3;
  const r = echo(ns.path, dst, { count, from: opts.from, intervalMs: 200, untilMs: opts.until ? opts.until * 1000 : 0, waitMs: 2000 });
  const output = [
    `echo ${dst}${opts.from ? ` from ${opts.from}` : ''} in ${ns.name}`,
    ...(r.error ? [r.error] : []),
    ...r.notes,
    `${r.transmitted} packets transmitted, ${r.received} received`,
  ].join('\n');
  const status = r.error !== undefined ? 2 : (opts.until ? r.received >= count : r.received > 0) ? 0 : 1;
  return { status, transmitted: r.transmitted, received: r.received, output };
}

/** Assert that `count` pings from `ns` to `dst` are answered within 10 seconds. */
export function assertReaches(ns: Netns, dst: string, opts: { count?: number; from?: string } = {}): PingResult {
  const r = ping(ns, dst, { ...opts, until: 10 });
  const count = opts.count ?? 3;
  const what = `ping ${dst}${opts.from ? ` from ${opts.from}` : ''} in ${ns.name}`;
  assert.equal(r.status, 0, `${what} failed:\n${r.output}`);
  assert.equal(r.received, count, `${what}: ${r.received} of ${count} answered:\n${r.output}`);
  return r;
}

/** Assert that none of 3 pings from `ns` to `dst` is answered. */
export function assertDoesNotReach(ns: Netns, dst: string): PingResult {
  const r = ping(ns, dst);
  assert.notEqual(r.status, 0, `ping ${dst} in ${ns.name} should fail:\n${r.output}`);
  assert.equal(r.received, 0, `ping ${dst}: ${r.received} answered:\n${r.output}`);
  return r;
}

export interface Counters {
  rxPackets: number;
  txPackets: number;
}

/** Packet counters of one interface, from `ip -j -s link show`. */
export function counters(ns: Netns, dev: string): Counters {
  const [link] = ns.json<{ stats64: { rx: { packets: number }; tx: { packets: number } } }[]>('-s', 'link', 'show', 'dev', dev);
  assert.ok(link, `${dev} exists in ${ns.name}`);
  return { rxPackets: link.stats64.rx.packets, txPackets: link.stats64.tx.packets };
}

/** How much `dev`'s counters moved while `fn` ran. */
export function countDuring<T>(ns: Netns, dev: string, fn: () => T): { rx: number; tx: number; result: T } {
  const before = counters(ns, dev);
  const result = fn();
  const after = counters(ns, dev);
  return { rx: after.rxPackets - before.rxPackets, tx: after.txPackets - before.txPackets, result };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Wait until no IPv6 address in these namespaces is still tentative (DAD done); fail on a DAD failure or after `timeoutMs`. */
export async function waitForDad(namespaces: Netns[], timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending: string[] = [];
    for (const ns of namespaces) {
      for (const link of ns.json<{ ifname: string; addr_info: { local: string; tentative?: boolean; dadfailed?: boolean }[] }[]>('-6', 'addr', 'show')) {
        for (const a of link.addr_info) {
          assert.ok(!a.dadfailed, `DAD failed for ${a.local} on ${link.ifname} in ${ns.name}`);
          if (a.tentative) pending.push(`${ns.name}/${link.ifname}/${a.local}`);
        }
      }
    }
    if (pending.length === 0) return;
    assert.ok(Date.now() < deadline, `addresses still tentative after ${timeoutMs} ms: ${pending.join(', ')}`);
    await sleep(200);
  }
}

/** Link kinds some kernels lack (this machine's among them). */
export type OptionalKind = 'dummy' | 'vlan' | 'bond' | 'vrf' | 'ipvlan' | 'macvtap' | 'gre' | 'gretap' | 'ip6gre' | 'ip6gretap' | 'ipip' | 'sit' | 'ip6tnl' | 'geneve';
/** What it takes to create one of each, for a probe. */
const KIND_PROBES: Record<OptionalKind, string[][]> = {
  dummy: [['link', 'add', 'probe0', 'type', 'dummy']],
  vlan: [
    ['link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1'],
    ['link', 'add', 'link', 'probe0', 'name', 'probe0.5', 'type', 'vlan', 'id', '5'],
  ],
  bond: [['link', 'add', 'probe0', 'type', 'bond']],
  vrf: [['link', 'add', 'probe0', 'type', 'vrf', 'table', '10']],
  ipvlan: [
    ['link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1'],
    ['link', 'add', 'link', 'probe0', 'name', 'probe2', 'type', 'ipvlan'],
  ],
  macvtap: [
    ['link', 'add', 'probe0', 'type', 'veth', 'peer', 'name', 'probe1'],
    ['link', 'add', 'link', 'probe0', 'name', 'probe2', 'type', 'macvtap'],
  ],
  gre: [['link', 'add', 'probe0', 'type', 'gre', 'remote', '192.0.2.1']],
  gretap: [['link', 'add', 'probe0', 'type', 'gretap', 'remote', '192.0.2.1']],
  ip6gre: [['link', 'add', 'probe0', 'type', 'ip6gre', 'remote', '2001:db8::1']],
  ip6gretap: [['link', 'add', 'probe0', 'type', 'ip6gretap', 'remote', '2001:db8::1']],
  ipip: [['link', 'add', 'probe0', 'type', 'ipip', 'remote', '192.0.2.1']],
  sit: [['link', 'add', 'probe0', 'type', 'sit', 'remote', '192.0.2.1']],
  ip6tnl: [['link', 'add', 'probe0', 'type', 'ip6tnl', 'remote', '2001:db8::1']],
  geneve: [['link', 'add', 'probe0', 'type', 'geneve', 'id', '1', 'remote', '192.0.2.1']],
};
const kindCache = new Map<OptionalKind, string | undefined>();

/**
 * Why the running kernel cannot make links of `kind` (undefined: it can).
 * Probed once per process by creating one in a scratch namespace.
 */
export function missingKind(kind: OptionalKind): string | undefined {
  if (kindCache.has(kind)) return kindCache.get(kind);
  const ns = Netns.create('probe');
  let reason: string | undefined;
  try {
    for (const cmd of KIND_PROBES[kind]) ns.ip(...cmd);
  } catch (e) {
    const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    const said = /Error: (.*)/.exec(String((e as Error).message))?.[1] ?? String(e);
    reason = `kernel ${release} cannot create a ${kind} link: ${said.trim()}`;
  } finally {
    ns.destroy();
  }
  kindCache.set(kind, reason);
  return reason;
}

const featureCache = new Map<'vlan-filtering', string | undefined>();

/**
 * Why the running kernel cannot filter by VLAN on a bridge (undefined: it
 * can; a kernel built without CONFIG_BRIDGE_VLAN_FILTERING refuses
 * vlan_filtering 1). Probed once per process in a scratch namespace.
 */
export function missingVlanFiltering(): string | undefined {
  if (featureCache.has('vlan-filtering')) return featureCache.get('vlan-filtering');
  let reason: string | undefined;
  const ns = Netns.create('vfprobe');
  try {
    ns.ip('link', 'add', 'probe0', 'type', 'bridge', 'vlan_filtering', '1');
  } catch (e) {
    const release = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
    const said = /(?:Error|RTNETLINK answers): (.*)/.exec(String((e as Error).message))?.[1] ?? String(e);
    reason = `kernel ${release} has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING): ${said.trim()}`;
  } finally {
    ns.destroy();
  }
  featureCache.set('vlan-filtering', reason);
  return reason;
}
