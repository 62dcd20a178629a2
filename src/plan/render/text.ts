// `netrec plan` text (contract section 6; docs/plan.md): one line per object,
// in iproute2's words (words.ts), grouped by object type, then the summary.
//
//   + route default via 198.51.100.1 dev wan0 proto netrec
//   ~ interface lan1 mtu 1500 -> 9000
//   -/+ interface vx0 id 100 -> 200 (forces replacement) (vxlan.vni cannot change in place)
//
// Objects the kernel makes along with a change (the other end of a veth)
// are shown as the creates they are. More than FOLD changes of one action on
// one type (routes: of one table) are counted on one line unless `full`.
import { vethPeerMade } from '../effects.js';
import type { Link, ObjectType } from '../../model/types.js';
import type { Action, Change, Effect, Plan, Summary } from '../types.js';
import { valueText } from './values.js';
import { type Names, WORDS, changedWords, idWords, namesOf, objectWords, shownWords, tableText } from './words.js';

export interface TextOptions {
  color: boolean;
  /** List every change, however many. */
  full?: boolean;
  /** The config's table names (name -> number). */
  tables?: Readonly<Record<string, number>>;
  /** netrec's protocol marker (policy.protocol). */
  protocol?: number;
}

const SYMBOL: Record<Action, string> = { create: '+', update: '~', replace: '-/+', delete: '-' };
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';
const COLORED: Record<Action, string> = {
  create: `${GREEN}+${RESET}`,
  update: `${YELLOW}~${RESET}`,
  replace: `${RED}-${RESET}/${GREEN}+${RESET}`,
  delete: `${RED}-${RESET}`,
};
const TYPES: readonly ObjectType[] = ['namespace', 'interface', 'address', 'nexthop', 'route', 'rule', 'neighbor'];
const PLURAL: Record<ObjectType, string> = {
  namespace: 'namespace settings',
  interface: 'interfaces',
  address: 'addresses',
  route: 'routes',
  rule: 'rules',
  neighbor: 'neighbors',
  nexthop: 'nexthops',
};

/** More changes than this of one action on one type (routes: in one table) are counted, not listed, without --full. */
export const FOLD = 50;
/** Up to this many objects the kernel removes along with one change are named (all with --full); the rest are counted. */
const NAMED_REMOVALS = 10;

/** One line to show: a change of the plan, or an object the kernel makes along with one. */
interface Entry {
  action: Action;
  type: ObjectType;
  change: Change;
  /** For an object the kernel makes: the object and the link it comes with. */
  made?: { object: Link; with: string };
}

export function renderText(p: Plan, opts: TextOptions): string {
  const names = namesOf(opts.tables, opts.protocol);
  const full = opts.full === true;
  const groups = new Map<ObjectType, Entry[]>(TYPES.map((t) => [t, []]));
  for (const e of entries(p, names)) groups.get(e.type)!.push(e);
  const lines: string[] = [];
  // The plan's own summary (a plan's head, as apply prints it, keeps the whole one), with the kernel's veth ends as creates.
  const counts: Summary = { ...p.summary };
  for (const type of TYPES) {
    const group = groups.get(type)!;
    const sizes = new Map<string, number>();
    if (!full) for (const e of group) sizes.set(bucket(e), (sizes.get(bucket(e)) ?? 0) + 1);
    const folded = new Set<string>();
    for (const e of group) {
      if (e.made !== undefined) {
        counts.create++;
        if (e.change.action === 'update') counts.update--;
      }
      const symbol = opts.color ? COLORED[e.action] : SYMBOL[e.action];
      const b = full ? '' : bucket(e);
      const n = full ? 0 : sizes.get(b)!;
      if (n > FOLD) {
        if (folded.has(b)) continue;
        folded.add(b);
        const table = type === 'route' ? ` in table ${tableText(((e.change.after ?? e.change.before) as { table: number }).table, names)}` : '';
        lines.push(`${symbol} ${n} ${PLURAL[type]}${table} (use --full to list)`);
        continue;
      }
      lines.push(`${symbol} ${type} ${line(e, names, full)}`);
    }
  }
  lines.push(summaryLine(counts));
  return lines.join('\n') + '\n';
}

function bucket(e: Entry): string {
  if (e.type !== 'route') return e.action;
  return `${e.action} ${((e.change.after ?? e.change.before) as { table: number }).table}`;
}

/**
 * The plan's changes in order, with the other end of each new veth the
 * kernel makes: a create of its own, and where the plan then changes that
 * end (brings it up, sets its mtu), that change shown as its create.
 */
