// Attack review of three changes (API.md "RemoteJwks", "Loading", "Precise rules"; README
// "discoverJwks", "Loading the wasm", "Resource servers"):
// - discoverJwks: timeoutMs bounds both metadata requests together (pkg/lib/remote.js): hanging,
//   slow, erroring, redirecting and throwing fetches at many timeouts, timeoutMs at its bounds, a
//   clock that jumps (Date.now replaced, always restored), TrustedIssuers with many first tokens;
//   nothing waits beyond timeoutMs (+ slack), resolves, or loses its error code;
// - ERR_WASM_LOAD_FAILED: the web, verify-only-web and esbuild entries (bundled here with
//   esbuild) in child processes whose fetch fails for the protocol and/or the signature module
//   (404, not wasm, a rejection, a synchronous throw): concurrent callers, a failure then a
//   success, sync calls after a failed load;
// - maxTokenLength in UTF-16 units: verifyAccessToken, verifyDpopProof, authenticateRequest and
//   the Hono, Express and Fastify adapters with tokens and proofs at the limit's edge; a token
//   refused for its length is a 401 invalid_token whose cause is the size limit's ERR_JWS_INVALID.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as jose from 'jose';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { discoverJwks, TrustedIssuers, verifyJwt, verifyAccessToken, verifyDpopProof, authenticateRequest, ReplayCache } from '../../pkg/node.mjs';
import { bearerAuth as honoAuth } from '../../pkg/hono.mjs';
import { bearerAuth as expressAuth } from '../../pkg/express.mjs';
import { bearerAuth as fastifyAuth } from '../../pkg/fastify.mjs';
import { generateKey, jwksOf, mint } from './helpers.mjs';

// Generous: the whole suite runs files in parallel on 2 cores. The slow fetches answer after 2 s,
// so a request that outlived its timeout still shows.
const SLACK_MS = 1500;
const ISSUER = 'https://issuer.example';
const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
const hanging = () => new Promise(() => {});

// Runs `body` with Date.now replaced by `fake(realNow, callIndex)`; always restored.
async function withClock(fake, body) {
  const realNow = Date.now;
  let calls = 0;
  Date.now = () => fake(realNow, calls++);
  try {
    return await body();
  } finally {
    Date.now = realNow;
  }
}

