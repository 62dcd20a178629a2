// The kernel state kept current by rtnetlink events, so that a reconcile
// after a small drift needs no full dump. Events only say "look again" for
// the identities they name (the dirty set); the cache is the truth that the
// planner reads. What the kernel changes without telling (IPv4 routes
// flushed with a link or address) is handled by re-dumping routes.
import { stateOf } from '../model/state.js';
import { addressKey, neighborKey, nexthopKey, routeInstanceKey, routeKey, ruleKey } from '../model/identity.js';
import type { Address, Link, NamespaceSettings, Neighbor, NexthopObject, Route, Rule, State } from '../model/types.js';
import {
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELNEIGH,
  RTM_DELNETCONF,
  RTM_DELNEXTHOP,
  RTM_DELROUTE,
  RTM_DELRULE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
  RTM_NEWNETCONF,
  RTM_NEWNEXTHOP,
  RTM_NEWROUTE,
  RTM_NEWRULE,
} from '../netlink/constants.js';
import { findAttr, type Message } from '../netlink/message.js';
import type { IndexName } from '../netlink/rtnl/layout.js';
import { decodeAddress } from '../netlink/rtnl/address.js';
import { NETCONFA_IFINDEX, NETCONFMSG_LEN } from '../netlink/rtnl/devconf.js';
import { decodeLink, linkMessageUp } from '../netlink/rtnl/link.js';
import { decodeNeighbor } from '../netlink/rtnl/neighbor.js';
import { decodeNexthop } from '../netlink/rtnl/nexthop.js';
import { decodeRoute } from '../netlink/rtnl/route.js';
import { decodeRule } from '../netlink/rtnl/rule.js';
import { emptyScope, type Scope } from '../plan/plan.js';

/** What an event batch means for the next reconcile. */
export interface Dirty {
  keys: Scope;
  /** Links changed: re-read links (names, masters, kinds) before planning. */
  links: boolean;
  /** The kernel may have removed routes without telling: re-dump routes. */
  routes: boolean;
  /** The cache lost track: re-read the whole state. */
  full: boolean;
  /** A namespace-wide setting changed (netconf of "all" or "default"): re-read the namespace's settings. */
  namespace: boolean;
}

export function noDirt(): Dirty {
  return { keys: emptyScope(), links: false, routes: false, full: false, namespace: false };
}

export function isClean(d: Dirty): boolean {
  return !d.links && !d.routes && !d.full && !d.namespace && Object.values(d.keys).every((s) => s.size === 0);
}

export class KernelCache {
  /** The namespace's settings (read with RTM_GETNETCONF: no dump has them). */
  namespace: NamespaceSettings | undefined;
  links = new Map<string, Link>();
  private nameByIndex = new Map<number, string>();
  addresses = new Map<string, Address>();
  routes = new RouteGroups();
  rules = new Map<string, Rule>();
  neighbors = new Map<string, Neighbor>();
  nexthops = new Map<string, NexthopObject>();

  readonly names: IndexName = { name: (i) => this.nameByIndex.get(i) };

  /** netrec's marker: decides which finite-lifetime addresses are kernel-managed. */
  constructor(public protocol: number) {}

  load(s: State): void {
    this.namespace = s.namespace;
    this.setLinks(s.links);
    this.addresses = new Map(s.addresses.map((a) => [addressKey(a), a]));
    this.setRoutes(s.routes);
    this.rules = new Map(s.rules.map((r) => [ruleKey(r), r]));
    this.neighbors = new Map(s.neighbors.map((n) => [neighborKey(n), n]));
    this.nexthops = new Map(s.nexthops.map((n) => [nexthopKey(n), n]));
  }

  setLinks(links: Link[]): void {
    this.links = new Map(links.map((l) => [l.name, l]));
    this.nameByIndex = new Map(links.filter((l) => l.ifindex !== undefined).map((l) => [l.ifindex!, l.name]));
  }

  setRoutes(routes: Route[]): void {
    this.routes = new RouteGroups(routes);
  }

  toState(): State {
    return stateOf(this);
  }

  /**
   * An event the decoder skipped. Most are objects the model does not keep
   * (cloned routes, bridge fdb entries); when it names an interface we do
   * not know, the cache can no longer be trusted: read everything again.
   */
  private unresolved(m: Message, dirty: Dirty): void {
    const ifindex = eventIfindex(m);
    if (ifindex !== undefined && ifindex > 0 && this.nameByIndex.get(ifindex) === undefined) dirty.full = true;
  }

