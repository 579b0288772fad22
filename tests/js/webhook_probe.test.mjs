// Contract probe of verifyWebhook, decodeJwt and the error shapes (docs/API.md: "verifyWebhook",
// "decodeJwt", "Errors", the replay rules of "Version 2 additions"), over generated inputs:
// Authorization header forms, body types and views, the request_body_sha256 forms, iat at and
// around both maxAge (+ clockTolerance) bounds, maxAge validation, the ReplayStore contract
// (scoped key, an expiresAt no earlier than the last instant the token is accepted, always a
// number), failing stores, JoseError shapes next to jose's, and decodeJwt next to jose's
// decodeJwt / decodeProtectedHeader on malformed and mutated tokens.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as jose from 'jose';
import { verifyWebhook, decodeJwt, ReplayCache, JoseError, isJoseError } from '../../pkg/node.mjs';
import { NOW, b64url, generateKey, mint, signJson } from './helpers.mjs';

const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const ISS = 'https://sender.example';
const BODY = '{"event":"task.completed","id":42}';
const CODES = new Set([
  'ERR_JWS_INVALID', 'ERR_JWT_INVALID', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED', 'ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWK_INVALID', 'ERR_JWKS_INVALID',
  'ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_TIMEOUT', 'ERR_JWKS_FETCH_FAILED', 'ERR_JWT_REPLAYED', 'ERR_REPLAY_STORE_FULL',
  'ERR_REPLAY_STORE_UNAVAILABLE', 'ERR_WEBHOOK_BODY_MISMATCH',
]);

const sha256Hex = (body) => createHash('sha256').update(body).digest('hex');

// A deterministic generator (Park-Miller), so a failure names a case that can be rerun.
function rng(seed) {
  let state = seed;
  const next = () => (state = (state * 48271) % 2147483647) / 2147483647;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[next.int(list.length)];
  return next;
}

let key; // ES256, kid sender-1
let jwks;

before(async () => {
  key = await generateKey('ES256', { kid: 'sender-1' });
  jwks = { keys: [key.jwk] };
});

