// Attack review of the JS glue's reads of caller-supplied objects, on the entry points review4
// did not cover: verifyJwt/createVerifier/verifyAccessToken options (the options cache),
// checkAssertion, verifyWebhook, verifyDpopProof, ReplayCache, RedisReplayStore and
// RedisJwksStore, authenticateRequest's options, key resolvers. Two attackers: a polluted
// Object.prototype (a JSON-merge bug elsewhere in the app), and an options object whose
// getter or Proxy answers differently on each read (the glue must use the answer the core
// checked). Every pollution is restored in `finally`. No network, no Redis server (fake clients).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as api from '../../pkg/node.mjs';
import { RedisReplayStore, RedisJwksStore } from '../../pkg/redis.mjs';
import { generateKey, mint, polluted } from './helpers.mjs';
import { replayProfiles } from './support/replay-profiles.mjs';

const { ReplayCache, verifyJwt, verifyJwtSync, createVerifier, verifyAccessToken, checkAssertion, verifyWebhook, RemoteJwks } = api;

const nowS = () => Math.floor(Date.now() / 1000);

async function codeOf(promise) {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return err?.code ?? `${err?.name}: ${err?.message}`;
  }
}

// A clock that forgets every jti at once: each markUsed is a first use.
const FAR_CLOCKS = [() => 1e12, () => Number.MAX_VALUE, () => nowS() + 10 * 365 * 86400, () => 4e9];

test('ReplayCache: a polluted Object.prototype.clock never becomes the cache\'s clock (a replay would be accepted)', async () => {
  const optionsForms = [{}, { maxEntries: 10 }, { maxEntries: 100000 }, Object.create(null), { maxEntries: 5, clock: undefined }];
  let cases = 0;
  for (const clock of FAR_CLOCKS) {
    for (const options of optionsForms) {
      await polluted('clock', clock, async () => {
        const cache = new ReplayCache(options);
        const expiresAt = nowS() + 60;
        assert.equal(cache.markUsed('jti-1', expiresAt), true);
        assert.equal(cache.markUsed('jti-1', expiresAt), false, `${JSON.stringify(options)}: replayed under polluted clock ${clock}`);
        cases++;
      });
    }
  }
  assert.equal(cases, FAR_CLOCKS.length * 5);
});

test('ReplayCache: the clock is read once, as the core read it (a getter answering otherwise later is not used)', async () => {
  for (const [first, later] of [[() => nowS(), () => 1e12], [undefined, () => 1e12], [() => nowS(), 'not a function']]) {
    let reads = 0;
    const options = {
      maxEntries: 10,
      get clock() {
        reads++;
        return reads === 1 ? first : later;
      },
    };
    const cache = new ReplayCache(options);
    const expiresAt = nowS() + 60;
    assert.equal(cache.markUsed('a', expiresAt), true);
    assert.equal(cache.markUsed('a', expiresAt), false, `later clock ${String(later)} was used`);
    assert.equal(reads, 1, 'clock read more than once');
  }
  // A Proxy whose get answers differently on each read.
  let gets = 0;
  const proxy = new Proxy({ maxEntries: 10, clock: () => nowS() }, {
    get(target, name, receiver) {
      if (name === 'clock') gets++;
      return name === 'clock' && gets > 1 ? () => 1e12 : Reflect.get(target, name, receiver);
    },
  });
  const cache = new ReplayCache(proxy);
  assert.equal(cache.markUsed('b', nowS() + 60), true);
  assert.equal(cache.markUsed('b', nowS() + 60), false);
});

// A fake Redis behind a client of either shape: node-redis (sendCommand) or ioredis (call).
function fakeRedis() {
  const data = new Map();
  const run = async ([name, key, value, ...rest]) => {
    if (name === 'GET') return data.get(key) ?? null;
    if (name === 'SET') {
      if (rest.includes('NX') && data.has(key)) return null;
      data.set(key, value);
      return 'OK';
    }
    throw new Error(`unexpected ${name}`);
  };
  class NodeRedisClient {
    sendCommand(args) {
      return run(args);
    }
  }
  class IoRedisClient {
    call(...args) {
      return run(args);
    }
  }
  return { data, nodeRedis: new NodeRedisClient(), ioredis: new IoRedisClient(), plainNodeRedis: { sendCommand: run } };
}

