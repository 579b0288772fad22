// The debugging page (www/) in headless Chromium, for the probes that compare what it shows with
// what the library says (www_probe, www_modes_probe).

import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../../scripts/serve.mjs';

export const STEP_TIMEOUT_MS = 30_000;
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Serves www/ on 127.0.0.1 and opens it, ready. `pageErrors` collects what the page threw or
 * logged as an error, `outsideRequests` every request that left 127.0.0.1.
 */
export async function openPage() {
  const server = await startServer(0);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const pageErrors = [];
  const outsideRequests = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol !== 'data:' && url.hostname !== '127.0.0.1') outsideRequests.push(request.url());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
  });
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector('html[data-ready="true"]', { timeout: STEP_TIMEOUT_MS });
  const close = async () => {
    await browser.close();
    server.close();
  };
  return { page, pageErrors, outsideRequests, close };
}

/** Runs `action` (an edit, a mode switch, a click on Verify) and waits for a later run's verdict. */
export async function nextVerdict(page, action) {
  const previous = Number(await page.getAttribute('#verdict', 'data-run'));
  await action();
  await page.waitForFunction((run) => {
    const verdict = document.getElementById('verdict');
    return verdict.dataset.state === 'done' && Number(verdict.dataset.run) > run;
  }, previous, { timeout: STEP_TIMEOUT_MS });
  return shownVerdict(page);
}

/**
 * The form in `mode` with a pasted key set (private keys not accepted) and `fields` (by name),
 * set without input events (no run is pending), then Verify.
 */
export function submitForm(page, mode, fields) {
  return nextVerdict(page, async () => {
    await page.evaluate(({ mode, fields }) => {
      const form = document.getElementById('inputs').elements;
      form.mode.value = mode;
      form['keys-source'].value = 'paste';
      form['allow-private'].checked = false;
      for (const [name, value] of Object.entries(fields)) form[name].value = value;
    }, { mode, fields });
    await page.click('#verify');
  });
}

/** What the verdict panel shows: verdict, code, hint, the pasted-text note, the fixed keys offered. */
export function shownVerdict(page) {
  return page.evaluate(() => {
    const verdict = document.getElementById('verdict');
    return {
      verdict: verdict.dataset.verdict,
      code: verdict.dataset.code,
      hint: verdict.querySelector('.hint-line:not([data-pasted])')?.textContent ?? '',
      pasted: verdict.querySelector('[data-pasted]')?.textContent ?? '',
      fixedKeys: [...document.querySelectorAll('#diagnostics [data-fix-kind="jwk"] pre')].map((pre) => pre.textContent),
    };
  });
}

/** A library call's verdict as the page shows one: `{ verdict, code, claim, reason, message }`. */
export async function libraryVerdict(call) {
  try {
    await call();
    return { verdict: 'valid', code: '' };
  } catch (error) {
    assert.ok(error.code, `threw without a code: ${error}`);
    return { verdict: 'invalid', code: error.code, claim: error.claim, reason: error.reason, message: error.message };
  }
}
