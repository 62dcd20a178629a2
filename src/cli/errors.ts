// How failures reach the user: every one as a single line, `netrec: WHAT;
// HOW TO FIX`, exit status 1. The stack trace is for netrec's developers:
// printed only with the global --debug flag (or for a bug in netrec itself,
// where the line says to run again with --debug).
import { ConfigError } from '../config/errors.js';
import { LockHeldError } from '../apply/lock.js';
import { DumpInterruptedError } from '../netlink/connection.js';
import { KernelError, SocketError } from '../netlink/errors.js';
import { TrustError } from '../state/trust.js';

/**
 * A failure the user caused or must act on: `what` went wrong and, when there
 * is one, the `fix`. Printed as `netrec: WHAT; FIX`, exit status 1. Any
 * module may throw it.
 */
export class UserError extends Error {
  readonly what: string;
  readonly fix?: string;
  constructor(what: string, fix?: string) {
    super(fix ? `${what}; ${fix}` : what);
    this.name = 'UserError';
    this.what = what;
    if (fix !== undefined) this.fix = fix;
  }
}

/** What node's system errors (fs, net) carry besides the message. */
interface SystemError extends Error {
  code: string;
  errno?: number;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

function isSystemError(e: unknown): e is SystemError {
  return e instanceof Error && typeof (e as SystemError).code === 'string' && /^E[A-Z0-9]+$/.test((e as SystemError).code);
}

/** "[::1]:9474", "127.0.0.1:9474", "*:9474" for a listen error's address. */
function listenAddress(e: SystemError): string {
  const host = e.address === undefined || e.address === '::' || e.address === '0.0.0.0' ? '*' : e.address.includes(':') ? `[${e.address}]` : e.address;
  return `${host}:${e.port ?? '?'}`;
}

const ERRNO_TEXT: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EMFILE: 'too many open files',
};

/** A system error as one line: what failed and how to fix it. */
function systemErrorLine(e: SystemError): string {
  if (e.syscall === 'listen' || e.syscall === 'bind') {
    const addr = listenAddress(e);
    if (e.code === 'EADDRINUSE') return `cannot listen on ${addr}: the address is already in use; stop the program listening there (see \`ss -ltnp\`) or choose another --metrics-address`;
    if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${addr}: no interface of this host has that address; use one of its addresses, or :PORT for all of them`;
    if (e.code === 'EACCES' || e.code === 'EPERM') return `cannot listen on ${addr}: permission denied; ports below 1024 need root (or CAP_NET_BIND_SERVICE): choose a port of 1024 or more`;
    return `cannot listen on ${addr}: ${e.code}; choose another --metrics-address`;
  }
  if (e.syscall === 'getaddrinfo') return `cannot resolve the host name "${(e as { hostname?: string }).hostname ?? '?'}" (${e.code}); use an IP address`;
  const text = ERRNO_TEXT[e.code] ?? e.code;
  const where = e.path ? ` ${e.path}` : '';
  const op = e.syscall ? `cannot ${e.syscall}${where}` : `failed${where}`;
  if (e.code === 'EACCES' || e.code === 'EPERM') return `${op}: ${text}; run netrec as root (it needs CAP_NET_ADMIN for the network and root's files in /run/netrec and /var/lib/netrec)`;
  if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return `${op}: ${text}; check the path`;
  if (e.code === 'EROFS' || e.code === 'ENOSPC') return `${op}: ${text}; free the file system or choose another --state-dir`;
  return `${op}: ${text} (${e.code}); run again with --debug for details`;
}

/**
 * The line(s) for an error as the user sees them (without the stack).
 * Config errors list every problem, one per line, then a summary line.
 */
export function describeError(e: unknown): { lines: string[]; internal: boolean } {
  if (e instanceof ConfigError) {
    const n = e.problems.length;
    return { lines: [e.message, `netrec: ${n} problem${n === 1 ? '' : 's'} in the configuration; nothing was changed`], internal: false };
  }
  if (e instanceof UserError || e instanceof LockHeldError || e instanceof SocketError || e instanceof TrustError) return { lines: [`netrec: ${e.message}`], internal: false };
  if (e instanceof KernelError) {
    const fix = e.code === 'EPERM' || e.code === 'EACCES' ? '; changing the network needs root or CAP_NET_ADMIN' : '';
    return { lines: [`netrec: the kernel refused: ${e.message}${fix}`], internal: false };
  }
  if (e instanceof DumpInterruptedError) {
    return { lines: [`netrec: ${e.message}; something keeps changing this namespace, nothing was planned from a torn read: try again`], internal: false };
  }
  if (isSystemError(e)) return { lines: [`netrec: ${systemErrorLine(e)}`], internal: false };
  const message = e instanceof Error ? e.message : String(e);
  const first = message.split('\n')[0]!.slice(0, 500);
  return { lines: [`netrec: internal error: ${first}; this is a bug in netrec: please report it with the output of the same command run with --debug`], internal: true };
}

/** Print an error the way users should see it (with `debug`, its stack too) and return the exit status: 1. */
export function reportError(e: unknown, opts: { debug?: boolean; write?: (s: string) => void } = {}): number {
  const write = opts.write ?? ((s: string) => void process.stderr.write(s));
  const { lines } = describeError(e);
  write(lines.join('\n') + '\n');
  if (opts.debug) write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return 1;
}

/**
 * Run a command body and set the exit status it returns (default 0). Errors
 * go up to the program (main.ts), which reports them through reportError.
 */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  const code = await body();
  process.exitCode = code ?? 0;
}
