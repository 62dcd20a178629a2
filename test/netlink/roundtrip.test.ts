// decode(encode(x)): every request body is also the body of the dump reply
// for the same object, so writing an object and reading the bytes back must
// give the object again (in the form a dump reports it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { bytesToIp, bytesToMac } from '../../src/model/ip.js';
import type { Address, Family, Link, Neighbor, Nexthop, Route, RouteType, Rule, RuleAction, Scope } from '../../src/model/types.js';
import { decodeAddress, writeAddress } from '../../src/netlink/rtnl/address.js';
import { decodeLink, writeLink, type RawLink } from '../../src/netlink/rtnl/link.js';
import { decodeNeighbor, writeNeighbor } from '../../src/netlink/rtnl/neighbor.js';
import { decodeRoute, defaultScope, RTMSG_LEN, writeRoute } from '../../src/netlink/rtnl/route.js';
import { decodeRule, writeRule } from '../../src/netlink/rtnl/rule.js';
import { asReply, attrTree, DEVS, idx, IFINDEX, names, written } from './helpers.js';

const RUNS = { numRuns: 300 };

const family = fc.constantFrom<Family>('ipv4', 'ipv6');
const byteLen = (f: Family) => (f === 'ipv4' ? 4 : 16);
/** Address bytes with many zero bytes, so IPv6 zero runs ("::") come up often. */
const addrBytes = (f: Family) =>
  fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: byteLen(f), maxLength: byteLen(f) }).map((a) => Uint8Array.from(a));
const ipOf = (f: Family) => addrBytes(f).map((b) => bytesToIp(b));
const anyIp = family.chain(ipOf);
/** A prefix without host bits, as the config loader produces it. */
const prefixOf = (f: Family, minLen = 0) =>
  fc.tuple(addrBytes(f), fc.integer({ min: minLen, max: byteLen(f) * 8 })).map(([b, len]) => {
    for (let bit = len; bit < b.length * 8; bit++) b[bit >> 3]! &= ~(0x80 >> (bit & 7));
    return `${bytesToIp(b)}/${len}`;
  });
const dev = fc.constantFrom(...DEVS);
const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ifname = fc.stringMatching(/^[a-z][a-z0-9._-]{0,14}$/);
const mac = fc
  .uint8Array({ minLength: 6, maxLength: 6 })
  .filter((b) => b.some((x) => x !== 0))
  .map((b) => bytesToMac(b));
const seconds = fc.integer({ min: 0, max: 4_000_000 }).map((cs) => cs / 100);

/** fast-check records have no prototype and may hold undefined; decoded objects are plain. */
function plain<T>(o: T): T {
  return JSON.parse(JSON.stringify(o)) as T;
}

