// A probe of checkAssertion, verifyWebhook and ReplayCache against API.md, sentence by
// sentence, at the exact edges: every JWS algorithm, the audience profiles as a rule over all
// their combinations, maxLifetime with and without iat, typ in any case, federated entries,
// the replay key and expiresAt as invariants over many generated (exp, tolerance, now) and
// (iat, maxAge, tolerance, now) triples, ReplayStore answers, Bearer parsing and the option
// errors of all three. What the other suites already pin is not repeated here.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { checkAssertion, verifyWebhook, ReplayCache, JoseError } from '../../pkg/node.mjs';
import { ALGORITHMS, NOW, generateKey, mint, outcome, thrownBy } from './helpers.mjs';

const CLIENT = 'client-1';
const AUD = 'https://as.example/token';
const OTHER = 'https://other.example';
const FEDERATED = 'https://k8s.example';
const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';

// A small deterministic generator, so that a failing case can be replayed.
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const keys = new Map(); // alg -> key (kid = alg)
let workload; // RS256, the federated issuer's key

before(async () => {
  for (const alg of ALGORITHMS) keys.set(alg, await generateKey(alg, { kid: alg }));
  workload = await generateKey('RS256', { kid: 'k8s' });
});

const claims = (changes = {}) => {
  const out = { iss: CLIENT, sub: CLIENT, aud: AUD, iat: NOW, exp: NOW + 60, jti: 'jti-1', ...changes };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return out;
};
const options = (alg, extra = {}) => ({
  clientId: CLIENT,
  audience: AUD,
  keys: { keys: [keys.get(alg).jwk] },
  currentDate: NOW,
  ...(alg.startsWith('HS') ? { algorithms: [alg] } : {}),
  ...extra,
});
const verdict = (got) => (got.ok ? 'ok' : [got.code, got.claim, got.reason].filter(Boolean).join('/'));
const check = async (alg, changes, extra, header = {}) => verdict(await outcome(async () => checkAssertion(await mint(keys.get(alg), claims(changes), { header }), options(alg, extra))));

