// jwks-verify/hono, /express and /fastify against the real frameworks (Hono 4 served by
// @hono/node-server, Express 5, Fastify 5), driven with real HTTP requests on 127.0.0.1.
// Every app answers the same table: no token, a bad token, a missing scope, a malformed
// header, a valid Bearer token, a DPoP-bound token with its proof (on a URL with a query),
// the proof replayed, the bound token as Bearer, a proof for another URL; and wrong options
// reach the framework's error handler instead of answering 401. Two Authorization headers
// (sent by node:http as two lines) are refused: the adapters pass Node's headersDistinct.

import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, createHash } from 'node:crypto';
import http from 'node:http';
import * as jose from 'jose';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
// The adapters import the package's main entry ('jwks-verify'), which Node resolves to
// node.bundle.mjs: objects handed to them come from that same instance.
import { RemoteJwks, ReplayCache } from '../../pkg/node.bundle.mjs';
import { bearerAuth as honoAuth } from '../../pkg/hono.mjs';
import { bearerAuth as expressAuth } from '../../pkg/express.mjs';
import { bearerAuth as fastifyAuth } from '../../pkg/fastify.mjs';
import { generateKey, jwksOf, mint } from './helpers.mjs';
import { closeServer, whenListening } from './support/servers.mjs';

const ISSUER = 'https://as.example';
const AUDIENCE = 'https://api.example';
const now = () => Math.floor(Date.now() / 1000);

let issuerKey;
let otherKey;
let holder;
let holderJkt;

before(async () => {
  issuerKey = await generateKey('ES256', { kid: 'as-1' });
  otherKey = await generateKey('ES256', { kid: 'as-1' });
  const pair = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = await jose.exportJWK(pair.publicKey);
  holder = { privateKey: pair.privateKey, jwk };
  holderJkt = await jose.calculateJwkThumbprint(jwk);
});

function accessToken(claims = {}, key = issuerKey) {
  return mint(key, {
    iss: ISSUER, aud: AUDIENCE, sub: 'alice', client_id: 'app-1', iat: now() - 5, exp: now() + 300,
    jti: randomUUID(), scope: 'read write', ...claims,
  }, { header: { typ: 'at+jwt' } });
}

function dpopProof({ method = 'GET', url, token, key = holder }) {
  const payload = { htm: method, htu: url, iat: now(), jti: randomUUID() };
  if (token) payload.ath = createHash('sha256').update(token).digest('base64url');
  return new jose.SignJWT(payload).setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk }).sign(key.privateKey);
}

const options = () => ({
  keys: jwksOf([issuerKey]), issuer: ISSUER, audience: AUDIENCE, requiredScopes: ['read'], dpopReplay: new ReplayCache(),
});

// What every protected route answers: the accepted result, as the adapter attached it.
const echo = (auth) => ({ ok: auth.ok, sub: auth.payload.sub, scheme: auth.scheme, jkt: auth.jkt ?? null });

