// The address table decides how an address changes: an IPv4 address's flags
// and label are fixed at creation (replace), an IPv6 address's flags change
// in place; finite lifetimes that count down match; the plan's words come
// from the same rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Address } from '../../src/model/types.js';
import { addressDifference } from '../../src/plan/compare.js';
import { namesOf, objectWords } from '../../src/plan/render/words.js';

const mode = { exact: false, protocol: 78, addressOwners: true };
const v4: Address = { dev: 'eth0', family: 'ipv4', address: '192.0.2.1/24', protocol: 78 };
const v6: Address = { dev: 'eth0', family: 'ipv6', address: '2001:db8::1/64', protocol: 78 };

test('noprefixroute: IPv4 replaces, IPv6 changes in place', () => {
  const four = addressDifference({ ...v4, noprefixroute: true }, v4, mode);
  assert.equal(four?.action, 'replace');
  assert.equal(four?.reason, 'noprefixroute cannot change in place on IPv4');
  const six = addressDifference({ ...v6, noprefixroute: true }, v6, mode);
  assert.equal(six?.action, 'update');
  assert.deepEqual(six?.attrs, [{ attr: 'noprefixroute', old: undefined, new: true }]);
  assert.equal(six?.after.noprefixroute, true);
});

test('lifetimes: a shorter remaining one matches; a longer one is an update that keeps the rest', () => {
  assert.equal(addressDifference({ ...v6, validLifetime: 600 }, { ...v6, validLifetime: 590, label: undefined }, mode), undefined);
  const d = addressDifference({ ...v6, validLifetime: 600 }, { ...v6, validLifetime: 'forever', noprefixroute: true }, mode);
  assert.equal(d?.action, 'update');
  assert.equal(d?.after.validLifetime, 600);
  assert.equal(d?.after.noprefixroute, true, 'what the config leaves out is kept');
});

test('the words of an address come from its table', () => {
  const names = namesOf({}, 78);
  assert.equal(objectWords('address', { ...v4, label: 'eth0:1', validLifetime: 300, noprefixroute: true }, names), '192.0.2.1/24 dev eth0 noprefixroute label eth0:1 valid_lft 300');
  assert.equal(objectWords('address', { ...v4, peer: '192.0.2.2/32', address: '192.0.2.1/32', label: 'eth0', validLifetime: 'forever' }, names), '192.0.2.1 peer 192.0.2.2/32 dev eth0');
  assert.equal(objectWords('address', v6, names, 'id'), '2001:db8::1/64 dev eth0');
});
