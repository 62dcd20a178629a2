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
  /** In a fleet: the layer of the declaration (`common`, `groups/NAME`, `hosts/HOST`). */
  layer?: string;
  /** What changes, for updates and replaces (config-format attribute names). */
  attrs?: AttrChange[];
  reason?: string;
}

export function planToJson(p: Plan): { changes: JsonChange[]; summary: Summary } {
  const changes: JsonChange[] = [];
  for (const stage of p.stages) for (const c of stage) changes.push(changeToJson(c));
  return { changes, summary: { ...p.summary } };
}

/** Output is handed over in pieces of about this many characters. */
const PIECE = 1 << 20;

/**
 * Write `JSON.stringify({ ...planToJson(p), ...tail }, null, indent)` in
 * pieces, so a million-change plan never becomes one string (or one array of
 * a million objects).
 */
export function writePlanJson(write: (s: string) => void, p: Plan, tail: Record<string, unknown> = {}, indent = 0): void {
  const nl = indent ? '\n' : '';
  const pad1 = ' '.repeat(indent);
  const pad2 = ' '.repeat(2 * indent);
  const colon = indent ? ': ' : ':';
  const nested = (v: unknown, pad: string): string => (indent ? JSON.stringify(v, null, indent).replaceAll('\n', `\n${pad}`) : JSON.stringify(v));
  let out = `{${nl}${pad1}"changes"${colon}[`;
  let n = 0;
  for (const stage of p.stages) {
    for (const c of stage) {
      out += `${n++ ? ',' : ''}${nl}${pad2}${nested(changeToJson(c), pad2)}`;
      if (out.length >= PIECE) {
        write(out);
        out = '';
      }
    }
  }
  out += n ? `${nl}${pad1}]` : ']';
  for (const [k, v] of Object.entries({ summary: { ...p.summary }, ...tail })) {
    if (v !== undefined) out += `,${nl}${pad1}${JSON.stringify(k)}${colon}${nested(v, pad1)}`;
  }
  write(`${out}${nl}}\n`);
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
  if (c.source?.layer) j.layer = c.source.layer;
  if (c.attrs?.length) j.attrs = c.attrs.map((a) => ({ attr: a.attr, old: toConfigValue(a.old) ?? null, new: toConfigValue(a.new) ?? null }));
  if (c.reason) j.reason = c.reason;
  return j;
}
