// Attack review of the replay clock (63ec0f6), the URL-as-keys check (dc80bb7) and the
// another-copy KeySet marker (3c31749): a token accepted once is refused by every later check
// within its window, whatever the stores, copies and clocks between; legitimate key sets are
// never misreported as URLs; an object carrying the marker never changes a verdict.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import * as esm from '../../pkg/node.mjs';
import { mint, outcome } from './helpers.mjs';
import { replayProfiles } from './support/replay-profiles.mjs';

const cjs = createRequire(import.meta.url)('../../pkg/node.cjs');
const { ReplayCache, verifyJwt, parseJwks } = esm;

const hostNow = () => Math.floor(Date.now() / 1000);

// The tests are made per profile, so the profiles exist before them.
const { signer, jwks, profiles: PROFILES } = await replayProfiles();

const PAST = [-10 * 365 * 86400, -400 * 86400, -86400, -3601, -601];

// --- 1. the replay clock ---------------------------------------------------------------------

for (const [name, make] of Object.entries(PROFILES)) {
  // What holds the keys: a default ReplayCache the library calls (a subclass, the CommonJS
  // copy's), or one a store of the caller's wraps, on a clock of the checks' notion of now (a
  // wrapper's own markUsed calls run on the host clock, as README says).
  const wrappers = {
    'a subclass': () => new (class extends ReplayCache { markUsed(k, e) { return super.markUsed(k, e); } })(),
    'the CommonJS copy\'s ReplayCache': () => new cjs.ReplayCache(),
    'a subclass of the CommonJS copy\'s': () => new (class extends cjs.ReplayCache { markUsed(k, e) { return super.markUsed(k, e); } })(),
    'a sync wrapper, cache on a clock': (past) => { const cache = new ReplayCache({ clock: () => past }); return { markUsed: (k, e) => cache.markUsed(k, e) }; },
    'an async wrapper, cache on a clock': (past) => { const cache = new ReplayCache({ clock: () => past }); return { async markUsed(k, e) { await null; return cache.markUsed(k, e); } }; },
  };
  for (const [what, wrap] of Object.entries(wrappers)) {
    test(`${name}: ${what} keeps a token single-use at past dates`, async () => {
      let cases = 0;
      for (const offset of PAST) {
        const past = hostNow() + offset;
        const store = wrap(past);
        const check = await make(past);
        assert.equal((await outcome(() => check(store, past))).ok, true);
        for (let i = 0; i < 2; i++) {
          const other = await make(past);
          // Another token in between: its markUsed forgets the keys expired by its clock.
          assert.equal((await outcome(() => other(store, past))).ok, true, `${what}: a fresh token at ${offset} s`);
          const again = await outcome(() => check(store, past));
          assert.equal(again.code, 'ERR_JWT_REPLAYED', `${what}, ${name} at ${offset} s: ${JSON.stringify(again)}`);
        }
        cases++;
      }
      assert.equal(cases, PAST.length);
    });
  }
}

test('the check\'s now never leaks into a markUsed the library did not make', async () => {
  let cases = 0;
  for (const offset of [10 * 365 * 86400, 86400, 3600]) {
    const mine = new ReplayCache();
    const key = `mine ${randomUUID()}`;
    assert.equal(mine.markUsed(key, hostNow() + 60), true);
    // A store of the caller's own that also marks an unrelated key of its own, in a check far ahead.
    const store = { markUsed(k, e) { mine.markUsed(`mine ${randomUUID()}`, hostNow() + 60); return true; } };
    const check = await PROFILES.dpop(hostNow() + offset);
    assert.equal((await outcome(() => check(store, hostNow() + offset))).ok, true);
    assert.equal(mine.size >= 2, true, `a check ${offset} s ahead made the caller's own cache forget a live key`);
    assert.equal(mine.markUsed(key, hostNow() + 60), false, `a check ${offset} s ahead made the caller's own cache forget a live key`);
    cases++;
  }
  assert.equal(cases, 3);
});

test('a store that throws or never settles leaves direct markUsed calls on the host clock', async () => {
  for (const store of [
    { markUsed() { throw new Error('down'); } },
    { markUsed() { return new Promise(() => {}); } },
  ]) {
    const check = await PROFILES.dpop(hostNow() + 86400 * 30);
    const r = await outcome(() => check(store, hostNow() + 86400 * 30, { replayTimeoutMs: 20 }).catch((e) => { throw e; }));
    assert.notEqual(r.ok, true);
    const cache = new ReplayCache();
    assert.equal(cache.markUsed('s k', hostNow() + 60), true);
    assert.equal(cache.markUsed('s k', hostNow() + 60), false);
  }
});

