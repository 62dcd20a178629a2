// What every command shares: namespace resolution, error reporting, output.
import { Option } from 'commander';
import { existsSync } from 'node:fs';
import { defaultHost } from '../config/fleet.js';
import { ConfigError } from '../config/errors.js';
import { LockHeldError } from '../apply/lock.js';
import { Connection, DumpInterruptedError } from '../netlink/connection.js';
import { KernelError, SocketError } from '../netlink/errors.js';

/** An error the user caused or must act on: printed as one line, exit 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** --host HOST, the same for validate, plan, apply, watch and show --sources: which host's view of a fleet directory to use. */
export function hostOption(): Option {
  return new Option('--host <host>', "with a fleet directory (common/, groups/NAME/, hosts/HOST/): the host whose view to load (default: this machine's hostname); plain configs ignore it");
}

/** The host a command loads a fleet for: --host, else the hostname. */
export function hostOf(opts: { host?: string }): string {
  return opts.host ?? defaultHost();
}

/** --netns NS: a name under /run/netns, or a path such as /proc/PID/ns/net. */
export function netnsPath(ns: string | undefined): string | undefined {
  if (ns === undefined) return undefined;
  const path = ns.includes('/') ? ns : `/run/netns/${ns}`;
  if (!existsSync(path)) {
    throw new UserError(ns.includes('/') ? `network namespace ${path} does not exist` : `network namespace "${ns}" does not exist (no ${path}; see \`ip netns list\`)`);
  }
  return path;
}

export function openConnection(ns: string | undefined): Connection {
  const path = netnsPath(ns);
  try {
    return Connection.open({ netns: path });
  } catch (e) {
    if (e instanceof SocketError && (e.code === 'EPERM' || e.code === 'EACCES')) {
      throw new UserError(`${e.message}: entering a network namespace needs root (CAP_SYS_ADMIN)`);
    }
    if (e instanceof SocketError) throw new UserError(e.message);
    throw e;
  }
}

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}

/** "60s", "5m", "1h", "250ms", or a bare number of seconds -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UserError(`invalid duration "${text}" (examples: 500ms, 30s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}

/** Print an error the way users should see it and return the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    const n = e.problems.length;
    process.stderr.write(`netrec: ${n} problem${n === 1 ? '' : 's'} in the configuration; nothing was changed\n`);
  } else if (e instanceof UserError || e instanceof LockHeldError || e instanceof SocketError) {
    process.stderr.write(`netrec: ${e.message}\n`);
  } else if (e instanceof KernelError) {
    process.stderr.write(`netrec: the kernel refused: ${e.message}\n`);
  } else if (e instanceof DumpInterruptedError) {
    process.stderr.write(`netrec: ${e.message}; something keeps changing this namespace, nothing was planned from a torn read: try again\n`);
  } else {
    process.stderr.write(`netrec: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  }
  return 1;
}

/** Run a command body; any error becomes one clear message and exit status 1. */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    process.exitCode = code ?? 0;
  } catch (e) {
    process.exitCode = reportError(e);
  }
}
