// netrec confirm: keep the change a `apply --confirm-timeout` is waiting on.
import type { Command } from 'commander';
import { DEFAULT_STATE_DIR, waiterAlive } from '../state/store.js';
import { netnsPath, runCommand, UserError } from './common.js';
import { assertReadable, openStore } from '../state/access.js';

export function register(program: Command): void {
  program
    .command('confirm')
    .summary('keep the change a confirm-timeout apply is waiting on')
    .description('Tell a waiting `netrec apply --confirm-timeout` (in another shell) to keep its change.\nWithout a pending change it says so and exits 1.')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--state-dir <dir>', 'where pending confirmations are kept', DEFAULT_STATE_DIR)
    .action((opts: { netns?: string; stateDir: string }) =>
      runCommand(async () => {
        netnsPath(opts.netns);
        const store = openStore(opts.stateDir, opts.netns, { reading: 'the pending confirmation', command: 'netrec confirm' });
        assertReadable(store, 'pending.json', 'the pending confirmation', 'netrec confirm');
        const p = store.readPending();
        for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
        if (!p) throw new UserError('nothing to confirm: no apply is waiting for a confirmation in this namespace', 'an apply waits only with --confirm-timeout; check --netns and --state-dir');
        if (store.isConfirmed()) {
          process.stdout.write('Already confirmed.\n');
          return 0;
        }
        store.confirm();
        if (!waiterAlive(p)) {
          // The waiting apply was killed (or the host rebooted): nobody will roll back on time;
          // the next netrec run here would undo the change. Confirming keeps it instead.
          process.stdout.write(
            `The apply that was waiting (pid ${p.pid}, started ${p.created}) is gone; it did not get to roll back. ` +
              `Confirmed: its change stays, and the next netrec run in this namespace drops the saved state instead of undoing the change.\n`,
          );
          return 0;
        }
        const left = Math.max(0, Math.round((p.deadline - Date.now()) / 1000));
        process.stdout.write(`Confirmed the change of pid ${p.pid} (${left}s were left).\n`);
        return 0;
      }),
    );
}
