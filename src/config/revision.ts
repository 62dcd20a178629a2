// The revision of a config (contract section 8): the git commit checked out
// in the work tree that holds it, else a content hash of its files. Read from
// the repository's own files; no git program is run.
//
// Found for the config's real path (symlinks resolved, so a git-sync link,
// `current` -> `.worktrees/<hash>` or `rev-<hash>`, names the worktree it
// points at now): the nearest `.git` above it, a directory or a gitfile
// (`gitdir: PATH`, as in worktrees and submodules); HEAD there, a commit
// (detached) or `ref: NAME`; the ref as a loose file (in the worktree's own
// git directory, then in the common one its `commondir` names) or a line of
// packed-refs. A repository in a form this cannot read (reftable, an unborn
// branch) gives the content hash instead.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Desired } from '../model/types.js';
import { configFilePaths } from './load.js';

const COMMIT = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
/** A git-sync worktree directory: `<hash>` under .worktrees (v4) or `rev-<hash>` (v3 style). */
const SYNC_DIR = /^(?:rev-)?([0-9a-f]{40}(?:[0-9a-f]{24})?)$/;
const MAX_REF_DEPTH = 5;

function readText(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The git directory of the work tree holding `dir`, and the directory of the work tree. */
function findGitDir(start: string): { gitDir: string; workTree: string } | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    if (isDir(dotGit)) return { gitDir: dotGit, workTree: dir };
    const text = readText(dotGit);
    if (text !== undefined) {
      const m = /^gitdir:\s*(.+?)\s*$/m.exec(text);
      if (m) return { gitDir: isAbsolute(m[1]!) ? m[1]! : resolve(dir, m[1]!), workTree: dir };
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** A ref's commit: loose in the worktree's git directory, then in the common one, then packed. */
function resolveRef(gitDir: string, common: string, ref: string, depth = 0): string | undefined {
  if (depth > MAX_REF_DEPTH || ref.includes('..')) return undefined;
  for (const base of gitDir === common ? [common] : [gitDir, common]) {
    const text = readText(join(base, ref))?.trim();
    if (text === undefined) continue;
    if (COMMIT.test(text)) return text;
    const sym = /^ref:\s*(\S+)$/.exec(text);
    if (sym) return resolveRef(gitDir, common, sym[1]!, depth + 1);
  }
  const packed = readText(join(common, 'packed-refs'));
  for (const line of packed?.split('\n') ?? []) {
    const [hash, name] = line.trim().split(/\s+/);
    if (name === ref && hash && COMMIT.test(hash)) return hash;
  }
  return undefined;
}

/** The commit checked out in the git work tree holding `path` (symlinks resolved), or undefined. */
export function gitCommit(path: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return undefined;
  }
  const found = findGitDir(isDir(real) ? real : dirname(real));
  if (found) {
    const { gitDir } = found;
    const commonText = readText(join(gitDir, 'commondir'))?.trim();
    const common = commonText ? resolve(gitDir, commonText) : gitDir;
    const head = readText(join(gitDir, 'HEAD'))?.trim();
    if (head !== undefined) {
      if (COMMIT.test(head)) return head;
      const m = /^ref:\s*(\S+)$/.exec(head);
      if (m) {
        const commit = resolveRef(gitDir, common, m[1]!);
        if (commit) return commit;
      }
    }
  }
  // A git-sync worktree whose repository is not readable here (only the
  // worktree was mounted): its directory is named by the commit.
  for (let dir = real; dirname(dir) !== dir; dir = dirname(dir)) {
    const m = SYNC_DIR.exec(basename(dir));
    if (m && (basename(dirname(dir)) === '.worktrees' || basename(dir).startsWith('rev-'))) return m[1]!;
  }
  return undefined;
}

/** `sha256:HEX` of the config's files: their names relative to the first CONFIG, and their bytes. */
export function contentRevision(configs: string[], host?: string): string {
  const h = createHash('sha256');
  const first = resolve(configs[0] ?? '.');
  const base = isDir(first) ? first : dirname(first);
  for (const f of configFilePaths(configs, host)) {
    h.update(`${relative(base, f)}\n`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(f);
    } catch {
      bytes = Buffer.from('(unreadable)');
    }
    h.update(`${bytes.length}\n`);
    h.update(bytes);
  }
  return `sha256:${h.digest('hex')}`;
}

/**
 * The revision of CONFIG: the git commit when every CONFIG lies in a git
 * work tree at one commit (a git-sync link included), else the content hash
 * of the files (of `host`'s view, for a fleet).
 */
export function configRevision(configs: string[], host?: string): string {
  const commits = new Set(configs.map((c) => gitCommit(c)));
  const [only] = commits;
  if (commits.size === 1 && only !== undefined) return only;
  return contentRevision(configs, host);
}

/**
 * Load a config together with its revision, the two of one checkout: the
 * revision is read before and after the load, and a link flipped in between
 * (git-sync, a ConfigMap swap) means loading again.
 */
export function loadWithRevision(configs: string[], host: string | undefined, load: () => Desired): { desired: Desired; revision: string } {
  let revision = configRevision(configs, host);
  for (let attempt = 0; ; attempt++) {
    const desired = load();
    const after = configRevision(configs, host);
    if (after === revision || attempt >= 2) return { desired, revision: after };
    revision = after;
  }
}
