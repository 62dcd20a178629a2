// The whole of `netrec apply` below the command line: execute the plan,
// verify object by object against what the plan intended (by our own
// requests' announcements, or by reading the kernel again; converging in a
// few rounds when another writer moved something), and on any refusal,
// interruption, wrong outcome or non-convergence put back everything the run
// touched — including what the kernel removed by itself.
import type { Connection } from '../netlink/connection.js';
import { readLinks, readState } from '../kernel/read.js';
import type { Desired, State } from '../model/types.js';
import { plan as makePlan, planRestore, scopeOf, type Scope } from '../plan/plan.js';
import { isEmpty, planChanges, type Change, type Plan } from '../plan/types.js';
import { executePlan, type Refusal } from './execute.js';
import type { ChangeWitness, Mismatch } from './witness.js';

export type ApplyResultKind = 'applied' | 'no-changes' | 'rolled-back' | 'failed';

export interface ApplyOutcome {
  result: ApplyResultKind;
  /** Mutating netlink messages sent, rollback included. */
  messages: number;
  /** Sysctl files written (IP settings the kernel takes no netlink request for), rollback included. */
  sysctlWrites: number;
  refusals: Refusal[];
  /** Outcomes that differ from what the plan intended (verification failures); the run was rolled back. */
  mismatches: Mismatch[];
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
  /**
   * A stop request that comes after the last write (during verification)
   * still rolls the change back (`netrec apply`: the run had not reported
   * success). Otherwise a complete, verified change stays (watch).
   */
  undoWhenStoppedLate?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Verification rounds after the first execution. */
  maxRounds?: number;
  /** How to read the state again (default: a full dump). watch passes its event-fed cache. */
  readActual?: () => Promise<State>;
  /**
   * Subscribed before `before` was read: it matches each announcement of our
   * own requests to its change, and when they account for the whole plan
   * (routes, rules and neighbors), the state needs no read-back.
   */
  witness?: ChangeWitness;
}

function mergeScope(into: Scope, from: Scope): void {
  for (const k of Object.keys(into) as (keyof Scope)[]) for (const id of from[k]) into[k].add(id);
}

function fmt(v: unknown): string {
  return v === undefined ? 'nothing' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * A difference a read-back found in an object this run wrote: what the
 * kernel holds against what was sent, in one line.
 */
function readMismatch(c: Change): Mismatch {
  let detail: string;
  if (c.action === 'create') detail = `${c.type} ${c.id} is missing although its create was acknowledged`;
  else if (c.action === 'delete') detail = `${c.type} ${c.id} is still there although its delete was acknowledged`;
  else {
    const attrs = (c.attrs ?? []).map((a) => `${a.attr} ${fmt(a.new)} was sent, the kernel holds ${fmt(a.old)}`);
    detail = `${c.type} ${c.id}: ${attrs.join('; ') || c.reason || 'the kernel holds it differently from what was sent'}`;
  }
  return { type: c.type, id: c.id, change: c, detail };
}

/**
 * Apply `first` (planned from `before`, the state read just before). Returns
 * what happened; never throws for kernel refusals. Success means the kernel
 * holds what the plan intended, object by object; anything else — a refusal,
 * an interruption, a request that hit another object, an object the kernel
 * holds differently from what was sent, a plan that does not converge — is
 * rolled back.
 */
export async function applyPlan(conn: Connection, desired: Desired, before: State, first: Plan, opts: ApplyOptions = {}): Promise<ApplyOutcome> {
  const startMessages = conn.mutations;
  const startWrites = conn.sysctl.writes;
  const out: ApplyOutcome = { result: 'applied', messages: 0, sysctlWrites: 0, refusals: [], mismatches: [], unconverged: [], rollbackLeft: [], interrupted: false, rounds: 0, verifiedBy: 'read', writeMs: 0 };
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
  const witness = opts.witness;
  const undo = async (): Promise<ApplyOutcome> => {
    const rollingBack = performance.now();
    out.rollbackLeft = await rollback(conn, before, scope(), readActual);
    out.writeMs += performance.now() - rollingBack;
    out.result = out.rollbackLeft.length === 0 ? 'rolled-back' : 'failed';
    out.messages = conn.mutations - startMessages;
    out.sysctlWrites = conn.sysctl.writes - startWrites;
    return out;
  };
  const done = async (): Promise<ApplyOutcome> => {
    if (opts.undoWhenStoppedLate && opts.shouldStop?.()) {
      out.interrupted = true;
      return undo();
    }
    out.messages = conn.mutations - startMessages;
    out.sysctlWrites = conn.sysctl.writes - startWrites;
    return out;
  };
  let current: Plan = first;
  let links: readonly State['links'][number][] = before.links;
  for (let round = 1; round <= maxRounds; round++) {
    out.rounds = round;
    witness?.expect(current, links);
    const writing = performance.now();
    const r = await executePlan(conn, current, {
      stopOnError: true,
      shouldStop: opts.shouldStop,
      onProgress: round === 1 ? opts.onProgress : undefined,
      afterChunk: witness ? () => witness.drain() : undefined,
    });
    out.writeMs += performance.now() - writing;
    if (r.refusals.length > 0 || r.interrupted) {
      out.refusals = r.refusals;
      out.interrupted = r.interrupted;
      return undo();
    }
    // A request that hit another object than the plan meant: wrong whatever a read says.
    const wrong = witness?.wrongOutcomes() ?? [];
    if (wrong.length > 0) {
      out.mismatches = wrong;
      return undo();
    }
    if (witness?.accountsForAll() && (!witness.touchesLinks || (await linksAsDeclared(conn, desired)))) {
      out.verifiedBy = 'notifications';
      return done();
    }
    const now = await readActual();
    const next = makePlan(desired, now).plan;
    if (isEmpty(next)) return done();
    // What still differs in an object this round wrote, with no other writer
    // to blame, is what the kernel made of our request: a failure.
    const wrote = scopeOf(current);
    const ours = witness ? planChanges(next).filter((c) => wrote[c.type].has(c.id) && witness.oursAlone(c.type, c.id)) : [];
    if (ours.length > 0) {
      out.mismatches = ours.map(readMismatch);
      return undo();
    }
    plans.push(next);
    current = next;
    links = now.links;
    out.unconverged = planChanges(next);
  }
  // Still not what the config says after every round: put it all back.
  return undo();
}

/**
 * The links alone, read again and planned against the config's links alone:
 * a link dump is small, and the rest of the state is vouched for by the
 * witness.
 */
async function linksAsDeclared(conn: Connection, desired: Desired): Promise<boolean> {
  const linksOnly = (links: State['links']): State => ({ links, addresses: [], routes: [], rules: [], neighbors: [], nexthops: [] });
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
