// Saved plans as files: written, recognised by content, read back whole and
// checked against a plan computed again; refused when damaged, of another
// format version, or when the state under it changed.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkSavedPlan, isSavedPlan, makeSavedPlan, openSavedPlan, readSavedPlan, SAVED_PLAN_VERSION, writeSavedPlan } from '../../src/plan/saved.js';
import { normalizeArgv } from '../../src/cli/argv.js';
import { UserError } from '../../src/cli/common.js';
import { loadConfig } from '../../src/config/load.js';
import { emptyState, type Route, type State } from '../../src/model/types.js';
import { plan as makePlan } from '../../src/plan/plan.js';
import { writeFixtures, yaml } from '../config/helpers.js';

const CONFIG = yaml(
  'version: 1',
  'interfaces:',
  '  - name: br0',
  '    kind: bridge',
  '    mtu: 1400',
  '    addresses: [192.0.2.1/24]',
  'routes:',
  '  - { to: 10.0.0.0/8, via: 192.0.2.254 }',
  '  - { to: 10.1.0.0/16, type: blackhole }',
);

const FOREIGN: Route = { family: 'ipv4', table: 254, to: '10.1.0.0/16', metric: 0, tos: 0, type: 'unicast', via: '192.0.2.9', dev: 'br0', protocol: 4 };

function setup(actual: State = emptyState()) {
  const { dir, paths } = writeFixtures({ 'c.yaml': CONFIG });
  const desired = loadConfig(paths);
  const { plan } = makePlan(desired, actual);
  const saved = makeSavedPlan({ configs: paths, desired, actual, plan, netns: undefined, nsPath: undefined, fromState: true });
  const file = join(dir, 'reviewed.plan');
  writeSavedPlan(file, saved);
  return { dir, paths, desired, plan, file };
}

function userError(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.doesNotMatch(e.message, /\n/, 'one line');
    assert.match(e.message, pattern);
    return true;
  });
}

describe('saved plan files', () => {
  it('round trip: written, recognised by content whatever its name, read back, the same plan passes', () => {
    const { file, paths } = setup();
    assert.ok(isSavedPlan(file));
    assert.ok(!isSavedPlan(paths[0]!), 'a config is not a saved plan');
    const back = readSavedPlan(file);
    assert.equal(back.version, SAVED_PLAN_VERSION);
    assert.equal(back.body.namespace, null, 'planned from a snapshot: no namespace');
    assert.equal(back.body.sources.length, 1);
    assert.match(back.body.sources[0]!.sha256, /^[0-9a-f]{64}$/);
    assert.equal(back.body.plan.summary.create, 4);
    // Planned again from the desired state the file carries, against the same state: accepted.
    const again = makePlan(back.body.desired, emptyState()).plan;
    checkSavedPlan(file, back, { plan: again, actual: emptyState() });
    assert.deepEqual(openSavedPlan([file])?.body.changes, back.body.changes);
  });

  it('a route another writer added since is named, and the plan refused', () => {
    const { file } = setup();
    const back = readSavedPlan(file);
    const now: State = { ...emptyState(), routes: [FOREIGN] };
    const again = makePlan(back.body.desired, now).plan;
    userError(() => checkSavedPlan(file, back, { plan: again, actual: now }), /^the namespace changed since the plan was made: route .*10\.1\.0\.0\/16.* was added by another writer; nothing was changed: run `netrec plan` again$/);
  });

  it('an object removed or changed since is named', () => {
    // netrec's own route to 10.0.0.0/8 through another gateway: the plan updates it.
    const ours: Route = { ...FOREIGN, to: '10.0.0.0/8', via: '192.0.2.9', protocol: 0x4e };
    const before: State = { ...emptyState(), routes: [ours] };
    const { file } = setup(before);
    const back = readSavedPlan(file);
    assert.ok(back.body.plan.changes.some((c) => c.action === 'update' && c.type === 'route'), JSON.stringify(back.body.plan.changes));
    const gone = makePlan(back.body.desired, emptyState()).plan;
    userError(() => checkSavedPlan(file, back, { plan: gone, actual: emptyState() }), /route 10\.0\.0\.0\/8.* was removed by another writer/);
    const changed: State = { ...emptyState(), routes: [{ ...ours, via: '192.0.2.8' }] };
    userError(() => checkSavedPlan(file, back, { plan: makePlan(back.body.desired, changed).plan, actual: changed }), /route 10\.0\.0\.0\/8.* was changed by another writer/);
    // Unchanged: the same plan, accepted.
    checkSavedPlan(file, back, { plan: makePlan(back.body.desired, before).plan, actual: before });
  });

  it('a file of another format version is refused, saying which', () => {
    const { file } = setup();
    writeFileSync(file, readFileSync(file, 'utf8').replace(`"version":${SAVED_PLAN_VERSION}`, '"version":99'));
    assert.ok(isSavedPlan(file));
    userError(() => readSavedPlan(file), new RegExp(`saved plan of format version 99; this netrec reads version ${SAVED_PLAN_VERSION}`));
  });

  it('a truncated file, or one with a changed byte, is refused as damaged', () => {
    const { file } = setup();
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    userError(() => openSavedPlan([file]), /is a damaged saved plan \(.*JSON.*\); make it again/);
    writeFileSync(file, text.replace('10.0.0.0/8', '10.0.0.0/9'));
    userError(() => readSavedPlan(file), /damaged saved plan \(its checksum does not match its content\)/);
  });

  it('a saved plan given together with configs is refused', () => {
    const { file, paths } = setup();
    userError(() => openSavedPlan([file, paths[0]!]), /is a saved plan: apply it alone/);
    assert.equal(openSavedPlan(paths), undefined);
  });
});

describe('argv', () => {
  it("Terraform's -out FILE and -out=FILE become --out; after -- nothing is touched; -o stays", () => {
    assert.deepEqual(normalizeArgv(['node', 'netrec', 'plan', 'c.yaml', '-out', 'p']), ['node', 'netrec', 'plan', 'c.yaml', '--out', 'p']);
    assert.deepEqual(normalizeArgv(['node', 'netrec', 'plan', '-out=p', 'c.yaml']), ['node', 'netrec', 'plan', '--out=p', 'c.yaml']);
    assert.deepEqual(normalizeArgv(['node', 'netrec', 'plan', '-o', 'json', 'c.yaml']), ['node', 'netrec', 'plan', '-o', 'json', 'c.yaml']);
    assert.deepEqual(normalizeArgv(['node', 'netrec', 'plan', '--', '-out']), ['node', 'netrec', 'plan', '--', '-out']);
  });
});