describe('checkAssertion: every sentence of API.md at its edges', () => {
  test('every algorithm (HS* only when listed) gives exactly { clientId, jti, header, payload, key, federated }', async () => {
    for (const alg of ALGORITHMS) {
      const assertion = await mint(keys.get(alg), claims());
      const result = await checkAssertion(assertion, options(alg));
      assert.deepEqual(Object.keys(result).sort(), ['clientId', 'federated', 'header', 'jti', 'key', 'payload'], alg);
      assert.deepEqual([result.clientId, result.jti, result.federated, result.key.kid, result.header.alg], [CLIENT, 'jti-1', false, alg, alg]);
      assert.deepEqual(result.payload, claims());
      if (alg.startsWith('HS')) {
        const err = await thrownBy(() => checkAssertion(assertion, { ...options(alg), algorithms: undefined }));
        assert.equal(err.code, 'ERR_JOSE_ALG_NOT_ALLOWED', alg);
      }
    }
  });

  test('the audience rule over every profile x allowMultipleAudiences x aud shape', async () => {
    const shapes = [AUD, [AUD], [AUD, OTHER], [OTHER, AUD], [AUD, AUD], [OTHER], OTHER, []];
    for (const profile of [undefined, 'strict', 'rfc7523']) {
      for (const allowMultipleAudiences of [undefined, true, false]) {
        for (const aud of shapes) {
          for (const audience of [AUD, [OTHER, AUD]]) {
            // API.md: aud contains one of audience; strict (the default) takes exactly one value,
            // rfc7523 several; allowMultipleAudiences, when set, overrides the profile.
            const several = Array.isArray(aud) && aud.length > 1;
            const multipleAllowed = allowMultipleAudiences ?? profile === 'rfc7523';
            const contains = (Array.isArray(aud) ? aud : [aud]).some((value) => [audience].flat().includes(value));
            const expected = !contains ? `${FAILED}/aud/check_failed` : several && !multipleAllowed ? `${FAILED}/aud/multiple_audiences` : 'ok';
            const got = await check('ES256', { aud }, { profile, allowMultipleAudiences, audience });
            assert.equal(got, expected, JSON.stringify({ profile, allowMultipleAudiences, aud, audience }));
          }
        }
      }
    }
  });

  test('maxLifetime (default 300): exp - iat at 299/300/301 exactly; without iat, exp - now within maxLifetime + clockTolerance', async () => {
    const LONG = `${FAILED}/exp/lifetime_too_long`;
    for (const alg of ['RS256', 'PS384', 'ES512', 'EdDSA', 'HS256']) {
      // The tolerance does not stretch exp - iat: both come from the client's clock.
      for (const tolerance of [undefined, 0, 30, 120]) {
        assert.equal(await check(alg, { exp: NOW + 299 }, { clockTolerance: tolerance }), 'ok');
        assert.equal(await check(alg, { exp: NOW + 300 }, { clockTolerance: tolerance }), 'ok');
        assert.equal(await check(alg, { exp: NOW + 300.5 }, { clockTolerance: tolerance }), LONG);
        assert.equal(await check(alg, { exp: NOW + 301 }, { clockTolerance: tolerance }), LONG);
        // An old iat counts too: exp - iat, not exp - now.
        assert.equal(await check(alg, { iat: NOW - 201, exp: NOW + 100 }, { clockTolerance: tolerance }), LONG);
      }
      // Without iat, exp meets the server's clock, so the tolerance (default 30) applies.
      assert.equal(await check(alg, { iat: undefined, exp: NOW + 330 }, {}), 'ok');
      assert.equal(await check(alg, { iat: undefined, exp: NOW + 331 }, {}), LONG);
      assert.equal(await check(alg, { iat: undefined, exp: NOW + 300 }, { clockTolerance: 0 }), 'ok');
      assert.equal(await check(alg, { iat: undefined, exp: NOW + 301 }, { clockTolerance: 0 }), LONG);
      assert.equal(await check(alg, { exp: NOW + 60 }, { maxLifetime: 60 }), 'ok');
      assert.equal(await check(alg, { exp: NOW + 61 }, { maxLifetime: '1m' }), LONG);
    }
  });

  test('exp required; exp, nbf and iat honoured with clockTolerance (default 30) at their edges', async () => {
    const table = [
      [{ exp: undefined }, {}, `${FAILED}/exp/missing`],
      [{ exp: undefined }, { requireJti: false }, `${FAILED}/exp/missing`],
      [{ exp: null }, {}, `${FAILED}/exp/invalid`],
      [{ iat: NOW - 100, exp: NOW - 29 }, {}, 'ok'],
      [{ iat: NOW - 100, exp: NOW - 30 }, {}, 'ERR_JWT_EXPIRED/exp/check_failed'],
      [{ iat: NOW - 100, exp: NOW + 1 }, { clockTolerance: 0 }, 'ok'],
      [{ iat: NOW - 100, exp: NOW }, { clockTolerance: 0 }, 'ERR_JWT_EXPIRED/exp/check_failed'],
      // Whole seconds: a currentDate just before NOW is still the second before.
      [{ iat: NOW - 100, exp: NOW }, { clockTolerance: 0, currentDate: new Date(NOW * 1000 - 1) }, 'ok'],
      [{ iat: NOW - 100, exp: NOW }, { clockTolerance: 0, currentDate: NOW - 0.001 }, 'ok'],
      [{ nbf: NOW + 30 }, {}, 'ok'],
      [{ nbf: NOW + 31 }, {}, `${FAILED}/nbf/check_failed`],
      [{ nbf: 'soon' }, {}, `${FAILED}/nbf/invalid`],
      [{ iat: NOW + 30, exp: NOW + 90 }, {}, 'ok'],
      [{ iat: NOW + 31, exp: NOW + 90 }, {}, `${FAILED}/iat/check_failed`],
      [{ iat: NOW + 1, exp: NOW + 90 }, { clockTolerance: 0 }, `${FAILED}/iat/check_failed`],
      [{ iat: null }, {}, `${FAILED}/iat/invalid`],
      [{ iat: NOW - 100, exp: NOW - 59 }, { clockTolerance: '1m' }, 'ok'],
    ];
    for (const [changes, extra, expected] of table) assert.equal(await check('ES256', changes, extra), expected, JSON.stringify([changes, extra]));
  });

  test('iss = sub = clientId exactly (case-sensitive); requireJti (default true)', async () => {
    const table = [
      [{ iss: 'Client-1', sub: 'Client-1' }, {}, `${FAILED}/iss/check_failed`],
      [{ sub: 'client-1 ' }, {}, `${FAILED}/sub/check_failed`],
      [{ sub: 1 }, { clientId: '1' }, `${FAILED}/iss/check_failed`],
      [{ jti: undefined }, {}, `${FAILED}/jti/missing`],
      [{ jti: undefined }, { requireJti: false }, 'ok'],
      [{ jti: 5 }, { requireJti: false }, `${FAILED}/jti/invalid`],
      [{ jti: '' }, { requireJti: false }, `${FAILED}/jti/invalid`],
    ];
    for (const [changes, extra, expected] of table) assert.equal(await check('ES256', changes, extra), expected, JSON.stringify([changes, extra]));
  });

  test('typ absent, JWT or client-authentication+jwt in any case, application/ optional; anything else refused', async () => {
    const accepted = ['JWT', 'jwt', 'Jwt', 'application/jwt', 'APPLICATION/JWT', 'client-authentication+jwt', 'Client-Authentication+JWT', 'application/client-authentication+jwt'];
    const refused = ['', ' JWT', 'JWT ', 'at+jwt', 'dpop+jwt', 'JOSE', 'JOSE+JSON', 'text/jwt', 'client-authentication', 'application/client-authentication+jwt; x=1', 'jwt/application'];
    for (const typ of accepted) assert.equal(await check('ES256', {}, {}, { typ }), 'ok', typ);
    for (const typ of refused) assert.equal(await check('ES256', {}, {}, { typ }), `${FAILED}/typ/check_failed`, typ);
    for (const typ of [1, true, ['JWT'], { JWT: 1 }, null]) assert.equal(await check('ES256', {}, {}, { typ }), `${FAILED}/typ/invalid`, JSON.stringify(typ));
  });
});

