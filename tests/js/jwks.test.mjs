// parseJwks and explainSelection of the built package: sets that jose exports for every key
// type parse cleanly with jose's thumbprints; broken input and keys are reported; the RFC 7520
// encryption key never verifies a JWS; a 1,000-key set parses and selects by kid.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { sign as nodeSign } from 'node:crypto';
import { generateKeyPairSync } from './support/keypair.mjs';
import { readFileSync } from 'node:fs';
import { parseJwks, explainSelection, verifyJwt, verifyJwtSync, KeySet, JoseError } from '../../pkg/node.mjs';
import { NOW, b64url, thrownBy } from './helpers.mjs';

const readJson = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const KEY_INFO_MEMBERS = new Set(['index', 'kid', 'kty', 'alg', 'use', 'crv', 'bits', 'thumbprint', 'usable']);
const codesOf = (keySet) => keySet.diagnostics.map((d) => [d.code, d.severity, d.index, d.kid]);
const errorsOf = (keySet) => keySet.diagnostics.filter((d) => d.severity === 'error');

// Every key type jose exports: [label, generate() -> { publicJwk, signingKey, alg }].
const KINDS = [
  ['RSA 2048', 'RS256', () => jose.generateKeyPair('RS256', { modulusLength: 2048, extractable: true })],
  ['RSA 4096', 'PS512', () => jose.generateKeyPair('PS512', { modulusLength: 4096, extractable: true })],
  ['EC P-256', 'ES256', () => jose.generateKeyPair('ES256', { extractable: true })],
  ['EC P-384', 'ES384', () => jose.generateKeyPair('ES384', { extractable: true })],
  ['EC P-521', 'ES512', () => jose.generateKeyPair('ES512', { extractable: true })],
  ['Ed25519', 'EdDSA', () => jose.generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true })],
];

let exported; // [{ label, alg, publicJwk, privateJwk, privateKey }]
let secret; // { jwk, key }

before(async () => {
  exported = await Promise.all(KINDS.map(async ([label, alg, generate]) => {
    const { publicKey, privateKey } = await generate();
    return { label, alg, publicJwk: await jose.exportJWK(publicKey), privateJwk: await jose.exportJWK(privateKey), privateKey };
  }));
  const key = await jose.generateSecret('HS256', { extractable: true });
  secret = { jwk: await jose.exportJWK(key), key };
});

