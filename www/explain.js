// What to do about a parseJwks diagnostic or a verification error, in a sentence or two.

const DIAGNOSTIC_FIXES = {
  missing_kid: 'Give every key a unique kid (its RFC 7638 thumbprint is a good choice) and have the issuer put it in the token header: a token with a kid only selects keys with that kid.',
  duplicate_kid: 'Make kids unique. When rotating, publish the new key under a new kid instead of reusing the old one.',
  unsupported_kty: 'Only RSA, EC, OKP (and oct, for HS*, with allowPrivate) keys can verify JWS signatures; this key is ignored.',
  unsupported_alg: 'Use a JWS algorithm the library supports (the README lists them; HS* only with oct keys) or remove the alg member.',
  alg_key_mismatch: 'The key\'s alg does not fit its kty or crv (for example the alg of one curve on a key of another): fix the alg member or publish the right key.',
  use_not_sig: 'This key is marked for encryption (use "enc"), so signature verification skips it: publish a key with use "sig" (or no use).',
  weak_rsa_key: 'RSA keys shorter than 2048 bits are refused: rotate to a 2048-bit (or larger) key.',
  private_key_material: 'Never publish private members (d, p, q, dp, dq, qi, oth, or an oct key\'s k): strip them, and rotate the key since it is now exposed. For your own HS* secrets, tick "Accept private and secret keys".',
  invalid_key: 'The key material does not decode (bad base64url, wrong length, or a point not on the curve): re-export the public key from its source.',
  x5c_mismatch: 'The first certificate in x5c does not hold this public key: fix x5c or remove it.',
  x5t_mismatch: 'x5t / x5t#S256 is not the thumbprint of the x5c certificate: recompute it or remove it.',
  missing_alg: 'Optional: an alg member pins the key to one algorithm, a defence against algorithm confusion.',
};

export function diagnosticFix(code) {
  return DIAGNOSTIC_FIXES[code] ?? '';
}

// Why no key was chosen: the token's kid against the set's, then the core's reasons (its
// selection trace) for the keys the token names.
function noMatchingKeyHint(kid, kids, keySet, selection) {
  if (kid !== undefined && !kids.includes(kid)) {
    const withoutKid = keySet?.keys?.filter((k) => k.kid === undefined).length ?? 0;
    if (withoutKid && kids.length === 0) {
      return `The token names kid "${kid}" but no key in the set has a kid. Keys without a kid are never chosen for a token that has one: add the kid to the key (see diagnostics).`;
    }
    return `The token's kid "${kid}" is not in this key set. After a key rotation the issuer signs with a key your copy of its JWKS does not have yet: refetch the JWKS. Otherwise the token comes from another issuer or environment.`;
  }
  // The core's reasons for not taking the keys the token names (every key, for a token without kid).
  const named = selection?.trace?.filter((v) => kid === undefined || v.kid === kid) ?? [];
  const reasons = new Set(named.map((v) => v.filteredBy));
  if (reasons.has('unusable')) {
    return 'The key the token needs is in the set but the library refuses to use it (a weak RSA key, private members, key material that does not decode, an alg it cannot serve): see Key set diagnostics for the finding and its fix. The issuer has to publish a usable key; loosening your options will not help.';
  }
  if (reasons.has('kty') || reasons.has('crv')) {
    return 'The token\'s alg does not fit the type or curve of the keys it could select (see Key selection). A symmetric HS* token against a public RSA or EC key set is an algorithm-confusion attempt or a token from another system: do not change the key set or the allowed algorithms to make it pass. Otherwise the issuer signs with a key this set does not hold.';
  }
  return kid === undefined
    ? 'No key in the set fits the token\'s alg, use or key_ops: see Key selection for each key\'s reason.'
    : 'Keys with the token\'s kid exist but none fits its alg, use or key_ops: see Key selection for each key\'s reason.';
}

