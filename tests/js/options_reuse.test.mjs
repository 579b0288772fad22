// One options object passed again and again: the core reads it on every call, so every
// change to it between calls counts: reassigned members and arrays or objects edited in place.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { verifyJwt, verifyJwtSync } from '../../pkg/node.mjs';
import { NOW, generateKey, jwksOf, signJson } from './helpers.mjs';

let key;
let keys;
let token;

before(async () => {
  key = await generateKey('ES256', { kid: 'es-1' });
  keys = jwksOf([key]);
  const header = { alg: 'ES256', kid: 'es-1', crit: ['ext'], ext: 1 };
  token = await signJson(key, header, { iss: 'https://issuer.example', aud: 'api', iat: NOW - 10, exp: NOW + 600 });
});

const codeOf = (fn) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err.code;
  }
};

test('edits to a reused options object are seen by the next call', () => {
  const options = { currentDate: NOW, audience: 'api', algorithms: ['ES256'], crit: { ext: true } };
  const verify = () => codeOf(() => verifyJwtSync(token, keys, options));
  for (let i = 0; i < 3; i++) assert.equal(verify(), 'ok', `call ${i}`);

  options.audience = 'other';
  assert.equal(verify(), 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'audience reassigned');
  options.audience = ['other'];
  assert.equal(verify(), 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'audience as an array');
  assert.equal(verify(), 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'audience as an array, again');
  options.audience.push('api');
  assert.equal(verify(), 'ok', 'audience array grown in place');

  options.algorithms[0] = 'RS256';
  assert.equal(verify(), 'ERR_JOSE_ALG_NOT_ALLOWED', 'algorithms edited in place');
  options.algorithms[0] = 'ES256';
  assert.equal(verify(), 'ok', 'algorithms restored in place');

  delete options.crit.ext;
  assert.equal(verify(), 'ERR_JOSE_NOT_SUPPORTED', 'crit member deleted in place');
  options.crit.ext = true;
  assert.equal(verify(), 'ok', 'crit member restored');

  options.issuer = 'https://elsewhere.example';
  assert.equal(verify(), 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'a member added');
  delete options.issuer;
  assert.equal(verify(), 'ok', 'the member removed');

  options.maxTokenLength = 10;
  assert.equal(verify(), 'ERR_JWS_INVALID', 'maxTokenLength lowered');
});

test('alternating option objects do not mix up', async () => {
  const strict = { currentDate: NOW, issuer: 'https://elsewhere.example', crit: { ext: true } };
  const loose = { currentDate: NOW, crit: { ext: true } };
  for (let i = 0; i < 3; i++) {
    assert.equal(codeOf(() => verifyJwtSync(token, keys, loose)), 'ok');
    assert.equal(codeOf(() => verifyJwtSync(token, keys, loose)), 'ok');
    assert.equal(codeOf(() => verifyJwtSync(token, keys, strict)), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    await assert.rejects(verifyJwt(token, keys, strict), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    assert.equal((await verifyJwt(token, keys, loose)).payload.aud, 'api');
  }
});
