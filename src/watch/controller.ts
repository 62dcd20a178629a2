// netrec watch: a level-triggered controller. File changes, kernel events,
// the resync timer and SIGHUP only say "look again"; every reconcile
// recomputes plan(desired, actual) and applies it through the same code as
// `netrec apply` (atomic, verified). A small drift is planned over just the
// identities the events named, against the event-fed cache, so repairing one
// route in a table of 100,000 costs one message and a few milliseconds.
import type { FSWatcher } from 'chokidar';
import { applyPlan } from '../apply/apply.js';
import { describeRestore, recoverPending } from '../apply/confirm.js';
import { lockNamespace, type NamespaceLock } from '../apply/lock.js';
import { ConfigError, type Warning } from '../config/errors.js';
import { checkReferences, loadConfig } from '../config/index.js';
import { readLinks, readNamespace, readRoutes, readState } from '../kernel/read.js';
import { neighborKey, ruleKey } from '../model/identity.js';
import { emptyState, type Desired, type Neighbor, type Rule, type State } from '../model/types.js';
import { Connection } from '../netlink/connection.js';
import { plan as makePlan, type Scope } from '../plan/plan.js';
import { isEmpty, planChanges, type Plan } from '../plan/types.js';
import { isClean, KernelCache, noDirt, RouteGroups, type Dirty } from './cache.js';
import { EventSource } from '../kernel/events.js';
import { configHash, configSignature } from '../config/fingerprint.js';
import { watchConfigs } from './files.js';
import { readTrusted, TrustError } from '../state/trust.js';
import type { Logger } from './log.js';
import type { WatchMetrics } from './metrics.js';
import { failureReason, ReconcileFailure, type FailureReason } from './failure.js';
import type { ServiceNotifier } from './notify.js';
import type { StateStore } from '../state/store.js';
import { outcomeError, recordRun, type HistoryTrigger, type RunRecord } from '../state/history.js';
import { configRevision, loadWithRevision } from '../config/revision.js';

export interface WatchOptions {
  configs: string[];
  /** The host whose view of a fleet directory to load (config/fleet.ts). */
  host?: string;
  nsPath?: string;
  resyncMs: number;
  log: Logger;
  metrics?: WatchMetrics;
  /**
   * Where `apply --confirm-timeout` keeps its pending record: an unconfirmed
   * change whose process is gone is put back (as the next apply would)
   * before watch plans anything.
   */
  store?: StateStore;
  /** Event socket receive buffer (tests make it tiny to force ENOBUFS). */
  eventRcvbuf?: number;
  /** Quiet time before reconciling a burst, and the most a burst may delay it. */
  debounceMs?: number;
  maxDelayMs?: number;
  /** Accept config files that users other than root could have written (otherwise every reload is checked). */
  insecureConfig?: boolean;
  /** Told of convergence, failures and reloads (sd_notify). */
  notifier?: Pick<ServiceNotifier, 'converged' | 'failed' | 'reloadStarted' | 'configRead'>;
}

type Trigger = 'start' | 'config' | 'kernel' | 'resync' | 'overflow' | 'signal' | 'retry';

/** The trigger a reconcile is recorded under in history: the weightiest of those that started it. */
function historyTrigger(triggers: Trigger[]): HistoryTrigger {
  if (triggers.includes('start')) return 'watch-start';
  if (triggers.includes('config') || triggers.includes('signal')) return 'watch-file';
  if (triggers.includes('kernel') && triggers.every((t) => t === 'kernel')) return 'watch-drift';
  return 'watch-resync';
}

/** The desired objects by identity, for planning over a subset. */
interface DesiredIndex {
  routes: RouteGroups;
  rules: Map<string, Rule>;
  neighbors: Map<string, Neighbor>;
}

/** The values of `m` under the keys `ids` that it has. */
function pick<T>(m: Map<string, T>, ids: Set<string>): T[] {
  const out: T[] = [];
  for (const id of ids) {
    const v = m.get(id);
    if (v) out.push(v);
  }
  return out;
}

const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 5 * 60_000;
/**
 * A reconcile running longer than this is stuck (a full Internet table takes
 * seconds): /livez turns 503 and the watchdog is no longer fed.
 */
