// Attack review of recent changes (helper D), kept as invariants over generated inputs:
// - the options cache (pkg/lib/options-cache.js): an options object verified at every step of a
//   random sequence of edits, plain and exotic (Proxies, prototypes replaced, arrays turned into
//   "Dates", non-enumerable and symbol members, Object.prototype members, nested objects shared
//   with a second options object or replaced by equal-looking ones), gives at every step the
//   verdict of a new object the same edits were made on (never cached);
// - replay keys (src/replay.rs, src/webhook.rs): `<scope with % and space escaped> <jti>`, one key
//   per (scope, jti) over every pair of tricky scopes and jtis, for webhooks (iss) and client
//   assertions (clientId); a non-string iss is refused before the store; expiresAt always a
//   finite number after the last accepted instant;
// - maxTokenLength in UTF-16 code units (src/token.rs, the bearer header, verifyDpopProof's accessToken) over generated text;
// - counts' one range 1..2^31-1 (src/options/read.rs MAX_COUNT);
// - the per-key HMAC state (src/crypto/hmac.rs KeyedHmac): one key used with every hash in any
//   order, several keys in one set, tampered tags;
// - RedisReplayStore (pkg/lib/redis.js) on a real redis-server: a past expiresAt refused, and
//   every finite future expiresAt (up to Number.MAX_VALUE, what an overflowing window gives)
//   stored once.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { verifyJwt, verifyJwtSync, verifyWebhook, verifyDpopProof, checkAssertion, ReplayCache } from '../../pkg/node.mjs';
import { RedisReplayStore } from '../../pkg/redis.mjs';
import { NOW, b64url, generateKey, jwksOf, mint, verdictOf, seededInt } from './helpers.mjs';
import { redisServerBinary, startRedis } from './support/redis-server.mjs';
import { connectClient } from './support/redis-clients.mjs';

const errorOf = async (fn) => {
  try {
    await fn();
    return null;
  } catch (err) {
    return err;
  }
};

/** A recording ReplayStore: every key it was given, and a Map for single use. */
function recordingStore() {
  const calls = [];
  const used = new Map();
  return {
    calls,
    markUsed(key, expiresAt) {
      calls.push({ key, expiresAt });
      if (used.has(key)) return false;
      used.set(key, expiresAt);
      return true;
    },
  };
}

const escapeScope = (scope) => scope.replaceAll('%', '%25').replaceAll(' ', '%20');