/** A notification token over `body` with `claims` on top (undefined removes one). */
async function token(body = BODY, claims = {}) {
  const payload = { iss: ISS, iat: NOW, jti: 'n-1', request_body_sha256: sha256Hex(body), ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return mint(key, payload);
}

/** The error a call throws, or null when it resolves. */
async function errorOf(fn) {
  try {
    await fn();
    return null;
  } catch (err) {
    return err;
  }
}

const verdict = (err) => (err === null ? 'ok' : err instanceof TypeError ? `TypeError ${err.code} ${err.option}` : `${err.code} ${err.claim ?? '-'} ${err.reason ?? '-'}`);

/** A JoseError as API.md "Errors" describes it, with `payload` when it names a claim. */
function assertJoseError(err, code, context) {
  assert.ok(err instanceof JoseError, `${context}: not a JoseError: ${err}`);
  assert.ok(err instanceof Error, context);
  assert.equal(err.name, 'JoseError', context);
  assert.ok(isJoseError(err), context);
  assert.equal(typeof err.message, 'string', context);
  assert.ok(err.message.length > 0, context);
  assert.equal(typeof err.stack, 'string', context);
  assert.ok(CODES.has(err.code), `${context}: ${err.code} is no code of API.md`);
  if (code !== undefined) assert.equal(err.code, code, `${context}: ${err.message}`);
}

describe('verifyWebhook: the Authorization header', () => {
  test('"Bearer" in any letter case, one or more spaces, optional whitespace around: accepted', async () => {
    const jwt = await token();
    let cases = 0;
    for (let mask = 0; mask < 64; mask++) {
      const scheme = [...'bearer'].map((c, i) => ((mask >> i) & 1 ? c.toUpperCase() : c)).join('');
      for (const [before, gap, after] of [['', ' ', ''], ['', '  ', ''], [' ', ' ', ' '], ['\t', '   ', '\t'], ['', ' ', ' \t ']]) {
        const authorization = `${before}${scheme}${gap}${jwt}${after}`;
        const err = await errorOf(() => verifyWebhook({ authorization, body: BODY }, jwks, { currentDate: NOW }));
        assert.equal(verdict(err), 'ok', JSON.stringify(authorization.replace(jwt, 'T')));
        cases++;
      }
    }
    assert.equal(cases, 320);
  });

  test('other forms are ERR_JWS_INVALID JoseErrors, never a TypeError or an acceptance', async () => {
    const jwt = await token();
    const forms = [
      '', ' ', 'Bearer', 'Bearer ', 'Bearer  ', `Bearer\t${jwt}`, `Bearer\u00a0${jwt}`, `Bearer\n${jwt}`, `Bearer${jwt}`,
      `Bearer ${jwt} ${jwt}`, `Bearer ${jwt}\t${jwt}`, `Bearer ${jwt},${jwt}`, `Bearer ${jwt}.`, `Bearer "${jwt}"`, `Bearer ${jwt}\n`,
      `Basic ${jwt}`, `DPoP ${jwt}`, `Token ${jwt}`, `Bearerx ${jwt}`, `Bear ${jwt}`, `Bearer: ${jwt}`, jwt, `${jwt} Bearer`,
      `Bearer ${jwt.replace('.', ' .')}`, `Bearer ${jwt}\u0000`,
    ];
    const others = [undefined, null, 42, true, {}, [`Bearer ${jwt}`], new String(`Bearer ${jwt}`), Buffer.from(`Bearer ${jwt}`), { toString: () => `Bearer ${jwt}` }, Symbol('x')];
    for (const authorization of [...forms, ...others]) {
      const label = typeof authorization === 'string' ? JSON.stringify(authorization.replaceAll(jwt, 'T')) : String(typeof authorization === 'symbol' ? 'symbol' : Object.prototype.toString.call(authorization));
      const err = await errorOf(() => verifyWebhook({ authorization, body: BODY }, jwks, { currentDate: NOW }));
      assert.notEqual(err, null, `${label} was accepted`);
      assertJoseError(err, 'ERR_JWS_INVALID', label);
    }
    // No authorization member at all.
    assertJoseError(await errorOf(() => verifyWebhook({ body: BODY }, jwks, { currentDate: NOW })), 'ERR_JWS_INVALID', 'absent');
  });
});

describe('verifyWebhook: maxTokenLength bounds the token, not the header', () => {
  test('a token of exactly maxTokenLength passes whatever its spacing; one more character fails, in words that are true', async () => {
    const jwt = await token();
    let cases = 0;
    for (const [before, gap, after] of [['', ' ', ''], ['', '   ', ''], ['  ', ' ', '\t'], ['', ' '.repeat(20), ' '.repeat(20)]]) {
      const authorization = `${before}Bearer${gap}${jwt}${after}`;
      const at = (maxTokenLength) => errorOf(() => verifyWebhook({ authorization, body: BODY }, jwks, { currentDate: NOW, maxTokenLength }));
      assert.equal(verdict(await at(jwt.length)), 'ok', JSON.stringify(authorization.replace(jwt, 'T')));
      for (const maxTokenLength of [jwt.length - 1, jwt.length - 64, 100]) {
        const err = await at(maxTokenLength);
        assertJoseError(err, 'ERR_JWS_INVALID', `${maxTokenLength}`);
        assert.match(err.message, new RegExp(`maxTokenLength \\(${maxTokenLength}\\)`));
        cases++;
      }
    }
    // A header longer than the token allows (by more than the scheme and 64 characters of
    // spacing) is refused before it is read; a length its message gives is the one measured.
    for (const spaces of [70, 200, 5000]) {
      for (const authorization of [`${' '.repeat(spaces)}Bearer ${jwt}`, `Bearer ${' '.repeat(spaces)}${jwt}`, `Bearer ${jwt}${' '.repeat(spaces)}`]) {
        const err = await errorOf(() => verifyWebhook({ authorization, body: BODY }, jwks, { currentDate: NOW, maxTokenLength: jwt.length }));
        assertJoseError(err, 'ERR_JWS_INVALID', `${spaces} spaces`);
        const token = /\btoken is (\d+) characters/.exec(err.message);
        if (token) assert.equal(Number(token[1]), jwt.length, `the message says the token is ${token[1]} characters: ${err.message}`);
        const header = /header is (\d+) characters/.exec(err.message);
        if (header) assert.equal(Number(header[1]), authorization.length, err.message);
        assert.ok(token || header, err.message);
        cases++;
      }
    }
    assert.equal(cases, 12 + 9);
  });
});

describe('verifyWebhook: the body', () => {
  test('a Uint8Array is hashed by its own bytes: every view of a larger buffer', async () => {
    const r = rng(5);
    const backing = new Uint8Array(64).map(() => r.int(256));
    let cases = 0;
    for (let start = 0; start <= 64; start += 4) {
      for (let end = start; end <= 64; end += 5) {
        const view = backing.subarray(start, end);
        const jwt = await token(Buffer.from(view));
        const accepted = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: view }, jwks, { currentDate: NOW }));
        assert.equal(verdict(accepted), 'ok', `view ${start}..${end}`);
        // The whole backing buffer, or a view one byte longer, is another body.
        const longer = new Uint8Array(backing.buffer, start, Math.min(64, end + 1) - start);
        if (longer.length !== view.length) {
          const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: longer }, jwks, { currentDate: NOW }));
          assert.equal(err?.code, 'ERR_WEBHOOK_BODY_MISMATCH', `view ${start}..${end + 1}`);
        }
        cases++;
      }
    }
    assert.ok(cases > 100);
  });

  test('a string is hashed as UTF-8 (lone surrogates as U+FFFD, as Node and TextEncoder write them)', async () => {
    for (const body of ['', 'a', 'é', '✓🚀', '\ud800', 'x\udfffy', '\u0000\r\n', 'Ā'.repeat(1000)]) {
      const jwt = await token(body);
      assert.equal(verdict(await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body }, jwks, { currentDate: NOW }))), 'ok', JSON.stringify(body));
      const bytes = new TextEncoder().encode(body);
      assert.equal(verdict(await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: bytes }, jwks, { currentDate: NOW }))), 'ok', JSON.stringify(body));
    }
  });

  test('any other body, and a request that is no object, is a TypeError naming it, before any key is read', async () => {
    const jwt = await token();
    const bodies = [undefined, null, 0, 1, true, {}, [], [104], new ArrayBuffer(3), new Uint8ClampedArray(3), new Int8Array(3), new Uint16Array(3),
      new DataView(new ArrayBuffer(3)), new String(BODY), Symbol('b'), () => BODY, new Blob([BODY])];
    // keys that would throw if they were read: the TypeError comes first.
    const noKeys = 5;
    for (const body of bodies) {
      const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body }, noKeys, { currentDate: NOW }));
      assert.ok(err instanceof TypeError, `${typeof body === 'symbol' ? 'symbol' : Object.prototype.toString.call(body)}: ${err}`);
      assert.equal(err.code, 'ERR_INVALID_OPTION');
      assert.equal(err.option, 'request.body');
      assert.ok(!isJoseError(err));
    }
    for (const request of [undefined, null, 0, 'Bearer x', true, Symbol('r')]) {
      const err = await errorOf(() => verifyWebhook(request, noKeys, { currentDate: NOW }));
      assert.ok(err instanceof TypeError, String(err));
      assert.equal(err.code, 'ERR_INVALID_OPTION');
      assert.equal(err.option, 'request');
    }
  });
});

