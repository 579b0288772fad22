// isJoseError: true for a JoseError of any copy of the package (ESM node.mjs and CommonJS
// node.cjs each have their own JoseError class, so instanceof fails across them), false for
// anything else.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { JoseError, isJoseError, decodeJwt, verifyJwtSync } from '../../pkg/node.mjs';

const require = createRequire(import.meta.url);
const cjs = require('../../pkg/node.cjs');

function thrownBy(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('did not throw');
}

test('isJoseError holds across the ESM and CommonJS copies, where instanceof does not', () => {
  const fromEsm = thrownBy(() => decodeJwt('not a token'));
  const fromCjs = thrownBy(() => cjs.decodeJwt('not a token'));
  assert.match(fromEsm.code, /^ERR_JW[ST]_INVALID$/);
  assert.equal(fromCjs.code, fromEsm.code);
  assert.ok(!(fromCjs instanceof JoseError), 'the copies share a class: this test no longer tests anything');
  for (const guard of [isJoseError, cjs.isJoseError]) {
    assert.equal(guard(fromEsm), true);
    assert.equal(guard(fromCjs), true);
  }
});

test('isJoseError refuses what is not a JoseError', () => {
  const typeError = thrownBy(() => verifyJwtSync('a.b.c', { keys: [] }, { issuer: 42 }));
  assert.ok(typeError instanceof TypeError);
  const refused = [
    undefined, null, 'JoseError', 42, {}, new Error('x'), typeError,
    { name: 'JoseError' }, { name: 'JoseError', code: 'ERR_JWT_EXPIRED' }, // no message
    { name: 'JoseError', code: 42, message: '' }, { name: 'Error', code: 'ERR_JWT_EXPIRED', message: '' },
    Object.assign(new Error('x'), { name: 'JoseError', code: 'NOT_A_CODE' }),
  ];
  for (const value of refused) assert.equal(isJoseError(value), false, `accepted ${String(value?.name ?? value)}`);
  assert.equal(isJoseError(new JoseError('ERR_JWT_EXPIRED', 'expired', { claim: 'exp' })), true);
});

test('keys that are no key set say what they were, in plain words', () => {
  const said = (keys) => thrownBy(() => verifyJwtSync('a.b.c', keys)).message.replace(/^.*; got /, '');
  assert.equal(said(undefined), 'undefined');
  assert.equal(said(null), 'null');
  assert.equal(said(42), 'a number');
  assert.equal(said(true), 'a boolean');
  assert.match(said([]), /^an array/);
  for (const keys of [undefined, null, 42, true, []]) assert.equal(thrownBy(() => verifyJwtSync('a.b.c', keys)).code, 'ERR_JWKS_INVALID');
});

test('options that inherit their members are refused in words that say so', () => {
  const inherited = thrownBy(() => verifyJwtSync('a.b.c', { keys: [] }, Object.create({ issuer: 'x' })));
  assert.ok(inherited instanceof TypeError);
  assert.equal(inherited.code, 'ERR_INVALID_OPTION');
  assert.match(inherited.message, /must be an object, got an object whose prototype is another object \(pass a plain object\)$/);
  class Settings {}
  assert.match(thrownBy(() => verifyJwtSync('a.b.c', { keys: [] }, new Settings())).message, /got an instance of "Settings"$/);
});
