// verifyJwt / verifyJwtSync / decodeJwt: the core does parsing, selection and claims; the
// signature check goes to the backend chosen for this runtime (see backends.js).

import * as core from '../gen/jwks_verify.js';
import { JoseError, fromCore } from './errors.js';
import { localKeySet, handleOf } from './keys.js';
import { coreOptions, nowSeconds } from './options.js';
import { assertReady, isReady, ready } from './runtime.js';
import { syncBackend, asyncBackend } from './backends.js';

export function tokenText(token) {
  if (typeof token === 'string') return token;
  if (token instanceof Uint8Array) return new TextDecoder().decode(token);
  throw new JoseError('ERR_JWS_INVALID', 'Compact JWS must be a string or Uint8Array');
}

// Claim errors carry the decoded payload, like jose's.
function withPayload(token) {
  return (parsed) => {
    if (!parsed.claim) return undefined;
    try {
      return { payload: JSON.parse(core.decodeJwt(token)).payload };
    } catch {
      return undefined;
    }
  };
}

function prepare(token, handle, wasmOptions) {
  try {
    return core.prepare(token, handle, wasmOptions);
  } catch (err) {
    throw fromCore(err);
  }
}

// The result's `key` is a copy of the KeyInfo the KeySet already holds.
function finish(prepared, token, keySet, index, wasmOptions, now) {
  try {
    const verified = JSON.parse(prepared.finishClaims(wasmOptions, now));
    verified.key = { ...keySet.keys[index] };
    return verified;
  } catch (err) {
    throw fromCore(err, withPayload(token));
  } finally {
    prepared.free();
  }
}

function signatureFailed(prepared) {
  prepared.free();
  return fromCore(core.signatureFailed());
}

// One crossing into the core for a synchronous host backend (node): no prepared object.
function verifyInOneCall(backend, text, keySet, wasmOptions, now) {
  const handle = handleOf(keySet);
  let index;
  try {
    index = backend.withCandidateCheck(handle, text, (check) => core.verifyWithHost(text, handle, wasmOptions, now, check));
  } catch (err) {
    throw fromCore(err, withPayload(text));
  }
  const verified = backend.decodeVerified(text);
  verified.key = { ...keySet.keys[index] };
  return verified;
}

export function verifyJwtSync(token, keys, options = {}) {
  assertReady('verifyJwtSync');
  const text = tokenText(token);
  if (typeof keys?.keySetFor === 'function') {
    throw new JoseError('ERR_JWKS_INVALID', 'verifyJwtSync takes local keys only; use verifyJwt with a RemoteJwks, or pass `await remote.keySet()`');
  }
  const keySet = localKeySet(keys);
  const wasmOptions = coreOptions(options);
  const now = nowSeconds(options);
  const backend = syncBackend();
  if (backend.withCandidateCheck) return verifyInOneCall(backend, text, keySet, wasmOptions, now);
  const handle = handleOf(keySet);
  const prepared = prepare(text, handle, wasmOptions);
  const index = backend.verify(prepared, handle, text);
  if (index < 0) throw signatureFailed(prepared);
  return finish(prepared, text, keySet, index, wasmOptions, now);
}

// KeysInput (a RemoteJwks included) -> the KeySet to verify `text` with.
export async function resolveKeySet(keys, text) {
  return typeof keys?.keySetFor === 'function' ? keys.keySetFor(text) : localKeySet(keys);
}

// The asynchronous path every async verifier shares (verifyJwt, checkAssertion,
// verifyWebhook): core prepare -> backend signature check -> core finish.
export async function verifyWith(text, keySet, wasmOptions, now) {
  const backend = asyncBackend();
  if (backend.withCandidateCheck) return verifyInOneCall(backend, text, keySet, wasmOptions, now);
  const handle = handleOf(keySet);
  const prepared = prepare(text, handle, wasmOptions);
  const index = await backend.verify(prepared, handle, text);
  if (index < 0) throw signatureFailed(prepared);
  return finish(prepared, text, keySet, index, wasmOptions, now);
}

export async function verifyJwt(token, keys, options = {}) {
  if (!isReady()) await ready();
  const text = tokenText(token);
  // Local keys resolve at once: no extra trips through the microtask queue.
  const keySet = typeof keys?.keySetFor === 'function' ? await keys.keySetFor(text) : localKeySet(keys);
  return await verifyWith(text, keySet, coreOptions(options), nowSeconds(options));
}

export function decodeJwt(token) {
  assertReady('decodeJwt');
  try {
    return JSON.parse(core.decodeJwt(tokenText(token)));
  } catch (err) {
    throw fromCore(err);
  }
}