describe('verifyWebhook: the request object', () => {
  test('each member is read once; a getter that throws is a TypeError naming the member', async () => {
    const jwt = await token();
    const reads = { authorization: 0, body: 0 };
    const request = {
      get authorization() {
        reads.authorization++;
        return `Bearer ${jwt}`;
      },
      get body() {
        reads.body++;
        return BODY;
      },
    };
    await verifyWebhook(request, jwks, { currentDate: NOW, replay: new ReplayCache({ clock: () => NOW }) });
    assert.deepEqual(reads, { authorization: 1, body: 1 });
    for (const member of ['authorization', 'body']) {
      const throwing = Object.defineProperty({ authorization: `Bearer ${jwt}`, body: BODY }, member, { get() { throw new Error('no'); } });
      const err = await errorOf(() => verifyWebhook(throwing, jwks, { currentDate: NOW }));
      assert.ok(err instanceof TypeError, `${member}: ${err}`);
      assert.equal(err.code, 'ERR_INVALID_OPTION');
      assert.equal(err.option, `request.${member}`);
    }
    // Inherited members are read as a property read reads them (a class instance, a Proxy).
    class Req {
      get authorization() { return `Bearer ${jwt}`; }
      get body() { return BODY; }
    }
    assert.equal(verdict(await errorOf(() => verifyWebhook(new Req(), jwks, { currentDate: NOW }))), 'ok');
    assert.equal(verdict(await errorOf(() => verifyWebhook(new Proxy({}, { get: (_, name) => ({ authorization: `Bearer ${jwt}`, body: BODY })[name] }), jwks, { currentDate: NOW }))), 'ok');
  });
});

