// Small builders for planner tests.
import { DEFAULT_PROTOCOL } from '../../src/model/constants.js';
import { addressKey, linkKey, neighborKey, routeKey, ruleKey } from '../../src/model/identity.js';
import type { Address, Desired, Link, Neighbor, Policy, Route, Rule, State } from '../../src/model/types.js';
import { applyToState } from '../../src/plan/effects.js';
import { isKernelMade } from '../../src/plan/ownership.js';
import type { Change, Plan } from '../../src/plan/types.js';

export const OURS = DEFAULT_PROTOCOL;
export const PROTO_KERNEL = 2;
export const PROTO_BOOT = 3;
export const PROTO_STATIC = 4;

export function link(name: string, kind: Link['kind'] = 'dummy', extra: Partial<Link> = {}): Link {
  return { name, kind, state: 'up', ...extra };
}

export function addr(dev: string, address: string, extra: Partial<Address> = {}): Address {
  return { dev, family: address.includes(':') ? 'ipv6' : 'ipv4', address, ...extra };
}

export function route(to: string, extra: Partial<Route> = {}): Route {
  const family = to.includes(':') ? 'ipv6' : 'ipv4';
  return { family, table: 254, to, metric: family === 'ipv6' ? 1024 : 0, tos: 0, type: 'unicast', protocol: OURS, ...extra };
}

export function rule(priority: number, extra: Partial<Rule> = {}): Rule {
  return { family: 'ipv4', priority, table: 254, action: 'lookup', protocol: OURS, ...extra };
}

export function neigh(dev: string, address: string, extra: Partial<Neighbor> = {}): Neighbor {
  return { dev, family: address.includes(':') ? 'ipv6' : 'ipv4', address, ...extra };
}

export function state(parts: Partial<State> = {}): State {
  return { links: [], addresses: [], routes: [], rules: [], neighbors: [], nexthops: [], ...parts };
}

export function desiredOf(parts: Partial<State>, policy: Partial<Policy> = {}): Desired {
  return { state: state(parts), policy: { protocol: OURS, prune: true, ...policy }, tables: {}, files: ['net.yaml'] };
}

export function changes(p: Plan): Change[] {
  return p.stages.flat();
}

export function find<T extends Change['type']>(p: Plan, type: T, id: string): Extract<Change, { type: T }> | undefined {
  return changes(p).find((c) => c.type === type && c.id === id) as Extract<Change, { type: T }> | undefined;
}

/** Index of the stage holding a change; -1 when the plan has none. */
export function stageOf(p: Plan, type: Change['type'], id: string): number {
  return p.stages.findIndex((s) => s.some((c) => c.type === type && c.id === id));
}

export function applyPlan(s: State, p: Plan): State {
  let out = s;
  for (const stage of p.stages) for (const c of stage) out = applyToState(out, c);
  return out;
}

/** One line per change, "action type id", for compact assertions. */
export function lines(p: Plan): string[] {
  return changes(p).map((c) => `${c.action} ${c.type} ${c.id}`);
}

function clean(o: object, drop: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || drop.includes(k)) continue;
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? clean(v, []) : v;
  }
  return out;
}

/** 'forever' is the default lifetime, and kernelManaged: false the default flag. */
function plainAddress(a: Address): Address {
  const out = { ...a };
  if (!out.kernelManaged) delete out.kernelManaged;
  if (out.validLifetime === 'forever') delete out.validLifetime;
  if (out.preferredLifetime === 'forever') delete out.preferredLifetime;
  return out;
}

/**
 * A state as comparable data: sorted by identity, without what only the
 * config or the reader adds (source, presence, default lifetimes and flags), and
 * optionally without what the kernel makes by itself.
 */
export function comparable(s: State, opts: { withoutKernelMade?: boolean } = {}): Record<string, [string, unknown][]> {
  const keep = (type: Change['type'], o: object) => !opts.withoutKernelMade || !isKernelMade(type, o as never);
  const list = <T extends object>(type: Change['type'], items: T[], key: (o: T) => string, drop: string[]): [string, unknown][] =>
    items
      .filter((o) => keep(type, o))
      .map((o): [string, unknown] => [key(o), clean(o, drop)])
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return {
    links: list('interface', s.links, linkKey, ['source', 'addressesAuthoritative']),
    // Which address of a subnet is primary is the kernel's placement, not state a plan asks for.
    addresses: list('address', s.addresses.map(plainAddress), addressKey, ['source', 'state', 'secondary']),
    routes: list('route', s.routes, routeKey, ['source', 'state']),
    rules: list('rule', s.rules, ruleKey, ['source', 'state']),
    neighbors: list('neighbor', s.neighbors, neighborKey, ['source']),
  };
}