test('RedisReplayStore and RedisJwksStore: a client\'s methods are its own or its class\'s, never one Object.prototype lends', async () => {
  const pollutions = [
    ['call', async () => 'OK'],
    ['call', async (...args) => (args[0] === 'GET' ? '{"forged":true}' : 'OK')],
    ['sendCommand', async () => 'OK'],
    ['getSlotMaster', () => null],
    ['masters', []],
  ];
  let cases = 0;
  for (const [name, value] of pollutions) {
    for (const shape of ['nodeRedis', 'ioredis', 'plainNodeRedis']) {
      await polluted(name, value, async () => {
        const redis = fakeRedis();
        const client = redis[shape];
        const replay = new RedisReplayStore(client);
        const expiresAt = nowS() + 60;
        assert.equal(await replay.markUsed('k', expiresAt), true, `${shape}, polluted ${name}`);
        assert.equal(await replay.markUsed('k', expiresAt), false, `${shape}, polluted ${name}: replay accepted`);
        const jwks = new RedisJwksStore(client);
        await jwks.set('https://a.example/jwks', '{"state":1}', 60000);
        assert.equal(await jwks.get('https://a.example/jwks'), '{"state":1}', `${shape}, polluted ${name}: the store served another state`);
        assert.equal(redis.data.size, 2, `${shape}, polluted ${name}: the commands did not reach the client`);
        cases++;
      });
    }
  }
  assert.equal(cases, 15);
});

test('verifyJwt, verifyJwtSync, createVerifier, verifyAccessToken: polluted options never loosen a check (cached or not)', async () => {
  const key = await generateKey('ES256', { kid: 'k1' });
  const jwks = { keys: [key.jwk] };
  const expired = await mint(key, { sub: 's', iss: 'https://i', aud: 'api', iat: nowS() - 7200, exp: nowS() - 3600 });
  const wrongIss = await mint(key, { sub: 's', iss: 'https://evil', aud: 'api', iat: nowS(), exp: nowS() + 600 });
  const pollutions = [
    ['currentDate', new Date(0)],
    ['currentDate', nowS() - 7200],
    ['clockTolerance', 1e9],
    ['clockTolerance', '100 years'],
    ['issuer', 'https://evil'],
    ['audience', 'api'],
    ['algorithms', ['ES256', 'none']],
    ['maxTokenLength', 1e9],
    ['requiredClaims', []],
    ['typ', undefined],
  ];
  let cases = 0;
  for (const [name, value] of pollutions) {
    await polluted(name, value, async () => {
      const options = { issuer: 'https://i', audience: 'api' };
      for (let round = 0; round < 3; round++) {
        // The same options object each round: the second and third take the cached reading.
        assert.equal(await codeOf(verifyJwt(expired, jwks, options)), 'ERR_JWT_EXPIRED', `${name} round ${round}`);
        assert.equal(await codeOf((async () => verifyJwtSync(expired, jwks, options))()), 'ERR_JWT_EXPIRED');
        assert.equal(await codeOf(verifyJwt(wrongIss, jwks, options)), 'ERR_JWT_CLAIM_VALIDATION_FAILED');
        assert.equal(await codeOf(createVerifier(jwks, options).verify(expired)), 'ERR_JWT_EXPIRED');
        const at = { issuer: 'https://i', audience: 'api' };
        assert.notEqual(await codeOf(verifyAccessToken(expired, jwks, at)), 'ok');
        cases++;
      }
    });
  }
  assert.equal(cases, pollutions.length * 3);
});

