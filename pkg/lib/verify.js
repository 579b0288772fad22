// verifyJwt, verifyJwtSync, createVerifier, decodeJwt: the core runs the whole pipeline (options,
// parsing, selection, shape checks, claims, profiles); the backend chosen for this runtime
// answers the signature checks (see backends.js). Results come back as the core's JSON text.

import * as wasm from '../gen/jwks_verify.js';
import { JoseError, core, fromCore, isJoseError } from './errors.js';
import { localKeySet, handleOf, isRemote, keyInfoOf } from './keys.js';
import { assertReady, instanceId, isReady, loadProtocol, recoverFrom, release } from './runtime.js';
import { syncBackend, asyncBackend } from './backends.js';
import { isResolver, resolveKeys } from './resolver.js';
import { dataOf, optionsCache, sameData } from './options-cache.js';

// Claim errors carry the decoded payload, like jose's (TrustedIssuers' iss errors too).
export function withPayload(token) {
  return (parsed) => {
    if (!parsed.claim) return undefined;
    try {
      return { payload: JSON.parse(wasm.decodeJwt(token)).payload };
    } catch (err) {
      // No payload to add; but a trap here replaces the instance like any other.
      recoverFrom(err);
      return undefined;
    }
  };
}

// The core's result: header, payload, the profile's outcome, and `key`, the index of the key
// used, replaced here by a copy of its KeyInfo.
function resultOf(json, keySet) {
  const result = JSON.parse(json);
  result.key = { ...keyInfoOf(keySet, result.key) };
  return result;
}

function optionsChanged() {
  return new JoseError('ERR_JWKS_INVALID', 'this verifier\'s options were read by a previous instance of the wasm module, replaced after a crash (a trap), and the options object has changed since (or is not plain data): create the verifier again');
}

function remoteRefused() {
  return new JoseError('ERR_JWKS_INVALID', 'synchronous verification takes local keys only; use verify()/verifyJwt with a RemoteJwks, TrustedIssuers or key resolver, or pass `await remote.keySet()`');
}

// Keys that need the token to find the key set: a RemoteJwks, a TrustedIssuers, a resolver.
const perToken = (keys) => isRemote(keys) || isResolver(keys);

// KeysInput -> the KeySet to verify `text` with under `profile` (a RemoteJwks looks the token's
// kid up, a TrustedIssuers its iss; a resolver is asked, once, for a KeysInput). Keys found per
// token are looked for only once the core has checked what needs the token alone: a token
// refused whatever the keys makes no request and gets the error local keys give.
export async function resolveKeySet(keys, text, profile, route = -1) {
  if (!perToken(keys)) return localKeySet(keys);
  const maxTokenLength = core(() => {
    profile.checkBeforeKeys(text, route);
    return profile.maxTokenLength();
  });
  const input = isResolver(keys) ? await resolveKeys(keys, text, maxTokenLength) : keys;
  return isRemote(input) ? input.keySetFor(text, maxTokenLength) : localKeySet(input);
}

// A profile's pipeline on one token with this runtime's backend (`route`: assertions; `body`:
// webhooks).
export async function runProfile(profile, text, keySet, route = -1, body = undefined) {
  const backend = asyncBackend();
  const handle = handleOf(keySet);
  await backend.load?.();
  try {
    if (backend.sync) return resultOf(profile.verify(text, handle, route, body, backend.hostFor(handle)), keySet);
    const failed = profile.signatureFailed ? () => profile.signatureFailed() : wasm.signatureFailed;
    return await checkPrepared(backend, handle, keySet, profile.prepare(text, handle, route), (prepared, index) => profile.finish(prepared, index, route, body), failed);
  } catch (err) {
    throw fromCore(err, withPayload(text));
  }
}

// An asynchronous backend tries a prepared token's candidates; `finish(prepared, index)` runs
// the core's checks after the signature; `failed()` is the profile's error when no candidate
// verifies. The prepared token is freed either way.
async function checkPrepared(backend, handle, keySet, prepared, finish, failed = wasm.signatureFailed) {
  const made = instanceId();
  try {
    const index = await backend.verifyPrepared(prepared, handle);
    if (index < 0) throw failed();
    return resultOf(finish(prepared, index), keySet);
  } finally {
    release(prepared, made);
  }
}

// A JWT profile on one token with a synchronous backend, in one crossing.
function runTokenSync(backend, profile, token, keySet, handle = handleOf(keySet)) {
  return core(() => resultOf(profile.verifyToken(token, handle, backend.hostFor(handle)), keySet), withPayload(token));
}

/**
 * `createVerifier(keys, options)`: the options are read (and a wrong one thrown) once, here
 * (in a browser before `ready()`, on the first verification); `verify(token)` and
 * `verifySync(token)` then run each token with them.
 */
export class Verifier {
  #keys;
  #options;
  #profile = null;
  #made = -1;

  #owner;
  // The options' data when first read (options-cache.js), null when not plain data or not
  // taken: a verifier made for one call (`oneCall`, verifyJwt's) is not used after a trap, and
  // the snapshot costs a few µs, on every token there.
  #read = null;
  #oneCall;

