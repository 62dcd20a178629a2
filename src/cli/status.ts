// netrec status: where a namespace stands, from its history and saved state
// (no kernel read): the revision in force and when it was applied, the last
// run's result, drift corrections since, a pending confirmation, the last error.
import type { Command } from 'commander';
import { formatFor, render } from '../plan/render/formats.js';
import { statusOf } from '../state/status.js';
import { DEFAULT_STATE_DIR } from '../state/store.js';
import { netnsPath, outputOption, runCommand, stdOutput } from './common.js';
import { openStore } from '../state/access.js';

export function register(program: Command): void {
  program
    .command('status')
    .summary('what a namespace runs: revision, when applied, result, drift fixed, pending confirmation, last error')
    .description(
      "Report a namespace's state as netrec's own records tell it, without reading the kernel: the " +
        'revision of the config in force (git commit or sha256 content hash) and when it was applied, the ' +
        'last run and its result, the drift corrections watch made since, an apply waiting for confirmation, ' +
        'and the last error.',
    )
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--state-dir <dir>', 'where history and pending confirmations are kept', DEFAULT_STATE_DIR)
    .addOption(outputOption('status', 'text'))
    .addHelpText('after', '\nExamples:\n  netrec status\n  netrec status --netns edge1 -o json')
    .action((opts: { netns?: string; stateDir: string; output: string }) =>
      runCommand(async () => {
        const format = formatFor('status', opts.output);
        if (opts.netns?.includes('/')) netnsPath(opts.netns);
        const store = openStore(opts.stateDir, opts.netns);
        const s = statusOf(store.readHistory(), store.readPending());
        for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
        render(format, 'status', s, stdOutput());
        return 0;
      }),
    );
}
