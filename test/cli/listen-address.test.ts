import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/cli/errors.js';
import { parseListenAddress } from '../../src/cli/listen-address.js';

describe('parseListenAddress', () => {
  const ok: [string, string, number, string][] = [
    ['127.0.0.1:9474', '127.0.0.1', 9474, '127.0.0.1:9474'],
    ['[::1]:9474', '::1', 9474, '[::1]:9474'],
    ['[2001:db8::1]:80', '2001:db8::1', 80, '[2001:db8::1]:80'],
    [':9474', '', 9474, ':9474'],
    ['9474', '', 9474, ':9474'],
    ['localhost:9474', 'localhost', 9474, 'localhost:9474'],
    ['0.0.0.0:65535', '0.0.0.0', 65535, '0.0.0.0:65535'],
  ];
  for (const [text, host, port, canonical] of ok) {
    it(`"${text}"`, () => assert.deepEqual(parseListenAddress(text), { host, port, text: canonical }));
  }

  const bad: [string, RegExp][] = [
    ['94x74', /"94x74": no port/],
    ['::1:9474', /an IPv6 address needs brackets/],
    ['[::1]', /in brackets must be followed by :PORT/],
    ['[1.2.3.4]:80', /"1\.2\.3\.4" is not an IPv6 address/],
    ['127.0.0.1:0', /port "0" is not a number from 1 to 65535/],
    ['127.0.0.1:99999', /port "99999"/],
    ['127.0.0.1:', /port ""/],
    ['host name:80', /"host name" is neither an IP address nor a host name/],
    ['0', /port "0"/],
  ];
  for (const [text, why] of bad) {
    it(`"${text}" is refused with the expected form`, () =>
      assert.throws(
        () => parseListenAddress(text),
        (e: unknown) => e instanceof UserError && why.test(e.message) && /^--metrics-address .*; write HOST:PORT, e\.g\. 127\.0\.0\.1:9474, \[::1\]:9474, or :9474 for all addresses$/.test(e.message),
      ));
  }
});
