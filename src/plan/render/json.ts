// `netrec plan -o json` (contract section 6).
import type { AttrChange, Change, Plan, Summary } from '../types.js';
import { toConfigValue } from './values.js';

export interface JsonChange {
  action: Change['action'];
  type: Change['type'];
  id: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  /** "FILE:LINE" of the declaration, or null. */
  source: string | null;
  /** What changes, for updates and replaces (config-format attribute names). */
  attrs?: AttrChange[];
  reason?: string;
}

export function planToJson(p: Plan): { changes: JsonChange[]; summary: Summary } {
  const changes: JsonChange[] = [];
  for (const stage of p.stages) for (const c of stage) changes.push(changeToJson(c));
  return { changes, summary: { ...p.summary } };
}

function changeToJson(c: Change): JsonChange {
  const j: JsonChange = {
    action: c.action,
    type: c.type,
    id: c.id,
    before: c.before === null ? null : (toConfigValue(c.before) as Record<string, unknown>),
    after: c.after === null ? null : (toConfigValue(c.after) as Record<string, unknown>),
    source: c.source ? `${c.source.file}:${c.source.line}` : null,
  };
  if (c.attrs?.length) j.attrs = c.attrs.map((a) => ({ attr: a.attr, old: toConfigValue(a.old) ?? null, new: toConfigValue(a.new) ?? null }));
  if (c.reason) j.reason = c.reason;
  return j;
}
