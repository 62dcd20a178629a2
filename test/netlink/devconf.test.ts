// The IP settings table (src/netlink/rtnl/devconf.ts): the link dump's
// IFLA_AF_SPEC decoded, the update's encoded, values and their words, sysctl
// paths, and the planner's comparison and ordering built from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AF_INET, AF_INET6, RTM_NEWLINK } from '../../src/netlink/constants.js';
import {
  fromKernel,
  fromSysctl,
  IFLA_INET6_ADDR_GEN_MODE,
  IFLA_INET6_CONF,
  IFLA_INET_CONF,
  INTERFACE_SETTINGS,
  IP_SETTINGS,
  NAMESPACE_SETTINGS,
  settingName,
  sysctlPath,
  sysctlText,
  toKernel,
  valueProblem,
  valueSchema,
} from '../../src/netlink/rtnl/devconf.js';
import { findAttr } from '../../src/netlink/message.js';
import { decodeLink, IFINFOMSG_LEN, IFLA_AF_SPEC, writeLink } from '../../src/netlink/rtnl/link.js';
import type { Link } from '../../src/model/types.js';
import { plan } from '../../src/plan/plan.js';
import { renderText } from '../../src/plan/render/text.js';
import { opsFor } from '../../src/kernel/write.js';
import { applyPlan, desiredOf, find, link, state } from '../plan/fixtures.js';
import { attrTree, idx, message, only, written } from './helpers.js';

const byName = (name: string) => IP_SETTINGS.find((s) => s.scope === 'interface' && settingName(s) === name)!;

/** A link dump message whose IFLA_AF_SPEC carries the given IPv4 devconf (index -> value), IPv6 devconf and address generation mode. */
function dumped(v4: Record<number, number>, v6: Record<number, number> | undefined, mode?: number) {
  return message(RTM_NEWLINK, (w) => {
    const h = w.struct(IFINFOMSG_LEN);
    w.buf.writeInt32LE(5, h + 4);
    w.string(3, 'wan0');
    const spec = w.beginNested(IFLA_AF_SPEC);
    const inet = w.beginNested(AF_INET);
    const conf = Buffer.alloc(33 * 4);
    for (const [i, v] of Object.entries(v4)) conf.writeUInt32LE(v, (Number(i) - 1) * 4);
    w.bytes(IFLA_INET_CONF, conf);
    w.endNested(inet);
    if (v6 !== undefined) {
      const inet6 = w.beginNested(AF_INET6);
      const c6 = Buffer.alloc(60 * 4);
      for (const [i, v] of Object.entries(v6)) c6.writeInt32LE(v, Number(i) * 4);
      w.bytes(IFLA_INET6_CONF, c6);
      if (mode !== undefined) w.u8(IFLA_INET6_ADDR_GEN_MODE, mode);
      w.endNested(inet6);
    }
    w.endNested(spec);
  });
}

