// Every output format of every command, in one table. A format is one entry:
// its name (what `-o` takes), whether it is meant for people, and a renderer
// for each subject it can show, all with one signature. A command asks the
// table for the format the user named and renders its subject with it; the
// `-o` choices, the help text and the "unknown output format" message come
// from the table, so adding a format (or a subject to a format) is one entry.
import { UserError } from '../../cli/errors.js';
import type { HistoryEntry } from '../../state/history.js';
import type { Status } from '../../state/status.js';
import type { Desired, State } from '../../model/types.js';
import type { Plan } from '../types.js';
import { previewText, resultJson, resultText, type ApplyPreview, type ApplyReport } from './apply.js';
import {
  fleetJson,
  fleetText,
  problemsAsJson,
  sourcesJson,
  sourcesText,
  stateJson,
  stateYaml,
  validateJson,
  validateText,
  type FleetReport,
  type ProblemsReport,
  type StateReport,
  type ValidateReport,
} from './config.js';
import { renderDiff } from './diff.js';
import { writePlanJson } from './json.js';
import { renderHistory, renderStatus } from './records.js';
import { renderText } from './text.js';

/** `netrec plan`: the plan, and what it was computed from. */
export interface PlanReport {
  plan: Plan;
  actual: State;
  desired: Pick<Desired, 'tables' | 'policy'>;
  /** Text: list every change, however many. */
  full?: boolean;
}

/** Everything a command can show, by name. */
export interface Subjects {
  /** `netrec plan` */
  plan: PlanReport;
  /** A config's problems, where a format shows them as a document (`plan`, `validate`); formats without one report them as the error they are. */
  problems: ProblemsReport;
  /** `netrec apply`: the plan, before anything is written. */
  preview: ApplyPreview;
  /** `netrec apply`: how the run ended. */
  apply: ApplyReport;
  /** `netrec show` */
  state: StateReport;
  /** `netrec show --sources` */
  sources: Desired;
  /** `netrec validate` of a config */
  validate: ValidateReport;
  /** `netrec validate` of a fleet, every host */
  fleet: FleetReport;
  /** `netrec status` */
  status: Status;
  /** `netrec history` */
  history: readonly HistoryEntry[];
}

export type Subject = keyof Subjects;

/** Where a renderer writes: stdout (`write`) and stderr (`warn`), and whether stdout takes colours. */
export interface Output {
  write(s: string): void;
  warn(s: string): void;
  color: boolean;
}

/** The one signature of every renderer. */
export type Renderer<K extends Subject> = (subject: Subjects[K], out: Output) => void;

export interface Format {
  /** What `-o` takes. */
  name: string;
  /**
   * Meant to be read, not parsed: remarks (the saved-plan line) share stdout
   * with it, and a long apply shows its progress. Formats that programs read
   * keep stdout to the document and stay quiet otherwise.
   */
  forPeople: boolean;
  render: { [K in Subject]?: Renderer<K> };
}

const pretty = (v: unknown, out: Output): void => out.write(JSON.stringify(v, null, 2) + '\n');

/** The table. Its order is the order `-o` choices are listed in. */
export const FORMATS: readonly Format[] = [
  {
    name: 'text',
    forPeople: true,
    render: {
      plan: (r, out) => out.write(renderText(r.plan, { color: out.color, full: r.full, tables: r.desired.tables, protocol: r.desired.policy.protocol })),
      preview: (r, out) => previewText(r, (s) => out.write(s), out.color),
      apply: (r, out) => resultText(r, (s) => out.write(s)),
      sources: (d, out) => sourcesText(d, (s) => out.write(s)),
      validate: (r, out) => validateText(r, (s) => out.write(s)),
      fleet: (r, out) => fleetText(r, (s) => out.write(s), (s) => out.warn(s)),
      status: (s, out) => out.write(renderStatus(s)),
      history: (h, out) => out.write(renderHistory(h)),
    },
  },
  {
    name: 'yaml',
    forPeople: false,
    render: {
      state: (r, out) => stateYaml(r, (s) => out.write(s)),
    },
  },
  {
    name: 'json',
    forPeople: false,
    render: {
      plan: (r, out) => writePlanJson((s) => out.write(s), r.plan, {}, 2),
      problems: (r, out) => problemsAsJson(r, (s) => out.write(s)),
      apply: (r, out) => resultJson(r, (s) => out.write(s)),
      state: (r, out) => stateJson(r, (s) => out.write(s)),
      sources: (d, out) => sourcesJson(d, (s) => out.write(s)),
      validate: (r, out) => validateJson(r, (s) => out.write(s)),
      fleet: (r, out) => fleetJson(r, (s) => out.write(s)),
      status: pretty,
      history: pretty,
    },
  },
  {
    name: 'diff',
    forPeople: false,
    render: {
      plan: (r, out) => out.write(renderDiff(r.plan, r.actual, r.desired)),
    },
  },
];

/** The formats that can show `subject`, in table order. */
export function formatsFor(subject: Subject): Format[] {
  return FORMATS.filter((f) => f.render[subject] !== undefined);
}

/** "text, json or diff": the `-o` choices for `subject`, for help texts and messages. */
export function formatChoices(subject: Subject): string {
  const names = formatsFor(subject).map((f) => f.name);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/**
 * The format named `name` that can show `subject`; a UserError naming the
 * choices otherwise. `where` qualifies the message (" for --sources").
 */
export function formatFor(subject: Subject, name: string, where = ''): Format {
  const f = FORMATS.find((x) => x.name === name && x.render[subject] !== undefined);
  if (!f) throw new UserError(`unknown output format "${name}"${where} (${formatChoices(subject)})`);
  return f;
}

/** Render `value` as `subject` in `format`; false (and nothing written) when the format does not show that subject. */
export function render<K extends Subject>(format: Format, subject: K, value: Subjects[K], out: Output): boolean {
  const r = format.render[subject] as Renderer<K> | undefined;
  if (r === undefined) return false;
  r(value, out);
  return true;
}
