// Routes by identity (contract section 3) without building a key string per
// route: a full routing table has a million of them, and their key strings
// would cost more time and memory than the rest of planning together. The
// destination text each route already carries is the map key (it also tells
// the family); table, metric and tos tell apart the few that share it.
//
// Each route sits in a numbered slot, so that a caller can keep facts about
// the routes in arrays indexed by slot (the planner: which declaration each
// existing route has) rather than in maps keyed by the route objects, which
// cost a hash lookup per route. Slots are not reused: a slot names one
// route, or nothing once it is deleted.
import type { Route } from '../model/types.js';

export type RouteIdentity = Pick<Route, 'table' | 'to' | 'metric' | 'tos'>;

function sameRest(a: RouteIdentity, b: RouteIdentity): boolean {
  return a.table === b.table && a.metric === b.metric && a.tos === b.tos;
}

const NONE = -1;

export class RouteTable<T extends RouteIdentity = Route> {
  /** The first slot of the routes with each destination. */
  private readonly first = new Map<string, number>();
  private readonly slots: (T | undefined)[] = [];
  /** The next slot with the same destination, or NONE. */
  private readonly next: number[] = [];

  /** The slot of the route with this identity, or -1. */
  slotOf(id: RouteIdentity): number {
    const head = this.first.get(id.to);
    if (head === undefined) return NONE;
    for (let s = head; s !== NONE; s = this.next[s]!) if (sameRest(this.slots[s]!, id)) return s;
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

  /** Add a route, or replace the one with its identity (in its slot). */
  set(r: T): void {
    const head = this.first.get(r.to);
    if (head === undefined) {
      this.first.set(r.to, this.add(r));
      return;
    }
    let last = head;
    for (let s = head; s !== NONE; last = s, s = this.next[s]!) {
      if (sameRest(this.slots[s]!, r)) {
        this.slots[s] = r;
        return;
      }
    }
    this.next[last] = this.add(r);
  }

  private add(r: T): number {
    this.slots.push(r);
    this.next.push(NONE);
    return this.slots.length - 1;
  }

  /** Remove the route with this identity; returns it, or undefined when there was none. */
  delete(id: RouteIdentity): T | undefined {
    const head = this.first.get(id.to);
    if (head === undefined) return undefined;
    for (let prev = NONE, s = head; s !== NONE; prev = s, s = this.next[s]!) {
      const r = this.slots[s]!;
      if (!sameRest(r, id)) continue;
      this.slots[s] = undefined;
      const after = this.next[s]!;
      if (prev !== NONE) this.next[prev] = after;
      else if (after !== NONE) this.first.set(id.to, after);
      else this.first.delete(id.to);
      return r;
    }
    return undefined;
  }

  /** Call `visit` with every route and its slot: destinations in the order they came, routes of one destination likewise. */
  forEach(visit: (r: T, slot: number) => void): void {
    for (const head of this.first.values()) {
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