describe('options cache: a reused options object is never trusted once changed', () => {
  let keys;
  let token;
  before(async () => {
    const key = await generateKey('ES256', { kid: 'es-1' });
    keys = jwksOf([key]);
    token = await mint(key, { iss: 'https://issuer.example', aud: 'api', sub: 'u', iat: NOW - 10, exp: NOW + 600 });
  });

  // A world: two options objects sharing their `audience` array and `crit` object.
  const makeWorld = () => {
    const audience = ['api'];
    const crit = {};
    return {
      audience,
      crit,
      a: { currentDate: new Date(NOW * 1000), audience, algorithms: ['ES256'], crit },
      b: { currentDate: NOW, audience, crit, issuer: 'https://issuer.example' },
    };
  };

  let outside = 'api';
  const EDITS = [
    ['shared audience item changed', (w) => { w.audience[0] = 'other'; }],
    ['shared audience item back', (w) => { w.audience[0] = 'api'; }],
    ['shared audience pushed', (w) => { w.audience.push('x'); }],
    ['shared audience emptied', (w) => { w.audience.length = 0; }],
    ['shared audience gets an extra non-index member', (w) => { w.audience.extra = 'other'; }],
    ['shared crit gets a member', (w) => { w.crit.ext = true; }],
    ['shared crit member wrong', (w) => { w.crit.ext = 'yes'; }],
    ['a.audience replaced by an equal-looking array', (w) => { w.a.audience = Array.prototype.slice.call(w.audience); }],
    ['a.audience back to the shared one', (w) => { w.a.audience = w.audience; }],
    ['a.currentDate moved an hour on', (w) => { if (w.a.currentDate instanceof Date) w.a.currentDate.setTime((NOW + 3600) * 1000); }],
    ['a.currentDate moved back', (w) => { if (w.a.currentDate instanceof Date) w.a.currentDate.setTime(NOW * 1000); }],
    ['a.currentDate replaced by an equal Date', (w) => { w.a.currentDate = new Date(NOW * 1000); }],
    ['a.currentDate getTime of its own', (w) => { if (w.a.currentDate instanceof Date) w.a.currentDate.getTime = () => (NOW + 3600) * 1000; }],
    ['b.currentDate past exp', (w) => { w.b.currentDate = NOW + 3600; }],
    ['b.currentDate back', (w) => { w.b.currentDate = NOW; }],
    // The core reads an array before it asks whether it is a Date.
    ['shared audience given Date\'s prototype and a getTime', (w) => { Object.setPrototypeOf(w.audience, Date.prototype); w.audience.getTime = () => 0; }],
    ['a.audience an array with Date\'s prototype', (w) => { const list = ['other']; Object.setPrototypeOf(list, Date.prototype); list.getTime = () => 0; w.a.audience = list; w.fake = list; }],
    ['the Date-prototype array edited', (w) => { if (w.fake) w.fake[0] = w.fake[0] === 'api' ? 'other' : 'api'; }],
    ['a non-enumerable audience on a', (w) => { Object.defineProperty(w.a, 'audience', { value: 'other', enumerable: false, writable: true, configurable: true }); }],
    ['a non-enumerable issuer on b', (w) => { Object.defineProperty(w.b, 'issuer', { value: 'https://elsewhere.example', enumerable: false, writable: true, configurable: true }); }],
    ['a symbol member', (w) => { w.a[Symbol('audience')] = 'other'; }],
    ['b\'s prototype replaced by a null one', (w) => { Object.setPrototypeOf(w.b, null); }],
    ['b\'s prototype replaced by one holding an issuer', (w) => { Object.setPrototypeOf(w.b, { issuer: 'https://elsewhere.example' }); }],
    ['a.audience a Proxy reading a variable', (w) => { w.a.audience = new Proxy(['api'], { get: (t, k) => (k === '0' ? outside : Reflect.get(t, k)) }); }],
    ['the variable changed', () => { outside = outside === 'api' ? 'other' : 'api'; }],
    ['a.crit a Proxy hiding its members', (w) => { w.a.crit = new Proxy({ ext: true }, { ownKeys: () => [] }); }],
    ['a.algorithms a Proxy with Date\'s prototype', (w) => { w.a.algorithms = new Proxy(['ES256'], { getPrototypeOf: () => Date.prototype }); }],
    ['a.algorithms wrong', (w) => { w.a.algorithms = ['RS256']; }],
    ['a.algorithms item deleted', (w) => { if (Array.isArray(w.a.algorithms)) delete w.a.algorithms[0]; }],
    ['a.algorithms restored', (w) => { w.a.algorithms = ['ES256']; }],
    ['a.maxTokenLength too small', (w) => { w.a.maxTokenLength = 10; }],
    ['a.maxTokenLength removed', (w) => { delete w.a.maxTokenLength; }],
    ['b.subject wrong', (w) => { w.b.subject = 'v'; }],
    ['b.subject removed', (w) => { delete w.b.subject; }],
  ];
  // Object.prototype members are never read (the core reads own members); an edit of it is
  // made and undone within one verdict so that no other test sees it.
  const withPollution = (fn) => {
    Object.prototype.audience = 'other';
    try {
      return fn();
    } finally {
      delete Object.prototype.audience;
    }
  };

  test('every step of random edit sequences: the verdict of a new object with the same edits', async () => {
    const verdicts = new Set();
    let steps = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const pick = seededInt(seed * 7919);
      const world = makeWorld();
      const done = [];
      outside = 'api';
      for (let step = 0; step < 24; step++) {
        if (pick(2) === 0) {
          const edit = pick.pick(EDITS);
          done.push(edit);
          edit[1](world);
        }
        const polluted = pick(8) === 0;
        const run = (fn) => (polluted ? withPollution(fn) : fn());
        // The same edits on new objects (the variable the Proxy reads is shared, as it is now).
        const fresh = makeWorld();
        const saved = outside;
        for (const [label, edit] of done) if (label !== 'the variable changed') edit(fresh);
        outside = saved;
        for (const name of ['a', 'b']) {
          const expected = run(() => verdictOf(() => verifyJwtSync(token, keys, fresh[name])));
          const got = run(() => verdictOf(() => verifyJwtSync(token, keys, world[name])));
          verdicts.add(expected);
          steps++;
          assert.equal(got, expected, `seed ${seed} step ${step} options ${name}: after ${done.map(([label]) => label).join('; ')}`);
        }
        if (step % 8 === 7) {
          const got = await verifyJwt(token, keys, world.a).then((r) => `ok ${r.payload.sub}`, (err) => `${err.name} ${err.code} ${err.option ?? ''} ${err.claim ?? ''}`);
          const expected = verdictOf(() => verifyJwtSync(token, keys, fresh.a));
          assert.equal(got, expected, `seed ${seed} step ${step} (verifyJwt)`);
        }
      }
    }
    assert.ok(steps >= 2000, `${steps} steps`);
    assert.ok([...verdicts].some((v) => v.startsWith('ok')), [...verdicts].join('; '));
    assert.ok([...verdicts].some((v) => v.startsWith('TypeError')), [...verdicts].join('; '));
    assert.ok([...verdicts].some((v) => v.includes('ERR_JWT_CLAIM_VALIDATION_FAILED')), [...verdicts].join('; '));
  });

  test('an array given Date\'s prototype and a getTime of its own is compared as the array the core reads', () => {
    for (const [before, after] of [['api', 'other'], ['other', 'api']]) {
      const audience = [before];
      Object.setPrototypeOf(audience, Date.prototype);
      audience.getTime = () => 0;
      const options = { currentDate: NOW, audience };
      const first = verdictOf(() => verifyJwtSync(token, keys, options));
      for (let i = 0; i < 3; i++) assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), first);
      audience[0] = after;
      const fresh = [after];
      Object.setPrototypeOf(fresh, Date.prototype);
      fresh.getTime = () => 0;
      const expected = verdictOf(() => verifyJwtSync(token, keys, { currentDate: NOW, audience: fresh }));
      assert.notEqual(expected, first);
      for (let i = 0; i < 2; i++) assert.equal(verdictOf(() => verifyJwtSync(token, keys, options)), expected, `${before} -> ${after}`);
    }
  });
});

