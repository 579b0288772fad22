// RemoteJwks and discoverJwks in Node against the local JWKS server: the shared scenarios
// (also run in Chromium by remote.browser.test.mjs), then Node-only checks of the options.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../pkg/node.mjs';
import { startJwksServer } from './support/jwks-server.mjs';
import { scenarios } from './support/remote-scenarios.mjs';

let server;
before(async () => {
  server = await startJwksServer();
});
after(() => server.close());

for (const scenario of scenarios) {
  test(scenario.name, () => scenario.run({ api, origin: server.origin }));
}

test('options are checked when the RemoteJwks is made', () => {
  const url = 'https://idp.example/jwks.json';
  assert.throws(() => new api.RemoteJwks('not a url'), TypeError);
  assert.throws(() => new api.RemoteJwks('file:///etc/passwd'), TypeError);
  assert.throws(() => new api.RemoteJwks(url, { cooldownMs: -1 }), TypeError);
  assert.throws(() => new api.RemoteJwks(url, { timeoutMs: '5s' }), TypeError);
  assert.throws(() => new api.RemoteJwks(url, { timeoutMs: 0 }), /timeoutMs/);
  assert.throws(() => new api.RemoteJwks(url, { maxBytes: Infinity }), TypeError);
  assert.throws(() => new api.RemoteJwks(url, { fetch: 'fetch' }), TypeError);
  assert.throws(() => new api.RemoteJwks(url, { headers: 42 }), TypeError);
  assert.throws(() => new api.RemoteJwks(url, null), TypeError);
  const remote = new api.RemoteJwks(new URL(url), { headers: [['x-a', 'b']] });
  assert.equal(remote.url, url);
  assert.deepEqual(remote.stats(), { fetches: 0, lastFetchAt: null, lastError: null, kids: [] });
  assert.deepEqual(remote.exportState(), { version: 1, url, jwks: null });
});

test('fromState refuses a malformed state with ERR_JWKS_INVALID', () => {
  const url = 'https://idp.example/jwks.json';
  for (const state of ['{', [], { version: 9, url }, { version: 1, url, jwks: { keys: 1 }, fetchedAtMs: 1, expiresAtMs: 2 }]) {
    assert.throws(() => api.RemoteJwks.fromState(url, state), { code: 'ERR_JWKS_INVALID' }, JSON.stringify(state));
  }
  assert.equal(api.RemoteJwks.fromState(url, undefined).stats().fetches, 0);
});

