// Every rule request a plan sends, checked against a model of how the kernel
// finds the rule a request means (rule_find in net/core/fib_rules.c, with
// fib4/fib6_rule_compare): RTM_DELRULE takes the first rule in the list, at
// the request's priority, that agrees with every selector the request names
// (an absent or zero selector matches anything, FRA_PROTOCOL included), and
// RTM_NEWRULE with NLM_F_EXCL fails with EEXIST when any rule agrees so.
// The requests are the bytes netrec writes, read back here on their own
// terms; the kernel's rules are kept as the kernel keeps them, in list order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ruleKey } from '../../src/model/identity.js';
import type { Rule, State } from '../../src/model/types.js';
import { opsFor } from '../../src/kernel/write.js';
import { Writer } from '../../src/netlink/message.js';
import { plan } from '../../src/plan/plan.js';
import { desiredOf, OURS, state } from './fixtures.js';

const RTM_NEWRULE = 32;
const RTM_DELRULE = 33;
const NLM_F_EXCL = 0x200;

/** A rule as the kernel holds it (struct fib_rule), or a request as the kernel parses it (fib_nl2rule). */
interface KRule {
  family: number;
  pref: number;
  action: number;
  table: number;
  srcLen: number;
  src: string;
  dstLen: number;
  dst: string;
  tos: number;
  iif: string;
  oif: string;
  mark: number;
  mask: number;
  suppressPrefixlen: number;
  suppressIfgroup: number;
  l3mdev: number;
  uid: string; // '' = unset
  ipProto: number;
  proto: number;
  sport: string; // '' = unset
  dport: string;
  dscp: number; // -1 = not named
  opaque: Map<number, string>;
  /** For rules in the list: the model rule it stands for. */
  rule?: Rule;
}

const ACTION: Record<string, number> = { lookup: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 };

function ipBytes(text: string): string {
  if (!text.includes(':')) return Buffer.from(text.split('.').map(Number)).toString('hex');
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return all.map((g) => g.padStart(4, '0')).join('');
}

/** The kernel's own copy of a rule, made from the model independently of netrec's writer. */
function kernelRule(r: Rule): KRule {
  const [src, srcLen] = r.from ? r.from.split('/') : ['', '0'];
  const [dst, dstLen] = r.to ? r.to.split('/') : ['', '0'];
  const opaque = new Map<number, string>();
  for (const [t, hex] of Object.entries(r.attributes ?? {})) opaque.set(Number(t), hex);
  return {
    family: r.family === 'ipv4' ? 2 : 10,
    pref: r.priority,
    action: ACTION[r.action]!,
    table: r.table,
    srcLen: Number(srcLen),
    src: src ? ipBytes(src!) : '',
    dstLen: Number(dstLen),
    dst: dst ? ipBytes(dst!) : '',
    tos: r.tos ?? 0,
    iif: r.iif ?? '',
    oif: r.oif ?? '',
    mark: r.fwmark ?? 0,
    mask: r.fwmark === undefined ? 0 : (r.fwmask ?? 0xffffffff),
    suppressPrefixlen: r.suppressPrefixlength ?? -1,
    suppressIfgroup: r.suppressIfgroup ?? -1,
    l3mdev: r.l3mdev ? 1 : 0,
    uid: r.uidrange ?? '',
    ipProto: r.ipproto ?? 0,
    proto: r.protocol,
    sport: r.sport === undefined ? '' : r.sport.includes('-') ? r.sport : `${r.sport}-${r.sport}`,
    dport: r.dport === undefined ? '' : r.dport.includes('-') ? r.dport : `${r.dport}-${r.dport}`,
    dscp: r.dscp ?? -1,
    opaque,
    rule: r,
  };
}

