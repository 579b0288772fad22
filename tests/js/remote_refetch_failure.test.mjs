// A refetch that a token needs (an unknown kid, or a cached set with no key for it) and that
// fails reports that failure with its code (API.md, RemoteJwks errors: ERR_JWKS_TIMEOUT,
// ERR_JWKS_FETCH_FAILED, ERR_JWKS_INVALID), as jose's createRemoteJWKSet surfaces its reload's
// error; before, it was ERR_JWKS_NO_MATCHING_KEY, which says the key does not exist when the
// issuer could not be asked. Side by side with jose over a JWKS server on 127.0.0.1.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { RemoteJwks, verifyJwt } from '../../pkg/node.mjs';
import { generateKey, mint } from './helpers.mjs';
import { startPathJwksServer } from './support/path-jwks-server.mjs';

const now = () => Math.floor(Date.now() / 1000);

// Each path is its own JWKS: `{ keys, mode }`; `mode` makes it fail.
let jwks;
before(async () => { jwks = await startPathJwksServer(); });
after(() => jwks.close());

let paths = 0;
function serve(keys) {
  const path = `/jwks-${++paths}`;
  jwks.sets.set(path, { keys: keys.map((k) => k.jwk), mode: 'ok' });
  return {
    url: `${jwks.origin}${path}`,
    mode: (mode) => { jwks.sets.get(path).mode = mode; },
    set: (next) => { jwks.sets.get(path).keys = next.map((k) => k.jwk); },
    fetches: () => jwks.hits.get(path) ?? 0,
  };
}

const outcome = (promise) => promise.then(() => 'ok', (err) => err.code ?? err.name);

// Each failure: what jose reports, what API.md has us report.
const FAILURES = [
  ['error500', 'ERR_JOSE_GENERIC', 'ERR_JWKS_FETCH_FAILED'],
  ['reset', 'TypeError', 'ERR_JWKS_FETCH_FAILED'],
  ['stall', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_TIMEOUT'],
  ['garbage', 'ERR_JOSE_GENERIC', 'ERR_JWKS_INVALID'],
];

test('an unknown-kid refetch that fails reports the fetch error, ours as jose (not ERR_JWKS_NO_MATCHING_KEY)', async () => {
  const known = await generateKey('ES256', { kid: 'known' });
  const rotated = await generateKey('ES256', { kid: 'rotated' });
  for (const [mode, joseCode, ourCode] of FAILURES) {
    const results = {};
    for (const side of ['ours', 'jose']) {
      const upstream = serve([known]);
      const check = side === 'ours'
        ? ((remote) => (token) => outcome(verifyJwt(token, remote)))(new RemoteJwks(upstream.url, { cooldownMs: 0, timeoutMs: 300 }))
        : ((jwks) => (token) => outcome(jose.jwtVerify(token, jwks)))(jose.createRemoteJWKSet(new URL(upstream.url), { cooldownDuration: 0, timeoutDuration: 300 }));
      const first = await check(await mint(known, { iat: now() }));
      upstream.mode(mode);
      const before = upstream.fetches();
      const unknown = await check(await mint(rotated, { iat: now() }));
      const fetches = upstream.fetches() - before;
      const stillKnown = await check(await mint(known, { iat: now() }));
      upstream.mode('ok');
      upstream.set([known, rotated]);
      const recovered = await check(await mint(rotated, { iat: now() }));
      results[side] = [first, unknown, fetches, stillKnown, recovered];
    }
    assert.deepEqual(results.jose, ['ok', joseCode, 1, 'ok', 'ok'], `${mode}: jose`);
    assert.deepEqual(results.ours, ['ok', ourCode, 1, 'ok', 'ok'], `${mode}: ours (before: ERR_JWKS_NO_MATCHING_KEY)`);
  }
});

test('a kid-less token the cached set has no key for, whose refetch fails, gets the fetch error too (ours as jose)', async () => {
  const ec = await generateKey('ES256', { kid: null });
  const rsa = await generateKey('RS256', { kid: null });
  for (const [mode, joseCode, ourCode] of FAILURES.filter(([mode]) => mode !== 'stall')) {
    const upstream = serve([ec]);
    const remote = new RemoteJwks(upstream.url, { cooldownMs: 0, timeoutMs: 300 });
    const jwks = jose.createRemoteJWKSet(new URL(upstream.url), { cooldownDuration: 0, timeoutDuration: 300 });
    const ecToken = await mint(ec, { iat: now() });
    assert.equal(await outcome(verifyJwt(ecToken, remote)), 'ok');
    assert.equal(await outcome(jose.jwtVerify(ecToken, jwks)), 'ok');
    upstream.mode(mode);
    const stranger = await mint(rsa, { iat: now() });
    assert.equal(await outcome(jose.jwtVerify(stranger, jwks)), joseCode, `${mode}: jose`);
    const before = upstream.fetches();
    const err = await verifyJwt(stranger, remote).catch((e) => e);
    assert.equal(err.code, ourCode, `${mode}: ours (${err.message})`);
    assert.equal(upstream.fetches() - before, 1, `${mode}: one refetch`);
    assert.match(err.message, /no key of the cached set fits the token and the refetch it needs failed/);
    assert.equal(err.url, upstream.url);
  }
});

test('every caller of a failed refetch gets its error: the one that fetched, those that joined it, those within the cooldown', async () => {
  const known = await generateKey('ES256', { kid: 'known' });
  const rotated = await generateKey('ES256', { kid: 'rotated' });
  const upstream = serve([known]);
  const remote = new RemoteJwks(upstream.url, { cooldownMs: 60_000, timeoutMs: 2000 });
  await verifyJwt(await mint(known, { iat: now() }), remote);
  upstream.mode('error500');
  // Past the cooldown of the first fetch (fromState carries an old attempt time).
  const state = remote.exportState();
  const old = RemoteJwks.fromState(upstream.url, { ...state, fetchedAtMs: Date.now() - 120_000, lastAttemptAtMs: Date.now() - 120_000 }, { cooldownMs: 60_000, timeoutMs: 2000 });
  const token = await mint(rotated, { iat: now() });
  const before = upstream.fetches();
  const concurrent = await Promise.all(Array.from({ length: 50 }, () => verifyJwt(token, old).catch((e) => e)));
  assert.deepEqual([...new Set(concurrent.map((e) => e.code))], ['ERR_JWKS_FETCH_FAILED']);
  assert.equal(upstream.fetches() - before, 1, 'one refetch, shared');
  for (const err of concurrent.slice(0, 3)) {
    assert.match(err.message, /kid "rotated" is not in the cached set and the refetch it needs failed: GET .* HTTP status 500/);
    assert.match(err.message, /no new attempt before \d{4}-\d\d-\d\dT/);
  }
  // Within the cooldown: no new request, the same answer (a random kid too).
  for (const kid of ['rotated', 'someone-else']) {
    const again = await verifyJwt(await mint({ ...rotated, kid }, { iat: now() }), old).catch((e) => e);
    assert.equal(again.code, 'ERR_JWKS_FETCH_FAILED', kid);
  }
  assert.equal(upstream.fetches() - before, 1);
  assert.equal(await outcome(verifyJwt(await mint(known, { iat: now() }), old)), 'ok', 'a known kid keeps verifying');
  assert.equal(old.stats().lastError.code, 'ERR_JWKS_FETCH_FAILED');
});
