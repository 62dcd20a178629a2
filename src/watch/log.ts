// One line per event worth telling: text for people, JSON for collectors.
// Under systemd with stderr connected to the journal (JOURNAL_STREAM names
// stderr's device and inode), text lines carry sd-daemon(3) priority
// prefixes ("<3>" error ... "<7>" debug) so journald keeps the levels, and no
// timestamp: the journal stamps each line itself. JSON lines are unchanged.
import { fstatSync } from 'node:fs';

export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, string | number | boolean | undefined>;
export type Logger = (level: Level, msg: string, fields?: Fields) => void;

/** syslog priorities (sd-daemon(3): SD_ERR, SD_WARNING, SD_INFO, SD_DEBUG). */
const PRIORITY: Record<Level, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/**
 * Whether `fd` is the journal's stream: JOURNAL_STREAM is "DEVICE:INODE" of
 * the stream systemd connected, and it still is that stream (not redirected
 * by a wrapper or a child's shell).
 */
export function isJournalStream(env: NodeJS.ProcessEnv = process.env, fd = 2): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(fd, { bigint: true });
    return st.dev === BigInt(m[1]!) && st.ino === BigInt(m[2]!);
  } catch {
    return false;
  }
}

export interface LoggerOptions {
  debug?: boolean;
  /** Text lines for the journal: priority prefix, no timestamp. */
  journal?: boolean;
  now?: () => Date;
}

export function createLogger(format: 'text' | 'json', out: NodeJS.WritableStream = process.stderr, opts: LoggerOptions | boolean = {}): Logger {
  const { debug = false, journal = false, now = () => new Date() } = typeof opts === 'boolean' ? { debug: opts } : opts;
  return (level, msg, fields = {}) => {
    if (level === 'debug' && !debug) return;
    if (format === 'json') {
      out.write(JSON.stringify({ time: now().toISOString(), level, msg, ...fields }) + '\n');
      return;
    }
    const kv = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : v}`)
      .join(' ');
    const head = journal ? `<${PRIORITY[level]}>` : `${now().toISOString()} ${level.padEnd(5)} `;
    out.write(`${head}${msg}${kv ? ' ' + kv : ''}\n`);
  };
}
