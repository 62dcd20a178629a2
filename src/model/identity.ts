// Identity keys (contract section 3): two objects with the same key are the
// same object; everything else is an attribute. Keys are strings so they can
// index Maps; they are also the `id` shown in plans.
import type { Address, Link, Neighbor, NexthopObject, ObjectType, Route } from './types.js';

/** The namespace's settings are one object. */
export const NAMESPACE_ID = 'namespace';

export function namespaceKey(): string {
  return NAMESPACE_ID;
}

export function linkKey(l: Pick<Link, 'name'>): string {
  return l.name;
}

export function addressKey(a: Pick<Address, 'dev' | 'address' | 'peer'>): string {
  return a.peer ? `${a.dev} ${a.address} peer ${a.peer}` : `${a.dev} ${a.address}`;
}

/** What a route's identity is made of (contract section 3). */
export type RouteIdentityFields = Pick<Route, 'family' | 'table' | 'to' | 'metric' | 'tos' | 'from' | 'type' | 'via' | 'dev' | 'nexthops' | 'nhid'>;

/**
 * The device that is part of a route's identity: the kernel keeps IPv6
 * routes without a gateway to one prefix on several devices apart, where
 * IPv6 gateway routes of one key become siblings of one ECMP route and IPv4
 * keys no device at all. Undefined for every other route.
 */
export function routeKeyDev(r: Pick<Route, 'family' | 'type' | 'via' | 'dev' | 'nexthops' | 'nhid'>): string | undefined {
  return r.family === 'ipv6' && r.type === 'unicast' && r.via === undefined && r.nexthops === undefined && r.nhid === undefined ? r.dev : undefined;
}

export function routeKey(r: RouteIdentityFields): string {
  // family is implied by the canonical destination text; tos, source prefix and device only when they are part of it.
  let k = `${r.to} table ${r.table} metric ${r.metric}`;
  if (r.tos) k += ` tos ${r.tos}`;
  if (r.from !== undefined) k += ` from ${r.from}`;
  const dev = routeKeyDev(r);
  if (dev !== undefined) k += ` dev ${dev}`;
  return k;
}

/**
 * One route among those that share an identity (`ip route append`): its
 * identity plus what the kernel tells them apart by (owner, type, path).
 */
export function routeInstanceKey(r: Route): string {
  let k = `${routeKey(r)} proto ${r.protocol} ${r.type}`;
  if (r.via !== undefined) k += ` via ${r.via}`;
  if (r.dev !== undefined) k += ` dev ${r.dev}`;
  if (r.nhid !== undefined) k += ` nhid ${r.nhid}`;
  if (r.nexthops !== undefined) for (const h of r.nexthops) k += ` nexthop ${h.via ?? ''} ${h.dev ?? ''} ${h.weight}`;
  return k;
}


/**
 * A rule's identity: every selector, the action and its target, in
 * iproute2's words and order. Generated from the rule table
 * (netlink/rtnl/rule.ts), whose key rows are what the kernel compares.
 */
import { ruleKey } from '../netlink/rtnl/rule.js';
export { ruleKey };
export { IP_PROTOCOL_NAMES } from './constants.js';

export function neighborKey(n: Pick<Neighbor, 'dev' | 'address'>): string {
  return `${n.dev} ${n.address}`;
}

/** A nexthop object's identity: its id. */
export function nexthopKey(n: Pick<NexthopObject, 'id'>): string {
  return String(n.id);
}

export const keyOf = {
  namespace: namespaceKey,
  interface: linkKey,
  address: addressKey,
  route: routeKey,
  rule: ruleKey,
  neighbor: neighborKey,
  nexthop: nexthopKey,
} satisfies Record<ObjectType, (o: never) => string>;
