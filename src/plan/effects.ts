// A pure model of what each change does to the kernel, including what the
// kernel then does by itself (netlink-notes.md):
// - deleting a link takes its addresses, neighbors and routes, its uppers
//   (links of kinds with a lower link, but for IP tunnels, which outlive it
//   naming no link) and its peer; members lose their master;
// - deleting an IPv4 address takes the routes using it as source, the last
//   one all IPv4 routes and ARP entries of its link; a primary one also
//   takes the secondaries of its subnet, unless the link promotes one of
//   them (promote_secondaries); IPv6 keeps such routes, unsourced;
// - a link going down loses its IPv4 routes (not local ones), IPv6
//   addresses and routes, and neighbors; joining or leaving a master whose
//   kind cycles its members does the same;
// - a new link-layer address, and so a master that takes its members'
//   address gaining or losing a member, flushes the link's neighbors,
//   permanent ones included;
// - deleting a nexthop object takes every route through it; a member
//   leaves its groups, and a group left without members goes too; a link
//   going down or away takes the nexthops on it (nexthop.c remove_nexthop,
//   nexthop_flush_dev).
// Where the kernel's behaviour depends on sysctls the model assumes the
// defaults, and where it depends on what cannot be known (a master's address
// may not change) it assumes the loss, so that a plan re-creates rather than
// misses what may be gone.
import { stateOf } from '../model/state.js';
import { TABLE_LOCAL, TABLE_MAIN } from '../model/constants.js';
import { addressKey, linkKey, neighborKey, nexthopKey, routeKey, ruleKey } from '../model/identity.js';
import { formatPrefix, parsePrefix, prefixNetwork } from '../model/ip.js';
import type { Address, Family, Link, NamespaceSettings, Neighbor, NexthopObject, ObjectType, Route, Rule, State, Vlan } from '../model/types.js';
import { NAMESPACE_SETTINGS, settingName, settingValue } from '../netlink/rtnl/devconf.js';
import { compress, expand, flagsOf } from '../netlink/rtnl/bridge-vlan.js';
import { hasVlans, memberTable, peerLink } from '../kinds/registry.js';
import { cyclesMembers, goesWithLower, isKernelMade, lowerOf, lowerWithout, peerOf, takesMemberAddress } from './ownership.js';
import { type RouteIdentity, RouteTable } from './route-table.js';
import type { Change, Effect, ModelObject } from './types.js';

const PROTO_KERNEL = 2;

/** The VLAN a bridge gives itself and a new port: its default PVID, untagged. */
const DEFAULT_VLAN = (vid: number): Vlan => ({ vid, pvid: true, untagged: true });

/** A bridge's default PVID (the kernel's 1 unless set; 0: none). */
function defaultPvid(bridge: Link): number {
  return (bridge.options?.defaultPvid as number | undefined) ?? 1;
}
const IPV6_PREFIX_ROUTE_METRIC = 256;
const NO_EFFECTS: readonly Effect[] = Object.freeze([]);

/** Objects (or their keys) grouped by an attribute: device, source address. */
class GroupIndex<T> {
  private readonly groups = new Map<string, Set<T>>();

  add(group: string, item: T): void {
    let items = this.groups.get(group);
    if (items === undefined) this.groups.set(group, (items = new Set()));
    items.add(item);
  }

  delete(group: string, item: T): void {
    this.groups.get(group)?.delete(item);
  }

  /** A copy, so the caller may change the index while it walks the group. */
  of(group: string): T[] {
    const items = this.groups.get(group);
    return items === undefined ? [] : [...items];
  }
}

type Verb = 'removed' | 'changed' | 'created';

/**
 * Network state indexed by identity, changed in place by `apply`. Secondary
 * indexes (objects per device, routes per source address) are built on first
 * need: most plans over a full routing table never need them.
 */