describe('sets from jose exportJWK', () => {
  test('public keys with kid and alg: no diagnostics at all, every key usable', async () => {
    const keys = exported.map(({ alg, publicJwk }, i) => ({ ...publicJwk, kid: `k${i}`, alg, use: 'sig' }));
    const keySet = parseJwks({ keys });
    assert.ok(keySet instanceof KeySet);
    assert.deepEqual(keySet.diagnostics, []);
    assert.equal(keySet.keys.length, KINDS.length);
    for (const [i, info] of keySet.keys.entries()) {
      assert.equal(info.index, i);
      assert.equal(info.kid, `k${i}`);
      assert.equal(info.usable, true, exported[i].label);
    }
  });

  test('bare exportJWK output: only missing_kid warnings and missing_alg notes for RSA, no errors', () => {
    const keySet = parseJwks({ keys: exported.map(({ publicJwk }) => publicJwk) });
    assert.deepEqual(errorsOf(keySet), []);
    const expected = [];
    for (const [i, { label }] of exported.entries()) {
      if (label.startsWith('RSA')) expected.push(['missing_alg', 'info', i, undefined]);
    }
    for (const i of exported.keys()) expected.push(['missing_kid', 'warning', i, undefined]);
    assert.deepEqual(codesOf(keySet), expected);
    assert.ok(keySet.keys.every((key) => key.usable));
  });

  test('KeyInfo has the API.md shape and the thumbprint jose calculates', async () => {
    const keySet = parseJwks({ keys: exported.map(({ alg, publicJwk }, i) => ({ ...publicJwk, kid: `k${i}`, alg })) });
    for (const [i, info] of keySet.keys.entries()) {
      const { label, alg, publicJwk } = exported[i];
      for (const member of Object.keys(info)) assert.ok(KEY_INFO_MEMBERS.has(member), `${label}: unexpected KeyInfo member ${member}`);
      assert.equal(info.kty, publicJwk.kty, label);
      assert.equal(info.alg, alg, label);
      assert.equal(info.crv, publicJwk.crv, label);
      assert.equal(info.use, undefined, label);
      assert.equal(info.thumbprint, await jose.calculateJwkThumbprint(publicJwk, 'sha256'), label);
      assert.equal(info.bits, label.startsWith('RSA') ? Number(label.slice(4)) : undefined, label);
    }
  });

  test('oct secrets need allowPrivate; then they verify HS256 with a warning', async () => {
    const jwk = { ...secret.jwk, kid: 'hmac', alg: 'HS256' };
    const refused = parseJwks({ keys: [jwk] });
    assert.deepEqual(codesOf(refused), [['private_key_material', 'error', 0, 'hmac']]);
    assert.equal(refused.keys[0].usable, false);

    const allowed = parseJwks({ keys: [jwk] }, { allowPrivate: true });
    assert.deepEqual(codesOf(allowed), [['private_key_material', 'warning', 0, 'hmac']]);
    assert.deepEqual(allowed.keys[0], {
      index: 0, kid: 'hmac', kty: 'oct', alg: 'HS256', bits: 256,
      thumbprint: await jose.calculateJwkThumbprint(secret.jwk, 'sha256'), usable: true,
    });
    const token = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256', kid: 'hmac' }).sign(secret.key);
    const verified = await verifyJwt(token, allowed, { algorithms: ['HS256'], currentDate: NOW });
    assert.equal(verified.key.kid, 'hmac');
    const err = await thrownBy(() => verifyJwt(token, refused, { algorithms: ['HS256'], currentDate: NOW }));
    assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
  });

  test('exported private keys: an error by default, usable (public part) with allowPrivate', async () => {
    for (const { label, alg, privateJwk, privateKey } of exported) {
      const jwk = { ...privateJwk, kid: 'p', alg };
      const refused = parseJwks({ keys: [jwk] });
      assert.deepEqual(codesOf(refused), [['private_key_material', 'error', 0, 'p']], label);
      assert.match(refused.diagnostics[0].message, /private key members \(d/, label);
      const allowed = parseJwks({ keys: [jwk] }, { allowPrivate: true });
      assert.deepEqual(codesOf(allowed), [['private_key_material', 'warning', 0, 'p']], label);
      const token = await new jose.SignJWT({}).setProtectedHeader({ alg, kid: 'p' }).sign(privateKey);
      assert.equal(verifyJwtSync(token, allowed, { currentDate: NOW }).key.index, 0, label);
    }
  });
});

describe('parseJwks input and options', () => {
  test('input that is not a JWK set or JWK throws ERR_JWKS_INVALID', async () => {
    const inputs = [[], [{ kty: 'EC' }], 42, true, null, undefined, { keys: 'x' }, { keys: {} }, {}, { foo: 1 },
      '[]', '42', 'not json', '{"keys":[', '{"keys":[],"keys":[]}', ''];
    for (const input of inputs) {
      const err = await thrownBy(() => parseJwks(input));
      assert.ok(err instanceof JoseError, `${JSON.stringify(input)}: ${err}`);
      assert.equal(err.code, 'ERR_JWKS_INVALID', JSON.stringify(input));
    }
    const cyclic = { keys: [] };
    cyclic.self = cyclic;
    assert.equal((await thrownBy(() => parseJwks(cyclic))).code, 'ERR_JWKS_INVALID');
  });

  test('a single JWK, as object or JSON text, is a set of one', () => {
    const jwk = { ...exported[2].publicJwk, kid: 'one' };
    for (const input of [jwk, JSON.stringify(jwk), JSON.stringify({ keys: [jwk] })]) {
      const keySet = parseJwks(input);
      assert.equal(keySet.keys.length, 1);
      assert.equal(keySet.keys[0].kid, 'one');
    }
  });

  test('keys that are not usable do not make the set fail', () => {
    const keySet = parseJwks({ keys: [42, { kty: 'foo', kid: 'f' }, { ...exported[2].publicJwk, kid: 'ok' }] });
    assert.deepEqual(codesOf(keySet), [['invalid_key', 'error', 0, undefined], ['unsupported_kty', 'error', 1, 'f']]);
    assert.deepEqual(keySet.keys.map((k) => k.usable), [false, false, true]);
  });

  test('allowWeakKeys lets a 1024-bit RSA key verify, still with a warning', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'weak', alg: 'RS256' };
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: 'weak' }));
    const payload = b64url(JSON.stringify({ sub: 'a' }));
    const token = `${header}.${payload}.${b64url(nodeSign('sha256', Buffer.from(`${header}.${payload}`), privateKey))}`;

    const strict = parseJwks({ keys: [jwk] });
    assert.deepEqual(codesOf(strict), [['weak_rsa_key', 'error', 0, 'weak']]);
    assert.equal(strict.keys[0].bits, 1024);
    assert.throws(() => verifyJwtSync(token, strict, { currentDate: NOW }), { code: 'ERR_JWKS_NO_MATCHING_KEY' });

    const weak = parseJwks({ keys: [jwk] }, { allowWeakKeys: true });
    assert.deepEqual(codesOf(weak), [['weak_rsa_key', 'warning', 0, 'weak']]);
    assert.equal(verifyJwtSync(token, weak, { currentDate: NOW }).payload.sub, 'a');
  });

  test('options must be an object', () => {
    assert.throws(() => parseJwks({ keys: [] }, 'allowPrivate'), TypeError);
  });
});

