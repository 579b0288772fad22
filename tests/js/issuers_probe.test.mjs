// Contract probe of API.md "Key resolvers and many issuers" (key resolvers as KeysInput,
// TrustedIssuers, discoverJwks as TrustedIssuers uses it) and "Loading" (ready(); a sync call
// before ready() in a browser-like runtime), and of the README's sections on them, over
// generated inputs, against authorization servers on 127.0.0.1 that count their requests.
// What resolvers.test.mjs and remote_probe.test.mjs already pin is not repeated here.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFileSync } from 'node:child_process';
import * as jose from 'jose';
import * as api from '../../pkg/node.mjs';
import { generateKey, mint, signJson, b64url, thrownBy } from './helpers.mjs';

const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';

/** A deterministic generator in [0, 1). */
function random(seed) {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

// A JSON value the core and JSON.parse must read alike: nested objects and arrays, strings with
// escapes and non-ASCII text, integers, fractions, exponents, member names such as __proto__.
function jsonValue(rand, depth = 0) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const kind = depth > 2 ? pick(['string', 'number', 'literal']) : pick(['string', 'number', 'literal', 'object', 'array']);
  switch (kind) {
    case 'string':
      return pick(['', 'plain', 'é ü 中文', '😀 emoji', 'quote " and \\ backslash', 'line\nbreak\ttab', '\u0000\u001f ctl', '\u2028\u2029', `${rand()}`]);
    case 'number':
      return pick([0, 1, -1, 42, 2 ** 53 - 1, -(2 ** 53), 1.5, -0.25, 1e21, 1.7976931348623157e308, 5e-324, Math.floor(rand() * 1e9)]);
    case 'literal':
      return pick([true, false, null]);
    case 'array':
      return Array.from({ length: Math.floor(rand() * 4) }, () => jsonValue(rand, depth + 1));
    default: {
      const out = {};
      const names = ['a', 'b', 'z', '__proto__', 'constructor', 'é', 'with space', '', 'kid', 'iss'];
      for (let i = Math.floor(rand() * 5); i > 0; i--) {
        Object.defineProperty(out, pick(names), { value: jsonValue(rand, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

// An authorization server on 127.0.0.1 holding many issuers (`${origin}/t/<name>`), each with
// its own key (all with kid "k1"). `documents[name]` overrides an issuer's metadata document
// (an object, or a function (req, res) answering itself); every request is recorded.
async function startAuthority() {
  const keys = new Map();
  const state = { hits: [], documents: {}, jwksStatus: 200 };
  const server = http.createServer(async (req, res) => {
    state.hits.push({ url: req.url, headers: req.headers });
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const url = new URL(req.url, 'http://127.0.0.1');
    const oidc = url.pathname.match(/^\/t\/([^/]+)\/\.well-known\/openid-configuration$/);
    const rfc8414 = url.pathname.match(/^\/\.well-known\/oauth-authorization-server\/t\/([^/]+)$/);
    const jwks = url.pathname.match(/^\/t\/([^/]+)\/jwks$/);
    const name = (oidc ?? rfc8414 ?? jwks)?.[1];
    if (name === undefined) return send(404, { error: 'not found' });
    if (oidc || rfc8414) {
      const doc = state.documents[name];
      if (typeof doc === 'function') return doc(req, res, { oidc: Boolean(oidc), send });
      if (doc !== undefined) return send(200, doc);
      return send(200, { issuer: authority.issuer(name), jwks_uri: `${authority.issuer(name)}/jwks` });
    }
    const key = await authority.key(name);
    return send(state.jwksStatus, { keys: [key.jwk] });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const authority = {
    origin,
    state,
    issuer: (name) => `${origin}/t/${name}`,
    async key(name) {
      if (!keys.has(name)) keys.set(name, generateKey('ES256', { kid: 'k1' }));
      return keys.get(name);
    },
    async sign(name, claims = {}) {
      return mint(await authority.key(name), { iss: authority.issuer(name), sub: `user-of-${name}`, ...claims });
    },
    count: (filter = () => true) => state.hits.filter((hit) => filter(hit.url)).length,
    metadataHits: (name) => state.hits.filter((h) => h.url.endsWith(`/t/${name}/.well-known/openid-configuration`) || h.url === `/.well-known/oauth-authorization-server/t/${name}`).length,
    jwksHits: (name) => state.hits.filter((h) => h.url === `/t/${name}/jwks`).length,
    reset() {
      state.hits.length = 0;
      state.documents = {};
      state.jwksStatus = 200;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
  return authority;
}

let authority;
let key;
let token;
before(async () => {
  authority = await startAuthority();
  key = await generateKey('ES256', { kid: 'r1' });
  token = await mint(key, { iss: 'https://issuer.example', sub: 'alice' });
});
after(() => authority.close());

/** A fetch that counts its calls and never reaches the network (404 for everything). */
function countingFetch() {
  const calls = [];
  const fetch = async (url) => {
    calls.push(String(url));
    return new Response('{}', { status: 404 });
  };
  return { fetch, calls };
}

describe('a key resolver gets (header, unverifiedPayload) exactly as decoded', () => {
  test('over 150 generated header and payload texts: what jose decodes, member order included; called once per token', async () => {
    const rand = random(7);
    for (let n = 0; n < 150; n++) {
      const extra = jsonValue(rand);
      const header = { ...(extra !== null && typeof extra === 'object' && !Array.isArray(extra) ? extra : { extra }), alg: 'ES256', kid: 'r1' };
      delete header.b64;
      delete header.crit;
      const payload = jsonValue(rand, 1);
      const claims = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : { value: payload };
      const t = await signJson(key, JSON.stringify(header), JSON.stringify(claims));
      const calls = [];
      const { payload: verified } = await api.verifyJwt(t, (h, p) => {
        calls.push([h, p]);
        return { keys: [key.jwk] };
      });
      assert.equal(calls.length, 1, `case ${n}`);
      const [h, p] = calls[0];
      assert.deepEqual(h, jose.decodeProtectedHeader(t), `case ${n}: header`);
      assert.deepEqual(p, jose.decodeJwt(t), `case ${n}: payload`);
      assert.deepEqual(Object.keys(h), Object.keys(JSON.parse(JSON.stringify(header))), `case ${n}: header member order`);
      assert.deepEqual(Object.keys(p), Object.keys(claims), `case ${n}: payload member order`);
      assert.deepEqual(verified, p, `case ${n}: the verified payload is the one the resolver saw`);
    }
  });

  test('what it does to the objects it is given changes nothing: verification reads the token again', async () => {
    const t = await mint(key, { iss: 'https://issuer.example', sub: 'alice', exp: 4_000_000_000, aud: 'api' });
    const vandals = [
      (h, p) => { p.iss = 'https://other.example'; },
      (h, p) => { p.exp = 1; p.aud = 'elsewhere'; },
      (h) => { h.alg = 'none'; h.kid = 'other'; },
      (h, p) => { delete p.iss; h.crit = ['x']; },
      (h, p) => { Object.setPrototypeOf(p, { iss: 'proto' }); Object.freeze(h); },
    ];
    for (const [n, vandal] of vandals.entries()) {
      const { payload, header } = await api.verifyJwt(t, (h, p) => {
        vandal(h, p);
        return { keys: [key.jwk] };
      }, { issuer: 'https://issuer.example', audience: 'api' });
      assert.deepEqual([payload.iss, payload.aud, header.alg, header.kid], ['https://issuer.example', 'api', 'ES256', 'r1'], `vandal ${n}`);
    }
  });

  test('a token the core does not decode never reaches it (duplicate members at any depth, non-object payloads, lone surrogates)', async () => {
    let calls = 0;
    const resolver = () => {
      calls += 1;
      return { keys: [key.jwk] };
    };
    const headers = ['{"alg":"ES256","kid":"r1","kid":"r2"}', '{"alg":"ES256","alg":"ES256"}', '{"alg":"ES256","x":{"y":1,"y":2}}', '[]', '"ES256"', '{"alg":"ES256"'];
    const payloads = ['{"iss":"a","iss":"b"}', '{"a":{"b":[{"c":1,"c":1}]}}', '[]', '[{"iss":"a"}]', '"text"', '42', 'null', 'true', '{"s":"\\ud800"}', '{"a":1}x', ''];
    const cases = [
      ...headers.map((h) => [h, '{"sub":"x"}']),
      ...payloads.map((p) => ['{"alg":"ES256","kid":"r1"}', p]),
    ];
    for (const [h, p] of cases) {
      const t = await signJson(key, h, p);
      for (const run of [() => api.verifyJwt(t, resolver), () => api.createVerifier(resolver).verify(t)]) {
        const err = await thrownBy(run);
        assert.match(err.code, /^ERR_JW[ST]_INVALID$/, `${h} / ${p}: ${err.message}`);
      }
    }
    assert.equal(calls, 0);
  });
});

describe('what a key resolver returns', () => {
  test('anything but a KeysInput (or a Promise or thenable of one) is ERR_JWKS_INVALID, a JoseError, never a TypeError', async () => {
    const freed = api.parseJwks({ keys: [key.jwk] }, {});
    freed.free();
    const garbage = {
      '{}': {}, 'keys null': { keys: null }, 'keys not an array': { keys: {} },
      '"null"': 'null', '"[]"': '[]', '""': '', 'a number': 7, NaN: Number.NaN, 'a bigint': 10n, 'a Map': new Map([['keys', [key.jwk]]]),
      'a Date': new Date(0), 'a Uint8Array': new TextEncoder().encode(JSON.stringify({ keys: [key.jwk] })), 'a boxed string': new String('{}'),
      'a freed KeySet': freed, 'an async function': async () => ({ keys: [key.jwk] }), 'an array of JWKs': [key.jwk], 'undefined': undefined,
      'null': null, 'a symbol': Symbol('keys'), 'a JWK without kty': { kid: 'r1', crv: 'P-256', x: key.jwk.x, y: key.jwk.y },
      'keySetFor that is not a function': { keySetFor: 42 },
      'keySetFor returning a number': { keySetFor: () => 42 },
      'keySetFor returning JWKS': { keySetFor: async () => ({ keys: [key.jwk] }) },
    };
    const wraps = {
      plain: (v) => v,
      Promise: (v) => Promise.resolve(v),
      thenable: (v) => ({ then: (resolve) => resolve(v) }),
      'Promise of a Promise': (v) => Promise.resolve(Promise.resolve(v)),
    };
    for (const [label, value] of Object.entries(garbage)) {
      for (const [how, wrap] of Object.entries(wraps)) {
        const err = await thrownBy(() => api.verifyJwt(token, () => wrap(value)));
        assert.ok(api.isJoseError(err), `${label} (${how}): ${err}`);
        assert.equal(err.code, 'ERR_JWKS_INVALID', `${label} (${how}): ${err.message}`);
        // Only a freed KeySet is reported as one.
        assert.equal(/was freed/.test(err.message), label === 'a freed KeySet', `${label} (${how}): ${err.message}`);
      }
    }
  });

  test('a JWK Set whose entries are not keys is what it is as inline keys: a set of unusable keys (parseJwks lints, API.md), so no matching key', async () => {
    for (const keys of [{ keys: [1, 2] }, { keys: ['x', null] }, { keys: [{}] }, { keys: [] }]) {
      for (const wrap of [(v) => v, (v) => Promise.resolve(v)]) {
        const viaResolver = await thrownBy(() => api.verifyJwt(token, () => wrap(keys)));
        const direct = await thrownBy(() => api.verifyJwt(token, keys));
        assert.deepEqual([viaResolver.code, viaResolver.message], [direct.code, direct.message]);
        assert.equal(viaResolver.code, 'ERR_JWKS_NO_MATCHING_KEY', JSON.stringify(keys));
      }
    }
  });

  test('every KeysInput form works the same plain, as a Promise and as a thenable, TrustedIssuers included', async () => {
    authority.reset();
    const t = await authority.sign('forms');
    const own = await authority.key('forms');
    const trusted = new api.TrustedIssuers([authority.issuer('forms')]);
    const forms = {
      KeySet: () => api.parseJwks({ keys: [own.jwk] }),
      'JWKS object': () => ({ keys: [own.jwk] }),
      'JWKS text': () => JSON.stringify({ keys: [own.jwk] }),
      JWK: () => own.jwk,
      'JWK text': () => JSON.stringify(own.jwk),
      RemoteJwks: () => new api.RemoteJwks(`${authority.issuer('forms')}/jwks`),
      TrustedIssuers: () => trusted,
    };
    const wraps = [(v) => v, (v) => Promise.resolve(v), (v) => ({ then: (resolve) => setTimeout(() => resolve(v), 1) })];
    for (const [form, make] of Object.entries(forms)) {
      for (const [n, wrap] of wraps.entries()) {
        const { payload } = await api.verifyJwt(t, () => wrap(make()));
        assert.equal(payload.sub, 'user-of-forms', `${form} #${n}`);
      }
    }
    assert.equal(authority.metadataHits('forms'), 1, 'one discovery for the TrustedIssuers form');
  });

  test('it is called once per token, also when the RemoteJwks it returns refetches for an unknown kid (20 concurrent tokens)', async () => {
    authority.reset();
    const own = await authority.key('once');
    const remote = new api.RemoteJwks(`${authority.issuer('once')}/jwks`, { cooldownMs: 0 });
    let calls = 0;
    const resolver = async () => {
      calls += 1;
      return remote;
    };
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, n) => authority.sign('once', { n })));
    const results = await Promise.all(tokens.map((t) => api.verifyJwt(t, resolver)));
    assert.deepEqual(results.map((r) => r.payload.n), tokens.map((_, n) => n));
    assert.equal(calls, 20);
    assert.equal(authority.jwksHits('once'), 1);
    // An unknown kid: the RemoteJwks refetches, the resolver is still asked once.
    calls = 0;
    const unknown = await mint(own, { iss: authority.issuer('once') }, { kid: 'k-unknown' });
    await assert.rejects(api.verifyJwt(unknown, resolver), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
    assert.equal(calls, 1);
    assert.equal(authority.jwksHits('once'), 2);
  });

  test('synchronous verification refuses every per-token KeysInput with ERR_JWKS_INVALID, whatever function it is', () => {
    const perToken = {
      arrow: () => ({ keys: [key.jwk] }),
      'async function': async () => ({ keys: [key.jwk] }),
      'bound function': function keys() { return { keys: [key.jwk] }; }.bind(null),
      'generator function': function* keys() { yield 1; },
      class: class Keys {},
      TrustedIssuers: new api.TrustedIssuers(['https://issuer.example']),
      'TrustedIssuers (predicate)': new api.TrustedIssuers(() => true),
      RemoteJwks: new api.RemoteJwks('https://issuer.example/jwks'),
    };
    for (const [label, keys] of Object.entries(perToken)) {
      for (const run of [() => api.verifyJwtSync(token, keys), () => api.createVerifier(keys).verifySync(token), () => api.createVerifier(keys, { issuer: 'https://issuer.example' }).verifySync(token)]) {
        let err;
        try {
          run();
        } catch (thrown) {
          err = thrown;
        }
        assert.ok(api.isJoseError(err), `${label}: ${err}`);
        assert.equal(err.code, 'ERR_JWKS_INVALID', `${label}: ${err.message}`);
      }
    }
  });
});

// Issuer identifiers no discovery can use (OpenID Connect Discovery §2, RFC 8414 §2: an http(s)
// URL with no query or fragment), or whose host a URL parser reads differently from the text.
const UNUSABLE_ISSUERS = [
  'https://a.example?x=1', 'https://a.example/?', 'https://a.example/t#frag', 'https://a.example#', 'HTTPS://a.example', 'Http://a.example',
  'https://a.example\\.b.example', 'https://a.example\\@b.example', 'https://a.example/t\\..', ' https://a.example', 'https://a.example ',
  'https://a.example/\tt', 'https://a.example/\u0000', 'https://u:p@a.example', 'https://@a.example', 'ftp://a.example', 'https:/a.example',
  'https://', 'a.example', '', 'javascript:alert(1)', 'https://a.example/\u2028',
];
const USABLE_ISSUERS = ['https://a.example', 'https://a.example/', 'https://a.example/t/1', 'http://127.0.0.1:8080/realms/x', 'https://a.example:8443/p', 'https://xn--bcher-kva.example/é'];

describe('TrustedIssuers: the issuers argument and the options', () => {
  test('an issuer discovery cannot use is a TypeError naming its index; usable ones are accepted (every bad one at every index)', () => {
    for (const good of USABLE_ISSUERS) assert.deepEqual(new api.TrustedIssuers([good]).stats(), { issuers: [] });
    for (const bad of UNUSABLE_ISSUERS) {
      for (let index = 0; index < 3; index++) {
        const list = ['https://ok.example', 'https://ok.example/2'];
        list.splice(index, 0, bad);
        let err;
        try {
          new api.TrustedIssuers(list);
        } catch (thrown) {
          err = thrown;
        }
        assert.ok(err instanceof TypeError, `${JSON.stringify(bad)} at ${index}: ${err}`);
        assert.equal(err.code, 'ERR_INVALID_OPTION', JSON.stringify(bad));
        assert.match(err.message, new RegExp(`issuers\\[${index}\\]`), err.message);
      }
    }
  });

  test('the list is copied at construction: changing the array afterwards trusts nothing new', async () => {
    authority.reset();
    const list = [authority.issuer('copy-a')];
    const trusted = new api.TrustedIssuers(list);
    list.push(authority.issuer('copy-b'));
    list[0] = 'https://elsewhere.example';
    assert.equal((await api.verifyJwt(await authority.sign('copy-a'), trusted)).payload.iss, authority.issuer('copy-a'));
    await assert.rejects(api.verifyJwt(await authority.sign('copy-b'), trusted), { code: FAILED, claim: 'iss', reason: 'check_failed' });
    assert.equal(authority.metadataHits('copy-b'), 0);
  });

  test('maxIssuers: anything but a positive integer is a TypeError naming it; misspellings name it as the nearest option', () => {
    const bad = [0, -1, 1.5, NaN, Infinity, -Infinity, '5', null, true, 10n, [], {}, () => 3, 2 ** 53, Symbol('n')];
    for (const maxIssuers of bad) {
      const err = (() => {
        try {
          new api.TrustedIssuers(['https://a.example'], { maxIssuers });
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      assert.ok(err instanceof TypeError, String(maxIssuers));
      assert.equal(err.code, 'ERR_INVALID_OPTION', String(maxIssuers));
      assert.match(err.message, /maxIssuers/, err.message);
    }
    for (const typo of ['maxIssuer', 'maxissuers', 'MaxIssuers', 'max_issuers', 'maxIsuers']) {
      assert.throws(() => new api.TrustedIssuers(['https://a.example'], { [typo]: 2 }), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_OPTION' && /did you mean maxIssuers/.test(err.message), typo);
    }
    // Verify options are not TrustedIssuers options: refused, not silently ignored.
    for (const name of ['audience', 'issuer', 'algorithms', 'clockTolerance']) {
      assert.throws(() => new api.TrustedIssuers(['https://a.example'], { [name]: 'x' }), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_OPTION', name);
    }
    for (const maxIssuers of [1, 2, 100, 100000]) new api.TrustedIssuers(['https://a.example'], { maxIssuers });
  });
});

describe('TrustedIssuers: which iss may pick keys, before any request', () => {
  test('with a predicate that trusts everything, an iss discovery cannot use is refused as an untrusted iss: no request, no slot held', async () => {
    const { fetch, calls } = countingFetch();
    const asked = [];
    const trusted = new api.TrustedIssuers((iss) => {
      asked.push(iss);
      return true;
    }, { fetch });
    for (const iss of UNUSABLE_ISSUERS) {
      const err = await thrownBy(async () => api.verifyJwt(await mint(key, { iss }), trusted));
      assert.deepEqual([err.code, err.claim, err.reason], [FAILED, 'iss', 'check_failed'], `${JSON.stringify(iss)}: ${err.message}`);
    }
    assert.deepEqual(calls, []);
    assert.deepEqual(trusted.stats(), { issuers: [] });
    // The predicate saw each iss exactly as the token carries it.
    assert.deepEqual(asked, UNUSABLE_ISSUERS);
  });

  test('an iss that is missing or not a string is refused (missing / invalid) without asking the predicate; the empty string is untrusted', async () => {
    const { fetch, calls } = countingFetch();
    let asked = 0;
    const forms = [
      new api.TrustedIssuers(['https://issuer.example'], { fetch }),
      new api.TrustedIssuers(() => {
        asked += 1;
        return true;
      }, { fetch }),
    ];
    const cases = [
      [undefined, 'missing'], [null, 'invalid'], [7, 'invalid'], [0, 'invalid'], [true, 'invalid'], [[], 'invalid'],
      [['https://issuer.example'], 'invalid'], [{}, 'invalid'], [{ href: 'https://issuer.example' }, 'invalid'], ['', 'check_failed'],
    ];
    for (const [iss, reason] of cases) {
      const t = await mint(key, { iss, sub: 'x' });
      for (const trusted of forms) {
        const err = await thrownBy(() => api.verifyJwt(t, trusted));
        assert.deepEqual([err.code, err.claim, err.reason], [FAILED, 'iss', reason], `${JSON.stringify(iss)}: ${err.message}`);
      }
    }
    assert.equal(asked, 1, 'asked for the empty string only');
    assert.deepEqual(calls, []);
  });

  test('its claim errors carry the decoded payload, as every claim failure does (README "Errors", jose)', async () => {
    const { fetch } = countingFetch();
    const forms = { list: new api.TrustedIssuers(['https://issuer.example'], { fetch }), predicate: new api.TrustedIssuers((iss) => iss === 'https://issuer.example', { fetch }) };
    const rand = random(11);
    for (let n = 0; n < 30; n++) {
      const iss = [undefined, null, 5, ['https://issuer.example'], 'https://evil.example', 'https://issuer.example/', '', `https://issuer.example?${n}`][n % 8];
      const extra = jsonValue(rand);
      const claims = { iss, sub: `s${n}`, extra };
      const t = await mint(key, claims);
      for (const [form, trusted] of Object.entries(forms)) {
        for (const run of [() => api.verifyJwt(t, trusted), () => api.createVerifier(trusted).verify(t), () => api.verifyJwt(t, () => trusted)]) {
          const err = await thrownBy(run);
          assert.equal(err.code, FAILED, `${form} ${JSON.stringify(iss)}: ${err.message}`);
          assert.equal(err.claim, 'iss');
          assert.deepEqual(err.payload, jose.decodeJwt(t), `${form} ${JSON.stringify(iss)}: payload`);
        }
      }
      // The README's reasons: missing, invalid (not a string), check_failed (untrusted). (The
      // issuer option, as jose's, says check_failed for a non-string iss.)
      const reason = iss === undefined ? 'missing' : typeof iss === 'string' ? 'check_failed' : 'invalid';
      for (const trusted of Object.values(forms)) assert.equal((await thrownBy(() => api.verifyJwt(t, trusted))).reason, reason, JSON.stringify(iss));
    }
  });

  test('a predicate trusts an iss only by returning true: 14 other verdicts make no request', async () => {
    authority.reset();
    const verdicts = [false, 1, 'true', 'yes', {}, [], [true], null, undefined, new Boolean(true), Promise.resolve(true), { then: (r) => r(true) }, Number.NaN, () => true];
    for (const [n, verdict] of verdicts.entries()) {
      const trusted = new api.TrustedIssuers(() => verdict);
      await assert.rejects(api.verifyJwt(await authority.sign(`verdict-${n}`), trusted), { code: FAILED, claim: 'iss', reason: 'check_failed' }, `verdict ${n}`);
    }
    assert.equal(authority.count(), 0);
    const yes = new api.TrustedIssuers(() => true);
    assert.equal((await api.verifyJwt(await authority.sign('verdict-true'), yes)).payload.iss, authority.issuer('verdict-true'));
  });
});

describe('TrustedIssuers: at most maxIssuers held, least recently used dropped', () => {
  test('over 3 random schedules of 40 tokens among 9 issuers: held <= maxIssuers, in LRU order, a discovery per miss only', async () => {
    for (const [seed, maxIssuers] of [[1, 1], [2, 3], [3, 5]]) {
      authority.reset();
      const rand = random(seed);
      const names = Array.from({ length: 9 }, (_, n) => `lru${seed}-${n}`);
      const trusted = new api.TrustedIssuers((iss) => iss.startsWith(`${authority.origin}/t/lru${seed}-`), { maxIssuers });
      const model = []; // most recently used first
      const expectedDiscoveries = new Map(names.map((name) => [name, 0]));
      for (let step = 0; step < 40; step++) {
        const name = names[Math.floor(rand() * names.length)];
        const { payload } = await api.verifyJwt(await authority.sign(name, { step }), trusted);
        assert.equal(payload.step, step);
        const at = model.indexOf(name);
        if (at === -1) expectedDiscoveries.set(name, expectedDiscoveries.get(name) + 1);
        else model.splice(at, 1);
        model.unshift(name);
        model.length = Math.min(model.length, maxIssuers);
        const held = trusted.stats().issuers;
        assert.ok(held.length <= maxIssuers, `step ${step}: ${held.length} held`);
        assert.deepEqual(held.map((s) => s.issuer), model.map((n) => authority.issuer(n)), `seed ${seed} step ${step}`);
        for (const s of held) assert.equal(s.jwksUri, `${s.issuer}/jwks`);
      }
      for (const name of names) assert.equal(authority.metadataHits(name), expectedDiscoveries.get(name), `${name}: discoveries`);
    }
  });

  test('200 distinct trusted issuers at once with maxIssuers 4: every token verifies, 4 held at the end', async () => {
    authority.reset();
    const trusted = new api.TrustedIssuers(() => true, { maxIssuers: 4 });
    const names = Array.from({ length: 200 }, (_, n) => `many-${n}`);
    const tokens = await Promise.all(names.map((name) => authority.sign(name)));
    const results = await Promise.all(tokens.map((t) => api.verifyJwt(t, trusted)));
    assert.deepEqual(results.map((r) => r.payload.iss), names.map((n) => authority.issuer(n)));
    assert.equal(trusted.stats().issuers.length, 4);
  });

  test('a failed discovery holds its slot for cooldownMs (no request, the same error) and counts toward maxIssuers', async () => {
    authority.reset();
    authority.state.documents['down'] = (req, res, { send }) => send(503, { error: 'down' });
    const trusted = new api.TrustedIssuers(() => true, { maxIssuers: 2, cooldownMs: 60_000 });
    const t = await authority.sign('down');
    const first = await thrownBy(() => api.verifyJwt(t, trusted));
    assert.equal(first.code, 'ERR_JWKS_FETCH_FAILED');
    const hits = authority.count();
    for (let n = 0; n < 5; n++) assert.equal(await thrownBy(() => api.verifyJwt(t, trusted)), first);
    assert.equal(authority.count(), hits);
    const [entry] = trusted.stats().issuers;
    assert.deepEqual([entry.issuer, entry.jwksUri, entry.jwks, entry.lastError], [authority.issuer('down'), null, null, first]);
    // Two working issuers push it out; its next token discovers it again.
    await api.verifyJwt(await authority.sign('up-1'), trusted);
    await api.verifyJwt(await authority.sign('up-2'), trusted);
    assert.deepEqual(trusted.stats().issuers.map((s) => s.issuer), [authority.issuer('up-2'), authority.issuer('up-1')]);
    delete authority.state.documents.down;
    assert.equal((await api.verifyJwt(t, trusted)).payload.iss, authority.issuer('down'));
  });
});

describe('TrustedIssuers: a predicate that fails, a discovery that fails for many at once', () => {
  test('whatever a predicate throws propagates as is, once per token, and nothing is fetched or held', async () => {
    authority.reset();
    for (const thrown of [new Error('boom'), new TypeError('bad'), 'a string', 42, null, { code: 'X' }]) {
      let asked = 0;
      const trusted = new api.TrustedIssuers(() => {
        asked += 1;
        throw thrown;
      });
      const tokens = await Promise.all([1, 2, 3].map((n) => authority.sign(`throws-${n}`)));
      for (const t of tokens) {
        let caught = 'nothing';
        try {
          await api.verifyJwt(t, trusted);
        } catch (err) {
          caught = err;
        }
        assert.equal(caught, thrown);
      }
      assert.equal(asked, 3);
      assert.deepEqual(trusted.stats(), { issuers: [] });
    }
    assert.equal(authority.count(), 0);
  });

  test('30 concurrent first tokens of an issuer whose discovery times out: one discovery, every caller gets ERR_JWKS_TIMEOUT, and the next token within cooldownMs the same error at once', async () => {
    authority.reset();
    authority.state.documents.slow = () => {}; // never answers
    const trusted = new api.TrustedIssuers([authority.issuer('slow')], { timeoutMs: 300, cooldownMs: 60_000 });
    const tokens = await Promise.all(Array.from({ length: 30 }, (_, n) => authority.sign('slow', { n })));
    const started = Date.now();
    const errors = await Promise.all(tokens.map((t) => thrownBy(() => api.verifyJwt(t, trusted))));
    assert.ok(Date.now() - started < 3000, `${Date.now() - started} ms`);
    assert.deepEqual([...new Set(errors.map((e) => e.code))], ['ERR_JWKS_TIMEOUT']);
    // One discovery, one request: timeoutMs bounds the discovery, so once the OpenID Connect
    // request has timed out, RFC 8414's is not tried.
    assert.deepEqual(authority.state.hits.map((h) => h.url), ['/t/slow/.well-known/openid-configuration']);
    const again = await thrownBy(() => api.verifyJwt(tokens[0], trusted));
    assert.equal(again, errors[0]);
    assert.equal(authority.metadataHits('slow'), 1);
  });
});

describe('TrustedIssuers: discovery (OpenID Connect Discovery §4.3, RFC 8414 §3.3)', () => {
  test('a metadata document whose issuer is not the token\'s iss exactly is ERR_JWKS_INVALID, and its jwks_uri is never fetched (13 variants)', async () => {
    authority.reset();
    const name = 'mismatch';
    const issuer = authority.issuer(name);
    const port = new URL(authority.origin).port;
    const variants = [
      `${issuer}/`, `${issuer}/.`, issuer.toUpperCase(), issuer.replace('http://', 'HTTP://'), issuer.replace('127.0.0.1', 'localhost'),
      issuer.replace(`:${port}`, `:0${port}`), `${issuer} `, ` ${issuer}`, `${issuer}?`, `${issuer}#`, issuer.replace('/t/', '/T/'),
      issuer.replace('/t/', '/t%2F').replace(/\/mismatch$/, 'mismatch'), `${authority.origin}/t/other`,
    ];
    for (const variant of variants) {
      authority.state.documents[name] = { issuer: variant, jwks_uri: `${issuer}/jwks` };
      const trusted = new api.TrustedIssuers([issuer]);
      const err = await thrownBy(async () => api.verifyJwt(await authority.sign(name), trusted));
      assert.equal(err.code, 'ERR_JWKS_INVALID', `${variant}: ${err.message}`);
      assert.equal(trusted.stats().issuers[0].lastError, err);
    }
    for (const issuerValue of [undefined, null, 42, [issuer], { href: issuer }]) {
      authority.state.documents[name] = { issuer: issuerValue, jwks_uri: `${issuer}/jwks` };
      const err = await thrownBy(async () => api.verifyJwt(await authority.sign(name), new api.TrustedIssuers([issuer])));
      assert.equal(err.code, 'ERR_JWKS_INVALID', `${JSON.stringify(issuerValue)}: ${err.message}`);
    }
    // Two issuer members (the last one right): a document with duplicate members is refused.
    authority.state.documents[name] = (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"issuer":"https://evil.example","issuer":${JSON.stringify(issuer)},"jwks_uri":${JSON.stringify(`${issuer}/jwks`)}}`);
    };
    assert.equal((await thrownBy(async () => api.verifyJwt(await authority.sign(name), new api.TrustedIssuers([issuer])))).code, 'ERR_JWKS_INVALID');
    assert.equal(authority.jwksHits(name), 0);
    // The exact issuer: it verifies.
    delete authority.state.documents[name];
    assert.equal((await api.verifyJwt(await authority.sign(name), new api.TrustedIssuers([issuer]))).payload.iss, issuer);
  });

  test('openid-configuration first, then RFC 8414; redirects are not followed; the headers option reaches every request', async () => {
    authority.reset();
    const name = 'fallback';
    const issuer = authority.issuer(name);
    authority.state.documents[name] = (req, res, { oidc, send }) => (oidc ? send(404, {}) : send(200, { issuer, jwks_uri: `${issuer}/jwks` }));
    const trusted = new api.TrustedIssuers([issuer], { headers: { 'x-tenant-probe': 'p1' } });
    assert.equal((await api.verifyJwt(await authority.sign(name), trusted)).payload.iss, issuer);
    assert.deepEqual(authority.state.hits.map((h) => [h.url.replace(`/t/${name}`, '/T'), h.headers['x-tenant-probe']]), [
      ['/T/.well-known/openid-configuration', 'p1'],
      ['/.well-known/oauth-authorization-server/T', 'p1'],
      ['/T/jwks', 'p1'],
    ]);
    // The RFC 8414 document is held to the same issuer rule; a wrong OpenID one is not used.
    for (const [oidcDoc, rfcDoc, expected] of [
      [null, { issuer: `${issuer}/`, jwks_uri: `${issuer}/jwks` }, 'ERR_JWKS_INVALID'],
      [null, { jwks_uri: `${issuer}/jwks` }, 'ERR_JWKS_INVALID'],
      [{ issuer: 'https://evil.example', jwks_uri: `${issuer}/jwks` }, null, 'ERR_JWKS_INVALID'],
      [{ issuer: 'https://evil.example', jwks_uri: 'https://evil.example/jwks' }, { issuer, jwks_uri: `${issuer}/jwks` }, 'ok'],
    ]) {
      authority.reset();
      authority.state.documents[name] = (req, res, { oidc, send }) => {
        const doc = oidc ? oidcDoc : rfcDoc;
        return doc === null ? send(404, {}) : send(200, doc);
      };
      const outcome = await api.verifyJwt(await authority.sign(name), new api.TrustedIssuers([issuer])).then(() => 'ok', (err) => err.code);
      assert.equal(outcome, expected, JSON.stringify([oidcDoc, rfcDoc]));
      assert.equal(authority.jwksHits(name), expected === 'ok' ? 1 : 0);
    }
    authority.reset();
    authority.state.documents[name] = (req, res) => {
      res.writeHead(302, { location: `${issuer}/jwks` });
      res.end();
    };
    const err = await thrownBy(async () => api.verifyJwt(await authority.sign(name), new api.TrustedIssuers([issuer])));
    assert.equal(err.code, 'ERR_JWKS_FETCH_FAILED', err.message);
    assert.equal(authority.jwksHits(name), 0);
  });

  test('the keys found for an issuer verify only tokens with exactly that iss, even with the issuer option naming another trusted issuer', async () => {
    authority.reset();
    const [a, b] = ['bind-a', 'bind-b'];
    const trusted = new api.TrustedIssuers([authority.issuer(a), authority.issuer(b)]);
    const aKey = await authority.key(a);
    // A token claiming b, signed with a's key, reaching a's keys through a resolver that asks
    // the TrustedIssuers for a's token first.
    const aToken = await authority.sign(a);
    const aKeys = await trusted.keySetFor(aToken);
    for (const claims of [{ iss: authority.issuer(b) }, { iss: `${authority.issuer(a)}/` }, { iss: undefined }, { iss: [authority.issuer(a)] }]) {
      const forged = await mint(aKey, { sub: 'x', ...claims });
      const err = await thrownBy(() => api.verifyJwt(forged, () => aKeys));
      assert.deepEqual([err.code, err.claim], [FAILED, 'iss'], `${JSON.stringify(claims)}: ${err.message}`);
    }
    await assert.rejects(api.verifyJwt(aToken, trusted, { issuer: authority.issuer(b) }), { code: FAILED, claim: 'iss' });
  });
});

describe('discoverJwks: an issuer identifier no discovery can use', () => {
  test('is a TypeError (ERR_INVALID_URL) before any request, and the message does not repeat it', async () => {
    const { fetch, calls } = countingFetch();
    for (const issuer of ['https://a.example?x=1', 'https://a.example/?', 'https://a.example/t#f', 'HTTPS://a.example', 'Http://a.example', ' https://a.example']) {
      const err = await thrownBy(() => api.discoverJwks(issuer, { fetch }));
      assert.ok(err instanceof TypeError, `${issuer}: ${err}`);
      assert.equal(err.code, 'ERR_INVALID_URL', issuer);
      assert.ok(!err.message.includes('a.example'), err.message);
    }
    assert.deepEqual(calls, []);
  });
});

describe('Loading', () => {
  test('Node: ready() resolves to undefined at once, any number of times; ready options of the wrong shape are a TypeError', async () => {
    assert.equal(await api.ready(), undefined);
    assert.deepEqual(await Promise.all([api.ready(), api.ready({}), api.ready({ sync: false }), api.ready({ sync: true })]), [undefined, undefined, undefined, undefined]);
    for (const options of [null, 5, 'sync', { sync: 'yes' }, { sync: 1 }, { sync: null }, { snyc: true }, { sync: true, extra: 1 }]) {
      await assert.rejects(api.ready(options), (err) => err instanceof TypeError && err.code === 'ERR_INVALID_OPTION' && /sync/.test(err.message), JSON.stringify(options));
    }
  });

  // The web entries fetch their module on first use: here in Node, in a process of their own
  // (Node's entry loads the module at import), with fetch reading file: URLs.
  const FILE_FETCH = `
    const realFetch = globalThis.fetch;
    globalThis.fetch = async (url, init) => {
      const href = String(url?.url ?? url);
      if (!href.startsWith('file:')) return realFetch(url, init);
      const { readFile } = await import('node:fs/promises');
      return new Response(await readFile(new URL(href)), { headers: { 'content-type': 'application/wasm' } });
    };`;
  const SYNC_CALLS = `
    const tok = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA';
    const jwks = { keys: [{ kty: 'oct', k: 'AAAA', alg: 'HS256' }] };
    const calls = {
      parseJwks: (m) => m.parseJwks(jwks),
      'parseJwks with options': (m) => m.parseJwks(jwks, { allowPrivate: true }),
      verifyJwtSync: (m) => m.verifyJwtSync(tok, jwks, { algorithms: ['HS256'] }),
      'Verifier.verifySync': (m) => m.createVerifier(jwks, { algorithms: ['HS256'] }).verifySync(tok),
      decodeJwt: (m) => m.decodeJwt(tok),
      explainSelection: (m) => m.explainSelection?.(jwks, tok),
      explainClaims: (m) => m.explainClaims?.(tok),
      explainAssertion: (m) => m.explainAssertion?.(tok, { clientId: 'c', audience: 'a', keys: jwks }),
      explainAccessToken: (m) => m.explainAccessToken?.(tok, { issuer: 'https://i.example', audience: 'a' }),
      explainDpop: (m) => m.explainDpop?.(tok, { method: 'GET', url: 'https://a.example/' }),
      'ReplayCache.markUsed': (m) => m.ReplayCache && new m.ReplayCache().markUsed('scope jti', 4e9),
    };
    const outcome = (fn) => {
      try {
        fn();
        return 'returned';
      } catch (err) {
        return err instanceof TypeError ? 'TypeError ' + err.message : (err?.constructor?.name + ' ' + err?.code + (err?.code === 'ERR_NOT_READY' && !/ready\\(\\)/.test(err.message) ? ' (no hint)' : ''));
      }
    };
    ${FILE_FETCH}
    const m = await import(process.argv[1]);
    const before = {};
    for (const [name, call] of Object.entries(calls)) before[name] = outcome(() => call(m));
    await m.ready();
    const after = {};
    for (const [name, call] of Object.entries(calls)) after[name] = outcome(() => call(m));
    console.log(JSON.stringify({ before, after }));`;

  test('web.mjs: every async function awaits the module by itself (no ready() first), a key resolver included', async () => {
    const hs = await generateKey('HS256', { kid: 'h1' });
    const es = await generateKey('ES256', { kid: 'e1' });
    const input = {
      hs: { token: await mint(hs, { sub: 'hs' }), jwks: { keys: [hs.jwk] } },
      es: { token: await mint(es, { sub: 'es' }), jwks: { keys: [es.jwk] } },
    };
    const script = `
      ${FILE_FETCH}
      const m = await import(process.argv[1]);
      const input = JSON.parse(process.argv[2]);
      const subs = await Promise.all([
        m.verifyJwt(input.hs.token, input.hs.jwks, { algorithms: ['HS256'] }),
        m.verifyJwt(input.es.token, async (header) => (header.kid === 'e1' ? input.es.jwks : { keys: [] })),
        m.createVerifier(input.es.jwks).verify(input.es.token),
      ]);
      console.log(JSON.stringify(subs.map((r) => r.payload.sub)));`;
    const url = new URL('../../pkg/web.mjs', import.meta.url).href;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, url, JSON.stringify(input)], { encoding: 'utf8' }));
    assert.deepEqual(out, ['hs', 'es', 'es']);
  });

  // A module download that fails: the first `failures` fetches of a .wasm answer 404.
  const FAILING_DOWNLOADS = `
    ${FILE_FETCH}
    const fileFetch = globalThis.fetch;
    let failures = Number(process.argv[2]);
    globalThis.fetch = (url, init) => (String(url?.url ?? url).endsWith('.wasm') && failures-- > 0 ? Promise.resolve(new Response('gone', { status: 404 })) : fileFetch(url, init));
    const m = await import(process.argv[1]);
    const outcome = async (promise) => promise.then(() => 'resolved', (err) => [err.constructor.name, err.code, /could not be loaded/.test(err.message), err.cause !== undefined].join(' '));
    const tok = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA';
    const jwks = { keys: [{ kty: 'oct', k: 'AAAA', alg: 'HS256' }] };
    const results = [await outcome(m.ready({ sync: false })), await outcome(m.verifyJwt(tok, jwks, { algorithms: ['HS256'] })), await outcome(m.ready({ sync: false }))];
    console.log(JSON.stringify(results));`;

  for (const entry of ['web.mjs', 'verify-only-web.mjs']) {
    test(`${entry}: a module that does not download rejects ready() and async calls with ERR_WASM_LOAD_FAILED (the host's error as cause); the next call tries again`, () => {
      const url = new URL(`../../pkg/${entry}`, import.meta.url).href;
      const run = (failures) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', FAILING_DOWNLOADS, url, String(failures)], { encoding: 'utf8' }));
      const FAILED = 'Error ERR_WASM_LOAD_FAILED true true';
      // The module loaded: the token (a 3-byte HMAC key's) gets the core's verdict.
      const VERDICT = 'JoseError ERR_JWKS_NO_MATCHING_KEY false false';
      assert.deepEqual(run(0), ['resolved', VERDICT, 'resolved']);
      assert.deepEqual(run(1), [FAILED, VERDICT, 'resolved']);
      assert.deepEqual(run(2), [FAILED, FAILED, 'resolved']);
      assert.deepEqual(run(5), [FAILED, FAILED, FAILED]);
    });
  }

  for (const entry of ['web.mjs', 'verify-only-web.mjs']) {
    test(`${entry}: every sync function before ready() throws an Error (not a TypeError) with code ERR_NOT_READY; after it, none does`, () => {
      const url = new URL(`../../pkg/${entry}`, import.meta.url).href;
      const { before: early, after: late } = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', SYNC_CALLS, url], { encoding: 'utf8' }));
      for (const [name, result] of Object.entries(early)) {
        if (result === 'returned' && late[name] === 'returned' && entry.startsWith('verify-only') && !['parseJwks', 'parseJwks with options', 'verifyJwtSync', 'Verifier.verifySync', 'decodeJwt'].includes(name)) continue; // not exported there
        assert.equal(result, 'Error ERR_NOT_READY', `${entry} ${name} before ready()`);
        assert.ok(!/ERR_NOT_READY|TypeError/.test(late[name]), `${entry} ${name} after ready(): ${late[name]}`);
      }
    });
  }
});
