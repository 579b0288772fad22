// Every signature backend gives the same verdict: each case runs through verifyJwt and
// verifyJwtSync once per backend (node, webcrypto, rust) and all must agree with each other
// and with the expected outcome. Also: the backend choice in Node and setBackend/getBackend.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHmac, randomBytes, constants as cryptoConstants, sign as nodeSign } from 'node:crypto';
import { generateKeyPairSync } from './support/keypair.mjs';
import { verifyJwt, verifyJwtSync, setBackend, getBackend, JoseError, parseJwks } from '../../pkg/node.mjs';
import { ALGORITHMS, NOW, generateKey, mint, b64url, tamperSignature } from './helpers.mjs';

const BACKENDS = ['node', 'webcrypto', 'rust'];
const OK = 'ok';
const SIG_FAILED = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';

after(() => setBackend('auto'));

async function outcomeOf(fn) {
  try {
    await fn();
    return OK;
  } catch (err) {
    if (err?.code === undefined) throw err;
    return err.code;
  }
}

// `{ 'node/verifyJwt': 'ok', 'rust/verifyJwtSync': 'ERR_...', ... }`. WebCrypto is
// asynchronous only, so it runs verifyJwt alone.
async function verdicts(token, keys, options) {
  const out = {};
  try {
    for (const backend of BACKENDS) {
      setBackend(backend);
      out[`${backend}/verifyJwt`] = await outcomeOf(() => verifyJwt(token, keys, options));
      if (backend !== 'webcrypto') out[`${backend}/verifyJwtSync`] = await outcomeOf(() => verifyJwtSync(token, keys, options));
    }
  } finally {
    setBackend('auto');
  }
  return out;
}

function assertAll(found, expected, label) {
  const wanted = Object.fromEntries(Object.keys(found).map((name) => [name, expected]));
  assert.deepEqual(found, wanted, label);
}

function assertAgree(found, label) {
  const first = Object.values(found)[0];
  assertAll(found, first, label);
  return first;
}

const options = (alg) => ({ currentDate: NOW, ...(alg.startsWith('HS') && { algorithms: [alg] }) });
const claims = { iss: 'https://issuer.example', sub: 'alice', iat: NOW - 10, exp: NOW + 600 };

const parts = (token) => token.split('.');
const sigBytes = (token) => Buffer.from(parts(token)[2], 'base64url');
const withSignature = (token, bytes) => `${parts(token)[0]}.${parts(token)[1]}.${b64url(bytes)}`;

const bigFrom = (bytes) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
function bytesOf(value, length) {
  const hex = value.toString(16).padStart(length * 2, '0');
  assert.equal(hex.length, length * 2, 'value fits');
  return Buffer.from(hex, 'hex');
}

// Curve orders (n) of P-256, P-384, P-521 (`openssl ecparam -name ... -param_enc explicit -text`).
const ORDER = {
  ES256: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  ES384: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ES512: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};
const ED25519_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

describe('backend choice', () => {
  test('Node uses node:crypto for both paths; WebCrypto and Rust are available', () => {
    assert.deepEqual({ ...getBackend(), available: [...getBackend().available].sort() }, {
      sync: 'node', async: 'node', available: ['node', 'rust', 'webcrypto'],
    });
  });

  test('setBackend forces one; verifyJwtSync falls back to rust under webcrypto; auto restores', () => {
    try {
      setBackend('rust');
      assert.equal(getBackend().sync, 'rust');
      assert.equal(getBackend().async, 'rust');
      setBackend('webcrypto');
      assert.equal(getBackend().sync, 'rust');
      assert.equal(getBackend().async, 'webcrypto');
      setBackend('node');
      assert.equal(getBackend().async, 'node');
      setBackend();
      assert.equal(getBackend().sync, 'node');
    } finally {
      setBackend('auto');
    }
  });

  test('an unknown backend name is a TypeError and changes nothing', () => {
    for (const name of ['openssl', 'toString', '', 42, null]) {
      assert.throws(() => setBackend(name), TypeError, String(name));
    }
    assert.equal(getBackend().sync, 'node');
    assert.ok(JoseError);
  });
});

describe('jose round trip and negative cases agree on every backend', () => {
  let ring;
  before(async () => {
    ring = new Map(await Promise.all(ALGORITHMS.map(async (alg) => [alg, await generateKey(alg)])));
  });

  for (const alg of ALGORITHMS) {
    test(alg, async () => {
      const key = ring.get(alg);
      const other = await generateKey(alg);
      const token = await mint(key, claims);
      const sig = sigBytes(token);
      const cases = [
        ['valid', token, OK],
        ['tampered signature', tamperSignature(token), SIG_FAILED],
        ['signature one byte short', withSignature(token, sig.subarray(1)), SIG_FAILED],
        ['signature one byte long', withSignature(token, Buffer.concat([Buffer.alloc(1), sig])), SIG_FAILED],
        ['signature one trailing zero byte long', withSignature(token, Buffer.concat([sig, Buffer.alloc(1)])), SIG_FAILED],
        ['empty signature', withSignature(token, Buffer.alloc(0)), SIG_FAILED],
        ['other key, same kid', await mint(other, claims), SIG_FAILED],
      ];
      for (const [name, input, expected] of cases) {
        assertAll(await verdicts(input, { keys: [key.jwk] }, options(alg)), expected, `${alg}: ${name}`);
      }
    });
  }
});

