// The debugging page's access-token and DPoP modes against the library: jose-made RFC 9068
// access tokens (typ, each required claim missing, issuer, audience, scopes, times) and DPoP
// proofs from jose and oauth4webapi (htm/htu normalisation, the iat window and tolerance, ath,
// nonce, typ, a private jwk, pasted "DPoP "/"Bearer " prefixes and line breaks). For each, the
// page's verdict and code must be verifyAccessToken's / verifyDpopProof's in Node for the same
// inputs; its "What to do" hint must point the right way; a cleaned paste must say so; an edit
// never leaves a stale verdict; nothing may throw.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as jose from 'jose';
import * as oauth from 'oauth4webapi';
import * as jv from '../../pkg/node.mjs';
import { generateKey, mint, NOW } from './helpers.mjs';
import { libraryVerdict, nextVerdict, openPage, shownVerdict, STEP_TIMEOUT_MS, submitForm } from './support/www-page.mjs';

const json = (value) => JSON.stringify(value);
const list = (text) => text.split(/[\s,]+/).filter(Boolean);
const oneOrMany = (text) => (list(text).length > 1 ? list(text) : list(text)[0]);
const athOf = (token) => createHash('sha256').update(token).digest('base64url');

let site;
let page;

const submit = ({ mode, fields }) => submitForm(page, mode, fields);

// --- access tokens (RFC 9068) ---

const ISSUER = 'https://idp.example';
const AUDIENCE = 'https://api.example';

function accessInNode(token, jwks, { issuer = ISSUER, audience = AUDIENCE, scopes = '', tolerance = '' } = {}) {
  return libraryVerdict(() => jv.verifyAccessToken(token, jv.parseJwks(jwks, { allowPrivate: false }), {
    issuer: oneOrMany(issuer), audience: oneOrMany(audience), requiredScopes: list(scopes),
    clockTolerance: tolerance === '' ? undefined : (Number.isNaN(Number(tolerance)) ? tolerance : Number(tolerance)),
    currentDate: NOW,
  }));
}

const accessForm = (token, jwks, { issuer = ISSUER, audience = AUDIENCE, scopes = '', tolerance = '' } = {}) => ({
  mode: 'access',
  fields: {
    token, jwks, algorithms: '', issuer, audience, 'required-scopes': scopes, 'clock-tolerance': tolerance, 'current-time': String(NOW),
  },
});

// Which way the hint must point, for an access token's refusal.
function accessHint({ code, claim, reason }) {
  if (code === 'ERR_INVALID_OPTION') return /Issuer|Audience/;
  if (reason === 'insufficient_scope') return /scope/i;
  if (claim === 'typ' || reason === 'typ') return /at\+jwt/;
  if (reason === 'missing' && ['sub', 'client_id', 'iat', 'jti', 'iss', 'exp', 'aud'].includes(claim)) return /RFC 9068|require/;
  if (code === 'ERR_JWT_EXPIRED') return /exp/;
  if (claim === 'iss') return /iss|issuer/i;
  if (claim === 'aud') return /aud|audience/i;
  return undefined;
}

