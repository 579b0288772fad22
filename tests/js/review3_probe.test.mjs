// Review 3 (attack on the options cache of authenticateRequest, verifyAccessToken and
// verifyWebhook, and on authenticateRequest's cnf binding and header crossing): a reused options
// object must get, on every call, the verdict a fresh copy of it gets, however it changed in
// between (class instances whose members change, Proxies over mutable state, functions); the
// binding rule over many cnf shapes; header values with non-ASCII text and lone surrogates.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { authenticateRequest, createVerifier, verifyAccessToken, verifyWebhook, verifyJwt, verifyJwtSync, parseJwks, ReplayCache } from '../../pkg/node.mjs';
import { NOW, generateKey, jwksOf, mint, seededInt, signJson } from './helpers.mjs';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';
const URL_ = `${AUDIENCE}/x`;

let signer;
let keySet;
let token;
let client;
before(async () => {
  signer = await generateKey('ES256', { kid: 'k1' });
  keySet = parseJwks(jwksOf([signer]));
  token = await mint(signer, { iss: ISSUER, aud: AUDIENCE, sub: 'u', client_id: 'c', jti: 'j', iat: NOW - 10, exp: NOW + 600, scope: 'read write' }, { header: { typ: 'at+jwt' } });
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = await jose.exportJWK(pair.publicKey);
  client = { alg: 'ES256', privateKey: pair.privateKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, 'sha256') };
});

const verdict = (result) => (result.ok ? `ok ${result.payload.sub}${result.jkt ? ` ${result.jkt}` : ''}` : `${result.status} ${result.error ?? ''} ${result.errorDescription ?? ''} ${result.wwwAuthenticate}`);
const thrown = (err) => `${err.name} ${err.code} ${err.option ?? ''} ${err.claim ?? ''} ${err.reason ?? ''}`;
const bearer = (t = token) => ({ method: 'GET', url: URL_, headers: { authorization: `Bearer ${t}`, host: 'api.example' } });

// A store whose markUsed is its own member (a class field), not its prototype's.
class FieldStore {
  markUsed = () => true;
}
class ProtoStore {
  markUsed() {
    return true;
  }
}

test('a class-instance replay store whose markUsed goes away after caching is refused as a fresh copy is (every entry point)', async () => {
  const body = '{"e":1}';
  const hash = createHash('sha256').update(body).digest('hex');
  const hook = { authorization: `Bearer ${await mint(signer, { iss: ISSUER, iat: NOW, jti: 'h', request_body_sha256: hash })}`, body };
  const kinds = [
    ['field', () => new FieldStore(), (s) => { delete s.markUsed; }],
    ['field set', () => new FieldStore(), (s) => { s.markUsed = 5; }],
    ['proto', () => { class P extends ProtoStore {} return new P(); }, (s) => { Object.getPrototypeOf(s).markUsed = null; }],
    ['function', () => Object.assign(() => 0, { markUsed: () => true }), (s) => { delete s.markUsed; }],
    ['ReplayCache own', () => new ReplayCache(), (s) => { s.markUsed = 'x'; }],
  ];
  let cases = 0;
  for (const [name, make, spoil] of kinds) {
    for (const call of ['webhook', 'resource', 'webhook, wrong body']) {
      const store = make();
      const options = call !== 'resource' ? { currentDate: NOW, issuer: ISSUER, replay: store } : { keys: keySet, issuer: ISSUER, audience: AUDIENCE, currentDate: NOW, dpopReplay: store };
      const notification = call === 'webhook' ? hook : { ...hook, body: '{"e":2}' };
      const run = (o) => (call !== 'resource' ? verifyWebhook({ ...notification }, keySet, o).then((r) => `ok ${r.payload.iss}`, thrown) : authenticateRequest(bearer(), o).then(verdict, thrown));
      for (let i = 0; i < 3; i++) await run(options);
      spoil(store);
      const expected = await run({ ...options });
      assert.match(expected, /^TypeError ERR_INVALID_OPTION/, `${name} ${call}`);
      assert.equal(await run(options), expected, `${name} ${call}`);
      cases++;
    }
  }
  assert.equal(cases, 15);
});