describe('checkAssertion: federated identities', () => {
  const federated = (entry = {}, extra = {}) => ({ ...options('ES256'), federated: [{ issuer: FEDERATED, keys: { keys: [workload.jwk] }, ...entry }], ...extra });
  const fed = async (changes, entry, extra) => verdict(await outcome(async () => checkAssertion(await mint(workload, claims({ iss: FEDERATED, ...changes })), federated(entry, extra))));

  test('issuer picks its keys; subject defaults to clientId; audience replaces the main one; the client\'s keys do not verify it', async () => {
    const result = await checkAssertion(await mint(workload, claims({ iss: FEDERATED })), federated());
    assert.deepEqual([result.clientId, result.federated, result.key.kid], [CLIENT, true, 'k8s']);
    assert.equal(await fed({ sub: 'sa:worker' }, { subject: 'sa:worker' }), 'ok');
    assert.equal(await fed({}, { subject: 'sa:worker' }), `${FAILED}/sub/check_failed`);
    assert.equal(await fed({ aud: 'api://k8s' }, { audience: ['api://k8s'] }), 'ok');
    assert.equal(await fed({}, { audience: 'api://k8s' }), `${FAILED}/aud/check_failed`);
    assert.equal(await fed({ aud: [AUD, OTHER] }, {}), `${FAILED}/aud/multiple_audiences`);
    assert.equal(await fed({ exp: NOW + 301 }, {}), `${FAILED}/exp/lifetime_too_long`);
    assert.equal(await fed({ jti: undefined }, {}), `${FAILED}/jti/missing`);
    const byClientKey = await outcome(async () => checkAssertion(await mint(keys.get('ES256'), claims({ iss: FEDERATED })), federated()));
    assert.equal(byClientKey.code, 'ERR_JWKS_NO_MATCHING_KEY');
    const clientByWorkloadKey = await outcome(async () => checkAssertion(await mint(workload, claims()), federated()));
    assert.equal(clientByWorkloadKey.code, 'ERR_JWKS_NO_MATCHING_KEY');
  });

  test('an empty issuer, subject or audience text in an entry is a TypeError naming it, as clientId and audience are (never a match for an empty claim)', async () => {
    // Before: subject '' and audience '' / [''] were taken, and matched a token whose sub / aud was "".
    const cases = [
      [{ issuer: '' }, 'federated[0].issuer'],
      [{ subject: '' }, 'federated[0].subject'],
      [{ audience: '' }, 'federated[0].audience'],
      [{ audience: [''] }, 'federated[0].audience'],
      [{ audience: ['api://k8s', ''] }, 'federated[0].audience'],
      [{ audience: [] }, 'federated[0].audience'],
    ];
    for (const [entry, option] of cases) {
      const assertion = await mint(workload, claims({ iss: FEDERATED, sub: '', aud: '' }));
      const err = await thrownBy(() => checkAssertion(assertion, federated(entry)));
      assert.ok(err instanceof TypeError, `${option}: ${err}`);
      assert.equal(err.code, 'ERR_INVALID_OPTION');
      assert.ok(err.message.includes(option), err.message);
    }
  });
});

