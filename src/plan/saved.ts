// Saved plans: `netrec plan CONFIG --out FILE` writes the reviewed plan with
// everything needed to apply exactly it later; `netrec apply FILE` applies it
// only if the namespace, read again under the lock, still gives the same
// plan. The review loop of GitOps: plan in the pull request, apply what was
// approved, and refuse (naming what changed) when the network moved since.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { configFilePaths } from '../config/load.js';
import { keyOf } from '../model/identity.js';
import type { Desired, State } from '../model/types.js';
import { OBJECT_TYPES, objectsOf } from '../model/state.js';
import { planToJson } from './render/json.js';
import { planChanges, type Change, type Plan } from './types.js';
import { namespaceIdentity, sameNamespace, type NamespaceId } from '../state/store.js';
import { UserError } from '../cli/errors.js';
import { netnsPath } from '../kernel/namespace.js';

/** The first key of every saved plan: how `apply` tells one from a config, whatever the file is called. */
export const SAVED_PLAN_FORMAT = 'netrec-plan';
/**
 * The version this netrec writes and reads. 2: a link's kind options are
 * one field, `options` (they were a field per kind).
 */
export const SAVED_PLAN_VERSION = 2;

/** The namespace a plan was made for (null: planned against a snapshot, `--from-state`). */
export interface SavedNamespace {
  /** --netns as given (a name under /run/netns or a path); null: the namespace netrec ran in. */
  name: string | null;
  id: NamespaceId;
}

/** Everything the checksum covers. */
export interface SavedPlanBody {
  created: string;
  /** The config files and the SHA-256 of the bytes they had when planned. */
  sources: { file: string; sha256: string }[];
  namespace: SavedNamespace | null;
  /** The desired state, as loaded and validated: apply plans from it again, not from the files. */
  desired: Desired;
  /** The config's revision when planned (git commit or sha256:...). */
  revision?: string;
  /**
   * What the plan was computed against: for every object the plan touches or
   * the config declares, a digest of the object as it was ("absent" when
   * there was none), and one digest over them all.
   */
  state: { fingerprint: string; objects: Record<string, string> };
  /** The plan, as `plan -o json` prints it: for people and tools reading the file. */
  plan: ReturnType<typeof planToJson>;
  /** A digest of each change (in order), as compared at apply time. */
  changes: string[];
}

export interface SavedPlanFile {
  format: typeof SAVED_PLAN_FORMAT;
  version: number;
  /** "sha256:" + the SHA-256 of JSON.stringify(body): a damaged file is refused, not half-read. */
  checksum: string;
  body: SavedPlanBody;
}

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

/** Fields of a model object that are not part of what a plan is computed from or writes. */
const VOLATILE = new Set(['source', 'operState', 'limits']);

/** A model object (or change) as stable text: keys in order, volatile fields and undefined left out. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (k, x: unknown) => {
    if (VOLATILE.has(k)) return undefined;
    if (x && typeof x === 'object' && !Array.isArray(x)) {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((key) => [key, o[key]]));
    }
    return x;
  });
}

function changeDigest(c: Change): string {
  const { action, type, id, before, after, attrs, reason, placement, shadowed, effects } = c;
  return sha256(canonical({ action, type, id, before, after, attrs, reason, placement, shadowed, effects })).slice(0, 32);
}

const TYPES = OBJECT_TYPES;

/** "TYPE ID" of every object the plan touches or the config declares. */
function relevantKeys(desired: Desired, plan: Plan): Set<string> {
  const keys = new Set<string>();
  for (const type of TYPES) {
    const key = keyOf[type] as (o: unknown) => string;
    for (const o of objectsOf(desired.state, type)) keys.add(`${type} ${key(o)}`);
  }
  for (const c of planChanges(plan)) keys.add(`${c.type} ${c.id}`);
  return keys;
}

/** Digest of the actual objects under each key ("absent" when none). */
function stateObjects(actual: State, keys: Set<string>): Record<string, string> {
  const found = new Map<string, string[]>();
  for (const type of TYPES) {
    const key = keyOf[type] as (o: unknown) => string;
    for (const o of objectsOf(actual, type)) {
      const k = `${type} ${key(o)}`;
      if (!keys.has(k)) continue;
      let list = found.get(k);
      if (!list) found.set(k, (list = []));
      list.push(canonical(o));
    }
  }
  const out: Record<string, string> = {};
  for (const k of [...keys].sort()) {
    const list = found.get(k);
    out[k] = list ? sha256(list.sort().join('\n')).slice(0, 32) : 'absent';
  }
  return out;
}

