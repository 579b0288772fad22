// checkAssertion (RFC 7523 client authentication) on the built package: jose-signed
// assertions for every rule (accepted at the boundary, rejected past it, with code, claim and
// reason), client_secret_jwt, federated identities, ReplayCache and an async ReplayStore, and
// openid-client performing private_key_jwt / client_secret_jwt against a local token endpoint.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import * as client from 'openid-client';
import * as jose from 'jose';
import { checkAssertion, explainAssertion, ReplayCache, JoseError, parseJwks, RemoteJwks } from '../../pkg/node.mjs';
import { NOW, NOW_DATE, generateKey, mint, outcome, thrownBy } from './helpers.mjs';

const CLIENT = 'client-1';
const ISSUER = 'https://as.example';
const TOKEN_ENDPOINT = 'https://as.example/token';
const K8S = 'https://k8s.example';
const WORKLOAD = 'system:serviceaccount:payments:worker';

const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const EXPIRED = 'ERR_JWT_EXPIRED';

let clientKey; // ES256, kid client-key
let strangerKey; // ES256, same kid, other key material
let secretKey; // HS256 oct, kid secret
let workloadKey; // RS256, kid k8s-key

before(async () => {
  clientKey = await generateKey('ES256', { kid: 'client-key' });
  strangerKey = await generateKey('ES256', { kid: 'client-key' });
  secretKey = await generateKey('HS256', { kid: 'secret' });
  workloadKey = await generateKey('RS256', { kid: 'k8s-key' });
});

const clientJwks = () => ({ keys: [clientKey.jwk] });

function options(extra = {}) {
  return { clientId: CLIENT, audience: [ISSUER, TOKEN_ENDPOINT], keys: clientJwks(), currentDate: NOW, ...extra };
}

// A valid assertion's claims with `changes` applied (`undefined` removes a claim).
function claims(changes = {}) {
  const out = { iss: CLIENT, sub: CLIENT, aud: TOKEN_ENDPOINT, iat: NOW, exp: NOW + 60, jti: 'jti-1', ...changes };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return out;
}

const ok = { ok: true };
const claimError = (code, claim, reason) => ({ ok: false, code, claim, reason });