  constructor(keys, options, owner = 'createVerifier', oneCall = false) {
    this.#keys = keys;
    this.#options = options;
    this.#owner = owner;
    this.#oneCall = oneCall;
    if (isReady()) this.#core();
  }

  // The options as the current instance read them. A verifier outlives a trap that replaced
  // the instance that read them: it reads them again then, provided the options object still
  // holds what was read the first time (the options are read once; a changed object is not
  // adopted silently).
  #core() {
    if (this.#profile !== null && this.#made === instanceId()) return this.#profile;
    const replaced = this.#made !== -1 && this.#made !== instanceId();
    if (replaced && !sameData(this.#options, this.#read)) throw optionsChanged();
    this.#profile = null;
    const made = instanceId();
    const profile = core(() => wasm.WasmProfile.jwt(this.#options, this.#owner));
    if (this.#made === -1 && !this.#oneCall) this.#read = dataOf(this.#options);
    this.#profile = profile;
    this.#made = made;
    return profile;
  }

  async verify(token) {
    if (!isReady()) await loadProtocol();
    const profile = this.#core();
    const text = core(() => profile.text(token));
    const keySet = await resolveKeySet(this.#keys, text, profile);
    return runProfile(profile, text, keySet);
  }

  /** Releases the options read by the core now (instead of at garbage collection). */
  free() {
    release(this.#profile, this.#made);
    this.#profile = null;
  }

  [Symbol.dispose]() {
    this.free();
  }

  verifySync(token) {
    assertReady('verifySync');
    const profile = this.#core();
    if (perToken(this.#keys)) throw remoteRefused();
    return runTokenSync(syncBackend(), profile, token, localKeySet(this.#keys));
  }
}

export function createVerifier(keys, options) {
  return new Verifier(keys, options);
}

const readJwtOptions = (options) => core(() => wasm.WasmProfile.jwt(options, 'verifyJwt'));
const cachedProfile = optionsCache(readJwtOptions);

// The KeySet of local keys. When the keys are refused (not keys, freed, or of an instance a
// trap replaced), a wrong option or a token that is no token text is reported first, in the
// order createVerifier(keys, options).verify(token) meets them (only on that error path: the
// keys are read first, the options and token in one crossing). Returns the set and its handle.
function localKeysOf(keys, token, options) {
  try {
    const keySet = localKeySet(keys);
    return [keySet, handleOf(keySet)];
  } catch (err) {
    throw optionsFirst(err, token, options);
  }
}

// `err` (the keys' refusal), unless the options or the token are to be reported before it.
function optionsFirst(err, token, options) {
  const made = instanceId();
  const profile = readJwtOptions(options);
  try {
    core(() => profile.text(token));
  } finally {
    release(profile, made);
  }
  return err;
}

// A KeySet of an instance a trap replaced is refused as its handle crosses, before the core
// reads the options: report a wrong option first, as a cached reading (read first) does.
const keysRefused = (err) => isJoseError(err) && err.code === 'ERR_JWKS_INVALID';

// One crossing with a synchronous backend: the options are read on this call, unless this
// options object was read before and is unchanged (options-cache.js).
function verifyLocal(backend, token, keys, options) {
  const [keySet, handle] = localKeysOf(keys, token, options);
  const profile = cachedProfile(options);
  if (profile !== undefined) return runTokenSync(backend, profile, token, keySet, handle);
  try {
    return core(() => resultOf(wasm.verifyJwt(token, handle, options, backend.hostFor(handle)), keySet), withPayload(token));
  } catch (err) {
    throw keysRefused(err) ? optionsFirst(err, token, options) : err;
  }
}

// An asynchronous backend with local keys: the options read once, by prepareJwt.
async function verifyLocalAsync(backend, token, keys, options) {
  const [keySet, handle] = localKeysOf(keys, token, options);
  try {
    return await checkPrepared(backend, handle, keySet, wasm.prepareJwt(token, handle, options), (prepared, index) => prepared.finishJwt(index));
  } catch (err) {
    const error = fromCore(err, withPayload(token));
    throw keysRefused(error) ? optionsFirst(error, token, options) : error;
  }
}

/** `verifyJwt(token, keys, options)`: exactly `createVerifier(keys, options).verify(token)`. */
export async function verifyJwt(token, keys, options) {
  if (!isReady()) await loadProtocol();
  const backend = asyncBackend();
  // Awaited only when there is something to load: an awaited `undefined` costs a turn of the
  // microtask queue on every token.
  const loading = backend.load?.();
  if (loading !== undefined) await loading;
  if (!perToken(keys)) return backend.sync ? verifyLocal(backend, token, keys, options) : verifyLocalAsync(backend, token, keys, options);
  const verifier = new Verifier(keys, options, 'verifyJwt', true);
  try {
    return await verifier.verify(token);
  } finally {
    verifier.free();
  }
}

export function verifyJwtSync(token, keys, options) {
  assertReady('verifyJwtSync');
  if (perToken(keys)) throw remoteRefused();
  return verifyLocal(syncBackend(), token, keys, options);
}

export function explainClaims(token, options) {
  assertReady('explainClaims');
  return JSON.parse(core(() => wasm.explainClaims(token, options)));
}

export function decodeJwt(token) {
  assertReady('decodeJwt');
  return JSON.parse(core(() => wasm.decodeJwt(token)));
}

