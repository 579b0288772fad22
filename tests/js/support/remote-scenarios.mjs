// The RemoteJwks scenarios, written once and run both in Node (remote.test.mjs) and in
// headless Chromium (remote.browser.test.mjs). Each takes `{ api, origin }`: the package's
// exports (pkg/node.mjs or pkg/web.mjs) and the origin of jwks-server.mjs. No node: imports
// here; assertion failures throw plain Errors.

import { createTenant } from './jwks-control.mjs';

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, got success');
}

/** Awaits a rejection with `code` whose message contains every fragment. */
async function expectCode(promise, code, ...fragments) {
  const err = await rejection(promise);
  equal(err?.code, code, `error code (message: ${err?.message})`);
  check(err instanceof Error, 'errors are Error instances');
  for (const fragment of fragments) {
    check(err.message.includes(fragment), `message lacks ${JSON.stringify(fragment)}: ${err.message}`);
  }
  return err;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a truthy value (a background refresh is not awaited). */
async function eventually(probe, what, timeoutMs = 5000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** True in a browser page (an HTTP cache, CORS), false in Node. */
const inBrowser = typeof document !== 'undefined';

function b64url(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A well-formed ES256 token with a random kid (its signature is never reached). */
function randomKidToken(i) {
  const kid = `random-${i}-${Math.random().toString(36).slice(2)}`;
  const header = b64url(JSON.stringify({ alg: 'ES256', kid }));
  const payload = b64url(JSON.stringify({ sub: 'mallory' }));
  return `${header}.${payload}.${'A'.repeat(86)}`;
}

/** A state as exported by an instance that fetched `agoMs` ago and expired `expiredAgoMs` ago. */
function aged(state, { agoMs, expiredAgoMs }) {
  const now = Date.now();
  return { ...state, fetchedAtMs: now - agoMs, lastAttemptAtMs: now - agoMs, expiresAtMs: now - expiredAgoMs };
}

export const scenarios = [
  {
    name: 'single flight: 1,000 concurrent verifications on a cold cache make exactly one request',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const token = await t.sign();
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 60_000 });
      const results = await Promise.all(Array.from({ length: 1000 }, () => api.verifyJwt(token, remote)));
      check(results.every((r) => r.payload.sub === 'alice' && r.key.kid === t.kid), 'every verification succeeds with the tenant key');
      equal(await t.count(), 1, 'JWKS requests');
      equal(remote.stats().fetches, 1, 'stats().fetches');
      equal(remote.stats().kids, [t.kid], 'stats().kids');
      check(Math.abs(remote.stats().lastFetchAt - Date.now() / 1000) < 60, 'lastFetchAt is in seconds');
      equal(remote.stats().lastError, null, 'stats().lastError');
      equal(await t.preflightCount(), 0, 'CORS preflights (a JWKS endpoint need not answer OPTIONS)');
    },
  },
  {
    name: 'rotation: a token signed by a new key verifies after exactly one refetch',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      // A long max-age, as IdPs send: a browser's HTTP cache must not answer the refetch.
      await t.cacheControl('public, max-age=3600');
      const oldToken = await t.sign();
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0 });
      await api.verifyJwt(oldToken, remote);
      equal(await t.count(), 1, 'requests after the first verification');
      const newKid = await t.rotate();
      const newToken = await t.sign(newKid);
      const verified = await api.verifyJwt(newToken, remote);
      equal(verified.key.kid, newKid, 'verifying key');
      equal(await t.count(), 2, 'requests after the rotation');
      await api.verifyJwt(newToken, remote);
      await api.verifyJwt(oldToken, remote);
      equal(await t.count(), 2, 'requests after verifying both again');
    },
  },
  {
    name: 'rotation with the default cooldown: a cache fetched a minute ago refetches once',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const first = new api.RemoteJwks(t.jwksUrl);
      await first.keySet();
      const remote = api.RemoteJwks.fromState(t.jwksUrl, aged(first.exportState(), { agoMs: 60_000, expiredAgoMs: -540_000 }));
      const newKid = await t.rotate();
      const verified = await api.verifyJwt(await t.sign(newKid), remote);
      equal(verified.key.kid, newKid, 'verifying key');
      equal(await t.count(), 2, 'JWKS requests');
      const err = await expectCode(api.verifyJwt(randomKidToken(0), remote), 'ERR_JWKS_NO_MATCHING_KEY', 'cooldownMs');
      equal(await t.count(), 2, 'no refetch within the cooldown');
      equal(err.kids, [t.kid, newKid], 'err.kids');
    },
  },
  {
    name: 'unknown-kid flood: 10,000 tokens with random kids make at most one request per cooldown',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 60_000 });
      const tokens = Array.from({ length: 10_000 }, (_, i) => randomKidToken(i));
      const outcomes = await Promise.all(tokens.map((token) => api.verifyJwt(token, remote).then(() => null, (err) => err)));
      check(outcomes.every((err) => err?.code === 'ERR_JWKS_NO_MATCHING_KEY'), `every random kid fails with ERR_JWKS_NO_MATCHING_KEY (got ${[...new Set(outcomes.map((err) => err?.code ?? err?.message ?? 'accepted'))].join(', ')})`);
      equal(await t.count(), 1, 'requests after a concurrent flood on a cold cache');
      for (const token of tokens) {
        await expectCode(api.verifyJwt(token, remote), 'ERR_JWKS_NO_MATCHING_KEY');
      }
      equal(await t.count(), 1, 'requests after a sequential flood within the cooldown');
      const err = outcomes[0];
      for (const part of [t.jwksUrl, `"${t.kid}"`, 'kids known']) {
        check(err.message.includes(part), `message names ${part}: ${err.message}`);
      }
      equal(err.url, t.jwksUrl, 'err.url');
      equal(err.kids, [t.kid], 'err.kids');
      await api.verifyJwt(await t.sign(), remote);
      equal(await t.count(), 1, 'a known kid still verifies without a request');
    },
  },
  {
    name: 'outage: stale keys keep verifying for staleIfErrorMs, then fail (small real times)',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const token = await t.sign();
      const remote = new api.RemoteJwks(t.jwksUrl, { cacheMaxAgeMs: 100, staleIfErrorMs: 1500, cooldownMs: 0 });
      await api.verifyJwt(token, remote);
      await t.mode('error500');
      await sleep(150);
      await api.verifyJwt(token, remote);
      await eventually(() => remote.stats().lastError, 'the refresh to fail');
      equal(await t.count(), 2, 'the expired set was refetched');
      equal(remote.stats().lastError?.code, 'ERR_JWKS_FETCH_FAILED', 'stats().lastError.code');
      await sleep(1600);
      await expectCode(api.verifyJwt(token, remote), 'ERR_JWKS_FETCH_FAILED', 'HTTP status 500', t.jwksUrl, 'staleIfErrorMs', 'last good fetch');
      await t.mode('ok');
      await api.verifyJwt(token, remote);
      await eventually(() => remote.stats().lastError === null, 'recovery');
    },
  },
  {
    name: 'outage: stale-if-error window from an imported state (no sleeping)',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const token = await t.sign();
      const warm = new api.RemoteJwks(t.jwksUrl);
      await warm.keySet();
      await t.mode('error500');
      const options = { staleIfErrorMs: 3_600_000, cooldownMs: 0 };
      const within = api.RemoteJwks.fromState(t.jwksUrl, aged(warm.exportState(), { agoMs: 700_000, expiredAgoMs: 100_000 }), options);
      await api.verifyJwt(token, within);
      await eventually(() => within.stats().lastError, 'the refresh to fail');
      equal(await t.count(), 2, 'one refresh attempt');
      const beyond = api.RemoteJwks.fromState(t.jwksUrl, aged(warm.exportState(), { agoMs: 5_000_000, expiredAgoMs: 4_000_000 }), options);
      await expectCode(api.verifyJwt(token, beyond), 'ERR_JWKS_FETCH_FAILED', 'HTTP status 500');
      await expectCode(within.refresh(), 'ERR_JWKS_FETCH_FAILED', 'HTTP status 500');
      await api.verifyJwt(token, within);
    },
  },
  {
    name: 'timeout: a stalled server fails with ERR_JWKS_TIMEOUT (headers and body)',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      try {
        await t.mode('stall');
        const remote = new api.RemoteJwks(t.jwksUrl, { timeoutMs: 300 });
        await expectCode(remote.keySet(), 'ERR_JWKS_TIMEOUT', t.jwksUrl, 'timeoutMs');
        await expectCode(api.verifyJwt(await t.sign(), remote), 'ERR_JWKS_TIMEOUT');
        await t.mode('stall-body');
        const slowBody = new api.RemoteJwks(t.jwksUrl, { timeoutMs: 300 });
        await expectCode(slowBody.keySet(), 'ERR_JWKS_TIMEOUT', 'reading the body');
        equal(await t.count(), 2, 'requests (the cooldown holds the retry back)');
      } finally {
        await t.release();
      }
    },
  },
  {
    name: 'oversize body: Content-Length and streamed bodies beyond maxBytes are refused',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const remote = new api.RemoteJwks(t.jwksUrl, { maxBytes: 4096, cooldownMs: 0 });
      await t.mode('oversize');
      await expectCode(remote.keySet(), 'ERR_JWKS_FETCH_FAILED', 'maxBytes', 'Content-Length');
      await t.mode('oversize-chunked');
      await expectCode(remote.keySet(), 'ERR_JWKS_FETCH_FAILED', 'maxBytes');
      await t.mode('ok');
      equal((await remote.keySet()).keys.length, 1, 'a set within maxBytes loads');
    },
  },
  {
    name: 'removed key: it stops verifying after the next refresh',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const keptKid = await t.rotate();
      const removedToken = await t.sign(t.kid);
      const keptToken = await t.sign(keptKid);
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 60_000 });
      await api.verifyJwt(removedToken, remote);
      await api.verifyJwt(keptToken, remote);
      await t.remove(t.kid);
      await api.verifyJwt(removedToken, remote);
      await remote.refresh();
      equal(await t.count(), 2, 'requests');
      await expectCode(api.verifyJwt(removedToken, remote), 'ERR_JWKS_NO_MATCHING_KEY', t.kid, `kids known: ["${keptKid}"]`);
      await api.verifyJwt(keptToken, remote);
      equal(remote.stats().kids, [keptKid], 'stats().kids');
    },
  },
  {
    name: 'non-200 answers fail with ERR_JWKS_FETCH_FAILED',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      await t.mode('error500');
      await expectCode(new api.RemoteJwks(t.jwksUrl).keySet(), 'ERR_JWKS_FETCH_FAILED', 'HTTP status 500', t.jwksUrl, 'no good fetch');
      await t.mode('error404');
      await expectCode(new api.RemoteJwks(t.jwksUrl).keySet(), 'ERR_JWKS_FETCH_FAILED', 'HTTP status 404');
    },
  },
  {
    name: 'non-JSON and non-JWKS answers fail with ERR_JWKS_INVALID',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0 });
      await t.mode('garbage');
      await expectCode(remote.keySet(), 'ERR_JWKS_INVALID', 'not valid JSON', t.jwksUrl);
      await t.mode('notjwks');
      await expectCode(remote.keySet(), 'ERR_JWKS_INVALID', '"keys" array');
    },
  },
  {
    name: 'a redirect is not followed',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      await t.mode('redirect');
      await expectCode(new api.RemoteJwks(t.jwksUrl).keySet(), 'ERR_JWKS_FETCH_FAILED', 'redirect');
      equal(await t.followedCount(), 0, 'requests to the redirect target');
    },
  },
  {
    name: 'exportState / fromState carry the cache to a new instance without a request',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const token = await t.sign();
      const first = new api.RemoteJwks(t.jwksUrl);
      await api.verifyJwt(token, first);
      const state = JSON.parse(JSON.stringify(first.exportState()));
      const second = api.RemoteJwks.fromState(t.jwksUrl, state);
      await api.verifyJwt(token, second);
      equal(await t.count(), 1, 'requests');
      equal(second.stats().fetches, 0, 'fetches of the restored instance');
      equal(second.stats().kids, [t.kid], 'restored kids');
      await expectCode(
        (async () => api.RemoteJwks.fromState(`${t.jwksUrl}?other`, state).keySet())(),
        'ERR_JWKS_INVALID',
        'exported for',
      );
      const cold = api.RemoteJwks.fromState(t.jwksUrl, null);
      await api.verifyJwt(token, cold);
      equal(await t.count(), 2, 'a null state starts cold');
    },
  },
  {
    name: 'Cache-Control: max-age shorter than cacheMaxAgeMs wins; a set that may not be reused (max-age=0) is kept for the cooldown',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      await t.cacheControl('max-age=0');
      const eager = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0 });
      await eager.keySet();
      await eager.keySet();
      // An expired set is refreshed before it serves again: the second call waited for it.
      equal(await t.count(), 2, 'max-age=0 with no cooldown: a fetch per call');
      const guarded = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 60_000 });
      await guarded.keySet();
      await guarded.keySet();
      equal(await t.count(), 3, 'max-age=0 is raised to the cooldown');
      await t.cacheControl('max-age=3600');
      const capped = new api.RemoteJwks(t.jwksUrl, { cacheMaxAgeMs: 0, cooldownMs: 0 });
      await capped.keySet();
      await capped.keySet();
      equal(await t.count(), 5, 'cacheMaxAgeMs caps a longer max-age');
    },
  },
  {
    name: 'discoverJwks follows jwks_uri and checks the issuer',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const remote = await api.discoverJwks(t.issuer);
      equal(remote.url, t.jwksUrl, 'jwks url');
      await api.verifyJwt(await t.sign(), remote);
      await t.setIssuer('https://evil.example');
      await expectCode(api.discoverJwks(t.issuer), 'ERR_JWKS_INVALID', '"https://evil.example" does not equal');
      await expectCode(api.discoverJwks(`${origin}/t/999999`), 'ERR_JWKS_FETCH_FAILED', 'openid-configuration', 'oauth-authorization-server');
    },
  },
  {
    // jose's createRemoteJWKSet refetches an expired set before using it; serving it stale while
    // the refresh ran let a key the issuer had removed (a compromised one) verify once more.
    name: 'a key removed upstream never verifies once the set has expired: the verification waits for the refresh',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const old = await t.sign();
      const oldKid = JSON.parse(atob(old.split('.')[0].replace(/-/g, '+').replace(/_/g, '/'))).kid;
      const remote = new api.RemoteJwks(t.jwksUrl, { cacheMaxAgeMs: 100, cooldownMs: 60_000 });
      await api.verifyJwt(old, remote);
      const fresh = await t.rotate();
      await t.remove(oldKid);
      await sleep(150);
      // Concurrent verifications after the expiry share one refresh and none accepts the key.
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => api.verifyJwt(old, remote).then(() => 'accepted', (err) => err.code)));
      equal([...new Set(outcomes)], ['ERR_JWKS_NO_MATCHING_KEY'], 'the removed key after the expiry');
      equal(await t.count(), 2, 'one refresh for all of them');
      await api.verifyJwt(await t.sign(fresh), remote);
      equal(await t.count(), 2, 'the refreshed set serves the new key');
    },
  },
  {
    name: 'stale-if-error: an expired set whose refresh stalls serves once the refresh has timed out; retries wait out the cooldown',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      try {
        const token = await t.sign();
        const remote = new api.RemoteJwks(t.jwksUrl, { cacheMaxAgeMs: 50, cooldownMs: 60_000, timeoutMs: 300 });
        await api.verifyJwt(token, remote);
        await t.mode('stall');
        await sleep(80);
        const started = Date.now();
        await api.verifyJwt(token, remote);
        const took = Date.now() - started;
        check(took >= 250, `the first verification after the expiry waited for the refresh (${took} ms)`);
        equal(remote.stats().lastError?.code, 'ERR_JWKS_TIMEOUT', 'the refresh timed out');
        const again = Date.now();
        for (let i = 0; i < 20; i += 1) await api.verifyJwt(token, remote);
        check(Date.now() - again < 250, `within the cooldown nobody waits (${Date.now() - again} ms for 20)`);
        equal(await t.count(), 2, 'one refresh attempt in the cooldown');
        // An unknown kid gets no fetch within the cooldown either; the failed refresh that
        // holds it back is its answer (ERR_JWKS_TIMEOUT), not "no matching key".
        await expectCode(api.verifyJwt(randomKidToken(1), remote), 'ERR_JWKS_TIMEOUT', 'the refetch it needs failed');
        equal(await t.count(), 2, 'no request for the unknown kid');
      } finally {
        await t.release();
      }
    },
  },
  {
    name: 'a refresh whose keys are not JWK objects fails; the last good set keeps serving; an empty set replaces it',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const token = await t.sign();
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0, staleIfErrorMs: 60_000 });
      const before = await remote.keySet();
      await t.mode('nonjwk');
      await expectCode(remote.refresh(), 'ERR_JWKS_INVALID', 'keys[0] is not a JWK object', t.jwksUrl);
      equal(remote.stats().lastError?.code, 'ERR_JWKS_INVALID', 'stats().lastError.code');
      await api.verifyJwt(token, remote);
      check((await remote.keySet()) === before, 'the last good set is kept');
      await t.mode('empty');
      await remote.refresh();
      equal(remote.stats().kids, [], 'an empty set replaced it');
      await expectCode(api.verifyJwt(token, remote), 'ERR_JWKS_NO_MATCHING_KEY');
    },
  },
  {
    name: 'an unchanged body is not parsed again; ETag revalidation answers 304 outside browsers',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      await t.validators(true);
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0 });
      const first = await remote.keySet();
      await remote.refresh();
      await remote.refresh();
      check((await remote.keySet()) === first, 'the same KeySet after unchanged refreshes');
      const { headers, notModified } = await t.requests();
      equal(headers.length, 3, 'requests');
      if (!inBrowser) {
        equal(headers.map((h) => h['if-none-match'] !== undefined), [false, true, true], 'If-None-Match sent once an ETag is known');
        equal(headers[1]['if-modified-since'], 'Tue, 14 Nov 2023 22:13:20 GMT', 'If-Modified-Since');
        equal(notModified, 2, '304 answers');
        // No max-age=0 on every fetch; a request with its own validators gets the Fetch
        // standard's "no-cache" (conditional requests are sent as cache mode "no-store").
        equal(headers[0]['cache-control'] ?? null, null, 'no Cache-Control on an unconditional fetch from Node');
        check(headers.every((h) => !/max-age=0/.test(h['cache-control'] ?? '')), 'never Cache-Control: max-age=0');
      }
      const newKid = await t.rotate();
      await api.verifyJwt(await t.sign(newKid), remote);
      check((await remote.keySet()) !== first, 'a changed body is parsed');
      equal(remote.stats().fetches, 4, 'stats().fetches counts 304s');
    },
  },
  {
    name: 'Retry-After on a 429 holds the next attempt back (bounded)',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      await t.mode('ratelimit');
      await t.retryAfter('2');
      const remote = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0 });
      await expectCode(remote.keySet(), 'ERR_JWKS_FETCH_FAILED', 'HTTP status 429', 'Retry-After');
      await t.mode('ok');
      await expectCode(remote.keySet(), 'ERR_JWKS_FETCH_FAILED', 'no new attempt before');
      equal(await t.count(), 1, 'no attempt within Retry-After');
      await sleep(2100);
      await remote.keySet();
      equal(await t.count(), 2, 'an attempt once Retry-After passed');
    },
  },
  {
    name: 'maxKeys: a set with more keys is refused before any key is parsed',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      await t.rotate();
      const remote = new api.RemoteJwks(t.jwksUrl, { maxKeys: 1 });
      await expectCode(remote.keySet(), 'ERR_JWKS_INVALID', 'more than maxKeys (1)');
      equal((await new api.RemoteJwks(t.jwksUrl, { maxKeys: 2 }).keySet()).keys.length, 2, 'within maxKeys');
    },
  },
  {
    name: 'store: instances sharing a JwksStore make one upstream fetch; a failing store falls back to fetching',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const token = await t.sign();
      const entries = new Map();
      const store = { get: async (url) => entries.get(url) ?? null, set: async (url, state) => { entries.set(url, state); } };
      const instances = [0, 1, 2].map(() => new api.RemoteJwks(t.jwksUrl, { store }));
      for (const remote of instances) await api.verifyJwt(token, remote);
      equal(await t.count(), 1, 'one upstream fetch for three instances');
      equal(JSON.parse(entries.get(t.jwksUrl)).url, t.jwksUrl, 'the stored state');
      const broken = new api.RemoteJwks(t.jwksUrl, { store: { get: () => new Promise(() => {}), set: async () => { throw new Error('down'); } }, timeoutMs: 200 });
      await api.verifyJwt(token, broken);
      equal(await t.count(), 2, 'a hanging store: fetched after timeoutMs');
    },
  },
  {
    name: 'a caller-supplied fetch is used, with redirect "manual", cache "no-cache" in browsers, an abort signal and Accept',
    async run({ api, origin }) {
      const t = await createTenant(origin);
      const seen = [];
      const myFetch = (url, init) => {
        seen.push({ url: String(url), redirect: init.redirect, cache: init.cache, signal: init.signal instanceof AbortSignal, accept: new Headers(init.headers).get('accept'), custom: new Headers(init.headers).get('x-tenant') });
        return fetch(url, init);
      };
      const remote = new api.RemoteJwks(t.jwksUrl, { fetch: myFetch, headers: { 'X-Tenant': 'blue' } });
      await api.verifyJwt(await t.sign(), remote);
      // Outside browsers there is no HTTP cache, and "no-cache" would only add max-age=0.
      const cache = inBrowser ? 'no-cache' : undefined;
      equal(seen, [{ url: t.jwksUrl, redirect: 'manual', cache, signal: true, accept: 'application/jwk-set+json, application/json;q=0.9', custom: 'blue' }], 'fetch calls');
      const failing = new api.RemoteJwks(t.jwksUrl, { fetch: () => Promise.reject(new TypeError('network down')) });
      await expectCode(failing.keySet(), 'ERR_JWKS_FETCH_FAILED', 'network down', t.jwksUrl);
    },
  },
];
