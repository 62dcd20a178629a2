// No request netrec plans can take a route of another owner. Random kernel
// states hold foreign routes and twins under one identity (`ip route
// append`/`prepend`, IPv6 device routes to one prefix on several devices,
// source-specific routes); random configs declare, change, adopt and prune
// routes there. Every route request of the plan is written to bytes as apply
// sends it, read back, and matched against the kernel's routes as the
// kernel matches (written here from net/ipv4/fib_trie.c fib_table_insert /
// fib_table_delete and net/ipv6/ip6_fib.c fib6_add_rt2node /
// net/ipv6/route.c ip6_route_del, not from netrec's code): a delete takes
// the first route whose attributes equal every one the request names
// (absent ones are wildcards), a replace the first route of the key, a
// create fails on a duplicate and an IPv6 gateway route joins an ECMP
// sibling. Each request must take exactly the route its change is about.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { Route } from '../../src/model/types.js';
import { NLM_F_APPEND, NLM_F_EXCL, NLM_F_REPLACE, RTM_DELROUTE } from '../../src/netlink/constants.js';
import { defaultScope, decodeRoute } from '../../src/netlink/rtnl/route.js';
import { opsFor } from '../../src/kernel/write.js';
import { plan } from '../../src/plan/plan.js';
import { planChanges, type Change } from '../../src/plan/types.js';
import { asReply, idx, names, written } from '../netlink/helpers.js';
import { desiredOf, link, OURS, state } from './fixtures.js';

const FOREIGN = [3, 4, 16];

interface Template {
  family: 'ipv4' | 'ipv6';
  to: string;
  metric: number;
  from?: string;
}

const templates: Template[] = [
  { family: 'ipv4', to: '10.1.0.0/16', metric: 0 },
  { family: 'ipv4', to: '10.1.0.0/16', metric: 5 },
  { family: 'ipv6', to: '2001:db8:1::/64', metric: 1024 },
  { family: 'ipv6', to: '2001:db8:1::/64', metric: 1024, from: '2001:db8:f::/48' },
  { family: 'ipv6', to: '2001:db8:1::/64', metric: 5 },
];
const GW = { ipv4: ['10.0.0.1', '10.0.0.2'], ipv6: ['fe80::1', 'fe80::2'] };

/** A route of a template: path 0..5 (device eth0/eth1, gateway 1/2 with or without device, blackhole). */
function routeOf(t: Template, path: number, protocol: number, mtu?: number): Route {
  const r: Route = { family: t.family, table: 254, to: t.to, metric: t.metric, tos: 0, type: 'unicast', protocol };
  if (t.from !== undefined) r.from = t.from;
  if (path === 5) r.type = 'blackhole';
  else if (path < 2) r.dev = path === 0 ? 'eth0' : 'eth1';
  else {
    r.via = GW[t.family][path % 2]!;
    if (path === 4) r.dev = 'eth1';
  }
  if (mtu !== undefined) r.mtu = mtu;
  r.scope = defaultScope(r);
  return r;
}

/** As the kernel reports it: the device of a gateway, lo for an IPv6 blackhole. */
function asKernel(r: Route): Route {
  const k = { ...r };
  if (k.via !== undefined && k.dev === undefined) k.dev = 'eth0';
  if (k.type === 'blackhole' && k.family === 'ipv6') k.dev = 'lo';
  return k;
}

const leaf = (r: Route): string => `${r.family} ${r.table} ${r.to} ${r.tos} ${r.metric} ${r.from ?? ''}`;
/** What fib6_add_rt2node lets share an ECMP route: unicast routes with a gateway. */
const ecmp = (r: Route): boolean => r.family === 'ipv6' && r.type === 'unicast' && (r.via !== undefined || (r.nexthops?.length ?? 0) > 0);

/** The kernel's own duplicate check: same type, owner, path, source (fib_info equality, rt6_duplicate_nexthop). */
function duplicate(a: Route, b: Route): boolean {
  if (a.family === 'ipv6') return a.dev === b.dev && a.via === b.via;
  return a.type === b.type && a.protocol === b.protocol && a.dev === b.dev && a.via === b.via && a.src === b.src && a.mtu === b.mtu;
}

/** Kernel states that the kernel can hold: no duplicates, no two IPv6 gateway routes of one key (they would be one ECMP route). */
const kernelState = fc
  .array(fc.tuple(fc.nat(templates.length - 1), fc.nat(5), fc.constantFrom(...FOREIGN, OURS), fc.option(fc.constantFrom(1400, 1500), { nil: undefined })), { maxLength: 10 })
  .map((specs) => {
    const out: Route[] = [];
    for (const [t, path, protocol, mtu] of specs) {
      const r = asKernel(routeOf(templates[t]!, path, protocol, mtu));
      const clash = out.some(
        (o) =>
          leaf(o) === leaf(r) &&
          (duplicate(o, r) || (ecmp(o) && ecmp(r)) || (o.protocol === OURS && r.protocol === OURS && (r.family === 'ipv4' || (o.dev === r.dev && !ecmp(r))))),
      );
      if (!clash) out.push(r);
    }
    return out;
  });

/** Declarations: a template, a path, maybe an mtu, present or absent, or another owner's protocol (checked only). */
const declarations = fc.array(
  fc.tuple(fc.nat(templates.length - 1), fc.nat(5), fc.option(fc.constantFrom(1400, 1300), { nil: undefined }), fc.constantFrom('present', 'present', 'absent', 'foreign')),
  { maxLength: 5 },
);

