// The command line as typed, made into what the parser reads: spellings
// that people bring from other tools, mapped to netrec's own.

/**
 * Terraform writes `plan -out FILE` (one dash); commander would read that as
 * `-o ut`. Both `-out FILE` and `-out=FILE` become `--out`. Everything after
 * a `--` is left as it is.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let operands = false;
  for (const a of argv) {
    if (!operands && a === '--') operands = true;
    if (!operands && (a === '-out' || a.startsWith('-out='))) out.push(`-${a}`);
    else out.push(a);
  }
  return out;
}
