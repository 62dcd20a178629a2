// Bad configs: each must fail with a problem at the marked place (‸, right
// before the character meant) whose message says what is wrong, and with no
// other problem unless the case says how many there are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, formatProblem } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import { writeFixtures, yaml } from './helpers.js';

interface Case {
  name: string;
  files: Record<string, string>;
  fragment: string;
  /** Problems in all (default 1). */
  count?: number;
}

const cases: Case[] = [
  {
    name: 'IP settings: a value of the wrong kind',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    ipv4: { rp-filter: ‸lose }') },
    fragment: '"rp-filter" must be one of off, strict, loose (got "lose"); did you mean "loose"?',
  },
  {
    name: 'IP settings: an unknown namespace setting',
    files: { 'a.yaml': yaml('version: 1', 'namespace:', '  ipv4: { ‸rp-filter: strict }') },
    fragment: 'unknown key "rp-filter"',
  },
  {
    name: 'IP settings on an interface declared absent',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    state: absent', '    ‸ipv6: { forwarding: true }') },
    fragment: 'an interface declared absent has no ipv6 settings',
  },
  {
    name: 'IPv6 disabled on an interface that lists IPv6 addresses',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    ipv6: { disable: ‸true }', '    addresses: [2001:db8::1/64]') },
    fragment: 'IPv6 is disabled on this interface',
  },
  {
    name: 'YAML syntax error: bad indentation',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    kind: bridge', '   ‸mtu: 1500') },
    fragment: 'YAML syntax error: bad indentation',
  },
  {
    name: 'YAML syntax error: duplicate key',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    ‸dev: b') },
    fragment: 'duplicate key "dev" (first at line 4, column 5)',
  },
  {
    name: 'JSON syntax error',
    files: { 'a.json': '{\n  "version": 1,\n  "routes": [‸}\n' },
    fragment: 'JSON syntax error',
  },
  {
    name: 'missing version',
    files: { 'a.yaml': yaml('‸interfaces:', '  - name: a') },
    fragment: 'missing required key "version"',
  },
  {
    name: 'wrong version',
    files: { 'a.yaml': yaml('version: ‸2') },
    fragment: '"version" must be 1 (got 2)',
  },
  {
    name: 'empty file',
    files: { 'a.yaml': '‸# nothing here\n' },
    fragment: 'the file is empty',
  },
  {
    name: 'unknown top-level key',
    files: { 'a.yaml': yaml('version: 1', '‸route:', '  - to: default') },
    fragment: 'unknown key "route"; did you mean "routes"?',
  },
  {
    name: 'unknown key in a route, with a suggestion',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    ‸metrc: 5') },
    fragment: 'unknown key "metrc"; did you mean "metric"?',
  },
  {
    name: 'enum typo',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    kind: ‸brige') },
    fragment: 'did you mean "bridge"?',
  },
  {
    name: 'wrong type',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    mtu: ‸big') },
    fragment: '"mtu" must be an integer',
  },
  {
    name: 'bad CIDR',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: ‸10.0.0.300/24', '    dev: a') },
    fragment: 'is not an IPv4 or IPv6 prefix',
  },
  {
    name: 'prefix too long',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: ‸10.0.0.0/33', '    dev: a') },
    fragment: 'prefix length 33 is too long for IPv4',
  },
  {
    name: 'host bits set in a route destination',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - { to: ‸10.0.0.1/8, dev: a }') },
    fragment: 'host bits set; the network is 10.0.0.0/8',
  },
  {
    name: 'host bits set in a rule prefix',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 10', '    from: ‸2001:db8::1/32', '    table: main') },
    fragment: 'the network is 2001:db8::/32',
  },
  {
    name: '16-byte interface name',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: ‸abcdefghijklmnop') },
    fragment: '1..15 bytes',
  },
  {
    name: 'interface name of 8 characters but 16 bytes',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: ‸üüüüüüüü') },
    fragment: 'is 16 bytes long; the kernel allows 1 to 15',
  },
  {
    name: 'interface name ".."',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    dev: ‸..') },
    fragment: '".." is not a valid interface name',
  },
  {
    name: 'interface name with a slash',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: ‸eth0/1') },
    fragment: "without '/', ':', whitespace or control characters",
  },
  {
    name: 'duplicate route across two files',
    files: {
      'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    via: 192.0.2.1'),
      'b.yaml': yaml('version: 1', 'routes:', '  - ‸to: 10.0.0.0/8', '    via: 192.0.2.9', '    table: main'),
    },
    fragment: 'route 10.0.0.0/8 table 254 metric 0 is declared twice (first at ',
  },
  {
    name: 'two IPv6 gateway routes of one identity, whoever owns them (the kernel makes them one ECMP route)',
    files: {
      'a.yaml': yaml('version: 1', 'routes:', '  - { to: "2001:db8::/32", via: "fe80::1", dev: a }', '  - ‸{ to: "2001:db8::/32", via: "fe80::2", dev: a, protocol: static }'),
    },
    fragment: 'route 2001:db8::/32 table 254 metric 1024 is declared twice (first at ',
  },
  {
    name: 'two of netrec\'s own routes under one IPv4 identity on other paths',
    files: {
      'a.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, dev: a }', '  - ‸{ to: 10.0.0.0/8, dev: b }'),
    },
    fragment: 'route 10.0.0.0/8 table 254 metric 0 is declared twice (first at ',
  },
  {
    name: 'a source prefix on an IPv4 route',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, dev: a, from: ‸10.1.0.0/16 }') },
    fragment: 'from (a source prefix) is for IPv6 routes only',
  },
  {
    name: 'a router preference on an IPv4 route',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, dev: a, pref: ‸high }') },
    fragment: 'pref (router preference) is for IPv6 routes only',
  },
  {
    name: 'duplicate interface across two files',
    files: {
      'a.yaml': yaml('version: 1', 'interfaces:', '  - name: br0', '    kind: bridge'),
      'b.yaml': yaml('version: 1', 'interfaces:', '  - ‸name: br0'),
    },
    fragment: 'interface br0 is declared twice (first at ',
  },
  {
    name: 'duplicate address on one interface',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    addresses: [10.0.0.1/24, ‸10.0.0.1/24]') },
    fragment: 'address a 10.0.0.1/24 is declared twice',
  },
  {
    name: 'master that is not declared',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    master: ‸br9') },
    fragment: 'master "br9" is not declared',
  },
  {
    name: 'master that is not a bridge, bond or vrf',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    master: ‸b', '  - name: b') },
    fragment: 'master "b" is kind device',
  },
  {
    name: 'masters in a loop',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - { name: b1, kind: bridge, master: ‸b2 }', '  - { name: b2, kind: bridge, master: b1 }') },
    fragment: 'masters form a loop',
    count: 2,
  },
  {
    name: 'IPv6 via on an IPv4 route',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    via: ‸2001:db8::1') },
    fragment: 'via 2001:db8::1 is IPv6, but this route is IPv4 (to 10.0.0.0/8)',
  },
  {
    name: 'src of the other family',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 2001:db8::/32', '    dev: a', '    src: ‸192.0.2.1') },
    fragment: 'src 192.0.2.1 is IPv4, but this route is IPv6',
  },
  {
    name: 'family key that disagrees',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - family: ipv6', '    to: ‸10.0.0.0/8', '    dev: a') },
    fragment: 'this route is IPv6 (family: ipv6)',
  },
  {
    name: 'rule from and to of different families',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 5', '    from: 10.0.0.0/8', '    to: ‸2001:db8::/32', '    table: main') },
    fragment: 'this rule is IPv4',
  },
  {
    name: 'blackhole default route without family',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - ‸to: default', '    type: blackhole') },
    fragment: 'cannot tell whether this route is IPv4 or IPv6',
  },
  {
    name: 'nexthops with via',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    via: 192.0.2.1', '    ‸nexthops:', '      - { via: 192.0.2.2 }') },
    fragment: 'nexthops excludes via and dev',
  },
  {
    name: 'nexthop with neither via nor dev',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 10.0.0.0/8', '    nexthops:', '      - { dev: a }', '      - ‸{ weight: 2 }') },
    fragment: 'a nexthop needs via or dev',
  },
  {
    name: 'veth peer mismatch',
    files: {
      'a.yaml': yaml('version: 1', 'interfaces:', '  - name: va', '    kind: veth', '    veth: { peer: ‸vb }'),
      'b.yaml': yaml('version: 1', 'interfaces:', '  - name: vb', '    kind: veth', '    veth: { peer: vc }'),
    },
    fragment: 'veth peer "vb" names "vc" as its own peer at ',
  },
  {
    name: 'veth peer declared as another kind',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - { name: va, kind: veth, veth: { peer: ‸vb } }', '  - { name: vb, kind: bridge }') },
    fragment: 'declared as kind bridge',
  },
  {
    name: 'label on an IPv6 address',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: lan0', '    addresses:', '      - address: fd00::1/64', '        label: ‸lan0:v6') },
    fragment: 'label is for IPv4 addresses only',
  },
  {
    name: 'label that does not start with the interface name',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: lan0', '    addresses:', '      - { address: 10.0.0.1/24, label: ‸wan0:1 }') },
    fragment: 'must start with the interface name "lan0"',
  },
  {
    name: 'bad MAC',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    mac: ‸"02:00:00:00:00:zz"') },
    fragment: 'a MAC address is hex bytes',
  },
  {
    name: 'multicast MAC on a virtual interface',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: br0', '    kind: bridge', '    mac: ‸"01:00:5e:00:00:01"') },
    fragment: 'is a multicast address',
  },
  {
    name: 'unknown table name',
    files: { 'a.yaml': yaml('version: 1', 'tables: { wan2: 200 }', 'routes:', '  - to: 10.0.0.0/8', '    dev: a', '    table: ‸wan3') },
    fragment: 'unknown table "wan3"; declare it under tables: or use a number; did you mean "wan2"?',
  },
  {
    name: 'invalid table name in tables:',
    files: { 'a.yaml': yaml('version: 1', 'tables:', '  ‸2wan: 200') },
    fragment: 'invalid name "2wan"',
  },
  {
    name: 'built-in table name redeclared',
    files: { 'a.yaml': yaml('version: 1', 'tables:', '  ‸main: 5') },
    fragment: '"main" is a built-in table',
  },
  {
    name: 'table name declared with two numbers in two files',
    files: { 'a.yaml': yaml('version: 1', 'tables: { wan2: 200 }'), 'b.yaml': yaml('version: 1', 'tables:', '  ‸wan2: 201') },
    fragment: 'table "wan2" is already declared as 200 at ',
  },
  {
    name: 'one table number with two names',
    files: { 'a.yaml': yaml('version: 1', 'tables:', '  isp: 100', '  ‸uplink: 100') },
    fragment: 'table 100 is already named "isp"',
  },
  {
    name: 'policy set differently in two files',
    files: { 'a.yaml': yaml('version: 1', 'policy: { prune: false }'), 'b.yaml': yaml('version: 1', 'policy:', '  prune: ‸true') },
    fragment: 'policy prune is already false at ',
  },
  {
    name: "policy protocol that is the kernel's",
    files: { 'a.yaml': yaml('version: 1', 'policy:', '  protocol: ‸kernel') },
    fragment: 'the kernel and iproute2 use',
  },
  {
    name: 'rule lookup without table',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - ‸priority: 100', '    from: 10.0.0.0/8') },
    fragment: 'action lookup needs a table',
  },
  {
    name: 'rule with table and another action',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    from: 10.0.0.0/8', '    action: prohibit', '    table: ‸100') },
    fragment: 'table goes with action lookup only',
  },
  {
    name: 'rule uidrange backwards',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    uidrange: ‸2000-1000', '    table: 5') },
    fragment: 'uidrange "2000-1000" must be N or N-M',
  },
  {
    name: 'rule ipproto unknown',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    ipproto: ‸tcpp', '    table: 5') },
    fragment: 'unknown ipproto "tcpp"',
  },
  {
    name: 'rule port range backwards',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    sport: ‸2000-1000', '    table: 5') },
    fragment: 'sport "2000-1000" must be N or N-M',
  },
  {
    name: 'rule goto without its target',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    action: ‸goto') },
    fragment: 'action goto needs `goto: PRIORITY`',
  },
  {
    name: 'rule goto backwards',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    goto: ‸50') },
    fragment: 'goto 50 must be after',
  },
  {
    name: 'rule l3mdev with a table',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    l3mdev: true', '    table: ‸5') },
    fragment: 'l3mdev looks up the table of the L3 master device',
  },
  {
    name: 'rule tos and dscp together',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    tos: 0x10', '    dscp: ‸4', '    table: 5') },
    fragment: 'dscp and tos exclude each other',
  },
  {
    name: 'rule attribute payload that is not hex',
    files: { 'a.yaml': yaml('version: 1', 'rules:', '  - priority: 100', '    family: ipv4', '    table: 5', '    attributes: { "11": ‸xyz }') },
    fragment: '11',
  },
  {
    name: 'kind vlan without its options',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - ‸name: v10', '    kind: vlan') },
    fragment: 'kind vlan needs vlan: { link: NAME, id: N }',
  },
  {
    name: 'options of another kind',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: v0', '    kind: veth', '    veth: { peer: v1 }', '    ‸bridge: { stp: true }') },
    fragment: 'bridge options need kind: bridge (this interface is kind veth)',
  },
  {
    name: 'vxlan local and remote of different families',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: vx0', '    kind: vxlan', '    vxlan: { vni: 5, local: 192.0.2.1, remote: ‸"2001:db8::2" }') },
    fragment: 'remote 2001:db8::2 is IPv6, but this vxlan is IPv4',
  },
  {
    name: 'preferred lifetime longer than the valid one',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: a', '    addresses:', '      - { address: 10.0.0.1/24, valid-lifetime: 100, preferred-lifetime: ‸200 }') },
    fragment: 'preferred-lifetime 200 is longer than valid-lifetime 100',
  },
  {
    name: 'an absent interface with addresses',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - name: old0', '    state: absent', '    ‸addresses: [10.0.0.1/24]') },
    fragment: 'an interface declared absent cannot have addresses',
  },
  {
    name: 'route over an interface declared absent',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - { name: old0, state: absent }', 'routes:', '  - ‸to: 10.0.0.0/8', '    dev: old0') },
    fragment: '"old0" is declared absent',
  },
  {
    name: 'unicast route with nowhere to go',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - ‸to: 10.0.0.0/8', '    metric: 5') },
    fragment: 'a unicast route needs via, dev, nexthops or nexthop',
  },
  {
    name: 'tos on an IPv6 route',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - to: 2001:db8::/32', '    dev: a', '    tos: ‸4') },
    fragment: 'tos is for IPv4 routes only',
  },
  {
    name: 'neighbor without lladdr',
    files: { 'a.yaml': yaml('version: 1', 'neighbors:', '  - ‸dev: a', '    address: 10.0.0.5') },
    fragment: 'a neighbor needs lladdr',
  },
  {
    name: 'neighbor in a learned state',
    files: { 'a.yaml': yaml('version: 1', 'neighbors:', '  - dev: a', '    address: 10.0.0.5', '    lladdr: "02:00:00:00:00:05"', '    state: ‸stale') },
    fragment: 'state stale is one the kernel learns',
  },
  {
    name: 'neighbor address with a prefix length',
    files: { 'a.yaml': yaml('version: 1', 'neighbors:', '  - dev: a', '    address: ‸10.0.0.5/32', '    lladdr: "02:00:00:00:00:05"') },
    fragment: 'must be an address without prefix length',
  },
  {
    name: 'a veth that is its own peer',
    files: { 'a.yaml': yaml('version: 1', 'interfaces:', '  - { name: v0, kind: veth, veth: { peer: ‸v0 } }') },
    fragment: 'a veth cannot be its own peer',
  },
  {
    name: 'a blackhole nexthop with a gateway',
    files: { 'a.yaml': yaml('version: 1', 'nexthops:', '  - { id: 1, ‸blackhole: true, via: 10.0.0.1 }') },
    fragment: 'a blackhole nexthop takes no via, dev, on-link or fdb',
  },
  {
    name: 'a nexthop group with a gateway of its own',
    files: { 'a.yaml': yaml('version: 1', 'nexthops:', '  - { id: 10, ‸group: [{ id: 1 }], via: 10.0.0.1 }') },
    fragment: 'a group excludes via, dev, on-link, blackhole and fdb',
  },
  {
    name: 'a group member weight above 256',
    files: { 'a.yaml': yaml('version: 1', 'nexthops:', '  - { id: 10, group: [{ id: 1, weight: ‸300 }] }') },
    fragment: 'must be between 1 and 256 (got 300)',
  },
  {
    name: 'a group member listed twice',
    files: { 'a.yaml': yaml('version: 1', 'nexthops:', '  - { id: 10, group: [{ id: 1 }, { id: ‸1 }] }') },
    fragment: 'member 1 is listed twice',
  },
  {
    name: 'a single nexthop without a device',
    files: { 'a.yaml': yaml('version: 1', 'nexthops:', '  - ‸{ id: 1, via: 10.0.0.1 }') },
    fragment: 'a nexthop needs dev (with or without via), blackhole: true, or a group',
  },
  {
    name: 'resilient on a single nexthop',
    files: { 'a.yaml': yaml('version: 1', 'nexthops:', '  - { id: 1, dev: a, ‸resilient: { buckets: 8 } }') },
    fragment: 'resilient is for groups only',
  },
  {
    name: 'a nexthop id declared twice',
    files: { 'a.yaml': yaml('version: 1', 'nexthops:', '  - { id: 1, dev: a }', '  - ‸{ id: 1, dev: b }') },
    fragment: 'nexthop 1 is declared twice (first at',
  },
  {
    name: 'a route through a nexthop object with a gateway too',
    files: { 'a.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, ‸nexthop: 10, via: 10.0.0.1 }') },
    fragment: 'nexthop (a nexthop object) excludes via, dev and nexthops',
  },
  {
    name: 'a problem in a directory member',
    files: { 'conf.d/10-base.yaml': yaml('version: 1'), 'conf.d/20-routes.yml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, via: ‸10.0.0.256 }') },
    fragment: 'is not an IPv4 or IPv6 address',
  },
];

