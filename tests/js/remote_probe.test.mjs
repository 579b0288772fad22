// RemoteJwks / discoverJwks checked sentence by sentence against API.md ("RemoteJwks", "Shared
// state across processes", "Precise rules") and against jose's createRemoteJWKSet where API.md
// is silent. Exact times come from a fake clock (Date.now replaced, always restored) and fake
// fetches; the real-server cases use margins of several hundred ms.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import * as api from '../../pkg/node.mjs';

const { RemoteJwks, discoverJwks, verifyJwt, TrustedIssuers, checkAssertion, verifyWebhook, verifyAccessToken } = api;

const b64u = (value) => Buffer.from(value).toString('base64url');

function makeKey(kid) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

const nowS = () => Math.floor(Date.now() / 1000);

function sign(key, claims = {}, header = {}) {
  const h = b64u(JSON.stringify({ alg: 'ES256', kid: key.kid, ...header }));
  const p = b64u(JSON.stringify({ sub: 'probe', iat: nowS(), exp: nowS() + 3600, ...claims }));
  const s = cryptoSign('sha256', Buffer.from(`${h}.${p}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${h}.${p}.${b64u(s)}`;
}

/** A token with an unknown kid (its signature is never reached). */
const unknownKid = (kid) => `${b64u(JSON.stringify({ alg: 'ES256', kid }))}.${b64u('{"sub":"x"}')}.${'A'.repeat(86)}`;

async function codeOf(promise) {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return err?.code ?? `${err?.name}: ${err?.message}`;
  }
}

function thrownBy(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** A deterministic generator in [0, 1). */
function random(seed) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Runs `fn(clock)` with Date.now under a fake clock (`clock.now` ms, writable). */
async function withClock(fn) {
  const realNow = Date.now;
  const clock = { now: realNow() };
  Date.now = () => clock.now;
  try {
    return await fn(clock);
  } finally {
    Date.now = realNow;
  }
}

/** A fetch answering `respond()` (default: the set), counting calls in `calls`. */
function fakeFetch(respond) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), at: Date.now(), init });
    return respond(url, init);
  };
  return { fetch, calls };
}

const k1 = makeKey('k1');
const k2 = makeKey('k2');
const k3 = makeKey('k3');
const jwksResponse = (keys, headers = {}) => new Response(JSON.stringify({ keys }), { status: 200, headers });