// Why verifyDpopProof refused a proof, by the check its error names (RFC 9449 §4.3).
// `dpop` is what the page passed it ({ method, url, accessToken?, nonce? }).
function dpopHint({ claim, reason }, dpop = {}) {
  const prefix = /^(bearer|dpop)\s/i.exec(dpop.accessToken ?? '')?.[1];
  switch (claim) {
    case 'htm':
      return 'The proof\'s htm is not the request\'s method, compared exactly (case included): the proof was made for another request, or the Method field is not the method the client sent.';
    case 'htu':
      return 'The proof\'s htu is not this URL. Query and fragment are not compared, nor the case of scheme and host or a default port; the scheme, host, other port and path (case and trailing slash included) are. Behind a proxy or gateway, give the URL the client addressed, not the internal one.';
    case 'iat':
      return reason === 'in_future'
        ? 'The proof\'s iat is ahead of the current time by more than the library allows: the client\'s clock (or this one) is ahead. Fix the clock, or allow a small clock tolerance.'
        : 'The proof\'s iat is too far in the past: a proof is made for one request, just before it is sent. Have the client make a fresh proof per request; if it just did, its clock (or this one) is behind.';
    case 'ath':
      if (prefix) return `The Access token field starts with "${prefix} ": paste the access token alone (the part after "${prefix} "), since ath is the hash of the token itself.`;
      return reason === 'missing'
        ? 'An access token was given, so the proof must carry ath (the base64url SHA-256 of that token): the client has to make the proof for the access token it sends with it.'
        : 'The proof\'s ath is not the hash of this access token: the proof was made for another access token (a refreshed one, or another session), or the Access token field holds more than the token.';
    case 'nonce':
      return reason === 'missing'
        ? 'A nonce was given but the proof has none: the client must retry with the nonce the server sent in its DPoP-Nonce header.'
        : 'The proof\'s nonce is not the one given: the client used an old nonce; it must retry with the latest DPoP-Nonce the server sent.';
    case 'jti':
      return 'Every proof needs its own jti (a unique id, for replay detection): the client must add one.';
    default:
      break;
  }
  switch (reason) {
    case 'typ':
      return 'A DPoP proof\'s header must have typ "dpop+jwt": this looks like another JWT (the access token itself?) pasted as the proof. Paste the DPoP header\'s value.';
    case 'jwk':
      return 'The proof\'s jwk header must be one public key: the client put no key, a key the library cannot read, or its private key (then that key is exposed: the client must make a new one).';
    case 'alg':
      return 'The proof\'s alg is not one the library accepts for DPoP (asymmetric only, and within Algorithms when set) or does not fit the jwk: the client must sign with its key\'s algorithm.';
    case 'signature':
      return 'The signature does not verify with the key of the proof\'s own jwk header: the proof was changed after signing, or signed with another key than the one it carries.';
    case 'malformed':
      return 'The library could not read this as a DPoP proof: paste the DPoP header\'s value (a compact JWS, three base64url parts), not the Authorization header\'s access token.';
    default:
      return 'See the message above: it names the check of RFC 9449 §4.3 this proof failed.';
  }
}

// An access token's refusal that RFC 9068 explains (verifyAccessToken); '' for the others.
function accessTokenHint(error) {
  if (error.claim === 'typ') {
    return 'An access token\'s header must have typ "at+jwt" (RFC 9068): this is an ID token or another JWT, or the authorization server does not issue RFC 9068 access tokens (then verify it as a plain JWT, with verifyJwt).';
  }
  if (error.reason === 'insufficient_scope') {
    return 'The token\'s scope lacks one of the Required scopes: the client must ask for it when it requests the token, and the authorization server must grant it to the client.';
  }
  if (error.reason === 'missing') {
    return `The token has no "${error.claim}" claim, which RFC 9068 requires in every access token: the authorization server does not issue RFC 9068 access tokens (check its settings), or this is not an access token.`;
  }
  return '';
}

// The page's field for each option the library may refuse (a TypeError, ERR_INVALID_OPTION).
const OPTION_FIELDS = {
  issuer: 'Issuer', audience: 'Audience', algorithms: 'Algorithms', clockTolerance: 'Clock tolerance', currentDate: 'Current time',
  requiredScopes: 'Required scopes', method: 'Method', url: 'URL', accessToken: 'Access token', nonce: 'Nonce',
  clientId: 'Client ID', profile: 'Profile',
};