test('a clock option that returns a non-number is refused, not silently replaced', async () => {
  let cases = 0;
  for (const value of [undefined, null, NaN, Infinity, -Infinity, '1700000000', {}, true]) {
    const cache = new ReplayCache({ clock: () => value });
    let err;
    try { cache.markUsed('s j', hostNow() + 60); } catch (e) { err = e; }
    assert.ok(err instanceof TypeError, `clock returning ${String(value)}: ${err}`);
    assert.equal(err.code, 'ERR_INVALID_OPTION');
    // Through a check: refused (fail closed), with a code.
    const check = await PROFILES.dpop(hostNow());
    const r = await outcome(() => check(new ReplayCache({ clock: () => value }), undefined));
    assert.notEqual(r.ok, true, `clock returning ${String(value)} accepted a proof`);
    assert.equal(typeof r.code, 'string');
    cases++;
  }
  assert.equal(cases, 8);
});

// The invariant: never accepted at or after the expiresAt its key was stored with, and
// single-use at every date before it.
test('never accepted at or after its expiresAt; single-use before it (generated dates, tolerances, maxAge)', async () => {
  let cases = 0;
  const base = hostNow() - 5 * 86400;
  for (let i = 0; i < 24; i++) {
    const name = ['assertion', 'webhook', 'dpop'][i % 3];
    const tolerance = [0, 1, 5, 30, 59][i % 5];
    const maxAge = [1, 10, 60, 300, 3600][(i * 7) % 5];
    const extra = { clockTolerance: tolerance, ...(name === 'assertion' ? {} : { maxAge }) };
    const at = base + i * 1000;
    const check = await PROFILES[name](at, { lifetime: [1, 30, 120][i % 3] });
    let stored;
    const recorder = { markUsed(k, e) { stored = e; return true; } };
    const first = await outcome(() => check(recorder, at, extra));
    assert.equal(first.ok, true, `${name} #${i}: ${JSON.stringify(first)}`);
    assert.equal(typeof stored, 'number');
    for (const d of [0, 0.001, 0.5, 1, 2, 1000]) {
      const when = new Date(Math.round((stored + d) * 1000));
      const r = await outcome(() => check({ markUsed: () => true }, when, extra));
      assert.notEqual(r.ok, true, `${name} #${i} accepted ${d} s after its expiresAt ${stored}`);
      cases++;
    }
    // Single use at every date in [at, expiresAt) through one default cache, dates in random order.
    const cache = new ReplayCache();
    const dates = [];
    for (let t = at; t < stored && dates.length < 8; t += Math.max(1, Math.floor((stored - at) / 7))) dates.push(t);
    dates.push(stored - 0.001);
    dates.sort(() => Math.random() - 0.5);
    let accepted = 0;
    for (const t of dates) {
      const r = await outcome(() => check(cache, new Date(Math.round(t * 1000)), extra));
      if (r.ok) accepted++;
      cases++;
    }
    assert.ok(accepted <= 1, `${name} #${i}: accepted ${accepted} times before ${stored}`);
  }
  assert.ok(cases > 200, `${cases}`);
});

// --- 2. the URL check and the another-copy marker ------------------------------------------

const WS = ['', ' ', '\n', '\t', '\r\n', ' \n\t '];

test('a legitimate JWK Set (text, any JSON whitespace, URLs in its members) is never told it is a URL', async () => {
  let cases = 0;
  const token = await mint(signer, { sub: 'a', iat: hostNow(), exp: hostNow() + 60 });
  const variants = [
    { keys: [{ ...signer.jwk, x5u: 'https://example.com/x5u' }] },
    { keys: [{ ...signer.jwk, x5u: 'http://example.com/x5u' }] },
    { ...signer.jwk, x5u: 'http://k' },
    { keys: [signer.jwk], issuer: 'https://example.com/jwks.json' },
  ];
  for (const ws of WS) {
    for (const set of variants) {
      for (const api of [esm, cjs]) {
        const text = `${ws}${JSON.stringify(set, null, ws.includes('\n') ? 2 : 0)}${ws}`;
        const r = await outcome(() => api.verifyJwt(token, text));
        assert.equal(r.ok, true, `${JSON.stringify(text)}: ${JSON.stringify(r)}`);
        cases++;
      }
    }
  }
  assert.equal(cases, WS.length * variants.length * 2);
});