describe('one key, several algorithms', () => {
  test('an RSA key without alg verifies RS* and PS* tokens, in any order, on every backend', async () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'rsa-any' };
    const keys = { keys: [jwk] };
    const algs = ['PS256', 'RS256', 'PS384', 'RS384', 'PS512', 'RS512', 'PS256'];
    for (const alg of algs) {
      const hash = `sha${alg.slice(2)}`;
      const key = alg.startsWith('PS')
        ? { key: pair.privateKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
        : pair.privateKey;
      const signingInput = `${b64url(JSON.stringify({ alg, kid: 'rsa-any' }))}.${b64url(JSON.stringify(claims))}`;
      const token = `${signingInput}.${b64url(nodeSign(hash, Buffer.from(signingInput), key))}`;
      assertAll(await verdicts(token, keys, options(alg)), OK, alg);
    }
  });
});

describe('ECDSA r||s edge cases', () => {
  for (const alg of ['ES256', 'ES384', 'ES512']) {
    test(alg, async () => {
      const key = await generateKey(alg);
      const token = await mint(key, claims);
      const sig = sigBytes(token);
      const half = sig.length / 2;
      const n = ORDER[alg];
      const r = bigFrom(sig.subarray(0, half));
      const s = bigFrom(sig.subarray(half));
      const rs = (rv, sv) => withSignature(token, Buffer.concat([bytesOf(rv, half), bytesOf(sv, half)]));
      const cases = [
        // (r, n - s) is the other valid signature of the same message: ECDSA is malleable and
        // JWS (like jose and WebCrypto) does not demand low s.
        ['s replaced by n - s', rs(r, n - s), OK],
        ['r = 0', rs(0n, s), SIG_FAILED],
        ['s = 0', rs(r, 0n), SIG_FAILED],
        ['r = n', rs(n, s), SIG_FAILED],
        ['s = n', rs(r, n), SIG_FAILED],
        ['r + n (still fits the field size)', ...((r + n) < 2n ** BigInt(8 * half) ? [rs(r + n, s), SIG_FAILED] : [token, OK])],
        ['s + n (still fits the field size)', ...((s + n) < 2n ** BigInt(8 * half) ? [rs(r, s + n), SIG_FAILED] : [token, OK])],
        ['DER instead of r||s', withSignature(token, derSignature(sig)), SIG_FAILED],
      ];
      for (const [name, input, expected] of cases) {
        assertAll(await verdicts(input, { keys: [key.jwk] }, options(alg)), expected, `${alg}: ${name}`);
      }
    });
  }
});

function derSignature(raw) {
  const integer = (bytes) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    let body = bytes.subarray(start);
    if (body[0] & 0x80) body = Buffer.concat([Buffer.alloc(1), body]);
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const half = raw.length / 2;
  const content = Buffer.concat([integer(raw.subarray(0, half)), integer(raw.subarray(half))]);
  const length = content.length < 128 ? Buffer.from([content.length]) : Buffer.from([0x81, content.length]);
  return Buffer.concat([Buffer.from([0x30]), length, content]);
}

describe('RSA signature range', () => {
  // A key whose modulus leaves room below 2^(8k): then s + n still has the modulus length,
  // is congruent to a valid signature, and must be refused (RFC 8017 §5.2.2: s < n).
  function roomyRsaKey() {
    for (;;) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const jwk = pair.publicKey.export({ format: 'jwk' });
      if (Buffer.from(jwk.n, 'base64url')[0] < 0xb0) return { ...pair, jwk };
    }
  }

  for (const alg of ['RS256', 'PS256', 'PS512']) {
    test(`${alg}: s + n and s = n are refused, s verifies`, async () => {
      const { privateKey, jwk } = roomyRsaKey();
      const n = bigFrom(Buffer.from(jwk.n, 'base64url'));
      const hash = `sha${alg.slice(2)}`;
      const header = b64url(JSON.stringify({ alg, kid: 'rsa' }));
      const payload = b64url(JSON.stringify(claims));
      const key = alg.startsWith('PS')
        ? { key: privateKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 }
        : privateKey;
      let token;
      let s;
      do {
        // PSS signatures are randomized, PKCS#1 v1.5 ones vary with the payload.
        const body = alg.startsWith('PS') ? payload : b64url(JSON.stringify({ ...claims, jti: randomBytes(8).toString('hex') }));
        const signature = nodeSign(hash, Buffer.from(`${header}.${body}`), key);
        token = `${header}.${body}.${b64url(signature)}`;
        s = bigFrom(signature);
      } while (s + n >= 2n ** 2048n);
      const keys = { keys: [{ ...jwk, kid: 'rsa', alg }] };
      assertAll(await verdicts(token, keys, options(alg)), OK, `${alg}: valid`);
      assertAll(await verdicts(withSignature(token, bytesOf(s + n, 256)), keys, options(alg)), SIG_FAILED, `${alg}: s + n`);
      assertAll(await verdicts(withSignature(token, bytesOf(n, 256)), keys, options(alg)), SIG_FAILED, `${alg}: s = n`);
    });
  }
});