// Scopes and jtis that could run together if the scope were not escaped.
const PIECES = ['', ' ', 'a', 'b', 'a b', 'b c', '%', '%20', '%25', 'a%20b', '  ', 'x y z', '\u00e9', ' a', 'a ', '%2', 'a%'];

describe('replay keys: one key per (scope, jti), the scope escaped', () => {
  let key;
  let keys;
  before(async () => {
    key = await generateKey('ES256', { kid: 'k-1' });
    keys = jwksOf([key]);
  });

  const BODY = '{"event":1}';
  const sha = createHash('sha256').update(BODY).digest('hex');
  const webhook = async (claims, options) => {
    const jwt = await mint(key, { iat: NOW, request_body_sha256: sha, ...claims });
    return verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, keys, { currentDate: NOW, ...options });
  };

  test('webhooks: key = escaped iss + " " + jti for every pair; no two pairs share a key; a replay is refused', async () => {
    const store = recordingStore();
    const owner = new Map();
    const jtis = PIECES.filter((p) => p !== '');
    let cases = 0;
    for (const iss of [undefined, ...PIECES]) {
      for (const jti of jtis) {
        const claims = iss === undefined ? { jti } : { iss, jti };
        const before = store.calls.length;
        const err = await errorOf(() => webhook(claims, { replay: store }));
        // The absent iss and "" share the scope "" (API.md: the empty string when absent): the
        // absent one came first.
        if (iss === '') assert.equal(err?.code, 'ERR_JWT_REPLAYED', `iss "" jti ${JSON.stringify(jti)}`);
        else assert.equal(err, null, `iss ${JSON.stringify(iss)} jti ${JSON.stringify(jti)}: ${err?.message}`);
        const { key: k, expiresAt } = store.calls[before];
        assert.equal(k, `${escapeScope(iss ?? '')} ${jti}`);
        assert.equal(k.slice(0, k.indexOf(' ')), escapeScope(iss ?? ''), 'the first space ends the scope');
        assert.ok(typeof expiresAt === 'number' && Number.isFinite(expiresAt) && expiresAt > NOW, `expiresAt ${expiresAt}`);
        const pair = `${iss ?? ''}\u0000${jti}`;
        if (owner.has(k)) assert.equal(owner.get(k), pair, `${JSON.stringify(k)} shared`);
        owner.set(k, pair);
        if (iss !== '') {
          const again = await errorOf(() => webhook(claims, { replay: store }));
          assert.equal(again?.code, 'ERR_JWT_REPLAYED', `replay of iss ${JSON.stringify(iss)} jti ${JSON.stringify(jti)}`);
        }
        cases++;
      }
    }
    assert.ok(cases > 250, `${cases}`);
  });

  test('webhooks: an iss that is not a string is refused (claim iss) before the store is asked, with every store', async () => {
    let cases = 0;
    for (const iss of [null, 0, 1, true, false, [], ['a'], {}, { a: 1 }, 1.5, -0]) {
      for (const jti of ['j', 'a b', '%20']) {
        const store = recordingStore();
        const err = await errorOf(() => webhook({ iss, jti }, { replay: store }));
        assert.equal(err?.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED', `iss ${JSON.stringify(iss)}: ${err?.message}`);
        assert.equal(err.claim, 'iss');
        assert.equal(store.calls.length, 0);
        const cache = new ReplayCache({ clock: () => NOW });
        assert.equal((await errorOf(() => webhook({ iss, jti }, { replay: cache })))?.claim, 'iss');
        assert.equal(cache.size, 0);
        cases++;
      }
    }
    assert.ok(cases >= 30);
  });

  test('webhooks: expiresAt is a finite number after the last accepted instant, for any maxAge and tolerance', async () => {
    const pick = seededInt(4242);
    let cases = 0;
    for (let i = 0; i < 60; i++) {
      const maxAge = pick.pick([1, 60, 300, 86400, 1e9, 1e15, 1e300, Number.MAX_VALUE]);
      const clockTolerance = pick.pick([0, 5, 1e12, 1e308]);
      const exp = pick.pick([undefined, NOW + 1, NOW + 600, NOW + 1e12]);
      const store = recordingStore();
      const claims = { iss: pick.pick(PIECES), jti: `j-${i}`, exp };
      if (exp === undefined) delete claims.exp;
      const err = await errorOf(() => webhook(claims, { replay: store, maxAge, clockTolerance }));
      assert.equal(err, null, `maxAge ${maxAge} tolerance ${clockTolerance} exp ${exp}: ${err?.message}`);
      const { expiresAt } = store.calls[0];
      assert.ok(typeof expiresAt === 'number' && Number.isFinite(expiresAt), `expiresAt ${expiresAt}`);
      assert.ok(expiresAt > NOW, `${expiresAt}`);
      if (exp !== undefined) assert.ok(expiresAt <= exp + clockTolerance + 1 || !Number.isFinite(exp + clockTolerance), `${expiresAt} after exp`);
      // JSON carries it as a number (a store on the other side of a wire sees a number).
      assert.equal(typeof JSON.parse(JSON.stringify({ expiresAt })).expiresAt, 'number');
      cases++;
    }
    assert.equal(cases, 60);
  });

  test('client assertions: key = escaped clientId + " " + jti for every pair; no two pairs share a key', async () => {
    const store = recordingStore();
    const owner = new Map();
    let cases = 0;
    for (const clientId of PIECES.filter((p) => p.trim() !== '')) {
      for (const jti of PIECES.filter((p) => p !== '')) {
        const assertion = await mint(key, { iss: clientId, sub: clientId, aud: 'https://as.example/token', jti, iat: NOW, exp: NOW + 60 });
        const before = store.calls.length;
        const err = await errorOf(() => checkAssertion(assertion, { clientId, audience: 'https://as.example/token', keys, replay: store, currentDate: NOW }));
        assert.equal(err, null, `clientId ${JSON.stringify(clientId)} jti ${JSON.stringify(jti)}: ${err?.message}`);
        const { key: k, expiresAt } = store.calls[before];
        assert.equal(k, `${escapeScope(clientId)} ${jti}`);
        assert.ok(Number.isFinite(expiresAt) && expiresAt > NOW);
        const pair = `${clientId}\u0000${jti}`;
        if (owner.has(k)) assert.equal(owner.get(k), pair, `${JSON.stringify(k)} shared`);
        owner.set(k, pair);
        const again = await errorOf(() => checkAssertion(assertion, { clientId, audience: 'https://as.example/token', keys, replay: store, currentDate: NOW }));
        assert.equal(again?.code, 'ERR_JWT_REPLAYED');
        cases++;
      }
    }
    assert.ok(cases > 150, `${cases}`);
  });
});