// The replay store of the three checks that mark a jti used: the glue must mark it in the store
// the core checked, read once. Options made here (the shared profiles spread them, which would
// call the getter).
async function replayChecks() {
  const { signer, jwks } = await replayProfiles();
  const { createHash } = await import('node:crypto');
  const jose = await import('jose');
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const { ext, key_ops, ...holderJwk } = await jose.exportJWK(publicKey);
  return {
    async assertion() {
      const token = await mint(signer, { iss: 'c', sub: 'c', aud: 'https://as/token', iat: nowS(), exp: nowS() + 60, jti: randomUUID() });
      return (extra, wrap = (o) => o) => checkAssertion(token, wrap(Object.defineProperties({ clientId: 'c', audience: 'https://as/token', keys: jwks }, Object.getOwnPropertyDescriptors(extra))));
    },
    async webhook() {
      const body = `{"id":"${randomUUID()}"}`;
      const token = await mint(signer, { iss: 'https://s', iat: nowS(), jti: randomUUID(), request_body_sha256: createHash('sha256').update(body).digest('hex') });
      return (extra, wrap = (o) => o) => verifyWebhook({ authorization: `Bearer ${token}`, body }, jwks, wrap(Object.defineProperties({}, Object.getOwnPropertyDescriptors(extra))));
    },
    async dpop() {
      const proof = await new jose.SignJWT({ jti: randomUUID(), htm: 'GET', htu: 'https://rs.example/api', iat: nowS() })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: holderJwk })
        .sign(privateKey);
      return (extra, wrap = (o) => o) => api.verifyDpopProof(proof, wrap(Object.defineProperties({ method: 'GET', url: 'https://rs.example/api' }, Object.getOwnPropertyDescriptors(extra))));
    },
  };
}

test('checkAssertion, verifyWebhook, verifyDpopProof: options.replay is read once, the store the core checked', async () => {
  const checks = await replayChecks();
  let cases = 0;
  for (const name of ['assertion', 'webhook', 'dpop']) {
    for (const later of [{ markUsed: () => true }, { markUsed: async () => true }, undefined, null, new ReplayCache()]) {
      for (const form of ['getter', 'proxy']) {
        const check = await checks[name]();
        const store = new ReplayCache();
        let reads = 0;
        const answer = () => (++reads === 1 ? store : later);
        const extra = form === 'getter' ? { get replay() { return answer(); } } : { replay: store };
        const wrap = form === 'getter' ? undefined : (o) => new Proxy(o, { get: (t, n, r) => (n === 'replay' ? answer() : Reflect.get(t, n, r)) });
        reads = 0;
        const first = await codeOf(check(extra, wrap));
        reads = 0;
        const second = await codeOf(check(extra, wrap));
        assert.equal(first, 'ok', `${name} ${form}: first use`);
        assert.equal(second, 'ERR_JWT_REPLAYED', `${name} ${form}: a replay was accepted with later=${String(later?.constructor?.name ?? later)}`);
        cases++;
      }
    }
  }
  assert.equal(cases, 30);
});

test('checkAssertion: the keys are read once, client and federated (a getter or Proxy answering other keys later is not used)', async () => {
  const signer = await generateKey('ES256', { kid: 'k1' });
  const other = await generateKey('ES256', { kid: 'k1' });
  const FED = 'https://workload.example';
  const base = { clientId: 'c', audience: 'https://as/token' };
  let cases = 0;
  for (const where of ['client', 'federated']) {
    const claims = where === 'client' ? { iss: 'c', sub: 'c' } : { iss: FED, sub: 'c' };
    for (const form of ['getter', 'proxy', 'proxy array']) {
      for (const laterKeys of [{ keys: [other.jwk] }, JSON.stringify({ keys: [other.jwk] }), other.jwk, () => ({ keys: [other.jwk] })]) {
        const forged = await mint(other, { ...claims, aud: 'https://as/token', iat: nowS(), exp: nowS() + 60, jti: randomUUID() });
        let reads = 0;
        const keys = () => (++reads === 1 ? { keys: [signer.jwk] } : laterKeys);
        const answering = (target) => new Proxy(target, { get: (t, n, r) => (n === 'keys' ? keys() : Reflect.get(t, n, r)) });
        let options;
        if (where === 'client') {
          options = form === 'getter' ? { ...base, get keys() { return keys(); } } : answering({ ...base, keys: null });
        } else {
          const entry = form === 'getter' ? { issuer: FED, get keys() { return keys(); } } : answering({ issuer: FED, keys: null });
          const list = form === 'proxy array'
            ? new Proxy([entry], { get: (t, n, r) => (n === '0' && reads > 0 ? { issuer: FED, keys: laterKeys } : Reflect.get(t, n, r)) })
            : [entry];
          options = { ...base, keys: { keys: [signer.jwk] }, federated: list };
        }
        assert.notEqual(await codeOf(checkAssertion(forged, options)), 'ok', `${where} ${form}: forged assertion accepted`);
        cases++;
      }
    }
  }
  assert.equal(cases, 24);
});

