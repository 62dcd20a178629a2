// The planner's entry points: a plan from a config, a rollback plan from a
// saved state, and the scope a plan touches. Pure functions, no I/O.
import { addressKey, linkKey, neighborKey, routeKey, ruleKey } from '../model/identity.js';
import type { Address, Desired, Link, ObjectType, State } from '../model/types.js';
import { World } from './effects.js';
import { isKernelMade, isVirtual, ownsLink, ownsMarked } from './ownership.js';
import { type Declared, type PlanProblem, type Rules, reconcile } from './reconcile.js';
import type { ModelObject, Plan } from './types.js';

export type { PlanProblem } from './reconcile.js';
export { applyToState } from './effects.js';

/** Identity keys per object type. */
export interface Scope {
  interface: Set<string>;
  address: Set<string>;
  route: Set<string>;
  rule: Set<string>;
  neighbor: Set<string>;
}

export function plan(desired: Desired, actual: State): { plan: Plan; problems: PlanProblem[] } {
  const declared = index(desired.state);
  const { protocol, prune } = desired.policy;
  // Where an address is declared, so that an owned one elsewhere is seen as moving there.
  const declaredOn = new Map<string, string>();
  for (const a of declared.addresses.values()) if (a.state !== 'absent') declaredOn.set(a.address, a.dev);

  const addressDeletion = (a: Address): string | undefined => {
    if (a.kernelManaged) return undefined;
    const owned = ownsMarked(a, protocol);
    const link = declared.links.get(a.dev);
    const authoritative = link?.addressesAuthoritative === true && link.state !== 'absent';
    const movesTo = declaredOn.get(a.address);
    if ((owned || authoritative) && movesTo !== undefined && movesTo !== a.dev) return `moves to ${movesTo}`;
    if (authoritative) return `not listed on ${a.dev}`;
    return prune && owned ? '' : undefined;
  };
  const rules: Rules = {
    mode: { exact: false, protocol },
    deletion(type, _key, o) {
      if (type === 'address') return addressDeletion(o as Address);
      if (!prune) return undefined;
      const owned = type === 'interface' ? ownsLink(o as Link) : ownsMarked(o as { protocol?: number }, protocol);
      return owned ? '' : undefined;
    },
  };
  return reconcile(declared, World.of(actual), rules);
}

/**
 * The plan that puts `actual` back to `target` exactly (protocol and alias
 * included, no ownership rules) for the identities in `scope`, and re-creates
 * whatever of `target` is missing, such as what the kernel removed by itself.
 * What the kernel makes by itself (proto kernel routes, kernel-managed
 * addresses, learned neighbors) it also brings back by itself, so that is
 * left alone.
 */
export function planRestore(target: State, actual: State, scope: Scope): Plan {
  const world = World.of(actual);
  // Outside the scope, what exists stays as it is; it is declared only so
  // that it comes back if the restore's own changes make the kernel remove it.
  const have: Record<ObjectType, ReadonlyMap<string, ModelObject>> = {
    interface: world.links,
    address: world.addresses,
    route: world.routes,
    rule: world.rules,
    neighbor: world.neighbors,
  };
  const declared = index(target, (type, key, o) => (isKernelMade(type, o) ? undefined : scope[type].has(key) ? o : (have[type].get(key) ?? o)));
  const rules: Rules = {
    mode: { exact: true, protocol: 0 },
    deletion(type, key, o) {
      if (!scope[type].has(key) || isKernelMade(type, o)) return undefined;
      return type !== 'interface' || isVirtual((o as Link).kind) ? '' : undefined;
    },
  };
  return reconcile(declared, world, rules).plan;
}

/** Every identity a plan touches, including what the kernel changes by itself. */
export function scopeOf(p: Plan): Scope {
  const s = emptyScope();
  for (const stage of p.stages) {
    for (const c of stage) {
      s[c.type].add(c.id);
      if (c.effects) for (const e of c.effects) s[e.type].add(e.id);
    }
  }
  return s;
}

export function emptyScope(): Scope {
  return { interface: new Set(), address: new Set(), route: new Set(), rule: new Set(), neighbor: new Set() };
}

/** Objects by identity key; `choose` may leave one out or declare another version of it. */
function index(s: State, choose?: (type: ObjectType, key: string, o: ModelObject) => ModelObject | undefined): Declared {
  const into = <T extends ModelObject>(type: ObjectType, list: readonly T[], key: (o: T) => string): Map<string, T> => {
    const m = new Map<string, T>();
    for (const o of list) {
      const k = key(o);
      const chosen = choose === undefined ? o : (choose(type, k, o) as T | undefined);
      if (chosen !== undefined) m.set(k, chosen);
    }
    return m;
  };
  return {
    links: into('interface', s.links, linkKey),
    addresses: into('address', s.addresses, addressKey),
    routes: into('route', s.routes, routeKey),
    rules: into('rule', s.rules, ruleKey),
    neighbors: into('neighbor', s.neighbors, neighborKey),
  };
}

