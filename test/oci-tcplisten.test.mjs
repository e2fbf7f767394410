// @ts-check
// oci/tcplisten.ts in-process: io.tswasi.tcplisten's value checked whole,
// every bad form refused with one line that names the annotation and the item.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANNOTATION_TCPLISTEN, MAX_LISTENERS, listenersOf, parseTcplisten } from '../dist/oci/tcplisten.js';

test('good values: IPv4, bracketed IPv6, in order, hosts without brackets', () => {
  assert.deepEqual(parseTcplisten('0.0.0.0:8080'), [{ host: '0.0.0.0', port: 8080 }]);
  assert.deepEqual(parseTcplisten('127.0.0.1:1,[::]:65535,[::1]:80,[fe80::1%eth0]:81'), [
    { host: '127.0.0.1', port: 1 }, { host: '::', port: 65535 }, { host: '::1', port: 80 }, { host: 'fe80::1%eth0', port: 81 },
  ]);
  // The same port on two addresses is two listeners.
  assert.equal(parseTcplisten('127.0.0.1:80,127.0.0.2:80').length, 2);
  assert.deepEqual(listenersOf(undefined), []);
  assert.deepEqual(listenersOf({ 'module.wasm.image/variant': 'compat' }), []);
  assert.deepEqual(listenersOf({ [ANNOTATION_TCPLISTEN]: '[::]:9' }), [{ host: '::', port: 9 }]);
  const many = Array.from({ length: MAX_LISTENERS }, (_, i) => `127.0.0.1:${1000 + i}`).join(',');
  assert.equal(parseTcplisten(many).length, MAX_LISTENERS);
});

test('bad values: one line naming the annotation and the first bad item', () => {
  /** @type {Array<[string, RegExp]>} */
  const cases = [
    ['', /"": empty item/],
    ['0.0.0.0:80,', /"": empty item/],
    [',0.0.0.0:80', /"": empty item/],
    ['0.0.0.0:80,,0.0.0.0:81', /"": empty item/],
    ['0.0.0.0:80, 0.0.0.0:81', /" 0\.0\.0\.0:81": blank/],
    ['8080', /"8080": expected HOST:PORT/],
    [':8080', /":8080": expected HOST:PORT/],
    ['0.0.0.0:', /PORT must be a decimal number/],
    ['0.0.0.0:http', /PORT must be a decimal number/],
    ['0.0.0.0:+80', /PORT must be a decimal number/],
    ['0.0.0.0:-1', /PORT must be a decimal number/],
    ['0.0.0.0:0x50', /PORT must be a decimal number/],
    ['0.0.0.0:080', /leading zero/],
    ['0.0.0.0:0', /port 0/],
    ['0.0.0.0:65536', /PORT must be 1-65535/],
    ['0.0.0.0:99999999999999999999', /PORT must be 1-65535/],
    ['localhost:80', /HOST must be an IPv4 address or an \[IPv6\] address \(names are not resolved/],
    ['256.0.0.1:80', /HOST must be/],
    ['1.2.3:80', /HOST must be/],
    ['::1:80', /IPv6 address needs brackets/],
    ['[::1:80', /IPv6 address in brackets/],
    ['[127.0.0.1]:80', /IPv6 address in brackets/],
    ['[]:80', /IPv6 address in brackets/],
    ['[::1]]:80', /IPv6 address in brackets/],
    ['0.0.0.0:80,0.0.0.0:80', /"0\.0\.0\.0:80" is listed twice/],
    [Array.from({ length: MAX_LISTENERS + 1 }, (_, i) => `127.0.0.1:${1000 + i}`).join(','), new RegExp(`${MAX_LISTENERS + 1} addresses, at most ${MAX_LISTENERS}`)],
    ['x'.repeat(10000) + ':80', /"x{64}…": HOST must be/],
    ['0.0.0.0:80\n', /blank/],
  ];
  for (const [value, re] of cases) {
    assert.throws(() => parseTcplisten(value), (e) => {
      assert.ok(e instanceof Error);
      assert.match(e.message, new RegExp(`^invalid annotation ${ANNOTATION_TCPLISTEN.replaceAll('.', '\\.')}: `), value);
      assert.match(e.message, re, value);
      assert.doesNotMatch(e.message, /\n/);
      assert.ok(e.message.length < 200, e.message);
      return true;
    }, JSON.stringify(value.slice(0, 80)));
  }
});
