// A newcomer's trial of the debugging page (www/) in headless Chromium: tokens and key sets made
// with jose for the failures the page exists for (keys without kid, a rotated key, a key whose
// alg/use/key_ops forbid the token's alg, HS256 against an RSA set, alg none, a 1024-bit RSA key,
// times with and without tolerance, issuer and audience, malformed pastes). For each, the page's
// verdict and code must be verifyJwt's in Node for the same token, keys and options; its hint
// must point the right way; every fixed key it offers to copy must be one the core accepts; an
// edit must never leave a stale verdict; nothing may leave 127.0.0.1 and nothing may throw.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import * as jose from 'jose';
import * as jv from '../../pkg/node.mjs';
import { generateKey, mint, NOW, b64url } from './helpers.mjs';
import { libraryVerdict, nextVerdict, openPage, shownVerdict, STEP_TIMEOUT_MS, submitForm } from './support/www-page.mjs';

const ASYMMETRIC = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'];
const json = (value) => JSON.stringify(value);

let site;
let page;

// The page's verify form, then Verify.
function verifyOnPage({ token, jwks, algorithms = '', issuer = '', audience = '', tolerance = '' }) {
  return submitForm(page, 'verify', {
    token, jwks, algorithms, issuer, audience, 'clock-tolerance': tolerance, 'current-time': String(NOW),
  });
}

// What verifyJwt says in Node for the same inputs, read as the page reads its fields. The page
// reads a pasted set as a public JWKS (parseJwks, allowPrivate unticked); a text parseJwks
// refuses goes to verifyJwt as it is (which parses keys given inline as the caller's own).
async function verifyInNode(token, jwks, { algorithms = '', issuer = '', audience = '', tolerance = '' } = {}) {
  const list = (text) => text.split(/[\s,]+/).filter(Boolean);
  const oneOrMany = (text) => (list(text).length > 1 ? list(text) : list(text)[0]);
  const options = {
    algorithms: list(algorithms).length ? list(algorithms) : undefined,
    issuer: oneOrMany(issuer),
    audience: oneOrMany(audience),
    clockTolerance: tolerance === '' ? undefined : (Number.isNaN(Number(tolerance)) ? tolerance : Number(tolerance)),
    currentDate: NOW,
  };
  let keys = jwks;
  try {
    keys = jv.parseJwks(jwks, { allowPrivate: false });
  } catch {
    // verifyJwt says what is wrong with it, or with the token first.
  }
  const { verdict, code } = await libraryVerdict(() => jv.verifyJwt(token, keys, options));
  return { verdict, code };
}

// A 1024-bit RSA key (jose refuses to sign with one) and a token it signed.
function weakRsa(kid, claims) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const input = `${b64url(json({ alg: 'RS256', kid }))}.${b64url(json(claims))}`;
  return { jwk: { ...publicKey.export({ format: 'jwk' }), kid }, token: `${input}.${nodeSign('sha256', Buffer.from(input), privateKey).toString('base64url')}` };
}