// A local server whose handler the test sets; every socket is destroyed on close.
async function startServer() {
  const state = { handler: null, hits: [] };
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    state.hits.push({ url: req.url, headers: req.headers });
    state.handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${server.address().port}`;
  state.count = (path) => state.hits.filter((hit) => path === undefined || hit.url === path).length;
  state.close = () => new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    server.close(resolve);
  });
  return state;
}

const sendJson = (res, body, headers = {}) => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

describe('a token refused whatever the keys makes no request (as jose checks the header before its key function)', () => {
  // Tokens every verification refuses before it looks at keys, with the options they are
  // verified with: malformed parts, a bad header, an unknown crit, an alg never accepted.
  function refusedTokens(seed) {
    const next = random(seed);
    const pick = (items) => items[Math.floor(next() * items.length)];
    const kid = `kid-${Math.floor(next() * 1e9)}`;
    const part = (json) => b64u(JSON.stringify(json));
    const body = part({ sub: 'x', n: Math.floor(next() * 1e6) });
    const sig = 'A'.repeat(86);
    const garbage = () => Array.from({ length: 1 + Math.floor(next() * 12) }, () => pick('abc-_.!*$ é{}'.split(''))).join('');
    return [
      [garbage(), undefined],
      [`${garbage()}.${garbage()}.${garbage()}`, undefined],
      ['', undefined],
      [`${part({ alg: 'ES256', kid })}.${body}`, undefined],
      [`${part({ alg: 'ES256', kid })}.${body}.${sig}.${sig}`, undefined],
      [`${b64u(`{"alg":"ES256","kid":"${kid}"`)}.${body}.${sig}`, undefined],
      [`${part([1, 2])}.${body}.${sig}`, undefined],
      [`${part({ alg: 'ES256', kid })}=.${body}.${sig}`, undefined],
      [`${part({ alg: 'ES256', kid })}.${body}.${sig}+/`, undefined],
      [`${part({ alg: 'ES256', kid })}.${body}!.${sig}`, undefined],
      [`${part({ alg: 'ES256', kid, b64: false, crit: ['b64'] })}.${body}.${sig}`, undefined],
      [`${part({ alg: 'ES256', kid, b64: pick(['no', 0, null]) })}.${body}.${sig}`, undefined],
      [`${part({ alg: 'ES256', kid, crit: [`ext-${kid}`], [`ext-${kid}`]: 1 })}.${body}.${sig}`, undefined],
      [`${part({ alg: 'ES256', kid, crit: pick([[], 'x', [''], [1]]) })}.${body}.${sig}`, undefined],
      [`${part({ alg: pick(['none', 'None', 'XS256', '', 5, null]), kid })}.${body}.${sig}`, undefined],
      [`${part({ kid })}.${body}.${sig}`, undefined],
      [`${part({ alg: pick(['HS256', 'HS384', 'HS512']), kid })}.${body}.${sig}`, undefined],
      [`${part({ alg: 'RS256', kid })}.${body}.${sig}`, { algorithms: ['ES256'] }],
      [`${part({ alg: 'ES256', kid })}.${body}.${sig}`, { maxTokenLength: 40 }],
    ];
  }

  test('verifyJwt with a RemoteJwks: no fetch, the error local keys give (over 40 seeds x 19 kinds)', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    const local = { keys: [k1.jwk] };
    let checked = 0;
    for (let seed = 1; seed <= 40; seed++) {
      for (const [token, options] of refusedTokens(seed)) {
        const remote = new RemoteJwks('https://issuer.example/jwks', { fetch });
        const expected = await codeOf(verifyJwt(token, local, options));
        assert.notEqual(expected, 'resolved');
        assert.equal(await codeOf(verifyJwt(token, remote, options)), expected, `token ${JSON.stringify(token)}`);
        assert.equal(calls.length, 0, `a fetch for ${JSON.stringify(token)} (${expected})`);
        checked++;
      }
    }
    // The control: a well-formed token with an unknown kid does fetch.
    await codeOf(verifyJwt(unknownKid('nope'), new RemoteJwks('https://issuer.example/jwks', { fetch })));
    assert.equal(calls.length, 1);
    assert.equal(checked, 760);
  });

  test('with the upstream down, such a token gets its own error, never ERR_JWKS_FETCH_FAILED', async () => {
    const { fetch, calls } = fakeFetch(() => new Response('down', { status: 503 }));
    for (const [token, options] of refusedTokens(99)) {
      const remote = new RemoteJwks('https://issuer.example/jwks', { fetch });
      const code = await codeOf(verifyJwt(token, remote, options));
      assert.ok(!code.startsWith('ERR_JWKS'), `${JSON.stringify(token)}: ${code}`);
    }
    assert.equal(calls.length, 0);
  });

  test('the same on every path that finds keys per token: resolvers, TrustedIssuers, assertions, webhooks, access tokens', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    const remote = () => new RemoteJwks('https://issuer.example/jwks', { fetch });
    let resolverCalls = 0;
    const resolver = () => {
      resolverCalls++;
      return remote();
    };
    const trusted = new TrustedIssuers(['https://issuer.example'], { fetch });
    const tokens = refusedTokens(7).filter(([, options]) => options === undefined).map(([token]) => token);
    for (const token of tokens) {
      const local = await codeOf(verifyJwt(token, { keys: [k1.jwk] }));
      assert.equal(await codeOf(verifyJwt(token, resolver)), local);
      assert.equal(await codeOf(verifyJwt(token, trusted)), local);
      assert.equal(await codeOf(api.createVerifier(remote()).verify(token)), local);
      assert.equal(await codeOf(checkAssertion(token, { clientId: 'c', audience: 'https://as.example', keys: remote() })), await codeOf(checkAssertion(token, { clientId: 'c', audience: 'https://as.example', keys: { keys: [k1.jwk] } })));
      assert.equal(await codeOf(verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, remote())), await codeOf(verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, { keys: [k1.jwk] })));
      const at = { issuer: 'https://issuer.example', audience: 'api' };
      assert.equal(await codeOf(verifyAccessToken(token, remote(), at)), await codeOf(verifyAccessToken(token, { keys: [k1.jwk] }, at)));
    }
    assert.equal(calls.length, 0);
    assert.equal(resolverCalls, 0);
  });
});

describe('RemoteOptions defaults', () => {
  test('cacheMaxAgeMs 600000 is an upper bound; a shorter Cache-Control max-age (less Age) wins', async () => {
    const lifetimes = [];
    for (const headers of [{}, { 'cache-control': 'max-age=60' }, { 'cache-control': 'public, max-age=3600' }, { 'cache-control': 'max-age=60', age: '20' }]) {
      const { fetch } = fakeFetch(() => jwksResponse([k1.jwk], headers));
      const remote = new RemoteJwks('https://issuer.example/jwks', { fetch });
      await remote.keySet();
      const state = remote.exportState();
      lifetimes.push(state.expiresAtMs - state.fetchedAtMs);
    }
    assert.deepEqual(lifetimes, [600_000, 60_000, 600_000, 40_000]);
  });

  test('cacheMaxAgeMs 600000: a state fetched 599 s ago serves; 601 s ago refetches (its expiry clamped)', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    const first = new RemoteJwks('https://issuer.example/jwks', { fetch });
    await first.keySet();
    const now = Date.now();
    const aged = (ago) => ({ ...first.exportState(), fetchedAtMs: now - ago, lastAttemptAtMs: now - ago, expiresAtMs: now + 1e9 });
    await verifyJwt(sign(k1), RemoteJwks.fromState('https://issuer.example/jwks', aged(599_000), { fetch }));
    assert.equal(calls.length, 1);
    const old = RemoteJwks.fromState('https://issuer.example/jwks', aged(601_000), { fetch });
    assert.equal(old.exportState().expiresAtMs, now - 601_000 + 600_000);
    await verifyJwt(sign(k1), old);
    assert.equal(calls.length, 2);
  });

  test('cooldownMs 30000: an unknown kid 29 s after a fetch does not refetch, 31 s after it does', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    const first = new RemoteJwks('https://issuer.example/jwks', { fetch });
    await first.keySet();
    const now = Date.now();
    const aged = (ago) => ({ ...first.exportState(), fetchedAtMs: now - ago, lastAttemptAtMs: now - ago, expiresAtMs: now - ago + 600_000 });
    const recent = RemoteJwks.fromState('https://issuer.example/jwks', aged(29_000), { fetch });
    assert.equal(await codeOf(verifyJwt(sign(k2), recent)), 'ERR_JWKS_NO_MATCHING_KEY');
    assert.equal(calls.length, 1);
    const older = RemoteJwks.fromState('https://issuer.example/jwks', aged(31_000), { fetch });
    assert.equal(await codeOf(verifyJwt(sign(k2), older)), 'ERR_JWKS_NO_MATCHING_KEY');
    assert.equal(calls.length, 2);
  });

  test('staleIfErrorMs 86400000: a set expired 86399 s ago serves while its refresh fails, one expired 86401 s ago does not', async () => {
    const good = new RemoteJwks('https://issuer.example/jwks', { fetch: fakeFetch(() => jwksResponse([k1.jwk])).fetch });
    await good.keySet();
    const { fetch } = fakeFetch(() => new Response('down', { status: 500 }));
    const now = Date.now();
    const expired = (ago) => RemoteJwks.fromState('https://issuer.example/jwks', { ...good.exportState(), fetchedAtMs: now - ago - 600_000, lastAttemptAtMs: now - ago - 600_000, expiresAtMs: now - ago }, { fetch });
    assert.equal(await codeOf(verifyJwt(sign(k1), expired(86_399_000))), 'resolved');
    assert.equal(await codeOf(verifyJwt(sign(k1), expired(86_401_000))), 'ERR_JWKS_FETCH_FAILED');
  });

  test('maxBytes 1048576: a body of exactly that many bytes loads, one byte more is refused', async () => {
    const base = JSON.stringify({ keys: [k1.jwk] });
    const sized = (n) => fakeFetch(() => new Response(base + ' '.repeat(n - base.length))).fetch;
    assert.equal(await codeOf(new RemoteJwks('https://issuer.example/jwks', { fetch: sized(1_048_576) }).keySet()), 'resolved');
    // ERR_JWKS_FETCH_FAILED, as documented (README "RemoteJwks"; jose has no limit).
    assert.equal(await codeOf(new RemoteJwks('https://issuer.example/jwks', { fetch: sized(1_048_577) }).keySet()), 'ERR_JWKS_FETCH_FAILED');
  });

  test('timeoutMs 5000 is the fetch deadline', async () => {
    const realSetTimeout = globalThis.setTimeout;
    const delays = [];
    globalThis.setTimeout = (fn, ms, ...rest) => {
      delays.push(ms);
      return realSetTimeout(fn, ms, ...rest);
    };
    try {
      await new RemoteJwks('https://issuer.example/jwks', { fetch: fakeFetch(() => jwksResponse([k1.jwk])).fetch }).keySet();
    } finally {
      globalThis.setTimeout = realSetTimeout;
    }
    assert.ok(delays.includes(5000), `timers set: ${delays}`);
  });

  test('headers are sent with every fetch, next to an Accept for JWK Sets', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    await new RemoteJwks('https://issuer.example/jwks', { fetch, headers: { 'x-tenant': 't1', authorization: 'Bearer abc' } }).keySet();
    const sent = calls[0].init.headers;
    assert.equal(sent.get('x-tenant'), 't1');
    assert.equal(sent.get('authorization'), 'Bearer abc');
    assert.match(sent.get('accept'), /application\/jwk-set\+json/);
  });
});

describe('the cooldown and the one fetch in flight, under a fake clock', () => {
  test('invariant over 40 random schedules: fetches for unknown kids are >= cooldownMs apart, and an unknown kid >= cooldownMs after the last fetch always refetches', async () => {
    await withClock(async (clock) => {
      for (let seed = 1; seed <= 40; seed++) {
        const next = random(seed);
        const cooldownMs = 1000 + Math.floor(next() * 30_000);
        const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
        const remote = new RemoteJwks('https://issuer.example/jwks', { fetch, cooldownMs, cacheMaxAgeMs: 1e9 });
        await verifyJwt(sign(k1), remote);
        for (let i = 0; i < 50; i++) {
          clock.now += Math.floor(next() * cooldownMs * 0.6);
          const sinceLast = clock.now - calls.at(-1).at;
          const before = calls.length;
          const unknown = next() < 0.7;
          const code = await codeOf(verifyJwt(unknown ? unknownKid(`u-${seed}-${i}`) : sign(k1), remote));
          const fetched = calls.length - before;
          const where = `seed ${seed}, step ${i}, ${sinceLast} ms after the last fetch, cooldown ${cooldownMs}`;
          assert.equal(code, unknown ? 'ERR_JWKS_NO_MATCHING_KEY' : 'resolved', where);
          assert.equal(fetched, unknown && sinceLast >= cooldownMs ? 1 : 0, where);
        }
      }
    });
  });

  test('the cooldown counts from the end of the fetch, not its start', async () => {
    await withClock(async (clock) => {
      const { fetch, calls } = fakeFetch(() => {
        clock.now += 800; // the fetch takes 800 ms
        return jwksResponse([k1.jwk]);
      });
      const remote = new RemoteJwks('https://issuer.example/jwks', { fetch, cooldownMs: 600 });
      await remote.keySet();
      clock.now += 599; // 1399 ms after the start, 599 after the end
      await codeOf(verifyJwt(unknownKid('a'), remote));
      assert.equal(calls.length, 1);
      clock.now += 1;
      await codeOf(verifyJwt(unknownKid('b'), remote));
      assert.equal(calls.length, 2);
    });
  });

  test('a failed fetch also starts the cooldown (cold cache: no retry before it has passed)', async () => {
    await withClock(async (clock) => {
      let down = true;
      const { fetch, calls } = fakeFetch(() => (down ? new Response('', { status: 500 }) : jwksResponse([k1.jwk])));
      const remote = new RemoteJwks('https://issuer.example/jwks', { fetch, cooldownMs: 1000 });
      assert.equal(await codeOf(remote.keySet()), 'ERR_JWKS_FETCH_FAILED');
      clock.now += 999;
      down = false;
      assert.equal(await codeOf(remote.keySet()), 'ERR_JWKS_FETCH_FAILED');
      assert.equal(calls.length, 1);
      clock.now += 1;
      assert.equal(await codeOf(remote.keySet()), 'resolved');
      assert.equal(calls.length, 2);
    });
  });

  test('bursts of 1-30 concurrent unknown kids at random times: at most one fetch per burst', async () => {
    await withClock(async (clock) => {
      for (let seed = 1; seed <= 10; seed++) {
        const next = random(seed * 31);
        const { fetch, calls } = fakeFetch(async () => {
          await new Promise((resolve) => setImmediate(resolve));
          return jwksResponse([k1.jwk]);
        });
        const remote = new RemoteJwks('https://issuer.example/jwks', { fetch, cooldownMs: 5000, cacheMaxAgeMs: 1e9 });
        await remote.keySet();
        for (let burst = 0; burst < 12; burst++) {
          clock.now += Math.floor(next() * 8000);
          const before = calls.length;
          const size = 1 + Math.floor(next() * 30);
          await Promise.allSettled(Array.from({ length: size }, (_, i) => verifyJwt(unknownKid(`b${burst}-${i}`), remote)));
          assert.ok(calls.length - before <= 1, `seed ${seed}, burst ${burst}: ${calls.length - before} fetches`);
        }
        for (let i = 1; i < calls.length; i++) assert.ok(calls[i].at - calls[i - 1].at >= 5000);
      }
    });
  });

  test('a failed refresh serves the last good set until expiry + staleIfErrorMs (exclusive), with no retry inside the cooldown; then the fetch error', async () => {
    await withClock(async (clock) => {
      let down = false;
      const { fetch, calls } = fakeFetch(() => (down ? new Response('', { status: 503 }) : jwksResponse([k1.jwk])));
      const remote = new RemoteJwks('https://issuer.example/jwks', { fetch, cooldownMs: 1000, cacheMaxAgeMs: 10_000, staleIfErrorMs: 50_000 });
      await verifyJwt(sign(k1), remote);
      const expiry = remote.exportState().expiresAtMs;
      down = true;
      clock.now = expiry;
      await verifyJwt(sign(k1), remote);
      assert.equal(calls.length, 2, 'the refresh due at expiry');
      for (let i = 0; i < 10; i++) {
        clock.now += 99;
        await verifyJwt(sign(k1), remote);
      }
      assert.equal(calls.length, 2, 'no retry within the cooldown');
      clock.now = expiry + 50_000 - 1;
      await verifyJwt(sign(k1), remote);
      clock.now = expiry + 50_000;
      assert.equal(await codeOf(verifyJwt(sign(k1), remote)), 'ERR_JWKS_FETCH_FAILED');
      assert.equal(remote.stats().lastError.code, 'ERR_JWKS_FETCH_FAILED');
      down = false;
      clock.now += 1000;
      await verifyJwt(sign(k1), remote);
      assert.equal(remote.stats().lastError, null);
    });
  });
});

describe('a shared JwksStore (fake clock)', () => {
  test('one upstream fetch per cache period for two instances; a refetch for a new kid by one is seen by the other', async () => {
    await withClock(async (clock) => {
      let upstream = [k1.jwk];
      const { fetch, calls } = fakeFetch(() => jwksResponse(upstream));
      const states = new Map();
      const store = { get: async (url) => states.get(url) ?? null, set: async (url, text) => void states.set(url, text) };
      const [a, b] = [0, 1].map(() => new RemoteJwks('https://issuer.example/jwks', { fetch, store, cacheMaxAgeMs: 60_000 }));
      await verifyJwt(sign(k1), a);
      await verifyJwt(sign(k1), b);
      assert.equal(calls.length, 1);
      assert.equal(states.get('https://issuer.example/jwks'), JSON.stringify(a.exportState()));
      clock.now += 31_000;
      upstream = [k1.jwk, k2.jwk];
      await verifyJwt(sign(k2), a);
      assert.equal(calls.length, 2);
      clock.now += 500;
      await verifyJwt(sign(k2), b);
      assert.equal(calls.length, 2);
      clock.now += 60_000;
      await verifyJwt(sign(k1), a);
      await verifyJwt(sign(k1), b);
      assert.equal(calls.length, 3);
    });
  });
});

describe('against a local HTTP server', () => {
  let server;
  let keys = [k1.jwk];
  before(async () => {
    server = await startServer();
  });
  after(() => server.close());

  test('50 parallel verifyJwt on a cold cache share one fetch', async () => {
    server.handler = (req, res) => setTimeout(() => sendJson(res, { keys }), 200);
    const remote = new RemoteJwks(`${server.origin}/parallel`);
    const token = sign(k1);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => verifyJwt(token, remote)));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 50);
    assert.equal(server.count('/parallel'), 1);
  });

  test('50 parallel verifyJwt on a cold cache with the upstream failing: one fetch, every caller gets its error', async () => {
    server.handler = (req, res) => setTimeout(() => {
      res.writeHead(500);
      res.end();
    }, 100);
    const remote = new RemoteJwks(`${server.origin}/parallel-down`);
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => verifyJwt(sign(k1), remote)));
    assert.deepEqual([...new Set(results.map((r) => r.reason?.code))], ['ERR_JWKS_FETCH_FAILED']);
    assert.equal(server.count('/parallel-down'), 1);
  });

  test('a key removed upstream stops verifying after the next refresh, whatever triggered it', async () => {
    server.handler = (req, res) => sendJson(res, { keys });
    keys = [k1.jwk, k2.jwk];
    const remote = new RemoteJwks(`${server.origin}/rotate`, { cooldownMs: 0 });
    await verifyJwt(sign(k1), remote);
    keys = [k2.jwk, k3.jwk];
    await verifyJwt(sign(k1), remote); // still cached
    await verifyJwt(sign(k3), remote); // the unknown kid's refetch is the refresh
    assert.equal(await codeOf(verifyJwt(sign(k1), remote)), 'ERR_JWKS_NO_MATCHING_KEY');
    await verifyJwt(sign(k2), remote);
    keys = [k2.jwk];
    await remote.refresh();
    assert.equal(await codeOf(verifyJwt(sign(k3), remote)), 'ERR_JWKS_NO_MATCHING_KEY');
    keys = [k1.jwk];
  });

  test('stats() is { fetches, lastFetchAt (seconds), lastError (a JoseError or null), kids }', async () => {
    let fail = false;
    server.handler = (req, res) => {
      if (fail) {
        res.writeHead(404);
        return res.end();
      }
      return sendJson(res, { keys: [k1.jwk, k2.jwk] });
    };
    const remote = new RemoteJwks(`${server.origin}/stats`, { cooldownMs: 0 });
    assert.deepEqual(remote.stats(), { fetches: 0, lastFetchAt: null, lastError: null, kids: [] });
    await remote.keySet();
    const stats = remote.stats();
    assert.deepEqual(Object.keys(stats), ['fetches', 'lastFetchAt', 'lastError', 'kids']);
    assert.ok(Math.abs(stats.lastFetchAt - Date.now() / 1000) < 5, `lastFetchAt ${stats.lastFetchAt}`);
    assert.deepEqual([stats.fetches, stats.lastError, stats.kids], [1, null, ['k1', 'k2']]);
    fail = true;
    await codeOf(remote.refresh());
    const failed = remote.stats();
    assert.ok(failed.lastError instanceof Error);
    assert.equal(failed.lastError.code, 'ERR_JWKS_FETCH_FAILED');
    assert.deepEqual(failed.kids, ['k1', 'k2']);
  });

  test('ERR_JWKS_TIMEOUT: a server that never answers, and one that trickles its body', async () => {
    server.handler = (req, res) => {
      if (req.url === '/trickle') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"keys":[');
        const timer = setInterval(() => res.write(' '), 100);
        res.on('close', () => clearInterval(timer));
      }
    };
    for (const path of ['/silent', '/trickle']) {
      const started = Date.now();
      assert.equal(await codeOf(new RemoteJwks(`${server.origin}${path}`, { timeoutMs: 500 }).keySet()), 'ERR_JWKS_TIMEOUT');
      assert.ok(Date.now() - started < 3000, `${path} took ${Date.now() - started} ms`);
    }
  });

  test('ERR_JWKS_FETCH_FAILED: 404, 500, redirects (not followed), connection refused', async () => {
    server.handler = (req, res) => {
      const status = Number(req.url.slice(1));
      res.writeHead(status, status >= 300 && status < 400 ? { location: '/target' } : {});
      res.end();
    };
    for (const status of [404, 500, 301, 302, 303, 307, 308]) {
      assert.equal(await codeOf(new RemoteJwks(`${server.origin}/${status}`).keySet()), 'ERR_JWKS_FETCH_FAILED', `status ${status}`);
    }
    assert.equal(server.count('/target'), 0);
    const closed = net.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address();
    await new Promise((resolve) => closed.close(resolve));
    assert.equal(await codeOf(new RemoteJwks(`http://127.0.0.1:${port}/jwks`).keySet()), 'ERR_JWKS_FETCH_FAILED');
  });

  test('ERR_JWKS_INVALID: non-JSON, {}, an empty body, keys that are not JWK objects, duplicate members', async () => {
    const bodies = ['<html>', '{}', '', '[]', '{"keys":{}}', '{"keys":[1,null]}', `{"keys":[],"keys":[${JSON.stringify(k1.jwk)}]}`];
    server.handler = (req, res) => sendJson(res, bodies[Number(req.url.slice(1))]);
    for (const [i, body] of bodies.entries()) {
      assert.equal(await codeOf(new RemoteJwks(`${server.origin}/${i}`).keySet()), 'ERR_JWKS_INVALID', body);
    }
  });
});

