// Options whose reading runs the caller's code and throws (a getter, a Proxy trap, a revoked
// Proxy) are a TypeError naming the option, on every entry point; and the exception never
// unwinds through wasm: before src/bindings/options.rs caught them, each one leaked an
// externref slot, and the 512th trapped the instance, which made every KeySet stale.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../pkg/node.mjs';
import { generateKey, jwksOf, mint } from './helpers.mjs';

function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const throwing = {
  'a getter': () => ({ get issuer() { throw new Error('getter says no'); } }),
  'a nested getter': () => ({ crit: { get b64() { throw new Error('nested'); } } }),
  'a revoked Proxy': () => revoked(),
  'a revoked Proxy as a member': () => ({ audience: revoked() }),
  'a Proxy whose ownKeys throws': () => new Proxy({}, { ownKeys() { throw new Error('keys'); } }),
  'a Proxy whose getPrototypeOf throws': () => new Proxy({}, { getPrototypeOf() { throw new Error('proto'); } }),
  'an array Proxy whose get throws': () => ({ algorithms: new Proxy(['ES256'], { get() { throw new Error('item'); } }) }),
  'a Proxy of a Date': () => ({ currentDate: new Proxy(new Date(), {}) }),
  'a thrown primitive': () => ({ get audience() { throw 'plain text'; } }), // eslint-disable-line no-throw-literal
};

test('options that throw when read are a TypeError naming the option, on every entry point, and never trap the instance', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const keys = api.parseJwks(jwksOf([key]));
  const token = await mint(key, { iss: 'https://issuer.example' });
  const entries = {
    verifyJwtSync: (o) => api.verifyJwtSync(token, keys, o),
    createVerifier: (o) => api.createVerifier(keys, o).verifySync(token),
    parseJwks: (o) => api.parseJwks(jwksOf([key]), o),
    RemoteJwks: (o) => new api.RemoteJwks('https://issuer.example/jwks', o),
    ReplayCache: (o) => new api.ReplayCache(o),
    explainClaims: (o) => api.explainClaims(token, o),
  };
  for (let round = 0; round < 80; round++) {
    for (const [what, make] of Object.entries(throwing)) {
      for (const [entry, call] of Object.entries(entries)) {
        assert.throws(() => call(make()), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_OPTION', `${entry} with ${what}`);
      }
    }
  }
  // 80 x 9 x 6 = 4,320 throwing reads later, the set parsed before still verifies.
  assert.equal(api.verifyJwtSync(token, keys).payload.iss, 'https://issuer.example');
  const err = (() => { try { api.verifyJwtSync(token, keys, throwing['a getter']()); } catch (e) { return e; } })();
  assert.equal(err.option, 'issuer');
  assert.match(err.message, /getter says no/);
  assert.equal((() => { try { api.verifyJwtSync(token, keys, throwing['a nested getter']()); } catch (e) { return e.option; } })(), 'crit.b64');
  // RemoteJwks reads its fetch-side members in JS, before the core: the thrown value is the cause.
  const remoteErr = (() => { try { new api.RemoteJwks('https://issuer.example/jwks', { get fetch() { throw new Error('no fetch'); } }); } catch (e) { return e; } })();
  assert.equal(remoteErr.option, 'fetch');
  assert.equal(remoteErr.cause?.message, 'no fetch');
});

test('verifyJwt (async) rejects with the same TypeError', async () => {
  const key = await generateKey('ES256', { kid: 'k' });
  const token = await mint(key, {});
  for (const make of Object.values(throwing)) {
    await assert.rejects(api.verifyJwt(token, jwksOf([key]), make()), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_OPTION');
  }
});