async function accessCases() {
  const cases = [];
  const claims = {
    iss: ISSUER, aud: AUDIENCE, sub: 'user-1', client_id: 'client-1', iat: NOW - 60, exp: NOW + 600, jti: 'at-1', scope: 'orders:read profile',
  };
  for (const alg of ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA']) {
    const key = await generateKey(alg, { kid: `${alg}-at` });
    const jwks = json({ keys: [key.jwk] });
    const at = (c, typ = 'at+jwt') => mint(key, c, { header: typ === undefined ? {} : { typ } });
    cases.push([`${alg}: valid`, await at(claims), jwks]);
    cases.push([`${alg}: typ application/at+jwt`, await at(claims, 'application/at+jwt'), jwks]);
    cases.push([`${alg}: typ AT+JWT`, await at(claims, 'AT+JWT'), jwks]);
    for (const typ of ['JWT', 'jwt', 'dpop+jwt', undefined]) cases.push([`${alg}: typ ${typ}`, await at(claims, typ), jwks]);
    for (const name of ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti']) {
      const { [name]: _dropped, ...rest } = claims;
      cases.push([`${alg}: no ${name}`, await at(rest), jwks]);
    }
    for (const [scope, scopes] of [['orders:read profile', 'orders:read'], ['orders:read profile', 'orders:read orders:write'],
      ['orders:read', 'orders'], [undefined, 'orders:read'], ['orders:read', '']]) {
      cases.push([`${alg}: scope ${json(scope)} against "${scopes}"`, await at({ ...claims, scope }), jwks, { scopes }]);
    }
    cases.push([`${alg}: another issuer`, await at({ ...claims, iss: 'https://other.example' }), jwks]);
    cases.push([`${alg}: aud array`, await at({ ...claims, aud: ['x', AUDIENCE] }), jwks]);
    cases.push([`${alg}: another audience`, await at({ ...claims, aud: 'https://other.example' }), jwks]);
    for (const [exp, tolerance] of [[NOW - 30, ''], [NOW - 30, '60'], [NOW - 300, '60']]) {
      cases.push([`${alg}: exp ${exp - NOW}s, tolerance "${tolerance}"`, await at({ ...claims, exp }), jwks, { tolerance }]);
    }
    const good = await at(claims);
    cases.push([`${alg}: "Bearer " prefix pasted`, `Bearer ${good}`, jwks, {}, { cleaned: /"Bearer " prefix/ }]);
    cases.push([`${alg}: "DPoP " prefix pasted`, `DPoP ${good}`, jwks, {}, { cleaned: /"DPoP " prefix/ }]);
    cases.push([`${alg}: line breaks pasted`, good.replace(/(.{60})/g, '$1\n'), jwks, {}, { cleaned: /line breaks/ }]);
    cases.push([`${alg}: no issuer option`, good, jwks, { issuer: '' }]);
    cases.push([`${alg}: no audience option`, good, jwks, { audience: '' }]);
    cases.push([`${alg}: several issuers and audiences`, good, jwks, { issuer: `https://x.example, ${ISSUER}`, audience: `${AUDIENCE} https://y.example` }]);
    cases.push([`${alg}: rotated key`, await mint(await generateKey(alg, { kid: 'gone' }), claims, { header: { typ: 'at+jwt' } }), jwks]);
  }
  return cases;
}

// --- DPoP proofs (RFC 9449 §4.3) ---

const METHOD = 'GET';
const URL_ = 'https://api.example/orders';

async function proofKey(alg) {
  const { privateKey, publicKey } = await jose.generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined, extractable: true });
  const jwk = await jose.exportJWK(publicKey);
  return { alg, privateKey, jwk, full: await jose.exportJWK(privateKey) };
}

function proof(key, claims, header = {}) {
  return new jose.SignJWT(claims).setProtectedHeader({ alg: key.alg, typ: 'dpop+jwt', jwk: key.jwk, ...header }).sign(key.privateKey);
}

const dpopForm = (token, { method = METHOD, url = URL_, accessToken = '', nonce = '', tolerance = '', now = NOW } = {}) => ({
  mode: 'dpop',
  fields: {
    token, algorithms: '', 'dpop-method': method, 'dpop-url': url, 'dpop-access-token': accessToken, 'dpop-nonce': nonce,
    'clock-tolerance': tolerance, 'current-time': String(now),
  },
});

function dpopInNode(token, { method = METHOD, url = URL_, accessToken = '', nonce = '', tolerance = '', now = NOW } = {}) {
  return libraryVerdict(() => jv.verifyDpopProof(token, {
    method: method.trim(), url: url.trim(), accessToken: accessToken.trim() || undefined, nonce: nonce || undefined,
    clockTolerance: tolerance === '' ? undefined : Number(tolerance), currentDate: now,
  }));
}

// Which way the hint must point, for a proof's refusal.
function dpopHint({ claim, reason, message }) {
  if (/private member/.test(message)) return /private key/;
  if (claim === 'htm') return /method/i;
  if (claim === 'htu') return /URL/;
  if (claim === 'iat') return /clock|iat/i;
  if (claim === 'ath') return /access token/i;
  if (claim === 'nonce') return /nonce/i;
  if (claim === 'jti') return /jti/;
  if (reason === 'typ') return /dpop\+jwt/;
  if (reason === 'malformed') return /proof|DPoP header/;
  return /./;
}

