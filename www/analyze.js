// Runs the library on the page's inputs and gathers what every panel shows. The verdict is one
// verifyJwt (checkAssertion, verifyDpopProof) call with the options as given; the panels beside
// it are the core's explanations (explainSelection, explainClaims, explainAssertion, explainDpop)
// with the same options.

import { selectionTrace } from './selection.js';
import { claimRows, disagreement } from './claims.js';

async function settle(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

// The signature stage, read from the verdict: the core checks the signature before any claim,
// so a claim error still means a candidate verified it (the only one, when there is one).
function signatureStage(final, selection, keySet) {
  if (final.ok) return { status: 'verified', key: final.value.key };
  const { error } = final;
  if (error?.claim) {
    const only = selection?.candidates?.length === 1 ? keySet.keys.find((k) => k.index === selection.candidates[0]) : undefined;
    return only
      ? { status: 'verified', key: only }
      : { status: 'verified', key: null, note: `the "${error.claim}" claim stopped verification after the signature check` };
  }
  if (error?.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return { status: 'failed', error };
  return { status: 'not_reached', error };
}

// The verdict and the claim rules of one mode, both from the same options.
// `keySet` is a KeySet, or the pasted text parseJwks refused: the verdict is then the core's
// own refusal of it (verifyJwt takes the JSON text too).
function modeCalls(jv, mode, token, keySet, options, assertion) {
  const { algorithms, clockTolerance, currentDate } = options;
  if (mode === 'assertion') {
    const assertionOptions = {
      clientId: assertion.clientId, audience: assertion.audience, keys: keySet, algorithms,
      profile: assertion.profile, clockTolerance, currentDate,
    };
    return {
      source: 'checkAssertion',
      verdict: () => jv.checkAssertion(token, assertionOptions),
      explainedBy: 'explainAssertion',
      explain: () => jv.explainAssertion(token, assertionOptions),
    };
  }
  if (mode === 'access') {
    const accessOptions = { algorithms, issuer: options.issuer, audience: options.audience, requiredScopes: options.requiredScopes, clockTolerance, currentDate };
    return {
      source: 'verifyAccessToken',
      verdict: () => jv.verifyAccessToken(token, keySet, accessOptions),
      explainedBy: 'explainAccessToken',
      explain: () => jv.explainAccessToken(token, accessOptions),
    };
  }
  const verifyOptions = { algorithms, issuer: options.issuer, audience: options.audience, clockTolerance, currentDate };
  return {
    source: 'verifyJwt',
    verdict: () => jv.verifyJwt(token, keySet, verifyOptions),
    explainedBy: 'explainClaims',
    explain: () => jv.explainClaims(token, verifyOptions),
  };
}

// A DPoP proof carries its key: no key set, no selection. The signature stage is read from
// verifyDpopProof's verdict (the signature is checked before any claim).
function dpopSignature(final) {
  if (final.ok) return { status: 'verified', key: null, note: `The key of the proof's jwk header (RFC 7638 thumbprint, jkt: ${final.value.jkt}).` };
  const { error } = final;
  if (error?.claim) return { status: 'verified', key: null, note: `the "${error.claim}" claim stopped verification after the signature check` };
  if (error?.reason === 'signature') return { status: 'failed', error };
  return { status: 'not_reached', error };
}

async function analyzeDpop(jv, report, input) {
  const { token, options, dpop } = input;
  const { algorithms, clockTolerance, currentDate } = options;
  const dpopOptions = { ...dpop, algorithms, clockTolerance, currentDate };
  report.dpop = dpop;
  report.finalSource = 'verifyDpopProof';
  report.final = await settle(() => jv.verifyDpopProof(token, dpopOptions));
  report.signature = dpopSignature(report.final);
  report.pasted = await pastedVerdict({ source: 'verifyDpopProof' }, input, (text) => ({ verdict: () => jv.verifyDpopProof(text, dpopOptions) }));
  if (!report.decoded) return report;
  const explained = await settle(() => jv.explainDpop(token, dpopOptions));
  if (!explained.ok) {
    const { error } = explained;
    report.notes.push(`explainDpop could not explain the proof: ${error?.code ?? error?.name ?? 'Error'}: ${error?.message ?? error}`);
    return report;
  }
  report.jkt = explained.value.jkt;
  report.failedCheck = explained.value.checks.find((check) => !check.ok)?.claim;
  report.claims = claimRows(explained.value.checks, report.decoded, options.currentDate, 'explainDpop');
  report.notes.push('The signature is checked by verifyDpopProof (the verdict); each row is one check of RFC 9449 §4.3 run by explainDpop.');
  const wrong = disagreement(report.claims, report.final);
  if (wrong) report.notes.push(`explainDpop and verifyDpopProof disagree (${wrong}): the verdict is the one that counts.`);
  return report;
}

// The token field held more than the token (a "Bearer " or "DPoP " prefix, line breaks): the
// page verifies the token alone, and says what the library makes of the text as pasted.
async function pastedVerdict(calls, { token, pasted }, callsFor) {
  if (pasted === undefined || pasted === token) return null;
  const asPasted = await settle(callsFor(pasted).verdict);
  return { prefix: /^\s*(bearer|dpop:?)\s/i.exec(pasted)?.[1], source: calls.source, final: asPasted };
}

/**
 * input: { mode: 'verify'|'assertion'|'access'|'dpop', token, pasted? (the field as typed),
 *          keys: {keySet?, rawKeys?, error?, text? (pasted JSON), via},
 *          options: {algorithms?, issuer?, audience?, requiredScopes, clockTolerance?, currentDate (seconds)},
 *          assertion: {clientId, audience, profile}, dpop: {method, url, accessToken?, nonce?} }
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
  if (mode === 'dpop') return analyzeDpop(jv, report, input);
  if (keys?.error && keys.text !== undefined) {
    // The same token and text given to the library: its verdict, whichever it checks first.
    const calls = modeCalls(jv, mode, token, keys.text, options, assertion);
    report.finalSource = calls.source;
    report.final = await settle(calls.verdict);
    report.signature = signatureStage(report.final, null, null);
    report.pasted = await pastedVerdict(calls, input, (text) => modeCalls(jv, mode, text, keys.text, options, assertion));
    return report;
  }
  if (!keys?.keySet) return report;
  const { keySet } = keys;

  if (report.decoded) report.selection = selectionTrace(jv, keySet, token, report.decoded.header);

  const calls = modeCalls(jv, mode, token, keySet, options, assertion);
  report.finalSource = calls.source;
  report.final = await settle(calls.verdict);
  report.signature = signatureStage(report.final, report.selection, keySet);
  report.pasted = await pastedVerdict(calls, input, (text) => modeCalls(jv, mode, text, keySet, options, assertion));
  if (!report.decoded) return report;

  const explained = await settle(calls.explain);
  if (!explained.ok) {
    const { error } = explained;
    report.notes.push(`${calls.explainedBy} could not explain the claims: ${error?.code ?? error?.name ?? 'Error'}: ${error?.message ?? error}`);
    return report;
  }
  report.claims = claimRows(explained.value, report.decoded, options.currentDate, calls.explainedBy);
  if (report.signature.status !== 'verified') {
    report.notes.push(`${calls.source} stopped before the claims (${report.signature.error?.code ?? 'signature'}): the rows are the core's rules run on claims whose signature was not verified.`);
  }
  const wrong = disagreement(report.claims, report.final);
  if (wrong) report.notes.push(`${calls.explainedBy} and ${calls.source} disagree (${wrong}): the verdict is the one that counts.`);
  return report;
}
