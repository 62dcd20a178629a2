// What the kernel did with our requests, object by object. A socket that
// joined the rtnetlink groups before the state was read sees every change the
// kernel makes afterwards. Route, rule and neighbor changes are announced with
// the port id of the socket that asked for them, carrying the object as the
// kernel now holds it (or held it, for a deletion). So each of our own
// announcements is decoded and matched to the plan change it belongs to:
//
// - a new or changed object must be what the change intended (its `after`, as
//   the planner compares: an lladdr the kernel truncated, an attribute it
//   dropped, both differ);
// - a deletion must remove exactly the change's `before` — not a foreign
//   object that answers to the same key (a twin added with `ip route append`);
// - a create must create: an IPv4 route create the kernel reports as a
//   replacement overwrote an object that the plan did not know of;
// - an announcement for an object the plan does not change is a request that
//   hit something else.
//
// Any of those is wrong for sure, and the run fails. When every change was
// announced exactly as intended and nothing else was announced (none lost),
// the kernel holds the state read plus the plan: no read-back is needed.
// Anything less (a missing announcement, another writer, an address or link
// change, an overflow) sends apply to read the state and compare again, and
// the keys other writers' announcements named tell which differences are
// theirs rather than ours.
//
// A large plan (more than OWN_MAX route, rule and neighbor changes) is
// checked by its acknowledgements instead: decoding an announcement per
// change (or a read-back of the whole table) would cost a third of the write
// again, so a socket filter has the kernel drop our own announcements before
// they are queued, and the witness only watches for other writers. That is
// sound because every request names its object exactly (contract section 4:
// deletes carry every attribute the kernel matches on and the marker; creates
// are exclusive, or placed where twins share a key, and replaces are only
// sent where no twin shares it), so an acknowledged request did what the plan
// meant. Another writer's announcement, or a lost one, still sends apply to
// read the state back.
import { EventSource } from '../kernel/events.js';
import { dropFromPorts } from '../netlink/filter.js';
import { keyOf } from '../model/identity.js';
import type { Link, Neighbor, ObjectType, Route, Rule } from '../model/types.js';
import { NLM_F_REPLACE, RTM_DELNEIGH, RTM_DELROUTE, RTM_DELRULE, RTM_NEWLINK, RTM_NEWNEIGH, RTM_NEWROUTE, RTM_NEWRULE } from '../netlink/constants.js';
import type { Message } from '../netlink/message.js';
import { linkMessageIndex, linkMessageUp } from '../netlink/rtnl/link.js';
import type { IndexName } from '../netlink/rtnl/layout.js';
import { decodeNeighbor } from '../netlink/rtnl/neighbor.js';
import { decodeRoute } from '../netlink/rtnl/route.js';
import { decodeRule } from '../netlink/rtnl/rule.js';
import { neighborDifference, routeDifference, ruleDifference } from '../plan/compare.js';
import type { AttrChange, Change, ModelObject, Plan } from '../plan/types.js';

/** Change types whose announcements name the requesting socket. */
type Attributed = 'route' | 'rule' | 'neighbor';
const ANNOUNCED: ReadonlyMap<number, { type: Attributed; removed: boolean }> = new Map([
  [RTM_NEWROUTE, { type: 'route', removed: false }],
  [RTM_DELROUTE, { type: 'route', removed: true }],
  [RTM_NEWRULE, { type: 'rule', removed: false }],
  [RTM_DELRULE, { type: 'rule', removed: true }],
  [RTM_NEWNEIGH, { type: 'neighbor', removed: false }],
  [RTM_DELNEIGH, { type: 'neighbor', removed: true }],
]);

/** Room for the announcements of the chunks between two drains, and then some. */
const WITNESS_RCVBUF = 64 * 1024 * 1024;

/** Plans with more route, rule and neighbor changes than this are verified by a read-back. */
export const OWN_MAX = 10_000;

/** An outcome that differs from what the plan intended, in one line for people. */
export interface Mismatch {
  type: ObjectType;
  id: string;
  /** The change it belongs to (absent when the object is not in the plan at all). */
  change?: Change;
  detail: string;
}

/** Where one change of the plan stands. */
interface Entry {
  change: Change & { type: Attributed };
  created: boolean;
  removed: boolean;
  /** The announced object differs from the intended one (settled by a read-back). */
  differs: boolean;
  /** Hops of an IPv6 multipath route seen deleted, by index (they are announced one by one). */
  hopsSeen?: Set<number>;
}

