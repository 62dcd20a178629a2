// Confirm-or-rollback. Before a confirm-timeout apply changes anything, it
// records in the state directory what the change touches (before, and as the
// change leaves it); the change is kept only when confirmed. On timeout,
// SIGHUP (the SSH session died), SIGINT, SIGTERM, failing probes, or a crash
// found by the next run, the change is undone from that record: kernel
// state, not files. Only the change is undone (contract 5.8): an object is
// put back only where it is still as the change left it; what others
// changed, removed or added since stays as it is now.
import type { Connection } from '../netlink/connection.js';
import { emptyScope, planRestore, type Scope } from '../plan/plan.js';
import { World } from '../plan/effects.js';
import { idOf } from '../plan/reconcile.js';
import { isKernelMade } from '../plan/ownership.js';
import type { ObjectType, State } from '../model/types.js';
import { OBJECT_TYPES, objectsOf, setObjectsOf } from '../model/state.js';
import { planChanges, type Change, type ModelObject, type Plan } from '../plan/types.js';
import { waiterAlive, type Pending, type ScopeKeys, type StateStore } from '../state/store.js';
import { rollback } from './apply.js';

export function scopeToKeys(s: Scope): ScopeKeys {
  return { namespace: [...s.namespace], interface: [...s.interface], address: [...s.address], route: [...s.route], rule: [...s.rule], neighbor: [...s.neighbor], nexthop: [...s.nexthop] };
}

export function keysToScope(k: ScopeKeys): Scope {
  return {
    namespace: new Set(k.namespace ?? []),
    interface: new Set(k.interface),
    address: new Set(k.address),
    route: new Set(k.route),
    rule: new Set(k.rule),
    neighbor: new Set(k.neighbor),
    nexthop: new Set(k.nexthop ?? []),
  };
}

const TYPES = OBJECT_TYPES;

/** The objects of `s` for which `keep(type, identity)` holds. */
function filterState(s: State, keep: (type: ObjectType, id: string) => boolean): State {
  const out = { links: [], addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] } as State;
  for (const type of TYPES) setObjectsOf(out, type, objectsOf(s, type).filter((o) => keep(type, idOf(type, o))));
  return out;
}

/** The objects of `s` inside `scope`. */
export function scopedState(s: State, scope: Scope): State {
  return filterState(s, (type, id) => scope[type].has(id));
}

/** What the plan is expected to leave, inside its scope (recorded until the kernel can be read back). */
export function predictAfter(before: State, plan: Plan, scope: Scope): State {
  const w = World.of(before);
  for (const c of planChanges(plan)) w.apply(c);
  return scopedState(w.toState(), scope);
}

/** The identities a plan changes (with `effects`, also those the kernel changes by itself). */
function idsOf(p: Plan, effects = false): Scope {
  const s = emptyScope();
  for (const c of planChanges(p)) {
    s[c.type].add(c.id);
    if (effects && c.effects) for (const e of c.effects) s[e.type].add(e.id);
  }
  return s;
}

export interface ObjectRef {
  type: ObjectType;
  id: string;
}

function refs(s: Scope): ObjectRef[] {
  return TYPES.flatMap((type) => [...s[type]].sort().map((id) => ({ type, id })));
}

export interface RestoreDecision {
  /** The state to restore to: the recorded before-state of what is restored, everything else as it is now. */
  target: State;
  /** What is restored: the change's objects still as the change left them. */
  scope: Scope;
  /** Objects to put back (they differ from their before-state). */
  restore: ObjectRef[];
  /** Objects the change touched that others changed, removed or re-created since: left as they are now. */
  changedSince: ObjectRef[];
}

/**
 * Decide, per object, what undoing the change `p` puts back in `current`
 * (pure). An object is put back only when it is exactly as the change left
 * it; one that someone changed since is left as it is now, and so is
 * everything outside the change.
 */