// [name, { token, jwks, ...options }, expectation?] for every scenario.
async function scenarios() {
  const cases = [];
  const claims = { iss: 'https://idp.example', aud: 'api', sub: 'user-1', iat: NOW - 60, exp: NOW + 3600 };
  for (const alg of ASYMMETRIC) {
    const key = await generateKey(alg, { kid: `${alg}-now`, withAlg: false });
    const other = await generateKey(alg, { kid: `${alg}-next`, withAlg: false });
    const bare = (k) => { const { kid: _kid, ...jwk } = k.jwk; return jwk; };
    const token = await mint(key, claims);
    const noKid = await mint(key, claims, { kid: null });
    const set = (...keys) => json({ keys });
    cases.push(
      [`${alg}: valid`, { token, jwks: set(key.jwk) }],
      [`${alg}: JWKS keys without kid, token with kid`, { token, jwks: set(bare(key)) }, { hint: /no key in the set has a kid/ }],
      [`${alg}: token without kid, several keys`, { token: noKid, jwks: set(other.jwk, key.jwk) }],
      [`${alg}: token without kid, its key absent`, { token: noKid, jwks: set(other.jwk) }, { hint: /no kid/ }],
      [`${alg}: rotated away`, { token, jwks: set(other.jwk) }, { hint: /not in this key set/ }],
      [`${alg}: another key under the token's kid`, { token, jwks: set({ ...other.jwk, kid: key.kid }) }],
      [`${alg}: key use enc`, { token, jwks: set({ ...key.jwk, use: 'enc' }) }, { hint: /alg, use or key_ops/ }],
      [`${alg}: key_ops without verify`, { token, jwks: set({ ...key.jwk, key_ops: ['sign'] }) }, { hint: /alg, use or key_ops/ }],
      [`${alg}: key alg of another family`, { token, jwks: set({ ...key.jwk, alg: alg === 'RS256' ? 'PS256' : 'RS256' }) }],
      [`${alg}: key with private members`, { token, jwks: set({ ...key.jwk, d: 'AAAA' }) }, { hint: /refuses to use it/ }],
      [`${alg}: algorithms exclude it`, { token, jwks: set(key.jwk), algorithms: alg === 'RS256' ? 'ES256' : 'RS256' }],
      [`${alg}: Bearer prefix pasted`, { token: `Bearer ${token}`, jwks: set(key.jwk) }, { pasted: /"Bearer " prefix/ }],
      [`${alg}: line breaks pasted`, { token: `${token.replace(/(.{50})/g, '$1\n')}\n`, jwks: set(key.jwk) }, { pasted: /line breaks/ }],
      [`${alg}: JWKS URL pasted as the JSON`, { token, jwks: 'https://idp.example/.well-known/jwks.json' }, { hint: /Fetch from a URL/ }],
      [`${alg}: JWKS not JSON`, { token, jwks: `{keys: [${json(key.jwk)}` }],
      [`${alg}: JWKS as a bare array`, { token, jwks: json([key.jwk]) }],
    );
    for (const [offset, tolerance] of [[-100, ''], [-100, '50'], [-100, '200'], [-100, '2m']]) {
      cases.push([`${alg}: exp ${offset}s, tolerance "${tolerance}"`, { token: await mint(key, { ...claims, exp: NOW + offset }), jwks: set(key.jwk), tolerance }]);
    }
    for (const [offset, tolerance] of [[300, ''], [300, '10m'], [5, '5']]) {
      cases.push([`${alg}: nbf +${offset}s, tolerance "${tolerance}"`, { token: await mint(key, { ...claims, nbf: NOW + offset }), jwks: set(key.jwk), tolerance },
        tolerance === '' ? { hint: /not valid yet/ } : undefined]);
      cases.push([`${alg}: iat +${offset}s, tolerance "${tolerance}"`, { token: await mint(key, { ...claims, iat: NOW + offset }), jwks: set(key.jwk), tolerance }]);
    }
    for (const [aud, audience] of [[['x', 'api'], 'api'], [['x', 'y'], 'api'], ['api', 'z, api'], ['api', 'z']]) {
      cases.push([`${alg}: aud ${json(aud)} against "${audience}"`, { token: await mint(key, { ...claims, aud }), jwks: set(key.jwk), audience }]);
    }
    for (const issuer of ['https://idp.example', 'https://idp.example/', 'https://other.example']) {
      cases.push([`${alg}: iss against "${issuer}"`, { token, jwks: set(key.jwk), issuer }]);
    }
  }
  // Algorithm confusion: an HS256 token made with the RSA key's JWK as the secret.
  const rsa = await generateKey('RS256', { kid: 'rsa', withAlg: false });
  const secret = new TextEncoder().encode(json(rsa.jwk));
  const confused = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'rsa' }).sign(secret);
  const rsaSet = json({ keys: [rsa.jwk] });
  cases.push(
    ['HS256 token against an RSA set', { token: confused, jwks: rsaSet }, { hint: /will not make it valid/ }],
    ['HS256 token against an RSA set, HS256 allowed', { token: confused, jwks: rsaSet, algorithms: 'HS256' }, { hint: /algorithm-confusion/ }],
    ['alg none', { token: `${b64url(json({ alg: 'none', kid: 'rsa' }))}.${b64url(json(claims))}.`, jwks: rsaSet }, { hint: /not signed at all/ }],
    ['JWE (five parts)', { token: `${b64url(json({ alg: 'RSA-OAEP', enc: 'A256GCM', kid: 'rsa' }))}.a.b.c.d`, jwks: rsaSet }, { hint: /JWE/ }],
    ['an enormous token', { token: `${b64url(json({ alg: 'RS256', kid: 'rsa' }))}.${'A'.repeat(2_000_000)}.AAAA`, jwks: rsaSet }],
    ['an enormous key set', { token: await mint(rsa, claims), jwks: json({ keys: Array.from({ length: 1500 }, (_, i) => ({ ...rsa.jwk, kid: `k${i}` })) }) }],
    ['"Authorization: Bearer" pasted', { token: `Authorization: Bearer ${await mint(rsa, claims)}`, jwks: rsaSet }],
  );
  const weak = weakRsa('weak', claims);
  cases.push(
    ['RSA key under 2048 bits', { token: weak.token, jwks: json({ keys: [weak.jwk] }) }, { hint: /refuses to use it/ }],
    ['RSA key under 2048 bits beside a good one', { token: weak.token, jwks: json({ keys: [weak.jwk, rsa.jwk] }) }, { hint: /refuses to use it/ }],
  );
  return cases;
}

