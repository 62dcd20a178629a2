// One `netrec plan`: load the config, read the state (the kernel's, or a
// snapshot's), plan, show the plan in the format asked for, and save it
// when asked (`--out`, for `netrec apply FILE`).
import { ConfigError, type Warning } from '../config/errors.js';
import { warnOnStderr } from '../config/load.js';
import { loadWithRevision } from '../config/revision.js';
import { openConnection } from '../kernel/namespace.js';
import { loadDesired, planFor, readActual } from './prepare.js';
import { render, type Format, type Output } from './render/formats.js';
import { saveFor } from './saved.js';
import { isEmpty } from './types.js';

/** A plan as the command line asked for it. */
export interface PlanRequest {
  configs: string[];
  netns?: string;
  host: string;
  /** Plan against this snapshot (`netrec show -o json`) instead of the kernel. */
  fromState?: string;
  format: Format;
  full: boolean;
  /** Exit 2 when changes are pending. */
  detailedExitcode: boolean;
  /** Save the plan to this file. */
  saveTo?: string;
}

/** Returns the exit status: 0, or 2 with detailedExitcode and changes pending; 1 for config problems shown as a document. */
export async function runPlan(req: PlanRequest, out: Output): Promise<number> {
  const { configs, host, format } = req;
  // Config problems go to stdout as a document where the format has one (-o json, for CI annotations), warnings with them.
  const warnings: Warning[] = [];
  const asDocument = (e: unknown): number => {
    if (!(e instanceof ConfigError) || !render(format, 'problems', { problems: e.problems, warnings }, out)) throw e;
    return 1;
  };
  const load = () => loadDesired(configs, { host, warn: (w) => (warnings.push(w), warnOnStderr(w)) });
  let desired, revision;
  try {
    // A saved plan records the revision it was made from, for apply's history.
    ({ desired, revision } = req.saveTo !== undefined ? loadWithRevision(configs, host, load) : { desired: load(), revision: undefined });
  } catch (e) {
    return asDocument(e);
  }
  const conn = req.fromState ? undefined : openConnection(req.netns);
  try {
    let actual, plan;
    try {
      actual = await readActual(conn, req.fromState, desired.policy.protocol);
      plan = planFor(desired, actual);
    } catch (e) {
      return asDocument(e);
    }
    render(format, 'plan', { plan, actual, desired, full: req.full }, out);
    if (req.saveTo !== undefined) {
      const line = saveFor(req.saveTo, { configs, desired, actual, plan, netns: req.netns, fromState: Boolean(req.fromState), revision });
      // Where people read the plan, the line is with it; a document on stdout stays clean.
      (format.forPeople ? out.write : out.warn)(line);
    }
    return req.detailedExitcode && !isEmpty(plan) ? 2 : 0;
  } finally {
    conn?.close();
  }
}
