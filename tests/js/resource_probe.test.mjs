// A probe of the resource-server API against API.md ("Resource servers", "Precise rules",
// "Errors"), sentence by sentence at its edges: verifyAccessToken's typ (as jose compares it),
// required claims and scope rule; verifyDpopProof's htm/htu/iat/ath/nonce/jti rules, its jkt
// (jose's RFC 7638 thumbprint, proofs made by oauth4webapi) and the replay expiresAt with an
// `exp` in the proof; authenticateRequest's verdict over every combination of scheme, token
// binding, proof and `dpop` mode (an invariant against a model of RFC 6750 / RFC 9449 §7); an
// empty Authorization header (no credentials, as Hono's bearerAuth); the adapters' `auth` and
// failures equal authenticateRequest's and challengeResponse's over real HTTP; wrong options
// on every entry point.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import {
  authenticateRequest, challengeResponse, verifyAccessToken, verifyDpopProof, ReplayCache,
} from '../../pkg/node.bundle.mjs';
import { bearerAuth as honoAuth } from '../../pkg/hono.mjs';
import { bearerAuth as expressAuth } from '../../pkg/express.mjs';
import { bearerAuth as fastifyAuth } from '../../pkg/fastify.mjs';
import { NOW } from './helpers.mjs';
import { closeServer, whenListening } from './support/servers.mjs';

const ISS = 'https://as.example';
const AUD = 'https://api.example';
const URL_ = 'https://api.example/resource';

let asKey;
let holder;
let intruder;
before(async () => {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'as-1', alg: 'ES256' };
  asKey = { privateKey, jwks: { keys: [jwk] }, jwk };
  holder = await holderKey('ES256');
  intruder = await holderKey('ES256');
});

async function holderKey(alg, options = {}) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true, ...options });
  const jwk = await jose.exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, 'sha256') };
}

const drop = (object) => Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));

function accessToken(claims = {}, header = { typ: 'at+jwt' }, at = NOW) {
  const payload = drop({ iss: ISS, aud: AUD, sub: 'alice', client_id: 'app', iat: at - 10, exp: at + 300, jti: randomUUID(), scope: 'read write', ...claims });
  return new jose.SignJWT(payload).setProtectedHeader(drop({ alg: 'ES256', kid: 'as-1', ...header })).sign(asKey.privateKey);
}

const ath = (token) => createHash('sha256').update(token).digest('base64url');

function proof(key, claims = {}) {
  const payload = drop({ htm: 'GET', htu: URL_, iat: NOW, jti: randomUUID(), ...claims });
  return new jose.SignJWT(payload).setProtectedHeader({ typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk }).sign(key.privateKey);
}

async function outcome(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error, code: error.code, claim: error.claim, reason: error.reason };
  }
}

const atOptions = (more = {}) => ({ issuer: ISS, audience: AUD, currentDate: NOW, ...more });
const authOptions = (more = {}) => ({ keys: asKey.jwks, ...atOptions(), dpopReplay: new ReplayCache({ clock: () => NOW }), ...more });