describe('maxTokenLength counts UTF-16 code units', () => {
  let keys;
  before(async () => {
    keys = jwksOf([await generateKey('ES256', { kid: 'k' })]);
  });
  const UNITS = ['a', '.', '\u00e9', '\u20ac', '\u{1f600}', '\ud800', '\udfff', 'Z', '-', '\u0000'];
  // A text of UNITS whose length is within a few units of `limit` (at least `least`).
  const textNear = (pick, limit, least) => {
    let text = '';
    const target = Math.max(least, limit - 3 + pick(7));
    while (text.length < target) text += pick.pick(UNITS);
    return text;
  };

  test('a text is too long iff its length is over the limit, and the message gives that length; the bearer header too', async () => {
    const pick = seededInt(99);
    let cases = 0;
    for (let i = 0; i < 400; i++) {
      const limit = 1 + pick(300);
      const text = textNear(pick, limit, 0);
      const err = await errorOf(() => verifyJwtSync(text, keys, { maxTokenLength: limit }));
      assert.ok(err !== null);
      const tooLong = /characters long, more than maxTokenLength/.test(err.message);
      assert.equal(tooLong, text.length > limit, `length ${text.length} limit ${limit}: ${err.message}`);
      if (tooLong) {
        assert.equal(err.code, 'ERR_JWS_INVALID');
        assert.match(err.message, new RegExp(`token is ${text.length} characters long, more than maxTokenLength \\(${limit}\\)`));
      }
      // A Bearer header: too long (in its own words or the token's) iff the token is.
      const spaces = ' '.repeat(1 + pick(3));
      const hook = await errorOf(() => verifyWebhook({ authorization: `Bearer${spaces}${text}`, body: '' }, keys, { maxTokenLength: limit, currentDate: NOW }));
      assert.ok(hook !== null);
      const hookTooLong = /characters long, more than maxTokenLength/.test(hook.message);
      if (text.trim() === text) assert.equal(hookTooLong, text.length > limit, `bearer length ${text.length} limit ${limit}: ${hook.message}`);
      cases++;
    }
    assert.equal(cases, 400);
  });

  test("verifyDpopProof's accessToken option: a TypeError naming it iff its length is over maxTokenLength", async () => {
    const pick = seededInt(7);
    let over = 0;
    for (let i = 0; i < 300; i++) {
      const limit = 1 + pick(200);
      const accessToken = textNear(pick, limit, 1);
      // Not a proof at all: the options are read first, so a refused accessToken is the error.
      const err = await errorOf(() => verifyDpopProof('x', { method: 'GET', url: 'https://api.example/r', accessToken, maxTokenLength: limit }));
      assert.ok(err !== null);
      const refused = err instanceof TypeError && /accessToken/.test(err.message);
      assert.equal(refused, accessToken.length > limit, `length ${accessToken.length} (${Buffer.byteLength(accessToken)} bytes) limit ${limit}: ${err.message}`);
      if (refused) over++;
    }
    assert.ok(over > 50 && over < 250, `${over}`);
  });
});

