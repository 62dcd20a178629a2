// The service manager's notification protocol (sd_notify(3)), spoken
// directly: one AF_UNIX datagram of KEY=VALUE lines to the socket named by
// NOTIFY_SOCKET (a path, or an abstract name written with a leading '@').
// Without NOTIFY_SOCKET every call is a no-op.
//
//   READY=1        once, after the first converged reconcile: units ordered
//                  after netrec-watch (network.target) start on a network
//                  that matches the config. Again after each config reload.
//   RELOADING=1    when a config reload starts (with MONOTONIC_USEC).
//   STATUS=...     "converged: 12 objects, last change 3s ago",
//                  "refused: ...", for `systemctl status`.
//   STOPPING=1     on SIGTERM/SIGINT.
//   WATCHDOG=1     every WATCHDOG_USEC/2 while the process is healthy (the
//                  event loop runs the timer, and no reconcile is stuck).
import { loadNative } from '../netlink/socket.js';
import type { FailureReason } from './failure.js';
import type { Logger } from './log.js';

/** Sends one notification datagram; throws on failure. */
export type Send = (message: string) => void;

/** NOTIFY_SOCKET when it names a socket this process can reach (a path or an abstract '@' name). */
export function notifySocket(env: NodeJS.ProcessEnv): string | undefined {
  const s = env.NOTIFY_SOCKET;
  if (!s || !(s.startsWith('/') || s.startsWith('@'))) return undefined;
  return s;
}

/**
 * Half the watchdog timeout in ms, when the service manager set one for this
 * process (WATCHDOG_USEC, and WATCHDOG_PID when present naming us).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!env.WATCHDOG_USEC || !Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

/** "3s", "5m", "2h", "3d": the largest whole unit. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** STATUS= is one line; long kernel messages are cut. */
function oneLine(text: string, max = 200): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
}

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  /** Replaces the datagram (tests). */
  send?: Send;
  now?: () => number;
  /** CLOCK_MONOTONIC in µs, for MONOTONIC_USEC. */
  monotonicUsec?: () => number;
}

/**
 * What watch tells the service manager. The controller reports convergence,
 * failures and reloads; this object decides what to send and when.
 */
export class ServiceNotifier {
  private readonly send?: Send;
  private readonly log?: Logger;
  private readonly now: () => number;
  private readonly monotonicUsec: () => number;
  private readonly watchdogMs?: number;
  private readySent = false;
  private reloading = false;
  private stopped = false;
  private status = '';
  private state: { kind: 'starting' } | { kind: 'converged'; objects: number } | { kind: 'failed'; reason: FailureReason; message: string } = { kind: 'starting' };
  private readonly started: number;
  private lastChange?: number;
  private configProblem?: string;
  private sendFailure = '';
  private unhealthy = '';
  private timers: NodeJS.Timeout[] = [];

  constructor(opts: NotifierOptions = {}) {
    const env = opts.env ?? process.env;
    const socket = notifySocket(env);
    this.log = opts.log;
    this.now = opts.now ?? Date.now;
    this.started = this.now();
    this.monotonicUsec = opts.monotonicUsec ?? (() => loadNative().monotonicUsec());
    if (socket) {
      this.send = opts.send ?? ((message) => loadNative().sendDatagram(socket, Buffer.from(message)));
      this.watchdogMs = watchdogIntervalMs(env);
    }
  }

  /** Whether a service manager listens (NOTIFY_SOCKET was set). */
  get enabled(): boolean {
    return this.send !== undefined;
  }

  /** The interval WATCHDOG=1 is sent at, when the service manager asked for it. */
  get watchdogInterval(): number | undefined {
    return this.watchdogMs;
  }

