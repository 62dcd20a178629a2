// Comparison by an object's attribute table (netlink/rtnl: one table per
// object): which attributes differ between a desired object and the actual
// one, whether any does (generated from the table for the one pass over a
// full routing table), and what a rewritten object takes from each.
import type { AttrSpec } from '../netlink/rtnl/layout.js';
import type { AttrChange } from './types.js';

/** A row the planner compares: it has a plan name, a model field and a comparison. */
export type Compared<T> = AttrSpec<any, T> & { name: string; field: string; compare: NonNullable<AttrSpec<any, T>['compare']> };

/** The rows of a (flattened) table the planner compares, in table order. */
export function comparedRows<T>(rows: readonly AttrSpec<any, T>[]): Compared<T>[] {
  return rows.filter((r): r is Compared<T> => r.name !== undefined && r.field !== undefined && r.compare !== undefined);
}

function get<T>(o: T, field: string): unknown {
  return (o as Record<string, unknown>)[field];
}

/**
 * Whether `a` lacks what `d` asks for in row `s`. `declared`: a desired
 * value that is set (or any, when exact) must be the actual one; `whole`:
 * the desired value, absent meaning the kernel's `absent`, must be the
 * actual one.
 */
export function rowDiffers<T>(s: Compared<T>, d: T, a: T, exact: boolean): boolean {
  const want = get(d, s.field);
  const have = get(a, s.field);
  if (typeof s.compare === 'function') return s.compare(d, a, exact);
  if (s.compare === 'declared' && want === undefined && !exact) return false;
  return (want ?? s.absent) !== (have ?? s.absent);
}

/** How the kernel takes a new value of row `s` for the desired object `d`: in place ('update', the default) or only by delete and create. */
export function rowChange<T>(s: Compared<T>, d: T): 'update' | 'replace' {
  return typeof s.change === 'function' ? s.change(d) : (s.change ?? 'update');
}

/** The differing rows as changes (old: actual, new: desired), appended to `out`. */
export function collectRows<T>(rows: readonly Compared<T>[], d: T, a: T, exact: boolean, out: AttrChange[]): AttrChange[] {
  for (const s of rows) if (rowDiffers(s, d, a, exact)) out.push({ attr: s.name, old: get(a, s.field), new: get(d, s.field) });
  return out;
}

/**
 * rowDiffers over all `rows` as one generated expression: direct field
 * reads, no allocation, and the rarely set rows (`rare`) tested together
 * only when one of them is set on either side. A custom comparison must
 * find no difference when neither object has the field (it is skipped
 * then). `lead`: an expression over d, a and mode tested first (one
 * function, where a call around it costs a sixth on the full-table pass).
 */
export function compileDiffers<T, M extends { exact: boolean }>(rows: readonly Compared<T>[], lead = 'false'): (d: T, a: T, mode: M) => boolean {
  const fns: unknown[] = [];
  const expr = (s: Compared<T>): string => {
    const f = s.field;
    if (!/^[A-Za-z_$][\w$]*$/.test(f)) throw new Error(`bad field name ${f}`);
    if (typeof s.compare === 'function') {
      fns.push(s.compare);
      return `((d.${f} !== undefined || a.${f} !== undefined) && f${fns.length - 1}(d, a, exact))`;
    }
    const lit = s.absent === undefined ? undefined : JSON.stringify(s.absent);
    const differ = lit === undefined ? `d.${f} !== a.${f}` : `(d.${f} ?? ${lit}) !== (a.${f} ?? ${lit})`;
    return s.compare === 'declared' ? `((d.${f} !== undefined || exact) && ${differ})` : `(${differ})`;
  };
  const common = rows.filter((s) => !s.rare).map(expr);
  const rare = rows.filter((s) => s.rare);
  const parts = [`(${lead})`, ...common];
  if (rare.length > 0) {
    const set = rare.map((s) => `d.${s.field} !== undefined || a.${s.field} !== undefined`).join(' || ');
    parts.push(`((${set}) && (${rare.map(expr).join(' || ')}))`);
  }
  const body = `return function differs(d, a, mode) { const exact = mode.exact; return ${parts.join(' || ')}; };`;
  return new Function(...fns.map((_, i) => `f${i}`), body)(...fns) as (d: T, a: T, mode: M) => boolean;
}

/** Sets on `r` what a rewrite over `a` takes from the desired `d` in each row (see AttrSpec.merge). */
export function mergeRows<T>(rows: readonly Compared<T>[], d: T, a: T, r: T): void {
  const out = r as Record<string, unknown>;
  for (const s of rows) {
    const v = get(d, s.field);
    if (s.merge === 'kept') {
      const x = v ?? get(a, s.field);
      if (x !== undefined) out[s.field] = x;
    } else if (v !== undefined && v !== s.absent) out[s.field] = v;
  }
}
