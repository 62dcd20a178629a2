// Progress of long applies: a bar on a terminal, a line per 10% otherwise.
const MIN_CHANGES = 1000;

export class Progress {
  private lastDecile = 0;
  private lastDraw = 0;
  private readonly active: boolean;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream,
    total: number,
    quiet: boolean,
  ) {
    this.active = !quiet && total >= MIN_CHANGES;
    this.tty = Boolean(out.isTTY);
  }

  update(done: number, total: number): void {
    if (!this.active) return;
    if (this.tty) {
      const now = performance.now();
      if (now - this.lastDraw < 100 && done < total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      this.out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} changes`);
      return;
    }
    const decile = Math.floor((done / total) * 10);
    if (decile > this.lastDecile) {
      this.lastDecile = decile;
      this.out.write(`applied ${done}/${total} changes (${decile * 10}%)\n`);
    }
  }

  finish(): void {
    if (this.active && this.tty) this.out.write('\n');
  }
}
