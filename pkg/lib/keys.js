// KeySet and the conversion of every local KeysInput form to the core's parsed key set. A
// parsed set is cached per JSON text, so that inline keys are parsed once.

import { WasmKeySet, explainSelection as coreExplainSelection } from '../gen/jwks_verify.js';
import { JoseError, core } from './errors.js';
import { assertReady, instanceId, onReset, release } from './runtime.js';
import { lentToJSON, ownMember } from './own.js';

const handles = new WeakMap();
// The instance each handle was made in (runtime.js `release`).
const madeIn = new WeakMap();

// `keys` and `diagnostics` are read from the core on first use: a large set verifies tokens
// without describing every key (a result's `key` comes from `keyInfoOf`). They are own,
// enumerable members, as plain data after the first read.
const DESCRIBED = ['keys', 'diagnostics'];

function describe(keySet) {
  const described = JSON.parse(core(() => describedBy.get(keySet).describe()));
  for (const name of DESCRIBED) define(keySet, name, described[name]);
  return described;
}

function define(keySet, name, value) {
  Object.defineProperty(keySet, name, { value, writable: true, enumerable: true, configurable: true });
}

function describedLazily(keySet, name) {
  Object.defineProperty(keySet, name, {
    enumerable: true,
    configurable: true,
    get: () => describe(keySet)[name],
    set: (value) => define(keySet, name, value),
  });
}

// The handle each set describes itself from, even after free() (a shared handle stays alive).
const describedBy = new WeakMap();

export class KeySet {
  constructor(handle) {
    // Not a public constructor (index.d.ts: private): `new KeySet()` would otherwise fail with
    // WeakMap's "Invalid value used as weak map key".
    if (handle === null || typeof handle !== 'object') {
      throw new TypeError('KeySet has no public constructor: make one with parseJwks(jwks)');
    }
    handles.set(this, handle);
    if (!madeIn.has(handle)) madeIn.set(handle, instanceId());
    describedBy.set(this, handle);
    for (const name of DESCRIBED) describedLazily(this, name);
  }

  /** Releases the parsed keys now (instead of at garbage collection); the set is unusable after. */
  free() {
    const handle = handles.get(this);
    if (handle) {
      handles.delete(this);
      // A shared copy stays in its bounded cache (below); it is released when evicted.
      if (!shared.has(handle)) {
        if (madeIn.get(handle) === instanceId() && Object.getOwnPropertyDescriptor(this, 'keys')?.get) describe(this);
        describedBy.delete(this);
        release(handle, madeIn.get(handle));
      }
    }
  }

  [Symbol.dispose]() {
    this.free();
  }
}

// Every copy of the package (the ESM and the CommonJS entry each load one) marks its KeySets
// with this registry symbol, so that a set from another copy, whose parsed keys live in that
// copy's wasm instance, is told apart from a JWK Set object (it would be serialized as one:
// its key descriptions, no key material) and refused as what it is. Not enumerable: JSON and
// spreading never see it.
const FROM_A_COPY = Symbol.for('jwks-verify.KeySet');
Object.defineProperty(KeySet.prototype, FROM_A_COPY, { value: true });

// Whether `value` carries the mark (read safely: a Proxy whose traps throw is left to the
// serialization, which reports it as ERR_JWKS_INVALID).
function marked(value) {
  try {
    return value?.[FROM_A_COPY] === true;
  } catch {
    return false;
  }
}

function fromAnotherCopy() {
  return new JoseError('ERR_JWKS_INVALID', 'this KeySet was made by another copy of jwks-verify, whose keys this one cannot use (in Node, an import and a require of the package load one each; jwks-verify/verify-only is a copy of its own): make the keys, and any RemoteJwks, with the entry that verifies');
}

export function handleOf(keySet) {
  const handle = handles.get(keySet);
  if (handle === undefined) {
    // A key source (an object with keySetFor, such as one a key resolver returned) may hand back
    // anything: only a KeySet of this package is one.
    if (!(keySet instanceof KeySet)) {
      if (marked(keySet)) throw fromAnotherCopy();
      throw new JoseError('ERR_JWKS_INVALID', 'expected a KeySet (from parseJwks or a RemoteJwks); a key source\'s keySetFor() returned something else');
    }
    throw new JoseError('ERR_JWKS_INVALID', 'this KeySet was freed (free() or [Symbol.dispose]) and can no longer verify');
  }
  return handle;
}

const keyInfos = new WeakMap();

/** The KeyInfo of key `index` of a set (the core's, read once per set and index; do not mutate). */
export function keyInfoOf(keySet, index) {
  const handle = handleOf(keySet);
  let infos = keyInfos.get(handle);
  if (infos === undefined) {
    infos = [];
    keyInfos.set(handle, infos);
  }
  return infos[index] ?? (infos[index] = JSON.parse(core(() => handle.keyInfo(index))));
}