describe('exportState / fromState', () => {
  test('round trip through JSON text: no request, the same state again', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    const first = new RemoteJwks('https://issuer.example/jwks', { fetch });
    await first.keySet();
    const text = JSON.stringify(first.exportState());
    const second = RemoteJwks.fromState('https://issuer.example/jwks', JSON.parse(text), { fetch });
    await verifyJwt(sign(k1), second);
    assert.equal(calls.length, 1);
    assert.deepEqual(second.exportState(), JSON.parse(text));
    assert.deepEqual(second.stats().kids, ['k1']);
  });

  test('a tampered or foreign state is ERR_JWKS_INVALID', async () => {
    const { fetch } = fakeFetch(() => jwksResponse([k1.jwk]));
    const first = new RemoteJwks('https://issuer.example/jwks', { fetch });
    await first.keySet();
    const state = first.exportState();
    const tampered = [
      { ...state, url: 'https://evil.example/jwks' },
      { ...state, version: 2 },
      { ...state, extra: true },
      { ...state, jwks: { keys: [1] } },
      { ...state, jwks: 'x' },
      { ...state, fetchedAtMs: -1 },
      { ...state, fetchedAtMs: String(state.fetchedAtMs) },
      { version: 1, url: state.url, jwks: state.jwks },
      { ...state, lastError: { code: 'ERR_OTHER', message: 'x' } },
      [],
      5,
      'not json',
    ];
    for (const bad of tampered) {
      const err = thrownBy(() => RemoteJwks.fromState('https://issuer.example/jwks', bad, { fetch }));
      assert.equal(err?.code, 'ERR_JWKS_INVALID', JSON.stringify(bad).slice(0, 120));
    }
  });

  test('timestamps later than now are discarded: such a state neither serves nor blocks a fetch', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    const first = new RemoteJwks('https://issuer.example/jwks', { fetch });
    await first.keySet();
    const future = Date.now() + 1e7;
    const restored = RemoteJwks.fromState('https://issuer.example/jwks', { ...first.exportState(), fetchedAtMs: future, expiresAtMs: future + 1e6, lastAttemptAtMs: future }, { fetch });
    await restored.keySet();
    assert.equal(calls.length, 2);
  });
});

