// The health endpoints: /livez (and /healthz) follow liveness only, /readyz
// readiness only; two watches' metrics do not share state.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WatchMetrics } from '../../src/watch/metrics.js';

const started: WatchMetrics[] = [];
after(() => {
  for (const m of started) m.close();
});

async function serve(m: WatchMetrics): Promise<(path: string) => Promise<number>> {
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 20000);
    try {
      await m.listen(`127.0.0.1:${port}`);
      started.push(m);
      return async (path) => (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    } catch (e) {
      if (attempt > 5) throw e;
    }
  }
}

describe('health endpoints', () => {
  it('not ready (a refusal) leaves /livez and /healthz at 200; only a stuck loop makes them 503', async () => {
    const m = new WatchMetrics({ version: '1.2.3' });
    const status = await serve(m);
    assert.deepEqual([await status('/livez'), await status('/healthz'), await status('/readyz')], [200, 200, 503], 'before the first convergence');
    m.ready = true;
    assert.deepEqual([await status('/livez'), await status('/healthz'), await status('/readyz')], [200, 200, 200]);
    m.ready = false;
    assert.deepEqual([await status('/livez'), await status('/healthz'), await status('/readyz')], [200, 200, 503], 'after a refusal');
    m.liveness = () => 'a reconcile has been running for 130 s';
    assert.deepEqual([await status('/livez'), await status('/healthz')], [503, 503]);
  });

  it('each watch has its own registry: build info, process metrics, the reload gauge', async () => {
    const a = new WatchMetrics({ version: '1.2.3' });
    const b = new WatchMetrics({ version: '1.2.3' });
    a.configReloadOk.set(0);
    b.configReloadOk.set(1);
    a.failures.inc({ reason: 'refused' });
    const text = await a.registry.metrics();
    assert.match(text, new RegExp(`^netrec_build_info\\{version="1\\.2\\.3",node="${process.version.replace(/\./g, '\\.')}"\\} 1$`, 'm'));
    assert.match(text, /^netrec_config_last_reload_successful 0$/m);
    assert.match(text, /^netrec_reconcile_failures_total\{reason="refused"\} 1$/m);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(await b.registry.metrics(), /^netrec_config_last_reload_successful 1$/m);
    assert.doesNotMatch(await b.registry.metrics(), /^netrec_reconcile_failures_total\{/m);
  });
});
