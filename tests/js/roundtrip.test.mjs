// Tokens that jose signs, for every algorithm, verify with verifyJwt and verifyJwtSync of the
// built package; tampering and wrong keys fail with jose's codes; the result and error shapes.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { KeyObject } from 'node:crypto';
import { verifyJwt, verifyJwtSync, parseJwks, decodeJwt, JoseError, KeySet } from '../../pkg/node.mjs';
import {
  ALGORITHMS, NOW, isSymmetric, generateKey, keyRing, jwksOf, mint, tamperSignature, tamperPayload, thrownBy,
} from './helpers.mjs';

const VERIFIERS = [
  ['verifyJwt', (token, keys, options) => verifyJwt(token, keys, options)],
  ['verifyJwtSync', async (token, keys, options) => verifyJwtSync(token, keys, options)],
];

let ring;
let publicJwks;
let wrongRing;

before(async () => {
  ring = await keyRing();
  // Every asymmetric public key in one set: selection must pick the right one by kid.
  publicJwks = jwksOf([...ring.values()].filter((key) => !isSymmetric(key.alg)));
  // Same algorithms and kids, other key material.
  wrongRing = new Map(await Promise.all(ALGORITHMS.map(async (alg) => [alg, await generateKey(alg)])));
});

const claims = { iss: 'https://issuer.example', sub: 'alice', aud: 'api', iat: NOW - 10, exp: NOW + 600, scope: 'read' };
const at = { currentDate: NOW };

// The keys and options each algorithm verifies with: asymmetric through the public JWKS,
// HS* with the oct JWK inline or a KeySet parsed with allowPrivate, and only when listed.
function verifierInputs(alg) {
  const key = ring.get(alg);
  if (!isSymmetric(alg)) {
    return [
      ['public JWKS object', publicJwks, at],
      ['public JWKS JSON text', JSON.stringify(publicJwks), at],
      ['parsed KeySet', parseJwks(publicJwks), at],
      ['single JWK', key.jwk, at],
    ];
  }
  const options = { ...at, algorithms: [alg] };
  return [
    ['inline oct JWK', key.jwk, options],
    ['inline JWKS with the oct JWK', jwksOf([key]), options],
    ['parseJwks(..., {allowPrivate:true})', parseJwks(jwksOf([key]), { allowPrivate: true }), options],
  ];
}

async function expectedKeyInfo(key) {
  const info = {
    index: 0,
    kid: key.kid,
    kty: key.jwk.kty,
    alg: key.alg,
    thumbprint: await jose.calculateJwkThumbprint(key.jwk, 'sha256'),
    usable: true,
  };
  if (key.jwk.crv) info.crv = key.jwk.crv;
  return info;
}

describe('jose-signed tokens verify for every algorithm', () => {
  for (const alg of ALGORITHMS) {
    for (const [verifierName, verify] of VERIFIERS) {
      test(`${alg} with ${verifierName}`, async () => {
        const key = ring.get(alg);
        const token = await mint(key, claims);
        for (const [inputName, keys, options] of verifierInputs(alg)) {
          const result = await verify(token, keys, options);
          assert.deepEqual(result.header, { alg, kid: key.kid }, inputName);
          assert.deepEqual(result.payload, claims, inputName);
          const expected = await expectedKeyInfo(key);
          const { index, bits, ...rest } = result.key;
          const { index: _ignored, ...expectedRest } = expected;
          assert.deepEqual(rest, expectedRest, `${inputName}: key info`);
          const inSet = (keys?.keys ?? [keys]).findIndex((k) => k.kid === key.kid);
          if (inSet >= 0) assert.equal(index, inSet, `${inputName}: key index`);
          const expectedBits = { RSA: 2048, oct: Buffer.from(key.jwk.k ?? '', 'base64url').length * 8 }[key.jwk.kty];
          assert.equal(bits, expectedBits, `${inputName}: bits (RSA modulus, oct secret; none for EC/OKP)`);
        }
      });
    }
  }
});

describe('tampering and wrong keys', () => {
  for (const alg of ALGORITHMS) {
    for (const [verifierName, verify] of VERIFIERS) {
      test(`${alg} with ${verifierName}`, async () => {
        const key = ring.get(alg);
        const token = await mint(key, claims);
        const [, keys, options] = verifierInputs(alg)[0];

        const badSignature = await thrownBy(() => verify(tamperSignature(token), keys, options));
        assert.equal(badSignature.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'tampered signature');

        const badPayload = await thrownBy(() => verify(tamperPayload(token, { ...claims, sub: 'mallory' }), keys, options));
        assert.equal(badPayload.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'tampered payload');

        // Signed by another key that carries the same kid: found, but the signature fails.
        const forged = await mint(wrongRing.get(alg), claims);
        const wrongMaterial = await thrownBy(() => verify(forged, keys, options));
        assert.equal(wrongMaterial.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'same kid, other key');

        // A kid the set does not have: nothing to try.
        const unknownKid = await mint(key, claims, { kid: 'not-in-the-set' });
        const noKey = await thrownBy(() => verify(unknownKid, keys, options));
        assert.equal(noKey.code, 'ERR_JWKS_NO_MATCHING_KEY', 'unknown kid');
        assert.match(noKey.message, new RegExp(key.kid), 'the message lists the kids the set has');

        // No kid, and only another key of the same algorithm: tried, fails.
        const noKid = await mint(key, claims, { kid: null });
        const wrongKeys = isSymmetric(alg) ? wrongRing.get(alg).jwk : jwksOf([wrongRing.get(alg)]);
        const noKidWrongKey = await thrownBy(() => verify(noKid, wrongKeys, options));
        assert.equal(noKidWrongKey.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'no kid, other key');
      });
    }
  }
});