// A copy the cache has never seen, read through the same [[Get]] the core uses.
function fresh(value) {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return Array.from({ length: value.length }, (_, i) => fresh(value[i]));
  if (value !== null && typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fresh(v)]));
  }
  return value;
}

test('a Proxy whose get reads outside state (a config view): the cached reading follows it back and forth', async () => {
  const ISSUERS = [ISSUER, 'https://other.example', null, 5, ['x']];
  const AUDIENCES = [AUDIENCE, 'https://other.example', [AUDIENCE], 7];
  const calls = {
    resource: async (o) => authenticateRequest(bearer(), o).then(verdict, thrown),
    access: async (o) => verifyAccessToken(token, keySet, o).then((r) => `ok ${r.payload.sub}`, thrown),
    jwt: async (o) => verifyJwt(token, keySet, o).then((r) => `ok ${r.payload.sub}`, thrown),
  };
  const seen = new Set();
  let cases = 0;
  for (const [name, call] of Object.entries(calls)) {
    for (let seed = 1; seed <= 12; seed++) {
      const pick = seededInt(seed);
      const state = { issuer: ISSUER, audience: AUDIENCE };
      const target = { issuer: ISSUER, audience: AUDIENCE, currentDate: NOW };
      if (name === 'resource') target.keys = keySet;
      const options = new Proxy(target, { get: (t, k) => (k in state ? state[k] : t[k]) });
      for (let step = 0; step < 20; step++) {
        if (pick(2) === 0) state.issuer = pick.pick(ISSUERS);
        if (pick(2) === 0) state.audience = pick.pick(AUDIENCES);
        const expected = await call(fresh(options));
        seen.add(expected.slice(0, 12));
        assert.equal(await call(options), expected, `${name} seed ${seed} step ${step} ${JSON.stringify(state)}`);
        cases++;
      }
    }
  }
  assert.ok(cases >= 700);
  for (const start of ['ok', 'TypeError', '401', 'JoseError']) assert.ok([...seen].some((v) => v.startsWith(start)), [...seen].join('; '));
});

// A Date whose time the caller's code decides (the core calls getTime as any caller would).
class MovableDate extends Date {
  static at = NOW * 1000;
  getTime() {
    return MovableDate.at;
  }
}