describe('messages quote URLs and state member names as JSON strings, cut to 64 characters', () => {
  const url = `https://issuer.example/${'p'.repeat(130)}`;
  const quotedStart = JSON.stringify(url.slice(0, 64));

  test('a state that is not JSON, a state with an unknown member, a 304 without a cached set', async () => {
    const notJson = thrownBy(() => RemoteJwks.fromState(url, 'not json'));
    const member = `evil\n\u001b[31m${'m'.repeat(100)}`;
    const unknown = thrownBy(() => RemoteJwks.fromState(url, { version: 1, url, jwks: null, [member]: 1 }));
    const { fetch } = fakeFetch(() => new Response(null, { status: 304 }));
    let notModified;
    try {
      await new RemoteJwks(url, { fetch }).keySet();
    } catch (err) {
      notModified = err;
    }
    for (const err of [notJson, unknown, notModified]) {
      assert.ok(err?.code?.startsWith('ERR_JWKS'), String(err));
      assert.ok(!err.message.includes(url), err.message);
      assert.ok(err.message.includes(quotedStart.slice(0, -1)), err.message);
      assert.ok(!/[\u0000-\u001f]/.test(err.message), JSON.stringify(err.message));
    }
    assert.ok(!unknown.message.includes('m'.repeat(65)), unknown.message);
  });
});