  /** Fold one event into the cache and note what it makes dirty. */
  apply(m: Message, dirty: Dirty): void {
    switch (m.type) {
      case RTM_NEWNETCONF:
      case RTM_DELNETCONF: {
        // A setting of an interface (its devconf is in the link dump) or,
        // for "all" and "default" (NETCONFA_IFINDEX < 0), of the namespace,
        // which also rewrites every interface's forwarding.
        dirty.links = true;
        const ifindex = netconfIfindex(m);
        if (ifindex === undefined || ifindex < 0) dirty.namespace = true;
        return;
      }
      case RTM_NEWLINK:
      case RTM_DELLINK: {
        // Names, masters and kinds resolve across links: re-read them all
        // (cheap), and routes, since a link going down or away takes its
        // IPv4 routes without an RTM_DELROUTE. The name is learnt at once,
        // so the events that follow in this burst resolve it.
        dirty.links = true;
        if (m.type === RTM_DELLINK || !linkMessageUp(m)) dirty.routes = true;
        const l = decodeLink(m);
        if (l && m.type === RTM_NEWLINK) this.nameByIndex.set(l.ifindex, l.name);
        return;
      }
      case RTM_NEWADDR:
      case RTM_DELADDR: {
        const a = decodeAddress(m, this.names, this.protocol);
        if (!a) return this.unresolved(m, dirty);
        const k = addressKey(a);
        if (m.type === RTM_NEWADDR) this.addresses.set(k, a);
        else {
          this.addresses.delete(k);
          if (a.family === 'ipv4') dirty.routes = true; // prefsrc / last-address flushes
        }
        dirty.keys.address.add(k);
        return;
      }
      case RTM_NEWROUTE:
      case RTM_DELROUTE: {
        const r = decodeRoute(m, this.names);
        if (!r) return this.unresolved(m, dirty);
        if (m.type === RTM_NEWROUTE) this.routes.set(r);
        else this.routes.delete(r);
        dirty.keys.route.add(routeKey(r));
        return;
      }
      case RTM_NEWRULE:
      case RTM_DELRULE: {
        const r = decodeRule(m);
        if (!r) return;
        const k = ruleKey(r);
        if (m.type === RTM_NEWRULE) this.rules.set(k, r);
        else this.rules.delete(k);
        dirty.keys.rule.add(k);
        return;
      }
      case RTM_NEWNEIGH:
      case RTM_DELNEIGH: {
        const n = decodeNeighbor(m, this.names);
        if (!n) return this.unresolved(m, dirty);
        const k = neighborKey(n);
        if (m.type === RTM_NEWNEIGH) this.neighbors.set(k, n);
        else this.neighbors.delete(k);
        dirty.keys.neighbor.add(k);
        return;
      }
      case RTM_NEWNEXTHOP:
      case RTM_DELNEXTHOP: {
        const n = decodeNexthop(m, this.names);
        if (!n) {
          // On an interface the cache does not know: it lost track.
          dirty.full = true;
          return;
        }
        const k = nexthopKey(n);
        if (m.type === RTM_NEWNEXTHOP) this.nexthops.set(k, n);
        else {
          this.nexthops.delete(k);
          // The kernel deletes the routes through it (and groups left empty) without a word of each.
          dirty.routes = true;
          dirty.full = true;
        }
        dirty.keys.nexthop.add(k);
        return;
      }
    }
  }
}

/**
 * Routes by identity, each identity with every route the kernel keeps
 * under it (`ip route append`), told apart by owner, type and path.
 */
export class RouteGroups {
  private readonly groups = new Map<string, Map<string, Route>>();

  constructor(routes: Iterable<Route> = []) {
    for (const r of routes) this.set(r);
  }

  set(r: Route): void {
    const k = routeKey(r);
    let g = this.groups.get(k);
    if (g === undefined) this.groups.set(k, (g = new Map()));
    g.set(routeInstanceKey(r), r);
  }

  delete(r: Route): void {
    const k = routeKey(r);
    const g = this.groups.get(k);
    if (g === undefined) return;
    g.delete(routeInstanceKey(r));
    if (g.size === 0) this.groups.delete(k);
  }

  /** Every route of these identities. */
  pick(ids: Iterable<string>): Route[] {
    const out: Route[] = [];
    for (const id of ids) {
      const g = this.groups.get(id);
      if (g !== undefined) for (const r of g.values()) out.push(r);
    }
    return out;
  }

  *values(): IterableIterator<Route> {
    for (const g of this.groups.values()) yield* g.values();
  }
}

/** NETCONFA_IFINDEX of a netconf event; -1 all, -2 default. */
function netconfIfindex(m: Message): number | undefined {
  const a = findAttr(m.buf, m.off + NETCONFMSG_LEN, m.end, NETCONFA_IFINDEX);
  return a !== undefined && a.len >= 4 ? m.buf.readInt32LE(a.at) : undefined;
}

/** The interface an address or neighbor event is about (ifindex in its family header); routes name theirs in attributes. */
function eventIfindex(m: Message): number | undefined {
  if (m.type === RTM_NEWADDR || m.type === RTM_DELADDR) return m.end - m.off >= 8 ? m.buf.readUInt32LE(m.off + 4) : undefined;
  if (m.type === RTM_NEWNEIGH || m.type === RTM_DELNEIGH) return m.end - m.off >= 8 ? m.buf.readInt32LE(m.off + 4) : undefined;
  return undefined;
}
