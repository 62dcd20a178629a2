// The state directory and trusted configs, as commands use them.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import type { LoadOptions } from '../config/load.js';
import { namespaceIdentity, StateStore, DEFAULT_STATE_DIR } from './store.js';
import { readTrusted, TrustError } from './trust.js';
import { UserError } from '../cli/errors.js';
import { netnsPath } from '../kernel/namespace.js';

/**
 * The state folder of namespace `ns` (a name or a path), trusted; with
 * `create`, made when missing. An untrusted one is a UserError.
 */
export function openStore(
  stateDir: string | undefined,
  ns: string | undefined,
  opts: { create?: boolean; /** What the command reads, for the message when it may not ("the history"). */ reading?: string; command?: string } = {},
): StateStore {
  try {
    return new StateStore(stateDir ?? DEFAULT_STATE_DIR, namespaceIdentity(netnsPath(ns)), { create: opts.create });
  } catch (e) {
    if (e instanceof TrustError) throw new UserError(`refusing the state directory: ${e.message}, or choose another --state-dir; nothing was read from it or changed`);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      const root = stateDir ?? DEFAULT_STATE_DIR;
      const where = (e as NodeJS.ErrnoException).path ?? root;
      throw new UserError(
        opts.reading ? `cannot read ${opts.reading} of this namespace (${where}): permission denied` : `cannot ${opts.create ? 'use' : 'read'} the state directory ${where}: permission denied`,
        `run ${opts.command ? `\`${opts.command}\` ` : ''}as root or with CAP_NET_ADMIN (netrec keeps its state in ${root}, readable by root only), or choose another --state-dir`,
      );
    }
    throw e;
  }
}

/** How configs are read by commands that write as root: trusted, unless --insecure-config. */
export function configReader(insecure: boolean): LoadOptions {
  if (insecure) return {};
  return {
    read(file, maxBytes) {
      try {
        return readTrusted(file, undefined, maxBytes);
      } catch (e) {
        if (e instanceof TrustError) {
          throw new UserError(`refusing config ${e.path === file ? '' : `${file}: `}${e.message} (or copy the config into a directory only root can write, or pass --insecure-config); nothing was changed`);
        }
        throw e;
      }
    },
  };
}

/**
 * Throws a UserError when `file` in the store exists but this user cannot
 * read it (or cannot even look into the folder): "nothing there" would be a
 * wrong answer. `what` names the record ("the pending confirmation").
 */
export function assertReadable(store: StateStore, file: string, what: string, command: string): void {
  const path = join(store.dir, file);
  try {
    accessSync(path, constants.R_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UserError(`cannot read ${what} of this namespace (${path}): permission denied`, `run \`${command}\` as root or with CAP_NET_ADMIN (netrec's state is readable by root only)`);
    }
    // missing (nothing recorded), or any other problem: the reader says so
  }
}