export const STALL_MS = 2 * 60_000;

export class Controller {
  private desired?: Desired;
  private index?: DesiredIndex;
  private hash = '';
  /** The revision of the config in force (config/revision.ts), and the last one history has. */
  private revision = '';
  private recordedRevision = '';
  /** The last failure recorded in history, not to repeat it on every retry. */
  private recordedFailure = '';
  /** The content hash of a config that was rejected (the last good one stays in force). */
  private rejected = '';
  private conn!: Connection;
  private events!: EventSource;
  private lock!: NamespaceLock;
  private watcher?: FSWatcher;
  private readonly cache = new KernelCache(0);
  private dirty: Dirty = noDirt();
  private needFull = true;
  private needReload = false;
  private triggers = new Set<Trigger>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private firstPending = 0;
  private resyncTimer?: NodeJS.Timeout;
  private pollTimer?: NodeJS.Timeout;
  private backoffMs = 0;
  private retryAt = 0;
  private lastFailure = '';
  /** The last failure was losing events faster than a re-read could catch up: subscribe anew before retrying. */
  private resubscribeNext = false;
  /** The last trust refusal logged, not to repeat it on every look. */
  private lastRefusal = '';
  private stopping = false;
  /** When the running reconcile started (performance.now()). */
  private runningSince = 0;
  private idle?: () => void;
  readonly debounceMs: number;
  readonly maxDelayMs: number;

  constructor(private readonly opts: WatchOptions) {
    this.debounceMs = opts.debounceMs ?? 5;
    this.maxDelayMs = opts.maxDelayMs ?? 100;
  }

  /** Load the config (fatal if invalid at start), subscribe, dump, reconcile. */
  async start(): Promise<void> {
    this.loadDesired(true);
    this.lock = lockNamespace(this.opts.nsPath);
    this.conn = Connection.open({ netns: this.opts.nsPath });
    this.setReady(false);
    // We hold the lock, so the writer of a pending record is gone.
    await this.recoverUnconfirmed();
    // Subscribe before the first dump, or changes in between are lost.
    this.events = new EventSource(this.opts.nsPath, this.opts.eventRcvbuf ?? 32 * 1024 * 1024, {
      onMessage: (m) => this.cache.apply(m, this.dirty),
      onBurst: () => {
        if (!isClean(this.dirty)) this.schedule('kernel');
      },
      onOverflow: () => {
        this.opts.metrics?.overflows.inc();
        this.opts.log('warn', 'kernel events were lost (receive buffer overrun); re-reading the whole state');
        this.needFull = true;
        // Not ready until a re-read has caught up and a reconcile succeeded on it.
        this.setReady(false);
        this.schedule('overflow');
      },
    });
    this.events.start();
    // File events only say "look again": the content hash decides. Editors and
    // neighbours in the same directory make many events that change nothing.
    let fileTimer: NodeJS.Timeout | undefined;
    const lookAgain = (): void => {
      if (fileTimer) clearTimeout(fileTimer);
      fileTimer = setTimeout(() => {
        // A new revision may leave this host's view as it was (another host's files changed): it is still recorded.
        if (configHash(this.opts.configs, this.opts.host) === this.hash && configRevision(this.opts.configs, this.opts.host) === this.revision) return;
        this.needReload = true;
        this.schedule('config', 0);
      }, 30);
    };
    this.watcher = watchConfigs(this.opts.configs, lookAgain);
    // Safety net for events a file watcher misses (a write racing a rename):
    // a cheap stat fingerprint, once a second.
    let signature = configSignature(this.opts.configs, this.opts.host);
    this.pollTimer = setInterval(() => {
      const now = configSignature(this.opts.configs, this.opts.host);
      if (now !== signature) {
        signature = now;
        lookAgain();
      }
    }, 1000);
    this.resyncTimer = setInterval(() => {
      this.needFull = true;
      this.schedule('resync');
    }, this.opts.resyncMs);
    this.schedule('start', 0);
  }

