// The text plan against expected text: each object type and action in
// iproute2's words, names for tables and protocols, the ends of veth pairs
// the kernel makes, replaces with every changed attribute, what the kernel
// removes by name, folding and --full.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OWNER_ALIAS } from '../../src/model/constants.js';
import { plan } from '../../src/plan/plan.js';
import { summarize } from '../../src/plan/reconcile.js';
import { renderText } from '../../src/plan/render/text.js';
import type { Change, Plan } from '../../src/plan/types.js';
import { OURS, PROTO_STATIC, addr, desiredOf, link, neigh, route, rule, state } from './fixtures.js';

function planOf(stages: Change[][]): Plan {
  return { stages, summary: summarize(stages) };
}

/** The lines of a one-stage plan, without the summary. */
function text(changes: Change[], opts: { tables?: Record<string, number>; full?: boolean } = {}): string[] {
  return renderText(planOf([changes]), { color: false, ...opts }).trimEnd().split('\n').slice(0, -1);
}

const tables = { isp_a: 100 };

test('interfaces: create with kind and options, update, replace, delete', () => {
  const br = link('lan0', 'bridge', { options: { stp: false, forwardDelay: 0 }, mtu: 1500, alias: OWNER_ALIAS });
  const vlan = link('vl10', 'vlan', { options: { link: 'eth0', id: 10 }, alias: OWNER_ALIAS });
  const vrf = link('vrf-a', 'vrf', { options: { table: 100 }, alias: OWNER_ALIAS });
  const vxOld = link('vx0', 'vxlan', { options: { vni: 100, port: 4789, learning: true }, mtu: 1450, alias: OWNER_ALIAS, master: 'lan0' });
  const vxNew = link('vx0', 'vxlan', { options: { vni: 200, port: 4789, learning: false }, mtu: 1400, alias: OWNER_ALIAS });
  assert.deepEqual(
    text(
      [
        { action: 'create', type: 'interface', id: 'lan0', before: null, after: br },
        { action: 'create', type: 'interface', id: 'vl10', before: null, after: vlan },
        { action: 'create', type: 'interface', id: 'vrf-a', before: null, after: vrf },
        {
          action: 'update',
          type: 'interface',
          id: 'lan1',
          before: link('lan1', 'device', { mtu: 1500, mac: '02:00:00:00:00:01', master: 'lan0' }),
          after: link('lan1', 'device', { mtu: 9000, mac: '02:00:00:00:00:01' }),
          attrs: [
            { attr: 'mtu', old: 1500, new: 9000 },
            { attr: 'master', old: 'lan0', new: undefined },
          ],
        },
        { action: 'update', type: 'interface', id: 'lan0', before: br, after: { ...br, options: { stp: true, forwardDelay: 0 } }, attrs: [{ attr: 'bridge.stp', old: false, new: true }] },
        // Every changed attribute, the one that forces the replacement marked; the new vxlan has no master, which is a change too.
        {
          action: 'replace',
          type: 'interface',
          id: 'vx0',
          before: vxOld,
          after: vxNew,
          attrs: [{ attr: 'vxlan.vni', old: 100, new: 200 }],
          reason: 'vxlan.vni cannot change in place',
        },
        { action: 'delete', type: 'interface', id: 'old0', before: link('old0', 'dummy', { mtu: 1500, mac: '02:00:00:00:00:09', alias: OWNER_ALIAS }), after: null },
      ],
      { tables },
    ),
    [
      '+ interface lan0 bridge stp off forward_delay 0 mtu 1500',
      '+ interface vl10 vlan link eth0 id 10',
      '+ interface vrf-a vrf table isp_a',
      '~ interface lan1 mtu 1500 -> 9000, master lan0 -> none',
      '~ interface lan0 bridge stp off -> on',
      '-/+ interface vx0 vxlan id 100 -> 200 (forces replacement), vxlan learning on -> off, mtu 1450 -> 1400, master lan0 -> none (vxlan.vni cannot change in place)',
      '- interface old0 dummy',
    ],
  );
});

