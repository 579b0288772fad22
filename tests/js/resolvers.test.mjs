// Key resolvers (a KeysInput that is a function of the header and unverified payload) and
// TrustedIssuers (the token's iss picks that issuer's keys through discovery), on the built
// package, against authorization servers on 127.0.0.1 that count their requests.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import * as api from '../../pkg/node.mjs';
import { NOW, generateKey, mint, signJson, thrownBy } from './helpers.mjs';
import { startIssuer, requestsTo } from './support/issuer-servers.mjs';

const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';
const at = { currentDate: NOW };

let key;
let other;
let token;
before(async () => {
  key = await generateKey('ES256', { kid: 'r1' });
  other = await generateKey('ES256', { kid: 'r1' });
  token = await mint(key, { iss: 'https://issuer.example', sub: 'alice', n: 1 });
});

describe('a key resolver', () => {
  test('may return every KeysInput form, or a Promise of one', async () => {
    const issuer = await startIssuer();
    try {
      const forms = {
        KeySet: () => api.parseJwks({ keys: [key.jwk] }),
        'JWKS object': () => ({ keys: [key.jwk] }),
        'JSON text': () => JSON.stringify({ keys: [key.jwk] }),
        JWK: () => key.jwk,
        RemoteJwks: () => new api.RemoteJwks(`${issuer.issuer}/jwks`),
      };
      for (const [form, make] of Object.entries(forms)) {
        const own = form === 'RemoteJwks' ? await issuer.sign() : token;
        for (const wrap of [(v) => v, (v) => Promise.resolve(v), async (v) => { await new Promise((r) => setTimeout(r, 5)); return v; }]) {
          const { payload } = await api.verifyJwt(own, () => wrap(make()));
          assert.equal(payload.sub, form === 'RemoteJwks' ? 'user' : 'alice', form);
          // The keys it returns still decide: a token signed by another key fails.
          const [headerPart, payloadPart] = own.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url')));
          const forged = await mint(other, payloadPart, { kid: headerPart.kid });
          await assert.rejects(api.verifyJwt(forged, () => wrap(make())), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, form);
        }
      }
    } finally {
      await issuer.close();
    }
  });

  test('is called once per token with the header and payload the core decoded', async () => {
    const calls = [];
    const resolver = (header, payload) => {
      calls.push({ header, payload });
      return { keys: [key.jwk] };
    };
    await api.verifyJwt(token, resolver);
    assert.deepEqual(calls, [{ header: { alg: 'ES256', kid: 'r1' }, payload: { iss: 'https://issuer.example', sub: 'alice', n: 1 } }]);
    // The texts as the core decodes them: member order kept, nested values intact.
    const odd = await signJson(key, '{"kid":"r1","alg":"ES256","x":{"y":[1,2]}}', '{"z":1,"a":{"b":null}}');
    calls.length = 0;
    await api.verifyJwt(odd, resolver);
    assert.deepEqual(Object.keys(calls[0].header), ['kid', 'alg', 'x']);
    assert.deepEqual(calls[0].payload, { z: 1, a: { b: null } });
  });

  test('picks keys by what the token says (kid, iss), and the verdict is still the core\'s', async () => {
    const byIssuer = { 'https://a.example': { keys: [key.jwk] }, 'https://b.example': { keys: [other.jwk] } };
    const resolver = (_header, payload) => byIssuer[payload.iss] ?? { keys: [] };
    const a = await mint(key, { iss: 'https://a.example' });
    const b = await mint(other, { iss: 'https://b.example' });
    assert.equal((await api.verifyJwt(a, resolver)).payload.iss, 'https://a.example');
    assert.equal((await api.verifyJwt(b, resolver)).payload.iss, 'https://b.example');
    await assert.rejects(api.verifyJwt(await mint(key, { iss: 'https://b.example' }), resolver), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    await assert.rejects(api.verifyJwt(await mint(key, { iss: 'https://c.example' }), resolver), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await assert.rejects(api.verifyJwt(a, resolver, { issuer: 'https://b.example' }), { code: FAILED, claim: 'iss' });
  });

  test('returning a function or anything that is not a KeysInput is ERR_JWKS_INVALID', async () => {
    const bad = [() => ({ keys: [key.jwk] }), undefined, null, 42, true, [], [key.jwk], Symbol('k'), 'not json', { keys: 'x' }];
    for (const value of bad) {
      for (const wrap of [(v) => v, (v) => Promise.resolve(v)]) {
        const err = await thrownBy(() => api.verifyJwt(token, () => wrap(value)));
        assert.equal(err.code, 'ERR_JWKS_INVALID', `${String(value)}: ${err.message}`);
        assert.ok(api.isJoseError(err));
      }
    }
  });

  test('an exception it throws (or a rejection) propagates as is', async () => {
    const boom = new Error('tenant lookup failed');
    assert.equal(await thrownBy(() => api.verifyJwt(token, () => { throw boom; })), boom);
    assert.equal(await thrownBy(() => api.verifyJwt(token, async () => { throw boom; })), boom);
    const notAnError = { reason: 'plain object' };
    assert.equal(await thrownBy(() => api.verifyJwt(token, () => Promise.reject(notAnError))), notAnError);
  });

  test('is refused by every synchronous path', async () => {
    const resolver = () => ({ keys: [key.jwk] });
    assert.throws(() => api.verifyJwtSync(token, resolver), { code: 'ERR_JWKS_INVALID' });
    assert.throws(() => api.createVerifier(resolver).verifySync(token), { code: 'ERR_JWKS_INVALID' });
    assert.throws(() => api.verifyJwtSync(token, new api.TrustedIssuers(['https://issuer.example'])), { code: 'ERR_JWKS_INVALID' });
    assert.equal((await api.createVerifier(resolver, { issuer: 'https://issuer.example' }).verify(token)).payload.sub, 'alice');
  });

  test('is never called for a token that is too long or does not decode', async () => {
    let calls = 0;
    const resolver = () => {
      calls += 1;
      return { keys: [key.jwk] };
    };
    const tooLong = [
      () => api.verifyJwt(token, resolver, { maxTokenLength: token.length - 1 }),
      () => api.createVerifier(resolver, { maxTokenLength: 20 }).verify(token),
      () => api.verifyJwt('a'.repeat(16385), resolver),
      () => api.verifyWebhook({ authorization: `Bearer ${'a'.repeat(20000)}`, body: '' }, resolver),
      () => api.checkAssertion('a'.repeat(20000), { clientId: 'c', audience: 'a', keys: resolver }),
    ];
    for (const call of tooLong) assert.equal((await thrownBy(call)).code, 'ERR_JWS_INVALID');
    const [h, p, s] = token.split('.');
    const b64 = (text) => Buffer.from(text).toString('base64url');
    const malformed = ['', 'a.b', `${h}.${p}`, `${h}.${p}.${s}.x`, `${h}.***.${s}`, `${b64('[1]')}.${p}.${s}`, `${h}.${b64('[1]')}.${s}`,
      `${h}.${b64('{"a":1,"a":2}')}.${s}`, `${b64('{"alg":"ES256","b64":false}')}.${p}.${s}`, `${h}.${b64('not json')}.${s}`];
    for (const bad of malformed) {
      const err = await thrownBy(() => api.verifyJwt(bad, resolver));
      assert.match(err.code, /^ERR_JW[ST]_INVALID$/, bad);
    }
    assert.equal(calls, 0);
  });

  test('is a KeysInput for checkAssertion (keys and federated[].keys) and verifyWebhook', async () => {
    const seen = [];
    const resolver = (label, jwks) => (header, payload) => {
      seen.push([label, header.kid, payload.iss]);
      return jwks;
    };
    const client = await mint(key, { iss: 'client-1', sub: 'client-1', aud: 'https://as.example', exp: NOW + 60, iat: NOW, jti: randomUUID() });
    const result = await api.checkAssertion(client, { clientId: 'client-1', audience: 'https://as.example', keys: resolver('client', { keys: [key.jwk] }), currentDate: NOW });
    assert.equal(result.clientId, 'client-1');
    const federatedToken = await mint(other, { iss: 'https://k8s.example', sub: 'client-1', aud: 'https://as.example', exp: NOW + 60, iat: NOW, jti: randomUUID() });
    const federated = [{ issuer: 'https://k8s.example', keys: resolver('federated', { keys: [other.jwk] }) }];
    const viaFederation = await api.checkAssertion(federatedToken, { clientId: 'client-1', audience: 'https://as.example', keys: resolver('client', { keys: [key.jwk] }), federated, currentDate: NOW });
    assert.equal(viaFederation.federated, true);
    const body = '{"event":"done"}';
    const hash = createHash('sha256').update(body).digest('hex');
    const webhook = await mint(key, { iss: 'https://sender.example', iat: NOW, request_body_sha256: hash });
    await api.verifyWebhook({ authorization: `Bearer ${webhook}`, body }, resolver('webhook', { keys: [key.jwk] }), at);
    assert.deepEqual(seen, [['client', 'r1', 'client-1'], ['federated', 'r1', 'https://k8s.example'], ['webhook', 'r1', 'https://sender.example']]);
    // Options reading takes a function where keys go, and still refuses other wrong kinds.
    await assert.rejects(api.checkAssertion(client, { clientId: 'client-1', audience: 'https://as.example', keys: 42 }), { name: 'TypeError', option: 'keys' });
    await assert.rejects(api.checkAssertion(client, { clientId: 'client-1', audience: 'https://as.example', keys: () => 42, currentDate: NOW }), { code: 'ERR_JWKS_INVALID' });
  });
});

describe('TrustedIssuers', () => {
  let issuers;
  before(async () => {
    // Every issuer's key has the same kid: only the issuer binding keeps them apart.
    issuers = await Promise.all([startIssuer(), startIssuer(), startIssuer(), startIssuer({ path: '/tenant' })]);
  });
  after(() => Promise.all(issuers.map((i) => i.close())));

  const reset = () => issuers.forEach((i) => Object.assign(i.state, { requests: 0, metadataRequests: 0, jwksRequests: 0, failDiscovery: false, hold: null }));
  const names = () => issuers.map((i) => i.issuer);

  test('an issuer\'s token verifies with its own discovered keys, and nothing else does (every issuer x key)', async () => {
    reset();
    const trusted = new api.TrustedIssuers(names());
    for (const claimed of issuers) {
      for (const signer of issuers) {
        const forged = await claimed.sign({}, signer.key);
        if (claimed === signer) {
          const { payload, key: info } = await api.verifyJwt(forged, trusted);
          assert.equal(payload.iss, claimed.issuer);
          assert.equal(info.kid, 'k1');
        } else {
          await assert.rejects(api.verifyJwt(forged, trusted), { code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' }, `${claimed.issuer} signed by ${signer.issuer}`);
        }
      }
    }
    // One discovery and one JWKS fetch per issuer for all of it.
    for (const i of issuers) assert.deepEqual([i.state.metadataRequests, i.state.jwksRequests], [1, 1], i.issuer);
  });

  test('a resolver cannot launder one issuer\'s keys for another: the key set stays bound', async () => {
    const trusted = new api.TrustedIssuers(names());
    const [a, b] = issuers;
    // A token claiming issuer A, verified with keys TrustedIssuers bound to B (reached through
    // a resolver that looks at B's own token first): refused on iss, though B's key signed it.
    const bToken = await b.sign();
    const bound = await trusted.keySetFor(bToken);
    const forged = await a.sign({}, b.key);
    await assert.rejects(api.verifyJwt(forged, () => bound), { code: FAILED, claim: 'iss', reason: 'check_failed' });
    await assert.rejects(api.verifyJwt(await b.sign({ iss: undefined }), () => bound), { code: FAILED, claim: 'iss', reason: 'missing' });
    assert.equal((await api.verifyJwt(bToken, () => bound)).payload.iss, b.issuer);
  });

  test('the binding holds on every signature backend (one crossing, and prepare/finish)', async () => {
    const [a, b] = issuers;
    const trusted = new api.TrustedIssuers(names());
    const bound = await trusted.keySetFor(await b.sign());
    try {
      for (const backend of api.getBackend().available) {
        api.setBackend(backend);
        assert.equal(api.getBackend().async, backend);
        await assert.rejects(api.verifyJwt(await a.sign({}, b.key), () => bound), { code: FAILED, claim: 'iss', reason: 'check_failed' }, backend);
        await assert.rejects(api.verifyJwt(await a.sign({}, a.key), trusted, { issuer: b.issuer }), { code: FAILED, claim: 'iss' }, backend);
        assert.equal((await api.verifyJwt(await b.sign(), trusted)).payload.iss, b.issuer, backend);
        assert.equal((await api.verifyJwt(await a.sign(), trusted)).payload.iss, a.issuer, backend);
      }
    } finally {
      api.setBackend('auto');
    }
  });

  test('an untrusted or missing iss is refused before any request', async () => {
    reset();
    const [a, , , tenant] = issuers;
    const trusted = new api.TrustedIssuers([a.issuer, tenant.issuer]);
    const cases = [
      [await issuers[1].sign(), 'check_failed'],
      [await a.sign({ iss: `${a.issuer}/` }), 'check_failed'],
      [await tenant.sign({ iss: `${tenant.issuer}/` }), 'check_failed'],
      [await a.sign({ iss: a.issuer.toUpperCase() }), 'check_failed'],
      [await a.sign({ iss: `${a.issuer}/.well-known/..` }), 'check_failed'],
      [await a.sign({ iss: 'http://169.254.169.254' }), 'check_failed'],
      [await a.sign({ iss: undefined }), 'missing'],
      [await a.sign({ iss: 7 }), 'invalid'],
    ];
    for (const [t, reason] of cases) {
      for (const call of [() => api.verifyJwt(t, trusted), () => api.createVerifier(trusted).verify(t)]) {
        const err = await thrownBy(call);
        assert.deepEqual([err.code, err.claim, err.reason], [FAILED, 'iss', reason], err.message);
      }
    }
    assert.equal(requestsTo(issuers), 0);
    assert.equal((await api.verifyJwt(await tenant.sign(), trusted)).payload.iss, tenant.issuer);
  });

  test('a predicate must return true exactly; it is asked before any request', async () => {
    reset();
    const [a, b, c] = issuers;
    const asked = [];
    const verdicts = new Map([[a.issuer, true], [b.issuer, 'true'], [c.issuer, 1]]);
    const trusted = new api.TrustedIssuers((iss) => {
      asked.push(iss);
      return verdicts.get(iss);
    });
    assert.equal((await api.verifyJwt(await a.sign(), trusted)).payload.iss, a.issuer);
    for (const i of [b, c]) await assert.rejects(api.verifyJwt(await i.sign(), trusted), { code: FAILED, claim: 'iss', reason: 'check_failed' });
    await assert.rejects(api.verifyJwt(await a.sign({ iss: 'https://unknown.example' }), trusted), { code: FAILED, claim: 'iss' });
    assert.deepEqual(asked, [a.issuer, b.issuer, c.issuer, 'https://unknown.example']);
    assert.deepEqual([a.state.requests > 0, b.state.requests, c.state.requests], [true, 0, 0]);
    // A predicate that says yes to anything still cannot send us to a non-http(s) URL.
    const yes = new api.TrustedIssuers(() => true);
    await assert.rejects(api.verifyJwt(await a.sign({ iss: 'file:///etc/passwd' }), yes), { code: FAILED, claim: 'iss' });
    const boom = new Error('predicate failed');
    assert.equal(await thrownBy(() => api.verifyJwt(token, new api.TrustedIssuers(() => { throw boom; }))), boom);
  });

  test('concurrent first uses of an issuer share one discovery and one JWKS fetch', async () => {
    reset();
    const [a] = issuers;
    let release;
    a.state.hold = new Promise((resolve) => { release = resolve; });
    const trusted = new api.TrustedIssuers(names());
    const tokens = await Promise.all(Array.from({ length: 12 }, (_, n) => a.sign({ n })));
    const all = Promise.all(tokens.map((t) => api.verifyJwt(t, trusted)));
    await new Promise((r) => setTimeout(r, 50));
    release();
    const results = await all;
    assert.deepEqual(results.map((r) => r.payload.n), tokens.map((_, n) => n));
    assert.deepEqual([a.state.metadataRequests, a.state.jwksRequests], [1, 1]);
  });

  test('at most maxIssuers are held; the least recently used is dropped and discovered again', async () => {
    reset();
    const [a, b, c] = issuers;
    const trusted = new api.TrustedIssuers(names(), { maxIssuers: 2 });
    const use = async (i) => assert.equal((await api.verifyJwt(await i.sign(), trusted)).payload.iss, i.issuer);
    const discoveries = () => [a, b, c].map((i) => i.state.metadataRequests);
    await use(a);
    await use(b);
    await use(a); // a is now the most recently used
    assert.deepEqual(discoveries(), [1, 1, 0]);
    await use(c); // evicts b
    assert.deepEqual(trusted.stats().issuers.map((s) => s.issuer), [c.issuer, a.issuer]);
    await use(a);
    assert.deepEqual(discoveries(), [1, 1, 1]);
    await use(b); // b again: discovered anew, evicting c
    assert.deepEqual(discoveries(), [1, 2, 1]);
    assert.deepEqual(trusted.stats().issuers.map((s) => s.issuer), [b.issuer, a.issuer]);
    assert.equal(trusted.stats().issuers[0].jwks.fetches, 1);
  });

  test('a failed discovery is kept for cooldownMs only', async () => {
    reset();
    const [a] = issuers;
    a.state.failDiscovery = true;
    const trusted = new api.TrustedIssuers([a.issuer], { cooldownMs: 300 });
    const t = await a.sign();
    await assert.rejects(api.verifyJwt(t, trusted), { code: 'ERR_JWKS_FETCH_FAILED' });
    const afterFirst = a.state.metadataRequests;
    assert.ok(afterFirst >= 1);
    a.state.failDiscovery = false;
    await assert.rejects(api.verifyJwt(t, trusted), { code: 'ERR_JWKS_FETCH_FAILED' });
    assert.equal(a.state.metadataRequests, afterFirst, 'no request within the cooldown');
    assert.ok(trusted.stats().issuers[0].lastError);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await api.verifyJwt(t, trusted)).payload.iss, a.issuer);
    assert.equal(a.state.metadataRequests, afterFirst + 1);
  });

  test('the other verify options still apply, and every async path takes it', async () => {
    const [a] = issuers;
    const trusted = new api.TrustedIssuers(names());
    const t = await a.sign({ aud: 'api' });
    await assert.rejects(api.verifyJwt(t, trusted, { audience: 'other' }), { code: FAILED, claim: 'aud' });
    await assert.rejects(api.verifyJwt(t, trusted, { issuer: issuers[1].issuer }), { code: FAILED, claim: 'iss' });
    assert.equal((await api.verifyJwt(t, trusted, { audience: 'api', issuer: a.issuer })).payload.aud, 'api');
    assert.equal((await api.verifyJwt(t, () => trusted)).payload.aud, 'api');
    const body = 'x';
    const hook = await a.sign({ iat: Math.floor(Date.now() / 1000), request_body_sha256: createHash('sha256').update(body).digest('hex') });
    assert.equal((await api.verifyWebhook({ authorization: `Bearer ${hook}`, body }, trusted)).payload.iss, a.issuer);
  });

  test('issuers and options are checked (TypeError)', () => {
    const bad = [[], 'https://a.example', ['https://a.example', 3], ['not a url'], ['ftp://a.example'], ['https://user:pw@a.example'], [' https://a.example'], null, undefined, 42, {}];
    for (const issuersArg of bad) assert.throws(() => new api.TrustedIssuers(issuersArg), TypeError, String(issuersArg));
    for (const options of [{ maxIssuers: 0 }, { maxIssuers: 1.5 }, { maxIssuer: 2 }, { cooldownMs: -1 }, { timeoutMs: 0 }, { fetch: 'x' }, null, 5]) {
      assert.throws(() => new api.TrustedIssuers(['https://a.example'], options), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_OPTION', JSON.stringify(options));
    }
    assert.throws(() => new api.TrustedIssuers(['https://a.example'], { maxIssuer: 2 }), /maxIssuers/);
    assert.throws(() => new api.TrustedIssuers(['https://a.example', 'nope']), /issuers\[1\]/);
    assert.deepEqual(new api.TrustedIssuers(['https://a.example'], { maxIssuers: 5, cooldownMs: 0 }).stats(), { issuers: [] });
  });
});