export function decideRestore(p: Pick<Pending, 'before' | 'after' | 'scope'>, current: State): RestoreDecision {
  const scope = keysToScope(p.scope);
  const moved = idsOf(planRestore(p.after, current, scope));
  const differs = idsOf(planRestore(p.before, current, scope), true);
  const restoreScope = emptyScope();
  const changedSince = emptyScope();
  for (const type of TYPES) {
    for (const id of scope[type]) {
      if (!moved[type].has(id)) restoreScope[type].add(id);
      else if (differs[type].has(id)) changedSince[type].add(id);
    }
  }
  // What stays as it is now and is not the kernel's own: a restore must not take it away.
  const kept = emptyScope();
  for (const type of TYPES) {
    for (const o of objectsOf(current, type) as ModelObject[]) if (!isKernelMade(type, o)) kept[type].add(idOf(type, o));
  }
  const inRestore = (type: ObjectType, id: string) => restoreScope[type].has(id);
  let target = targetOf(p.before, current, inRestore);
  // Putting an object back must not make the kernel remove one that stays as
  // it is now (a bridge deleted with a route that others moved onto it): such
  // an object stays too. Each round takes at least one object out; bounded.
  for (let round = 0; round <= TYPES.reduce((n, t) => n + scope[t].size, 0); round++) {
    let blocked = false;
    for (const c of planChanges(planRestore(target, current, restoreScope))) {
      const hits = (c.effects ?? []).some((e) => e.removed && !inRestore(e.type, e.id) && kept[e.type].has(e.id));
      if (hits && inRestore(c.type, c.id)) {
        restoreScope[c.type].delete(c.id);
        changedSince[c.type].add(c.id);
        blocked = true;
      }
    }
    if (!blocked) break;
    target = targetOf(p.before, current, inRestore);
  }
  const restore = emptyScope();
  for (const type of TYPES) for (const id of restoreScope[type]) if (differs[type].has(id)) restore[type].add(id);
  return { target, scope: restoreScope, restore: refs(restore), changedSince: refs(changedSince) };
}

/** The recorded before-state of what is restored, and everything else as it is now. */
function targetOf(before: State, current: State, inRestore: (type: ObjectType, id: string) => boolean): State {
  const b = filterState(before, inRestore);
  const now = filterState(current, (type, id) => !inRestore(type, id));
  const namespace = b.namespace ?? now.namespace;
  return {
    ...(namespace ? { namespace } : {}),
    links: [...b.links, ...now.links],
    addresses: [...b.addresses, ...now.addresses],
    routes: [...b.routes, ...now.routes],
    rules: [...b.rules, ...now.rules],
    nexthops: [...b.nexthops, ...now.nexthops],
    neighbors: [...b.neighbors, ...now.neighbors],
  };
}

export interface RestoreReport {
  restored: ObjectRef[];
  changedSince: ObjectRef[];
  /** What could not be put back (empty when the restore is complete). */
  left: Change[];
}

/** Undo the recorded change, object by object as decideRestore says. */
export async function restoreChange(conn: Connection, p: Pick<Pending, 'before' | 'after' | 'scope'>, readActual: () => Promise<State>): Promise<RestoreReport> {
  const d = decideRestore(p, await readActual());
  const left = await rollback(conn, d.target, d.scope, readActual);
  const failed = new Set(left.map((c) => `${c.type} ${c.id}`));
  return { restored: d.restore.filter((r) => !failed.has(`${r.type} ${r.id}`)), changedSince: d.changedSince, left };
}

/** Lines saying what a restore did, for people. */
export function describeRestore(r: RestoreReport, max = 20): string[] {
  const list = (xs: ObjectRef[]) => xs.slice(0, max).map((x) => `${x.type} ${x.id}`).join(', ') + (xs.length > max ? `, and ${xs.length - max} more` : '');
  const out: string[] = [];
  out.push(r.restored.length ? `put back as before the change: ${list(r.restored)}` : 'nothing of the change needed putting back');
  if (r.changedSince.length) out.push(`left as they are now, changed by others since the change: ${list(r.changedSince)}`);
  if (r.left.length) out.push(`could not be put back: ${r.left.slice(0, max).map((c) => `${c.type} ${c.id}`).join(', ')}`);
  return out;
}