test('a kind that changes forces the replacement; the other changed attributes are listed unmarked', () => {
  const before = link('x0', 'dummy', { mtu: 1500, alias: OWNER_ALIAS });
  const after = link('x0', 'bridge', { mtu: 9000, options: { stp: true }, alias: OWNER_ALIAS });
  assert.deepEqual(text([{ action: 'replace', type: 'interface', id: 'x0', before, after, attrs: [{ attr: 'kind', old: 'dummy', new: 'bridge' }], reason: 'kind cannot change in place' }]), [
    '-/+ interface x0 type dummy -> bridge (forces replacement), bridge stp none -> on, mtu 1500 -> 9000 (kind cannot change in place)',
  ]);
});

test('addresses (IFA_PROTO speaks its own names: 4 is a number there): create, delete, update of a lifetime, replace of an IPv4 label with the in-place changes beside it', () => {
  const a = addr('br-lan', '192.168.10.1/24', { protocol: OURS });
  const old = addr('eth1', '10.0.0.1/24', { protocol: OURS, validLifetime: 300, preferredLifetime: 300 });
  const relabelled = { ...old, label: 'eth1:1', validLifetime: 600 };
  assert.deepEqual(
    text([
      { action: 'create', type: 'address', id: 'br-lan 192.168.10.1/24', before: null, after: a },
      { action: 'create', type: 'address', id: 'wan0 2001:db8::2/64', before: null, after: addr('wan0', '2001:db8::2/64', { protocol: OURS, noprefixroute: true }) },
      { action: 'delete', type: 'address', id: 'eth0 10.9.0.1/24', before: addr('eth0', '10.9.0.1/24', { protocol: PROTO_STATIC, label: 'eth0' }), after: null, reason: 'not listed on eth0' },
      { action: 'update', type: 'address', id: 'eth1 10.0.0.1/24', before: old, after: { ...old, validLifetime: 600 }, attrs: [{ attr: 'valid-lifetime', old: 300, new: 600 }] },
      {
        action: 'replace',
        type: 'address',
        id: 'eth1 10.0.0.1/24',
        before: old,
        after: relabelled,
        attrs: [
          { attr: 'label', old: undefined, new: 'eth1:1' },
          { attr: 'valid-lifetime', old: 300, new: 600 },
        ],
        reason: 'label cannot change in place on IPv4',
      },
    ]),
    [
      '+ address 192.168.10.1/24 dev br-lan',
      '+ address 2001:db8::2/64 dev wan0 noprefixroute',
      '- address 10.9.0.1/24 dev eth0 proto 4 (not listed on eth0)',
      '~ address 10.0.0.1/24 dev eth1 valid_lft 300 -> 600',
      '-/+ address 10.0.0.1/24 dev eth1 label none -> eth1:1 (forces replacement), valid_lft 300 -> 600 (label cannot change in place on IPv4)',
    ],
  );
});

