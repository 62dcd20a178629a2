// The tables and policy of all files, merged before any object is normalised
// (a table name may be used in one file and declared in another).
import { BUILTIN_TABLES, DEFAULT_PROTOCOL } from '../model/constants.js';
import type { Policy, Source } from '../model/types.js';
import type { Settings } from './context.js';
import type { Problem } from './errors.js';
import type { Path, SourceText } from './source.js';
import { Bad, BUILTIN_TABLE_NUMBERS, builtinTables, protocol } from './values.js';

export interface SettingsSource {
  src: SourceText;
  doc: { tables?: Record<string, number>; policy?: { protocol?: string | number; prune?: boolean } };
  /** Parts the schema rejected. */
  skip: { has(section: string, part: string): boolean };
}

/** A place in a file, located only when a message needs it (locating may re-parse the file). */
interface Spot {
  src: SourceText;
  path: Path;
  key: boolean;
}

function located(spot: Spot): Source {
  return spot.src.locate(spot.path, spot.key);
}

function where(spot: Spot): string {
  const s = located(spot);
  return `${s.file}:${s.line}:${s.col}`;
}

/** Tables and policy of all files, merged; a name or key given two values is a problem naming both places. */
export function collectSettings(loaded: SettingsSource[], problems: Problem[], snapshot: boolean): { settings: Settings; tables: Record<string, number> } {
  const names = builtinTables();
  const declared: Record<string, number> = {};
  const nameAt = new Map<string, Spot>();
  const numberAt = new Map<number, { name: string; at: Spot }>();
  const policy: Policy = { protocol: DEFAULT_PROTOCOL, prune: true };
  const policyAt = new Map<string, { value: unknown; at: Spot }>();
  const builtinName = (n: number): string => Object.keys(BUILTIN_TABLES).find((k) => BUILTIN_TABLES[k] === n)!;
  const report = (at: Spot, message: string): void => void problems.push({ ...located(at), message });

  for (const { src, doc, skip } of loaded) {
    for (const [name, n] of Object.entries(doc.tables ?? {})) {
      if (skip.has('tables', name)) continue;
      const at: Spot = { src, path: ['tables', name], key: true };
      const earlier = nameAt.get(name);
      const sameNumber = numberAt.get(n);
      if (BUILTIN_TABLES[name] !== undefined) report(at, `"${name}" is a built-in table (${BUILTIN_TABLES[name]}); it needs no declaration`);
      else if (BUILTIN_TABLE_NUMBERS.has(n)) report(at, `table ${n} is built in as "${builtinName(n)}"; use that name`);
      else if (earlier) {
        if (names.get(name) !== n) report(at, `table "${name}" is already declared as ${names.get(name)} at ${where(earlier)}`);
      } else if (sameNumber) report(at, `table ${n} is already named "${sameNumber.name}" at ${where(sameNumber.at)}`);
      else {
        names.set(name, n);
        declared[name] = n;
        nameAt.set(name, at);
        numberAt.set(n, { name, at });
      }
    }
    for (const key of ['protocol', 'prune'] as const) {
      const value = doc.policy?.[key];
      if (value === undefined || skip.has('policy', key)) continue;
      const at: Spot = { src, path: ['policy', key], key: false };
      let parsed: number | boolean;
      if (key === 'protocol') {
        const p = protocol(value as string | number);
        if (p instanceof Bad) {
          report(at, p.message);
          continue;
        }
        if (p < 4 && !snapshot) {
          report(at, `protocol ${p} is one the kernel and iproute2 use for their own objects; netrec's marker must be one nothing else writes (default 0x4e)`);
          continue;
        }
        parsed = p;
      } else parsed = value as boolean;
      const earlier = policyAt.get(key);
      if (earlier && earlier.value !== parsed) {
        report(at, `policy ${key} is already ${String(earlier.value)} at ${where(earlier.at)}`);
        continue;
      }
      policyAt.set(key, { value: parsed, at });
      if (key === 'protocol') policy.protocol = parsed as number;
      else policy.prune = parsed as boolean;
    }
  }
  return { settings: { tables: names, policy, snapshot }, tables: declared };
}

