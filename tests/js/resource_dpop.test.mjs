// authenticateRequest with the DPoP scheme (RFC 9449 §7): jose-minted DPoP-bound access tokens
// and proofs; the cnf.jkt binding (someone else's proof, an unbound token, a bound token as
// Bearer); each proof check mapped to invalid_dpop_proof with its fixed phrase; the request
// URL of a Node request; replay through dpopReplay; and the fixed-phrase invariant over many
// hostile proofs.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { authenticateRequest, ReplayCache, setBackend } from '../../pkg/node.mjs';
import { NOW, generateKey, mint } from './helpers.mjs';
import { parseChallenges, PHRASES } from './support/challenges.mjs';

const ISS = 'https://as.example';
const AUD = 'https://api.example';
const URL_ = 'https://api.example/resource';

let asKey;
let client;
let intruder;
before(async () => {
  asKey = await generateKey('ES256', { kid: 'as-1' });
  client = await dpopKey('ES256');
  intruder = await dpopKey('ES256');
});

async function dpopKey(alg) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, 'sha256') };
}

const ath = (token) => createHash('sha256').update(token).digest('base64url');

async function proof(holder, { token, htm = 'GET', htu = URL_, iat = NOW, jti = randomUUID(), header = {}, claims = {} } = {}) {
  const payload = { htm, htu, iat, jti, ...claims };
  if (token !== undefined) payload.ath = ath(token);
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new jose.SignJWT(payload).setProtectedHeader({ typ: 'dpop+jwt', alg: holder.alg, jwk: holder.jwk, ...header }).sign(holder.privateKey);
}

const accessToken = (extra = {}) => {
  const out = { iss: ISS, exp: NOW + 300, aud: AUD, sub: 'user-1', client_id: 'client-1', iat: NOW - 10, jti: randomUUID(), scope: 'read', cnf: { jkt: client.jkt }, ...extra };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return mint(asKey, out, { header: { typ: 'at+jwt' } });
};
const options = (extra = {}) => ({ keys: { keys: [asKey.jwk] }, issuer: ISS, audience: AUD, currentDate: NOW, ...extra });
const request = (token, dpop, { method = 'GET', url = URL_ } = {}) => {
  const headers = new Headers({ authorization: `DPoP ${token}` });
  if (dpop !== undefined) headers.set('dpop', dpop);
  return new Request(url, { method, headers });
};

function assertRefused(result, status, error, phrase) {
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.deepEqual([result.status, result.error, result.errorDescription], [status, error, phrase]);
  const challenges = parseChallenges(result.wwwAuthenticate);
  const carrier = challenges.filter((c) => 'error' in c.params);
  assert.equal(carrier.length, 1, result.wwwAuthenticate);
  assert.equal(carrier[0].params.error_description, phrase);
  return challenges;
}

describe('DPoP accepted', () => {
  test('a DPoP-bound token with its key\'s proof: scheme DPoP and the jkt', async () => {
    const token = await accessToken();
    const result = await authenticateRequest(request(token, await proof(client, { token })), options());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.scheme, 'DPoP');
    assert.equal(result.jkt, client.jkt);
    assert.equal(result.token, token);
  });

  test('a Node request: the proof names http(s)://<Host><path>, query ignored', async () => {
    const token = await accessToken();
    const dpop = await proof(client, { token, htm: 'POST', htu: 'https://api.example/items' });
    const node = { method: 'POST', url: '/items?page=2', headers: { host: 'api.example', authorization: `DPoP ${token}`, dpop }, socket: { encrypted: true } };
    assert.equal((await authenticateRequest(node, options())).ok, true);
    const plain = { ...node, socket: { encrypted: false } };
    assertRefused(await authenticateRequest(plain, options()), 401, 'invalid_dpop_proof', 'The DPoP proof is for another request');
  });

  test('dpop "required" accepts DPoP', async () => {
    const token = await accessToken();
    assert.equal((await authenticateRequest(request(token, await proof(client, { token })), options({ dpop: 'required' }))).ok, true);
  });
});

describe('every signature backend gives the same results', () => {
  for (const backend of ['node', 'webcrypto', 'rust']) {
    test(backend, async () => {
      setBackend(backend);
      try {
        const token = await accessToken();
        const ok = await authenticateRequest(request(token, await proof(client, { token })), options());
        assert.equal(ok.ok, true, JSON.stringify(ok));
        assert.equal(ok.jkt, client.jkt);
        const bearer = await authenticateRequest(new Request(URL_, { headers: { authorization: `Bearer ${await accessToken({ cnf: undefined })}` } }), options());
        assert.equal(bearer.ok, true);
        const other = await authenticateRequest(request(token, await proof(intruder, { token })), options());
        assert.equal(other.errorDescription, 'The DPoP proof key does not match the access token binding');
        const forged = `${token.slice(0, -4)}AAAA`;
        const bad = await authenticateRequest(request(forged, await proof(client, { token: forged })), options());
        assert.equal(bad.error, 'invalid_token');
      } finally {
        setBackend('auto');
      }
    });
  }
});

