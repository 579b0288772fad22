// The signature module: the pure-Rust RSA/ECDSA/EdDSA check, a second wasm module. Node loads
// it synchronously on first need (setBackend('rust'), a key node:crypto cannot import, ready());
// the default workerd and Deno entries load it at import; browsers on `await ready()` (not
// `ready({ sync: false })`), setBackend('rust'), or an asynchronous check that meets an
// algorithm or key the host lacks (then it is loaded on the spot); `jwks-verify/slim` in
// workerd and Deno only with `import 'jwks-verify/signature'`. HMAC is in
// the protocol module. The core decides every verdict; this file only loads and forwards.

let loader = null;
let syncLoader = null;
let missingHint = 'call "await ready()" (not ready({ sync: false })) once before it';
let loaded = null;
let pending = null;

/** An entry says how to load the module (a function returning its initialised glue). */
export function registerSignatureLoader(fn, hint) {
  loader = fn;
  if (hint) missingHint = hint;
}

/** An entry that can instantiate it synchronously, when first needed (Node: a file read). */
export function registerSyncSignatureLoader(fn) {
  syncLoader = fn;
}

// Loads it now through the synchronous loader, if there is one; whether it is loaded. A file
// that cannot be read or instantiated is ERR_WASM_LOAD_FAILED, as an asynchronous loader's is;
// the next call tries again.
function loadNow() {
  if (loaded === null && syncLoader !== null) {
    try {
      loaded = syncLoader();
    } catch (err) {
      throw loadFailed('the pure-Rust signature module', err);
    }
  }
  return loaded !== null;
}

/** An entry that instantiated it synchronously (Node, workerd with the module imported). */
export function markSignatureLoaded(glue) {
  loaded = glue;
}

/** Whether this entry loads the module synchronously whenever a check needs it (Node). */
export function signatureOnDemand() {
  return syncLoader !== null;
}

/** Whether this entry has the module or a way to load it. */
export function signatureLoadable() {
  return loaded !== null || loader !== null || syncLoader !== null;
}

export function signatureLoaded() {
  return loaded !== null;
}

function notLoaded(why) {
  return Object.assign(new Error(`jwks-verify: ${why} needs the pure-Rust signature module, which is not loaded; ${missingHint}`), { code: 'ERR_FALLBACK_NOT_LOADED' });
}

/** A wasm module (`what`) that did not download or instantiate: ERR_WASM_LOAD_FAILED, the host's error as `cause`. */
export function loadFailed(what, cause) {
  const why = cause instanceof Error ? cause.message : String(cause);
  return Object.assign(new Error(`jwks-verify: ${what} could not be loaded (${why}); the next call tries again`, { cause }), { code: 'ERR_WASM_LOAD_FAILED' });
}

/** Loads the module once (a no-op when loaded); rejects with ERR_FALLBACK_NOT_LOADED when this runtime registered no loader. */
export function loadSignature() {
  try {
    if (loadNow()) return Promise.resolve();
  } catch (err) {
    return Promise.reject(err);
  }
  if (pending === null) {
    if (loader === null) return Promise.reject(notLoaded('this call'));
    pending = Promise.resolve()
      .then(() => loader())
      .then((glue) => {
        loaded = glue;
      }, (err) => {
        pending = null;
        throw loadFailed('the pure-Rust signature module', err);
      });
  }
  return pending;
}

/** The module's check of one candidate (1 verified, 0 not); throws ERR_FALLBACK_NOT_LOADED when it is not loaded. */
export function signatureCheck(params, algCode, data, signature, algName) {
  if (!loadNow()) throw notLoaded(`an ${algName} signature check without host crypto`);
  return loaded.verifySignature(algCode, params, data, signature);
}

/** After a trap: a fresh instance of the module too. */
export function resetSignature() {
  if (loaded !== null && typeof loaded.__wbg_reset_state === 'function') loaded.__wbg_reset_state();
}