test('routes: default, blackhole, a declared table by name, main left out, IPv6 metric, multipath, update, delete', () => {
  const hops = [
    { via: '10.0.0.1', dev: 'eth0', weight: 1 },
    { via: '10.0.0.2', dev: 'eth1', weight: 2, onLink: true },
  ];
  assert.deepEqual(
    text(
      [
        { action: 'create', type: 'route', id: '0.0.0.0/0 table 254 metric 0', before: null, after: route('0.0.0.0/0', { via: '198.51.100.1', dev: 'wan0' }) },
        { action: 'create', type: 'route', id: '10.0.0.0/8 table 254 metric 0', before: null, after: route('10.0.0.0/8', { type: 'blackhole' }) },
        { action: 'create', type: 'route', id: '0.0.0.0/0 table 100 metric 0', before: null, after: route('0.0.0.0/0', { via: '203.0.113.1', dev: 'wan1', table: 100 }) },
        { action: 'create', type: 'route', id: '::/0 table 254 metric 1024', before: null, after: route('::/0', { via: '2001:db8::1', dev: 'wan0', pref: 'high' }) },
        { action: 'create', type: 'route', id: '10.9.0.0/16 table 254 metric 10', before: null, after: route('10.9.0.0/16', { nexthops: hops, metric: 10, src: '10.0.0.5', mtu: 1400, mtuLock: true }) },
        {
          action: 'update',
          type: 'route',
          id: '10.8.0.0/16 table 100 metric 0',
          before: route('10.8.0.0/16', { table: 100, via: '10.0.0.1', dev: 'eth0', src: '10.0.0.5', protocol: PROTO_STATIC }),
          after: route('10.8.0.0/16', { table: 100, via: '10.0.0.2' }),
          attrs: [
            { attr: 'via', old: '10.0.0.1', new: '10.0.0.2' },
            { attr: 'src', old: '10.0.0.5', new: undefined },
            { attr: 'protocol', old: PROTO_STATIC, new: OURS },
          ],
        },
        { action: 'delete', type: 'route', id: '192.0.2.0/24 table 254 metric 0', before: route('192.0.2.0/24', { dev: 'eth0', scope: 'link' }), after: null },
      ],
      { tables },
    ),
    [
      '+ route default via 198.51.100.1 dev wan0 proto netrec',
      '+ route blackhole 10.0.0.0/8 proto netrec',
      '+ route default via 203.0.113.1 dev wan1 table isp_a proto netrec',
      '+ route default via 2001:db8::1 dev wan0 proto netrec metric 1024 pref high',
      '+ route 10.9.0.0/16 nexthop via 10.0.0.1 dev eth0 weight 1 nexthop via 10.0.0.2 dev eth1 weight 2 onlink proto netrec src 10.0.0.5 metric 10 mtu lock 1400',
      '~ route 10.8.0.0/16 table isp_a via 10.0.0.1 -> 10.0.0.2, proto static -> netrec, src 10.0.0.5 -> none',
      '- route 192.0.2.0/24 dev eth0 proto netrec scope link',
    ],
  );
});

test('rules and neighbors: create with table and protocol names, replace of the owner, delete, update of an lladdr', () => {
  const foreign = rule(100, { from: '10.0.0.0/24', table: 100, protocol: PROTO_STATIC });
  const n = neigh('lan0', '192.168.10.50', { lladdr: '02:00:00:00:10:50', state: 'permanent', protocol: OURS });
  assert.deepEqual(
    text(
      [
        { action: 'create', type: 'rule', id: 'ipv4 pref 100 from 10.0.0.0/24 lookup 100', before: null, after: rule(100, { from: '10.0.0.0/24', table: 100 }) },
        { action: 'create', type: 'rule', id: 'ipv6 pref 200 fwmark 0x1/0xffffffff blackhole', before: null, after: rule(200, { family: 'ipv6', fwmark: 1, action: 'blackhole', table: 0 }) },
        {
          action: 'replace',
          type: 'rule',
          id: 'ipv4 pref 100 from 10.0.0.0/24 lookup 100',
          before: foreign,
          after: { ...foreign, protocol: OURS },
          attrs: [{ attr: 'protocol', old: PROTO_STATIC, new: OURS }],
          reason: 'a rule cannot change in place',
        },
        { action: 'delete', type: 'rule', id: 'ipv4 pref 300 lookup 254', before: rule(300), after: null },
        { action: 'create', type: 'neighbor', id: 'lan0 192.168.10.50', before: null, after: n },
        { action: 'update', type: 'neighbor', id: 'lan0 192.168.10.50', before: n, after: { ...n, lladdr: '02:00:00:00:10:51' }, attrs: [{ attr: 'lladdr', old: '02:00:00:00:10:50', new: '02:00:00:00:10:51' }] },
        { action: 'delete', type: 'neighbor', id: 'lan0 192.168.10.9', before: neigh('lan0', '192.168.10.9', { lladdr: '02:00:00:00:00:09', state: 'permanent', protocol: PROTO_STATIC }), after: null },
      ],
      { tables },
    ),
    [
      '+ rule ipv4 pref 100 from 10.0.0.0/24 lookup isp_a proto netrec',
      '+ rule ipv6 pref 200 fwmark 0x1/0xffffffff blackhole proto netrec',
      '-/+ rule ipv4 pref 100 from 10.0.0.0/24 lookup isp_a proto static -> netrec (forces replacement) (a rule cannot change in place)',
      '- rule ipv4 pref 300 lookup main proto netrec',
      '+ neighbor 192.168.10.50 lladdr 02:00:00:00:10:50 dev lan0',
      '~ neighbor 192.168.10.50 dev lan0 lladdr 02:00:00:00:10:50 -> 02:00:00:00:10:51',
      '- neighbor 192.168.10.9 lladdr 02:00:00:00:00:09 dev lan0 proto static',
    ],
  );
});

