// Renderers: text lines written out by hand, the JSON shape, the diff.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { renderDiff } from '../../src/plan/render/diff.js';
import { planToJson, writePlanJson } from '../../src/plan/render/json.js';
import { renderText } from '../../src/plan/render/text.js';
import { plan } from '../../src/plan/plan.js';
import { summarize } from '../../src/plan/reconcile.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { OURS, PROTO_STATIC, addr, desiredOf, link, route, state } from './fixtures.js';

const at = (line: number) => ({ file: 'net.yaml', line, col: 3 });

function planOf(stages: Change[][]): Plan {
  return { stages, summary: summarize(stages) };
}

const vxBefore = link('vx0', 'vxlan', { options: { vni: 100 }, alias: OWNER_ALIAS });
const vxAfter = link('vx0', 'vxlan', { options: { vni: 200 }, alias: OWNER_ALIAS });
const hops = [
  { via: '10.0.0.1', dev: 'eth0', weight: 1 },
  { via: '10.0.0.2', dev: 'eth1', weight: 2, onLink: true },
];
const sample = planOf([
  [{ action: 'delete', type: 'route', id: '10.1.0.0/16 table 254 metric 0', before: route('10.1.0.0/16', { dev: 'eth0' }), after: null }],
  [
    {
      action: 'replace',
      type: 'interface',
      id: 'vx0',
      before: vxBefore,
      after: vxAfter,
      attrs: [{ attr: 'vxlan.vni', old: 100, new: 200 }],
      reason: 'vxlan.vni cannot change in place',
      source: at(7),
      effects: [
        { type: 'address', id: 'vx0 10.1.0.1/24', removed: true },
        { type: 'route', id: '10.1.0.0/24 table 254 metric 0', removed: true },
        { type: 'route', id: '10.2.0.0/16 table 254 metric 0', removed: true },
        { type: 'interface', id: 'br0', removed: false },
      ],
    },
  ],
  [
    {
      action: 'update',
      type: 'interface',
      id: 'eth0',
      before: link('eth0', 'device', { mtu: 1500, state: 'down' }),
      after: link('eth0', 'device', { mtu: 9000 }),
      attrs: [
        { attr: 'mtu', old: 1500, new: 9000 },
        { attr: 'state', old: 'down', new: 'up' },
      ],
      source: at(3),
    },
  ],
  [{ action: 'create', type: 'address', id: 'vx0 10.1.0.1/24', before: null, after: addr('vx0', '10.1.0.1/24', { protocol: OURS }), reason: 'removed by the kernel with vx0', source: at(9) }],
  [
    {
      action: 'update',
      type: 'route',
      id: '10.9.0.0/16 table 254 metric 0',
      before: route('10.9.0.0/16', { protocol: PROTO_STATIC }),
      after: route('10.9.0.0/16', { nexthops: hops, source: at(12) }),
      attrs: [
        { attr: 'protocol', old: PROTO_STATIC, new: OURS },
        { attr: 'nexthops', old: undefined, new: hops },
      ],
      source: at(12),
    },
  ],
]);

test('text: one line per change in iproute2\'s words, grouped by type, reasons, what the kernel removes by name, the summary', () => {
  assert.equal(
    renderText(sample, { color: false }),
    [
      '-/+ interface vx0 vxlan id 100 -> 200 (forces replacement) (vxlan.vni cannot change in place; the kernel also removes address 10.1.0.1/24 dev vx0, route 10.1.0.0/24, route 10.2.0.0/16)',
      '~ interface eth0 mtu 1500 -> 9000, state down -> up',
      '+ address 10.1.0.1/24 dev vx0 (removed by the kernel with vx0)',
      '- route 10.1.0.0/16 dev eth0 proto netrec',
      '~ route 10.9.0.0/16 nexthops none -> nexthop via 10.0.0.1 dev eth0 weight 1 nexthop via 10.0.0.2 dev eth1 weight 2 onlink, proto static -> netrec',
      'Plan: 1 to create, 2 to update, 1 to replace, 1 to delete.',
      '',
    ].join('\n'),
  );
});