export interface Recovery {
  pending: Pending;
  /** The apply that wrote the record still runs and waits: nothing was done. */
  waiting?: boolean;
  /** `netrec confirm` came after the apply was gone: the change stays, the record is dropped. */
  confirmed?: boolean;
  report?: RestoreReport;
}

/**
 * Run first by every command that changes a namespace (holding its lock):
 * undo the change of an apply that was waiting for confirmation and is gone,
 * or drop the record of a confirmed one.
 */
export async function recoverPending(conn: Connection, store: StateStore, readActual: () => Promise<State>): Promise<Recovery | undefined> {
  const pending = store.readPending();
  if (!pending) return undefined;
  if (store.isConfirmed()) {
    store.clearPending();
    return { pending, confirmed: true };
  }
  if (waiterAlive(pending)) return { pending, waiting: true };
  const report = await restoreChange(conn, pending, readActual);
  if (report.left.length === 0) store.clearPending();
  return { pending, report };
}

export type ConfirmOutcome = 'confirmed' | 'timeout' | 'SIGHUP' | 'SIGINT' | 'SIGTERM' | 'probe-failed';

/** Time as the confirmation wait reads it: the system's, or a test's. */
export interface Clock {
  now(): number;
  /** Call `fn` after `ms`; returns what cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
};

/** Where stop signals come from: the process, or a test's emitter. */
export interface SignalSource {
  on(sig: 'SIGHUP' | 'SIGINT' | 'SIGTERM', h: () => void): unknown;
  off(sig: 'SIGHUP' | 'SIGINT' | 'SIGTERM', h: () => void): unknown;
}

export interface WaitOptions {
  deadline: number;
  store: Pick<StateStore, 'isConfirmed'>;
  /** Read `y` from this terminal. */
  tty?: NodeJS.ReadStream;
  /** Checked every poll: a reason to give up early (failing probes). */
  check?: () => Promise<ConfirmOutcome | undefined>;
  pollMs?: number;
  clock?: Clock;
  signals?: SignalSource;
}

/** Wait for `netrec confirm`, `y` on the terminal, the deadline or a signal. */
export function waitForConfirmation(o: WaitOptions): Promise<ConfirmOutcome> {
  const clock = o.clock ?? systemClock;
  const source: SignalSource = o.signals ?? process;
  return new Promise((resolve) => {
    let done = false;
    const signals = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
    const handlers = signals.map((sig) => [sig, () => finish(sig)] as const);
    let cancel: (() => void) | undefined;
    const onData = (d: Buffer): void => {
      if (/^\s*y(es)?\s*$/i.test(d.toString())) finish('confirmed');
    };
    const finish = (r: ConfirmOutcome): void => {
      if (done) return;
      done = true;
      cancel?.();
      for (const [sig, h] of handlers) source.off(sig, h);
      if (o.tty) {
        o.tty.off('data', onData);
        o.tty.pause();
      }
      resolve(r);
    };
    for (const [sig, h] of handlers) source.on(sig, h);
    if (o.tty) {
      o.tty.on('data', onData);
      o.tty.resume();
    }
    const poll = async (): Promise<void> => {
      if (done) return;
      if (o.store.isConfirmed()) return finish('confirmed');
      if (clock.now() >= o.deadline) return finish('timeout');
      const early = o.check ? await o.check() : undefined;
      if (early) return finish(early);
      cancel = clock.setTimer(() => void poll(), Math.min(o.pollMs ?? 200, Math.max(0, o.deadline - clock.now())));
    };
    void poll();
  });
}
