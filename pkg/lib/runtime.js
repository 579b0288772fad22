import { loadFailed, loadSignature, resetSignature, signatureLoadable, signatureOnDemand } from './signature.js';
import { ownMember } from './own.js';

// Wasm instantiation state, shared by every entry. An entry registers how to instantiate
// (synchronously in Node, asynchronously on the web); every async function awaits `loadProtocol()`.

let instantiate = null;
let pending = null;
let instantiated = false;
let reset = null;
let instance = 0;
const resetListeners = new Set();

export function registerInstantiate(fn) {
  instantiate = fn;
}

export function markInstantiated() {
  instantiated = true;
}

export function isReady() {
  return instantiated;
}

/**
 * The protocol module, instantiated once (every async function awaits this by itself; it never
 * loads the signature module).
 */
export function loadProtocol() {
  if (instantiated) return Promise.resolve();
  if (!pending) {
    if (!instantiate) return Promise.reject(new Error('jwks-verify: no wasm loader registered for this runtime'));
    pending = Promise.resolve()
      .then(() => instantiate())
      .then(() => {
        instantiated = true;
      }, (err) => {
        pending = null;
        throw loadFailed('the protocol module', err);
      });
  }
  return pending;
}

/**
 * `ready(options)` (API.md, "Loading"): once it resolves, every function works, sync ones
 * included. `{ sync: false }` loads the protocol module only (enough for every async function
 * and for parseJwks, decodeJwt, HS* with verifyJwtSync); `{ sync: true }` insists on the
 * signature module (rejects with ERR_FALLBACK_NOT_LOADED where this entry cannot load it).
 * The default loads it wherever the entry can (browsers: a second fetch; the slim workerd and
 * Deno entries cannot, and then only the protocol module is loaded), except in Node, which
 * instantiates it synchronously when a check first needs it.
 */
export function ready(options) {
  // Read once, an own member only (own.js): a polluted Object.prototype.sync is no option.
  const option = options !== null && typeof options === 'object' ? ownMember(options, 'sync') : undefined;
  if (options !== undefined && (options === null || typeof options !== 'object' || (option !== undefined && typeof option !== 'boolean') || Object.keys(options).some((k) => k !== 'sync'))) {
    return Promise.reject(Object.assign(new TypeError('ready(options): options must be { sync?: boolean }'), { code: 'ERR_INVALID_OPTION', option: 'sync' }));
  }
  // Where the module loads synchronously on demand (Node), sync calls work without it.
  const sync = option ?? (signatureLoadable() && !signatureOnDemand());
  return sync ? loadProtocol().then(() => loadSignature()) : loadProtocol();
}

export function assertReady(name) {
  if (!instantiated) {
    throw Object.assign(new Error(`jwks-verify: ${name}() needs the wasm module; call "await ready()" once before using it in this runtime`), { code: 'ERR_NOT_READY' });
  }
}

// After a trap (`RuntimeError: unreachable`, e.g. an allocation failure) the instance is
// dead: its memory and stack may be half-written, and every later call could trap too. The
// entry registers the glue's `__wbg_reset_state`, which replaces it with a fresh instance of
// the same module; objects of the old one (KeySet handles, RemoteJwks caches) then throw
// wasm-bindgen's "stale object" error, which errors.js reports as ERR_JWKS_INVALID.
export function registerReset(fn) {
  reset = fn;
}

// The traps already recovered from: a trap seen twice (rethrown, then caught again further
// up) replaces the instance once, not the fresh one made for it.
const recovered = new WeakSet();

/** Called with anything a call into wasm threw; replaces the instance after a trap. */
export function recoverFrom(thrown) {
  if (reset && instantiated && typeof WebAssembly !== 'undefined' && thrown instanceof WebAssembly.RuntimeError && !recovered.has(thrown)) {
    recovered.add(thrown);
    reset();
    resetSignature();
    instance += 1;
    for (const listener of resetListeners) listener();
  }
  return thrown;
}

/**
 * `object.free()` for a wasm object made while instance `made` (`instanceId()` then) was
 * current; nothing when a trap has replaced that instance since: the object's memory went
 * with it, and its pointer freed in the new instance would corrupt that one's heap.
 */
export function release(object, made) {
  if (object === null || object === undefined || made !== instance) return;
  try {
    object.free();
  } catch (err) {
    recoverFrom(err);
  }
}

/** Bumped each time a trap replaced the instance. */
export function instanceId() {
  return instance;
}

/** `listener()` runs after each replacement (caches of wasm objects drop them). */
export function onReset(listener) {
  resetListeners.add(listener);
}
