// nexthops: entries -> NexthopObject (kernel nexthop objects; identity: id).
import type { Family, NexthopMember, NexthopObject } from '../model/types.js';
import { Entry, FamilyVote, type FileContext } from './context.js';
import { checkedName } from './normalize-routes.js';
import { Bad, protocol } from './values.js';

export interface RawNexthopObject {
  id: number;
  via?: string;
  dev?: string;
  'on-link'?: boolean;
  blackhole?: boolean;
  fdb?: boolean;
  family?: Family;
  group?: { id: number; weight?: number }[];
  resilient?: { buckets?: number; 'idle-timer'?: number; 'unbalanced-timer'?: number };
  attributes?: Record<string, string>;
  protocol?: string | number;
  state?: 'present' | 'absent';
}

export function normalizeNexthops(ctx: FileContext, raws: RawNexthopObject[], skip: ReadonlySet<number>): NexthopObject[] {
  const e = new Entry(ctx, ['nexthops']);
  const vote = new FamilyVote('nexthop');
  const sourceOf = ctx.src.itemPositions(['nexthops'], raws);
  const out: NexthopObject[] = [];
  for (let i = 0; i < raws.length; i++) {
    if (skip.has(i)) continue;
    e.start(i);
    const n = nexthop(e, vote, raws[i]!);
    if (n) out.push(ctx.place(n, sourceOf, i));
  }
  return out;
}

/**
 * One entry. What it is follows iproute2 and the kernel (nexthop.c
 * rtm_to_nh_config): a group (of other nexthops' ids), a blackhole, or a
 * single next hop on a device (with a gateway, or without one); the family
 * is the gateway's, else declared, else IPv4 as iproute2 has it. A group
 * has no family of its own.
 */
function nexthop(e: Entry, vote: FamilyVote, raw: RawNexthopObject): NexthopObject | undefined {
  const { settings } = e.ctx;
  vote.reset(raw.family);
  const state = settings.snapshot ? raw.state : (raw.state ?? 'present');
  let proto: number | Bad = settings.policy.protocol;
  if (raw.protocol !== undefined) proto = protocol(raw.protocol);
  if (proto instanceof Bad) e.problem('protocol', proto.message);
  const n: NexthopObject = { id: raw.id, protocol: proto instanceof Bad ? 0 : proto };
  if (!Number.isInteger(raw.id) || raw.id < 1 || raw.id > 0xffffffff) e.problem('id', `id must be 1..4294967295 (got ${raw.id})`);
  if (state === 'absent') {
    n.state = 'absent';
    return e.ok ? n : undefined;
  }
  const isGroup = raw.group !== undefined;
  if (isGroup) {
    if (raw.via !== undefined || raw.dev !== undefined || raw.blackhole || raw['on-link'] || raw.fdb) {
      e.problem('group', 'a group excludes via, dev, on-link, blackhole and fdb: its members have them', true);
    }
    if (raw.family !== undefined) e.problem('family', 'a group has no family of its own (its members have one)', true);
    n.group = members(e, raw);
    if (raw.resilient !== undefined) {
      n.resilient = true;
      const r = raw.resilient;
      if (r.buckets !== undefined) n.buckets = r.buckets;
      if (r['idle-timer'] !== undefined) n.idleTimer = r['idle-timer'];
      if (r['unbalanced-timer'] !== undefined) n.unbalancedTimer = r['unbalanced-timer'];
    }
  } else {
    if (raw.resilient !== undefined) e.problem('resilient', 'resilient is for groups only', true);
    if (raw.blackhole) {
      if (raw.via !== undefined || raw.dev !== undefined || raw['on-link'] || raw.fdb) e.problem('blackhole', 'a blackhole nexthop takes no via, dev, on-link or fdb', true);
      n.blackhole = true;
    } else if (raw.dev === undefined && !raw.fdb) {
      e.problem(undefined, 'a nexthop needs dev (with or without via), blackhole: true, or a group');
    }
    if (raw.via !== undefined) {
      const a = e.ctx.values.address(raw.via);
      if (a instanceof Bad) {
        e.problem('via', a.message);
        vote.spoiled = true;
      } else {
        vote.add(e, a.family, 'via', 'via', raw.via);
        n.via = a.text;
      }
    }
    if (raw['on-link'] && raw.via === undefined) e.problem('on-link', 'on-link is for a nexthop with via', true);
    if (raw.dev !== undefined) {
      const dev = checkedName(e, raw.dev, 'dev');
      if (dev !== undefined) n.dev = dev;
    }
    if (raw['on-link']) n.onLink = true;
    if (raw.fdb) n.fdb = true;
    n.family = vote.family ?? 'ipv4';
  }
  if (raw.attributes !== undefined && Object.keys(raw.attributes).length > 0) {
    const attributes: Record<string, string> = {};
    for (const k of Object.keys(raw.attributes).sort((a, b) => Number(a) - Number(b))) {
      const v = raw.attributes[k]!;
      if (!/^[1-9][0-9]{0,4}$/.test(k)) e.problem(['attributes', k], `"${k}" is not an attribute number`);
      else if (!/^([0-9a-f]{2})*$/.test(v)) e.problem(['attributes', k], 'the payload is hex bytes, as `show` writes it');
      attributes[k] = v;
    }
    n.attributes = attributes;
  }
  if (state !== undefined) n.state = state;
  return e.ok ? n : undefined;
}

/** A group's members, sorted by id (the kernel's order does not matter to it): each once, weight 1..256 (default 1). */
function members(e: Entry, raw: RawNexthopObject): NexthopMember[] {
  const seen = new Set<number>();
  const out: NexthopMember[] = [];
  raw.group!.forEach((m, j) => {
    const weight = m.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 1 || weight > 256) e.problem(['group', j, 'weight'], `weight must be 1..256 (got ${weight})`);
    if (m.id === raw.id) e.problem(['group', j, 'id'], `nexthop ${raw.id} cannot be a member of itself`);
    if (seen.has(m.id)) e.problem(['group', j, 'id'], `member ${m.id} is listed twice`);
    seen.add(m.id);
    out.push({ id: m.id, weight });
  });
  if (out.length === 0) e.problem('group', 'a group needs at least one member');
  return out.sort((x, y) => x.id - y.id);
}
