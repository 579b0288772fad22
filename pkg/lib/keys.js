// KeySet and the conversion of every KeysInput form to the core's parsed key set. A parsed
// set is cached per input object (or per JSON text) so that parsing happens once per set.

import { WasmKeySet } from '../gen/jwks_verify.js';
import { JoseError, fromCore } from './errors.js';
import { assertReady, onReset } from './runtime.js';

const handles = new WeakMap();

export class KeySet {
  constructor(handle) {
    const described = JSON.parse(handle.describe());
    this.keys = described.keys;
    this.diagnostics = described.diagnostics;
    handles.set(this, handle);
  }
}

export function handleOf(keySet) {
  return handles.get(keySet);
}

function parseText(text, { allowPrivate = false, allowWeakKeys = false } = {}) {
  try {
    return new KeySet(WasmKeySet.parse(text, Boolean(allowPrivate), Boolean(allowWeakKeys)));
  } catch (err) {
    throw fromCore(err);
  }
}

function jsonText(input) {
  if (typeof input === 'string') return input;
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    try {
      return JSON.stringify(input);
    } catch (err) {
      throw new JoseError('ERR_JWKS_INVALID', `the key set cannot be serialized as JSON (${err.message})`);
    }
  }
  const what = Array.isArray(input) ? 'an array (wrap the keys as {"keys": [...]})' : input === null ? 'null' : `a ${typeof input}`;
  throw new JoseError('ERR_JWKS_INVALID', `expected a JWK Set {"keys": [...]}, a single JWK, or its JSON text; got ${what}`);
}

/**
 * Parses a JWKS `{keys:[...]}` or a single JWK (object or JSON text) into a KeySet.
 * Options: `allowPrivate` (default false) lets keys with private members, and `oct` secrets,
 * verify; `allowWeakKeys` (default false) lets RSA keys under 2048 bits verify. Either way
 * such keys are reported in `diagnostics`. Throws ERR_JWKS_INVALID only when the input is
 * not a JWK set or a JWK at all.
 */
export function parseJwks(input, options = {}) {
  if (options === null || typeof options !== 'object') throw new TypeError('parseJwks options must be an object');
  return parseText(jsonText(input), options);
}

// Inline keys are the caller's own: an oct secret passed in directly may verify HS*
// (still only when the algorithms option lists it). Parsed sets are cached by JSON text,
// so a JWKS object mutated between calls is parsed again.
const INLINE = { allowPrivate: true };
const byText = new Map();
const TEXT_CACHE_SIZE = 32;
onReset(() => byText.clear());

// KeysInput other than RemoteJwks -> KeySet.
export function localKeySet(keys) {
  if (keys instanceof KeySet) return keys;
  const text = jsonText(keys);
  let set = byText.get(text);
  if (!set) {
    set = parseText(text, INLINE);
    if (byText.size >= TEXT_CACHE_SIZE) byText.delete(byText.keys().next().value);
    byText.set(text, set);
  }
  return set;
}

const DEFAULT_MAX_CANDIDATES = 4;

// The protected header of a compact JWS, for selection only: no signature or payload check.
function tokenHeader(token) {
  if (token !== null && typeof token === 'object' && !(token instanceof Uint8Array)) return token;
  const text = token instanceof Uint8Array ? new TextDecoder().decode(token) : token;
  if (typeof text !== 'string') throw new JoseError('ERR_JWS_INVALID', 'expected a compact JWS string or a header object {alg, kid?}');
  const parts = text.split('.');
  if (parts.length !== 3) throw new JoseError('ERR_JWS_INVALID', 'Invalid Compact JWS: expected three dot-separated parts');
  try {
    const base64 = parts[0].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new Error('not an object');
    return header;
  } catch {
    throw new JoseError('ERR_JWS_INVALID', 'Invalid Compact JWS: the protected header is not base64url JSON object');
  }
}

/**
 * Explains key selection for a token, as verifyJwt would do it: which keys of the set are
 * candidates (tried in this order) and, for every other key, which rule filtered it out.
 * `keys` is any LocalKeysInput (a KeySet, a JWKS object or its JSON text, a JWK); `token` a
 * compact JWS or a header object `{alg, kid?}`; `options.maxCandidates` defaults to 4.
 * Returns `{ alg, kid?, kids, candidates: number[], trace: [{ index, kid?, filteredBy?, detail? }] }`
 * where `filteredBy` is one of kty, crv, alg, use, key_ops, kid, unusable, max_candidates.
 * Nothing is verified. Throws ERR_JWS_INVALID for an unreadable header, ERR_JOSE_NOT_SUPPORTED
 * for an unknown alg.
 */
export function explainSelection(keys, token, options = {}) {
  assertReady('explainSelection');
  if (options === null || typeof options !== 'object') throw new TypeError('explainSelection options must be an object');
  const keySet = localKeySet(keys);
  const header = tokenHeader(token);
  const { alg, kid } = header;
  if (typeof alg !== 'string' || alg === '') throw new JoseError('ERR_JWS_INVALID', 'JWS "alg" (Algorithm) Header Parameter missing or invalid');
  // As in verification (and jose): no key's kid can equal a non-string.
  if (kid !== undefined && typeof kid !== 'string') throw new JoseError('ERR_JWKS_NO_MATCHING_KEY', 'the token\'s "kid" is not a string; no key can match it');
  const maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  if (!Number.isInteger(maxCandidates) || maxCandidates < 1) throw new TypeError('maxCandidates must be a positive integer');
  let selection;
  try {
    selection = JSON.parse(handleOf(keySet).select(alg, kid, maxCandidates));
  } catch (err) {
    throw fromCore(err);
  }
  const trace = selection.trace.map(({ index, kid: keyKid, filtered_by: filteredBy, detail }) => ({
    index,
    ...(keyKid !== undefined && { kid: keyKid }),
    ...(filteredBy !== undefined && { filteredBy }),
    ...(detail !== undefined && { detail }),
  }));
  const kids = keySet.keys.filter((key) => key.kid !== undefined).map((key) => key.kid);
  return { alg, ...(kid !== undefined && { kid }), kids, candidates: selection.candidates, trace };
}
