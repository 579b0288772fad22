// The options cache (pkg/lib/options-cache.js) as an invariant: an options object reused and
// edited between calls gives, on every call, the verdict a fresh copy of it gives (a fresh
// object is never cached). Edits: reassigned, added and deleted members, arrays and objects
// edited in place, a Date moved with setTime, wrong values (a TypeError each time), accessors.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { verifyJwt, verifyJwtSync } from '../../pkg/node.mjs';
import { NOW, generateKey, jwksOf, signJson, verdictOf, seededInt } from './helpers.mjs';

let keys;
let token;

before(async () => {
  const key = await generateKey('ES256', { kid: 'es-1' });
  keys = jwksOf([key]);
  const header = { alg: 'ES256', kid: 'es-1', crit: ['ext'], ext: 1 };
  token = await signJson(key, header, { iss: 'https://issuer.example', aud: 'api', sub: 'u', iat: NOW - 10, exp: NOW + 600 });
});

// A copy the cache has never seen (plain data only; Dates copied by time).
function fresh(value) {
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(fresh);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fresh(v)]));
  return value;
}

const EDITS = [
  (o) => { o.audience = 'api'; },
  (o) => { o.audience = 'other'; },
  (o) => { o.audience = ['other']; },
  (o) => { if (Array.isArray(o.audience)) o.audience.push('api'); },
  (o) => { if (Array.isArray(o.audience)) o.audience.length = 0; },
  (o) => { delete o.audience; },
  (o) => { o.algorithms = ['ES256']; },
  (o) => { if (Array.isArray(o.algorithms)) o.algorithms[0] = 'RS256'; },
  (o) => { if (Array.isArray(o.algorithms)) o.algorithms[0] = 'ES256'; },
  (o) => { if (Array.isArray(o.algorithms)) delete o.algorithms[0]; },
  (o) => { if (Array.isArray(o.algorithms)) o.algorithms.length = 2; },
  (o) => { if (Array.isArray(o.algorithms)) o.algorithms.extra = 'RS256'; },
  (o) => { if (Array.isArray(o.audience)) Object.defineProperty(o.audience, 0, { enumerable: true, configurable: true, get: () => 'api' }); },
  (o) => { o.algorithms = null; },
  (o) => { delete o.algorithms; },
  (o) => { o.issuer = 'https://issuer.example'; },
  (o) => { o.issuer = 'https://elsewhere.example'; },
  (o) => { o.issuer = () => true; },
  (o) => { delete o.issuer; },
  (o) => { o.crit = { ext: true }; },
  (o) => { if (o.crit && typeof o.crit === 'object') delete o.crit.ext; },
  (o) => { if (o.crit && typeof o.crit === 'object') o.crit.ext = true; },
  (o) => { o.currentDate = new Date(NOW * 1000); },
  (o) => { if (o.currentDate instanceof Date) o.currentDate.setTime((NOW + 3600) * 1000); },
  (o) => { if (o.currentDate instanceof Date) o.currentDate.setTime(NaN); },
  (o) => { if (o.currentDate instanceof Date) o.currentDate.setTime(NOW * 1000); },
  (o) => { o.subject = 'u'; },
  (o) => { o.subject = 'v'; },
  (o) => { o.subjetc = 'u'; },
  (o) => { delete o.subjetc; },
  (o) => { delete o.subject; },
  (o) => { o.maxTokenLength = 10; },
  (o) => { o.maxTokenLength = NaN; },
  (o) => { delete o.maxTokenLength; },
  (o) => { o.clockTolerance = '2h'; },
  (o) => { delete o.clockTolerance; },
];

test('a reused, edited options object gives the verdict of a fresh copy, on every call', async () => {
  const verdicts = new Set();
  for (let seed = 1; seed <= 40; seed++) {
    const pick = seededInt(seed);
    const options = { currentDate: new Date(NOW * 1000), audience: 'api', algorithms: ['ES256'], crit: { ext: true } };
    for (let step = 0; step < 60; step++) {
      if (pick(3) === 0) EDITS[pick(EDITS.length)](options);
      const expected = verdictOf(() => verifyJwtSync(token, keys, fresh(options)));
      verdicts.add(expected);
      assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), expected, `seed ${seed} step ${step}: ${JSON.stringify(options)}`);
      if (step % 10 === 0) {
        const awaited = await verifyJwt(token, keys, options).then((r) => `ok ${r.payload.sub}`, (err) => `${err.name} ${err.code} ${err.option ?? ''} ${err.claim ?? ''}`);
        assert.equal(awaited, expected, `seed ${seed} step ${step} (verifyJwt)`);
      }
    }
  }
  // The edits reach accepted tokens, claim failures and TypeErrors alike.
  assert.ok([...verdicts].some((v) => v.startsWith('ok')));
  assert.ok([...verdicts].some((v) => v.startsWith('TypeError')));
  assert.ok([...verdicts].some((v) => v.includes('ERR_JWT_CLAIM_VALIDATION_FAILED')));
});

