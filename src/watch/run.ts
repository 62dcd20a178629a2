// One `netrec watch`, from its options to the exit: the logger, the service
// notifier (systemd), the metrics server, the controller; then wait for
// SIGTERM/SIGINT (finish or roll back the reconcile in progress, exit 0) and
// re-read the config on SIGHUP.
import { UserError } from '../cli/errors.js';
import { netnsPath } from '../kernel/namespace.js';
import { openStore } from '../state/access.js';
import { TrustError } from '../state/trust.js';
import { Controller } from './controller.js';
import { createLogger, isJournalStream } from './log.js';
import { WatchMetrics } from './metrics.js';
import { ServiceNotifier } from './notify.js';

/** A watch as the command line asked for it, its options parsed. */
export interface WatchRequest {
  configs: string[];
  netns?: string;
  host: string;
  resyncMs: number;
  /** Serve /metrics and the health endpoints here ("host:port", checked). */
  metricsAddress?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  eventRcvbuf?: number;
  stateDir?: string;
  insecureConfig: boolean;
  /** netrec's version, for the metrics. */
  version: string;
}

/** Watch until SIGTERM or SIGINT; returns the exit status (0). Errors at start throw. */
export async function runWatch(req: WatchRequest): Promise<number> {
  const log = createLogger(req.logFormat, process.stderr, { debug: req.debug, journal: isJournalStream() });
  const notifier = new ServiceNotifier({ log });
  const metrics = req.metricsAddress !== undefined ? new WatchMetrics({ version: req.version }) : undefined;
  if (metrics) await metrics.listen(req.metricsAddress!);
  const controller = new Controller({
    configs: req.configs,
    host: req.host,
    nsPath: netnsPath(req.netns),
    resyncMs: req.resyncMs,
    log,
    metrics,
    // Made when missing: watch records its runs in the namespace's history.
    store: openStore(req.stateDir, req.netns, { create: true }),
    eventRcvbuf: req.eventRcvbuf,
    insecureConfig: req.insecureConfig,
    notifier,
  });
  if (metrics) metrics.liveness = () => controller.stalled();
  notifier.start(() => controller.stalled());
  try {
    await controller.start();
  } catch (e) {
    if (e instanceof TrustError) throw new UserError(`refusing config ${e.message} (or pass --insecure-config); nothing was changed`);
    throw e;
  }
  log('info', 'watching', { configs: req.configs.join(','), netns: req.netns ?? 'own', metrics: req.metricsAddress, notify: notifier.enabled || undefined, watchdogMs: notifier.watchdogInterval });
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log('info', 'stopping', { signal: sig });
      notifier.stopping();
      void controller.stop().then(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      log('info', 're-reading the config', { signal: 'SIGHUP' });
      controller.reload();
    });
  });
  return 0;
}
