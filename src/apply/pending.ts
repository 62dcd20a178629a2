// The other side of a confirm-timeout apply: `netrec confirm` keeps the
// change a waiting apply holds, and `netrec show` mentions one that waits
// (or whose apply is gone).
import { UserError } from '../cli/errors.js';
import { netnsPath } from '../kernel/namespace.js';
import type { Output } from '../plan/render/formats.js';
import { assertReadable, openStore } from '../state/access.js';
import { waiterAlive } from '../state/store.js';

/** `netrec confirm`: mark the pending change confirmed; returns the exit status. Nothing pending is a UserError. */
export function confirmPending(stateDir: string | undefined, netns: string | undefined, out: Output, now = Date.now()): number {
  netnsPath(netns);
  const store = openStore(stateDir, netns, { reading: 'the pending confirmation', command: 'netrec confirm' });
  assertReadable(store, 'pending.json', 'the pending confirmation', 'netrec confirm');
  const p = store.readPending();
  for (const w of store.warnings) out.warn(`netrec: warning: ${w}\n`);
  if (!p) throw new UserError('nothing to confirm: no apply is waiting for a confirmation in this namespace', 'an apply waits only with --confirm-timeout; check --netns and --state-dir');
  if (store.isConfirmed()) {
    out.write('Already confirmed.\n');
    return 0;
  }
  store.confirm();
  if (!waiterAlive(p)) {
    // The waiting apply was killed (or the host rebooted): nobody will roll back on time;
    // the next netrec run here would undo the change. Confirming keeps it instead.
    out.write(
      `The apply that was waiting (pid ${p.pid}, started ${p.created}) is gone; it did not get to roll back. ` +
        `Confirmed: its change stays, and the next netrec run in this namespace drops the saved state instead of undoing the change.\n`,
    );
    return 0;
  }
  const left = Math.max(0, Math.round((p.deadline - now) / 1000));
  out.write(`Confirmed the change of pid ${p.pid} (${left}s were left).\n`);
  return 0;
}

/** Best effort, on stderr: mention an unconfirmed change, and whether the apply holding it still waits. */
export function notePending(stateDir: string | undefined, netns: string | undefined, out: Output, now = Date.now()): void {
  let store;
  try {
    store = openStore(stateDir, netns);
  } catch (e) {
    // Not ours to fix here (or not root): show says so only when the directory is untrusted.
    if (e instanceof UserError) out.warn(`netrec: note: ${e.message}\n`);
    return;
  }
  const pending = store.readPending();
  for (const w of store.warnings) out.warn(`netrec: warning: ${w}\n`);
  if (!pending) return;
  const confirm = `netrec confirm${netns ? ` --netns ${netns}` : ''}`;
  if (waiterAlive(pending)) {
    const left = Math.max(0, Math.round((pending.deadline - now) / 1000));
    out.warn(`netrec: note: an apply (pid ${pending.pid}) is waiting for \`${confirm}\`; it rolls back in ${left}s\n`);
    return;
  }
  out.warn(
    `netrec: note: the apply that was waiting for confirmation (pid ${pending.pid}, started ${pending.created}) is gone, so its change was not rolled back; ` +
      `the next apply or watch in this namespace undoes it (what others changed since stays), or \`${confirm}\` keeps it\n`,
  );
}