/** The announcements' source; tests give a fake that replays messages. */
export interface AnnouncementSource {
  filter?(program: Buffer): boolean;
  drain(): number;
  close(): void;
}

export class ChangeWitness {
  private readonly events: AnnouncementSource;
  /** Announcements of other writers that could not be put down to a key, and lost ones. */
  private others = 0;
  private lost = false;
  /** type + key of every object another writer's announcement named since the subscription. */
  private readonly foreign = new Set<string>();
  /**
   * The changes of the current round, by type + key. A key may have several:
   * twins under one route key (`ip route append`), or a rule moved out of a
   * delete's way and created again after it.
   */
  private entries = new Map<string, Entry[]>();
  /** Own announcements that could not be decoded or matched exactly: a read-back must settle them. */
  private unsettled = 0;
  private wrongs: Mismatch[] = [];
  private names: IndexName = { name: () => undefined };
  /** ifindex -> admin state of links the plan only re-marks (alias), whose announcements are expected. */
  private quietLinks = new Map<number, boolean>();
  /** False when the plan changes what the kernel does not announce (links, addresses): a read is needed. */
  private announced = true;
  /** Our own announcements are dropped by a socket filter (a large plan): a read is needed. */
  private ownDropped = false;
  /**
   * Ids of the nexthop objects the round changes: the kernel announces the
   * routes through one it rewrites as changed by our request. Such a plan is
   * not fully announced (nexthop deletes take routes silently), so a read
   * settles it.
   */
  private nexthops = new Set<number>();

  /**
   * `ports`: the port ids of every socket our requests go out on. `source`
   * replaces the subscription (tests); it must deliver to `receive`.
   */
  constructor(nsPath: string | undefined, private readonly ports: readonly number[], rcvbuf = WITNESS_RCVBUF, source?: (w: ChangeWitness) => AnnouncementSource) {
    this.events =
      source?.(this) ??
      new EventSource(nsPath, rcvbuf, {
        onMessage: (m) => this.receive(m),
        onBurst: () => undefined,
        onOverflow: () => this.overflowed(),
      });
  }

  /**
   * Say what the next round will do, with the links it starts from (to name
   * interfaces in announcements). Returns false when its effects are not
   * fully announced: links and addresses change what the kernel removes by
   * itself (IPv4 routes go without a word), so such a plan needs a full read.
   * A link update of only its alias (netrec's marker) removes nothing; its
   * announcement (which carries no port id) is expected while it stays as up
   * as it was. Since another writer could change the same link meanwhile,
   * apply then reads the links (not the routes) again.
   */
  expect(p: Plan, links: readonly Link[]): boolean {
    this.drain();
    const byIndex = new Map<number, string>();
    for (const l of links) if (l.ifindex !== undefined) byIndex.set(l.ifindex, l.name);
    this.names = { name: (i) => byIndex.get(i) };
    this.entries = new Map();
    this.quietLinks = new Map();
    this.unsettled = 0;
    this.announced = true;
    this.nexthops = new Set();
    let own = 0;
    for (const stage of p.stages) {
      for (const c of stage) {
        if (c.type === 'route' || c.type === 'rule' || c.type === 'neighbor') {
          if (++own <= OWN_MAX) {
            const key = `${c.type} ${c.id}`;
            const entry: Entry = { change: c as Entry['change'], created: false, removed: false, differs: false };
            const list = this.entries.get(key);
            if (list) list.push(entry);
            else this.entries.set(key, [entry]);
          }
          continue;
        }
        if (c.type === 'nexthop') {
          this.nexthops.add(Number(c.id));
          this.announced = false;
          continue;
        }
        if (aliasOnly(c) && c.before?.ifindex !== undefined) this.quietLinks.set(c.before.ifindex, c.before.state === 'up');
        else this.announced = false;
      }
    }
    if (own > OWN_MAX && !this.ownDropped) {
      this.ownDropped = true;
      this.entries = new Map();
      // Without the filter the same decision is made here, per announcement.
      this.events.filter?.(dropFromPorts(this.ports));
    }
    return this.announced;
  }

