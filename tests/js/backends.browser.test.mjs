// The Chromium half of "every algorithm gives the same verdict on every backend" (issue 3):
// Debian's headless Chromium (playwright-core) loads the package's web entry from a loopback
// server and runs the Wycheproof JWS file, a token for every algorithm, and a table of claim
// cases once with setBackend('webcrypto') and once with setBackend('rust'). The two backends
// must agree with each other and with the expected outcome (for claims: what jose's jwtVerify
// says here in Node for the same token, options and "now").

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as jose from 'jose';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { ALGORITHMS, NOW, generateKey, jwksOf, mint, outcome, tamperSignature } from './helpers.mjs';

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const BACKENDS = ['webcrypto', 'rust'];
const OK = 'ok';
const SIG_FAILED = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';

let server;
let browser;
let page;
const pageErrors = [];

before(async () => {
  server = await startServer(0);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  // Any page of the server gives the module imports its origin.
  await page.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
  await page.evaluate(installCounter);
});

after(async () => {
  await browser?.close();
  server?.close();
  assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
});

// Runs in the page, before the package loads: counts crypto.subtle.verify calls, so that a
// test can tell that the webcrypto backend really used WebCrypto and the rust one did not.
// The backend's one-off Ed25519 support probe signs the empty message: not counted.
function installCounter() {
  const subtle = globalThis.crypto.subtle;
  const verify = subtle.verify.bind(subtle);
  globalThis.subtleVerifyCalls = 0;
  subtle.verify = (params, key, signature, data) => {
    if (data.byteLength > 0) globalThis.subtleVerifyCalls++;
    return verify(params, key, signature, data);
  };
}

// Runs in the page: each case `{ token, keys, options }` through verifyJwt once per backend,
// and through verifyJwtSync under rust (WebCrypto is asynchronous only). A row maps
// "<backend>/<function>" to `{ ok: true, payload }` or `{ ok: false, code, claim?, reason? }`,
// and `subtle` to the crypto.subtle.verify calls each backend made. `vectors`: fetch the
// Wycheproof file from the server and make the cases from it instead (skipping `skip`).
async function runInPage({ cases, vectors, skip, options: vectorOptions, backends }) {
  const lib = await import('/pkg/web.mjs');
  await lib.ready({ sync: true }); // the rust backend's RSA/ECDSA/EdDSA: the signature module
  const settle = async (fn) => {
    try {
      const result = await fn();
      return { ok: true, payload: result.payload };
    } catch (err) {
      if (err instanceof TypeError) return { ok: false, code: 'TypeError' };
      if (err?.code !== undefined) {
        const out = { ok: false, code: err.code };
        if (err.claim !== undefined) out.claim = err.claim;
        if (err.reason !== undefined) out.reason = err.reason;
        return out;
      }
      return { ok: false, code: `unexpected ${err?.name}: ${err?.message}` };
    }
  };
  if (vectors !== undefined) {
    const file = await (await fetch(vectors)).json();
    cases = [];
    for (const group of file.testGroups) {
      for (const vector of group.tests) {
        if (skip.includes(vector.tcId)) continue;
        cases.push({ tcId: vector.tcId, token: vector.jws, keys: group.public ?? group.private, options: vectorOptions });
      }
    }
  }
  const rows = [];
  try {
    for (const c of cases) {
      const row = { tcId: c.tcId, subtle: {} };
      for (const backend of backends) {
        lib.setBackend(backend);
        const chosen = lib.getBackend();
        if (chosen.async !== backend || chosen.sync !== 'rust') throw new Error(`setBackend(${backend}) gave ${JSON.stringify(chosen)}`);
        const callsBefore = globalThis.subtleVerifyCalls;
        row[`${backend}/verifyJwt`] = await settle(() => lib.verifyJwt(c.token, c.keys, c.options));
        row.subtle[backend] = globalThis.subtleVerifyCalls - callsBefore;
        if (backend === 'rust') row['rust/verifyJwtSync'] = await settle(() => lib.verifyJwtSync(c.token, c.keys, c.options));
      }
      rows.push(row);
    }
  } finally {
    lib.setBackend('auto');
  }
  return rows;
}

const run = (cases) => page.evaluate(runInPage, { cases, backends: BACKENDS });