export class World {
  readonly links = new Map<string, Link>();
  readonly addresses = new Map<string, Address>();
  readonly routes = new RouteTable<Route>();
  readonly rules = new Map<string, Rule>();
  readonly neighbors = new Map<string, Neighbor>();
  /** The namespace's settings; undefined when unknown (a snapshot without them). */
  namespace: NamespaceSettings | undefined;
  readonly nexthops = new Map<string, NexthopObject>();
  /** What the kernel did by itself to an object ("removed by the kernel with eth0"), by type and identity. */
  readonly kernelDid: Record<ObjectType, Map<string, string>> = {
    namespace: new Map(),
    interface: new Map(),
    address: new Map(),
    route: new Map(),
    rule: new Map(),
    neighbor: new Map(),
    nexthop: new Map(),
  };
  /** Routes (the objects as they were) that the kernel removed or changed by itself. */
  readonly cascadedRoutes = new Set<Route>();
  private effects: Effect[] | undefined;
  private addressesByDev: GroupIndex<string> | undefined;
  private neighborsByDev: GroupIndex<string> | undefined;
  private routesByDev: GroupIndex<Route> | undefined;
  private routesBySrc: GroupIndex<Route> | undefined;
  private routesByNhid: GroupIndex<Route> | undefined;

  static of(s: State): World {
    const w = new World();
    if (s.namespace !== undefined) w.namespace = s.namespace;
    for (const l of s.links) w.links.set(linkKey(l), l);
    for (const a of s.addresses) w.addresses.set(addressKey(a), a);
    for (const r of s.routes) w.routes.add(r);
    for (const r of s.rules) w.rules.set(ruleKey(r), r);
    for (const n of s.neighbors) w.neighbors.set(neighborKey(n), n);
    for (const n of s.nexthops) w.nexthops.set(nexthopKey(n), n);
    return w;
  }

  toState(): State {
    return stateOf(this);
  }

  /**
   * Apply one change and what the kernel does with it. Returns the kernel's
   * own effects, or undefined when the change no longer applies (its object
   * is gone, or a link to create exists).
   */
  apply(c: Change): readonly Effect[] | undefined {
    this.effects = undefined;
    const applied = this.applyChange(c);
    const effects = this.effects ?? NO_EFFECTS;
    this.effects = undefined;
    return applied ? effects : undefined;
  }

  private applyChange(c: Change): boolean {
    switch (c.type) {
      case 'namespace':
        this.applyNamespace(c.after!);
        return true;
      case 'interface':
        return this.applyLink(c.action, c.id, c.after);
      case 'address': {
        if (c.action === 'create') {
          this.putAddress(c.id, this.placed(c.after!, undefined));
          return true;
        }
        const old = this.addresses.get(c.id);
        if (old === undefined) return false;
        if (c.action === 'update') {
          this.putAddress(c.id, this.placed(c.after!, old));
          return true;
        }
        this.removeAddress(c.id, addressCause(c.before!), true);
        if (c.action !== 'delete') this.putAddress(c.id, this.placed(c.after!, undefined));
        return true;
      }
      case 'route':
        // Several routes may share an identity (`ip route append`): a change acts on its own one.
        if (c.action === 'delete') return this.dropRoute(c.before!);
        if (c.action === 'create') {
          this.addRoute(c.after!);
          return true;
        }
        if (this.routes.slotOfRoute(c.before!, sameRoute) < 0) return false;
        this.putRoute(c.before!, c.after!);
        return true;
      case 'rule':
        return setOrDelete(this.rules, c.action, c.id, c.after);
      case 'neighbor':
        if (c.action === 'create') this.putNeighbor(c.id, c.after!);
        else if (!this.neighbors.has(c.id)) return false;
        else if (c.action === 'delete') this.dropNeighbor(c.id);
        else this.putNeighbor(c.id, c.after!);
        return true;
      case 'nexthop':
        if (c.action === 'create') {
          this.nexthops.set(c.id, c.after!);
          return true;
        }
        if (!this.nexthops.has(c.id)) return false;
        if (c.action === 'update') this.nexthops.set(c.id, c.after!);
        else {
          this.removeNexthop(c.id, `nexthop ${c.id}`, true);
          if (c.action === 'replace') this.nexthops.set(c.id, c.after!);
        }
        return true;
    }
  }