describe('verifyWebhook: request_body_sha256', () => {
  test('64 lowercase hex digits of the body, nothing else: forms generated over case, length and type', async () => {
    const hash = sha256Hex(BODY);
    const cases = [];
    for (let i = 0; i < 64; i++) {
      if (/[a-f]/.test(hash[i])) cases.push([`${hash.slice(0, i)}${hash[i].toUpperCase()}${hash.slice(i + 1)}`, 'invalid']);
    }
    for (let length = 0; length <= 70; length += 3) if (length !== 64) cases.push([hash.repeat(2).slice(0, length), 'invalid']);
    cases.push([hash.toUpperCase(), 'invalid'], [` ${hash}`, 'invalid'], [`${hash} `, 'invalid'], [`${hash.slice(0, 63)}g`, 'invalid'],
      [createHash('sha256').update(BODY).digest('base64url'), 'invalid'], [`sha256=${hash}`, 'invalid'], [`${hash}\u0000`, 'invalid']);
    for (const value of [null, 0, 1, true, [], [hash], {}, { hash }]) cases.push([value, 'invalid']);
    cases.push([undefined, 'missing']);
    for (const [value, reason] of cases) {
      const jwt = await token(BODY, { request_body_sha256: value });
      const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW }));
      assert.equal(verdict(err), `${FAILED} request_body_sha256 ${reason}`, JSON.stringify(value));
      assertJoseError(err, FAILED, JSON.stringify(value));
      assert.deepEqual(err.payload, jose.decodeJwt(jwt), 'a claim error carries the payload');
    }
    assert.ok(cases.length > 60);
  });

  test('a well-formed hash of another body is ERR_WEBHOOK_BODY_MISMATCH, naming the claim and carrying the payload', async () => {
    const r = rng(17);
    for (let round = 0; round < 40; round++) {
      const signed = Buffer.from(Array.from({ length: r.int(40) }, () => r.int(256)));
      // One byte changed, one appended, or the last one dropped.
      const change = signed.length ? r.int(3) : 1;
      const body = Buffer.from(signed);
      const sent = change === 0 ? (body[r.int(body.length)] ^= 1 + r.int(255), body) : change === 1 ? Buffer.concat([body, Buffer.from([r.int(256)])]) : body.subarray(0, -1);
      assert.ok(!sent.equals(signed));
      const jwt = await token(signed, { jti: `m-${round}` });
      const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: r() < 0.5 ? sent : new Uint8Array(sent) }, jwks, { currentDate: NOW }));
      assertJoseError(err, 'ERR_WEBHOOK_BODY_MISMATCH', `round ${round}`);
      assert.equal(err.claim, 'request_body_sha256');
      assert.equal(err.reason, 'check_failed');
      assert.deepEqual(err.payload, jose.decodeJwt(jwt));
    }
  });
});

describe('verifyWebhook: iat within maxAge both ways', () => {
  test('accepted iff floor(now) - maxAge - tolerance <= iat <= floor(now) + maxAge + tolerance; the codes jose gives', async () => {
    let cases = 0;
    for (const [maxAge, option] of [[300, undefined], [1, 1], [60, '1m'], [2.5, 2.5], [3600, '1h'], [45, '45 seconds']]) {
      for (const tolerance of [0, 1, 0.5, 30]) {
        const bound = maxAge + tolerance;
        for (const nowFraction of [0, 0.25, 0.999]) {
          const now = NOW + nowFraction;
          for (const delta of [-bound - 1, -bound - 0.5, -bound - 0.001, -bound, -bound + 0.5, -bound + 1, 0, bound - 1, bound - 0.001, bound, bound + 0.001, bound + 0.5, bound + 1]) {
            const iat = NOW + delta;
            const jwt = await token(BODY, { iat, jti: undefined });
            const options = { currentDate: now, clockTolerance: tolerance, ...(option !== undefined && { maxAge: option }) };
            const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, options));
            const floorNow = Math.floor(now);
            const expected = iat < floorNow - bound ? 'ERR_JWT_EXPIRED iat check_failed' : iat > floorNow + bound ? `${FAILED} iat check_failed` : 'ok';
            assert.equal(verdict(err), expected, `maxAge ${maxAge}, tolerance ${tolerance}, now ${now}, iat ${iat}`);
            if (err) assert.equal(err.payload?.iat, iat);
            cases++;
          }
        }
      }
    }
    assert.equal(cases, 6 * 4 * 3 * 13);
  });

  test('a too old iat is ERR_JWT_EXPIRED with the fields jose gives for maxTokenAge', async () => {
    const jwt = await token(BODY, { iat: NOW - 301 });
    const ours = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW }));
    const theirs = await errorOf(() => jose.jwtVerify(jwt, jose.createLocalJWKSet(jwks), { currentDate: new Date(NOW * 1000), maxTokenAge: 300 }));
    for (const field of ['code', 'claim', 'reason']) assert.equal(ours[field], theirs[field], field);
    assert.deepEqual(ours.payload, theirs.payload);
  });

  test('maxAge: positive seconds or a duration text; anything else a TypeError naming maxAge', async () => {
    const jwt = await token();
    for (const maxAge of [1, 0.001, 300, 86400, '5m', '2 hours', '1.5s', 2 ** 40]) {
      assert.equal(verdict(await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW, maxAge }))), 'ok', String(maxAge));
    }
    for (const maxAge of [0, -0, -1, -0.5, NaN, Infinity, -Infinity, null, true, '', 'abc', '0s', '-5m', '5 parsecs', [300], {}, () => 300, Symbol('m'), 300n, new Date(), '1e400s']) {
      const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW, maxAge }));
      const label = typeof maxAge === 'symbol' ? 'symbol' : typeof maxAge === 'bigint' ? '300n' : JSON.stringify(maxAge) ?? String(maxAge);
      assert.ok(err instanceof TypeError, `${label}: ${err}`);
      assert.equal(err.code, 'ERR_INVALID_OPTION', label);
      assert.equal(err.option, 'maxAge', label);
    }
  });
});

