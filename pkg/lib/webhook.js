// verifyWebhook: a signed push notification. The core reads the options, takes the token out of
// `Authorization: Bearer`, and runs the one pipeline with the webhook profile (iat window, the
// body bound by `request_body_sha256`); the jti is marked used last when a replay store is given.

import { WasmProfile } from '../gen/jwks_verify.js';
import { core } from './errors.js';
import { markUsedOnce } from './replay.js';
import { loadProtocol } from './runtime.js';
import { resolveKeySet, runProfile } from './verify.js';

function bodyBytes(body) {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  throw new TypeError('request.body must be the raw body as a string or Uint8Array');
}

export async function verifyWebhook(request, keys, options) {
  await loadProtocol();
  if (request === null || typeof request !== 'object') throw new TypeError('verifyWebhook needs { authorization, body }');
  const profile = core(() => WasmProfile.webhook(options));
  try {
    const body = bodyBytes(request.body);
    const text = core(() => profile.bearerToken(request.authorization));
    const keySet = await resolveKeySet(keys, text, profile.maxTokenLength());
    const { jti, replay, ...verified } = await runProfile(profile, text, keySet, -1, body);
    if (replay) await markUsedOnce(options.replay, replay, profile.replayTimeoutMs(), verified.payload);
    return verified;
  } finally {
    profile.free();
  }
}
