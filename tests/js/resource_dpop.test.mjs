// authenticateRequest with the DPoP scheme (RFC 9449 §7): jose-minted DPoP-bound access tokens
// and proofs; the cnf.jkt binding (someone else's proof, an unbound token, a bound token as
// Bearer); each proof check mapped to invalid_dpop_proof with its fixed phrase; the request
// URL of a Node request; replay through dpopReplay and the process-wide default; and the fixed-phrase invariant over many
// hostile proofs.

import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { authenticateRequest, ReplayCache, setBackend } from '../../pkg/node.mjs';
import { NOW, generateKey, mint } from './helpers.mjs';
import { parseChallenges, PHRASES } from './support/challenges.mjs';

const ISS = 'https://as.example';
const AUD = 'https://api.example';
const URL_ = 'https://api.example/resource';

let asKey;
let client;
let intruder;
before(async () => {
  asKey = await generateKey('ES256', { kid: 'as-1' });
  client = await dpopKey('ES256');
  intruder = await dpopKey('ES256');
});

async function dpopKey(alg) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  return { alg, privateKey, jwk, jkt: await jose.calculateJwkThumbprint(jwk, 'sha256') };
}

const ath = (token) => createHash('sha256').update(token).digest('base64url');

async function proof(holder, { token, htm = 'GET', htu = URL_, iat = NOW, jti = randomUUID(), header = {}, claims = {} } = {}) {
  const payload = { htm, htu, iat, jti, ...claims };
  if (token !== undefined) payload.ath = ath(token);
  for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
  return new jose.SignJWT(payload).setProtectedHeader({ typ: 'dpop+jwt', alg: holder.alg, jwk: holder.jwk, ...header }).sign(holder.privateKey);
}

const accessToken = (extra = {}) => {
  const out = { iss: ISS, exp: NOW + 300, aud: AUD, sub: 'user-1', client_id: 'client-1', iat: NOW - 10, jti: randomUUID(), scope: 'read', cnf: { jkt: client.jkt }, ...extra };
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name];
  return mint(asKey, out, { header: { typ: 'at+jwt' } });
};
const options = (extra = {}) => ({ keys: { keys: [asKey.jwk] }, issuer: ISS, audience: AUD, currentDate: NOW, ...extra });
const request = (token, dpop, { method = 'GET', url = URL_ } = {}) => {
  const headers = new Headers({ authorization: `DPoP ${token}` });
  if (dpop !== undefined) headers.set('dpop', dpop);
  return new Request(url, { method, headers });
};

function assertRefused(result, status, error, phrase) {
  assert.equal(result.ok, false, JSON.stringify(result));
  assert.deepEqual([result.status, result.error, result.errorDescription], [status, error, phrase]);
  const challenges = parseChallenges(result.wwwAuthenticate);
  const carrier = challenges.filter((c) => 'error' in c.params);
  assert.equal(carrier.length, 1, result.wwwAuthenticate);
  assert.equal(carrier[0].params.error_description, phrase);
  return challenges;
}

describe('DPoP accepted', () => {
  test('a DPoP-bound token with its key\'s proof: scheme DPoP and the jkt', async () => {
    const token = await accessToken();
    const result = await authenticateRequest(request(token, await proof(client, { token })), options());
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.scheme, 'DPoP');
    assert.equal(result.jkt, client.jkt);
    assert.equal(result.token, token);
  });

  test('a Node request: the proof names http(s)://<Host><path>, query ignored', async () => {
    const token = await accessToken();
    const dpop = await proof(client, { token, htm: 'POST', htu: 'https://api.example/items' });
    const node = { method: 'POST', url: '/items?page=2', headers: { host: 'api.example', authorization: `DPoP ${token}`, dpop }, socket: { encrypted: true } };
    assert.equal((await authenticateRequest(node, options())).ok, true);
    const plain = { ...node, socket: { encrypted: false } };
    assertRefused(await authenticateRequest(plain, options()), 401, 'invalid_dpop_proof', 'The DPoP proof is for another request');
  });

  test('dpop "required" accepts DPoP', async () => {
    const token = await accessToken();
    assert.equal((await authenticateRequest(request(token, await proof(client, { token })), options({ dpop: 'required' }))).ok, true);
  });
});