function fingerprint(objects: Record<string, string>): string {
  return sha256(Object.entries(objects).map(([k, v]) => `${k}\t${v}`).join('\n'));
}

export interface SaveInput {
  configs: string[];
  desired: Desired;
  actual: State;
  plan: Plan;
  /** --netns as given; undefined: our own namespace. */
  netns: string | undefined;
  nsPath: string | undefined;
  /** Planned against a snapshot: no namespace is known. */
  fromState: boolean;
  /** The config's revision (config/revision.ts), recorded in history when the plan is applied. */
  revision?: string;
}

/** The saved plan's content (pure but for reading the config files' bytes and the namespace's identity). */
export function makeSavedPlan(x: SaveInput): SavedPlanFile {
  const sources = configFilePaths(x.configs, x.desired.fleet?.host).map((file) => {
    let digest = 'unreadable';
    try {
      digest = sha256(readFileSync(file));
    } catch {
      // the loader read it a moment ago; a file gone since is recorded as such
    }
    return { file, sha256: digest };
  });
  const objects = stateObjects(x.actual, relevantKeys(x.desired, x.plan));
  const body: SavedPlanBody = {
    created: new Date().toISOString(),
    sources,
    namespace: x.fromState ? null : { name: x.netns ?? null, id: namespaceIdentity(x.nsPath) },
    desired: x.desired,
    ...(x.revision !== undefined ? { revision: x.revision } : {}),
    state: { fingerprint: fingerprint(objects), objects },
    plan: planToJson(x.plan),
    changes: planChanges(x.plan).map(changeDigest),
  };
  return { format: SAVED_PLAN_FORMAT, version: SAVED_PLAN_VERSION, checksum: `sha256:${sha256(JSON.stringify(body))}`, body };
}

/** Write it next to its final name, then rename: a reader never sees half a plan. */
export function writeSavedPlan(path: string, saved: SavedPlanFile): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  // Key order matters: `format` first is what apply recognises.
  const text = `{"format":${JSON.stringify(saved.format)},"version":${saved.version},"checksum":${JSON.stringify(saved.checksum)},"body":${JSON.stringify(saved.body)}}\n`;
  try {
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // not made
    }
    throw new UserError(`cannot write the plan to ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const MARKER = /^\s*\{\s*"format"\s*:\s*"netrec-plan"/;

/** Whether `path` is a saved plan, by its first bytes (not its name). Not a regular file, or unreadable: no. */
export function isSavedPlan(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(256);
    const n = readSync(fd, head, 0, head.length, 0);
    return MARKER.test(head.subarray(0, n).toString('utf8'));
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** A saved plan from `path`, checked whole: format, version, checksum and shape. Throws one-line UserErrors. */
export function readSavedPlan(path: string): SavedPlanFile {
  const again = 'make it again with `netrec plan CONFIG --out FILE`';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the saved plan ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let f: Partial<SavedPlanFile>;
  try {
    f = JSON.parse(text) as Partial<SavedPlanFile>;
  } catch (e) {
    throw new UserError(`${path} is a damaged saved plan (${(e as Error).message}); ${again}`);
  }
  if (!f || typeof f !== 'object' || f.format !== SAVED_PLAN_FORMAT) throw new UserError(`${path} is not a saved plan; ${again}`);
  if (f.version !== SAVED_PLAN_VERSION) {
    throw new UserError(`${path} is a saved plan of format version ${JSON.stringify(f.version)}; this netrec reads version ${SAVED_PLAN_VERSION}: ${again}`);
  }
  const body = f.body;
  if (!body || typeof body !== 'object' || f.checksum !== `sha256:${sha256(JSON.stringify(body))}`) {
    throw new UserError(`${path} is a damaged saved plan (its checksum does not match its content); ${again}`);
  }
  const d = body.desired as Partial<Desired> | undefined;
  const shapeOk =
    d && d.state && d.policy && (['links', 'addresses', 'routes', 'rules', 'neighbors'] as const).every((field) => Array.isArray(d.state![field])) && Array.isArray(body.changes) &&
    body.state && typeof body.state.objects === 'object' && Array.isArray(body.sources);
  if (!shapeOk) throw new UserError(`${path} is a damaged saved plan (parts are missing); ${again}`);
  return f as SavedPlanFile;
}

function nsText(n: SavedNamespace): string {
  return n.name === null ? 'the namespace netrec ran in' : `namespace ${n.name}`;
}

/** A plan made for one namespace is not applied to another (checked before anything is locked or read). */
export function checkSavedNamespace(path: string, saved: SavedPlanFile, nsPath: string | undefined, netns: string | undefined): void {
  const ns = saved.body.namespace;
  if (!ns || sameNamespace(ns.id, namespaceIdentity(nsPath))) return;
  const target = netns === undefined ? 'the namespace netrec runs in' : `namespace ${netns}`;
  if (ns.name !== null && ns.name === (netns ?? null)) {
    throw new UserError(`${path} was planned for namespace ${ns.name} (made ${saved.body.created}), which has been deleted and made again since: run \`netrec plan\` again`);
  }
  throw new UserError(`${path} was planned for ${nsText(ns)} (made ${saved.body.created}), not for ${target}: apply it where it was planned, or run \`netrec plan\` again there`);
}

