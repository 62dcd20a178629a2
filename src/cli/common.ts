// What every command shares: namespace resolution, error reporting, output.
import { Option } from 'commander';
import { existsSync } from 'node:fs';
import { defaultHost } from '../config/fleet.js';
import { Connection } from '../netlink/connection.js';
import { SocketError } from '../netlink/errors.js';
import { UserError } from './errors.js';

// Errors and durations have their own modules; what commands imported from here stays importable.
export { reportError, runCommand, UserError } from './errors.js';
export { parseDuration } from './duration.js';

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
    throw ns.includes('/')
      ? new UserError(`network namespace ${path} does not exist`, 'give the path of a namespace file, such as /proc/PID/ns/net of a running process')
      : new UserError(`network namespace "${ns}" does not exist (no ${path})`, `see \`ip netns list\` for the names, or create it with \`ip netns add ${ns}\``);
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
