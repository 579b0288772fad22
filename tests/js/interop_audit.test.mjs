// The second contract audit (notes: audit-table-5): the same inputs through this package and
// a third party in one process. RemoteJwks against jose's createRemoteJWKSet, over a JWKS
// server on 127.0.0.1 whose keys the test rotates: both must refuse a key removed upstream once
// the cached set has expired, and both refetch for a token the cached set has no key for (not
// only for an unknown kid), under the cooldown. Express and Fastify take an absolute-form
// request target (RFC 9112). checkAssertion beside oidc-provider's token endpoint: the same
// verdicts, except where API.md is stricter.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import * as jose from 'jose';
import { RemoteJwks, verifyJwt } from '../../pkg/node.mjs';
import { dpopAdapters } from './support/dpop-adapters.mjs';
import { startPathJwksServer } from './support/path-jwks-server.mjs';
import { generateKey, mint } from './helpers.mjs';

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Each path of the server is its own JWKS: `jwks.sets.get(path)` is what it serves now.
let jwks;
before(async () => { jwks = await startPathJwksServer(); });
after(() => jwks.close());

let paths = 0;
// Two fresh JWKS URLs serving `keys` (one per side, so each side's fetches are counted apart).
function serve(keys, headers) {
  const path = (side) => `/jwks-${++paths}-${side}`;
  const urls = { ours: path('ours'), jose: path('jose') };
  for (const p of Object.values(urls)) jwks.sets.set(p, { keys: keys.map((k) => k.jwk), headers });
  return {
    set: (next) => { for (const p of Object.values(urls)) jwks.sets.get(p).keys = next.map((k) => k.jwk); },
    fetches: (side) => jwks.hits.get(urls[side]) ?? 0,
    url: (side) => `${jwks.origin}${urls[side]}`,
  };
}

const outcome = (promise) => promise.then(() => 'ok', (err) => err.code ?? err.name);

// The same steps through both: `ours(token)` / `theirs(token)` verify one token.
async function bothSides(upstream, remoteOptions, joseOptions, steps) {
  const remote = new RemoteJwks(upstream.url('ours'), remoteOptions);
  const jwks = jose.createRemoteJWKSet(new URL(upstream.url('jose')), joseOptions);
  const sides = { ours: (token) => outcome(verifyJwt(token, remote)), jose: (token) => outcome(jose.jwtVerify(token, jwks)) };
  const results = {};
  for (const [side, check] of Object.entries(sides)) {
    results[side] = await steps(check, side);
  }
  return results;
}

test('a key removed upstream: refused by both once the cached set has expired (no stale serving before the refresh)', async () => {
  const old = await generateKey('ES256', { kid: 'old' });
  const next = await generateKey('ES256', { kid: 'next' });
  for (const [how, headers, remoteOptions, joseOptions] of [
    ['Cache-Control: max-age=1', { 'cache-control': 'max-age=1' }, {}, { cacheMaxAge: 1000 }],
    ['cacheMaxAgeMs 1000', undefined, { cacheMaxAgeMs: 1000 }, { cacheMaxAge: 1000 }],
  ]) {
    const upstream = serve([old], headers);
    const token = await mint(old, { iat: now(), exp: now() + 600 });
    const results = await bothSides(upstream, remoteOptions, joseOptions, async (check, side) => {
      upstream.set([old]);
      const first = await check(token);
      upstream.set([next]);
      await sleep(1100);
      const before = upstream.fetches(side);
      const afterExpiry = await check(token);
      return [first, afterExpiry, upstream.fetches(side) - before];
    });
    assert.deepEqual(results.jose, ['ok', 'ERR_JWKS_NO_MATCHING_KEY', 1], `${how}: jose`);
    assert.deepEqual(results.ours, results.jose, `${how}: ours as jose (before: "ok" with no fetch, the set served stale)`);
  }
});

