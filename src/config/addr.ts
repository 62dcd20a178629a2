// Address text for the config loader: validity, canonical text (the same
// text as src/model/ip.ts gives: dotted quad, RFC 5952 like ipaddr.js) and
// host bits, without allocating bytes. A config may hold a full routing
// table, and the generic parser costs microseconds per IPv6 address.

const groups = new Uint16Array(8);
/** What parseIPv6 saw of the text: every group in its shortest lower-case hex, and where "::" stood. */
let groupsMinimal = true;
let gapAt = -1;
let gapLen = 0;

/** Canonical text of an IPv4 or IPv6 address (no prefix length), or undefined; `s` itself when canonical already. */
export function canonicalAddress(s: string): string | undefined {
  if (ipv4(s) >= 0) return s; // a valid dotted quad here has no leading zeros: it is canonical
  if (!parseIPv6(s)) return undefined;
  return groupsMinimal && longestZeroRun() === gapAt * 16 + gapLen ? s : formatIPv6();
}

/**
 * The IPv4 address in s[from, to) as a number, or -1; leading zeros are
 * refused (as src/model/ip.ts does), so a valid text is canonical.
 */
export function ipv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i <= to; i++) {
    const c = i < to ? s.charCodeAt(i) : 46;
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || (i < to && ++dots > 3)) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else return -1;
  }
  return dots === 3 ? value : -1;
}

/** Dotted-quad text of an IPv4 address number. */
export function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** The IPv4 network of `v`/`len` when host bits are set, else -1. */
export function ipv4Network(v: number, len: number): number {
  const host = len >= 32 ? 0 : (v & (-1 >>> len)) >>> 0;
  return host === 0 ? -1 : v - host;
}

/**
 * Parse s[0, to) into `groups` in one pass (no searches, no fills: this
 * runs for every IPv6 route); false when not an IPv6 address (zones are
 * refused).
 */
function parseIPv6(s: string, to = s.length): boolean {
  // Locals while parsing, the module's state at the end: its bindings cost a check on every access.
  const out = groups;
  let minimal = true;
  let gap = -1;
  let n = 0;
  let i = 0;
  // charCodeAt is never asked past the end: optimised code would slow down for all calls.
  if (to > 1 && s.charCodeAt(0) === 58) {
    if (s.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
  }
  while (i < to) {
    let v = 0;
    let j = i;
    for (; j < to; j++) {
      const c = s.charCodeAt(j);
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) break;
      if (c >= 65 && c <= 70) minimal = false; // canonical text is lower case
      v = v * 16 + d;
    }
    if (j < to && s.charCodeAt(j) === 46) {
      // A dotted IPv4 tail: the last two groups, and never canonical text.
      const v4 = n > 6 ? -1 : ipv4(s, i, to);
      if (v4 < 0) return false;
      out[n++] = v4 >>> 16;
      out[n++] = v4 & 0xffff;
      minimal = false;
      break;
    }
    if (j === i || j - i > 4 || n === 8) return false;
    if (j - i > 1 && s.charCodeAt(i) === 48) minimal = false;
    out[n++] = v;
    if (j === to) break;
    if (s.charCodeAt(j) !== 58 || j + 1 === to) return false;
    i = j + 1;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const zeros = gap < 0 ? 0 : 8 - n;
  // Move the groups after "::" to the end and zero the gap.
  for (let g = n - 1; g >= gap && zeros > 0; g--) out[g + zeros] = out[g]!;
  for (let g = gap; g < gap + zeros; g++) out[g] = 0;
  groupsMinimal = minimal;
  gapAt = gap;
  gapLen = zeros;
  return true;
}

/** The longest run of two or more zero groups (the first of equals) as start * 16 + length; -16 when none. */
function longestZeroRun(): number {
  let bestAt = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > Math.max(bestLen, 1)) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  return bestAt * 16 + bestLen;
}

/** Whether s[0, to) is an IPv6 address in canonical text with no bits set past the first `len`. */
export function isCanonicalIPv6Network(s: string, to: number, len: number): boolean {
  if (!parseIPv6(s, to) || !groupsMinimal || longestZeroRun() !== gapAt * 16 + gapLen) return false;
  for (let g = 0; g < 8; g++) {
    const keep = len - g * 16; // the group's bits inside the prefix
    if (keep < 16 && (groups[g]! & (keep <= 0 ? 0xffff : 0xffff >>> keep)) !== 0) return false;
  }
  return true;
}

/** RFC 5952 text of `groups`: lower-case hex, the longest run of two or more zero groups as "::". */
function formatIPv6(): string {
  const run = longestZeroRun();
  const bestAt = run >> 4;
  const bestLen = run & 15;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestAt) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}

/**
 * For a canonical address and a prefix length: the network's canonical
 * text when bits beyond the length are set, else undefined.
 */
export function networkWithHostBits(canonical: string, len: number): string | undefined {
  const v4 = ipv4(canonical);
  if (v4 >= 0) {
    const net = ipv4Network(v4, len);
    return net < 0 ? undefined : ipv4Text(net);
  }
  if (!parseIPv6(canonical)) return undefined;
  let changed = false;
  for (let g = 0; g < 8; g++) {
    const keep = Math.min(16, Math.max(0, len - g * 16));
    const mask = keep === 16 ? 0xffff : (0xffff << (16 - keep)) & 0xffff;
    if (groups[g]! & ~mask & 0xffff) {
      groups[g] = groups[g]! & mask;
      changed = true;
    }
  }
  return changed ? formatIPv6() : undefined;
}

/** Hex of the address bytes (8 or 32 digits), so that text order is numeric order; the text itself if invalid. */
export function addressSortKey(s: string): string {
  const v4 = ipv4(s);
  if (v4 >= 0) return v4.toString(16).padStart(8, '0');
  if (!parseIPv6(s)) return s;
  let key = '';
  for (let g = 0; g < 8; g++) key += groups[g]!.toString(16).padStart(4, '0');
  return key;
}
