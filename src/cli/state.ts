// The state directory and trusted configs, as commands use them.
import type { LoadOptions } from '../config/load.js';
import { namespaceIdentity, StateStore, DEFAULT_STATE_DIR } from '../state/store.js';
import { readTrusted, TrustError } from '../state/trust.js';
import { netnsPath, UserError } from './common.js';

/**
 * The state folder of namespace `ns` (a name or a path), trusted; with
 * `create`, made when missing. An untrusted one is a UserError.
 */
export function openStore(stateDir: string | undefined, ns: string | undefined, opts: { create?: boolean } = {}): StateStore {
  try {
    return new StateStore(stateDir ?? DEFAULT_STATE_DIR, namespaceIdentity(netnsPath(ns)), opts);
  } catch (e) {
    if (e instanceof TrustError) throw new UserError(`refusing the state directory: ${e.message}, or choose another --state-dir; nothing was read from it or changed`);
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
        if (e instanceof TrustError) throw new UserError(`refusing config ${e.path === file ? '' : `${file}: `}${e.message} (or pass --insecure-config); nothing was changed`);
        throw e;
      }
    },
  };
}
