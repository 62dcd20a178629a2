// A State from collections keyed by identity (the planner's simulated world,
// watch's event-fed cache).
import type { Address, Link, NamespaceSettings, Neighbor, NexthopObject, ObjectType, Route, Rule, State } from './types.js';

export interface StateCollections {
  namespace?: NamespaceSettings;
  links: { values(): Iterable<Link> };
  addresses: { values(): Iterable<Address> };
  routes: { values(): Iterable<Route> };
  rules: { values(): Iterable<Rule> };
  neighbors: { values(): Iterable<Neighbor> };
  nexthops: { values(): Iterable<NexthopObject> };
}

export function stateOf(c: StateCollections): State {
  return {
    ...(c.namespace ? { namespace: c.namespace } : {}),
    links: [...c.links.values()],
    addresses: [...c.addresses.values()],
    routes: [...c.routes.values()],
    rules: [...c.rules.values()],
    neighbors: [...c.neighbors.values()],
    nexthops: [...c.nexthops.values()],
  };
}

type AnyObject = NamespaceSettings | Link | Address | Route | Rule | Neighbor | NexthopObject;

/** Every object type, in the order a state lists them. */
export const OBJECT_TYPES: readonly ObjectType[] = ['namespace', 'interface', 'address', 'route', 'rule', 'neighbor', 'nexthop'];

const LIST: Record<Exclude<ObjectType, 'namespace'>, Exclude<keyof State, 'namespace'>> = {
  interface: 'links',
  address: 'addresses',
  route: 'routes',
  rule: 'rules',
  neighbor: 'neighbors',
  nexthop: 'nexthops',
};

/** The objects of one type in a state: the namespace's settings are one object, or none. */
export function objectsOf(s: State, type: ObjectType): readonly AnyObject[] {
  if (type === 'namespace') return s.namespace === undefined ? [] : [s.namespace];
  return s[LIST[type]];
}

/** Set the objects of one type in a state. */
export function setObjectsOf(s: State, type: ObjectType, objects: readonly AnyObject[]): void {
  if (type === 'namespace') {
    if (objects.length > 0) s.namespace = objects[0] as NamespaceSettings;
    else delete s.namespace;
  } else (s[LIST[type]] as AnyObject[]) = [...objects];
}
