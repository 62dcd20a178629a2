// The output formats' table: every format a command's --help offers is in
// the table and renders that command's subject (a fixture plan, state,
// report); the help text and the unknown-format message come from it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Command, Option } from 'commander';
import type { ApplyOutcome } from '../../src/apply/apply.js';
import { buildProgram } from '../../src/cli/main.js';
import { UserError } from '../../src/cli/errors.js';
import { plan } from '../../src/plan/plan.js';
import { FORMATS, formatChoices, formatFor, formatsFor, render, type Output, type Subject, type Subjects } from '../../src/plan/render/formats.js';
import { statusOf } from '../../src/state/status.js';
import { desiredOf, link, route, state } from './fixtures.js';

const desired = desiredOf({ links: [link('d0')], routes: [route('10.0.0.0/8', { dev: 'd0' })] });
const actual = state();
const fixturePlan = plan(desired, actual).plan;
const outcome: ApplyOutcome = {
  result: 'applied',
  messages: 2,
  sysctlWrites: 0,
  refusals: [],
  mismatches: [],
  unconverged: [],
  rollbackLeft: [],
  interrupted: false,
  rounds: 1,
  verifiedBy: 'read',
  writeMs: 1,
};

/** One value of every subject. */
const FIXTURES: { [K in Subject]: Subjects[K] } = {
  plan: { plan: fixturePlan, actual, desired },
  problems: { problems: [{ file: 'net.yaml', line: 3, col: 5, message: 'bad' }], warnings: [] },
  preview: { plan: fixturePlan, desired },
  apply: { plan: fixturePlan, result: 'applied', messages: 2, durationMs: 12.5, phases: { start: 1, load: 2, read: 3, plan: 4, write: 5, verify: 6 }, outcome },
  state: { state: state({ links: [link('d0')] }), all: false },
  sources: desired,
  validate: { files: ['net.yaml'], verbose: true, warnings: [], desired },
  fleet: { root: 'fleet', hosts: [{ host: 'edge-1', desired }] },
  status: statusOf([], undefined),
  history: [],
};

/** The subject each command's -o shows, and the formats it has always offered (in its help's order). */
const COMMANDS: Record<string, { subject: Subject; formats: string[] }> = {
  plan: { subject: 'plan', formats: ['text', 'json', 'diff'] },
  apply: { subject: 'apply', formats: ['text', 'json'] },
  show: { subject: 'state', formats: ['yaml', 'json'] },
  validate: { subject: 'validate', formats: ['text', 'json'] },
  status: { subject: 'status', formats: ['text', 'json'] },
  history: { subject: 'history', formats: ['text', 'json'] },
};

function capture(color = false): Output & { out: string; err: string } {
  const o = {
    out: '',
    err: '',
    color,
    write: (s: string) => void (o.out += s),
    warn: (s: string) => void (o.err += s),
  };
  return o;
}

/** "text, json or diff" -> ["text", "json", "diff"] */
function listed(help: string): string[] {
  return help.split(/, | or /);
}

