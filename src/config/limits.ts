// What the kernel will refuse, known before anything is written: each link
// kind's MTU range and address form (its descriptor's `limits`, src/kinds/;
// static: `validate`), and the checks against what the kernel reports for
// the devices that exist (IFLA_MIN_MTU, IFLA_MAX_MTU, the length of
// IFLA_ADDRESS) and the networks they are connected to (`plan` and `apply`,
// before any write).
import { limitsOf, lowerOf } from '../kinds/registry.js';
import { IPV6_MIN_MTU } from '../kinds/limits.js';
import { familyOf, ipToBytes, parsePrefix } from '../model/ip.js';
import type { Address, Desired, Link, Route, Source, State } from '../model/types.js';
import type { Problem } from './errors.js';

export { IPV6_MIN_MTU };
/** ETH_ALEN. */
export const ETH_ALEN = 6;
/** ARPHRD_ETHER (include/uapi/linux/if_arp.h): ifinfomsg.ifi_type of Ethernet-like devices. */
export const ARPHRD_ETHER = 1;

/** An MTU outside [min, max] (max 0: none), as a sentence; undefined when it fits. */
function mtuOutside(mtu: number, min: number, max: number, what: string, whose: string): string | undefined {
  if (mtu < min) return `mtu ${mtu} is below the least ${what} takes (${min}${whose})`;
  if (max > 0 && mtu > max) return `mtu ${mtu} is above the most ${what} takes (${max}${whose})`;
  return undefined;
}

/** The problem with an Ethernet MAC of `bytes`, or undefined. */
export function ethernetMacProblem(text: string, bytes: number[]): string | undefined {
  if (bytes.length !== ETH_ALEN) return `"${text}" has ${bytes.length} bytes; an Ethernet address has ${ETH_ALEN}`;
  if (bytes[0]! & 1) return `"${text}" is a multicast address (lowest bit of the first byte set); an interface cannot use it`;
  if (bytes.every((b) => b === 0)) return `"${text}" is all zero; an interface cannot use it`;
  return undefined;
}

function macBytes(mac: string): number[] {
  return mac.split(':').map((h) => parseInt(h, 16));
}

/**
 * The static checks of one declared interface, for `validate`: the kind's MTU
 * range, and IPv6's floor when the interface has IPv6 addresses. Returns
 * [config key, message] pairs.
 */
export function staticLinkProblems(kind: string, mtu: number | undefined, hasIpv6: boolean): [string, string][] {
  const out: [string, string][] = [];
  if (mtu === undefined) return out;
  const range = limitsOf(kind).mtu;
  const bad = mtuOutside(mtu, range[0], range[1], `a ${kind}`, '');
  if (bad) out.push(['mtu', bad]);
  else if (hasIpv6 && mtu < IPV6_MIN_MTU) out.push(['mtu', ipv6Floor(mtu)]);
  return out;
}

function ipv6Floor(mtu: number, who = 'this interface'): string {
  return `mtu ${mtu} is below ${IPV6_MIN_MTU}, the least IPv6 works with, and ${who} has IPv6 addresses (the kernel would turn IPv6 off on it and drop them)`;
}

/** Where to report a problem of `o`: its config location, else the first file. */
function at(desired: Desired, o: { source?: Source }): Source {
  return o.source ?? { file: desired.files[0] ?? '', line: 0, col: 0 };
}

/**
 * The checks that need the kernel's view, for `plan` and `apply` before any
 * write: MTU and MAC against what each existing device takes, the MTU of a
 * link whose kind stays below its lower link against that link's, IPv6's floor where the device keeps
 * IPv6 addresses, and route gateways on a network the device is connected to.
 */