describe('the RFC 7520 §3.6 encryption key', () => {
  const encKey = readJson('../vectors/rfc7520-cookbook/jwk/3_6.symmetric_key_encryption.json');
  let token;

  before(async () => {
    const k = new Uint8Array(Buffer.from(encKey.k, 'base64url'));
    token = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256', kid: encKey.kid }).sign(k);
  });

  test('is reported: use enc, a JWE algorithm, a secret', () => {
    const keySet = parseJwks(encKey, { allowPrivate: true });
    assert.deepEqual(codesOf(keySet).map(([code, severity]) => [code, severity]), [
      ['private_key_material', 'warning'],
      ['unsupported_alg', 'error'],
      ['use_not_sig', 'error'],
    ]);
    assert.equal(keySet.keys[0].usable, false);
  });

  test('never verifies an HS256 JWS signed with its k, even with allowPrivate', async () => {
    for (const keys of [parseJwks(encKey, { allowPrivate: true }), encKey, { keys: [encKey] }]) {
      const err = await thrownBy(() => verifyJwt(token, keys, { algorithms: ['HS256'], currentDate: NOW }));
      assert.equal(err.code, 'ERR_JWKS_NO_MATCHING_KEY');
      assert.match(err.message, /1e571774-2e08-40da-8308-e8d68773842d/);
    }
  });

  test('the same k without use and alg does verify (so the refusal above is about use/alg)', async () => {
    const { use, alg, ...signing } = encKey;
    const verified = await verifyJwt(token, { keys: [signing] }, { algorithms: ['HS256'], currentDate: NOW });
    assert.equal(verified.payload.sub, 'a');
  });
});

