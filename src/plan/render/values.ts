// Model objects and attribute values as plans show them: config-format
// names (kebab-case), no source locations, protocols by name.
import { PROTOCOL_NAMES } from '../../model/constants.js';
import type { Link, Nexthop, Vlan } from '../../model/types.js';
import { portKind } from '../../kinds/registry.js';

/** A model key in the config's kebab-case; most keys are one lower-case word, returned as they are. */
function kebab(key: string): string {
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 65 && c <= 90) return key.replace(/[A-Z]/g, (u) => `-${u.toLowerCase()}`);
  }
  return key;
}

/** Not part of the config format: where it was declared, the address-list ownership flag, the device's kernel limits. */
function hidden(k: string): boolean {
  return k === 'source' || k === 'addressesAuthoritative' || k === 'limits';
}

/**
 * A model object as a config-format-like value: kebab-case keys, undefined
 * and source left out. Runs once per change of a 1,000,000-change JSON plan,
 * hence the plain loops (no entries arrays).
 */
export function toConfigValue(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) a[i] = toConfigValue(v[i]);
    return a;
  }
  const out: Record<string, unknown> = {};
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (x === undefined || hidden(k)) continue;
    if (k === 'port' && typeof o.kind === 'string') {
      // A link's port settings under their config key (`bridge-port: {...}`).
      const port = x as NonNullable<Link['port']>;
      out[portKind(port.kind)?.role.key ?? 'port'] = toConfigValue(port.options);
      continue;
    }
    // A link's options show under its kind's key, as in the config (`KIND: {...}`); VLAN ranges as "A-B".
    const key = k === 'options' && typeof o.kind === 'string' ? o.kind : kebab(k);
    out[key] = k === 'vlans' && Array.isArray(x) ? (x as Vlan[]).map((v) => toConfigValue({ ...v, vid: v.end === undefined ? v.vid : `${v.vid}-${v.end}`, end: undefined })) : typeof x === 'object' && x !== null ? toConfigValue(x) : x;
  }
  return out;
}

function protocolText(p: number): string {
  return PROTOCOL_NAMES[p] ?? `0x${p.toString(16)}`;
}

function nexthopText(h: Nexthop): string {
  let s = '';
  if (h.via !== undefined) s += `via ${h.via} `;
  if (h.dev !== undefined) s += `dev ${h.dev} `;
  s += `weight ${h.weight}`;
  if (h.onLink) s += ' on-link';
  return s;
}

/** One attribute value for a plan line. */
export function valueText(attr: string, v: unknown): string {
  if (v === undefined || v === null) return 'none';
  if (attr === 'protocol' && typeof v === 'number') return protocolText(v);
  if (attr === 'nexthops' && Array.isArray(v)) return `[${(v as Nexthop[]).map(nexthopText).join(', ')}]`;
  if (typeof v === 'object') return JSON.stringify(toConfigValue(v));
  return String(v);
}
