// The synchronous host check gets views of wasm memory, not copies (src/bindings/verify.rs).
// A view is detached when wasm memory grows, which any call back into the protocol module can
// cause (a key's first use reads its public JWK; the Rust backend reads the key's parameters).
// These tests grow the memory inside exactly those calls: a backend that used the views after
// calling in would verify nothing (or the wrong bytes), so a good token must still verify and
// a bad one must still fail.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeCrypto from 'node:crypto';
import { parseJwks, verifyJwtSync, verifyJwt, setBackend } from '../../pkg/node.mjs';
import { handleOf } from '../../pkg/lib/keys.js';
import * as glue from '../../pkg/gen/jwks_verify.js';
import { NOW, generateKey, mint, tamperSignature, tamperPayload } from './helpers.mjs';

// The protocol module's exports (initSync returns them once instantiated).
const memory = glue.initSync().memory;
const options = (alg) => ({ currentDate: NOW, algorithms: [alg] });
const claims = { iss: 'https://issuer.example', sub: 'alice', iat: NOW - 10, exp: NOW + 600 };

after(() => setBackend('auto'));

// A fresh KeySet (options given: its own parsed copy, not the one shared per JSON text) whose handle grows wasm memory (detaching every view of it) at the start of
// each of `methods`; `grown()` counts the growths.
function growingKeySet(jwk, methods) {
  const keys = parseJwks({ keys: [jwk] }, {});
  const handle = handleOf(keys);
  let count = 0;
  for (const method of methods) {
    const original = handle[method];
    handle[method] = function grow(...args) {
      memory.grow(1);
      count += 1;
      return original.apply(this, args);
    };
  }
  return { keys, grown: () => count };
}

test('the premise: growing wasm memory inside the host check detaches the views it was given', async () => {
  const key = await generateKey('RS256');
  const token = await mint(key, claims);
  const keys = parseJwks({ keys: [key.jwk] });
  const seen = [];
  const host = (index, algCode, data, signature) => {
    seen.push(data.byteLength > 0 && signature.byteLength > 0);
    memory.grow(1);
    seen.push(data.byteLength, signature.byteLength);
    return 0;
  };
  assert.throws(() => glue.verifyJwt(token, handleOf(keys), options('RS256'), host));
  assert.deepEqual(seen, [true, 0, 0]);
});

const CASES = [
  ['node', ['RS256', 'PS256', 'ES256', 'EdDSA'], ['publicJwk']],
  ['rust', ['RS256', 'ES256', 'EdDSA'], ['keyParams']],
];

for (const [backend, algs, methods] of CASES) {
  describe(`${backend} backend: memory grows during a key's first check`, () => {
    for (const alg of algs) {
      test(alg, async () => {
        setBackend(backend);
        const key = await generateKey(alg);
        const token = await mint(key, claims);
        const forged = [tamperSignature(token), tamperPayload(token, { ...claims, sub: 'mallory' })];
        // A good token verifies although the views were detached before the signature check.
        for (const sync of [true, false]) {
          const { keys, grown } = growingKeySet(key.jwk, methods);
          const result = sync ? verifyJwtSync(token, keys, options(alg)) : await verifyJwt(token, keys, options(alg));
          assert.equal(result.payload.sub, 'alice');
          assert.ok(grown() > 0, 'the first check called back into wasm');
        }
        // A bad one fails, on first use and after.
        for (const bad of forged) {
          const { keys } = growingKeySet(key.jwk, methods);
          for (let round = 0; round < 2; round++) {
            assert.throws(() => verifyJwtSync(bad, keys, options(alg)), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
          }
        }
      });
    }
  });
}

test('many keys, each growing memory on first use: every verdict is the one node:crypto gives', async () => {
  setBackend('node');
  const key = await generateKey('ES256');
  const other = await generateKey('ES256');
  const good = await mint(key, claims);
  const wrongKey = await mint(other, claims);
  for (let i = 0; i < 20; i++) {
    const { keys } = growingKeySet(key.jwk, ['publicJwk']);
    const token = i % 2 === 0 ? good : wrongKey;
    const [h, p, s] = token.split('.');
    const expected = nodeCrypto.verify('sha256', Buffer.from(`${h}.${p}`), { key: nodeCrypto.createPublicKey({ key: key.jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    let verified;
    try {
      verifyJwtSync(token, keys, options('ES256'));
      verified = true;
    } catch (err) {
      assert.equal(err.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      verified = false;
    }
    assert.equal(verified, expected, `token ${i}`);
  }
});
