// Execute a plan stage by stage: every request of a stage pipelined in
// batches, every ACK checked, and the run stopped at the first refusal.
// Undoing what succeeded is rollback.ts's job; this module only reports.
import type { Connection } from '../netlink/connection.js';
import type { KernelError } from '../netlink/errors.js';
import type { NameIndex } from '../netlink/rtnl/layout.js';
import { dumpLinks, readNexthops, readTentativeAddresses } from '../kernel/read.js';
import { nexthopDifference } from '../plan/compare.js';
import { changesLinks, isSingle, opsFor, writeSingle, type Op, type SysctlOp } from '../kernel/write.js';
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
  const links = await dumpLinks(conn, false);
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
  /** IPv6 addresses this run wrote, which may still be in duplicate address detection. */
  const written = new Set<string>();
  for (const planned of plan.stages) {
    if (planned.length === 0) continue;
    if (opts.shouldStop?.()) {
      result.interrupted = true;
      break;
    }
    let stage = planned;
    if (stage.some(deletesNexthop)) {
      const moved = await nexthopsMoved(conn, stage, result);
      if (moved.size > 0) {
        if (opts.stopOnError) break;
        // Best effort (a rollback): everything else of the stage still goes.
        stage = stage.filter((c) => !moved.has(c));
        if (stage.length === 0) {
          done += planned.length;
          continue;
        }
      }
    }
    if (written.size > 0) await awaitSources(conn, stage, written, opts);
    idx ??= await readNameIndex(conn);
    const stageIdx: NameIndex = idx;
    const progress = (n: number): void => opts.onProgress?.(done + n, total);
    let failed: boolean;
    const post: Op[] = [];
    const sysctl: SysctlOp[] = [];
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
        sysctl.push(...o.sysctl);
      }
      failed = await runOps(conn, main, stageIdx, opts, result, progress);
    }
    if (stage.some(changesLinks)) idx = await readNameIndex(conn);
    if (!failed && post.length > 0) failed = await runOps(conn, post, idx, opts, result);
    if ((!failed || !opts.stopOnError) && sysctl.length > 0) failed = writeSysctls(conn, sysctl, opts, result) || failed;
    for (const c of stage) {
      if (c.type === 'address' && c.action !== 'delete' && c.after!.family === 'ipv6') written.add(bareAddress(c.after!.address));
    }
    done += planned.length;
    opts.onProgress?.(done, total);
    if (failed && opts.stopOnError) break;
    if (result.interrupted) break;
  }
  return result;
}

function deletesNexthop(c: Change): boolean {
  return c.type === 'nexthop' && (c.action === 'delete' || c.action === 'replace');
}

/**
 * RTM_DELNEXTHOP names the id alone: the kernel takes no marker and no other
 * attribute on a delete. So before the deletes of a stage the nexthops are
 * read again, and one that is no longer exactly what the plan read (another
 * owner's now, or changed) is not deleted: its change is refused, and with
 * it the run. Returns those changes.
 */
async function nexthopsMoved(conn: Connection, stage: readonly Change[], result: ExecuteResult): Promise<Set<Change>> {
  const byIndex = new Map<number, string>();
  for (const l of await dumpLinks(conn, false)) byIndex.set(l.ifindex, l.name);
  const now = new Map((await readNexthops(conn, { name: (i) => byIndex.get(i) })).map((n) => [n.id, n]));
  const moved = new Set<Change>();
  for (const c of stage) {
    if (c.type !== 'nexthop' || !deletesNexthop(c)) continue;
    const before = c.before!;
    const n = now.get(before.id);
    // Gone already: the kernel's delete answers ENOENT, as for any object.
    if (n === undefined) continue;
    const diff = nexthopDifference(before, n, { exact: true, protocol: before.protocol });
    if (diff === undefined) continue;
    moved.add(c);
    const what = diff.attrs.map((a) => `${a.attr} is ${JSON.stringify(a.old ?? null)}, the plan read ${JSON.stringify(a.new ?? null)}`).join('; ');
    result.refusals.push({ change: c, error: new Error(`nexthop ${before.id} changed since the plan read it (${what}), so it is not deleted: it may be another owner's now`) });
  }
  return moved;
}

/**
 * The stage's sysctl writes, in order (after its netlink requests: a link
 * made in the stage exists by then). A refused write is a refusal of its
 * change, with the kernel's errno.
 */
function writeSysctls(conn: Connection, ops: readonly SysctlOp[], opts: ExecuteOptions, result: ExecuteResult): boolean {
  let failed = false;
  for (const o of ops) {
    try {
      conn.sysctl.write(o.path, o.text);
    } catch (e) {
      failed = true;
      result.refusals.push({ change: o.change, error: e as Error });
      if (opts.stopOnError) break;
    }
  }
  return failed;
}

/** The longest wait for an address to finish duplicate address detection (the kernel's default takes about a second). */
const DAD_WAIT_MS = 10_000;
const DAD_POLL_MS = 50;

function bareAddress(prefix: string): string {
  const slash = prefix.indexOf('/');
  return slash < 0 ? prefix : prefix.slice(0, slash);
}

/**
 * The kernel refuses an IPv6 route whose `src` is still tentative (in
 * duplicate address detection). Before a stage with such routes, wait
 * (bounded) until the addresses this run wrote that they use are usable;
 * after the bound the request goes anyway and the kernel's refusal says why.
 */
async function awaitSources(conn: Connection, stage: readonly Change[], written: ReadonlySet<string>, opts: ExecuteOptions): Promise<void> {
  const needed = new Set<string>();
  for (const c of stage) {
    if (c.type === 'route' && c.action !== 'delete' && c.after!.family === 'ipv6' && c.after!.src !== undefined && written.has(c.after!.src)) needed.add(c.after!.src);
  }
  if (needed.size === 0) return;
  const deadline = Date.now() + DAD_WAIT_MS;
  while (Date.now() < deadline && !opts.shouldStop?.()) {
    const tentative = await readTentativeAddresses(conn);
    if (![...needed].some((a) => tentative.has(a))) return;
    await new Promise((resolve) => setTimeout(resolve, DAD_POLL_MS));
  }
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
