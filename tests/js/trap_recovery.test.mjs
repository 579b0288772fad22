// Every call the glue (pkg/lib) makes into wasm goes through the runtime's trap recovery
// (runtime.js `recoverFrom`): after a trap in any method of any wasm object, the instance is
// replaced and the next call on the fresh one works. Invariant over every method of every
// wasm-bindgen class: each is made to trap once (as an allocation failure would) while a
// scenario runs the public API; whenever the trap fired, the instance must have been replaced.
// Before: RemoteJwks#stats() / #exportState(), the payload a claim error carries (decodeJwt),
// the profiles' maxTokenLength / replayTimeoutMs / route, KeySet key infos and TrustedIssuers'
// lookup reached wasm without it (the dead instance stayed, every later call could trap).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import * as api from '../../pkg/node.mjs';
import * as gen from '../../pkg/gen/jwks_verify.js';
import { instanceId } from '../../pkg/lib/runtime.js';
import { generateKey, jwksOf, mint } from './helpers.mjs';

const now = () => Math.floor(Date.now() / 1000);
const hs = generateKey('HS256', { kid: 'hs' });
const key = await generateKey('ES256', { kid: 'k' });
const jwks = jwksOf([key]);
const good = await mint(key, { sub: 'a', iat: now(), exp: now() + 600 });
const expired = await mint(key, { sub: 'a', exp: now() - 600 });
const fetchJwks = async () => new Response(JSON.stringify(jwks), { status: 200, headers: { 'content-type': 'application/json' } });
const body = '{"event":1}';
const hook = await mint(key, { iss: 'https://sender.example', iat: now(), exp: now() + 60, jti: randomUUID(), request_body_sha256: createHash('sha256').update(body).digest('hex') });
const access = await mint(key, { iss: 'https://as.example', aud: 'https://api.example', sub: 'u', client_id: 'c', iat: now(), exp: now() + 300, jti: 'j' }, { header: { typ: 'at+jwt' } });
const holder = await jose.generateKeyPair('ES256');
const proof = await new jose.SignJWT({ htm: 'GET', htu: 'https://api.example/r', iat: now(), jti: randomUUID() })
  .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await jose.exportJWK(holder.publicKey) }).sign(holder.privateKey);

const other = await generateKey('ES384', { kid: null });
const orphan = await mint(other, { sub: 'a', exp: now() + 600 }, { kid: null });
const strangerKid = await mint(key, { sub: 'a', exp: now() + 600 }, { kid: 'unknown' });
const fromIdp = await mint(key, { iss: 'https://idp.example', sub: 'a', exp: now() + 600 });
const dpopBound = await mint(key, { iss: 'https://as.example', aud: 'https://api.example', sub: 'u', client_id: 'c', iat: now(), exp: now() + 300, jti: 'j', cnf: { jkt: await jose.calculateJwkThumbprint(await jose.exportJWK(holder.publicKey)) } }, { header: { typ: 'at+jwt' } });
const resourceOptions = { keys: jwks, issuer: 'https://as.example', audience: 'https://api.example' };
// Serves the JWKS, the issuer's metadata, and fails every third JWKS request.
let served = 0;
const upstream = async (url) => {
  const href = String(url);
  if (href.endsWith('/.well-known/openid-configuration')) return new Response(JSON.stringify({ issuer: 'https://idp.example', jwks_uri: 'https://idp.example/jwks' }), { status: 200 });
  served += 1;
  return served % 3 === 0 ? new Response('down', { status: 500 }) : fetchJwks();
};
// A JwksStore in memory.
function memoryStore() {
  const data = new Map();
  return { get: async (url) => data.get(url) ?? null, set: async (url, state) => { data.set(url, state); } };
}