  /**
   * New namespace settings. Writing a forwarding setting sets it on every
   * interface of its family too (only a write that changes it is planned).
   */
  private applyNamespace(after: NamespaceSettings): void {
    const before = this.namespace;
    this.namespace = after;
    for (const s of NAMESPACE_SETTINGS) {
      const v = settingValue(after, s);
      if (s.rewrites === undefined || v === undefined || v === settingValue(before, s)) continue;
      for (const [name, l] of this.links) {
        const fam = l[s.family];
        if (fam === undefined || fam[s.rewrites] === v) continue;
        this.links.set(name, { ...l, [s.family]: { ...fam, [s.rewrites]: v } });
        this.note('interface', name, 'changed', `namespace ${settingName(s)}`);
      }
    }
  }

  // ---- nexthop objects ----

  /**
   * A nexthop goes: the routes through it go along; it leaves the groups it
   * is a member of, and a group left without members goes too.
   */
  private removeNexthop(key: string, cause: string, direct: boolean): void {
    const n = this.nexthops.get(key);
    if (n === undefined) return;
    this.nexthops.delete(key);
    if (!direct) this.note('nexthop', key, 'removed', cause, n);
    for (const r of this.routeNhidIndex().of(key)) this.removeRoute(r, cause);
    for (const [k, g] of [...this.nexthops]) {
      if (g.group === undefined || !g.group.some((m) => m.id === n.id)) continue;
      const left = g.group.filter((m) => m.id !== n.id);
      if (left.length === 0) this.removeNexthop(k, cause, false);
      else {
        this.nexthops.set(k, { ...g, group: left });
        this.note('nexthop', k, 'changed', cause, g);
      }
    }
  }

  /** The nexthops on a link that goes down or away. */
  private flushNexthops(dev: string, cause: string): void {
    if (this.nexthops.size === 0) return;
    for (const [k, n] of [...this.nexthops]) if (n.dev === dev) this.removeNexthop(k, cause, false);
  }

  private applyLink(action: Change['action'], name: string, after: Link | null): boolean {
    const before = this.links.get(name);
    if (action === 'create') {
      if (before !== undefined) return false;
      this.addLink(after!);
      return true;
    }
    if (before === undefined) return false;
    if (action === 'update') {
      this.links.set(name, before.master === after!.master ? after! : this.inMaster(after!));
      this.linkChanged(before, after!);
      return true;
    }
    this.removeLink(name, name, true);
    if (action === 'replace') this.addLink(after!);
    return true;
  }

  /**
   * A bridge's new default PVID moves, on the bridge and each of its ports
   * that still has the old one as its untagged PVID and not yet the new one,
   * from the old VID to the new (none: the old one goes), as
   * __br_vlan_set_default_pvid does.
   */
  private defaultPvidChanged(bridge: string, old: number, now: number): void {
    if (old === now) return;
    for (const l of [...this.links.values()]) {
      if ((l.name !== bridge && l.master !== bridge) || l.vlans === undefined) continue;
      const had = old === 0 || l.vlans.some((v) => v.vid === old && v.pvid && v.untagged);
      if (!had || (now !== 0 && l.vlans.some((v) => v.vid <= now && now <= (v.end ?? v.vid)))) continue;
      const byVid = expand(l.vlans);
      byVid.delete(old);
      if (now !== 0) byVid.set(now, flagsOf(DEFAULT_VLAN(now)));
      this.links.set(l.name, { ...l, vlans: compress(byVid) });
    }
  }

  /**
   * A link as the kernel keeps it in its master (or without one): a bridge
   * and a bridge's new port have the bridge's default VLAN (untagged, their
   * PVID; none with default-pvid 0), a link that leaves a bridge loses its
   * VLANs and port settings. Port settings start as the kernel's, not known here.
   */
  private inMaster(l: Link): Link {
    const master = l.master === undefined ? undefined : this.links.get(l.master);
    const bridge = hasVlans(l.kind) ? l : hasVlans(master?.kind) ? master : undefined;
    const { vlans: _vlans, port: _port, ...rest } = l;
    if (bridge === undefined) return hasVlans(l.kind) || l.vlans !== undefined ? rest : l;
    const pvid = defaultPvid(bridge);
    return { ...rest, vlans: pvid === 0 ? [] : [DEFAULT_VLAN(pvid)] };
  }