describe('verifyAccessToken at the edges', () => {
  test('typ: accepted exactly where jose jwtVerify({ typ: "at+jwt" }) accepts, with the same code', async () => {
    const key = await jose.importJWK(asKey.jwk);
    const typs = ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt', 'jwt', 'JWT', undefined, 'application/jwt', ' at+jwt',
      'at+jwt ', 'at+jwt; charset=utf-8', 'application/application/at+jwt', 'x/at+jwt', 'dpop+jwt', '', 123, ['at+jwt'], null];
    for (const typ of typs) {
      const token = await accessToken({}, { typ });
      const ours = await outcome(verifyAccessToken(token, asKey.jwks, atOptions()));
      const theirs = await outcome(jose.jwtVerify(token, key, { typ: 'at+jwt', issuer: ISS, audience: AUD, currentDate: new Date(NOW * 1000) }));
      assert.equal(ours.ok, theirs.ok, `typ ${JSON.stringify(typ)}`);
      assert.equal(ours.ok, ['at+jwt', 'AT+JWT', 'application/at+jwt', 'Application/At+Jwt'].includes(typ), `typ ${JSON.stringify(typ)}`);
      if (!ours.ok) assert.equal(ours.code, theirs.code, `typ ${JSON.stringify(typ)}`);
      if (!ours.ok && typeof typ === 'string') assert.equal(ours.claim, 'typ');
    }
  });

  test('each required claim missing: its claim, reason missing, as jose with requiredClaims', async () => {
    const key = await jose.importJWK(asKey.jwk);
    const required = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];
    for (const claim of required) {
      const token = await accessToken({ [claim]: undefined });
      const ours = await outcome(verifyAccessToken(token, asKey.jwks, atOptions()));
      assert.deepEqual([ours.code, ours.claim, ours.reason], ['ERR_JWT_CLAIM_VALIDATION_FAILED', claim, 'missing'], claim);
      const theirs = await outcome(jose.jwtVerify(token, key, { typ: 'at+jwt', issuer: ISS, audience: AUD, currentDate: new Date(NOW * 1000), requiredClaims: required }));
      assert.deepEqual([theirs.code, theirs.claim], [ours.code, ours.claim], claim);
    }
  });

  test('scope: whole space-separated values; extra spaces, duplicates and empty lists; never another separator', async () => {
    const table = [
      ['read write', ['read'], true], ['read  write', ['write'], true], [' read', ['read'], true], ['read ', ['read'], true],
      ['read read', ['read'], true], ['read', ['read', 'read'], true], ['', [], true], [undefined, [], true],
      ['', ['read'], false], [undefined, ['read'], false], ['readwrite', ['read'], false], ['read\twrite', ['write'], false],
      ['READ', ['read'], false], ['read,write', ['read'], false],
    ];
    for (const [scope, requiredScopes, ok] of table) {
      const result = await outcome(verifyAccessToken(await accessToken({ scope }), asKey.jwks, atOptions({ requiredScopes })));
      assert.equal(result.ok, ok, `${JSON.stringify(scope)} ⊇ ${JSON.stringify(requiredScopes)}`);
      if (!ok) assert.deepEqual([result.code, result.claim, result.reason], ['ERR_JWT_CLAIM_VALIDATION_FAILED', 'scope', 'insufficient_scope']);
    }
    const numeric = await outcome(verifyAccessToken(await accessToken({ scope: 5 }), asKey.jwks, atOptions({ requiredScopes: ['read'] })));
    assert.deepEqual([numeric.claim, numeric.reason], ['scope', 'invalid']);
  });

  test('no replay check: the same token verifies twice', async () => {
    const token = await accessToken();
    await verifyAccessToken(token, asKey.jwks, atOptions());
    await verifyAccessToken(token, asKey.jwks, atOptions());
  });
});

