// authenticateRequest and challengeResponse on the built package: Fetch Requests and
// Node-style { method, url, headers } objects, every row of API.md's outcome table, the
// cnf.jkt binding, fixed error descriptions (an invariant over many hostile tokens, each
// challenge parsed back with a small RFC 9110 parser), and the options it refuses.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { authenticateRequest, challengeResponse, RemoteJwks, ReplayCache } from '../../pkg/node.mjs';
import { NOW, generateKey, mint, tamperSignature, thrownBy } from './helpers.mjs';
import { parseChallenges, PHRASES } from './support/challenges.mjs';

const ISS = 'https://as.example';
const AUD = 'https://api.example';
const URL_ = 'https://api.example/resource';

let key;
let otherKey;
let jwks;
before(async () => {
  key = await generateKey('ES256', { kid: 'as-1' });
  otherKey = await generateKey('ES256', { kid: 'as-1' });
  jwks = { keys: [key.jwk] };
});

const claims = (extra = {}) => {
  const out = { iss: ISS, exp: NOW + 300, aud: AUD, sub: 'user-1', client_id: 'client-1', iat: NOW - 10, jti: 'j-1', scope: 'read write', ...extra };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return out;
};
const accessToken = (extra, { header = { typ: 'at+jwt' }, signer = key } = {}) => mint(signer, claims(extra), { header });
const options = (extra = {}) => ({ keys: jwks, issuer: ISS, audience: AUD, currentDate: NOW, ...extra });

const fetchRequest = (authorization, { dpop, method = 'GET', url = URL_ } = {}) => {
  const headers = new Headers();
  if (authorization !== undefined) headers.set('authorization', authorization);
  if (dpop !== undefined) headers.set('dpop', dpop);
  return new Request(url, { method, headers });
};
const nodeRequest = (headers, { method = 'GET', url = '/resource', encrypted = false } = {}) => ({ method, url, headers: { host: 'api.example', ...headers }, socket: { encrypted } });

function assertFailure(result, status, error) {
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.equal(result.status, status);
  assert.equal(result.error, error);
  if (error === undefined) {
    assert.ok(!('error' in result) && !('errorDescription' in result), JSON.stringify(result));
  } else {
    assert.ok(PHRASES.has(result.errorDescription), result.errorDescription);
  }
  const challenges = parseChallenges(result.wwwAuthenticate);
  const carrier = challenges.filter((c) => 'error' in c.params);
  if (error === undefined || error === 'invalid_request') {
    assert.ok(carrier.length <= 1);
  } else {
    assert.equal(carrier.length, 1, result.wwwAuthenticate);
    assert.equal(carrier[0].params.error, error);
    assert.equal(carrier[0].params.error_description, result.errorDescription);
  }
  return challenges;
}

describe('authenticateRequest accepts', () => {
  test('a Bearer token in a Fetch Request', async () => {
    const token = await accessToken();
    const result = await authenticateRequest(fetchRequest(`Bearer ${token}`), options());
    assert.deepEqual(Object.keys(result).sort(), ['header', 'key', 'ok', 'payload', 'scheme', 'token']);
    assert.equal(result.ok, true);
    assert.equal(result.scheme, 'Bearer');
    assert.equal(result.token, token);
    assert.equal(result.payload.client_id, 'client-1');
    assert.equal(result.key.kid, 'as-1');
  });

  test('a Node-style request: lower-case header object, string[] values, scheme in any case', async () => {
    const token = await accessToken();
    assert.equal((await authenticateRequest(nodeRequest({ authorization: `bearer ${token}` }), options())).ok, true);
    assert.equal((await authenticateRequest(nodeRequest({ authorization: [`Bearer ${token}`] }), options())).ok, true);
    assert.equal((await authenticateRequest({ method: 'GET', url: '/r', headers: { Authorization: `Bearer ${token}` } }, options())).ok, true);
    const twice = await authenticateRequest({ method: 'GET', url: '/r', headers: { Authorization: `Bearer ${token}`, authorization: `Bearer ${token}` } }, options());
    assert.equal(twice.status, 400);
    assert.equal((await authenticateRequest({ method: 'GET', url: '/r', headers: new Headers({ authorization: `Bearer ${token}` }) }, options())).ok, true);
  });

  test('profile "jwt": a plain JWT with verifyJwt rules and the scope rule', async () => {
    const token = await mint(key, { iss: ISS, aud: AUD, exp: NOW + 60, scope: 'read' }, { header: { typ: 'JWT' } });
    const result = await authenticateRequest(fetchRequest(`Bearer ${token}`), options({ profile: 'jwt', requiredScopes: ['read'] }));
    assert.equal(result.ok, true);
    const refused = await authenticateRequest(fetchRequest(`Bearer ${token}`), options({ profile: 'jwt', requiredScopes: ['write'] }));
    assertFailure(refused, 403, 'insufficient_scope');
    const strict = await authenticateRequest(fetchRequest(`Bearer ${token}`), options());
    assertFailure(strict, 401, 'invalid_token');
  });
});

