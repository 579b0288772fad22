// The debugging page: reads the form, runs the analysis, renders the panels. The package is
// imported dynamically so that a missing build shows a message instead of a blank page.

import { analyze } from './analyze.js';
import { renderReport } from './render.js';
import { keysFromIssuer, keysFromText, keysFromUrl } from './keysource.js';
import { applyState, decodeState, encodeState } from './state.js';
import { fetchFailure } from './explain.js';
import { SAMPLES } from './samples.js';
import { describeTime, isoDate } from './format.js';

const $ = (id) => document.getElementById(id);
const form = $('inputs');
const fields = form.elements;
const panels = {
  verdict: $('verdict'), decoded: $('decoded'), selection: $('selection'),
  signature: $('signature'), claims: $('claims'), diagnostics: $('diagnostics'),
};
const INPUT_DELAY_MS = 200;

let jv = null;
let fetched = null; // { url, keys } or { url, error }: the last JWKS fetched from a URL
let discovered = null; // { issuer, keys } or { issuer, error }: the last issuer discovered
const sampleTokens = new Set(); // tokens this page made: sharing them needs no warning
let runCount = 0;
let pendingRun;
let currentSample = '';

// --- reading the form ---

const splitList = (text) => text.split(/[\s,]+/).filter(Boolean);

function oneOrMany(text) {
  const values = splitList(text);
  return values.length > 1 ? values : values[0];
}

function setFieldError(input, message) {
  const id = `${input.id}-error`;
  let note = $(id);
  if (!message) {
    note?.remove();
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    return;
  }
  if (!note) {
    note = Object.assign(document.createElement('p'), { id, className: 'field-error' });
    input.after(note);
  }
  note.textContent = message;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
}

function readNow() {
  const text = fields['current-time'].value.trim();
  if (!text) {
    const now = Date.now() / 1000;
    return { now, label: `now on this clock, ${isoDate(Math.floor(now))}` };
  }
  const seconds = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : Date.parse(text) / 1000;
  if (!Number.isFinite(seconds)) {
    return { error: 'Not a date: use ISO 8601 (2025-01-31T12:00:00Z) or NumericDate seconds.' };
  }
  return { now: seconds, label: `the current time you set, ${isoDate(Math.floor(seconds))}` };
}

function readTolerance() {
  const text = fields['clock-tolerance'].value.trim();
  if (!text) return {};
  // Seconds or jose's text form ("30s"): the core reads it, and a wrong one is its TypeError.
  const seconds = Number(text);
  return { value: Number.isNaN(seconds) ? text : seconds };
}

// { options, assertion, nowLabel } or null when a field needs fixing (its error is shown).
function readOptions() {
  const now = readNow();
  const tolerance = readTolerance();
  setFieldError(fields['current-time'], now.error);
  setFieldError(fields['clock-tolerance'], tolerance.error);
  if (now.error || tolerance.error) return null;
  const algorithms = splitList(fields.algorithms.value);
  return {
    nowLabel: now.label,
    options: {
      algorithms: algorithms.length ? algorithms : undefined,
      issuer: oneOrMany(fields.issuer.value),
      audience: oneOrMany(fields.audience.value),
      requiredScopes: splitList(fields['required-scopes'].value),
      clockTolerance: tolerance.value,
      currentDate: now.now,
    },
    dpop: {
      method: fields['dpop-method'].value.trim(),
      url: fields['dpop-url'].value.trim(),
      accessToken: fields['dpop-access-token'].value.trim() || undefined,
      nonce: fields['dpop-nonce'].value || undefined,
    },
    assertion: {
      clientId: fields['client-id'].value.trim(),
      audience: oneOrMany(fields['assertion-audience'].value),
      profile: fields.profile.value,
    },
  };
}

// A pasted header value: its scheme ("Bearer ", "DPoP ") or header name ("DPoP: ") goes, and
// whitespace; analyze() says what the library makes of the text as pasted.
function readToken() {
  return fields.token.value.trim().replace(/^(bearer|dpop:?)\s+/i, '').replace(/\s+/g, '');
}

function jwksUrl() {
  const text = fields['jwks-url'].value.trim();
  if (!text) return '';
  try {
    return new URL(text, location.href).href;
  } catch {
    return text;
  }
}