test('a URL as the keys: ERR_JWKS_INVALID naming RemoteJwks; broken sets keep their own message', async () => {
  let cases = 0;
  const token = await mint(signer, { sub: 'a', iat: hostNow(), exp: hostNow() + 60 });
  for (const ws of WS) {
    for (const url of ['https://as.example/jwks.json', 'HTTP://as.example/', 'hTTps://x']) {
      for (const keys of [`${ws}${url}`, `${ws}"${url}"`, `${ws}${url}${ws}`, new URL(url)]) {
        for (const api of [esm, cjs]) {
          const r = await outcome(() => api.verifyJwt(token, keys));
          assert.equal(r.code, 'ERR_JWKS_INVALID', `${String(keys)}`);
          assert.match(r.message ?? (await api.verifyJwt(token, keys).catch((e) => e)).message, /RemoteJwks/);
          cases++;
        }
      }
    }
  }
  for (const bad of ['{"keys": [', '[', 'ftp://x', 'httpx', '"http:/x"', '{"keys":"https://x"}', 'null', '']) {
    const err = await verifyJwt(token, bad).catch((e) => e);
    assert.equal(err.code, 'ERR_JWKS_INVALID', bad);
    assert.doesNotMatch(err.message, /RemoteJwks/, bad);
    cases++;
  }
  assert.ok(cases > 100);
});

test('a JWKS endpoint whose body is a URL is not told to use a RemoteJwks it already is', async () => {
  const token = await mint(signer, { sub: 'a', iat: hostNow(), exp: hostNow() + 60 });
  let cases = 0;
  for (const body of ['https://as.example/jwks.json', '"https://as.example/jwks.json"', ' http://x']) {
    const remote = new esm.RemoteJwks('https://as.example/jwks.json', {
      fetch: async () => new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }),
      cooldownMs: 0,
    });
    const err = await verifyJwt(token, remote).catch((e) => e);
    assert.ok(err instanceof Error && typeof err.code === 'string', String(err));
    assert.doesNotMatch(err.message, /new RemoteJwks\(url\)/, `body ${body}: ${err.message}`);
    cases++;
  }
  assert.equal(cases, 3);
});

test('an object carrying the KeySet marker never verifies and always fails with a code', async () => {
  const MARK = Symbol.for('jwks-verify.KeySet');
  const token = await mint(signer, { sub: 'a', iat: hostNow(), exp: hostNow() + 60 });
  const foreign = cjs.parseJwks(jwks);
  const inputs = {
    'a plain object with the marker': { [MARK]: true },
    'a JWK Set with the marker': { keys: [signer.jwk], [MARK]: true },
    'a JWK Set with the marker false': { keys: [signer.jwk], [MARK]: false },
    'a Proxy whose get throws': new Proxy({}, { get() { throw new Error('trap'); } }),
    'a Proxy of a KeySet': new Proxy(esm.parseJwks(jwks), {}),
    'a Proxy of a foreign KeySet': new Proxy(foreign, {}),
    'Object.create(KeySet.prototype)': Object.create(esm.KeySet.prototype),
    'a foreign KeySet': foreign,
  };
  let cases = 0;
  for (const [what, keys] of Object.entries(inputs)) {
    const via = {
      verifyJwt: () => verifyJwt(token, keys),
      parseJwks: () => parseJwks(keys),
      resolver: () => verifyJwt(token, { keySetFor: () => keys }),
      authenticateRequest: () => esm.authenticateRequest({ method: 'GET', url: 'https://rs.example/', headers: { authorization: `Bearer ${token}` } }, { keys, audience: 'x', issuer: 'y' }),
    };
    for (const [path, call] of Object.entries(via)) {
      let result;
      try { result = await call(); } catch (e) { result = e; }
      if (what === 'a JWK Set with the marker false' && (path === 'verifyJwt' || path === 'parseJwks')) {
        assert.ok(!(result instanceof Error), `${what} via ${path}: ${result}`);
      } else if (path === 'authenticateRequest' && !(result instanceof Error)) {
        assert.notEqual(result.ok, true, `${what} via ${path}`);
      } else if (path !== 'authenticateRequest' || result instanceof Error) {
        if (path === 'parseJwks' && !(result instanceof Error)) assert.fail(`${what} via parseJwks parsed`);
        if (!(result instanceof Error)) assert.fail(`${what} via ${path} verified`);
        // A resolver's result is awaited: a Proxy whose `then` getter throws is the caller's own code throwing.
        if (!(what === 'a Proxy whose get throws' && path === 'resolver')) assert.equal(typeof result.code, 'string', `${what} via ${path}: ${result}`);
      }
      cases++;
    }
  }
  assert.equal(cases, 32);
});