async function dpopCases() {
  const cases = [];
  const accessToken = 'an-access-token.for.orders';
  for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA', 'ES384']) {
    const key = await proofKey(alg);
    const claims = { jti: `j-${alg}`, htm: METHOD, htu: URL_, iat: NOW };
    const good = await proof(key, claims);
    cases.push([`${alg}: valid`, good, {}]);
    for (const [htm, method] of [['POST', 'GET'], ['get', 'GET'], ['GET', 'get'], ['GET', ' GET ']]) {
      cases.push([`${alg}: htm ${htm} against method "${method}"`, await proof(key, { ...claims, htm }), { method }]);
    }
    for (const [htu, url] of [
      [URL_, `${URL_}?page=2#frag`], [URL_, 'HTTPS://API.EXAMPLE/orders'], [URL_, 'https://api.example:443/orders'],
      ['https://api.example:443/orders', URL_], [URL_, 'https://api.example/Orders'], [URL_, 'https://api.example/orders/'],
      [`${URL_}?x=1`, URL_], [URL_, 'http://api.example/orders'], [URL_, 'https://api.example:8443/orders'],
    ]) {
      cases.push([`${alg}: htu ${htu} against url ${url}`, await proof(key, { ...claims, htu }), { url }]);
    }
    for (const [offset, tolerance] of [[-299, ''], [-400, ''], [-400, '200'], [400, ''], [400, '200'], [30, '']]) {
      cases.push([`${alg}: iat ${offset}s, tolerance "${tolerance}"`, await proof(key, { ...claims, iat: NOW + offset }), { tolerance }]);
    }
    cases.push([`${alg}: ath right`, await proof(key, { ...claims, ath: athOf(accessToken) }), { accessToken }]);
    cases.push([`${alg}: ath missing`, good, { accessToken }]);
    cases.push([`${alg}: ath of another token`, await proof(key, { ...claims, ath: athOf('other') }), { accessToken }]);
    cases.push([`${alg}: nonce right`, await proof(key, { ...claims, nonce: 'n-1' }), { nonce: 'n-1' }]);
    cases.push([`${alg}: nonce missing`, good, { nonce: 'n-1' }]);
    cases.push([`${alg}: nonce stale`, await proof(key, { ...claims, nonce: 'n-0' }), { nonce: 'n-1' }]);
    cases.push([`${alg}: no jti`, await proof(key, { htm: METHOD, htu: URL_, iat: NOW }), {}]);
    cases.push([`${alg}: typ JWT`, await proof(key, claims, { typ: 'JWT' }), {}]);
    cases.push([`${alg}: private jwk`, await proof(key, claims, { jwk: key.full }), {}]);
    cases.push([`${alg}: "DPoP " prefix pasted`, `DPoP ${good}`, {}, { cleaned: true }]);
    cases.push([`${alg}: "Bearer " prefix pasted`, `Bearer ${good}`, {}, { cleaned: true }]);
    cases.push([`${alg}: "DPoP: " header line pasted`, `DPoP: ${good}`, {}, { cleaned: true }]);
    cases.push([`${alg}: line breaks pasted`, `${good.replace(/(.{40})/g, '$1\n')}\n`, {}, { cleaned: true }]);
  }
  // oauth4webapi's proofs, as a client sends them (its own clock: the page's time is the proof's iat).
  for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA']) {
    const pair = await jose.generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined });
    const handle = oauth.DPoP({ client_id: 'c' }, pair);
    for (const [method, url] of [['GET', URL_], ['POST', `${URL_}?q=1`], ['DELETE', 'https://API.example:443/orders/7']]) {
      let sent;
      await oauth.protectedResourceRequest(accessToken, method, new URL(url), new Headers(), null, {
        DPoP: handle,
        [oauth.customFetch]: async (_url, init) => {
          sent = new Headers(init.headers).get('dpop');
          return new Response('{}', { status: 200 });
        },
      });
      const iat = jv.decodeJwt(sent).payload.iat;
      for (const [against, asked] of [['same', { method, url }], ['other method', { method: method === 'GET' ? 'POST' : 'GET', url }],
        ['no query', { method, url: url.replace(/\?.*/, '') }], ['other path', { method, url: 'https://api.example/other' }]]) {
        cases.push([`oauth4webapi ${alg} ${method} ${url}: ${against}`, sent, { ...asked, accessToken, now: iat }]);
        cases.push([`oauth4webapi ${alg} ${method} ${url}: ${against}, access token with "DPoP " prefix`, sent, { ...asked, accessToken: `DPoP ${accessToken}`, now: iat }]);
      }
    }
  }
  return cases;
}