describe('x5c fixtures (openssl certificates)', () => {
  const fixture = (name) => readJson(`../fixtures/x5c/${name}.jwk.json`);

  test('matching certificates and thumbprints: no diagnostics', () => {
    const keySet = parseJwks({ keys: ['rsa2048', 'p256', 'p384-compressed', 'ed25519'].map(fixture) });
    assert.deepEqual(keySet.diagnostics, []);
    assert.ok(keySet.keys.every((key) => key.usable));
  });

  test('a certificate of another key: x5c_mismatch, the key is unusable', () => {
    const keySet = parseJwks({ keys: [fixture('rsa2048-wrong-cert'), fixture('p256-rsa-cert')] });
    assert.deepEqual(codesOf(keySet), [['x5c_mismatch', 'error', 0, 'rsa-wrong-cert'], ['x5c_mismatch', 'error', 1, 'p256-rsa-cert']]);
    assert.deepEqual(keySet.keys.map((key) => key.usable), [false, false]);
  });

  test('an x5t#S256 of another certificate: x5t_mismatch naming the right value', () => {
    const key = fixture('p256');
    const keySet = parseJwks({ keys: [{ ...key, 'x5t#S256': b64url(Buffer.alloc(32, 7)) }] });
    assert.deepEqual(codesOf(keySet), [['x5t_mismatch', 'error', 0, 'p256-x5c']]);
    assert.ok(keySet.diagnostics[0].message.includes(key['x5t#S256']));
  });
});

describe('a 1,000-key set', () => {
  let keys;
  let signer;

  before(() => {
    keys = [];
    for (let i = 0; i < 1000; i++) {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      keys.push({ ...publicKey.export({ format: 'jwk' }), kid: `key-${i}`, alg: 'ES256', use: 'sig' });
      if (i === 777) signer = privateKey;
    }
  });

  test('parses with no diagnostics and selects exactly the kid', async () => {
    const keySet = parseJwks({ keys });
    assert.equal(keySet.keys.length, 1000);
    assert.deepEqual(keySet.diagnostics, []);
    const token = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'ES256', kid: 'key-777' }).sign(signer);
    assert.equal(verifyJwtSync(token, keySet, { currentDate: NOW }).key.index, 777);
    const explained = explainSelection(keySet, token);
    assert.deepEqual(explained.candidates, [777]);
    assert.equal(explained.trace.filter((verdict) => verdict.filteredBy === 'kid').length, 999);
  });

  test('a duplicate kid among 1,000 keys is reported once', () => {
    const copy = keys.map((key) => ({ ...key }));
    copy[999].kid = 'key-3';
    const keySet = parseJwks({ keys: copy });
    assert.deepEqual(codesOf(keySet), [['duplicate_kid', 'warning', 999, 'key-3']]);
  });
});

