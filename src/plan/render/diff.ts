// `netrec plan -o diff` (contract section 6): a unified diff between the
// current and the desired state, both in the config format. The current side
// shows what the config is about: each declared object as it is now, limited
// to the attributes the config sets (so what it leaves alone is no noise),
// and the objects the plan deletes.
import { createTwoFilesPatch } from 'diff';
import { toDocument, toYaml } from '../../config/serialize.js';
import { addressKey, linkKey, neighborKey, routeKey, ruleKey } from '../../model/identity.js';
import type { Desired, Link, Route, State } from '../../model/types.js';
import { plan } from '../plan.js';
import { planChanges } from '../types.js';

/** The diff, or '' when both sides read the same. */
export function renderDiff(current: State, desired: Desired): string {
  const opts = { all: true, tables: desired.tables, policy: desired.policy };
  const before = toYaml(toDocument(currentView(current, desired), opts));
  const after = toYaml(toDocument(declaredPresent(desired.state), opts));
  return before === after ? '' : createTwoFilesPatch('current', 'desired', before, after, undefined, undefined, { context: 3 });
}

function declaredPresent(s: State): State {
  const present = <T extends { state?: string }>(list: T[]): T[] => list.filter((o) => o.state !== 'absent');
  return {
    links: present(s.links),
    addresses: present(s.addresses),
    routes: present(s.routes),
    rules: present(s.rules),
    neighbors: present(s.neighbors),
  };
}

function currentView(current: State, desired: Desired): State {
  const view: State = { links: [], addresses: [], routes: [], rules: [], neighbors: [] };
  const pick = <T extends { state?: string; protocol?: number }>(list: T[], want: T[], key: (o: T) => string, out: T[], isLink = false): void => {
    const have = new Map(list.map((o) => [key(o), o]));
    for (const w of want) {
      const h = have.get(key(w));
      if (h !== undefined) out.push(w.state === 'absent' ? h : project(h, w, isLink));
    }
  };
  // An address without a recorded protocol is not adopted (see compare.ts): no difference to show.
  const addresses = current.addresses.map((a) => (a.protocol === undefined ? { ...a, protocol: desired.policy.protocol } : a));
  const d = desired.state;
  pick(current.links, d.links, linkKey, view.links, true);
  pick(addresses, d.addresses, addressKey, view.addresses);
  pickRoutes(current.routes, d.routes, view.routes);
  pick(current.rules, d.rules, ruleKey, view.rules);
  pick(current.neighbors, d.neighbors, neighborKey, view.neighbors);

  for (const c of planChanges(plan(desired, current).plan)) {
    if (c.action !== 'delete') continue;
    if (c.type === 'interface') view.links.push(c.before!);
    else if (c.type === 'address') view.addresses.push(c.before!);
    else if (c.type === 'route') view.routes.push(c.before!);
    else if (c.type === 'rule') view.rules.push(c.before!);
    else view.neighbors.push(c.before!);
  }
  // Addresses are shown under their interface: name the ones the view lacks.
  const shown = new Set(view.links.map((l) => l.name));
  const links = new Map(current.links.map((l) => [l.name, l]));
  for (const a of view.addresses) {
    const l = links.get(a.dev);
    if (l === undefined || shown.has(a.dev)) continue;
    shown.add(a.dev);
    view.links.push({ name: l.name, kind: l.kind, state: l.state } satisfies Link);
  }
  return view;
}

/** Route attributes a declaration clears by leaving them out (compare.ts): shown when the current route has them. */
const CLEARED: readonly string[] = ['via', 'src', 'mtu', 'mtuLock', 'initcwnd', 'initrwnd', 'advmss', 'hoplimit', 'quickack', 'congctl', 'pref'];

/** Routes as pick() does, choosing among those of one identity the one of the declared owner. */
function pickRoutes(list: Route[], want: Route[], out: Route[]): void {
  const have = new Map<string, Route[]>();
  for (const r of list) {
    const k = routeKey(r);
    const g = have.get(k);
    if (g === undefined) have.set(k, [r]);
    else g.push(r);
  }
  for (const w of want) {
    const g = have.get(routeKey(w));
    const h = g?.find((r) => r.protocol === w.protocol) ?? g?.[0];
    if (h === undefined) continue;
    if (w.state === 'absent') {
      out.push(h);
      continue;
    }
    const p = project(h, w, false) as unknown as Record<string, unknown>;
    const hr = h as unknown as Record<string, unknown>;
    for (const k of CLEARED) if (hr[k] !== undefined && p[k] === undefined) p[k] = hr[k];
    out.push(p as unknown as Route);
  }
}

/**
 * The current object limited to what the declared one sets. For links the
 * declared state and address-list ownership carry over, so both sides
 * render the same keys; other objects' `state` (present, NUD states) is not
 * compared.
 */
function project<T extends object>(have: T, want: T, isLink: boolean): T {
  const out: Record<string, unknown> = {};
  const h = have as Record<string, unknown>;
  for (const [k, v] of Object.entries(want)) {
    if (v === undefined || k === 'source' || (k === 'state' && !isLink)) continue;
    if (k === 'addressesAuthoritative') out[k] = v;
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof h[k] === 'object' && h[k] !== null) out[k] = project(h[k] as object, v as object, false);
    else out[k] = h[k];
  }
  return out as T;
}
