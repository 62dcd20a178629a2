// `netrec plan -o diff` (contract section 6; docs/plan.md): a unified diff
// between the current and the desired state, both in the config format,
// built from the plan's own before and after of each object it touches. So
// every change of the plan shows, and each side holds the whole object as it
// is (or will be), not only what the config mentions. Objects the plan does
// not touch are left out; interfaces are named where their addresses are.
import { createTwoFilesPatch } from 'diff';
import { toDocument, toYaml } from '../../config/serialize.js';
import { emptyState, type Address, type Desired, type Link, type NamespaceSettings, type Neighbor, type NexthopObject, type ObjectType, type Route, type Rule, type State } from '../../model/types.js';
import { objectsOf } from '../../model/state.js';
import { vethPeerMade } from '../effects.js';
import { idOf } from '../reconcile.js';
import type { ModelObject, Plan } from '../types.js';

/** The diff, or '' when both sides read the same. */
export function renderDiff(p: Plan, current: State, desired: Pick<Desired, 'tables' | 'policy'>): string {
  const { before, after } = sides(p, current);
  const opts = { all: true, tables: desired.tables, policy: desired.policy };
  const a = toYaml(toDocument(before, opts));
  const b = toYaml(toDocument(after, opts));
  return a === b ? '' : createTwoFilesPatch('current', 'desired', a, b, undefined, undefined, { context: 3 });
}

/**
 * The objects the plan touches, as they are and as they will be: for each
 * one the first `before` the plan knows and the last `after` (none when the
 * plan deletes it). The other end of a new veth, which the kernel makes, is
 * on the desired side.
 */
function sides(p: Plan, current: State): { before: State; after: State } {
  const objects = new Map<string, { type: ObjectType; before: ModelObject | null; after: ModelObject | null }>();
  const now = new CurrentObjects(current);
  // An object first seen being created may be one the kernel takes away earlier in the plan (and the plan makes again): it is there now.
  const touch = (type: ObjectType, id: string, before: ModelObject | null, after: ModelObject | null): void => {
    const key = `${type}\0${id}`;
    const o = objects.get(key);
    if (o === undefined) objects.set(key, { type, before: before ?? now.get(type, id) ?? null, after });
    else o.after = after;
  };
  for (const stage of p.stages) {
    for (const c of stage) {
      touch(c.type, c.id, c.before, c.after);
      const made = c.type === 'interface' && c.after !== null && c.action !== 'update' ? vethPeerMade(c.after as Link) : undefined;
      if (made !== undefined && c.effects?.some((e) => e.type === 'interface' && e.id === made.name && !e.removed)) touch('interface', made.name, null, made);
      // What the kernel removes along with the change goes too.
      if (c.effects) for (const e of c.effects) if (e.removed) touch(e.type, e.id, null, null);
    }
  }
  const before: State = emptyState();
  const after: State = emptyState();
  for (const o of objects.values()) {
    if (o.before === null && o.after === null) continue;
    if (o.before !== null) add(before, o.type, o.before);
    if (o.after !== null) add(after, o.type, o.after);
  }
  // Addresses are shown under their interface: name it on both sides where the plan leaves it alone.
  const links = new Map(current.links.map((l) => [l.name, l]));
  for (const side of [before, after]) {
    const shown = new Set(side.links.map((l) => l.name));
    for (const a of side.addresses) {
      if (shown.has(a.dev)) continue;
      shown.add(a.dev);
      const l = links.get(a.dev);
      const stub: Link = { name: a.dev, kind: l?.kind ?? 'device', state: l?.state ?? 'up' };
      if (objects.has(`interface\0${a.dev}`)) continue;
      for (const s of [before, after]) if (!s.links.some((x) => x.name === a.dev)) s.links.push(stub);
    }
  }
  return { before, after };
}

function add(s: State, type: ObjectType, o: ModelObject): void {
  if (type === 'namespace') s.namespace = o as NamespaceSettings;
  else if (type === 'interface') s.links.push(o as Link);
  else if (type === 'address') s.addresses.push(o as Address);
  else if (type === 'route') s.routes.push(o as Route);
  else if (type === 'rule') s.rules.push(o as Rule);
  else if (type === 'nexthop') s.nexthops.push(o as NexthopObject);
  else s.neighbors.push(o as Neighbor);
}

/** The current objects by type and identity key, indexed on first need. */
class CurrentObjects {
  private readonly byType = new Map<ObjectType, Map<string, ModelObject>>();

  constructor(private readonly current: State) {}

  get(type: ObjectType, id: string): ModelObject | undefined {
    let m = this.byType.get(type);
    if (m === undefined) {
      m = new Map();
      const list: readonly ModelObject[] = LISTS(type)(this.current);
      for (const o of list) {
        const k = idOf(type, o);
        if (!m.has(k)) m.set(k, o);
      }
      this.byType.set(type, m);
    }
    return m.get(id);
  }
}

const LISTS = (type: ObjectType) => (s: State): readonly ModelObject[] => objectsOf(s, type);
