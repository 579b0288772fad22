// Review 3 (attack on the options cache of authenticateRequest, verifyAccessToken and
// verifyWebhook, and on authenticateRequest's cnf binding and header crossing): a reused options
// object must get, on every call, the verdict a fresh copy of it gets, however it changed in
// between (class instances whose members change, Proxies over mutable state, functions); the
// binding rule over many cnf shapes; header values with non-ASCII text and lone surrogates.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { authenticateRequest, verifyAccessToken, verifyWebhook, verifyJwt, parseJwks, ReplayCache } from '../../pkg/node.mjs';
import { NOW, generateKey, jwksOf, mint, seededInt } from './helpers.mjs';

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
    for (const call of ['webhook', 'resource']) {
      const store = make();
      const options = call === 'webhook' ? { currentDate: NOW, issuer: ISSUER, replay: store } : { keys: keySet, issuer: ISSUER, audience: AUDIENCE, currentDate: NOW, dpopReplay: store };
      const run = (o) => (call === 'webhook' ? verifyWebhook({ ...hook }, keySet, o).then((r) => `ok ${r.payload.iss}`, thrown) : authenticateRequest(bearer(), o).then(verdict, thrown));
      for (let i = 0; i < 3; i++) await run(options);
      spoil(store);
      const expected = await run({ ...options });
      assert.match(expected, /^TypeError ERR_INVALID_OPTION/, `${name} ${call}`);
      assert.equal(await run(options), expected, `${name} ${call}`);
      cases++;
    }
  }
  assert.equal(cases, 10);
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