// [name, claim changes, header members, option changes, expected]
const RULES = [
  ['a valid assertion', {}, {}, {}, ok],
  ['aud = the issuer identifier', { aud: ISSUER }, {}, {}, ok],
  ['aud = a one-element array', { aud: [TOKEN_ENDPOINT] }, {}, {}, ok],
  ['iss other than the client', { iss: 'client-2' }, {}, {}, claimError(FAILED, 'iss', 'check_failed')],
  ['sub other than the client', { sub: 'client-2' }, {}, {}, claimError(FAILED, 'sub', 'check_failed')],
  ['iss missing', { iss: undefined }, {}, {}, claimError(FAILED, 'iss', 'missing')],
  ['sub missing', { sub: undefined }, {}, {}, claimError(FAILED, 'sub', 'missing')],
  ['aud missing', { aud: undefined }, {}, {}, claimError(FAILED, 'aud', 'missing')],
  ['aud names another server', { aud: 'https://other.example/token' }, {}, {}, claimError(FAILED, 'aud', 'check_failed')],
  ['aud empty array', { aud: [] }, {}, {}, claimError(FAILED, 'aud', 'check_failed')],
  // Audience profiles (Keycloak 26.2 / rfc7523bis accept exactly one value).
  ['strict (default): two aud values', { aud: [TOKEN_ENDPOINT, 'https://other.example'] }, {}, {}, claimError(FAILED, 'aud', 'multiple_audiences')],
  ['strict: two aud values, both ours', { aud: [ISSUER, TOKEN_ENDPOINT] }, {}, { profile: 'strict' }, claimError(FAILED, 'aud', 'multiple_audiences')],
  ['rfc7523: two aud values', { aud: [TOKEN_ENDPOINT, 'https://other.example'] }, {}, { profile: 'rfc7523' }, ok],
  ['rfc7523: array without our audience', { aud: ['https://a.example', 'https://b.example'] }, {}, { profile: 'rfc7523' }, claimError(FAILED, 'aud', 'check_failed')],
  ['strict + allowMultipleAudiences: true', { aud: [TOKEN_ENDPOINT, 'https://other.example'] }, {}, { allowMultipleAudiences: true }, ok],
  ['rfc7523 + allowMultipleAudiences: false', { aud: [TOKEN_ENDPOINT, 'https://other.example'] }, {}, { profile: 'rfc7523', allowMultipleAudiences: false }, claimError(FAILED, 'aud', 'multiple_audiences')],
  // exp, with the default 30 s tolerance
  ['exp missing', { exp: undefined }, {}, {}, claimError(FAILED, 'exp', 'missing')],
  ['exp not a number', { exp: 'soon' }, {}, {}, claimError(FAILED, 'exp', 'invalid')],
  ['exp 29 s ago (within tolerance)', { iat: NOW - 100, exp: NOW - 29 }, {}, {}, ok],
  ['exp 30 s ago', { iat: NOW - 100, exp: NOW - 30 }, {}, {}, claimError(EXPIRED, 'exp', 'check_failed')],
  ['exp now with clockTolerance 0', { iat: NOW - 100, exp: NOW }, {}, { clockTolerance: 0 }, claimError(EXPIRED, 'exp', 'check_failed')],
  // maxLifetime (default 300)
  ['exp = iat + 300', { exp: NOW + 300 }, {}, {}, ok],
  ['exp = iat + 301', { exp: NOW + 301 }, {}, {}, claimError(FAILED, 'exp', 'lifetime_too_long')],
  ['no iat: exp = now + 300 + tolerance', { iat: undefined, exp: NOW + 330 }, {}, {}, ok],
  ['no iat: exp = now + 331', { iat: undefined, exp: NOW + 331 }, {}, {}, claimError(FAILED, 'exp', 'lifetime_too_long')],
  ['maxLifetime "10m": 600 s', { exp: NOW + 600 }, {}, { maxLifetime: '10m' }, ok],
  ['maxLifetime 600: 601 s', { exp: NOW + 601 }, {}, { maxLifetime: 600 }, claimError(FAILED, 'exp', 'lifetime_too_long')],
  // nbf and iat
  ['nbf = now + 30', { nbf: NOW + 30 }, {}, {}, ok],
  ['nbf = now + 31', { nbf: NOW + 31 }, {}, {}, claimError(FAILED, 'nbf', 'check_failed')],
  ['iat = now + 30', { iat: NOW + 30, exp: NOW + 90 }, {}, {}, ok],
  ['iat = now + 31', { iat: NOW + 31, exp: NOW + 90 }, {}, {}, claimError(FAILED, 'iat', 'check_failed')],
  ['iat not a number', { iat: 'now' }, {}, {}, claimError(FAILED, 'iat', 'invalid')],
  // jti
  ['jti missing', { jti: undefined }, {}, {}, claimError(FAILED, 'jti', 'missing')],
  ['jti missing with requireJti: false', { jti: undefined }, {}, { requireJti: false }, ok],
  ['jti not a string', { jti: 42 }, {}, {}, claimError(FAILED, 'jti', 'invalid')],
  ['jti empty', { jti: '' }, {}, {}, claimError(FAILED, 'jti', 'invalid')],
  // typ
  ['typ JWT', {}, { typ: 'JWT' }, {}, ok],
  ['typ client-authentication+jwt', {}, { typ: 'client-authentication+jwt' }, {}, ok],
  ['typ application/client-authentication+jwt', {}, { typ: 'application/client-authentication+jwt' }, {}, ok],
  ['typ at+jwt', {}, { typ: 'at+jwt' }, {}, claimError(FAILED, 'typ', 'check_failed')],
  ['typ dpop+jwt', {}, { typ: 'dpop+jwt' }, {}, claimError(FAILED, 'typ', 'check_failed')],
];

// explainAssertion reports every rule; its first failing row is checkAssertion's error.
describe('explainAssertion agrees with checkAssertion on every rule of the table', () => {
  for (const [name, changes, header, optionChanges, expected] of RULES) {
    test(name, async () => {
      const assertion = await mint(clientKey, claims(changes), { header });
      const rows = explainAssertion(assertion, options(optionChanges));
      assert.ok(rows.length >= 10 && rows.every((r) => typeof r.id === 'string' && typeof r.rule === 'string'), JSON.stringify(rows));
      const failed = rows.find((r) => !r.ok);
      if (expected.ok) assert.equal(failed, undefined, JSON.stringify(failed));
      else assert.deepEqual({ ok: false, code: failed?.code, claim: failed?.claim, reason: failed?.reason }, expected);
    });
  }

  test('wrong options are TypeErrors naming the option, as for checkAssertion', async () => {
    const assertion = await mint(clientKey, claims());
    for (const [option, value] of [['clientId', ''], ['profile', 'lax'], ['maxLifetime', null], ['clockTolerance', NaN]]) {
      const err = await thrownBy(() => explainAssertion(assertion, options({ [option]: value })));
      assert.ok(err instanceof TypeError, `${option}: ${err}`);
      assert.match(err.message, new RegExp(option));
    }
  });
});

