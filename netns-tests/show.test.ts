// `netrec show` against `ip -j` for a namespace built with ip commands: the
// oracle is ip's own JSON, compared field by field, never re-implemented.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Netns, netrec } from './helpers/netns.js';

type J = Record<string, any>;

const TABLES: Record<string, number> = { main: 254, local: 255, default: 253 };
const tableNum = (t: unknown): number => (t === undefined ? 254 : typeof t === 'number' ? t : (TABLES[t as string] ?? Number(t)));
const PROTOS: Record<string, number> = { kernel: 2, boot: 3, static: 4, ra: 9, dhcp: 16 };
const protoNum = (p: unknown): number => (typeof p === 'number' ? p : (PROTOS[p as string] ?? Number(p)));
const canonTo = (dst: string, family: string): string =>
  dst === 'default' ? (family === 'inet6' ? '::/0' : '0.0.0.0/0') : dst.includes('/') ? dst : `${dst}/${family === 'inet6' ? 128 : 32}`;
const addrText = (a: string | J): string => (typeof a === 'string' ? a : (a.address as string));

function show(ns: Netns, ...extra: string[]): J {
  const r = netrec(['show', '--netns', ns.name, '-o', 'json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as J;
}

describe('netrec show agrees with ip -j', () => {
  let ns: Netns;
  let doc: J;

  before(() => {
    ns = Netns.create('show');
    ns.batch([
      'link add br0 type bridge stp_state 0 forward_delay 1000',
      'link add v0 type veth peer name v0p',
      'link set v0 master br0',
      'link add v1 type veth peer name v1p',
      'link set v1 mtu 1400',
      'link set v1 address 02:00:00:00:01:01',
      'link add mv0 link v1 type macvlan mode bridge',
      'link add vx0 type vxlan id 42 local 10.9.0.1 remote 10.9.0.2 dstport 4789 dev v1 ttl 16',
      'link set br0 up', 'link set v0 up', 'link set v0p up', 'link set v1 up', 'link set v1p up', 'link set mv0 up', 'link set vx0 up',
      'addr add 192.0.2.1/24 dev v1 label v1:main',
      'addr add 192.0.2.9/24 dev v1 label v1:sec',
      'addr add 198.51.100.1/24 dev br0 valid_lft 3000 preferred_lft 2000',
      'addr add 2001:db8:1::1/64 dev v1 nodad',
      'addr add 2001:db8:2::1/64 dev br0 noprefixroute nodad',
      'addr add 10.9.0.1/24 dev v1',
      'route add 203.0.113.0/24 via 192.0.2.254 dev v1 metric 100 mtu 1300',
      'route add 203.0.114.0/24 via 192.0.2.254 dev v1 src 192.0.2.1',
      'route add 100.64.0.0/16 via 172.31.0.1 dev v1 onlink',
      'route add blackhole 10.66.0.0/16',
      'route add unreachable 10.67.0.0/16 metric 5',
      'route add prohibit 10.68.0.0/16 table 100',
      'route add 10.70.0.0/16 via 192.0.2.254 dev v1 table 1000',
      'route add 10.80.0.0/16 proto static nexthop via 192.0.2.250 dev v1 weight 1 nexthop via 198.51.100.250 dev br0 weight 3',
      'route add 2001:db8:100::/48 via 2001:db8:1::fe dev v1 metric 200',
      'route add 2001:db8:200::/48 nexthop via 2001:db8:1::fe dev v1 weight 2 nexthop via 2001:db8:1::fd dev v1 weight 5',
      'route add blackhole 2001:db8:300::/48 table 300',
      'rule add priority 1000 from 192.0.2.0/24 table 100',
      'rule add priority 1001 to 10.0.0.0/8 fwmark 0x10/0xff table 1000',
      'rule add priority 1002 iif v1 table 100',
      'rule add priority 1004 blackhole',
      'neigh add 192.0.2.77 lladdr 02:00:00:00:07:07 dev v1 nud permanent',
      'neigh add 2001:db8:1::77 lladdr 02:00:00:00:07:08 dev v1 nud permanent',
    ]);
    ns.ip('-6', 'rule', 'add', 'priority', '1003', 'from', '2001:db8::/32', 'table', '300');
    doc = show(ns, '--all');
  });
  after(() => ns.destroy());

  it('links: kind, state, mtu, mac, master and kind options', () => {
    const links = ns.json('-d', 'link', 'show');
    const byName = new Map<string, J>((doc.interfaces as J[]).map((i) => [i.name, i]));
    for (const l of links as J[]) {
      const ours = byName.get(l.ifname);
      assert.ok(ours, `interface ${l.ifname} shown`);
      assert.equal(ours.mtu ?? 1500, l.mtu, `${l.ifname} mtu`);
      if (l.ifname !== 'lo') assert.equal(ours.mac, l.address, `${l.ifname} mac`);
      assert.equal(ours.state ?? 'up', (l.flags as string[]).includes('UP') ? 'up' : 'down', `${l.ifname} state`);
      assert.equal(ours.master, l.master, `${l.ifname} master`);
      const kind = l.linkinfo?.info_kind ?? 'device';
      assert.equal(ours.kind ?? 'device', ['veth', 'bridge', 'vxlan', 'macvlan'].includes(kind) || kind === 'device' ? kind : 'device', `${l.ifname} kind`);
      const data = l.linkinfo?.info_data ?? {};
      if (kind === 'bridge') {
        assert.equal(ours.bridge['stp'], data.stp_state !== 0);
        assert.equal(ours.bridge['forward-delay'], Math.round(data.forward_delay / 100));
        assert.equal(ours.bridge['priority'], data.priority);
      }
      if (kind === 'vxlan') {
        assert.equal(ours.vxlan.vni, data.id);
        assert.equal(ours.vxlan.local, data.local);
        assert.equal(ours.vxlan.remote, data.remote);
        assert.equal(ours.vxlan.port, data.port);
        assert.equal(ours.vxlan.ttl, data.ttl);
        assert.equal(ours.vxlan.link, 'v1');
      }
      if (kind === 'macvlan') {
        assert.equal(ours.macvlan.mode, data.mode);
        assert.equal(ours.macvlan.link, l.link);
      }
      if (kind === 'veth') {
        assert.equal(ours.veth.peer, l.link, `${l.ifname} veth peer`);
      }
    }
    assert.equal(byName.size, (links as J[]).length, 'no interface invented');
  });

  it('addresses: prefix, label, lifetimes, noprefixroute', () => {
    for (const l of ns.json('addr', 'show') as J[]) {
      const ours = (doc.interfaces as J[]).find((i) => i.name === l.ifname)!;
      const shown = (ours.addresses ?? []) as (string | J)[];
      for (const a of l.addr_info as J[]) {
        const text = `${a.local}/${a.prefixlen}`;
        const entry = shown.find((s) => addrText(s) === text);
        assert.ok(entry, `${l.ifname} ${text} shown`);
        const e: J = typeof entry === 'string' ? {} : entry;
        if (a.label && a.label !== l.ifname) assert.equal(e.label, a.label, `${text} label`);
        assert.equal(Boolean(e.noprefixroute), Boolean(a.noprefixroute), `${text} noprefixroute`);
        if (a.valid_life_time !== 4294967295) {
          assert.ok(typeof e['valid-lifetime'] === 'number' && Math.abs(e['valid-lifetime'] - a.valid_life_time) <= 5, `${text} valid lifetime`);
        } else assert.ok(e['valid-lifetime'] === undefined || e['valid-lifetime'] === 'forever');
      }
      assert.equal(shown.length, (l.addr_info as J[]).length, `${l.ifname}: no address invented`);
    }
  });

  it('routes in every table, both families: type, via, dev, metric, src, mtu, onlink, multipath weights, protocol', () => {
    const routes = doc.routes as J[];
    let compared = 0;
    for (const family of ['inet', 'inet6']) {
      for (const r of ns.json(family === 'inet' ? '-4' : '-6', 'route', 'show', 'table', 'all') as J[]) {
        if (r.type === 'multicast' || (family === 'inet6' && r.dst?.startsWith('ff00'))) continue;
        const to = canonTo(r.dst, family);
        const table = tableNum(r.table);
        const metric = r.metric ?? 0;
        // As iproute2: local, broadcast, anycast and nat routes default to table local.
        const routeTable = (x: J): number => (x.table === undefined && ['local', 'broadcast', 'anycast', 'nat'].includes(x.type) ? 255 : tableNum(x.table));
        // IPv6 keeps one prefix route per device (fe80::/64 on each): prefer the same device.
        // The kernel's own IPv6 local-table routes carry metric 0, which the config format
        // reads as 1024 (contract section 3); they are kernel-made and never planned.
        const metricOk = (x: J): boolean => (family === 'inet6' && table === 255) || (x.metric ?? (family === 'inet6' ? 1024 : 0)) === metric;
        const candidates = routes.filter((x) => canonTo(x.to, family) === to && routeTable(x) === table && metricOk(x));
        const ours = candidates.find((x) => x.dev === r.dev) ?? candidates[0];
        assert.ok(ours, `route ${to} table ${table} metric ${metric} shown`);
        assert.equal(ours.type ?? 'unicast', r.type ?? 'unicast', `${to} type`);
        assert.equal(ours.via, r.gateway, `${to} via`);
        if (!r.nexthops) assert.equal(ours.dev, r.dev, `${to} dev`);
        assert.equal(ours.src, r.prefsrc, `${to} src`);
        assert.equal(protoNum(ours.protocol ?? 'kernel'), protoNum(r.protocol ?? 'boot'), `${to} protocol`);
        const mtu = (r.metrics as J[] | undefined)?.find((m) => m.mtu !== undefined)?.mtu;
        assert.equal(ours.mtu, mtu, `${to} mtu`);
        assert.equal(Boolean(ours['on-link']), (r.flags as string[]).includes('onlink'), `${to} onlink`);
        if (r.nexthops) {
          const theirs = (r.nexthops as J[]).map((h) => `${h.gateway} ${h.dev} ${h.weight ?? 1}`).sort();
          const mine = (ours.nexthops as J[]).map((h) => `${h.via} ${h.dev} ${h.weight ?? 1}`).sort();
          assert.deepEqual(mine, theirs, `${to} nexthops`);
        }
        compared++;
      }
    }
    assert.ok(compared >= 15, `compared ${compared} routes`);
  });

  it('rules of both families: selectors, table, action', () => {
    const rules = doc.rules as J[];
    let n = 0;
    for (const fam of ['-4', '-6']) {
      for (const r of ns.json(fam, 'rule', 'show') as J[]) {
        const family = fam === '-4' ? 'ipv4' : 'ipv6';
        const familyOf = (x: J): string | undefined => x.family ?? (x.from ?? x.to ? (String(x.from ?? x.to).includes(':') ? 'ipv6' : 'ipv4') : undefined);
        const ours = rules.find((x) => x.priority === r.priority && familyOf(x) === family);
        assert.ok(ours, `rule ${fam} ${r.priority} shown`);
        const from = r.src === 'all' || r.src === undefined ? undefined : r.srclen !== undefined ? `${r.src}/${r.srclen}` : r.src;
        assert.equal(ours.from, from, `rule ${r.priority} from`);
        const to = r.dst === undefined ? undefined : r.dstlen !== undefined ? `${r.dst}/${r.dstlen}` : r.dst;
        assert.equal(ours.to, to, `rule ${r.priority} to`);
        assert.equal(ours.iif, r.iif, `rule ${r.priority} iif`);
        if (r.fwmark) assert.equal(String(ours.fwmark).toLowerCase(), `${r.fwmark}${r.fwmask ? '/' + r.fwmask : ''}`.toLowerCase(), `rule ${r.priority} fwmark`);
        const action = r.action === undefined ? 'lookup' : r.action;
        assert.equal(ours.action ?? 'lookup', action, `rule ${r.priority} action`);
        if (action === 'lookup') assert.equal(tableNum(ours.table), tableNum(r.table), `rule ${r.priority} table`);
        n++;
      }
    }
    assert.ok(n >= 8);
  });

  it('permanent neighbors with lladdr', () => {
    const shown = doc.neighbors as J[];
    const perm = (ns.json('neigh', 'show') as J[]).filter((x) => (x.state as string[]).includes('PERMANENT'));
    assert.equal(perm.length, 2);
    for (const x of perm) {
      const ours = shown.find((n) => n.dev === x.dev && n.address === x.dst);
      assert.ok(ours, `neighbor ${x.dst} shown`);
      assert.equal(ours.lladdr, x.lladdr);
    }
  });

  it('without --all leaves out what the kernel made and the local table', () => {
    const plain = show(ns);
    for (const r of plain.routes as J[]) {
      assert.notEqual(tableNum(r.table), 255, 'no local-table route');
      assert.notEqual(protoNum(r.protocol ?? 'x'), 2, 'no proto kernel route');
    }
    const prios = (plain.rules as J[] ?? []).map((r) => r.priority);
    assert.ok(!prios.includes(32766) && !prios.includes(0), 'default rules left out');
    for (const i of plain.interfaces as J[]) for (const a of (i.addresses ?? []) as (string | J)[]) assert.ok(!addrText(a).startsWith('fe80:'), 'no link-local');
  });
});

describe('netrec show errors', () => {
  it('a namespace that does not exist: one line, exit 1', () => {
    const r = netrec(['show', '--netns', 'netrec-does-not-exist']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /netrec-does-not-exist.*does not exist/);
  });

  it('an unprivileged user entering a namespace: one clear line, exit 1', { skip: process.getuid?.() !== 0 || process.env.NETREC_TEST_UNPRIVILEGED ? 'needs real root to switch to an unprivileged user' : false }, () => {
    const ns = Netns.create('perm');
    try {
      const r = netrec(['show', '--netns', ns.name], { uid: 65534, gid: 65534 });
      assert.equal(r.status, 1);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /not permitted|root/i);
    } finally {
      ns.destroy();
    }
  });
});

describe('netrec show under churn', () => {
  it('10,000 routes and 200 interfaces read completely while another process adds and deletes routes', async () => {
    const ns = Netns.create('churn');
    try {
      const setup: string[] = [];
      for (let i = 0; i < 100; i++) setup.push(`link add c${i} type veth peer name d${i}`, `link set c${i} up`, `link set d${i} up`);
      setup.push('addr add 10.90.0.1/16 dev c0');
      for (let i = 0; i < 10_000; i++) setup.push(`route add 10.${100 + (i >> 8)}.${i & 255}.0/24 via 10.90.0.254`);
      ns.batch(setup);
      // Churn: bounded in count, inside the namespace only.
      const churn: string[] = [];
      for (let round = 0; round < 20; round++) {
        for (let i = 0; i < 1000; i++) churn.push(`route add 172.${16 + (i >> 8)}.${i & 255}.0/24 via 10.90.0.254`);
        for (let i = 0; i < 1000; i++) churn.push(`route del 172.${16 + (i >> 8)}.${i & 255}.0/24`);
      }
      const { spawn } = await import('node:child_process');
      const p = spawn('ip', ['-n', ns.name, '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
      p.stdin.end(churn.join('\n') + '\n');
      const done = new Promise((r) => p.once('close', r));
      let reads = 0;
      while (p.exitCode === null && reads < 20) {
        const r = netrec(['show', '--netns', ns.name, '-o', 'json']);
        assert.equal(r.status, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as J;
        const stable = (doc.routes as J[]).filter((x) => /^10\.(1\d\d|2\d\d)\./.test(x.to));
        assert.equal(stable.length, 10_000, 'every stable route, every time');
        assert.equal((doc.interfaces as J[]).length, 201, '200 veths and lo');
        reads++;
      }
      await done;
      assert.ok(reads >= 2, `read ${reads} times during the churn`);
    } finally {
      ns.destroy();
    }
  });
});
