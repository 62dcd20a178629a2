// The tests' ICMP echo (helpers/echo.ts, the addon's echo()): replies are
// counted between two namespaces over a veth pair, IPv4 and IPv6; an address
// nobody has gets none, within the time given; ICMP errors quoting a request
// are reported with their sender; the calling thread stays in its namespace.
import assert from 'node:assert/strict';
import { readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { echo } from './helpers/echo.js';
import { Netns } from './helpers/netns.js';
import { counters, sysctl } from './helpers/traffic.js';

describe('ICMP echo from inside a namespace', () => {
  let a: Netns;
  let b: Netns;
  before(() => {
    a = Netns.create('echo-a');
    b = Netns.create('echo-b');
    a.ip('link', 'add', 'e0', 'type', 'veth', 'peer', 'name', 'e0', 'netns', b.name);
    a.batch(['addr add 10.77.0.1/24 dev e0', 'addr add 10.77.0.11/24 dev e0', 'addr add 2001:db8:77::1/64 dev e0 nodad', 'link set e0 up', 'route add unreachable 10.78.0.0/16']);
    b.batch(['addr add 10.77.0.2/24 dev e0', 'addr add 2001:db8:77::2/64 dev e0 nodad', 'link set e0 up', 'route add default via 10.77.0.1']);
    sysctl(a, 'net.ipv4.ip_forward', 1);
  });
  after(() => {
    a?.destroy();
    b?.destroy();
  });

  for (const [family, dst] of [
    ['IPv4', '10.77.0.2'],
    ['IPv6', '2001:db8:77::2'],
  ]) {
    it(`${family}: every request to the peer is answered, and the peer saw them`, () => {
      const rxBefore = counters(b, 'e0').rxPackets;
      const r = echo(a.path, dst!, { count: 3, untilMs: 10_000 });
      assert.equal(r.error, undefined);
      assert.equal(r.received, 3, JSON.stringify(r));
      assert.ok(r.transmitted >= 3, JSON.stringify(r));
      assert.ok(counters(b, 'e0').rxPackets - rxBefore >= 3, 'the requests crossed the veth');
    });
  }

  it('from a chosen source address: the peer answers to it', () => {
    const r = echo(a.path, '10.77.0.2', { count: 2, from: '10.77.0.11', untilMs: 10_000 });
    assert.equal(r.received, 2, JSON.stringify(r));
    // The peer learned the source's neighbour entry from the requests.
    assert.ok(b.json('neigh', 'show', '10.77.0.11').length === 1, 'the peer saw 10.77.0.11 as the source');
  });

  it('an address nobody has: no reply, within count x interval + wait', () => {
    const started = Date.now();
    const r = echo(a.path, '10.77.0.99', { count: 2, intervalMs: 100, waitMs: 500 });
    const took = Date.now() - started;
    assert.equal(r.transmitted, 2);
    assert.equal(r.received, 0);
    assert.ok(took >= 500 && took < 3000, `took ${took} ms`);
  });

  it('an ICMP error quoting a request is reported with its sender', () => {
    const r = echo(b.path, '10.78.1.1', { count: 1, waitMs: 2000 });
    assert.equal(r.received, 0);
    assert.ok(
      r.notes.some((n) => /^From 10\.77\.0\.1 icmp_seq=1 Destination Unreachable \(code 1\)$/.test(n)),
      JSON.stringify(r.notes),
    );
  });

  it('what cannot be sent says why', () => {
    assert.match(echo('/run/netns/netrec-no-such-ns', '10.77.0.2').error ?? '', /cannot enter namespace .*No such file/);
    assert.match(echo(a.path, '10.77.0.2', { from: '192.0.2.77' }).error ?? '', /bind 192\.0\.2\.77: Cannot assign requested address/);
    assert.match(echo(a.path, 'not-an-address').error ?? '', /not an IP address/);
    assert.throws(() => echo(a.path, '10.77.0.2', { count: 0 }), RangeError);
  });

  it('the calling thread stays in its own namespace', () => {
    const before = readlinkSync('/proc/thread-self/ns/net');
    echo(a.path, '10.77.0.2', { count: 1, untilMs: 5000 });
    assert.equal(readlinkSync('/proc/thread-self/ns/net'), before);
  });
});
