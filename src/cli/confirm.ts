// netrec confirm: keep the change a `apply --confirm-timeout` is waiting on.
import type { Command } from 'commander';
import { confirmPending } from '../apply/pending.js';
import { DEFAULT_STATE_DIR } from '../state/store.js';
import { runCommand, stdOutput } from './common.js';

export function register(program: Command): void {
  program
    .command('confirm')
    .summary('keep the change a confirm-timeout apply is waiting on')
    .description('Tell a waiting `netrec apply --confirm-timeout` (in another shell) to keep its change.\nWithout a pending change it says so and exits 1.')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--state-dir <dir>', 'where pending confirmations are kept', DEFAULT_STATE_DIR)
    .action((opts: { netns?: string; stateDir: string }) =>
      runCommand(async () => confirmPending(opts.stateDir, opts.netns, stdOutput())),
    );
}