describe('checkAssertion: replay', () => {
  test('markUsed(key, expiresAt): key "<clientId> <jti>" (federated too), expiresAt = the first second exp + clockTolerance refuses', async () => {
    const calls = [];
    const replay = { markUsed: (key, expiresAt) => calls.push([key, expiresAt]) > 0 };
    await checkAssertion(await mint(keys.get('ES256'), claims({ jti: 'a b' })), options('ES256', { replay }));
    await checkAssertion(await mint(keys.get('ES256'), claims({ jti: 'j', exp: NOW + 10.25 })), options('ES256', { replay, clockTolerance: 0.5 }));
    await checkAssertion(await mint(workload, claims({ iss: FEDERATED, jti: 'w' })), { ...options('ES256', { replay }), federated: [{ issuer: FEDERATED, keys: { keys: [workload.jwk] } }] });
    await checkAssertion(await mint(workload, claims({ iss: FEDERATED, jti: 'reusable' })), { ...options('ES256', { replay }), federated: [{ issuer: FEDERATED, keys: { keys: [workload.jwk] }, singleUse: false }] });
    assert.deepEqual(calls, [[`${CLIENT} a b`, NOW + 90], [`${CLIENT} j`, NOW + 11], [`${CLIENT} w`, NOW + 90]]);
  });

  test('invariant: never accepted at or after the expiresAt it stored, and accepted just before it', async () => {
    const next = random(7523);
    const key = keys.get('ES256');
    let accepted = 0;
    for (let i = 0; i < 60; i++) {
      const scale = next() < 0.3 ? 4 : 1;
      const exp = NOW + Math.round((next() * 200 - 100) * scale) / scale;
      const tolerance = [0, 0.25, 1, 30, 59.5, 120][i % 6];
      const iat = next() < 0.5 ? undefined : exp - 10;
      const assertion = await mint(key, claims({ exp, iat, jti: `j${i}` }));
      let stored;
      const replay = { markUsed: (_, expiresAt) => ((stored = expiresAt), true) };
      const at = (now) => checkAssertion(assertion, options('ES256', { replay, clockTolerance: tolerance, currentDate: now, maxLifetime: 1e6 })).then(() => true, () => false);
      for (const dt of [-31, -30.5, -30, -1, -0.5, 0, 0.001, 0.5, 1, 29.999, 30, 31]) {
        for (const now of [exp + dt, exp + tolerance + dt / 10]) {
          stored = undefined;
          if (await at(now)) {
            accepted++;
            assert.ok(now < stored, `accepted at ${now}, stored until ${stored} (exp ${exp}, tolerance ${tolerance})`);
            assert.equal(await at(stored - 0.001), true, `refused just before ${stored} (exp ${exp}, tolerance ${tolerance})`);
            assert.equal(await at(stored), false, `accepted at ${stored} (exp ${exp}, tolerance ${tolerance})`);
          }
        }
      }
    }
    assert.ok(accepted > 200, `only ${accepted} accepted cases`);
  });

  test('a ReplayStore answering anything but true/false (or a Promise of it), or throwing, fails closed', async () => {
    const answers = [
      [() => true, 'ok'],
      [async () => true, 'ok'],
      [() => ({ then: (resolve) => resolve(true) }), 'ok'],
      [() => false, 'ERR_JWT_REPLAYED/jti/check_failed'],
      [async () => false, 'ERR_JWT_REPLAYED/jti/check_failed'],
      [() => undefined, 'ERR_REPLAY_STORE_UNAVAILABLE'],
      [() => 1, 'ERR_REPLAY_STORE_UNAVAILABLE'],
      [() => 'true', 'ERR_REPLAY_STORE_UNAVAILABLE'],
      [() => new Boolean(true), 'ERR_REPLAY_STORE_UNAVAILABLE'],
      [() => Promise.resolve(null), 'ERR_REPLAY_STORE_UNAVAILABLE'],
      [() => { throw new Error('down'); }, 'ERR_REPLAY_STORE_UNAVAILABLE'],
      [() => Promise.reject(new Error('down')), 'ERR_REPLAY_STORE_UNAVAILABLE'],
      [() => new Promise(() => {}), 'ERR_REPLAY_STORE_UNAVAILABLE'],
    ];
    for (const [markUsed, expected] of answers) {
      const got = await outcome(async () => checkAssertion(await mint(keys.get('ES256'), claims()), options('ES256', { replay: { markUsed }, replayTimeoutMs: 300 })));
      assert.equal(verdict(got), expected, String(markUsed));
    }
  });
});

