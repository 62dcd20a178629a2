// The whole of `netrec apply` below the command line: execute the plan,
// verify by reading the kernel again (converging in a few rounds when
// something moved), and on any refusal or interruption put back everything
// the run touched — including what the kernel removed by itself.
import type { Connection } from '../netlink/connection.js';
import { readLinks, readState } from '../kernel/read.js';
import type { Desired, State } from '../model/types.js';
import { plan as makePlan, planRestore, scopeOf, type Scope } from '../plan/plan.js';
import { isEmpty, planChanges, type Change, type Plan } from '../plan/types.js';
import { executePlan, type Refusal } from './execute.js';
import type { ChangeWitness } from './witness.js';

export type ApplyResultKind = 'applied' | 'no-changes' | 'rolled-back' | 'failed';

export interface ApplyOutcome {
  result: ApplyResultKind;
  /** Mutating netlink messages sent, rollback included. */
  messages: number;
  refusals: Refusal[];
  /** Changes still pending after the last verification round (not converged). */
  unconverged: Change[];
  /** Changes a rollback could not undo. */
  rollbackLeft: Change[];
  interrupted: boolean;
  /** Rounds of execute+verify that ran. */
  rounds: number;
  /** How the result was checked: a full read of the state, or the kernel's change notifications. */
  verifiedBy: 'read' | 'notifications';
  /** Time spent executing changes: sending them, reading their ACKs, and any rollback, ms. */
  writeMs: number;
}

export interface ApplyOptions {
  shouldStop?: () => boolean;
  onProgress?: (done: number, total: number) => void;
  /** Verification rounds after the first execution. */
  maxRounds?: number;
  /** How to read the state again (default: a full dump). watch passes its event-fed cache. */
  readActual?: () => Promise<State>;
  /**
   * Subscribed before `before` was read: when it saw only our own requests'
   * announcements, a plan of routes, rules and neighbors needs no read-back.
   */
  witness?: ChangeWitness;
}

function mergeScope(into: Scope, from: Scope): void {
  for (const k of Object.keys(into) as (keyof Scope)[]) for (const id of from[k]) into[k].add(id);
}

/**
 * Apply `first` (planned from `before`, the state read just before). Returns
 * what happened; never throws for kernel refusals.
 */
export async function applyPlan(conn: Connection, desired: Desired, before: State, first: Plan, opts: ApplyOptions = {}): Promise<ApplyOutcome> {
  const startMessages = conn.mutations;
  const out: ApplyOutcome = { result: 'applied', messages: 0, refusals: [], unconverged: [], rollbackLeft: [], interrupted: false, rounds: 0, verifiedBy: 'read', writeMs: 0 };
  if (isEmpty(first)) {
    out.result = 'no-changes';
    return out;
  }
  // What a rollback must cover: computed when needed (it costs a key per object).
  const plans: Plan[] = [first];
  const scope = (): Scope => {
    const all = scopeOf(plans[0]!);
    for (const p of plans.slice(1)) mergeScope(all, scopeOf(p));
    return all;
  };
  const maxRounds = opts.maxRounds ?? 3;
  const readActual = opts.readActual ?? (() => readState(conn, { protocol: desired.policy.protocol }));
  let current: Plan = first;
  const witnessed = opts.witness?.expect(first) ?? false;
  for (let round = 1; round <= maxRounds; round++) {
    out.rounds = round;
    const writing = performance.now();
    const r = await executePlan(conn, current, {
      stopOnError: true,
      shouldStop: opts.shouldStop,
      onProgress: round === 1 ? opts.onProgress : undefined,
      afterChunk: opts.witness ? () => opts.witness!.drain() : undefined,
    });
    out.writeMs += performance.now() - writing;
    if (r.refusals.length > 0 || r.interrupted) {
      out.refusals = r.refusals;
      out.interrupted = r.interrupted;
      const rollingBack = performance.now();
      out.rollbackLeft = await rollback(conn, before, scope(), readActual);
      out.writeMs += performance.now() - rollingBack;
      out.result = out.rollbackLeft.length === 0 ? 'rolled-back' : 'failed';
      out.messages = conn.mutations - startMessages;
      return out;
    }
    if (round === 1 && witnessed && opts.witness!.onlyOurs() && (!opts.witness!.touchesLinks || (await linksAsDeclared(conn, desired)))) {
      out.verifiedBy = 'notifications';
      out.messages = conn.mutations - startMessages;
      return out;
    }
    const now = await readActual();
    const next = makePlan(desired, now).plan;
    if (isEmpty(next)) {
      out.messages = conn.mutations - startMessages;
      return out;
    }
    plans.push(next);
    current = next;
    out.unconverged = planChanges(next);
  }
  out.result = 'failed';
  out.messages = conn.mutations - startMessages;
  return out;
}

/**
 * The links alone, read again and planned against the config's links alone:
 * a link dump is small, and the rest of the state is vouched for by the
 * witness.
 */
async function linksAsDeclared(conn: Connection, desired: Desired): Promise<boolean> {
  const linksOnly = (links: State['links']): State => ({ links, addresses: [], routes: [], rules: [], neighbors: [] });
  return isEmpty(makePlan({ ...desired, state: linksOnly(desired.state.links) }, linksOnly(await readLinks(conn))).plan);
}

/**
 * Put the objects in `scope` back as they were in `before`. Best effort per
 * message (one refusal does not stop the others), repeated while it makes
 * progress. Returns what could not be restored.
 */
export async function rollback(conn: Connection, before: State, scope: Scope, readActual: () => Promise<State>, rounds = 3): Promise<Change[]> {
  for (let i = 0; i < rounds; i++) {
    const p = planRestore(before, await readActual(), scope);
    if (isEmpty(p)) return [];
    await executePlan(conn, p, { stopOnError: false });
  }
  return planChanges(planRestore(before, await readActual(), scope));
}
