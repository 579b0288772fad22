// verifyDpopProof on the built package: proofs minted with jose (SignJWT with the public key in
// the `jwk` header, as RFC 9449 clients do) for ES256, RS256, PS256 and EdDSA, checked with each
// signature backend (node:crypto, WebCrypto, pure Rust). The negative cases of §4.3 each have
// their code, claim and reason; htu normalisation, the jkt-scoped replay key and the replay
// instant are checked as invariants over many inputs.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { verifyDpopProof, explainDpop, ReplayCache, JoseError, setBackend, getBackend } from '../../pkg/node.mjs';
import { NOW, outcome, thrownBy, b64url } from './helpers.mjs';

const URL = 'https://rs.example.com/api/resource';
const INVALID = 'ERR_DPOP_INVALID';
const BACKENDS = ['node', 'webcrypto', 'rust'];
const ALGS = ['ES256', 'RS256', 'PS256', 'EdDSA'];

// A DPoP key holder: the private key, and the public JWK it puts in each proof's header.
async function holder(alg) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}), extractable: true });
  const { ext, key_ops, ...jwk } = await jose.exportJWK(publicKey);
  const { ext: _e, key_ops: _k, ...privateJwk } = await jose.exportJWK(privateKey);
  return { alg, privateKey, jwk, privateJwk, jkt: await jose.calculateJwkThumbprint(jwk) };
}

async function prove(key, claims = {}, { header = {}, jwk = key.jwk, signWith = key.privateKey } = {}) {
  const payload = { jti: randomUUID(), htm: 'GET', htu: URL, iat: NOW, ...claims };
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  const protectedHeader = { typ: 'dpop+jwt', alg: key.alg, jwk, ...header };
  for (const [name, value] of Object.entries(protectedHeader)) if (value === undefined) delete protectedHeader[name];
  return new jose.SignJWT(payload).setProtectedHeader(protectedHeader).sign(signWith);
}

const at = (extra = {}) => ({ method: 'GET', url: URL, currentDate: NOW, ...extra });
const dpopError = (claim, reason) => ({ ok: false, code: INVALID, ...(claim && { claim }), reason });
const ath = (token) => createHash('sha256').update(token).digest('base64url');

const keys = {};
let es;
let other;

before(async () => {
  for (const alg of ALGS) keys[alg] = await holder(alg);
  es = keys.ES256;
  other = await holder('ES256');
});

function eachBackend(name, fn) {
  for (const backend of BACKENDS) {
    test(`${name} (${backend})`, async () => {
      setBackend(backend);
      try {
        assert.equal(getBackend().async, backend);
        await fn();
      } finally {
        setBackend('auto');
      }
    });
  }
}

