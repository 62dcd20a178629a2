// How an apply hears SIGHUP (the SSH session died), SIGINT and SIGTERM:
// they only ask the run to stop; what it wrote is put back (never half a
// change), and a second signal does not interrupt that rollback.

/** Signals that stop an apply: whatever phase it is in, it ends with none of its change in place. */
export const STOP_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** Records the first stop signal; output errors (a terminal that went away with the SSH session) never end the run. */
export class StopRequest {
  signal: StopSignal | undefined;
  /** What the run is doing, for the message a signal gets. */
  phase: 'prepare' | 'write' | 'confirm' | 'rollback' | 'done' = 'prepare';
  private readonly handlers = STOP_SIGNALS.map((sig) => [sig, () => this.on(sig)] as const);
  private readonly ignore = (): void => undefined;

  /** `say`: stderr, never throwing. */
  constructor(private readonly say: (text: string) => void) {
    for (const [sig, h] of this.handlers) process.on(sig, h);
    // The command line's own handlers end the process on a closed pipe and
    // throw on other output errors (EIO from a terminal that went away with
    // the SSH session): either would cut a rollback short. Output is
    // best-effort from here on; the work is not.
    for (const stream of [process.stdout, process.stderr]) {
      stream.removeAllListeners('error');
      stream.on('error', this.ignore);
    }
  }

  get requested(): boolean {
    return this.signal !== undefined;
  }

  private on(sig: StopSignal): void {
    // The confirm wait has its own handlers and says what it does; once the
    // run has ended, its result stands and the process is on its way out.
    if (this.phase === 'confirm' || this.phase === 'done') return;
    if (this.signal !== undefined) {
      this.say(`\nnetrec: ${sig} again; still putting back what this run changed (it is not interrupted)\n`);
      return;
    }
    this.signal = sig;
    this.say(
      this.phase === 'prepare'
        ? `\nnetrec: ${sig}; stopping before any change\n`
        : `\nnetrec: ${sig}; stopping and putting back what this run changed\n`,
    );
  }

  /**
   * The run has ended: its exit status stands. The handlers stay (they do
   * not keep the process alive), so a signal between here and the exit
   * cannot kill it with another status.
   */
  finished(): void {
    this.phase = 'done';
  }
}
