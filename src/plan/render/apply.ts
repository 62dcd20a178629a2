// `netrec apply` output: the plan before the change (text: abbreviated when
// long), and the run's result at the end (text: a summary line; JSON: the
// plan with the result, timings and errors). Failures are reported on stderr
// by the run itself, whatever the format.
import type { ApplyOutcome } from '../../apply/apply.js';
import type { Desired } from '../../model/types.js';
import { changeCount, planChanges, type Plan } from '../types.js';
import { writePlanJson } from './json.js';
import { renderText } from './text.js';

type Write = (s: string) => void;

/** The plan an apply is about to make, before anything is written. */
export interface ApplyPreview {
  plan: Plan;
  desired: Pick<Desired, 'tables' | 'policy'>;
}

/**
 * Where the time of a run went, ms: process start-up until the command
 * ran, loading the config, reading the kernel (lock and recovery
 * included), planning, then executing the changes (rollback included) and
 * verifying them. Confirmation waits are not in it.
 */
export interface Phases {
  start: number;
  load: number;
  read: number;
  plan: number;
  write?: number;
  verify?: number;
}

/** How an apply ended. */
export interface ApplyReport {
  plan: Plan;
  result: 'applied' | 'no-changes' | 'dry-run' | 'rolled-back' | 'failed';
  /** Mutating netlink messages sent, rollback included. */
  messages: number;
  /** Since the command started, ms. */
  durationMs: number;
  phases: Phases;
  /** What executing the plan did (none when nothing was executed). */
  outcome?: ApplyOutcome;
}

/** Plans longer than this are abbreviated in apply's output (`netrec plan` prints them whole). */
export const MAX_PLAN_LINES = 200;

export function previewText(r: ApplyPreview, write: Write, color: boolean): void {
  const opts = { color, tables: r.desired.tables, protocol: r.desired.policy.protocol };
  const total = changeCount(r.plan);
  if (total <= MAX_PLAN_LINES) {
    write(renderText(r.plan, opts));
    return;
  }
  // Render only the head, then the real summary: a 100,000-line plan is for `netrec plan`.
  const head: Plan = { stages: [planChanges(r.plan, MAX_PLAN_LINES)], summary: r.plan.summary };
  const text = renderText(head, opts);
  const lines = text.trimEnd().split('\n');
  const summaryAt = lines.findIndex((l) => l.includes('Plan:'));
  const body = summaryAt >= 0 ? lines.slice(0, summaryAt) : lines;
  write(`${body.join('\n')}\n  ... and ${total - MAX_PLAN_LINES} more changes (\`netrec plan\` lists them all)\n${lines.slice(summaryAt).join('\n')}\n`);
}

/** The summary line of a run that changed the kernel, or says it did not (a dry run); failures are on stderr. */
export function resultText(r: ApplyReport, write: Write): void {
  if (r.result === 'dry-run') {
    write('Dry run: nothing was changed.\n');
    return;
  }
  if (r.result !== 'applied' || !r.outcome) return;
  const s = r.plan.summary;
  const secs = (r.durationMs / 1000).toFixed(2);
  const rounds = r.outcome.rounds > 1 ? `, ${r.outcome.rounds} rounds to converge` : '';
  write(`Applied: ${s.create} created, ${s.update} updated, ${s.replace} replaced, ${s.delete} deleted in ${secs}s (${r.messages} netlink messages${rounds}).\n`);
}

export function resultJson(r: ApplyReport, write: Write): void {
  const tail: Record<string, unknown> = { messages: r.messages, sysctlWrites: r.outcome?.sysctlWrites ?? 0, durationMs: Math.round(r.durationMs), result: r.result };
  tail.phasesMs = Object.fromEntries(Object.entries(r.phases).map(([k, v]) => [k, Math.round(v as number)]));
  const o = r.outcome;
  if (o && (o.refusals.length > 0 || o.mismatches.length > 0)) {
    tail.errors = [
      ...o.refusals.map((x) => ({
        action: x.change.action,
        type: x.change.type,
        id: x.change.id,
        source: x.change.source ? `${x.change.source.file}:${x.change.source.line}` : null,
        message: x.error.message,
      })),
      ...o.mismatches.map((m) => ({
        action: m.change?.action ?? null,
        type: m.type,
        id: m.id,
        source: m.change?.source ? `${m.change.source.file}:${m.change.source.line}` : null,
        message: `verification failed: ${m.detail}`,
      })),
    ];
  }
  writePlanJson(write, r.plan, tail);
}