describe('verifyWebhook: the replay store', () => {
  test('markUsed gets "<iss> <jti>" and an expiresAt: a number, never before the last accepted instant, accepted up to it', async () => {
    const r = rng(29);
    let checked = 0;
    for (let round = 0; round < 80; round++) {
      const maxAge = r.pick([1, 5, 60, 300, 0.5, 2.5, 3600]);
      const clockTolerance = r.pick([0, 0, 1, 2.5, 30, 0.25]);
      const iat = NOW + Math.round((r() - 0.5) * 2 * maxAge * 100) / 100;
      const exp = r() < 0.4 ? NOW + Math.round(r() * 2 * maxAge * 10) / 10 : undefined;
      const maxTokenAge = r() < 0.25 ? Math.round(r() * maxAge * 10) / 10 + 1 : undefined;
      const iss = r.pick([ISS, 'a', 'tenant/1', undefined, '']);
      const jti = r.pick(['j', 'a b', '%20', 'ü', 'x'.repeat(100)]) + round;
      const jwt = await token(BODY, { iss, jti, iat, exp });
      const base = { clockTolerance, maxAge, ...(maxTokenAge !== undefined && { maxTokenAge }) };
      const accepted = async (currentDate) => (await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { ...base, currentDate }))) === null;
      let start;
      for (const t of [NOW, iat, Math.ceil(iat), iat + 0.5]) {
        if (await accepted(t)) {
          start = t;
          break;
        }
      }
      if (start === undefined) continue;
      const calls = [];
      await verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { ...base, currentDate: start, replay: { markUsed: (...args) => (calls.push(args), true) } });
      assert.equal(calls.length, 1);
      const [[storedKey, expiresAt]] = calls;
      assert.equal(storedKey, `${iss ?? ''} ${jti}`);
      assert.ok(Number.isFinite(expiresAt), `expiresAt ${expiresAt}`);
      for (const t of [start, expiresAt - 2, expiresAt - 1, expiresAt - 0.5, expiresAt - 0.001, expiresAt, expiresAt + 0.001, expiresAt + 0.5, expiresAt + 1, expiresAt + 7]) {
        if (t < start) continue;
        const context = JSON.stringify({ iat, exp, maxAge, clockTolerance, maxTokenAge, start, expiresAt, t });
        const ok = await accepted(t);
        if (t >= expiresAt) assert.equal(ok, false, `accepted at or after expiresAt: ${context}`);
        // expiresAt is the first refused instant: a moment before it the token still passes.
        if (t >= expiresAt - 0.001 && t < expiresAt) assert.equal(ok, true, `refused before expiresAt: ${context}`);
        checked++;
      }
    }
    assert.ok(checked > 400, `${checked}`);
  });

  test('options whose window overflows a double still hand markUsed a finite number', async () => {
    for (const [maxAge, clockTolerance, iat] of [[1e308, 1e308, NOW], [Number.MAX_VALUE, 0, Number.MAX_VALUE], [1.7e308, 0, 1.7e308]]) {
      const calls = [];
      const jwt = await token(BODY, { iat });
      await verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW, maxAge, clockTolerance, replay: { markUsed: (...args) => (calls.push(args), true) } });
      assert.equal(calls.length, 1);
      assert.equal(typeof calls[0][1], 'number', `maxAge ${maxAge}: expiresAt ${calls[0][1]}`);
      assert.ok(calls[0][1] >= Number.MAX_VALUE, `maxAge ${maxAge}: expiresAt ${calls[0][1]} ends the window early`);
      // ReplayCache takes it (a non-number would make it refuse every such token).
      const cache = new ReplayCache({ clock: () => NOW });
      await verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW, maxAge, clockTolerance, replay: cache });
      assert.equal(cache.size, 1);
    }
  });

  test('a used key is ERR_JWT_REPLAYED (claim jti, check_failed, the payload), per scope', async () => {
    const cache = new ReplayCache({ clock: () => NOW });
    for (const iss of [ISS, 'other', 'a b', undefined]) {
      for (const jti of ['1', '2', 'a b']) {
        const jwt = await token(BODY, { iss, jti });
        const request = { authorization: `Bearer ${jwt}`, body: BODY };
        assert.equal(verdict(await errorOf(() => verifyWebhook(request, jwks, { currentDate: NOW, replay: cache }))), 'ok', `${iss} ${jti}`);
        const err = await errorOf(() => verifyWebhook(request, jwks, { currentDate: NOW, replay: cache }));
        assertJoseError(err, 'ERR_JWT_REPLAYED', `${iss} ${jti}`);
        assert.equal(err.claim, 'jti');
        assert.equal(err.reason, 'check_failed');
        assert.deepEqual(err.payload, jose.decodeJwt(jwt));
      }
    }
    assert.equal(cache.size, 12);
  });

  test('a store that throws, rejects, answers anything but a boolean, or hangs: ERR_REPLAY_STORE_UNAVAILABLE (fail closed)', async () => {
    const stores = [
      { markUsed() { throw new Error('down'); } },
      { markUsed() { throw 'down'; } }, // eslint-disable-line no-throw-literal
      { markUsed: () => Promise.reject(new Error('down')) },
      ...[undefined, null, 0, 1, 'true', 'false', {}, [], Promise.resolve(1), Promise.resolve('true'), Promise.resolve(undefined)].map((value) => ({ markUsed: () => value })),
      { markUsed: () => new Promise(() => {}) },
    ];
    for (const [i, replay] of stores.entries()) {
      const jwt = await token(BODY, { jti: `s-${i}` });
      const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW, replay, replayTimeoutMs: 50 }));
      assertJoseError(err, 'ERR_REPLAY_STORE_UNAVAILABLE', `store ${i}`);
    }
    // A store's own methods see it as `this`; a resolved true/false counts.
    const store = new (class {
      used = new Set();
      async markUsed(k) {
        if (this.used.has(k)) return false;
        this.used.add(k);
        return true;
      }
    })();
    const request = { authorization: `Bearer ${await token(BODY, { jti: 'this' })}`, body: BODY };
    await verifyWebhook(request, jwks, { currentDate: NOW, replay: store });
    assert.equal((await errorOf(() => verifyWebhook(request, jwks, { currentDate: NOW, replay: store })))?.code, 'ERR_JWT_REPLAYED');
  });

  test('the store is never asked about a token that fails any other check', async () => {
    const calls = [];
    const replay = { markUsed: (...args) => (calls.push(args), true) };
    const other = await generateKey('ES256', { kid: 'sender-1' });
    const bad = [
      { authorization: `Bearer ${await token(BODY, { iat: NOW - 1000 })}`, body: BODY },
      { authorization: `Bearer ${await token(BODY, { iat: NOW + 1000 })}`, body: BODY },
      { authorization: `Bearer ${await token(BODY, { exp: NOW })}`, body: BODY },
      { authorization: `Bearer ${await token('other')}`, body: BODY },
      { authorization: `Bearer ${await token(BODY, { request_body_sha256: 'x' })}`, body: BODY },
      { authorization: `Bearer ${await mint(other, { iss: ISS, iat: NOW, jti: 'k', request_body_sha256: sha256Hex(BODY) })}`, body: BODY },
      { authorization: `Bearer ${await token(BODY, { jti: undefined })}`, body: BODY },
      { authorization: `Bearer ${await token(BODY, { jti: '' })}`, body: BODY },
      { authorization: `Bearer ${await token(BODY, { iss: 7 })}`, body: BODY },
      { authorization: `Basic ${await token()}`, body: BODY },
    ];
    for (const [i, request] of bad.entries()) {
      const err = await errorOf(() => verifyWebhook(request, jwks, { currentDate: NOW, replay, issuer: undefined }));
      assert.notEqual(err, null, `case ${i}`);
      assertJoseError(err, undefined, `case ${i}`);
    }
    assert.deepEqual(calls, []);
  });
});