  /** One announcement (the event socket's callback; tests call it directly). */
  receive(m: Message): void {
    const kind = ANNOUNCED.get(m.type);
    if (kind === undefined) {
      if (!this.expectedLink(m)) this.others++;
      return;
    }
    const obj = decode(kind.type, m, this.names);
    const id = obj ? keyOf[kind.type](obj as never) : undefined;
    if (!this.ports.includes(m.pid)) {
      // The kernel's own follow-up of a neighbor deletion we asked for comes without a port.
      const list = id === undefined ? undefined : this.entries.get(`${kind.type} ${id}`);
      if (m.pid === 0 && kind.type === 'neighbor' && kind.removed && list?.some((e) => e.change.action === 'delete' && e.removed)) return;
      if (id === undefined) this.others++;
      else this.foreign.add(`${kind.type} ${id}`);
      return;
    }
    if (this.ownDropped) return;
    // A route through a nexthop object this round rewrites: announced along with it.
    if (kind.type === 'route' && (obj as Route | undefined)?.nhid !== undefined && this.nexthops.has((obj as Route).nhid!)) return;
    if (obj === undefined || id === undefined) {
      // Ours, but about an interface we cannot name: only a read can tell.
      this.unsettled++;
      return;
    }
    this.ours(kind.type, kind.removed, obj, id, m.flags);
  }

  private ours(type: Attributed, removed: boolean, obj: Route | Rule | Neighbor, id: string, flags: number): void {
    const list = this.entries.get(`${type} ${id}`);
    if (!list) {
      this.wrong({ type, id, detail: `a request of this run ${removed ? 'deleted' : 'changed'} ${type} ${id} (${describe(obj)}), which the plan does not touch` });
      return;
    }
    // A neighbor deletion is announced as the entry failing, then (portless) gone.
    const deleting = removed || (type === 'neighbor' && (obj as Neighbor).state !== 'permanent' && list.some((e) => e.change.action === 'delete'));
    if (deleting) this.deleted(type, id, obj, list);
    else this.made(type, id, obj, list, flags);
  }

  /** A deletion must remove exactly the `before` of a change that deletes it, once. */
  private deleted(type: Attributed, id: string, obj: Route | Rule | Neighbor, list: Entry[]): void {
    const expecting = list.filter((e) => !e.removed && removesBefore(e.change));
    if (expecting.length === 0) {
      const c = list[0]!.change;
      this.wrong({ type, id, change: c, detail: `${c.action} of ${type} ${id} deleted ${describe(obj)}` });
      return;
    }
    // Neighbors have one object per key; routes and rules may have twins.
    const e = type === 'neighbor' ? expecting[0] : expecting.find((x) => difference(type, x.change.before!, obj, true).length === 0);
    if (e === undefined && type === 'route' && this.hopOfDeletedRoute(expecting, obj as Route)) return;
    if (e === undefined) {
      this.wrong({ type, id, change: expecting[0]!.change, detail: `the delete of ${type} ${id} removed ${describe(obj)}, not the planned ${describe(expecting[0]!.change.before!)}` });
      return;
    }
    e.removed = true;
  }

  /**
   * An IPv6 multipath route deleted exactly (with its RTA_MULTIPATH) is
   * announced one next hop at a time: each must be a hop of the planned
   * route, and the route is gone with its last one.
   */
  private hopOfDeletedRoute(expecting: Entry[], hop: Route): boolean {
    if (hop.family !== 'ipv6' || hop.nexthops !== undefined) return false;
    for (const e of expecting) {
      const before = e.change.before as Route;
      const hops = before.nexthops;
      if (hops === undefined || hops.length < 2) continue;
      const i = hops.findIndex((h) => h.via === hop.via && h.dev === hop.dev);
      if (i < 0 || e.hopsSeen?.has(i)) continue;
      const single: Route = { ...before, nexthops: undefined, via: hops[i]!.via, dev: hops[i]!.dev };
      delete single.nexthops;
      if (difference('route', single, hop, true).length > 0) continue;
      (e.hopsSeen ??= new Set()).add(i);
      if (e.hopsSeen.size === hops.length) e.removed = true;
      return true;
    }
    return false;
  }

  /** A new or changed object must be the `after` of a change that makes it, once. */
  private made(type: Attributed, id: string, obj: Route | Rule | Neighbor, list: Entry[], flags: number): void {
    const expecting = list.filter((e) => !e.created && e.change.action !== 'delete');
    if (expecting.length === 0) {
      const c = list[0]!.change;
      this.wrong({ type, id, change: c, detail: `the ${c.action} of ${type} ${id} was announced as a new or changed ${describe(obj)}` });
      return;
    }
    const exact = expecting.find((x) => difference(type, x.change.after!, obj, false).length === 0);
    const e = exact ?? expecting[0]!;
    const c = e.change;
    // IPv4 announces a route that took an existing one's place with NLM_F_REPLACE
    // and a new one with NLM_F_CREATE. (IPv6 multipath echoes the request's flags.)
    if (type === 'route' && (obj as Route).family === 'ipv4' && c.action === 'create' && flags & NLM_F_REPLACE) {
      this.wrong({ type, id, change: c, detail: `the create of ${type} ${id} replaced a route the plan did not know of (another writer made one with that key since the plan)` });
      return;
    }
    if (exact === undefined) {
      // Announced differently from what was sent. A read settles it: the kernel
      // may hold it right after all (an object announced in parts).
      e.differs = true;
      this.unsettled++;
    }
    e.created = true;
  }