describe('verifyWebhook', () => {
  const BODY = '{"event":"paid","amount":"12€"}';
  const sha256 = (body) => createHash('sha256').update(body).digest('hex');
  const webhookClaims = (changes = {}, body = BODY) => {
    const out = { iss: 'sender', iat: NOW, request_body_sha256: sha256(Buffer.from(body)), jti: 'n-1', ...changes };
    for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
    return out;
  };
  const key = () => keys.get('ES256');
  const deliver = async (changes, { authorization = (t) => `Bearer ${t}`, body = BODY, extra = {} } = {}) => {
    const token = await mint(key(), webhookClaims(changes));
    return verdict(await outcome(() => verifyWebhook({ authorization: authorization(token), body }, { keys: [key().jwk] }, { currentDate: NOW, ...extra })));
  };

  test('Authorization: the Bearer scheme in any case, one or more spaces, surrounding spaces; anything else is ERR_JWS_INVALID', async () => {
    for (const authorization of [(t) => `Bearer ${t}`, (t) => `bearer ${t}`, (t) => `BEARER ${t}`, (t) => `Bearer   ${t}`, (t) => ` Bearer ${t} `]) {
      assert.equal(await deliver({}, { authorization }), 'ok', authorization(''));
    }
    for (const authorization of [(t) => t, (t) => `Basic ${t}`, (t) => `DPoP ${t}`, () => 'Bearer', () => 'Bearer ', () => '', (t) => `Bearer ${t} x`, (t) => `Bearer\t${t}`, (t) => `Bearer, ${t}`, () => undefined]) {
      assert.equal(await deliver({}, { authorization }), 'ERR_JWS_INVALID', String(authorization('T')));
    }
  });

  test('iat required, within maxAge (default 300) + clockTolerance (default 0) in both directions, at the edges', async () => {
    for (const [maxAge, tolerance] of [[undefined, undefined], [60, 0], [60, 10], [0.5, 0]]) {
      const window = (maxAge ?? 300) + (tolerance ?? 0);
      const extra = { maxAge, clockTolerance: tolerance };
      assert.equal(await deliver({ iat: NOW - window }, { extra }), 'ok');
      assert.equal(await deliver({ iat: NOW + window }, { extra }), 'ok');
      assert.match(await deliver({ iat: NOW - window - 0.5 }, { extra }), /^ERR_JWT_EXPIRED\/iat\/check_failed$/);
      assert.equal(await deliver({ iat: NOW + window + 0.5 }, { extra }), `${FAILED}/iat/check_failed`);
    }
    assert.equal(await deliver({ iat: undefined }), `${FAILED}/iat/missing`);
    assert.equal(await deliver({ iat: '0' }), `${FAILED}/iat/invalid`);
  });

  test('request_body_sha256: lowercase hex of the raw bytes (string as UTF-8, Uint8Array views by their own bytes); other forms invalid; another body is ERR_WEBHOOK_BODY_MISMATCH', async () => {
    const bytes = new Uint8Array(64).map((_, i) => (i * 37) & 0xff);
    const view = bytes.subarray(9, 41);
    const token = await mint(key(), webhookClaims({}, Buffer.from(view)));
    const verify = (body) => outcome(() => verifyWebhook({ authorization: `Bearer ${token}`, body }, { keys: [key().jwk] }, { currentDate: NOW }));
    assert.equal(verdict(await verify(view)), 'ok');
    assert.equal(verdict(await verify(bytes)), 'ERR_WEBHOOK_BODY_MISMATCH/request_body_sha256/check_failed');
    assert.equal(await deliver({}, { body: new TextEncoder().encode(BODY) }), 'ok');
    assert.equal(await deliver({ request_body_sha256: sha256(Buffer.from(BODY, 'latin1')) }), 'ERR_WEBHOOK_BODY_MISMATCH/request_body_sha256/check_failed');
    assert.equal(await deliver({ request_body_sha256: sha256('other') }), 'ERR_WEBHOOK_BODY_MISMATCH/request_body_sha256/check_failed');
    for (const hash of [sha256(BODY).toUpperCase(), createHash('sha256').update(BODY).digest('base64url'), sha256(BODY).slice(1), `${sha256(BODY)}0`, 5, null]) {
      assert.equal(await deliver({ request_body_sha256: hash }), `${FAILED}/request_body_sha256/invalid`, String(hash));
    }
    assert.equal(await deliver({ request_body_sha256: undefined }), `${FAILED}/request_body_sha256/missing`);
    for (const body of [new TextEncoder().encode(BODY).buffer, new DataView(new ArrayBuffer(2)), new String(BODY), null, 5]) {
      const err = await thrownBy(async () => verifyWebhook({ authorization: `Bearer ${await mint(key(), webhookClaims())}`, body }, { keys: [key().jwk] }, { currentDate: NOW }));
      assert.ok(err instanceof TypeError && err.code === 'ERR_INVALID_OPTION', String(err));
    }
  });

  test('every VerifyOptions check applies', async () => {
    const table = [
      [{}, { issuer: 'sender' }, 'ok'],
      [{}, { issuer: ['a', 'b'] }, `${FAILED}/iss/check_failed`],
      [{}, { audience: 'me' }, `${FAILED}/aud/missing`],
      [{ aud: ['me', 'you'] }, { audience: 'me' }, 'ok'],
      [{ aud: ['me', 'you'] }, { audience: 'me', allowMultipleAudiences: false }, `${FAILED}/aud/multiple_audiences`],
      [{ sub: 's' }, { subject: 't' }, `${FAILED}/sub/check_failed`],
      [{}, { typ: 'notify+jwt' }, `${FAILED}/typ/check_failed`],
      [{}, { requiredClaims: ['event'] }, `${FAILED}/event/missing`],
      [{ exp: NOW }, {}, 'ERR_JWT_EXPIRED/exp/check_failed'],
      [{ exp: NOW }, { clockTolerance: 1 }, 'ok'],
      [{ nbf: NOW + 1 }, {}, `${FAILED}/nbf/check_failed`],
      [{ iat: NOW - 100 }, { maxTokenAge: 99 }, 'ERR_JWT_EXPIRED/iat/check_failed'],
      [{}, { algorithms: ['EdDSA'] }, 'ERR_JOSE_ALG_NOT_ALLOWED'],
      [{}, { maxTokenLength: 20 }, 'ERR_JWS_INVALID'],
    ];
    for (const [changes, extra, expected] of table) assert.equal(await deliver(changes, { extra }), expected, JSON.stringify([changes, extra]));
  });

  test('replay: key "<iss> <jti>" ("" when iss is absent), and never accepted at or after the expiresAt it stored (invariant)', async () => {
    const calls = [];
    const replay = { markUsed: (k, e) => calls.push([k, e]) > 0 };
    await deliver({ jti: 'A' }, { extra: { replay } });
    await deliver({ iss: undefined, jti: 'B' }, { extra: { replay } });
    await deliver({ jti: 'C', exp: NOW + 10 }, { extra: { replay } });
    assert.deepEqual(calls, [['sender A', NOW + 301], [' B', NOW + 301], ['sender C', NOW + 10]]);
    assert.equal(await deliver({ jti: undefined }, { extra: { replay } }), `${FAILED}/jti/missing`);

    const next = random(9449);
    let accepted = 0;
    for (let i = 0; i < 50; i++) {
      const iat = NOW + Math.round(next() * 800 - 400) / (i % 3 ? 1 : 4);
      const exp = next() < 0.5 ? undefined : iat + Math.round(next() * 600) / 4;
      const tolerance = [0, 0.5, 30][i % 3];
      const maxAge = [300, 1, 0.5, 60][i % 4];
      const token = await mint(key(), webhookClaims({ iat, exp, jti: `w${i}` }));
      let stored;
      const store = { markUsed: (_, expiresAt) => ((stored = expiresAt), true) };
      const at = (now) => verifyWebhook({ authorization: `Bearer ${token}`, body: BODY }, { keys: [key().jwk] }, { currentDate: now, replay: store, clockTolerance: tolerance, maxAge }).then(() => true, () => false);
      for (const now of [iat - 1, iat, iat + maxAge, iat + maxAge + tolerance, iat + maxAge + tolerance + 0.5, (exp ?? iat) + tolerance - 0.5, (exp ?? iat) + tolerance]) {
        stored = undefined;
        if (await at(now)) {
          accepted++;
          assert.ok(now < stored, `accepted at ${now}, stored until ${stored} (iat ${iat}, exp ${exp}, tolerance ${tolerance}, maxAge ${maxAge})`);
          assert.equal(await at(stored), false, `accepted at ${stored}`);
          assert.equal(await at(stored - 0.001), true, `refused just before ${stored}`);
        }
      }
    }
    assert.ok(accepted > 80, `only ${accepted} accepted cases`);
  });
});

