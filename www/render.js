// Turns an analysis report into the result panels. Text only through textContent: whatever
// a token or key set holds is shown, never interpreted as markup.

import { describeTime, json } from './format.js';
import { diagnosticFix, errorHint } from './explain.js';
import { fixFor } from './fixes.js';

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'text') element.textContent = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function fill(container, ...children) {
  container.replaceChildren(...children.flat().filter(Boolean));
}

const muted = (text) => h('p', { class: 'muted', text });

function errorLine(error) {
  return h('p', { class: 'error-line' }, h('code', { class: 'code', text: error?.code ?? error?.name ?? 'Error' }), ' ', error?.message ?? String(error));
}

function keyLabel(key) {
  if (!key) return 'a key';
  return `key #${key.index}${key.kid !== undefined ? ` (kid "${key.kid}")` : ' (no kid)'}`;
}

// --- verdict ---

// What the library makes of the token field as typed, when the page verified less of it.
function pastedNote(report) {
  const { pasted } = report;
  if (!pasted || !report.final) return null;
  const { final } = pasted;
  if (final.ok === report.final.ok && (final.ok || final.error?.code === report.final.error?.code)) return null;
  const what = pasted.prefix ? `a "${pasted.prefix} " prefix (and whitespace)` : 'whitespace or line breaks';
  const said = final.ok ? 'accepts it' : `rejects it: ${final.error?.code ?? final.error?.name ?? 'Error'}`;
  if (report.mode === 'dpop') {
    return h('p', { class: 'hint-line', 'data-pasted': 'cleaned' }, h('strong', { text: 'Proof cleaned: ' }),
      `the field held ${what} around the proof; the page verified the proof alone. ${pasted.source} given the text as pasted ${said}. Pass your library the DPoP header's value only (no header name or scheme, no spaces or line breaks).`);
  }
  return h('p', { class: 'hint-line', 'data-pasted': 'cleaned' }, h('strong', { text: 'Token cleaned: ' }),
    `the field held ${what} around the token; the page verified the token alone. ${pasted.source} given the text as pasted ${said}. Pass your library the token only (the part after "Bearer ", with no spaces or line breaks).`);
}

export function renderVerdict(element, report) {
  element.dataset.code = '';
  if (!report.final) {
    element.dataset.verdict = 'empty';
    const { keys } = report;
    const why = report.inputError ? report.inputError
      : report.mode === 'dpop' ? 'Paste a DPoP proof (the DPoP header\'s value), the method and the URL.'
      : !report.token && !keys?.keySet ? 'Paste a token and a key set, or pick a sample.'
      : !report.token ? 'Paste a token to verify.'
      : keys?.error ? 'The key set could not be read: see Key set diagnostics.'
      : keys?.pending ?? 'Add a key set: paste a JWKS or fetch one.';
    fill(element, h('p', { class: 'verdict-title', text: why }));
    return;
  }
  const { final } = report;
  const source = h('code', { text: report.finalSource });
  if (final.ok) {
    element.dataset.verdict = 'valid';
    if (report.mode === 'dpop') {
      fill(element,
        h('p', { class: 'verdict-title' }, h('span', { class: 'mark', 'aria-hidden': 'true', text: '✔' }), ` Valid: ${source.textContent} accepted the proof`),
        h('p', {}, `Signed with ${final.value.header?.alg ?? '?'} by the key of its jwk header, jkt `, h('code', { text: final.value.jkt }), '; every check passed.'),
        pastedNote(report),
      );
      return;
    }
    const key = final.value.key;
    fill(element,
      h('p', { class: 'verdict-title' }, h('span', { class: 'mark', 'aria-hidden': 'true', text: '✔' }), ` Valid: ${source.textContent} accepted the token`),
      h('p', {}, `Signed with ${final.value.header?.alg ?? '?'} by ${keyLabel(key)}; every check passed.`),
      pastedNote(report),
    );
    return;
  }
  const { error } = final;
  element.dataset.verdict = 'invalid';
  element.dataset.code = error?.code ?? '';
  const hint = errorHint(error, { header: report.decoded?.header, keySet: report.keys?.keySet, selection: report.selection, mode: report.mode, dpop: report.dpop, failedCheck: report.failedCheck });
  fill(element,
    h('p', { class: 'verdict-title' }, h('span', { class: 'mark', 'aria-hidden': 'true', text: '✘' }), ` Rejected by ${report.finalSource}: `, h('code', { class: 'code', text: error?.code ?? error?.name ?? 'Error' })),
    h('p', { class: 'verdict-message', text: error?.message ?? String(error) }),
    error?.claim ? h('p', { class: 'muted', text: `claim "${error.claim}", reason "${error.reason ?? '?'}"` }) : null,
    hint ? h('p', { class: 'hint-line' }, h('strong', { text: 'What to do: ' }), hint) : null,
    pastedNote(report),
  );
}

