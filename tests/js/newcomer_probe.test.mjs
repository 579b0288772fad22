// A newcomer's path through the README, outside the repository (the npm tarball installed in
// fresh directories: Node ESM and CommonJS, Express, Fastify, Hono, esbuild for Chromium,
// workerd, TypeScript). What it found that a test can hold:
//
// A JWKS URL passed where the keys go — what jose's `createRemoteJWKSet(new URL(…))` and Hono's
// `jwk({ jwks_uri })` users write first — was refused with "not valid JSON: expected value at
// line 1 column 1" (a string) or "expected a JWK Set … or a single JWK object" (a `URL`
// object), which does not say what to do. It is still ERR_JWKS_INVALID (API.md: `keys` is a
// KeySet, a JWKS or JWK object or its JSON text, or a RemoteJwks), now with a message that
// names `new RemoteJwks(url)`, on every path that takes keys, in both module formats; other
// bad key texts keep their messages.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as esm from '../../pkg/node.bundle.mjs';
import { generateKey, mint, thrownBy } from './helpers.mjs';

const cjs = createRequire(import.meta.url)('../../pkg/node.cjs');

const SCHEMES = ['https://', 'http://', 'HTTPS://', 'Http://'];
const HOSTS = ['issuer.example', '127.0.0.1:8788', 'login.example.com/tenant-1', '[::1]:3000'];
const PATHS = ['/.well-known/jwks.json', '/jwks', '', '/keys?format=jwks', '/oauth2/v1/keys#x'];

// Every URL in the forms a caller passes it: the text, padded text, a URL object (its JSON is
// the string), and a String-like `{ toJSON }` would be the same text: not needed.
function* urlInputs() {
  for (const scheme of SCHEMES) {
    for (const host of HOSTS) {
      for (const path of PATHS) {
        const text = `${scheme}${host}${path}`;
        yield { what: text, input: text };
        yield { what: `padded ${text}`, input: ` \n${text} ` };
        let url;
        try {
          url = new URL(text);
        } catch {
          continue;
        }
        yield { what: `new URL(${text})`, input: url };
      }
    }
  }
}

function assertHint(err, what) {
  assert.equal(err?.code, 'ERR_JWKS_INVALID', `${what}: ${err?.code} ${err?.message}`);
  assert.match(err.message, /new RemoteJwks\(url\)/, `${what}: ${err.message}`);
  assert.ok(!err.message.includes('example'), `${what}: the message does not repeat the URL: ${err.message}`);
}

test('a JWKS URL as the keys: ERR_JWKS_INVALID that says to use RemoteJwks, on every path and both formats', async () => {
  const key = await generateKey('ES256', { kid: 'k1' });
  const token = await mint(key, { sub: 'alice', iss: 'https://issuer.example', aud: 'my-api', client_id: 'c', jti: 'j', iat: 1, exp: 4_000_000_000 }, { header: { typ: 'at+jwt' } });
  let cases = 0;
  for (const { what, input } of urlInputs()) {
    for (const [format, api] of [['esm', esm], ['cjs', cjs]]) {
      const label = `${format} ${what}`;
      assertHint(await thrownBy(() => api.parseJwks(input)), `parseJwks ${label}`);
      assertHint(await thrownBy(() => api.verifyJwtSync(token, input)), `verifyJwtSync ${label}`);
      assertHint(await thrownBy(() => api.verifyJwt(token, input)), `verifyJwt ${label}`);
      assertHint(await thrownBy(() => api.createVerifier(input, { audience: 'my-api' }).verify(token)), `createVerifier ${label}`);
      // Not the client's fault: authenticateRequest rejects (the adapters' 500), never a 401.
      const request = { method: 'GET', url: '/orders', headers: { host: 'api.example', authorization: `Bearer ${token}` } };
      assertHint(await thrownBy(() => api.authenticateRequest(request, { keys: input, issuer: 'https://issuer.example', audience: 'my-api' })), `authenticateRequest ${label}`);
      cases += 5;
    }
  }
  assert.ok(cases >= 4 * 4 * 5 * 2 * 5 * 2, `only ${cases} cases`);
});

