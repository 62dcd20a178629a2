// Which network namespace a command works in, and the netlink connection into it.
import { existsSync } from 'node:fs';
import { UserError } from '../cli/errors.js';
import { Connection } from '../netlink/connection.js';
import { SocketError } from '../netlink/errors.js';

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