describe('verifyDpopProof accepts', () => {
  eachBackend('a proof of each asymmetric algorithm, giving { jkt, header, payload }', async () => {
    for (const alg of ALGS) {
      const key = keys[alg];
      const proof = await prove(key, { jti: `j-${alg}` });
      const result = await verifyDpopProof(proof, at());
      assert.deepEqual(Object.keys(result).sort(), ['header', 'jkt', 'payload'], alg);
      assert.equal(result.jkt, key.jkt, alg);
      assert.equal(result.header.typ, 'dpop+jwt');
      assert.deepEqual(result.header.jwk, key.jwk);
      assert.equal(result.payload.jti, `j-${alg}`);
    }
  });

  test('ath and nonce when asked for; a Date as currentDate; a header kid', async () => {
    const token = 'Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU';
    const proof = await prove(es, { ath: ath(token), nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v' }, { header: { kid: 'mine' } });
    const result = await verifyDpopProof(proof, at({ accessToken: token, nonce: 'eyJ7S_zG.eyJH0-Z.HX4w-7v', currentDate: new Date(NOW * 1000) }));
    assert.equal(result.jkt, es.jkt);
    assert.equal(ath(token), 'fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo'); // RFC 9449 §7.1
  });
});

describe('verifyDpopProof refuses', () => {
  eachBackend('a proof whose jwk is not the signer\'s, or whose signature was changed', async () => {
    assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(es, {}, { jwk: other.jwk }), at())), dpopError(undefined, 'signature'));
    const proof = await prove(es);
    const [h, p, s] = proof.split('.');
    const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    assert.deepEqual(await outcome(() => verifyDpopProof(flipped, at())), dpopError(undefined, 'signature'));
  });

  eachBackend('htm, htu, iat, jti, ath and nonce that do not match or are missing', async () => {
    const cases = [
      [{ htm: 'POST' }, at(), dpopError('htm', 'check_failed')],
      [{ htm: 'get' }, at(), dpopError('htm', 'check_failed')],
      [{ htm: undefined }, at(), dpopError('htm', 'missing')],
      [{ htu: 'https://rs.example.com/api/other' }, at(), dpopError('htu', 'check_failed')],
      [{ htu: '/api/resource' }, at(), dpopError('htu', 'invalid')],
      [{ htu: undefined }, at(), dpopError('htu', 'missing')],
      [{ iat: NOW - 301 }, at(), dpopError('iat', 'too_old')],
      [{ iat: NOW + 301 }, at(), dpopError('iat', 'in_future')],
      [{ iat: NOW - 61 }, at({ maxAge: 60 }), dpopError('iat', 'too_old')],
      [{ iat: undefined }, at(), dpopError('iat', 'missing')],
      [{ iat: 'now' }, at(), dpopError('iat', 'invalid')],
      [{ jti: undefined }, at(), dpopError('jti', 'missing')],
      [{ jti: '' }, at(), dpopError('jti', 'invalid')],
      [{ jti: 'x'.repeat(257) }, at(), dpopError('jti', 'invalid')],
      [{}, at({ accessToken: 'the-token' }), dpopError('ath', 'missing')],
      [{ ath: ath('another-token') }, at({ accessToken: 'the-token' }), dpopError('ath', 'check_failed')],
      [{}, at({ nonce: 'n-1' }), dpopError('nonce', 'missing')],
      [{ nonce: 'n-0' }, at({ nonce: 'n-1' }), dpopError('nonce', 'check_failed')],
      [{ exp: NOW - 1 }, at(), dpopError('exp', 'check_failed')],
      [{ nbf: NOW + 30 }, at(), dpopError('nbf', 'check_failed')],
    ];
    for (const [claims, options, expected] of cases) {
      const proof = await prove(es, claims);
      assert.deepEqual(await outcome(() => verifyDpopProof(proof, options)), expected, JSON.stringify(claims));
    }
  });

  test('private members in the header jwk: ERR_JWS_INVALID', async () => {
    for (const alg of ['ES256', 'RS256', 'EdDSA']) {
      const key = keys[alg];
      const err = await thrownBy(async () => verifyDpopProof(await prove(key, {}, { jwk: key.privateJwk }), at()));
      assert.ok(err instanceof JoseError);
      assert.equal(err.code, 'ERR_JWS_INVALID', alg);
    }
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
      const jwk = { ...es.jwk, [member]: 'AAAA' };
      assert.equal((await thrownBy(async () => verifyDpopProof(await prove(es, {}, { jwk }), at()))).code, 'ERR_JWS_INVALID', member);
    }
  });

  test('a symmetric alg, even with the oct key in the header', async () => {
    const secret = new Uint8Array(32).fill(7);
    const jwk = { kty: 'oct', k: b64url(secret) };
    const proof = await prove({ alg: 'HS256' }, {}, { jwk, signWith: secret });
    assert.deepEqual(await outcome(() => verifyDpopProof(proof, at())), dpopError(undefined, 'alg'));
    assert.deepEqual(await outcome(() => verifyDpopProof(proof, at({ algorithms: ['ES256'] }))), dpopError(undefined, 'alg'));
  });

  test('a wrong or missing typ, a missing jwk, an alg not allowed, a malformed proof', async () => {
    for (const typ of ['JWT', 'at+jwt', undefined]) {
      assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(es, {}, { header: { typ } }), at())), dpopError(undefined, 'typ'), String(typ));
    }
    assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(es, {}, { header: { jwk: undefined } }), at())), dpopError(undefined, 'jwk'));
    assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(es, {}, { jwk: keys.RS256.jwk }), at())), dpopError(undefined, 'jwk'));
    assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(es), at({ algorithms: ['EdDSA'] }))), dpopError(undefined, 'alg'));
    for (const bad of ['', 'a.b', 'not.a.jwt', 42, null]) {
      assert.deepEqual(await outcome(() => verifyDpopProof(bad, at())), dpopError(undefined, 'malformed'), String(bad));
    }
    assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(es), at({ maxTokenLength: 100 }))), dpopError(undefined, 'malformed'));
  });

  test('wrong options with a TypeError that names them', async () => {
    const proof = await prove(es);
    for (const [options, option] of [
      [{ url: URL }, 'method'],
      [{ method: 'GET' }, 'url'],
      [{ method: 'GET', url: '/api/resource' }, 'url'],
      [{ method: 'GET', url: 'wss://rs.example.com/' }, 'url'],
      [{ method: 'GET', url: URL, algorithms: ['ES256', 'HS256'] }, 'algorithms'],
      [{ method: 'GET', url: URL, maxAge: -1 }, 'maxAge'],
      [{ method: 'GET', url: URL, replay: 5 }, 'replay'],
      [{ method: 'GET', url: URL, acessToken: 'x' }, 'acessToken'],
      [{ method: 'GET', url: URL, nonce: null }, 'nonce'],
      [{ method: 'GET', url: URL, nonce: '' }, 'nonce'],
      [{ method: 'GET', url: URL, maxAge: 1e300 }, 'maxAge'],
      [{ method: 'GET', url: URL, maxAge: 3601 }, 'maxAge'],
      [{ method: 'GET', url: URL, replay: {} }, 'replay'],
      [{ method: 'GET', url: URL, replay: { markUsed: true } }, 'replay'],
      [{ method: 'GET', url: URL, accessToken: 'a'.repeat(20000) }, 'accessToken'],
    ]) {
      const err = await thrownBy(() => verifyDpopProof(proof, options));
      assert.ok(err instanceof TypeError, JSON.stringify(options));
      assert.equal(err.code, 'ERR_INVALID_OPTION');
      assert.equal(err.option, option);
      assert.match(err.message, /verifyDpopProof/);
    }
    assert.match((await thrownBy(() => verifyDpopProof(proof, { method: 'GET', url: URL, acessToken: 'x' }))).message, /accessToken/);
    assert.ok((await thrownBy(() => verifyDpopProof(proof))) instanceof TypeError);
    assert.equal((await verifyDpopProof(proof, at({ maxAge: 3600 }))).jkt, es.jkt);
  });

  test('a 20 MB option string is refused before it is copied: url, method, nonce, accessToken', async () => {
    const proof = await prove(es);
    const big = 'a'.repeat(20 * 1024 * 1024);
    for (const [extra, option] of [[{ url: `${URL}/${big}` }, 'url'], [{ method: big }, 'method'], [{ nonce: big }, 'nonce'], [{ accessToken: big }, 'accessToken']]) {
      await verifyDpopProof(proof, at({ ...extra })).catch(() => {}); // warm
      const started = performance.now();
      const err = await thrownBy(() => verifyDpopProof(proof, at(extra)));
      const elapsed = performance.now() - started;
      assert.ok(err instanceof TypeError, option);
      assert.deepEqual([err.code, err.option], ['ERR_INVALID_OPTION', option]);
      assert.ok(err.message.length < 300, err.message.slice(0, 300));
      assert.ok(elapsed < 5, `${option}: ${elapsed} ms`);
    }
  });
});