describe('counts take 1..2^31-1 (0 is a TypeError of its own)', () => {
  const MAX = 2 ** 31 - 1;
  test('maxTokenLength, maxCandidates and ReplayCache maxEntries: integers in range accepted, others TypeErrors naming the option', async () => {
    const key = await generateKey('ES256', { kid: 'k' });
    const keys = jwksOf([key]);
    const token = await mint(key, { sub: 'u', iat: NOW, exp: NOW + 60 });
    const pick = seededInt(31);
    const values = [0, 1, MAX, MAX - 1, MAX + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2 ** 53, -1, -0, 0.5, MAX + 0.5, NaN, Infinity, -Infinity, '5', null, true, 1e308];
    for (let i = 0; i < 40; i++) values.push(pick(MAX), MAX + 1 + pick(2 ** 30), -1 - pick(1000));
    let cases = 0;
    for (const value of values) {
      const inRange = typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX;
      for (const option of ['maxTokenLength', 'maxCandidates']) {
        const err = await errorOf(() => verifyJwtSync(token, keys, { currentDate: NOW, [option]: value }));
        if (inRange) {
          assert.ok(err === null || !(err instanceof TypeError), `${option} ${value}: ${err?.message}`);
        } else {
          assert.ok(err instanceof TypeError, `${option} ${value}: ${err}`);
          assert.equal(err.code, 'ERR_INVALID_OPTION');
          assert.equal(err.option, option);
          if (Number.isInteger(value) && value > MAX && value <= 2 ** 53 - 1) assert.match(err.message, /at most 2147483647/);
        }
        cases++;
      }
      const err = await errorOf(() => new ReplayCache({ maxEntries: value }).markUsed('j', NOW + 1e10));
      if (value === null) assert.ok(err instanceof TypeError);
      else if (inRange) assert.ok(err === null || !(err instanceof TypeError), `maxEntries ${value}: ${err?.message}`);
      else assert.equal(err?.option, 'maxEntries', `maxEntries ${value}: ${err}`);
      cases++;
    }
    assert.ok(cases > 300, `${cases}`);
  });
});

