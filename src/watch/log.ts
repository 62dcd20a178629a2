// One line per event worth telling: text for people, JSON for collectors.
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, string | number | boolean | undefined>;
export type Logger = (level: Level, msg: string, fields?: Fields) => void;

export function createLogger(format: 'text' | 'json', out: NodeJS.WritableStream = process.stderr, debug = false): Logger {
  return (level, msg, fields = {}) => {
    if (level === 'debug' && !debug) return;
    const time = new Date().toISOString();
    if (format === 'json') {
      out.write(JSON.stringify({ time, level, msg, ...fields }) + '\n');
      return;
    }
    const kv = Object.entries(fields)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : v}`)
      .join(' ');
    out.write(`${time} ${level.padEnd(5)} ${msg}${kv ? ' ' + kv : ''}\n`);
  };
}