test('hostile edits of a reused options object (prototypes, accessors, hidden members, Symbols, freezing, shared arrays, Date subclasses, stores, traps) across three entry points', async () => {
  const gen = await import('../../pkg/gen/jwks_verify.js');
  const resolver = async () => jwksOf([signer]);
  const shared = { audience: [AUDIENCE], scopes: ['read'] };
  const stores = [new ReplayCache(), new FieldStore(), new ProtoStore(), Object.assign(() => 0, { markUsed: () => true })];
  let trapNext = false;
  const EDITS = [
    (o) => { o.issuer = ISSUER; },
    (o) => { o.issuer = 'https://other.example'; },
    (o) => { Object.setPrototypeOf(o, null); },
    (o) => { Object.setPrototypeOf(o, Object.prototype); },
    (o) => { Object.setPrototypeOf(o, { issuer: ISSUER }); },
    (o) => { Object.defineProperty(o, 'issuer', { value: 'https://hidden.example', enumerable: false, writable: true, configurable: true }); },
    (o) => { Object.defineProperty(o, 'issuer', { value: ISSUER, enumerable: true, writable: true, configurable: true }); },
    (o) => { Object.defineProperty(o, 'issuer', { get: () => ISSUER, enumerable: true, configurable: true }); },
    (o) => { o[Symbol.for('issuer')] = 'x'; },
    (o) => { Object.freeze(o); },
    (o) => { o.audience = shared.audience; },
    (o) => { shared.audience[0] = shared.audience[0] === AUDIENCE ? 'https://other.example' : AUDIENCE; },
    (o) => { shared.audience.extra = 'x'; },
    (o) => { Object.setPrototypeOf(shared.audience, Object.prototype); },
    (o) => { Object.setPrototypeOf(shared.audience, Array.prototype); },
    (o) => { shared.audience.length = shared.audience.length ? 0 : 1; shared.audience[0] ??= AUDIENCE; },
    (o) => { o.requiredScopes = shared.scopes; },
    (o) => { shared.scopes.push('admin'); },
    (o) => { shared.scopes.length = 1; },
    (o) => { o.currentDate = new MovableDate(); },
    (o) => { MovableDate.at = (NOW + 3600) * 1000; },
    (o) => { MovableDate.at = NOW * 1000; },
    (o) => { if (o.currentDate instanceof Date) Object.setPrototypeOf(o.currentDate, Object.prototype); },
    (o) => { o.currentDate = NOW; },
    (o) => { o.dpopReplay = stores[1]; },
    (o) => { o.dpopReplay = stores[2]; },
    (o) => { o.dpopReplay = stores[3]; },
    (o) => { o.dpopReplay = stores[0]; },
    (o) => { if (o.dpopReplay) o.dpopReplay.markUsed = o.dpopReplay.markUsed ? undefined : () => true; },
    (o) => { ProtoStore.prototype.markUsed = ProtoStore.prototype.markUsed ? undefined : function markUsed() { return true; }; },
    (o) => { delete o.dpopReplay; },
    (o) => { o.keys = keySet; },
    (o) => { o.keys = jwksOf([signer]); },
    (o) => { o.keys = resolver; },
    (o) => { o.keys = 'not keys'; },
    (o) => { o.keys = parseJwks(jwksOf([signer])); },
    (o) => { if (o.keys !== keySet && typeof o.keys?.free === 'function') o.keys.free(); },
    () => { trapNext = true; },
  ];
  const calls = [
    ['resource', (o) => authenticateRequest(bearer(), o).then(verdict, thrown)],
    ['access', (o) => verifyAccessToken(token, keySet, o).then((r) => `ok ${r.payload.sub}`, thrown)],
    ['jwt', (o) => verifyJwt(token, keySet, o).then((r) => `ok ${r.payload.sub}`, thrown)],
  ];
  const seen = new Set();
  let cases = 0;
  for (let seed = 1; seed <= 30; seed++) {
    const pick = seededInt(seed * 7919);
    shared.audience = [AUDIENCE];
    shared.scopes = ['read'];
    MovableDate.at = NOW * 1000;
    ProtoStore.prototype.markUsed = function markUsed() { return true; };
    for (const s of stores) if (typeof s.markUsed !== 'function' && !(s instanceof ProtoStore)) s.markUsed = () => true;
    const a = { keys: keySet, issuer: ISSUER, audience: AUDIENCE, currentDate: NOW };
    const b = { keys: keySet, issuer: ISSUER, audience: shared.audience, currentDate: NOW };
    for (let step = 0; step < 30; step++) {
      const target = pick(2) ? a : b;
      if (pick(2) === 0) try { EDITS[pick(EDITS.length)](target); } catch { /* a frozen object */ }
      for (const options of [a, b]) {
        for (const [name, call] of calls) {
          const copy = fresh(options);
          if (trapNext && name === 'resource') {
            trapNext = false;
            const original = gen.WasmResource.prototype.credentials;
            gen.WasmResource.prototype.credentials = function trapping(...args) {
              gen.WasmResource.prototype.credentials = original;
              gen.__trapForTests();
              return original.apply(this, args);
            };
            await call(options);
            gen.WasmResource.prototype.credentials = original;
            // The calls' own keys made again (the options keep theirs, stale, until an edit).
            keySet = parseJwks(jwksOf([signer]));
          }
          const expected = await call(copy);
          seen.add(expected.slice(0, 12));
          assert.equal(await call(options), expected, `${name} seed ${seed} step ${step}`);
          cases++;
        }
      }
    }
  }
  assert.ok(cases >= 5000, `${cases}`);
  for (const start of ['ok', 'TypeError', '401', 'JoseError']) assert.ok([...seen].some((v) => v.startsWith(start)), [...seen].join('; '));
});