describe('HMAC keys: the state kept on a key is that key\'s, for that hash', () => {
  const sign = (hash, secret, header, payload) => {
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
  };
  const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

  test('keys without alg used with every hash in random order, several keys in one set, tampered and foreign tags', async () => {
    const pick = seededInt(2026);
    let accepted = 0;
    let refused = 0;
    for (let round = 0; round < 12; round++) {
      const secrets = Array.from({ length: 1 + pick(4) }, () => randomBytes(64 + pick(140)));
      const jwks = { keys: secrets.map((s, i) => ({ kty: 'oct', kid: `h${i}`, k: s.toString('base64url') })) };
      for (let i = 0; i < 30; i++) {
        const alg = pick.pick(Object.keys(HASH));
        const index = pick(secrets.length);
        const payload = { sub: `s${round}-${i}`, iat: NOW, exp: NOW + 60 };
        const kind = pick(4);
        // 0: genuine; 1: another key's secret under this kid; 2: a flipped tag; 3: no kid.
        const secret = kind === 1 ? randomBytes(64) : secrets[index];
        const header = kind === 3 ? { alg } : { alg, kid: `h${index}` };
        let jwt = sign(HASH[alg], secret, header, payload);
        if (kind === 2) {
          const tag = Buffer.from(jwt.split('.')[2], 'base64url');
          tag[pick(tag.length)] ^= 1 << pick(8);
          jwt = `${jwt.split('.').slice(0, 2).join('.')}.${tag.toString('base64url')}`;
        }
        const should = kind === 0 || (kind === 3 && secrets.length <= 4);
        const options = { currentDate: NOW, algorithms: ['HS256', 'HS384', 'HS512'], maxCandidates: 4 };
        const sync = verdictOf(() => verifyJwtSync(jwt, jwks, options));
        const awaited = await verifyJwt(jwt, jwks, options).then((r) => `ok ${r.payload.sub}`, (err) => `${err.name} ${err.code} ${err.option ?? ''} ${err.claim ?? ''}`);
        assert.equal(sync, awaited, `round ${round} case ${i} kind ${kind} ${alg}`);
        if (should) {
          assert.equal(sync, `ok ${payload.sub}`, `round ${round} case ${i} kind ${kind} ${alg}`);
          accepted++;
        } else {
          assert.match(sync, /ERR_JWS_SIGNATURE_VERIFICATION_FAILED|ERR_JWKS_NO_MATCHING_KEY/, `round ${round} case ${i} kind ${kind} ${alg}`);
          refused++;
        }
      }
    }
    assert.ok(accepted > 50 && refused > 50, `${accepted} accepted, ${refused} refused`);
  });
});