describe('DPoP refused', () => {
  test('someone else\'s (valid) proof: 401 invalid_dpop_proof', async () => {
    const token = await accessToken();
    const result = await authenticateRequest(request(token, await proof(intruder, { token })), options());
    assertRefused(result, 401, 'invalid_dpop_proof', 'The DPoP proof key does not match the access token binding');
  });

  test('a token without cnf.jkt under the DPoP scheme: 401 invalid_token', async () => {
    const token = await accessToken({ cnf: undefined });
    assertRefused(await authenticateRequest(request(token, await proof(client, { token })), options()), 401, 'invalid_token', 'The access token is not DPoP-bound');
  });

  test('the DPoP-bound token as Bearer, even with a proof: 401 invalid_token', async () => {
    const token = await accessToken();
    const headers = new Headers({ authorization: `Bearer ${token}`, dpop: await proof(client, { token }) });
    assertRefused(await authenticateRequest(new Request(URL_, { headers }), options()), 401, 'invalid_token', 'The access token is DPoP-bound and must be sent with the DPoP scheme');
  });

  test('each proof check, with its phrase', async () => {
    const token = await accessToken();
    const cases = [
      [proof(client, { token, htm: 'POST' }), 'The DPoP proof is for another request'],
      [proof(client, { token, htu: 'https://api.example/other' }), 'The DPoP proof is for another request'],
      [proof(client, { token: 'another-token' }), 'The DPoP proof is for another access token'],
      [proof(client, {}), 'The DPoP proof is for another access token'],
      [proof(client, { token, iat: NOW - 3600 }), 'The DPoP proof is too old or not yet valid'],
      [proof(client, { token, iat: NOW + 3600 }), 'The DPoP proof is too old or not yet valid'],
      [proof(client, { token, header: { typ: 'JWT' } }), 'The DPoP proof is invalid'],
      [proof(client, { token, claims: { jti: undefined } }), 'The DPoP proof is invalid'],
      [Promise.resolve('not-a-jws'), 'The DPoP proof is malformed'],
    ];
    for (const [pending, phrase] of cases) {
      const result = await authenticateRequest(request(token, await pending), options());
      assert.equal(result.ok, false, phrase);
      assertRefused(result, 401, 'invalid_dpop_proof', phrase);
      assert.equal(typeof result.cause?.code, 'string', phrase);
    }
  });

  test('a private key in the proof header: invalid_dpop_proof', async () => {
    const token = await accessToken();
    const privateJwk = await jose.exportJWK(client.privateKey);
    const result = await authenticateRequest(request(token, await proof(client, { token, header: { jwk: privateJwk } })), options());
    assert.equal(result.error, 'invalid_dpop_proof');
  });

  test('a proof algorithm outside dpopAlgorithms: invalid_dpop_proof; algs names the allowed ones', async () => {
    const token = await accessToken();
    const result = await authenticateRequest(request(token, await proof(client, { token })), options({ dpopAlgorithms: ['EdDSA'] }));
    const challenges = assertRefused(result, 401, 'invalid_dpop_proof', 'The DPoP proof is invalid');
    assert.equal(challenges.find((c) => c.scheme === 'DPoP').params.algs, 'EdDSA');
  });

  test('a replayed proof with dpopReplay: invalid_dpop_proof', async () => {
    const token = await accessToken();
    const dpop = await proof(client, { token });
    const replay = new ReplayCache({ clock: () => NOW });
    assert.equal((await authenticateRequest(request(token, dpop), options({ dpopReplay: replay }))).ok, true);
    assertRefused(await authenticateRequest(request(token, dpop), options({ dpopReplay: replay })), 401, 'invalid_dpop_proof', 'The DPoP proof has already been used');
  });

  test('two DPoP headers: 400 invalid_request', async () => {
    const token = await accessToken();
    const headers = new Headers({ authorization: `DPoP ${token}` });
    headers.append('dpop', await proof(client, { token }));
    headers.append('dpop', await proof(client, { token }));
    const result = await authenticateRequest(new Request(URL_, { headers }), options());
    assert.deepEqual([result.status, result.error, result.errorDescription], [400, 'invalid_request', 'The request has more than one DPoP header']);
  });
});

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('errorDescription is a fixed phrase over many hostile proofs (invariant)', async () => {
  const random = rng(9449);
  const nasty = ['"', '\\', '\r\n', '\u0000', '\u001b[2J', '", error="x', 'https://evil.example/"', '\u202e'];
  const text = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => nasty[Math.floor(random() * nasty.length)]).join('');
  const token = await accessToken();
  const seen = new Set();
  for (let i = 0; i < 60; i++) {
    const hostile = text();
    const kind = i % 5;
    const dpop = kind === 0 ? await proof(client, { token, htu: hostile })
      : kind === 1 ? await proof(client, { token, htm: hostile })
        : kind === 2 ? await proof(client, { token, header: { typ: hostile } })
          : kind === 3 ? await proof(client, { token, header: { kid: hostile }, claims: { nonce: hostile } , iat: NOW - 10_000 })
            : await proof(intruder, { token, jti: hostile });
    const result = await authenticateRequest(request(token, dpop), options({ realm: 'r' }));
    assert.equal(result.ok, false);
    assert.ok(PHRASES.has(result.errorDescription), result.errorDescription);
    seen.add(result.errorDescription);
    for (const challenge of parseChallenges(result.wwwAuthenticate)) {
      for (const value of Object.values(challenge.params)) assert.ok(!value.includes(hostile), `${JSON.stringify(hostile)} leaked`);
    }
  }
  assert.ok(seen.size >= 3, [...seen].join(' | '));
});