describe('key selection across algorithms', () => {
  test('an RSA key without alg verifies RS* and PS* tokens', async () => {
    const key = await generateKey('RS256', { kid: 'rsa-any', withAlg: false });
    // A KeyObject is not bound to one hash or padding as the CryptoKey is.
    const signingKey = KeyObject.from(key.signingKey);
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) {
      const token = await mint({ ...key, alg, signingKey }, claims);
      const result = verifyJwtSync(token, jwksOf([key]), at);
      assert.equal(result.header.alg, alg);
      assert.equal(result.key.kid, 'rsa-any');
      assert.equal(result.key.alg, undefined);
    }
  });

  test('a key whose alg differs from the token alg is not a candidate', async () => {
    const rs256 = ring.get('RS256');
    const token = await mint({ ...rs256, alg: 'PS256', signingKey: KeyObject.from(rs256.signingKey) }, claims);
    const err = await thrownBy(() => verifyJwt(token, jwksOf([rs256]), at));
    assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
  });

  test('HS256 signed with an RSA public key as the secret is refused (algorithm confusion)', async () => {
    const rs = ring.get('RS256');
    const spki = await jose.exportSPKI(await jose.importJWK(rs.jwk, 'RS256'));
    const secret = new TextEncoder().encode(spki);
    const token = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rs.kid }).sign(secret);
    for (const [, verify] of VERIFIERS) {
      const unlisted = await thrownBy(() => verify(token, jwksOf([rs]), at));
      assert.equal(unlisted.code, 'ERR_JOSE_ALG_NOT_ALLOWED');
      const listed = await thrownBy(() => verify(token, jwksOf([rs]), { ...at, algorithms: ['HS256', 'RS256'] }));
      assert.equal(listed.code, 'ERR_JWKS_NO_MATCHING_KEY');
    }
  });

  test('an oct key in a parsed public JWKS does not verify HS* without allowPrivate', async () => {
    const hs = ring.get('HS256');
    const token = await mint(hs, claims);
    const set = parseJwks(jwksOf([hs]));
    assert.equal(set.keys[0].usable, false);
    assert.ok(set.diagnostics.some((d) => d.code === 'private_key_material' && d.severity === 'error'));
    const err = await thrownBy(() => verifyJwt(token, set, { ...at, algorithms: ['HS256'] }));
    assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
  });

  test('decodeJwt returns header and payload without verifying', async () => {
    const token = tamperSignature(await mint(ring.get('ES256'), claims));
    const decoded = decodeJwt(token);
    assert.deepEqual(decoded.header, { alg: 'ES256', kid: ring.get('ES256').kid });
    assert.deepEqual(decoded.payload, claims);
    assert.equal(decoded.signature, token.split('.')[2]);
  });
});

describe('JoseError', () => {
  test('is an Error subclass with a code, from both verifiers', async () => {
    const token = tamperSignature(await mint(ring.get('ES256'), claims));
    for (const [, verify] of VERIFIERS) {
      const err = await thrownBy(() => verify(token, publicJwks, at));
      assert.ok(err instanceof Error);
      assert.ok(err instanceof JoseError);
      assert.equal(err.name, 'JoseError');
      assert.equal(err.code, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
      assert.equal(typeof err.message, 'string');
      assert.ok(err.message.length > 0);
      assert.equal(typeof err.stack, 'string');
    }
  });

  test('claim failures carry claim, reason and the decoded payload', async () => {
    const expired = { ...claims, exp: NOW - 1 };
    const token = await mint(ring.get('ES256'), expired);
    for (const [, verify] of VERIFIERS) {
      const err = await thrownBy(() => verify(token, publicJwks, at));
      assert.ok(err instanceof JoseError);
      assert.equal(err.code, 'ERR_JWT_EXPIRED');
      assert.equal(err.claim, 'exp');
      assert.equal(err.reason, 'check_failed');
      assert.deepEqual(err.payload, expired);
    }
  });

  test('parseJwks returns a KeySet and throws ERR_JWKS_INVALID for what is not a JWK set', () => {
    assert.ok(parseJwks(publicJwks) instanceof KeySet);
    for (const input of ['[]', '{"keys": 1}', '{"nothing": true}', 'not json']) {
      assert.throws(() => parseJwks(input), (err) => err instanceof JoseError && err.code === 'ERR_JWKS_INVALID', input);
    }
  });
});
