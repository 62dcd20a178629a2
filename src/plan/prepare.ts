// The steps plan and apply share: config in, actual state in, plan out.
import { checkReferences, ConfigError, loadConfig, loadSnapshot } from '../config/index.js';
import { kernelLimitProblems } from '../config/limits.js';
import type { LoadOptions } from '../config/load.js';
import { readState } from '../kernel/read.js';
import type { Desired, State } from '../model/types.js';
import type { Connection } from '../netlink/connection.js';
import { plan as makePlan } from './plan.js';
import type { Plan } from './types.js';
import { UserError } from '../cli/errors.js';
import { isSavedPlan } from './saved.js';

export interface Prepared {
  desired: Desired;
  actual: State;
  plan: Plan;
}

/** Check references against the actual state, then plan. Throws ConfigError / UserError. */
export function planFor(desired: Desired, actual: State): Plan {
  // What the kernel would refuse and can be known now (config/limits.ts): before any write.
  const problems = [...checkReferences(desired, actual), ...kernelLimitProblems(desired, actual)];
  if (problems.length > 0) throw new ConfigError(problems);
  const { plan, problems: planProblems } = makePlan(desired, actual);
  if (planProblems.length > 0) {
    const lines = planProblems.map((p) => (p.source ? `${p.source.file}:${p.source.line}:${p.source.col}: ${p.message}` : p.message));
    throw new UserError(`cannot plan:\n${lines.join('\n')}`);
  }
  return plan;
}

export function loadDesired(configs: string[], opts?: LoadOptions): Desired {
  if (configs.length === 0) throw new UserError('no CONFIG given (a YAML file or a directory of them)');
  const saved = configs.find(isSavedPlan);
  if (saved !== undefined) throw new UserError(`${saved} is a plan saved by \`netrec plan --out\`, not a config: \`netrec apply ${saved}\` applies it`);
  return loadConfig(configs, opts);
}

export async function readActual(conn: Connection | undefined, fromState: string | undefined, protocol: number): Promise<State> {
  if (fromState !== undefined) return loadSnapshot(fromState);
  return readState(conn!, { protocol });
}
