// A KeySet's `keys` and `diagnostics` are read from the core on first use (a large set
// verifies without describing every key): they must look like plain own members whatever the
// order of use, survive free(), and a result's `key` must be the set's KeyInfo, a fresh copy.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseJwks, verifyJwtSync } from '../../pkg/node.mjs';
import { NOW, generateKey, jwksOf, mint } from './helpers.mjs';

let key;
let other;
let jwks;
let token;

before(async () => {
  key = await generateKey('ES256', { kid: 'a' });
  other = await generateKey('RS256', { kid: 'b' });
  jwks = jwksOf([other, key]);
  token = await mint(key, { iss: 'i', iat: NOW - 10, exp: NOW + 600 });
});

const options = { currentDate: NOW };

test('keys and diagnostics read first, after a verification, or after free() are the same', () => {
  const eager = parseJwks(jwks);
  const expected = { keys: eager.keys, diagnostics: eager.diagnostics };
  assert.equal(expected.keys.length, 2);
  assert.equal(expected.keys[1].kid, 'a');

  const verifiedFirst = parseJwks(jwks);
  const result = verifyJwtSync(token, verifiedFirst, options);
  assert.deepEqual(result.key, expected.keys[1]);
  assert.deepEqual({ keys: verifiedFirst.keys, diagnostics: verifiedFirst.diagnostics }, expected);

  const freedFirst = parseJwks(jwks);
  freedFirst.free();
  assert.deepEqual({ keys: freedFirst.keys, diagnostics: freedFirst.diagnostics }, expected);

  const untouched = parseJwks(jwks);
  assert.deepEqual(Object.keys(untouched), ['keys', 'diagnostics']);
  assert.deepEqual(JSON.parse(JSON.stringify(untouched)), JSON.parse(JSON.stringify(expected)));
  assert.deepEqual({ ...parseJwks(jwks) }, expected);
});

test('keys can be reassigned like a plain member', () => {
  const set = parseJwks(jwks);
  set.keys = [];
  assert.deepEqual(set.keys, []);
  assert.equal(verifyJwtSync(token, set, options).key.kid, 'a', 'the core still verifies with its keys');
});

test("a result's key is a copy: editing it changes neither the set nor later results", () => {
  const set = parseJwks(jwks);
  const first = verifyJwtSync(token, set, options);
  first.key.kid = 'edited';
  first.key.usable = false;
  const second = verifyJwtSync(token, set, options);
  assert.equal(second.key.kid, 'a');
  assert.equal(second.key.usable, true);
  assert.equal(set.keys[1].kid, 'a');
  assert.notEqual(second.key, set.keys[1]);
});

test('sets parsed from the same text share the core copy: freeing one leaves the others working', () => {
  const sets = Array.from({ length: 5 }, () => parseJwks(jwks));
  sets[0].free();
  sets[3][Symbol.dispose]();
  assert.throws(() => verifyJwtSync(token, sets[0], options), { code: 'ERR_JWKS_INVALID' });
  for (const i of [1, 2, 4]) assert.equal(verifyJwtSync(token, sets[i], options).key.kid, 'a', `set ${i}`);
  for (const i of [1, 2, 4]) sets[i].free();
  const again = parseJwks(jwks);
  assert.equal(verifyJwtSync(token, again, options).key.kid, 'a', 'parsed again after every copy was freed');
  assert.throws(() => verifyJwtSync(token, sets[1], options), { code: 'ERR_JWKS_INVALID' });
});
