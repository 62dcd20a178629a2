// Routes by identity (contract section 3) without building a key string per
// route: a full routing table has a million of them, and their key strings
// would cost more time and memory than the rest of planning together. The
// destination text each route already carries is the map key (it also tells
// the family); table, metric and tos tell apart the few that share it.
import type { Route } from '../model/types.js';

export type RouteIdentity = Pick<Route, 'table' | 'to' | 'metric' | 'tos'>;

function sameRest(a: RouteIdentity, b: RouteIdentity): boolean {
  return a.table === b.table && a.metric === b.metric && a.tos === b.tos;
}

export class RouteTable<T extends RouteIdentity = Route> {
  private readonly byDestination = new Map<string, T | T[]>();

  get(id: RouteIdentity): T | undefined {
    const e = this.byDestination.get(id.to);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return sameRest(e, id) ? e : undefined;
    return e.find((r) => sameRest(r, id));
  }

  has(id: RouteIdentity): boolean {
    return this.get(id) !== undefined;
  }

  /** Add a route, or replace the one with its identity. */
  set(r: T): void {
    const e = this.byDestination.get(r.to);
    if (e === undefined) {
      this.byDestination.set(r.to, r);
    } else if (!Array.isArray(e)) {
      if (sameRest(e, r)) this.byDestination.set(r.to, r);
      else this.byDestination.set(r.to, [e, r]);
    } else {
      const i = e.findIndex((x) => sameRest(x, r));
      if (i >= 0) e[i] = r;
      else e.push(r);
    }
  }

  /** Remove the route with this identity; returns it, or undefined when there was none. */
  delete(id: RouteIdentity): T | undefined {
    const e = this.byDestination.get(id.to);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) {
      if (!sameRest(e, id)) return undefined;
      this.byDestination.delete(id.to);
      return e;
    }
    const i = e.findIndex((x) => sameRest(x, id));
    if (i < 0) return undefined;
    const [gone] = e.splice(i, 1);
    if (e.length === 1) this.byDestination.set(id.to, e[0]!);
    return gone;
  }

  /** All routes; the table must not change while they are walked. */
  *values(): IterableIterator<T> {
    for (const e of this.byDestination.values()) {
      if (Array.isArray(e)) yield* e;
      else yield e;
    }
  }
}