describe('www modes probe: access-token and DPoP modes say what the library says', { timeout: 900_000 }, () => {
  before(async () => {
    site = await openPage();
    ({ page } = site);
  });

  after(() => site?.close());

  test('access tokens: the verdict and code of verifyAccessToken, a hint that points the right way', async () => {
    const cases = await accessCases();
    assert.equal(cases.length, 160);
    const seen = new Set();
    const problems = [];
    const check = (fn) => { try { fn(); } catch (error) { problems.push(error.message); } };
    for (const [name, token, jwks, options = {}, expected = {}] of cases) {
      const onPage = await submit(accessForm(token, jwks, options));
      const cleaned = token.trim().replace(/^(dpop:?|bearer)\s+/i, '').replace(/\s+/g, '');
      const node = await accessInNode(cleaned, jwks, options);
      if (expected.cleaned) {
        check(() => assert.match(onPage.pasted, expected.cleaned, name));
        const raw = await accessInNode(token, jwks, options);
        check(() => assert.ok(onPage.pasted.includes(raw.code), `${name}: the note names what verifyAccessToken says of the text as pasted (${raw.code})`));
      } else {
        check(() => assert.equal(onPage.pasted, '', name));
      }
      check(() => assert.deepEqual({ verdict: onPage.verdict, code: onPage.code }, { verdict: node.verdict, code: node.code }, name));
      seen.add(node.code || 'valid').add(node.reason);
      if (node.verdict === 'invalid') {
        check(() => assert.ok(onPage.hint, `${name}: no hint for ${json(node)}`));
        const expected = accessHint(node);
        if (expected) check(() => assert.match(onPage.hint, expected, `${name}: ${json(node)}: ${onPage.hint}`));
        check(() => assert.doesNotMatch(onPage.hint, /which these options require/, `${name}: RFC 9068 requires it, not the options`));
      }
    }
    assert.deepEqual(problems, []);
    for (const reason of ['valid', 'missing', 'insufficient_scope', 'check_failed', 'ERR_INVALID_OPTION', 'ERR_JWT_EXPIRED']) assert.ok(seen.has(reason), reason);
  });

  test('DPoP proofs: the verdict and code of verifyDpopProof, a hint that points the right way, cleaned pastes said', async () => {
    const cases = await dpopCases();
    assert.equal(cases.length, 261);
    const seen = new Set();
    const problems = [];
    const check = (fn) => { try { fn(); } catch (error) { problems.push(error.message.split('\n')[0]); } };
    for (const [name, token, options, expected = {}] of cases) {
      const onPage = await submit(dpopForm(token, options));
      const cleaned = token.trim().replace(/^(dpop:?|bearer)\s+/i, '').replace(/\s+/g, '');
      const node = await dpopInNode(cleaned, options);
      check(() => assert.deepEqual({ verdict: onPage.verdict, code: onPage.code }, { verdict: node.verdict, code: node.code }, `${name}: ${json(node)}`));
      seen.add(node.reason ?? 'valid');
      if (node.verdict === 'invalid') {
        check(() => assert.match(onPage.hint, dpopHint(node), `${name}: ${json(node)}: hint "${onPage.hint}"`));
        check(() => assert.doesNotMatch(onPage.hint, /JWE|key set|kid/, `${name}: a proof carries its key: ${onPage.hint}`));
      }
      if (node.claim === 'ath' && /^dpop\s/i.test(options.accessToken ?? '')) check(() => assert.match(onPage.hint, /"DPoP "/, `${name}: the prefix in the access token field`));
      if (expected.cleaned) {
        check(() => assert.match(onPage.pasted, /Token cleaned|Proof cleaned/, name));
        const raw = await dpopInNode(token, options);
        check(() => assert.ok(onPage.pasted.includes(raw.code), `${name}: the note names what verifyDpopProof says of the text as pasted (${raw.code})`));
      } else {
        check(() => assert.equal(onPage.pasted, '', name));
      }
    }
    assert.deepEqual(problems, []);
    for (const reason of ['valid', 'check_failed', 'missing', 'too_old', 'in_future', 'typ']) assert.ok(seen.has(reason), reason);
  });

  test('typing in DPoP mode: each edit gives the verdict of what the fields now hold', async () => {
    const key = await proofKey('ES256');
    const token = await proof(key, { jti: 'typing', htm: 'POST', htu: URL_, iat: NOW });
    await submit(dpopForm(token, { method: 'GET' }));
    await page.check('input[name="mode"][value="verify"]');
    await page.check('input[name="mode"][value="dpop"]');
    const rounds = [['POST', URL_], ['GET', URL_], ['POST', 'https://api.example/other'], ['POST', `${URL_}?a=b`], ['PUT', URL_], ['POST', URL_]];
    for (let round = 0; round < 12; round += 1) {
      const [method, url] = rounds[round % rounds.length];
      for (const partial of [method.slice(0, 1), method]) await page.fill('#dpop-method', partial);
      await page.fill('#dpop-url', url);
      const expected = await dpopInNode(token, { method, url });
      await page.waitForFunction(() => document.getElementById('verdict').dataset.state === 'done', null, { timeout: STEP_TIMEOUT_MS });
      await page.waitForTimeout(400);
      const now = await shownVerdict(page);
      assert.deepEqual({ verdict: now.verdict, code: now.code }, { verdict: expected.verdict, code: expected.code }, `round ${round}: ${method} ${url}`);
    }
  });

  test('typing in access mode, and switching modes: each edit gives the verdict of what the fields now hold', async () => {
    const key = await generateKey('ES256', { kid: 'typing-at' });
    const jwks = json({ keys: [key.jwk] });
    const token = await mint(key, {
      iss: ISSUER, aud: AUDIENCE, sub: 'u', client_id: 'c', iat: NOW - 5, exp: NOW + 600, jti: 't', scope: 'a b',
    }, { header: { typ: 'at+jwt' } });
    await submit(accessForm(token, jwks));
    await page.check('input[name="mode"][value="verify"]');
    await page.check('input[name="mode"][value="access"]');
    const rounds = ['a', 'a b', 'a b c', '', 'c', 'b'];
    for (let round = 0; round < 12; round += 1) {
      const scopes = rounds[round % rounds.length];
      for (const partial of [scopes.slice(0, 1), scopes]) await page.fill('#required-scopes', partial);
      const audience = round % 4 === 3 ? 'https://other.example' : AUDIENCE;
      await page.fill('#audience', audience);
      const expected = await accessInNode(token, jwks, { scopes, audience });
      await page.waitForFunction(() => document.getElementById('verdict').dataset.state === 'done', null, { timeout: STEP_TIMEOUT_MS });
      await page.waitForTimeout(400);
      const now = await shownVerdict(page);
      assert.deepEqual({ verdict: now.verdict, code: now.code }, { verdict: expected.verdict, code: expected.code }, `round ${round}: scopes "${scopes}", audience ${audience}`);
    }
    // The same token under each mode: the mode's own verdict, never the previous mode's.
    await page.fill('#required-scopes', '');
    await page.fill('#audience', AUDIENCE);
    const byMode = {
      access: await accessInNode(token, jwks),
      verify: await libraryVerdict(() => jv.verifyJwt(token, jv.parseJwks(jwks), { issuer: ISSUER, audience: AUDIENCE, currentDate: NOW })),
      dpop: await dpopInNode(token, { method: '', url: '' }),
    };
    await page.fill('#dpop-method', '').catch(() => {});
    for (const mode of ['dpop', 'access', 'verify', 'dpop', 'verify', 'access']) {
      await nextVerdict(page, async () => {
        await page.check(`input[name="mode"][value="${mode}"]`);
        if (mode === 'dpop') {
          await page.fill('#dpop-method', '');
          await page.fill('#dpop-url', '');
        }
      });
      await page.waitForTimeout(400);
      const now = await shownVerdict(page);
      assert.deepEqual({ verdict: now.verdict, code: now.code }, { verdict: byMode[mode].verdict, code: byMode[mode].code }, mode);
    }
  });

  test('the page threw nothing', () => {
    assert.deepEqual(site.pageErrors, []);
  });
});