test('verifyJwt with a RemoteJwks keeps every other check', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const remote = new api.RemoteJwks(t.jwksUrl);
  const token = await t.sign(undefined, { aud: 'api' });
  await assert.rejects(api.verifyJwt(token, remote, { audience: 'other' }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
  const { payload } = await api.verifyJwt(token, remote, { audience: 'api' });
  assert.equal(payload.aud, 'api');
  assert.throws(() => api.verifyJwtSync(token, remote));
});

test('a custom fetch may return a Response-like object; its failures are classified', async () => {
  const { generateKey, mint } = await import('./helpers.mjs');
  const key = await generateKey('ES256', { kid: 'mock-key' });
  const body = JSON.stringify({ keys: [key.jwk] });
  const url = 'https://idp.example/mock/jwks.json';
  const respond = (response) => ({ fetch: async () => response, cooldownMs: 0 });

  const textOnly = new api.RemoteJwks(url, respond({ status: 200, headers: new Headers(), text: async () => body }));
  const { payload } = await api.verifyJwt(await mint(key, { sub: 'mocked' }), textOnly);
  assert.equal(payload.sub, 'mocked');

  const big = new api.RemoteJwks(url, { ...respond({ status: 200, headers: new Headers(), arrayBuffer: async () => new TextEncoder().encode(body).buffer }), maxBytes: 50 });
  await assert.rejects(big.keySet(), { code: 'ERR_JWKS_FETCH_FAILED', message: /maxBytes \(50 bytes\): it has \d+ bytes/ });

  const followed = new api.RemoteJwks(url, respond({ status: 200, redirected: true, url: 'https://elsewhere.example/', headers: new Headers(), text: async () => body }));
  await assert.rejects(followed.keySet(), { code: 'ERR_JWKS_FETCH_FAILED', message: /redirected to "https:\/\/elsewhere\.example\/"/ });

  const notResponse = new api.RemoteJwks(url, respond(42));
  await assert.rejects(notResponse.keySet(), { code: 'ERR_JWKS_FETCH_FAILED', message: /did not resolve to a Response/ });

  const throwing = new api.RemoteJwks(url, { fetch: () => { throw new Error('sync boom'); } });
  await assert.rejects(throwing.keySet(), { code: 'ERR_JWKS_FETCH_FAILED', message: /sync boom/ });

  // A fetch that ignores the abort signal still cannot outlive timeoutMs.
  const deaf = new api.RemoteJwks(url, { fetch: () => new Promise(() => {}), timeoutMs: 100 });
  await assert.rejects(deaf.keySet(), { code: 'ERR_JWKS_TIMEOUT', message: /timed out after 100 ms/ });

  const notUtf8 = new api.RemoteJwks(url, respond({ status: 200, headers: new Headers(), arrayBuffer: async () => new Uint8Array([0xff, 0xfe, 0x7b]).buffer }));
  await assert.rejects(notUtf8.keySet(), { code: 'ERR_JWKS_INVALID', message: /not UTF-8/ });
});

// A JwksStore in memory, shared by several RemoteJwks as Redis would share it between
// processes: it keeps the text and the ttl of each write, and counts reads and writes.
function memoryStore() {
  const entries = new Map();
  return {
    entries,
    gets: 0,
    sets: [],
    async get(url) {
      this.gets += 1;
      await new Promise((resolve) => setImmediate(resolve));
      return entries.get(url) ?? null;
    },
    async set(url, state, ttlMs) {
      this.sets.push({ url, ttlMs });
      entries.set(url, state);
    },
  };
}

test('store: five instances share one upstream fetch per cache period; a rotation fetched by one is seen by all', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const store = memoryStore();
  const instances = Array.from({ length: 5 }, () => new api.RemoteJwks(t.jwksUrl, { store }));
  const token = await t.sign();
  for (const remote of instances) await api.verifyJwt(token, remote);
  assert.equal(await t.count(), 1, 'one upstream fetch for five instances');
  assert.deepEqual(instances.map((r) => r.stats().fetches), [1, 0, 0, 0, 0]);
  // Two writes: the lease (fetchingSinceMs) before the fetch, the fetched state after it.
  assert.equal(store.sets.length, 2);
  const write = store.sets[1];
  assert.equal(write.url, t.jwksUrl);
  assert.ok(write.ttlMs >= 600_000 && write.ttlMs <= 600_000 + 86_400_000 + 1000, `ttlMs ${write.ttlMs}`);
  const text = store.entries.get(t.jwksUrl);
  assert.equal(text, JSON.stringify(instances[0].exportState()), 'the stored text is JSON.stringify(exportState())');

  // Within the shared cooldown nobody refetches for an unknown kid; an explicit refresh() by
  // one instance is seen by all through the store.
  const newKid = await t.rotate();
  const newToken = await t.sign(newKid);
  await assert.rejects(api.verifyJwt(newToken, instances[2]), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
  await instances[3].refresh();
  assert.equal(await t.count(), 2, 'the refresh of one instance');
  // instances[2] read the store for its miss just now; a miss reads it at most once a second.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  for (const remote of instances) assert.equal((await api.verifyJwt(newToken, remote)).key.kid, newKid);
  assert.equal(await t.count(), 2, 'the others took the rotation from the store, within their cooldown');
});

test('store: with no cooldown, an unknown-kid refetch by one instance is taken from the store by the others', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const store = memoryStore();
  const instances = Array.from({ length: 3 }, () => new api.RemoteJwks(t.jwksUrl, { store, cooldownMs: 0 }));
  for (const remote of instances) await remote.keySet();
  assert.equal(await t.count(), 1);
  const newKid = await t.rotate();
  const newToken = await t.sign(newKid);
  await api.verifyJwt(newToken, instances[1]);
  assert.equal(await t.count(), 2);
  for (const remote of instances) assert.equal((await api.verifyJwt(newToken, remote)).key.kid, newKid);
  assert.equal(await t.count(), 2, 'one upstream fetch for the rotation');
});