/** Requests as apply sends them, read back: kind, flags, the route they name. */
function requestsOf(c: Change): { del: boolean; flags: number; r: Route; anyType: boolean }[] {
  return opsFor(c).main.map((op) => {
    const buf = written((w) => op.write(w, 1, idx));
    const type = buf.readUInt16LE(4);
    const flags = buf.readUInt16LE(6);
    // rtm_type 0 (RTN_UNSPEC) is a wildcard, which the route reader does not take: read it as unicast, and remember.
    const anyType = buf[16 + 7] === 0;
    if (anyType) buf[16 + 7] = 1;
    const r = decodeRoute(asReply(buf), names);
    assert.ok(r, 'a route request reads back as a route');
    return { del: type === RTM_DELROUTE, flags, r, anyType };
  });
}

/** ip6_route_del / fib_table_delete: the first route of the key that every named attribute matches. */
function deleteMatch(kernel: Route[], q: Route, anyType: boolean): number {
  return kernel.findIndex((k) => {
    if (leaf(k) !== leaf(q)) return false;
    if (q.protocol !== 0 && k.protocol !== q.protocol) return false;
    if (q.dev !== undefined && k.dev !== q.dev) return false;
    // An IPv6 gateway of :: names a route without one (ipv6_addr_equal with its zero gateway).
    if (q.via !== undefined && (q.via === '::' ? k.via !== undefined : k.via !== q.via)) return false;
    if (q.nhid !== undefined && k.nhid !== q.nhid) return false;
    if (q.family === 'ipv4') {
      if (!anyType && k.type !== q.type) return false;
      if (q.scope !== 'nowhere' && k.scope !== q.scope) return false;
      if (q.src !== undefined && k.src !== q.src) return false;
    }
    return true;
  });
}

test('no planned route request can take a route of another owner', () => {
  fc.assert(
    fc.property(kernelState, declarations, fc.boolean(), (routes, decls, prune) => {
      const actual = state({ links: [link('lo', 'device'), link('eth0', 'device'), link('eth1', 'device')], routes });
      const declared: Route[] = [];
      for (const [t, path, mtu, how] of decls) {
        const d = routeOf(templates[t]!, path, how === 'foreign' ? 4 : OURS, mtu);
        if (how === 'absent') d.state = 'absent';
        // One declaration per route: two of netrec's under one identity would be declared twice.
        // (validate's rule: IPv6 keeps one route per identity, except one with a gateway beside one without;
        // IPv4 several, but two of netrec's or two of one owner on one path are one)
        const keyDev = (r: Route) => (r.family === 'ipv6' && r.type === 'unicast' && r.via === undefined ? r.dev : undefined);
        const clash = (o: Route) =>
          leaf(o) === leaf(d) &&
          keyDev(o) === keyDev(d) &&
          (d.family === 'ipv6' ? ecmp(o) === ecmp(d) : o.protocol === d.protocol && (o.protocol === OURS || (o.type === d.type && o.dev === d.dev && o.via === d.via)));
        if (!declared.some(clash)) declared.push(d);
      }
      const { plan: p, problems } = plan(desiredOf({ routes: declared }, { prune }), actual);
      // A plan with problems is never applied (a foreign route declared but not there, say).
      if (problems.length > 0) return;
      const kernel = routes.map((r) => ({ ...r }));
      const original = new Map(kernel.map((k, i) => [k, routes[i]!]));
      const touched = new Set<Route>();
      for (const c of planChanges(p)) {
        if (c.type !== 'route') continue;
        const target = c.before === null ? undefined : routes.find((r) => r === c.before);
        if (target) touched.add(target);
        for (const q of requestsOf(c)) {
          const label: string = `${c.action} ${c.id}: ${q.del ? 'delete' : `new flags 0x${q.flags.toString(16)}`}`;
          if (q.del) {
            const i = deleteMatch(kernel, q.r, q.anyType);
            assert.ok(i >= 0, `${label} matches nothing`);
            assert.equal(original.get(kernel[i]!), target, `${label} takes another route than its own`);
            kernel.splice(i, 1);
            continue;
          }
          const same = kernel.filter((k) => leaf(k) === leaf(q.r));
          const want = asKernel(q.r);
          if (q.flags & NLM_F_REPLACE) {
            const hit = kernel.find((k) => leaf(k) === leaf(q.r) && (q.r.family === 'ipv4' || ecmp(k) === ecmp(q.r)));
            if (hit !== undefined) {
              assert.equal(original.get(hit), target, `${label} replaces another route than its own`);
              kernel[kernel.indexOf(hit)] = want;
            } else kernel.push(want);
            continue;
          }
          assert.ok(!(q.flags & NLM_F_EXCL && (q.r.family === 'ipv6' ? same.length > 0 : same.length > 0)), `${label} is refused: the key is taken`);
          assert.ok(!same.some((k) => duplicate(k, want)), `${label} is refused as a duplicate`);
          assert.ok(!same.some((k) => ecmp(k) && ecmp(want)), `${label} would join ${same.find((k) => ecmp(k))?.via}'s route as an ECMP sibling`);
          if (q.flags & NLM_F_APPEND || q.r.family === 'ipv6') kernel.push(want);
          else kernel.splice(same.length > 0 ? kernel.indexOf(same[0]!) : kernel.length, 0, want);
        }
      }
      // Foreign routes no change was about are there as they were.
      for (const r of routes) {
        if (r.protocol === OURS || touched.has(r)) continue;
        assert.ok(
          kernel.some((k) => original.get(k) === r),
          `foreign route ${r.to} ${r.dev ?? ''} ${r.via ?? ''} proto ${r.protocol} is gone`,
        );
      }
    }),
    { numRuns: 3000 },
  );
});
