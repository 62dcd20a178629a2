// Config problems: what is wrong and where, as FILE:LINE:COL (1-based).

export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}

/** All problems of a load at once; the message lists them one per line. */
export class ConfigError extends Error {
  problems: Problem[];

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
