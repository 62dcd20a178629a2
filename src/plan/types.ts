// A plan is a value: printed, saved, compared, then executed. Apply never
// decides anything the plan did not show.
import type { Address, Link, NamespaceSettings, Neighbor, NexthopObject, ObjectType, Route, Rule, Source } from '../model/types.js';

export type Action = 'create' | 'update' | 'replace' | 'delete';

export type ModelObject = NamespaceSettings | Link | Address | Route | Rule | Neighbor | NexthopObject;

/** One changed attribute of an update: the config-format name, old and new value. */
/**
 * An object the kernel removes, changes or creates by itself as a
 * consequence of a change (netlink-notes.md), so that rollback knows
 * everything a plan touched.
 */
export interface Effect {
  type: ObjectType;
  id: string;
  removed: boolean;
}

export interface AttrChange {
  attr: string;
  old: unknown;
  new: unknown;
}

interface ChangeBase<T extends ObjectType, O> {
  action: Action;
  type: T;
  /** Identity key (src/model/identity.ts). */
  id: string;
  /** Actual object before the change; null for create. */
  before: O | null;
  /** Desired object after the change; null for delete. */
  after: O | null;
  /** For update: what changes. */
  attrs?: AttrChange[];
  /** Why, when not obvious: "vni cannot change in place", "removed by the kernel with lan0". */
  reason?: string;
  /** Config location of the desired object (or of what caused the change). */
  source?: Source;
  /** What the kernel does by itself along with this change. */
  effects?: Effect[];
  /**
   * Routes only: other routes share the kernel's list of this one (same
   * table, destination, tos, metric, source prefix), where a replace would
   * take the first of them. The change is then written as an exact delete
   * of `before` (for an update) and a create that puts the route first
   * (`prepend`, as `ip route prepend`) or last (`append`) among them.
   */
  placement?: 'prepend' | 'append';
  /**
   * Rules: an existing rule is one the kernel's exclusive-create check would
   * take for this one (a more specific rule at its priority), so it is
   * created without NLM_F_EXCL.
   */
  shadowed?: boolean;
}

export type Change =
  | ChangeBase<'namespace', NamespaceSettings>
  | ChangeBase<'interface', Link>
  | ChangeBase<'address', Address>
  | ChangeBase<'route', Route>
  | ChangeBase<'rule', Rule>
  | ChangeBase<'neighbor', Neighbor>
  | ChangeBase<'nexthop', NexthopObject>;

export interface Summary {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

/**
 * Changes in execution order, grouped in stages: every change in stage k may
 * run once stages < k are done; changes within one stage are independent
 * and can share a batch.
 */
export interface Plan {
  stages: Change[][];
  summary: Summary;
}

/** Every change in order; `limit` stops early (a plan's head for display). Plain loops: flat() costs ~1 µs a change. */
export function planChanges(p: Plan, limit = Infinity): Change[] {
  const out: Change[] = [];
  for (const stage of p.stages) {
    for (const c of stage) {
      if (out.length >= limit) return out;
      out.push(c);
    }
  }
  return out;
}

export function changeCount(p: Plan): number {
  let n = 0;
  for (const stage of p.stages) n += stage.length;
  return n;
}

export function isEmpty(p: Plan): boolean {
  return p.stages.every((s) => s.length === 0);
}
