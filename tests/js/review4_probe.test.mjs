// Attack review of the key-fetching and resource-server paths as a whole ("fail open,
// unbounded, hang"): RemoteJwks, discoverJwks, TrustedIssuers and authenticateRequest under an
// attacker who controls a token, a request or an endpoint, and an operator whose options object
// is not plain data (getters, Proxies) or whose process has a polluted Object.prototype.
// Fake fetches only (globalThis.fetch replaced, always restored): no network. Each test failed
// before its fix: remote options read twice and inherited members read by the fetch (337210c),
// an unreadable `redirected` read as "no" (14d9e89), request members and keySetFor taken from
// Object.prototype (135083f, a0b086b). ~560 generated cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import * as api from '../../pkg/node.mjs';
import { polluted, seededInt } from './helpers.mjs';

const { RemoteJwks, discoverJwks, TrustedIssuers, verifyJwt, authenticateRequest } = api;

const b64u = (value) => Buffer.from(value).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

function makeKey(kid) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' } };
}

function sign(key, claims = {}, header = {}) {
  const h = b64u(JSON.stringify({ alg: 'ES256', kid: key.kid, ...header }));
  const p = b64u(JSON.stringify({ sub: 'probe', iat: nowS(), exp: nowS() + 3600, ...claims }));
  const s = cryptoSign('sha256', Buffer.from(`${h}.${p}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${h}.${p}.${b64u(s)}`;
}

async function outcome(promise) {
  try {
    const value = await promise;
    return value?.ok === false ? `refused ${value.status}` : 'ok';
  } catch (err) {
    return err?.code ?? `${err?.name}: ${err?.message}`;
  }
}

const ISSUER = 'https://issuer.example';
const JWKS_URL = `${ISSUER}/jwks`;
// Both keys carry the same kid: which set is served decides which token verifies.
const honestKey = makeKey('k');
const evilKey = makeKey('k');

/** An upstream answering metadata and the honest set (or `body()`), counting its requests. */
function upstream({ delayMs = 0, body = () => JSON.stringify({ keys: [honestKey.jwk] }) } = {}) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), headers: Object.fromEntries(new Headers(init?.headers ?? {})) });
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (String(url).endsWith('/.well-known/openid-configuration')) {
      return new Response(JSON.stringify({ issuer: ISSUER, jwks_uri: JWKS_URL }), { status: 200 });
    }
    return new Response(body(), { status: 200 });
  };
  return { fetch, calls };
}

/** Runs `fn` with globalThis.fetch replaced by `fetch`. */
async function withGlobalFetch(fetch, fn) {
  const real = globalThis.fetch;
  globalThis.fetch = fetch;
  try {
    return await fn();
  } finally {
    globalThis.fetch = real;
  }
}

// Each entry point that fetches keys: verify `token` through it, with `options` as its remote
// options (TrustedIssuers: the token's iss picks the issuer; authenticateRequest: an access token).
const entries = {
  'RemoteJwks': (token, options) => verifyJwt(token, new RemoteJwks(JWKS_URL, options)),
  'RemoteJwks.fromState(null)': (token, options) => verifyJwt(token, RemoteJwks.fromState(JWKS_URL, null, options)),
  'discoverJwks': async (token, options) => verifyJwt(token, await discoverJwks(ISSUER, options)),
  'TrustedIssuers': (token, options) => verifyJwt(token, new TrustedIssuers([ISSUER], options)),
  'authenticateRequest': (token, options) => authenticateRequest(
    new Request('https://api.example/r', { headers: { authorization: `Bearer ${token}` } }),
    { keys: new RemoteJwks(JWKS_URL, options), issuer: ISSUER, audience: 'api' },
  ),
};

const accessClaims = () => ({ iss: ISSUER, aud: 'api', client_id: 'c', jti: `j${Math.random()}` });
const tokenOf = (entry, key) => sign(key, { iss: ISSUER, ...accessClaims() }, entry === 'authenticateRequest' ? { typ: 'at+jwt' } : {});