describe('round trips', () => {
  it('links: create', () => {
    const options = fc.oneof(
      fc.record({ kind: fc.constant('bridge' as const), options: fc.record({ stp: fc.boolean(), forwardDelay: seconds, ageingTime: seconds, priority: u16 }, { requiredKeys: [] }) }),
      fc.record({ kind: fc.constant('veth' as const), options: fc.record({ peer: ifname }) }),
      fc.record({ kind: fc.constant('vlan' as const), options: fc.record({ link: dev, id: fc.integer({ min: 1, max: 4094 }), protocol: fc.constantFrom('802.1q' as const, '802.1ad' as const) }, { requiredKeys: ['link', 'id'] }) }),
      fc.record({
        kind: fc.constant('vxlan' as const),
        options: fc.record(
          { vni: fc.integer({ min: 0, max: 0xffffff }), local: anyIp, remote: anyIp, port: u16, link: dev, learning: fc.boolean(), ttl: u8 },
          { requiredKeys: ['vni'] },
        ),
      }),
      fc.record({ kind: fc.constant('macvlan' as const), options: fc.record({ link: dev, mode: fc.constantFrom('private' as const, 'vepa' as const, 'bridge' as const, 'passthru' as const, 'source' as const) }, { requiredKeys: ['link'] }) }),
      fc.record({ kind: fc.constant('bond' as const), options: fc.record({ mode: fc.constantFrom('balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'), miimon: u32 }, { requiredKeys: [] }) }),
      fc.record({ kind: fc.constant('dummy' as const) }),
      fc.record({ kind: fc.constant('vrf' as const), options: fc.record({ table: u32 }) }),
    );
    const link = fc.tuple(fc.record({ name: ifname, mtu: fc.integer({ min: 68, max: 65535 }), mac }, { requiredKeys: ['name'] }), options);
    fc.assert(
      fc.property(link, ([base, opts]) => {
        const l = plain({ ...base, ...opts, state: 'up' }) as Link;
        const got = decodeLink(asReply(written((w) => writeLink(w, 'create', l, 1, idx))))!;
        delete got.limits; // what the kernel reports of the device: read, never written
        // Expected: what creation writes, read back; lower links come back as indexes.
        const want: RawLink = { ...base, kind: l.kind, state: 'down', ifindex: 0 };
        const o = { ...l.options };
        if (typeof o.link === 'string') want.linkIndex = IFINDEX[o.link];
        delete o.link;
        if (l.kind !== 'veth' && Object.keys(o).length > 0) want.options = o;
        assert.deepEqual(got, want);
      }),
      RUNS,
    );
  });

  it('links: update', () => {
    const update = fc.record(
      {
        ifindex: fc.integer({ min: 1, max: 100000 }),
        state: fc.constantFrom('up' as const, 'down' as const),
        mtu: fc.integer({ min: 68, max: 65535 }),
        mac,
        alias: fc.stringMatching(/^[a-z0-9 ]{1,20}$/),
        master: fc.constantFrom('', ...DEVS),
        kind: fc.constantFrom('device' as const, 'veth' as const, 'bridge' as const, 'bond' as const),
        bridge: fc.record({ stp: fc.boolean(), forwardDelay: seconds, ageingTime: seconds, priority: u16 }, { requiredKeys: [] }),
        bond: fc.record({ mode: fc.constant('802.3ad'), miimon: u32 }, { requiredKeys: [] }),
      },
      { requiredKeys: ['ifindex', 'state', 'kind'] },
    );
    fc.assert(
      fc.property(update, (generated) => {
        const { bridge, bond, ...u } = plain(generated);
        const options = u.kind === 'bridge' ? bridge : u.kind === 'bond' ? bond : undefined;
        const l: Link = { name: 'x', ...u, ...(options ? { options } : {}) };
        const bytes = written((w) => writeLink(w, 'update', l, 1, idx));
        const got = decodeLink(asReply(withName(bytes, 'x')))!;
        delete got.limits; // read, never written
        const want: RawLink = { name: 'x', kind: 'device', state: u.state, ifindex: u.ifindex };
        if (u.mtu !== undefined) want.mtu = u.mtu;
        if (u.mac !== undefined) want.mac = u.mac;
        if (u.alias !== undefined) want.alias = u.alias;
        if (u.master) want.masterIndex = IFINDEX[u.master];
        // Only what changes in place is sent: bridge options, bond miimon.
        if (u.kind === 'bridge' && bridge && Object.keys(bridge).length) Object.assign(want, { kind: 'bridge', options: bridge });
        if (u.kind === 'bond' && bond?.miimon !== undefined) Object.assign(want, { kind: 'bond', options: { miimon: bond.miimon } });
        assert.deepEqual(got, want);
      }),
      RUNS,
    );
  });

  it('addresses', () => {
    const lifetimes = fc.oneof(
      fc.constant({}),
      fc.tuple(fc.integer({ min: 1, max: 0xfffffffe }), fc.integer({ min: 0, max: 0xfffffffe })).map(([v, p]) => ({ validLifetime: v, preferredLifetime: Math.min(v, p) })),
      fc.integer({ min: 1, max: 0xfffffffe }).map((v) => ({ validLifetime: v })),
      fc.integer({ min: 0, max: 0xfffffffe }).map((p) => ({ validLifetime: 'forever' as const, preferredLifetime: p })),
    );
    const address = family.chain((f) =>
      fc.record({
        family: fc.constant(f),
        dev,
        local: addrBytes(f),
        len: fc.integer({ min: 0, max: byteLen(f) * 8 }),
        peer: fc.option(addrBytes(f), { nil: undefined }),
        label: fc.option(fc.constantFrom(...DEVS, 'eth0:1', 'lan0:v6', 'a:b'), { nil: undefined }),
        noprefixroute: fc.option(fc.constant(true), { nil: undefined }),
        protocol: fc.option(u8, { nil: undefined }),
        lifetimes,
      }),
    );
    fc.assert(
      fc.property(address, (x) => {
        const local = bytesToIp(x.local);
        const peer = x.peer && bytesToIp(x.peer) !== local ? bytesToIp(x.peer) : undefined;
        const max = byteLen(x.family) * 8;
        const a: Address = plain({
          dev: x.dev,
          family: x.family,
          address: peer ? `${local}/${max}` : `${local}/${x.len}`,
          peer: peer ? `${peer}/${x.len}` : undefined,
          label: x.label,
          noprefixroute: x.noprefixroute,
          protocol: x.protocol,
          ...x.lifetimes,
        });
        const got = decodeAddress(asReply(written((w) => writeAddress(w, 'create', a, 1, idx))), names);
        const want = { ...a, kernelManaged: got?.kernelManaged };
        if (a.label === a.dev) delete want.label;
        if (a.validLifetime !== undefined && a.preferredLifetime === undefined) want.preferredLifetime = a.validLifetime;
        assert.deepEqual(got, want);
      }),
      RUNS,
    );
  });

  it('routes', () => {
    const types: RouteType[] = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'throw', 'broadcast', 'anycast', 'multicast', 'nat'];
    const scopes: Scope[] = ['global', 'link', 'host', 'site', 'nowhere'];
    const nexthop: fc.Arbitrary<Nexthop> = fc.record(
      { via: anyIp, dev, weight: fc.integer({ min: 1, max: 256 }), onLink: fc.constant(true) },
      { requiredKeys: ['weight'] },
    );
    const gateway = fc.oneof(
      fc.record({ via: anyIp, dev }, { requiredKeys: [] }),
      fc.record({ nexthops: fc.array(nexthop, { minLength: 1, maxLength: 4 }) }),
      fc.record({ nhid: fc.integer({ min: 1, max: 0xffffffff }) }),
    );
    const route = family.chain((f) =>
      fc.tuple(
        fc.record(
          {
            family: fc.constant(f),
            table: u32,
            to: prefixOf(f),
            metric: u32,
            tos: f === 'ipv4' ? u8 : fc.constant(0),
            type: fc.constantFrom(...types),
            scope: fc.constantFrom(...scopes),
            src: ipOf(f),
            mtu: u32,
            onLink: fc.constant(true),
            protocol: u8,
            ...(f === 'ipv6' ? { from: prefixOf(f).filter((p) => !p.endsWith('/0')), pref: fc.constantFrom('low' as const, 'high' as const) } : {}),
            mtuLock: fc.constant(true),
            initcwnd: u32,
            initrwnd: u32,
            advmss: u32,
            hoplimit: u32,
            quickack: fc.constant(true),
            congctl: fc.constantFrom('bbr', 'cubic', 'reno'),
            other: fc.dictionary(fc.constantFrom('11', '19', '21', 'metrics.3', 'metrics.4', 'metrics.9'), fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => Buffer.from(b).toString('hex')), { minKeys: 1 }),
          },
          { requiredKeys: ['family', 'table', 'to', 'metric', 'tos', 'type', 'protocol'] },
        ),
        gateway,
      ),
    );
    fc.assert(
      fc.property(route, ([base, gw]) => {
        const r = plain({ ...base, ...gw }) as Route;
        // A route through a nexthop object is a unicast route whose path (and its on-link flag) is the object's.
        if (r.nhid !== undefined) {
          r.type = 'unicast';
          delete r.onLink;
        }
        const request = written((w) => writeRoute(w, 'create', r, 1, idx));
        const got = decodeRoute(asReply(request), names);
        // decode -> encode: the route read back is sent as the same request (an IPv6 metric 0 reads as the kernel's 1024).
        const same = r.family === 'ipv6' && r.metric === 0 ? written((w) => writeRoute(w, 'create', { ...r, metric: 1024 }, 1, idx)) : request;
        assert.deepEqual(attrTree(written((w) => writeRoute(w, 'create', got!, 1, idx)), RTMSG_LEN), attrTree(same, RTMSG_LEN));
        const want: Route = { ...r, scope: r.scope ?? defaultScope(r) };
        if (r.family === 'ipv6' && r.metric === 0) want.metric = 1024;
        // A route without a path is written without one.
        if (['blackhole', 'unreachable', 'prohibit', 'throw'].includes(r.type)) {
          delete want.via;
          delete want.dev;
          delete want.nexthops;
        }
        if (r.nhid !== undefined) {
          delete want.via;
          delete want.dev;
          delete want.nexthops;
        }
        assert.deepEqual(plain(got), plain(want));
      }),
      RUNS,
    );
  });

  it('rules', () => {
    const actions: RuleAction[] = ['lookup', 'blackhole', 'unreachable', 'prohibit', 'goto', 'nop'];
    const rule = family.chain((f) =>
      fc.tuple(
        fc.record(
          {
            family: fc.constant(f),
            priority: u32,
            from: prefixOf(f, 1),
            to: prefixOf(f, 1),
            iif: ifname,
            oif: ifname,
            table: u32,
            action: fc.constantFrom(...actions),
            protocol: u8,
          },
          { requiredKeys: ['family', 'priority', 'table', 'action', 'protocol'] },
        ),
        fc.oneof(fc.constant({}), fc.record({ fwmark: u32 }), fc.record({ fwmark: u32, fwmask: fc.integer({ min: 0, max: 0xfffffffe }) })),
      ),
    );
    fc.assert(
      fc.property(rule, ([base, mark]) => {
        const r = plain({ ...base, ...mark }) as Rule;
        assert.deepEqual(decodeRule(asReply(written((w) => writeRule(w, 'create', r, 1)))), r);
      }),
      RUNS,
    );
  });

  it('neighbors', () => {
    const neighbor = family.chain((f) =>
      fc.record({ dev, family: fc.constant(f), address: ipOf(f), lladdr: mac, protocol: u8 }, { requiredKeys: ['dev', 'family', 'address'] }),
    );
    fc.assert(
      fc.property(neighbor, (generated: Neighbor) => {
        const n = plain(generated);
        const got = decodeNeighbor(asReply(written((w) => writeNeighbor(w, 'create', n, 1, idx))), names);
        assert.deepEqual(got, { ...n, state: 'permanent' });
      }),
      RUNS,
    );
  });
});

/** An update names no interface; a dump reply always does. Append IFLA_IFNAME. */
function withName(msg: Buffer, name: string): Buffer {
  const attr = written((w) => w.string(3, name));
  const out = Buffer.concat([msg, attr]);
  out.writeUInt32LE(out.length, 0);
  return out;
}
