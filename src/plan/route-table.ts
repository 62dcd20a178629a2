// Routes by identity (contract section 3) without building a key string per
// route: a full routing table has a million of them, and their key strings
// would cost more time and memory than the rest of planning together. The
// destination each route already carries is the map key: an IPv4 prefix as
// an integer under its length, any other text as it is; table, metric and
// tos tell apart the few routes that share a destination.
//
// Each route sits in a numbered slot, so that a caller can keep facts about
// the routes in arrays indexed by slot (the planner: which declaration each
// existing route has) rather than in maps keyed by the route objects, which
// cost a hash lookup per route. Slots are not reused: a slot names one
// route, or nothing once it is deleted.
import { routeKeyDev } from '../model/identity.js';
import { parseIPv4Prefix, type IPv4Out } from '../model/ip.js';
import type { Route } from '../model/types.js';

export type RouteIdentity = Pick<Route, 'family' | 'table' | 'to' | 'metric' | 'tos' | 'from' | 'type' | 'via' | 'dev' | 'nexthops' | 'nhid'>;

/**
 * Same table, metric, tos and source prefix (the destination is compared by
 * the caller): the routes the kernel keeps in one list, where a replace
 * takes the first one and a delete without device or gateway the first.
 */
function sameLeaf(a: RouteIdentity, b: RouteIdentity): boolean {
  return a.table === b.table && a.metric === b.metric && a.tos === b.tos && a.from === b.from;
}

/** Same identity (contract section 3), the destination compared by the caller. */
function sameRest(a: RouteIdentity, b: RouteIdentity): boolean {
  return sameLeaf(a, b) && (a.family === 'ipv4' || routeKeyDev(a) === routeKeyDev(b));
}

/** Slot flags: another route shares the slot's kernel list (CROWDED), or its very identity (TWINNED). */
const CROWDED = 1;
const TWINNED = 2;

const NONE = -1;

export class RouteTable<T extends RouteIdentity = Route> {
  /**
   * Destinations in the order they came: the first slot of each, NONE once
   * its last route went (a destination that comes back is a new entry at the
   * end, as a Map's key would be).
   */
  private readonly heads: number[] = [];
  /** Destination entry of each IPv4 prefix, by length then address: integer keys hash without reading a string. */
  private readonly byV4: (Map<number, number> | undefined)[] = [];
  /** Destination entry of every other text (IPv6). */
  private readonly byText = new Map<string, number>();
  private readonly slots: (T | undefined)[] = [];
  /** The next slot with the same destination, or NONE. */
  private readonly next: number[] = [];
  /** CROWDED | TWINNED per slot, set when a route joins (never cleared: a hint, not a count). */
  private readonly flags: number[] = [];
  /** The address of the last destination() lookup's IPv4 prefix (parseIPv4Prefix's output). */
  private readonly parsed: IPv4Out = { v4: 0 };
  /** The prefix length the last destination() lookup parsed (-1: not canonical IPv4): (un)mapDestination use it without parsing again. */
  private parsedLen = -1;

  /** The destination entry of `to`, or NONE; leaves `to` parsed for (un)mapDestination. */
  private destination(to: string): number {
    const len = parseIPv4Prefix(to, this.parsed);
    this.parsedLen = len;
    const d = len < 0 ? this.byText.get(to) : this.byV4[len]?.get(this.parsed.v4);
    return d === undefined ? NONE : d;
  }

  /** Map `to`, which the last destination() call parsed, to entry d. */
  private mapDestination(to: string, d: number): void {
    if (this.parsedLen < 0) this.byText.set(to, d);
    else (this.byV4[this.parsedLen] ??= new Map()).set(this.parsed.v4, d);
  }

  /** Unmap `to`, which the last destination() call parsed. */
  private unmapDestination(to: string): void {
    if (this.parsedLen < 0) this.byText.delete(to);
    else this.byV4[this.parsedLen]!.delete(this.parsed.v4);
  }

  /**
   * The slot of the route with this identity, or -1. `hint` is a slot to
   * try first: lists read in the kernel's dump order (a sorted config, a
   * saved state) meet the table's routes one after another, and a slot that
   * holds the identity is the one a lookup would find (one slot per identity).
   */
  slotOf(id: RouteIdentity, hint = NONE): number {
    if (hint >= 0 && hint < this.slots.length) {
      const r = this.slots[hint];
      if (r !== undefined && r.to === id.to && sameRest(r, id)) return hint;
    }
    const d = this.destination(id.to);
    if (d === NONE) return NONE;
    for (let s = this.heads[d]!; s !== NONE; s = this.next[s]!) if (sameRest(this.slots[s]!, id)) return s;
    return NONE;
  }

  /** The route in a slot; undefined once it is deleted. */
  at(slot: number): T | undefined {
    return this.slots[slot];
  }

  /** Slots used so far (deleted ones included): an upper bound on slot numbers. */
  get slotCount(): number {
    return this.slots.length;
  }

  get(id: RouteIdentity): T | undefined {
    const s = this.slotOf(id);
    return s === NONE ? undefined : this.slots[s];
  }

  has(id: RouteIdentity): boolean {
    return this.slotOf(id) !== NONE;
  }

  /** The next slot after `slot` holding a route of the same identity, or -1. */
  nextTwin(slot: number): number {
    const r = this.slots[slot];
    if (r === undefined) return NONE;
    for (let s = this.next[slot]!; s !== NONE; s = this.next[s]!) if (sameRest(this.slots[s]!, r)) return s;
    return NONE;
  }

