// End-to-end test of the debugging page (www/) in Debian's Chromium through playwright-core:
// the page is served by scripts/serve.mjs on 127.0.0.1, each sample is run, and the verdicts,
// key-selection lines, claim rows and diagnostics it shows are checked. No request may leave
// 127.0.0.1. axe-core (injected through the DevTools protocol, which the page's CSP does not
// cover) must find no violation in light and dark mode, with results and the share dialog
// shown. Screenshots go to tests/e2e/artifacts/ (ignored by git); with
// UPDATE_DOCS_SCREENSHOT=1 the README's docs/screenshot-light.png and -dark.png are rewritten.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url);
const DOCS = new URL('../../docs/', import.meta.url);
const AXE_SOURCE = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const WIDE = { width: 1400, height: 1000 };
const NARROW = { width: 375, height: 812 };
const STEP_TIMEOUT_MS = 30_000;

let server;
let crossOriginServer;
let origin;
let browser;
let page;
const outsideRequests = [];
const pageErrors = [];
const consoleErrors = [];

function thisMonth(monthsBack = 0) {
  const date = new Date();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - monthsBack);
  return date.toISOString().slice(0, 7);
}

async function screenshot(name) {
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

// Waits until the page has finished the analysis a sample (or '' for a manual edit) started.
async function waitForRun(sample, afterRun = 0) {
  await page.waitForFunction(([name, previous]) => {
    const verdict = document.getElementById('verdict');
    return verdict.dataset.state === 'done' && verdict.dataset.sample === name && Number(verdict.dataset.run) > previous;
  }, [sample, afterRun], { timeout: STEP_TIMEOUT_MS });
}

async function runCount() {
  return Number(await page.getAttribute('#verdict', 'data-run'));
}

async function runSample(name) {
  const previous = await runCount();
  await page.click(`[data-sample="${name}"]`);
  await waitForRun(name, previous);
}

async function verdict() {
  return {
    state: await page.getAttribute('#verdict', 'data-verdict'),
    code: await page.getAttribute('#verdict', 'data-code'),
    text: await page.innerText('#verdict'),
  };
}

async function selectionLine(index) {
  const row = page.locator(`#selection tr[data-index="${index}"]`);
  return { outcome: await row.getAttribute('data-outcome'), text: await row.innerText() };
}

async function claimRow(id) {
  const row = page.locator(`#claims tr[data-check="${id}"]`);
  return { status: await row.getAttribute('data-status'), source: await row.getAttribute('data-source'), text: await row.innerText() };
}

async function loadPage() {
  await page.goto(`${origin}/`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: STEP_TIMEOUT_MS });
}

