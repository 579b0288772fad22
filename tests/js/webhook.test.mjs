// verifyWebhook on the built package: a Node sender signs each notification (a jose JWT
// binding the SHA-256 of the raw body) and a receiver checks it, directly and over node:http.
// Tampered body, old / future iat, missing hash claim, replayed jti, wrong key: each rejected
// with its code; string, Uint8Array and Buffer bodies.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { verifyWebhook, ReplayCache, JoseError } from '../../pkg/node.mjs';
import { NOW, generateKey, mint, outcome, thrownBy } from './helpers.mjs';

const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const SENDER = 'https://agent.example';

let senderKey; // ES256, kid sender-1
let impostorKey; // ES256, same kid, other key material
let jwks;

before(async () => {
  senderKey = await generateKey('ES256', { kid: 'sender-1' });
  impostorKey = await generateKey('ES256', { kid: 'sender-1' });
  jwks = { keys: [senderKey.jwk] };
});

const sha256Hex = (body) => createHash('sha256').update(body).digest('hex');

// The sender: a JWT over the body's hash, as an Authorization header value.
async function send(body, { claims = {}, key = senderKey, header = {} } = {}) {
  const payload = { iss: SENDER, iat: NOW, jti: randomUUID(), request_body_sha256: sha256Hex(body), ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return { authorization: `Bearer ${await mint(key, payload, { header })}`, body };
}

const at = (extra = {}) => ({ currentDate: NOW, ...extra });
const claimError = (code, claim, reason) => ({ ok: false, code, claim, reason });

const BODY = JSON.stringify({ taskId: 't-1', status: { state: 'completed' } });

describe('verifyWebhook accepts', () => {
  test('a string body', async () => {
    const request = await send(BODY);
    const result = await verifyWebhook(request, jwks, at());
    assert.deepEqual(Object.keys(result).sort(), ['header', 'key', 'payload']);
    assert.equal(result.payload.request_body_sha256, sha256Hex(BODY));
    assert.equal(result.key.kid, 'sender-1');
  });

  test('a non-ASCII string body, hashed as UTF-8', async () => {
    const body = '{"text":"grüße ✓ 🚀"}';
    assert.equal((await verifyWebhook(await send(body), jwks, at())).payload.iss, SENDER);
  });

  test('a Uint8Array body of arbitrary bytes, and a Buffer', async () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x80, 0xfe, 0x0a, 0xc3]);
    assert.equal((await verifyWebhook(await send(bytes), jwks, at())).payload.iss, SENDER);
    const buffer = Buffer.from(BODY);
    const request = await send(buffer);
    assert.equal((await verifyWebhook(request, jwks, at())).payload.iss, SENDER);
    // The same bytes as a string verify too.
    assert.equal((await verifyWebhook({ ...request, body: BODY }, jwks, at())).payload.iss, SENDER);
  });

  test('an empty body', async () => {
    assert.equal((await verifyWebhook(await send(''), jwks, at())).payload.request_body_sha256, sha256Hex(''));
    assert.equal((await verifyWebhook(await send(new Uint8Array(0)), jwks, at())).payload.iss, SENDER);
  });

  test('iat at exactly maxAge in the past and in the future, and a "bearer" scheme in any case', async () => {
    await verifyWebhook(await send(BODY, { claims: { iat: NOW - 300 } }), jwks, at());
    await verifyWebhook(await send(BODY, { claims: { iat: NOW + 300 } }), jwks, at());
    const request = await send(BODY);
    await verifyWebhook({ ...request, authorization: request.authorization.replace('Bearer', 'bearer') }, jwks, at());
  });

  test('a verifier KeySet given as JWKS JSON text', async () => {
    assert.equal((await verifyWebhook(await send(BODY), JSON.stringify(jwks), at())).payload.iss, SENDER);
  });
});

