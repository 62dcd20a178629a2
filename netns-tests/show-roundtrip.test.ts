// `show` is the config of what is there (contract sections 4 and 6): its
// output, fed back to `plan`, must say "No changes." however crowded the
// namespace is with objects that are not netrec's: routes of several owners
// (twins under one key among them), rules with selectors netrec may not
// model, neighbors, interfaces with aliases of their own. Applied, it sends
// nothing, and every object is still as `ip -j` saw it before.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fullState, Netns, netrec, tempDir } from './helpers/netns.js';

describe('show -o yaml of a namespace full of foreign objects, fed back', () => {
  let ns: Netns;
  let files: ReturnType<typeof tempDir>;
  let config: string;
  let before0: Record<string, unknown>;

  before(() => {
    ns = Netns.create('showrt');
    files = tempDir();
    ns.batch([
      'link add br0 type bridge stp_state 0',
      'link set br0 alias "made-by-hand"',
      'link add va type veth peer name vap',
      'link add vb type veth peer name vbp',
      'link set va alias "uplink a"',
      'link set va up', 'link set vap up', 'link set vb up', 'link set vbp up', 'link set br0 up',
      'addr add 192.0.2.1/24 dev va',
      'addr add 192.0.2.9/24 dev va',
      'addr add 198.51.100.1/24 dev vb',
      'addr add 2001:db8:a::1/64 dev va nodad',
      'addr add 2001:db8:b::1/64 dev vb nodad',
      // Routes of several owners; twins under one key (append and prepend, IPv6 on two devices).
      'route add 10.127.0.0/16 via 198.51.100.254 dev vb proto static',
      'route prepend 10.127.0.0/16 via 192.0.2.254 dev va proto boot',
      'route append 10.127.0.0/16 dev vb proto dhcp',
      'route add 10.128.0.0/16 via 192.0.2.254 dev va proto static metric 100 advmss 1400 initcwnd 10',
      'route add 10.129.0.0/16 via 192.0.2.254 dev va proto boot mtu 1300',
      'route add blackhole 10.66.0.0/16 proto static table 100',
      'route add 2001:db8:77::/48 dev va proto static',
      'route append 2001:db8:77::/48 dev vb proto boot',
      'route add 2001:db8:78::/48 via 2001:db8:a::fe dev va proto static metric 200',
      // Rules: twins at one priority with other selectors, selectors beyond from/to/fwmark.
      'rule add priority 1000 table 100 proto static',
      'rule add priority 1000 from 10.1.0.0/16 table 100 proto boot',
      'rule add priority 1000 uidrange 1000-1999 table 100',
      'rule add priority 1000 ipproto tcp dport 443 table 100',
      'rule add priority 1001 fwmark 0x10/0xff table 100 proto static',
      'neigh add 192.0.2.77 lladdr 02:00:00:00:07:07 dev va nud permanent',
      'neigh add 192.0.2.77 lladdr 02:00:00:00:07:08 dev vb nud permanent',
      'neigh add 2001:db8:a::77 lladdr 02:00:00:00:07:09 dev va nud permanent',
    ]);
    ns.ip('-6', 'rule', 'add', 'priority', '1002', 'from', '2001:db8::/32', 'table', '100');
    ns.ip('-6', 'rule', 'add', 'priority', '1002', 'from', '2001:db8::/32', 'iif', 'va', 'table', '100');
    const shown = netrec(['show', '--netns', ns.name, '-o', 'yaml']);
    assert.equal(shown.status, 0, shown.stderr);
    config = files.write('shown.yaml', shown.stdout);
    before0 = fullState(ns);
  });
  after(() => {
    ns.destroy();
    files.cleanup();
  });

  it('validates', () => {
    const r = netrec(['validate', config]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('plans no changes', () => {
    const r = netrec(['plan', config, '--netns', ns.name, '--detailed-exitcode']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /No changes\./);
  });

  it('applies with no message sent, and every object is as it was', () => {
    const r = netrec(['apply', config, '--netns', ns.name, '-o', 'json']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const out = JSON.parse(r.stdout) as { messages: number; result: string };
    assert.equal(out.messages, 0);
    assert.equal(out.result, 'no-changes');
    assert.deepEqual(fullState(ns), before0);
  });
});