// --- decoded token ---

function timeClaims(payload, now) {
  const items = ['exp', 'nbf', 'iat'].filter((claim) => payload && payload[claim] !== undefined).map((claim) =>
    h('li', { 'data-claim': claim }, h('code', { text: claim }), ' ', describeTime(payload[claim], now)));
  if (!items.length) return h('p', { class: 'muted', text: 'No exp, nbf or iat claim.' });
  return h('ul', { class: 'time-claims' }, items);
}

export function renderDecoded(container, report) {
  if (report.decodeError) return fill(container, errorLine(report.decodeError), muted(errorHint(report.decodeError)));
  if (!report.decoded) return fill(container, muted('No token yet.'));
  const { header, payload, signature } = report.decoded;
  const signatureLength = typeof signature === 'string' ? Math.floor((signature.length * 3) / 4) : signature?.length;
  fill(container,
    h('div', { class: 'two' },
      h('div', {}, h('h4', { text: 'Header' }), h('pre', { class: 'json', tabindex: '0', 'aria-label': 'decoded header', text: json(header) })),
      h('div', {}, h('h4', { text: 'Payload' }), h('pre', { class: 'json', tabindex: '0', 'aria-label': 'decoded payload', text: json(payload) })),
    ),
    h('h4', { text: 'Times' }),
    h('p', { class: 'muted', text: `Relative to ${report.nowLabel}.` }),
    timeClaims(payload, report.now),
    signatureLength !== undefined ? h('p', { class: 'muted', text: `Signature: about ${signatureLength} bytes.` }) : null,
  );
}

// --- key selection ---

const SOURCE_NAMES = {
  explainSelection: 'from explainSelection()',
};

function outcome(verdict, selection, signature) {
  if (verdict?.filteredBy) {
    const rule = verdict.filteredBy === 'unusable' ? '' : ` by ${verdict.filteredBy}`;
    return { kind: 'filtered', text: `✘ filtered out${rule}: ${verdict.detail ?? ''}`.trim() };
  }
  const position = selection.candidates.indexOf(verdict?.index);
  if (position < 0) return { kind: 'not-tried', text: `– a candidate, but past maxCandidates (${selection.candidates.length}): not tried` };
  const chosen = signature?.status === 'verified' && signature.key ? signature.key.index : undefined;
  if (chosen === verdict.index) return { kind: 'chosen', text: '✔ chosen: verified the signature' };
  if (signature?.status === 'verified' && chosen === undefined && selection.candidates.length === 1) {
    return { kind: 'chosen', text: '✔ chosen: verified the signature' };
  }
  if (chosen !== undefined && position > selection.candidates.indexOf(chosen)) {
    return { kind: 'candidate', text: `• candidate, not needed: key #${chosen} verified first` };
  }
  if (signature?.status === 'failed' || chosen !== undefined) return { kind: 'tried', text: '✘ candidate: tried, the signature did not verify' };
  return { kind: 'candidate', text: '• candidate' };
}

function keyOps(raw, verdict) {
  if (Array.isArray(raw?.key_ops)) return raw.key_ops.join(', ');
  if (raw) return '–';
  return verdict?.filteredBy === 'key_ops' ? 'lacks verify' : '?';
}

const PROOF_KEY = 'A DPoP proof carries its own public key (its jwk header): no key set, no key selection.';

