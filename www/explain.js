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

// A hint for the verdict's error, using what the page knows about the token and the set.
export function errorHint(error, { header, keySet } = {}) {
  const kid = typeof header?.kid === 'string' ? header.kid : undefined;
  const kids = keySet?.keys?.map((k) => k.kid).filter((k) => k !== undefined) ?? [];
  switch (error?.code) {
    case 'ERR_JWKS_NO_MATCHING_KEY':
      if (kid !== undefined && !kids.includes(kid)) {
        const withoutKid = keySet?.keys?.filter((k) => k.kid === undefined).length ?? 0;
        if (withoutKid && kids.length === 0) {
          return `The token names kid "${kid}" but no key in the set has a kid. Keys without a kid are never chosen for a token that has one: add the kid to the key (see diagnostics).`;
        }
        return `The token's kid "${kid}" is not in this key set. After a key rotation the issuer signs with a key your copy of its JWKS does not have yet: refetch the JWKS. Otherwise the token comes from another issuer or environment.`;
      }
      return 'Keys with the token\'s kid exist but none fits its alg, use or key_ops: see Key selection for each key\'s reason.';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'A key was selected but the signature does not verify with it: the token was changed, or it was signed by a different key published under the same kid.';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The token\'s alg is not in the allowed list. HS* must be listed explicitly, and "none" is never accepted.';
    case 'ERR_JWT_EXPIRED':
      return error.claim === 'iat'
        ? 'The token is older than maxTokenAge allows.'
        : 'The token\'s exp has passed: get a new token. A clock tolerance only helps with a few seconds of clock skew.';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (error.reason === 'multiple_audiences') {
        return 'aud lists several values. RFC 7523 allows that, but the strict profile (Keycloak 26.2, rfc7523bis) wants exactly one: send only the server\'s issuer (or only its token endpoint).';
      }
      if (error.reason === 'missing') return `The token has no "${error.claim}" claim, which these options require.`;
      if (error.reason === 'lifetime_too_long') return 'exp is too far after iat: client assertions must be short-lived.';
      return `The "${error.claim}" claim does not match what you expect: compare the row under Claim checks.`;
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'This is not a well-formed compact JWS/JWT: three base64url parts separated by dots, with a JSON header and payload.';
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'The token uses an algorithm or a crit header extension this library does not support.';
    case 'ERR_JWKS_INVALID':
    case 'ERR_JWK_INVALID':
      return 'The key set is not a JWK Set {"keys": [...]} or a single JWK.';
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