describe('verifyDpopProof at the edges', () => {
  const base = { method: 'GET', url: URL_, currentDate: NOW };

  test('htm is compared case-sensitively (RFC 9110 methods)', async () => {
    for (const [htm, method, ok] of [['GET', 'GET', true], ['get', 'GET', false], ['GET', 'get', false], ['GET ', 'GET', false], [5, 'GET', false]]) {
      const result = await outcome(verifyDpopProof(await proof(holder, { htm }), { ...base, method }));
      assert.equal(result.ok, ok, `${htm} / ${method}`);
      if (!ok) assert.deepEqual([result.code, result.claim], ['ERR_DPOP_INVALID', 'htm']);
    }
  });

  test('htu: query and fragment dropped, scheme and host case-insensitive, default port dropped, path case-sensitive, RFC 3986 percent-encoding', async () => {
    const U = URL_;
    const table = [
      [`${U}?a=1#f`, U, true], [U, `${U}?q#f`, true], ['HTTPS://API.EXAMPLE/resource', U, true], ['https://api.example:443/resource', U, true],
      ['http://api.example:80/r', 'http://api.example/r', true], ['https://api.example/%72esource', U, true], ['https://api.example/a%2fb', 'https://api.example/a%2Fb', true],
      ['https://api.example/%7ex', 'https://api.example/~x', true], ['https://api.example', 'https://api.example/', true], ['https://api.example/a/../resource', U, true],
      ['https://api.example:80/resource', U, false], ['http://api.example:443/r', 'http://api.example/r', false], ['https://api.example/Resource', U, false],
      ['http://api.example/resource', U, false], [`${U}/`, U, false], ['https://api.example/a%2Fb', 'https://api.example/a/b', false], ['https://api.example./resource', U, false],
      ['https://api.example:8443/resource', U, false], ['/resource', U, false], ['https://user@api.example/resource', U, false], ['https://api.example/café', 'https://api.example/caf%C3%A9', false],
    ];
    for (const [htu, url, ok] of table) {
      const result = await outcome(verifyDpopProof(await proof(holder, { htu }), { ...base, url }));
      assert.equal(result.ok, ok, `${htu} / ${url}`);
      if (!ok) assert.deepEqual([result.code, result.claim], ['ERR_DPOP_INVALID', 'htu'], `${htu} / ${url}`);
    }
  });

  test('iat within maxAge (default 300) plus clockTolerance, both directions, at the edges', async () => {
    const table = [[-300, 300, 0, true], [-301, 300, 0, false], [300, 300, 0, true], [301, 300, 0, false], [-310, 300, 10, true], [-311, 300, 10, false],
      [310, 300, 10, true], [311, 300, 10, false], [-60, 60, 0, true], [-61, 60, 0, false], [61, 60, 0, false], [-300.5, 300, 0, false], [300.5, 300, 0, false]];
    for (const [delta, maxAge, clockTolerance, ok] of table) {
      const options = { ...base, clockTolerance, ...(maxAge === 300 ? {} : { maxAge }) };
      const result = await outcome(verifyDpopProof(await proof(holder, { iat: NOW + delta }), options));
      assert.equal(result.ok, ok, `iat ${delta}, maxAge ${maxAge}, tolerance ${clockTolerance}`);
      if (!ok) assert.deepEqual([result.code, result.claim], ['ERR_DPOP_INVALID', 'iat']);
    }
  });

  test('ath with accessToken, nonce with nonce; jti required', async () => {
    const token = 'an.access.token';
    const table = [
      [{ ath: ath(token) }, { accessToken: token }, null], [{}, { accessToken: token }, 'ath'], [{ ath: ath('other') }, { accessToken: token }, 'ath'],
      [{ ath: ath('other') }, {}, null], [{ nonce: 'n1' }, { nonce: 'n1' }, null], [{}, { nonce: 'n1' }, 'nonce'], [{ nonce: 'n2' }, { nonce: 'n1' }, 'nonce'],
      [{ nonce: 5 }, { nonce: '5' }, 'nonce'], [{ jti: undefined }, {}, 'jti'], [{ jti: '' }, {}, 'jti'], [{ jti: 5 }, {}, 'jti'],
    ];
    for (const [claims, options, claim] of table) {
      const result = await outcome(verifyDpopProof(await proof(holder, claims), { ...base, ...options }));
      if (claim === null) assert.ok(result.ok, JSON.stringify(claims));
      else assert.deepEqual([result.code, result.claim], ['ERR_DPOP_INVALID', claim], JSON.stringify(claims));
    }
  });

  test('the jti is never accepted at or after the expiresAt stored, an `exp` in the proof included (invariant)', async () => {
    let accepted = 0;
    for (let i = 0; i < 120; i++) {
      const iat = NOW - 200 + ((i * 37) % 400);
      const exp = NOW + ((i * 53) % 120) - 20 + (i % 2 ? 0.5 : 0);
      const clockTolerance = [0, 1, 3.5][i % 3];
      let stored;
      const replay = { markUsed(_key, expiresAt) { stored = expiresAt; return true; } };
      const token = await proof(holder, { iat, exp });
      const options = { method: 'GET', url: URL_, clockTolerance };
      if (!(await outcome(verifyDpopProof(token, { ...options, currentDate: NOW, replay }))).ok) continue;
      accepted++;
      assert.equal((await outcome(verifyDpopProof(token, { ...options, currentDate: stored }))).ok, false, `iat ${iat} exp ${exp} tol ${clockTolerance}: accepted at ${stored}`);
      assert.equal((await outcome(verifyDpopProof(token, { ...options, currentDate: stored - 0.001 }))).ok, true, `iat ${iat} exp ${exp}: ${stored} is not the first refused instant`);
    }
    assert.ok(accepted > 30, `only ${accepted} accepted cases`);
  });
});

