// Rule identity against the real kernel: every selector is part of a rule's
// identity, a delete names all of them and netrec's protocol, and rules at
// one priority that the kernel's wildcard match would confuse are kept
// apart. `ip -j rule show` is the oracle; the netrec() helper checks that
// every successful apply leaves an empty plan.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Netns, netrec, tempDir } from './helpers/netns.js';

type J = Record<string, unknown>;

let ns: Netns;
let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  ns = Netns.create('rules');
  tmp = tempDir();
});
afterEach(() => {
  ns.destroy();
  tmp.cleanup();
});

function apply(yaml: string, ...extra: string[]) {
  const file = tmp.write('net.yaml', yaml);
  const r = netrec(['apply', file, '--netns', ns.name, ...extra]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return r;
}

/** The rules at `priority` as `ip -j rule show` reports them, without the priority. */
function rulesAt(family: '-4' | '-6', priority: number): J[] {
  return ns
    .json(family, 'rule', 'show')
    .filter((r) => r.priority === priority)
    .map(({ priority: _p, ...rest }) => rest);
}

/** netrec's rule as ip shows it: no selector, table and netrec's protocol (0x4e, which ip prints as 78). */
const OWN = (table: string) => ({ src: 'all', table, protocol: '78' });

interface Twin {
  name: string;
  family: '-4' | '-6';
  /** ip rule selectors of the foreign twin. */
  selectors: string[];
}

const TWINS: Twin[] = [
  { name: 'from 10.1.0.0/16', family: '-4', selectors: ['from', '10.1.0.0/16'] },
  { name: 'uidrange 1000-1999', family: '-4', selectors: ['uidrange', '1000-1999'] },
  { name: 'ipproto tcp dport 443', family: '-4', selectors: ['ipproto', 'tcp', 'dport', '443'] },
  { name: 'fwmark 0x10', family: '-4', selectors: ['fwmark', '0x10'] },
  { name: 'iif lan0', family: '-4', selectors: ['iif', 'lan0'] },
  { name: 'from fd00:1::/48', family: '-6', selectors: ['from', 'fd00:1::/48'] },
  { name: 'uidrange 1000-1999', family: '-6', selectors: ['uidrange', '1000-1999'] },
  { name: 'ipproto tcp dport 443', family: '-6', selectors: ['ipproto', 'tcp', 'dport', '443'] },
];

function config(family: '-4' | '-6', rules: string[]): string {
  const fam = family === '-4' ? 'ipv4' : 'ipv6';
  return ['version: 1', rules.length === 0 ? 'rules: []' : 'rules:', ...rules.map((r) => `  - { ${r}, family: ${fam} }`)].join('\n') + '\n';
}

describe('a foreign twin at the priority and table of netrec rule, differing by one more selector', () => {
  for (const twin of TWINS) {
    for (const order of ['before', 'after'] as const) {
      it(`${twin.family === '-4' ? 'IPv4' : 'IPv6'} ${twin.name}, listed ${order} netrec's rule: survives create, adopt, replace and prune`, () => {
        const addTwin = () => ns.ip(twin.family, 'rule', 'add', 'priority', '1000', ...twin.selectors, 'table', '100', 'proto', 'static');
        const twinShown = () => rulesAt(twin.family, 1000).filter((r) => r.protocol === 'static');
        if (order === 'before') addTwin();
        // Create: netrec's rule appears; the twin stays.
        apply(config(twin.family, ['priority: 1000, table: 100']));
        if (order === 'after') addTwin();
        assert.deepEqual(
          rulesAt(twin.family, 1000).filter((r) => r.protocol === '78'),
          [OWN('100')],
        );
        const twinBefore = twinShown();
        assert.equal(twinBefore.length, 1);

        // Prune: netrec's rule goes, the twin stays.
        apply(config(twin.family, []));
        assert.deepEqual(rulesAt(twin.family, 1000), twinBefore);

        // Adopt: a foreign rule just like the declared one (ip's default protocol, unspec)
        // becomes netrec's; the twin, in front of it or behind, stays.
        if (order === 'after') ns.ip(twin.family, 'rule', 'del', 'priority', '1000', ...twin.selectors, 'table', '100');
        ns.ip(twin.family, 'rule', 'add', 'priority', '1000', 'table', '100');
        if (order === 'after') addTwin();
        apply(config(twin.family, ['priority: 1000, table: 100']));
        assert.deepEqual(rulesAt(twin.family, 1000).filter((r) => r.protocol !== 'static'), [OWN('100')]);
        assert.deepEqual(twinShown(), twinBefore);

        // Replace: the table is part of a rule's identity, so netrec's rule is
        // deleted and created again with table 200; the twin at table 100 stays.
        apply(config(twin.family, ['priority: 1000, table: 200']));
        assert.deepEqual(rulesAt(twin.family, 1000).filter((r) => r.protocol !== 'static'), [OWN('200')]);
        assert.deepEqual(twinShown(), twinBefore);

        // And a twin at the new table too survives netrec's rule moving back.
        ns.ip(twin.family, 'rule', 'add', 'priority', '1000', ...twin.selectors, 'table', '200', 'proto', 'static');
        apply(config(twin.family, ['priority: 1000, table: 100']));
        assert.deepEqual(rulesAt(twin.family, 1000).filter((r) => r.protocol !== 'static'), [OWN('100')]);
        assert.equal(twinShown().length, 2);
      });
    }
  }
});

describe('rules at one priority, one less specific than the other', () => {
  const less = 'priority: 2000, table: 100';
  const more = 'priority: 2000, from: 10.0.0.0/8, table: 100';
  const expected = [
    { src: 'all', table: '100', protocol: '78' },
    { src: '10.0.0.0', srclen: 8, table: '100', protocol: '78' },
  ];
  const sorted = (rules: J[]) => rules.map((r) => JSON.stringify(r)).sort();

  it('apply in both declaration orders', () => {
    apply(config('-4', [less, more]));
    assert.deepEqual(sorted(rulesAt('-4', 2000)), sorted(expected));
    ns.ip('-4', 'rule', 'del', 'priority', '2000', 'from', '10.0.0.0/8');
    ns.ip('-4', 'rule', 'del', 'priority', '2000');
    apply(config('-4', [more, less]));
    assert.deepEqual(sorted(rulesAt('-4', 2000)), sorted(expected));
  });

  it('apply when netrec already has the more specific one', () => {
    apply(config('-4', [more]));
    apply(config('-4', [more, less]));
    assert.deepEqual(sorted(rulesAt('-4', 2000)), sorted(expected));
    // And the less specific one goes again without taking the other with it.
    apply(config('-4', [more]));
    assert.deepEqual(rulesAt('-4', 2000), [expected[1]]);
  });

  it('apply with a foreign more specific rule already there', () => {
    ns.ip('-6', 'rule', 'add', 'priority', '2000', 'from', 'fd00::/8', 'ipproto', 'udp', 'table', '100', 'proto', 'boot');
    apply(config('-6', [less]));
    assert.deepEqual(sorted(rulesAt('-6', 2000)), sorted([{ src: 'all', table: '100', protocol: '78' }, { src: 'fd00::', srclen: 8, ipproto: 'udp', table: '100', protocol: 'boot' }]));
    apply(config('-6', []));
    assert.deepEqual(rulesAt('-6', 2000), [{ src: 'fd00::', srclen: 8, ipproto: 'udp', table: '100', protocol: 'boot' }]);
  });
});

describe('fwmark 0', () => {
  it('without a mask is no fwmark at all, as the kernel stores it, and converges', () => {
    apply(config('-4', ['priority: 3000, fwmark: 0, table: 100']));
    assert.deepEqual(rulesAt('-4', 3000), [{ src: 'all', table: '100', protocol: '78' }]);
  });

  it('with the full mask written out is a selector (packets without a mark), and converges', () => {
    apply(config('-4', ['priority: 3001, fwmark: 0x0/0xffffffff, table: 100']));
    const [r] = rulesAt('-4', 3001);
    assert.equal(r?.fwmark, '0');
    assert.equal(r?.fwmask, undefined);
  });
});

describe('show of foreign rules fed back', () => {
  it('plans no changes and sends no message, for rules of several owners with every kind of selector', () => {
    const ip = (...args: string[]) => ns.ip(...args);
    ip('rule', 'add', 'pref', '1000', 'table', '100');
    ip('rule', 'add', 'pref', '1000', 'from', '10.1.0.0/16', 'uidrange', '1000-1999', 'ipproto', 'tcp', 'sport', '1000-2000', 'dport', '443', 'table', '100', 'proto', 'openr');
    ip('rule', 'add', 'pref', '1002', 'l3mdev', 'proto', 'static');
    ip('rule', 'add', 'pref', '1003', 'realms', '5/7', 'table', '5', 'proto', 'boot');
    ip('rule', 'add', 'pref', '1004', 'suppress_prefixlength', '0', 'suppress_ifgroup', '3', 'table', 'main');
    ip('rule', 'add', 'pref', '1005', 'goto', '1010', 'proto', 'dhcp');
    ip('rule', 'add', 'pref', '1006', 'not', 'from', '1.2.3.0/24', 'tos', '0x10', 'table', '7');
    ip('rule', 'add', 'pref', '1010', 'fwmark', '0/0xffffffff', 'table', '100');
    ip('rule', 'add', 'pref', '1011', 'fwmark', '0x5/0xff', 'iif', 'lan0', 'oif', 'wan0', 'table', '100', 'proto', '0x4e');
    ip('rule', 'add', 'pref', '1012', 'dport', '80-90', 'ipproto', '6', 'blackhole', 'proto', 'static');
    ip('-6', 'rule', 'add', 'pref', '500', 'from', 'fd00::/8', 'ipproto', 'udp', 'sport', '53', 'table', '5', 'proto', 'boot');
    ip('-6', 'rule', 'add', 'pref', '501', 'uidrange', '0-0', 'to', '2001:db8::/32', 'prohibit', 'proto', 'ra');
    ip('-6', 'rule', 'add', 'pref', '502', 'l3mdev');
    const before = [ns.json('-4', 'rule', 'show'), ns.json('-6', 'rule', 'show')];

    const shown = netrec(['show', '--netns', ns.name, '-o', 'yaml']);
    assert.equal(shown.status, 0, shown.stderr);
    for (const key of ['uidrange: 1000-1999', 'ipproto: tcp', 'dport: 443', 'sport: 1000-2000', 'l3mdev: true', 'suppress-prefixlength: 0', 'goto: 1010', 'not: true', '"11":', 'protocol: openr']) {
      assert.ok(shown.stdout.includes(key), `show prints ${key}:\n${shown.stdout}`);
    }
    const file = tmp.write('shown.yaml', shown.stdout);
    const plan = netrec(['plan', file, '--netns', ns.name, '--detailed-exitcode']);
    assert.equal(plan.status, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /No changes\./);
    const applied = netrec(['apply', file, '--netns', ns.name, '-o', 'json']);
    assert.equal(applied.status, 0, applied.stderr);
    assert.equal((JSON.parse(applied.stdout) as J).messages, 0);
    assert.deepEqual([ns.json('-4', 'rule', 'show'), ns.json('-6', 'rule', 'show')], before);
  });

  it('a rule declared with another owner protocol is checked, not adopted, and not pruned once undeclared', () => {
    ns.ip('rule', 'add', 'pref', '1500', 'uidrange', '100-200', 'table', '100', 'proto', 'static');
    apply(config('-4', ['priority: 1500, uidrange: 100-200, table: 100, protocol: static']));
    assert.deepEqual(rulesAt('-4', 1500), [{ src: 'all', uid_start: 100, uid_end: 200, table: '100', protocol: 'static' }]);
    apply(config('-4', []));
    assert.deepEqual(rulesAt('-4', 1500), [{ src: 'all', uid_start: 100, uid_end: 200, table: '100', protocol: 'static' }]);
    // Declared without protocol, it is adopted.
    apply(config('-4', ['priority: 1500, uidrange: 100-200, table: 100']));
    assert.deepEqual(rulesAt('-4', 1500), [{ src: 'all', uid_start: 100, uid_end: 200, table: '100', protocol: '78' }]);
  });
});

describe('new selectors written by netrec', () => {
  it('uidrange, ipproto, ports, l3mdev, suppressors, goto and tos reach the kernel as declared', () => {
    apply(
      config('-4', [
        'priority: 900, uidrange: 1000-1999, ipproto: tcp, sport: 1024-65000, dport: 443, table: 100',
        'priority: 901, l3mdev: true',
        'priority: 902, table: main, suppress-prefixlength: 0',
        'priority: 903, action: goto, goto: 1000, from: 10.0.0.0/8',
        'priority: 904, tos: 0x10, not: true, table: 200',
      ]),
    );
    assert.deepEqual(rulesAt('-4', 900), [{ src: 'all', uid_start: 1000, uid_end: 1999, ipproto: 'tcp', sport_start: 1024, sport_end: 65000, dport: 443, table: '100', protocol: '78' }]);
    assert.deepEqual(rulesAt('-4', 901), [{ src: 'all', l3mdev: null, protocol: '78' }]);
    assert.deepEqual(rulesAt('-4', 902), [{ src: 'all', table: 'main', suppress_prefixlen: 0, protocol: '78' }]);
    assert.deepEqual(rulesAt('-4', 903), [{ src: '10.0.0.0', srclen: 8, goto: 1000, unresolved: null, protocol: '78' }]);
    assert.deepEqual(rulesAt('-4', 904), [{ not: null, src: 'all', tos: '0x10', table: '200', protocol: '78' }]);
  });
});
