// The link-kind parts of schema/netrec.schema.json, generated from the
// descriptors: in $defs.interface.properties, the `kind` enum, the kinds a
// `master` can be, each kind's options object, a master's port options
// (`bridge-port`) and `vlans` (netlink/rtnl/bridge-vlan.ts), which follow `addresses`
// (the last key written by hand). The rest of the file is left as it is,
// byte for byte. `npm run schema` writes the file; a unit test checks that
// the committed file is what the descriptors give.
import { VLANS_SCHEMA } from '../netlink/rtnl/bridge-vlan.js';
import { KINDS, PORT_KINDS } from './registry.js';
import { INTERFACE_SETTINGS, NAMESPACE_SETTINGS, valueSchema, type IpSetting } from '../netlink/rtnl/devconf.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The JSON Schema of one kind's options object (or a master's port options). */
function optionsSchema(d: { summary: string; options: (typeof KINDS)[number]['options'] }): Json {
  const required = d.options.filter((o) => o.required).map((o) => o.key);
  const node: { [key: string]: Json } = { description: d.summary, type: 'object', additionalProperties: false };
  if (required.length > 0) node.required = required;
  node.properties = Object.fromEntries(d.options.map((o) => [o.key, o.schema as Json]));
  return node;
}

/** "bridge, bond or vrf". */
function orList(names: string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** `ipv4:` and `ipv6:` objects of the IP settings table (netlink/rtnl/devconf.ts). */
function settingsSchema(table: readonly IpSetting[], what: string): [string, Json][] {
  return (['ipv4', 'ipv6'] as const).map((family) => [
    family,
    {
      description: `${family === 'ipv4' ? 'IPv4' : 'IPv6'} settings of ${what}. A key left out is left alone.`,
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(table.filter((x) => x.family === family).map((x) => [x.key, valueSchema(x) as Json])),
    },
  ]);
}

/** The generated top-level `namespace` property. */
export function namespaceProperty(): Json {
  return {
    description: 'Settings of the whole network namespace, written before those of interfaces.',
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(settingsSchema(NAMESPACE_SETTINGS, 'the namespace')),
  };
}

/** The generated members of $defs.interface.properties. */
export function linkKindProperties(): { kind: Json; master: Json; settings: [string, Json][]; options: [string, Json][] } {
  return {
    settings: settingsSchema(INTERFACE_SETTINGS, 'the interface (devconf)'),
    kind: {
      description: 'device (default): an existing device netrec configures but never creates or deletes. The others are virtual interfaces netrec creates.',
      enum: ['device', ...KINDS.map((d) => d.kind)],
    },
    master: {
      description: `Enslave to this ${orList(KINDS.filter((d) => d.master).map((d) => d.kind))}, which must be declared in the config.`,
      $ref: '#/$defs/ifname',
    },
    options: [
      ...KINDS.filter((d) => d.options.length > 0).map((d): [string, Json] => [d.kind, optionsSchema(d)]),
      ...PORT_KINDS.map((p): [string, Json] => [p.role.key, optionsSchema({ summary: `Settings of this interface as a port of its master, a ${p.kind}.`, options: p.role.options })]),
      ['vlans', VLANS_SCHEMA as unknown as Json],
    ],
  };
}

// ---- writing into the schema's text ----------------------------------------

/** Where a JSON value lies in the text, and for an object where each member lies. */
interface Span {
  start: number;
  end: number;
  members?: Map<string, { keyStart: number; value: Span }>;
}

/** The spans of a JSON text (which JSON.parse accepts: no checks beyond finding ends). */
function spans(text: string): Span {
  let i = 0;
  const ws = () => {
    while (/\s/.test(text[i] ?? '')) i++;
  };
  const str = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): Span => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const members = new Map<string, { keyStart: number; value: Span }>();
      ws();
      while (text[i] !== '}') {
        const keyStart = i;
        const key = str();
        ws();
        i++; // :
        members.set(key, { keyStart, value: value() });
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      return { start, end: i, members };
    }
    if (c === '[') {
      i++;
      ws();
      while (text[i] !== ']') {
        value();
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      return { start, end: i };
    }
    if (c === '"') {
      str();
      return { start, end: i };
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
    return { start, end: i };
  };
  return value();
}

/** One line when it fits in WIDTH columns, else one member or element per line (the file's style). */
const WIDTH = 160;

function oneLine(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(oneLine).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    const e = Object.entries(v);
    return e.length === 0 ? '{}' : `{ ${e.map(([k, x]) => `${JSON.stringify(k)}: ${oneLine(x)}`).join(', ')} }`;
  }
  return JSON.stringify(v);
}

function format(v: Json, indent: string, used: number): string {
  const line = oneLine(v);
  if (v === null || typeof v !== 'object' || used + line.length <= WIDTH) return line;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return `[\n${v.map((x) => inner + format(x, inner, inner.length + 1)).join(',\n')}\n${indent}]`;
  const members = Object.entries(v).map(([k, x]) => {
    const head = `${inner}${JSON.stringify(k)}: `;
    return head + format(x, inner, head.length + 1);
  });
  return `{\n${members.join(',\n')}\n${indent}}`;
}

/** The indentation of the line `at` is on. */
function indentAt(text: string, at: number): string {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  return /^\s*/.exec(text.slice(lineStart))![0];
}

/**
 * The schema's text with its link-kind parts as the descriptors give them.
 * Throws when the text lacks $defs.interface.properties.addresses.
 */
export function withLinkKinds(text: string): string {
  const root = spans(text);
  const props = root.members?.get('$defs')?.value.members?.get('interface')?.value.members?.get('properties')?.value;
  const members = props?.members;
  if (props === undefined || members === undefined || !members.has('addresses')) throw new Error('the schema has no $defs.interface.properties.addresses');
  const gen = linkKindProperties();
  const indent = indentAt(text, members.values().next().value!.keyStart);
  const outer = indentAt(text, props.start);
  const entries: string[] = [];
  for (const [key, m] of members) {
    const head = `${indent}${JSON.stringify(key)}: `;
    if (key === 'kind' || key === 'master') entries.push(head + format(gen[key], indent, head.length + 1));
    else entries.push(head + text.slice(m.value.start, m.value.end));
    if (key === 'addresses') break;
  }
  for (const [key, node] of [...gen.settings, ...gen.options]) {
    const head = `${indent}${JSON.stringify(key)}: `;
    entries.push(head + format(node, indent, head.length + 1));
  }
  const withKinds = `${text.slice(0, props.start)}{\n${entries.join(',\n')}\n${outer}}${text.slice(props.end)}`;
  return withNamespace(withKinds);
}

/** The top-level `namespace` property, generated, written before `interfaces`. */
function withNamespace(text: string): string {
  const top = spans(text).members?.get('properties')?.value.members;
  if (top === undefined || !top.has('interfaces')) throw new Error('the schema has no properties.interfaces');
  const indent = indentAt(text, top.get('interfaces')!.keyStart);
  const head = `${indent}"namespace": `;
  const node = head + format(namespaceProperty(), indent, head.length + 1);
  const old = top.get('namespace');
  if (old !== undefined) return `${text.slice(0, old.keyStart - indent.length)}${node}${text.slice(old.value.end)}`;
  const at = top.get('interfaces')!.keyStart - indent.length;
  return `${text.slice(0, at)}${node},\n${text.slice(at)}`;
}