describe('verifyWebhook rejects', () => {
  const cases = [
    ['a tampered body', async () => ({ ...(await send(BODY)), body: BODY.replace('completed', 'failed') }), {}, claimError('ERR_WEBHOOK_BODY_MISMATCH', 'request_body_sha256', 'check_failed')],
    ['a body with one byte appended', async () => ({ ...(await send(BODY)), body: `${BODY} ` }), {}, claimError('ERR_WEBHOOK_BODY_MISMATCH', 'request_body_sha256', 'check_failed')],
    ['a tampered Uint8Array body', async () => ({ ...(await send(new Uint8Array([1, 2, 3]))), body: new Uint8Array([1, 2, 4]) }), {}, claimError('ERR_WEBHOOK_BODY_MISMATCH', 'request_body_sha256', 'check_failed')],
    ['an old iat (maxAge + 1 s)', () => send(BODY, { claims: { iat: NOW - 301 } }), {}, claimError('ERR_JWT_EXPIRED', 'iat', 'check_failed')],
    ['a future iat (maxAge + 1 s)', () => send(BODY, { claims: { iat: NOW + 301 } }), {}, claimError(FAILED, 'iat', 'check_failed')],
    ['an old iat under maxAge "1m" + clockTolerance 5', () => send(BODY, { claims: { iat: NOW - 66 } }), { maxAge: '1m', clockTolerance: 5 }, claimError('ERR_JWT_EXPIRED', 'iat', 'check_failed')],
    ['a missing iat', () => send(BODY, { claims: { iat: undefined } }), {}, claimError(FAILED, 'iat', 'missing')],
    ['a missing hash claim', () => send(BODY, { claims: { request_body_sha256: undefined } }), {}, claimError(FAILED, 'request_body_sha256', 'missing')],
    ['an uppercase hash claim', () => send(BODY, { claims: { request_body_sha256: sha256Hex(BODY).toUpperCase() } }), {}, claimError(FAILED, 'request_body_sha256', 'invalid')],
    ['a base64 hash claim', () => send(BODY, { claims: { request_body_sha256: createHash('sha256').update(BODY).digest('base64url') } }), {}, claimError(FAILED, 'request_body_sha256', 'invalid')],
    ['a token signed by a wrong key', () => send(BODY, { key: impostorKey }), {}, { ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }],
    ['a token with an unknown kid', () => send(BODY, { header: {}, key: { ...senderKey, kid: 'sender-2' } }), {}, { ok: false, code: 'ERR_JWKS_NO_MATCHING_KEY' }],
    ['an expired token (VerifyOptions apply)', () => send(BODY, { claims: { exp: NOW } }), {}, claimError('ERR_JWT_EXPIRED', 'exp', 'check_failed')],
    ['an unexpected issuer', () => send(BODY), { issuer: 'https://other.example' }, claimError(FAILED, 'iss', 'check_failed')],
    ['an audience that is required but missing', () => send(BODY), { audience: 'https://receiver.example' }, claimError(FAILED, 'aud', 'missing')],
    ['an algorithm not allowed', () => send(BODY), { algorithms: ['EdDSA'] }, { ok: false, code: 'ERR_JOSE_ALG_NOT_ALLOWED' }],
    ['a non-Bearer Authorization', async () => ({ ...(await send(BODY)), authorization: 'Basic dXNlcjpwYXNz' }), {}, { ok: false, code: 'ERR_JWS_INVALID' }],
    ['a missing Authorization', async () => ({ body: BODY }), {}, { ok: false, code: 'ERR_JWS_INVALID' }],
    ['a jti that is not a string', () => send(BODY, { claims: { jti: 7 } }), {}, claimError(FAILED, 'jti', 'invalid')],
  ];
  for (const [name, request, options, expected] of cases) {
    test(name, async () => {
      const req = await request();
      assert.deepEqual(await outcome(() => verifyWebhook(req, jwks, at(options))), expected);
    });
  }

  test('errors are JoseErrors; claim errors carry the payload', async () => {
    const err = await thrownBy(async () => verifyWebhook(await send(BODY, { claims: { iat: NOW - 1000 } }), jwks, at()));
    assert.ok(err instanceof JoseError);
    assert.equal(err.payload.iat, NOW - 1000);
    const mismatch = await thrownBy(async () => verifyWebhook({ ...(await send(BODY)), body: 'x' }, jwks, at()));
    assert.ok(mismatch instanceof JoseError && mismatch instanceof Error);
    assert.equal(mismatch.code, 'ERR_WEBHOOK_BODY_MISMATCH');
  });

  test('a body that is neither a string nor a Uint8Array, and bad options, are TypeErrors', async () => {
    const request = await send(BODY);
    for (const body of [undefined, { taskId: 't-1' }, new ArrayBuffer(2)]) {
      await assert.rejects(verifyWebhook({ ...request, body }, jwks, at()), TypeError);
    }
    await assert.rejects(verifyWebhook(request, jwks, at({ maxAge: 0 })), TypeError);
    await assert.rejects(verifyWebhook(request, jwks, at({ replay: { remember() {} } })), TypeError);
    await assert.rejects(verifyWebhook(null, jwks, at()), TypeError);
  });
});

