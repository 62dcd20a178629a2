// Confirm-or-rollback. Before a confirm-timeout apply changes anything, the
// prior kernel state is saved in the state directory; the change is kept
// only when confirmed. On timeout, SIGHUP (the SSH session died), SIGINT,
// SIGTERM, failing probes — or a crash, found by the next run — the prior
// state is put back from that record: kernel state, not files.
import type { Connection } from '../netlink/connection.js';
import type { Scope } from '../plan/plan.js';
import type { State } from '../model/types.js';
import type { Change } from '../plan/types.js';
import type { Pending, ScopeKeys, StateStore } from '../state/store.js';
import { rollback } from './apply.js';

export function scopeToKeys(s: Scope): ScopeKeys {
  return { interface: [...s.interface], address: [...s.address], route: [...s.route], rule: [...s.rule], neighbor: [...s.neighbor] };
}

export function keysToScope(k: ScopeKeys): Scope {
  return { interface: new Set(k.interface), address: new Set(k.address), route: new Set(k.route), rule: new Set(k.rule), neighbor: new Set(k.neighbor) };
}

export interface Recovery {
  pending: Pending;
  /** What could not be put back (empty when fully restored). */
  left: Change[];
}

/**
 * Run first by every command that changes a namespace (we hold its lock, so
 * whoever wrote a pending record is gone): restore an unconfirmed change, or
 * drop the record of a confirmed one.
 */
export async function recoverPending(conn: Connection, store: StateStore, readActual: () => Promise<State>): Promise<Recovery | undefined> {
  const pending = store.readPending();
  if (!pending) return undefined;
  if (store.isConfirmed()) {
    store.clearPending();
    return undefined;
  }
  const left = await rollback(conn, pending.before, keysToScope(pending.scope), readActual);
  if (left.length === 0) store.clearPending();
  return { pending, left };
}

export type ConfirmOutcome = 'confirmed' | 'timeout' | 'SIGHUP' | 'SIGINT' | 'SIGTERM' | 'probe-failed';

export interface WaitOptions {
  deadline: number;
  store: StateStore;
  /** Read `y` from this terminal. */
  tty?: NodeJS.ReadStream;
  /** Checked every poll: a reason to give up early (failing probes). */
  check?: () => Promise<ConfirmOutcome | undefined>;
  pollMs?: number;
}

/** Wait for `netrec confirm`, `y` on the terminal, the deadline or a signal. */
export function waitForConfirmation(o: WaitOptions): Promise<ConfirmOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const signals = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
    const handlers = signals.map((sig) => [sig, () => finish(sig)] as const);
    let timer: NodeJS.Timeout | undefined;
    const onData = (d: Buffer): void => {
      if (/^\s*y(es)?\s*$/i.test(d.toString())) finish('confirmed');
    };
    const finish = (r: ConfirmOutcome): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      for (const [sig, h] of handlers) process.off(sig, h);
      if (o.tty) {
        o.tty.off('data', onData);
        o.tty.pause();
      }
      resolve(r);
    };
    for (const [sig, h] of handlers) process.on(sig, h);
    if (o.tty) {
      o.tty.on('data', onData);
      o.tty.resume();
    }
    const poll = async (): Promise<void> => {
      if (done) return;
      if (o.store.isConfirmed()) return finish('confirmed');
      if (Date.now() >= o.deadline) return finish('timeout');
      const early = o.check ? await o.check() : undefined;
      if (early) return finish(early);
      timer = setTimeout(() => void poll(), Math.min(o.pollMs ?? 200, Math.max(0, o.deadline - Date.now())));
    };
    void poll();
  });
}
