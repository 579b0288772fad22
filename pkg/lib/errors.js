// JoseError: every failure of this package. `code` is one of API.md's ERR_* strings; claim
// failures also carry `claim`, `reason` and the decoded `payload`, as jose's errors do;
// ERR_JWKS_NO_MATCHING_KEY carries `kids` (the first 20 kids of the set) and `kidCount`.

import { recoverFrom } from './runtime.js';

export class JoseError extends Error {
  constructor(code, message, details = {}) {
    super(message);
    this.name = 'JoseError';
    this.code = code;
    for (const field of ['claim', 'reason', 'payload', 'url', 'kids', 'kidCount']) {
      if (details[field] !== undefined) this[field] = details[field];
    }
  }
}

// wasm-bindgen's message for an object of an instance that a trap replaced.
const STALE = /stale object from previous Wasm instance/i;

// A JoseError from any copy of this package (ESM and CommonJS each have their own class, so
// `instanceof` fails across them): judged by shape, never by prototype.
export function isJoseError(value) {
  return value !== null && typeof value === 'object' && value.name === 'JoseError'
    && typeof value.code === 'string' && value.code.startsWith('ERR_') && typeof value.message === 'string';
}

// The core reports errors as JSON text; turn that (or anything else thrown) into an Error.
// A caller's wrong option is a TypeError with `code` ERR_INVALID_OPTION and `option` (its path).
// A trap replaces the wasm instance (runtime.js) and is rethrown as it is.
export function fromCore(thrown, details) {
  if (thrown instanceof Error && STALE.test(thrown.message)) {
    return new JoseError('ERR_JWKS_INVALID', 'this object is from a previous instance of the wasm module, replaced after a crash (a trap); create it again (parseJwks, new RemoteJwks)');
  }
  if (typeof thrown !== 'string' || thrown[0] !== '{') return recoverFrom(thrown);
  let parsed;
  try {
    parsed = JSON.parse(thrown);
  } catch {
    return new Error(thrown);
  }
  if (parsed.name === 'TypeError') {
    return Object.assign(new TypeError(parsed.message), { code: parsed.code, option: parsed.option });
  }
  const extra = details ? details(parsed) : undefined;
  return new JoseError(parsed.code, parsed.message, { claim: parsed.claim, reason: parsed.reason, kids: parsed.kids, kidCount: parsed.kidCount, url: parsed.url, ...extra });
}

// Calls the core; whatever it throws comes out as an Error.
export function core(call, details) {
  try {
    return call();
  } catch (err) {
    throw fromCore(err, details);
  }
}
