// Who owns what (contract section 4) and how link kinds relate to each other.
// The kinds' roles (lower link, peer, master) are their descriptors' (src/kinds/).
import { goesWithLower, isVirtual, kindOf, lowerOf, lowerWithout, masterRole, peerOf } from '../kinds/registry.js';
import { OWNER_ALIAS } from '../model/constants.js';
import type { Address, Link, Neighbor, NexthopObject, ObjectType, Route, Rule } from '../model/types.js';
import type { ModelObject } from './types.js';

export { goesWithLower, isVirtual, lowerOf, lowerWithout, peerOf };

export function ownsLink(l: Link): boolean {
  return l.alias === OWNER_ALIAS;
}

/** Routes, rules, neighbors and addresses carry the owner's protocol marker. */
export function ownsMarked(o: { protocol?: number }, protocol: number): boolean {
  return o.protocol === protocol;
}

const PROTO_KERNEL = 2;

/**
 * Objects the kernel makes and takes back by itself: restoring an address or
 * bringing a link up brings them back, so rollback neither writes nor deletes
 * them, and plans do not report them among a change's effects.
 */
export function isKernelMade(type: ObjectType, o: ModelObject): boolean {
  switch (type) {
    case 'route':
      return (o as Route).protocol === PROTO_KERNEL;
    case 'address':
      return (o as Address).kernelManaged === true;
    case 'neighbor': {
      // Learned entries, and the kernel's own entries for multicast groups.
      const n = o as Neighbor;
      return (n.state !== 'permanent' && n.state !== 'noarp') || isMulticast(n.address);
    }
    default:
      return false;
  }
}

/** ff00::/8 and 224.0.0.0/4. */
function isMulticast(address: string): boolean {
  if (address.includes(':')) return address.startsWith('ff');
  const first = Number(address.slice(0, address.indexOf('.')));
  return first >= 224 && first <= 239;
}

/** Joining or leaving these masters takes the member down and up again. */
export function cyclesMembers(master: Link | undefined): boolean {
  return masterRole(master)?.cyclesMembers === true;
}

/** These take their link-layer address from a member unless one was set, so it can change as members come and go. */
export function takesMemberAddress(master: Link | undefined): boolean {
  return masterRole(master)?.takesMemberAddress === true;
}

/**
 * A pair (two links of a kind with a peer) is one object: the kernel creates both ends from one
 * message, sent for the end that names its peer (the lexically smaller name
 * when both do). The other end only appears with it.
 */
export class Pairs {
  private readonly declaredBy = new Map<string, string>();

  constructor(private readonly links: ReadonlyMap<string, Link>) {
    for (const l of links.values()) {
      const peer = peerOf(l);
      if (peer !== undefined && l.state !== 'absent') this.declaredBy.set(peer, l.name);
    }
  }

  /** The end whose create makes `name`, when that is not `name` itself. */
  createdWith(name: string): string | undefined {
    const l = this.links.get(name);
    if (l === undefined || !kindOf(l.kind)?.peerField) return undefined;
    const peer = peerOf(l);
    if (peer === undefined) return this.declaredBy.get(name);
    if (peerOf(this.links.get(peer)) === name && peer < name) return peer;
    return undefined;
  }

  /** True when a declared link names `name` as its peer. */
  isDeclaredPeer(name: string): boolean {
    return this.declaredBy.has(name);
  }
}

export function isOwnedBy(type: ObjectType, o: ModelObject, protocol: number): boolean {
  return type === 'interface' ? ownsLink(o as Link) : ownsMarked(o as Route | Rule | Neighbor | Address | NexthopObject, protocol);
}
