// What netrec's own records say, for people: `netrec status` and `netrec history`.
import type { HistoryEntry } from '../../state/history.js';
import type { Status } from '../../state/status.js';

export function renderStatus(s: Status): string {
  const lines: string[] = [];
  if (s.revision === null && s.lastRun === null) lines.push('No runs recorded (apply and watch record theirs).');
  else {
    lines.push(`Revision:     ${s.revision ?? '(none succeeded)'}${s.host ? `  (host ${s.host})` : ''}`);
    if (s.appliedAt) lines.push(`Applied:      ${s.appliedAt}`);
    if (s.lastRun) lines.push(`Last run:     ${s.lastRun.time}  ${s.lastRun.result}${s.lastRun.trigger ? `  (${s.lastRun.trigger})` : ''}`);
    lines.push(`Drift fixed:  ${s.driftCorrections.changes} changes in ${s.driftCorrections.runs} runs since${s.driftCorrections.last ? `, last ${s.driftCorrections.last}` : ''}`);
  }
  if (s.pending) {
    lines.push(
      s.pending.waiting
        ? `Pending:      an apply (pid ${s.pending.pid}) waits for \`netrec confirm\` until ${s.pending.deadline}`
        : `Pending:      the apply that waited for confirmation (pid ${s.pending.pid}, ${s.pending.created}) is gone; the next apply or watch undoes its change`,
    );
  } else lines.push('Pending:      nothing awaits confirmation');
  lines.push(`Last error:   ${s.lastError ? `${s.lastError.time}  ${s.lastError.message}` : 'none'}`);
  return lines.join('\n') + '\n';
}

/** `netrec history`: one line per run, oldest first. */
export function renderHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No applies recorded.\n';
  let out = '';
  for (const e of entries) {
    const s = e.summary;
    out +=
      `${e.time}  ${e.result.padEnd(11)} +${s.create} ~${s.update} -/+${s.replace} -${s.delete}  ${e.messages} msgs  ${e.durationMs} ms  ` +
      `${e.revision ? `rev ${e.revision.startsWith('sha256:') ? e.revision.slice(0, 19) : e.revision.slice(0, 12)}` : `config ${e.configHash.slice(0, 12)}`}` +
      `${e.host ? `  host ${e.host}` : ''}${e.trigger ? `  ${e.trigger}` : ''}${e.confirm ? `  ${e.confirm}` : ''}${e.error ? `  error: ${e.error}` : ''}\n`;
  }
  return out;
}