test('authenticateRequest: options.keys is read once', async () => {
  const signer = await generateKey('ES256', { kid: 'k1' });
  const other = await generateKey('ES256', { kid: 'k1' });
  const claims = { iss: 'https://i', aud: 'api', sub: 's', client_id: 'c', jti: randomUUID(), iat: nowS(), exp: nowS() + 600 };
  const forged = await mint(other, claims, { header: { typ: 'at+jwt' } });
  let cases = 0;
  for (const [form, laterKeys] of ['getter', 'proxy'].flatMap((f) => [{ keys: [other.jwk] }, JSON.stringify({ keys: [other.jwk] }), other.jwk, () => ({ keys: [other.jwk] })].map((k) => [f, k]))) {
    let reads = 0;
    const keys = () => (++reads === 1 ? { keys: [signer.jwk] } : laterKeys);
    const base = { issuer: 'https://i', audience: 'api' };
    const options = form === 'getter'
      ? { ...base, get keys() { return keys(); } }
      : new Proxy({ ...base, keys: null }, { get: (t, n, r) => (n === 'keys' ? keys() : Reflect.get(t, n, r)) });
    const request = new Request('https://rs.example/api', { headers: { authorization: `Bearer ${forged}` } });
    const result = await api.authenticateRequest(request, options).catch((err) => ({ ok: false, err }));
    assert.equal(result.ok, false, `${form}: a token signed by keys the core never saw was accepted`);
    cases++;
  }
  assert.equal(cases, 8);
});

test('verifyWebhook: a polluted Object.prototype.replay never replaces or adds to the store', async () => {
  const { profiles } = await replayProfiles();
  let cases = 0;
  for (const name of ['assertion', 'webhook', 'dpop']) {
    for (const value of [{ markUsed: () => true }, { markUsed: () => false }, { markUsed: () => { throw new Error('x'); } }]) {
      await polluted('replay', value, async () => {
        const check = await profiles[name](nowS());
        const store = new ReplayCache();
        assert.equal(await codeOf(check(store)), 'ok', `${name}: first use refused`);
        assert.equal(await codeOf(check(store)), 'ERR_JWT_REPLAYED', `${name}: replay accepted`);
        // Without a store: the token verifies (the pollution is no store).
        const fresh = await profiles[name](nowS());
        if (name !== 'dpop') assert.equal(await codeOf(fresh(undefined)), 'ok', `${name}: a polluted replay was used`);
        cases++;
      });
    }
  }
  assert.equal(cases, 9);
});

test('a key resolver and a RemoteJwks under a polluted keySetFor/keys still verify with their own keys', async () => {
  const signer = await generateKey('ES256', { kid: 'k1' });
  const other = await generateKey('ES256', { kid: 'k1' });
  const token = await mint(other, { sub: 's', iat: nowS(), exp: nowS() + 60 });
  let cases = 0;
  for (const [name, value] of [['keys', [other.jwk]], ['kty', 'oct']]) {
    await polluted(name, value, async () => {
      for (const returned of [{ keys: [signer.jwk] }, JSON.stringify({ keys: [signer.jwk] }), signer.jwk, api.parseJwks({ keys: [signer.jwk] })]) {
        assert.notEqual(await codeOf(verifyJwt(token, () => returned)), 'ok', `polluted ${name}`);
        cases++;
      }
    });
  }
  assert.equal(cases, 8);
  assert.ok(RemoteJwks);
});

