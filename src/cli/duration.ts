// Durations on the command line, as systemd.time(7) writes them: a number
// and a unit, several in a row adding up ("1h30m", "2min 30s"); a bare number
// is seconds. Fractions are allowed ("1.5s").
import { UserError } from './errors.js';

const UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** The longest duration a timer can wait (setTimeout's limit, 2^31-1 ms: about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

const EXAMPLES = 'like 90s, 5m, 1h30m or 500ms';

export interface DurationOptions {
  /** The option it came from, for the message ("--confirm-timeout"). */
  option?: string;
  /** The shortest duration that makes sense there, in ms (default 0). */
  minMs?: number;
}

function format(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** "90s", "5m", "1h30m", "500ms", "2min 30s" or "45" (seconds) -> milliseconds. Throws UserError. */
export function parseDuration(text: string, opts: DurationOptions = {}): number {
  const what = opts.option ? `${opts.option}: ` : '';
  const shown = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
  const t = text.trim();
  let ms = 0;
  if (/^\d+(\.\d+)?$/.test(t)) ms = Number(t) * 1000;
  else {
    const part = /(\d+(?:\.\d+)?)\s*([a-z]+)\s*/gy;
    let pos = 0;
    let m: RegExpExecArray | null;
    while ((m = part.exec(t)) !== null) {
      const unit = UNITS[m[2]!];
      if (unit === undefined) throw new UserError(`${what}invalid duration ${shown}: unknown unit "${m[2]}"`, `write a number and a unit (ms, s, m, h, d), ${EXAMPLES}`);
      ms += Number(m[1]) * unit;
      pos = part.lastIndex;
    }
    if (t.length === 0 || pos !== t.length) throw new UserError(`${what}invalid duration ${shown}`, `write a number and a unit (ms, s, m, h, d), ${EXAMPLES}`);
  }
  ms = Math.round(ms);
  const min = opts.minMs ?? 0;
  if (ms < min) throw new UserError(`${what}duration ${shown} is too short`, `it must be at least ${format(min)}`);
  if (ms > MAX_DURATION_MS) throw new UserError(`${what}duration ${shown} is too long`, `it must be at most 24d`);
  return ms;
}