/** A request as the kernel parses it: header, then attributes; what is absent stays "any". */
function parseRequest(buf: Buffer): { type: number; flags: number; req: KRule } {
  const type = buf.readUInt16LE(4);
  const flags = buf.readUInt16LE(6);
  const h = 16;
  const req: KRule = {
    family: buf[h]!,
    dstLen: buf[h + 1]!,
    srcLen: buf[h + 2]!,
    tos: buf[h + 3]!,
    table: buf[h + 4]!,
    action: buf[h + 7]!,
    pref: -1,
    src: '',
    dst: '',
    iif: '',
    oif: '',
    mark: 0,
    mask: 0,
    suppressPrefixlen: -1,
    suppressIfgroup: -1,
    l3mdev: 0,
    uid: '',
    ipProto: 0,
    proto: 0,
    sport: '',
    dport: '',
    dscp: -1,
    opaque: new Map(),
  };
  let off = h + 12;
  const end = buf.readUInt32LE(0);
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    const t = buf.readUInt16LE(off + 2);
    const p = buf.subarray(off + 4, off + len);
    const str = () => p.toString('utf8').replace(/\0.*$/s, '');
    const range = (size: 2 | 4) => (size === 2 ? `${p.readUInt16LE(0)}-${p.readUInt16LE(2)}` : `${p.readUInt32LE(0)}-${p.readUInt32LE(4)}`);
    switch (t) {
      case 1: req.dst = p.toString('hex'); break;
      case 2: req.src = p.toString('hex'); break;
      case 3: req.iif = str(); break;
      case 6: req.pref = p.readUInt32LE(0); break;
      case 10: req.mark = p.readUInt32LE(0); if (req.mark) req.mask = 0xffffffff; break;
      case 13: req.suppressIfgroup = p.readInt32LE(0); break;
      case 14: req.suppressPrefixlen = p.readInt32LE(0); break;
      case 15: req.table = p.readUInt32LE(0); break;
      case 16: req.mask = p.readUInt32LE(0); break;
      case 17: req.oif = str(); break;
      case 19: req.l3mdev = p[0]!; break;
      case 20: req.uid = range(4); break;
      case 21: req.proto = p[0]!; break;
      case 22: req.ipProto = p[0]!; break;
      case 23: req.sport = range(2); break;
      case 24: req.dport = range(2); break;
      case 25: req.dscp = p[0]!; break;
      case 4: break; // FRA_GOTO: the target, not compared
      default: req.opaque.set(t, p.toString('hex'));
    }
    off += (len + 3) & ~3;
  }
  return { type, flags, req };
}

/** Opaque attributes the kernel compares when a request carries them (flow, tun_id). */
const COMPARED = new Set([11, 12]);

/** rule_find: does the kernel take `r` for request `q`? */
function kernelMatches(q: KRule, r: KRule): boolean {
  if (q.family !== r.family) return false;
  if (q.action && r.action !== q.action) return false;
  if (q.table && r.table !== q.table) return false;
  if (q.pref >= 0 && r.pref !== q.pref) return false;
  if (q.iif && r.iif !== q.iif) return false;
  if (q.oif && r.oif !== q.oif) return false;
  if (q.mark && r.mark !== q.mark) return false;
  if (q.suppressIfgroup !== -1 && r.suppressIfgroup !== q.suppressIfgroup) return false;
  if (q.suppressPrefixlen !== -1 && r.suppressPrefixlen !== q.suppressPrefixlen) return false;
  if (q.mask && r.mask !== q.mask) return false;
  if (q.l3mdev && r.l3mdev !== q.l3mdev) return false;
  if (q.uid && r.uid !== q.uid) return false;
  if (q.ipProto && r.ipProto !== q.ipProto) return false;
  if (q.proto && r.proto !== q.proto) return false;
  if (q.sport && r.sport !== q.sport) return false;
  if (q.dport && r.dport !== q.dport) return false;
  for (const [t, v] of q.opaque) if (COMPARED.has(t) && r.opaque.get(t) !== v) return false;
  // fib4_rule_compare / fib6_rule_compare
  if (q.srcLen && (r.srcLen !== q.srcLen || r.src !== q.src)) return false;
  if (q.dstLen && (r.dstLen !== q.dstLen || r.dst !== q.dst)) return false;
  if (q.tos && r.tos !== q.tos) return false;
  if (q.dscp >= 0 && r.dscp !== q.dscp) return false;
  return true;
}