test('other bad key texts keep their own messages; a set whose members hold URLs still parses', async () => {
  const garbage = ['', ' ', 'x', 'ftp://issuer.example/jwks', 'issuer.example/jwks', 'https:/x', 'https:', '"https"', '{"keys": 5}',
    '{"jwks_uri": "https://issuer.example/jwks"}', '"jwks"', '{', 'null', '5', 'httpx://a', 'http//a', '\u00a0https://a'];
  for (const text of garbage) {
    for (const api of [esm, cjs]) {
      const err = await thrownBy(() => api.parseJwks(text));
      assert.equal(err.code, 'ERR_JWKS_INVALID', text);
      assert.doesNotMatch(err.message, /RemoteJwks/, `${JSON.stringify(text)}: ${err.message}`);
    }
  }
  for (let i = 0; i < 20; i++) {
    const key = await generateKey('ES256', { kid: `https://issuer.example/keys/${i}` });
    const set = JSON.stringify({ keys: [key.jwk] });
    for (const api of [esm, cjs]) assert.equal(api.parseJwks(set).keys.length, 1);
    const token = await mint(key, { sub: 'alice' });
    assert.equal((await esm.verifyJwt(token, set)).payload.sub, 'alice');
  }
});

// README, "What the adapters decide": a failure that is not a verdict (here keys that cannot be
// fetched) goes to the framework's error path. Fastify's default handler sends its message,
// which names the JWKS URL; the README says so and says to set an error handler. Both halves,
// for each kind of fetch failure, so the sentence stays true.
test('Fastify adapter: a JWKS fetch failure reaches the error handler (default: message sent; README says to set one)', async () => {
  const { default: Fastify } = await import('fastify');
  const { bearerAuth } = await import('../../pkg/fastify.mjs');
  const key = await generateKey('ES256', { kid: 'k1' });
  const token = await mint(key, { sub: 'alice', iss: 'https://issuer.example', aud: 'my-api', client_id: 'c', jti: 'j', iat: 1, exp: 4_000_000_000 }, { header: { typ: 'at+jwt' } });
  const failures = {
    refused: () => Promise.reject(new TypeError('fetch failed')),
    status500: async () => new Response('no', { status: 500 }),
    notJson: async () => new Response('<html>', { status: 200 }),
  };
  for (const [name, fetch] of Object.entries(failures)) {
    for (const handler of [false, true]) {
      const url = `http://jwks.internal.test/${name}/jwks.json`;
      const app = Fastify();
      if (handler) app.setErrorHandler((err, request, reply) => { reply.code(503).send({ error: 'unavailable' }); });
      await app.register(bearerAuth, { keys: new esm.RemoteJwks(url, { fetch }), issuer: 'https://issuer.example', audience: 'my-api' });
      app.get('/x', async () => 'x');
      const res = await app.inject({ url: '/x', headers: { authorization: `Bearer ${token}` } });
      if (handler) {
        assert.equal(res.statusCode, 503, name);
        assert.ok(!res.body.includes('jwks.internal.test'), `${name}: ${res.body}`);
      } else {
        assert.equal(res.statusCode, 500, name);
        assert.ok(res.body.includes('jwks.internal.test'), `${name}: Fastify's default handler sends the message: ${res.body}`);
        assert.match(JSON.parse(res.body).code, /^ERR_JWKS_(FETCH_FAILED|INVALID)$/, name);
      }
      await app.close();
    }
  }
});

// README, "Where we differ from jose": decodeJwt's result is `{ header, payload, signature }`
// (API.md), where jose's decodeJwt is the payload and decodeProtectedHeader the header. Over
// generated tokens the parts agree with jose's; a jose-style `decodeJwt(t).sub` is undefined.
test('decodeJwt: payload equals jose.decodeJwt, header equals jose.decodeProtectedHeader', async () => {
  const jose = await import('jose');
  const key = await generateKey('ES256', { kid: 'k1' });
  let cases = 0;
  const claimSets = [{}, { sub: 'alice' }, { sub: 'bob', aud: ['a', 'b'], n: 1.5, nested: { x: [1, null, 'y'] } }, { iss: 'https://issuer.example', 'ü': 'ünïcode', empty: '' }];
  const headers = [{}, { typ: 'JWT' }, { typ: 'at+jwt', cty: 'x', extra: { a: 1 } }, { kid: 'other' }];
  for (const claims of claimSets) {
    for (const header of headers) {
      for (let i = 0; i < 3; i++) {
        const token = await mint(key, { ...claims, i }, { header });
        for (const api of [esm, cjs]) {
          const decoded = api.decodeJwt(token);
          assert.deepEqual(decoded.payload, jose.decodeJwt(token));
          assert.deepEqual(decoded.header, jose.decodeProtectedHeader(token));
          assert.equal(decoded.signature, token.split('.')[2]);
          assert.equal(decoded.sub, undefined);
          cases++;
        }
      }
    }
  }
  assert.equal(cases, 4 * 4 * 3 * 2);
});