describe('options are validated, never dropped: checkAssertion, verifyWebhook, ReplayCache', () => {
  const assertRejects = (err, option, nearest) => {
    assert.ok(err instanceof TypeError, `${option}: ${err}`);
    assert.equal(err.code, 'ERR_INVALID_OPTION', option);
    assert.ok(err.message.includes(nearest ?? option), `${option}: ${err.message}`);
  };
  const wrong = [null, NaN, Infinity, () => 1, Symbol('s'), new Date(NaN)];

  test('checkAssertion', async () => {
    const assertion = await mint(keys.get('ES256'), claims());
    for (const option of ['clientId', 'audience', 'keys', 'profile', 'allowMultipleAudiences', 'maxLifetime', 'clockTolerance', 'requireJti', 'replay', 'federated', 'currentDate', 'algorithms', 'maxCandidates']) {
      for (const value of wrong) {
        // A function is a key resolver; a Date is an object, so ERR_JWKS_INVALID as in verifyJwt.
        if (option === 'keys' && (typeof value === 'function' || value instanceof Date)) continue;
        assertRejects(await thrownBy(() => checkAssertion(assertion, options('ES256', { [option]: value }))), option);
      }
    }
    for (const [typo, nearest] of [['audiance', 'audience'], ['clientID', 'clientId'], ['maxLifeTime', 'maxLifetime'], ['requireJTI', 'requireJti'], ['allowMultipleAudience', 'allowMultipleAudiences']]) {
      const err = await thrownBy(() => checkAssertion(assertion, options('ES256', { [typo]: 1 })));
      assertRejects(err, typo);
      assert.ok(err.message.includes(nearest), err.message);
    }
    for (const [option, value] of [['clientId', undefined], ['audience', undefined], ['audience', []], ['audience', ['']], ['maxLifetime', 0], ['maxLifetime', -1], ['clockTolerance', -1], ['profile', 'Strict'], ['maxLifetime', '99999999999999999999y']]) {
      assertRejects(await thrownBy(() => checkAssertion(assertion, options('ES256', { [option]: value }))), option);
    }
    for (const bad of [undefined, null, 'options']) assert.ok((await thrownBy(() => checkAssertion(assertion, bad))) instanceof TypeError);
  });

  test('verifyWebhook', async () => {
    const token = await mint(keys.get('ES256'), { iat: NOW, request_body_sha256: createHash('sha256').update('').digest('hex') });
    const call = (extra) => verifyWebhook({ authorization: `Bearer ${token}`, body: '' }, { keys: [keys.get('ES256').jwk] }, { currentDate: NOW, ...extra });
    for (const option of ['maxAge', 'replay', 'clockTolerance', 'currentDate', 'issuer', 'audience', 'algorithms']) {
      for (const value of wrong) assertRejects(await thrownBy(() => call({ [option]: value })), option);
    }
    for (const [option, value] of [['maxAge', 0], ['maxAge', -1], ['replay', {}]]) assertRejects(await thrownBy(() => call({ [option]: value })), option);
    const err = await thrownBy(() => call({ maxage: 1 }));
    assertRejects(err, 'maxage');
    assert.ok(err.message.includes('maxAge'), err.message);
  });

  test('ReplayCache: maxEntries a positive integer (default 100000), clock a function; unknown names name the nearest', () => {
    for (const value of [...wrong, 0, -1, 1.5, '10']) assertRejects(thrownByNow(() => new ReplayCache({ maxEntries: value })), 'maxEntries');
    for (const value of [null, 5, 'now']) assertRejects(thrownByNow(() => new ReplayCache({ clock: value })), 'clock');
    const err = thrownByNow(() => new ReplayCache({ maxEntires: 10 }));
    assertRejects(err, 'maxEntires');
    assert.ok(err.message.includes('maxEntries'), err.message);
    for (const options of [null, 5, 'x']) assert.ok(thrownByNow(() => new ReplayCache(options)) instanceof TypeError);
    let now = 100;
    const cache = new ReplayCache({ maxEntries: 2, clock: () => now });
    assert.deepEqual([cache.markUsed('a', 105), cache.markUsed('a', 200), cache.markUsed('b', 101)], [true, false, true]);
    const full = thrownByNow(() => cache.markUsed('c', 300));
    assert.ok(full instanceof JoseError && full.code === 'ERR_REPLAY_STORE_FULL');
    now = 101; // b expired: room for c
    assert.equal(cache.markUsed('c', 300), true);
    now = 104.999;
    assert.equal(cache.markUsed('a', 500), false, 'a is live until 105');
    now = 105;
    assert.equal(cache.markUsed('a', 500), true, 'a is forgotten at its expiresAt');
  });
});