describe('explainSelection', () => {
  let keySet;
  let rsa;

  before(() => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    rsa = { jwk: publicKey.export({ format: 'jwk' }), privateKey };
    keySet = parseJwks({
      keys: [
        { ...exported[2].publicJwk, kid: 'a' }, // 0 EC: kty
        { ...rsa.jwk, kid: 'a', use: 'enc' }, // 1 use
        { ...rsa.jwk, kid: 'a', alg: 'PS256' }, // 2 alg
        { ...rsa.jwk, kid: 'b' }, // 3 kid
        { ...rsa.jwk, kid: 'a', key_ops: ['sign'] }, // 4 key_ops
        { ...rsa.jwk, kid: 'a', d: 'AQAB' }, // 5 unusable (private_key_material)
        { ...rsa.jwk, kid: 'a' }, // 6 candidate
        { ...rsa.jwk, kid: 'a', alg: 'RS256' }, // 7 candidate
      ],
    });
  });

  test('traces why each key was or was not chosen, in set order', () => {
    const explained = explainSelection(keySet, { alg: 'RS256', kid: 'a' });
    assert.equal(explained.alg, 'RS256');
    assert.equal(explained.kid, 'a');
    assert.deepEqual(explained.kids, ['a', 'a', 'a', 'b', 'a', 'a', 'a', 'a']);
    assert.deepEqual(explained.candidates, [6, 7]);
    assert.deepEqual(explained.trace.map((v) => v.filteredBy), ['kty', 'use', 'alg', 'kid', 'key_ops', 'unusable', undefined, undefined]);
    assert.ok(explained.trace.every((v, i) => v.index === i && typeof v.kid === 'string'));
    assert.match(explained.trace[5].detail, /private_key_material/);
    assert.equal('detail' in explained.trace[6], false);
  });

  test('takes a compact JWS, its header alone, and maxCandidates', () => {
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: 'a' }));
    const token = `${header}.${b64url('{}')}.${b64url(nodeSign('sha256', Buffer.from(`${header}.${b64url('{}')}`), rsa.privateKey))}`;
    assert.deepEqual(explainSelection(keySet, token).candidates, [6, 7]);
    const limited = explainSelection(keySet, token, { maxCandidates: 1 });
    assert.deepEqual(limited.candidates, [6]);
    assert.equal(limited.trace[7].filteredBy, 'max_candidates');
    // Same input forms as verifyJwtSync: a JWKS object works too.
    assert.deepEqual(explainSelection({ keys: [{ ...rsa.jwk }] }, { alg: 'PS384' }).candidates, [0]);
    assert.equal(explainSelection(keySet, { alg: 'PS384' }).kid, undefined);
  });

  test('no candidate: an empty list where every key says why', () => {
    const explained = explainSelection(keySet, { alg: 'RS256', kid: 'zzz' });
    assert.deepEqual(explained.candidates, []);
    assert.deepEqual(explained.trace.map((v) => v.filteredBy), ['kty', 'use', 'alg', 'kid', 'key_ops', 'kid', 'kid', 'kid']);
  });

  test('bad headers and algorithms fail with jose codes', async () => {
    assert.equal((await thrownBy(() => explainSelection(keySet, 'a.b'))).code, 'ERR_JWS_INVALID');
    assert.equal((await thrownBy(() => explainSelection(keySet, '!!.e30.'))).code, 'ERR_JWS_INVALID');
    assert.equal((await thrownBy(() => explainSelection(keySet, { kid: 'a' }))).code, 'ERR_JWS_INVALID');
    assert.equal((await thrownBy(() => explainSelection(keySet, { alg: 'RS256', kid: 7 }))).code, 'ERR_JWKS_NO_MATCHING_KEY');
    assert.equal((await thrownBy(() => explainSelection(keySet, { alg: 'ES256K' }))).code, 'ERR_JOSE_NOT_SUPPORTED');
    assert.equal((await thrownBy(() => explainSelection(keySet, { alg: 'none' }))).code, 'ERR_JOSE_NOT_SUPPORTED');
    assert.ok((await thrownBy(() => explainSelection(keySet, { alg: 'RS256' }, { maxCandidates: 0 }))) instanceof TypeError);
  });
});

test('parseJwks maxKeys: more keys than maxKeys (default 1000) is ERR_JWKS_INVALID before any key is parsed', async () => {
  const { parseJwks } = await import('../../pkg/node.mjs');
  // Entries that would each be reported if parsed: the count is checked first.
  const keys = (n) => ({ keys: Array.from({ length: n }, (_, i) => ({ kty: 'EC', kid: `k${i}` })) });
  assert.equal(parseJwks(keys(1000)).keys.length, 1000);
  assert.throws(() => parseJwks(keys(1001)), { code: 'ERR_JWKS_INVALID', message: /1001 keys, more than maxKeys \(1000\)/ });
  assert.equal(parseJwks(keys(1001), { maxKeys: 2000 }).keys.length, 1001);
  assert.throws(() => parseJwks(keys(3), { maxKeys: 2 }), { code: 'ERR_JWKS_INVALID' });
  assert.throws(() => parseJwks(keys(1), { maxKeys: 1.5 }), TypeError);
  assert.throws(() => parseJwks(keys(1), { maxKeys: '5' }), TypeError);
});