describe('the IP settings table', () => {
  it('decodes the settings it names from the link dump, only those', () => {
    const l = decodeLink(dumped({ 1: 1, 3: 0, 8: 2, 18: 2, 19: 1, 20: 1, 23: 1, 4: 1 }, { 0: 1, 3: 2, 5: 0, 26: 0 }, 3))!;
    assert.deepEqual(l.ipv4, { forwarding: true, rpFilter: 'loose', proxyArp: false, acceptLocal: true, arpIgnore: 1, arpAnnounce: 2 });
    assert.deepEqual(l.ipv6, { forwarding: true, acceptRa: 2, autoconf: false, addrGenMode: 'random', disable: false });
    assert.equal(l.promoteSecondaries, true);
  });

  it('a link without IPv6 devconf has no ipv6 settings', () => {
    const l = decodeLink(dumped({ 1: 0 }, undefined))!;
    assert.equal(l.ipv6, undefined);
    assert.equal(l.ipv4!.forwarding, false);
    assert.equal(l.promoteSecondaries, undefined);
  });

  it('an update writes netlink settings in IFLA_AF_SPEC, one entry each, and no sysctl-written ones', () => {
    const upd: Link = { name: 'wan0', kind: 'device', state: 'absent', ipv4: { rpFilter: 'strict', arpIgnore: 2 }, ipv6: { addrGenMode: 'none', acceptRa: false } };
    const tree = attrTree(written((w) => writeLink(w, 'update', upd, 1, idx)));
    const spec = tree.attrs.find((a) => a[0] === IFLA_AF_SPEC)!;
    assert.deepEqual(spec[1], [
      [AF_INET, [[IFLA_INET_CONF, [[8, '01000000'], [19, '02000000']]]]],
      [AF_INET6, [[IFLA_INET6_ADDR_GEN_MODE, '01']]],
    ]);
  });

  it('decode -> encode -> decode keeps every netlink-written value (the kernel reads an array, takes one attribute per index)', () => {
    const first = decodeLink(dumped({ 1: 1, 8: 1, 3: 1, 23: 0, 18: 1, 19: 8 }, { 0: 0, 3: 1, 5: 1, 26: 1 }, 2))!;
    const upd: Link = { name: 'wan0', kind: 'device', state: 'absent', ipv4: first.ipv4!, ipv6: { addrGenMode: first.ipv6!.addrGenMode! } };
    const m = only(written((w) => writeLink(w, 'update', upd, 1, idx)));
    const spec = findAttr(m.buf, m.off + IFINFOMSG_LEN, m.end, IFLA_AF_SPEC)!;
    const inet = findAttr(m.buf, spec.at, spec.at + spec.len, AF_INET)!;
    const conf = findAttr(m.buf, inet.at, inet.at + inet.len, IFLA_INET_CONF)!;
    // Back to the dump's form: each IPV4_DEVCONF_* attribute at its array slot.
    const back: Record<number, number> = {};
    for (const s of INTERFACE_SETTINGS.filter((x) => x.family === 'ipv4')) back[s.index!] = findAttr(m.buf, conf.at, conf.at + conf.len, s.index!) ? m.buf.readUInt32LE(findAttr(m.buf, conf.at, conf.at + conf.len, s.index!)!.at) : -1;
    const inet6 = findAttr(m.buf, spec.at, spec.at + spec.len, AF_INET6)!;
    const mode = m.buf[findAttr(m.buf, inet6.at, inet6.at + inet6.len, IFLA_INET6_ADDR_GEN_MODE)!.at]!;
    const again = decodeLink(dumped(back, {}, mode))!;
    assert.deepEqual(again.ipv4, first.ipv4);
    assert.equal(again.ipv6!.addrGenMode, 'stable-privacy');
  });

  it('values: words both ways, unknown kernel numbers kept as numbers, config checks', () => {
    const rp = byName('ipv4.rp-filter');
    assert.equal(fromKernel(rp, 2), 'loose');
    assert.equal(toKernel(rp, 'strict'), 1);
    assert.equal(fromKernel(rp, 7), 7);
    assert.equal(toKernel(rp, 7), 7);
    const ra = byName('ipv6.accept-ra');
    assert.equal(fromKernel(ra, 2), 2);
    assert.equal(valueProblem(ra, 2), undefined);
    assert.match(valueProblem(ra, 3)!, /true or false \(or 0..2\)/);
    assert.match(valueProblem(byName('ipv4.arp-ignore'), 9)!, /0 to 8/);
    assert.match(valueProblem(byName('ipv6.addr-gen-mode'), 'eui-64')!, /one of eui64, none, stable-privacy, random/);
    assert.deepEqual(valueSchema(byName('ipv4.forwarding')).type, 'boolean');
    assert.equal(sysctlText(byName('ipv6.forwarding'), true), '1\n');
    assert.equal(fromSysctl(byName('ipv4.arp-announce'), '2\n'), 2);
  });

  it('sysctl paths: an interface\'s directory is its name as it is (dots and all); the namespace\'s own files', () => {
    assert.equal(sysctlPath(byName('ipv6.accept-ra'), 'eth0.10'), '/proc/sys/net/ipv6/conf/eth0.10/accept_ra');
    assert.throws(() => sysctlPath(byName('ipv6.accept-ra'), '..'));
    assert.deepEqual(NAMESPACE_SETTINGS.map((s) => sysctlPath(s)), ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding']);
    // Every interface setting is written over netlink or has a sysctl file; the IPv6 ones the kernel takes no netlink for are sysctl.
    for (const s of INTERFACE_SETTINGS) if (s.family === 'ipv6' && s.key !== 'addr-gen-mode') assert.equal(s.write, 'sysctl', settingName(s));
  });
});

describe('IP settings in plans', () => {
  const wan0 = link('wan0', 'device', { ipv4: { forwarding: false, rpFilter: 'off' }, ipv6: { forwarding: false, acceptRa: true } });
  const lan0 = link('lan0', 'device', { ipv4: { forwarding: false }, ipv6: { forwarding: false } });

  it('only declared settings are compared; a change reads "FAMILY.KEY: old -> new"', () => {
    const p = plan(desiredOf({ links: [link('wan0', 'device', { ipv4: { rpFilter: 'strict' } })] }), state({ links: [wan0] })).plan;
    const c = find(p, 'interface', 'wan0')!;
    assert.deepEqual(c.attrs, [{ attr: 'ipv4.rp-filter', old: 'off', new: 'strict' }]);
    assert.match(renderText(p, { color: false }), /^~ interface wan0 ipv4\.rp-filter: off -> strict$/m);
    assert.deepEqual(plan(desiredOf({ links: [link('wan0', 'device', { ipv4: { rpFilter: 'off' } })] }), state({ links: [wan0] })).plan.stages, []);
  });

  it('the namespace is written first, and the plan knows it rewrites every interface\'s forwarding', () => {
    const desired = desiredOf({ namespace: { ipv6: { forwarding: true } }, links: [link('wan0', 'device', { ipv6: { forwarding: false } })] });
    const actual = state({ namespace: { ipv4: { forwarding: false }, ipv6: { forwarding: false } }, links: [wan0, lan0] });
    const p = plan(desired, actual).plan;
    assert.deepEqual(p.stages.map((s) => s.map((c) => `${c.type} ${c.id} ${(c.attrs ?? []).map((a) => `${a.attr}=${String(a.new)}`).join(',')}`)), [
      ['namespace namespace ipv6.forwarding=true'],
      ['interface wan0 ipv6.forwarding=false'],
    ]);
    assert.deepEqual(find(p, 'namespace', 'namespace')!.effects, [
      { type: 'interface', id: 'wan0', removed: false },
      { type: 'interface', id: 'lan0', removed: false },
    ]);
    assert.match(renderText(p, { color: false }), /^~ namespace ipv6\.forwarding: false -> true$/m);
    // Exact: the state the plan leaves has nothing left to do.
    assert.deepEqual(plan(desired, applyPlan(actual, p)).plan.stages, []);
  });

  it('a setting the kernel takes only through its sysctl file is no netlink request', () => {
    const p = plan(desiredOf({ links: [link('wan0', 'device', { ipv6: { acceptRa: false } })] }), state({ links: [wan0] })).plan;
    const ops = opsFor(find(p, 'interface', 'wan0')!);
    assert.deepEqual(ops.main, []);
    assert.deepEqual(ops.sysctl.map((o) => [o.path, o.text]), [['/proc/sys/net/ipv6/conf/wan0/accept_ra', '0\n']]);
  });

  it('a link created by the plan gets its settings in the update after its creation', () => {
    const p = plan(desiredOf({ links: [link('v0', 'veth', { options: { peer: 'v1' }, ipv4: { rpFilter: 'loose' } })] }), state({})).plan;
    const create = find(p, 'interface', 'v0')!;
    assert.equal(create.action, 'create');
    assert.equal(create.after!.ipv4, undefined);
    const update = p.stages.flat().find((c) => c.type === 'interface' && c.id === 'v0' && c.action === 'update')!;
    assert.deepEqual(update.attrs, [{ attr: 'ipv4.rp-filter', old: undefined, new: 'loose' }]);
    assert.match(renderText(p, { color: false }), /ipv4\.rp-filter: default -> loose/);
  });
});