  /** Record what the kernel did; objects it makes by itself it also brings back, so they are no effect worth reporting. */
  private note(type: ObjectType, key: string, verb: Verb, cause: string, o?: ModelObject): void {
    this.kernelDid[type].set(key, `${verb} by the kernel with ${cause}`);
    if (o === undefined || !isKernelMade(type, o)) (this.effects ??= []).push({ type, id: key, removed: verb === 'removed' });
  }

  // ---- links ----

  private addLink(l: Link): void {
    l = this.inMaster(l);
    this.links.set(l.name, l);
    if (l.master !== undefined) this.membersChanged(l.master);
    const made = vethPeerMade(l);
    if (made !== undefined && !this.links.has(made.name)) {
      this.links.set(made.name, made);
      this.note('interface', made.name, 'created', l.name);
    }
  }

  private removeLink(name: string, cause: string, direct: boolean): void {
    const l = this.links.get(name);
    if (l === undefined) return;
    this.links.delete(name);
    if (!direct) this.note('interface', name, 'removed', cause);
    for (const key of this.addressIndex().of(name)) this.removeAddress(key, cause, false);
    for (const key of this.neighborIndex().of(name)) this.removeNeighbor(key, cause);
    for (const r of this.routeDevIndex().of(name)) this.removeRoute(r, cause);
    this.flushNexthops(name, cause);
    const members: Link[] = [];
    const uppers: Link[] = [];
    const survivors: Link[] = [];
    for (const other of this.links.values()) {
      if (other.master === name) members.push(other);
      if (lowerOf(other) === name) (goesWithLower(other) === name ? uppers : survivors).push(other);
    }
    // An upper that outlives its lower link names none any more.
    for (const u of survivors) {
      this.links.set(u.name, { ...u, options: lowerWithout(u) });
      this.note('interface', u.name, 'changed', cause);
    }
    for (const m of members) {
      this.links.set(m.name, this.inMaster({ ...m, master: undefined }));
      this.note('interface', m.name, 'changed', cause);
      if (cyclesMembers(l) && m.state === 'up') this.goDown(m.name, `${m.name} leaving ${name}`);
    }
    for (const upper of uppers) this.removeLink(upper.name, cause, false);
    if (l.master !== undefined) this.membersChanged(l.master);
    const peer = peerOf(l);
    const other = peer === undefined ? undefined : this.links.get(peer);
    if (other?.kind === l.kind && (peerOf(other) ?? name) === name) this.removeLink(other.name, cause, false);
  }

  private linkChanged(before: Link, after: Link): void {
    const name = after.name;
    if (hasVlans(after.kind)) this.defaultPvidChanged(name, defaultPvid(before), defaultPvid(after));
    if (before.master !== after.master) {
      if (before.master !== undefined) this.membersChanged(before.master);
      if (after.master !== undefined) this.membersChanged(after.master);
    }
    if (before.mac !== after.mac) this.addressChanged(name);
    if (before.state !== 'down' && after.state === 'down') {
      this.goDown(name, `${name} going down`);
    } else if (before.master !== after.master && before.state === 'up') {
      const joins = cyclesMembers(after.master === undefined ? undefined : this.links.get(after.master));
      const leaves = cyclesMembers(before.master === undefined ? undefined : this.links.get(before.master));
      // The kernel takes the member down and up again to move it between routing domains.
      if (joins) this.goDown(name, `${name} joining ${after.master}`);
      else if (leaves) this.goDown(name, `${name} leaving ${before.master}`);
    }
  }

  /**
   * A master of a kind that takes a member's address, without one of its
   * own, takes one from its members, so joining or leaving may change it; a
   * new link-layer address flushes the link's neighbors, permanent ones
   * included.
   */
  private membersChanged(master: string): void {
    if (takesMemberAddress(this.links.get(master))) this.addressChanged(master);
  }

  private addressChanged(name: string): void {
    for (const key of this.neighborIndex().of(name)) this.removeNeighbor(key, `${name} changing its address`);
  }