describe('discoverJwks', () => {
  let server;
  let documents = {};
  before(async () => {
    server = await startServer();
    server.handler = (req, res) => {
      const document = documents[req.url];
      if (document === undefined) {
        res.writeHead(404);
        return res.end();
      }
      return sendJson(res, document);
    };
  });
  after(() => server.close());

  test('openid-configuration first, then oauth-authorization-server (RFC 8414 path insertion)', async () => {
    const o = server.origin;
    documents = { '/.well-known/openid-configuration': { issuer: o, jwks_uri: `${o}/a` }, '/.well-known/oauth-authorization-server': { issuer: o, jwks_uri: `${o}/b` } };
    assert.equal((await discoverJwks(o)).url, `${o}/a`);
    documents = { '/.well-known/oauth-authorization-server': { issuer: o, jwks_uri: `${o}/b` } };
    assert.equal((await discoverJwks(o)).url, `${o}/b`);
    documents = { '/.well-known/oauth-authorization-server/t/1': { issuer: `${o}/t/1`, jwks_uri: `${o}/c` } };
    assert.equal((await discoverJwks(`${o}/t/1`)).url, `${o}/c`);
    assert.equal(server.count('/t/1/.well-known/openid-configuration'), 1);
  });

  test('timeoutMs bounds the whole discovery: a metadata request that does not answer is not followed by another', async () => {
    const issuer = 'https://issuer.example/tenant';
    for (const timeoutMs of [30, 80, 150]) {
      const requested = [];
      const hanging = (url) => {
        requested.push(String(url));
        return new Promise(() => {});
      };
      const started = Date.now();
      const err = await discoverJwks(issuer, { fetch: hanging, timeoutMs }).then(() => null, (e) => e);
      assert.equal(err?.code, 'ERR_JWKS_TIMEOUT', String(err?.message));
      assert.deepEqual(requested, [`${issuer}/.well-known/openid-configuration`], `timeoutMs ${timeoutMs}`);
      assert.ok(Date.now() - started >= timeoutMs - 5, `waited ${Date.now() - started} ms for timeoutMs ${timeoutMs}`);
    }
  });

  test('the RFC 8414 request gets the time the OpenID one left', async () => {
    const issuer = 'https://issuer.example';
    const jwksUri = 'https://issuer.example/jwks';
    for (const firstMs of [0, 20, 60]) {
      const requested = [];
      const slowNotFound = async (url) => {
        requested.push(String(url));
        if (String(url).endsWith('/openid-configuration')) {
          await new Promise((resolve) => setTimeout(resolve, firstMs));
          return new Response('not found', { status: 404 });
        }
        return Response.json({ issuer, jwks_uri: jwksUri });
      };
      const remote = await discoverJwks(issuer, { fetch: slowNotFound, timeoutMs: 1000 });
      assert.equal(remote.url, jwksUri);
      assert.deepEqual(requested, [`${issuer}/.well-known/openid-configuration`, `${issuer}/.well-known/oauth-authorization-server`]);
    }
  });

  test('the document\'s issuer must equal the issuer exactly (a trailing slash counts)', async () => {
    const o = server.origin;
    documents = { '/.well-known/openid-configuration': { issuer: `${o}/`, jwks_uri: `${o}/a` } };
    assert.equal((await discoverJwks(`${o}/`)).url, `${o}/a`);
    assert.equal(await codeOf(discoverJwks(o)), 'ERR_JWKS_INVALID');
    documents = { '/.well-known/openid-configuration': { issuer: o, jwks_uri: `${o}/a` } };
    assert.equal(await codeOf(discoverJwks(`${o}/`)), 'ERR_JWKS_INVALID');
  });

  test('a jwks_uri that is missing, not a string, not http(s), relative or with user info is ERR_JWKS_INVALID; no metadata is ERR_JWKS_FETCH_FAILED', async () => {
    const o = server.origin;
    for (const jwksUri of [undefined, 5, '', '/jwks', 'ftp://h/jwks', 'javascript:alert(1)', 'http://u:p@127.0.0.1/jwks']) {
      documents = { '/.well-known/openid-configuration': { issuer: o, jwks_uri: jwksUri } };
      assert.equal(await codeOf(discoverJwks(o)), 'ERR_JWKS_INVALID', String(jwksUri));
    }
    documents = {};
    assert.equal(await codeOf(discoverJwks(o)), 'ERR_JWKS_FETCH_FAILED');
  });

  test('an https issuer may not hand out an http jwks_uri; the fetch option serves discovery and the keys', async () => {
    const issuer = (jwksUri) => fakeFetch((url) => (String(url).includes('/.well-known/')
      ? new Response(JSON.stringify({ issuer: 'https://i.example', jwks_uri: jwksUri }))
      : jwksResponse([k1.jwk])));
    const { fetch, calls } = issuer('https://i.example/jwks');
    await verifyJwt(sign(k1), await discoverJwks('https://i.example', { fetch }));
    assert.deepEqual(calls.map((c) => c.url), ['https://i.example/.well-known/openid-configuration', 'https://i.example/jwks']);
    assert.equal(await codeOf(discoverJwks('https://i.example', { fetch: issuer('http://i.example/jwks').fetch })), 'ERR_JWKS_INVALID');
  });
});

