// The wait of a confirm-timeout apply, once its change is in place: which
// probes count, what the user is told, and how the wait ends — `netrec
// confirm`, `y` on the terminal, every counted probe passing, the deadline
// (with failing probes: "probe-failed"), or a stop signal. Deciding only:
// keeping or undoing the change is the caller's (run.ts).
import type { StateStore } from '../state/store.js';
import { systemClock, waitForConfirmation, type Clock, type ConfirmOutcome, type SignalSource } from './confirm.js';
import type { Probe } from './probes.js';

export type ProbeResults = Map<string, { ok: boolean; detail: string }>;

export interface ConfirmWait {
  /** How long the change waits for a confirmation, ms. */
  confirmMs: number;
  store: Pick<StateStore, 'isConfirmed'>;
  /** A terminal to read `y` from. */
  tty?: NodeJS.ReadStream;
  /** --netns as given, for the `netrec confirm` the user is told to run. */
  netns?: string;
  probes: readonly Probe[];
  /** How each probe did before the change: only those that passed count. */
  probesBefore: ReadonlyMap<string, { ok: boolean }>;
  /** Run these probes now, each within `timeoutMs`. */
  runProbes(probes: Probe[], timeoutMs: number): Promise<ProbeResults>;
  /** A stop signal that came while the change was written or verified: the wait ends before it starts. */
  stopped?: 'SIGHUP' | 'SIGINT' | 'SIGTERM';
  /** stderr, for the user. */
  say(text: string): void;
  clock?: Clock;
  signals?: SignalSource;
  pollMs?: number;
}

/** Wait for the change to be confirmed, and say how the wait ended. */
export async function awaitConfirmation(x: ConfirmWait): Promise<ConfirmOutcome> {
  const clock = x.clock ?? systemClock;
  const counted = x.probes.filter((p) => x.probesBefore.get(p.text)?.ok);
  if (x.probes.length > 0 && counted.length === 0) x.say('netrec: no probe passed before the change; waiting for a manual confirmation instead\n');
  for (const p of x.probes) if (!x.probesBefore.get(p.text)?.ok) x.say(`netrec: probe ${p.text} already failed before the change; it does not count\n`);
  const secs = Math.round(x.confirmMs / 1000);
  x.say(
    `Applied; keeping it only if confirmed within ${secs}s: run \`netrec confirm${x.netns ? ` --netns ${x.netns}` : ''}\`${x.tty ? ' or type y and Enter here' : ''}.` +
      `${counted.length ? ` Probes must pass: ${counted.map((p) => p.text).join(', ')}.` : ''}\n`,
  );
  // With probes the rollout is unattended: all counted probes passing confirms it.
  let failing: [string, { ok: boolean; detail: string }][] = [];
  let confirm: ConfirmOutcome =
    x.stopped ??
    (await waitForConfirmation({
      deadline: clock.now() + x.confirmMs,
      store: x.store,
      tty: x.tty,
      clock,
      signals: x.signals,
      pollMs: x.pollMs,
      check: counted.length
        ? async () => {
            failing = [...(await x.runProbes(counted, 500)).entries()].filter(([, r]) => !r.ok);
            return failing.length === 0 ? 'confirmed' : undefined;
          }
        : undefined,
    }));
  if (confirm === 'timeout' && counted.length > 0) {
    confirm = 'probe-failed';
    for (const [t, r] of failing) x.say(`netrec: probe ${t} fails after the change: ${r.detail}\n`);
  }
  return confirm;
}