// README, "Node (CommonJS)": an import and a require of the package load one copy each, and a
// KeySet or RemoteJwks of one is not accepted by the other. It was refused as something else:
// a KeySet of the other copy was serialized as a JWK Set object (its key descriptions, no key
// material), so the token failed with ERR_JWKS_NO_MATCHING_KEY ("key 0: unusable") and
// authenticateRequest answered 401 invalid_token ("signed with an unknown key"), a client's
// fault for a server's mistake; a RemoteJwks gave "a key source's keySetFor() returned something
// else". Now both say what happened (ERR_JWKS_INVALID), in both directions, on every path, and
// authenticateRequest rejects (the adapters' 500) as for any keys that are not keys.
test('keys from the other module format: ERR_JWKS_INVALID naming the other copy, never a verdict on the token', async () => {
  const key = await generateKey('ES256', { kid: 'k1' });
  const claims = { sub: 'alice', iss: 'https://issuer.example', aud: 'my-api', client_id: 'c', jti: 'j', iat: 1, exp: 4_000_000_000 };
  const token = await mint(key, claims, { header: { typ: 'at+jwt' } });
  const jwks = { keys: [key.jwk] };
  const fetch = async () => Response.json(jwks);
  const options = { issuer: 'https://issuer.example', audience: 'my-api' };
  const request = { method: 'GET', url: '/orders', headers: { host: 'api.example', authorization: `Bearer ${token}` } };
  const assertOtherCopy = (err, what) => {
    assert.equal(err?.code, 'ERR_JWKS_INVALID', `${what}: ${err?.code} ${err?.message}`);
    assert.match(err.message, /another copy of jwks-verify/, what);
  };
  let cases = 0;
  for (const [from, to] of [[esm, cjs], [cjs, esm]]) {
    const direction = from === esm ? 'esm keys -> cjs' : 'cjs keys -> esm';
    // Each copy accepts its own keys (the test's control).
    assert.equal((await from.verifyJwt(token, from.parseJwks(jwks), options)).payload.sub, 'alice');
    const sources = {
      'parseJwks': () => from.parseJwks(jwks),
      'parseJwks with options': () => from.parseJwks(jwks, { allowPrivate: false }),
      'RemoteJwks': () => new from.RemoteJwks('https://issuer.example/jwks', { fetch }),
      'RemoteJwks#keySet()': async () => new from.RemoteJwks('https://issuer.example/jwks', { fetch }).keySet(),
      'resolver returning it': () => async () => from.parseJwks(jwks),
    };
    for (const [name, make] of Object.entries(sources)) {
      const what = `${direction}: ${name}`;
      const keys = await make();
      const remote = typeof keys === 'function' || typeof keys?.keySetFor === 'function';
      assertOtherCopy(await thrownBy(() => to.verifyJwt(token, keys, options)), `verifyJwt ${what}`);
      assertOtherCopy(await thrownBy(() => to.createVerifier(keys, options).verify(token)), `createVerifier ${what}`);
      assertOtherCopy(await thrownBy(() => to.verifyAccessToken(token, keys, options)), `verifyAccessToken ${what}`);
      assertOtherCopy(await thrownBy(() => to.authenticateRequest(request, { keys, ...options })), `authenticateRequest ${what}`);
      cases += 4;
      if (!remote) {
        assertOtherCopy(await thrownBy(() => to.verifyJwtSync(token, keys, options)), `verifyJwtSync ${what}`);
        assertOtherCopy(await thrownBy(() => to.explainSelection(keys, token)), `explainSelection ${what}`);
        cases += 2;
      }
    }
  }
  assert.equal(cases, 2 * (5 * 4 + 3 * 2));
});