describe('discoverJwks: timeoutMs bounds the whole discovery', () => {
  test('timeoutMs 1 with a fetch that never answers: always ERR_JWKS_TIMEOUT, never a TypeError without a code (500 runs)', async () => {
    const seen = new Map();
    for (let i = 0; i < 500; i++) {
      const { error } = await settle(discoverJwks(ISSUER, { fetch: hanging, timeoutMs: 1 }));
      const key = `${error?.constructor.name} ${error?.code}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...seen], [['JoseError ERR_JWKS_TIMEOUT', 500]]);
  });

  test('a clock that jumps forward before the first request: the first request still gets timeoutMs, and the error keeps its code', async () => {
    let cases = 0;
    for (const timeoutMs of [1, 5, 50]) {
      for (const jumpMs of [timeoutMs, timeoutMs + 1, 10 * timeoutMs, 86_400_000]) {
        for (const fetch of [hanging, () => Promise.resolve(new Response('no', { status: 404 })), () => Promise.reject(new Error('down'))]) {
          const { value, error } = await withClock((now, call) => now() + call * jumpMs, () => settle(discoverJwks(ISSUER, { fetch, timeoutMs })));
          assert.equal(value, undefined);
          assert.equal(error?.name, 'JoseError', `${timeoutMs} ${jumpMs}: ${error?.stack}`);
          assert.ok(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_FETCH_FAILED'].includes(error.code), error.code);
          assert.match(error.message, /openid-configuration/);
          cases++;
        }
      }
    }
    assert.equal(cases, 36);
  });

  test('a clock set back (or NaN): the RFC 8414 request never gets more than timeoutMs', async () => {
    const firstFails = (url) => (String(url).includes('openid-configuration') ? Promise.resolve(new Response('no', { status: 404 })) : hanging());
    let cases = 0;
    for (const timeoutMs of [20, 100, 250]) {
      for (const fake of [(now, call) => now() - call * 10_000, (now, call) => now() - call * 2 ** 31, () => NaN, (now, call) => (call % 2 ? now() - 1e9 : now() + 1e9)]) {
        const started = performance.now();
        const { value, error } = await withClock(fake, () => settle(discoverJwks(ISSUER, { fetch: firstFails, timeoutMs })));
        const took = performance.now() - started;
        assert.equal(value, undefined);
        assert.equal(error?.code, 'ERR_JWKS_FETCH_FAILED', error?.stack);
        assert.ok(took < timeoutMs + SLACK_MS, `${took} ms for timeoutMs ${timeoutMs}`);
        for (const [, ms] of error.message.matchAll(/timed out after (\S+) ms/g)) assert.ok(Number(ms) <= timeoutMs, error.message);
        cases++;
      }
    }
    assert.equal(cases, 12);
  });

  test('every kind of failing fetch, at many timeouts: rejects with a code within timeoutMs + slack, never resolves', async () => {
    const delay = (ms, make) => new Promise((resolve) => setTimeout(() => resolve(make()), ms));
    const fetches = {
      hanging: { fetch: hanging, codes: ['ERR_JWKS_TIMEOUT'] },
      'slow 200': { fetch: (url) => delay(2_000, () => Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` })), codes: ['ERR_JWKS_TIMEOUT'] },
      'slow 404': { fetch: () => delay(2_000, () => new Response('no', { status: 404 })), codes: ['ERR_JWKS_TIMEOUT'] },
      rejects: { fetch: () => Promise.reject(new TypeError('fetch failed')), codes: ['ERR_JWKS_FETCH_FAILED'] },
      'throws synchronously': { fetch: () => { throw new TypeError('bad fetch'); }, codes: ['ERR_JWKS_FETCH_FAILED'] },
      'rejects with a string': { fetch: () => Promise.reject('nope'), codes: ['ERR_JWKS_FETCH_FAILED'] },
      redirects: { fetch: () => Promise.resolve(new Response(null, { status: 302, headers: { location: 'https://evil.example/' } })), codes: ['ERR_JWKS_FETCH_FAILED'] },
      'redirected 200': { fetch: () => Promise.resolve(Object.defineProperty(Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/jwks` }), 'redirected', { value: true })), codes: ['ERR_JWKS_FETCH_FAILED'] },
      'not a Response': { fetch: () => Promise.resolve(42), codes: ['ERR_JWKS_FETCH_FAILED'] },
      'body never ends': { fetch: () => Promise.resolve(new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{')); } }))), codes: ['ERR_JWKS_TIMEOUT'] },
      'wrong issuer': { fetch: () => Promise.resolve(Response.json({ issuer: 'https://other.example', jwks_uri: `${ISSUER}/jwks` })), codes: ['ERR_JWKS_INVALID'] },
    };
    let cases = 0;
    for (const [name, { fetch, codes }] of Object.entries(fetches)) {
      for (const timeoutMs of [1, 2, 15, 60, 200]) {
        const requested = [];
        const started = performance.now();
        const { value, error } = await settle(discoverJwks(ISSUER, { fetch: (url, init) => (requested.push(String(url)), fetch(url, init)), timeoutMs }));
        const took = performance.now() - started;
        assert.equal(value, undefined, `${name} resolved`);
        assert.equal(error?.name, 'JoseError', `${name} ${timeoutMs}: ${error?.stack}`);
        assert.ok(codes.includes(error.code), `${name} ${timeoutMs}: ${error.code} ${error.message}`);
        assert.ok(took < timeoutMs + SLACK_MS, `${name}: ${took} ms for timeoutMs ${timeoutMs}`);
        assert.ok(requested.length >= 1 && requested.length <= 2, `${name}: ${requested}`);
        if (codes[0] === 'ERR_JWKS_TIMEOUT') assert.equal(requested.length, 1, `${name}: nothing after a timeout`);
        cases++;
      }
    }
    assert.equal(cases, 55);
  });

  test('timeoutMs bounds: 1, 1.5 and 2^31-1 accepted (milliseconds, as setTimeout takes), 0, 2^31, -1, NaN, Infinity and "5" a TypeError with code', async () => {
    const fails = () => Promise.resolve(new Response('no', { status: 404 }));
    for (const timeoutMs of [1, 1.5, 2 ** 31 - 1]) {
      const { error } = await settle(discoverJwks(ISSUER, { fetch: fails, timeoutMs }));
      assert.equal(error?.code, 'ERR_JWKS_FETCH_FAILED', String(timeoutMs));
    }
    for (const timeoutMs of [0, 2 ** 31, -1, NaN, '5', Infinity]) {
      const { error } = await settle(discoverJwks(ISSUER, { fetch: fails, timeoutMs }));
      assert.ok(error instanceof TypeError, `${timeoutMs}: ${error}`);
      assert.equal(error.code, 'ERR_INVALID_OPTION', String(timeoutMs));
    }
  });

  test('TrustedIssuers: many first tokens of a dead issuer all fail with ERR_JWKS_TIMEOUT within timeoutMs + slack', async () => {
    const key = await generateKey('ES256');
    for (const timeoutMs of [30, 120]) {
      const requested = [];
      const trusted = new TrustedIssuers([ISSUER], { fetch: (url) => (requested.push(String(url)), hanging()), timeoutMs });
      const tokens = await Promise.all(Array.from({ length: 25 }, (_, i) => mint(key, { iss: ISSUER, sub: `u${i}` })));
      const started = performance.now();
      const outcomes = await Promise.all(tokens.map((token) => settle(verifyJwt(token, trusted))));
      const took = performance.now() - started;
      assert.deepEqual(new Set(outcomes.map((o) => `${o.error?.name} ${o.error?.code}`)), new Set(['JoseError ERR_JWKS_TIMEOUT']));
      assert.ok(took < timeoutMs + SLACK_MS, `${took} ms for timeoutMs ${timeoutMs}`);
      // One discovery, shared by every first token; none after its timeout.
      assert.deepEqual(requested, [`${ISSUER}/.well-known/openid-configuration`]);
    }
  });
});

// --- ERR_WASM_LOAD_FAILED in the browser entries -------------------------------------------

const LOAD_SCRIPT = `
  const { readFile } = await import('node:fs/promises');
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const [entry, protocolFailures, signatureFailures, kind] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
  let p = protocolFailures, s = signatureFailures;
  globalThis.fetch = (url) => {
    const href = String(url?.url ?? url);
    const isSignature = href.endsWith('.wasm') && /signature/.test(href);
    if ((href.endsWith('.wasm') && !isSignature && p-- > 0) || (isSignature && s-- > 0)) {
      if (kind === '404') return Promise.resolve(new Response('gone', { status: 404 }));
      if (kind === 'not-wasm') return Promise.resolve(new Response('<html>', { headers: { 'content-type': 'application/wasm' } }));
      if (kind === 'reject') return Promise.reject(new TypeError('network down'));
      if (kind === 'throw') throw new TypeError('fetch threw');
    }
    return readFile(new URL(href)).then((bytes) => new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
  };
  const m = await import(entry);
  const show = (err) => err.code === 'ERR_WASM_LOAD_FAILED' ? ['FAILED', err.constructor.name, /could not be loaded/.test(err.message), err.cause?.constructor?.name].join(' ') : [err.constructor.name, err.code].join(' ');
  const outcome = (promise) => promise.then(() => 'resolved', show);
  const sync = (fn) => { try { fn(); return 'returned'; } catch (err) { return show(err); } };
  const hs = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA';
  const hsKeys = { keys: [{ kty: 'oct', k: 'AAAA', alg: 'HS256' }] };
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const esKeys = { keys: [{ ...pair.publicKey.export({ format: 'jwk' }), alg: 'ES256' }] };
  const input = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0';
  const es = input + '.' + sign('sha256', Buffer.from(input), { key: pair.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  const out = {};
  out.concurrent = await Promise.all([m.ready(), m.ready({ sync: false }), m.verifyJwt(hs, hsKeys, { algorithms: ['HS256'] }), m.ready({ sync: true }), m.verifyJwt(es, esKeys)].map(outcome));
  out.syncAfter = [sync(() => m.verifyJwtSync(hs, hsKeys, { algorithms: ['HS256'] })), sync(() => m.verifyJwtSync(es, esKeys)), sync(() => m.decodeJwt(hs)), sync(() => m.parseJwks(esKeys))];
  out.retry = await Promise.all([m.ready(), m.ready({ sync: true })].map(outcome));
  out.syncAfterRetry = [sync(() => m.verifyJwtSync(hs, hsKeys, { algorithms: ['HS256'] })), sync(() => m.verifyJwtSync(es, esKeys))];
  console.log(JSON.stringify(out));`;

describe('ERR_WASM_LOAD_FAILED: web, verify-only-web and esbuild entries', () => {
  let dir;
  const entries = {};

  before(async () => {
    const esbuild = await import('esbuild');
    dir = await mkdtemp(join(tmpdir(), 'jwks-verify-today-'));
    for (const name of ['web', 'verify-only-web']) entries[name] = new URL(`../../pkg/${name}.mjs`, import.meta.url).href;
    for (const name of ['esbuild', 'verify-only-esbuild']) {
      const outfile = join(dir, `${name}.mjs`);
      await esbuild.build({
        entryPoints: [fileURLToPath(new URL(`../../pkg/${name}.mjs`, import.meta.url))], bundle: true, format: 'esm', platform: 'neutral',
        target: 'es2022', conditions: ['browser'], outfile, loader: { '.wasm': 'file' }, logLevel: 'error',
      });
      entries[name] = new URL(`file://${outfile}`).href;
    }
  });

  after(() => rm(dir, { recursive: true, force: true }));

  const CAUSE = { 404: null, 'not-wasm': 'CompileError', reject: 'TypeError', throw: 'TypeError' };
  const HS_VERDICT = 'JoseError ERR_JWKS_NO_MATCHING_KEY'; // a 3-byte HMAC key's: the core's verdict
  const run = (entry, p, s, kind) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', LOAD_SCRIPT, entry, String(p), String(s), kind], { encoding: 'utf8', timeout: 60_000 }));

  for (const name of ['web', 'verify-only-web', 'esbuild', 'verify-only-esbuild']) {
    test(`${name}: a failing download (404, not wasm, rejected, thrown) of either module, then the retry`, () => {
      let cases = 0;
      for (const kind of Object.keys(CAUSE)) {
        const failed = (cause) => new RegExp(`^FAILED Error true ${cause ?? '\\w+'}$`);
        // The protocol module fails once: every waiting caller rejects, sync calls are ERR_NOT_READY; the retry loads both.
        let out = run(entries[name], 1, 0, kind);
        for (const result of out.concurrent) assert.match(result, failed(CAUSE[kind]), `${name} ${kind} protocol: ${out.concurrent}`);
        assert.deepEqual(out.syncAfter, Array(4).fill('Error ERR_NOT_READY'), `${name} ${kind}`);
        assert.deepEqual(out.retry, ['resolved', 'resolved']);
        assert.deepEqual(out.syncAfterRetry, [HS_VERDICT, 'returned']);
        // The signature module fails once: ready() and ready({ sync: true }) reject, the protocol's callers go on;
        // verifyJwtSync of ES256 is ERR_FALLBACK_NOT_LOADED until a retry loads it.
        out = run(entries[name], 0, 1, kind);
        assert.match(out.concurrent[0], failed(CAUSE[kind]), `${name} ${kind} signature`);
        assert.deepEqual(out.concurrent.slice(1, 3), ['resolved', HS_VERDICT]);
        assert.match(out.concurrent[3], failed(CAUSE[kind]));
        assert.equal(out.concurrent[4], 'resolved', 'verifyJwt of ES256 uses WebCrypto');
        assert.deepEqual(out.syncAfter, [HS_VERDICT, 'Error ERR_FALLBACK_NOT_LOADED', 'returned', 'returned']);
        assert.deepEqual(out.retry, ['resolved', 'resolved']);
        assert.deepEqual(out.syncAfterRetry, [HS_VERDICT, 'returned']);
        // Both fail twice: nothing loads until the third attempt.
        out = run(entries[name], 2, 2, kind);
        assert.ok(out.concurrent.every((r) => failed(CAUSE[kind]).test(r)), String(out.concurrent));
        assert.deepEqual(out.syncAfter, Array(4).fill('Error ERR_NOT_READY'));
        for (const result of out.retry) assert.match(result, failed(CAUSE[kind]));
        assert.deepEqual(out.syncAfterRetry, ['Error ERR_NOT_READY', 'Error ERR_NOT_READY']);
        cases += 3;
      }
      assert.equal(cases, 12);
    });
  }
});

// --- maxTokenLength at the edge -----------------------------------------------------------

const AUDIENCE = 'api';
const now = () => Math.floor(Date.now() / 1000);

describe('maxTokenLength at the limit edge', () => {
  let key;
  let holder;
  let jkt;
  const tokens = [];

  before(async () => {
    key = await generateKey('ES256');
    const pair = await jose.generateKeyPair('ES256');
    holder = { privateKey: pair.privateKey, jwk: await jose.exportJWK(pair.publicKey) };
    jkt = await jose.calculateJwkThumbprint(holder.jwk);
    for (let i = 0; i < 24; i++) {
      tokens.push(await mint(key, { iss: ISSUER, aud: AUDIENCE, sub: 's', client_id: 'c', iat: now() - 5, exp: now() + 600, jti: randomUUID(), pad: 'p'.repeat(i * 37) }, { header: { typ: 'at+jwt' } }));
    }
  });

  const proofFor = (token, url = 'https://api.example/r') => new jose.SignJWT({ htm: 'GET', htu: url, iat: now(), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: holder.jwk }).sign(holder.privateKey);
  const options = (maxTokenLength) => ({ keys: jwksOf([key]), issuer: ISSUER, audience: AUDIENCE, maxTokenLength, dpopReplay: new ReplayCache() });

  test('verifyAccessToken and authenticateRequest: accepted iff length <= maxTokenLength; over it, 401 invalid_token with the size limit\'s ERR_JWS_INVALID as cause', async () => {
    let cases = 0;
    for (const token of tokens) {
      for (const delta of [-2, -1, 0, 1]) {
        const limit = token.length + delta;
        const fits = delta >= 0;
        const { error } = await settle(verifyAccessToken(token, jwksOf([key]), { issuer: ISSUER, audience: AUDIENCE, maxTokenLength: limit }));
        assert.equal(error === undefined, fits, `${token.length} ${limit}: ${error?.message}`);
        if (!fits) assert.equal(error.code, 'ERR_JWS_INVALID');
        const result = await authenticateRequest({ method: 'GET', url: 'https://api.example/r', headers: { authorization: `Bearer ${token}` } }, options(limit));
        assert.equal(result.ok, fits, `${token.length} ${limit}`);
        if (!fits) {
          assert.deepEqual([result.status, result.error, result.errorDescription], [401, 'invalid_token', 'The access token is malformed']);
          assert.equal(result.cause?.name, 'JoseError', `cause of a token over the limit: ${result.cause}`);
          assert.equal(result.cause.code, 'ERR_JWS_INVALID');
          assert.match(result.cause.message, new RegExp(`${token.length} characters long, more than maxTokenLength \\(${limit}\\)`));
        }
        cases++;
      }
    }
    assert.equal(cases, 96);
  });

  test('the DPoP scheme: the token and the proof are each held to maxTokenLength (a proof over it: invalid_dpop_proof, cause ERR_DPOP_INVALID malformed)', async () => {
    let cases = 0;
    for (const base of tokens.slice(0, 8)) {
      const token = await mint(key, { ...jose.decodeJwt(base), cnf: { jkt } }, { header: { typ: 'at+jwt' } });
      for (const delta of [-1, 0, 1]) {
        const proof = await proofFor(token);
        const limit = Math.max(token.length, proof.length) + delta;
        const result = await authenticateRequest({ method: 'GET', url: 'https://api.example/r', headers: { authorization: `DPoP ${token}`, dpop: proof } }, options(limit));
        assert.equal(result.ok, delta >= 0, `${token.length}/${proof.length} ${limit}: ${result.errorDescription}`);
        if (delta < 0) {
          const tokenOver = token.length > limit;
          assert.equal(result.error, tokenOver ? 'invalid_token' : 'invalid_dpop_proof');
          assert.equal(result.cause?.code, tokenOver ? 'ERR_JWS_INVALID' : 'ERR_DPOP_INVALID', `${result.error}: ${result.cause}`);
          if (!tokenOver) assert.equal(result.cause.reason, 'malformed');
        }
        cases++;
      }
    }
    assert.equal(cases, 24);
  });

  test('verifyDpopProof: the proof and a non-ASCII accessToken at the limit edge (UTF-16 units)', async () => {
    let cases = 0;
    for (const token of tokens.slice(0, 8)) {
      const proof = await proofFor(token);
      for (const delta of [-1, 0, 1]) {
        const limit = proof.length + delta;
        const { error } = await settle(verifyDpopProof(proof, { method: 'GET', url: 'https://api.example/r', accessToken: token, maxTokenLength: limit }));
        // The options are read first: an accessToken over the limit is their TypeError; then the proof's own limit.
        if (token.length > limit) assert.ok(error instanceof TypeError && /accessToken/.test(error.message), `${token.length} ${limit}: ${error}`);
        else if (delta < 0) assert.deepEqual([error?.code, error?.reason], ['ERR_DPOP_INVALID', 'malformed']);
        else assert.equal(error, undefined, error?.message);
        cases++;
      }
      // An accessToken of 2-, 3- and 4-byte characters (longer than the proof) at the limit: refused
      // one unit over it (a TypeError naming accessToken), accepted at it (then ath does not match).
      for (const unit of ['é', '€', '😀']) {
        const accessToken = unit.repeat(Math.ceil((proof.length + 10) / unit.length));
        for (const delta of [-1, 0]) {
          const { error } = await settle(verifyDpopProof(proof, { method: 'GET', url: 'https://api.example/r', accessToken, maxTokenLength: accessToken.length + delta }));
          if (delta < 0) assert.ok(error instanceof TypeError && /accessToken/.test(error.message), `${unit}: ${error}`);
          else assert.deepEqual([error?.code, error?.claim], ['ERR_DPOP_INVALID', 'ath'], `${unit} ${delta}: ${error?.message}`);
          cases++;
        }
      }
    }
    assert.equal(cases, 72);
  });

  test('the Hono, Express and Fastify adapters: 200 at the limit, 401 invalid_token one unit over, 400 for a latin-1 token', async () => {
    const servers = [];
    const apps = {
      async hono(opts) {
        const app = new Hono();
        app.get('/r', honoAuth(opts), (c) => c.json({ sub: c.get('auth').payload.sub }));
        return (headers) => app.request('http://api.example/r', { headers }).then(async (res) => ({ status: res.status, challenge: res.headers.get('www-authenticate') }));
      },
      async express(opts) {
        const app = express();
        app.get('/r', expressAuth(opts), (req, res) => res.json({ sub: req.auth.payload.sub }));
        const server = app.listen(0, '127.0.0.1');
        servers.push(server);
        await new Promise((resolve) => server.once('listening', resolve));
        return (headers) => new Promise((resolve, reject) => {
          http.get({ host: '127.0.0.1', port: server.address().port, path: '/r', headers }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode, challenge: res.headers['www-authenticate'] ?? null }));
          }).on('error', reject);
        });
      },
      async fastify(opts) {
        const app = Fastify();
        await app.register(fastifyAuth, opts);
        app.get('/r', async (request) => ({ sub: request.auth.payload.sub }));
        await app.ready();
        return (headers) => app.inject({ method: 'GET', url: '/r', headers }).then((res) => ({ status: res.statusCode, challenge: res.headers['www-authenticate'] ?? null }));
      },
    };
    let cases = 0;
    try {
      for (const [name, make] of Object.entries(apps)) {
        for (const token of tokens.filter((_, i) => i % 4 === 0)) {
          for (const delta of [-1, 0, 1]) {
            const call = await make({ keys: jwksOf([key]), issuer: ISSUER, audience: AUDIENCE, maxTokenLength: token.length + delta });
            const { status, challenge } = await call({ authorization: `Bearer ${token}` });
            if (delta >= 0) assert.equal(status, 200, `${name} ${delta}`);
            else {
              assert.equal(status, 401, name);
              assert.match(challenge, /error="invalid_token", error_description="The access token is malformed"/, name);
            }
            // A latin-1 character (one UTF-16 unit, two UTF-8 bytes) is no token68: 400 whatever the limit.
            const latin = `${token.slice(0, -1)}\u00e9`;
            const refused = await call({ authorization: `Bearer ${latin}` });
            assert.equal(refused.status, 400, `${name} latin-1`);
            assert.match(refused.challenge, /error="invalid_request"/);
            cases++;
          }
        }
      }
    } finally {
      for (const server of servers) server.close();
    }
    assert.equal(cases, 54);
  });
});