function thrownByNow(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, got success');
}

// oidc-provider's token endpoint (private_key_jwt, client_secret_jwt) and checkAssertion on the
// same oauth4webapi-minted assertions, for algorithms and edges interop_audit does not cover.
// They agree but where API.md deliberately differs: clockTolerance 30 (oidc-provider: 15),
// exactly one aud value (strict profile), maxLifetime, iat not in the future, typ.
test('oidc-provider and checkAssertion agree on oauth4webapi assertions (RS256, PS256, ES384, EdDSA, HS256), except where API.md is deliberately stricter or its tolerance wider', async () => {
  const http = await import('node:http');
  const jose = await import('jose');
  const oauth = await import('oauth4webapi');
  const { default: Provider } = await import('oidc-provider');
  const now = () => Math.floor(Date.now() / 1000);
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const tokenEndpoint = `${issuer}/token`;
  const algs = ['RS256', 'PS256', 'ES384', 'EdDSA', 'HS256'];
  const clients = {};
  for (const alg of algs) {
    if (alg === 'HS256') {
      const secret = 'a client secret of at least thirty-two bytes, for HS256';
      clients[alg] = { id: `client-${alg}`, secret, jwk: { kty: 'oct', k: Buffer.from(secret).toString('base64url'), alg } };
    } else {
      const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
      clients[alg] = { id: `client-${alg}`, privateKey, jwk: { ...(await jose.exportJWK(publicKey)), kid: alg, alg } };
    }
  }
  const asKey = await jose.generateKeyPair('ES256', { extractable: true });
  const warn = console.warn;
  console.warn = () => {};
  try {
    const provider = new Provider(issuer, {
      clients: algs.map((alg) => ({
        client_id: clients[alg].id,
        ...(alg === 'HS256' ? { client_secret: clients[alg].secret, token_endpoint_auth_method: 'client_secret_jwt' } : { jwks: { keys: [clients[alg].jwk] }, token_endpoint_auth_method: 'private_key_jwt' }),
        token_endpoint_auth_signing_alg: alg, id_token_signed_response_alg: 'ES256', grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
      })),
      jwks: { keys: [{ ...(await jose.exportJWK(asKey.privateKey)), kid: 'as', alg: 'ES256', use: 'sig' }] },
      enabledJWA: { clientAuthSigningAlgValues: algs },
      features: { devInteractions: { enabled: false }, clientCredentials: { enabled: true } },
    });
    server.on('request', provider.callback());
    const mintBy = async (alg, modify) => {
      const c = clients[alg];
      // oauth4webapi names an Ed25519 key's algorithm "Ed25519" (RFC 9864); these clients registered "EdDSA".
      const withAlg = (h, p) => { h.alg = alg; modify(h, p); };
      const auth = alg === 'HS256' ? oauth.ClientSecretJwt(c.secret, { [oauth.modifyAssertion]: withAlg }) : oauth.PrivateKeyJwt({ key: c.privateKey, kid: alg }, { [oauth.modifyAssertion]: withAlg });
      const body = new URLSearchParams();
      await auth({ issuer, token_endpoint: tokenEndpoint }, { client_id: c.id }, body, new Headers());
      return body.get('client_assertion');
    };
    const theirs = async (alg, assertion) => {
      const res = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clients[alg].id, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
      });
      return res.status === 200 ? 'ok' : 'refused';
    };
    const ours = (alg, assertion, replay) => checkAssertion(assertion, { clientId: clients[alg].id, audience: [issuer, tokenEndpoint], keys: { keys: [clients[alg].jwk] }, algorithms: [alg], replay })
      .then(() => 'ok', (err) => `refused ${[err.code, err.claim, err.reason].filter(Boolean).join('/')}`);
    const past = (p) => { p.iat = p.nbf = now() - 60; };
    // [name, modify, ours when it deliberately differs from oidc-provider]
    const variants = [
      ['as oauth4webapi mints it (aud = issuer, iat = nbf = now, exp = now + 60)', () => {}],
      ['typ JWT', (h) => { h.typ = 'JWT'; }],
      ['typ client-authentication+jwt', (h) => { h.typ = 'client-authentication+jwt'; }],
      ['aud = token endpoint', (h, p) => { p.aud = tokenEndpoint; }],
      ['aud = [issuer]', (h, p) => { p.aud = [issuer]; }],
      ['aud = another server', (h, p) => { p.aud = 'https://other.example'; }],
      ['aud = issuer + "/"', (h, p) => { p.aud = `${issuer}/`; }],
      ['exp 8 s ago (within both tolerances)', (h, p) => { past(p); p.exp = now() - 8; }],
      ['exp 40 s ago', (h, p) => { past(p); p.exp = now() - 40; }],
      ['exp missing', (h, p) => { delete p.exp; }],
      ['exp a string', (h, p) => { p.exp = String(p.exp); }],
      ['nbf 8 s ahead', (h, p) => { p.nbf = now() + 8; }],
      ['nbf 45 s ahead', (h, p) => { p.nbf = now() + 45; }],
      ['no iat, exp in 200 s', (h, p) => { delete p.iat; p.exp = now() + 200; }],
      ['jti a number', (h, p) => { p.jti = 5; }],
      ['jti missing', (h, p) => { delete p.jti; }],
      ['iss another client', (h, p) => { p.iss = 'someone-else'; }],
      ['sub missing', (h, p) => { delete p.sub; }],
      ['aud = [issuer, token endpoint]', (h, p) => { p.aud = [issuer, tokenEndpoint]; }, 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/aud/multiple_audiences'],
      ['exp 22 s ago (clockTolerance 30, oidc-provider 15)', (h, p) => { past(p); p.exp = now() - 22; }, 'ok', 'refused'],
      ['nbf 22 s ahead (clockTolerance 30, oidc-provider 15)', (h, p) => { p.nbf = now() + 22; }, 'ok', 'refused'],
      ['exp 600 s after iat', (h, p) => { p.exp = p.iat + 600; }, 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/exp/lifetime_too_long'],
      ['iat 45 s ahead, exp present', (h, p) => { p.iat = now() + 45; p.exp = now() + 90; }, 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/iat/check_failed'],
      ['typ at+jwt', (h) => { h.typ = 'at+jwt'; }, 'refused ERR_JWT_CLAIM_VALIDATION_FAILED/typ/check_failed'],
    ];
    for (const alg of algs) {
      for (const [name, modify, oursDiffering, theirsDiffering = 'ok'] of variants) {
        const assertion = await mintBy(alg, modify);
        const [a, b] = [await ours(alg, assertion), await theirs(alg, assertion)];
        if (oursDiffering) assert.deepEqual([a, b], [oursDiffering, theirsDiffering], `${alg} ${name}`);
        else assert.equal(a.split(' ')[0], b, `${alg} ${name}: ours ${a}, oidc-provider ${b}`);
      }
      const once = await mintBy(alg, () => {});
      const replay = new ReplayCache();
      assert.deepEqual([await ours(alg, once, replay), await ours(alg, once, replay)], ['ok', 'refused ERR_JWT_REPLAYED/jti/check_failed'], alg);
      assert.deepEqual([await theirs(alg, once), await theirs(alg, once)], ['ok', 'refused'], alg);
    }
  } finally {
    console.warn = warn;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('replay keys: a scope with a space or "%" never shares a key with another scope and jti', async () => {
  const key = await generateKey('ES256', { kid: 'scoped' });
  const jwks = { keys: [key.jwk] };
  const body = 'x';
  const sha = createHash('sha256').update(body).digest('hex');
  // Pairs whose `<scope> <jti>` text is the same when joined by a bare space.
  const pairs = [[['a', 'b c'], ['a b', 'c']], [['a', 'b  c'], ['a b ', 'c']], [['%20', 'x'], [' ', 'x']], [['a%20b', 'c'], ['a b', 'c']], [['', 'a b'], ['a', 'b']]];
  for (const [[scope1, jti1], [scope2, jti2]] of pairs) {
    const seen = [];
    const replay = { markUsed: (k) => (seen.includes(k) ? false : (seen.push(k), true)) };
    const webhook = async (iss, jti) => verifyWebhook(
      { authorization: `Bearer ${await mint(key, { ...(iss === '' ? {} : { iss }), iat: NOW, jti, request_body_sha256: sha })}`, body },
      jwks, { currentDate: NOW, replay },
    );
    await webhook(scope1, jti1);
    await webhook(scope2, jti2);
    assert.equal(new Set(seen).size, 2, JSON.stringify(seen));
    await assert.rejects(webhook(scope2, jti2), { code: 'ERR_JWT_REPLAYED' });
    if (scope1 === '' || scope2 === '') continue;
    seen.length = 0;
    const assertion = async (clientId, jti) => checkAssertion(
      await mint(key, { iss: clientId, sub: clientId, aud: AUD, exp: NOW + 60, jti }),
      { clientId, audience: AUD, keys: jwks, currentDate: NOW, replay },
    );
    await assertion(scope1, jti1);
    await assertion(scope2, jti2);
    assert.equal(new Set(seen).size, 2, JSON.stringify(seen));
    await assert.rejects(assertion(scope1, jti1), { code: 'ERR_JWT_REPLAYED' });
  }
});
