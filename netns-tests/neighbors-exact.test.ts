// Neighbor writes name their entry exactly: a proxy entry for the same
// address, and the same address on another device, are other objects that
// survive netrec's create, adopt, replace and prune of its own entry. A
// link-layer address that does not fit the device is refused before
// anything is sent. `ip -j` is the oracle.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Netns, netrec, netrecRaw, tempDir } from './helpers/netns.js';

type J = Record<string, any>;

function ok(r: { status: number | null; stdout: string; stderr: string }): string {
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

const ADDR = '10.5.0.9';

describe('neighbors', () => {
  it('a proxy entry and the same address on another device survive create, adopt, replace and prune of netrec\'s entry', () => {
    const ns = Netns.create('nb');
    const t = tempDir();
    try {
      ns.batch(['link add br0 type bridge', 'link add br1 type bridge', 'link set br0 up', 'link set br1 up']);
      ns.ip('neigh', 'add', 'proxy', ADDR, 'dev', 'br0');
      ns.ip('neigh', 'add', ADDR, 'lladdr', '02:00:00:00:01:01', 'dev', 'br1', 'nud', 'permanent');
      const twins = () => {
        const proxy = ns.json('neigh', 'show', 'proxy') as J[];
        assert.ok(proxy.some((n) => n.dst === ADDR && n.dev === 'br0'), 'the proxy entry on br0 is there');
        const other = (ns.json('neigh', 'show', 'dev', 'br1') as J[]).find((n) => n.dst === ADDR);
        assert.equal(other?.lladdr, '02:00:00:00:01:01', 'the entry on br1 is there, unchanged');
      };
      const mine = (lladdr: string) => (ns.json('neigh', 'show', 'dev', 'br0') as J[]).find((n) => n.dst === ADDR)?.lladdr as string | undefined;
      const cfg = (lladdr: string) => t.write(`n-${lladdr.replaceAll(':', '')}.yaml`, `version: 1\nneighbors:\n  - { dev: br0, address: ${ADDR}, lladdr: "${lladdr}" }\n`);
      const empty = t.write('empty.yaml', 'version: 1\n');

      ok(netrec(['apply', cfg('02:00:00:00:00:01'), '--netns', ns.name])); // create
      assert.equal(mine('02:00:00:00:00:01'), '02:00:00:00:00:01');
      twins();
      ok(netrec(['apply', cfg('02:00:00:00:00:02'), '--netns', ns.name])); // replace (new lladdr)
      assert.equal(mine('x'), '02:00:00:00:00:02');
      twins();
      ok(netrec(['apply', empty, '--netns', ns.name])); // prune
      assert.equal(mine('x'), undefined);
      twins();
      // Adopt: a foreign entry on br0 becomes netrec's, the twins stay.
      ns.ip('neigh', 'add', ADDR, 'lladdr', '02:00:00:00:00:03', 'dev', 'br0', 'nud', 'permanent');
      ok(netrec(['apply', cfg('02:00:00:00:00:03'), '--netns', ns.name]));
      const adopted = (ns.json('neigh', 'show', 'dev', 'br0') as J[]).find((n) => n.dst === ADDR)!;
      assert.ok(['78', '0x4e'].includes(String(adopted.protocol)), String(adopted.protocol));
      twins();
      ok(netrec(['apply', empty, '--netns', ns.name]));
      assert.equal(mine('x'), undefined);
      twins();
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });

  it('an lladdr longer or shorter than the device\'s address is refused with its location, and nothing changes', () => {
    const ns = Netns.create('nb');
    const t = tempDir();
    try {
      ns.batch(['link add br0 type bridge', 'link set br0 up']);
      const seen = () => ({ mtu: (ns.json('link', 'show', 'dev', 'br0') as J[])[0]!.mtu, neigh: ns.json('neigh', 'show', 'dev', 'br0') });
      const before = seen();
      for (const lladdr of ['02:00:00:00:00:00:01:02', '02:00:00:00:01']) {
        const file = t.write('long.yaml', `version: 1\ninterfaces:\n  - { name: br0, kind: bridge, mtu: 1400 }\nneighbors:\n  - { dev: br0, address: ${ADDR}, lladdr: "${lladdr}" }\n`);
        const r = netrecRaw(['apply', file, '--netns', ns.name, '-o', 'json']);
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.ok(r.stderr.includes(`${file}:5:5: neighbor br0 ${ADDR}: lladdr ${lladdr} has ${lladdr.split(':').length} bytes, but the link-layer address of br0 has 6`), r.stderr);
        assert.deepEqual(seen(), before);
      }
    } finally {
      t.cleanup();
      ns.destroy();
    }
  });
});
