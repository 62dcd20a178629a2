// Ordering (contract section 5.3): what must exist before what.
import type { Link, Route } from '../model/types.js';
import { lowerOf } from './ownership.js';

/** linkDepths' mark for a link on the current path, where a cycle is cut. */
const VISITING = -1;

/**
 * Depth of each link in the graph "needs": a member needs its master, an
 * upper (a link of a kind with a lower link) that link, and `extra` adds more
 * (the end of a pair made with its peer). Links needing nothing in `links` are at
 * depth 0. Create in rising depth, delete in falling depth. A cycle (which
 * validation rejects) is cut where it is found.
 */
export function linkDepths(links: ReadonlyMap<string, Link>, extra?: (l: Link) => string | undefined): Map<string, number> {
  const depth = new Map<string, number>();
  // One below the link named `need` (0 when it is not in `links`): no array of needs per link.
  const below = (l: Link, need: string | undefined): number => {
    const n = need === undefined ? undefined : links.get(need);
    return n === undefined || n === l ? 0 : visit(n) + 1;
  };
  const visit = (l: Link): number => {
    const known = depth.get(l.name);
    if (known !== undefined) return known === VISITING ? 0 : known;
    depth.set(l.name, VISITING);
    const d = Math.max(below(l, l.master), below(l, lowerOf(l)), extra === undefined ? 0 : below(l, extra(l)));
    depth.set(l.name, d);
    return d;
  };
  for (const l of links.values()) visit(l);
  return depth;
}

/** Items grouped by the depth of the link each is about, shallowest first. */
export function byDepth<T>(items: Iterable<T>, depth: ReadonlyMap<string, number>, nameOf: (item: T) => string): T[][] {
  const groups: T[][] = [];
  for (const item of items) (groups[depth.get(nameOf(item)) ?? 0] ??= []).push(item);
  return groups.filter((g) => g !== undefined);
}

/** Routes through a gateway need the routes that make the gateway reachable first. */
export function usesGateway(r: Route): boolean {
  return r.via !== undefined || (r.nexthops?.some((h) => h.via !== undefined) ?? false);
}