test('an inherited option (a polluted Object.prototype) never reaches a fetch: the core reads own members only, and so does the fetch', async () => {
  // What a pollution would do if it were read: another set served, another store, extra headers,
  // no size limit, a deadline no fetch meets.
  const evil = { fetches: 0, storeReads: 0, storeWrites: 0 };
  const evilFetch = async () => {
    evil.fetches++;
    return new Response(JSON.stringify({ keys: [evilKey.jwk] }), { status: 200 });
  };
  const evilStore = {
    get: async () => {
      evil.storeReads++;
      return JSON.stringify({ version: 1, url: JWKS_URL, jwks: { keys: [evilKey.jwk] }, fetchedAtMs: Date.now(), expiresAtMs: Date.now() + 60000 });
    },
    set: async () => {
      evil.storeWrites++;
    },
  };
  const pollutions = {
    fetch: evilFetch,
    store: evilStore,
    headers: { 'x-polluted': 'yes', authorization: 'Bearer stolen' },
    maxBytes: 1e12,
    timeoutMs: 1,
  };
  const shapes = [{}, { cooldownMs: 0 }, { timeoutMs: 3000, headers: { 'x-own': '1' } }, Object.create(null)];
  let cases = 0;
  for (const [name, value] of Object.entries(pollutions)) {
    for (const [entry, run] of Object.entries(entries)) {
      for (const shape of shapes) {
        const label = `Object.prototype.${name} via ${entry} with ${JSON.stringify(shape)}`;
        cases++;
        evil.fetches = evil.storeReads = evil.storeWrites = 0;
        if (name === 'maxBytes') {
          // A body over the default maxBytes (1 MB) is refused whatever the prototype says.
          const { fetch } = upstream({ body: () => JSON.stringify({ keys: [honestKey.jwk], pad: 'x'.repeat(1048576) }) });
          const got = await withGlobalFetch(fetch, () => polluted(name, value, () => outcome(run(tokenOf(entry, honestKey), { ...shape }))));
          // discoverJwks reads small metadata first; the set itself is what is refused.
          assert.equal(got, 'ERR_JWKS_FETCH_FAILED', label);
          continue;
        }
        // timeoutMs: the upstream answers after 20 ms, well within the default 5000.
        const { fetch, calls } = upstream({ delayMs: name === 'timeoutMs' ? 20 : 0 });
        const options = { ...shape };
        const good = await withGlobalFetch(fetch, () => polluted(name, value, () => outcome(run(tokenOf(entry, honestKey), options))));
        const bad = await withGlobalFetch(fetch, () => polluted(name, value, () => outcome(run(tokenOf(entry, evilKey), options))));
        assert.equal(good, 'ok', `${label}: the honest token`);
        assert.notEqual(bad, 'ok', `${label}: the token signed by the key a polluted member would serve`);
        assert.deepEqual(evil, { fetches: 0, storeReads: 0, storeWrites: 0 }, label);
        for (const call of calls) {
          assert.equal(call.headers['x-polluted'], undefined, `${label}: ${call.url}`);
          assert.equal(call.headers.authorization, undefined, `${label}: ${call.url}`);
        }
        assert.ok(calls.length >= 1, label);
      }
    }
  }
  assert.equal(cases, 5 * 5 * 4);
});