describe('www probe: the page says what verifyJwt says, and why', { timeout: 600_000 }, () => {
  before(async () => {
    site = await openPage();
    ({ page } = site);
  });

  after(() => site?.close());

  test('every scenario: the verdict and code of verifyJwt, a hint that points the right way, fixes the core accepts', async () => {
    const cases = await scenarios();
    assert.ok(cases.length >= 170, `${cases.length} scenarios`);
    const seen = new Set();
    for (const [name, input, expected = {}] of cases) {
      const page = await verifyOnPage(input);
      const cleaned = input.token.trim().replace(/^bearer\s+/i, '').replace(/\s+/g, '');
      const node = await verifyInNode(cleaned, input.jwks, input);
      assert.deepEqual({ verdict: page.verdict, code: page.code }, node, name);
      seen.add(node.code || 'valid');
      if (expected.hint) assert.match(page.hint, expected.hint, name);
      if (cleaned !== input.token) {
        const raw = await verifyInNode(input.token, input.jwks, input);
        if (raw.code !== node.code) {
          assert.match(page.pasted, expected.pasted ?? /Token cleaned/, name);
          assert.ok(page.pasted.includes(raw.code), `${name}: the note names what verifyJwt says of the text as pasted (${raw.code})`);
        }
      } else {
        assert.equal(page.pasted, '', name);
      }
      for (const text of page.fixedKeys) {
        const { keys, diagnostics } = jv.parseJwks({ keys: [JSON.parse(text)] }, { allowPrivate: false });
        assert.deepEqual(diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), [], `${name}: a fixed key to copy that the core refuses: ${text}`);
        assert.equal(keys[0].usable, true, name);
      }
    }
    for (const code of ['valid', 'ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED', 'ERR_JOSE_ALG_NOT_ALLOWED',
      'ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWKS_INVALID', 'ERR_JWS_INVALID', 'ERR_JOSE_NOT_SUPPORTED']) {
      assert.ok(seen.has(code), `a scenario ends in ${code}`);
    }
  });

  test('client assertions (RFC 7523): the verdict and code of checkAssertion over audiences, profiles and claims', async () => {
    const key = await generateKey('ES256', { kid: 'client-key' });
    const jwks = json({ keys: [key.jwk] });
    const server = 'https://as.example';
    const endpoint = 'https://as.example/token';
    let cases = 0;
    for (const profile of ['strict', 'rfc7523']) {
      for (const expected of [server, `${server}, ${endpoint}`]) {
        for (const aud of [server, endpoint, [server], [server, endpoint], [server, 'https://other.example'], 'https://other.example']) {
          for (const claims of [
            { iss: 'client-1', sub: 'client-1', jti: `j-${cases}`, iat: NOW - 10, exp: NOW + 60 },
            { iss: 'client-1', sub: 'client-2', jti: `j-${cases}`, iat: NOW - 10, exp: NOW + 60 },
            { iss: 'client-1', sub: 'client-1', iat: NOW - 10, exp: NOW + 60 },
            { iss: 'client-1', sub: 'client-1', jti: `j-${cases}`, iat: NOW - 10, exp: NOW + 86_400 * 30 },
          ]) {
            cases += 1;
            const token = await mint(key, { ...claims, aud });
            const onPage = await submitForm(page, 'assertion', {
              token, jwks, algorithms: '', 'clock-tolerance': '', 'current-time': String(NOW),
              'client-id': 'client-1', 'assertion-audience': expected, profile,
            });
            const list = expected.split(/[\s,]+/).filter(Boolean);
            const inNode = await libraryVerdict(() => jv.checkAssertion(token, { clientId: 'client-1', audience: list.length > 1 ? list : list[0], keys: jv.parseJwks(jwks), profile, currentDate: NOW }));
            const name = `${profile}, expecting ${expected}, aud ${json(aud)}, ${json(claims)}`;
            assert.deepEqual({ verdict: onPage.verdict, code: onPage.code }, { verdict: inNode.verdict, code: inNode.code }, name);
            if (inNode.reason === 'multiple_audiences') assert.match(onPage.hint, /exactly one/, name);
          }
        }
      }
    }
    assert.equal(cases, 96);
  });

  test('typing: each edit gives the verdict of what the fields now hold, never an earlier one', async () => {
    const key = await generateKey('ES256', { kid: 'now' });
    const retired = await generateKey('ES256', { kid: 'old' });
    const token = await mint(key, { iss: 'https://idp.example', exp: NOW + 600 });
    await verifyOnPage({ token, jwks: json({ keys: [key.jwk] }) });
    const sets = [[retired.jwk], [key.jwk], [retired.jwk, key.jwk], [], [retired.jwk]];
    for (let round = 0; round < 12; round += 1) {
      const keys = sets[round % sets.length];
      // Several edits in a row, faster than the page's input delay: only the last counts.
      for (const partial of [keys.slice(0, 1), keys]) await page.fill('#jwks', json({ keys: partial }));
      const issuer = round % 3 === 0 ? 'https://other.example' : '';
      await page.fill('#issuer', issuer);
      const expected = await verifyInNode(token, json({ keys }), { issuer });
      await page.waitForFunction(() => document.getElementById('verdict').dataset.state === 'done', null, { timeout: STEP_TIMEOUT_MS });
      await page.waitForTimeout(400);
      const now = await shownVerdict(page);
      assert.deepEqual({ verdict: now.verdict, code: now.code }, expected, `round ${round}: keys ${keys.map((k) => k.kid).join(',') || 'none'}, issuer "${issuer}"`);
    }
  });

  test('an option in error: no panel says the token or the key set is missing', async () => {
    const key = await generateKey('ES256', { kid: 'now' });
    await verifyOnPage({ token: await mint(key, { exp: NOW + 600 }), jwks: json({ keys: [key.jwk] }) });
    for (const time of ['yesterday', '2025-13-45', 'NaN', '1e400x']) {
      await nextVerdict(page, () => page.fill('#current-time', time));
      assert.equal(await page.getAttribute('#current-time', 'aria-invalid'), 'true', time);
      for (const panel of ['#decoded', '#selection', '#signature', '#claims', '#diagnostics']) {
        assert.doesNotMatch(await page.innerText(panel), /No token yet|No key set yet|Needs a/, `${time}: ${panel}`);
      }
    }
    await page.fill('#current-time', '');
  });

  test('no request left 127.0.0.1 and the page threw nothing', () => {
    assert.deepEqual(site.outsideRequests, []);
    assert.deepEqual(site.pageErrors, []);
  });
});