test('a token the cached set has no key for refetches once, kid or no kid, as jose reloads on any "no matching key"', async () => {
  const cases = [
    ['kid-less tokens, the issuer moves from an RSA to an EC key', await generateKey('RS256', { kid: null }), await generateKey('ES256', { kid: null })],
    ['the same kid, now on a key of another type', await generateKey('RS256', { kid: 'same' }), await generateKey('ES256', { kid: 'same' })],
  ];
  for (const [name, before, after] of cases) {
    const upstream = serve([before]);
    const results = await bothSides(upstream, { cooldownMs: 0 }, { cooldownDuration: 0 }, async (check, side) => {
      upstream.set([before]);
      const first = await check(await mint(before, { iat: now() }));
      upstream.set([after]);
      const start = upstream.fetches(side);
      const rotated = await check(await mint(after, { iat: now() }));
      return [first, rotated, upstream.fetches(side) - start];
    });
    assert.deepEqual(results.jose, ['ok', 'ok', 1], `${name}: jose`);
    assert.deepEqual(results.ours, results.jose, `${name}: ours as jose (before: ERR_JWKS_NO_MATCHING_KEY, no fetch)`);
  }
});

test('tokens the cached set has no key for cannot make more than one fetch per cooldown', async () => {
  const key = await generateKey('ES256', { kid: null });
  const rsa = await generateKey('RS256', { kid: null });
  const upstream = serve([key]);
  const remote = new RemoteJwks(upstream.url('ours'), { cooldownMs: 60_000 });
  await verifyJwt(await mint(key, { iat: now() }), remote);
  const stranger = await mint(rsa, { iat: now() });
  const outcomes = await Promise.all(Array.from({ length: 200 }, () => outcome(verifyJwt(stranger, remote))));
  assert.deepEqual([...new Set(outcomes)], ['ERR_JWKS_NO_MATCHING_KEY']);
  assert.equal(upstream.fetches('ours'), 1, 'within the cooldown of the first fetch: none');
  for (let i = 0; i < 50; i++) assert.equal(await outcome(verifyJwt(stranger, remote)), 'ERR_JWKS_NO_MATCHING_KEY');
  assert.equal(upstream.fetches('ours'), 1);

  const eager = new RemoteJwks(upstream.url('ours'), { cooldownMs: 0 });
  await verifyJwt(await mint(key, { iat: now() }), eager);
  const start = upstream.fetches('ours');
  const concurrent = await Promise.all(Array.from({ length: 100 }, () => outcome(verifyJwt(stranger, eager))));
  assert.deepEqual([...new Set(concurrent)], ['ERR_JWKS_NO_MATCHING_KEY']);
  assert.equal(upstream.fetches('ours') - start, 1, 'concurrent misses share one refetch');

  // Five processes sharing a JwksStore: once the cooldown is over, one refetch among them.
  const shared = serve([key]);
  const texts = new Map();
  const store = { get: async (url) => texts.get(url) ?? null, set: async (url, text) => { texts.set(url, text); } };
  const processes = Array.from({ length: 5 }, () => new RemoteJwks(shared.url('ours'), { cooldownMs: 300, store }));
  for (const remote of processes) await verifyJwt(await mint(key, { iat: now() }), remote);
  assert.equal(shared.fetches('ours'), 1, 'one cold fetch for the five');
  await sleep(350);
  for (let round = 0; round < 4; round++) {
    for (const remote of processes) assert.equal(await outcome(verifyJwt(stranger, remote)), 'ERR_JWKS_NO_MATCHING_KEY');
  }
  assert.equal(shared.fetches('ours'), 2, 'misses over five processes: one refetch per cooldown, not one each');
});