// A getter (or a Proxy) that answers differently on each read: the core checks one reading,
// and the fetch must use that same reading, never a later one the core did not check.
test('remote options are read once, by one reading the core checks and the fetch uses (getters and Proxies that change their answer)', async () => {
  const next = seededInt(0x5eed4);
  // Per member: the value a first read gives, and what later reads give (each pair accepted by
  // the core on its own, so that a double read is not caught as a wrong option).
  const flips = {
    maxBytes: [[200, 1e9], [1e9, 200]],
    timeoutMs: [[1, 5000], [5000, 1]],
    fetch: 'fetch',
    headers: [[{ 'x-first': 'a' }, { 'x-later': 'b' }]],
  };
  let cases = 0;
  for (let round = 0; round < 12; round++) {
    for (const [entry, run] of Object.entries(entries)) {
      for (const [name, pairs] of Object.entries(flips)) {
        cases++;
        const reads = { count: 0 };
        const a = upstream({ delayMs: 15 });
        const b = upstream({ delayMs: 15, body: () => JSON.stringify({ keys: [evilKey.jwk] }) });
        let first;
        let later;
        if (pairs === 'fetch') [first, later] = [a.fetch, b.fetch];
        else [first, later] = next.pick(pairs);
        const target = name === 'fetch' ? {} : { fetch: a.fetch };
        const useProxy = next(2) === 0;
        const options = useProxy
          ? new Proxy(target, {
            ownKeys: (t) => [...Reflect.ownKeys(t), name],
            getOwnPropertyDescriptor: (t, key) => (key === name ? { value: undefined, enumerable: true, configurable: true, writable: true } : Reflect.getOwnPropertyDescriptor(t, key)),
            get: (t, key) => {
              if (key !== name) return Reflect.get(t, key);
              return reads.count++ === 0 ? first : later;
            },
          })
          : Object.defineProperty(target, name, { enumerable: true, get: () => (reads.count++ === 0 ? first : later) });
        // The same options as plain data holding the first answer: what the call must do.
        const plain = { ...(name === 'fetch' ? {} : { fetch: a.fetch }), [name]: first };
        const label = `${entry}: ${name} via a ${useProxy ? 'Proxy' : 'getter'}, first ${typeof first === 'function' ? 'fetch a' : JSON.stringify(first)}`;
        const honest = tokenOf(entry, honestKey);
        const got = await outcome(run(honest, options));
        const expected = await outcome(run(honest, plain));
        assert.equal(got, expected, label);
        assert.equal(reads.count, 1, `${label}: read ${reads.count} times`);
        if (name === 'fetch') assert.equal(b.calls.length, 0, label);
        if (name === 'headers') {
          for (const call of a.calls) assert.equal(call.headers['x-later'], undefined, `${label}: ${call.url}`);
        }
      }
    }
  }
  assert.equal(cases, 12 * 5 * 4);
});

