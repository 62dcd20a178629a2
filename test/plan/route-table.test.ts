// Routes by identity: destination, table, metric and tos.
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