function entries(p: Plan, names: Names): Entry[] {
  const updated = new Set<string>();
  for (const stage of p.stages) for (const c of stage) if (c.type === 'interface' && c.action === 'update' && readsAsCreate(c, names)) updated.add(c.id);
  const madeBy = new Map<string, string>();
  const out: Entry[] = [];
  for (const stage of p.stages) {
    for (const c of stage) {
      if (c.type === 'interface' && c.action === 'update' && madeBy.has(c.id)) {
        out.push({ action: 'create', type: 'interface', change: c, made: { object: c.after!, with: madeBy.get(c.id)! } });
        madeBy.delete(c.id);
        continue;
      }
      out.push({ action: c.action, type: c.type, change: c });
      const made = c.type === 'interface' && (c.action === 'create' || c.action === 'replace') ? vethPeerMade(c.after!) : undefined;
      if (made === undefined || !c.effects?.some((e) => e.type === 'interface' && e.id === made.name && !e.removed)) continue;
      if (updated.has(made.name)) madeBy.set(made.name, c.id);
      else out.push({ action: 'create', type: 'interface', change: c, made: { object: made, with: c.id } });
    }
  }
  return out;
}

/**
 * Whether an update of the end the kernel made reads whole as that end's
 * create line: every attribute it changes shows there (settings that whole
 * lines leave out, such as IP settings, do not), its admin state as the line
 * implies it.
 */
function readsAsCreate(c: Change, names: Names): boolean {
  const shown = new Set(shownWords('interface', c.after!, names).map(({ w }) => w.attr));
  return (c.attrs ?? []).every((a) => a.attr === 'state' || shown.has(a.attr));
}

function line(e: Entry, names: Names, full: boolean): string {
  const c = e.change;
  if (e.made !== undefined) return `${objectWords('interface', e.made.object, names)} (created by the kernel with ${e.made.with})`;
  let head: string;
  const notes: string[] = [];
  if (c.action === 'create') head = objectWords(c.type, c.after!, names);
  else if (c.action === 'delete') head = objectWords(c.type, c.before!, names, 'delete');
  else head = [objectWords(c.type, c.after!, names, 'id'), changes(c, names).join(', ')].filter((x) => x !== '').join(' ');
  if (c.reason) notes.push(c.reason);
  const removes = c.effects ? removalText(c.effects, names, full) : '';
  if (removes) notes.push(`the kernel also removes ${removes}`);
  return notes.length > 0 ? `${head} (${notes.join('; ')})` : head;
}

/**
 * What an update or replace changes: every attribute that differs, each
 * marked where it forces the replacement (those the reason names as unable
 * to change in place, else all the plan lists).
 */
function changes(c: Change, names: Names): string[] {
  const listed = (c.attrs ?? []).map((a) => a.attr);
  const words = changedWords(c.type, c.before!, c.after!, listed, names);
  const shown = new Set(words.map((w) => w.attr));
  const out = words.map((w) => w.text);
  // Attributes the plan lists that the words do not cover (none today) still show.
  for (const a of c.attrs ?? []) if (!shown.has(a.attr) && !WORD_ATTRS[c.type].has(a.attr)) out.push(`${a.attr} ${valueText(a.attr, a.old)} -> ${valueText(a.attr, a.new)}`);
  if (c.action !== 'replace') return out;
  const fixed = /^(.+) cannot change in place/.exec(c.reason ?? '')?.[1]?.split(', ');
  const forcing = new Set(fixed?.every((f) => listed.includes(f)) ? fixed : listed);
  return out.map((t, i) => (i < words.length && forcing.has(words[i]!.attr) ? `${t} (forces replacement)` : t));
}

/** Attribute names the words of each type cover. */
const WORD_ATTRS: Record<ObjectType, Set<string>> = {
  namespace: new Set(WORDS.namespace.map((w) => w.attr)),
  interface: new Set(WORDS.interface.map((w) => w.attr)),
  address: new Set(WORDS.address.map((w) => w.attr)),
  route: new Set(WORDS.route.map((w) => w.attr)),
  rule: new Set(WORDS.rule.map((w) => w.attr)),
  neighbor: new Set(WORDS.neighbor.map((w) => w.attr)),
  nexthop: new Set(WORDS.nexthop.map((w) => w.attr)),
};

function summaryLine(s: Summary): string {
  if (s.create + s.update + s.replace + s.delete === 0) return 'No changes.';
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete.`;
}

/**
 * What the kernel removes along with a change, each object named
 * ("route 192.0.2.0/24, address 10.0.0.2/24 dev eth0"); past NAMED_REMOVALS
 * (without --full) the rest are counted ("and 14 more routes").
 */
function removalText(effects: readonly Effect[], names: Names, full: boolean): string {
  const removed = effects.filter((e) => e.removed);
  const named = full ? removed : removed.slice(0, NAMED_REMOVALS);
  const text = named.map((e) => `${e.type} ${idWords(e.type, e.id, names)}`).join(', ');
  if (named.length === removed.length) return text;
  const counts = new Map<ObjectType, number>();
  for (const e of removed.slice(named.length)) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return `${text} and ${[...counts].map(([type, n]) => `${n} more ${n === 1 ? type : PLURAL[type]}`).join(', ')}`;
}