async function remoteSteps() {
  const remote = new api.RemoteJwks('https://idp.example/jwks', { fetch: fetchJwks, cooldownMs: 0 });
  const shared = memoryStore();
  const stored = new api.RemoteJwks('https://idp.example/jwks', { fetch: upstream, store: shared, cooldownMs: 0 });
  const cooling = new api.RemoteJwks('https://idp.example/jwks', { fetch: upstream, store: shared, cooldownMs: 60_000 });
  const steps = [
    () => api.verifyJwt(good, remote), () => remote.stats(), () => remote.exportState(), () => remote.refresh(),
    () => api.verifyJwt(expired, remote), () => api.verifyJwt(orphan, remote), () => api.verifyJwt(strangerKid, remote),
    () => api.verifyJwt(good, stored), () => api.verifyJwt(orphan, stored), () => api.verifyJwt(strangerKid, stored), () => stored.refresh(),
    () => api.verifyJwt(good, cooling), () => api.verifyJwt(strangerKid, cooling), () => api.verifyJwt(strangerKid, cooling),
    () => api.RemoteJwks.fromState('https://idp.example/jwks', remote.exportState(), { fetch: fetchJwks }).keySet(),
    () => api.discoverJwks('https://idp.example', { fetch: upstream }),
    async () => {
      const trusted = new api.TrustedIssuers(['https://idp.example'], { fetch: upstream });
      await api.verifyJwt(fromIdp, trusted).catch(() => {});
      const picky = new api.TrustedIssuers((iss) => iss === 'https://idp.example', { fetch: async () => { throw new Error('offline'); } });
      await api.verifyJwt(fromIdp, picky).catch(() => {});
      await api.verifyJwt(good, picky).catch(() => {});
      return [trusted.stats(), picky.stats()];
    },
  ];
  for (const step of steps) await Promise.resolve().then(step).catch(() => {});
}

// The public API, broadly; failures are allowed (a trap fails the call it happens in).
async function scenario() {
  const inline = { keys: [{ ...key.jwk, ext: randomUUID() }] };
  const same = {};
  const steps = [
    () => api.verifyJwt(good, inline),
    () => { api.verifyJwtSync(good, jwks, same); return api.verifyJwtSync(good, jwks, same); },
    () => api.authenticateRequest({ method: 'GET', url: 'https://api.example/r', headers: { authorization: `DPoP ${dpopBound}`, dpop: proof } }, resourceOptions),
    () => api.authenticateRequest({ method: 'GET', url: 'https://api.example/r', headers: { authorization: `Bearer ${expired}` } }, resourceOptions),
    () => api.authenticateRequest({ method: 'GET', url: 'https://api.example/r', headers: { authorization: `DPoP ${dpopBound}`, dpop: 'x.y.z' } }, resourceOptions),
    remoteSteps,
    async () => {
      // The asynchronous (prepare/finish) path.
      api.setBackend('webcrypto');
      try {
        for (const step of [() => api.verifyJwt(good, jwks), () => api.verifyJwt(good, inline), () => api.verifyJwt(expired, jwks),
          () => api.verifyDpopProof(proof, { method: 'GET', url: 'https://api.example/r' }), () => api.verifyDpopProof(proof, { method: 'POST', url: 'https://api.example/r' }),
          () => api.verifyWebhook({ authorization: `Bearer ${hook}`, body }, jwks), () => api.checkAssertion(good, { clientId: 'a', audience: 'x', keys: jwks })]) {
          await Promise.resolve().then(step).catch(() => {});
        }
      } finally {
        api.setBackend('auto');
      }
    },
    async () => {
      api.setBackend('rust');
      try {
        await api.verifyJwt(good, jwks).catch(() => {});
        return api.verifyJwt(await mint(await hs, { sub: 'a' }), { keys: [(await hs).jwk] }, { algorithms: ['HS256'] }).catch(() => {});
      } finally {
        api.setBackend('auto');
      }
    },
    () => api.parseJwks(jwks).keys,
    () => api.verifyJwtSync(good, jwks),
    () => api.verifyJwt(good, jwks),
    () => api.verifyJwt(expired, jwks),
    () => api.verifyJwtSync(expired, jwks),
    () => { const v = api.createVerifier(jwks, { clockTolerance: 5 }); return v.verify(good).finally(() => v.free()); },
    () => api.decodeJwt('not.a.token'),
    () => api.explainClaims(good, {}),
    () => api.explainSelection(jwks, good),
    () => api.checkAssertion(good, { clientId: 'a', audience: 'x', keys: jwks }),
    () => api.verifyWebhook({ authorization: `Bearer ${hook}`, body }, jwks, { replay: new api.ReplayCache() }),
    () => api.verifyAccessToken(access, jwks, { issuer: 'https://as.example', audience: 'https://api.example' }),
    () => api.verifyDpopProof(proof, { method: 'GET', url: 'https://api.example/r' }),
    () => api.authenticateRequest({ method: 'GET', url: 'https://api.example/r', headers: { authorization: `Bearer ${access}` } }, { keys: jwks, issuer: 'https://as.example', audience: 'https://api.example' }),
  ];
  for (const step of steps) {
    try {
      await step();
    } catch {
      // a trap or its consequence
    }
  }
}

