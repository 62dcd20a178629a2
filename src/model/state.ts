// A State from collections keyed by identity (the planner's simulated world,
// watch's event-fed cache).
import type { Address, Link, Neighbor, NexthopObject, Route, Rule, State } from './types.js';

export interface StateCollections {
  links: { values(): Iterable<Link> };
  addresses: { values(): Iterable<Address> };
  routes: { values(): Iterable<Route> };
  rules: { values(): Iterable<Rule> };
  neighbors: { values(): Iterable<Neighbor> };
  nexthops: { values(): Iterable<NexthopObject> };
}

export function stateOf(c: StateCollections): State {
  return {
    links: [...c.links.values()],
    addresses: [...c.addresses.values()],
    routes: [...c.routes.values()],
    rules: [...c.rules.values()],
    neighbors: [...c.neighbors.values()],
    nexthops: [...c.nexthops.values()],
  };
}