function issuerUrl() {
  return fields['issuer-url'].value.trim().replace(/\/+$/, '');
}

function readKeys() {
  if (fields['keys-source'].value === 'issuer') {
    const issuer = issuerUrl();
    if (!issuer) return null;
    if (discovered?.issuer === issuer) return discovered.keys ?? { error: discovered.error };
    return { pending: 'Press Discover (or Verify) to find the issuer\'s key set.' };
  }
  if (fields['keys-source'].value === 'paste') {
    const text = fields.jwks.value.trim();
    return text ? keysFromText(jv, text, fields['allow-private'].checked) : null;
  }
  const url = jwksUrl();
  if (!url) return null;
  if (fetched?.url === url) return fetched.keys ?? { error: fetched.error };
  return { pending: 'Press Fetch (or Verify) to load the key set from the URL.' };
}

// --- running ---

async function run() {
  clearTimeout(pendingRun);
  if (!jv) return;
  const seq = ++runCount;
  panels.verdict.dataset.state = 'running';
  const read = readOptions();
  if (!read) {
    renderReport(panels, { token: readToken(), keys: null, notes: [], inputError: 'Fix the option marked in red to verify.' });
    panels.verdict.dataset.run = String(seq);
    panels.verdict.dataset.state = 'done';
    return;
  }
  let report;
  try {
    const mode = fields.mode.value;
    report = await analyze(jv, { mode, token: readToken(), pasted: fields.token.value, keys: mode === 'dpop' ? null : readKeys(), ...read });
  } catch (error) {
    report = { token: readToken(), keys: null, notes: [], final: { ok: false, error }, finalSource: 'the page' };
  }
  if (seq !== runCount) return;
  renderReport(panels, report);
  panels.verdict.dataset.sample = currentSample;
  panels.verdict.dataset.run = String(seq);
  panels.verdict.dataset.state = 'done';
}

// A link shown for an earlier state would mislead once the form changes.
function hideStaleLink() {
  $('share-result').hidden = true;
  $('share-url').value = '';
}

function runSoon() {
  currentSample = '';
  hideStaleLink();
  clearTimeout(pendingRun);
  pendingRun = setTimeout(run, INPUT_DELAY_MS);
}

async function fetchKeys() {
  const url = jwksUrl();
  const status = $('fetch-status');
  status.dataset.cors = '';
  if (!url) {
    status.textContent = 'Enter the JWKS URL first.';
    return;
  }
  status.textContent = `Fetching ${url}…`;
  try {
    const keys = await keysFromUrl(jv, url, fields['allow-private'].checked);
    keys.fetchedAt = Date.now();
    fetched = { url, keys };
    const count = keys.keySet.keys.length;
    status.textContent = `Fetched ${count} key${count === 1 ? '' : 's'} through ${keys.via} at ${new Date(keys.fetchedAt).toLocaleTimeString()}.`;
  } catch (error) {
    fetched = { url, error };
    const explained = fetchFailure(error, url, location.origin);
    status.dataset.cors = explained.cors ? 'true' : '';
    const line = (tag, text, className = '') => Object.assign(document.createElement(tag), { textContent: text, className });
    status.replaceChildren(
      line('strong', explained.title), explained.detail ? ` ${explained.detail}` : '',
      line('span', ` ${error?.code ?? error?.name ?? 'Error'}: ${error?.message ?? error}`, 'fetch-error'));
  }
  await run();
}

async function discoverKeys() {
  const issuer = issuerUrl();
  const status = $('discover-status');
  status.dataset.cors = '';
  if (!issuer) {
    status.textContent = 'Enter the issuer first, e.g. https://accounts.example.com.';
    return;
  }
  status.textContent = `Reading ${issuer}/.well-known/openid-configuration…`;
  try {
    const keys = await keysFromIssuer(jv, issuer);
    keys.fetchedAt = Date.now();
    discovered = { issuer, keys };
    const count = keys.keySet.keys.length;
    const filled = !fields.issuer.value.trim() && ['verify', 'access'].includes(fields.mode.value);
    if (filled) fields.issuer.value = issuer;
    status.textContent = `Discovered ${keys.jwksUri}: ${count} key${count === 1 ? '' : 's'}, fetched at ${new Date(keys.fetchedAt).toLocaleTimeString()}.${filled ? ' The Issuer option is set to it.' : ''}`;
  } catch (error) {
    discovered = { issuer, error };
    const explained = fetchFailure(error, `${issuer}/.well-known/openid-configuration`, location.origin);
    status.dataset.cors = explained.cors ? 'true' : '';
    const line = (tag, text, className = '') => Object.assign(document.createElement(tag), { textContent: text, className });
    status.replaceChildren(
      line('strong', explained.title), explained.detail ? ` ${explained.detail}` : '',
      line('span', ` ${error?.code ?? error?.name ?? 'Error'}: ${error?.message ?? error}`, 'fetch-error'));
  }
  await run();
}