describe('ReplayStore expiry bounds', () => {
  test('a ReplayCache on the check\'s clock refuses a replay at a currentDate in the past', async () => {
    const key = await generateKey('ES256', { kid: 'k' });
    const keys = jwksOf([key]);
    const BODY = 'b';
    const sha = createHash('sha256').update(BODY).digest('hex');
    let cases = 0;
    for (const at of [1, 1_000_000, NOW, NOW + 86400 * 365]) {
      const cache = new ReplayCache({ clock: () => at });
      const jwt = await mint(key, { iss: 'i', jti: `j${at}`, iat: at, request_body_sha256: sha });
      const request = { authorization: `Bearer ${jwt}`, body: BODY };
      assert.equal((await errorOf(() => verifyWebhook(request, keys, { currentDate: at, replay: cache }))), null);
      for (let i = 0; i < 3; i++) assert.equal((await errorOf(() => verifyWebhook(request, keys, { currentDate: at + i, replay: cache })))?.code, 'ERR_JWT_REPLAYED');
      cases++;
    }
    assert.equal(cases, 4);
  });

  const redis = redisServerBinary() ? describe : describe.skip;
  redis('RedisReplayStore on a real redis-server', () => {
    let server;
    let connection;
    before(async () => {
      server = await startRedis();
      connection = await connectClient('ioredis', server.port);
    });
    after(async () => {
      await connection?.close();
      await server?.stop();
    });

    test('every finite expiresAt after now is stored once (up to Number.MAX_VALUE); one at or before now is refused', async () => {
      const store = new RedisReplayStore(connection.client, { prefix: `review-${Date.now()}:` });
      const now = Date.now() / 1000;
      const pick = seededInt(7);
      const future = [now + 60, now + 86400, 1e12, 9e15, 9.3e15, 1e16, 1e17, 1e20, 1e21, 1e100, Number.MAX_VALUE];
      for (let i = 0; i < 20; i++) future.push(now + 10 + pick(2 ** 30) * 10 ** pick(8));
      let cases = 0;
      for (const [i, expiresAt] of future.entries()) {
        assert.equal(await store.markUsed(`k${i}`, expiresAt), true, `expiresAt ${expiresAt}`);
        assert.equal(await store.markUsed(`k${i}`, expiresAt), false, `expiresAt ${expiresAt} (again)`);
        cases++;
      }
      for (const expiresAt of [now - 1, now - 3600, 1, NOW]) {
        for (let i = 0; i < 2; i++) await assert.rejects(store.markUsed(`past${expiresAt}`, expiresAt), { name: 'TypeError', code: 'ERR_INVALID_OPTION', option: 'expiresAt' });
        cases++;
      }
      assert.ok(cases > 30);
    });

    test('a webhook checked with an overflowing maxAge window is single-use through Redis', async () => {
      const key = await generateKey('ES256', { kid: 'k' });
      const keys = jwksOf([key]);
      const store = new RedisReplayStore(connection.client, { prefix: `review-hook-${Date.now()}:` });
      const iat = Math.floor(Date.now() / 1000);
      const BODY = 'x';
      const sha = createHash('sha256').update(BODY).digest('hex');
      for (const [i, maxAge] of [1e300, Number.MAX_VALUE, 1e15].entries()) {
        const jwt = await mint(key, { iss: 'https://sender.example', jti: `j${i}`, iat, request_body_sha256: sha });
        const request = { authorization: `Bearer ${jwt}`, body: BODY };
        const first = await errorOf(() => verifyWebhook(request, keys, { maxAge, replay: store }));
        assert.equal(first, null, `maxAge ${maxAge}: ${first?.message}`);
        assert.equal((await errorOf(() => verifyWebhook(request, keys, { maxAge, replay: store })))?.code, 'ERR_JWT_REPLAYED');
      }
    });
  });
});
