// Shared checks of one link kind: golden bytes against a real `ip` request,
// decode -> encode -> decode round trips, and what changes in place.
import assert from 'node:assert/strict';
import type { Link } from '../../src/model/types.js';
import type { NameIndex } from '../../src/netlink/rtnl/layout.js';
import { decodeLink, resolveLinks, writeLink, type WriteOp } from '../../src/netlink/rtnl/link.js';
import { linkReplacement, linkUpdate } from '../../src/plan/compare.js';
import { asReply, attrTree, hex, written } from '../netlink/helpers.js';

/** The lower link of the captures: x0, ifindex 3 (the first veth of a fresh namespace is 2..3). */
export const LOWER = { name: 'x0', ifindex: 3 };
export const lowerIdx: NameIndex = {
  ifindex(name) {
    if (name !== LOWER.name) throw new Error(`no interface named ${name}`);
    return LOWER.ifindex;
  },
};

/** netrec's request for `l` carries the same attributes as `ip`'s (hex from strace's `-e write=FD` dump). */
export function sameAsIp(l: Link, op: WriteOp, ipHex: string): void {
  const ours = written((w) => writeLink(w, op, l, 1, lowerIdx));
  assert.deepEqual(attrTree(ours), attrTree(hex(ipHex)));
}

/** The request for `l` read back as a dump would report it, with the lower link named. */
export function readBack(l: Link, op: WriteOp = 'create'): Link {
  const raw = decodeLink(asReply(written((w) => writeLink(w, op, l, 1, lowerIdx))))!;
  const [got] = resolveLinks([{ ...raw, ifindex: 9 }, { name: LOWER.name, kind: 'device', state: 'up', ifindex: LOWER.ifindex }]);
  delete got!.limits;
  return got!;
}

/** decode -> encode -> decode gives the same link. */
export function roundTrips(l: Link): void {
  const once = readBack(l);
  assert.deepEqual(once.options, l.options, 'options read back');
  assert.deepEqual(readBack(once), once, 'decode -> encode -> decode');
}

/** What a change of one option does to an existing link: 'update' in place, 'replace', or nothing. */
export function changeOf(have: Link, want: Link): 'update' | 'replace' | undefined {
  if (linkReplacement(want, have)) return 'replace';
  return linkUpdate(want, have, { exact: false, protocol: 0 })?.action;
}
