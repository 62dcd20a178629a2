// netrec watch: keep a namespace converged on file changes and kernel events.
import { Option, type Command } from 'commander';
import { runWatch } from '../watch/run.js';
import { hostOf, hostOption, parseDuration, runCommand, UserError } from './common.js';
import { parseListenAddress } from './listen-address.js';
import { DEFAULT_STATE_DIR } from '../state/store.js';

interface WatchOpts {
  netns?: string;
  host?: string;
  resyncInterval: string;
  metricsAddress?: string;
  logFormat: string;
  debug?: boolean;
  eventRcvbuf?: string;
  stateDir?: string;
  insecureConfig?: boolean;
}

export function register(program: Command): void {
  program
    .command('watch')
    .summary('keep the kernel matching the config: on file change and kernel event')
    .description(
      'Apply CONFIG, then keep applying it: when a config file changes (editors, GitOps agents, ' +
        'Kubernetes ConfigMaps) and when something else changes the network (ip, DHCP clients, ' +
        'daemons). Invalid edits are logged with FILE:LINE:COL and ignored; the last good config ' +
        'stays in force. Changes to objects the config does not manage cause no writes. ' +
        'SIGHUP re-reads the config; SIGTERM/SIGINT finish or roll back the reconcile in progress ' +
        'and exit 0, leaving the network as it is.',
    )
    .argument('<config...>', 'config files or directories')
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('--resync-interval <duration>', 'full re-read of the kernel state as a safety net', '5m')
    .option('--metrics-address <host:port>', 'serve Prometheus /metrics, /livez and /readyz (and /healthz, the same as /livez) here (off by default), e.g. 127.0.0.1:9474')
    .option('--log-format <format>', 'text or json (one object per line, for journald and collectors)', 'text')
    .option('--state-dir <dir>', 'where `apply --confirm-timeout` keeps pending confirmations: an unconfirmed change whose apply was killed is put back at start', DEFAULT_STATE_DIR)
    .option('--insecure-config', 'accept config files that users other than root could have written')
    .addOption(hostOption())
    .addOption(new Option('--event-rcvbuf <bytes>', 'receive buffer of the event socket (for tests of lost events)').hideHelp())
    .addHelpText(
      'after',
      '\nExamples:\n  netrec watch /etc/netrec/\n  netrec watch site.yaml --metrics-address 127.0.0.1:9474 --log-format json\n\n' +
        'Under systemd (Type=notify): READY=1 after the first converged reconcile,\n' +
        'STATUS, RELOADING=1 and WATCHDOG=1; text logs to the journal carry priorities\n' +
        'instead of timestamps. A unit to start from: examples/netrec-watch.service\n' +
        '(see docs/watch.md).',
    )
    // --debug is the program's (usable before or after `watch`): read it with the program's options.
    .action((configs: string[], _opts: WatchOpts, cmd: Command) => runCommand(() => watch(configs, cmd.optsWithGlobals<WatchOpts>(), program.version() ?? 'unknown')));
}

function watch(configs: string[], opts: WatchOpts, version: string): Promise<number> {
  if (opts.logFormat !== 'text' && opts.logFormat !== 'json') throw new UserError(`unknown log format "${opts.logFormat}" (text or json)`);
  const resyncMs = parseDuration(opts.resyncInterval, { option: '--resync-interval', minMs: 1000 });
  const listen = opts.metricsAddress !== undefined ? parseListenAddress(opts.metricsAddress) : undefined;
  return runWatch({
    configs,
    netns: opts.netns,
    host: hostOf(opts),
    resyncMs,
    metricsAddress: listen?.text,
    logFormat: opts.logFormat,
    debug: Boolean(opts.debug),
    eventRcvbuf: opts.eventRcvbuf ? Number(opts.eventRcvbuf) : undefined,
    stateDir: opts.stateDir,
    insecureConfig: Boolean(opts.insecureConfig),
    version,
  });
}