describe('htu normalisation (invariants)', () => {
  // Every spelling of the same resource matches; every other resource does not.
  const schemes = ['https', 'HTTPS', 'Https'];
  const hosts = ['rs.example.com', 'RS.EXAMPLE.COM', 'Rs.Example.Com'];
  const ports = ['', ':443'];
  const tails = ['', '?a=1', '#frag', '?a=1&b=2#x', '?'];

  test('the same resource, spelt many ways, matches both as htu and as url', async () => {
    for (const scheme of schemes) {
      for (const host of hosts) {
        for (const port of ports) {
          for (const tail of tails) {
            const spelling = `${scheme}://${host}${port}/api/resource${tail}`;
            await verifyDpopProof(await prove(es, { htu: spelling }), at());
            await verifyDpopProof(await prove(es), at({ url: spelling }));
          }
        }
      }
    }
  });

  test('another path, host, port or scheme never matches', async () => {
    const others = [
      'http://rs.example.com/api/resource', 'https://rs.example.com:8443/api/resource', 'https://rs.example.com:80/api/resource',
      'https://rs.example.org/api/resource', 'https://rs.example.com.evil.example/api/resource', 'https://rs.example.com/api/resource/',
      'https://rs.example.com/api/Resource', 'https://rs.example.com/api', 'https://rs.example.com/', 'https://rs.example.com/api/resource2',
      'https://rs.example.com/api%2Fresource',
    ];
    for (const htu of others) {
      for (const tail of ['', '?a=1', '#f']) {
        const spelling = htu + tail;
        assert.deepEqual(await outcome(async () => verifyDpopProof(await prove(es, { htu: spelling }), at())), dpopError('htu', 'check_failed'), spelling);
      }
    }
  });
});

