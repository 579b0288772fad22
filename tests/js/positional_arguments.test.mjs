// A wrong-typed positional argument (a token, keys, a request, its body, a result, a store
// method's arguments) of any entry point is an error with a `code` (invariant over many wrong
// values x every entry point): a JoseError, or a TypeError with `code` ERR_INVALID_OPTION /
// ERR_INVALID_URL and `option`. Never a bare TypeError of the glue, never a wasm-bindgen
// message. A value whose getter throws passes the caller's own error on, or is a coded error.
// Before: verifyWebhook with an ArrayBuffer body (and a request that is no object),
// authenticateRequest and challengeResponse with no object, ReplayCache#markUsed,
// setBackend, RemoteJwks.fromState with a BigInt, and the Redis stores threw bare TypeErrors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as api from '../../pkg/node.mjs';
import { RedisReplayStore, RedisJwksStore } from '../../pkg/redis.mjs';
import { generateKey, jwksOf, mint } from './helpers.mjs';

const boom = new Error('boom from the caller');
const WRONG = {
  undefined: undefined,
  null: null,
  number: 1,
  NaN: NaN,
  bigint: 10n,
  boolean: true,
  symbol: Symbol('s'),
  function: () => 1,
  object: {},
  array: [],
  ArrayBuffer: new ArrayBuffer(4),
  Uint16Array: new Uint16Array(2),
  DataView: new DataView(new ArrayBuffer(2)),
  Date: new Date(0),
  'null prototype': Object.create(null),
  'boxed string': new String('x'),
  'throwing Proxy': new Proxy({}, { get() { throw boom; }, ownKeys() { throw boom; } }),
};

// wasm-bindgen's own messages for a value its glue cannot convert.
const WASM_BINDGEN = /expected instance of|null pointer passed to rust|recursive use of an object|unreachable|attempted to take ownership|is not a function|Cannot read propert|Do not know how to serialize/i;

const key = await generateKey('ES256', { kid: 'k' });
const jwks = jwksOf([key]);
const token = await mint(key, { iat: Math.floor(Date.now() / 1000) });
const vo = { issuer: 'https://i.example', audience: 'a' };
const fakeRedis = { call: async () => 'OK' };

const ENTRY_POINTS = {
  'verifyJwt(token)': (v) => api.verifyJwt(v, jwks),
  'verifyJwt(, keys)': (v) => api.verifyJwt(token, v),
  'verifyJwtSync(token)': (v) => api.verifyJwtSync(v, jwks),
  'verifyJwtSync(, keys)': (v) => api.verifyJwtSync(token, v),
  'createVerifier(keys).verify': (v) => api.createVerifier(v).verify(token),
  'verifier.verify(token)': (v) => api.createVerifier(jwks).verify(v),
  'verifier.verifySync(token)': (v) => api.createVerifier(jwks).verifySync(v),
  'parseJwks(input)': (v) => api.parseJwks(v),
  'decodeJwt(token)': (v) => api.decodeJwt(v),
  'explainClaims(token)': (v) => api.explainClaims(v),
  'explainSelection(keys)': (v) => api.explainSelection(v, token),
  'explainSelection(, token)': (v) => api.explainSelection(jwks, v),
  'checkAssertion(assertion)': (v) => api.checkAssertion(v, { clientId: 'c', audience: 'a', keys: jwks }),
  'explainAssertion(assertion)': (v) => api.explainAssertion(v, { clientId: 'c', audience: 'a' }),
  'verifyWebhook(request)': (v) => api.verifyWebhook(v, jwks),
  'verifyWebhook({ body })': (v) => api.verifyWebhook({ authorization: `Bearer ${token}`, body: v }, jwks),
  'verifyWebhook({ authorization })': (v) => api.verifyWebhook({ authorization: v, body: '' }, jwks),
  'verifyWebhook(, keys)': (v) => api.verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, v),
  'verifyAccessToken(token)': (v) => api.verifyAccessToken(v, jwks, vo),
  'verifyAccessToken(, keys)': (v) => api.verifyAccessToken(token, v, vo),
  'explainAccessToken(token)': (v) => api.explainAccessToken(v, vo),
  'verifyDpopProof(proof)': (v) => api.verifyDpopProof(v, { method: 'GET', url: 'https://a.example/' }),
  'explainDpop(proof)': (v) => api.explainDpop(v, { method: 'GET', url: 'https://a.example/' }),
  'authenticateRequest(request)': (v) => api.authenticateRequest(v, { keys: jwks, ...vo }),
  'authenticateRequest({ headers })': (v) => api.authenticateRequest({ method: 'GET', url: 'https://a.example/', headers: v }, { keys: jwks, ...vo }),
  'challengeResponse(result)': (v) => api.challengeResponse(v),
  'new RemoteJwks(url)': (v) => new api.RemoteJwks(v),
  'RemoteJwks.fromState(, state)': (v) => api.RemoteJwks.fromState('https://a.example/jwks', v).keySet(),
  'discoverJwks(issuer)': (v) => api.discoverJwks(v),
  'new TrustedIssuers(issuers)': (v) => new api.TrustedIssuers(v),
  'ReplayCache#markUsed(jti)': (v) => new api.ReplayCache().markUsed(v, 1e10),
  'ReplayCache#markUsed(, expiresAt)': (v) => new api.ReplayCache().markUsed('j', v),
  'setBackend(name)': (v) => api.setBackend(v),
  'new RedisReplayStore(client)': (v) => new RedisReplayStore(v),
  'RedisReplayStore#markUsed(key)': (v) => new RedisReplayStore(fakeRedis).markUsed(v, 1e10),
  'RedisReplayStore#markUsed(, expiresAt)': (v) => new RedisReplayStore(fakeRedis).markUsed('k', v),
  'RedisJwksStore#get(url)': (v) => new RedisJwksStore(fakeRedis).get(v),
  'RedisJwksStore#set(, state)': (v) => new RedisJwksStore(fakeRedis).set('https://a.example/jwks', v, 1000),
  'RedisJwksStore#set(, , ttlMs)': (v) => new RedisJwksStore(fakeRedis).set('https://a.example/jwks', '{}', v),
};

