// What the kernel would refuse, found before anything is written: each link
// kind's MTU range and address form from config/limits.ts's table (static,
// `validate`), and the checks against the kernel's view of existing devices
// and connected networks (`plan`, `apply`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/config/errors.js';
import { kernelLimitProblems } from '../../src/config/limits.js';
import { KINDS, kindOf } from '../../src/kinds/registry.js';
import { loadConfig } from '../../src/config/load.js';
import { emptyState, type Desired, type Link, type State } from '../../src/model/types.js';
import { writeFixtures, yaml } from './helpers.js';

/** The problems of loading one marked file: [FILE:LINE:COL-is-the-mark, messages]. */
function problems(text: string): { atMark: boolean; messages: string[] } {
  const { paths, spot } = writeFixtures({ 'a.yaml': text });
  try {
    loadConfig(paths);
    return { atMark: false, messages: [] };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const atMark = spot !== undefined && e.problems.some((p) => p.file === spot.file && p.line === spot.line && p.col === spot.col);
    return { atMark, messages: e.problems.map((p) => p.message) };
  }
}

/** The options a kind cannot be made without ("    vlan: { link: lower0, id: 10 }"), from its descriptor. */
function requiredOptions(kind: string): string | undefined {
  const required = kindOf(kind)!.d.options.filter((o) => o.required);
  if (required.length === 0) return undefined;
  const value = (o: (typeof required)[number]) => (o.value === 'ifname' ? (o.key === 'peer' ? 'p0' : 'lower0') : o.value === 'address' ? '192.0.2.1' : 10);
  return `    ${kind}: { ${required.map((o) => `${o.key}: ${value(o)}`).join(', ')} }`;
}

function iface(kind: string, extra: string[]): string {
  const lines = ['version: 1', 'interfaces:', '  - name: x0', `    kind: ${kind}`];
  const options = requiredOptions(kind);
  if (options) lines.push(options);
  return yaml(...lines, ...extra);
}

describe('static MTU ranges (validate)', () => {
  for (const { kind, limits } of KINDS) {
    // max 0: no maximum (the kernel's own convention for dev->max_mtu); IFLA_MTU's int is the bound.
    const [min, max] = [limits.mtu[0], limits.mtu[1] || 2 ** 31 - 1];
    it(`${kind}: ${Math.max(1, min)} and ${Math.min(max, 2 ** 31 - 1)} pass; ${min - 1 >= 1 ? `${min - 1} and ` : ''}${max < 2 ** 31 - 1 ? max + 1 : ''} are refused at the value`, () => {
      assert.deepEqual(problems(iface(kind, [`    mtu: ${Math.max(1, min)}`])).messages, []);
      assert.deepEqual(problems(iface(kind, [`    mtu: ${max}`])).messages, []);
      if (min - 1 >= 1) {
        const low = problems(iface(kind, [`    mtu: ‸${min - 1}`]));
        assert.ok(low.atMark, JSON.stringify(low));
        assert.match(low.messages.join('\n'), new RegExp(`mtu ${min - 1} is below the least a ${kind} takes \\(${min}\\)`));
      }
      if (max < 2 ** 31 - 1) {
        const high = problems(iface(kind, [`    mtu: ‸${max + 1}`]));
        assert.ok(high.atMark, JSON.stringify(high));
        assert.match(high.messages.join('\n'), new RegExp(`mtu ${max + 1} is above the most a ${kind} takes \\(${max}\\)`));
      }
    });
  }

  it('the issue\'s values: 70000 and 99999999 on a bridge or veth are refused', () => {
    for (const kind of ['bridge', 'veth'] as const) {
      for (const mtu of [70000, 99999999]) {
        const r = problems(iface(kind, [`    mtu: ‸${mtu}`]));
        assert.ok(r.atMark, JSON.stringify(r));
        assert.match(r.messages[0]!, new RegExp(`mtu ${mtu} is above the most a ${kind} takes \\(65535\\)`));
      }
    }
  });

  it('a plain device has no static range (the kernel tells its own at plan time)', () => {
    assert.deepEqual(problems(yaml('version: 1', 'interfaces:', '  - name: eth0', '    mtu: 99999999')).messages, []);
  });

  it('IPv6 addresses need mtu 1280 or more; IPv4 only, or an absent IPv6 address, does not', () => {
    const r = problems(iface('bridge', ['    mtu: ‸1279', '    addresses: [10.0.0.1/24, "2001:db8::1/64"]']));
    assert.ok(r.atMark, JSON.stringify(r));
    assert.match(r.messages[0]!, /mtu 1279 is below 1280, the least IPv6 works with, and this interface has IPv6 addresses/);
    assert.deepEqual(problems(iface('bridge', ['    mtu: 1280', '    addresses: ["2001:db8::1/64"]'])).messages, []);
    assert.deepEqual(problems(iface('bridge', ['    mtu: 1000', '    addresses: [10.0.0.1/24]'])).messages, []);
    assert.deepEqual(problems(iface('bridge', ['    mtu: 1000', '    addresses: [{ address: "2001:db8::1/64", state: absent }]'])).messages, []);
  });
});

