// bond: the request netrec writes is the one `ip` writes, options survive
// decode -> encode -> decode, miimon changes in place and the mode is fixed
// at creation (BOND_OPT_MODE is BOND_OPTFLAG_NOSLAVES | BOND_OPTFLAG_IFDOWN:
// the kernel refuses it on a bond that is up or has slaves).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Link } from '../../src/model/types.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';
import { changeOf, readBack, roundTrips, sameAsIp } from './helpers.js';

const bond0 = (options: Link['options'], more: Partial<Link> = {}): Link => ({ name: 'bond0', kind: 'bond', state: 'up', options, ...more });
const MODES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];

describe('bond', () => {
  it('create: the same attributes as `ip link add bond0 type bond mode active-backup miimon 100`', () => {
    // strace -f -e trace=sendmsg -e write=3 ip link add bond0 type bond mode active-backup miimon 100
    // (iproute2 6.1; the kernel then refuses it, without the bonding module): the RTM_NEWLINK request.
    sameAsIp(
      bond0({ mode: 'active-backup', miimon: 100 }),
      'create',
      `4c 00 00 00 10 00 05 06  f2 43 14 6b 00 00 00 00
       00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00
       0a 00 03 00 62 6f 6e 64  30 00 00 00 20 00 12 00
       08 00 01 00 62 6f 6e 64  14 00 02 00 05 00 01 00
       01 00 00 00 08 00 03 00  64 00 00 00`,
    );
  });

  it('decode -> encode -> decode keeps every mode and miimon', () => {
    for (const mode of MODES) roundTrips(bond0({ mode }));
    for (const miimon of [0, 1, 100, 2147483647]) roundTrips(bond0({ miimon }));
    roundTrips(bond0({ mode: '802.3ad', miimon: 100 }));
    assert.equal(readBack(bond0({})).options, undefined, 'no options read back as none');
  });

  it('miimon changes in place; a new mode replaces it', () => {
    const have = bond0({ mode: 'active-backup', miimon: 100 });
    assert.equal(changeOf(have, bond0({ mode: 'active-backup', miimon: 200 })), 'update');
    assert.equal(changeOf(have, bond0({ mode: 'active-backup', miimon: 0 })), 'update');
    for (const mode of MODES.filter((m) => m !== 'active-backup')) assert.equal(changeOf(have, bond0({ mode, miimon: 100 })), 'replace', mode);
    assert.equal(changeOf(have, bond0({ mode: 'active-backup', miimon: 100 })), undefined);
  });

  it('is shown in iproute2 words', () => {
    assert.equal(objectWords('interface', bond0({ mode: '802.3ad', miimon: 100 }), namesOf()), 'bond0 bond mode 802.3ad miimon 100');
  });
});