test('store: a flood of unknown kids over five instances makes one upstream fetch per cooldown', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const store = memoryStore();
  const instances = Array.from({ length: 5 }, () => new api.RemoteJwks(t.jwksUrl, { store, cooldownMs: 60_000 }));
  await instances[0].keySet();
  const header = (kid) => Buffer.from(JSON.stringify({ alg: 'ES256', kid })).toString('base64url');
  const tokens = Array.from({ length: 2000 }, (_, i) => `${header(`flood-${i}`)}.e30.${'A'.repeat(86)}`);
  const started = Date.now();
  const outcomes = await Promise.all(tokens.map((token, i) => api.verifyJwt(token, instances[i % 5]).then(() => null, (err) => err.code)));
  const seconds = Math.ceil((Date.now() - started) / 1000);
  assert.ok(outcomes.every((code) => code === 'ERR_JWKS_NO_MATCHING_KEY'), [...new Set(outcomes)].join());
  assert.equal(await t.count(), 1, 'no refetch: the cooldown of the first fetch holds in every instance');
  assert.ok(store.gets <= 5 * (2 + seconds), `store reads ${store.gets} in ${seconds} s: about one per instance per second of flood`);
});

test('store: a store that throws, rejects, hangs or holds garbage is ignored: fetching goes on, nothing more is accepted', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const token = await t.sign();
  const attacker = await (await import('./helpers.mjs')).generateKey('ES256', { kid: t.kid });
  const forged = await (await import('./helpers.mjs')).mint(attacker, { sub: 'mallory' });
  const forgedState = (url) => JSON.stringify({ version: 1, url, jwks: { keys: [attacker.jwk] }, fetchedAtMs: Date.now() + 60_000, expiresAtMs: 4_102_444_800_000 });
  const stores = {
    throws: { get() { throw new Error('down'); }, set() { throw new Error('down'); } },
    rejects: { get: async () => { throw new Error('down'); }, set: async () => { throw new Error('down'); } },
    hangs: { get: () => new Promise(() => {}), set: () => new Promise(() => {}) },
    garbage: { get: async () => '{"version":1,', set: async () => {} },
    notText: { get: async () => ({ keys: [] }), set: async () => {} },
    futureState: { get: async (url) => forgedState(url), set: async () => {} },
  };
  let expected = 0;
  for (const [name, store] of Object.entries(stores)) {
    const remote = new api.RemoteJwks(t.jwksUrl, { store, timeoutMs: 200 });
    const started = Date.now();
    const { payload } = await api.verifyJwt(token, remote);
    assert.equal(payload.sub, 'alice', name);
    assert.ok(Date.now() - started < 1500, `${name}: bounded by timeoutMs`);
    expected += 1;
    assert.equal(await t.count(), expected, `${name}: fetched upstream`);
    await assert.rejects(api.verifyJwt(forged, remote), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, name);
  }
  assert.throws(() => new api.RemoteJwks(t.jwksUrl, { store: {} }), TypeError);
  assert.throws(() => new api.RemoteJwks(t.jwksUrl, { store: { get() {} } }), /JwksStore/);
});

test('store: a failed fetch is shared, so the cooldown holds across instances', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  await t.mode('error500');
  const store = memoryStore();
  const instances = Array.from({ length: 5 }, () => new api.RemoteJwks(t.jwksUrl, { store }));
  for (const remote of instances) await assert.rejects(remote.keySet(), { code: 'ERR_JWKS_FETCH_FAILED', message: /HTTP status 500/ });
  assert.equal(await t.count(), 1, 'one failed attempt for all');
});

test('URLs with user info or another scheme are refused with a TypeError that does not repeat them', async () => {
  for (const url of ['http://user:hunter2@idp.example/jwks', 'https://:hunter2@idp.example/', 'ftp://idp.example/jwks', 'data:,{}']) {
    assert.throws(() => new api.RemoteJwks(url), (err) => err instanceof TypeError && !err.message.includes('hunter2'), url);
  }
  await assert.rejects(api.discoverJwks('https://user:hunter2@idp.example'), (err) => err instanceof TypeError && !err.message.includes('hunter2'));
  await assert.rejects(api.discoverJwks('ftp://idp.example'), TypeError);
  assert.throws(() => api.RemoteJwks.fromState('https://u:hunter2@idp.example/', null), TypeError);
});

