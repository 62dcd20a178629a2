// netrec apply: make the kernel match the config, all or nothing (the run itself: src/apply/run.ts).
import type { Command } from 'commander';
import { parseProbe } from '../apply/probes.js';
import { runApply } from '../apply/run.js';
import { formatFor } from '../plan/render/formats.js';
import { DEFAULT_STATE_DIR } from '../state/store.js';
import { hostOf, hostOption, outputOption, parseDuration, runCommand, stdOutput, UserError } from './common.js';

interface ApplyOpts {
  netns?: string;
  host?: string;
  dryRun?: boolean;
  output: string;
  confirmTimeout?: string;
  probe: string[];
  stateDir?: string;
  insecureConfig?: boolean;
}

export function register(program: Command): void {
  program
    .command('apply')
    .summary('make the kernel match the config: minimal, ordered, all or nothing')
    .description(
      'Plan as `netrec plan` does, then apply the changes in batches, checking every kernel ' +
        'acknowledgement, and verify the result against what the plan intended. If the kernel refuses ' +
        'any change, holds something other than what was sent, or the run gets SIGHUP, SIGINT (Ctrl-C) ' +
        'or SIGTERM, every change of the run is put back as it was and the exit status is 1. ' +
        'Only one netrec at a time changes a namespace; a second one exits 1 naming the holder.',
    )
    .argument('<config...>', 'config files or directories, or one plan saved by `netrec plan --out FILE`')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--dry-run', 'print the plan and change nothing')
    .addOption(outputOption('apply', 'text'))
    .option('--confirm-timeout <duration>', 'keep the change only if `netrec confirm` (or y on this terminal) comes within DURATION; otherwise, or on SIGHUP/SIGINT/SIGTERM, put the previous state back')
    .option('--probe <probe>', 'with --confirm-timeout: ping:ADDRESS or tcp:HOST:PORT that must pass after the change (repeatable; only probes that passed before count)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--state-dir <dir>', 'where pending confirmations and history are kept', DEFAULT_STATE_DIR)
    .option('--insecure-config', 'accept config files that users other than root could have written')
    .addOption(hostOption())
    .addHelpText(
      'after',
      '\nExamples:\n  netrec apply site.yaml\n  netrec apply /etc/netrec/ --netns edge1 -o json\n  netrec apply site.yaml --dry-run\n' +
        '  netrec apply site.yaml --confirm-timeout 60s --probe ping:192.0.2.1   # on a remote host: lose SSH, get the old network back',
    )
    .action((configs: string[], opts: ApplyOpts) => runCommand(() => apply(configs, opts)));
}

function apply(configs: string[], opts: ApplyOpts): Promise<number> {
  const format = formatFor('apply', opts.output);
  const started = performance.now();
  const confirmMs = opts.confirmTimeout !== undefined ? parseDuration(opts.confirmTimeout, { option: '--confirm-timeout', minMs: 1000 }) : undefined;
  const probes = opts.probe.map((p) => {
    try {
      return parseProbe(p);
    } catch (e) {
      throw new UserError((e as Error).message);
    }
  });
  if (probes.length > 0 && confirmMs === undefined) throw new UserError('--probe needs --confirm-timeout (the time the probes have to pass)');
  const request = {
    configs,
    netns: opts.netns,
    host: hostOf(opts),
    dryRun: Boolean(opts.dryRun),
    confirmMs,
    probes,
    stateDir: opts.stateDir,
    insecureConfig: Boolean(opts.insecureConfig),
    format,
    started,
  };
  return runApply(request, stdOutput());
}