// --- sharing: the case in the URL fragment ---

// What the warning says about the token in the form: whose it is and until when it works.
function tokenDetail(token) {
  let payload;
  try {
    payload = jv.decodeJwt(token).payload;
  } catch {
    return 'It is not a well-formed JWT, but treat it as a credential all the same.';
  }
  const now = Date.now() / 1000;
  const who = typeof payload.sub === 'string' ? ` It speaks for subject ${JSON.stringify(payload.sub)}` : ' It';
  const aud = payload.aud === undefined ? '' : ` at ${JSON.stringify(payload.aud)}`;
  if (payload.exp === undefined) return `${who}${aud} and has no exp: it may never expire.`;
  // Expired or not is the core's exp rule (explainClaims), on this clock.
  let expired = false;
  try {
    expired = jv.explainClaims(token).some((rule) => rule.id === 'exp' && rule.code === 'ERR_JWT_EXPIRED');
  } catch {
    // Claims the core cannot read: described as they are below.
  }
  if (expired) return `${who}${aud}; it expired ${describeTime(payload.exp, now)}, but may still be accepted where clocks are lenient.`;
  return `${who}${aud} until it expires ${describeTime(payload.exp, now)}.`;
}

function openShareDialog() {
  const token = readToken();
  const risky = Boolean(token) && !sampleTokens.has(token);
  $('share-warning').hidden = !risky;
  $('share-token-detail').textContent = risky ? tokenDetail(token) : '';
  $('share-safe').hidden = risky;
  $('share-with-token').hidden = !token;
  $('share-without-token').textContent = token ? 'Copy link without the token' : 'Copy link';
  const dialog = $('share-dialog');
  dialog.returnValue = '';
  dialog.showModal();
  (risky ? $('share-without-token') : (token ? $('share-with-token') : $('share-without-token'))).focus();
}

async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard permission: the text stays selected for Ctrl+C
  }
}

async function share(choice) {
  if (choice !== 'with-token' && choice !== 'without-token') return;
  const pinned = $('share-pin-time').checked && !fields['current-time'].value.trim() ? Math.floor(Date.now() / 1000) : undefined;
  const fragment = encodeState(fields, { token: choice === 'with-token', now: pinned });
  const url = `${location.origin}${location.pathname}#${fragment}`;
  history.replaceState(null, '', url);
  const box = $('share-result');
  const input = $('share-url');
  box.hidden = false;
  input.value = url;
  input.focus();
  input.select();
  const copied = await copyText(url);
  $('share-status').textContent = `${copied ? 'Link copied' : 'Link ready: press Ctrl+C to copy it'} (${url.length} characters${choice === 'with-token' ? ', token included' : ', without the token'}${pinned ? ', time pinned' : ''}).`;
}

// Fills the form from the URL fragment; true when it held a case.
function loadFragment() {
  const state = decodeState(location.hash);
  if (!state) return false;
  applyState(fields, state);
  fetched = null;
  discovered = null;
  syncVisibility();
  const note = $('sample-note');
  note.textContent = `Loaded the case from the link${state.token ? '' : ' (without a token)'}.${state['keys-source'] === 'paste' ? '' : ' Press Verify to fetch its key set.'}`;
  note.hidden = false;
  currentSample = '';
  return true;
}

// --- form state ---

function syncVisibility() {
  const mode = fields.mode.value;
  for (const element of form.querySelectorAll('[data-mode]')) element.hidden = !element.dataset.mode.split(' ').includes(mode);
  for (const element of form.querySelectorAll('[data-hide-mode]')) element.hidden = element.dataset.hideMode === mode;
  const source = fields['keys-source'].value;
  $('jwks-paste').hidden = source !== 'paste';
  $('jwks-remote').hidden = source !== 'url';
  $('jwks-issuer').hidden = source !== 'issuer';
}