async function assertWorks(what) {
  const fresh = api.parseJwks(jwks);
  assert.equal(api.verifyJwtSync(good, fresh).payload.sub, 'a', `${what}: a sync verification on the fresh instance`);
  assert.equal((await api.verifyJwt(good, jwks)).payload.sub, 'a', `${what}: an async verification`);
  const remote = new api.RemoteJwks('https://idp.example/after', { fetch: fetchJwks });
  assert.equal((await api.verifyJwt(good, remote)).payload.sub, 'a', `${what}: a RemoteJwks`);
  assert.equal(remote.stats().fetches, 1, `${what}: stats()`);
  assert.equal(remote.exportState().url, 'https://idp.example/after', `${what}: exportState()`);
}

function wasmMethods() {
  const methods = [];
  for (const [name, value] of Object.entries(gen)) {
    if (typeof value !== 'function' || !/^class\b/.test(Function.prototype.toString.call(value))) continue;
    for (const [target, kind] of [[value.prototype, 'prototype'], [value, 'static']]) {
      for (const method of Object.getOwnPropertyNames(target)) {
        if (method.startsWith('__') || ['constructor', 'length', 'name', 'prototype'].includes(method)) continue;
        if (typeof Object.getOwnPropertyDescriptor(target, method).value === 'function') methods.push([name, kind, target, method]);
      }
    }
  }
  return methods;
}

test('a trap in any method of any wasm object replaces the instance, and the next call works', async () => {
  await api.ready();
  const methods = wasmMethods();
  assert.ok(methods.length > 60, `${methods.length} methods`);
  const unrecovered = [];
  let fired = 0;
  const notFired = [];
  for (const [name, kind, target, method] of methods) {
    const original = target[method];
    let trapped = false;
    target[method] = function trapping(...args) {
      target[method] = original;
      trapped = true;
      gen.__trapForTests();
      return original.apply(this, args);
    };
    const before = instanceId();
    try {
      await scenario();
    } finally {
      target[method] = original;
    }
    if (!trapped) { notFired.push(`${name}.${method}`); continue; }
    fired += 1;
    if (instanceId() === before) unrecovered.push(`${name}.${kind === 'static' ? '' : 'prototype.'}${method}`);
    await assertWorks(`${name}.${method}`);
  }
  assert.deepEqual(unrecovered, [], 'traps that left the dead instance in place');
  assert.ok(fired > 40, `${fired} methods trapped during the scenario; not reached: ${notFired.join(", ")}`);
});

test('RemoteJwks#stats() and #exportState(): a trap in them is reported and replaces the instance', async () => {
  for (const method of ['stats', 'exportState']) {
    const remote = new api.RemoteJwks('https://idp.example/jwks', { fetch: fetchJwks });
    await api.verifyJwt(good, remote);
    const stale = api.parseJwks(jwksOf([key]), {});
    const original = gen.WasmRemoteCache.prototype[method];
    gen.WasmRemoteCache.prototype[method] = function trapping() {
      gen.WasmRemoteCache.prototype[method] = original;
      gen.__trapForTests();
    };
    let err;
    try {
      remote[method]();
    } catch (e) {
      err = e;
    } finally {
      gen.WasmRemoteCache.prototype[method] = original;
    }
    assert.ok(err instanceof WebAssembly.RuntimeError, `${method}: the trap itself is reported (${err})`);
    assert.equal((await api.verifyJwt(good, stale).catch((e) => e)).code, 'ERR_JWKS_INVALID', `${method}: the instance was replaced`);
    assert.equal((await api.verifyJwt(good, remote)).payload.sub, 'a', `${method}: the RemoteJwks works again (it refetches)`);
    assert.equal(remote.stats().fetches, 1);
    await assertWorks(method);
  }
});