describe('oauth4webapi as the DPoP client', () => {
  test('its proofs, for every key type it makes, pass authenticateRequest and give jose\'s thumbprint as jkt', async () => {
    for (const alg of ['ES256', 'ES384', 'PS256', 'RS256', 'Ed25519']) {
      const pair = await oauth.generateKeyPair(alg, { extractable: true });
      const jkt = await jose.calculateJwkThumbprint(await jose.exportJWK(pair.publicKey));
      const at = Math.floor(Date.now() / 1000);
      const token = await accessToken({ cnf: { jkt } }, undefined, at);
      let sent;
      const client = {
        DPoP: oauth.DPoP({ client_id: 'app' }, pair),
        [oauth.customFetch]: async (_url, init) => { sent = new Headers(init.headers); return new Response('{}'); },
      };
      // oauth4webapi writes htu from the URL it is given; the server sees it normalised otherwise.
      await oauth.protectedResourceRequest(token, 'PATCH', new URL('https://API.example:443/things/%7Ex?x=1#f'), new Headers(), null, client);
      const request = new Request('https://api.example/things/~x?y=2', { method: 'PATCH', headers: sent });
      const result = await authenticateRequest(request, { keys: asKey.jwks, issuer: ISS, audience: AUD, dpopReplay: new ReplayCache() });
      assert.equal(result.ok, true, `${alg}: ${result.errorDescription}`);
      assert.deepEqual([result.scheme, result.jkt], ['DPoP', jkt], alg);
    }
  });
});