describe('decodeJwt', () => {
  // jose's decodeJwt reads the payload only; its decodeProtectedHeader the header.
  const joseDecode = (input) => {
    try {
      return { ok: true, payload: jose.decodeJwt(input), header: jose.decodeProtectedHeader(input) };
    } catch (err) {
      return { ok: false, err };
    }
  };

  function checkOne(input, label) {
    let ours;
    try {
      ours = { ok: true, value: decodeJwt(input) };
    } catch (err) {
      ours = { ok: false, err };
    }
    const theirs = joseDecode(input);
    const long = typeof input === 'string' && input.length > 16384;
    if (!ours.ok) {
      // Never a raw SyntaxError/TypeError: a JoseError with the code API.md gives.
      assertJoseError(ours.err, long ? 'ERR_JWS_INVALID' : 'ERR_JWT_INVALID', label);
      assert.equal(ours.err.claim, undefined, label);
    } else {
      // What we decode jose decodes to the same header and payload; the signature is the
      // third part, as it is.
      assert.ok(theirs.ok, `${label}: we decode what jose refuses (${theirs.err?.code})`);
      assert.deepEqual(Object.keys(ours.value).sort(), ['header', 'payload', 'signature'], label);
      assert.deepEqual(ours.value.payload, theirs.payload, label);
      assert.deepEqual(ours.value.header, theirs.header, label);
      assert.equal(ours.value.signature, String(input).split('.')[2], label);
    }
    if (!theirs.ok && !long) assert.equal(ours.ok, false, `${label}: jose refuses (${theirs.err.code}), we decode`);
    if (!theirs.ok && theirs.err.code === 'ERR_JWT_INVALID' && !ours.ok) assert.equal(ours.err.code, long ? 'ERR_JWS_INVALID' : 'ERR_JWT_INVALID', label);
    return ours.ok;
  }

  test('malformed inputs: ERR_JWT_INVALID JoseErrors (over 16384 characters ERR_JWS_INVALID), agreeing with jose', async () => {
    const h = b64url('{"alg":"ES256"}');
    const p = b64url('{"sub":"a"}');
    const inputs = [
      '', '.', '..', '...', '....', 'a.b.c', `${h}.${p}`, `${h}.${p}.x.y`, `${h}.${p}.s.i.g`, `${h}..`, `.${p}.`, `${h}.${p}.a+b`, `${h}.${p}.%`,
      `${h}.${p}=.`, `${h}.${b64url('[]')}.`, `${h}.${b64url('null')}.`, `${h}.${b64url('1')}.`, `${h}.${b64url('"s"')}.`, `${h}.${b64url('{')}.`,
      `${h}.${b64url('{"a":1}x')}.`, `${b64url('[]')}.${p}.`, `${b64url('1')}.${p}.`, `${b64url('{')}.${p}.`, `${b64url('{"b64":false}')}.${p}.`,
      `${b64url('{"b64":"no"}')}.${p}.`, `${h}.${Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('base64url')}.`,
      ` ${h}.${p}.`, `${h}.${p}. `, `${h}.${p}.\n`, `${h}.${p}.AB`, 'x'.repeat(16385), `${h}.${p}.${'A'.repeat(16400)}`,
      undefined, null, 0, 1, true, {}, [], [h, p, ''], Symbol('t'), () => 'x', new String(`${h}.${p}.`),
    ];
    for (const input of inputs) {
      const label = typeof input === 'string' ? JSON.stringify(input.length > 60 ? `${input.slice(0, 30)}…(${input.length})` : input) : typeof input === 'symbol' ? 'symbol' : Object.prototype.toString.call(input);
      const decoded = checkOne(input, label);
      assert.equal(decoded, false, `${label} decoded`);
    }
    assert.deepEqual(decodeJwt(`${h}.${p}.`), { header: { alg: 'ES256' }, payload: { sub: 'a' }, signature: '' });
  });

  test('the 16384 limit counts characters as String#length does: non-ASCII text under it is malformed, not too long', async () => {
    const h = b64url('{"alg":"ES256"}');
    const p = b64url('{"sub":"a"}');
    let cases = 0;
    for (const unit of ['é', '€', '😀', '\ud800', 'a']) {
      for (const length of [1000, 8192, 16383, 16384, 16385, 20000]) {
        const filler = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
        for (const input of [filler, `${h}.${p}.${filler}`.slice(0, length), `${h}.${filler}`.slice(0, length)]) {
          const over = input.length > 16384;
          const err = await errorOf(() => decodeJwt(input));
          assertJoseError(err, over ? 'ERR_JWS_INVALID' : 'ERR_JWT_INVALID', `${JSON.stringify(unit)} x ${length}`);
          const said = /token is (\d+) characters/.exec(err.message);
          if (said) assert.equal(Number(said[1]), input.length, err.message);
          assert.equal(Boolean(said), over, err.message);
          // verifyWebhook: ERR_JWS_INVALID either way; a length it gives is the token's.
          const refused = await errorOf(() => verifyWebhook({ authorization: `Bearer ${input}`, body: BODY }, jwks, { currentDate: NOW }));
          assertJoseError(refused, 'ERR_JWS_INVALID', `webhook ${JSON.stringify(unit)} x ${length}`);
          const told = /token is (\d+) characters/.exec(refused.message);
          if (told) assert.equal(Number(told[1]), input.length, refused.message);
          cases++;
        }
      }
    }
    assert.equal(cases, 90);
  });

  test('mutated tokens: never a raw SyntaxError; what decodes agrees with jose', async () => {
    const r = rng(41);
    const seeds = [
      await mint(key, { iss: ISS, iat: NOW, nested: { a: [1, 2, { b: 'ü' }] } }),
      await signJson(key, { alg: 'ES256', kid: 'k', crit: ['x'], x: 1 }, { sub: 's', aud: ['a', 'b'], n: -0.5e-3 }),
      await signJson(key, '{"alg":"ES256"}', '{}'),
    ];
    const alphabet = 'AQgw_-.=+/ \t\n%"{}eyJ0123';
    let decoded = 0;
    let refused = 0;
    for (let round = 0; round < 1500; round++) {
      let text = r.pick(seeds);
      for (let edits = 1 + r.int(3); edits > 0; edits--) {
        const at = r.int(text.length + 1);
        const op = r.int(3);
        if (op === 0) text = text.slice(0, at) + r.pick([...alphabet]) + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + r.pick([...alphabet]) + text.slice(at + 1);
      }
      if (checkOne(text, `round ${round}: ${JSON.stringify(text)}`)) decoded++;
      else refused++;
    }
    assert.ok(decoded > 50 && refused > 500, `decoded ${decoded}, refused ${refused}`);
  });
});

