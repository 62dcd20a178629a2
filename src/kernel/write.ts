// Planned changes -> netlink requests. Each change becomes one or more
// messages; links that are created get a second round (`post`) that marks
// them as netrec's and sets what creation cannot (admin state, master),
// once their new ifindex is known.
import { peerOf } from '../kinds/registry.js';
import type { Link } from '../model/types.js';
import type { Writer } from '../netlink/message.js';
import { writeAddress } from '../netlink/rtnl/address.js';
import type { NameIndex } from '../netlink/rtnl/layout.js';
import { writeLink } from '../netlink/rtnl/link.js';
import { writeNeighbor } from '../netlink/rtnl/neighbor.js';
import { writeNexthop } from '../netlink/rtnl/nexthop.js';
import { writeRoute } from '../netlink/rtnl/route.js';
import { writeRule } from '../netlink/rtnl/rule.js';
import { writeVlans, vlanDelta } from '../netlink/rtnl/bridge-vlan.js';
import { hasVlans } from '../kinds/registry.js';
import { PROMOTE_SECONDARIES, VLANS, portAttr } from '../plan/compare.js';
import { settingNamed, settingValue, sysctlWrites, withSetting } from '../netlink/rtnl/devconf.js';
import type { Change } from '../plan/types.js';

/** One netlink request and the change it serves. */
export interface Op {
  change: Change;
  write(w: Writer, seq: number, idx: NameIndex): void;
}

/** One sysctl file write and the change it serves (IP settings the kernel takes no netlink request for). */
export interface SysctlOp {
  change: Change;
  path: string;
  text: string;
}

export interface ChangeOps {
  /** Sent first, in order. */
  main: Op[];
  /** Sent after `main` of the whole stage, with a refreshed name index. */
  post: Op[];
  /** Written after the stage's netlink requests, in order. */
  sysctl: SysctlOp[];
}

/** A link update that leaves the admin state alone ('absent' sends no IFF_UP change). */
function keepState(l: Link): Link {
  return { name: l.name, kind: l.kind, state: 'absent' };
}

/**
 * What a freshly created link still needs, in order: its alias (netrec's
 * marker, or the one a rollback restores) and master while it is still
 * down — bonding refuses a port that is up — then its admin state.
 */
function afterCreate(l: Link): Link[] {
  const first = keepState(l);
  if (l.alias) first.alias = l.alias;
  if (l.master) first.master = l.master;
  const out = first.alias || first.master ? [first] : [];
  if (l.state === 'up') out.push({ name: l.name, kind: l.kind, state: 'up' });
  return out;
}

/**
 * The messages of an update: the changed attributes on top of the identity.
 * Joining a master goes down, enslaved, then to the wanted state, since
 * bonding refuses a port that is up.
 */
function linkUpdates(c: Change & { type: 'interface' }): Link[] {
  const after = c.after!;
  const upd: Link = { name: after.name, kind: after.kind, state: after.state };
  let joins = false;
  let netlink = false;
  const attrs = (c.attrs ?? []).filter((a) => a.attr !== VLANS);
  if (attrs.length === 0) return [];
  for (const a of attrs) {
    const key = a.attr.split('.')[0] as keyof Link;
    const port = portAttr(a.attr);
    const setting = settingNamed(a.attr, 'interface');
    if (setting !== undefined) {
      // Over netlink where the kernel takes it; the rest are sysctl writes (sysctlOps).
      if (setting.write === 'netlink') Object.assign(upd, withSetting(upd, setting, settingValue(after, setting)));
      else continue;
    } else if (port !== undefined) upd.port = { kind: port.kind, options: { ...upd.port?.options, [port.field]: after.port?.options[port.field] } };
    else if (key === 'master') {
      upd.master = after.master ?? '';
      joins = Boolean(after.master);
    } else if (key === 'alias') upd.alias = after.alias ?? ''; // '' clears it
    else if (a.attr === PROMOTE_SECONDARIES) upd.promoteSecondaries = after.promoteSecondaries ?? false;
    else if (key === after.kind) upd.options = after.options; // KIND.KEY: the kind's options (an update writes those that change in place)
    else if (key in after) (upd as unknown as Record<string, unknown>)[key] = after[key];
    netlink = true;
  }
  // Only settings written through sysctl files: no netlink request at all.
  if (!netlink) return [];
  if (!joins) return [upd];
  const enslave: Link = { ...keepState(after), master: upd.master! };
  delete upd.master;
  const down: Link[] = c.before?.state === 'up' ? [{ name: after.name, kind: after.kind, state: 'down' }] : [];
  return [...down, enslave, upd];
}

/**
 * A change of a link's VLANs: one `bridge vlan add` with the VIDs to add or
 * give new flags, one `bridge vlan del` with those to remove (either left
 * out when empty); `self` for a bridge's own.
 */
function vlanWrites(c: Change & { type: 'interface' }): Op['write'][] {
  const after = c.after!;
  const { add, del } = vlanDelta(after.vlans ?? [], c.before?.vlans);
  const self = hasVlans(after.kind);
  const out: Op['write'][] = [];
  if (add.length > 0) out.push((w, s, i) => writeVlans(w, 'add', i.ifindex(after.name), self, add, s));
  if (del.length > 0) out.push((w, s, i) => writeVlans(w, 'del', i.ifindex(after.name), self, del, s));
  return out;
}

type KeyedWriter<T> = (w: Writer, op: 'replace' | 'delete', o: T, seq: number, idx: NameIndex) => void;
type Keyed = Change & { type: 'address' | 'route' | 'neighbor' | 'nexthop' };