describe('replay', () => {
  test('a shared ReplayCache: the same jti under two keys is accepted, the same jti and key twice never', async () => {
    const replay = new ReplayCache({ clock: () => NOW });
    for (let i = 0; i < 20; i++) {
      const jti = `shared-${i}`;
      const first = await prove(es, { jti });
      await verifyDpopProof(first, at({ replay }));
      await verifyDpopProof(await prove(other, { jti }), at({ replay }));
      // The same proof again, and a new proof with the same jti and key.
      for (const again of [first, await prove(es, { jti, iat: NOW - 1 })]) {
        const err = await thrownBy(() => verifyDpopProof(again, at({ replay })));
        assert.equal(err.code, 'ERR_JWT_REPLAYED');
        assert.equal(err.claim, 'jti');
      }
    }
  });

  test('the store is asked last, with "<jkt> <jti>", until the proof stops being accepted', async () => {
    const calls = [];
    const replay = { markUsed: (key, expiresAt) => (calls.push([key, expiresAt]), true) };
    await assert.rejects(async () => verifyDpopProof(await prove(es, { jti: 'a', htm: 'POST' }), at({ replay })), { code: INVALID });
    await assert.rejects(async () => verifyDpopProof(await prove(es, { jti: 'a' }, { jwk: other.jwk }), at({ replay })), { code: INVALID });
    assert.deepEqual(calls, []);
    await verifyDpopProof(await prove(es, { jti: 'a', iat: NOW - 10 }), at({ replay }));
    await verifyDpopProof(await prove(other, { jti: 'b', exp: NOW + 30 }), at({ replay, clockTolerance: 2 }));
    assert.deepEqual(calls, [[`${es.jkt} a`, NOW - 10 + 301], [`${other.jkt} b`, NOW + 32]]);
    // A store that answers false: replayed; one that fails: refused (fail closed).
    assert.equal((await thrownBy(async () => verifyDpopProof(await prove(es), at({ replay: { markUsed: async () => false } })))).code, 'ERR_JWT_REPLAYED');
    assert.equal((await thrownBy(async () => verifyDpopProof(await prove(es), at({ replay: { markUsed: () => { throw new Error('down'); } } })))).code, 'ERR_REPLAY_STORE_UNAVAILABLE');
  });

  test('a proof is never accepted at or after the expiresAt it was stored with', async () => {
    let seed = 17;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let round = 0; round < 40; round++) {
      const iat = NOW - Math.floor(random() * 200) - (random() < 0.5 ? 0 : random());
      const exp = random() < 0.5 ? undefined : NOW + Math.floor(random() * 400) + random();
      const clockTolerance = random() < 0.3 ? 0 : Math.round(random() * 300) / 10;
      const maxAge = random() < 0.5 ? undefined : 1 + Math.floor(random() * 600);
      const stored = [];
      const replay = { markUsed: (key, expiresAt) => (stored.push(expiresAt), true) };
      const proof = await prove(es, { iat, exp });
      const first = await outcome(() => verifyDpopProof(proof, at({ replay, clockTolerance, maxAge })));
      if (!first.ok) continue; // exp already past at NOW
      const [expiresAt] = stored;
      for (const t of [expiresAt - 1, expiresAt - 0.3, expiresAt - 0.001, expiresAt, expiresAt + 0.001, expiresAt + 0.3, expiresAt + 1, expiresAt + 1e6]) {
        const accepted = (await outcome(() => verifyDpopProof(proof, at({ clockTolerance, maxAge, currentDate: t })))).ok;
        assert.equal(accepted, t < expiresAt && t >= iat, `iat ${iat}, exp ${exp}, tolerance ${clockTolerance}, maxAge ${maxAge}, expiresAt ${expiresAt}, now ${t}`);
      }
    }
  });
});

