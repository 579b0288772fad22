// The RemoteJwks scenarios of remote.test.mjs in Debian's headless Chromium (playwright-core):
// the repository is served from one loopback origin, the JWKS server listens on another (so
// every JWKS request is cross-origin, under CORS), and the page runs each scenario with the
// package's web entry and reports the outcome back here.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { startJwksServer } from './support/jwks-server.mjs';
import { scenarios } from './support/remote-scenarios.mjs';

const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

let staticServer;
let jwksServer;
let browser;
let page;
const pageErrors = [];

before(async () => {
  staticServer = await startServer(0);
  jwksServer = await startJwksServer();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  await page.goto(`http://127.0.0.1:${staticServer.address().port}/pkg/package.json`);
  const ready = await page.evaluate(async () => {
    const api = await import('/pkg/web.mjs');
    await api.ready();
    return typeof api.RemoteJwks === 'function' && typeof api.discoverJwks === 'function';
  });
  assert.equal(ready, true, 'the web entry exports RemoteJwks and discoverJwks');
});

after(async () => {
  await browser?.close();
  await jwksServer?.close();
  staticServer?.close();
});

// Runs in the page.
async function runScenario({ name, origin }) {
  const api = await import('/pkg/web.mjs');
  const { scenarios: all } = await import('/tests/js/support/remote-scenarios.mjs');
  const scenario = all.find((s) => s.name === name);
  try {
    await scenario.run({ api, origin });
    return { ok: true };
  } catch (err) {
    return { ok: false, message: String(err?.stack ?? err) };
  }
}

for (const scenario of scenarios) {
  test(`Chromium: ${scenario.name}`, async () => {
    const outcome = await page.evaluate(runScenario, { name: scenario.name, origin: jwksServer.origin });
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
    assert.ok(outcome.ok, outcome.message);
  });
}

test('Chromium: the page origin differs from the JWKS origin (CORS is exercised)', async () => {
  const pageOrigin = await page.evaluate(() => location.origin);
  assert.notEqual(pageOrigin, jwksServer.origin);
});
