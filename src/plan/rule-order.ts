// The kernel finds the rule a request means with wildcards: RTM_DELRULE and
// the NLM_F_EXCL check of RTM_NEWRULE take the first rule in the list (rules
// are kept by priority, then in the order they were added) that agrees with
// every selector the request names; a selector the request leaves out, or
// names as 0, matches anything (rule_find in net/core/fib_rules.c, the
// family's compare for addresses, tos and dscp).
//
// netrec names every selector and its protocol, so only a rule that has all
// of them and more can be taken for the one it means: a more specific rule
// at the same priority with the same protocol, or one that differs only in
// what the kernel does not compare (`not`, a goto's target). This module
// orders rule changes so that such a rule is never hit: deletes run in the
// kernel's list order and a rule that stands in front of one being deleted
// is taken out first and created again afterwards (a rule being replaced is
// then deleted early and its new version created with the others); creates
// run from less to more specific, and one that an existing rule would
// shadow in the exclusive check is sent without NLM_F_EXCL.
import { ruleKey } from '../model/identity.js';
import type { Rule } from '../model/types.js';
import type { Change } from './types.js';

/** FRA_* attributes kept opaque that the kernel compares when a request names them: flow, tun_id, flowlabel and its mask, the port and dscp masks. */
const COMPARED_OPAQUE = new Set(['11', '12', '26', '27', '28', '29', '30']);

function markOf(r: Rule): number {
  return r.fwmark ?? 0;
}

function maskOf(r: Rule): number {
  return r.fwmark === undefined ? 0 : (r.fwmask ?? 0xffffffff);
}

/** The DS field the kernel keeps for a rule (tos or dscp << 2). */
function dsfieldOf(r: Rule): number {
  return r.tos ?? (r.dscp !== undefined ? r.dscp << 2 : 0);
}

/**
 * True when the kernel would take rule `r` for the request netrec writes for
 * `req` (a delete, or the exclusive check of a create).
 */
export function requestMatches(req: Rule, r: Rule): boolean {
  if (req.family !== r.family || req.priority !== r.priority || req.action !== r.action) return false;
  if (req.table && req.table !== r.table) return false;
  if (req.iif && req.iif !== r.iif) return false;
  if (req.oif && req.oif !== r.oif) return false;
  if (markOf(req) && markOf(req) !== markOf(r)) return false;
  if (maskOf(req) && maskOf(req) !== maskOf(r)) return false;
  if (req.suppressPrefixlength !== undefined && req.suppressPrefixlength !== r.suppressPrefixlength) return false;
  if (req.suppressIfgroup !== undefined && req.suppressIfgroup !== r.suppressIfgroup) return false;
  if (req.l3mdev && !r.l3mdev) return false;
  if (req.uidrange !== undefined && req.uidrange !== r.uidrange) return false;
  if (req.ipproto && req.ipproto !== r.ipproto) return false;
  if (req.protocol && req.protocol !== r.protocol) return false;
  if (req.sport !== undefined && req.sport !== r.sport) return false;
  if (req.dport !== undefined && req.dport !== r.dport) return false;
  if (req.from && req.from !== r.from) return false;
  if (req.to && req.to !== r.to) return false;
  if (req.tos && req.tos !== dsfieldOf(r)) return false;
  if (req.dscp !== undefined && req.dscp << 2 !== dsfieldOf(r)) return false;
  if (req.attributes) {
    for (const [type, hex] of Object.entries(req.attributes)) {
      if (COMPARED_OPAQUE.has(type) && /[^0]/.test(hex) && r.attributes?.[type] !== hex) return false;
    }
  }
  return true;
}

/** How many selectors a rule names: a request can only match rules that name at least as many. */
export function specificity(r: Rule): number {
  let n = 0;
  for (const v of [r.from, r.to, r.iif, r.oif, r.fwmark, r.suppressPrefixlength, r.suppressIfgroup, r.uidrange, r.ipproto, r.sport, r.dport, r.tos || undefined, r.dscp, r.l3mdev || undefined]) {
    if (v !== undefined) n++;
  }
  return n + (r.attributes ? Object.keys(r.attributes).length : 0);
}

export interface OrderedRuleChanges {
  /** Deletes (stage 1), in the kernel's list order, with the rules moved out of their way. */
  deletes: Change[];
  /** Replaces, then creates from less to more specific, with the moved rules put back. */
  changes: Change[];
}

/**
 * Order rule changes against the kernel's list (`existing`, in dump order).
 * `deletes` are plain deletes, `changes` creates and replaces.
 */
export function orderRuleChanges(existing: readonly Rule[], deletes: readonly Change[], changes: readonly Change[]): OrderedRuleChanges {
  const position = new Map<Rule, number>();
  existing.forEach((r, i) => position.set(r, i));
  const replaceOf = new Map<Rule, Change>();
  for (const c of changes) if (c.action === 'replace') replaceOf.set(c.before as Rule, c);
  /** Deleted in the first stage, in list order. */
  const early = new Set<Rule>(deletes.map((c) => c.before as Rule));
  const outDeletes = [...deletes];
  const putBack: Change[] = [];

  // A rule in front of one that goes, that the request would hit instead, goes
  // first. A rule being replaced then goes in the first stage too (its new
  // version is created with the others); any other rule is put back as it was.
  // Replaces run after the first stage, in list order among themselves.
  const queue = [...early, ...replaceOf.keys()];
  while (queue.length > 0) {
    const x = queue.shift()!;
    const at = position.get(x) ?? existing.length;
    for (let i = 0; i < at; i++) {
      const y = existing[i]!;
      if (early.has(y) || (!early.has(x) && replaceOf.has(y)) || !requestMatches(x, y)) continue;
      const why = `in front of ${ruleKey(x)}, which the kernel would otherwise take it for`;
      const replace = replaceOf.get(y);
      if (replace !== undefined) {
        replaceOf.delete(y);
        const { attrs: _attrs, ...rest } = replace;
        outDeletes.push({ ...rest, action: 'delete', after: null, reason: `${why}; its new version is created after` } as Change);
        putBack.push({ ...rest, action: 'create', before: null } as Change);
      } else {
        outDeletes.push({ action: 'delete', type: 'rule', id: ruleKey(y), before: y, after: null, reason: `${why}; created again after` });
        putBack.push({ action: 'create', type: 'rule', id: ruleKey(y), before: null, after: y, reason: `put back after ${ruleKey(x)} went` });
      }
      early.add(y);
      queue.push(y);
    }
  }

  const byPosition = (a: Change, b: Change): number => (position.get(a.before as Rule) ?? 0) - (position.get(b.before as Rule) ?? 0);
  outDeletes.sort(byPosition);
  const leaving = new Set<Rule>([...early, ...replaceOf.keys()]);

  const replaces = [...replaceOf.values()].sort(byPosition);
  const creates = changes
    .filter((c) => c.action !== 'replace')
    .concat(putBack)
    .map((c, i) => ({ c, i, n: specificity(c.after as Rule) }))
    .sort((a, b) => a.n - b.n || a.i - b.i)
    .map((x) => x.c);

  // The exclusive check of each create, against the rules there at its turn.
  const replaced = new Set(replaces.map((c) => c.before as Rule));
  let present: Rule[] = existing.filter((r) => !leaving.has(r) || replaced.has(r));
  const ordered = [...replaces, ...creates];
  for (const c of ordered) {
    if (c.action === 'replace') present = present.filter((p) => p !== c.before);
    const r = c.after as Rule;
    if (present.some((p) => requestMatches(r, p))) c.shadowed = true;
    present.push(r);
  }
  return { deletes: outDeletes, changes: ordered };
}