describe('authenticateRequest', () => {
  test('an empty or blank Authorization header is no credentials: 401, a challenge without error (RFC 6750 §3.1, as Hono\'s bearerAuth)', async () => {
    const requests = [
      new Request(URL_, { headers: { authorization: '' } }),
      new Request(URL_, { headers: { authorization: '   ' } }),
      { method: 'GET', url: '/resource', headers: { host: 'api.example', authorization: '' } },
      { method: 'GET', url: '/resource', headers: { host: 'api.example', authorization: ' \t ' } },
      { method: 'GET', url: '/resource', headers: { host: 'api.example', authorization: [''] } },
    ];
    for (const request of requests) {
      const result = await authenticateRequest(request, authOptions({ realm: 'api' }));
      assert.equal(result.ok, false);
      assert.equal(result.status, 401);
      assert.equal(result.error, undefined);
      assert.equal(result.errorDescription, undefined);
      assert.doesNotMatch(result.wwwAuthenticate, /error=/);
      assert.match(result.wwwAuthenticate, /^Bearer realm="api", DPoP realm="api", algs="[A-Za-z0-9 ]+"$/);
      assert.deepEqual(await challengeResponse(result).json(), {});
    }
    // With dpop "required", the DPoP challenge alone, still without error.
    const required = await authenticateRequest(new Request(URL_, { headers: { authorization: '' } }), authOptions({ dpop: 'required' }));
    assert.match(required.wwwAuthenticate, /^DPoP algs="[A-Za-z0-9 ]+"$/);
  });

  test('the scheme is case-insensitive (RFC 9110 §11.1); "Bearer" without a token is a 400', async () => {
    const token = await accessToken();
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const result = await authenticateRequest(new Request(URL_, { headers: { authorization: `${scheme} ${token}` } }), authOptions());
      assert.equal(result.ok, true, scheme);
    }
    for (const value of ['Bearer', 'Bearer ', `Bearer ${token} x`, `Bearer "${token}"`, 'Bearer realm="x"']) {
      const result = await authenticateRequest(new Request(URL_, { headers: { authorization: value } }), authOptions());
      assert.deepEqual([result.status, result.error], [400, 'invalid_request'], value);
    }
  });

  test('realm and resource_metadata on every challenge, quoted per RFC 9110 (" and \\ escaped)', async () => {
    const metadata = 'https://api.example/.well-known/oauth-protected-resource';
    const result = await authenticateRequest(new Request(URL_), authOptions({ realm: 'api "v1" \\ x', resourceMetadata: metadata }));
    assert.equal(result.wwwAuthenticate.match(/realm="api \\"v1\\" \\\\ x"/g)?.length, 2, result.wwwAuthenticate);
    assert.equal(result.wwwAuthenticate.match(/resource_metadata="https:\/\/api\.example\/\.well-known\/oauth-protected-resource"/g)?.length, 2, result.wwwAuthenticate);
  });

  test('the verdict over every scheme × token binding × proof × dpop mode agrees with RFC 6750 / RFC 9449 §7 (invariant)', async () => {
    const tokens = {
      unbound: {}, emptyCnf: { cnf: {} }, holder: { cnf: { jkt: holder.jkt } }, other: { cnf: { jkt: intruder.jkt } },
      mtls: { cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } }, emptyJkt: { cnf: { jkt: '' } },
    };
    const proofs = ['none', 'holder', 'holderWrongAth', 'intruder'];
    const unbound = (kind) => kind === 'unbound' || kind === 'emptyCnf';
    let cases = 0;
    for (const [kind, claims] of Object.entries(tokens)) {
      const token = await accessToken(claims);
      for (const scheme of ['none', 'Bearer', 'DPoP']) {
        for (const proofKind of proofs) {
          for (const dpop of ['allowed', 'required', 'off']) {
            const headers = new Headers();
            if (scheme !== 'none') headers.set('authorization', `${scheme} ${token}`);
            if (proofKind !== 'none') {
              const key = proofKind === 'intruder' ? intruder : holder;
              headers.set('dpop', await proof(key, { ath: ath(proofKind === 'holderWrongAth' ? 'x' : token) }));
            }
            const result = await authenticateRequest(new Request(URL_, { headers }), authOptions({ dpop }));
            let want;
            if (scheme === 'none' || (scheme === 'DPoP' && dpop === 'off')) want = [401, undefined];
            else if (scheme === 'Bearer' && dpop === 'required') want = [401, 'invalid_token'];
            else if (scheme === 'Bearer') want = unbound(kind) ? [200, undefined] : [401, 'invalid_token'];
            else if (proofKind === 'none' || proofKind === 'holderWrongAth') want = [401, 'invalid_dpop_proof'];
            else if (unbound(kind) || kind === 'mtls' || kind === 'emptyJkt') want = [401, 'invalid_token'];
            else want = (kind === 'holder') === (proofKind === 'holder') ? [200, undefined] : [401, 'invalid_dpop_proof'];
            const got = [result.ok ? 200 : result.status, result.error];
            const label = `${kind} token, ${scheme}, proof ${proofKind}, dpop ${dpop}`;
            assert.deepEqual(got, want, label);
            if (result.ok) {
              assert.equal(result.scheme, scheme, label);
              assert.equal(result.jkt, scheme === 'DPoP' ? tokens[kind].cnf.jkt : undefined, label);
            } else {
              const challenge = result.wwwAuthenticate;
              assert.equal(/^Bearer\b|, Bearer\b/.test(challenge), dpop !== 'required', `${label}: ${challenge}`);
              assert.equal(/\bDPoP algs="[A-Za-z0-9 ]+"/.test(challenge), dpop !== 'off', `${label}: ${challenge}`);
              assert.equal(/error=/.test(challenge), result.error !== undefined, `${label}: ${challenge}`);
            }
            cases++;
          }
        }
      }
    }
    assert.equal(cases, 6 * 3 * 4 * 3);
  });
});