  private wrong(m: Mismatch): void {
    this.wrongs.push(m);
  }

  private overflowed(): void {
    this.lost = true;
    this.others++;
  }

  private expectedLink(m: Message): boolean {
    if (m.type !== RTM_NEWLINK) return false;
    const index = linkMessageIndex(m);
    const up = index === undefined ? undefined : this.quietLinks.get(index);
    return up !== undefined && linkMessageUp(m) === up;
  }

  /** True when the plan re-marks links: apply then reads the links (only) to be sure they are as declared. */
  get touchesLinks(): boolean {
    return this.quietLinks.size > 0;
  }

  /** Read what is waiting. Cheap; call it between batches so the queue never fills. */
  drain(): void {
    this.events.drain();
  }

  /** Outcomes of our own requests that are certainly not what the plan intended. */
  wrongOutcomes(): Mismatch[] {
    this.drain();
    return this.wrongs;
  }

  /**
   * True when every change of the round was announced exactly as intended,
   * by our own requests, and nothing else was announced or lost: the kernel
   * holds the state read plus the plan.
   */
  accountsForAll(): boolean {
    this.drain();
    if (!this.announced || this.others > 0 || this.foreign.size > 0 || this.unsettled > 0 || this.wrongs.length > 0) return false;
    for (const list of this.entries.values()) {
      for (const e of list) {
        if (e.differs) return false;
        if (removesBefore(e.change) && !e.removed) return false;
        if (e.change.action !== 'delete' && !e.created) return false;
      }
    }
    return true;
  }

  /**
   * Whether a difference found by a read-back under `type` `id` can be put
   * down to this run's requests rather than to another writer: the plan
   * announces all its effects, nothing was lost, and no other writer's
   * announcement named the object (or could not be put down to a key).
   */
  oursAlone(type: ObjectType, id: string): boolean {
    this.drain();
    if (!this.announced || this.lost || this.others > 0) return false;
    if (type !== 'route' && type !== 'rule' && type !== 'neighbor') return false;
    return !this.foreign.has(`${type} ${id}`);
  }

  close(): void {
    this.events.close();
  }
}

function decode(type: Attributed, m: Message, names: IndexName): Route | Rule | Neighbor | undefined {
  try {
    return type === 'route' ? decodeRoute(m, names) : type === 'rule' ? decodeRule(m) : decodeNeighbor(m, names);
  } catch {
    return undefined;
  }
}

/**
 * How `actual` differs from `intended`, as the planner compares them: with
 * `exact`, every attribute (a deletion must remove exactly the object that
 * was read); without, what the intended object says (an update's `after`,
 * with netrec's marker).
 */
export function difference(type: Attributed, intended: ModelObject, actual: ModelObject, exact: boolean): AttrChange[] {
  const mode = { exact, protocol: (intended as { protocol?: number }).protocol ?? 0 };
  if (type === 'route') return routeDifference(intended as Route, actual as Route, mode).attrs;
  if (type === 'rule') return ruleDifference(intended as Rule, actual as Rule, mode)?.attrs ?? [];
  return neighborDifference(intended as Neighbor, actual as Neighbor, mode)?.attrs ?? [];
}

/** An object in a few words: what tells twins apart. */
function describe(o: ModelObject): string {
  const x = o as unknown as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of ['to', 'address', 'via', 'dev', 'lladdr', 'from', 'table', 'action', 'protocol']) {
    if (x[k] !== undefined) parts.push(k === 'to' || k === 'address' ? String(x[k]) : `${k} ${String(x[k])}`);
  }
  return parts.join(' ');
}

/**
 * The change's requests delete its `before`: a delete, a replace, and a
 * route update written as an exact delete and a create because twins share
 * its key (`placement`).
 */
function removesBefore(c: Change): boolean {
  if (c.action === 'delete' || c.action === 'replace') return true;
  return c.type === 'route' && c.action === 'update' && c.placement !== undefined && c.before !== null;
}

function aliasOnly(c: Change): c is Change & { type: 'interface' } {
  return c.type === 'interface' && c.action === 'update' && (c.attrs ?? []).every((a) => a.attr === 'alias');
}