test('keys refused as they cross (freed, or of an instance a trap replaced): a wrong option is reported first on the first call as on the next ones, as createVerifier does', async () => {
  const gen = await import('../../pkg/gen/jwks_verify.js');
  const trap = async () => {
    const original = gen.WasmResource.prototype.credentials;
    gen.WasmResource.prototype.credentials = function trapping(...args) {
      gen.WasmResource.prototype.credentials = original;
      gen.__trapForTests();
      return original.apply(this, args);
    };
    try {
      await authenticateRequest(bearer(), { keys: keySet, issuer: ISSUER, audience: AUDIENCE, currentDate: NOW });
    } catch {
      /* the trap */
    } finally {
      gen.WasmResource.prototype.credentials = original;
    }
  };
  const BAD = [{ issuer: 5 }, { keys: 'x' }, { audience: [null] }, { currentDate: 'now' }, { algorithms: 'ES256' }, { maxTokenLength: -1 }, { clockTolerance: {} }, { issuer: ISSUER }];
  const kinds = {
    freed: async () => { const k = parseJwks(jwksOf([signer])); k.free(); return k; },
    stale: async () => { const k = parseJwks(jwksOf([signer])); await trap(); return k; },
  };
  const verdictOf = async (fn) => { try { await fn(); return 'ok'; } catch (err) { return thrown(err); } };
  let cases = 0;
  for (const [kind, make] of Object.entries(kinds)) {
    for (const bad of BAD) {
      for (const [name, call] of [['verifyJwt', (k, o) => verifyJwt(token, k, o)], ['verifyJwtSync', (k, o) => verifyJwtSync(token, k, o)]]) {
        const keys = await make();
        const options = { currentDate: NOW, ...bad };
        const expected = await verdictOf(() => createVerifier(keys, { ...options }).verify(token));
        assert.match(expected, bad.issuer === ISSUER ? /^JoseError ERR_JWKS_INVALID/ : /^TypeError ERR_INVALID_OPTION/, `${kind} ${JSON.stringify(bad)}`);
        for (let i = 0; i < 3; i++) assert.equal(await verdictOf(() => call(keys, options)), expected, `${kind} ${name} ${JSON.stringify(bad)} call ${i + 1}`);
        cases++;
      }
    }
  }
  keySet = parseJwks(jwksOf([signer]));
  assert.equal(cases, 32);
});

// The RFC 9449 §7 rule as API.md states it, on the cnf the token carries (JSON.parse of its text).
function bindingModel(cnfText, scheme, proofJkt) {
  let binding = 'none';
  // A lone surrogate escape anywhere makes the claims set malformed (the core's JSON rule).
  if (cnfText !== undefined && /\\ud[89a-f]/i.test(JSON.stringify(JSON.parse(cnfText)))) return '401 invalid_token';
  if (cnfText !== undefined) {
    const cnf = JSON.parse(cnfText);
    if (cnf === null || typeof cnf !== 'object' || Array.isArray(cnf)) binding = 'invalid';
    else if (Object.hasOwn(cnf, 'jkt')) binding = typeof cnf.jkt === 'string' && cnf.jkt !== '' ? cnf.jkt : 'invalid';
    else if (Object.keys(cnf).length > 0) binding = 'invalid';
  }
  if (binding === 'invalid') return '401 invalid_token';
  if (scheme === 'Bearer') return binding === 'none' ? 'ok' : '401 invalid_token';
  if (binding === 'none') return '401 invalid_token';
  return binding === proofJkt ? `ok ${binding}` : '401 invalid_dpop_proof';
}