test('the ends of veth pairs the kernel makes are creates, and a new interface shows no "none ->"', () => {
  const desired = desiredOf({
    links: [
      link('wan0', 'veth', { options: { peer: 'isp0' }, mtu: 1500 }),
      link('isp0', 'veth', { options: { peer: 'wan0' } }),
      link('lan0', 'bridge', { options: { stp: false }, mtu: 1500 }),
      link('lan1', 'veth', { options: { peer: 'host1' }, master: 'lan0' }),
    ],
  });
  const p = plan(desired, state()).plan;
  const out = renderText(p, { color: false });
  assert.equal(
    out,
    [
      '+ interface isp0 veth peer wan0',
      '+ interface lan0 bridge stp off mtu 1500',
      '+ interface lan1 veth peer host1 master lan0',
      '+ interface host1 veth peer lan1 state down (created by the kernel with lan1)',
      '+ interface wan0 veth peer isp0 mtu 1500 (created by the kernel with isp0)',
      'Plan: 5 to create, 0 to update, 0 to replace, 0 to delete.',
      '',
    ].join('\n'),
  );
  // The plan itself is unchanged: wan0 is brought up and given its mtu by an update of the end the kernel made.
  assert.deepEqual(p.summary, { create: 3, update: 1, replace: 0, delete: 0 });
});

test('an end the kernel made that then gets IP settings (which whole lines leave out) shows that update on its own line', () => {
  const desired = desiredOf({
    links: [link('wan0', 'veth', { options: { peer: 'isp0' }, ipv4: { rpFilter: 'strict' } }), link('isp0', 'veth', { options: { peer: 'wan0' } })],
  });
  const out = renderText(plan(desired, state()).plan, { color: false });
  assert.equal(
    out,
    [
      '+ interface isp0 veth peer wan0',
      '+ interface wan0 veth peer isp0 state down (created by the kernel with isp0)',
      '~ interface wan0 state down -> up, ipv4.rp-filter: default -> strict (created by the kernel with isp0)',
      'Plan: 2 to create, 1 to update, 0 to replace, 0 to delete.',
      '',
    ].join('\n'),
  );
});

test('what the kernel removes along with a change is named, table names included', () => {
  const gone: Change = {
    action: 'delete',
    type: 'interface',
    id: 'vx0',
    before: link('vx0', 'vxlan', { options: { vni: 1 } }),
    after: null,
    effects: [
      { type: 'neighbor', id: 'vx0 10.0.0.5', removed: true },
      { type: 'address', id: 'vx0 10.1.0.1/24', removed: true },
      { type: 'route', id: '10.2.0.0/16 table 100 metric 5', removed: true },
      { type: 'route', id: 'fd00::/64 table 254 metric 256 dev vx0', removed: true },
      { type: 'interface', id: 'br0', removed: false },
    ],
  };
  assert.deepEqual(text([gone], { tables }), [
    '- interface vx0 vxlan id 1 (the kernel also removes neighbor 10.0.0.5 dev vx0, address 10.1.0.1/24 dev vx0, route 10.2.0.0/16 table isp_a metric 5, route fd00::/64 dev vx0 metric 256)',
  ]);
  const many: Change = { ...gone, effects: Array.from({ length: 14 }, (_, i) => ({ type: 'route' as const, id: `10.3.${i}.0/24 table 254 metric 0`, removed: true })) };
  assert.match(text([many])[0]!, /route 10\.3\.9\.0\/24 and 4 more routes\)$/);
  assert.match(text([many], { full: true })[0]!, /route 10\.3\.13\.0\/24\)$/);
});

