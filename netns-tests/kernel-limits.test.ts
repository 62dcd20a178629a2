// What the kernel would refuse is refused before any write, on real devices:
// an MTU outside the device's IFLA_MIN_MTU..IFLA_MAX_MTU, a MAC of another
// length than the device's address or a multicast one, a gateway on no
// connected network. Each with its config location; `ip -j` shows nothing
// changed. The boundary values pass and apply, and plan is empty after.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { limitsOf } from '../src/kinds/registry.js';
import { fullState, Netns, netrec, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

describe('kernel-known limits', () => {
  let ns: Netns;
  let tmp: ReturnType<typeof tempDir>;

  beforeEach(() => {
    ns = Netns.create('lim');
    tmp = tempDir();
    ns.batch(['link add v0 type veth peer name v1', 'addr add 192.0.2.1/24 dev v0', 'link set v0 up', 'link set v1 up']);
  });
  afterEach(() => {
    ns.destroy();
    tmp.cleanup();
  });

  /** plan and apply of `text` are both refused at `where` with `why`, and the namespace is as before. */
  function refused(text: string, where: RegExp, why: RegExp): void {
    const f = tmp.write('c.yaml', text);
    const before = fullState(ns);
    for (const cmd of ['plan', 'apply']) {
      const r = netrec([cmd, f, '--netns', ns.name]);
      assert.equal(r.status, 1, `${cmd}: ${r.stdout}${r.stderr}`);
      const line = r.stderr.split('\n').find((l) => why.test(l));
      assert.ok(line, `${cmd}: ${r.stderr}`);
      assert.match(line, where, `${cmd} names the place: ${line}`);
      assert.match(r.stderr, /nothing was changed/);
      assert.doesNotMatch(r.stdout, /Applied/);
    }
    assert.deepEqual(fullState(ns), before);
  }

  function applied(text: string): void {
    const f = tmp.write('ok.yaml', text);
    const r = netrec(['apply', f, '--netns', ns.name]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const p = netrec(['plan', f, '--netns', ns.name, '--detailed-exitcode']);
    assert.equal(p.status, 0, p.stdout + p.stderr);
  }

  const mtu = (name: string) => (ns.json('link', 'show', name) as J[])[0]!.mtu as number;
  const mac = (name: string) => (ns.json('link', 'show', name) as J[])[0]!.address as string;

  it("the table's MTU ranges are the kernel's, for every kind this kernel has", () => {
    const make: Record<string, string> = {
      veth: 'link add k-veth type veth peer name k-veth1',
      bridge: 'link add k-bridge type bridge',
      vxlan: 'link add k-vxlan type vxlan id 7 dstport 4789',
      macvlan: 'link add link v0 name k-macvlan type macvlan',
      vlan: 'link add link v0 name k-vlan type vlan id 7',
      bond: 'link add k-bond type bond',
      dummy: 'link add k-dummy type dummy',
      vrf: 'link add k-vrf type vrf table 7',
    };
    const checked: string[] = [];
    for (const [kind, cmd] of Object.entries(make)) {
      try {
        ns.batch([cmd]);
      } catch {
        continue; // the kind is not in this kernel
      }
      const l = (ns.json('-d', 'link', 'show', `k-${kind}`) as J[])[0]!;
      const [min, max] = limitsOf(kind).mtu;
      assert.equal(l.min_mtu, min, `${kind} min_mtu`);
      assert.equal(l.max_mtu, max, `${kind} max_mtu`);
      checked.push(kind);
    }
    process.stderr.write(`# MTU ranges checked against the kernel for: ${checked.join(', ')}\n`);
    assert.ok(checked.includes('veth') && checked.includes('bridge'), `checked ${checked.join(', ')}`);
  });

  it('an MTU above the device\'s IFLA_MAX_MTU is refused by plan with its location; nothing changes', () => {
    for (const value of [65536, 70000, 99999999]) {
      refused(`version: 1\ninterfaces:\n  - name: v0\n    mtu: ${value}\n`, /c\.yaml:3:\d+: /, new RegExp(`mtu ${value} is above the most v0 takes \\(65535, the kernel's IFLA_MIN_MTU/IFLA_MAX_MTU for it\\)`));
    }
    refused('version: 1\ninterfaces:\n  - name: v0\n    mtu: 67\n', /c\.yaml:3:\d+: /, /mtu 67 is below the least v0 takes \(68/);
    assert.equal(mtu('v0'), 1500);
  });

  it('the boundary MTUs pass and apply; lo (no maximum) takes a large one', () => {
    applied('version: 1\ninterfaces:\n  - name: v0\n    mtu: 65535\n');
    assert.equal(mtu('v0'), 65535);
    applied('version: 1\ninterfaces:\n  - name: v0\n    mtu: 1280\n  - name: v1\n    mtu: 68\n');
    assert.equal(mtu('v1'), 68);
    applied('version: 1\ninterfaces:\n  - name: lo\n    mtu: 99999999\n');
    assert.equal(mtu('lo'), 99999999);
  });

  it('a MAC of 5 or 8 bytes on a plain device is refused (the 8-byte one would be cut short by the kernel); a 6-byte one applies', () => {
    const was = mac('v0');
    refused('version: 1\ninterfaces:\n  - name: v0\n    mac: "02:00:00:00:01"\n', /c\.yaml:3:\d+: /, /mac "02:00:00:00:01" has 5 bytes; v0 has 6-byte addresses/);
    refused('version: 1\ninterfaces:\n  - name: v0\n    mac: "02:00:00:00:00:01:02:03"\n', /c\.yaml:3:\d+: /, /mac "02:00:00:00:00:01:02:03" has 8 bytes; v0 has 6-byte addresses/);
    assert.equal(mac('v0'), was);
    applied('version: 1\ninterfaces:\n  - name: v0\n    mac: "02:00:00:00:00:0a"\n');
    assert.equal(mac('v0'), '02:00:00:00:00:0a');
  });

  it('a multicast MAC on a plain Ethernet device is refused', () => {
    refused('version: 1\ninterfaces:\n  - name: v1\n    mac: "01:00:5e:00:00:01"\n', /c\.yaml:3:\d+: /, /mac "01:00:5e:00:00:01" is a multicast address/);
  });

  it('validate refuses what the kind alone rules out, at the value', () => {
    const f = tmp.write('v.yaml', 'version: 1\ninterfaces:\n  - name: b0\n    kind: bridge\n    mtu: 70000\n  - name: p0\n    kind: veth\n    veth: { peer: p1 }\n    mac: "02:00:00:00:00:01:02:03"\n');
    const r = netrec(['validate', f]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /v\.yaml:5:10: mtu 70000 is above the most a bridge takes \(65535\)/);
    assert.match(r.stderr, /v\.yaml:9:10: "02:00:00:00:00:01:02:03" has 8 bytes; an Ethernet address has 6/);
  });

  it('a route through a gateway on no connected network is refused with its location; connected and on-link ones apply', () => {
    refused('version: 1\nroutes:\n  - { to: 10.2.0.0/16, via: 198.51.100.1 }\n', /c\.yaml:3:\d+: /, /gateway 198\.51\.100\.1 is not on a network of any interface/);
    refused('version: 1\nroutes:\n  - to: 10.2.0.0/16\n    via: 192.0.2.254\n    dev: v1\n', /c\.yaml:3:\d+: /, /gateway 192\.0\.2\.254 is not on a network of v1/);
    refused('version: 1\nroutes:\n  - to: 10.2.0.0/16\n    nexthops:\n      - { via: 192.0.2.254, dev: v0 }\n      - { via: 203.0.113.1, dev: v0 }\n', /c\.yaml:3:\d+: /, /gateway 203\.0\.113\.1 is not on a network of v0/);
    // Through the present address of v0, an address the same config gives v1, and on-link.
    applied(
      'version: 1\ninterfaces:\n  - name: v1\n    addresses: [198.51.100.2/24]\nroutes:\n  - { to: 10.2.0.0/16, via: 192.0.2.254, dev: v0 }\n' +
        '  - { to: 10.3.0.0/16, via: 198.51.100.1 }\n  - { to: 10.4.0.0/16, via: 203.0.113.1, dev: v0, on-link: true }\n',
    );
    const routes = ns.json('-4', 'route', 'show') as J[];
    assert.ok(routes.some((x) => x.dst === '10.3.0.0/16' && x.gateway === '198.51.100.1' && x.dev === 'v1'));
    assert.ok(routes.some((x) => x.dst === '10.4.0.0/16' && x.gateway === '203.0.113.1' && (x.flags as string[]).includes('onlink')));
  });
});

describe('kernel-known limits: IPv6 floor', () => {
  let ns: Netns;
  let tmp: ReturnType<typeof tempDir>;
  before(() => {
    ns = Netns.create('lim6');
    tmp = tempDir();
    ns.batch(['link add v0 type veth peer name v1', 'addr add 2001:db8::1/64 dev v0 nodad', 'link set v0 up']);
  });
  after(() => {
    ns.destroy();
    tmp.cleanup();
  });

  it('an MTU below 1280 on a device that keeps IPv6 addresses is refused (the kernel would drop them)', () => {
    const f = tmp.write('c.yaml', 'version: 1\ninterfaces:\n  - name: v0\n    mtu: 1200\n');
    const before = fullState(ns);
    const r = netrec(['plan', f, '--netns', ns.name]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /c\.yaml:3:\d+: mtu 1200 is below 1280, the least IPv6 works with, and v0 has IPv6 addresses/);
    assert.deepEqual(fullState(ns), before);
  });
});
