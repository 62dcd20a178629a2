// Fixture files for config tests. A fixture may mark the place a problem is
// expected with MARK, right before the character it points at; the mark is
// removed before the file is written, and its line and column are computed
// from the text, so expectations follow the fixtures when they are edited.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { scratchDir } from '../helpers/scratch.js';

export const MARK = '‸';

export interface Spot {
  file: string;
  line: number;
  col: number;
}

/** Text without its mark, and where the mark was (1-based), if any. */
export function unmark(text: string): { text: string; at?: { line: number; col: number } } {
  const i = text.indexOf(MARK);
  if (i < 0) return { text };
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  const col = i - (before.lastIndexOf('\n') + 1) + 1;
  return { text: before + text.slice(i + MARK.length), at: { line, col } };
}

/** Write `files` (name -> text) under a fresh directory; returns their paths and the marked spot. */
export function writeFixtures(files: Record<string, string>): { dir: string; paths: string[]; spot?: Spot } {
  const dir = scratchDir('config-');
  const paths: string[] = [];
  let spot: Spot | undefined;
  for (const [name, marked] of Object.entries(files)) {
    const path = join(dir, name);
    const { text, at } = unmark(marked);
    if (at) spot = { file: path, ...at };
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    paths.push(path);
  }
  return { dir, paths, spot };
}

/** Lines joined with newlines, so fixtures can be written without indentation trouble. */
export function yaml(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
