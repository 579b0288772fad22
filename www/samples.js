// Sample inputs, made at click time with WebCrypto: fresh key pairs, tokens signed now, so
// every sample's times are relative to this moment and it never goes stale.

const ISSUER = 'https://id.example.com';
const API_AUDIENCE = 'api://orders';
const CLIENT_ID = 's6BhdRkqt3';

const SIGNING = {
  ES256: {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    // WebCrypto ECDSA signatures are r || s, the JWS encoding.
    sign: { name: 'ECDSA', hash: 'SHA-256' },
  },
  RS256: {
    generate: { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
};

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'];

function b64url(bytes) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function b64urlJson(value) {
  return b64url(new TextEncoder().encode(JSON.stringify(value)));
}

function randomId() {
  return b64url(crypto.getRandomValues(new Uint8Array(12)));
}

async function generateKey(alg) {
  if (!globalThis.crypto?.subtle) {
    throw new Error('samples need WebCrypto (crypto.subtle), which browsers offer only on https:// or http://127.0.0.1 / localhost pages');
  }
  return crypto.subtle.generateKey(SIGNING[alg].generate, true, ['sign', 'verify']);
}

// The public JWK of a generated pair, with the members the sample wants (kid, alg, use).
async function publicJwk(pair, extra) {
  const exported = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const jwk = {};
  for (const name of PUBLIC_MEMBERS) if (exported[name] !== undefined) jwk[name] = exported[name];
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) jwk[name] = value;
  return jwk;
}

async function signJwt(alg, privateKey, header, payload) {
  const signingInput = `${b64urlJson({ alg, ...header })}.${b64urlJson(payload)}`;
  const signature = await crypto.subtle.sign(SIGNING[alg].sign, privateKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${b64url(new Uint8Array(signature))}`;
}

// A kid that reads like a rotation schedule: "2026-11", and the month before.
function monthKid(prefix, monthsBack = 0) {
  const date = new Date();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - monthsBack);
  return `${prefix}-${date.toISOString().slice(0, 7)}`;
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

function jwks(keys) {
  return JSON.stringify({ keys }, null, 2);
}

const verifyOptions = (alg) => ({ algorithms: alg, issuer: ISSUER, audience: API_AUDIENCE, clockTolerance: '', currentTime: '' });

// An ES256 key set with last month's key and this month's; the token uses this month's.
async function currentAndPrevious(iatOffset, expOffset) {
  const [current, previous] = await Promise.all([generateKey('ES256'), generateKey('ES256')]);
  const kid = monthKid('es');
  const now = nowSeconds();
  const token = await signJwt('ES256', current.privateKey, { typ: 'JWT', kid }, {
    iss: ISSUER, sub: 'user-4821', aud: API_AUDIENCE, scope: 'orders:read', iat: now + iatOffset, exp: now + expOffset,
  });
  const keys = [
    await publicJwk(previous, { kid: monthKid('es', 1), use: 'sig', alg: 'ES256' }),
    await publicJwk(current, { kid, use: 'sig', alg: 'ES256' }),
  ];
  return { token, keys };
}

async function sha256b64url(text) {
  return b64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

export const SAMPLES = {
  async valid() {
    const { token, keys } = await currentAndPrevious(-60, 3600);
    return {
      mode: 'verify', token, jwks: jwks(keys), options: verifyOptions('ES256'),
      note: 'A valid ES256 token: the set holds last month\'s key and this month\'s; the token\'s kid picks this month\'s.',
    };
  },

  async expired() {
    const { token, keys } = await currentAndPrevious(-3 * 3600, -2 * 3600);
    return {
      mode: 'verify', token, jwks: jwks(keys), options: verifyOptions('ES256'),
      note: 'The signature is fine but exp passed two hours ago: ERR_JWT_EXPIRED. A clock tolerance only helps with small skews.',
    };
  },

  async missingKid() {
    const pair = await generateKey('ES256');
    const now = nowSeconds();
    const token = await signJwt('ES256', pair.privateKey, { typ: 'JWT', kid: monthKid('es') }, {
      iss: ISSUER, sub: 'user-4821', aud: API_AUDIENCE, iat: now - 60, exp: now + 3600,
    });
    const keys = [await publicJwk(pair, { use: 'sig', alg: 'ES256' })];
    return {
      mode: 'verify', token, jwks: jwks(keys), options: verifyOptions('ES256'),
      note: 'The right key is in the set but has no kid, and the token names one: a token with a kid only takes keys with that kid.',
    };
  },

  async rotated() {
    const [signer, retired, ecKey] = await Promise.all([generateKey('RS256'), generateKey('RS256'), generateKey('ES256')]);
    const now = nowSeconds();
    const token = await signJwt('RS256', signer.privateKey, { typ: 'JWT', kid: monthKid('rsa') }, {
      iss: ISSUER, sub: 'user-4821', aud: API_AUDIENCE, iat: now - 60, exp: now + 3600,
    });
    const keys = [
      await publicJwk(retired, { kid: monthKid('rsa', 1), use: 'sig', alg: 'RS256' }),
      await publicJwk(ecKey, { kid: monthKid('es'), use: 'sig', alg: 'ES256' }),
    ];
    return {
      mode: 'verify', token, jwks: jwks(keys), options: verifyOptions('RS256'),
      note: 'The issuer rotated to a new RSA key, but this copy of its JWKS only has the old one: refetch the JWKS (RemoteJwks does so once per cooldown when it meets an unknown kid).',
    };
  },

  async assertion() {
    const pair = await generateKey('ES256');
    const now = nowSeconds();
    const kid = 'client-key-1';
    const token = await signJwt('ES256', pair.privateKey, { typ: 'JWT', kid }, {
      iss: CLIENT_ID, sub: CLIENT_ID, aud: [ISSUER, `${ISSUER}/token`], jti: randomId(), iat: now, exp: now + 120,
    });
    const keys = [await publicJwk(pair, { kid, use: 'sig', alg: 'ES256' })];
    return {
      mode: 'assertion', token, jwks: jwks(keys),
      options: { algorithms: 'ES256', issuer: '', audience: '', clockTolerance: '', currentTime: '' },
      assertion: { clientId: CLIENT_ID, audience: ISSUER, profile: 'strict' },
      note: 'A private_key_jwt client assertion whose aud lists both the issuer and the token endpoint. RFC 7523 allows that; the strict profile (Keycloak 26.2, rfc7523bis) wants exactly one aud. Switch the profile to rfc7523 to compare.',
    };
  },

  async access() {
    const pair = await generateKey('ES256');
    const kid = monthKid('at');
    const now = nowSeconds();
    const token = await signJwt('ES256', pair.privateKey, { typ: 'at+jwt', kid }, {
      iss: ISSUER, sub: 'user-4821', aud: API_AUDIENCE, client_id: CLIENT_ID, scope: 'orders:read profile', iat: now - 30, exp: now + 600, jti: randomId(),
    });
    const keys = [await publicJwk(pair, { kid, use: 'sig', alg: 'ES256' })];
    return {
      mode: 'access', token, jwks: jwks(keys), options: { ...verifyOptions('ES256'), requiredScopes: 'orders:read' },
      note: 'An RFC 9068 access token (typ at+jwt, client_id, jti) with scope "orders:read profile". Add orders:write to the required scopes to see insufficient_scope.',
    };
  },

  async dpop() {
    const pair = await generateKey('ES256');
    const accessToken = `sample-access-token-${randomId()}`;
    const url = 'https://api.example.com/orders';
    const token = await signJwt('ES256', pair.privateKey, { typ: 'dpop+jwt', jwk: await publicJwk(pair, {}) }, {
      jti: randomId(), htm: 'GET', htu: url, iat: nowSeconds(), ath: await sha256b64url(accessToken),
    });
    return {
      mode: 'dpop', token, jwks: '',
      options: { algorithms: '', issuer: '', audience: '', clockTolerance: '', currentTime: '' },
      dpop: { method: 'GET', url: `${url}?page=2`, accessToken },
      note: 'A DPoP proof (RFC 9449) for GET https://api.example.com/orders, bound to an access token by ath. The URL\'s query is not compared; change the method or the access token to see which check fails.',
    };
  },
};
