// Execute a plan stage by stage: every request of a stage pipelined in
// batches, every ACK checked, and the run stopped at the first refusal.
// Undoing what succeeded is rollback.ts's job; this module only reports.
import type { Connection } from '../netlink/connection.js';
import type { KernelError } from '../netlink/errors.js';
import type { NameIndex } from '../netlink/rtnl/layout.js';
import { dumpLinks } from '../kernel/read.js';
import { changesLinks, opsFor, type Op } from '../kernel/write.js';
import type { Change, Plan } from '../plan/types.js';

export interface ExecuteOptions {
  /** Stop after a refusal (apply) or keep going (best-effort rollback). */
  stopOnError: boolean;
  /** Checked between batches: a true value stops the run (SIGINT/SIGTERM). */
  shouldStop?: () => boolean;
  onProgress?: (done: number, total: number) => void;
  /** Called after every batch chunk (a change witness drains its socket there). */
  afterChunk?: () => void;
}

export interface Refusal {
  change: Change;
  /** The kernel's refusal, or why the request could not be built. */
  error: KernelError | Error;
}

export interface ExecuteResult {
  refusals: Refusal[];
  interrupted: boolean;
}

/** Current name -> ifindex map, from a link dump. */
export async function readNameIndex(conn: Connection): Promise<NameIndex> {
  const links = await dumpLinks(conn);
  const byName = new Map<string, number>();
  for (const l of links) byName.set(l.name, l.ifindex);
  return {
    ifindex(name: string): number {
      const i = byName.get(name);
      if (i === undefined) throw new Error(`no interface named ${name}`);
      return i;
    },
  };
}

export async function executePlan(conn: Connection, plan: Plan, opts: ExecuteOptions): Promise<ExecuteResult> {
  const total = plan.stages.reduce((n, s) => n + s.length, 0);
  const result: ExecuteResult = { refusals: [], interrupted: false };
  let done = 0;
  let idx: NameIndex | undefined;
  for (const stage of plan.stages) {
    if (stage.length === 0) continue;
    if (opts.shouldStop?.()) {
      result.interrupted = true;
      break;
    }
    const main: Op[] = [];
    const post: Op[] = [];
    for (const c of stage) {
      const o = opsFor(c);
      main.push(...o.main);
      post.push(...o.post);
    }
    idx ??= await readNameIndex(conn);
    const stageIdx: NameIndex = idx;
    const independent = main.length === stage.length && stage.every((c) => c.type === 'route' || c.type === 'neighbor');
    let failed = await runOps(conn, main, stageIdx, opts, result, (n) => opts.onProgress?.(done + n, total), independent);
    if (stage.some(changesLinks)) idx = await readNameIndex(conn);
    if (!failed && post.length > 0) {
      const postIdx: NameIndex = idx;
      failed = await runOps(conn, post, postIdx, opts, result);
    }
    done += stage.length;
    opts.onProgress?.(done, total);
    if (failed && opts.stopOnError) break;
    if (result.interrupted) break;
  }
  return result;
}

/**
 * Send ops in batches; returns true when the kernel refused any. `parallel`:
 * one op per change of distinct routes or neighbors, which the kernel may
 * take in any order.
 */
async function runOps(
  conn: Connection,
  ops: Op[],
  idx: NameIndex,
  opts: ExecuteOptions,
  result: ExecuteResult,
  progress?: (n: number) => void,
  parallel = false,
): Promise<boolean> {
  if (ops.length === 0) return false;
  const results = await conn.batch(
    ops.length,
    (w, i, seq) => {
      // A name that no longer resolves (a link removed under us) refuses
      // its change; nothing half-written is sent.
      const start = w.off;
      try {
        ops[i]!.write(w, seq, idx);
      } catch (e) {
        w.off = start;
        return e as Error;
      }
    },
    { stopOnError: opts.stopOnError, onProgress: progress, parallel, afterChunk: opts.afterChunk },
  );
  let failed = false;
  for (let i = 0; i < ops.length; i++) {
    const r = results[i]!;
    if (!r.ok && r.error) {
      failed = true;
      result.refusals.push({ change: ops[i]!.change, error: r.error });
    }
  }
  if (opts.shouldStop?.()) result.interrupted = true;
  return failed;
}