  private goDown(name: string, cause: string): void {
    this.flushNexthops(name, cause);
    this.flushThrough(name, 'ipv4', false, cause);
    this.flushThrough(name, 'ipv6', true, cause);
    for (const key of this.addressIndex().of(name)) {
      if (this.addresses.get(key)!.family === 'ipv6') this.removeAddress(key, cause, false);
    }
    for (const key of this.neighborIndex().of(name)) this.removeNeighbor(key, cause);
  }

  /**
   * Routes of one family through a link that stops carrying it. A multipath
   * route stays while one of its nexthops is alive; host-scope (local) routes
   * survive a link going down but not the loss of its last address.
   */
  private flushThrough(dev: string, family: Family, includeHost: boolean, cause: string): void {
    for (const r of this.routeDevIndex().of(dev)) {
      if (r.family !== family) continue;
      const gone = r.nexthops?.length
        ? r.nexthops.every((h) => h.dev === dev || this.isDead(h.dev))
        : r.dev === dev && (includeHost || !isHostScope(r));
      if (gone) this.removeRoute(r, cause);
    }
  }

  private isDead(dev: string | undefined): boolean {
    return dev !== undefined && this.links.get(dev)?.state !== 'up';
  }

  // ---- addresses ----

  /**
   * An IPv4 address as the kernel places it: secondary when an address of
   * the same subnet is on the link already (`old`: the address it replaces
   * in place, whose place it keeps).
   */
  private placed(a: Address, old: Address | undefined): Address {
    const secondary = old !== undefined ? old.secondary === true : a.family === 'ipv4' && this.subnetMates(a, true).length > 0;
    if (secondary === (a.secondary === true)) return a;
    const out = { ...a };
    if (secondary) out.secondary = true;
    else delete out.secondary;
    return out;
  }

  /**
   * The secondary IPv4 addresses of `a`'s subnet on its link, in the
   * kernel's order (keys). `any`: every other address of the subnet. A state
   * that does not say which addresses are secondary (a snapshot) has none.
   */
  subnetMates(a: Address, any = false): string[] {
    const subnet = subnetOf(a);
    const self = addressKey(a);
    return this.addressIndex()
      .of(a.dev)
      .filter((k) => {
        const o = this.addresses.get(k)!;
        return k !== self && o.family === 'ipv4' && (any || o.secondary === true) && subnetOf(o) === subnet;
      });
  }

  private removeAddress(key: string, cause: string, direct: boolean): void {
    const a = this.addresses.get(key);
    if (a === undefined) return;
    // A primary IPv4 address takes the secondaries of its subnet along, unless
    // the link promotes the first of them to primary (devinet.c __inet_del_ifa).
    const mates = a.family === 'ipv4' && !a.secondary ? this.subnetMates(a) : [];
    this.dropAddress(key);
    if (!direct) this.note('address', key, 'removed', cause, a);
    const ip = a.address.slice(0, a.address.indexOf('/'));
    if (a.family === 'ipv4') {
      if (mates.length > 0) {
        if (this.links.get(a.dev)?.promoteSecondaries) {
          const promoted = this.addresses.get(mates[0]!)!;
          const { secondary: _secondary, ...primary } = promoted;
          this.putAddress(mates[0]!, primary);
        } else {
          for (const k of mates) this.removeAddress(k, cause, false);
        }
      }
      // Its prefix, local and broadcast routes and those using it as source, in the tables it serves.
      const masterTable = this.masterTableOf(a.dev);
      for (const r of this.routeSrcIndex().of(ip)) {
        if (r.family === 'ipv4' && (r.table === TABLE_MAIN || r.table === TABLE_LOCAL || r.table === masterTable)) this.removeRoute(r, cause);
      }
      if (!this.addressIndex().of(a.dev).some((k) => this.addresses.get(k)!.family === 'ipv4')) {
        // The link stops carrying IPv4: its routes go, and its ARP entries, permanent ones too (fib_disable_ip, arp_ifdown).
        this.flushThrough(a.dev, 'ipv4', true, cause);
        for (const k of this.neighborIndex().of(a.dev)) if (this.neighbors.get(k)!.family === 'ipv4') this.removeNeighbor(k, cause);
      }
      return;
    }
    // IPv6 keeps routes that use the address as source, without the source.
    for (const r of this.routeSrcIndex().of(ip)) {
      if (r.family === 'ipv6' && r.dev === a.dev) {
        this.cascadedRoutes.add(r);
        this.putRoute(r, { ...r, src: undefined });
        this.note('route', routeKey(r), 'changed', cause, r);
      }
    }
    this.removeKernelRoute({ family: 'ipv6', table: TABLE_LOCAL, to: `${ip}/128`, metric: 0, tos: 0, type: 'local' }, a.dev, cause);
    const prefix = networkOf(a.address);
    if (a.noprefixroute || prefix === undefined) return;
    const shared = this.addressIndex()
      .of(a.dev)
      .some((k) => {
        const o = this.addresses.get(k)!;
        return o.family === 'ipv6' && !o.noprefixroute && networkOf(o.address) === prefix;
      });
    if (!shared) this.removeKernelRoute({ family: 'ipv6', table: TABLE_MAIN, to: prefix, metric: IPV6_PREFIX_ROUTE_METRIC, tos: 0, type: 'unicast', dev: a.dev }, a.dev, cause);
  }