// Each app: `base` (its URL), the errors its error handler saw, `close()`.
const FRAMEWORKS = {
  async hono(opts) {
    const errors = [];
    const app = new Hono();
    app.onError((err, c) => {
      errors.push(err);
      return c.json({ error: 'server_error' }, 500);
    });
    app.get('/public', (c) => c.text('public'));
    app.get('/resource', honoAuth(opts), (c) => c.json(echo(c.get('auth'))));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await whenListening(server);
    return { base: `http://127.0.0.1:${server.address().port}`, errors, close: () => closeServer(server) };
  },

  async express(opts) {
    const errors = [];
    const app = express();
    app.get('/public', (_req, res) => res.send('public'));
    app.get('/resource', expressAuth(opts), (req, res) => res.json(echo(req.auth)));
    app.use((err, _req, res, _next) => {
      errors.push(err);
      res.status(500).json({ error: 'server_error' });
    });
    const server = app.listen(0, '127.0.0.1');
    await whenListening(server);
    return { base: `http://127.0.0.1:${server.address().port}`, errors, close: () => closeServer(server) };
  },

  // The plugin form, registered in an encapsulated scope: its routes are protected, the
  // root's are not.
  async 'fastify (register)'(opts) {
    const errors = [];
    const app = Fastify();
    app.setErrorHandler((err, _request, reply) => {
      errors.push(err);
      reply.code(500).send({ error: 'server_error' });
    });
    app.get('/public', async () => 'public');
    await app.register(async (scope) => {
      await scope.register(fastifyAuth, opts);
      scope.get('/resource', async (request) => echo(request.auth));
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { base: `http://127.0.0.1:${app.server.address().port}`, errors, close: () => app.close() };
  },

  // The hook form on one route.
  async 'fastify (hook)'(opts) {
    const errors = [];
    const app = Fastify();
    app.setErrorHandler((err, _request, reply) => {
      errors.push(err);
      reply.code(500).send({ error: 'server_error' });
    });
    app.decorateRequest('auth', null);
    app.get('/public', async () => 'public');
    app.get('/resource', { onRequest: fastifyAuth(opts) }, async (request) => echo(request.auth));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { base: `http://127.0.0.1:${app.server.address().port}`, errors, close: () => app.close() };
  },
};

async function call(url, headers = {}) {
  const res = await fetch(url, { headers });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, challenge: res.headers.get('www-authenticate'), contentType: res.headers.get('content-type'), body };
}

// A request through node:http, where an array value is sent as repeated header lines (fetch
// would join them into one).
function rawCall(url, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode, body: JSON.parse(text) });
        } catch {
          reject(new Error(`${res.statusCode}: not JSON: ${JSON.stringify(text)}`));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

for (const [name, start] of Object.entries(FRAMEWORKS)) {
  test(`${name}: RFC 6750 answers, Bearer and DPoP through bearerAuth over real HTTP`, async () => {
    const app = await start(options());
    try {
      const resource = `${app.base}/resource`;

      assert.equal((await call(`${app.base}/public`)).body, 'public', 'a route without the middleware is not protected');

      const none = await call(resource);
      assert.equal(none.status, 401);
      assert.match(none.challenge, /\bBearer\b/);
      assert.doesNotMatch(none.challenge, /error=/, 'no credentials: a challenge without error (RFC 6750 §3.1)');

      const forged = await call(resource, { authorization: `Bearer ${await accessToken({}, otherKey)}` });
      assert.equal(forged.status, 401);
      assert.match(forged.challenge, /error="invalid_token"/);
      assert.match(forged.contentType, /json/);
      assert.equal(forged.body.error, 'invalid_token');
      assert.equal(typeof forged.body.error_description, 'string');
      assert.doesNotMatch(forged.body.error_description, /as-1|example/, 'the description names no key id or URL');

      const expired = await call(resource, { authorization: `Bearer ${await accessToken({ exp: now() - 60 })}` });
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error, 'invalid_token');

      const narrow = await call(resource, { authorization: `Bearer ${await accessToken({ scope: 'write' })}` });
      assert.equal(narrow.status, 403);
      assert.match(narrow.challenge, /error="insufficient_scope"/);
      assert.match(narrow.challenge, /scope="read"/);
      assert.equal(narrow.body.error, 'insufficient_scope');

      const malformed = await call(resource, { authorization: 'Bearer two tokens' });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.body.error, 'invalid_request');

      const token = await accessToken();
      // Two Authorization headers, the first one valid: the second is seen and refused.
      const twice = await rawCall(resource, { authorization: [`Bearer ${token}`, `Bearer ${await accessToken()}`] });
      assert.equal(twice.status, 400);
      assert.equal(twice.body.error, 'invalid_request');

      const ok = await call(resource, { authorization: `Bearer ${token}` });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.deepEqual(ok.body, { ok: true, sub: 'alice', scheme: 'Bearer', jkt: null });

      // DPoP: the adapter's request URL must be the one the client used (query dropped by
      // the htu rule, not by the adapter).
      const bound = await accessToken({ cnf: { jkt: holderJkt } });
      const url = `${resource}?page=2`;
      const proof = await dpopProof({ url: resource, token: bound });
      const dpop = await call(url, { authorization: `DPoP ${bound}`, dpop: proof });
      assert.equal(dpop.status, 200, JSON.stringify(dpop.body));
      assert.deepEqual(dpop.body, { ok: true, sub: 'alice', scheme: 'DPoP', jkt: holderJkt });

      const replayed = await call(url, { authorization: `DPoP ${bound}`, dpop: proof });
      assert.equal(replayed.status, 401, 'a replayed proof is refused');
      assert.equal(replayed.body.error, 'invalid_dpop_proof');

      const asBearer = await call(resource, { authorization: `Bearer ${bound}` });
      assert.equal(asBearer.status, 401, 'a DPoP-bound token presented as Bearer is refused');
      assert.equal(asBearer.body.error, 'invalid_token');

      const elsewhere = await dpopProof({ url: `${app.base}/other`, token: bound });
      const wrongUrl = await call(resource, { authorization: `DPoP ${bound}`, dpop: elsewhere });
      assert.equal(wrongUrl.status, 401, 'a proof for another URL is refused');
      assert.equal(wrongUrl.body.error, 'invalid_dpop_proof');

      const wrongMethod = await dpopProof({ method: 'POST', url: resource, token: bound });
      assert.equal((await call(resource, { authorization: `DPoP ${bound}`, dpop: wrongMethod })).status, 401);

      assert.deepEqual(app.errors, [], 'no request reached the error handler');
    } finally {
      await app.close();
    }
  });

  test(`${name}: with origin, the proof must name origin + path and query, whatever Host the client sent`, async () => {
    const app = await start({ ...options(), origin: 'https://api.public.example' });
    try {
      const bound = await accessToken({ cnf: { jkt: holderJkt } });
      const forOrigin = await dpopProof({ url: 'https://api.public.example/resource', token: bound });
      const ok = await call(`${app.base}/resource?page=2`, { authorization: `DPoP ${bound}`, dpop: forOrigin });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const forHost = await dpopProof({ url: `${app.base}/resource`, token: bound });
      const refused = await call(`${app.base}/resource`, { authorization: `DPoP ${bound}`, dpop: forHost });
      assert.deepEqual([refused.status, refused.body.error], [401, 'invalid_dpop_proof']);
      assert.deepEqual(app.errors, []);
    } finally {
      await app.close();
    }
  });

  test(`${name}: wrong options and keys that cannot be fetched are the framework's error (500 through its error handler), not a 401`, async () => {
    const cases = {
      ERR_INVALID_OPTION: { ...options(), audiance: AUDIENCE },
      ERR_JWKS_FETCH_FAILED: { ...options(), keys: new RemoteJwks('http://127.0.0.1:1/jwks.json', { timeoutMs: 2000 }) },
    };
    for (const [code, opts] of Object.entries(cases)) {
      const app = await start(opts);
      try {
        const res = await call(`${app.base}/resource`, { authorization: `Bearer ${await accessToken()}` });
        assert.equal(res.status, 500, code);
        assert.equal(res.challenge, null);
        assert.equal(app.errors.length, 1);
        assert.equal(app.errors[0].code, code, String(app.errors[0]));
        if (code === 'ERR_INVALID_OPTION') assert.ok(app.errors[0] instanceof TypeError, String(app.errors[0]));
      } finally {
        await app.close();
      }
    }
  });
}

test('fastify: bearerAuth is a plugin that applies to the registering scope (skip-override)', () => {
  assert.equal(fastifyAuth[Symbol.for('skip-override')], true);
  assert.equal(typeof fastifyAuth({ keys: { keys: [] } }), 'function', 'called with options, it returns the hook');
});