  /** True when another route has (or had) the identity of the one in `slot`. */
  twinned(slot: number): boolean {
    return (this.flags[slot]! & TWINNED) !== 0;
  }

  /** True when another route shares the kernel's list of the one in `slot` (same table, destination, tos, metric, source prefix). */
  crowded(slot: number): boolean {
    if ((this.flags[slot]! & CROWDED) === 0) return false;
    return this.leafmates(slot, false) > 0;
  }

  /** True when no route before the one in `slot` shares its kernel list: a replace or a delete without device would take it. */
  firstOfLeaf(slot: number): boolean {
    return this.leafmates(slot, true) === 0;
  }

  /** Routes other than slot's in its kernel list (before it only, with `before`). */
  private leafmates(slot: number, before: boolean): number {
    const r = this.slots[slot];
    if (r === undefined) return 0;
    const d = this.destination(r.to);
    let n = 0;
    for (let s = this.heads[d]!; s !== NONE; s = this.next[s]!) {
      if (s === slot) {
        if (before) return n;
        continue;
      }
      if (sameLeaf(this.slots[s]!, r)) n++;
    }
    return n;
  }

  /** Every route with this identity, in the kernel's order. */
  twinsOf(id: RouteIdentity): T[] {
    const out: T[] = [];
    for (let s = this.slotOf(id); s !== NONE; s = this.nextTwin(s)) out.push(this.slots[s]!);
    return out;
  }

  /** Whether a route with the same kernel list as `id` (table, destination, tos, metric, source prefix) exists. */
  hasLeaf(id: RouteIdentity): boolean {
    const d = this.destination(id.to);
    if (d === NONE) return false;
    for (let s = this.heads[d]!; s !== NONE; s = this.next[s]!) if (sameLeaf(this.slots[s]!, id)) return true;
    return false;
  }

  /** Add a route after those of its destination (the kernel keeps several under one identity: `ip route append`). */
  add(r: T): number {
    const d = this.destination(r.to);
    if (d === NONE) {
      this.mapDestination(r.to, this.heads.length);
      const slot = this.push(r, 0);
      this.heads.push(slot);
      return slot;
    }
    let last = NONE;
    let flags = 0;
    for (let s = this.heads[d]!; s !== NONE; last = s, s = this.next[s]!) {
      const o = this.slots[s]!;
      if (!sameLeaf(o, r)) continue;
      const f = sameRest(o, r) ? CROWDED | TWINNED : CROWDED;
      this.flags[s]! |= f;
      flags |= f;
    }
    const slot = this.push(r, flags);
    this.next[last] = slot;
    return slot;
  }

  /** Put `r` in the slot of `old` (the same object, or else the first route equal to it by `same`); adds it when there is none. */
  replace(old: T, r: T, same?: (a: T, b: T) => boolean): void {
    const s = this.slotOfRoute(old, same);
    if (s === NONE) {
      this.add(r);
      return;
    }
    if (r.to === old.to && sameRest(r, old)) this.slots[s] = r;
    else {
      this.remove(old, same);
      this.add(r);
    }
  }

  /** The slot of this very route (or of the first equal to it by `same`), or -1. */
  slotOfRoute(r: T, same?: (a: T, b: T) => boolean): number {
    const d = this.destination(r.to);
    if (d === NONE) return NONE;
    let alike = NONE;
    for (let s = this.heads[d]!; s !== NONE; s = this.next[s]!) {
      const o = this.slots[s]!;
      if (o === r) return s;
      if (alike === NONE && same !== undefined && sameRest(o, r) && same(o, r)) alike = s;
    }
    return alike;
  }

  private push(r: T, flags: number): number {
    this.slots.push(r);
    this.next.push(NONE);
    this.flags.push(flags);
    return this.slots.length - 1;
  }

  /** Remove this very route (or the first equal to it by `same`); returns it, or undefined when there was none. */
  remove(route: T, same?: (a: T, b: T) => boolean): T | undefined {
    const target = this.slotOfRoute(route, same);
    if (target === NONE) return undefined;
    const d = this.destination(route.to);
    for (let prev = NONE, s = this.heads[d]!; s !== NONE; prev = s, s = this.next[s]!) {
      if (s !== target) continue;
      const r = this.slots[s]!;
      this.slots[s] = undefined;
      const after = this.next[s]!;
      if (prev !== NONE) this.next[prev] = after;
      else {
        this.heads[d] = after;
        if (after === NONE) this.unmapDestination(route.to);
      }
      return r;
    }
    return undefined;
  }

  /** Remove the first route with this identity; returns it, or undefined when there was none. */
  delete(id: RouteIdentity): T | undefined {
    const r = this.get(id);
    return r === undefined ? undefined : this.remove(r);
  }

  /** Call `visit` with every route and its slot: destinations in the order they came, routes of one destination likewise. */
  forEach(visit: (r: T, slot: number) => void): void {
    for (const head of this.heads) {
      for (let s = head; s !== NONE; s = this.next[s]!) visit(this.slots[s]!, s);
    }
  }

  /** All routes, in forEach's order. */
  values(): T[] {
    const out: T[] = [];
    this.forEach((r) => out.push(r));
    return out;
  }
}
