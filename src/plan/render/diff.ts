// `netrec plan -o diff` (contract section 6; docs/plan.md): a unified diff
// between the current and the desired state, both in the config format,
// built from the plan's own before and after of each object it touches. So
// every change of the plan shows, and each side holds the whole object as it
// is (or will be), not only what the config mentions. Objects the plan does
// not touch are left out; interfaces are named where their addresses are.
import { createTwoFilesPatch } from 'diff';
import { toDocument, toYaml } from '../../config/serialize.js';
import type { Address, Desired, Link, Neighbor, ObjectType, Route, Rule, State } from '../../model/types.js';
import { vethPeerMade } from '../effects.js';
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
  const touch = (type: ObjectType, id: string, before: ModelObject | null, after: ModelObject | null): void => {
    const key = `${type}\0${id}`;
    const o = objects.get(key);
    if (o === undefined) objects.set(key, { type, before, after });
    else o.after = after;
  };
  for (const stage of p.stages) {
    for (const c of stage) {
      touch(c.type, c.id, c.before, c.after);
      const made = c.type === 'interface' && c.after !== null && c.action !== 'update' ? vethPeerMade(c.after as Link) : undefined;
      if (made !== undefined && c.effects?.some((e) => e.type === 'interface' && e.id === made.name && !e.removed)) touch('interface', made.name, null, made);
    }
  }
  const before: State = { links: [], addresses: [], routes: [], rules: [], neighbors: [] };
  const after: State = { links: [], addresses: [], routes: [], rules: [], neighbors: [] };
  for (const o of objects.values()) {
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
  if (type === 'interface') s.links.push(o as Link);
  else if (type === 'address') s.addresses.push(o as Address);
  else if (type === 'route') s.routes.push(o as Route);
  else if (type === 'rule') s.rules.push(o as Rule);
  else s.neighbors.push(o as Neighbor);
}
