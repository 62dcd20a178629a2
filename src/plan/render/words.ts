// The words a text plan uses for each object type: one table per type, each
// entry an attribute (its plan name, as in `attrs` of a change), the
// iproute2 keyword and how its value reads. Whole-object lines ("+ route
// default via 198.51.100.1 dev wan0 proto netrec") and changed attributes
// ("mtu 1500 -> 9000") are both built from these tables and nothing else.
import { ADDRESS_PROTOCOL_NAMES, BUILTIN_TABLES, DEFAULT_PROTOCOL, PROTOCOL_NAMES, TABLE_MAIN } from '../../model/constants.js';
import { routeKeyDev } from '../../model/identity.js';
import type { Address, Link, LinkOptions, NamespaceSettings, Neighbor, NexthopObject, ObjectType, Route, Rule } from '../../model/types.js';
import { INTERFACE_SETTINGS, NAMESPACE_SETTINGS, settingName, settingValue, valueWord, type IpSetting } from '../../netlink/rtnl/devconf.js';
import { fieldOf, KINDS, PORT_KINDS, type KindOption, type OptionWord } from '../../kinds/registry.js';
import { vlanDeltaText, vlanText } from '../../netlink/rtnl/bridge-vlan.js';
import { flatRows, rowNamed, type AttrSpec } from '../../netlink/rtnl/layout.js';
import { NEIGHBOR_TABLE } from '../../netlink/rtnl/neighbor.js';
import { NEXTHOP_TABLE } from '../../netlink/rtnl/nexthop.js';
import { ROUTE_ROWS } from '../../netlink/rtnl/route.js';
import { ADDRESS_TABLE } from '../../netlink/rtnl/address.js';
import { actionText, RULE_TABLE } from '../../netlink/rtnl/rule.js';
import type { ModelObject } from '../types.js';

/** Names for numbers: the config's tables and netrec's own protocol marker. */
export interface Names {
  tables: ReadonlyMap<number, string>;
  /** The protocol marker netrec writes (policy.protocol), shown as "netrec" where rt_protos has no name for it. */
  protocol: number;
}

export function namesOf(tables: Readonly<Record<string, number>> = {}, protocol = DEFAULT_PROTOCOL): Names {
  const byNumber = new Map<number, string>();
  for (const [name, n] of Object.entries(BUILTIN_TABLES)) byNumber.set(n, name);
  // One name per number: the first declared.
  for (const [name, n] of Object.entries(tables)) if (!byNumber.has(n)) byNumber.set(n, name);
  return { tables: byNumber, protocol };
}

export function tableText(n: number, names: Names): string {
  return names.tables.get(n) ?? String(n);
}

export function protocolText(p: number, names: Names, forAddress = false): string {
  const known = (forAddress ? ADDRESS_PROTOCOL_NAMES : PROTOCOL_NAMES)[p];
  if (known !== undefined) return known;
  return p === names.protocol ? 'netrec' : String(p);
}

/** One attribute of an object type in iproute2's words. */
export interface Word<T> {
  /** The attribute's plan name (AttrChange.attr). */
  attr: string;
  /** iproute2's keyword; '' when the value speaks for itself (a route's destination, an action). */
  key: string;
  /** The value as text, or undefined when the object does not have it. */
  get(o: T, names: Names): string | undefined;
  /** On whole-object lines: the value alone, without the keyword (a link's kind, a route's type). */
  bare?: boolean;
  /** A switch: on whole-object lines its keyword when 'on', nothing when 'off'; changes read "KEY off -> on". */
  flag?: boolean;
  /** Left out of whole-object lines (a default iproute2 does not print either). */
  hide?(o: T, names: Names): boolean;
  /** Part of what tells the object apart: named on lines of updates. */
  id?: boolean | ((o: T) => boolean);
  /** Not set on the new object means the kernel has none (a route's gateway, a link's master), so leaving it out is a change. */
  clears?: boolean;
  /** Shown as a change only when the plan lists it (bookkeeping such as the alias). */
  quiet?: boolean;
  /** Shown on lines of deletes of interfaces: the kind and what it hangs on (peer, lower link, id, table), not settings as read. */
  onDelete?: boolean;
  /** How a change names a value the old object does not have (default 'none'). */
  unset?: string;
  /** A kind's option: changes name the kind too ("vxlan id 100 -> 200"), as the keyword alone may be ambiguous. */
  group?: string;
  /** A change as its own text rather than "OLD -> NEW" (a list: what is added and removed). */
  change?(before: T, after: T): string;
}