describe('JoseError', () => {
  test('every verifyWebhook failure above is a JoseError; claim failures carry claim, reason and the decoded payload', async () => {
    const r = rng(53);
    const shapes = new Map();
    for (let round = 0; round < 200; round++) {
      const claims = {
        iat: r.pick([NOW, NOW - 1000, NOW + 1000, 'x', undefined]),
        exp: r.pick([undefined, undefined, NOW, NOW - 5, NOW + 60, 'soon']),
        nbf: r.pick([undefined, undefined, NOW + 100, 'x']),
        iss: r.pick([ISS, 'other', 5, undefined]),
        aud: r.pick([undefined, 'api', ['api', 'other'], 7]),
        jti: r.pick(['j', undefined, '', 3]),
        request_body_sha256: r.pick([sha256Hex(BODY), sha256Hex(BODY), sha256Hex('x'), 'X', undefined]),
      };
      const options = { currentDate: NOW, ...r.pick([{}, { issuer: ISS }, { audience: 'api' }, { replay: new ReplayCache({ clock: () => NOW }) }, { maxTokenAge: 10 }]) };
      const jwt = await token(BODY, claims);
      const err = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, options));
      if (err === null) continue;
      assertJoseError(err, undefined, `round ${round}`);
      if (err.claim !== undefined) {
        assert.ok(['missing', 'invalid', 'check_failed', 'multiple_audiences'].includes(err.reason), `${err.code} ${err.claim} ${err.reason}`);
        assert.deepEqual(err.payload, jose.decodeJwt(jwt), `round ${round}: ${err.code} ${err.claim}`);
      } else {
        assert.equal(err.reason, undefined);
      }
      shapes.set(verdict(err), (shapes.get(verdict(err)) ?? 0) + 1);
    }
    assert.ok(shapes.size >= 10, [...shapes.keys()].join(', '));
  });

  test('new JoseError(code, message, details): an Error subclass with the details API.md names', () => {
    const details = { claim: 'iat', reason: 'invalid', payload: { iat: 'x' }, url: 'https://a.example/jwks', kids: ['a'], kidCount: 1 };
    for (const code of CODES) {
      const err = new JoseError(code, `m ${code}`, details);
      assertJoseError(err, code, code);
      assert.equal(err.message, `m ${code}`);
      for (const [field, value] of Object.entries(details)) assert.deepEqual(err[field], value, field);
      const bare = new JoseError(code, 'm');
      for (const field of Object.keys(details)) assert.equal(field in bare, false, field);
      assert.ok(Object.prototype.toString.call(bare) === '[object Error]');
    }
  });

  test('an expired token: the fields jose gives (code, claim, reason, payload)', async () => {
    for (const exp of [NOW, NOW - 1, NOW - 3600]) {
      const jwt = await token(BODY, { exp });
      const ours = await errorOf(() => verifyWebhook({ authorization: `Bearer ${jwt}`, body: BODY }, jwks, { currentDate: NOW }));
      const theirs = await errorOf(() => jose.jwtVerify(jwt, jose.createLocalJWKSet(jwks), { currentDate: new Date(NOW * 1000) }));
      assertJoseError(ours, 'ERR_JWT_EXPIRED', String(exp));
      for (const field of ['code', 'claim', 'reason']) assert.equal(ours[field], theirs[field], field);
      assert.deepEqual(ours.payload, theirs.payload);
    }
  });
});