describe('RemoteOptions of the wrong type are TypeErrors with code ERR_INVALID_OPTION', () => {
  const wrong = {
    timeoutMs: ['5', null, NaN, Infinity, -1, 0, {}, () => 1, Symbol('s'), 10n],
    cooldownMs: ['1', null, NaN, -1, Infinity],
    cacheMaxAgeMs: ['1', null, NaN, -1],
    staleIfErrorMs: ['1', null, NaN, -1],
    maxBytes: ['1', null, NaN, -1, 0],
    headers: [5, 'x', null, true, { 'bad name': 'x' }, { a: 'x\ny' }],
    fetch: ['x', 5, null, {}],
    store: [5, 'x', null, {}],
    timeout: [1],
    cooldown: [1],
  };
  const cases = Object.entries(wrong).flatMap(([name, values]) => values.map((value) => [name, value]));

  test('new RemoteJwks, RemoteJwks.fromState, TrustedIssuers', () => {
    for (const [name, value] of cases) {
      for (const make of [
        (o) => new RemoteJwks('https://issuer.example/jwks', o),
        (o) => RemoteJwks.fromState('https://issuer.example/jwks', null, o),
        (o) => new TrustedIssuers(['https://issuer.example'], o),
      ]) {
        const err = thrownBy(() => make({ [name]: value }));
        assert.ok(err instanceof TypeError, `${name}: ${String(value)}`);
        assert.equal(err.code, 'ERR_INVALID_OPTION', `${name}: ${String(value)}`);
      }
    }
  });

  test('discoverJwks, before any request', async () => {
    const { fetch, calls } = fakeFetch(() => jwksResponse([k1.jwk]));
    for (const [name, value] of cases) {
      await assert.rejects(discoverJwks('https://issuer.example', { fetch, [name]: value }), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_OPTION');
    }
    assert.equal(calls.length, 0);
  });

  test('an unknown name lists the nearest known one', () => {
    const err = thrownBy(() => new RemoteJwks('https://issuer.example/jwks', { cooldownMS: 1 }));
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /did you mean cooldownMs/);
  });
});

// Before the module is loaded (a browser before ready(); here the web entry alone, in a process
// of its own: Node's entry loads the module at import) the options are not read at
// construction: a throwing getter or a bad header is reported on first use, through the core's
// reading (a TypeError), never as the getter's raw Error from a JS-side read ahead of the core.
test('TrustedIssuers before the module is loaded reads no option at construction', async () => {
  const { execFileSync } = await import('node:child_process');
  const web = new URL('../../pkg/web.mjs', import.meta.url).href;
  const script = `
    const web = await import(${JSON.stringify(web)});
    let reads = 0;
    const outcome = (make) => { try { make(); return 'ok'; } catch (err) { return err.constructor.name + ' ' + err.message; } };
    const results = [
      outcome(() => new web.TrustedIssuers(['https://issuer.example'], { get headers() { reads++; throw new Error('boom'); } })),
      outcome(() => new web.TrustedIssuers(['https://issuer.example'], { headers: { 'bad name': 'x' } })),
    ];
    console.log(JSON.stringify({ results, reads }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  assert.deepEqual(out, { results: ['ok', 'ok'], reads: 0 });
});
