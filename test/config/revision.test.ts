// The config's revision, read from the repository's files: checked against
// what `git` itself says for repositories that `git` made (plain, packed
// refs, detached HEAD, a worktree, git-sync's worktree-per-commit layout
// behind a link that is flipped), and the content hash without a repository.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { configRevision, contentRevision, gitCommit, loadWithRevision } from '../../src/config/revision.js';
import { loadConfig } from '../../src/config/load.js';
import { scratchDir } from '../helpers/scratch.js';

const tmp = scratchDir('revision-');
after(() => rmSync(tmp, { recursive: true, force: true }));

const ENV = {
  ...process.env,
  HOME: tmp,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.net',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.net',
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'init.defaultBranch=main', ...args], { cwd, env: ENV, encoding: 'utf8', timeout: 30_000 }).trim();
}

/** A repository with a config in conf/, and two commits; returns the repo and both commits. */
function repo(name: string): { dir: string; first: string; second: string } {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'conf'), { recursive: true });
  git(dir, 'init', '-q');
  writeFileSync(join(dir, 'conf', 'a.yaml'), 'version: 1\ninterfaces: [{ name: a, kind: dummy }]\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'first');
  const first = git(dir, 'rev-parse', 'HEAD');
  writeFileSync(join(dir, 'conf', 'a.yaml'), 'version: 1\ninterfaces: [{ name: b, kind: dummy }]\n');
  git(dir, 'commit', '-qam', 'second');
  return { dir, first, second: git(dir, 'rev-parse', 'HEAD') };
}

test('a plain repository: the branch HEAD names, from its loose ref', () => {
  const r = repo('plain');
  assert.ok(existsSync(join(r.dir, '.git', 'refs', 'heads', 'main')));
  assert.equal(gitCommit(join(r.dir, 'conf')), r.second);
  assert.equal(gitCommit(join(r.dir, 'conf', 'a.yaml')), r.second);
  assert.equal(configRevision([join(r.dir, 'conf')]), r.second);
});

test('packed refs: the branch read from packed-refs', () => {
  const r = repo('packed');
  git(r.dir, 'pack-refs', '--all');
  assert.ok(!existsSync(join(r.dir, '.git', 'refs', 'heads', 'main')), 'the loose ref is gone');
  assert.equal(configRevision([join(r.dir, 'conf')]), r.second);
  assert.equal(configRevision([join(r.dir, 'conf')]), git(r.dir, 'rev-parse', 'HEAD'));
});

test('a detached HEAD: the commit in HEAD itself', () => {
  const r = repo('detached');
  git(r.dir, 'checkout', '-q', '--detach', r.first);
  assert.equal(configRevision([join(r.dir, 'conf')]), r.first);
});

test('a linked worktree: its gitfile, its own HEAD, refs from the common directory', () => {
  const r = repo('main-wt');
  const wt = join(tmp, 'linked');
  git(r.dir, 'worktree', 'add', '-q', '-b', 'other', wt, r.first);
  assert.equal(configRevision([join(wt, 'conf')]), r.first);
  // The branch moves in the common directory (packed there, too): the worktree follows.
  writeFileSync(join(wt, 'conf', 'a.yaml'), 'version: 1\n');
  git(wt, 'commit', '-qam', 'third');
  const third = git(wt, 'rev-parse', 'HEAD');
  assert.equal(configRevision([join(wt, 'conf')]), third);
  git(r.dir, 'pack-refs', '--all');
  assert.equal(configRevision([join(wt, 'conf')]), third);
  // The main work tree still says its own.
  assert.equal(configRevision([join(r.dir, 'conf')]), r.second);
});

test("git-sync's layout: a link to .worktrees/<commit>, flipped to a new commit by a rename", () => {
  const r = repo('sync-src');
  // As git-sync lays it out: the repository under root/.git, one detached worktree per commit, a link to the current one.
  const root = join(tmp, 'sync');
  mkdirSync(root);
  git(root, 'clone', '-q', '--no-checkout', r.dir, join(root, '.git-src'));
  renameSync(join(root, '.git-src', '.git'), join(root, '.git'));
  rmSync(join(root, '.git-src'), { recursive: true });
  git(root, 'config', 'core.bare', 'false');
  git(root, 'worktree', 'add', '-q', '--detach', join(root, '.worktrees', r.first), r.first);
  symlinkSync(join('.worktrees', r.first), join(root, 'current'));
  const config = join(root, 'current', 'conf');
  assert.equal(configRevision([config]), r.first);
  assert.equal(configRevision([join(root, 'current')]), r.first);
  // The next commit: a new worktree, and a new link renamed over the old one (atomic).
  git(root, 'worktree', 'add', '-q', '--detach', join(root, '.worktrees', r.second), r.second);
  symlinkSync(join('.worktrees', r.second), join(root, 'current.tmp'));
  renameSync(join(root, 'current.tmp'), join(root, 'current'));
  assert.equal(configRevision([config]), r.second);
  // The config loaded with it is that commit's.
  const { desired, revision } = loadWithRevision([config], undefined, () => loadConfig([config]));
  assert.equal(revision, r.second);
  assert.deepEqual(desired.state.links.map((l) => l.name), ['b']);
});

test('a git-sync worktree without its repository, and the rev-<commit> naming: the commit from the directory name', () => {
  const hash = 'a'.repeat(40);
  for (const dir of [join(tmp, 'bare-sync', '.worktrees', hash), join(tmp, 'v3-sync', `rev-${hash}`)]) {
    mkdirSync(join(dir, 'conf'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'a.yaml'), 'version: 1\n');
    assert.equal(configRevision([join(dir, 'conf')]), hash, dir);
  }
});

test('no repository: a sha256 content hash of the files, the same wherever they lie, another when they change', () => {
  const dir = join(tmp, 'norepo', 'conf');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.yaml'), 'version: 1\n');
  writeFileSync(join(dir, 'b.yaml'), 'version: 1\ninterfaces: []\n');
  const rev = configRevision([dir]);
  assert.match(rev, /^sha256:[0-9a-f]{64}$/);
  assert.equal(rev, contentRevision([dir]));
  assert.equal(gitCommit(dir), undefined);
  const copy = join(tmp, 'norepo-copy', 'conf');
  cpSync(dir, copy, { recursive: true });
  assert.equal(configRevision([copy]), rev);
  writeFileSync(join(copy, 'b.yaml'), 'version: 1\ninterfaces: [] \n');
  assert.notEqual(configRevision([copy]), rev);
  // A broken repository (HEAD names a branch with no commit) is no revision either.
  const unborn = join(tmp, 'unborn');
  mkdirSync(join(unborn, 'conf'), { recursive: true });
  git(unborn, 'init', '-q');
  writeFileSync(join(unborn, 'conf', 'a.yaml'), 'version: 1\n');
  assert.match(configRevision([join(unborn, 'conf')]), /^sha256:/);
});