export function renderSelection(container, report) {
  if (report.mode === 'dpop') return fill(container, muted(PROOF_KEY));
  const { selection, keys } = report;
  if (!keys?.keySet) return fill(container, muted(keys?.error ? 'The key set could not be parsed: see Key set diagnostics.' : 'No key set yet.'));
  if (!report.decoded) return fill(container, muted('Decode a token to see which key it selects.'));
  if (!selection) return fill(container, muted('No selection.'));
  const summary = h('p', {},
    'Token: alg ', h('code', { text: String(selection.alg) }), ', ',
    selection.kid !== undefined ? ['kid ', h('code', { text: JSON.stringify(selection.kid) })] : 'no kid (takes every fitting key)',
    `. ${keys.keySet.keys.length} key${keys.keySet.keys.length === 1 ? '' : 's'} in the set; trace ${SOURCE_NAMES[selection.source] ?? selection.source}.`);
  if (selection.error) return fill(container, summary, errorLine(selection.error));
  const verdicts = new Map(selection.trace.map((v) => [v.index, v]));
  const rows = keys.keySet.keys.map((key) => {
    const verdict = verdicts.get(key.index);
    const result = outcome(verdict, selection, report.signature);
    const raw = keys.rawKeys?.[key.index];
    return h('tr', { 'data-index': key.index, 'data-outcome': result.kind, class: `outcome-${result.kind}` },
      h('td', { 'data-label': '#', text: String(key.index) }),
      h('td', { 'data-label': 'kid', text: key.kid ?? '(none)' }),
      h('td', { 'data-label': 'kty', text: key.kty ?? '' }),
      h('td', { 'data-label': 'crv', text: key.crv ?? '–' }),
      h('td', { 'data-label': 'alg', text: key.alg ?? '–' }),
      h('td', { 'data-label': 'use', text: key.use ?? '–' }),
      h('td', { 'data-label': 'key_ops', text: keyOps(raw, verdict) }),
      h('td', { 'data-label': 'outcome', class: 'outcome', text: result.text }),
    );
  });
  const table = h('table', { class: 'stack' },
    h('caption', { class: 'visually-hidden', text: 'Each key of the set and why it was chosen or filtered out' }),
    h('thead', {}, h('tr', {}, ['#', 'kid', 'kty', 'crv', 'alg', 'use', 'key_ops', 'outcome'].map((name) => h('th', { scope: 'col', text: name })))),
    h('tbody', {}, rows));
  fill(container, summary, rows.length ? h('div', { class: 'table-wrap' }, table) : muted('The set has no keys.'));
}

// --- signature ---

export function renderSignature(container, report) {
  const { signature } = report;
  container.dataset.status = signature?.status ?? '';
  if (!signature) return fill(container, muted(report.mode === 'dpop' ? 'Paste a proof.' : report.keys?.keySet ? 'Paste a token.' : 'Needs a token and a key set.'));
  if (signature.status === 'verified') {
    const key = signature.key;
    return fill(container,
      h('p', { class: 'status-pass' }, h('span', { 'aria-hidden': 'true', text: '✔ ' }), `Signature verified with ${keyLabel(key)}.`),
      key ? h('p', { class: 'muted', text: `${key.kty}${key.crv ? ` ${key.crv}` : ''}${key.bits ? `, ${key.bits} bits` : ''}; RFC 7638 thumbprint ${key.thumbprint}` }) : null,
      signature.note ? h('p', { class: 'muted', text: signature.note }) : null);
  }
  if (signature.status === 'failed') {
    return fill(container,
      h('p', { class: 'status-fail' }, h('span', { 'aria-hidden': 'true', text: '✘ ' }), 'No candidate key verified the signature.'),
      errorLine(signature.error),
      muted(errorHint(signature.error)));
  }
  const where = signature.error?.code === 'ERR_JWKS_NO_MATCHING_KEY' ? ' (no candidate key: see Key selection)' : '';
  return fill(container,
    h('p', { class: 'status-skip' }, h('span', { 'aria-hidden': 'true', text: '– ' }), `Not checked: verification stopped before the signature${where}.`),
    h('p', { class: 'error-line' }, h('code', { class: 'code', text: signature.error?.code ?? signature.error?.name ?? 'Error' })));
}

// --- claims ---

const STATUS_TEXT = { pass: '✔ pass', fail: '✘ fail', skip: '– not checked' };