describe('www debugging page', { timeout: 180_000 }, () => {
  before(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    server = await startServer(0);
    crossOriginServer = await startServer(0);
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: WIDE });
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.protocol !== 'data:' && url.hostname !== '127.0.0.1') outsideRequests.push(request.url());
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location()?.url ?? ''})`);
    });
    await loadPage();
  });

  after(async () => {
    await browser?.close();
    server?.close();
    crossOriginServer?.close();
  });

  test('serves the page: / redirects to /www/, the wasm as application/wasm', async () => {
    const root = await fetch(`${origin}/`, { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/www/');
    const wasm = await fetch(`${origin}/pkg/gen/jwks_verify_bg.wasm`);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    const script = await fetch(`${origin}/www/app.js`);
    assert.match(script.headers.get('content-type'), /^text\/javascript/);
    assert.equal((await fetch(`${origin}/.git/config`)).status, 403);
    assert.equal(page.url(), `${origin}/www/`);
    assert.match(await page.textContent('#load-status'), /^Ready in \d+ ms/);
  });

  test('every form control has a label', async () => {
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea, select')]
      .filter((control) => control.labels.length === 0).map((control) => control.id || control.name));
    assert.deepEqual(unlabelled, []);
  });

  test('keyboard only: Tab reaches the first sample button and Enter runs it', async () => {
    await page.evaluate(() => document.activeElement?.blur());
    let focused = '';
    for (let presses = 0; presses < 10 && focused !== 'sample-valid'; presses++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    assert.equal(focused, 'sample-valid');
    const previous = await runCount();
    await page.keyboard.press('Enter');
    await waitForRun('valid', previous);
    assert.equal((await verdict()).state, 'valid');
  });

  test('sample: valid token + JWKS', async () => {
    await runSample('valid');
    const shown = await verdict();
    assert.equal(shown.state, 'valid');
    assert.match(shown.text, /Valid: verifyJwt accepted the token/);
    assert.match(shown.text, new RegExp(`Signed with ES256 by key #1 \\(kid "es-${thisMonth()}"\\)`));
    assert.match(await page.innerText('#selection'), /trace from explainSelection\(\)/);

    const previousKey = await selectionLine(0);
    assert.equal(previousKey.outcome, 'filtered');
    assert.match(previousKey.text, new RegExp(`filtered out by kid: kid "es-${thisMonth(1)}", token wants "es-${thisMonth()}"`));
    const currentKey = await selectionLine(1);
    assert.equal(currentKey.outcome, 'chosen');
    assert.match(currentKey.text, /EC\s+P-256\s+ES256\s+sig/);
    assert.match(currentKey.text, /chosen: verified the signature/);

    assert.equal(await page.getAttribute('#signature', 'data-status'), 'verified');
    for (const id of ['iss', 'aud', 'exp']) {
      const row = await claimRow(id);
      assert.equal(row.status, 'pass', `${id}: ${row.text}`);
      assert.equal(row.source, 'explainClaims', `${id} explained by the core`);
    }
    assert.match(await page.innerText('#decoded li[data-claim="exp"]'), /^exp \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in 1 hour\)$/);
    assert.match(await page.innerText('#decoded li[data-claim="iat"]'), /\(1 minute ago\)$/);
    assert.match(await page.innerText('#diagnostics'), /No findings/);
    await screenshot('valid');
  });

  test('sample: expired token', async () => {
    await runSample('expired');
    const shown = await verdict();
    assert.equal(shown.state, 'invalid');
    assert.equal(shown.code, 'ERR_JWT_EXPIRED');
    assert.match(shown.text, /Rejected by verifyJwt: ERR_JWT_EXPIRED/);
    assert.equal(await page.getAttribute('#signature', 'data-status'), 'verified');
    assert.equal((await selectionLine(1)).outcome, 'chosen');
    const exp = await claimRow('exp');
    assert.equal(exp.status, 'fail');
    assert.match(exp.text, /2 hours ago/);
    assert.match(exp.text, /ERR_JWT_EXPIRED/);
    assert.equal(exp.source, 'explainClaims');
    assert.match(exp.text, /not expired/, 'the core\'s words for the rule');
    assert.equal((await claimRow('iss')).status, 'pass');
    assert.match(await page.innerText('#decoded li[data-claim="exp"]'), /\(2 hours ago\)$/);
    await screenshot('expired');
  });

  test('clock tolerance goes to the core as typed', async () => {
    await runSample('expired');
    // The tolerance goes to the core as typed: jose's text form works, a wrong value is its TypeError.
    let previous = await runCount();
    await page.fill('#clock-tolerance', '3h');
    await waitForRun('', previous);
    assert.equal((await verdict()).state, 'valid');
    assert.equal((await claimRow('exp')).status, 'pass');
    previous = await runCount();
    await page.fill('#clock-tolerance', 'soon');
    await waitForRun('', previous);
    const refused = await verdict();
    assert.equal(refused.code, 'ERR_INVALID_OPTION');
    assert.match(refused.text, /clockTolerance/);
    await screenshot('tolerance-refused');
    await page.fill('#clock-tolerance', '');
  });

  test('sample: JWKS missing kid', async () => {
    await runSample('missingKid');
    const shown = await verdict();
    assert.equal(shown.code, 'ERR_JWKS_NO_MATCHING_KEY');
    assert.match(shown.text, /no key in this set has a kid|none with a kid/);
    const onlyKey = await selectionLine(0);
    assert.equal(onlyKey.outcome, 'filtered');
    assert.match(onlyKey.text, new RegExp(`filtered out by kid: no kid, token wants "es-${thisMonth()}"`));
    assert.equal(await page.getAttribute('#signature', 'data-status'), 'not_reached');
    const diagnostic = await page.innerText('#diagnostics li[data-code="missing_kid"]');
    assert.match(diagnostic, /WARNING/i);
    assert.match(diagnostic, /Fix: Give every key a unique kid/);
    await screenshot('missing-kid');
  });

  test('sample: rotated key (token kid not in the set)', async () => {
    await runSample('rotated');
    const shown = await verdict();
    assert.equal(shown.code, 'ERR_JWKS_NO_MATCHING_KEY');
    assert.match(shown.text, new RegExp(`kid "rsa-${thisMonth()}" is not in this key set`));
    const retired = await selectionLine(0);
    assert.equal(retired.outcome, 'filtered');
    assert.match(retired.text, new RegExp(`filtered out by kid: kid "rsa-${thisMonth(1)}", token wants "rsa-${thisMonth()}"`));
    const ecKey = await selectionLine(1);
    assert.equal(ecKey.outcome, 'filtered');
    assert.match(ecKey.text, /filtered out by kty: kty EC does not fit RS256 \(needs RSA\)/);
    await screenshot('rotated');
  });

  test('sample: multi-audience client assertion, strict then rfc7523 profile', async () => {
    await runSample('assertion');
    const strict = await verdict();
    assert.equal(strict.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED');
    assert.match(strict.text, /Rejected by checkAssertion/);
    assert.match(strict.text, /reason "multiple_audiences"/);
    const count = await claimRow('aud_count');
    assert.equal(count.status, 'fail');
    assert.equal(count.source, 'explainAssertion');
    assert.match(count.text, /2 values/);
    assert.equal((await claimRow('aud')).status, 'pass');
    const iss = await claimRow('iss');
    assert.equal(iss.status, 'pass');
    assert.match(iss.text, /equals clientId/);
    for (const id of ['sub', 'exp_required', 'jti_required', 'typ', 'jti', 'iat_not_future', 'lifetime']) {
      assert.equal((await claimRow(id)).status, 'pass', id);
    }
    assert.equal(await page.getAttribute('#signature', 'data-status'), 'verified');
    assert.equal((await selectionLine(0)).outcome, 'chosen');
    await screenshot('assertion-strict');

    const previous = await runCount();
    await page.selectOption('#profile', 'rfc7523');
    await waitForRun('', previous);
    const relaxed = await verdict();
    assert.equal(relaxed.state, 'valid', relaxed.text);
    assert.equal(await page.locator('#claims tr[data-check="aud_count"]').count(), 0, 'rfc7523 has no count rule');
    assert.equal((await claimRow('aud')).status, 'pass');
    await screenshot('assertion-rfc7523');
  });

  test('sample: RFC 9068 access token, rows from explainAccessToken; then a scope it lacks', async () => {
    await runSample('access');
    const valid = await verdict();
    assert.equal(valid.state, 'valid', valid.text);
    assert.match(valid.text, /verifyAccessToken accepted the token/);
    for (const id of ['claim_types', 'typ', 'client_id_required', 'jti_required', 'iss', 'aud', 'exp', 'scope']) {
      const row = await claimRow(id);
      assert.equal(row.status, 'pass', `${id}: ${row.text}`);
      assert.equal(row.source, 'explainAccessToken');
    }
    assert.ok(await page.locator('#required-scopes').isVisible());
    assert.ok(await page.locator('#issuer').isVisible());
    assert.equal((await selectionLine(0)).outcome, 'chosen');

    const previous = await runCount();
    await page.fill('#required-scopes', 'orders:read orders:write');
    await waitForRun('', previous);
    const lacking = await verdict();
    assert.equal(lacking.code, 'ERR_JWT_CLAIM_VALIDATION_FAILED', lacking.text);
    assert.match(lacking.text, /claim "scope", reason "insufficient_scope"/);
    const scope = await claimRow('scope');
    assert.equal(scope.status, 'fail');
    assert.match(scope.text, /orders:write/);
    await screenshot('access-token-scope');
  });

  test('sample: DPoP proof, every RFC 9449 check from explainDpop; then another method, another access token', async () => {
    await runSample('dpop');
    const valid = await verdict();
    assert.equal(valid.state, 'valid', valid.text);
    assert.match(valid.text, /verifyDpopProof accepted the proof/);
    assert.match(valid.text, /jkt [A-Za-z0-9_-]{43}/);
    for (const id of ['typ', 'alg', 'jwk', 'jti', 'htm', 'htu', 'iat', 'ath', 'nbf', 'exp']) {
      const row = await claimRow(id);
      assert.equal(row.status, 'pass', `${id}: ${row.text}`);
      assert.equal(row.source, 'explainDpop');
    }
    assert.equal(await page.getAttribute('#signature', 'data-status'), 'verified');
    assert.match(await page.innerText('#selection'), /carries its own public key/);
    assert.ok(await page.locator('#dpop-options').isVisible());
    assert.ok(!(await page.locator('#jwks-paste').isVisible()), 'the key set is not asked for');
    await screenshot('dpop-valid');

    let previous = await runCount();
    await page.fill('#dpop-method', 'POST');
    await waitForRun('', previous);
    const post = await verdict();
    assert.equal(post.code, 'ERR_DPOP_INVALID', post.text);
    assert.match(post.text, /claim "htm", reason "check_failed"/);
    assert.equal((await claimRow('htm')).status, 'fail');
    assert.equal((await claimRow('htu')).status, 'pass');

    previous = await runCount();
    await page.fill('#dpop-method', 'GET');
    await page.fill('#dpop-access-token', 'another-token');
    await waitForRun('', previous);
    const ath = await verdict();
    assert.match(ath.text, /claim "ath", reason "check_failed"/);
    assert.equal((await claimRow('ath')).status, 'fail');
    assert.equal((await claimRow('htm')).status, 'pass');
    await screenshot('dpop-ath');
  });

  test('JWKS from a URL: same origin verifies, cross origin without CORS is explained', async () => {
    await runSample('valid');
    const jwks = await page.inputValue('#jwks');
    await writeFile(new URL('jwks.json', ARTIFACTS), jwks);

    await page.check('input[name="keys-source"][value="url"]');
    await page.fill('#jwks-url', '/tests/e2e/artifacts/jwks.json');
    let previous = await runCount();
    await page.click('#fetch-jwks');
    await waitForRun('', previous);
    assert.match(await page.innerText('#fetch-status'), /^Fetched 2 keys through RemoteJwks/);
    assert.equal((await verdict()).state, 'valid');
    assert.equal((await selectionLine(1)).outcome, 'chosen');

    const crossOrigin = `http://127.0.0.1:${crossOriginServer.address().port}/tests/e2e/artifacts/jwks.json`;
    await page.fill('#jwks-url', crossOrigin);
    previous = await runCount();
    await page.click('#fetch-jwks');
    await waitForRun('', previous);
    assert.equal(await page.getAttribute('#fetch-status', 'data-cors'), 'true');
    assert.match(await page.innerText('#fetch-status'), /blocked this fetch, most likely because of CORS/);
    assert.match(await page.innerText('#fetch-status'), /Access-Control-Allow-Origin/);
    assert.equal((await verdict()).state, 'empty');
    await screenshot('url-cors');
    await page.check('input[name="keys-source"][value="paste"]');
  });

  test('copyable fixes: the missing kid fix is the key with its thumbprint as kid, and pasting it back clears the finding', async () => {
    await runSample('missingKid');
    const item = page.locator('#diagnostics li[data-code="missing_kid"]');
    assert.equal(await item.locator('.fix-copy').getAttribute('data-fix-kind'), 'jwk');
    const fixed = JSON.parse(await item.locator('pre.fix-text').innerText());
    const original = JSON.parse(await page.inputValue('#jwks')).keys[0];
    assert.match(fixed.kid, /^[\w-]{43}$/);
    assert.deepEqual({ ...fixed, kid: undefined }, { ...original, kid: undefined });
    await item.locator('button.copy').click();
    await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
    // Every diagnostic has a copy button.
    assert.equal(await page.locator('#diagnostics li.diagnostic').count(), await page.locator('#diagnostics li.diagnostic button.copy').count());

    const previous = await runCount();
    await page.fill('#jwks', JSON.stringify({ keys: [fixed] }));
    await waitForRun('', previous);
    assert.equal(await page.locator('#diagnostics li[data-code="missing_kid"]').count(), 0);
  });

  test('URL fragment: a shared link reproduces the case in a new tab; a real token is shared only after a warning', async () => {
    await runSample('valid');
    const before = await verdict();
    const state = await page.evaluate(() => Object.fromEntries(['token', 'jwks', 'issuer', 'audience', 'algorithms']
      .map((id) => [id, document.getElementById(id).value])));

    // A sample token: no warning, and the link carries it.
    await page.click('#share');
    assert.equal(await page.isVisible('#share-dialog'), true);
    assert.equal(await page.isVisible('#share-warning'), false);
    await page.click('#share-with-token');
    await page.waitForFunction(() => document.getElementById('share-url').value !== '', null, { timeout: STEP_TIMEOUT_MS });
    const link = await page.inputValue('#share-url');
    assert.ok(link.startsWith(`${origin}/www/#v=1&`), link);
    assert.ok(page.url().endsWith(new URL(link).hash), 'the address bar holds the case');
    assert.match(link, /&now=\d+/, 'the time is pinned');

    const second = await browser.newPage({ viewport: WIDE });
    try {
      second.on('pageerror', (error) => pageErrors.push(error.message));
      await second.goto(link);
      await second.waitForSelector('html[data-ready="true"]', { timeout: STEP_TIMEOUT_MS });
      await second.waitForFunction(() => document.getElementById('verdict').dataset.state === 'done', null, { timeout: STEP_TIMEOUT_MS });
      const restored = await second.evaluate(() => Object.fromEntries(['token', 'jwks', 'issuer', 'audience', 'algorithms']
        .map((id) => [id, document.getElementById(id).value])));
      assert.deepEqual(restored, state);
      assert.match(await second.inputValue('#current-time'), /^\d+$/);
      assert.equal(await second.getAttribute('#verdict', 'data-verdict'), before.state);
      assert.match(await second.innerText('#sample-note'), /Loaded the case from the link/);
    } finally {
      await second.close();
    }

    // A token the page did not make: the warning names its subject and expiry, and the
    // default button leaves the token out.
    const foreign = `${Buffer.from('{"alg":"ES256","kid":"k"}').toString('base64url')}.${Buffer.from('{"sub":"bob","aud":"api","exp":4102444800}').toString('base64url')}.c2ln`;
    const previous = await runCount();
    await page.fill('#token', foreign);
    await waitForRun('', previous);
    await page.click('#share');
    assert.equal(await page.isVisible('#share-warning'), true);
    assert.match(await page.innerText('#share-warning'), /This link would contain your token/);
    assert.match(await page.innerText('#share-warning'), /subject "bob" at "api" until it expires 2100-01-01T00:00:00Z/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'share-without-token');
    await page.screenshot({ path: new URL('share-warning.png', ARTIFACTS).pathname });
    await page.keyboard.press('Enter');
    // The dialog's close event writes the link: wait for it.
    await page.waitForFunction(() => document.getElementById('share-url').value !== '', null, { timeout: STEP_TIMEOUT_MS });
    const safeLink = await page.inputValue('#share-url');
    assert.doesNotMatch(safeLink, /[#&]t=/, 'the token was shared');
    assert.match(safeLink, /[#&]k=/, 'the key set is in the link');
  });

  test('issuer discovery: discoverJwks finds the key set; a wrong issuer in the metadata is refused', async () => {
    await runSample('valid');
    const jwks = await page.inputValue('#jwks');
    const discovery = createServer((req, res) => {
      const base = `http://127.0.0.1:${discovery.address().port}`;
      const headers = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
      const path = new URL(req.url, base).pathname;
      if (path === '/good/.well-known/openid-configuration') res.writeHead(200, headers).end(JSON.stringify({ issuer: `${base}/good`, jwks_uri: `${base}/good/jwks.json` }));
      // discoverJwks tries RFC 8414's oauth-authorization-server after openid-configuration: both lie.
      else if (path === '/bad/.well-known/openid-configuration' || path === '/.well-known/oauth-authorization-server/bad') res.writeHead(200, headers).end(JSON.stringify({ issuer: 'https://someone-else.example', jwks_uri: `${base}/good/jwks.json` }));
      else if (path === '/good/jwks.json') res.writeHead(200, headers).end(jwks);
      else res.writeHead(404, headers).end('{}');
    });
    await new Promise((done) => discovery.listen(0, '127.0.0.1', done));
    try {
      const base = `http://127.0.0.1:${discovery.address().port}`;
      await page.check('input[name="keys-source"][value="issuer"]');
      assert.equal(await page.isVisible('#issuer-url'), true);
      await page.fill('#issuer-url', `${base}/good`);
      let previous = await runCount();
      await page.click('#discover');
      await waitForRun('', previous);
      assert.match(await page.innerText('#discover-status'), new RegExp(`^Discovered ${base}/good/jwks\\.json: 2 keys`));
      assert.equal((await verdict()).state, 'valid');
      assert.equal((await selectionLine(1)).outcome, 'chosen');

      await page.fill('#issuer-url', `${base}/bad`);
      previous = await runCount();
      await page.click('#discover');
      await waitForRun('', previous);
      assert.match(await page.innerText('#discover-status'), /issuer/i);
      assert.notEqual((await verdict()).state, 'valid');
    } finally {
      await page.check('input[name="keys-source"][value="paste"]');
      discovery.close();
    }
  });

  test('axe-core: no violations in light and dark mode, with results, fixes and the share dialog', async () => {
    await page.evaluate(await AXE_SOURCE);
    const audit = async (label) => {
      const result = await page.evaluate(() => globalThis.axe.run(document, { resultTypes: ['violations'] }));
      const violations = result.violations.map((v) => `${label}: ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
      assert.deepEqual(violations, []);
    };
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      await runSample('missingKid');
      await audit(`${scheme}, missing kid`);
      if (process.env.UPDATE_DOCS_SCREENSHOT === '1') {
        await mkdir(DOCS, { recursive: true });
        await page.screenshot({ path: new URL(`screenshot-${scheme}.png`, DOCS).pathname, fullPage: true });
      }
      await screenshot(`axe-${scheme}`);
      await runSample('assertion');
      await audit(`${scheme}, assertion`);
      await page.click('#share');
      await audit(`${scheme}, share dialog`);
      await page.keyboard.press('Escape');
      assert.equal(await page.isVisible('#share-dialog'), false);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  });

  test('narrow screen: one column, no horizontal scrolling', async () => {
    await page.setViewportSize(NARROW);
    await runSample('rotated');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the viewport`);
    await screenshot('narrow-rotated');
    await page.setViewportSize(WIDE);
  });

  test('no request left 127.0.0.1 and the page threw nothing', () => {
    assert.deepEqual(outsideRequests, []);
    assert.deepEqual(pageErrors, []);
    // The cross-origin fetch above is meant to be blocked; Chromium logs that as an error.
    const unexpected = consoleErrors.filter((text) => !/CORS policy|net::ERR_FAILED/.test(text));
    assert.deepEqual(unexpected, []);
  });
});