/** A request of a planned change, and what it must do: delete `means`, or add a rule. */
interface Sent {
  type: number;
  flags: number;
  req: KRule;
  means: Rule;
}

function requestsOf(p: ReturnType<typeof plan>['plan']): Sent[] {
  const out: Sent[] = [];
  for (const stage of p.stages) {
    for (const c of stage) {
      if (c.type !== 'rule') continue;
      const ops = opsFor(c).main;
      ops.forEach((op, i) => {
        const w = new Writer(256);
        op.write(w, 1, { ifindex: () => 1 });
        const { type, flags, req } = parseRequest(Buffer.from(w.bytesView()));
        const deletes = c.action === 'delete' || (c.action === 'replace' && i === 0);
        out.push({ type, flags, req, means: deletes ? c.before! : c.after! });
      });
    }
  }
  return out;
}

// ---- random foreign rule states with twins at one priority ----------------

const PROTOCOLS = [0, 3, OURS];

/**
 * Rules that are mostly twins: one family, priority, action and table, each
 * with some of a few fixed selectors, so that one often names all the
 * selectors of another and more.
 */
const ruleArb: fc.Arbitrary<Rule> = fc
  .record({
    family: fc.constantFrom<'ipv4' | 'ipv6'>('ipv4', 'ipv4', 'ipv4', 'ipv6'),
    priority: fc.constantFrom(1000, 1000, 1000, 1001),
    from: fc.option(fc.constantFrom(0, 0, 1), { nil: undefined }),
    iif: fc.option(fc.constant('lan0'), { nil: undefined }),
    fwmark: fc.option(fc.constantFrom(0x10, 0), { nil: undefined }),
    uidrange: fc.option(fc.constantFrom('1000-1999', '0-0'), { nil: undefined }),
    ipproto: fc.option(fc.constant(6), { nil: undefined }),
    dport: fc.option(fc.constant('443'), { nil: undefined }),
    l3mdev: fc.constantFrom(false, false, false, true),
    suppress: fc.option(fc.constant(0), { nil: undefined }),
    realm: fc.option(fc.constant('07000500'), { nil: undefined }),
    not: fc.constantFrom(false, false, false, true),
    action: fc.constantFrom('lookup', 'lookup', 'lookup', 'lookup', 'blackhole', 'goto'),
    table: fc.constantFrom(100, 100, 100, 200),
    gotoTarget: fc.constantFrom(2000, 2000, 3000),
    protocol: fc.constantFrom(...PROTOCOLS),
  })
  .map((x) => {
    const v6 = x.family === 'ipv6';
    const l3mdev = x.l3mdev && x.action === 'lookup';
    const r: Rule = { family: x.family, priority: x.priority, table: x.action === 'lookup' && !l3mdev ? x.table : 0, action: x.action as Rule['action'], protocol: x.protocol };
    if (x.not) r.not = true;
    if (x.from !== undefined) r.from = v6 ? `fd00:${x.from + 1}::/48` : `10.${x.from + 1}.0.0/16`;
    if (x.iif) r.iif = x.iif;
    if (x.fwmark !== undefined) {
      r.fwmark = x.fwmark;
      if (x.fwmark === 0) r.fwmask = 0xff;
    }
    if (x.uidrange) r.uidrange = x.uidrange;
    if (x.ipproto) r.ipproto = x.ipproto;
    if (x.dport) r.dport = x.dport;
    if (l3mdev) r.l3mdev = true;
    if (x.suppress !== undefined) r.suppressPrefixlength = x.suppress;
    if (x.realm && !v6) r.attributes = { 11: x.realm };
    if (x.action === 'goto') r.goto = x.gotoTarget;
    return r;
  });

