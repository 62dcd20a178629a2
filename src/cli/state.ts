// The state directory and trusted-config checks, as commands use them.
import { namespaceKey, StateStore, DEFAULT_STATE_DIR } from '../state/store.js';
import { untrustedConfigs } from '../state/trust.js';
import { UserError } from './common.js';

export function openStore(stateDir: string | undefined, ns: string | undefined): StateStore {
  return new StateStore(stateDir ?? DEFAULT_STATE_DIR, namespaceKey(ns));
}

/** Refuse configs others could have written (when root), unless --insecure-config. */
export function checkTrust(configs: string[], insecure: boolean): void {
  if (insecure) return;
  const problems = untrustedConfigs(configs);
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.path}: ${p.why}`).join('\n');
  throw new UserError(`refusing a config that users other than root could have changed:\n${lines}\nfix the ownership/mode (chmod go-w), or pass --insecure-config`);
}