describe('static MAC form (validate)', () => {
  const cases: [string, RegExp][] = [
    ['02:00:00:00:01', /has 5 bytes; an Ethernet address has 6/],
    ['02:00:00:00:00:01:02:03', /has 8 bytes; an Ethernet address has 6/],
    ['01:00:5e:00:00:01', /is a multicast address/],
    ['00:00:00:00:00:00', /is all zero/],
  ];
  for (const [mac, why] of cases) {
    it(`${mac} on a veth is refused at the value`, () => {
      const r = problems(iface('veth', [`    mac: ‸"${mac}"`]));
      assert.ok(r.atMark, JSON.stringify(r));
      assert.match(r.messages[0]!, why);
    });
  }
  it('a 6-byte unicast MAC passes', () => {
    assert.deepEqual(problems(iface('veth', ['    mac: "02:00:00:00:00:01"'])).messages, []);
  });
});

// ---- kernel-known: against what the kernel reports (pure; the netns tests check it on real devices) ----

const SRC = { file: 'c.yaml', line: 3, col: 5 };

function desired(state: Partial<State>): Desired {
  return { state: { ...emptyState(), ...state }, policy: { protocol: 0x4e, prune: true }, tables: {}, files: ['c.yaml'] };
}

function actual(state: Partial<State>): State {
  return { ...emptyState(), ...state };
}

const dev = (extra: Partial<Link> = {}): Link => ({ name: 'eth0', kind: 'device', state: 'up', mtu: 1500, limits: { minMtu: 68, maxMtu: 9000, addrLen: 6, type: 1 }, ...extra });