export function renderClaims(container, report) {
  const notes = report.notes.map((note) => h('p', { class: 'note', text: note }));
  if (!report.claims) return fill(container, muted(!report.decoded ? 'No token yet.' : report.keys?.keySet || report.mode === 'dpop' ? 'No claim rows.' : 'Needs a key set.'), notes);
  const rows = report.claims.map((r) => h('tr', { 'data-check': r.id, 'data-status': r.status, 'data-source': r.source, class: `row-${r.status}` },
    h('th', { scope: 'row', 'data-label': 'claim', text: r.id.replaceAll('_', ' ') }),
    h('td', { 'data-label': 'expected', text: r.expected }),
    h('td', { 'data-label': 'token', text: r.actual }),
    h('td', { 'data-label': 'result', class: 'result' }, STATUS_TEXT[r.status] ?? r.status, h('span', { class: 'by', text: `by ${r.source}` })),
    h('td', { 'data-label': 'code' }, r.code ? h('code', { text: r.code }) : r.note ?? '', r.reason && r.code ? ` (${r.reason})` : '',
      r.message ? h('span', { class: 'message', text: r.message }) : null),
  ));
  fill(container, notes,
    h('div', { class: 'table-wrap' }, h('table', { class: 'stack' },
      h('caption', { class: 'visually-hidden', text: 'Each claim check with its result and error code' }),
      h('thead', {}, h('tr', {}, ['claim', 'expected', 'token', 'result', 'code'].map((name) => h('th', { scope: 'col', text: name })))),
      h('tbody', {}, rows))),
    h('p', { class: 'muted', text: 'Each row is one rule the core runs with these options, in its order and words (explainClaims, explainAssertion for an assertion, explainAccessToken for an access token, explainDpop for a DPoP proof), on this token\'s claims. Rules your options do not switch on are not listed. The verdict above is always the library\'s own (verifyJwt, checkAssertion, verifyAccessToken or verifyDpopProof).' }));
}

// --- diagnostics ---

export function renderDiagnostics(container, report) {
  if (report.mode === 'dpop') return fill(container, muted(PROOF_KEY));
  const { keys } = report;
  if (!keys) return fill(container, muted('No key set yet.'));
  if (keys.error) return fill(container, errorLine(keys.error), muted(errorHint(keys.error)));
  if (!keys.keySet) return fill(container, muted(keys.pending ?? 'No key set yet.'));
  const { diagnostics } = keys.keySet;
  const source = h('p', { class: 'muted', text: keys.via === 'parseJwks' ? 'From parseJwks on the pasted set.' : `From the set fetched through ${keys.via}${keys.fetchedAt ? ` at ${new Date(keys.fetchedAt).toLocaleTimeString()}` : ''}.` });
  if (!diagnostics.length) return fill(container, source, h('p', { class: 'status-pass', text: '✔ No findings: every key is usable, has a kid and an alg.' }));
  const alg = typeof report.decoded?.header?.alg === 'string' ? report.decoded.header.alg : undefined;
  const items = diagnostics.map((d, position) => {
    const fix = fixFor(d, { rawKeys: keys.rawKeys, keyInfo: keys.keySet.keys[d.index], alg, algRefusal: keys.algRefusal });
    const fixId = `fix-${position}`;
    return h('li', { class: `diagnostic severity-${d.severity}`, 'data-code': d.code },
      h('p', {}, h('span', { class: 'badge', text: d.severity }), ' ', h('code', { text: d.code }),
        d.index !== undefined ? ` · key #${d.index}` : '', d.kid !== undefined ? ` (kid "${d.kid}")` : ''),
      h('p', { text: d.message }),
      diagnosticFix(d.code) ? h('p', { class: 'fix' }, h('strong', { text: 'Fix: ' }), diagnosticFix(d.code)) : null,
      h('div', { class: 'fix-copy', 'data-fix-kind': fix.kind },
        fix.note ? h('p', { class: 'muted', text: fix.note }) : null,
        h('pre', { id: fixId, class: 'fix-text', tabindex: '0', 'aria-label': `Fix for ${d.code}${d.index !== undefined ? ` on key #${d.index}` : ''}`, text: fix.text }),
        h('button', { type: 'button', class: 'copy', 'data-copy': fixId, text: fix.kind === 'jwk' ? 'Copy fixed key' : 'Copy fix' })));
  });
  fill(container, source, h('ul', { class: 'diagnostics' }, items));
}

export function renderReport(elements, report) {
  renderVerdict(elements.verdict, report);
  if (report.inputError) {
    // Nothing was analysed: no panel may read as if the token or key set were missing.
    for (const name of ['decoded', 'selection', 'signature', 'claims', 'diagnostics']) fill(elements[name], muted(report.inputError));
    return;
  }
  renderDecoded(elements.decoded, report);
  renderSelection(elements.selection, report);
  renderSignature(elements.signature, report);
  renderClaims(elements.claims, report);
  renderDiagnostics(elements.diagnostics, report);
}