const onOff = (v: boolean | undefined): string | undefined => (v === undefined ? undefined : v ? 'on' : 'off');
const str = (v: string | number | undefined): string | undefined => (v === undefined ? undefined : String(v));
const centis = (s: number | undefined): string | undefined => (s === undefined ? undefined : String(Math.round(s * 100)));
const hex = (n: number | undefined): string | undefined => (n === undefined ? undefined : `0x${n.toString(16)}`);

const OPTION_TEXT: Record<NonNullable<OptionWord['text']>, (v: unknown, names: Names) => string | undefined> = {
  onoff: (v) => onOff(v as boolean | undefined),
  centis: (v) => centis(v as number | undefined),
  table: (v, n) => (v === undefined ? undefined : tableText(v as number, n)),
};

/**
 * A kind's option (or a master's port setting) as its descriptor shows it:
 * `attr` its plan name, `value` where a link has it (undefined: not on this
 * link), `group` the word changes are named by ("vxlan id", "bridge_slave learning").
 */
function optionWord(o: KindOption, attr: string, group: string, value: (l: Link) => LinkOptions | undefined): Word<Link> {
  const field = fieldOf(o.key);
  const text = o.word.text === undefined ? (v: unknown) => str(v as string | number | undefined) : OPTION_TEXT[o.word.text];
  const word: Word<Link> = {
    attr,
    key: o.word.key,
    get: (l, n) => {
      const options = value(l);
      return options === undefined ? undefined : text(options[field], n);
    },
    group,
  };
  if (o.word.flag) word.flag = true;
  if (o.word.onDelete) word.onDelete = true;
  return word;
}

/** Each kind's options: after the kind, only on links of that kind. */
const KIND_OPTION_WORDS = KINDS.flatMap((d) => d.options.map((o) => optionWord(o, `${d.kind}.${o.key}`, d.kind, (l) => (l.kind === d.kind ? l.options : undefined))));

/** A master's port settings of a member, as `ip -d link show` names them ("bridge_slave learning on"). */
const PORT_OPTION_WORDS = PORT_KINDS.flatMap((p) =>
  p.role.options.map((o) => optionWord(o, `${p.role.key}.${o.key}`, `${p.role.slaveKind}_slave`, (l) => (l.port?.kind === p.kind ? l.port.options : undefined))),
);

const INTERFACE: readonly Word<Link>[] = [
  { attr: 'name', key: '', bare: true, id: true, onDelete: true, get: (l) => l.name },
  { attr: 'kind', key: 'type', bare: true, onDelete: true, get: (l) => (l.kind.startsWith('other:') ? l.kind.slice(6) : l.kind), hide: (l) => l.kind === 'device' },
  ...KIND_OPTION_WORDS,
  { attr: 'mtu', key: 'mtu', get: (l) => str(l.mtu) },
  { attr: 'mac', key: 'address', get: (l) => l.mac },
  { attr: 'master', key: 'master', get: (l) => l.master, clears: true },
  { attr: 'state', key: 'state', get: (l) => l.state, hide: (l) => l.state === 'up' },
  { attr: 'alias', key: 'alias', get: (l) => l.alias, quiet: true, hide: () => true },
  { attr: 'ipv4.promote-secondaries', key: 'promote_secondaries', get: (l) => onOff(l.promoteSecondaries ?? false), flag: true, quiet: true, hide: () => true },
  ...PORT_OPTION_WORDS,
  {
    attr: 'vlans',
    key: 'vlans',
    get: (l) => (l.vlans === undefined ? undefined : l.vlans.map(vlanText).join(', ') || 'none'),
    change: (before, after) => vlanDeltaText(after.vlans ?? [], before.vlans),
  },
  ...settingWords<Link>(INTERFACE_SETTINGS),
];

/**
 * IP settings (netlink/rtnl/devconf.ts's table) in the config's words:
 * "ipv4.forwarding: false -> true" ("default -> true" on a link this plan
 * creates, whose values are the kernel's defaults until then). Not shown on whole-object lines: a
 * link's settings as read are the kernel's, not what the line is about.
 */
function settingWords<T extends Link | NamespaceSettings>(table: readonly IpSetting[]): Word<T>[] {
  return table.map((s) => ({ attr: settingName(s), key: `${settingName(s)}:`, get: (o: T) => valueWord(settingValue(o, s)), hide: () => true, unset: 'default' }));
}

const NAMESPACE: readonly Word<NamespaceSettings>[] = settingWords<NamespaceSettings>(NAMESPACE_SETTINGS);

const ADDRESS: readonly Word<Address>[] = [
  ...ADDRESS_TABLE.filter((row) => row.show !== undefined).map((row) => tableWord(row)),
  { attr: 'protocol', key: 'proto', get: (a, n) => (a.protocol === undefined ? undefined : protocolText(a.protocol, n, true)), hide: (a, n) => a.protocol === n.protocol },
];