describe('verifyWebhook replay protection', () => {
  test('a replayed jti is rejected with ERR_JWT_REPLAYED', async () => {
    const replay = new ReplayCache({ clock: () => NOW });
    const request = await send(BODY, { claims: { jti: 'n-1' } });
    await verifyWebhook(request, jwks, at({ replay }));
    assert.deepEqual(await outcome(() => verifyWebhook(request, jwks, at({ replay }))), claimError('ERR_JWT_REPLAYED', 'jti', 'check_failed'));
    // Another notification goes through.
    await verifyWebhook(await send(BODY, { claims: { jti: 'n-2' } }), jwks, at({ replay }));
  });

  test('with a replay store the jti is required; without one it is not', async () => {
    const request = await send(BODY, { claims: { jti: undefined } });
    assert.deepEqual(await outcome(() => verifyWebhook(request, jwks, at({ replay: new ReplayCache() }))), claimError(FAILED, 'jti', 'missing'));
    assert.equal((await verifyWebhook(request, jwks, at())).payload.jti, undefined);
    assert.deepEqual(await outcome(() => verifyWebhook(request, jwks, at({ requireJti: true }))), claimError(FAILED, 'jti', 'missing'));
  });

  test('the store is asked last, until the token stops being accepted', async () => {
    const calls = [];
    const replay = {
      async markUsed(jti, expiresAt) {
        calls.push([jti, expiresAt]);
        return true;
      },
    };
    const tampered = { ...(await send(BODY, { claims: { jti: 'a' } })), body: 'x' };
    await assert.rejects(verifyWebhook(tampered, jwks, at({ replay })), { code: 'ERR_WEBHOOK_BODY_MISMATCH' });
    await assert.rejects(verifyWebhook(await send(BODY, { claims: { jti: 'a' }, key: impostorKey }), jwks, at({ replay })), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    assert.deepEqual(calls, []);
    await verifyWebhook(await send(BODY, { claims: { jti: 'a', iat: NOW - 10 } }), jwks, at({ replay }));
    await verifyWebhook(await send(BODY, { claims: { jti: 'b', exp: NOW + 60 } }), jwks, at({ replay, clockTolerance: 2 }));
    // Keys are scoped by iss; expiresAt is the first instant the token is refused (whole
    // seconds are compared: accepted while floor(now) <= iat + maxAge).
    assert.deepEqual(calls, [[`${SENDER} a`, NOW - 10 + 301], [`${SENDER} b`, NOW + 62]]);
  });

  test('a jti is never accepted at or after the expiresAt it was stored with', async () => {
    let seed = 11;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let round = 0; round < 30; round++) {
      const iat = NOW - Math.floor(random() * 200) - (random() < 0.5 ? 0 : random());
      const exp = random() < 0.5 ? undefined : NOW + Math.floor(random() * 400) + random();
      const clockTolerance = random() < 0.3 ? 0 : Math.round(random() * 300) / 10;
      const stored = [];
      const replay = { markUsed: (key, expiresAt) => (stored.push(expiresAt), true) };
      const request = await send(BODY, { claims: { jti: `p-${round}`, iat, ...(exp !== undefined && { exp }) } });
      await verifyWebhook(request, jwks, at({ replay, clockTolerance }));
      const [expiresAt] = stored;
      for (const t of [expiresAt - 1, expiresAt - 0.3, expiresAt - 0.001, expiresAt, expiresAt + 0.001, expiresAt + 0.3, expiresAt + 1]) {
        const accepted = (await outcome(() => verifyWebhook(request, jwks, { clockTolerance, currentDate: t }))).ok;
        assert.equal(accepted, t < expiresAt, `iat ${iat}, exp ${exp}, tolerance ${clockTolerance}, expiresAt ${expiresAt}, now ${t}`);
      }
    }
  });

  test('an async store answering false rejects', async () => {
    const replay = { markUsed: () => Promise.resolve(false) };
    assert.deepEqual(await outcome(async () => verifyWebhook(await send(BODY), jwks, at({ replay }))), claimError('ERR_JWT_REPLAYED', 'jti', 'check_failed'));
  });
});

describe('a receiver over node:http', () => {
  let server;
  let origin;
  const replay = new ReplayCache();

  before(async () => {
    server = createServer(async (req, res) => {
      const chunks = [];
      for await (const chunk of req) chunks.push(chunk);
      try {
        const { payload } = await verifyWebhook({ authorization: req.headers.authorization, body: Buffer.concat(chunks) }, jwks, { issuer: SENDER, replay });
        res.writeHead(204).end();
        server.last = payload;
      } catch (err) {
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ code: err.code ?? err.name }));
      }
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
  });

  after(() => server?.close());

  // The sender signs with the real clock, as a deployed agent would.
  async function post(body, { authorization } = {}) {
    const payload = { iss: SENDER, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), request_body_sha256: sha256Hex(body) };
    const auth = authorization ?? `Bearer ${await mint(senderKey, payload)}`;
    const response = await fetch(`${origin}/notify`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body });
    return { status: response.status, body: response.status === 204 ? null : await response.json(), authorization: auth };
  }

  test('a signed notification is accepted; its replay and a tampered copy are not', async () => {
    const sent = await post(BODY);
    assert.equal(sent.status, 204);
    assert.equal(server.last.request_body_sha256, sha256Hex(BODY));
    const replayed = await post(BODY, { authorization: sent.authorization });
    assert.deepEqual([replayed.status, replayed.body], [401, { code: 'ERR_JWT_REPLAYED' }]);
    const fresh = await post(BODY);
    const tampered = await fetch(`${origin}/notify`, { method: 'POST', headers: { authorization: fresh.authorization }, body: BODY.replace('t-1', 't-2') });
    assert.deepEqual([tampered.status, await tampered.json()], [401, { code: 'ERR_WEBHOOK_BODY_MISMATCH' }]);
  });

  test('binary bodies round-trip byte for byte', async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    assert.equal((await post(bytes)).status, 204);
  });
});
