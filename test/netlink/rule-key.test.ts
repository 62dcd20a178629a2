// A rule's identity comes from the rule table: every key row the plan shows
// is in ruleKey, in the table's (iproute2's) order, and a rule differing in
// any one of them has another key.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Rule } from '../../src/model/types.js';
import { ruleKey, RULE_TABLE } from '../../src/netlink/rtnl/rule.js';

const base: Rule = { family: 'ipv4', priority: 100, table: 100, action: 'lookup', protocol: 0 };

/** A value for each key field, set on `base` (a key row added without one fails here on purpose). */
const SAMPLES: Record<string, Partial<Rule>> = {
  priority: { priority: 200 },
  not: { not: true },
  from: { from: '10.0.0.0/8' },
  to: { to: '192.0.2.0/24' },
  tos: { tos: 0x10 },
  dscp: { dscp: 46 },
  fwmark: { fwmark: 0x10, fwmask: 0xff },
  iif: { iif: 'lan0' },
  oif: { oif: 'wan0' },
  uidrange: { uidrange: '1000-1999' },
  ipproto: { ipproto: 6 },
  sport: { sport: '1024-65000' },
  dport: { dport: '443' },
  l3mdev: { l3mdev: true },
  suppressPrefixlength: { suppressPrefixlength: 0 },
  suppressIfgroup: { suppressIfgroup: 7 },
  attributes: { attributes: { '99': '01000000' } },
  action: { action: 'goto', goto: 1000 },
};

const keyRows = RULE_TABLE.filter((r) => r.role === 'key' && r.show !== undefined && r.field !== undefined);

test('every shown key row of the rule table is part of ruleKey', () => {
  assert.ok(keyRows.length >= 17, `${keyRows.length} key rows`);
  for (const row of keyRows) {
    const sample = SAMPLES[row.field!];
    assert.ok(sample, `no sample value for the key row ${row.field}: add one`);
    assert.notEqual(ruleKey({ ...base, ...sample }), ruleKey(base), `${row.field} changes the key`);
  }
});

test('ruleKey writes iproute2 words in the table order', () => {
  const all: Rule = Object.assign({}, base, ...Object.values(SAMPLES));
  assert.equal(
    ruleKey(all),
    'ipv4 pref 200 not from 10.0.0.0/8 to 192.0.2.0/24 tos 0x10 dscp 46 fwmark 0x10/0xff iif lan0 oif wan0 uidrange 1000-1999 ipproto tcp sport 1024-65000 dport 443 l3mdev suppress_prefixlength 0 suppress_ifgroup 7 attr 99 0x01000000 goto 1000',
  );
  assert.equal(ruleKey(base), 'ipv4 pref 100 lookup 100');
  assert.equal(ruleKey({ ...base, protocol: 78 }), ruleKey(base), 'the owner is no part of the identity');
});