// The verdicts of a row, without the bookkeeping.
function verdictsOf(row) {
  const { tcId, subtle, ...verdicts } = row;
  return verdicts;
}

function assertAll(found, expected, label) {
  const wanted = Object.fromEntries(Object.keys(found).map((name) => [name, expected]));
  assert.deepEqual(found, wanted, label);
}

describe('backend choice in Chromium', () => {
  test('WebCrypto and Rust are available, WebCrypto is the async default, Rust the sync one', async () => {
    const found = await page.evaluate(async () => {
      const lib = await import('/pkg/web.mjs');
      await lib.ready();
      const chosen = lib.getBackend();
      let nodeRefused;
      try {
        lib.setBackend('node');
      } catch (err) {
        nodeRefused = err.code;
      }
      return { ...chosen, available: [...chosen.available].sort(), nodeRefused, after: lib.getBackend().async };
    });
    assert.deepEqual(found, {
      sync: 'rust', async: 'webcrypto', available: ['rust', 'webcrypto'], nodeRefused: 'ERR_JOSE_NOT_SUPPORTED', after: 'webcrypto',
    });
  });
});

describe('a token for every algorithm, minted by jose, on both backends', () => {
  let rows;
  before(async () => {
    const claims = { iss: 'https://issuer.example', sub: 'alice', iat: NOW - 10, exp: NOW + 600 };
    const cases = [];
    for (const alg of ALGORITHMS) {
      const key = await generateKey(alg);
      const token = await mint(key, claims);
      const options = { currentDate: NOW, ...(alg.startsWith('HS') && { algorithms: [alg] }) };
      cases.push({ alg, name: 'valid', token, keys: jwksOf([key]), options, expect: { ok: true, payload: claims } });
      cases.push({ alg, name: 'tampered signature', token: tamperSignature(token), keys: jwksOf([key]), options, expect: { ok: false, code: SIG_FAILED } });
    }
    rows = (await run(cases)).map((row, i) => ({ ...cases[i], row }));
  });

  for (const alg of ALGORITHMS) {
    test(alg, () => {
      for (const { name, expect, row } of rows.filter((c) => c.alg === alg)) {
        assertAll(verdictsOf(row), expect, `${alg}: ${name}`);
        // HS* run in Rust under either backend (backends.js); every other alg goes through
        // crypto.subtle.verify under webcrypto (EdDSA too: Chromium has Ed25519) and never under rust.
        assert.deepEqual(row.subtle, { webcrypto: alg.startsWith('HS') ? 0 : 1, rust: 0 }, `${alg}: ${name}: crypto.subtle.verify calls`);
      }
    });
  }
});

describe('Wycheproof JWS vectors give the same signature verdict on both backends', () => {
  const path = 'tests/vectors/wycheproof/testvectors_v1/json_web_signature_test.json';
  const vectors = JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'));
  const SKIP = [367, 370]; // KNOWN_ISSUES.json: byte-identical to valid tcId 357
  // KNOWN_ISSUES.json: '?' is not base64url (372, 373); key alg differs from the header (346,
  // 350) or is not a JWA name (347, 351). We refuse them.
  const REFUSED = new Set([372, 373, 346, 347, 350, 351]);
  // Errors that come before or from the signature check; any other outcome means the
  // signature was accepted (the payloads are often not JWT claims sets).
  const REJECTED = new Set([SIG_FAILED, 'ERR_JWS_INVALID', 'ERR_JWKS_NO_MATCHING_KEY']);
  const accepted = (found) => found.ok || (!REJECTED.has(found.code) && !found.code.startsWith('ERR_JOSE_'));
  const expectedTcIds = vectors.testGroups.flatMap((group) => group.tests.map((vector) => vector.tcId)).filter((tcId) => !SKIP.includes(tcId));

  let byTcId;
  before(async () => {
    const rows = await page.evaluate(runInPage, {
      vectors: `/${path}`, skip: SKIP, options: { algorithms: ALGORITHMS, currentDate: NOW }, backends: BACKENDS,
    });
    byTcId = new Map(rows.map((row) => [row.tcId, row]));
    assert.equal(byTcId.size, rows.length, 'one row per tcId');
  });

  test('the page ran every vector but the skipped ones (399)', () => {
    assert.equal(expectedTcIds.length, 399);
    assert.deepEqual([...byTcId.keys()], expectedTcIds);
  });

  for (const group of vectors.testGroups) {
    const jwk = group.public ?? group.private;
    test(`${group.comment} (${jwk.kty}, tcId ${group.tests[0].tcId}..${group.tests.at(-1).tcId})`, () => {
      for (const vector of group.tests) {
        if (SKIP.includes(vector.tcId)) continue;
        const found = verdictsOf(byTcId.get(vector.tcId));
        const verdict = Object.fromEntries(Object.entries(found).map(([name, result]) => [name, accepted(result)]));
        const expected = vector.result === 'valid' && !REFUSED.has(vector.tcId);
        assertAll(verdict, expected, `tcId ${vector.tcId} (${vector.comment}): ${JSON.stringify(found)}`);
      }
    });
  }
});

