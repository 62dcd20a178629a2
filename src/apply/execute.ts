// Execute a plan stage by stage: every request of a stage pipelined in
// batches, every ACK checked, and the run stopped at the first refusal.
// Undoing what succeeded is rollback.ts's job; this module only reports.
import type { Connection } from '../netlink/connection.js';
import type { KernelError } from '../netlink/errors.js';
import type { NameIndex } from '../netlink/rtnl/layout.js';
import { dumpLinks } from '../kernel/read.js';
import { changesLinks, isSingle, opsFor, writeSingle, type Op } from '../kernel/write.js';
import type { Writer } from '../netlink/message.js';
import { changeCount, type Change, type Plan } from '../plan/types.js';

export interface ExecuteOptions {
  /** Stop after a refusal (apply) or keep going (best-effort rollback). */
  stopOnError: boolean;
  /** Checked between chunks of a batch: a true value stops the run (SIGINT/SIGTERM). */
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
  const total = changeCount(plan);
  const result: ExecuteResult = { refusals: [], interrupted: false };
  let done = 0;
  let idx: NameIndex | undefined;
  for (const stage of plan.stages) {
    if (stage.length === 0) continue;
    if (opts.shouldStop?.()) {
      result.interrupted = true;
      break;
    }
    idx ??= await readNameIndex(conn);
    const stageIdx: NameIndex = idx;
    const progress = (n: number): void => opts.onProgress?.(done + n, total);
    let failed: boolean;
    const post: Op[] = [];
    if (stage.every(isSingle)) {
      // The large stages (routes by the thousand): written straight from the plan, no Op per change.
      const parallel = stage.every((c) => c.type === 'route' || c.type === 'neighbor');
      failed = await runBatch(conn, stage.length, (i) => stage[i]!, (w, i, seq) => writeSingle(w, stage[i]!, seq, stageIdx), opts, result, progress, parallel);
    } else {
      const main: Op[] = [];
      for (const c of stage) {
        const o = opsFor(c);
        main.push(...o.main);
        post.push(...o.post);
      }
      failed = await runOps(conn, main, stageIdx, opts, result, progress);
    }
    if (stage.some(changesLinks)) idx = await readNameIndex(conn);
    if (!failed && post.length > 0) failed = await runOps(conn, post, idx, opts, result);
    done += stage.length;
    opts.onProgress?.(done, total);
    if (failed && opts.stopOnError) break;
    if (result.interrupted) break;
  }
  return result;
}

function runOps(conn: Connection, ops: Op[], idx: NameIndex, opts: ExecuteOptions, result: ExecuteResult, progress?: (n: number) => void): Promise<boolean> {
  return runBatch(conn, ops.length, (i) => ops[i]!.change, (w, i, seq) => ops[i]!.write(w, seq, idx), opts, result, progress, false);
}

/**
 * Send `count` requests in batches; returns true when the kernel refused
 * any. `parallel`: requests for distinct routes or neighbors, which the
 * kernel may take in any order.
 */
async function runBatch(
  conn: Connection,
  count: number,
  changeAt: (i: number) => Change,
  write: (w: Writer, i: number, seq: number) => void,
  opts: ExecuteOptions,
  result: ExecuteResult,
  progress: ((n: number) => void) | undefined,
  parallel: boolean,
): Promise<boolean> {
  if (count === 0) return false;
  const results = await conn.batch(
    count,
    (w, i, seq) => {
      // A name that no longer resolves (a link removed under us) refuses
      // its change; nothing half-written is sent.
      const start = w.off;
      try {
        write(w, i, seq);
      } catch (e) {
        w.off = start;
        return e as Error;
      }
    },
    { stopOnError: opts.stopOnError, onProgress: progress, parallel, afterChunk: opts.afterChunk, shouldStop: opts.shouldStop },
  );
  let failed = false;
  for (let i = 0; i < count; i++) {
    const r = results[i]!;
    if (!r.ok && r.error) {
      failed = true;
      result.refusals.push({ change: changeAt(i), error: r.error });
    }
  }
  if (opts.shouldStop?.()) result.interrupted = true;
  return failed;
}
