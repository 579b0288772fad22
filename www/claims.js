// One row per claim check. Where verifyJwt can check a claim on its own (an isolated run with
// just that option) the row is the library's answer (source "verifyJwt"); otherwise it is this
// page's reading of API.md's rules (source "page"). The overall verdict never comes from here.

import { describeTime, isNumericDate, list } from './format.js';

// Seconds of tolerance that make every time check pass, so that a run isolates another check.
export const NEUTRAL_TOLERANCE = 1e12;

const EXPIRED = 'ERR_JWT_EXPIRED';
const FAILED = 'ERR_JWT_CLAIM_VALIDATION_FAILED';

export const ASSERTION_DEFAULTS = { clockTolerance: 30, maxLifetime: 300 };
const ASSERTION_TYPS = ['application/jwt', 'application/client-authentication+jwt'];

async function settle(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

const asArray = (value) => (Array.isArray(value) ? value : [value]);
// JSON, with a space after each comma of an array so that long audience lists can wrap.
const show = (value) => {
  if (value === undefined) return '(absent)';
  return Array.isArray(value) ? `[${value.map((v) => JSON.stringify(v)).join(', ')}]` : JSON.stringify(value);
};
const pass = (extra) => ({ status: 'pass', ...extra });
const fail = (code, reason, extra) => ({ status: 'fail', code, reason, ...extra });
const skip = (note) => ({ status: 'skip', note });

function normalizeTyp(value) {
  const lower = String(value).toLowerCase();
  return lower.includes('/') ? lower : `application/${lower}`;
}

// --- the page's reading of the rules (API.md "Time rules", VerifyOptions, checkAssertion) ---

function equalsOneOf(payload, claim, expected) {
  const value = payload[claim];
  if (value === undefined) return fail(FAILED, 'missing');
  return typeof value === 'string' && asArray(expected).includes(value) ? pass() : fail(FAILED, 'check_failed');
}

function audienceMatches(payload, expected) {
  if (payload.aud === undefined) return fail(FAILED, 'missing');
  const values = asArray(payload.aud);
  return asArray(expected).some((e) => values.includes(e)) ? pass() : fail(FAILED, 'check_failed');
}

function notBefore(payload, now, tolerance) {
  if (payload.nbf === undefined) return skip('absent (optional)');
  if (!isNumericDate(payload.nbf)) return fail(FAILED, 'invalid');
  return payload.nbf > Math.floor(now) + tolerance ? fail(FAILED, 'check_failed') : pass();
}

function expiry(payload, now, tolerance, required = false) {
  if (payload.exp === undefined) {
    return required ? fail(FAILED, 'missing') : skip('absent: the token never expires (not required)');
  }
  if (!isNumericDate(payload.exp)) return fail(FAILED, 'invalid');
  return payload.exp <= Math.floor(now) - tolerance ? fail(EXPIRED, 'check_failed') : pass();
}

// --- rows ---

function row(id, claim, expected, actual, result, source) {
  return { id, claim, expected, actual, source, ...result };
}

// What a run with one option isolated says about `claim`. A claim error about another claim
// means this one passed: the core checks iss, sub and aud before any time claim.
function isolated(run, claim) {
  if (run.ok) return pass();
  const { error } = run;
  if (error.claim === claim) return fail(error.code, error.reason, { message: error.message });
  if (error.claim) return pass();
  return null;
}

function timeRows(payload, now, tolerance, expFromCore, nbfFromCore) {
  const toleranceText = tolerance ? ` (tolerance ${tolerance} s)` : '';
  return [
    row('nbf', 'nbf', `not after now${toleranceText}`, payload.nbf === undefined ? '(absent)' : describeTime(payload.nbf, now),
      nbfFromCore ?? notBefore(payload, now, tolerance), nbfFromCore ? 'verifyJwt' : 'page'),
    row('exp', 'exp', `after now${toleranceText}`, payload.exp === undefined ? '(absent)' : describeTime(payload.exp, now),
      expFromCore ?? expiry(payload, now, tolerance), expFromCore ? 'verifyJwt' : 'page'),
  ];
}

function iatRow(payload, now) {
  const actual = payload.iat === undefined ? '(absent)' : describeTime(payload.iat, now);
  return row('iat', 'iat', 'not checked without maxTokenAge', actual, skip('informational'), 'page');
}

// Rows for verifyJwt with `options` ({algorithms, issuer, audience, clockTolerance, currentDate}).
// `signatureOk`: the core got past the signature, so isolated runs can reach the claims.
export async function verifyClaimRows(jv, token, keySet, payload, options, signatureOk) {
  const now = options.currentDate;
  const tolerance = options.clockTolerance ?? 0;
  const base = { algorithms: options.algorithms, currentDate: now };
  const run = (extra) => settle(() => jv.verifyJwt(token, keySet, { ...base, ...extra }));
  const rows = [];

  for (const [claim, option, mirror] of [['iss', 'issuer', equalsOneOf], ['aud', 'audience', audienceMatches]]) {
    const expected = options[option];
    if (expected === undefined) {
      rows.push(row(claim, claim, `not checked (no ${option} option)`, show(payload[claim]), skip(`set ${option} to check it`), 'page'));
      continue;
    }
    const fromCore = signatureOk ? isolated(await run({ [option]: expected, clockTolerance: NEUTRAL_TOLERANCE }), claim) : null;
    const result = fromCore ?? (claim === 'aud' ? mirror(payload, expected) : mirror(payload, claim, expected));
    rows.push(row(claim, claim, `${claim === 'aud' ? 'contains one of' : 'one of'} ${list(asArray(expected))}`, show(payload[claim]), result, fromCore ? 'verifyJwt' : 'page'));
  }

  // nbf is checked before exp: a run failing on exp says nbf passed; one failing on nbf says
  // nothing about exp.
  let expFromCore = null;
  let nbfFromCore = null;
  if (signatureOk) {
    const timeRun = await run({ clockTolerance: tolerance });
    const timeClaim = timeRun.ok ? null : timeRun.error.claim;
    const present = (claim) => (payload[claim] === undefined ? skip('absent (optional)') : pass());
    if (timeRun.ok || (timeClaim && !['nbf', 'exp', 'iat'].includes(timeClaim))) {
      nbfFromCore = present('nbf');
      expFromCore = payload.exp === undefined ? skip('absent: the token never expires (not required)') : pass();
    } else if (timeClaim === 'nbf') {
      nbfFromCore = isolated(timeRun, 'nbf');
    } else if (timeClaim === 'exp') {
      expFromCore = isolated(timeRun, 'exp');
      nbfFromCore = present('nbf');
    }
  }
  rows.push(...timeRows(payload, now, tolerance, expFromCore, nbfFromCore), iatRow(payload, now));
  return rows;
}

// Rows for checkAssertion's rules (API.md), read by the page: checkAssertion answers with one
// verdict, so `applyVerdict` then marks the row its error names.
export function assertionClaimRows(header, payload, { clientId, audience, profile, clockTolerance, currentDate: now }) {
  const tolerance = clockTolerance ?? ASSERTION_DEFAULTS.clockTolerance;
  const maxLifetime = ASSERTION_DEFAULTS.maxLifetime;
  const rows = [
    row('iss', 'iss', `equals clientId ${show(clientId)}`, show(payload.iss), equalsOneOf(payload, 'iss', clientId), 'page'),
    row('sub', 'sub', `equals clientId ${show(clientId)}`, show(payload.sub), equalsOneOf(payload, 'sub', clientId), 'page'),
    row('aud', 'aud', `contains one of ${list(asArray(audience ?? []))}`, show(payload.aud), audienceMatches(payload, audience ?? []), 'page'),
  ];
  const audCount = Array.isArray(payload.aud) ? payload.aud.length : payload.aud === undefined ? 0 : 1;
  rows.push(row('aud_count', 'aud', profile === 'strict' ? 'exactly one value (strict profile)' : 'any number of values (rfc7523 profile)',
    `${audCount} value${audCount === 1 ? '' : 's'}`,
    profile === 'strict' && audCount > 1 ? fail(FAILED, 'multiple_audiences') : pass(), 'page'));
  const toleranceText = ` (tolerance ${tolerance} s)`;
  rows.push(row('exp', 'exp', `required, after now${toleranceText}`, payload.exp === undefined ? '(absent)' : describeTime(payload.exp, now),
    expiry(payload, now, tolerance, true), 'page'));
  rows.push(row('nbf', 'nbf', `not after now${toleranceText}`, payload.nbf === undefined ? '(absent)' : describeTime(payload.nbf, now),
    notBefore(payload, now, tolerance), 'page'));
  const start = isNumericDate(payload.iat) ? payload.iat : Math.floor(now);
  const lifetime = isNumericDate(payload.exp) ? payload.exp - start : undefined;
  rows.push(row('lifetime', 'exp', `at most ${maxLifetime} s after ${isNumericDate(payload.iat) ? 'iat' : 'now (no iat)'}`,
    lifetime === undefined ? '(no exp)' : `${lifetime} s`,
    lifetime === undefined ? skip('needs exp') : lifetime > maxLifetime ? fail(FAILED, 'lifetime_too_long') : pass(), 'page'));
  rows.push(row('jti', 'jti', 'present (single use)', show(payload.jti),
    typeof payload.jti === 'string' && payload.jti ? pass() : fail(FAILED, payload.jti === undefined ? 'missing' : 'invalid'), 'page'));
  rows.push(row('typ', 'typ', 'absent, JWT or client-authentication+jwt', show(header.typ),
    header.typ === undefined || ASSERTION_TYPS.includes(normalizeTyp(header.typ)) ? pass() : fail(FAILED, 'check_failed'), 'page'));
  return rows;
}

function rowIdFor(error) {
  if (error.reason === 'multiple_audiences') return 'aud_count';
  if (error.reason === 'lifetime_too_long') return 'lifetime';
  return error.claim;
}

// The verdict's claim error marks its row, whatever the page read: the library has the last word.
export function applyVerdict(rows, final, source) {
  if (final.ok || !final.error?.claim) return rows;
  const id = rowIdFor(final.error);
  let target = rows.find((r) => r.id === id) ?? rows.find((r) => r.claim === final.error.claim);
  if (!target) {
    target = row(id, final.error.claim, '', '', {}, source);
    rows.push(target);
  }
  Object.assign(target, fail(final.error.code, final.error.reason, { message: final.error.message }), { source });
  return rows;
}

// Rows read as failing although the verdict passed: the page's reading is wrong there.
export function disagreements(rows, final) {
  return final.ok ? rows.filter((r) => r.status === 'fail') : [];
}