/**
 * A word from an object's attribute table (netlink/rtnl): the row's plan
 * name, iproute2's keyword and the value's text (a switch on or off from
 * its default; true as "1"); part of the identity when the row is part of
 * the kernel's key; leaving it out clears it when the table compares the
 * whole value.
 */
function tableWord<T>(row: AttrSpec<any, T>, more: Partial<Word<T>> = {}): Word<T> {
  const show = row.show;
  const field = row.field;
  if (!show || row.name === undefined || field === undefined) throw new Error(`attribute ${row.name ?? row.attr} is not shown`);
  const value = (o: T): unknown => (o as Record<string, unknown>)[field];
  const get = show.text
    ? (o: T) => show.text!(o)
    : show.flag
      ? (o: T) => onOff((value(o) ?? row.absent) as boolean | undefined)
      : (o: T) => {
          const v = value(o);
          return v === undefined || v === false ? undefined : v === true ? '1' : String(v);
        };
  const w: Word<T> = { attr: row.name, key: show.word, get };
  if (show.flag) w.flag = true;
  if (show.bare) w.bare = true;
  if (show.hide) w.hide = (o) => show.hide!(o);
  if (row.role === 'key') w.id = true;
  if (row.compare === 'whole') w.clears = true;
  return { ...w, ...more };
}

const routeWord = (name: string, more?: Partial<Word<Route>>): Word<Route> => tableWord(rowNamed(ROUTE_ROWS, name), more);

const ROUTE: readonly Word<Route>[] = [
  { attr: 'type', key: 'type', bare: true, get: (r) => r.type, hide: (r) => r.type === 'unicast' },
  { attr: 'to', key: '', bare: true, id: true, get: (r) => (r.to.endsWith('/0') ? 'default' : r.to) },
  { attr: 'from', key: 'from', id: true, get: (r) => r.from },
  { attr: 'tos', key: 'tos', id: true, get: (r) => (r.tos ? hex(r.tos) : undefined) },
  routeWord('nexthop'),
  routeWord('via'),
  routeWord('dev', { id: (r) => routeKeyDev(r) !== undefined }),
  {
    attr: 'nexthops',
    key: 'nexthops',
    bare: true,
    get: (r) =>
      r.nexthops?.map((h) => `nexthop${h.via === undefined ? '' : ` via ${h.via}`}${h.dev === undefined ? '' : ` dev ${h.dev}`} weight ${h.weight}${h.onLink ? ' onlink' : ''}`).join(' '),
  },
  { attr: 'table', key: 'table', id: true, get: (r, n) => tableText(r.table, n), hide: (r) => r.table === TABLE_MAIN },
  { attr: 'protocol', key: 'proto', get: (r, n) => protocolText(r.protocol, n) },
  { attr: 'scope', key: 'scope', get: (r) => r.scope, hide: (r) => r.scope === 'global' },
  routeWord('src'),
  { attr: 'metric', key: 'metric', id: true, get: (r) => String(r.metric), hide: (r) => r.metric === 0 },
  routeWord('on-link'),
  // The settings, in the table's order from the mtu on: metrics, preference, kept attributes.
  ...ROUTE_ROWS.slice(ROUTE_ROWS.indexOf(rowNamed(ROUTE_ROWS, 'mtu')))
    .filter((row) => row.show !== undefined && row.field !== 'nhid')
    .map((row) => tableWord(row)),
];

/** A rule in the rule table's words (its identity, as ruleKey writes it), tables by name, then its owner. */
const RULE: readonly Word<Rule>[] = [
  { attr: 'family', key: 'family', bare: true, id: true, get: (r) => r.family },
  ...RULE_TABLE.filter((row) => row.show !== undefined).map((row) =>
    row.field === 'action'
      ? tableWord(row, { get: (r, n) => actionText(r, (t) => tableText(t, n)) })
      : tableWord(row),
  ),
  { attr: 'protocol', key: 'proto', get: (r, n) => protocolText(r.protocol, n) },
];

const NEIGHBOR: readonly Word<Neighbor>[] = [
  { attr: 'address', key: '', bare: true, id: true, get: (x) => x.address },
  tableWord(rowNamed(NEIGHBOR_TABLE, 'lladdr')),
  { attr: 'dev', key: 'dev', id: true, get: (x) => x.dev },
  { attr: 'state', key: 'nud', get: (x) => x.state, hide: (x) => x.state === 'permanent' || x.state === 'present' },
  { attr: 'protocol', key: 'proto', get: (x, n) => (x.protocol === undefined ? undefined : protocolText(x.protocol, n)), hide: (x, n) => x.protocol === n.protocol },
];

