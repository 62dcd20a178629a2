// The planner's entry points: a plan from a config, a rollback plan from a
// saved state, and the scope a plan touches. Pure functions, no I/O.
import { release } from 'node:os';
import { addressKey, linkKey, NAMESPACE_ID, neighborKey, nexthopKey, ruleKey } from '../model/identity.js';
import type { Address, Desired, ObjectType, Route, State } from '../model/types.js';
import { sameRoute, World } from './effects.js';
import { isKernelMade, isOwnedBy, ownsMarked } from './ownership.js';
import { type Declared, type PlanProblem, type Rules, idOf, reconcile } from './reconcile.js';
import type { ModelObject, Plan } from './types.js';

export type { PlanProblem } from './reconcile.js';
export { applyToState } from './effects.js';

/** Identity keys per object type. */
export interface Scope {
  namespace: Set<string>;
  interface: Set<string>;
  address: Set<string>;
  route: Set<string>;
  rule: Set<string>;
  neighbor: Set<string>;
  nexthop: Set<string>;
}

/** What the running kernel can do that its dumps do not tell. */
export interface KernelTraits {
  /**
   * A replace changes the owner (IFA_PROTO) of an existing address. Kernels
   * from 5.18 (which record owners) to 6.3 keep the one it was made with.
   */
  addressOwnerInPlace: boolean;
}

/** The traits of the kernel of a release string (`uname -r`); this machine's by default. */
export function kernelTraits(kernelRelease: string = release()): KernelTraits {
  const m = /^(\d+)\.(\d+)/.exec(kernelRelease);
  const version = m === null ? Infinity : Number(m[1]) * 1000 + Number(m[2]);
  return { addressOwnerInPlace: version >= 6004 };
}

export function plan(desired: Desired, actual: State, kernel: KernelTraits = kernelTraits()): { plan: Plan; problems: PlanProblem[] } {
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
    // Where the kernel cannot mark an existing address as netrec's, declaring it adopts it unmarked.
    mode: { exact: false, protocol, addressOwners: recordsAddressOwners(actual), addressOwnerFixed: !kernel.addressOwnerInPlace },
    deletion(type, o) {
      if (type === 'address') return addressDeletion(o as Address);
      return prune && isOwnedBy(type, o, protocol) ? '' : undefined;
    },
  };
  return reconcile(declared, World.of(actual), rules);
}

/**
 * Whether the kernel records address owners (IFA_PROTO, 6.1+): it marks the
 * addresses it makes itself (kernel_lo on ::1, kernel_ll on link-locals).
 * Only the kernel's own marks count, so what a plan writes cannot change the
 * answer between one plan and the next.
 */
function recordsAddressOwners(s: State): boolean {
  return s.addresses.some((a) => a.protocol !== undefined && a.protocol >= IFAPROT_KERNEL_LO && a.protocol <= IFAPROT_KERNEL_LL);
}

const IFAPROT_KERNEL_LO = 1;
const IFAPROT_KERNEL_LL = 3;

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
  const inScope = (type: ObjectType, o: ModelObject) => scope[type].has(idOf(type, o));
  const byKey: Record<Exclude<ObjectType, 'route'>, ReadonlyMap<string, ModelObject>> = {
    namespace: new Map(world.namespace === undefined ? [] : [[NAMESPACE_ID, world.namespace]]),
    interface: world.links,
    address: world.addresses,
    rule: world.rules,
    neighbor: world.neighbors,
    nexthop: world.nexthops,
  };
  const current = (type: ObjectType, o: ModelObject): ModelObject | undefined =>
    type === 'route' ? currentRoute(world.routes.twinsOf(o as Route), o as Route) : byKey[type].get(idOf(type, o));
  // Outside the scope, what exists stays as it is; it is declared only so
  // that it comes back if the restore's own changes make the kernel remove it.
  const declared = index(target, (type, o) => (isKernelMade(type, o) ? undefined : inScope(type, o) ? o : (current(type, o) ?? o)));
  const rules: Rules = {
    mode: { exact: true, protocol: 0 },
    deletion: (type, o) => (isKernelMade(type, o) || !inScope(type, o) ? undefined : ''),
  };
  return reconcile(declared, world, rules).plan;
}

/** Of the routes sharing an identity, the one that is `r` (same owner and path), else the first. */
function currentRoute(twins: Route[], r: Route): Route | undefined {
  return twins.find((x) => sameRoute(x, r)) ?? twins[0];
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
  return { namespace: new Set(), interface: new Set(), address: new Set(), route: new Set(), rule: new Set(), neighbor: new Set(), nexthop: new Set() };
}

/** Objects by identity; `choose` may leave one out or declare another version of it. */
function index(s: State, choose?: (type: ObjectType, o: ModelObject) => ModelObject | undefined): Declared {
  const pick = <T extends ModelObject>(type: ObjectType, list: T[]): T[] => {
    if (choose === undefined) return list;
    const out: T[] = [];
    for (const o of list) {
      const chosen = choose(type, o) as T | undefined;
      if (chosen !== undefined) out.push(chosen);
    }
    return out;
  };
  const byKey = <T>(list: T[], key: (o: T) => string) => new Map(list.map((o) => [key(o), o]));
  const namespace = s.namespace === undefined ? [] : pick('namespace', [s.namespace]);
  return {
    ...(namespace.length > 0 ? { namespace: namespace[0] } : {}),
    links: byKey(pick('interface', s.links), linkKey),
    addresses: byKey(pick('address', s.addresses), addressKey),
    routes: pick('route', s.routes),
    rules: byKey(pick('rule', s.rules), ruleKey),
    neighbors: byKey(pick('neighbor', s.neighbors), neighborKey),
    nexthops: byKey(pick('nexthop', s.nexthops), nexthopKey),
  };
}

