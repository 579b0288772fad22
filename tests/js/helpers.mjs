// Shared fixtures for the JS suites: keys made with jose for every JWS algorithm this package
// verifies, their verifier JWKs (public, or the oct secret for HS*), and token minting, both
// the ordinary way (jose's SignJWT) and from raw parts for malformed tokens.

import * as jose from 'jose';
import { spawn } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { fileURLToPath } from 'node:url';

export const ALGORITHMS = [
  'HS256', 'HS384', 'HS512',
  'RS256', 'RS384', 'RS512',
  'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512',
  'EdDSA',
];

// A fixed "now" (seconds) for every claim check that passes `currentDate`.
export const NOW = 1_700_000_000;
export const NOW_DATE = new Date(NOW * 1000);

export const isSymmetric = (alg) => alg.startsWith('HS');

const hashBits = (alg) => Number(alg.slice(2));

// WebCrypto parameters that produce a JWS signature (ECDSA's raw r||s is already JWS form).
function subtleParams(alg) {
  const family = alg.slice(0, 2);
  if (family === 'HS') return { name: 'HMAC' };
  if (family === 'RS') return { name: 'RSASSA-PKCS1-v1_5' };
  if (family === 'PS') return { name: 'RSA-PSS', saltLength: hashBits(alg) / 8 };
  if (family === 'ES') return { name: 'ECDSA', hash: `SHA-${hashBits(alg)}` };
  if (alg === 'EdDSA') return { name: 'Ed25519' };
  throw new Error(`no signing parameters for ${alg}`);
}

/**
 * A fresh key for `alg`: `{ alg, kid, signingKey, jwk }`. `jwk` is what a verifier holds:
 * the public JWK (kty-specific members, plus `kid`, `alg` unless `withAlg` is false, and `use`
 * when given), or for HS* the oct JWK with its secret `k`.
 */
export async function generateKey(alg, { kid = `${alg.toLowerCase()}-key`, withAlg = true, use } = {}) {
  let signingKey;
  let exported;
  if (isSymmetric(alg)) {
    signingKey = await jose.generateSecret(alg, { extractable: true });
    exported = await jose.exportJWK(signingKey);
  } else {
    const options = alg === 'EdDSA' ? { crv: 'Ed25519' } : { modulusLength: 2048 };
    const pair = await jose.generateKeyPair(alg, { ...options, extractable: true });
    signingKey = pair.privateKey;
    exported = await jose.exportJWK(pair.publicKey);
  }
  const jwk = { ...exported };
  delete jwk.ext;
  delete jwk.key_ops;
  delete jwk.alg;
  if (kid !== null) jwk.kid = kid;
  if (withAlg) jwk.alg = alg;
  if (use !== undefined) jwk.use = use;
  return { alg, kid: kid ?? undefined, signingKey, jwk };
}

let defaultRing;

/** One key per algorithm (kid `<alg>-key`), made once per process: `Map(alg -> key)`. */
export function keyRing() {
  defaultRing ??= Promise.all(ALGORITHMS.map((alg) => generateKey(alg))).then(
    (keys) => new Map(keys.map((key) => [key.alg, key])),
  );
  return defaultRing;
}

/** `{ keys: [...] }` of the verifier JWKs of `keys`. */
export function jwksOf(keys) {
  return { keys: keys.map((key) => key.jwk) };
}

/**
 * A JWT signed by jose with `key`. The protected header is `{ alg, kid, ...header }`; pass
 * `kid: null` for a token without `kid`. `claims` go in as they are (no defaults).
 */
export async function mint(key, claims = {}, { header = {}, kid = key.kid } = {}) {
  const protectedHeader = { alg: key.alg, ...header };
  if (kid !== null && kid !== undefined) protectedHeader.kid = kid;
  return new jose.SignJWT(claims).setProtectedHeader(protectedHeader).sign(key.signingKey);
}

export const b64url = (input) => Buffer.from(typeof input === 'string' ? input : new Uint8Array(input)).toString('base64url');

/**
 * A compact JWS from raw base64url parts, signed with `key` over exactly
 * `headerPart + '.' + payloadPart`, whatever those parts hold (bad base64url, non-JSON, ...).
 */
export async function signParts(key, headerPart, payloadPart) {
  const signingInput = `${headerPart}.${payloadPart}`;
  const signature = await webcrypto.subtle.sign(subtleParams(key.alg), key.signingKey, new TextEncoder().encode(signingInput));
  return `${signingInput}.${b64url(signature)}`;
}

/** A token whose header and payload are the given JSON texts (or objects), signed by `key`. */
export async function signJson(key, headerJson, payloadJson) {
  const text = (value) => (typeof value === 'string' ? value : JSON.stringify(value));
  return signParts(key, b64url(text(headerJson)), b64url(text(payloadJson)));
}

/** The same token with one byte in the middle of its signature flipped. */
export function tamperSignature(token) {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length >> 1] ^= 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** The same header and signature over a different payload. */
export function tamperPayload(token, claims) {
  const [header, , signature] = token.split('.');
  return `${header}.${b64url(JSON.stringify(claims))}.${signature}`;
}

/** The error a function throws (sync or async), or fails the test when it does not throw. */
export async function thrownBy(fn) {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error, got success');
}

/**
 * What a verify call came to, in a form two libraries can be compared on:
 * `{ ok: true, payload }` or `{ ok: false, code, claim?, reason? }` (`code` is `TypeError`
 * for a rejected option).
 */
/** A synchronous verification's verdict as one line: `ok <sub>`, or the error's name, code, option and claim. */
export const verdictOf = (fn) => {
  try {
    const result = fn();
    return `ok ${result.payload.sub}`;
  } catch (err) {
    return `${err.name} ${err.code} ${err.option ?? ''} ${err.claim ?? ''}`;
  }
};

export async function outcome(fn) {
  try {
    const result = await fn();
    return { ok: true, payload: result.payload };
  } catch (err) {
    // A wrong option: a TypeError (ours carry code ERR_INVALID_OPTION, jose's none).
    if (err instanceof TypeError) return { ok: false, code: 'TypeError' };
    if (err?.code === undefined) throw err;
    const out = { ok: false, code: err.code };
    if (err.claim !== undefined) out.claim = err.claim;
    if (err.reason !== undefined) out.reason = err.reason;
    return out;
  }
}

export const CLI = fileURLToPath(new URL('../../pkg/cli.mjs', import.meta.url));

/** Runs the package's CLI (pkg/cli.mjs) in `cwd`, `input` on its stdin: `{ code, stdout, stderr }`. */
export function runCli(args, { cwd, input = '' } = {}) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * xorshift32, so that a generated case names a reproducible seed: `next(n)` is an integer in
 * [0, n); `next.pick(list)` one of its items.
 */
export function seededInt(seed) {
  let state = seed >>> 0 || 1;
  const next = (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  next.pick = (list) => list[next(list.length)];
  return next;
}

/** Runs `fn` with Object.prototype[name] = value (non-enumerable, as a real pollution may not be). */
export async function polluted(name, value, fn) {
  const had = Object.getOwnPropertyDescriptor(Object.prototype, name);
  Object.defineProperty(Object.prototype, name, { value, configurable: true, writable: true, enumerable: false });
  try {
    return await fn();
  } finally {
    if (had) Object.defineProperty(Object.prototype, name, had);
    else delete Object.prototype[name];
  }
}