test('the cnf binding over generated cnf texts (escapes, lone surrogates, __proto__, non-objects), as Bearer and as DPoP, against the rule', async () => {
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  const otherJkt = await jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey), 'sha256');
  const escaped = (text) => `"${[...text].map((c, i) => (i % 3 === 0 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('')}"`;
  const JKTS = [JSON.stringify(client.jkt), escaped(client.jkt), JSON.stringify(otherJkt), '""', '5', 'null', 'true', `[${JSON.stringify(client.jkt)}]`, '{}', JSON.stringify(`${client.jkt} `), '"\\ud800"', `"${client.jkt.slice(0, -1)}\\udfff"`, '"é"'];
  const EXTRAS = ['', '"x5t#S256":"abc"', '"kid":"k"', '"jwk":{"kty":"EC"}', '"__proto__":{"jkt":"x"}'];
  const texts = [undefined, 'null', '5', '"jkt"', '[]', `[{"jkt":${JSON.stringify(client.jkt)}}]`, 'true', '{}', `{"__proto__":{"jkt":${JSON.stringify(client.jkt)}}}`];
  for (const jkt of JKTS) for (const extra of EXTRAS) texts.push(`{"jkt":${jkt}${extra ? `,${extra}` : ''}}`);
  for (const extra of EXTRAS.slice(1)) texts.push(`{${extra}}`);
  const options = { keys: keySet, issuer: ISSUER, audience: AUDIENCE, currentDate: NOW };
  const header = JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' });
  const seen = new Set();
  let cases = 0;
  for (const cnfText of texts) {
    const claims = `{"iss":${JSON.stringify(ISSUER)},"aud":${JSON.stringify(AUDIENCE)},"sub":"u","client_id":"c","jti":"${randomUUID()}","iat":${NOW - 10},"exp":${NOW + 600}${cnfText === undefined ? '' : `,"cnf":${cnfText}`}}`;
    const at = await signJson(signer, header, claims);
    for (const scheme of ['Bearer', 'DPoP']) {
      const headers = new Headers({ authorization: `${scheme} ${at}` });
      if (scheme === 'DPoP') {
        const ath = createHash('sha256').update(at).digest('base64url');
        headers.set('dpop', await new jose.SignJWT({ htm: 'GET', htu: URL_, iat: NOW, jti: randomUUID(), ath }).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: client.jwk }).sign(client.privateKey));
      }
      const result = await authenticateRequest(new Request(URL_, { headers }), options);
      const got = result.ok ? `ok${result.jkt ? ` ${result.jkt}` : ''}` : `${result.status} ${result.error}`;
      assert.equal(got, bindingModel(cnfText, scheme, client.jkt), `${scheme} cnf ${cnfText}: ${JSON.stringify(result)}`);
      seen.add(got.split(' ')[0] + (result.error ?? ''));
      cases++;
    }
  }
  assert.ok(cases > 140, `${cases}`);
  assert.deepEqual([...seen].sort(), ['401invalid_dpop_proof', '401invalid_token', 'ok']);
});

// Header text as the core read it before (wasm-bindgen's copy: lone surrogates become U+FFFD,
// as TextEncoder makes them): the verdict on a value equals the verdict on its well-formed form.
test('Authorization and DPoP values with non-ASCII text and lone surrogates are judged as their well-formed forms', async () => {
  const pick = seededInt(4242);
  const PIECES = ['\ud800', '\udfff', '\ud83d', '\ude00', '\ud83d\ude00', 'é', '\u00a0', '\u2028', '\ufeff', '\u0000', ' ', '\t', ',', '"', 'Bearer', 'DPoP', '=', 'a'];
  const piece = () => pick.pick(PIECES);
  const options = { keys: keySet, issuer: ISSUER, audience: AUDIENCE, currentDate: NOW };
  const verdictFor = async (authorization, dpop) => {
    const headers = { authorization, host: 'api.example' };
    if (dpop !== undefined) headers.dpop = dpop;
    return authenticateRequest({ method: 'GET', url: '/x', headers }, options).then(verdict, thrown);
  };
  const seen = new Set();
  let lone = 0;
  for (let i = 0; i < 400; i++) {
    const at = pick(4) === 0 ? token : token.slice(0, pick(token.length));
    const where = pick(5);
    let authorization = `${pick.pick(['Bearer', 'DPoP', 'bearer', 'Bearer\u00a0'])} ${at}`;
    if (where === 0) authorization = piece() + authorization;
    else if (where === 1) authorization += piece();
    else if (where === 2) authorization = authorization.replace(' ', ` ${piece()}`);
    else if (where === 3) { const at2 = pick(at.length + 1); authorization = authorization.slice(0, 7 + at2) + piece() + authorization.slice(7 + at2); }
    const dpop = pick(3) === 0 ? `${piece()}x.y.z${piece()}` : undefined;
    if (!authorization.isWellFormed() || (dpop !== undefined && !dpop.isWellFormed())) lone++;
    const expected = await verdictFor(authorization.toWellFormed(), dpop?.toWellFormed());
    seen.add(expected.slice(0, 3));
    assert.equal(await verdictFor(authorization, dpop), expected, `${JSON.stringify(authorization)} ${JSON.stringify(dpop)}`);
  }
  assert.ok(lone > 80, `${lone}`);
  assert.ok(seen.has('ok ') && seen.has('400') && seen.has('401'), [...seen].join(' '));
});