export function kernelLimitProblems(desired: Desired, actual: State): Problem[] {
  const problems: Problem[] = [];
  const have = new Map<string, Link>();
  for (const l of actual.links) have.set(l.name, l);
  const want = new Map<string, Link>();
  for (const l of desired.state.links) if (l.state !== 'absent') want.set(l.name, l);
  const ipv6On = new Set<string>();
  for (const a of actual.addresses) if (a.family === 'ipv6' && !a.kernelManaged) ipv6On.add(a.dev);

  for (const l of want.values()) {
    const cur = have.get(l.name);
    // Only the device that stays is bound by its own limits: one that is made anew or replaced has its kind's.
    const same = cur !== undefined && (l.kind === 'device' || l.kind === cur.kind);
    const lim = same ? cur.limits : undefined;
    const report = (message: string) => problems.push({ ...at(desired, l), message });
    if (l.mtu !== undefined) {
      let bad: string | undefined;
      if (lim?.minMtu !== undefined) bad = mtuOutside(l.mtu, lim.minMtu, lim.maxMtu ?? 0, l.name, ', the kernel\'s IFLA_MIN_MTU/IFLA_MAX_MTU for it');
      const lower = limitsOf(l.kind).belowLower ? lowerOf(l) : undefined;
      const lowerMtu = lower === undefined ? undefined : (want.get(lower)?.mtu ?? have.get(lower)?.mtu);
      if (!bad && lowerMtu !== undefined && l.mtu > lowerMtu) {
        bad = `mtu ${l.mtu} is above the mtu of its link ${lower} (${lowerMtu}); a ${l.kind} cannot exceed it`;
      }
      const keepsIpv6 = !l.addressesAuthoritative && ipv6On.has(l.name) && same;
      if (!bad && keepsIpv6 && l.mtu < IPV6_MIN_MTU) bad = ipv6Floor(l.mtu, l.name);
      if (bad) report(bad);
    }
    if (l.mac !== undefined && lim?.addrLen !== undefined) {
      const bytes = macBytes(l.mac);
      if (bytes.length !== lim.addrLen) report(`mac "${l.mac}" has ${bytes.length} bytes; ${l.name} has ${lim.addrLen}-byte addresses (the kernel would refuse a shorter one and cut a longer one)`);
      else if (lim.type === ARPHRD_ETHER) {
        const bad = ethernetMacProblem(l.mac, bytes);
        if (bad) report(`mac ${bad}`);
      }
    }
  }
  gatewayProblems(desired, actual, problems);
  return problems;
}

/** A prefix as a byte test: does it contain an address? */
class Network {
  private constructor(
    private readonly bytes: Uint8Array,
    private readonly len: number,
  ) {}

  static of(text: string): Network | undefined {
    const p = parsePrefix(text);
    return p && new Network(p.bytes, p.len);
  }

  contains(addr: Uint8Array): boolean {
    if (addr.length !== this.bytes.length) return false;
    for (let bit = 0; bit < this.len; bit++) {
      const m = 0x80 >> (bit & 7);
      if ((addr[bit >> 3]! & m) !== (this.bytes[bit >> 3]! & m)) return false;
    }
    return true;
  }
}

/**
 * Routes through a gateway the kernel would not reach (fib_check_nh,
 * ip6_route_check_nh: the gateway must be on a network a device is
 * connected to, unless `on-link`). Connected: the prefix of an address
 * (or its peer) on that device, declared or present, or a device route
 * (no gateway) through it. Without a `dev`, any device counts. An IPv6
 * link-local gateway is the device's own business.
 */
function gatewayProblems(desired: Desired, actual: State, problems: Problem[]): void {
  const nets = new Map<string, Network[]>();
  const add = (dev: string | undefined, text: string | undefined) => {
    if (dev === undefined || text === undefined) return;
    const n = Network.of(text);
    if (!n) return;
    let list = nets.get(dev);
    if (!list) nets.set(dev, (list = []));
    list.push(n);
  };
  const addAddress = (a: Address) => {
    if (a.state === 'absent') return;
    add(a.dev, a.address);
    add(a.dev, a.peer);
  };
  const addRoute = (r: Route) => {
    if (r.state === 'absent' || r.via !== undefined || r.nexthops !== undefined || r.nhid !== undefined || r.dev === undefined) return;
    if (r.type !== 'unicast' && r.type !== 'local') return;
    add(r.dev, r.to);
  };
  for (const a of actual.addresses) addAddress(a);
  for (const a of desired.state.addresses) addAddress(a);
  for (const r of actual.routes) addRoute(r);
  for (const r of desired.state.routes) addRoute(r);
  const all = [...nets.values()].flat();

  const reachable = (via: string, dev: string | undefined): boolean => {
    const bytes = ipToBytes(via);
    if (!bytes) return true;
    if (familyOf(via) === 'ipv6' && bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) return true;
    const candidates = dev === undefined ? all : (nets.get(dev) ?? []);
    return candidates.some((n) => n.contains(bytes));
  };
  for (const r of desired.state.routes) {
    if (r.state === 'absent') continue;
    const hops = r.nexthops ?? [{ via: r.via, dev: r.dev, onLink: r.onLink, weight: 1 }];
    for (const h of hops) {
      if (h.via === undefined || h.onLink || reachable(h.via, h.dev)) continue;
      const of = h.dev !== undefined ? h.dev : 'any interface';
      problems.push({
        ...at(desired, r),
        message: `gateway ${h.via} is not on a network of ${of} (no address or device route covers it), so the kernel would refuse the route: add an address on that network, or say on-link: true`,
      });
    }
  }
}