describe('claim rules: both backends agree with jose', () => {
  const ISS = 'https://issuer.example';
  const valid = { iss: ISS, sub: 'alice', aud: 'api', iat: NOW - 10, exp: NOW + 600 };
  const expired = (claim = 'exp') => ({ code: 'ERR_JWT_EXPIRED', claim, reason: 'check_failed' });
  const claimFailed = (claim, reason = 'check_failed') => ({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim, reason });

  // name, claims, options (without currentDate), expect; `header` extra protected header
  // members; `signer` 'rs' for the RSA key (default the ES256 key); `oursOnly`: an option
  // jose does not have, so the table alone is the expectation.
  const CASES = [
    { name: 'valid token', claims: valid, options: {}, expect: OK },
    { name: 'valid RS256 token', claims: valid, options: {}, signer: 'rs', expect: OK },
    { name: 'expired', claims: { exp: NOW - 1 }, options: {}, expect: expired() },
    { name: 'exp exactly at now', claims: { exp: NOW }, options: {}, expect: expired() },
    { name: 'exp one second after now', claims: { exp: NOW + 1 }, options: {}, expect: OK },
    { name: 'expired RS256 token', claims: { ...valid, exp: NOW - 1 }, options: {}, signer: 'rs', expect: expired() },
    { name: 'nbf in the future', claims: { nbf: NOW + 1 }, options: {}, expect: claimFailed('nbf') },
    { name: 'nbf exactly now', claims: { nbf: NOW }, options: {}, expect: OK },
    { name: 'nbf at the tolerance edge', claims: { nbf: NOW + 30 }, options: { clockTolerance: 30 }, expect: OK },
    { name: 'nbf one second past the tolerance', claims: { nbf: NOW + 31 }, options: { clockTolerance: 30 }, expect: claimFailed('nbf') },
    { name: 'exp inside the tolerance', claims: { exp: NOW - 29 }, options: { clockTolerance: 30 }, expect: OK },
    { name: 'exp at the tolerance edge (text)', claims: { exp: NOW - 30 }, options: { clockTolerance: '30s' }, expect: expired() },
    { name: 'nbf and exp both failing: nbf first', claims: { nbf: NOW + 10, exp: NOW - 10 }, options: {}, expect: claimFailed('nbf') },
    { name: 'exp a string', claims: { exp: String(NOW + 60) }, options: {}, expect: claimFailed('exp', 'invalid') },
    { name: 'iat a string (checked without maxTokenAge)', claims: { iat: String(NOW) }, options: {}, expect: claimFailed('iat', 'invalid') },
    { name: 'maxTokenAge: exactly the age', claims: { iat: NOW - 60 }, options: { maxTokenAge: 60 }, expect: OK },
    { name: 'maxTokenAge: one second too old', claims: { iat: NOW - 61 }, options: { maxTokenAge: 60 }, expect: expired('iat') },
    { name: 'maxTokenAge as text, old, inside the tolerance', claims: { iat: NOW - 90 }, options: { maxTokenAge: '1m', clockTolerance: 30 }, expect: OK },
    { name: 'maxTokenAge as text, old, past the tolerance', claims: { iat: NOW - 91 }, options: { maxTokenAge: '1m', clockTolerance: 30 }, expect: expired('iat') },
    { name: 'maxTokenAge: iat in the future', claims: { iat: NOW + 1 }, options: { maxTokenAge: 60 }, expect: claimFailed('iat') },
    { name: 'maxTokenAge makes iat required', claims: { exp: NOW + 60 }, options: { maxTokenAge: 60 }, expect: claimFailed('iat', 'missing') },
    { name: 'wrong iss', claims: valid, options: { issuer: 'https://other.example' }, expect: claimFailed('iss') },
    { name: 'iss in an issuer array', claims: valid, options: { issuer: ['https://other.example', ISS] }, expect: OK },
    { name: 'wrong aud', claims: valid, options: { audience: 'other' }, expect: claimFailed('aud') },
    { name: 'aud array containing the audience', claims: { ...valid, aud: ['x', 'api'] }, options: { audience: 'api' }, expect: OK },
    { name: 'audience array disjoint from an aud array', claims: { ...valid, aud: ['x', 'y'] }, options: { audience: ['api', 'z'] }, expect: claimFailed('aud') },
    { name: 'wrong sub', claims: valid, options: { subject: 'bob' }, expect: claimFailed('sub') },
    { name: 'iss, sub and aud all as expected', claims: valid, options: { issuer: ISS, subject: 'alice', audience: 'api' }, expect: OK },
    { name: 'wrong iss and expired: iss first', claims: { ...valid, exp: NOW - 1 }, options: { issuer: 'https://other.example' }, expect: claimFailed('iss') },
    { name: 'typ JWT vs application/jwt', claims: {}, header: { typ: 'application/jwt' }, options: { typ: 'JWT' }, expect: OK },
    { name: 'typ mismatch', claims: {}, header: { typ: 'at+jwt' }, options: { typ: 'JWT' }, expect: claimFailed('typ') },
    { name: 'typ required, header has none', claims: {}, options: { typ: 'JWT' }, expect: claimFailed('typ') },
    { name: 'requiredClaims: missing jti', claims: valid, options: { requiredClaims: ['jti'] }, expect: claimFailed('jti', 'missing') },
    { name: 'requiredClaims: two missing, the last listed reported', claims: valid, options: { requiredClaims: ['jti', 'nonce'] }, expect: claimFailed('nonce', 'missing') },
    { name: 'issuer makes iss required', claims: { exp: NOW + 60 }, options: { issuer: ISS }, expect: claimFailed('iss', 'missing') },
    { name: 'audience makes aud required', claims: { exp: NOW + 60 }, options: { audience: 'api' }, expect: claimFailed('aud', 'missing') },
    { name: 'subject makes sub required', claims: { exp: NOW + 60 }, options: { subject: 'alice' }, expect: claimFailed('sub', 'missing') },
    { name: 'clockTolerance not a duration', claims: valid, options: { clockTolerance: 'soon' }, expect: { code: 'TypeError' } },
    { name: 'allowMultipleAudiences false, two audiences', claims: { ...valid, aud: ['api', 'other'] }, options: { allowMultipleAudiences: false, audience: 'api' }, oursOnly: true, expect: claimFailed('aud', 'multiple_audiences') },
    { name: 'allowMultipleAudiences false, one audience in an array', claims: { ...valid, aud: ['api'] }, options: { allowMultipleAudiences: false, audience: 'api' }, oursOnly: true, expect: OK },
    { name: 'allowMultipleAudiences false, audience check first', claims: { ...valid, aud: ['x', 'y'] }, options: { allowMultipleAudiences: false, audience: 'api' }, oursOnly: true, expect: claimFailed('aud') },
  ];

  let rows;
  before(async () => {
    const signers = { es: await generateKey('ES256', { kid: 'es-1' }), rs: await generateKey('RS256', { kid: 'rs-1' }) };
    const keys = jwksOf([signers.es, signers.rs]);
    const joseKeys = jose.createLocalJWKSet(keys);
    const cases = [];
    for (const c of CASES) {
      const token = await mint(signers[c.signer ?? 'es'], c.claims, { header: c.header });
      const joseResult = c.oursOnly ? undefined : await outcome(() => jose.jwtVerify(token, joseKeys, { ...c.options, currentDate: new Date(NOW * 1000) }));
      cases.push({ token, keys, options: { ...c.options, currentDate: NOW }, joseResult });
    }
    rows = (await run(cases.map(({ joseResult, ...c }) => c))).map((row, i) => ({ ...cases[i], row }));
  });

  const expected = (expect) => (expect === OK ? { ok: true } : { ok: false, ...expect });
  const withoutPayload = ({ payload, ...rest }) => rest;

  CASES.forEach((c, i) => {
    test(c.name, () => {
      const { row, joseResult } = rows[i];
      const found = verdictsOf(row);
      const first = Object.values(found)[0];
      // Both backends, and both functions, come to exactly the same (payload included)...
      assertAll(found, first, 'webcrypto and rust agree');
      // ...which is what the case says...
      assert.deepEqual(withoutPayload(first), expected(c.expect), 'against the table');
      if (first.ok) assert.deepEqual(first.payload, c.claims, 'payload');
      // ...and what jose says for the same token, options and now.
      if (!c.oursOnly) assert.deepEqual(first, joseResult, 'against jose');
    });
  });
});