test('a claim failure whose payload lookup (decodeJwt) traps: the instance is replaced, the failure still reported', async () => {
  const stale = api.parseJwks(jwksOf([key]), {});
  const parse = JSON.parse;
  let armed = true;
  // The payload of a claim error comes from decodeJwt's JSON; a trap there (forced while that
  // text is read) used to be swallowed with the missing payload.
  JSON.parse = function parsing(text, ...rest) {
    if (armed && typeof text === 'string' && text.includes('"signature"') && text.includes('"payload"')) {
      armed = false;
      gen.__trapForTests();
    }
    return parse.call(this, text, ...rest);
  };
  let err;
  try {
    err = await api.verifyJwt(expired, jwks).catch((e) => e);
  } finally {
    JSON.parse = parse;
  }
  assert.equal(armed, false, 'the trap fired');
  assert.equal(err.code, 'ERR_JWT_EXPIRED');
  assert.equal((await api.verifyJwt(good, stale).catch((e) => e)).code, 'ERR_JWKS_INVALID', 'the instance was replaced');
  await assertWorks('decodeJwt');
});

test('a verifier made before a trap reads its options again on the new instance, and still applies them', async () => {
  const otherSub = await mint(key, { sub: 'b', iat: now(), exp: now() + 600 });
  for (const [method, run] of [['verifyToken', (v, t) => v.verifySync(t)], ['verify', (v, t) => v.verify(t)]]) {
    const verifier = api.createVerifier(jwks, { subject: 'a', maxTokenAge: '1h' });
    assert.equal((await run(verifier, good)).payload.sub, 'a');
    const original = gen.WasmProfile.prototype[method];
    gen.WasmProfile.prototype[method] = function trapping() {
      gen.WasmProfile.prototype[method] = original;
      gen.__trapForTests();
    };
    const before = instanceId();
    let err;
    try {
      err = await Promise.resolve().then(() => run(verifier, good)).catch((e) => e);
    } finally {
      gen.WasmProfile.prototype[method] = original;
    }
    assert.ok(err instanceof WebAssembly.RuntimeError, `${method}: the trap is reported (${err})`);
    assert.notEqual(instanceId(), before, `${method}: the instance was replaced`);
    assert.equal(verifier.verifySync(good).payload.sub, 'a', `${method}: verifySync works again`);
    assert.equal((await verifier.verify(good)).payload.sub, 'a', `${method}: verify works again`);
    const refused = await verifier.verify(otherSub).catch((e) => e);
    assert.equal(refused.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED', `${method}: the subject option still applies`);
    assert.equal(refused.claim, 'sub');
    assert.throws(() => verifier.verifySync(otherSub), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'sub' });
    verifier.free();
  }
});

test('after a trap, a verifier whose options object changed since it was read refuses to run, and frees nothing of the dead instance', async () => {
  const otherSub = await mint(key, { sub: 'b', iat: now(), exp: now() + 600 });
  const trapOnce = () => {
    const original = gen.WasmProfile.prototype.verifyToken;
    gen.WasmProfile.prototype.verifyToken = function trapping() {
      gen.WasmProfile.prototype.verifyToken = original;
      gen.__trapForTests();
    };
  };
  for (const changed of ['b', 42, undefined]) {
    const options = { subject: 'a' };
    const verifier = api.createVerifier(jwks, options);
    assert.equal(verifier.verifySync(good).payload.sub, 'a');
    trapOnce();
    assert.throws(() => verifier.verifySync(good), WebAssembly.RuntimeError);
    options.subject = changed;
    for (const attempt of [() => verifier.verifySync(otherSub), () => verifier.verify(otherSub)]) {
      const err = await Promise.resolve().then(attempt).catch((e) => e);
      assert.equal(err.code, 'ERR_JWKS_INVALID', `subject changed to ${changed}: ${err}`);
      assert.match(err.message, /options object has changed/);
    }
    const free = gen.WasmProfile.prototype.free;
    let freed = 0;
    gen.WasmProfile.prototype.free = function counting(...args) {
      freed += 1;
      return free.apply(this, args);
    };
    try {
      verifier.free();
    } finally {
      gen.WasmProfile.prototype.free = free;
    }
    assert.equal(freed, 0, 'nothing of the dead instance is freed in the new one');
    options.subject = 'a';
    assert.equal(verifier.verifySync(good).payload.sub, 'a', 'the options as first read: it runs again');
    assert.throws(() => verifier.verifySync(otherSub), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'sub' });
    verifier.free();
    await assertWorks(`subject changed to ${changed}`);
  }
});