describe('output formats table', async () => {
  const program = await buildProgram();
  const command = (name: string): Command => program.commands.find((c) => c.name() === name)!;
  const outputOf = (c: Command): Option => c.options.find((o) => o.long === '--output')!;

  test('every command with -o offers its formats from the table, in --help too', () => {
    for (const [name, { subject, formats }] of Object.entries(COMMANDS)) {
      const c = command(name);
      const option = outputOf(c);
      assert.ok(option, `${name} has -o`);
      assert.deepEqual(listed(option.description), formats, `${name} -o choices`);
      assert.equal(option.description, formatChoices(subject), `${name}: the help text is the table's`);
      assert.match(c.helpInformation(), new RegExp(`-o, --output <format>\\s+${formatChoices(subject)}`), `${name} --help`);
      assert.deepEqual(formatsFor(subject).map((f) => f.name), formats, `${name}: the table's formats for ${subject}`);
    }
    // show --sources names its own formats, from the table as well.
    const sources = command('show').options.find((o) => o.long === '--sources')!;
    assert.ok(sources.description.includes(`(-o ${formatChoices('sources')})`));
    assert.equal(formatChoices('sources'), 'text or json');
  });

  test('every format listed in --help renders that command\'s fixture', () => {
    for (const [name, { subject }] of Object.entries(COMMANDS)) {
      for (const f of listed(outputOf(command(name)).description)) {
        const format = formatFor(subject, f);
        assert.equal(format.name, f);
        const out = capture();
        assert.equal(render(format, subject, FIXTURES[subject], out), true, `${name} -o ${f}`);
        assert.ok(out.out.length > 0, `${name} -o ${f} writes something`);
        if (f === 'json') assert.doesNotThrow(() => JSON.parse(out.out), `${name} -o json is JSON`);
      }
    }
  });

  test('each format renders what it shows, with the shapes the commands print', () => {
    const shown = (format: string, subject: Subject, color = false) => {
      const out = capture(color);
      assert.ok(render(formatFor(subject, format), subject, FIXTURES[subject], out));
      return out;
    };
    assert.match(shown('text', 'plan').out, /^\+ interface d0[^]*\+ route 10\.0\.0\.0\/8 dev d0 proto netrec\n[^]*Plan: 2 to create, 0 to update, 0 to replace, 0 to delete\.\n$/);
    assert.match(shown('text', 'plan', true).out, /\x1b\[32m\+\x1b\[0m interface d0/, 'colours where the output takes them');
    assert.deepEqual(Object.keys(JSON.parse(shown('json', 'plan').out)), ['changes', 'summary']);
    assert.match(shown('diff', 'plan').out, /^--- current\n\+\+\+ desired\n/m);
    assert.match(shown('text', 'preview').out, /Plan: 2 to create/);
    assert.equal(shown('text', 'apply').out, 'Applied: 2 created, 0 updated, 0 replaced, 0 deleted in 0.01s (2 netlink messages).\n');
    const applied = JSON.parse(shown('json', 'apply').out);
    assert.deepEqual(Object.keys(applied), ['changes', 'summary', 'messages', 'sysctlWrites', 'durationMs', 'result', 'phasesMs']);
    assert.deepEqual(applied.phasesMs, { start: 1, load: 2, read: 3, plan: 4, write: 5, verify: 6 });
    assert.match(shown('yaml', 'state').out, /^version: 1\ninterfaces:\n {2}- name: d0\n/);
    assert.equal(JSON.parse(shown('json', 'state').out).interfaces[0].name, 'd0');
    assert.equal(shown('text', 'validate').out, 'read net.yaml\n1 file valid: 1 interfaces, 0 addresses, 1 routes, 0 rules, 0 neighbors\n');
    assert.equal(shown('text', 'fleet').out, 'host edge-1: 1 file valid: 1 interfaces, 0 addresses, 1 routes, 0 rules, 0 neighbors\nfleet fleet: all 1 hosts valid\n');
    assert.equal(JSON.parse(shown('json', 'problems').out).errors[0].column, 5);
    assert.match(shown('text', 'status').out, /^No runs recorded/);
    assert.equal(shown('text', 'history').out, 'No applies recorded.\n');
    assert.equal(shown('json', 'history').out, '[]\n');
  });

  test('a format that does not show a subject renders nothing and says so', () => {
    const out = capture();
    assert.equal(render(formatFor('plan', 'json'), 'preview', FIXTURES.preview, out), false);
    assert.equal(out.out, '');
  });

  test('an unknown or unfit format is a one-line error naming the choices', () => {
    assert.throws(() => formatFor('plan', 'yaml'), (e: unknown) => e instanceof UserError && e.message === 'unknown output format "yaml" (text, json or diff)');
    assert.throws(() => formatFor('state', 'text'), { message: 'unknown output format "text" (yaml or json)' });
    assert.throws(() => formatFor('sources', 'yaml', ' for --sources'), { message: 'unknown output format "yaml" for --sources (text or json)' });
    assert.throws(() => formatFor('history', 'csv'), { message: 'unknown output format "csv" (text or json)' });
  });

  test('format names are unique, and every subject has a format', () => {
    assert.equal(new Set(FORMATS.map((f) => f.name)).size, FORMATS.length);
    for (const subject of Object.keys(FIXTURES) as Subject[]) assert.ok(formatsFor(subject).length > 0, subject);
  });
});