describe('wrong options on every entry point: a TypeError ERR_INVALID_OPTION naming the option', () => {
  test('verifyAccessToken, verifyDpopProof, authenticateRequest', async () => {
    const token = await accessToken();
    const dpopProof = await proof(holder);
    const dpopBase = { method: 'GET', url: URL_, currentDate: NOW };
    const cases = [
      ['verifyAccessToken', (o) => verifyAccessToken(token, asKey.jwks, o), [
        [undefined, 'audience'], [null, 'options'], [{ issuer: ISS }, 'audience'], [{ audience: AUD }, 'issuer'], [{ ...atOptions(), audiance: AUD }, 'audience'],
        [{ ...atOptions(), requiredScope: ['a'] }, 'requiredScopes'], [{ ...atOptions(), clockTolerance: NaN }, 'clockTolerance'], [{ ...atOptions(), maxTokenAge: () => 1 }, 'maxTokenAge'],
        [{ ...atOptions(), subject: Symbol('s') }, 'subject'], [{ ...atOptions(), requiredScopes: 'read' }, 'requiredScopes'], [{ ...atOptions(), requiredScopes: [''] }, 'requiredScopes'],
        [{ ...atOptions(), typ: 'JWT' }, 'typ'], [{ ...atOptions(), currentDate: new Date(NaN) }, 'currentDate'], [{ ...atOptions(), replay: new ReplayCache() }, 'replay'],
      ]],
      ['verifyDpopProof', (o) => verifyDpopProof(dpopProof, o), [
        [undefined, 'method'], [null, 'options'], [{ url: URL_ }, 'method'], [{ method: 'GET' }, 'url'], [{ ...dpopBase, method: null }, 'method'], [{ ...dpopBase, url: () => 1 }, 'url'],
        [{ ...dpopBase, maxAge: NaN }, 'maxAge'], [{ ...dpopBase, maxAge: -1 }, 'maxAge'], [{ ...dpopBase, maxAge: Infinity }, 'maxAge'], [{ ...dpopBase, clockTolerance: Symbol('t') }, 'clockTolerance'],
        [{ ...dpopBase, nonce: 5 }, 'nonce'], [{ ...dpopBase, accessToken: null }, 'accessToken'], [{ ...dpopBase, replay: {} }, 'replay'], [{ ...dpopBase, replay: null }, 'replay'],
        [{ ...dpopBase, algorithms: ['HS256'] }, 'algorithms'], [{ ...dpopBase, maxage: 5 }, 'maxAge'], [{ url: URL_, metod: 'GET' }, 'method'], [{ ...dpopBase, acessToken: 'x' }, 'accessToken'],
        [{ ...dpopBase, url: '/resource' }, 'url'],
      ]],
      ['authenticateRequest', (o) => authenticateRequest(new Request(URL_, { headers: { authorization: `Bearer ${token}` } }), o), [
        [undefined, 'keys'], [null, 'options'], [{ issuer: ISS, audience: AUD }, 'keys'], [{ ...authOptions(), keys: null }, 'keys'], [{ keys: asKey.jwks, issuer: ISS }, 'audience'],
        [{ ...authOptions(), dpop: 'require' }, 'dpop'], [{ ...authOptions(), dpop: true }, 'dpop'], [{ ...authOptions(), profile: 'AT+JWT' }, 'profile'], [{ ...authOptions(), realm: 5 }, 'realm'],
        [{ ...authOptions(), realm: 'a\nb' }, 'realm'], [{ ...authOptions(), realm: () => 'x' }, 'realm'], [{ ...authOptions(), realm: Symbol('r') }, 'realm'],
        [{ ...authOptions(), resourceMetadata: '/x' }, 'resourceMetadata'], [{ ...authOptions(), dpopReplay: {} }, 'dpopReplay'], [{ ...authOptions(), dpopReplay: null }, 'dpopReplay'],
        [{ ...authOptions(), clockTolerance: NaN }, 'clockTolerance'], [{ ...authOptions(), requiredScope: ['a'] }, 'requiredScopes'], [{ ...authOptions(), resource_metadata: 'https://x/' }, 'resourceMetadata'],
        [{ ...authOptions(), dpopreplay: new ReplayCache() }, 'dpopReplay'], [{ ...authOptions(), Realm: 'x' }, 'realm'], [{ ...authOptions(), requiredScopes: ['a b'] }, 'requiredScopes'],
      ]],
    ];
    for (const [name, call, table] of cases) {
      for (const [options, named] of table) {
        const result = await outcome(call(options));
        const label = `${name}(${String(JSON.stringify(options) ?? options).slice(0, 80)})`;
        assert.equal(result.ok, false, label);
        assert.ok(result.error instanceof TypeError, `${label}: ${result.error}`);
        assert.equal(result.code, 'ERR_INVALID_OPTION', label);
        if (named !== 'options') assert.match(result.error.message, new RegExp(`\\b${named}\\b`), label);
      }
    }
  });
});

