// The options cache of authenticateRequest (a framework adapter passes one options object on
// every request), verifyAccessToken and verifyWebhook, as an invariant: an options object reused and edited
// between calls gives, on every call, the verdict a fresh copy of it gives (a fresh object is
// never cached). Options there hold objects the core does not look inside (a KeySet, a replay
// store): swapping one for another, or for plain data, must be seen too.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { authenticateRequest, verifyAccessToken, verifyWebhook, parseJwks, ReplayCache } from '../../pkg/node.mjs';
import { NOW, generateKey, jwksOf, mint, seededInt } from './helpers.mjs';

const ISSUER = 'https://issuer.example';
const AUDIENCE = 'https://api.example';

let token;
let signer;
let keySets; // [the signer's KeySet, another KeySet, the signer's JWKS as plain data]

before(async () => {
  signer = await generateKey('ES256', { kid: 'k1' });
  const other = await generateKey('ES256', { kid: 'k1' });
  keySets = [parseJwks(jwksOf([signer])), parseJwks(jwksOf([other])), jwksOf([signer])];
  token = await mint(signer, { iss: ISSUER, aud: AUDIENCE, sub: 'u', client_id: 'c', jti: 'j', iat: NOW - 10, exp: NOW + 600, scope: 'read write' }, { header: { typ: 'at+jwt' } });
});

// A copy the cache has never seen: plain data copied, any other object (a KeySet, a store)
// shared, as the core only notes its kind.
function fresh(value) {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(fresh);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fresh(v)]));
  }
  return value;
}

const stores = [new ReplayCache(), new ReplayCache(), { markUsed: () => true }];
const COMMON_EDITS = [
  (o) => { o.audience = AUDIENCE; },
  (o) => { o.audience = 'https://other.example'; },
  (o) => { o.audience = [AUDIENCE]; },
  (o) => { if (Array.isArray(o.audience)) o.audience[0] = 'https://other.example'; },
  (o) => { if (Array.isArray(o.audience)) o.audience[0] = AUDIENCE; },
  (o) => { o.issuer = ISSUER; },
  (o) => { o.issuer = null; },
  (o) => { o.requiredScopes = ['read']; },
  (o) => { o.requiredScopes = ['admin']; },
  (o) => { if (Array.isArray(o.requiredScopes)) o.requiredScopes.push('write'); },
  (o) => { if (Array.isArray(o.requiredScopes)) o.requiredScopes.length = 0; },
  (o) => { o.currentDate = new Date(NOW * 1000); },
  (o) => { if (o.currentDate instanceof Date) o.currentDate.setTime((NOW + 3600) * 1000); },
  (o) => { if (o.currentDate instanceof Date) o.currentDate.setTime(NOW * 1000); },
  (o) => { o.algorithms = ['ES256']; },
  (o) => { if (Array.isArray(o.algorithms)) o.algorithms[0] = 'RS256'; },
  (o) => { delete o.algorithms; },
  (o) => { o.requiredScoeps = ['read']; },
  (o) => { delete o.requiredScoeps; },
];
const RESOURCE_EDITS = [
  ...COMMON_EDITS,
  (o) => { o.keys = keySets[0]; },
  (o) => { o.keys = keySets[1]; },
  (o) => { o.keys = keySets[2]; },
  (o) => { o.keys = null; },
  (o) => { if (o.keys && Array.isArray(o.keys.keys)) o.keys.keys = []; },
  (o) => { o.dpopReplay = stores[0]; },
  (o) => { o.dpopReplay = stores[2]; },
  (o) => { o.dpopReplay = { markUsed: 5 }; },
  (o) => { delete o.dpopReplay; },
  (o) => { o.profile = 'jwt'; },
  (o) => { o.profile = 'at+jwt'; },
  (o) => { o.profile = 'jws'; },
  (o) => { o.dpop = 'required'; },
  (o) => { o.dpop = 'allowed'; },
  (o) => { o.realm = 'api'; },
  (o) => { o.realm = 5; },
  (o) => { delete o.realm; },
];

const verdict = (result) => (result.ok ? `ok ${result.payload.sub}` : `${result.status} ${result.error ?? ''} ${result.wwwAuthenticate}`);
const thrown = (err) => `${err.name} ${err.code} ${err.option ?? ''} ${err.claim ?? ''} ${err.reason ?? ''}`;

test('authenticateRequest: a reused, edited options object gives the verdict of a fresh copy, on every request', async () => {
  const request = { method: 'GET', url: `${AUDIENCE}/x`, headers: { authorization: `Bearer ${token}`, host: 'api.example' } };
  const verdicts = new Set();
  for (let seed = 1; seed <= 25; seed++) {
    const pick = seededInt(seed);
    // Each seed starts from a fresh JWKS object, so the plain-data edits do not leak across seeds.
    keySets[2] = jwksOf([signer]);
    const options = { keys: keySets[0], issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(NOW * 1000), requiredScopes: ['read'] };
    for (let step = 0; step < 40; step++) {
      if (pick(3) === 0) RESOURCE_EDITS[pick(RESOURCE_EDITS.length)](options);
      const expected = await authenticateRequest(request, fresh(options)).then(verdict, thrown);
      verdicts.add(expected.slice(0, 20));
      const got = await authenticateRequest(request, options).then(verdict, thrown);
      assert.equal(got, expected, `seed ${seed} step ${step}`);
    }
  }
  assert.ok([...verdicts].some((v) => v.startsWith('ok')), [...verdicts].join('; '));
  assert.ok([...verdicts].some((v) => v.startsWith('TypeError')), [...verdicts].join('; '));
  assert.ok([...verdicts].some((v) => v.startsWith('401')), [...verdicts].join('; '));
  // And the scope rule, edited back and forth on one cached object.
  const options = { keys: keySets[0], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW, requiredScopes: ['read'] };
  for (const scopes of [['read'], ['admin'], ['read'], ['read', 'write'], ['read', 'admin'], []]) {
    options.requiredScopes.length = 0;
    options.requiredScopes.push(...scopes);
    const expected = scopes.includes('admin') ? '403 insufficient_scope' : 'ok u';
    for (let i = 0; i < 2; i++) assert.equal((await authenticateRequest(request, options).then(verdict, thrown)).slice(0, expected.length), expected, scopes.join(' '));
  }
});