describe('kernel-known limits (plan)', () => {
  it('an MTU outside the device\'s IFLA_MIN_MTU..IFLA_MAX_MTU is refused with the config location; the boundaries pass', () => {
    const at = (mtu: number) => kernelLimitProblems(desired({ links: [{ name: 'eth0', kind: 'device', state: 'up', mtu, source: SRC }] }), actual({ links: [dev()] }));
    assert.deepEqual(at(68), []);
    assert.deepEqual(at(9000), []);
    const high = at(9001);
    assert.equal(high.length, 1);
    assert.deepEqual({ ...high[0], message: undefined }, { ...SRC, message: undefined });
    assert.match(high[0]!.message, /mtu 9001 is above the most eth0 takes \(9000, the kernel's IFLA_MIN_MTU\/IFLA_MAX_MTU for it\)/);
    assert.match(at(67)[0]!.message, /mtu 67 is below the least eth0 takes \(68/);
  });

  it('max 0 means no maximum (lo, dummy)', () => {
    const lo = dev({ name: 'lo', limits: { minMtu: 0, maxMtu: 0, addrLen: 6, type: 772 } });
    assert.deepEqual(kernelLimitProblems(desired({ links: [{ name: 'lo', kind: 'device', state: 'up', mtu: 99999999 }] }), actual({ links: [lo] })), []);
  });

  it('a MAC of another length than the device\'s address, or a multicast one on Ethernet, is refused', () => {
    const mac = (m: string, limits = dev().limits) => kernelLimitProblems(desired({ links: [{ name: 'eth0', kind: 'device', state: 'up', mac: m, source: SRC }] }), actual({ links: [dev({ limits })] }));
    assert.deepEqual(mac('02:00:00:00:00:01'), []);
    assert.match(mac('02:00:00:00:01')[0]!.message, /mac "02:00:00:00:01" has 5 bytes; eth0 has 6-byte addresses/);
    assert.match(mac('02:00:00:00:00:01:02:03')[0]!.message, /has 8 bytes; eth0 has 6-byte addresses/);
    assert.match(mac('03:00:00:00:00:01')[0]!.message, /multicast/);
    // Not Ethernet (an ARPHRD other than 1): only the length counts.
    assert.deepEqual(mac('03:00:00:00:00:01', { addrLen: 6, type: 32 }), []);
  });

  it('a device that is replaced by another kind is bound by the new kind\'s limits, not the old device\'s', () => {
    const d = desired({ links: [{ name: 'eth0', kind: 'bridge', state: 'up', mtu: 9500 }] });
    assert.deepEqual(kernelLimitProblems(d, actual({ links: [dev()] })), []);
  });

  it('a macvlan or vlan above its link\'s MTU is refused', () => {
    const d = desired({ links: [{ name: 'mv0', kind: 'macvlan', state: 'up', mtu: 1600, options: { link: 'eth0' }, source: SRC }] });
    assert.match(kernelLimitProblems(d, actual({ links: [dev()] }))[0]!.message, /mtu 1600 is above the mtu of its link eth0 \(1500\)/);
    const ok = desired({ links: [{ name: 'mv0', kind: 'macvlan', state: 'up', mtu: 1500, options: { link: 'eth0' } }] });
    assert.deepEqual(kernelLimitProblems(ok, actual({ links: [dev()] })), []);
  });

  it('IPv6 addresses the device keeps (addresses not listed) need 1280', () => {
    const a = actual({ links: [dev()], addresses: [{ dev: 'eth0', family: 'ipv6', address: '2001:db8::1/64' }] });
    const d = desired({ links: [{ name: 'eth0', kind: 'device', state: 'up', mtu: 1200, source: SRC }] });
    assert.match(kernelLimitProblems(d, a)[0]!.message, /mtu 1200 is below 1280.*eth0 has IPv6 addresses/);
    const listed = desired({ links: [{ name: 'eth0', kind: 'device', state: 'up', mtu: 1200, addressesAuthoritative: true }] });
    assert.deepEqual(kernelLimitProblems(listed, a), []);
  });

  it('gateways: on a connected network (declared or present address, device route), on-link, or link-local pass; others are refused', () => {
    const route = (r: object) => ({ family: 'ipv4' as const, table: 254, to: '10.2.0.0/16', metric: 0, tos: 0, type: 'unicast' as const, protocol: 0x4e, source: SRC, ...r });
    const a = actual({
      links: [dev(), dev({ name: 'eth1' })],
      addresses: [{ dev: 'eth0', family: 'ipv4', address: '192.0.2.1/24' }],
      routes: [route({ to: '198.51.100.0/24', dev: 'eth1', protocol: 3 })],
    });
    const check = (r: object, more: Partial<State> = {}) => kernelLimitProblems(desired({ routes: [route(r)], ...more }), a);
    assert.deepEqual(check({ via: '192.0.2.254', dev: 'eth0' }), []);
    assert.deepEqual(check({ via: '192.0.2.254' }), []);
    assert.deepEqual(check({ via: '198.51.100.7', dev: 'eth1' }), []);
    assert.deepEqual(check({ via: '203.0.113.1', dev: 'eth0', onLink: true }), []);
    assert.deepEqual(check({ via: '203.0.113.1', dev: 'eth0' }, { addresses: [{ dev: 'eth0', family: 'ipv4', address: '203.0.113.5/24' }] }), []);
    assert.deepEqual(check({ family: 'ipv6', to: '2001:db8:9::/48', via: 'fe80::1', dev: 'eth0' }), []);
    const far = check({ via: '203.0.113.1', dev: 'eth0' });
    assert.equal(far.length, 1);
    assert.equal(`${far[0]!.file}:${far[0]!.line}:${far[0]!.col}`, 'c.yaml:3:5');
    assert.match(far[0]!.message, /gateway 203\.0\.113\.1 is not on a network of eth0/);
    assert.match(check({ via: '192.0.2.254', dev: 'eth1' })[0]!.message, /not on a network of eth1/);
    assert.match(check({ via: '203.0.113.1' })[0]!.message, /not on a network of any interface/);
    const hops = check({ nexthops: [{ via: '192.0.2.254', dev: 'eth0', weight: 1 }, { via: '10.9.9.9', dev: 'eth0', weight: 1 }] });
    assert.equal(hops.length, 1);
    assert.match(hops[0]!.message, /gateway 10\.9\.9\.9/);
  });
});