test('text: colour only when asked, on the action symbol', () => {
  const plain = renderText(sample, { color: false });
  const colored = renderText(sample, { color: true });
  assert.ok(!plain.includes('\x1b['));
  assert.ok(colored.includes('\x1b[32m+\x1b[0m address'));
  assert.ok(colored.includes('\x1b[33m~\x1b[0m interface eth0'));
  assert.ok(colored.includes('\x1b[31m-\x1b[0m route'));
  assert.ok(colored.includes('\x1b[31m-\x1b[0m/\x1b[32m+\x1b[0m interface vx0'));
  // eslint-disable-next-line no-control-regex
  assert.equal(colored.replace(/\x1b\[\d+m/g, ''), plain);
});

test('text: an empty plan says so', () => {
  assert.equal(renderText(planOf([]), { color: true }), 'No changes.\n');
});

test('text: long destinations stay on their own line, without padding of the others', () => {
  const long = 'fd00:aaaa:bbbb:cccc:dddd:eeee:ffff:1/128';
  const p = planOf([
    [
      { action: 'create', type: 'route', id: `${long} table 254 metric 1024`, before: null, after: route(long), reason: 'x' },
      { action: 'create', type: 'address', id: 'eth0 10.0.0.1/24', before: null, after: addr('eth0', '10.0.0.1/24', { protocol: OURS }), reason: 'y' },
    ],
  ]);
  assert.deepEqual(renderText(p, { color: false }).split('\n').slice(0, 2), ['+ address 10.0.0.1/24 dev eth0 (y)', `+ route ${long} proto netrec metric 1024 (x)`]);
});

test('text: a plan of 100,000 changes renders every line with full, and one counted line without', () => {
  const stage: Change[] = [];
  for (let i = 0; i < 100_000; i++) {
    const to = `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32`;
    stage.push({ action: 'update', type: 'route', id: `${to} table 254 metric 0`, before: route(to, { via: '10.0.0.1' }), after: route(to, { via: '10.0.0.2' }), attrs: [{ attr: 'via', old: '10.0.0.1', new: '10.0.0.2' }] });
  }
  const lines = renderText(planOf([stage]), { color: false, full: true }).split('\n');
  assert.equal(lines.length, 100_002);
  assert.equal(lines[99_999], '~ route 10.1.134.159/32 via 10.0.0.1 -> 10.0.0.2');
  assert.deepEqual(renderText(planOf([stage]), { color: false }).split('\n'), ['~ 100000 routes in table main (use --full to list)', 'Plan: 0 to create, 100000 to update, 0 to replace, 0 to delete.', '']);
});

test('json written in pieces is exactly JSON.stringify of the whole, compact and indented', () => {
  const big: Change[] = [];
  for (let i = 0; i < 20_000; i++) big.push({ action: 'create', type: 'route', id: `r${i}`, before: null, after: route(`10.${i >> 8}.${i & 255}.0/24`) });
  for (const p of [sample, planOf([]), planOf([big])]) {
    const tail = { messages: 3, result: 'applied', errors: [{ id: 'x', message: 'No such device' }] };
    for (const indent of [0, 2]) {
      const pieces: string[] = [];
      writePlanJson((s) => pieces.push(s), p, tail, indent);
      assert.equal(pieces.join(''), JSON.stringify({ ...planToJson(p), ...tail }, null, indent || undefined) + '\n');
      if (p !== sample && p.stages.length > 0) assert.ok(pieces.length > 1, 'a large plan is written in several pieces');
    }
  }
});

test('json: contract shape, config-format objects, source as FILE:LINE', () => {
  const j = planToJson(sample);
  assert.deepEqual(j.summary, { create: 1, update: 2, replace: 1, delete: 1 });
  assert.deepEqual(
    j.changes.map((c) => [c.action, c.type, c.id, c.source]),
    [
      ['delete', 'route', '10.1.0.0/16 table 254 metric 0', null],
      ['replace', 'interface', 'vx0', 'net.yaml:7'],
      ['update', 'interface', 'eth0', 'net.yaml:3'],
      ['create', 'address', 'vx0 10.1.0.1/24', 'net.yaml:9'],
      ['update', 'route', '10.9.0.0/16 table 254 metric 0', 'net.yaml:12'],
    ],
  );
  assert.equal(j.changes[0]!.after, null);
  assert.equal(j.changes[3]!.before, null);
  assert.deepEqual(j.changes[1]!.before, { name: 'vx0', kind: 'vxlan', state: 'up', vxlan: { vni: 100 }, alias: 'netrec' });
  assert.equal(j.changes[1]!.reason, 'vxlan.vni cannot change in place');
  const routeAfter = j.changes[4]!.after!;
  assert.equal(routeAfter.source, undefined);
  assert.deepEqual(routeAfter.nexthops, [
    { via: '10.0.0.1', dev: 'eth0', weight: 1 },
    { via: '10.0.0.2', dev: 'eth1', weight: 2, 'on-link': true },
  ]);
  assert.deepEqual(j.changes[4]!.attrs![1], { attr: 'nexthops', old: null, new: routeAfter.nexthops });
  // It survives JSON as it is.
  assert.deepEqual(JSON.parse(JSON.stringify(j)), j);
});

test('diff: the objects the plan touches, whole, as they are and as they will be, plus what the plan deletes', () => {
  const current = state({
    links: [link('eth0', 'device', { mtu: 1500, mac: '02:00:00:00:00:01' })],
    addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS })],
    routes: [route('10.8.0.0/16', { dev: 'eth0' }), route('10.7.0.0/16', { dev: 'eth0', protocol: PROTO_STATIC })],
  });
  const desired = desiredOf({
    links: [link('eth0', 'device', { mtu: 9000 })],
    addresses: [addr('eth0', '10.0.0.1/24', { protocol: OURS })],
    routes: [route('10.9.0.0/16', { via: '10.0.0.254' })],
  });
  const diff = renderDiff(plan(desired, current).plan, current, desired);
  const removed = diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'));
  const added = diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));
  assert.match(diff, /^--- current/m);
  assert.match(diff, /^\+\+\+ desired/m);
  assert.ok(removed.some((l) => l.includes('mtu: 1500')), diff);
  assert.ok(added.some((l) => l.includes('mtu: 9000')), diff);
  // The owned route that prune deletes is shown going; the foreign one the plan leaves alone is not shown.
  assert.ok(removed.some((l) => l.includes('10.8.0.0/16')), diff);
  assert.ok(added.some((l) => l.includes('10.9.0.0/16')), diff);
  assert.ok(!diff.includes('10.7.0.0/16'), diff);
  // The whole interface is on both sides: its mac, which the config leaves alone, is context.
  assert.ok(diff.split('\n').some((l) => l.startsWith(' ') && l.includes('mac: "02:00:00:00:00:01"')), diff);
  // The unchanged address is context, not a change.
  assert.ok(!removed.concat(added).some((l) => l.includes('10.0.0.1/24')), diff);
});

test('diff: nothing to show when the state is as declared', () => {
  const current = state({ links: [link('eth0', 'device', { mtu: 9000, mac: '02:00:00:00:00:01' })], routes: [route('10.9.0.0/16', { via: '10.0.0.254', dev: 'eth0' })] });
  const desired = desiredOf({ links: [link('eth0', 'device', { mtu: 9000 })], routes: [route('10.9.0.0/16', { via: '10.0.0.254' })] });
  assert.equal(renderDiff(plan(desired, current).plan, current, desired), '');
});