/** What is wrong with how `c` fails, or undefined when it fails as it should. */
function check(c: Case): string | undefined {
  const { dir, paths, spot } = writeFixtures(c.files);
  if (!spot) return 'the fixture has no mark';
  const args = Object.keys(c.files).some((f) => f.includes('/')) ? [`${dir}/conf.d`] : paths;
  let error: unknown;
  try {
    loadConfig(args);
  } catch (e) {
    error = e;
  }
  if (!(error instanceof ConfigError)) return `expected a ConfigError, got ${String(error)}`;
  const text = error.problems.map(formatProblem).join('\n');
  const hit = error.problems.find((p) => p.file === spot.file && p.line === spot.line && p.col === spot.col);
  if (!hit) return `nothing reported at ${spot.line}:${spot.col}; got:\n${text}`;
  if (!hit.message.includes(c.fragment)) return `"${hit.message}" does not say "${c.fragment}"`;
  if (error.problems.length !== (c.count ?? 1)) return `${error.problems.length} problems:\n${text}`;
  if (!error.message.split('\n').includes(formatProblem(hit))) return 'the message does not list FILE:LINE:COL: message lines';
  return undefined;
}

test(`${cases.length} bad configs fail at the marked place`, () => {
  assert.ok(cases.length >= 30);
  const failures = cases.map((c) => [c.name, check(c)]).filter(([, why]) => why !== undefined);
  assert.deepEqual(failures, []);
});