const SAMPLE_FIELDS = {
  algorithms: 'algorithms', issuer: 'issuer', audience: 'audience', clockTolerance: 'clock-tolerance', currentTime: 'current-time',
};

async function loadSample(name) {
  clearTimeout(pendingRun);
  hideStaleLink();
  const note = $('sample-note');
  panels.verdict.dataset.sample = '';
  let sample;
  try {
    sample = await SAMPLES[name]();
  } catch (error) {
    note.textContent = `Could not make the sample: ${error.message}`;
    note.hidden = false;
    return;
  }
  fields.mode.value = sample.mode;
  fields['keys-source'].value = 'paste';
  fields['allow-private'].checked = false;
  fields.token.value = sample.token;
  sampleTokens.add(sample.token);
  fields.jwks.value = sample.jwks;
  for (const [key, id] of Object.entries(SAMPLE_FIELDS)) fields[id].value = sample.options[key] ?? '';
  fields['client-id'].value = sample.assertion?.clientId ?? '';
  fields['assertion-audience'].value = sample.assertion?.audience ?? '';
  fields.profile.value = sample.assertion?.profile ?? 'strict';
  fields['required-scopes'].value = sample.options.requiredScopes ?? '';
  fields['dpop-method'].value = sample.dpop?.method ?? '';
  fields['dpop-url'].value = sample.dpop?.url ?? '';
  fields['dpop-access-token'].value = sample.dpop?.accessToken ?? '';
  fields['dpop-nonce'].value = sample.dpop?.nonce ?? '';
  syncVisibility();
  note.textContent = sample.note;
  note.hidden = false;
  currentSample = name;
  await run();
}

async function start() {
  const status = $('load-status');
  try {
    const module = await import('../pkg/web.mjs');
    await module.ready();
    jv = module;
  } catch (error) {
    status.dataset.state = 'error';
    status.textContent = `Could not load the jwks-verify package (${error.message}). Build it with "make build" and serve the repository root ("make serve").`;
    return;
  }
  status.dataset.state = 'ready';
  status.textContent = `Ready in ${Math.round(performance.now())} ms.`;
  document.documentElement.dataset.ready = 'true';

  form.addEventListener('input', (event) => {
    if (event.target.name === 'jwks-url' || event.target.name === 'issuer-url' || event.target.name === 'share-url') return;
    runSoon();
  });
  form.addEventListener('change', (event) => {
    if (event.target.type === 'radio' || event.target.type === 'checkbox' || event.target.tagName === 'SELECT') {
      syncVisibility();
      currentSample = '';
      hideStaleLink();
      run();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    currentSample = '';
    if (fields['keys-source'].value === 'url' && jwksUrl() && fetched?.url !== jwksUrl()) await fetchKeys();
    else if (fields['keys-source'].value === 'issuer' && issuerUrl() && discovered?.issuer !== issuerUrl()) await discoverKeys();
    else await run();
  });
  $('fetch-jwks').addEventListener('click', fetchKeys);
  $('discover').addEventListener('click', discoverKeys);
  fields['issuer-url'].addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      discoverKeys();
    }
  });
  $('share').addEventListener('click', openShareDialog);
  $('share-dialog').addEventListener('close', () => share($('share-dialog').returnValue));
  document.addEventListener('click', async (event) => {
    const button = event.target.closest?.('[data-copy]');
    if (!button) return;
    const source = $(button.dataset.copy);
    const copied = await copyText(source.textContent);
    if (!copied) getSelection().selectAllChildren(source);
    $('copy-status').textContent = copied ? 'Copied to the clipboard.' : 'Selected: press Ctrl+C to copy.';
    button.dataset.copied = copied ? 'true' : 'selected';
  });
  window.addEventListener('hashchange', () => {
    if (loadFragment()) run();
  });
  fields['jwks-url'].addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      fetchKeys();
    }
  });
  for (const button of document.querySelectorAll('[data-sample]')) {
    button.addEventListener('click', () => loadSample(button.dataset.sample));
  }
  loadFragment();
  syncVisibility();
  await run();
}

start();
