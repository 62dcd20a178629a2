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
  for (const r of [main, other, metric, tos]) t.set(r);
  assert.equal(t.get(route('10.0.0.0/8', { table: 100 })), other);
  assert.equal(t.get(route('10.0.0.0/8', { metric: 5 })), metric);
  assert.equal(t.get(route('10.0.0.0/8', { tos: 4 })), tos);
  assert.equal(t.get(route('10.0.0.0/8', { table: 101 })), undefined);
  assert.equal(t.get(route('10.0.0.0/9')), undefined);

  const replaced = route('10.0.0.0/8', { table: 100, dev: 'eth0' });
  t.set(replaced);
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

/** The table as a map of destinations to lists: what RouteTable must behave like, order included. */
class ListTable {
  readonly byDestination = new Map<string, Route[]>();
  private find(id: Route): [Route[] | undefined, number] {
    const list = this.byDestination.get(id.to);
    return [list, list?.findIndex((r) => r.table === id.table && r.metric === id.metric && r.tos === id.tos) ?? -1];
  }
  get(id: Route): Route | undefined {
    const [list, i] = this.find(id);
    return i >= 0 ? list![i] : undefined;
  }
  set(r: Route): void {
    const [list, i] = this.find(r);
    if (list === undefined) this.byDestination.set(r.to, [r]);
    else if (i >= 0) list[i] = r;
    else list.push(r);
  }
  delete(id: Route): Route | undefined {
    const [list, i] = this.find(id);
    if (i < 0) return undefined;
    const [gone] = list!.splice(i, 1);
    if (list!.length === 0) this.byDestination.delete(id.to);
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

test('slots: lookups, replacements, deletes and the walk order agree with a map of lists', () => {
  const someRoute = fc
    .record({
      // IPv4 prefixes sharing an address or a length, the extremes, IPv6, and text that is not canonical IPv4.
      to: fc.constantFrom('10.0.0.0/8', '10.0.0.0/9', '11.0.0.0/8', '0.0.0.0/0', '255.255.255.255/32', '128.0.0.0/1', '::/0', '10::/8', '010.0.0.0/8', '10.0.0.0/08'),
      table: fc.constantFrom(254, 100),
      metric: fc.constantFrom(0, 5),
      dev: fc.constantFrom('a', 'b'),
    })
    .map(({ to, ...extra }) => route(to, extra));
  const op = fc.tuple(fc.constantFrom('set' as const, 'delete' as const), someRoute);
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const t = new RouteTable();
      const want = new ListTable();
      for (const [kind, r] of ops) {
        if (kind === 'set') {
          t.set(r);
          want.set(r);
        } else assert.equal(t.delete(r), want.delete(r));
        assert.equal(t.get(r), want.get(r));
        const slot = t.slotOf(r);
        assert.equal(slot < 0 ? undefined : t.at(slot), want.get(r));
        // A hint, right or wrong, in range or not, finds the same slot.
        for (let hint = -1; hint <= t.slotCount; hint++) assert.equal(t.slotOf(r, hint), slot);
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