test('a 304 without a cached set is a failed fetch, not "a redirect"', async () => {
  const remote = new api.RemoteJwks('https://idp.example/jwks.json', { fetch: async () => ({ status: 304, headers: new Headers() }) });
  await assert.rejects(remote.keySet(), (err) => err.code === 'ERR_JWKS_FETCH_FAILED' && /304/.test(err.message) && /no cached set/.test(err.message) && !/redirect/.test(err.message));
});

test('fromState: an attacker state with expiresAtMs in 2100 expires with cacheMaxAgeMs; future attempts do not block', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const warm = new api.RemoteJwks(t.jwksUrl);
  await warm.keySet();
  const state = warm.exportState();
  const old = { ...state, fetchedAtMs: Date.now() - 700_000, expiresAtMs: 4_102_444_800_000, lastAttemptAtMs: Date.now() - 700_000 };
  const restored = api.RemoteJwks.fromState(t.jwksUrl, old, { staleIfErrorMs: 0 });
  assert.ok(restored.exportState().expiresAtMs <= old.fetchedAtMs + 600_000, 'clamped');
  await restored.keySet();
  assert.equal(await t.count(), 2, 'expired: refetched');
  const blocked = api.RemoteJwks.fromState(t.jwksUrl, { ...state, lastAttemptAtMs: Date.now() + 1e12, lastError: { code: 'ERR_JWKS_TIMEOUT', message: 'x' } });
  assert.equal(blocked.stats().lastError, null, 'an attempt in the future is discarded');
  assert.throws(() => api.RemoteJwks.fromState(t.jwksUrl, '{"version":1,"version":1,"url":"x","jwks":null}'), { code: 'ERR_JWKS_INVALID', message: /duplicate/i });
  assert.throws(() => api.RemoteJwks.fromState(t.jwksUrl, { ...state, lastAttemptAtMs: 1, lastError: { code: 'ERR_JWKS_TIMEOUT', message: 'x'.repeat(5000) } }), { code: 'ERR_JWKS_INVALID', message: /4096/ });
  assert.throws(() => api.RemoteJwks.fromState(t.jwksUrl, { ...state, jwks: { keys: [1, null, 'x', {}] } }), { code: 'ERR_JWKS_INVALID', message: /not a JWK object/ });
});

test('soak: refused responses (non-200, over maxBytes) leak no wasm heap', async () => {
  const { heapBytesInUse } = await import('../../pkg/gen/jwks_verify.js');
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const remote500 = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0 });
  const remoteBig = new api.RemoteJwks(t.jwksUrl, { cooldownMs: 0, maxBytes: 1024 });
  const round = async (n) => {
    for (let i = 0; i < n; i += 1) {
      await t.mode('error500');
      await remote500.keySet().catch(() => {});
      await t.mode('oversize-chunked');
      await remoteBig.keySet().catch(() => {});
    }
  };
  await round(20); // warm-up: lazily made tables and caches
  const before = heapBytesInUse();
  await round(200);
  const grown = heapBytesInUse() - before;
  // The leak was ~46 bytes per refused response (400 here); allow a little noise.
  assert.ok(grown < 2000, `wasm heap grew by ${grown} bytes over 400 refused responses`);
});

test('store: ten cold instances verifying at once make one upstream fetch (the others wait for it)', async () => {
  const { createTenant } = await import('./support/jwks-control.mjs');
  const t = await createTenant(server.origin);
  const token = await t.sign();
  const store = memoryStore();
  // Stagger the starts by a few ms, as separate processes would be.
  const instances = Array.from({ length: 10 }, () => new api.RemoteJwks(t.jwksUrl, { store }));
  const results = await Promise.all(instances.map(async (remote, i) => {
    await new Promise((resolve) => setTimeout(resolve, i * 3));
    return api.verifyJwt(token, remote);
  }));
  assert.ok(results.every((r) => r.key.kid === t.kid));
  assert.equal(await t.count(), 1, 'one upstream fetch');
  assert.equal(instances.reduce((n, r) => n + r.stats().fetches, 0), 1);
});