/** Rules in kernel list order (by priority, then as added), without two of one identity. */
function kernelList(rules: Rule[]): Rule[] {
  const seen = new Set<string>();
  const unique = rules.filter((r) => !seen.has(ruleKey(r)) && seen.add(ruleKey(r)));
  return unique.map((r, i) => ({ r, i })).sort((a, b) => a.r.priority - b.r.priority || a.i - b.i).map((x) => x.r);
}

const scenario = fc
  .record({
    existing: fc.array(ruleArb, { maxLength: 10 }),
    declaredFromExisting: fc.array(fc.record({ pick: fc.nat(), absent: fc.boolean(), withProtocol: fc.boolean() }), { maxLength: 5 }),
    declaredNew: fc.array(ruleArb, { maxLength: 3 }),
    prune: fc.boolean(),
  })
  .map(({ existing, declaredFromExisting, declaredNew, prune }) => {
    const list = kernelList(existing);
    const declared = new Map<string, Rule>();
    for (const d of declaredFromExisting) {
      if (list.length === 0) break;
      const a = list[d.pick % list.length]!;
      const r: Rule = { ...a, protocol: d.withProtocol ? a.protocol : OURS, state: d.absent ? 'absent' : 'present' };
      declared.set(ruleKey(r), r);
    }
    for (const n of declaredNew) declared.set(ruleKey(n), { ...n, protocol: OURS, state: 'present' });
    return { list, declared: [...declared.values()], prune };
  });

/** Where the kernel puts a new rule: after the last one whose priority is not greater. */
function insert(list: KRule[], r: KRule): void {
  let at = 0;
  for (let i = 0; i < list.length; i++) if (list[i]!.pref <= r.pref) at = i + 1;
  list.splice(at, 0, r);
}

test('no rule request of a plan can hit a rule other than the one it means, and no exclusive create meets EEXIST', () => {
  fc.assert(
    fc.property(scenario, ({ list, declared, prune }) => {
      const actual: State = state({ rules: list });
      const desired = desiredOf({ rules: declared }, { prune });
      const p = plan(desired, actual).plan;
      const kernel = list.map(kernelRule);
      for (const sent of requestsOf(p)) {
        if (sent.type === RTM_DELRULE) {
          const hit = kernel.findIndex((r) => r.family === sent.req.family && kernelMatches(sent.req, r));
          assert.ok(hit >= 0, `delete of ${ruleKey(sent.means)} finds no rule`);
          const rule = kernel[hit]!.rule!;
          assert.equal(ruleKey(rule), ruleKey(sent.means), `delete of ${ruleKey(sent.means)} hits ${ruleKey(rule)} (protocol ${rule.protocol})`);
          assert.equal(rule.protocol, sent.means.protocol);
          kernel.splice(hit, 1);
        } else {
          assert.equal(sent.type, RTM_NEWRULE);
          if (sent.flags & NLM_F_EXCL) {
            const clash = kernel.find((r) => r.family === sent.req.family && kernelMatches(sent.req, r));
            assert.equal(clash, undefined, `create of ${ruleKey(sent.means)} meets EEXIST from ${clash?.rule && ruleKey(clash.rule)}`);
          }
          insert(kernel, kernelRule(sent.means));
        }
      }
      // Foreign rules not declared absent are all still there, as they were.
      const absent = new Set(declared.filter((d) => d.state === 'absent').map(ruleKey));
      const left = new Set(kernel.map((r) => `${ruleKey(r.rule!)} ${r.rule!.protocol}`));
      for (const r of list) {
        if (r.protocol === OURS || absent.has(ruleKey(r))) continue;
        const adopted = declared.some((d) => ruleKey(d) === ruleKey(r) && d.state !== 'absent' && d.protocol !== r.protocol);
        if (!adopted) assert.ok(left.has(`${ruleKey(r)} ${r.protocol}`), `foreign ${ruleKey(r)} is gone`);
      }
    }),
    { numRuns: 1000 },
  );
});