test('duplicates name both places', () => {
  const { paths } = writeFixtures({
    'a.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, dev: a }'),
    'b.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.0/8, dev: b }'),
  });
  assert.throws(
    () => loadConfig(paths),
    (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.message === `${paths[1]}:3:5: route 10.0.0.0/8 table 254 metric 0 is declared twice (first at ${paths[0]}:3:5)`,
  );
});

test('every problem is reported at once, in file and line order', () => {
  const { paths } = writeFixtures({
    'a.yaml': yaml('version: 1', 'routes:', '  - { to: 10.0.0.1/8, dev: a }', '  - { to: default, type: blackhole }', 'interfaces:', '  - name: abcdefghijklmnopq'),
    'b.yaml': yaml('version: 3', 'rules:', '  - priority: 1', '    from: 10.0.0.0/8'),
  });
  try {
    loadConfig(paths);
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(
      e.problems.map((p) => [p.file === paths[0] ? 'a' : 'b', p.line]),
      [['a', 3], ['a', 4], ['a', 6], ['b', 1], ['b', 3]],
    );
  }
});

test('missing files and empty directories are problems too', () => {
  const { dir } = writeFixtures({ 'notes.txt': 'not a config' });
  try {
    loadConfig([`${dir}/nope.yaml`, dir]);
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /nope\.yaml:1:1: cannot read: no such file or directory/);
    assert.match(e.message, /:1:1: the directory has no \*\.yaml, \*\.yml or \*\.json files/);
  }
});
