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