describe('checkAssertion rules (jose-signed ES256 assertions)', () => {
  for (const [name, changes, header, optionChanges, expected] of RULES) {
    test(name, async () => {
      const assertion = await mint(clientKey, claims(changes), { header });
      const got = await outcome(() => checkAssertion(assertion, options(optionChanges)));
      if (expected.ok) {
        assert.equal(got.ok, true, `expected success, got ${JSON.stringify(got)}`);
        assert.deepEqual(got.payload, claims(changes));
      } else {
        assert.deepEqual(got, expected);
      }
    });
  }

  test('the result has the VerifiedAssertion shape', async () => {
    const assertion = await mint(clientKey, claims(), { header: { typ: 'JWT' } });
    const result = await checkAssertion(assertion, options({ currentDate: NOW_DATE }));
    assert.deepEqual(Object.keys(result).sort(), ['clientId', 'federated', 'header', 'jti', 'key', 'payload']);
    assert.equal(result.clientId, CLIENT);
    assert.equal(result.jti, 'jti-1');
    assert.equal(result.federated, false);
    assert.deepEqual(result.header, { alg: 'ES256', typ: 'JWT', kid: 'client-key' });
    assert.deepEqual(result.payload, claims());
    assert.equal(result.key.kid, 'client-key');
    assert.equal(result.key.thumbprint, await jose.calculateJwkThumbprint(clientKey.jwk));
  });

  test('claim errors are JoseErrors that carry the payload', async () => {
    const assertion = await mint(clientKey, claims({ exp: NOW + 301 }));
    const err = await thrownBy(() => checkAssertion(assertion, options()));
    assert.ok(err instanceof JoseError && err instanceof Error);
    assert.equal(err.reason, 'lifetime_too_long');
    assert.deepEqual(err.payload, claims({ exp: NOW + 301 }));
  });

  test('the key must be one of the client\'s', async () => {
    const forged = await mint(strangerKey, claims());
    assert.deepEqual(await outcome(() => checkAssertion(forged, options())), { ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    const unknownKid = await mint(clientKey, claims(), { kid: 'other-key' });
    assert.deepEqual(await outcome(() => checkAssertion(unknownKid, options())), { ok: false, code: 'ERR_JWKS_NO_MATCHING_KEY' });
    const other = await generateKey('ES256', { kid: 'client-key' });
    const otherClients = { keys: [other.jwk] };
    const valid = await mint(clientKey, claims());
    assert.deepEqual(await outcome(() => checkAssertion(valid, options({ keys: otherClients }))), { ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    assert.deepEqual(await outcome(() => checkAssertion('not-a-jwt', options())), { ok: false, code: 'ERR_JWS_INVALID' });
  });

  test('the keys may be a KeySet or JWKS JSON text, and algorithms restrict them', async () => {
    const assertion = await mint(clientKey, claims());
    assert.equal((await checkAssertion(assertion, options({ keys: parseJwks(clientJwks()) }))).clientId, CLIENT);
    assert.equal((await checkAssertion(assertion, options({ keys: JSON.stringify(clientJwks()) }))).clientId, CLIENT);
    assert.deepEqual(await outcome(() => checkAssertion(assertion, options({ algorithms: ['RS256'] }))), { ok: false, code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  });

  test('the keys may be a RemoteJwks (the client\'s jwks_uri), for the client and a federated issuer', async () => {
    const fetched = [];
    const serve = (url) => {
      fetched.push(url);
      const jwks = url.includes('k8s') ? { keys: [workloadKey.jwk] } : clientJwks();
      return new Response(JSON.stringify(jwks), { headers: { 'content-type': 'application/json' } });
    };
    const fetch = async (input) => serve(String(input?.url ?? input));
    const clientRemote = new RemoteJwks('https://client.example/jwks.json', { fetch });
    const k8sRemote = new RemoteJwks('https://k8s.example/openid/v1/jwks', { fetch });
    const federated = [{ issuer: K8S, subject: WORKLOAD, audience: ISSUER, keys: k8sRemote, maxLifetime: 3600, singleUse: false }];
    const own = await checkAssertion(await mint(clientKey, claims()), options({ keys: clientRemote, federated }));
    assert.deepEqual([own.clientId, own.federated, own.key.kid], [CLIENT, false, 'client-key']);
    const workload = await mint(workloadKey, { iss: K8S, sub: WORKLOAD, aud: ISSUER, iat: NOW, exp: NOW + 600 });
    const viaIssuer = await checkAssertion(workload, options({ keys: clientRemote, federated }));
    assert.deepEqual([viaIssuer.federated, viaIssuer.key.kid], [true, 'k8s-key']);
    assert.deepEqual(fetched, ['https://client.example/jwks.json', 'https://k8s.example/openid/v1/jwks']);
  });

  test('bad options are TypeErrors', async () => {
    const assertion = await mint(clientKey, claims());
    const { keys, ...noKeys } = options();
    for (const bad of [
      undefined,
      noKeys,
      options({ clientId: undefined }),
      options({ clientId: '' }),
      options({ audience: undefined }),
      options({ audience: [] }),
      options({ profile: 'loose' }),
      options({ maxLifetime: 'forever' }),
      options({ replay: {} }),
      options({ federated: [{ issuer: K8S }] }),
      options({ federated: [{ issuer: '', keys }] }),
    ]) {
      const err = await thrownBy(() => checkAssertion(assertion, bad));
      assert.ok(err instanceof TypeError, `${JSON.stringify(bad)} -> ${err}`);
    }
  });
});

describe('client_secret_jwt', () => {
  test('HS256 with the client\'s oct key verifies only when HS256 is listed', async () => {
    const assertion = await mint(secretKey, claims());
    const secret = { keys: [secretKey.jwk] };
    const result = await checkAssertion(assertion, options({ keys: secret, algorithms: ['HS256'] }));
    assert.equal(result.clientId, CLIENT);
    assert.equal(result.key.kty, 'oct');
    assert.deepEqual(await outcome(() => checkAssertion(assertion, options({ keys: secret }))), { ok: false, code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
    // A parsed set without allowPrivate keeps the secret unusable.
    assert.deepEqual(await outcome(() => checkAssertion(assertion, options({ keys: parseJwks(secret), algorithms: ['HS256'] }))), { ok: false, code: 'ERR_JWKS_NO_MATCHING_KEY' });
    const other = await generateKey('HS256', { kid: 'secret' });
    assert.deepEqual(await outcome(() => checkAssertion(assertion, options({ keys: { keys: [other.jwk] }, algorithms: ['HS256'] }))), { ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });
});

describe('federated identities', () => {
  const workloadClaims = (changes = {}) => {
    const out = { iss: K8S, sub: WORKLOAD, aud: ISSUER, iat: NOW, exp: NOW + 3600, ...changes };
    for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
    return out;
  };
  const federation = (extra = {}) => [{ issuer: K8S, subject: WORKLOAD, audience: ISSUER, keys: { keys: [workloadKey.jwk] }, maxLifetime: 3600, singleUse: false, ...extra }];

  test('a token of a trusted issuer authenticates the client with that issuer\'s keys', async () => {
    const token = await mint(workloadKey, workloadClaims());
    const result = await checkAssertion(token, options({ federated: federation() }));
    assert.equal(result.clientId, CLIENT);
    assert.equal(result.federated, true);
    assert.equal(result.jti, undefined);
    assert.equal(result.key.kid, 'k8s-key');
    // The client's own assertions still work alongside.
    assert.equal((await checkAssertion(await mint(clientKey, claims()), options({ federated: federation() }))).federated, false);
  });

  test('the issuer\'s sub mapping, audience, lifetime and keys apply', async () => {
    const opts = options({ federated: federation() });
    const cases = [
      // (with singleUse: false no jti is needed; these checks come first anyway)
      [workloadClaims({ sub: 'system:serviceaccount:payments:other' }), claimError(FAILED, 'sub', 'check_failed')],
      [workloadClaims({ sub: CLIENT }), claimError(FAILED, 'sub', 'check_failed')],
      [workloadClaims({ aud: TOKEN_ENDPOINT }), claimError(FAILED, 'aud', 'check_failed')],
      [workloadClaims({ exp: NOW + 3601 }), claimError(FAILED, 'exp', 'lifetime_too_long')],
      [workloadClaims({ exp: undefined }), claimError(FAILED, 'exp', 'missing')],
    ];
    for (const [payload, expected] of cases) {
      const token = await mint(workloadKey, payload);
      assert.deepEqual(await outcome(() => checkAssertion(token, opts)), expected, JSON.stringify(payload));
    }
    // Signed by the client's key, claiming to be the issuer: the issuer's keys don't match.
    const wrongKey = await mint(clientKey, workloadClaims());
    assert.deepEqual(await outcome(() => checkAssertion(wrongKey, opts)), { ok: false, code: 'ERR_JWKS_NO_MATCHING_KEY' });
    // Signed by the issuer's key, claiming to be the client: the client's keys don't match.
    const wrongIss = await mint(workloadKey, claims());
    assert.deepEqual(await outcome(() => checkAssertion(wrongIss, opts)), { ok: false, code: 'ERR_JWKS_NO_MATCHING_KEY' });
    // An unlisted issuer goes to the client's keys and fails there.
    const stranger = await mint(clientKey, workloadClaims({ iss: 'https://other-cluster.example', jti: 'j' }));
    assert.deepEqual(await outcome(() => checkAssertion(stranger, opts)), claimError(FAILED, 'iss', 'check_failed'));
  });

  test('an entry defaults to sub = clientId, the main audience and single use', async () => {
    const entry = { issuer: K8S, keys: parseJwks({ keys: [workloadKey.jwk] }) };
    const token = await mint(workloadKey, workloadClaims({ sub: CLIENT, aud: TOKEN_ENDPOINT, exp: NOW + 60, jti: 'w-1' }));
    const replay = new ReplayCache({ clock: () => NOW });
    const result = await checkAssertion(token, options({ federated: [entry], replay }));
    assert.deepEqual([result.federated, result.jti], [true, 'w-1']);
    assert.deepEqual(await outcome(() => checkAssertion(token, options({ federated: [entry], replay }))), claimError('ERR_JWT_REPLAYED', 'jti', 'check_failed'));
    const noJti = await mint(workloadKey, workloadClaims({ sub: CLIENT, aud: TOKEN_ENDPOINT, exp: NOW + 60 }));
    assert.deepEqual(await outcome(() => checkAssertion(noJti, options({ federated: [entry] }))), claimError(FAILED, 'jti', 'missing'));
  });

  test('singleUse: false tokens are reusable and never reach the replay store', async () => {
    const calls = [];
    const replay = { markUsed: (jti, expiresAt) => (calls.push([jti, expiresAt]), true) };
    const token = await mint(workloadKey, workloadClaims({ jti: 'k8s-jti' }));
    for (let i = 0; i < 3; i++) assert.equal((await checkAssertion(token, options({ federated: federation(), replay }))).federated, true);
    assert.deepEqual(calls, []);
  });

  test('entries of one issuer are told apart by subject', async () => {
    const federated = [
      ...federation({ subject: 'system:serviceaccount:payments:first' }),
      ...federation(),
    ];
    const result = await checkAssertion(await mint(workloadKey, workloadClaims()), options({ federated }));
    assert.equal(result.federated, true);
  });
});

describe('single use of jti', () => {
  test('a ReplayCache refuses the second use with ERR_JWT_REPLAYED', async () => {
    const replay = new ReplayCache({ clock: () => NOW });
    const assertion = await mint(clientKey, claims({ jti: 'once' }));
    assert.equal((await checkAssertion(assertion, options({ replay }))).jti, 'once');
    const err = await thrownBy(() => checkAssertion(assertion, options({ replay })));
    assert.ok(err instanceof JoseError);
    assert.deepEqual([err.code, err.claim, err.reason], ['ERR_JWT_REPLAYED', 'jti', 'check_failed']);
    assert.equal(err.payload.jti, 'once');
    // Another jti from the same client is fine.
    assert.equal((await checkAssertion(await mint(clientKey, claims({ jti: 'twice' })), options({ replay }))).jti, 'twice');
    assert.equal(replay.size, 2);
  });

  test('only assertions that pass every check are marked used, until exp + clockTolerance', async () => {
    const calls = [];
    const replay = { markUsed: (jti, expiresAt) => (calls.push([jti, expiresAt]), true) };
    const assertion = await mint(clientKey, claims({ jti: 'm-1' }));
    // Wrong audience, forged signature: rejected before the store is asked.
    await assert.rejects(checkAssertion(assertion, options({ replay, audience: 'https://elsewhere.example' })), { code: FAILED });
    await assert.rejects(checkAssertion(await mint(strangerKey, claims({ jti: 'm-1' })), options({ replay })), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    assert.deepEqual(calls, []);
    await checkAssertion(assertion, options({ replay }));
    await checkAssertion(assertion, options({ replay, clockTolerance: 5 }));
    // The key is scoped by the client id; expiresAt is the first instant the assertion is refused.
    assert.deepEqual(calls, [[`${CLIENT} m-1`, NOW + 60 + 30], [`${CLIENT} m-1`, NOW + 60 + 5]]);
  });

  test('an async ReplayStore (markUsed returning a Promise) works', async () => {
    const used = new Map();
    const store = {
      async markUsed(jti, expiresAt) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (used.has(jti)) return false;
        used.set(jti, expiresAt);
        return true;
      },
    };
    const assertion = await mint(clientKey, claims({ jti: 'async-1' }));
    assert.equal((await checkAssertion(assertion, options({ replay: store }))).jti, 'async-1');
    assert.deepEqual(await outcome(() => checkAssertion(assertion, options({ replay: store }))), claimError('ERR_JWT_REPLAYED', 'jti', 'check_failed'));
    assert.deepEqual([...used], [[`${CLIENT} async-1`, NOW + 90]]);
  });

  test('a store that fails or answers neither true nor false fails the check (ERR_REPLAY_STORE_UNAVAILABLE)', async () => {
    const assertion = await mint(clientKey, claims());
    // Fail closed: the assertion is refused, never accepted unchecked.
    const unavailable = { code: 'ERR_REPLAY_STORE_UNAVAILABLE' };
    const broken = { markUsed: async () => { throw new Error('store down'); } };
    await assert.rejects(checkAssertion(assertion, options({ replay: broken })), unavailable);
    const vague = { markUsed: () => undefined };
    await assert.rejects(checkAssertion(assertion, options({ replay: vague })), unavailable);
    const hanging = { markUsed: () => new Promise(() => {}) };
    await assert.rejects(checkAssertion(assertion, options({ replay: hanging, replayTimeoutMs: 20 })), unavailable);
    await assert.rejects(checkAssertion(assertion, options({ replay: { markUsed: 1 } })), TypeError);
    const full = new ReplayCache({ maxEntries: 1, clock: () => NOW });
    full.markUsed('other', NOW + 1000);
    await assert.rejects(checkAssertion(assertion, options({ replay: full })), { code: 'ERR_REPLAY_STORE_FULL' });
  });

  test('a jti is never accepted at or after the expiresAt it was stored with (fractional times and tolerances)', async () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let round = 0; round < 40; round++) {
      const exp = NOW + 30 + Math.floor(random() * 60) + (random() < 0.5 ? 0 : random());
      const clockTolerance = random() < 0.3 ? 0 : Math.round(random() * 400) / 10;
      const stored = [];
      const replay = { markUsed: (key, expiresAt) => (stored.push(expiresAt), true) };
      const assertion = await mint(clientKey, claims({ exp, jti: `w-${round}` }));
      await checkAssertion(assertion, options({ replay, clockTolerance, currentDate: NOW }));
      const [expiresAt] = stored;
      for (const t of [expiresAt - 1, expiresAt - 0.5, expiresAt - 0.001, expiresAt, expiresAt + 0.001, expiresAt + 0.5, expiresAt + 1]) {
        const accepted = (await outcome(() => checkAssertion(assertion, options({ clockTolerance, currentDate: t })))).ok;
        assert.equal(accepted, t < expiresAt, `exp ${exp}, tolerance ${clockTolerance}, expiresAt ${expiresAt}, now ${t}`);
      }
    }
  });

  test('requireJti: false skips the store for an assertion without jti', async () => {
    const calls = [];
    const replay = { markUsed: (jti) => (calls.push(jti), true) };
    const result = await checkAssertion(await mint(clientKey, claims({ jti: undefined })), options({ replay, requireJti: false }));
    assert.equal(result.jti, undefined);
    assert.deepEqual(calls, []);
  });
});

describe('ReplayCache', () => {
  test('holds at most maxEntries; when full of live entries it refuses (ERR_REPLAY_STORE_FULL), never evicts', () => {
    let now = 0;
    const cache = new ReplayCache({ maxEntries: 3, clock: () => now });
    assert.equal(cache.markUsed('a', 100), true);
    assert.equal(cache.markUsed('b', 10), true);
    assert.equal(cache.markUsed('c', 100), true);
    assert.equal(cache.markUsed('a', 100), false);
    now = 50; // b has expired: it goes, a and c stay
    assert.equal(cache.markUsed('d', 100), true);
    assert.equal(cache.size, 3);
    assert.throws(() => cache.markUsed('e', 100), { code: 'ERR_REPLAY_STORE_FULL', message: /maxEntries/ });
    assert.equal(cache.markUsed('a', 100), false, 'a live entry is never evicted');
    now = 100;
    assert.equal(cache.markUsed('e', 200), true, 'accepted again once entries expire');
  });

  test('forgets an entry at its expiresAt', () => {
    let now = 1000;
    const cache = new ReplayCache({ clock: () => now });
    assert.equal(cache.markUsed('x', 1060), true);
    now = 1059;
    assert.equal(cache.markUsed('x', 1060), false);
    now = 1060;
    assert.equal(cache.markUsed('x', 1120), true);
    assert.equal(cache.size, 1);
  });

  test('stays bounded under a long run of churn', () => {
    let now = 0;
    const cache = new ReplayCache({ maxEntries: 400, clock: () => now });
    for (let i = 0; i < 5000; i++) {
      now = i / 10;
      assert.equal(cache.markUsed(`j${i}`, now + 30), true);
      assert.ok(cache.size <= 301);
    }
    assert.equal(cache.markUsed('j4999', 1e9), false);
  });

  test('uses the host clock by default and rejects bad arguments', () => {
    const cache = new ReplayCache();
    assert.equal(cache.markUsed('past', Date.now() / 1000 - 1), true);
    assert.equal(cache.markUsed('past', Date.now() / 1000 + 60), true, 'an entry already expired is forgotten');
    assert.equal(cache.markUsed('past', Date.now() / 1000 + 60), false);
    assert.throws(() => cache.markUsed('', 1), TypeError);
    assert.throws(() => cache.markUsed('j', NaN), TypeError);
    assert.throws(() => cache.markUsed('j', '60'), TypeError);
    assert.throws(() => new ReplayCache({ maxEntries: 0 }), TypeError);
    assert.throws(() => new ReplayCache({ clock: 5 }), TypeError);
  });
});

// A token endpoint on 127.0.0.1 that authenticates clients with checkAssertion.
function startTokenEndpoint(registered, { profile } = {}) {
  const replay = new ReplayCache();
  const seen = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const reply = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/token' || req.method !== 'POST') return reply(404, { error: 'not_found' });
    if (params.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      return reply(401, { error: 'invalid_client', error_description: 'client assertion required' });
    }
    const clientId = params.get('client_id');
    const registration = registered[clientId];
    try {
      if (!registration) throw new Error(`unknown client ${clientId}`);
      const { origin } = server;
      const result = await checkAssertion(params.get('client_assertion'), {
        clientId,
        audience: [origin, `${origin}/token`],
        profile,
        replay,
        ...registration,
      });
      seen.push({ assertion: params.get('client_assertion'), result });
      reply(200, { access_token: `at-${result.jti}`, token_type: 'Bearer', expires_in: 300 });
    } catch (err) {
      seen.push({ assertion: params.get('client_assertion'), error: err });
      reply(401, { error: 'invalid_client', error_description: `${err.code}${err.reason ? ` (${err.claim}: ${err.reason})` : ''}: ${err.message}` });
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      server.origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ server, seen, origin: server.origin });
    });
  });
}

function configurationFor(origin, clientId, auth) {
  const config = new client.Configuration({ issuer: origin, token_endpoint: `${origin}/token` }, clientId, {}, auth);
  client.allowInsecureRequests(config);
  return config;
}

async function postToken(origin, form) {
  const response = await fetch(`${origin}/token`, { method: 'POST', body: new URLSearchParams(form) });
  return { status: response.status, body: await response.json() };
}

describe('openid-client v6 against a local token endpoint', () => {
  let endpoint; // default profile: strict
  const pkjwtClients = {};

  // openid-client names the algorithm after the key; an Ed25519 key signs with the RFC 9864
  // name "Ed25519" unless the assertion header is modified to say "EdDSA".
  const PKJWT = [
    ['ES256', 'ES256', {}],
    ['RS256', 'RS256', {}],
    ['PS256', 'PS256', {}],
    ['EdDSA', 'EdDSA', { crv: 'Ed25519' }],
  ];

  before(async () => {
    for (const [name, alg, keyOptions] of PKJWT) {
      const { publicKey, privateKey } = await jose.generateKeyPair(alg, keyOptions);
      const jwk = { ...(await jose.exportJWK(publicKey)), kid: `${name}-1`, alg, use: 'sig' };
      pkjwtClients[`pk-${name}`] = { privateKey, kid: jwk.kid, registration: { keys: { keys: [jwk] } } };
    }
    // The Ed25519 key again, registered without "alg", for openid-client's default alg name.
    const ed = pkjwtClients['pk-EdDSA'];
    const { alg: _alg, ...edJwk } = ed.registration.keys.keys[0];
    pkjwtClients['pk-Ed25519'] = { ...ed, registration: { keys: { keys: [edJwk] } } };
    const registered = Object.fromEntries(Object.entries(pkjwtClients).map(([id, c]) => [id, c.registration]));
    registered['secret-client'] = {
      keys: { kty: 'oct', k: Buffer.from('a-client-secret-of-at-least-32-bytes!').toString('base64url') },
      algorithms: ['HS256'],
    };
    endpoint = await startTokenEndpoint(registered);
  });

  after(() => endpoint?.server.close());

  for (const [name, alg] of PKJWT) {
    test(`private_key_jwt (${alg}): the endpoint accepts the assertion and refuses its replay`, async () => {
      const { privateKey, kid } = pkjwtClients[`pk-${name}`];
      const setAlg = (header) => { header.alg = alg; };
      const config = configurationFor(endpoint.origin, `pk-${name}`, client.PrivateKeyJwt({ key: privateKey, kid }, { [client.modifyAssertion]: setAlg }));
      const tokens = await client.clientCredentialsGrant(config, { scope: 'read' });
      const accepted = endpoint.seen.at(-1);
      assert.ok(accepted.result, `endpoint rejected: ${accepted.error}`);
      assert.equal(tokens.access_token, `at-${accepted.result.jti}`);
      assert.equal(accepted.result.clientId, `pk-${name}`);
      assert.equal(accepted.result.key.kid, kid);
      assert.equal(accepted.result.header.alg, alg);
      assert.equal(accepted.result.payload.aud, endpoint.origin);

      // The same client_assertion posted again is a replay.
      const replayed = await postToken(endpoint.origin, {
        grant_type: 'client_credentials',
        client_id: `pk-${name}`,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: accepted.assertion,
      });
      assert.equal(replayed.status, 401);
      assert.equal(replayed.body.error, 'invalid_client');
      assert.match(replayed.body.error_description, /^ERR_JWT_REPLAYED/);
      // A fresh assertion from the client is accepted again.
      await client.clientCredentialsGrant(config);
    });
  }

  test('private_key_jwt (Ed25519 key, openid-client\'s default RFC 9864 alg name "Ed25519")', async () => {
    const { privateKey, kid } = pkjwtClients['pk-Ed25519'];
    const config = configurationFor(endpoint.origin, 'pk-Ed25519', client.PrivateKeyJwt({ key: privateKey, kid }));
    await client.clientCredentialsGrant(config);
    assert.equal(endpoint.seen.at(-1).result.header.alg, 'Ed25519');
  });

  test('private_key_jwt with a key the client did not register is refused', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256');
    const config = configurationFor(endpoint.origin, 'pk-ES256', client.PrivateKeyJwt({ key: privateKey, kid: 'ES256-1' }));
    const err = await thrownBy(() => client.clientCredentialsGrant(config));
    assert.equal(err.error, 'invalid_client');
    assert.match(err.error_description, /^ERR_JWS_SIGNATURE_VERIFICATION_FAILED/);
  });

  test('client_secret_jwt (HS256) is accepted', async () => {
    const config = configurationFor(endpoint.origin, 'secret-client', client.ClientSecretJwt('a-client-secret-of-at-least-32-bytes!'));
    const tokens = await client.clientCredentialsGrant(config);
    const accepted = endpoint.seen.at(-1);
    assert.equal(accepted.result.header.alg, 'HS256');
    assert.equal(tokens.access_token, `at-${accepted.result.jti}`);
  });

  test('strict profile: a two-value aud array is refused (as Keycloak 26.2 does)', async () => {
    const { privateKey, kid } = pkjwtClients['pk-ES256'];
    const both = (_header, payload) => { payload.aud = [endpoint.origin, `${endpoint.origin}/token`]; };
    const config = configurationFor(endpoint.origin, 'pk-ES256', client.PrivateKeyJwt({ key: privateKey, kid }, { [client.modifyAssertion]: both }));
    const err = await thrownBy(() => client.clientCredentialsGrant(config));
    assert.equal(err.error, 'invalid_client');
    assert.match(err.error_description, /\(aud: multiple_audiences\)/);

    const lenient = await startTokenEndpoint({ 'pk-ES256': pkjwtClients['pk-ES256'].registration }, { profile: 'rfc7523' });
    try {
      const setAud = (_header, payload) => { payload.aud = [lenient.origin, `${lenient.origin}/token`]; };
      const lenientConfig = configurationFor(lenient.origin, 'pk-ES256', client.PrivateKeyJwt({ key: privateKey, kid }, { [client.modifyAssertion]: setAud }));
      await client.clientCredentialsGrant(lenientConfig);
      assert.deepEqual(lenient.seen.at(-1).result.payload.aud, [lenient.origin, `${lenient.origin}/token`]);
    } finally {
      lenient.server.close();
    }
  });
});
