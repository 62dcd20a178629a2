// Link kinds as small drivers in one table: each knows its kernel kind
// string (IFLA_INFO_KIND) and how its IFLA_INFO_DATA maps to the model's
// options. Adding a kind is one new file plus one line here.
import type { Link } from '../../../model/types.js';
import { bond } from './bond.js';
import { bridge } from './bridge.js';
import type { KindDriver } from './driver.js';
import { dummy } from './dummy.js';
import { macvlan } from './macvlan.js';
import { veth } from './veth.js';
import { vlan } from './vlan.js';
import { vrf } from './vrf.js';
import { vxlan } from './vxlan.js';

export { LinkCtx, type KindDriver } from './driver.js';

const DRIVERS: readonly KindDriver[] = [veth, bridge, vlan, vxlan, macvlan, bond, dummy, vrf];

const byKernelKind = new Map(DRIVERS.map((d) => [d.kind, d]));
const byModelKind = new Map<string, KindDriver>(DRIVERS.map((d) => [d.modelKind, d]));

/** Driver for a kernel kind string; undefined for kinds netrec does not model. */
export function driverForKernelKind(kind: string): KindDriver | undefined {
  return byKernelKind.get(kind);
}

/** Driver for a model kind; undefined for 'device' and 'other:*'. */
export function driverForModelKind(kind: Link['kind']): KindDriver | undefined {
  return byModelKind.get(kind);
}