test('more than 50 changes of one action and type are counted per table; --full lists them; the rest stay listed', () => {
  const creates: Change[] = [];
  for (let i = 0; i < 800; i++) creates.push({ action: 'create', type: 'route', id: `10.0.${i >> 8}.${i & 255}/32 table 254 metric 0`, before: null, after: route(`10.0.${i >> 8}.${i & 255}/32`, { dev: 'eth0' }) });
  for (let i = 0; i < 51; i++) creates.push({ action: 'create', type: 'route', id: `10.1.0.${i}/32 table 100 metric 0`, before: null, after: route(`10.1.0.${i}/32`, { dev: 'eth0', table: 100 }) });
  for (let i = 0; i < 50; i++) creates.push({ action: 'create', type: 'neighbor', id: `eth0 10.0.9.${i}`, before: null, after: neigh('eth0', `10.0.9.${i}`, { lladdr: '02:00:00:00:00:01', protocol: OURS }) });
  creates.push({ action: 'delete', type: 'route', id: '10.5.0.0/16 table 254 metric 0', before: route('10.5.0.0/16', { dev: 'eth0' }), after: null });
  const folded = text(creates, { tables });
  assert.deepEqual(folded.slice(0, 3), ['+ 800 routes in table main (use --full to list)', '+ 51 routes in table isp_a (use --full to list)', '- route 10.5.0.0/16 dev eth0 proto netrec']);
  assert.equal(folded.length, 3 + 50, 'the 50 neighbors are listed');
  const all = renderText(planOf([creates]), { color: false, full: true }).trimEnd().split('\n');
  assert.equal(all.length, 800 + 51 + 50 + 1 + 1);
  assert.equal(all.at(-1), 'Plan: 901 to create, 0 to update, 0 to replace, 1 to delete.');
  assert.equal(renderText(planOf([creates]), { color: false }).trimEnd().split('\n').at(-1), all.at(-1));
});

test('grouped by type whatever the order of execution', () => {
  const p = planOf([
    [{ action: 'delete', type: 'route', id: '10.1.0.0/16 table 254 metric 0', before: route('10.1.0.0/16', { dev: 'eth0' }), after: null }],
    [{ action: 'create', type: 'interface', id: 'd0', before: null, after: link('d0', 'dummy', { alias: OWNER_ALIAS }) }],
    [{ action: 'create', type: 'route', id: '10.2.0.0/16 table 254 metric 0', before: null, after: route('10.2.0.0/16', { dev: 'd0' }) }],
  ]);
  assert.deepEqual(renderText(p, { color: false }).split('\n').slice(0, 3), ['+ interface d0 dummy', '- route 10.1.0.0/16 dev eth0 proto netrec', '+ route 10.2.0.0/16 dev d0 proto netrec']);
});

test('another marker than the default is netrec too, and a protocol rt_protos names keeps its name', () => {
  const r = route('10.0.0.0/8', { dev: 'eth0', protocol: 200 });
  assert.deepEqual(text([{ action: 'create', type: 'route', id: 'x', before: null, after: r }]), ['+ route 10.0.0.0/8 dev eth0 proto 200']);
  assert.deepEqual(renderText(planOf([[{ action: 'create', type: 'route', id: 'x', before: null, after: r }]]), { color: false, protocol: 200 }).split('\n')[0], '+ route 10.0.0.0/8 dev eth0 proto netrec');
  assert.deepEqual(text([{ action: 'create', type: 'route', id: 'x', before: null, after: { ...r, protocol: 186 } }]), ['+ route 10.0.0.0/8 dev eth0 proto bgp']);
});

test('the summary is the plan\'s own (a head of a plan keeps the whole one), with the kernel\'s veth ends counted as creates', () => {
  const c: Change = { action: 'create', type: 'interface', id: 'd0', before: null, after: link('d0', 'dummy') };
  const head: Plan = { stages: [[c]], summary: { create: 900, update: 2, replace: 0, delete: 1 } };
  assert.equal(renderText(head, { color: false }).trimEnd().split('\n').at(-1), 'Plan: 900 to create, 2 to update, 0 to replace, 1 to delete.');
});

test('a route\'s mtu lock reads with its mtu, as iproute2 writes it', () => {
  const before = route('10.7.0.0/16', { dev: 'eth0', mtu: 1400 });
  const after = { ...before, mtuLock: true };
  assert.deepEqual(text([{ action: 'update', type: 'route', id: '10.7.0.0/16 table 254 metric 0', before, after, attrs: [{ attr: 'mtu-lock', old: undefined, new: true }] }]), ['~ route 10.7.0.0/16 mtu 1400 -> lock 1400']);
});