/** An object written whole by one request of its own writer (NLM_F_REPLACE, or a delete naming it exactly). */
function isKeyed(c: Change): c is Keyed {
  return c.type === 'address' || c.type === 'route' || c.type === 'neighbor' || c.type === 'nexthop';
}

function keyedWriter(c: Keyed): KeyedWriter<unknown> {
  return (c.type === 'address' ? writeAddress : c.type === 'route' ? writeRoute : c.type === 'nexthop' ? writeNexthop : writeNeighbor) as KeyedWriter<unknown>;
}

/**
 * True when a change is exactly one request: a create, update or delete of
 * an address, route or neighbor. Large stages are all such changes, and are
 * written straight from the plan with `writeSingle`, without an Op each.
 */
export function isSingle(c: Change): boolean {
  return isKeyed(c) && c.action !== 'replace' && !(c.placement !== undefined && c.before !== null && c.action !== 'delete');
}

/**
 * The request of a single-request change. Addresses, routes and neighbors
 * are written with NLM_F_REPLACE, so a create is create-or-replace (the
 * planner may re-create what it expects a kernel side effect to remove but
 * that survived) and an update changes in place.
 */
export function writeSingle(w: Writer, c: Change, seq: number, idx: NameIndex): void {
  if (c.type === 'route' && c.placement !== undefined && c.action !== 'delete') {
    // Beside routes of other owners under the same key: a replace could take theirs.
    writeRoute(w, c.placement, c.after!, seq, idx);
    return;
  }
  // A nexthop is created exclusively: one of another owner made since the plan is refused, not overwritten.
  if (c.type === 'nexthop' && c.action === 'create') {
    writeNexthop(w, 'create', c.after!, seq, idx);
    return;
  }
  const write = keyedWriter(c as Keyed);
  if (c.action === 'delete') write(w, 'delete', c.before!, seq, idx);
  else write(w, 'replace', c.after!, seq, idx);
}

/** The sysctl writes of a change: the namespace's settings, or an interface's that the kernel takes no netlink request for. */
function sysctlOps(c: Change): SysctlOp[] {
  if (c.type !== 'namespace' && c.type !== 'interface') return [];
  if (c.after === null || c.action === 'delete') return [];
  const names = (c.attrs ?? []).map((a) => a.attr);
  if (names.length === 0) return [];
  const writes = c.type === 'namespace' ? sysctlWrites(c.after, names) : sysctlWrites(c.after, names, c.after.name);
  return writes.map((w) => ({ change: c, path: w.path, text: w.text }));
}

export function opsFor(c: Change): ChangeOps {
  const main: Op[] = [];
  const post: Op[] = [];
  const sysctl = sysctlOps(c);
  const op = (write: Op['write']): Op => ({ change: c, write });
  if (isSingle(c)) {
    main.push(op((w, s, i) => writeSingle(w, c, s, i)));
    return { main, post, sysctl };
  }
  // A route among others of its key: its exact delete, then a create beside them (a replace would take the first of them).
  if (c.type === 'route' && c.placement !== undefined) {
    const placement = c.placement;
    main.push(op((w, s, i) => writeRoute(w, 'delete', c.before!, s, i)));
    main.push(op((w, s, i) => writeRoute(w, placement, c.after!, s, i)));
    return { main, post, sysctl };
  }
  // A replace of an address, route, neighbor or nexthop: the old one goes first.
  if (isKeyed(c)) {
    const write = keyedWriter(c);
    main.push(op((w, s, i) => write(w, 'delete', c.before!, s, i)));
    main.push(op((w, s, i) => write(w, 'replace', c.after!, s, i)));
    return { main, post, sysctl };
  }
  switch (c.type) {
    case 'interface': {
      const b = c.before;
      const a = c.after;
      if (c.action === 'delete' || c.action === 'replace') main.push(op((w, s, i) => writeLink(w, 'delete', b!, s, i)));
      if (c.action === 'create' || c.action === 'replace') {
        main.push(op((w, s, i) => writeLink(w, 'create', a!, s, i)));
        for (const u of afterCreate(a!)) post.push(op((w, s, i) => writeLink(w, 'update', u, s, i)));
        const peerName = peerOf(a!);
        if (peerName !== undefined && a!.alias) {
          const peer: Link = { ...keepState({ name: peerName, kind: a!.kind, state: 'down' }), alias: a!.alias };
          post.push(op((w, s, i) => writeLink(w, 'update', peer, s, i)));
        }
      }
      if (c.action === 'update') {
        for (const u of linkUpdates(c)) main.push(op((w, s, i) => writeLink(w, 'update', u, s, i)));
        if (c.attrs?.some((x) => x.attr === VLANS)) main.push(...vlanWrites(c).map(op));
      }
      break;
    }
    case 'rule': {
      // Rules have no in-place replace: everything but the protocol is identity.
      // Each request names every selector and the protocol (see plan/rule-order.ts).
      if (c.action !== 'create') main.push(op((w, s) => writeRule(w, 'delete', c.before!, s)));
      if (c.action !== 'delete') main.push(op((w, s) => writeRule(w, 'create', c.after!, s, !c.shadowed)));
      break;
    }
  }
  return { main, post, sysctl };
}

/** True when a change makes or remakes links, so ifindexes must be read again after it. */
export function changesLinks(c: Change): boolean {
  return c.type === 'interface' && (c.action === 'create' || c.action === 'replace');
}
