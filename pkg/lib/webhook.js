// verifyWebhook: a signed push notification. `Authorization: Bearer <jwt>` verified like
// verifyJwt (same backend path, every VerifyOptions check), then the core checks the iat
// window and binds the token to the raw body (`request_body_sha256`); the jti is marked
// used last when a replay store is given.

import { WasmWebhook, bearerToken } from '../gen/jwks_verify.js';
import { JoseError, fromCore } from './errors.js';
import { nowSeconds } from './options.js';
import { parsedCache, pick } from './parsed.js';
import { checkStore, checkThenMarkUsed } from './replay.js';
import { ready } from './runtime.js';
import { resolveKeySet, verifyWith } from './verify.js';

const FIELDS = [
  'algorithms', 'issuer', 'audience', 'allowMultipleAudiences', 'subject', 'typ', 'requiredClaims',
  'clockTolerance', 'maxTokenAge', 'crit', 'maxTokenLength', 'maxCandidates', 'maxAge', 'requireJti',
];

const profileFor = parsedCache((text) => {
  const handle = WasmWebhook.parse(text);
  return { handle, verifyOptions: handle.verifyOptions() };
});

function bodyBytes(body) {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  throw new TypeError('request.body must be the raw body as a string or Uint8Array');
}

function tokenOf(authorization) {
  if (typeof authorization !== 'string') {
    throw new JoseError('ERR_JWS_INVALID', 'the Authorization header must be "Bearer <jwt>"');
  }
  try {
    return bearerToken(authorization);
  } catch (err) {
    throw fromCore(err);
  }
}

export async function verifyWebhook(request, keys, options = {}) {
  await ready();
  if (request === null || typeof request !== 'object') throw new TypeError('verifyWebhook needs { authorization, body }');
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  checkStore(options.replay);
  const body = bodyBytes(request.body);
  const text = tokenOf(request.authorization);
  // A replay store needs a jti to remember.
  const core = { ...pick(options, FIELDS), requireJti: options.requireJti ?? options.replay !== undefined };
  const profile = profileFor(JSON.stringify(core));
  const now = nowSeconds(options);
  const keySet = await resolveKeySet(keys, text);
  const verified = await verifyWith(text, keySet, profile.verifyOptions, now);
  await checkThenMarkUsed(verified, () => profile.handle.check(text, body, now), options.replay);
  return verified;
}