// RFC 7518 §3.2: key selection passes over a secret shorter than the hash; the backends'
// own length checks stay as a second line (tests/vectors_wycheproof.rs runs them directly).
describe('HMAC key length', () => {
  const TOO_SHORT = 'ERR_JWKS_NO_MATCHING_KEY';
  const cases = [
    ['HS256', 31, TOO_SHORT],
    ['HS256', 32, OK],
    ['HS384', 32, TOO_SHORT],
    ['HS384', 48, OK],
    ['HS512', 48, TOO_SHORT],
    ['HS512', 64, OK],
  ];
  for (const [alg, bytes, expected] of cases) {
    test(`${alg} with a ${bytes}-byte secret: ${expected}`, async () => {
      const secret = randomBytes(bytes);
      const signingInput = `${b64url(JSON.stringify({ alg, kid: 'h' }))}.${b64url(JSON.stringify(claims))}`;
      const mac = createHmac(`sha${alg.slice(2)}`, secret).update(signingInput).digest();
      const token = `${signingInput}.${b64url(mac)}`;
      assertAll(await verdicts(token, { kty: 'oct', kid: 'h', k: b64url(secret) }, options(alg)), expected, `${alg}/${bytes}`);
    });
  }
});

describe('Ed25519 edge cases', () => {
  test('S + L (non-canonical S) is refused', async () => {
    const key = await generateKey('EdDSA');
    const token = await mint(key, claims);
    const sig = sigBytes(token);
    const s = bigFrom(Buffer.from(sig.subarray(32)).reverse());
    const sPlusL = bytesOf(s + ED25519_ORDER, 32).reverse();
    assertAll(await verdicts(token, { keys: [key.jwk] }, options('EdDSA')), OK, 'valid');
    const forged = withSignature(token, Buffer.concat([sig.subarray(0, 32), sPlusL]));
    assertAll(await verdicts(forged, { keys: [key.jwk] }, options('EdDSA')), SIG_FAILED, 'S + L');
  });

  test('a small-order public key is refused everywhere (forged signatures verify under it)', async () => {
    // A = identity, R = identity, S = 0 satisfies [S]B = R + [k]A for every message.
    const identity = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
    const signingInput = `${b64url(JSON.stringify({ alg: 'EdDSA' }))}.${b64url(JSON.stringify(claims))}`;
    const token = `${signingInput}.${b64url(Buffer.concat([identity, Buffer.alloc(32)]))}`;
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(identity) };
    assert.equal(assertAgree(await verdicts(token, jwk, options('EdDSA')), 'small-order key'), 'ERR_JWKS_NO_MATCHING_KEY');
    const [diagnostic] = parseJwks({ keys: [{ ...jwk, kid: 'weak' }] }).diagnostics;
    assert.equal(diagnostic.code, 'invalid_key');
    assert.match(diagnostic.message, /small-order/);
  });
});

describe('Wycheproof JWS vectors give the same signature verdict on every backend', () => {
  const file = new URL('../vectors/wycheproof/testvectors_v1/json_web_signature_test.json', import.meta.url);
  const vectors = JSON.parse(readFileSync(file, 'utf8'));
  const SKIP = new Set([367, 370]); // KNOWN_ISSUES.json: byte-identical to valid tcId 357
  // KNOWN_ISSUES.json: '?' is not base64url (372, 373); key alg differs from the header (346,
  // 350) or is not a JWA name (347, 351). We refuse them.
  const REFUSED = new Set([372, 373, 346, 347, 350, 351]);
  // Errors that come before or from the signature check; any other outcome means the
  // signature was accepted (the payloads are often not JWT claims sets).
  const REJECTED = new Set([SIG_FAILED, 'ERR_JWS_INVALID', 'ERR_JWKS_NO_MATCHING_KEY']);
  const accepted = (code) => !REJECTED.has(code) && !code.startsWith('ERR_JOSE_');
  const everyAlg = { algorithms: ALGORITHMS, currentDate: NOW };

  for (const group of vectors.testGroups) {
    const jwk = group.public ?? group.private;
    test(`${group.comment} (${jwk.kty}, tcId ${group.tests[0].tcId}..${group.tests.at(-1).tcId})`, async () => {
      for (const vector of group.tests) {
        if (SKIP.has(vector.tcId) || typeof vector.jws !== 'string') continue;
        const found = await verdicts(vector.jws, jwk, everyAlg);
        const verdict = Object.fromEntries(Object.entries(found).map(([name, code]) => [name, code === OK || accepted(code)]));
        const expected = vector.result === 'valid' && !REFUSED.has(vector.tcId);
        assertAll(verdict, expected, `tcId ${vector.tcId} (${vector.comment}): ${JSON.stringify(found)}`);
      }
    });
  }
});
