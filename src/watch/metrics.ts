// Prometheus metrics and health endpoints, served only when --metrics-address
// is given:
//   /livez   200 while the process runs its loops: the event loop answers,
//            and no reconcile has been stuck for longer than the stall limit.
//            Lost events, failed reconciles, kernel refusals and config
//            errors do not make it 503: watch recovers from those by itself,
//            and a liveness probe that restarted it would only interrupt
//            that recovery.
//   /readyz  200 when the last reconcile succeeded on a view of the kernel
//            that no lost event has made stale; 503 before the first
//            convergence, while events are being lost, a re-read is pending,
//            or reconciles fail (a kernel refusal included).
//   /healthz the same as /livez (kept for existing checks).
// Every metric lives in this object's registry: one per watch, nothing at
// module level.
import { createServer, type Server } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface WatchMetricsOptions {
  /** netrec's version, for netrec_build_info. */
  version?: string;
}

export class WatchMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({ name: 'netrec_reconciles_total', help: 'Reconciles run, by trigger and result', labelNames: ['trigger', 'result'], registers: [this.registry] });
  readonly failures = new Counter<'reason'>({
    name: 'netrec_reconcile_failures_total',
    help: 'Reconciles that failed or were rolled back, by reason: refused (by the kernel), verification, config, events (lost faster than re-read), restore, interrupted, io',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly corrections = new Counter({ name: 'netrec_drift_corrections_total', help: 'Changes made to undo drift, by object type', labelNames: ['type'], registers: [this.registry] });
  readonly lastSuccess = new Gauge({ name: 'netrec_last_success_timestamp_seconds', help: 'Unix time of the last successful reconcile', registers: [this.registry] });
  readonly lastApply = new Gauge({ name: 'netrec_last_apply_timestamp_seconds', help: 'Unix time of the last reconcile that changed something and succeeded', registers: [this.registry] });
  readonly configInfo = new Gauge({ name: 'netrec_config_info', help: 'The config in force: its revision (git commit or sha256:...) and, in a fleet, the host; always 1', labelNames: ['revision', 'host'], registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'netrec_reconcile_duration_seconds',
    help: 'Time from trigger to converged state',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly managed = new Gauge({ name: 'netrec_managed_objects', help: 'Objects declared in the config in force, by type', labelNames: ['type'], registers: [this.registry] });
  readonly overflows = new Counter({ name: 'netrec_event_overflows_total', help: 'Times kernel events were lost (ENOBUFS) and the state was re-read', registers: [this.registry] });
  readonly configErrors = new Counter<'reason'>({ name: 'netrec_config_errors_total', help: 'Config reloads rejected, by reason: invalid, untrusted (others could have written the files)', labelNames: ['reason'], registers: [this.registry] });
  readonly configReloadOk = new Gauge({ name: 'netrec_config_last_reload_successful', help: 'Whether the last attempt to load the config succeeded (1) or was rejected (0; the last good config stays in force)', registers: [this.registry] });
  readonly buildInfo = new Gauge<'version' | 'node'>({ name: 'netrec_build_info', help: 'Always 1; the labels say which netrec and Node.js run', labelNames: ['version', 'node'], registers: [this.registry] });
  /** Converged, and no kernel event lost since the state it converged on. */
  ready = false;
  /** Why the process is not live (a stuck reconcile), or undefined while it is. */
  liveness: () => string | undefined = () => undefined;
  private server?: Server;

  constructor(opts: WatchMetricsOptions = {}) {
    this.buildInfo.set({ version: opts.version ?? 'unknown', node: process.version }, 1);
    // The standard process_* and nodejs_* metrics (CPU, memory, descriptors, event loop lag, GC), collected on scrape.
    collectDefaultMetrics({ register: this.registry });
  }

  /** The config now in force: one netrec_config_info series, for its revision and host. */
  setConfig(revision: string, host: string): void {
    this.configInfo.reset();
    this.configInfo.set({ revision, host }, 1);
  }

  /** Serve /metrics, /livez, /readyz and /healthz on HOST:PORT. */
  listen(address: string): Promise<void> {
    const m = /^(.*):(\d+)$/.exec(address);
    if (!m) throw new Error(`--metrics-address must be HOST:PORT, got "${address}"`);
    const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
    this.server = createServer((req, res) => {
      if (req.url === '/metrics') {
        this.registry.metrics().then(
          (body) => {
            res.writeHead(200, { 'content-type': this.registry.contentType });
            res.end(body);
          },
          (e: Error) => {
            res.writeHead(500);
            res.end(e.message);
          },
        );
      } else if (req.url === '/readyz') {
        res.writeHead(this.ready ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(this.ready ? 'ok\n' : 'not ready: not converged, or kernel events were lost and a re-read is pending\n');
      } else if (req.url === '/livez' || req.url === '/healthz') {
        const problem = this.liveness();
        res.writeHead(problem ? 503 : 200, { 'content-type': 'text/plain' });
        res.end(problem ? `not live: ${problem}\n` : 'ok\n');
      } else {
        res.writeHead(404);
        res.end('see /metrics, /livez, /readyz\n');
      }
    });
    return new Promise((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(Number(m[2]), host, () => resolve());
    });
  }

  close(): void {
    this.server?.close();
  }
}