// `parseJwks(input)` without options: KeySets of the same JSON text share one parsed set in
// the core, kept for the last SHARED_SIZE texts, so that a loop that parses the same keys on
// every call (and frees them, or not) holds one copy in wasm memory and reuses its imported host
// keys. `free()` on such a set releases the KeySet; the shared copy is dropped when evicted, and
// its memory returned when every KeySet using it is collected (wasm-bindgen's finalizer). With
// options, each call parses its own set, which free() releases at once.
const byJwksText = new Map();
// The text crosses into wasm as UTF-8 bytes: TextEncoder is native, where wasm-bindgen's
// string copy is a JavaScript loop over every character (milliseconds for a 5,000-key set).
const utf8 = new TextEncoder();
const SHARED_SIZE = 32;
const shared = new WeakSet();

function sharedKeySet(text) {
  let handle = byJwksText.get(text);
  if (handle === undefined) {
    handle = core(() => WasmKeySet.parse(utf8.encode(text), undefined));
    if (byJwksText.size >= SHARED_SIZE) byJwksText.delete(byJwksText.keys().next().value);
    shared.add(handle);
  } else {
    byJwksText.delete(text);
  }
  byJwksText.set(text, handle);
  return new KeySet(handle);
}

function jsonText(input) {
  if (typeof input === 'string') return input;
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    // A toJSON on Object.prototype (a polluted one) would be serialized instead of the keys:
    // any JWKS object became the keys it returns.
    if (lentToJSON()) throw new JoseError('ERR_JWKS_INVALID', 'the key set cannot be serialized as JSON: Object.prototype or Array.prototype has a toJSON of its own (a polluted prototype?), which JSON.stringify would serialize instead of the keys; pass the JWKS as JSON text, or a KeySet');
    try {
      return JSON.stringify(input);
    } catch (err) {
      throw new JoseError('ERR_JWKS_INVALID', `the key set cannot be serialized as JSON (${err.message})`);
    }
  }
  const what = Array.isArray(input) ? 'an array (wrap the keys as {"keys": [...]})' : input === null || input === undefined ? String(input) : `a ${typeof input}`;
  throw new JoseError('ERR_JWKS_INVALID', `expected a JWK Set {"keys": [...]}, a single JWK, or its JSON text; got ${what}`);
}

/**
 * Parses a JWKS `{keys:[...]}` or a single JWK (object or JSON text) into a KeySet.
 * Options (`allowPrivate`, `allowWeakKeys`) are read by the core: a wrong one is a TypeError.
 */
export function parseJwks(input, options) {
  assertReady('parseJwks');
  // A KeySet would be serialized as its key descriptions (no key material): a set of unusable keys.
  if (marked(input)) throw input instanceof KeySet ? new JoseError('ERR_JWKS_INVALID', 'parseJwks takes a JWK Set or a JWK, and this is already a KeySet: pass it where the keys go') : fromAnotherCopy();
  const text = jsonText(input);
  if (options === undefined) return sharedKeySet(text);
  return new KeySet(core(() => WasmKeySet.parse(utf8.encode(text), options)));
}

// Inline keys are the caller's own: an oct secret passed in directly may verify HS* (still
// only when the algorithms option lists it). Parsed sets are cached by JSON text, so a JWKS
// object mutated between calls is parsed again.
const byText = new Map();
const TEXT_CACHE_SIZE = 32;
// Parsed sets die with the wasm instance that holds them (runtime.js, after a trap).
onReset(() => {
  byText.clear();
  byJwksText.clear();
});

// A RemoteJwks or TrustedIssuers of any copy of the package (its class has keySetFor). Not a
// keySetFor from Object.prototype: a polluted one made every KeysInput, a KeySet included,
// take its keys from it.
export function isRemote(keys) {
  try {
    return typeof ownMember(keys, 'keySetFor') === 'function';
  } catch {
    return false; // a Proxy whose traps throw: serializing it reports ERR_JWKS_INVALID
  }
}

// KeysInput other than RemoteJwks -> KeySet.
export function localKeySet(keys) {
  if (keys instanceof KeySet) return keys;
  if (marked(keys)) throw fromAnotherCopy();
  const text = jsonText(keys);
  let set = byText.get(text);
  if (!set) {
    set = new KeySet(core(() => WasmKeySet.parseInline(text)));
    if (byText.size >= TEXT_CACHE_SIZE) byText.delete(byText.keys().next().value);
    byText.set(text, set);
  }
  return set;
}

/**
 * Explains key selection for a token, as verification does it (the core's rule): which keys
 * are candidates (tried in this order) and, for every other key, which rule filtered it out.
 * `token`: a compact JWS, or a protected header object `{alg, kid?}`.
 */
export function explainSelection(keys, token, options) {
  assertReady('explainSelection');
  const keySet = localKeySet(keys);
  const header = token !== null && typeof token === 'object' && !(token instanceof Uint8Array) ? JSON.stringify(token) : token;
  return JSON.parse(core(() => coreExplainSelection(handleOf(keySet), header, options)));
}