// The adapters read the framework's request: a request whose class has no headersDistinct (a
// test harness's, an older Node's, a compatibility layer's) must not take one from a polluted
// Object.prototype, nor its protocol, host or URL.
test('express and fastify adapters: a framework request\'s members never come from Object.prototype', async () => {
  const { bearerAuth: expressAuth } = await import('../../pkg/express.mjs');
  const { bearerAuth: fastifyAuth } = await import('../../pkg/fastify.mjs');
  const signer = await generateKey('ES256', { kid: 'k1' });
  const options = { keys: { keys: [signer.jwk] }, issuer: 'https://i', audience: 'api' };
  const token = await mint(signer, { iss: 'https://i', aud: 'api', sub: 's', client_id: 'c', jti: randomUUID(), iat: nowS(), exp: nowS() + 600 }, { header: { typ: 'at+jwt' } });
  const pollutions = [
    ['headersDistinct', { authorization: [`Bearer ${token}`] }],
    ['headersDistinct', { authorization: [`bearer ${token}`], host: ['rs.example'] }],
    ['headers', { authorization: `Bearer ${token}` }],
  ];
  let cases = 0;
  for (const [name, value] of pollutions) {
    for (const requestHeaders of [{ host: 'rs.example' }, { host: 'rs.example', 'x-other': '1' }, {}]) {
      await polluted(name, value, async () => {
        // Express: a request object of its own class with no credentials.
        class Req {}
        const req = Object.assign(new Req(), { method: 'GET', originalUrl: '/api', headers: { ...requestHeaders }, protocol: 'http' });
        if (name === 'headers') delete req.headers;
        const res = { statusCode: 0, setHeader() {}, end() {} };
        let nextCalled = false;
        await expressAuth(options)(req, res, () => { nextCalled = true; });
        assert.equal(req.auth?.ok === true, false, `express: polluted ${name} authenticated`);
        assert.equal(nextCalled && req.auth !== undefined, false);
        // Fastify: request and request.raw without headersDistinct.
        const request = Object.assign(new Req(), { method: 'GET', url: '/api', headers: { ...requestHeaders }, protocol: 'http', host: 'rs.example', raw: new Req() });
        if (name === 'headers') delete request.headers;
        const reply = { code() { return this; }, headers() { return this; }, send() { return this; } };
        await fastifyAuth(options)(request, reply);
        assert.equal(request.auth?.ok === true, false, `fastify: polluted ${name} authenticated`);
        cases++;
      });
    }
  }
  assert.equal(cases, 9);
});

test('CacheApiJwksStore: a runtime without caches.default never takes one from Object.prototype', async () => {
  const { CacheApiJwksStore } = await import('../../pkg/edge.mjs');
  const real = Object.getOwnPropertyDescriptor(globalThis, 'caches');
  const opened = [];
  class Storage {
    async open(name) {
      opened.push(name);
      const entries = new Map();
      return { match: async (k) => entries.get(k)?.clone(), put: async (k, r) => { entries.set(k, r); }, delete: async (k) => entries.delete(k) };
    }
  }
  let cases = 0;
  try {
    Object.defineProperty(globalThis, 'caches', { value: new Storage(), configurable: true, writable: true });
    for (const state of ['{"forged":1}', '{"keys":[]}', '{}']) {
      const forger = { match: async () => new Response(state, { headers: { 'x-jwks-verify-expires': String(Date.now() + 1e9) } }), put: async () => {}, delete: async () => {} };
      await polluted('default', forger, async () => {
        const store = new CacheApiJwksStore();
        assert.equal(await store.get('https://a.example/jwks'), null, `the polluted default served ${state}`);
        cases++;
      });
    }
  } finally {
    if (real) Object.defineProperty(globalThis, 'caches', real);
    else delete globalThis.caches;
  }
  assert.equal(cases, 3);
  assert.ok(opened.length >= 3);
});