test('verifyAccessToken: a reused, edited options object gives the verdict of a fresh copy, on every call', async () => {
  const verdicts = new Set();
  for (let seed = 1; seed <= 25; seed++) {
    const pick = seededInt(seed);
    const options = { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(NOW * 1000), requiredScopes: ['read'] };
    for (let step = 0; step < 40; step++) {
      if (pick(3) === 0) COMMON_EDITS[pick(COMMON_EDITS.length)](options);
      const keys = keySets[pick(2)];
      const expected = await verifyAccessToken(token, keys, fresh(options)).then((r) => `ok ${r.payload.sub}`, thrown);
      verdicts.add(expected.slice(0, 20));
      assert.equal(await verifyAccessToken(token, keys, options).then((r) => `ok ${r.payload.sub}`, thrown), expected, `seed ${seed} step ${step}`);
    }
  }
  assert.ok([...verdicts].some((v) => v.startsWith('ok')), [...verdicts].join('; '));
  assert.ok([...verdicts].some((v) => v.startsWith('TypeError')), [...verdicts].join('; '));
  assert.ok([...verdicts].some((v) => v.startsWith('JoseError ERR_JWT_CL')), [...verdicts].join('; '));
});

test('a replay store whose markUsed goes away after the options were cached is still refused', async () => {
  const store = { markUsed: () => true };
  const options = { keys: keySets[0], issuer: ISSUER, audience: AUDIENCE, currentDate: NOW, dpopReplay: store };
  const request = { method: 'GET', url: `${AUDIENCE}/x`, headers: { authorization: `Bearer ${token}`, host: 'api.example' } };
  for (let i = 0; i < 3; i++) assert.equal((await authenticateRequest(request, options)).ok, true);
  delete store.markUsed;
  await assert.rejects(authenticateRequest(request, fresh(options)), { name: 'TypeError', code: 'ERR_INVALID_OPTION', option: 'dpopReplay' });
  // A Bearer request marks no proof: the cached reading must still refuse the store as the core does.
  await assert.rejects(authenticateRequest(request, options), { name: 'TypeError', code: 'ERR_INVALID_OPTION', option: 'dpopReplay' });
});

test('verifyWebhook: a reused, edited options object gives the verdict of a fresh copy, on every call', async () => {
  const body = '{"event":"paid"}';
  const hash = createHash('sha256').update(body).digest('hex');
  const notification = { authorization: `Bearer ${await mint(signer, { iss: ISSUER, iat: NOW, jti: 'n-1', request_body_sha256: hash })}`, body };
  const accepting = [{ markUsed: () => true }, { markUsed: async () => true }];
  const EDITS = [
    (o) => { o.maxAge = 300; },
    (o) => { o.maxAge = 10; },
    (o) => { o.maxAge = '5m'; },
    (o) => { o.maxAge = NaN; },
    (o) => { delete o.maxAge; },
    (o) => { o.issuer = ISSUER; },
    (o) => { o.issuer = 'https://other.example'; },
    (o) => { delete o.issuer; },
    (o) => { o.currentDate = new Date(NOW * 1000); },
    (o) => { if (o.currentDate instanceof Date) o.currentDate.setTime((NOW + 600) * 1000); },
    (o) => { if (o.currentDate instanceof Date) o.currentDate.setTime(NOW * 1000); },
    (o) => { o.replay = accepting[0]; },
    (o) => { o.replay = accepting[1]; },
    (o) => { o.replay = { markUsed: () => false }; },
    (o) => { o.replay = 5; },
    (o) => { delete o.replay; },
    (o) => { o.maxAgee = 1; },
    (o) => { delete o.maxAgee; },
  ];
  const verdicts = new Set();
  for (let seed = 1; seed <= 25; seed++) {
    const pick = seededInt(seed);
    const options = { currentDate: new Date(NOW * 1000), issuer: ISSUER };
    for (let step = 0; step < 40; step++) {
      if (pick(3) === 0) EDITS[pick(EDITS.length)](options);
      const keys = keySets[pick(2)];
      const expected = await verifyWebhook(notification, keys, fresh(options)).then((r) => `ok ${r.payload.iss}`, thrown);
      verdicts.add(expected.slice(0, 20));
      assert.equal(await verifyWebhook(notification, keys, options).then((r) => `ok ${r.payload.iss}`, thrown), expected, `seed ${seed} step ${step}`);
    }
  }
  for (const start of ['ok', 'TypeError', 'JoseError ERR_JWT_CL', 'JoseError ERR_JWT_RE', 'JoseError ERR_JWS_SI']) {
    assert.ok([...verdicts].some((v) => v.startsWith(start)), `${start}: ${[...verdicts].join('; ')}`);
  }
});