test('an accessor is read on every call (such objects are never cached)', () => {
  let audience = 'api';
  const options = { currentDate: NOW, crit: { ext: true } };
  Object.defineProperty(options, 'audience', { enumerable: true, get: () => audience });
  for (let i = 0; i < 3; i++) assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), 'ok u');
  audience = 'other';
  assert.match(verdictOf(() => verifyJwtSync(token, keys, options)), /ERR_JWT_CLAIM_VALIDATION_FAILED/);
  audience = null;
  assert.match(verdictOf(() => verifyJwtSync(token, keys, options)), /^TypeError ERR_INVALID_OPTION audience/);
});

test('a member turned into an accessor after caching is read, not trusted', () => {
  const options = { currentDate: NOW, crit: { ext: true }, audience: 'api' };
  for (let i = 0; i < 3; i++) assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), 'ok u');
  let audience = 'other';
  Object.defineProperty(options, 'audience', { enumerable: true, get: () => audience });
  assert.match(verdictOf(() => verifyJwtSync(token, keys, options)), /ERR_JWT_CLAIM_VALIDATION_FAILED/);
  audience = 'api';
  assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), 'ok u');
});

// Edits a fresh copy cannot carry (prototypes, Proxies, throwing accessors): the verdict of
// the same edit made on an object never seen before.
const AFTER_CACHING = [
  ['options prototype replaced', (o) => Object.setPrototypeOf(o, { issuer: 'https://elsewhere.example' })],
  ['crit prototype replaced by a Map\'s', (o) => Object.setPrototypeOf(o.crit, Map.prototype)],
  ['currentDate prototype replaced', (o) => Object.setPrototypeOf(o.currentDate, Object.prototype)],
  ['algorithms prototype replaced', (o) => Object.setPrototypeOf(o.algorithms, Object.prototype)],
  ['an algorithms item turned into a throwing getter', (o) => Object.defineProperty(o.algorithms, 0, { enumerable: true, get() { throw new Error('boom'); } })],
  ['a member turned into a throwing getter', (o) => Object.defineProperty(o, 'audience', { enumerable: true, configurable: true, get() { throw new Error('boom'); } })],
  ['audience replaced by a Proxy', (o) => { o.audience = new Proxy(['api'], {}); }],
  ['audience replaced by a throwing Proxy', (o) => { o.audience = new Proxy(['api'], { get() { throw new Error('boom'); } }); }],
  ['currentDate replaced by a fake Date', (o) => { o.currentDate = Object.create(Date.prototype); }],
  ['currentDate getTime throws', (o) => { o.currentDate.getTime = () => { throw new Error('boom'); }; }],
];

test('after caching, an options object edited in ways a copy cannot carry gives the verdict of the same edit on a new object', () => {
  const make = () => ({ currentDate: new Date(NOW * 1000), audience: 'api', algorithms: ['ES256'], crit: { ext: true } });
  const outcomes = new Set();
  for (const [label, edit] of AFTER_CACHING) {
    const options = make();
    for (let i = 0; i < 3; i++) assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), 'ok u', label);
    edit(options);
    const unseen = make();
    edit(unseen);
    const expected = verdictOf(() => verifyJwtSync(token, keys, unseen));
    outcomes.add(expected);
    for (let i = 0; i < 2; i++) assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), expected, label);
  }
  // The edits reach TypeErrors with the option's code, and accepted tokens.
  assert.ok([...outcomes].some((v) => v.startsWith('TypeError ERR_INVALID_OPTION')), [...outcomes].join('; '));
  assert.ok([...outcomes].some((v) => v.startsWith('ok')), [...outcomes].join('; '));
});