describe('every signature backend gives the same results', () => {
  for (const backend of ['node', 'webcrypto', 'rust']) {
    test(backend, async () => {
      setBackend(backend);
      try {
        const token = await accessToken();
        const ok = await authenticateRequest(request(token, await proof(client, { token })), options());
        assert.equal(ok.ok, true, JSON.stringify(ok));
        assert.equal(ok.jkt, client.jkt);
        const bearer = await authenticateRequest(new Request(URL_, { headers: { authorization: `Bearer ${await accessToken({ cnf: undefined })}` } }), options());
        assert.equal(bearer.ok, true);
        const other = await authenticateRequest(request(token, await proof(intruder, { token })), options());
        assert.equal(other.errorDescription, 'The DPoP proof key does not match the access token binding');
        const forged = `${token.slice(0, -4)}AAAA`;
        const bad = await authenticateRequest(request(forged, await proof(client, { token: forged })), options());
        assert.equal(bad.error, 'invalid_token');
      } finally {
        setBackend('auto');
      }
    });
  }
});

describe('DPoP refused', () => {
  test('someone else\'s (valid) proof: 401 invalid_dpop_proof', async () => {
    const token = await accessToken();
    const result = await authenticateRequest(request(token, await proof(intruder, { token })), options());
    assertRefused(result, 401, 'invalid_dpop_proof', 'The DPoP proof key does not match the access token binding');
  });

  test('a token without cnf.jkt under the DPoP scheme: 401 invalid_token', async () => {
    const token = await accessToken({ cnf: undefined });
    assertRefused(await authenticateRequest(request(token, await proof(client, { token })), options()), 401, 'invalid_token', 'The access token is not DPoP-bound');
  });

  test('the binding reads the token\'s own cnf only: a polluted Object.prototype.cnf binds nothing', async () => {
    const token = await accessToken({ cnf: undefined });
    Object.prototype.cnf = { jkt: client.jkt };
    try {
      assertRefused(await authenticateRequest(request(token, await proof(client, { token })), options()), 401, 'invalid_token', 'The access token is not DPoP-bound');
      const bearer = new Request(URL_, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await authenticateRequest(bearer, options())).ok, true);
    } finally {
      delete Object.prototype.cnf;
    }
  });

  test('every shape of cnf: bound only by a non-empty string jkt equal to the proof key\'s (invariant)', async () => {
    const shapes = [null, true, 0, 'jkt', [], [client.jkt], {}, { jkt: null }, { jkt: '' }, { jkt: 1 }, { jkt: [client.jkt] }, { jkt: client.jkt.toLowerCase() },
      { jkt: `${client.jkt} ` }, { jkt: intruder.jkt }, { 'x5t#S256': 'abc' }, { jkt: client.jkt, extra: { nested: [1, 2] } }, { jkt: client.jkt }];
    for (const cnf of shapes) {
      const token = await accessToken({ cnf });
      const result = await authenticateRequest(request(token, await proof(client, { token })), options());
      const bound = cnf !== null && typeof cnf === 'object' && !Array.isArray(cnf) && cnf.jkt === client.jkt;
      assert.equal(result.ok, bound, `${JSON.stringify(cnf)}: ${JSON.stringify(result)}`);
      if (!bound) assert.equal(result.status, 401, JSON.stringify(cnf));
      const bearer = await authenticateRequest(new Request(URL_, { headers: { authorization: `Bearer ${token}` } }), options());
      // As Bearer: only a token with no binding at all (an empty cnf) passes.
      const unbound = cnf !== null && typeof cnf === 'object' && !Array.isArray(cnf) && Object.keys(cnf).length === 0;
      assert.equal(bearer.ok, unbound, `Bearer ${JSON.stringify(cnf)}: ${JSON.stringify(bearer)}`);
    }
  });

  test('the DPoP-bound token as Bearer, even with a proof: 401 invalid_token', async () => {
    const token = await accessToken();
    const headers = new Headers({ authorization: `Bearer ${token}`, dpop: await proof(client, { token }) });
    assertRefused(await authenticateRequest(new Request(URL_, { headers }), options()), 401, 'invalid_token', 'The access token is DPoP-bound and must be sent with the DPoP scheme');
  });

  test('each proof check, with its phrase', async () => {
    const token = await accessToken();
    const cases = [
      [proof(client, { token, htm: 'POST' }), 'The DPoP proof is for another request'],
      [proof(client, { token, htu: 'https://api.example/other' }), 'The DPoP proof is for another request'],
      [proof(client, { token: 'another-token' }), 'The DPoP proof is for another access token'],
      [proof(client, {}), 'The DPoP proof is for another access token'],
      [proof(client, { token, iat: NOW - 3600 }), 'The DPoP proof is too old or not yet valid'],
      [proof(client, { token, iat: NOW + 3600 }), 'The DPoP proof is too old or not yet valid'],
      [proof(client, { token, header: { typ: 'JWT' } }), 'The DPoP proof is invalid'],
      [proof(client, { token, claims: { jti: undefined } }), 'The DPoP proof is invalid'],
      [Promise.resolve('not-a-jws'), 'The DPoP proof is malformed'],
    ];
    for (const [pending, phrase] of cases) {
      const result = await authenticateRequest(request(token, await pending), options());
      assert.equal(result.ok, false, phrase);
      assertRefused(result, 401, 'invalid_dpop_proof', phrase);
      assert.equal(typeof result.cause?.code, 'string', phrase);
    }
  });

  test('a private key in the proof header: invalid_dpop_proof', async () => {
    const token = await accessToken();
    const privateJwk = await jose.exportJWK(client.privateKey);
    const result = await authenticateRequest(request(token, await proof(client, { token, header: { jwk: privateJwk } })), options());
    assert.equal(result.error, 'invalid_dpop_proof');
  });

  test('a proof algorithm outside dpopAlgorithms: invalid_dpop_proof; algs names the allowed ones', async () => {
    const token = await accessToken();
    const result = await authenticateRequest(request(token, await proof(client, { token })), options({ dpopAlgorithms: ['EdDSA'] }));
    const challenges = assertRefused(result, 401, 'invalid_dpop_proof', 'The DPoP proof is invalid');
    assert.equal(challenges.find((c) => c.scheme === 'DPoP').params.algs, 'EdDSA');
  });

  test('a replayed proof with dpopReplay: invalid_dpop_proof', async () => {
    const token = await accessToken();
    const dpop = await proof(client, { token });
    const replay = new ReplayCache({ clock: () => NOW });
    assert.equal((await authenticateRequest(request(token, dpop), options({ dpopReplay: replay }))).ok, true);
    assertRefused(await authenticateRequest(request(token, dpop), options({ dpopReplay: replay })), 401, 'invalid_dpop_proof', 'The DPoP proof has already been used');
  });

  test('dpopReplay read once: a getter that gives the core a store and nothing later marks the proof in the store the core checked, never without a store', async () => {
    const token = await accessToken();
    const dpop = await proof(client, { token });
    const replay = new ReplayCache({ clock: () => NOW });
    // A getter (or a Proxy, or the option deleted during an await) that gives the core a store and
    // the proof check nothing: a replayed proof must not pass.
    const vanishing = () => {
      let reads = 0;
      return { ...options(), get dpopReplay() { reads += 1; return reads === 1 ? replay : undefined; } };
    };
    // The options are read once (review5): the proof is marked in the store the core saw, so
    // the second use is refused (it was a TypeError when the glue read dpopReplay again).
    assert.equal((await authenticateRequest(request(token, dpop), vanishing())).ok, true);
    assertRefused(await authenticateRequest(request(token, dpop), vanishing()), 401, 'invalid_dpop_proof', 'The DPoP proof has already been used');
  });

  test('without dpopReplay, each proof is still single-use in the process, for any number of proofs', async () => {
    // Real time: the default cache forgets an entry at the expiresAt the core gives it.
    const now = Math.floor(Date.now() / 1000);
    const token = await accessToken({ iat: now - 10, exp: now + 300 });
    const live = { ...options(), currentDate: undefined };
    const proofs = await Promise.all(Array.from({ length: 20 }, () => proof(client, { token, iat: now })));
    for (const dpop of proofs) {
      assert.equal((await authenticateRequest(request(token, dpop), live)).ok, true);
    }
    for (const dpop of proofs) {
      assertRefused(await authenticateRequest(request(token, dpop), live), 401, 'invalid_dpop_proof', 'The DPoP proof has already been used');
    }
    // The same jti under another key is another proof (keys are scoped by jkt).
    const jti = randomUUID();
    const other = await accessToken({ iat: now - 10, exp: now + 300, cnf: { jkt: intruder.jkt } });
    assert.equal((await authenticateRequest(request(token, await proof(client, { token, iat: now, jti })), live)).ok, true);
    assert.equal((await authenticateRequest(request(other, await proof(intruder, { token: other, iat: now, jti })), live)).ok, true);
  });

  test('two DPoP headers: 400 invalid_request', async () => {
    const token = await accessToken();
    const headers = new Headers({ authorization: `DPoP ${token}` });
    headers.append('dpop', await proof(client, { token }));
    headers.append('dpop', await proof(client, { token }));
    const result = await authenticateRequest(new Request(URL_, { headers }), options());
    assert.deepEqual([result.status, result.error, result.errorDescription], [400, 'invalid_request', 'The request has more than one DPoP header']);
  });
});

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('errorDescription is a fixed phrase over many hostile proofs (invariant)', async () => {
  const random = rng(9449);
  const nasty = ['"', '\\', '\r\n', '\u0000', '\u001b[2J', '", error="x', 'https://evil.example/"', '\u202e'];
  const text = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => nasty[Math.floor(random() * nasty.length)]).join('');
  const token = await accessToken();
  const seen = new Set();
  for (let i = 0; i < 60; i++) {
    const hostile = text();
    const kind = i % 5;
    const dpop = kind === 0 ? await proof(client, { token, htu: hostile })
      : kind === 1 ? await proof(client, { token, htm: hostile })
        : kind === 2 ? await proof(client, { token, header: { typ: hostile } })
          : kind === 3 ? await proof(client, { token, header: { kid: hostile }, claims: { nonce: hostile } , iat: NOW - 10_000 })
            : await proof(intruder, { token, jti: hostile });
    const result = await authenticateRequest(request(token, dpop), options({ realm: 'r' }));
    assert.equal(result.ok, false);
    assert.ok(PHRASES.has(result.errorDescription), result.errorDescription);
    seen.add(result.errorDescription);
    for (const challenge of parseChallenges(result.wwwAuthenticate)) {
      for (const value of Object.values(challenge.params)) assert.ok(!value.includes(hostile), `${JSON.stringify(hostile)} leaked`);
    }
  }
  assert.ok(seen.size >= 3, [...seen].join(' | '));
});