// RFC 9112 §3.2.2: a server must accept an absolute-form request target. Express and Fastify
// keep it in originalUrl / url; the adapters prefixed it with the Host, so a DPoP request in
// that form was a 400 even when it named this very server. Now the core gets it as it is and
// compares its authority with the Host header: this server's is accepted, another's is not.
test('express and fastify: an absolute-form request target naming this host is accepted for DPoP; naming another host, 400', async () => {
  const { express, Fastify, expressAuth, fastifyAuth, token, proof, options } = await dpopAdapters();

  const servers = [];
  const e = express();
  e.get('/r', expressAuth(options), (req, res) => res.json({ scheme: req.auth.scheme }));
  servers.push(['express', e.listen(0, '127.0.0.1'), (s) => new Promise((resolve) => s.close(resolve))]);
  const f = Fastify();
  f.decorateRequest('auth', null);
  f.get('/r', { onRequest: fastifyAuth(options) }, async (request) => ({ scheme: request.auth.scheme }));
  await f.listen({ port: 0, host: '127.0.0.1' });
  servers.push(['fastify', f.server, () => f.close()]);

  const send = (port, target, headers) => new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: target, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.end();
  });
  try {
    for (const [name, server] of servers) {
      await new Promise((resolve) => (server.listening ? resolve() : server.once('listening', resolve)));
      const self = `http://127.0.0.1:${server.address().port}`;
      const own = await send(server.address().port, `${self}/r?x=1`, { authorization: `DPoP ${token}`, dpop: await proof(`${self}/r`) });
      assert.equal(own.status, 200, `${name}: absolute-form naming this host: ${own.body}`);
      assert.deepEqual(JSON.parse(own.body), { scheme: 'DPoP' });
      const other = await send(server.address().port, 'http://victim.example/r', { authorization: `DPoP ${token}`, dpop: await proof('http://victim.example/r') });
      assert.equal(other.status, 400, `${name}: absolute-form naming another host`);
      assert.equal(JSON.parse(other.body).error, 'invalid_request');
      const origin = await send(server.address().port, '/r', { authorization: `DPoP ${token}`, dpop: await proof(`${self}/r`) });
      assert.equal(origin.status, 200, `${name}: origin-form still accepted`);
    }
  } finally {
    for (const [, server, close] of servers) await close(server);
  }
});

