// The claim-check table: one row per rule the core runs with the page's options, in its order
// and in its words (explainClaims for verifyJwt, explainAssertion for checkAssertion). The page
// only puts the token's value next to each rule; the verdict never comes from here.

import { describeTime, list } from './format.js';

// Members the table shows as dates (display only: the rules are the core's).
const DATE_MEMBERS = new Set(['exp', 'nbf', 'iat']);
// Rows about a header parameter rather than a claim (DPoP proofs check their alg and jwk too).
const HEADER_MEMBERS = new Set(['typ', 'alg', 'jwk']);

function shown(value, member, now) {
  if (value === undefined) return '(absent)';
  if (DATE_MEMBERS.has(member)) return describeTime(value, now);
  // A space after each comma of an array, so that long audience lists can wrap.
  return Array.isArray(value) ? `[${list(value)}]` : JSON.stringify(value);
}

// The core's rows ({ id, claim, rule, expected?, ok, code?, reason?, message? }) as the
// table's rows. `typ`, `alg` and `jwk` are header parameters; every other rule is about a
// payload claim. A row the core could not run (`skipped`) is shown as not checked.
export function claimRows(explained, { header, payload }, now, source) {
  return explained.map((rule) => ({
    id: rule.id,
    claim: rule.claim,
    expected: rule.expected ? `${rule.rule}: ${list(rule.expected)}` : rule.rule,
    actual: shown(HEADER_MEMBERS.has(rule.claim) ? header?.[rule.claim] : payload?.[rule.claim], rule.claim, now),
    status: rule.skipped ? 'skip' : rule.ok ? 'pass' : 'fail',
    note: rule.skipped ? rule.message : undefined,
    source,
    code: rule.code,
    reason: rule.reason,
    message: rule.message,
  }));
}

// Where the table and the verdict disagree (they run the same rules, so this means a bug):
// a failing row under an accepted token, or a claim error no row reports.
export function disagreement(rows, final) {
  if (final.ok) {
    const failing = rows.filter((r) => r.status === 'fail');
    return failing.length ? `the table fails ${failing.map((r) => r.id).join(', ')}` : '';
  }
  const { error } = final;
  if (!error?.claim) return '';
  const same = rows.some((r) => r.status === 'fail' && r.claim === error.claim && r.code === error.code && r.reason === error.reason);
  return same ? '' : `no row fails on "${error.claim}" (${error.reason ?? error.code})`;
}