describe('authenticateRequest refuses, per the table', () => {
  test('no Authorization header: 401, a challenge without error', async () => {
    for (const request of [fetchRequest(undefined), nodeRequest({})]) {
      const result = await authenticateRequest(request, options({ realm: 'api', resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource' }));
      const challenges = assertFailure(result, 401, undefined);
      assert.deepEqual(challenges.map((c) => c.scheme), ['Bearer', 'DPoP']);
      assert.deepEqual(challenges[0].params, { realm: 'api', resource_metadata: 'https://api.example/.well-known/oauth-protected-resource' });
      assert.equal(challenges[1].params.algs, 'RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA Ed25519');
      assert.equal(result.cause, undefined);
    }
  });

  test('an unknown scheme counts as no credentials; so does DPoP with dpop "off"', async () => {
    const token = await accessToken();
    for (const authorization of ['Basic dXNlcjpwYXNz', `Token ${token}`, 'Negotiate']) {
      assertFailure(await authenticateRequest(fetchRequest(authorization), options()), 401, undefined);
    }
    const off = await authenticateRequest(fetchRequest(`DPoP ${token}`, { dpop: 'x.y.z' }), options({ dpop: 'off' }));
    const challenges = assertFailure(off, 401, undefined);
    assert.deepEqual(challenges.map((c) => c.scheme), ['Bearer']);
  });

  test('a malformed Authorization header: 400 invalid_request', async () => {
    const token = await accessToken();
    for (const authorization of ['Bearer', 'Bearer ', `Bearer ${token} extra`, `Bearer "${token}"`, 'Bearer a,b', 'Bearer =abc', `Bearer ${token}, Bearer ${token}`]) {
      assertFailure(await authenticateRequest(fetchRequest(authorization), options()), 400, 'invalid_request');
    }
  });

  test('two Authorization headers: 400, in a Headers object, a Node array and headersDistinct', async () => {
    const token = await accessToken();
    const headers = new Headers();
    headers.append('authorization', `Bearer ${token}`);
    headers.append('authorization', `Bearer ${token}`);
    assertFailure(await authenticateRequest(new Request(URL_, { headers }), options()), 400, 'invalid_request');
    assertFailure(await authenticateRequest(nodeRequest({ authorization: [`Bearer ${token}`, `Bearer ${token}`] }), options()), 400, 'invalid_request');
    const node = { ...nodeRequest({ authorization: `Bearer ${token}` }), headersDistinct: { authorization: [`Bearer ${token}`, 'Bearer other'] } };
    const result = await authenticateRequest(node, options());
    assertFailure(result, 400, 'invalid_request');
    assert.equal(result.errorDescription, 'The request has more than one Authorization header');
  });

  test('a bad token: 401 invalid_token with the cause, one fixed phrase per category', async () => {
    const cases = [
      [accessToken({ exp: NOW - 1 }), 'The access token has expired', 'ERR_JWT_EXPIRED'],
      [accessToken({ nbf: NOW + 100 }), 'The access token is not yet valid', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [accessToken().then(tamperSignature), 'The access token signature is invalid', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
      [accessToken({ aud: 'other' }), 'The access token is not intended for this resource', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [accessToken({ iss: 'https://evil.example' }), 'The access token issuer is not trusted', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [accessToken({ client_id: undefined }), 'The access token lacks a required claim', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [accessToken({ sub: 5 }), 'The access token has a malformed claim', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [accessToken({}, { header: { typ: 'JWT' } }), 'The token is not an access token', 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
      [mint(key, claims(), { header: { typ: 'at+jwt' }, kid: 'nope' }), 'The access token is signed with an unknown key', 'ERR_JWKS_NO_MATCHING_KEY'],
      [Promise.resolve('abc.def.ghi'), 'The access token is malformed', 'ERR_JWS_INVALID'],
    ];
    for (const [tokenPromise, phrase, code] of cases) {
      const result = await authenticateRequest(fetchRequest(`Bearer ${await tokenPromise}`), options());
      assertFailure(result, 401, 'invalid_token');
      assert.equal(result.errorDescription, phrase);
      assert.equal(result.cause?.code, code, phrase);
      assert.equal(result.cause.name, 'JoseError');
    }
  });

  test('a token longer than maxTokenLength: 401 invalid_token, refused unread', async () => {
    const result = await authenticateRequest(fetchRequest(`Bearer ${'a'.repeat(20000)}`), options());
    assertFailure(result, 401, 'invalid_token');
    assert.equal(result.errorDescription, 'The access token is malformed');
  });

  test('a missing scope: 403 insufficient_scope with scope="…"', async () => {
    const result = await authenticateRequest(fetchRequest(`Bearer ${await accessToken({ scope: 'read' })}`), options({ requiredScopes: ['read', 'admin'] }));
    const challenges = assertFailure(result, 403, 'insufficient_scope');
    assert.equal(challenges[0].params.scope, 'read admin');
    assert.equal(result.cause.reason, 'insufficient_scope');
  });

  test('dpop "required" refuses Bearer: 401 invalid_token, the DPoP challenge alone', async () => {
    const result = await authenticateRequest(fetchRequest(`Bearer ${await accessToken()}`), options({ dpop: 'required', algorithms: ['ES256'] }));
    const challenges = assertFailure(result, 401, 'invalid_token');
    assert.deepEqual(challenges.map((c) => c.scheme), ['DPoP']);
    assert.equal(challenges[0].params.algs, 'ES256');
    assert.equal(result.errorDescription, 'A DPoP-bound access token is required');
  });

  test('a DPoP-bound token presented as Bearer: 401 invalid_token', async () => {
    const result = await authenticateRequest(fetchRequest(`Bearer ${await accessToken({ cnf: { jkt: 'abc' } })}`), options());
    assertFailure(result, 401, 'invalid_token');
    assert.equal(result.errorDescription, 'The access token is DPoP-bound and must be sent with the DPoP scheme');
  });

  test('the DPoP scheme without a DPoP header: 401 invalid_dpop_proof on the DPoP challenge', async () => {
    const result = await authenticateRequest(fetchRequest(`DPoP ${await accessToken({ cnf: { jkt: 'abc' } })}`), options());
    const challenges = assertFailure(result, 401, 'invalid_dpop_proof');
    assert.equal(challenges.find((c) => c.scheme === 'DPoP').params.error, 'invalid_dpop_proof');
  });

  test('keys that cannot be fetched reject (the server\'s failure, not the client\'s)', async () => {
    const remote = new RemoteJwks('https://as.example/jwks', { fetch: async () => new Response('oops', { status: 500 }) });
    const err = await thrownBy(async () => authenticateRequest(fetchRequest(`Bearer ${await accessToken()}`), options({ keys: remote })));
    assert.equal(err.code, 'ERR_JWKS_FETCH_FAILED');
  });
});

describe('challengeResponse', () => {
  test('status, WWW-Authenticate, JSON body', async () => {
    const result = await authenticateRequest(fetchRequest(`Bearer ${await accessToken({ exp: NOW - 5 })}`), options({ realm: 'r "1"' }));
    const response = challengeResponse(result);
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), result.wwwAuthenticate);
    assert.equal(response.headers.get('content-type'), 'application/json');
    assert.deepEqual(await response.json(), { error: 'invalid_token', error_description: 'The access token has expired' });
    assert.equal(parseChallenges(result.wwwAuthenticate)[0].params.realm, 'r "1"');
    const none = challengeResponse(await authenticateRequest(fetchRequest(undefined), options()));
    assert.equal(none.status, 401);
    assert.deepEqual(await none.json(), {});
  });

  test('refuses an ok result', async () => {
    const ok = await authenticateRequest(fetchRequest(`Bearer ${await accessToken()}`), options());
    assert.throws(() => challengeResponse(ok), TypeError);
  });
});

describe('options', () => {
  test('wrong ones are TypeErrors naming the option', async () => {
    const request = fetchRequest(undefined);
    const cases = [
      [{ keys: undefined }, 'keys'],
      [{ audience: undefined }, 'audience'],
      [{ realm: 'a\nb' }, 'realm'],
      [{ realm: 'a\u0000' }, 'realm'],
      [{ resourceMetadata: '/relative' }, 'resourceMetadata'],
      [{ dpop: 'maybe' }, 'dpop'],
      [{ profile: 'oauth' }, 'profile'],
      [{ dpopReplay: 'cache' }, 'dpopReplay'],
      [{ requiredScopes: ['a b'] }, 'requiredScopes[0]'],
      [{ dpopAlgorithms: ['HS256'] }, 'dpopAlgorithms[0]'],
      [{ audiance: AUD }, 'audiance'],
      [{ dpopReplay: {} }, 'dpopReplay'],
      [{ dpopReplay: { markUsed: 'yes' } }, 'dpopReplay'],
      [{ dpopReplay: () => true }, 'dpopReplay'],
      [{ resourceMetadata: 'https://api.example/a b' }, 'resourceMetadata'],
      [{ resourceMetadata: 'https://u@api.example/m' }, 'resourceMetadata'],
      [{ origin: 'https://api.example/path' }, 'origin'],
      [{ origin: 'https://api.example?q' }, 'origin'],
      [{ origin: 'https://u@api.example' }, 'origin'],
      [{ origin: 'api.example' }, 'origin'],
      [{ origin: 42 }, 'origin'],
      [{ realm: 'r'.repeat(70000) }, 'realm'],
    ];
    for (const [extra, option] of cases) {
      const err = await thrownBy(() => authenticateRequest(request, options(extra)));
      assert.ok(err instanceof TypeError, option);
      assert.equal(err.code, 'ERR_INVALID_OPTION', option);
      assert.equal(err.option, option);
    }
    await authenticateRequest(request, options({ dpopReplay: new ReplayCache() }));
    await authenticateRequest(request, options({ dpopReplay: { markUsed: async () => true }, origin: 'https://api.example/' }));
  });

  test('a replay store without markUsed is refused when the options are read, before any DPoP request', async () => {
    const token = await accessToken();
    const err = await thrownBy(() => authenticateRequest(fetchRequest(`Bearer ${token}`), options({ dpopReplay: {} })));
    assert.ok(err instanceof TypeError);
    assert.deepEqual([err.code, err.option], ['ERR_INVALID_OPTION', 'dpopReplay']);
    assert.match(err.message, /markUsed/);
  });
});

describe('hand-built header objects', () => {
  test('a value that is not a string is a 400, never skipped', async () => {
    const token = await accessToken();
    for (const authorization of [[42, `Bearer ${token}`], [`Bearer ${token}`, null], 42, null, { toString: () => `Bearer ${token}` }]) {
      const result = await authenticateRequest(nodeRequest({ authorization }), options());
      assertFailure(result, 400, 'invalid_request');
    }
    for (const dpop of [42, [{}], null]) {
      const result = await authenticateRequest(nodeRequest({ authorization: `DPoP ${token}`, dpop }), options());
      assertFailure(result, 400, 'invalid_request');
      assert.equal(result.errorDescription, 'The DPoP header is malformed');
    }
  });

  test('a million values: a 400 read in bounded time, no RangeError', async () => {
    const token = await accessToken();
    const values = Array(1e6).fill(`Bearer ${token}`);
    const started = performance.now();
    const result = await authenticateRequest(nodeRequest({ authorization: values }), options());
    assertFailure(result, 400, 'invalid_request');
    assert.equal(result.errorDescription, 'The request has more than one Authorization header');
    assert.ok(performance.now() - started < 200, `${performance.now() - started} ms`);
    const dpop = await authenticateRequest(nodeRequest({ authorization: `DPoP ${token}`, dpop: Array(1e6).fill('a.b.c') }), options());
    assert.equal(dpop.status, 400);
  });
});

// A small deterministic generator.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('errorDescription is always a fixed phrase (invariant)', () => {
  test('over many hostile tokens: random kid/iss/aud/typ with quotes, backslashes, control characters', async () => {
    const random = rng(6750);
    const nasty = ['"', '\\', '\r\n', '\u0000', '\u001b[31m', '", error="x', 'https://evil.example/?a="b"', '\u202e', 'é', ' '];
    const text = () => Array.from({ length: 1 + Math.floor(random() * 4) }, () => nasty[Math.floor(random() * nasty.length)]).join('');
    const seen = new Set();
    for (let i = 0; i < 120; i++) {
      const kind = i % 6;
      const hostile = text();
      let token;
      if (kind === 0) token = await mint(key, claims(), { header: { typ: 'at+jwt' }, kid: hostile });
      else if (kind === 1) token = await accessToken({ iss: hostile });
      else if (kind === 2) token = await accessToken({ aud: hostile });
      else if (kind === 3) token = await accessToken({}, { header: { typ: hostile } });
      else if (kind === 4) token = await accessToken({ scope: hostile }, { signer: otherKey });
      else token = await accessToken({ exp: NOW - 1, jti: hostile });
      const result = await authenticateRequest(fetchRequest(`Bearer ${token}`), options({ realm: 'api "v1" \\ x', requiredScopes: ['read'] }));
      assertFailure(result, 401, 'invalid_token');
      seen.add(result.errorDescription);
      for (const challenge of parseChallenges(result.wwwAuthenticate)) {
        assert.equal(challenge.params.realm, 'api "v1" \\ x');
        for (const [name, value] of Object.entries(challenge.params)) {
          if (name !== 'realm' && hostile.trim() !== '') assert.ok(!value.includes(hostile), `${JSON.stringify(hostile)} leaked into ${result.wwwAuthenticate}`);
        }
      }
      assert.ok(/^[\x20-\x7e]*$/.test(result.wwwAuthenticate), result.wwwAuthenticate);
    }
    assert.ok(seen.size >= 5, [...seen].join(' | '));
  });
});


describe('size limits come before wasm memory', () => {
  test('16 MB Authorization, DPoP and URL values are refused without growing wasm memory; so is a 16 MB token for verifyAccessToken', async () => {
    const { wasmMemoryBytes } = await import('../../pkg/gen/jwks_verify.js');
    const { verifyAccessToken } = await import('../../pkg/node.mjs');
    const huge = 'e'.repeat(16 * 1024 * 1024);
    const token = await accessToken();
    const runs = [
      () => authenticateRequest(nodeRequest({ authorization: `Bearer ${huge}` }), options()),
      () => authenticateRequest(nodeRequest({ authorization: `DPoP ${token}`, dpop: huge }), options()),
      () => authenticateRequest(nodeRequest({ authorization: `DPoP ${token}`, dpop: 'a.b.c' }, { url: `/${huge}` }), options()),
      () => authenticateRequest(nodeRequest({ authorization: `DPoP ${token}`, dpop: 'a.b.c', host: huge }), options()),
    ];
    for (const run of runs) await run(); // warm
    await verifyAccessToken(token, jwks, { issuer: ISS, audience: AUD, currentDate: NOW });
    const before = wasmMemoryBytes();
    const results = [];
    for (const run of runs) results.push(await run());
    assert.deepEqual(results.map((r) => [r.status, r.error]), [[401, 'invalid_token'], [401, 'invalid_dpop_proof'], [400, 'invalid_request'], [400, 'invalid_request']]);
    await assert.rejects(verifyAccessToken(huge, jwks, { issuer: ISS, audience: AUD }), { code: 'ERR_JWS_INVALID' });
    assert.ok(wasmMemoryBytes() - before < 1024 * 1024, `wasm memory grew by ${wasmMemoryBytes() - before} bytes`);
  });
});