// checkAssertion beside oidc-provider's own token endpoint, on the same private_key_jwt
// assertions (openid-client's, then hand-made variants): both accept or both refuse, except
// where API.md decides otherwise (named in `differs`).
test('checkAssertion and oidc-provider agree on private_key_jwt assertions, except where API.md is stricter', async () => {
  const { default: Provider } = await import('oidc-provider');
  const client = await import('openid-client');
  const { checkAssertion, ReplayCache } = await import('../../pkg/node.mjs');
  const { randomUUID } = await import('node:crypto');
  const asKey = await generateKey('ES256', { kid: 'as' });
  const clientKey = await generateKey('ES256', { kid: 'c1' });
  const CLIENT_ID = 'pkjwt-client';
  const provider = http.createServer();
  await new Promise((resolve) => provider.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${provider.address().port}`;
  const tokenEndpoint = `${issuer}/token`;
  const warn = console.warn;
  console.warn = () => {};
  try {
    const oidc = new Provider(issuer, {
      clients: [{
        client_id: CLIENT_ID, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'ES256',
        id_token_signed_response_alg: 'ES256', jwks: { keys: [{ ...clientKey.jwk, use: 'sig' }] },
        grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
      }],
      jwks: { keys: [{ ...(await jose.exportJWK(asKey.signingKey)), kid: 'as', alg: 'ES256', use: 'sig' }] },
      features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true } },
    });
    provider.on('request', oidc.callback());
    const options = () => ({ clientId: CLIENT_ID, audience: [issuer, tokenEndpoint], keys: { keys: [clientKey.jwk] }, replay: new ReplayCache() });
    const ours = (assertion) => checkAssertion(assertion, options()).then(() => 'ok', (err) => `refused ${err.code}/${err.claim}/${err.reason}`);
    const theirs = async (assertion) => {
      const res = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
      });
      return res.status === 200 ? 'ok' : `refused ${(await res.json()).error}`;
    };

    // openid-client's PrivateKeyJwt, as sent to the token endpoint.
    const sent = [];
    const config = await client.discovery(new URL(issuer), CLIENT_ID, undefined, client.PrivateKeyJwt({ key: clientKey.signingKey, kid: 'c1' }), { execute: [client.allowInsecureRequests] });
    config[client.customFetch] = (url, init) => {
      if (String(url) === tokenEndpoint) sent.push(new URLSearchParams(init.body).get('client_assertion'));
      return fetch(url, init);
    };
    await client.clientCredentialsGrant(config, {});
    assert.equal(sent.length, 1);
    assert.equal(await ours(sent[0]), 'ok', 'openid-client private_key_jwt (aud = issuer)');

    const base = () => ({ iss: CLIENT_ID, sub: CLIENT_ID, aud: issuer, iat: now(), exp: now() + 60, jti: randomUUID() });
    const drop = (name) => (p) => { delete p[name]; return p; };
    const variants = [
      ['aud = issuer', (p) => p],
      ['aud = token endpoint', (p) => ({ ...p, aud: tokenEndpoint })],
      ['aud = [issuer]', (p) => ({ ...p, aud: [issuer] })],
      ['aud = issuer + "/"', (p) => ({ ...p, aud: `${issuer}/` })],
      ['aud = another server', (p) => ({ ...p, aud: 'https://other.example' })],
      ['no iat', drop('iat')],
      ['no exp', drop('exp')],
      ['no jti', drop('jti')],
      ['no sub', drop('sub')],
      ['expired 40 s ago', (p) => ({ ...p, exp: now() - 40 })],
      ['nbf 120 s ahead', (p) => ({ ...p, nbf: now() + 120 })],
      ['exp not a number', (p) => ({ ...p, exp: String(now() + 60) })],
      // API.md: exactly one audience (strict profile), exp at most maxLifetime (300) after iat,
      // typ JWT or client-authentication+jwt, iat not in the future; oidc-provider is laxer.
      ['aud = [issuer, token endpoint]', (p) => ({ ...p, aud: [issuer, tokenEndpoint] }), 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/aud/multiple_audiences'],
      ['exp an hour after iat', (p) => ({ ...p, exp: now() + 3600 }), 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/exp/lifetime_too_long'],
      ['iat 120 s ahead', (p) => ({ ...p, iat: now() + 120, exp: now() + 180 }), 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/iat/check_failed'],
      ['typ at+jwt', (p) => p, 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/typ/check_failed', { typ: 'at+jwt' }],
      ['typ client-authentication+jwt', (p) => p, undefined, { typ: 'client-authentication+jwt' }],
    ];
    for (const [name, change, differs, header = {}] of variants) {
      const assertion = await new jose.SignJWT(change(base())).setProtectedHeader({ alg: 'ES256', kid: 'c1', ...header }).sign(clientKey.signingKey);
      const [a, b] = [await ours(assertion), await theirs(assertion)];
      if (differs) {
        assert.equal(a, differs, `${name}: ours (API.md)`);
        assert.equal(b, 'ok', `${name}: oidc-provider`);
      } else {
        assert.equal(a.split(' ')[0], b.split(' ')[0], `${name}: ours ${a}, oidc-provider ${b}`);
      }
    }
    // A replayed assertion: refused by both.
    const once = await new jose.SignJWT(base()).setProtectedHeader({ alg: 'ES256', kid: 'c1' }).sign(clientKey.signingKey);
    const replay = new ReplayCache();
    const oursTwice = [];
    for (let i = 0; i < 2; i++) oursTwice.push(await checkAssertion(once, { ...options(), replay }).then(() => 'ok', (err) => err.code));
    assert.deepEqual(oursTwice, ['ok', 'ERR_JWT_REPLAYED']);
    assert.deepEqual([await theirs(once), await theirs(once)], ['ok', 'refused invalid_client']);
  } finally {
    console.warn = warn;
    provider.closeAllConnections();
    await new Promise((resolve) => provider.close(resolve));
  }
});