// A hint for the verdict's error, using what the page knows about the token and the set;
// `selection` is explainSelection's trace (why each key was filtered out), when there is one.
// `mode` is the page's mode, `dpop` the DPoP options the page gave, `failedCheck` the claim of
// explainDpop's first failed check (a private jwk is ERR_JWS_INVALID, not ERR_DPOP_INVALID).
export function errorHint(error, { header, keySet, selection, mode, dpop, failedCheck } = {}) {
  if (error?.code === 'ERR_DPOP_INVALID') return dpopHint(error, dpop);
  if (mode === 'dpop' && failedCheck === 'jwk') return dpopHint({ reason: 'jwk' }, dpop);
  if (mode === 'access' && error?.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const hint = accessTokenHint(error);
    if (hint) return hint;
  }
  const kid = typeof header?.kid === 'string' ? header.kid : undefined;
  const kids = keySet?.keys?.map((k) => k.kid).filter((k) => k !== undefined) ?? [];
  switch (error?.code) {
    case 'ERR_INVALID_OPTION': {
      const field = OPTION_FIELDS[error.option];
      return field
        ? `Fill in or fix the ${field} field: the library refuses to verify without a usable ${error.option} option (the message above says why).`
        : 'An option is missing or wrong (the message above names it): fix its field.';
    }
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return noMatchingKeyHint(kid, kids, keySet, selection);
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      if (header && kid === undefined) {
        return 'The token has no kid, so every key that fits its alg was tried and none verified the signature: the key that signed it is not in this set (rotated away, or another issuer or environment), or the token was changed after signing.';
      }
      return 'A key was selected but the signature does not verify with it: the token was changed, or it was signed by a different key published under the same kid.';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The token\'s alg is not in the allowed list (Allowed algorithms; empty means the library\'s asymmetric defaults). HS* is never allowed by default: an HS* token verifies only against a shared secret (an oct key, with allowPrivate), so against a public JWKS it is an algorithm-confusion attempt or a token from another system, and listing HS* will not make it valid.';
    case 'ERR_JWT_EXPIRED':
      return error.claim === 'iat'
        ? 'The token is older than maxTokenAge allows.'
        : 'The token\'s exp has passed: get a new token. A clock tolerance only helps with a few seconds of clock skew.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (error.claim === 'nbf' && error.reason === 'check_failed') {
        return 'The token is not valid yet: its nbf is after the current time. A token that was just issued means the issuer\'s clock or this one is ahead: fix the clock, or allow a small clock tolerance (a few seconds).';
      }
      if (error.claim === 'iat' && error.reason === 'check_failed') {
        return 'The token\'s iat is in the future: the issuer\'s clock or this one is off. Fix the clock, or allow a small clock tolerance.';
      }
      if (error.reason === 'multiple_audiences') {
        return 'aud lists several values. RFC 7523 allows that, but the strict profile (Keycloak 26.2, rfc7523bis) wants exactly one: send only the server\'s issuer (or only its token endpoint).';
      }
      if (error.reason === 'missing') return `The token has no "${error.claim}" claim, which these options require.`;
      if (error.reason === 'lifetime_too_long') return 'exp is too far after iat: client assertions must be short-lived.';
      return `The "${error.claim}" claim does not match what you expect: compare the row under Claim checks.`;
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'The library could not read this as a compact JWS/JWT (the message above says why): three base64url parts separated by dots, with a JSON header and payload, and nothing around them. A token of five parts is a JWE (encrypted): decrypt it first, then verify the signed token inside.';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'The token uses an algorithm or a crit header extension this library does not support. alg "none" means the token is not signed at all: it is never accepted, whatever the options; the issuer must sign it.';
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWK_INVALID':
      return 'The message above says what the library could not read. Paste the JSON document the jwks_uri returns (a JWK Set {"keys": [...]}) or a single JWK; to load it from its URL, choose "Fetch from a URL" under Key set and press Fetch.';
    default:
      return '';
  }
}

// A failed JWKS fetch, explained: { title, detail, cors? }. CORS failures reach the page as a
// bare network TypeError ("Failed to fetch"), possibly wrapped in ERR_JWKS_FETCH_FAILED.
export function fetchFailure(error, url, pageOrigin) {
  let target;
  try {
    target = new URL(url, pageOrigin);
  } catch {
    return { title: 'Not a valid URL.', detail: String(error?.message ?? error) };
  }
  const text = `${error?.name ?? ''} ${error?.message ?? ''} ${error?.cause?.name ?? ''} ${error?.cause?.message ?? ''}`;
  const network = error instanceof TypeError || error?.cause instanceof TypeError || /failed to fetch|networkerror|load failed|typeerror/i.test(text);
  const crossOrigin = target.origin !== pageOrigin;
  if (network && crossOrigin) {
    return {
      title: 'The browser blocked this fetch, most likely because of CORS.',
      cors: true,
      detail: `${target.origin} did not send an Access-Control-Allow-Origin header that lets this page (${pageOrigin}) read its answer, so the browser hid the response and reported only a network error. ` +
        'Browsers do not tell a page whether that was CORS, an unreachable host or an untrusted certificate. ' +
        'Fixes: open the URL in a new tab, copy the JSON and paste it under "Paste a JWKS"; or have the JWKS endpoint send Access-Control-Allow-Origin. ' +
        'Servers (Node, workers) verifying tokens are not subject to CORS.',
    };
  }
  if (network) {
    return { title: 'The JWKS could not be fetched: the server did not answer.', detail: '' };
  }
  return { title: 'The JWKS could not be fetched or read.', detail: '' };
}
