// Contract probe of DPoP (API.md "Resource servers": verifyDpopProof, DPoP inside
// authenticateRequest) and of shared replay state ("Shared state across processes": ReplayCache,
// jwks-verify/redis), over generated inputs: each RFC 9449 §4.3 check one by one on proofs minted
// with jose, the iat window at its exact boundaries, the expiresAt every store receives against
// the last instant the proof is accepted, ReplayCache's options and bound (fail closed), the
// in-process replay cache of authenticateRequest at a fixed currentDate, oauth4webapi's
// resource-server DPoP check where the two overlap, and RedisReplayStore on a real redis-server.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import { verifyDpopProof, authenticateRequest, ReplayCache } from '../../pkg/node.mjs';
import { RedisReplayStore } from '../../pkg/redis.mjs';
import { NOW, generateKey, mint, outcome, b64url } from './helpers.mjs';
import { connectClient } from './support/redis-clients.mjs';
import { redisServerBinary, startRedis } from './support/redis-server.mjs';

const URL_ = 'https://rs.example.com/api/resource';
const INVALID = 'ERR_DPOP_INVALID';
const ALGS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

/** xorshift32: a failure names a reproducible seed. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return { below: (n) => next() % n, unit: () => next() / 2 ** 32, pick: (list) => list[next() % list.length] };
}

async function holder(alg) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}), extractable: true });
  const { ext, key_ops, ...jwk } = await jose.exportJWK(publicKey);
  const { ext: _e, key_ops: _k, ...privateJwk } = await jose.exportJWK(privateKey);
  return { alg, privateKey, jwk, privateJwk, jkt: await jose.calculateJwkThumbprint(jwk) };
}

async function prove(key, claims = {}, { header = {}, signWith = key.privateKey } = {}) {
  const payload = { jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  const protectedHeader = { typ: 'dpop+jwt', alg: key.alg, jwk: key.jwk, ...header };
  for (const [name, value] of Object.entries(protectedHeader)) if (value === undefined) delete protectedHeader[name];
  return new jose.SignJWT(payload).setProtectedHeader(protectedHeader).sign(signWith);
}

// A proof whose header and payload are given as they are (JSON of any shape), signed by `key`.
async function proveRaw(key, header, payload) {
  const jws = await new jose.FlattenedSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key.privateKey);
  return `${jws.protected}.${jws.payload}.${jws.signature}`;
}

const at = (extra = {}) => ({ method: 'GET', url: URL_, currentDate: NOW, ...extra });
const ath = (token) => createHash('sha256').update(token).digest('base64url');
const accepted = async (fn) => (await outcome(fn)).ok;

const keys = {};
before(async () => {
  for (const alg of ALGS) keys[alg] = await holder(alg);
});

describe('RFC 9449 §4.3, one check at a time', () => {
  test('typ: dpop+jwt (case-insensitive, application/ optional, as jose and oauth4webapi compare typ); anything else is reason typ', async () => {
    const good = ['dpop+jwt', 'DPoP+JWT', 'DPOP+jwt', 'application/dpop+jwt', 'Application/DPoP+JWT'];
    const bad = ['jwt', 'JWT', 'at+jwt', 'dpop', 'dpop+jwt ', ' dpop+jwt', 'dpop+jws', 'application/jwt', 'text/dpop+jwt', 'application/dpop+jwt; x=1', '', 7, null, true, ['dpop+jwt'], { typ: 'dpop+jwt' }, undefined];
    let cases = 0;
    for (const alg of ALGS) {
      for (const typ of good) {
        assert.equal(await accepted(async () => verifyDpopProof(await proveRaw(keys[alg], { typ, alg, jwk: keys[alg].jwk }, { jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW }), at())), true, `${alg} typ ${typ}`);
        cases++;
      }
      for (const typ of bad) {
        const header = { alg, jwk: keys[alg].jwk };
        if (typ !== undefined) header.typ = typ;
        const got = await outcome(async () => verifyDpopProof(await proveRaw(keys[alg], header, { jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW }), at()));
        assert.deepEqual(got, { ok: false, code: INVALID, reason: 'typ' }, `${alg} typ ${JSON.stringify(typ)}`);
        cases++;
      }
    }
    assert.ok(cases >= 100);
  });

  test('alg: only asymmetric algorithms, and only those in algorithms', async () => {
    const secret = new Uint8Array(32).fill(7);
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      const oct = { kty: 'oct', k: b64url(secret) };
      const proof = await new jose.SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW }).setProtectedHeader({ typ: 'dpop+jwt', alg, jwk: oct }).sign(secret);
      // The oct key in the header is a secret: either refusal is a refusal, never a success.
      const got = await outcome(() => verifyDpopProof(proof, at()));
      assert.equal(got.ok, false, alg);
      assert.ok(got.code === INVALID || got.code === 'ERR_JWS_INVALID', `${alg}: ${JSON.stringify(got)}`);
    }
    for (const alg of ['none', 'ES256K', 'RS1', 'es256', '', 'EdDSA ']) {
      const got = await outcome(async () => verifyDpopProof(await proveRaw(keys.ES256, { typ: 'dpop+jwt', alg: 'ES256', jwk: keys.ES256.jwk }, {}).then((p) => {
        const [, payload, sig] = p.split('.');
        return `${b64url(JSON.stringify({ typ: 'dpop+jwt', alg, jwk: keys.ES256.jwk }))}.${payload}.${sig}`;
      }), at()));
      assert.deepEqual(got, { ok: false, code: INVALID, reason: 'alg' }, `alg ${JSON.stringify(alg)}`);
    }
    // Each algorithm: accepted when listed (alone or with others), refused with reason alg otherwise.
    for (const alg of ALGS) {
      const proof = await prove(keys[alg]);
      for (const others of ALGS.filter((a) => a !== alg)) {
        assert.deepEqual(await outcome(() => verifyDpopProof(proof, at({ algorithms: [others] }))), { ok: false, code: INVALID, reason: 'alg' }, `${alg} with [${others}]`);
        assert.equal(await accepted(() => verifyDpopProof(proof, at({ algorithms: [others, alg], replay: undefined }))), true, `${alg} with [${others}, ${alg}]`);
      }
    }
    // A symmetric algorithm listed is a wrong option.
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      await assert.rejects(async () => verifyDpopProof(await prove(keys.ES256), at({ algorithms: ['ES256', alg] })), { name: 'TypeError', option: 'algorithms' });
    }
  });

  test('jwk: a public key that verifies; each private member is ERR_JWS_INVALID; missing, not an object, another key, not fitting alg: reason jwk / signature', async () => {
    const members = { d: 'AAAA', p: 'AAAA', q: 'AAAA', dp: 'AAAA', dq: 'AAAA', qi: 'AAAA', oth: [], k: 'AAAA' };
    for (const alg of ALGS) {
      const key = keys[alg];
      for (const [member, value] of Object.entries(members)) {
        for (const v of [value, null, '', 0]) {
          const got = await outcome(async () => verifyDpopProof(await prove(key, {}, { header: { jwk: { ...key.jwk, [member]: v } } }), at()));
          assert.deepEqual(got, { ok: false, code: 'ERR_JWS_INVALID' }, `${alg} jwk.${member} = ${JSON.stringify(v)}`);
        }
      }
      // The real private JWK in the header.
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(key, {}, { header: { jwk: key.privateJwk } }), at())), { ok: false, code: 'ERR_JWS_INVALID' }, `${alg} private jwk`);
      for (const jwk of [undefined, null, 'x', 5, [key.jwk], {}]) {
        const got = await outcome(async () => verifyDpopProof(await prove(key, {}, { header: { jwk } }), at()));
        assert.deepEqual(got, { ok: false, code: INVALID, reason: 'jwk' }, `${alg} jwk ${JSON.stringify(jwk)}`);
      }
      // Another key of the same type in the header: the signature does not verify with it.
      const other = await holder(alg);
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(key, {}, { header: { jwk: other.jwk } }), at())), { ok: false, code: INVALID, reason: 'signature' }, `${alg} another key`);
      // A key of another type than alg needs: reason jwk.
      const misfit = alg === 'EdDSA' ? keys.ES256.jwk : keys.EdDSA.jwk;
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(key, {}, { header: { jwk: misfit } }), at())), { ok: false, code: INVALID, reason: 'jwk' }, `${alg} with a ${misfit.kty} key`);
    }
  });

  test('jkt is the RFC 7638 thumbprint of the header jwk, whatever optional members (kid, alg, use) it carries', async () => {
    for (const alg of ALGS) {
      const key = keys[alg];
      for (const extra of [{}, { kid: 'k1' }, { alg }, { use: 'sig' }, { kid: 'x', alg, use: 'sig', key_ops: ['verify'] }]) {
        const { jkt } = await verifyDpopProof(await prove(key, {}, { header: { jwk: { ...key.jwk, ...extra } } }), at());
        assert.equal(jkt, key.jkt, `${alg} ${JSON.stringify(extra)}`);
      }
    }
  });

  test('jti: required, a non-empty string', async () => {
    for (const [jti, reason] of [[undefined, 'missing'], ['', 'invalid'], [5, 'invalid'], [null, 'invalid'], [['a'], 'invalid'], [{}, 'invalid'], [true, 'invalid']]) {
      for (const alg of ALGS) {
        assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(keys[alg], { jti }), at())), { ok: false, code: INVALID, claim: 'jti', reason }, `${alg} jti ${JSON.stringify(jti)}`);
      }
    }
  });

  test('htm equals method exactly (methods are case-sensitive, RFC 9110 §9.1)', async () => {
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'QUERY', 'get', 'Post'];
    const random = rng(9449);
    for (let i = 0; i < 60; i++) {
      const htm = random.pick(methods);
      const method = random.below(2) ? htm : random.pick(methods);
      const got = await outcome(async () => verifyDpopProof(await prove(keys.ES256, { htm }), at({ method })));
      assert.deepEqual(got.ok ? true : got, htm === method ? true : { ok: false, code: INVALID, claim: 'htm', reason: 'check_failed' }, `htm ${htm} method ${method}`);
    }
    for (const [htm, reason] of [[undefined, 'missing'], [5, 'invalid'], [null, 'invalid'], [['GET'], 'invalid']]) {
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(keys.ES256, { htm }), at())), { ok: false, code: INVALID, claim: 'htm', reason }, `htm ${JSON.stringify(htm)}`);
    }
  });

  test('htu: equal under RFC 3986 normalisation (scheme/host case, default port, %-encoding, dot segments), query and fragment ignored; every other difference refused', async () => {
    const random = rng(3986);
    const caseFlip = (text) => [...text].map((c) => (random.below(2) ? c.toUpperCase() : c.toLowerCase())).join('');
    // Spellings of the same resource, as a client might send them.
    const same = (scheme, host, port, path) => {
      const defaultPort = scheme === 'https' ? 443 : 80;
      const portText = port === defaultPort ? random.pick(['', `:${port}`, ':']) : `:${port}`;
      let p = path.replace(/[a-z]/g, (c) => (random.below(6) === 0 ? `%${c.charCodeAt(0).toString(16)[random.below(2) ? 'toUpperCase' : 'toLowerCase']()}` : c));
      if (random.below(3) === 0) p = p.replace(/\/([^/]+)$/, '/x/../$1');
      if (random.below(3) === 0) p = p.replace(/^\//, '/./');
      const tail = random.pick(['', '?a=1', '#f', '?a=1#f', '?', '#']);
      return `${caseFlip(scheme)}://${caseFlip(host)}${portText}${p}${tail}`;
    };
    let cases = 0;
    for (let i = 0; i < 120; i++) {
      const scheme = random.pick(['https', 'http']);
      const host = random.pick(['rs.example.com', 'api.example', '127.0.0.1', '[::1]', 'a-b.example.org']);
      const port = random.pick([scheme === 'https' ? 443 : 80, 8443, 8080]);
      const path = random.pick(['/', '/api/resource', '/a/b/c', '/~user/data', '/v1/items-42_x']);
      const url = same(scheme, host, port, path);
      const htu = same(scheme, host, port, path);
      const proof = await prove(keys.ES256, { htu });
      assert.equal(await accepted(() => verifyDpopProof(proof, at({ url }))), true, `htu ${htu} url ${url}`);
      // One difference that matters: another scheme, host, port, path (case of the path included).
      const changes = [
        () => same(scheme === 'https' ? 'http' : 'https', host, port === 8443 || port === 8080 ? port : scheme === 'https' ? 80 : 443, path),
        () => same(scheme, `x${host.startsWith('[') ? 'y.example' : host}`, port, path),
        () => same(scheme, host, port === 8443 ? 8444 : 8443, path),
        () => same(scheme, host, port, `${path === '/' ? '/z' : `${path}/`}`),
        () => same(scheme, host, port, path.toUpperCase() === path ? `${path}x` : path.toUpperCase()),
        () => same(scheme, host, port, `${path}%2F`),
      ];
      const other = random.pick(changes)();
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(keys.ES256, { htu: other }), at({ url }))), { ok: false, code: INVALID, claim: 'htu', reason: 'check_failed' }, `htu ${other} url ${url}`);
      cases += 2;
    }
    assert.ok(cases >= 240);
    for (const [htu, reason] of [[undefined, 'missing'], [5, 'invalid'], ['/api/resource', 'invalid'], ['rs.example.com/api/resource', 'invalid'], ['ftp://rs.example.com/api/resource', 'invalid'], ['https://u:p@rs.example.com/api/resource', 'invalid'], ['https:///api/resource', 'invalid'], ['https://rs.example.com:99999/api/resource', 'invalid'], ['https://rs.example.com/a%zz', 'invalid']]) {
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(keys.ES256, { htu }), at())), { ok: false, code: INVALID, claim: 'htu', reason }, `htu ${JSON.stringify(htu)}`);
    }
  });

  test('iat: accepted exactly within maxAge + clockTolerance of floor(now), both ways; refused one second past each edge', async () => {
    const random = rng(300);
    let cases = 0;
    for (let i = 0; i < 40; i++) {
      const maxAge = random.pick([undefined, 1, 5, 60, 300, 3600]);
      const clockTolerance = random.pick([undefined, 0, 1, 30]);
      const window = (maxAge ?? 300) + (clockTolerance ?? 0);
      const now = NOW + random.below(1000) + random.pick([0, 0.25, 0.999]);
      const options = at({ maxAge, clockTolerance, currentDate: new Date(now * 1000) });
      const base = Math.floor(now);
      for (const [iat, claim, reason] of [
        [base - window, undefined], [base + window, undefined], [base, undefined],
        [base - window - 1, 'iat', 'too_old'], [base + window + 1, 'iat', 'in_future'],
        [base - window - 0.5, 'iat', 'too_old'], [base + window + 0.5, 'iat', 'in_future'],
      ]) {
        const got = await outcome(async () => verifyDpopProof(await prove(keys.ES256, { iat }), options));
        assert.deepEqual(got.ok ? {} : got, claim ? { ok: false, code: INVALID, claim, reason } : {}, `iat ${iat} now ${now} maxAge ${maxAge} tolerance ${clockTolerance}`);
        cases++;
      }
    }
    assert.ok(cases >= 280);
    for (const [iat, reason] of [[undefined, 'missing'], ['1700000000', 'invalid'], [null, 'invalid'], [[NOW], 'invalid'], [true, 'invalid']]) {
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(keys.ES256, { iat }), at())), { ok: false, code: INVALID, claim: 'iat', reason }, `iat ${JSON.stringify(iat)}`);
    }
  });

  test('ath = base64url(SHA-256(accessToken)) with accessToken; any other value, padding or encoding refused', async () => {
    const random = rng(7);
    for (let i = 0; i < 40; i++) {
      const token = Array.from({ length: 10 + random.below(300) }, () => String.fromCharCode(33 + random.below(94))).join('');
      const good = ath(token);
      assert.equal(await accepted(async () => verifyDpopProof(await prove(keys.ES256, { ath: good }), at({ accessToken: token }))), true, token);
      const flip = (s, j) => s.slice(0, j) + (s[j] === 'A' ? 'B' : 'A') + s.slice(j + 1);
      for (const wrong of [flip(good, random.below(good.length)), `${good}=`, createHash('sha256').update(token).digest('base64'), createHash('sha256').update(`${token} `).digest('base64url'), good.toUpperCase() === good ? `${good}x` : good.toUpperCase()]) {
        if (wrong === good) continue;
        assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(keys.ES256, { ath: wrong }), at({ accessToken: token }))), { ok: false, code: INVALID, claim: 'ath', reason: 'check_failed' }, `ath ${wrong}`);
      }
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(keys.ES256), at({ accessToken: token }))), { ok: false, code: INVALID, claim: 'ath', reason: 'missing' });
    }
  });

  test('nonce: with the option, required and equal', async () => {
    const random = rng(11);
    for (let i = 0; i < 30; i++) {
      const nonce = randomUUID().slice(0, 1 + random.below(36));
      const sent = random.pick([nonce, undefined, `${nonce}x`, nonce.toUpperCase() === nonce ? `${nonce}-` : nonce.toUpperCase()]);
      const got = await outcome(async () => verifyDpopProof(await prove(keys.ES256, { nonce: sent }), at({ nonce })));
      const expected = sent === nonce ? true : { ok: false, code: INVALID, claim: 'nonce', reason: sent === undefined ? 'missing' : 'check_failed' };
      assert.deepEqual(got.ok ? true : got, expected, `nonce ${nonce} sent ${sent}`);
    }
  });
});

describe('replay: the expiresAt a store receives', () => {
  test('scoped "<jkt> <jti>", and never before the last instant the proof is accepted; the proof is refused from it on (invariant)', async () => {
    const random = rng(42);
    let checked = 0;
    for (let i = 0; i < 120; i++) {
      const alg = random.pick(ALGS);
      const maxAge = random.pick([undefined, 1, 10, 299, 300, 3600, 0.5, 17.25]);
      const clockTolerance = random.pick([undefined, 0, 0.5, 1, 2.75, 60]);
      const window = (maxAge ?? 300) + (clockTolerance ?? 0);
      const now = NOW + random.below(100) + random.pick([0, 0.001, 0.5, 0.999]);
      const iat = Math.floor(now) - window + random.unit() * 2 * window + random.pick([0, 0.5, 0.125]);
      const exp = random.below(3) === 0 ? now + random.unit() * 400 : undefined;
      const jti = randomUUID();
      const proof = await prove(keys[alg], { iat, exp, jti });
      const stored = [];
      const replay = { markUsed: (key, expiresAt) => (stored.push([key, expiresAt]), true) };
      const options = (t) => at({ maxAge, clockTolerance, currentDate: new Date(Math.round(t * 1000)) });
      const first = await outcome(() => verifyDpopProof(proof, { ...options(now), replay }));
      if (!first.ok) {
        assert.deepEqual(stored, [], 'a refused proof is never marked used');
        continue;
      }
      assert.equal(stored.length, 1);
      const [[key, expiresAt]] = stored;
      assert.equal(key, `${keys[alg].jkt} ${jti}`);
      assert.ok(Number.isFinite(expiresAt) && expiresAt > now, `expiresAt ${expiresAt} after the accepting now ${now}`);
      // Accepted at every millisecond instant from now until expiresAt (exclusive), never at or after it.
      for (const t of [expiresAt - 1, expiresAt - 0.5, expiresAt - 0.001, expiresAt, expiresAt + 0.001, expiresAt + 1]) {
        if (t < now) continue;
        const ok = await accepted(() => verifyDpopProof(proof, options(t)));
        assert.equal(ok, t < expiresAt, `iat ${iat} exp ${exp} maxAge ${maxAge} tolerance ${clockTolerance}: accepted ${ok} at ${t}, expiresAt ${expiresAt}`);
        checked++;
      }
    }
    assert.ok(checked >= 200, `${checked} instants checked`);
  });
});

describe('ReplayCache: options and bound', () => {
  test('maxEntries: a positive integer up to 2^31-1; anything else a TypeError naming it; unknown names name the nearest', () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 31, '10', null, true, {}, [], () => 1, Symbol('x'), 10n, new Number(5)]) {
      assert.throws(() => new ReplayCache({ maxEntries: bad }), (err) => err instanceof TypeError && err.option === 'maxEntries' && /maxEntries/.test(err.message), String(typeof bad === 'symbol' ? 'symbol' : bad));
    }
    for (const good of [1, 2, 1000, 2 ** 31 - 1, undefined]) assert.doesNotThrow(() => new ReplayCache({ maxEntries: good }), String(good));
    for (const name of ['maxEntry', 'maxentries', 'max_entries', 'entries']) {
      assert.throws(() => new ReplayCache({ [name]: 10 }), (err) => err instanceof TypeError && /did you mean maxEntries/.test(err.message), name);
    }
    for (const bad of [null, 5, 'x', true]) assert.throws(() => new ReplayCache(bad), TypeError);
    for (const bad of [5, 'x', {}, null]) assert.throws(() => new ReplayCache({ clock: bad }), (err) => err instanceof TypeError && err.option === 'clock');
  });

  test('never holds more than maxEntries; full of live entries, verifyDpopProof rejects with ERR_REPLAY_STORE_FULL (fail closed) and accepts again once they expire', async () => {
    for (const maxEntries of [1, 2, 5]) {
      let now = NOW;
      const replay = new ReplayCache({ maxEntries, clock: () => now });
      const proofs = await Promise.all(Array.from({ length: maxEntries + 3 }, () => prove(keys.ES256, { iat: NOW })));
      for (const [i, proof] of proofs.entries()) {
        const got = await outcome(() => verifyDpopProof(proof, at({ replay })));
        assert.deepEqual(got.ok ? true : got, i < maxEntries ? true : { ok: false, code: 'ERR_REPLAY_STORE_FULL' }, `maxEntries ${maxEntries}, proof ${i}`);
        assert.ok(replay.size <= maxEntries);
      }
      // A stored proof again, while full: replayed (not "full").
      assert.equal((await outcome(() => verifyDpopProof(proofs[0], at({ replay })))).code, 'ERR_JWT_REPLAYED');
      // Past every expiresAt (iat + 300 + 1), a new proof is taken again.
      now = NOW + 301;
      assert.equal(await accepted(async () => verifyDpopProof(await prove(keys.ES256, { iat: NOW + 301 }), at({ replay, currentDate: NOW + 301 }))), true);
    }
  });

  test('authenticateRequest with a full dpopReplay: the promise rejects (the server\'s failure), never ok', async () => {
    const asKey = await generateKey('ES256', { kid: 'as-1' });
    const replay = new ReplayCache({ maxEntries: 1, clock: () => NOW });
    const options = { keys: { keys: [asKey.jwk] }, issuer: 'https://as.example', audience: 'api', currentDate: NOW, dpopReplay: replay };
    const token = await mint(asKey, { iss: 'https://as.example', aud: 'api', sub: 's', client_id: 'c', iat: NOW, exp: NOW + 60, jti: randomUUID(), cnf: { jkt: keys.ES256.jkt } }, { header: { typ: 'at+jwt' } });
    const request = async () => new Request(URL_, { headers: { authorization: `DPoP ${token}`, dpop: await prove(keys.ES256, { ath: ath(token) }) } });
    assert.equal((await authenticateRequest(await request(), options)).ok, true);
    await assert.rejects(async () => authenticateRequest(await request(), options), { code: 'ERR_REPLAY_STORE_FULL' });
  });
});

describe('authenticateRequest: DPoP', () => {
  const ISS = 'https://as.example';
  const AUD = 'https://rs.example.com';
  let asKey;
  before(async () => {
    asKey = await generateKey('ES256', { kid: 'as-1' });
  });
  const accessToken = (now, jkt) => mint(asKey, { iss: ISS, aud: AUD, sub: 'u', client_id: 'c', iat: now - 5, exp: now + 600, jti: randomUUID(), scope: 'read', ...(jkt && { cnf: { jkt } }) }, { header: { typ: 'at+jwt' } });

  test('without dpopReplay, a proof is single-use at a fixed currentDate too (in the past, now, ahead): the in-process cache never forgets it early', async () => {
    const host = Math.floor(Date.now() / 1000);
    for (const now of [NOW, NOW + 12345, host - 3600, host, host + 100_000]) {
      const token = await accessToken(now, keys.ES256.jkt);
      const options = { keys: { keys: [asKey.jwk] }, issuer: ISS, audience: AUD, currentDate: now };
      for (let i = 0; i < 5; i++) {
        const dpop = await prove(keys.ES256, { htu: URL_, iat: now, ath: ath(token) });
        const request = () => new Request(URL_, { headers: { authorization: `DPoP ${token}`, dpop } });
        assert.equal((await authenticateRequest(request(), options)).ok, true, `currentDate ${now}: first use`);
        for (let again = 0; again < 3; again++) {
          const result = await authenticateRequest(request(), options);
          assert.deepEqual([result.ok, result.status, result.error], [false, 401, 'invalid_dpop_proof'], `currentDate ${now}: use ${again + 2}`);
        }
      }
    }
  });

  test('cnf.jkt binds the token to the proof key; ath binds the proof to the token (each mismatch refused)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const options = { keys: { keys: [asKey.jwk] }, issuer: ISS, audience: AUD, dpopReplay: new ReplayCache() };
    for (const alg of ALGS) {
      const key = keys[alg];
      const token = await accessToken(now, key.jkt);
      const otherToken = await accessToken(now, key.jkt);
      const other = keys[alg === 'ES256' ? 'EdDSA' : 'ES256'];
      const run = async (proof, scheme = 'DPoP') => authenticateRequest(new Request(URL_, { headers: { authorization: `${scheme} ${token}`, dpop: proof } }), options);
      const good = await run(await prove(key, { iat: now, ath: ath(token) }));
      assert.deepEqual([good.ok, good.scheme, good.jkt], [true, 'DPoP', key.jkt], alg);
      for (const [name, proof] of [
        ['no ath', await prove(key, { iat: now })],
        ['ath of another token', await prove(key, { iat: now, ath: ath(otherToken) })],
        ['another key', await prove(other, { iat: now, ath: ath(token) })],
        ['another method', await prove(key, { iat: now, ath: ath(token), htm: 'POST' })],
        ['another URL', await prove(key, { iat: now, ath: ath(token), htu: `${URL_}/x` })],
        ['too old', await prove(key, { iat: now - 400, ath: ath(token) })],
      ]) {
        const result = await run(proof);
        assert.deepEqual([result.ok, result.status, result.error], [false, 401, 'invalid_dpop_proof'], `${alg}: ${name}`);
      }
      // The bound token as Bearer, with or without its proof.
      for (const proof of [undefined, await prove(key, { iat: now, ath: ath(token) })]) {
        const headers = { authorization: `Bearer ${token}` };
        if (proof) headers.dpop = proof;
        const result = await authenticateRequest(new Request(URL_, { headers }), options);
        assert.deepEqual([result.ok, result.status, result.error], [false, 401, 'invalid_token'], `${alg}: Bearer`);
      }
    }
  });

  test('agrees with oauth4webapi.validateJwtAccessToken on DPoP-bound tokens, over generated proofs', async () => {
    const now = Math.floor(Date.now() / 1000);
    const jwks = { keys: [asKey.jwk] };
    const as = { issuer: ISS, jwks_uri: 'https://as.example/jwks' };
    const theirs = async (request) => {
      try {
        await oauth.validateJwtAccessToken(as, request, AUD, { [oauth.customFetch]: async () => Response.json(jwks), requireDPoP: true });
        return true;
      } catch {
        return false;
      }
    };
    const ours = async (request) => (await authenticateRequest(request, { keys: jwks, issuer: ISS, audience: AUD, dpopReplay: { markUsed: () => true } })).ok;
    const random = rng(2026);
    let agreed = 0;
    for (let i = 0; i < 60; i++) {
      const key = keys[random.pick(['ES256', 'EdDSA', 'RS256', 'PS256'])];
      const token = await accessToken(now, key.jkt);
      const claims = { iat: now + random.pick([0, -10, 10, -299, 299, -400, 400]), ath: random.below(5) ? ath(token) : ath(`${token}x`) };
      if (random.below(6) === 0) claims.htm = 'POST';
      if (random.below(6) === 0) claims.htu = random.pick([`${URL_}?q=1`, 'HTTPS://RS.EXAMPLE.COM:443/api/resource', `${URL_}/`, 'https://rs.example.com/api/./resource']);
      // Now and then signed by another key than the header's.
      const signWith = random.below(8) === 0 ? (await holder(key.alg)).privateKey : key.privateKey;
      const proof = await prove(key, claims, { signWith });
      const request = () => new Request(`${URL_}?page=2`, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
      const [a, b] = [await ours(request()), await theirs(request())];
      // oauth4webapi compares htu through WHATWG URL, which also drops the default port,
      // lower-cases scheme and host and removes dot segments: no difference is expected.
      assert.equal(a, b, `case ${i}: ${JSON.stringify(claims)} ours ${a} oauth4webapi ${b}`);
      agreed++;
    }
    assert.equal(agreed, 60);
  });
});

describe('RedisReplayStore on a real redis-server', { skip: redisServerBinary() ? false : 'redis-server is not installed' }, () => {
  let redis;
  let connections = [];
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    for (const c of connections) await c.close();
    await redis?.stop();
  });

  test('verifyDpopProof through two clients of one Redis: each proof accepted once, keyed "<prefix><jkt> <jti>", kept until ceil(expiresAt) ms', async () => {
    const a = await connectClient('node-redis-5', redis.port);
    const b = await connectClient('ioredis', redis.port);
    connections = [a, b];
    const stores = [new RedisReplayStore(a.client, { prefix: 'probe:' }), new RedisReplayStore(b.client, { prefix: 'probe:' })];
    const random = rng(6379);
    for (let i = 0; i < 30; i++) {
      const now = Date.now() / 1000;
      const key = keys[random.pick(ALGS)];
      const jti = randomUUID();
      const iat = Math.floor(now) - random.below(100);
      const clockTolerance = random.pick([0, 0.5, 3]);
      const proof = await prove(key, { iat, jti });
      const options = (store) => ({ method: 'GET', url: URL_, clockTolerance, replay: store });
      const results = await Promise.all([0, 1, 0, 1].map((s) => outcome(() => verifyDpopProof(proof, options(stores[s])))));
      assert.equal(results.filter((r) => r.ok).length, 1, JSON.stringify(results));
      assert.ok(results.every((r) => r.ok || r.code === 'ERR_JWT_REPLAYED'), JSON.stringify(results));
      const expiresAt = Math.floor(iat + 300 + clockTolerance) + 1;
      const expireTime = await a.client.sendCommand(['PEXPIRETIME', `probe:${key.jkt} ${jti}`]);
      assert.equal(Number(expireTime), Math.ceil(expiresAt * 1000), `jti ${jti}`);
    }
  });

  test('a proof checked at a currentDate in the past: refused (ERR_REPLAY_STORE_UNAVAILABLE), never accepted again and again', async () => {
    const [a] = connections;
    const store = new RedisReplayStore(a.client, { prefix: 'probe-past:' });
    const host = Math.floor(Date.now() / 1000);
    for (const now of [NOW, host - 400, host - 301]) {
      const proof = await prove(keys.ES256, { iat: now });
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await outcome(() => verifyDpopProof(proof, at({ currentDate: now, replay: store }))));
      assert.ok(results.every((r) => !r.ok), `currentDate ${now}: ${JSON.stringify(results)}`);
      assert.deepEqual(results.map((r) => r.code), Array(3).fill('ERR_REPLAY_STORE_UNAVAILABLE'), `currentDate ${now}`);
    }
    // A currentDate whose proofs are still live by this host's clock is kept as usual.
    const proof = await prove(keys.ES256, { iat: host - 200 });
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await outcome(() => verifyDpopProof(proof, at({ currentDate: host - 200, replay: store }))));
    assert.deepEqual(outcomes.map((r) => r.ok || r.code), [true, 'ERR_JWT_REPLAYED', 'ERR_JWT_REPLAYED']);
  });
});