test('an audience or issuer that names nothing (or holds an empty text), and dpopAlgorithms that leave none, are TypeErrors naming that option', async () => {
  const token = await accessToken();
  const request = () => new Request(URL_, { headers: { authorization: `Bearer ${token}` } });
  const cases = [];
  for (const empty of [[], '', [''], ['', ''], ['', AUD], [AUD, '']]) {
    cases.push([() => verifyAccessToken(token, asKey.jwks, { ...atOptions(), audience: empty }), 'audience']);
    cases.push([() => verifyAccessToken(token, asKey.jwks, { ...atOptions(), issuer: empty }), 'issuer']);
    cases.push([() => authenticateRequest(request(), { ...authOptions(), audience: empty }), 'audience']);
    cases.push([() => authenticateRequest(request(), { ...authOptions(), issuer: empty }), 'issuer']);
  }
  cases.push([() => authenticateRequest(request(), { ...authOptions(), dpopAlgorithms: [] }), 'dpopAlgorithms']);
  for (const [call, named] of cases) {
    const result = await outcome(call());
    assert.ok(result.error instanceof TypeError, `${named}: ${result.error}`);
    assert.equal(result.code, 'ERR_INVALID_OPTION');
    assert.equal(result.error.option, named);
  }
  // Still verified: several audiences; no DPoP algorithm with dpop: "off".
  assert.equal((await verifyAccessToken(token, asKey.jwks, { ...atOptions(), audience: ['https://other.example', AUD] })).payload.aud, AUD);
  assert.equal((await authenticateRequest(request(), { ...authOptions(), dpopAlgorithms: [], dpop: 'off' })).ok, true);
});

// ---- the adapters over real HTTP, against authenticateRequest and challengeResponse ----

const APPS = {
  async hono(options) {
    const app = new Hono();
    app.get('/r', honoAuth(options), (c) => c.json(c.get('auth')));
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await whenListening(server);
    return { base: `http://127.0.0.1:${server.address().port}`, close: () => closeServer(server) };
  },
  async express(options) {
    const app = express();
    app.get('/r', expressAuth(options), (req, res) => res.json(req.auth));
    const server = app.listen(0, '127.0.0.1');
    await whenListening(server);
    return { base: `http://127.0.0.1:${server.address().port}`, close: () => closeServer(server) };
  },
  async fastify(options) {
    const app = Fastify();
    await app.register(async (scope) => {
      await scope.register(fastifyAuth, options);
      scope.get('/r', async (request) => request.auth);
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { base: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() };
  },
};

for (const [name, start] of Object.entries(APPS)) {
  test(`${name}: auth is authenticateRequest's ok result; every failure is challengeResponse's status, challenge and body`, async () => {
    const at = Math.floor(Date.now() / 1000);
    const options = () => ({ keys: asKey.jwks, issuer: ISS, audience: AUD, requiredScopes: ['read'], realm: 'r"1', dpopReplay: new ReplayCache() });
    const app = await start(options());
    try {
      const url = `${app.base}/r`;
      const token = await accessToken({}, undefined, at);
      const headers = { authorization: `Bearer ${token}` };
      const response = await fetch(url, { headers });
      assert.equal(response.status, 200);
      const want = await authenticateRequest(new Request(url, { headers }), options());
      assert.deepEqual(await response.json(), JSON.parse(JSON.stringify(want)));

      const bound = await accessToken({ cnf: { jkt: holder.jkt } }, undefined, at);
      const dpopProof = await proof(holder, { htu: url, iat: Math.floor(Date.now() / 1000), ath: ath(bound) });
      const dpop = await fetch(url, { headers: { authorization: `DPoP ${bound}`, dpop: dpopProof } });
      const auth = await dpop.json();
      assert.equal(dpop.status, 200);
      assert.deepEqual([auth.ok, auth.scheme, auth.jkt, auth.token], [true, 'DPoP', holder.jkt, bound]);

      const failures = [{}, { authorization: '' }, { authorization: 'Bearer a.b.c' }, { authorization: `Bearer ${await accessToken({ scope: 'write' }, undefined, at)}` },
        { authorization: 'Bearer a b' }, { authorization: 'Basic eA==' }, { authorization: `Bearer ${bound}` }, { authorization: `DPoP ${bound}` }];
      for (const sent of failures) {
        const got = await fetch(url, { headers: sent });
        const expected = challengeResponse(await authenticateRequest(new Request(url, { headers: sent }), options()));
        const label = JSON.stringify(sent).slice(0, 60);
        assert.equal(got.status, expected.status, label);
        assert.equal(got.headers.get('www-authenticate'), expected.headers.get('www-authenticate'), label);
        assert.match(got.headers.get('content-type'), /^application\/json/, label);
        assert.equal(await got.text(), await expected.text(), label);
      }
    } finally {
      await app.close();
    }
  });
}