/** A nexthop object in `ip nexthop`'s words, from the nexthop table, then its family and owner. */
const NEXTHOP: readonly Word<NexthopObject>[] = [
  ...flatRows(NEXTHOP_TABLE)
    .filter((row) => row.show !== undefined)
    .map((row) => tableWord(row, row.field === 'id' ? { id: true } : {})),
  { attr: 'family', key: 'family', get: (n) => n.family, hide: (n) => n.family !== 'ipv6' || n.via !== undefined },
  { attr: 'protocol', key: 'proto', get: (n, names) => protocolText(n.protocol, names) },
];

/** The words of every object type, in the order iproute2 writes them. */
export const WORDS: { readonly [K in ObjectType]: readonly Word<ModelObject>[] } = {
  namespace: NAMESPACE as readonly Word<ModelObject>[],
  interface: INTERFACE as readonly Word<ModelObject>[],
  address: ADDRESS as readonly Word<ModelObject>[],
  route: ROUTE as readonly Word<ModelObject>[],
  rule: RULE as readonly Word<ModelObject>[],
  neighbor: NEIGHBOR as readonly Word<ModelObject>[],
  nexthop: NEXTHOP as readonly Word<ModelObject>[],
};

/** The words a whole-object line shows of `o`, with their values. `which` picks them. */
export function shownWords(type: ObjectType, o: ModelObject, names: Names, which: 'all' | 'id' | 'delete' = 'all'): { w: Word<ModelObject>; v: string }[] {
  const out: { w: Word<ModelObject>; v: string }[] = [];
  for (const w of WORDS[type]) {
    if (which === 'id' && !(typeof w.id === 'function' ? w.id(o) : w.id)) continue;
    if (which === 'delete' && type === 'interface' && !w.onDelete) continue;
    const v = w.get(o, names);
    if (v !== undefined && !w.hide?.(o, names)) out.push({ w, v });
  }
  return out;
}

/** An object as iproute2 would write it: "default via 198.51.100.1 dev wan0 proto netrec". `which` picks the words shown. */
export function objectWords(type: ObjectType, o: ModelObject, names: Names, which: 'all' | 'id' | 'delete' = 'all'): string {
  const parts: string[] = [];
  for (const { w, v } of shownWords(type, o, names, which)) {
    if (w.flag) {
      if (v === 'on') parts.push(w.key);
    } else parts.push(w.bare || w.key === '' ? v : `${w.key} ${v}`);
  }
  return parts.join(' ');
}

/** One changed attribute, as a plan shows it. */
export interface WordChange {
  attr: string;
  text: string;
}

/**
 * Every attribute that differs between `before` and `after` in these words
 * ("mtu 1500 -> 9000"), plus those `listed` by the plan; an attribute the new
 * object leaves out counts only where leaving it out clears it.
 */
export function changedWords(type: ObjectType, before: ModelObject, after: ModelObject, listed: readonly string[], names: Names): WordChange[] {
  const out: WordChange[] = [];
  for (const w of WORDS[type]) {
    const old = w.get(before, names);
    const now = w.get(after, names);
    if (old === now) continue;
    const isListed = listed.includes(w.attr);
    if (!isListed && (w.quiet || (now === undefined && !w.clears))) continue;
    const key = w.group === undefined ? w.key || w.attr : `${w.group} ${w.key}`;
    out.push({ attr: w.attr, text: w.change ? `${key} ${w.change(before, after)}` : `${key} ${old ?? w.unset ?? 'none'} -> ${now ?? 'none'}` });
  }
  return out;
}

/**
 * An object named by its identity key alone (what the kernel removes along
 * with a change), in the same words: "neighbor 10.0.0.5 dev lan0",
 * "route 10.1.0.0/24 table isp_a". Keys are those of model/identity.ts;
 * device names hold no spaces.
 */
export function idWords(type: ObjectType, id: string, names: Names): string {
  const sp = id.indexOf(' ');
  switch (type) {
    case 'address':
    case 'neighbor':
      return sp < 0 ? id : `${id.slice(sp + 1)} dev ${id.slice(0, sp)}`;
    case 'route': {
      const m = /^(\S+) table (\d+) metric (\d+)(.*)$/.exec(id);
      if (m === null) return id;
      const table = Number(m[2]);
      let s = m[1]!.endsWith('/0') ? 'default' : m[1]!;
      s += m[4]!;
      if (table !== TABLE_MAIN) s += ` table ${tableText(table, names)}`;
      if (m[3] !== '0') s += ` metric ${m[3]}`;
      return s;
    }
    case 'nexthop':
      return `id ${id}`;
    case 'rule':
      return id.replace(/ lookup (\d+)$/, (_, n: string) => ` lookup ${tableText(Number(n), names)}`);
    default:
      return id;
  }
}