  /** Why the reconcile loop is not healthy (a reconcile stuck longer than STALL_MS), or undefined. */
  stalled(now = performance.now()): string | undefined {
    if (!this.running || now - this.runningSince <= STALL_MS) return undefined;
    return `a reconcile has been running for ${Math.round((now - this.runningSince) / 1000)} s`;
  }

  /** SIGHUP: read the config again now. */
  reload(): void {
    this.needReload = true;
    this.schedule('signal', 0);
  }

  /** SIGTERM/SIGINT: let a running reconcile finish or roll back, then stop. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    if (this.running) await new Promise<void>((r) => (this.idle = r));
    await this.watcher?.close();
    this.events?.close();
    this.conn?.close();
    this.lock?.release();
    this.opts.metrics?.close();
  }

  private schedule(trigger: Trigger, delay = this.debounceMs): void {
    if (this.stopping) return;
    this.triggers.add(trigger);
    if (this.running) return; // picked up when the running reconcile ends
    const now = Date.now();
    if (this.timer === undefined) this.firstPending = now;
    else clearTimeout(this.timer);
    // Debounce, but never let a steady stream of events delay more than maxDelayMs.
    let wait = Math.min(delay, Math.max(0, this.firstPending + this.maxDelayMs - now));
    if (this.retryAt > now) wait = Math.max(wait, this.retryAt - now);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.reconcile();
    }, wait);
  }

  /** Read and validate the config; keep the last good one when it is invalid. */
  private loadDesired(fatal: boolean): boolean {
    const hash = configHash(this.opts.configs, this.opts.host);
    if (hash === this.hash && this.desired) {
      const revision = configRevision(this.opts.configs, this.opts.host);
      if (revision !== this.revision && this.rejected !== hash) {
        // The same files at another revision: nothing to reload, but that revision is now the one in force.
        this.revision = revision;
        this.opts.metrics?.setConfig(revision, this.desired.fleet?.host ?? '');
        this.opts.log('info', 'new revision; this config is unchanged by it', { revision });
      }
      return false;
    }
    try {
      const warn = (w: Warning): void => this.opts.log('warn', 'config file not read', { file: w.file, problem: w.message });
      const load = { host: this.opts.host, warn, ...(this.opts.insecureConfig ? {} : { read: (f: string, maxBytes: number) => readTrusted(f, undefined, maxBytes) }) };
      const { desired: d, revision } = loadWithRevision(this.opts.configs, this.opts.host, () => loadConfig(this.opts.configs, load));
      this.lastRefusal = '';
      this.rejected = '';
      this.desired = d;
      this.revision = revision;
      this.opts.metrics?.setConfig(revision, d.fleet?.host ?? '');
      this.cache.protocol = d.policy.protocol;
      this.index = {
        routes: new RouteGroups(d.state.routes),
        rules: new Map(d.state.rules.map((r) => [ruleKey(r), r])),
        neighbors: new Map(d.state.neighbors.map((n) => [neighborKey(n), n])),
      };
      this.hash = hash;
      this.configRead(undefined);
      const m = this.opts.metrics?.managed;
      if (m) {
        m.set({ type: 'interface' }, d.state.links.length);
        m.set({ type: 'address' }, d.state.addresses.length);
        m.set({ type: 'route' }, d.state.routes.length);
        m.set({ type: 'rule' }, d.state.rules.length);
        m.set({ type: 'neighbor' }, d.state.neighbors.length);
        m.set({ type: 'nexthop' }, d.state.nexthops.length);
      }
      this.opts.log('info', 'config loaded', { files: d.files.length, routes: d.state.routes.length, interfaces: d.state.links.length, revision, ...(d.fleet ? { host: d.fleet.host } : {}) });
      return true;
    } catch (e) {
      if (fatal) throw e;
      if (e instanceof TrustError) {
        // Not remembered as seen: a chown/chmod that fixes it changes no content, and the next look must load it.
        this.opts.metrics?.configErrors.inc({ reason: 'untrusted' });
        const problem = `${e.message} (or run watch with --insecure-config)`;
        this.configRead(problem);
        if (problem !== this.lastRefusal) this.opts.log('error', 'config refused: others could have written it; the last good config stays in force', { problem });
        this.lastRefusal = problem;
        return false;
      }
      this.hash = hash; // do not re-report the same broken content
      this.rejected = hash;
      this.opts.metrics?.configErrors.inc({ reason: 'invalid' });
      const problems = e instanceof ConfigError ? e.problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`) : [String(e)];
      this.configRead(problems[0]! + (problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''));
      for (const p of problems) this.opts.log('error', 'config rejected; the last good config stays in force', { problem: p });
      this.record({ result: 'failed', trigger: 'watch-file', revision: configRevision(this.opts.configs, this.opts.host), error: `config rejected, the last good config stays in force: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}`, configHash: hash });
      return false;
    }
  }

  /** Report the outcome of reading the config files: a problem, or undefined when they loaded. */
  private configRead(problem: string | undefined): void {
    this.opts.metrics?.configReloadOk.set(problem === undefined ? 1 : 0);
    this.opts.notifier?.configRead(problem);
  }

  /**
   * Bring the cache up to date: fold in waiting events, then re-read what
   * they cannot tell — everything after lost events, links and routes after
   * link or address changes. Events that arrive during a dump are folded in
   * after it (they are newer), until a read is not overtaken by an overflow.
   * Returns true when it re-read everything.
   */
  private async refresh(): Promise<boolean> {
    const protocol = this.desired!.policy.protocol;
    if (this.resubscribeNext) {
      // After a back-off for lost events: a fresh subscription, then a full re-read.
      this.resubscribeNext = false;
      this.events.resubscribe();
      this.needFull = true;
      this.opts.log('info', 'subscribed to kernel events anew; re-reading the whole state');
    }
    this.events.drain();
    const full = this.needFull || this.dirty.full;
    for (let attempt = 0; (this.needFull || this.dirty.full) && attempt < 5; attempt++) {
      this.needFull = false;
      this.dirty = noDirt();
      this.cache.load(await readState(this.conn, { protocol }));
      this.events.drain();
    }
    if (this.needFull || this.dirty.full) {
      this.resubscribeNext = true;
      throw new ReconcileFailure('events', 'kernel events keep overflowing the receive buffer; cannot keep a consistent view');
    }
    if (this.dirty.namespace) this.cache.namespace = await readNamespace(this.conn);
    if (this.dirty.links) this.cache.setLinks(await readLinks(this.conn));
    if (this.dirty.routes) this.cache.setRoutes(await readRoutes(this.conn, this.cache.names));
    return full;
  }

  private async reconcile(): Promise<void> {
    if (this.running || this.stopping) return;
    this.running = true;
    const started = performance.now();
    this.runningSince = started;
    const triggers = [...this.triggers];
    this.triggers.clear();
    const trigger = triggers.join(',');
    let result = 'no-changes';
    let changes = 0;
    let what = '';
    let summary: Plan['summary'] = { create: 0, update: 0, replace: 0, delete: 0 };
    let messages = 0;
    let error: string | undefined;
    try {
      let reloaded = false;
      if (this.needReload) {
        this.needReload = false;
        this.opts.notifier?.reloadStarted();
        reloaded = this.loadDesired(false);
      }
      if (triggers.includes('resync') || triggers.includes('retry')) await this.recoverUnconfirmed();
      const reread = await this.refresh();
      const dirty = this.dirty;
      // A new config, a full re-read, routes the kernel may have flushed
      // silently, or links that changed are not named by the dirty keys: plan
      // everything then. Decided after the refresh, whose events count too.
      const full = reloaded || reread || dirty.routes || dirty.links || dirty.namespace || triggers.includes('start') || triggers.includes('retry');
      this.dirty = noDirt();
      const desired = full ? this.desired! : this.subset(this.desired!, dirty.keys);
      const actual = full ? this.cache.toState() : this.cacheSubset(dirty.keys);
      // References only name interfaces: check them against the links, not a
      // copy of the whole cache (a full routing table) on every repair.
      const problems = checkReferences(this.desired!, { ...emptyState(), links: [...this.cache.links.values()], nexthops: [...this.cache.nexthops.values()] });
      if (problems.length > 0) throw new ConfigError(problems);
      const { plan, problems: planProblems } = makePlan(desired, actual);
      if (planProblems.length > 0) throw new ReconcileFailure('config', planProblems.map((p) => p.message).join('; '));
      if (!isEmpty(plan)) {
        const list = planChanges(plan);
        changes = list.length;
        what = list.slice(0, 3).map((c) => `${c.action} ${c.type} ${c.id}`).join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');
        const scope = full ? undefined : dirty.keys;
        const outcome = await applyPlan(this.conn, desired, actual, plan, {
          shouldStop: () => this.stopping,
          readActual: () => this.settled(scope),
        });
        result = outcome.result;
        summary = plan.summary;
        if (outcome.result === 'applied') this.opts.metrics?.lastApply.setToCurrentTime();
        messages = outcome.messages;
        this.countCorrections(plan, trigger);
        const why = outcomeError(outcome);
        if (why !== undefined) throw new ReconcileFailure(outcome.refusals.length > 0 ? 'refused' : outcome.mismatches.length > 0 ? 'verification' : 'interrupted', why);
      }
      this.succeeded(changes);
    } catch (e) {
      result = 'failed';
      error = e instanceof Error ? e.message : String(e);
      this.failed(failureReason(e), error);
    } finally {
      const secs = (performance.now() - started) / 1000;
      if (changes > 0 || error !== undefined || this.revision !== this.recordedRevision) {
        this.record({ result, trigger: historyTrigger(triggers), summary, messages, durationMs: Math.round(secs * 1000), ...(error !== undefined ? { error } : {}) });
      }
      this.opts.metrics?.reconciles.inc({ trigger: triggers[0] ?? 'unknown', result });
      this.opts.metrics?.duration.observe(secs);
      if (changes > 0 || result !== 'no-changes' || triggers.some((t) => t !== 'kernel')) {
        this.opts.log(result === 'failed' ? 'warn' : 'info', 'reconcile', { trigger, changes, result, ms: Math.round(secs * 1000), what: what || undefined });
      }
      this.running = false;
      if (this.idle) this.idle();
      else if (this.triggers.size > 0 || !isClean(this.dirty)) this.schedule(this.triggers.values().next().value ?? 'kernel');
    }
  }

  /**
   * A reconcile (or a rejected config) in the namespace's history, through
   * the one writer apply uses too: changes always, a failure once until it
   * changes, a quiet success when it puts a new revision in force.
   */
  private record(run: Partial<RunRecord> & { result: string; trigger: HistoryTrigger }): void {
    const store = this.opts.store;
    if (!store) return;
    if (run.result === 'failed') {
      if (run.error === this.recordedFailure) return;
      this.recordedFailure = run.error ?? '';
    } else this.recordedFailure = '';
    const changed = run.summary && run.summary.create + run.summary.update + run.summary.replace + run.summary.delete > 0;
    if (run.result === 'no-changes' || (run.result === 'applied' && changed)) this.recordedRevision = this.revision;
    recordRun(
      store,
      {
        configHash: this.hash,
        summary: { create: 0, update: 0, replace: 0, delete: 0 },
        durationMs: 0,
        messages: 0,
        revision: this.revision,
        ...(this.desired?.fleet ? { host: this.desired.fleet.host } : {}),
        config: this.opts.configs,
        ...run,
      },
      (w) => this.opts.log('warn', 'history', { problem: w }),
    );
  }

  /** After our own writes: fold their events into the cache, then read it. */
  private async settled(scope: Scope | undefined): Promise<State> {
    await this.refresh();
    if (scope === undefined) {
      this.dirty = noDirt();
      return this.cache.toState();
    }
    // Our own events name only what we just changed, inside the scope.
    for (const k of Object.keys(scope) as (keyof Scope)[]) for (const id of this.dirty.keys[k]) scope[k].add(id);
    this.dirty = noDirt();
    return this.cacheSubset(scope);
  }

  /** The desired state narrowed to the identities in `keys` (links and addresses always whole: few, and interdependent). */
  private subset(d: Desired, keys: Scope): Desired {
    const idx = this.index!;
    return {
      ...d,
      state: {
        ...(d.state.namespace ? { namespace: d.state.namespace } : {}),
        links: d.state.links,
        addresses: d.state.addresses,
        routes: idx.routes.pick(keys.route),
        rules: pick(idx.rules, keys.rule),
        neighbors: pick(idx.neighbors, keys.neighbor),
        nexthops: d.state.nexthops,
      },
    };
  }

  private cacheSubset(keys: Scope): State {
    const c = this.cache;
    return {
      ...(c.namespace ? { namespace: c.namespace } : {}),
      links: [...c.links.values()],
      addresses: [...c.addresses.values()],
      routes: c.routes.pick(keys.route),
      rules: pick(c.rules, keys.rule),
      neighbors: pick(c.neighbors, keys.neighbor),
      nexthops: [...c.nexthops.values()],
    };
  }

  private countCorrections(plan: Plan, trigger: string): void {
    if (!this.opts.metrics || trigger.includes('start') || trigger.includes('config')) return;
    for (const c of planChanges(plan)) this.opts.metrics.corrections.inc({ type: c.type });
  }

  /** Converged; `changes` were made to get there. */
  private succeeded(changes: number): void {
    this.backoffMs = 0;
    this.retryAt = 0;
    if (this.lastFailure) this.opts.log('info', 'converged again after failures');
    this.lastFailure = '';
    this.opts.metrics?.lastSuccess.setToCurrentTime();
    // Events lost after the last re-read leave a re-read pending: ready only once it ran.
    const ready = !this.needFull && !this.dirty.full;
    this.setReady(ready);
    if (ready) {
      const s = this.desired!.state;
      this.opts.notifier?.converged(s.links.length + s.addresses.length + s.routes.length + s.rules.length + s.neighbors.length + s.nexthops.length, changes);
    }
  }

  /** Readiness: converged on a view of the kernel that no lost event has made stale. */
  private setReady(ready: boolean): void {
    if (this.opts.metrics) this.opts.metrics.ready = ready;
  }

  /**
   * Put back an unconfirmed change whose `apply --confirm-timeout` is gone
   * (killed: its record outlives it), as the next
   * apply would. Throws when the restore is incomplete: the reconcile then
   * fails and retries with back-off, and nothing is planned over it.
   */
  private async recoverUnconfirmed(): Promise<void> {
    const store = this.opts.store;
    if (!store) return;
    const r = await recoverPending(this.conn, store, () => readState(this.conn, { protocol: this.desired!.policy.protocol }));
    for (const w of store.warnings.splice(0)) this.opts.log('warn', 'state directory', { problem: w });
    if (!r) return;
    const who = { pid: r.pending.pid, created: r.pending.created };
    // Its apply still waits: that apply decides; watch plans over it like any other state.
    if (r.waiting) return this.opts.log('info', 'an apply waits for confirmation in this namespace', who);
    if (r.confirmed) return this.opts.log('info', 'an unconfirmed change was confirmed after its apply was gone; it stays', who);
    this.needFull = true;
    const report = r.report!;
    const lines = describeRestore(report);
    if (report.left.length > 0) {
      throw new ReconcileFailure('restore', `an unconfirmed change (pid ${who.pid}, ${who.created}) could not be fully undone; ${report.left.length} objects differ: ${lines.join('; ')}`);
    }
    this.opts.log('warn', 'restored the state from before an unconfirmed change', { ...who, restore: lines.join('; ') });
  }

  /** Exponential, capped back-off; a reason is logged once until it changes. */
  private failed(kind: FailureReason, reason: string): void {
    this.opts.metrics?.failures.inc({ reason: kind });
    this.opts.notifier?.failed(kind, reason);
    this.setReady(false);
    this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs ? this.backoffMs * 2 : BACKOFF_MIN_MS);
    this.retryAt = Date.now() + this.backoffMs;
    if (reason !== this.lastFailure) {
      this.opts.log('error', 'reconcile failed; retrying with back-off', { reason, retryInMs: this.backoffMs });
      this.lastFailure = reason;
    }
    this.needFull = true;
    this.schedule('retry', this.backoffMs);
  }
}

