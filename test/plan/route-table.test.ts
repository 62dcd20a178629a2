// Routes by identity: destination, table, metric and tos.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Route } from '../../src/model/types.js';
import { RouteTable } from '../../src/plan/route-table.js';
import { route } from './fixtures.js';

test('routes sharing a destination are told apart by table, metric and tos', () => {
  const t = new RouteTable();
  const main = route('10.0.0.0/8');
  const other = route('10.0.0.0/8', { table: 100 });
  const metric = route('10.0.0.0/8', { metric: 5 });
  const tos = route('10.0.0.0/8', { tos: 4 });
  for (const r of [main, other, metric, tos]) t.add(r);
  assert.equal(t.get(route('10.0.0.0/8', { table: 100 })), other);
  assert.equal(t.get(route('10.0.0.0/8', { metric: 5 })), metric);
  assert.equal(t.get(route('10.0.0.0/8', { tos: 4 })), tos);
  assert.equal(t.get(route('10.0.0.0/8', { table: 101 })), undefined);
  assert.equal(t.get(route('10.0.0.0/9')), undefined);

  const replaced = route('10.0.0.0/8', { table: 100, dev: 'eth0' });
  t.replace(other, replaced);
  assert.equal(t.get(other), replaced);
  assert.equal([...t.values()].length, 4);

  assert.equal(t.delete(route('10.0.0.0/8')), main);
  assert.equal(t.delete(main), undefined);
  assert.equal(t.delete(metric), metric);
  assert.equal(t.delete(tos), tos);
  assert.deepEqual([...t.values()], [replaced]);
  assert.equal(t.has(other), true);
  assert.equal(t.delete(other), replaced);
  assert.deepEqual([...t.values()], []);
});

test('several routes under one IPv4 identity (ip route append) are all kept, and each is removed by itself', () => {
  const t = new RouteTable();
  const a = route('10.0.0.0/8', { dev: 'a', protocol: 4 });
  const b = route('10.0.0.0/8', { dev: 'b' });
  t.add(a);
  t.add(b);
  assert.deepEqual(t.twinsOf(route('10.0.0.0/8')), [a, b]);
  const sa = t.slotOf(a);
  assert.ok(t.twinned(sa) && t.crowded(sa) && t.firstOfLeaf(sa));
  assert.equal(t.nextTwin(sa), t.slotOf(a) + 1);
  assert.equal(t.firstOfLeaf(t.nextTwin(sa)), false);
  assert.equal(t.remove(b), b);
  assert.deepEqual(t.values(), [a]);
  assert.equal(t.crowded(sa), false);
});

test('IPv6 routes without gateway are told apart by device and source prefix; gateway routes are not', () => {
  const t = new RouteTable();
  const va = route('2001:db8::/64', { family: 'ipv6', metric: 1024, dev: 'va' });
  const vb = route('2001:db8::/64', { family: 'ipv6', metric: 1024, dev: 'vb' });
  const from = route('2001:db8::/64', { family: 'ipv6', metric: 1024, dev: 'va', from: '2001:db8:1::/48' });
  for (const r of [va, vb, from]) t.add(r);
  assert.equal(t.get(route('2001:db8::/64', { family: 'ipv6', metric: 1024, dev: 'vb' })), vb);
  assert.equal(t.get(route('2001:db8::/64', { family: 'ipv6', metric: 1024, dev: 'va', from: '2001:db8:1::/48' })), from);
  const sa = t.slotOf(va);
  assert.equal(t.twinned(sa), false);
  assert.equal(t.crowded(sa), true, 'va and vb share the kernel list: a replace could take either');
  const gw1 = route('2001:db8:5::/64', { family: 'ipv6', metric: 1024, via: 'fe80::1', dev: 'va' });
  const gw2 = route('2001:db8:5::/64', { family: 'ipv6', metric: 1024, via: 'fe80::2', dev: 'vb' });
  t.add(gw1);
  t.add(gw2);
  assert.deepEqual(t.twinsOf(gw2), [gw1, gw2]);
});