async function thrown(call) {
  try {
    await call();
    return undefined;
  } catch (err) {
    return err;
  }
}

test('every entry point x every wrong positional value: an error with a code, or the caller\'s own error', async () => {
  await api.ready();
  const failures = [];
  let errors = 0;
  for (const [entry, call] of Object.entries(ENTRY_POINTS)) {
    for (const [what, value] of Object.entries(WRONG)) {
      const err = await thrown(() => call(value));
      api.setBackend('auto');
      if (err === undefined || err === boom) continue; // accepted as another form (a verdict), or passed on
      errors += 1;
      const coded = err instanceof Error && typeof err.code === 'string' && /^ERR_[A-Z_]+$/.test(err.code);
      const typed = !(err instanceof TypeError) || ['ERR_INVALID_OPTION', 'ERR_INVALID_URL'].includes(err.code);
      if (!coded || !typed || WASM_BINDGEN.test(err.message)) failures.push(`${entry} <- ${what}: ${err?.name} ${err?.code} ${err?.message}`);
    }
  }
  assert.ok(errors > 300, `${errors} errors checked`);
  assert.deepEqual(failures, []);
});

test('verifyWebhook: a body that is not a string or a Uint8Array is a TypeError ERR_INVALID_OPTION naming what is accepted, before any fetch', async () => {
  let fetched = 0;
  const remote = new api.RemoteJwks('https://jwks.invalid/jwks', { fetch: async () => { fetched += 1; throw new Error('no'); } });
  for (const body of [new ArrayBuffer(2), new Uint16Array(1), new DataView(new ArrayBuffer(1)), null, undefined, 5, {}, [1], new Blob(['x'])]) {
    const err = await thrown(() => api.verifyWebhook({ authorization: `Bearer ${token}`, body }, remote));
    assert.ok(err instanceof TypeError, String(err));
    assert.equal(err.code, 'ERR_INVALID_OPTION');
    assert.equal(err.option, 'request.body');
    assert.match(err.message, /request\.body must be the raw body as a string or a Uint8Array/);
  }
  const err = await thrown(() => api.verifyWebhook({ authorization: `Bearer ${token}`, body: new ArrayBuffer(2) }, remote));
  assert.match(err.message, /got an ArrayBuffer.*|wrap an ArrayBuffer as new Uint8Array\(buffer\)/);
  for (const request of [null, undefined, 'Bearer x', 7]) {
    assert.deepEqual(await thrown(() => api.verifyWebhook(request, remote)).then((e) => [e.name, e.code, e.option]), ['TypeError', 'ERR_INVALID_OPTION', 'request']);
  }
  const getter = { authorization: `Bearer ${token}`, get body() { throw boom; } };
  assert.deepEqual(await thrown(() => api.verifyWebhook(getter, remote)).then((e) => [e.name, e.code, e.option]), ['TypeError', 'ERR_INVALID_OPTION', 'request.body']);
  assert.equal(fetched, 0, 'refused before the keys are fetched');
  // The accepted forms still verify: a string, a Uint8Array, a Buffer.
  for (const body of ['', new Uint8Array(0), Buffer.alloc(0)]) {
    const err = await thrown(() => api.verifyWebhook({ authorization: `Bearer ${token}`, body }, jwks));
    assert.notEqual(err?.code, 'ERR_INVALID_OPTION', String(err?.message));
  }
});