describe('explainDpop', () => {
  test('reports every check of verifyDpopProof on a good proof, with the jkt', async () => {
    const explained = explainDpop(await prove(es, { ath: ath('tok') }), at({ accessToken: 'tok' }));
    assert.equal(explained.jkt, es.jkt);
    assert.deepEqual(explained.checks.map((c) => [c.id, c.ok]), [
      ['typ', true], ['alg', true], ['jwk', true], ['jti', true], ['htm', true], ['htu', true], ['iat', true], ['ath', true], ['nbf', true], ['exp', true],
    ]);
  });

  test('agrees with verifyDpopProof: its first failing check is the error verification gives', async () => {
    const cases = [
      [{ htm: 'POST' }, {}], [{ htu: 'https://rs.example.com/x' }, {}], [{ iat: NOW - 1000 }, {}], [{ jti: undefined }, {}],
      [{}, { typ: 'JWT' }], [{ exp: NOW - 5 }, {}], [{ htm: 'PUT', iat: NOW + 1000 }, {}],
    ];
    for (const [claims, header] of cases) {
      const proof = await prove(es, claims, { header });
      const verdict = await outcome(() => verifyDpopProof(proof, at()));
      const failed = explainDpop(proof, at()).checks.filter((c) => !c.ok);
      assert.ok(failed.length > 0, JSON.stringify(claims));
      assert.deepEqual({ code: failed[0].code, reason: failed[0].reason }, { code: verdict.code, reason: verdict.reason }, JSON.stringify({ claims, header }));
    }
    // A wrong alg: the jwk check cannot run.
    const hs = explainDpop(await prove({ alg: 'HS256' }, {}, { jwk: es.jwk, signWith: new Uint8Array(32) }), at());
    assert.deepEqual(hs.checks.filter((c) => !c.ok).map((c) => [c.id, c.skipped ?? false]), [['alg', false], ['jwk', true]]);
  });

  test('refuses wrong options and what is not a proof', async () => {
    const proof = await prove(es);
    assert.ok((await thrownBy(() => explainDpop(proof, { method: 'GET' }))) instanceof TypeError);
    assert.equal((await thrownBy(() => explainDpop('nope', at()))).code, INVALID);
  });
});