describe('the URL a proof is checked against', () => {
  test('with origin: origin + path and query, whatever the Host header, an absolute-form target or a Fetch URL say', async () => {
    const token = await accessToken();
    const forOrigin = () => proof(client, { token, htu: 'https://api.example/items' });
    const withOrigin = options({ origin: 'https://api.example' });
    const node = async (host, url) => ({ method: 'GET', url, headers: { host, authorization: `DPoP ${token}`, dpop: await forOrigin() }, socket: { encrypted: false } });
    assert.equal((await authenticateRequest(await node('evil.example', '/items?x=1'), withOrigin)).ok, true);
    assert.equal((await authenticateRequest(await node('evil.example', 'http://evil.example/items'), withOrigin)).ok, true);
    assert.equal((await authenticateRequest(request(token, await forOrigin(), { url: 'http://internal:8080/items' }), withOrigin)).ok, true);
    // A proof for the host the client chose is refused: the origin decides.
    const forEvil = { method: 'GET', url: '/items', headers: { host: 'evil.example', authorization: `DPoP ${token}`, dpop: await proof(client, { token, htu: 'http://evil.example/items' }) } };
    assertRefused(await authenticateRequest(forEvil, withOrigin), 401, 'invalid_dpop_proof', 'The DPoP proof is for another request');
    assert.equal((await authenticateRequest(forEvil, options())).ok, true, 'without origin the Host decides');
  });

  test('without origin, an absolute-form request target naming another host than Host: 400 (a real Node server)', async () => {
    const { createServer } = await import('node:http');
    const { connect } = await import('node:net');
    const token = await accessToken();
    let serverOptions = options();
    const server = createServer(async (req, res) => {
      const result = await authenticateRequest(req, serverOptions).catch((err) => ({ threw: err.message }));
      res.end(JSON.stringify(result));
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const raw = (lines) => new Promise((resolve, reject) => {
      const socket = connect(server.address().port, '127.0.0.1', () => socket.end(`${lines.join('\r\n')}\r\n\r\n`));
      let out = '';
      socket.on('data', (d) => { out += d; });
      socket.on('error', reject);
      socket.on('end', () => resolve(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4))));
    });
    try {
      const htu = 'http://rs-a.example/orders';
      const other = await raw([`GET ${htu} HTTP/1.1`, 'Host: rs-b.example', `Authorization: DPoP ${token}`, `DPoP: ${await proof(client, { token, htu })}`, 'Connection: close']);
      assertRefused(other, 400, 'invalid_request', 'The request URL cannot be determined');
      const same = await raw([`GET ${htu} HTTP/1.1`, 'Host: rs-a.example', `Authorization: DPoP ${token}`, `DPoP: ${await proof(client, { token, htu })}`, 'Connection: close']);
      assert.equal(same.ok, true, JSON.stringify(same));
      serverOptions = options({ origin: 'https://api.example' });
      const pinned = await raw([`GET ${htu} HTTP/1.1`, 'Host: rs-a.example', `Authorization: DPoP ${token}`, `DPoP: ${await proof(client, { token, htu })}`, 'Connection: close']);
      assertRefused(pinned, 401, 'invalid_dpop_proof', 'The DPoP proof is for another request');
    } finally {
      server.close();
    }
  });

  test('a request URL the proof check could not take is a 400 with the fixed phrase, never a rejection, never echoed (invariant)', async () => {
    const random = rng(606);
    const token = await accessToken();
    const pieces = ['/', 'a', '%', '%zz', '%4', '?', '#', ':', '@', '[', ']', '..', ' ', 'é', '//', '\u0000', 'SECRET'];
    const hosts = ['api.example', '[zz]', 'a:b:c', 'api.example:99999', 'api.example:', 'SECRET@h', 'h%zz', '', 'api.example:8a', '[::1'];
    const pick = (list) => list[Math.floor(random() * list.length)];
    let refused = 0;
    for (let i = 0; i < 150; i++) {
      let url = pick(['/', '/', 'https://', 'http://', 'ftp://', '']);
      if (url.endsWith('//')) url += pick(hosts);
      for (let n = Math.floor(random() * 5); n > 0; n--) url += pick(pieces);
      if (i % 25 === 0) url += 'a'.repeat(9000);
      const host = pick(hosts);
      const opts = options(i % 3 === 0 ? { origin: 'https://api.example' } : {});
      const dpop = await proof(client, { token });
      const result = await authenticateRequest({ method: 'GET', url, headers: { host, authorization: `DPoP ${token}`, dpop } }, opts);
      assert.equal(typeof result.ok, 'boolean', url);
      if (result.status === 400) {
        assert.deepEqual([result.error, result.errorDescription], ['invalid_request', 'The request URL cannot be determined'], url);
        refused++;
      }
      assert.ok(!JSON.stringify({ ...result, cause: undefined }).includes('SECRET'), JSON.stringify(result));
      assert.ok(PHRASES.has(result.errorDescription) || result.ok, JSON.stringify(result));
    }
    assert.ok(refused > 30, `${refused} refused`);
    for (const url of ['https://api.example/%zz', `https://api.example/${'a'.repeat(9000)}`]) {
      assertRefused(await authenticateRequest(request(token, await proof(client, { token }), { url }), options()), 400, 'invalid_request', 'The request URL cannot be determined');
    }
  });
});