  /**
   * Start the timers: WATCHDOG=1 at half the watchdog timeout while
   * `unhealthy()` returns undefined, and the STATUS line's "ago" kept
   * current. Neither keeps the process alive.
   */
  start(unhealthy: () => string | undefined): void {
    if (!this.send) return;
    if (this.watchdogMs !== undefined) {
      const t = setInterval(() => this.watchdog(unhealthy()), this.watchdogMs);
      t.unref();
      this.timers.push(t);
      this.watchdog(unhealthy());
    }
    const refresh = setInterval(() => this.sendStatus(), 10_000);
    refresh.unref();
    this.timers.push(refresh);
  }

  /** A reconcile ended converged on `objects` declared objects, having made `changes` changes. */
  converged(objects: number, changes: number): void {
    if (changes > 0) this.lastChange = this.now();
    this.state = { kind: 'converged', objects };
    if (!this.readySent || this.reloading) {
      this.readySent = true;
      this.reloading = false;
      this.notify({ READY: '1', STATUS: this.statusText() });
      return;
    }
    // A change is news even when the line reads as the last one did ("last change 0s ago").
    if (changes > 0) this.notify({ STATUS: this.statusText() });
    else this.sendStatus();
  }

  /** A reconcile failed: not converged. */
  failed(reason: FailureReason, message: string): void {
    this.state = { kind: 'failed', reason, message };
    // A reload ends here too (the service manager waits for READY=1), but the first READY=1 waits for convergence.
    if (this.reloading && this.readySent) {
      this.reloading = false;
      this.notify({ READY: '1', STATUS: this.statusText() });
      return;
    }
    this.sendStatus();
  }

  /** A config reload starts (SIGHUP, or the files changed). */
  reloadStarted(): void {
    if (!this.readySent || this.reloading) return;
    this.reloading = true;
    this.notify({ RELOADING: '1', MONOTONIC_USEC: String(Math.floor(this.monotonicUsec())), STATUS: 'reloading the config' });
  }

  /** The config files were read: `problem` when they were rejected (the last good config stays in force). */
  configRead(problem: string | undefined): void {
    this.configProblem = problem;
  }

  stopping(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.notify({ STOPPING: '1', STATUS: 'stopping' });
  }

  /** The STATUS line for the current state. */
  statusText(): string {
    const s = this.state;
    const config = this.configProblem ? `; config rejected, the last good one stays in force: ${oneLine(this.configProblem, 120)}` : '';
    if (s.kind === 'starting') return 'starting: first reconcile';
    if (s.kind === 'failed') {
      const what = s.reason === 'refused' ? 'refused' : `not converged (${s.reason})`;
      return `${what}: ${oneLine(s.message)}${config}`;
    }
    const change = this.lastChange === undefined ? `no change needed since start ${ago(this.now() - this.started)} ago` : `last change ${ago(this.now() - this.lastChange)} ago`;
    return `converged: ${s.objects} objects, ${change}${config}`;
  }

  private sendStatus(): void {
    const text = this.statusText();
    if (text === this.status) return;
    this.notify({ STATUS: text });
  }

  private watchdog(problem: string | undefined): void {
    if (problem) {
      if (problem !== this.unhealthy) this.log?.('error', 'not healthy: watchdog notifications withheld', { problem });
      this.unhealthy = problem;
      return;
    }
    if (this.unhealthy) this.log?.('info', 'healthy again: watchdog notifications resumed');
    this.unhealthy = '';
    this.notify({ WATCHDOG: '1' });
  }

  private notify(fields: Record<string, string>): void {
    if (!this.send || (this.stopped && !('STOPPING' in fields))) return;
    if (fields.STATUS !== undefined) this.status = fields.STATUS;
    const message = Object.entries(fields)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('');
    try {
      this.send(message);
      this.sendFailure = '';
    } catch (e) {
      // The service manager went away or the socket is wrong: say so once, keep working.
      const why = e instanceof Error ? e.message : String(e);
      if (why !== this.sendFailure) this.log?.('warn', 'cannot notify the service manager (NOTIFY_SOCKET)', { problem: why });
      this.sendFailure = why;
    }
  }
}
