// Config problems: what is wrong and where, as FILE:LINE:COL (1-based).

export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** Something a person should know that does not stop the load: a file that was not read. */
export interface Warning {
  file: string;
  message: string;
}

/**
 * A load's problems and warnings as JSON for CI annotations (`validate -o
 * json`, `plan -o json`): {"valid": false, "errors": [{file, line, column,
 * message}], "warnings": [{file, message}]}.
 */
export function problemsJson(problems: readonly Problem[], warnings: readonly Warning[] = []): string {
  const errors = problems.map((p) => ({ file: p.file, line: p.line, column: p.col, message: p.message }));
  return `${JSON.stringify({ valid: false, errors, warnings: warnings.map((w) => ({ file: w.file, message: w.message })) }, null, 2)}\n`;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** All problems of a load at once; the message lists them one per line. */
export class ConfigError extends Error {
  problems: Problem[];
  /** The files the load read, when known (`validate -v`). */
  files?: string[];

  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Sorted by file (in the given order), line and column, without repeats. */
export function sortProblems(problems: Problem[], fileOrder: readonly string[]): Problem[] {
  const rank = new Map(fileOrder.map((f, i) => [f, i]));
  const sorted = [...problems].sort(
    (a, b) =>
      (rank.get(a.file) ?? fileOrder.length) - (rank.get(b.file) ?? fileOrder.length) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.col - b.col,
  );
  return sorted.filter((p, i) => i === 0 || formatProblem(p) !== formatProblem(sorted[i - 1]!));
}