test('TrustedIssuers reads its options once: every issuer discovered later uses that reading', async () => {
  const issuers = Array.from({ length: 6 }, (_, i) => `https://issuer${i}.example`);
  const keyOf = new Map(issuers.map((issuer) => [issuer, makeKey('k')]));
  const honest = { calls: 0 };
  const fetchFor = (counter) => async (url) => {
    counter.calls++;
    const { origin, pathname } = new URL(String(url));
    if (pathname === '/.well-known/openid-configuration') return new Response(JSON.stringify({ issuer: origin, jwks_uri: `${origin}/jwks` }));
    return new Response(JSON.stringify({ keys: [(counter === honest ? keyOf.get(origin) : evilKey).jwk] }));
  };
  const evil = { calls: 0 };
  const options = { fetch: fetchFor(honest), maxIssuers: 3 };
  const trusted = new TrustedIssuers(issuers, options);
  assert.equal(await outcome(verifyJwt(sign(keyOf.get(issuers[0]), { iss: issuers[0] }), trusted)), 'ok');
  // Edits after the first use (another fetch, a bad header): no later discovery takes them.
  options.fetch = fetchFor(evil);
  options.headers = { 'bad name': 'x' };
  for (const issuer of issuers) {
    assert.equal(await outcome(verifyJwt(sign(keyOf.get(issuer), { iss: issuer }), trusted)), 'ok', issuer);
    assert.equal(await outcome(verifyJwt(sign(evilKey, { iss: issuer }), trusted)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', issuer);
  }
  assert.equal(evil.calls, 0);
});

// A custom fetch's answer, however odd: every one settles within timeoutMs (plus a margin) with a
// remote error code, never resolves to keys it cannot vouch for, and leaves no unhandled
// rejection. A member that cannot be read (a throwing getter or Proxy trap) is refused, never
// read as "not redirected" (it was accepted before).
test('odd answers of a custom fetch: each a remote error within timeoutMs, an unreadable redirect marker refused', async () => {
  const body = JSON.stringify({ keys: [honestKey.jwk] });
  const thrower = (kind) => () => {
    if (kind === 'primitive') throw 'no'; // eslint-disable-line no-throw-literal
    throw new Error(`no ${kind}`);
  };
  const answers = {
    'null': () => null,
    'a number': () => 42,
    'a string': () => body,
    'no body': () => ({ status: 200 }),
    'text() throws': () => ({ status: 200, text: thrower('text') }),
    'a 5 MB text()': () => ({ status: 200, text: async () => 'x'.repeat(5e6) }),
    'a 5 MB arrayBuffer()': () => ({ status: 200, arrayBuffer: async () => new ArrayBuffer(5e6) }),
    'a stream that errors': () => new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('{"keys"')); c.error(new Error('mid')); } })),
    'a stream that never ends': () => new Response(new ReadableStream({ pull: () => new Promise(() => {}) })),
    'a response that never comes': () => new Promise(() => {}),
    'a thenable that never settles': () => ({ then() {} }),
    'a lying Content-Length': () => new Response('x'.repeat(3e6), { headers: { 'content-length': '10' } }),
    'a used body': () => {
      const response = new Response(body);
      response.text();
      return response;
    },
    'status "200" as text': () => ({ status: '200', text: async () => body }),
    'UTF-16': () => new Response(new Uint8Array([0xff, 0xfe, 0x7b, 0x00])),
    'a 302 with a Location': () => new Response(null, { status: 302, headers: { location: 'https://elsewhere.example/jwks' } }),
    'redirected: true': () => Object.defineProperty(new Response(body), 'redirected', { value: true }),
    'type "opaqueredirect"': () => Object.defineProperty(new Response(body), 'type', { value: 'opaqueredirect' }),
  };
  for (const member of ['status', 'type', 'redirected']) {
    for (const kind of ['Error', 'primitive']) {
      answers[`${member} getter throws (${kind})`] = () => Object.defineProperty(new Response(body), member, { get: thrower(kind) });
      answers[`a Proxy whose get of ${member} throws (${kind})`] = () => {
        const response = new Response(body);
        return new Proxy(response, { get: (t, key) => (key === member ? thrower(kind)() : (typeof t[key] === 'function' ? t[key].bind(t) : t[key])) });
      };
    }
  }
  let unhandled = 0;
  const onUnhandled = () => unhandled++;
  process.on('unhandledRejection', onUnhandled);
  const timeoutMs = 150;
  let cases = 0;
  try {
    for (const [name, answer] of Object.entries(answers)) {
      for (const [entry, run] of Object.entries(entries)) {
        cases++;
        // Discovery gets good metadata; the key set's answer is the odd one.
        const fetch = async (url) => (String(url).endsWith('/openid-configuration')
          ? new Response(JSON.stringify({ issuer: ISSUER, jwks_uri: JWKS_URL }))
          : answer());
        const started = Date.now();
        const got = await outcome(run(tokenOf(entry, honestKey), { fetch, timeoutMs }));
        const took = Date.now() - started;
        assert.ok(['ERR_JWKS_FETCH_FAILED', 'ERR_JWKS_INVALID', 'ERR_JWKS_TIMEOUT'].includes(got), `${name} via ${entry}: ${got}`);
        assert.ok(took < timeoutMs * 2 + 500, `${name} via ${entry}: ${took} ms`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(unhandled, 0);
  assert.equal(cases, Object.keys(answers).length * 5);
});

// The request is read as what it is: its own members or its class's (Node's IncomingMessage
// has headersDistinct on its prototype, Headers its get), never one a polluted Object.prototype
// lends. Before, Object.prototype.headersDistinct made every request carry its token: a Fetch
// Request with another token, or none, authenticated as the pollution's token.
test('authenticateRequest: a polluted Object.prototype never supplies a request\'s credentials, URL or connection', async () => {
  const options = { keys: { keys: [honestKey.jwk] }, issuer: ISSUER, audience: 'api' };
  const token = (sub) => sign(honestKey, { ...accessClaims(), sub }, { typ: 'at+jwt' });
  const victim = token('victim');
  const attacker = token('attacker');
  const pollutions = {
    headersDistinct: { authorization: [`Bearer ${attacker}`] },
    get: (name) => (name === 'authorization' ? `Bearer ${attacker}` : null),
    headers: { authorization: `Bearer ${attacker}`, host: 'api.example' },
    socket: { encrypted: true },
    encrypted: true,
    url: 'https://api.example/r',
    method: 'GET',
  };
  const requests = {
    'a Fetch Request with a token': () => new Request('https://api.example/r', { headers: { authorization: `Bearer ${victim}` } }),
    'a Fetch Request without one': () => new Request('https://api.example/r'),
    'a Node-style object with a token': () => ({ method: 'GET', url: '/r', headers: { host: 'api.example', authorization: `Bearer ${victim}` } }),
    'a Node-style object without one': () => ({ method: 'GET', url: '/r', headers: { host: 'api.example' } }),
    'a Node-style object without headers': () => ({ method: 'GET', url: '/r' }),
  };
  let cases = 0;
  for (const [name, value] of Object.entries(pollutions)) {
    for (const [what, make] of Object.entries(requests)) {
      cases++;
      const label = `Object.prototype.${name} with ${what}`;
      const clean = await authenticateRequest(make(), options);
      // Made outside the pollution (the Fetch standard's own dictionaries read inherited members).
      const request = make();
      const result = await polluted(name, value, () => authenticateRequest(request, options));
      assert.equal(result.payload?.sub, clean.payload?.sub, label);
      assert.equal(result.ok, clean.ok, label);
      assert.equal(result.status, clean.status, label);
      assert.notEqual(result.payload?.sub, 'attacker', label);
    }
  }
  assert.equal(cases, 7 * 5);
});

// Keys that need the token (a RemoteJwks or TrustedIssuers of any copy of the package) are
// recognised by their class's keySetFor, never by one Object.prototype lends: a polluted
// Object.prototype.keySetFor made every KeysInput, a KeySet included, take its keys from it.
test('a polluted Object.prototype.keySetFor never stands in for the keys given (every KeysInput form, every async entry point)', async () => {
  const { createVerifier, parseJwks, verifyAccessToken } = api;
  let asked = 0;
  const evilSet = parseJwks({ keys: [evilKey.jwk] });
  const keySetFor = async () => {
    asked++;
    return evilSet;
  };
  const forms = {
    'a JWK': () => honestKey.jwk,
    'a JWKS object': () => ({ keys: [honestKey.jwk] }),
    'JWKS text': () => JSON.stringify({ keys: [honestKey.jwk] }),
    'JWK text': () => JSON.stringify(honestKey.jwk),
    'a KeySet': () => parseJwks({ keys: [honestKey.jwk] }),
    'a resolver returning a JWKS': () => () => ({ keys: [honestKey.jwk] }),
  };
  const paths = {
    verifyJwt: (token, keys) => verifyJwt(token, keys),
    'createVerifier().verify': (token, keys) => createVerifier(keys).verify(token),
    verifyAccessToken: (token, keys) => verifyAccessToken(token, keys, { issuer: ISSUER, audience: 'api' }),
    authenticateRequest: (token, keys) => authenticateRequest(new Request('https://api.example/r', { headers: { authorization: `Bearer ${token}` } }), { keys, issuer: ISSUER, audience: 'api' }),
  };
  const tokenFor = (path, key) => sign(key, { iss: ISSUER, ...accessClaims() }, path === 'verifyAccessToken' || path === 'authenticateRequest' ? { typ: 'at+jwt' } : {});
  let cases = 0;
  for (const [form, make] of Object.entries(forms)) {
    for (const [path, run] of Object.entries(paths)) {
      cases++;
      const label = `${form} via ${path}`;
      const keys = make();
      const honestToken = tokenFor(path, honestKey);
      const evilToken = tokenFor(path, evilKey);
      const [good, bad] = await polluted('keySetFor', keySetFor, async () => [await outcome(run(honestToken, keys)), await outcome(run(evilToken, keys))]);
      assert.equal(good, 'ok', label);
      assert.notEqual(bad, 'ok', label);
    }
  }
  assert.equal(asked, 0);
  assert.equal(cases, 6 * 4);
  // A RemoteJwks and a TrustedIssuers are still keys found per token (their class has keySetFor).
  for (const keys of [new RemoteJwks(JWKS_URL, { fetch: upstream().fetch }), new TrustedIssuers([ISSUER], { fetch: upstream().fetch })]) {
    assert.equal(await outcome(verifyJwt(sign(honestKey, { iss: ISSUER }), keys)), 'ok');
    assert.equal(await outcome(verifyJwt(sign(evilKey, { iss: ISSUER }), keys)), 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED');
  }
});
