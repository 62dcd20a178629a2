// netrec show: the namespace's state in the config format.
import type { Command } from 'commander';
import { toDocument, writeJson, writeYaml } from '../config/index.js';
import { readState } from '../kernel/read.js';
import { DEFAULT_STATE_DIR, waiterAlive } from '../state/store.js';
import { openConnection, runCommand, UserError } from './common.js';
import { openStore } from './state.js';

export function register(program: Command): void {
  program
    .command('show')
    .summary('print the network state in the config format')
    .description(
      'Read the kernel state of a network namespace and print it in the config format, ready to ' +
        'be edited into a config, used with `plan --from-state`, or checked in as a snapshot. ' +
        'Without --all, what the kernel makes by itself is left out (kernel routes, the local table, ' +
        'IPv6 link-local addresses, learned neighbors, the default rules).',
    )
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--all', 'include what the kernel makes by itself')
    .option('--state-dir <dir>', 'where pending confirmations are kept (to mention one)', DEFAULT_STATE_DIR)
    .addHelpText('after', '\nExamples:\n  netrec show\n  netrec show --netns edge1 -o json > snapshot.json\n  netrec plan site.yaml --from-state snapshot.json')
    .action((opts: { netns?: string; output: string; all?: boolean; stateDir: string }) =>
      runCommand(async () => {
        if (opts.output !== 'yaml' && opts.output !== 'json') throw new UserError(`unknown output format "${opts.output}" (yaml or json)`);
        const conn = openConnection(opts.netns);
        try {
          const state = await readState(conn);
          const doc = toDocument(state, { all: Boolean(opts.all) });
          (opts.output === 'json' ? writeJson : writeYaml)((s) => process.stdout.write(s), doc);
          notePending(opts.stateDir, opts.netns);
        } finally {
          conn.close();
        }
      }),
    );
}

/** Best effort: mention an unconfirmed change, and whether the apply holding it still waits. */
function notePending(stateDir: string, netns: string | undefined): void {
  let store;
  try {
    store = openStore(stateDir, netns);
  } catch (e) {
    // Not ours to fix here (or not root): show says so only when the directory is untrusted.
    if (e instanceof UserError) process.stderr.write(`netrec: note: ${e.message}\n`);
    return;
  }
  const pending = store.readPending();
  for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
  if (!pending) return;
  const confirm = `netrec confirm${netns ? ` --netns ${netns}` : ''}`;
  if (waiterAlive(pending)) {
    const left = Math.max(0, Math.round((pending.deadline - Date.now()) / 1000));
    process.stderr.write(`netrec: note: an apply (pid ${pending.pid}) is waiting for \`${confirm}\`; it rolls back in ${left}s\n`);
    return;
  }
  process.stderr.write(
    `netrec: note: the apply that was waiting for confirmation (pid ${pending.pid}, started ${pending.created}) is gone, so its change was not rolled back; ` +
      `the next apply or watch in this namespace undoes it (what others changed since stays), or \`${confirm}\` keeps it\n`,
  );
}
