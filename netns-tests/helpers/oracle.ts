// Does the kernel, as `ip -j` reports it, hold what a config declares?
// The config side is read with netrec's loader (that is what is being
// applied); the kernel side only ever comes from ip.
import assert from 'node:assert/strict';
import type { Desired } from '../../src/model/types.js';
import type { Netns } from './netns.js';

type J = Record<string, any>;

const IFA_TABLE_NAMES: Record<string, number> = { main: 254, local: 255, default: 253 };
const tableNum = (t: unknown): number => (t === undefined ? 254 : typeof t === 'number' ? t : (IFA_TABLE_NAMES[t as string] ?? Number(t)));

function canonTo(dst: string, v6: boolean): string {
  if (dst === 'default') return v6 ? '::/0' : '0.0.0.0/0';
  return dst.includes('/') ? dst : `${dst}/${v6 ? 128 : 32}`;
}

export function assertKernelMatches(ns: Netns, desired: Desired): void {
  const links = new Map<string, J>((ns.json('-d', 'link', 'show') as J[]).map((l) => [l.ifname, l]));
  for (const l of desired.state.links) {
    const k = links.get(l.name);
    if (l.state === 'absent') {
      assert.equal(k, undefined, `interface ${l.name} is absent`);
      continue;
    }
    assert.ok(k, `interface ${l.name} exists`);
    if (l.kind !== 'device') assert.equal(k.linkinfo?.info_kind, l.kind, `${l.name} kind`);
    if (l.mtu !== undefined) assert.equal(k.mtu, l.mtu, `${l.name} mtu`);
    if (l.mac !== undefined) assert.equal(k.address, l.mac, `${l.name} mac`);
    assert.equal((k.flags as string[]).includes('UP'), l.state === 'up', `${l.name} admin state`);
    if (l.master !== undefined) assert.equal(k.master, l.master, `${l.name} master`);
    if (l.kind === 'vxlan' && l.options) assert.equal(k.linkinfo.info_data.id, l.options.vni, `${l.name} vni`);
    if (l.kind === 'veth' && l.options) assert.ok(links.has(l.options.peer as string), `${l.name} peer ${l.options.peer}`);
  }
  const addrs = new Map<string, Set<string>>();
  for (const l of ns.json('addr', 'show') as J[]) addrs.set(l.ifname, new Set((l.addr_info as J[]).map((a) => `${a.local}/${a.prefixlen}`)));
  for (const a of desired.state.addresses) {
    const present = addrs.get(a.dev)?.has(a.address) ?? false;
    assert.equal(present, a.state !== 'absent', `address ${a.address} on ${a.dev}`);
  }
  for (const l of desired.state.links) {
    if (!l.addressesAuthoritative) continue;
    const declared = new Set(desired.state.addresses.filter((a) => a.dev === l.name && a.state !== 'absent').map((a) => a.address));
    for (const have of addrs.get(l.name) ?? []) {
      if (have.startsWith('fe80:')) continue;
      assert.ok(declared.has(have), `${l.name} has undeclared address ${have}`);
    }
  }
  const routes = new Map<string, J>();
  for (const [flag, v6] of [['-4', false], ['-6', true]] as const) {
    for (const r of ns.json(flag, 'route', 'show', 'table', 'all') as J[]) {
      routes.set(`${canonTo(r.dst, v6)} ${tableNum(r.table)} ${r.metric ?? 0}`, r);
    }
  }
  for (const r of desired.state.routes) {
    const k = routes.get(`${r.to} ${r.table} ${r.metric}`);
    if (r.state === 'absent') {
      assert.equal(k, undefined, `route ${r.to} table ${r.table} is absent`);
      continue;
    }
    assert.ok(k, `route ${r.to} table ${r.table} metric ${r.metric} exists`);
    assert.equal(k.type ?? 'unicast', r.type, `route ${r.to} type`);
    if (r.via) assert.equal(k.gateway, r.via, `route ${r.to} via`);
    if (r.dev) assert.equal(k.dev, r.dev, `route ${r.to} dev`);
    if (r.nhid !== undefined) assert.equal(k.nhid, r.nhid, `route ${r.to} nexthop`);
    if (r.nexthops) {
      const theirs = (k.nexthops as J[]).map((h) => `${h.gateway} ${h.dev} ${h.weight ?? 1}`).sort();
      const mine = r.nexthops.map((h) => `${h.via} ${h.dev} ${h.weight}`).sort();
      assert.deepEqual(theirs, mine, `route ${r.to} nexthops`);
    }
  }
  const rules = [...(ns.json('-4', 'rule', 'show') as J[]), ...(ns.json('-6', 'rule', 'show') as J[])];
  for (const r of desired.state.rules) {
    const found = rules.some((k) => k.priority === r.priority && (r.action !== 'lookup' || tableNum(k.table) === r.table));
    assert.equal(found, r.state !== 'absent', `rule ${r.priority}`);
  }
  const neigh = ns.json('neigh', 'show') as J[];
  for (const n of desired.state.neighbors) {
    const k = neigh.find((x) => x.dev === n.dev && x.dst === n.address);
    if (n.state === 'absent') assert.equal(k, undefined, `neighbor ${n.address} absent`);
    else {
      assert.ok(k, `neighbor ${n.address} on ${n.dev}`);
      if (n.lladdr) assert.equal(k.lladdr, n.lladdr, `neighbor ${n.address} lladdr`);
    }
  }
  const nexthops = new Map((ns.json('nexthop', 'show') as J[]).map((x) => [x.id as number, x]));
  for (const n of desired.state.nexthops) {
    const k = nexthops.get(n.id);
    if (n.state === 'absent') {
      assert.equal(k, undefined, `nexthop ${n.id} is absent`);
      continue;
    }
    assert.ok(k, `nexthop ${n.id} exists`);
    assert.equal(k.gateway, n.via, `nexthop ${n.id} via`);
    assert.equal(k.dev, n.dev, `nexthop ${n.id} dev`);
    assert.equal('blackhole' in k, n.blackhole === true, `nexthop ${n.id} blackhole`);
    const members = ((k.group ?? undefined) as J[] | undefined)?.map((m) => `${m.id},${m.weight ?? 1}`).sort();
    assert.deepEqual(members, n.group?.map((m) => `${m.id},${m.weight}`).sort(), `nexthop ${n.id} group`);
    assert.equal(k.type === 'resilient', n.resilient === true, `nexthop ${n.id} type`);
    if (n.buckets !== undefined) assert.equal(k.resilient_args.buckets, n.buckets, `nexthop ${n.id} buckets`);
    if (n.idleTimer !== undefined) assert.equal(k.resilient_args.idle_timer, n.idleTimer, `nexthop ${n.id} idle timer`);
  }
}
