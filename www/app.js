// The debugging page: reads the form, runs the analysis, renders the panels. The package is
// imported dynamically so that a missing build shows a message instead of a blank page.

import { analyze } from './analyze.js';
import { renderReport } from './render.js';
import { keysFromText, keysFromUrl } from './keysource.js';
import { fetchFailure } from './explain.js';
import { SAMPLES } from './samples.js';
import { isoDate } from './format.js';

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
      clockTolerance: tolerance.value,
      currentDate: now.now,
    },
    assertion: {
      clientId: fields['client-id'].value.trim(),
      audience: oneOrMany(fields['assertion-audience'].value),
      profile: fields.profile.value,
    },
  };
}

function readToken() {
  return fields.token.value.trim().replace(/^bearer\s+/i, '').replace(/\s+/g, '');
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

function readKeys() {
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
    report = await analyze(jv, { mode: fields.mode.value, token: readToken(), keys: readKeys(), ...read });
  } catch (error) {
    report = { token: readToken(), keys: null, notes: [], final: { ok: false, error }, finalSource: 'the page' };
  }
  if (seq !== runCount) return;
  renderReport(panels, report);
  panels.verdict.dataset.sample = currentSample;
  panels.verdict.dataset.run = String(seq);
  panels.verdict.dataset.state = 'done';
}

function runSoon() {
  currentSample = '';
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

// --- form state ---

function syncVisibility() {
  const mode = fields.mode.value;
  for (const element of form.querySelectorAll('[data-mode]')) element.hidden = element.dataset.mode !== mode;
  const remote = fields['keys-source'].value === 'url';
  $('jwks-paste').hidden = remote;
  $('jwks-remote').hidden = !remote;
}

const SAMPLE_FIELDS = {
  algorithms: 'algorithms', issuer: 'issuer', audience: 'audience', clockTolerance: 'clock-tolerance', currentTime: 'current-time',
};

async function loadSample(name) {
  clearTimeout(pendingRun);
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
  fields.jwks.value = sample.jwks;
  for (const [key, id] of Object.entries(SAMPLE_FIELDS)) fields[id].value = sample.options[key] ?? '';
  fields['client-id'].value = sample.assertion?.clientId ?? '';
  fields['assertion-audience'].value = sample.assertion?.audience ?? '';
  fields.profile.value = sample.assertion?.profile ?? 'strict';
  syncVisibility();
  note.textContent = sample.note;
  note.hidden = false;
  currentSample = name;
  await run();
}

function featureList() {
  const features = [['RemoteJwks', jv.RemoteJwks], ['checkAssertion', jv.checkAssertion], ['explainSelection', jv.explainSelection]];
  return features.map(([name, value]) => `${name} ${typeof value === 'function' ? '✔' : '✘'}`).join(' · ');
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
  status.textContent = `Ready in ${Math.round(performance.now())} ms. Package features: ${featureList()}.`;
  document.documentElement.dataset.ready = 'true';

  form.addEventListener('input', (event) => {
    if (event.target.name === 'jwks-url') return;
    runSoon();
  });
  form.addEventListener('change', (event) => {
    if (event.target.type === 'radio' || event.target.type === 'checkbox' || event.target.tagName === 'SELECT') {
      syncVisibility();
      currentSample = '';
      run();
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    currentSample = '';
    if (fields['keys-source'].value === 'url' && jwksUrl() && fetched?.url !== jwksUrl()) await fetchKeys();
    else await run();
  });
  $('fetch-jwks').addEventListener('click', fetchKeys);
  fields['jwks-url'].addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      fetchKeys();
    }
  });
  for (const button of document.querySelectorAll('[data-sample]')) {
    button.addEventListener('click', () => loadSample(button.dataset.sample));
  }
  syncVisibility();
  await run();
}

start();