/**
 * Whether the plan computed now, under the lock, is the plan that was saved.
 * Throws a UserError naming what changed: the namespace, or the objects that
 * others added, removed or changed since. Nothing has been written when it throws.
 */
export function checkSavedPlan(path: string, saved: SavedPlanFile, now: { plan: Plan; actual: State }): void {
  const body = saved.body;
  const again = 'run `netrec plan` again';
  const digests = planChanges(now.plan).map(changeDigest);
  if (digests.length === body.changes.length && digests.every((d, i) => d === body.changes[i])) return;
  // Not the same plan: say what others changed among the objects the plan was about.
  const objects = stateObjects(now.actual, new Set(Object.keys(body.state.objects)));
  const what: string[] = [];
  for (const [k, was] of Object.entries(body.state.objects)) {
    const is = objects[k];
    if (is === was) continue;
    what.push(`${k} was ${was === 'absent' ? 'added' : is === 'absent' ? 'removed' : 'changed'} by another writer`);
  }
  if (what.length === 0) {
    // The objects the plan was about are as they were; others (an owned object it would now prune) moved.
    const savedIds = new Set(body.plan.changes.map((c) => `${c.action} ${c.type} ${c.id}`));
    const nowIds = planChanges(now.plan).map((c) => `${c.action} ${c.type} ${c.id}`);
    const extra = nowIds.filter((c) => !savedIds.has(c));
    const nowSet = new Set(nowIds);
    const gone = [...savedIds].filter((c) => !nowSet.has(c));
    what.push(...extra.map((c) => `the plan would now also ${c}`), ...gone.map((c) => `the plan would no longer ${c}`));
    if (what.length === 0) what.push('the changes it would make differ');
  }
  const shown = what.slice(0, 3).join('; ') + (what.length > 3 ? `; and ${what.length - 3} more` : '');
  throw new UserError(`the namespace changed since the plan was made: ${shown}; nothing was changed: ${again}`);
}

/** `plan --out FILE`: save the plan just shown; returns the line that says how to apply it. */
export function saveFor(file: string, x: Omit<SaveInput, 'nsPath'>): string {
  writeSavedPlan(file, makeSavedPlan({ ...x, nsPath: x.fromState ? undefined : netnsPath(x.netns) }));
  return `Saved the plan to ${file}. To make exactly these changes: netrec apply ${file}${x.netns !== undefined ? ` --netns ${x.netns}` : ''}\n`;
}

/** The saved plan `apply` was given, if it was given one (found by its content); a plan among configs is an error. */
export function openSavedPlan(configs: string[]): SavedPlanFile | undefined {
  const plans = configs.filter(isSavedPlan);
  if (plans.length === 0) return undefined;
  if (configs.length > 1) throw new UserError(`${plans[0]} is a saved plan: apply it alone (\`netrec apply ${plans[0]}\`), not together with configs`);
  return readSavedPlan(plans[0]!);
}