describe('the signature module in Chromium (issue 13)', () => {
  // A fresh page: the package's module state (ready, the signature module) starts empty.
  test('sync before ready() is ERR_NOT_READY; after ready({ sync: false }) ES256 is ERR_FALLBACK_NOT_LOADED, HS256 verifies; ready({ sync: true }) loads it; async verification never needs it', async () => {
    const es = await generateKey('ES256');
    const hs = await generateKey('HS256');
    const cases = {
      es: { token: await mint(es, { sub: 'alice' }), keys: jwksOf([es]) },
      hs: { token: await mint(hs, { sub: 'alice' }), keys: jwksOf([hs]) },
    };
    const fresh = await browser.newPage();
    const fetched = [];
    fresh.on('request', (request) => fetched.push(new URL(request.url()).pathname));
    try {
      await fresh.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
      const found = await fresh.evaluate(async (cases) => {
        const lib = await import('/pkg/web.mjs');
        const codeOf = (fn) => {
          try {
            fn();
            return 'ok';
          } catch (err) {
            return `${err.name} ${err.code}`;
          }
        };
        const out = {};
        out.beforeReady = codeOf(() => lib.verifyJwtSync(cases.hs.token, cases.hs.keys, { algorithms: ['HS256'] }));
        await lib.ready({ sync: false });
        out.esSyncWithout = codeOf(() => lib.verifyJwtSync(cases.es.token, cases.es.keys));
        out.hsSyncWithout = codeOf(() => lib.verifyJwtSync(cases.hs.token, cases.hs.keys, { algorithms: ['HS256'] }));
        out.esAsync = (await lib.verifyJwt(cases.es.token, cases.es.keys)).payload.sub;
        out.signatureFetchedBeforeSync = performance.getEntriesByType('resource').some((e) => e.name.includes('jwks_verify_signature'));
        let badOptions;
        try {
          await lib.ready({ sync: 'yes' });
        } catch (err) {
          badOptions = `${err.name} ${err.code}`;
        }
        out.badOptions = badOptions;
        await lib.ready({ sync: true });
        out.esSyncWith = lib.verifyJwtSync(cases.es.token, cases.es.keys).payload.sub;
        return out;
      }, cases);
      assert.deepEqual(found, {
        beforeReady: 'Error ERR_NOT_READY',
        esSyncWithout: 'Error ERR_FALLBACK_NOT_LOADED',
        hsSyncWithout: 'ok',
        esAsync: 'alice',
        signatureFetchedBeforeSync: false,
        badOptions: 'TypeError ERR_INVALID_OPTION',
        esSyncWith: 'alice',
      });
      assert.ok(fetched.some((p) => p.endsWith('/gen/jwks_verify_signature_bg.wasm')), 'ready({ sync: true }) fetched the signature module');
    } finally {
      await fresh.close();
    }
  });

  test('API.md "Loading": after a plain ready(), every sync function works, verifyJwtSync of every asymmetric family included', async () => {
    const keys = await Promise.all(['RS256', 'ES256', 'EdDSA'].map((alg) => generateKey(alg)));
    const cases = await Promise.all(keys.map(async (key) => ({ token: await mint(key, { sub: 'alice' }), keys: jwksOf([key]) })));
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`http://127.0.0.1:${server.address().port}/pkg/package.json`);
      const subs = await fresh.evaluate(async (cases) => {
        const lib = await import('/pkg/web.mjs');
        await lib.ready();
        return cases.map((c) => lib.verifyJwtSync(c.token, c.keys).payload.sub);
      }, cases);
      assert.deepEqual(subs, ['alice', 'alice', 'alice']);
    } finally {
      await fresh.close();
    }
  });
});
