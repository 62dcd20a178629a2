// netrec history: what applies did to a namespace, newest last.
import type { Command } from 'commander';
import { DEFAULT_STATE_DIR } from '../state/store.js';
import { netnsPath, runCommand } from './common.js';
import { assertReadable, openStore } from './state.js';

export function register(program: Command): void {
  program
    .command('history')
    .summary('list the applies made to a namespace')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--state-dir <dir>', 'where the history is kept', DEFAULT_STATE_DIR)
    .option('-o, --output <format>', 'text or json', 'text')
    .action((opts: { netns?: string; stateDir: string; output: string }) =>
      runCommand(async () => {
        if (opts.netns?.includes('/')) netnsPath(opts.netns);
        const store = openStore(opts.stateDir, opts.netns, { reading: 'the history', command: 'netrec history' });
        assertReadable(store, 'history.jsonl', 'the history', 'netrec history');
        const entries = store.readHistory();
        for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
        if (opts.output === 'json') {
          process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
          return 0;
        }
        if (entries.length === 0) process.stdout.write('No applies recorded.\n');
        for (const e of entries) {
          const s = e.summary;
          process.stdout.write(
            `${e.time}  ${e.result.padEnd(11)} +${s.create} ~${s.update} -/+${s.replace} -${s.delete}  ${e.messages} msgs  ${e.durationMs} ms  ` +
              `${e.revision ? `rev ${e.revision.startsWith('sha256:') ? e.revision.slice(0, 19) : e.revision.slice(0, 12)}` : `config ${e.configHash.slice(0, 12)}`}` +
              `${e.host ? `  host ${e.host}` : ''}${e.trigger ? `  ${e.trigger}` : ''}${e.confirm ? `  ${e.confirm}` : ''}${e.error ? `  error: ${e.error}` : ''}\n`,
          );
        }
        return 0;
      }),
    );
}
