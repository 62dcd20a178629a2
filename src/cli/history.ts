// netrec history: what applies did to a namespace, newest last.
import type { Command } from 'commander';
import { formatFor, render } from '../plan/render/formats.js';
import { DEFAULT_STATE_DIR } from '../state/store.js';
import { netnsPath, outputOption, runCommand, stdOutput } from './common.js';
import { assertReadable, openStore } from '../state/access.js';

export function register(program: Command): void {
  program
    .command('history')
    .summary('list the applies made to a namespace')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--state-dir <dir>', 'where the history is kept', DEFAULT_STATE_DIR)
    .addOption(outputOption('history', 'text'))
    .action((opts: { netns?: string; stateDir: string; output: string }) =>
      runCommand(async () => {
        const format = formatFor('history', opts.output);
        if (opts.netns?.includes('/')) netnsPath(opts.netns);
        const store = openStore(opts.stateDir, opts.netns, { reading: 'the history', command: 'netrec history' });
        assertReadable(store, 'history.jsonl', 'the history', 'netrec history');
        const entries = store.readHistory();
        for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
        render(format, 'history', entries, stdOutput());
        return 0;
      }),
    );
}
