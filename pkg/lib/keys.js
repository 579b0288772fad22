// KeySet and the conversion of every KeysInput form to the core's parsed key set. A parsed
// set is cached per input object (or per JSON text) so that parsing happens once per set.

import { WasmKeySet } from '../gen/jwks_verify.js';
import { JoseError, fromCore } from './errors.js';

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
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) return JSON.stringify(input);
  throw new JoseError('ERR_JWKS_INVALID', 'expected a KeySet, a JWK Set {"keys": [...]}, a single JWK, or its JSON text');
}

export function parseJwks(input, options = {}) {
  return parseText(jsonText(input), options);
}

// Inline keys are the caller's own: an oct secret passed in directly may verify HS*
// (still only when the algorithms option lists it). Parsed sets are cached by JSON text,
// so a JWKS object mutated between calls is parsed again.
const INLINE = { allowPrivate: true };
const byText = new Map();
const TEXT_CACHE_SIZE = 32;

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
