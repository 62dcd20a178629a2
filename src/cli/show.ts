// netrec show: the namespace's state in the config format.
import type { Command } from 'commander';
import { readState } from '../kernel/read.js';
import { hideDefaultSettings } from '../config/serialize.js';
import { formatChoices, formatFor, render } from '../plan/render/formats.js';
import { notePending } from '../apply/pending.js';
import { DEFAULT_STATE_DIR } from '../state/store.js';
import { hostOf, hostOption, openConnection, outputOption, runCommand, stdOutput, UserError } from './common.js';
import { loadDesired } from '../plan/prepare.js';

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
    .addOption(outputOption('state', 'yaml'))
    .option('--all', 'include what the kernel makes by itself')
    .option('--state-dir <dir>', 'where pending confirmations are kept (to mention one)', DEFAULT_STATE_DIR)
    .argument('[config...]', 'with --sources: the config (a fleet directory, or files) whose objects to list')
    .option('--sources', `instead of the kernel state: each object CONFIG declares for this host, with the layer and FILE:LINE:COL it comes from and what it replaces (-o ${formatChoices('sources')})`)
    .addOption(hostOption())
    .addHelpText('after', '\nExamples:\n  netrec show\n  netrec show --netns edge1 -o json > snapshot.json\n  netrec plan site.yaml --from-state snapshot.json\n  netrec show --sources fleet/ --host edge-1')
    .action((configs: string[], opts: { netns?: string; output: string; all?: boolean; stateDir: string; sources?: boolean; host?: string }, cmd: Command) =>
      runCommand(async () => {
        if (opts.sources) return showSources(configs, hostOf(opts), cmd.getOptionValueSource('output') === 'default' ? 'text' : opts.output);
        if (configs.length > 0) throw new UserError('show reads the kernel and takes no CONFIG; to list where a config\'s objects come from, add --sources');
        const format = formatFor('state', opts.output);
        const conn = openConnection(opts.netns);
        try {
          const read = await readState(conn);
          // Without --all, an interface's IP settings only where they differ from what a new interface gets.
          const state = opts.all ? read : hideDefaultSettings(read, conn.sysctl.readInterfaceDefaults());
          const out = stdOutput();
          render(format, 'state', { state, all: Boolean(opts.all) }, out);
          notePending(opts.stateDir, opts.netns, out);
        } finally {
          conn.close();
        }
      }),
    );
}

/** `show --sources`: the effective objects of a config, each with its layer and place, and what it replaced. */
function showSources(configs: string[], host: string, output: string): number {
  const format = formatFor('sources', output, ' for --sources');
  if (configs.length === 0) throw new UserError('--sources needs the CONFIG whose objects to list, e.g. netrec show --sources fleet/ --host edge-1');
  render(format, 'sources', loadDesired(configs, { host }), stdOutput());
  return 0;
}