  private removeKernelRoute(id: RouteIdentity, dev: string, cause: string): void {
    for (const r of this.routes.twinsOf(id)) if (r.protocol === PROTO_KERNEL && r.dev === dev) this.removeRoute(r, cause);
  }

  private masterTableOf(dev: string): number | undefined {
    const master = this.links.get(dev)?.master;
    const m = master === undefined ? undefined : this.links.get(master);
    return memberTable(m);
  }

  // ---- indexed writes ----

  private putAddress(key: string, a: Address): void {
    this.addresses.set(key, a);
    this.addressesByDev?.add(a.dev, key);
  }

  private dropAddress(key: string): void {
    const a = this.addresses.get(key);
    if (a === undefined) return;
    this.addresses.delete(key);
    this.addressesByDev?.delete(a.dev, key);
  }

  private putNeighbor(key: string, n: Neighbor): void {
    this.neighbors.set(key, n);
    this.neighborsByDev?.add(n.dev, key);
  }

  private dropNeighbor(key: string): void {
    const n = this.neighbors.get(key);
    if (n === undefined) return;
    this.neighbors.delete(key);
    this.neighborsByDev?.delete(n.dev, key);
  }

  private removeNeighbor(key: string, cause: string): void {
    const n = this.neighbors.get(key);
    this.dropNeighbor(key);
    this.note('neighbor', key, 'removed', cause, n);
  }

  private addRoute(r: Route): void {
    this.indexRoute(r);
    this.routes.add(r);
  }

  /** Put `r` where `old` was. */
  private putRoute(old: Route, r: Route): void {
    const slot = this.routes.slotOfRoute(old, sameRoute);
    const was = slot < 0 ? undefined : this.routes.at(slot);
    if (was !== undefined) this.unindexRoute(was);
    this.indexRoute(r);
    this.routes.replace(was ?? old, r);
  }

  /** True when there was such a route (this very one, or one equal to it). */
  private dropRoute(route: Route): boolean {
    const r = this.routes.remove(route, sameRoute);
    if (r !== undefined) this.unindexRoute(r);
    return r !== undefined;
  }

  private removeRoute(r: Route, cause: string): void {
    this.cascadedRoutes.add(r);
    this.dropRoute(r);
    this.note('route', routeKey(r), 'removed', cause, r);
  }

  private indexRoute(r: Route): void {
    if (this.routesByDev !== undefined) for (const dev of devsOf(r)) this.routesByDev.add(dev, r);
    if (this.routesBySrc !== undefined && r.src !== undefined) this.routesBySrc.add(r.src, r);
    if (this.routesByNhid !== undefined && r.nhid !== undefined) this.routesByNhid.add(String(r.nhid), r);
  }

  private unindexRoute(r: Route): void {
    if (this.routesByDev !== undefined) for (const dev of devsOf(r)) this.routesByDev.delete(dev, r);
    if (this.routesBySrc !== undefined && r.src !== undefined) this.routesBySrc.delete(r.src, r);
    if (this.routesByNhid !== undefined && r.nhid !== undefined) this.routesByNhid.delete(String(r.nhid), r);
  }