// JSON.stringify calls a toJSON on every object and array it serializes, inherited ones
// included: a polluted Object.prototype.toJSON (or Array.prototype's) was serialized in place
// of every JWKS object (its keys verified the token), of a RemoteJwks state, and of a DPoP-bound
// token's cnf (a Bearer use of it passed as unbound).
test('a toJSON on Object.prototype or Array.prototype never replaces keys, a state or a cnf claim', async () => {
  const honest = await generateKey('ES256', { kid: 'k1' });
  const evil = await generateKey('ES256', { kid: 'k1' });
  const token = await mint(evil, { sub: 's', iss: 'https://i', aud: 'api', iat: nowS(), exp: nowS() + 60 });
  const evilSet = { keys: [evil.jwk] };
  const onObject = function () {
    if (Array.isArray(this) || this === evilSet || this === evil.jwk) return this;
    return Object.hasOwn(this, 'keys') ? evilSet : Object.hasOwn(this, 'kty') ? evil.jwk : this;
  };
  const onArray = function () { return [evil.jwk]; };
  const inputs = () => [{ keys: [honest.jwk] }, { ...honest.jwk }, { keys: [honest.jwk], extra: {} }];
  const entries = {
    verifyJwt: (keys) => verifyJwt(token, keys),
    verifyJwtSync: async (keys) => verifyJwtSync(token, keys),
    createVerifier: (keys) => createVerifier(keys).verify(token),
    resolver: (keys) => verifyJwt(token, () => keys),
    parseJwks: async (keys) => verifyJwtSync(token, api.parseJwks(keys)),
    checkAssertion: async (keys) => checkAssertion(await mint(evil, { iss: 'c', sub: 'c', aud: 'https://as/token', iat: nowS(), exp: nowS() + 60, jti: randomUUID() }), { clientId: 'c', audience: 'https://as/token', keys }),
  };
  let cases = 0;
  for (const [proto, toJSON] of [[Object.prototype, onObject], [Array.prototype, onArray]]) {
    for (const [name, entry] of Object.entries(entries)) {
      for (const keys of inputs()) {
        Object.defineProperty(proto, 'toJSON', { value: toJSON, configurable: true, writable: true });
        let code;
        try {
          code = await codeOf(entry(keys));
        } finally {
          delete proto.toJSON;
        }
        assert.notEqual(code, 'ok', `${name}: ${proto === Object.prototype ? 'Object' : 'Array'}.prototype.toJSON replaced ${JSON.stringify(keys).slice(0, 40)}`);
        cases++;
      }
    }
    // A RemoteJwks state object (exportState's, parsed): its keys, not the pollution's. The
    // fetch fails, so only the state can give keys.
    const source = new RemoteJwks('https://i/jwks', { fetch: async () => new Response(JSON.stringify({ keys: [honest.jwk] })) });
    await source.keySet();
    const state = JSON.parse(JSON.stringify(source.exportState()));
    Object.defineProperty(proto, 'toJSON', { value: proto === Array.prototype ? onArray : onObject, configurable: true, writable: true });
    try {
      const fetch = async () => { throw new Error('offline'); };
      assert.notEqual(await codeOf((async () => verifyJwt(token, RemoteJwks.fromState('https://i/jwks', state, { fetch })))()), 'ok', 'a RemoteJwks state was replaced');
    } finally {
      delete proto.toJSON;
    }
    cases++;
  }
  assert.equal(cases, 2 * (Object.keys(entries).length * 3 + 1));
});

test('authenticateRequest: a DPoP-bound token used as Bearer stays bound under a polluted toJSON', async () => {
  const signer = await generateKey('ES256', { kid: 'k1' });
  // JSON text: a keys object is refused under the pollution (the test above); the cnf is the point.
  const options = { keys: JSON.stringify({ keys: [signer.jwk] }), issuer: 'https://i', audience: 'api' };
  let cases = 0;
  for (const jkt of ['0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I', 'A'.repeat(43), 'x']) {
    for (const answer of [{}, { other: 1 }, null]) {
      const token = await mint(signer, { iss: 'https://i', aud: 'api', sub: 's', client_id: 'c', jti: randomUUID(), iat: nowS(), exp: nowS() + 600, cnf: { jkt } }, { header: { typ: 'at+jwt' } });
      const request = new Request('https://rs.example/api', { headers: { authorization: `Bearer ${token}` } });
      const result = await polluted('toJSON', function () { return 'jkt' in this ? answer : this; }, () => api.authenticateRequest(request, options));
      assert.equal(result.ok, false, `cnf ${jkt} read as ${JSON.stringify(answer)}: a bound token passed as Bearer`);
      cases++;
    }
  }
  assert.equal(cases, 9);
});

test('ready(options): sync is an own member, read once', async () => {
  let cases = 0;
  for (const value of [false, 'yes', 0, null, {}]) {
    await polluted('sync', value, async () => {
      // A polluted sync is no option: ready({}) is ready() (it resolves; a wrong type never rejects).
      await api.ready({});
      cases++;
    });
  }
  let reads = 0;
  await api.ready({ get sync() { reads++; return true; } });
  assert.equal(reads, 1);
  assert.equal(cases, 5);
});
