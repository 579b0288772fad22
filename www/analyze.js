// Runs the library on the page's inputs and gathers what every panel shows. The verdict is one
// verifyJwt (or checkAssertion) call with the options as given; the other runs only explain it.

import { selectionTrace } from './selection.js';
import { NEUTRAL_TOLERANCE, ASSERTION_DEFAULTS, verifyClaimRows, assertionClaimRows, applyVerdict, disagreements } from './claims.js';

async function settle(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function withoutUndefined(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

// Signature stage, from a run whose time checks cannot fail: the core verifies the signature
// before any claim, so a claim error there still means the signature verified.
function signatureStage(run) {
  if (run.ok) return { status: 'verified', key: run.value.key };
  const { error } = run;
  if (error?.claim) return { status: 'verified', key: null, note: `a malformed "${error.claim}" claim stops verifyJwt right after the signature check` };
  if (error?.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return { status: 'failed', error };
  return { status: 'not_reached', error };
}

function assertionVerdict(jv, token, keySet, options, assertion) {
  const { algorithms, clockTolerance, currentDate } = options;
  if (typeof jv.checkAssertion === 'function') {
    return {
      source: 'checkAssertion',
      run: () => jv.checkAssertion(token, withoutUndefined({
        clientId: assertion.clientId, audience: assertion.audience, keys: keySet, algorithms,
        profile: assertion.profile, clockTolerance, currentDate,
      })),
    };
  }
  return {
    source: 'verifyJwt',
    fallback: true,
    run: () => jv.verifyJwt(token, keySet, withoutUndefined({
      algorithms, issuer: assertion.clientId, subject: assertion.clientId, audience: assertion.audience,
      allowMultipleAudiences: assertion.profile !== 'strict', requiredClaims: ['exp', 'jti'],
      clockTolerance: clockTolerance ?? ASSERTION_DEFAULTS.clockTolerance, currentDate,
    })),
  };
}

/**
 * input: { mode: 'verify'|'assertion', token, keys: {keySet?, rawKeys?, error?, via},
 *          options: {algorithms?, issuer?, audience?, clockTolerance?, currentDate (seconds)},
 *          assertion: {clientId, audience, profile} }
 */
export async function analyze(jv, input) {
  const { mode, token, keys, options, assertion } = input;
  const report = { mode, token, now: options.currentDate, nowLabel: input.nowLabel, keys, decoded: null, decodeError: null, selection: null, signature: null, claims: null, final: null, finalSource: null, notes: [] };
  if (!token) return report;

  try {
    report.decoded = jv.decodeJwt(token);
  } catch (error) {
    report.decodeError = error;
  }
  if (!keys?.keySet) return report;
  const { keySet } = keys;

  if (report.decoded) report.selection = await selectionTrace(jv, keySet, token, report.decoded.header, keys.rawKeys);

  const signatureRun = await settle(() => jv.verifyJwt(token, keySet, withoutUndefined({
    algorithms: options.algorithms, currentDate: options.currentDate, clockTolerance: NEUTRAL_TOLERANCE,
  })));
  report.signature = signatureStage(signatureRun);
  const signatureOk = report.signature.status === 'verified';

  if (mode === 'assertion') {
    const verdict = assertionVerdict(jv, token, keySet, options, assertion);
    report.finalSource = verdict.source;
    if (verdict.fallback) {
      report.notes.push('checkAssertion is not in this build of the package: the verdict comes from verifyJwt with the same rules as options (iss = sub = clientId, audience, exactly one aud under the strict profile, exp and jti required). The lifetime and typ rows are checked by the page only, and nothing tracks jti reuse.');
    }
    report.final = await settle(verdict.run);
    if (report.decoded) {
      report.claims = assertionClaimRows(report.decoded.header, report.decoded.payload, { ...options, ...assertion });
    }
  } else {
    const verifyOptions = withoutUndefined({
      algorithms: options.algorithms, issuer: options.issuer, audience: options.audience,
      clockTolerance: options.clockTolerance, currentDate: options.currentDate,
    });
    report.finalSource = 'verifyJwt';
    report.final = await settle(() => jv.verifyJwt(token, keySet, verifyOptions));
    if (report.decoded) {
      report.claims = await verifyClaimRows(jv, token, keySet, report.decoded.payload, verifyOptions, signatureOk);
    }
  }

  if (report.claims) {
    applyVerdict(report.claims, report.final, report.finalSource);
    if (!signatureOk) {
      report.notes.push(`${report.finalSource} stopped before the claims (${report.signature.error?.code ?? 'signature'}); the claim rows are this page's reading of the rules.`);
    }
    const wrong = disagreements(report.claims, report.final);
    if (wrong.length) {
      report.notes.push(`The page read ${wrong.map((r) => r.claim).join(', ')} as failing but ${report.finalSource} accepted the token: its verdict is the one that counts.`);
    }
  }
  return report;
}