  /** Routes through each nexthop object, by its key. */
  private routeNhidIndex(): GroupIndex<Route> {
    if (this.routesByNhid === undefined) {
      this.routesByNhid = new GroupIndex();
      for (const r of this.routes.values()) if (r.nhid !== undefined) this.routesByNhid.add(String(r.nhid), r);
    }
    return this.routesByNhid;
  }

  private addressIndex(): GroupIndex<string> {
    if (this.addressesByDev === undefined) {
      this.addressesByDev = new GroupIndex();
      for (const [key, a] of this.addresses) this.addressesByDev.add(a.dev, key);
    }
    return this.addressesByDev;
  }

  private neighborIndex(): GroupIndex<string> {
    if (this.neighborsByDev === undefined) {
      this.neighborsByDev = new GroupIndex();
      for (const [key, n] of this.neighbors) this.neighborsByDev.add(n.dev, key);
    }
    return this.neighborsByDev;
  }

  private routeDevIndex(): GroupIndex<Route> {
    if (this.routesByDev === undefined) {
      this.routesByDev = new GroupIndex();
      for (const r of this.routes.values()) for (const dev of devsOf(r)) this.routesByDev.add(dev, r);
    }
    return this.routesByDev;
  }

  private routeSrcIndex(): GroupIndex<Route> {
    if (this.routesBySrc === undefined) {
      this.routesBySrc = new GroupIndex();
      for (const r of this.routes.values()) if (r.src !== undefined) this.routesBySrc.add(r.src, r);
    }
    return this.routesBySrc;
  }
}

/**
 * The other end the kernel makes along with a new link of a paired kind, as
 * it makes it: down, naming the link as its peer, marked as the writer marks
 * the link.
 */
export function vethPeerMade(l: Link): Link | undefined {
  const peer = peerOf(l);
  if (peer === undefined) return undefined;
  const made = peerLink(l.kind, peer, l.name);
  if (l.alias !== undefined) made.alias = l.alias;
  return made;
}

/**
 * The same kernel route: what tells apart routes that share an identity
 * (owner, type, paths). For changes whose `before` is a copy, such as those
 * of a saved plan.
 */
export function sameRoute(a: Route, b: Route): boolean {
  if (a.protocol !== b.protocol || a.type !== b.type || a.via !== b.via || a.dev !== b.dev || a.nhid !== b.nhid) return false;
  const x = a.nexthops ?? [];
  const y = b.nexthops ?? [];
  return x.length === y.length && x.every((h, i) => h.via === y[i]!.via && h.dev === y[i]!.dev && h.weight === y[i]!.weight);
}

function setOrDelete<T>(map: Map<string, T>, action: Change['action'], key: string, after: T | null): boolean {
  if (action === 'create') map.set(key, after!);
  else if (!map.has(key)) return false;
  else if (action === 'delete') map.delete(key);
  else map.set(key, after!);
  return true;
}

function devsOf(r: Route): string[] {
  const devs = r.dev === undefined ? [] : [r.dev];
  if (r.nexthops) for (const h of r.nexthops) if (h.dev !== undefined && !devs.includes(h.dev)) devs.push(h.dev);
  return devs;
}

function isHostScope(r: Route): boolean {
  return r.scope === 'host' || (r.scope === undefined && r.type === 'local');
}

function addressCause(a: Address): string {
  return `${a.address} on ${a.dev}`;
}

/** The subnet an IPv4 address belongs to, as the kernel groups primaries and secondaries: its prefix (a peer's, on point-to-point). */
function subnetOf(a: Address): string | undefined {
  return networkOf(a.peer ?? a.address);
}

/** The network of an address prefix ("fd00::1/64" -> "fd00::/64"). */
function networkOf(address: string): string | undefined {
  const p = parsePrefix(address);
  if (p === undefined) return undefined;
  const { bytes, len } = prefixNetwork(p);
  return formatPrefix(bytes, 0, bytes.length, len);
}

/** The state after one change, with everything the kernel does along with it. */
export function applyToState(s: State, c: Change): State {
  const w = World.of(s);
  w.apply(c);
  return w.toState();
}