/** Route identity as contract section 3 words it, written independently of RouteTable. */
function sameIdentity(a: Route, b: Route): boolean {
  const keyDev = (r: Route) => (r.family === 'ipv6' && r.type === 'unicast' && r.via === undefined && r.nexthops === undefined && r.nhid === undefined ? r.dev : undefined);
  return a.to === b.to && a.table === b.table && a.metric === b.metric && a.tos === b.tos && a.from === b.from && keyDev(a) === keyDev(b);
}

/** The table as a map of destinations to lists: what RouteTable must behave like, order included. */
class ListTable {
  readonly byDestination = new Map<string, Route[]>();
  get(id: Route): Route | undefined {
    return this.byDestination.get(id.to)?.find((r) => sameIdentity(r, id));
  }
  twins(id: Route): Route[] {
    return (this.byDestination.get(id.to) ?? []).filter((r) => sameIdentity(r, id));
  }
  add(r: Route): void {
    const list = this.byDestination.get(r.to);
    if (list === undefined) this.byDestination.set(r.to, [r]);
    else list.push(r);
  }
  remove(r: Route): Route | undefined {
    const list = this.byDestination.get(r.to);
    const i = list?.indexOf(r) ?? -1;
    if (i < 0) return undefined;
    const [gone] = list!.splice(i, 1);
    if (list!.length === 0) this.byDestination.delete(r.to);
    return gone;
  }
  values(): Route[] {
    return [...this.byDestination.values()].flat();
  }
}

/** The same objects in the same order (equal copies would hide a replacement that did not happen). */
function sameObjects(got: Route[], want: Route[]): void {
  assert.equal(got.length, want.length);
  got.forEach((r, i) => assert.equal(r, want[i]));
}

test('slots: lookups, twins, removals and the walk order agree with a map of lists', () => {
  const someRoute = fc
    .record({
      // IPv4 prefixes sharing an address or a length, the extremes, IPv6, and text that is not canonical IPv4.
      to: fc.constantFrom('10.0.0.0/8', '10.0.0.0/9', '11.0.0.0/8', '0.0.0.0/0', '255.255.255.255/32', '128.0.0.0/1', '::/0', '10::/8', '010.0.0.0/8', '10.0.0.0/08'),
      table: fc.constantFrom(254, 100),
      metric: fc.constantFrom(0, 5),
      dev: fc.constantFrom('a', 'b'),
      via: fc.constantFrom(undefined, 'gw'),
      from: fc.constantFrom(undefined, 'x/1'),
    })
    .map(({ to, via, from, ...extra }) => {
      const r = route(to, { ...extra, family: to.includes(':') ? 'ipv6' : 'ipv4' });
      if (via !== undefined) r.via = via;
      if (from !== undefined && r.family === 'ipv6') r.from = from;
      return r;
    });
  const op = fc.tuple(fc.constantFrom('add' as const, 'remove' as const), someRoute, fc.nat(40));
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const t = new RouteTable();
      const want = new ListTable();
      for (const [kind, fresh, pick] of ops) {
        let r = fresh;
        if (kind === 'add') {
          t.add(r);
          want.add(r);
        } else {
          // Remove an existing route half of the time, else one that is not there.
          const all = want.values();
          if (all.length > 0 && pick % 2 === 0) r = all[pick % all.length]!;
          assert.equal(t.remove(r), want.remove(r));
        }
        assert.equal(t.get(r), want.get(r));
        sameObjects(t.twinsOf(r), want.twins(r));
        const slot = t.slotOf(r);
        assert.equal(slot < 0 ? undefined : t.at(slot), want.get(r));
        // A hint, right or wrong, in range or not, finds a route of the identity (the first, unless the route has twins).
        for (let hint = -1; hint <= t.slotCount; hint++) {
          const s = t.slotOf(r, hint);
          if (slot < 0 || !t.twinned(slot)) assert.equal(s, slot);
          else assert.ok(want.twins(r).includes(t.at(s)!));
        }
        sameObjects(t.values(), want.values());
        const walked: Route[] = [];
        t.forEach((x, s) => {
          assert.equal(t.at(s), x);
          assert.ok(s < t.slotCount);
          walked.push(x);
        });
        sameObjects(walked, want.values());
      }
    }),
    { numRuns: 2000 },
  );
});
