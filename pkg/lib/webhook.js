// verifyWebhook: a signed push notification. The core reads the options, takes the token out of
// `Authorization: Bearer`, and runs the one pipeline with the webhook profile (iat window, the
// body bound by `request_body_sha256`); the jti is marked used last when a replay store is given.

import { WasmProfile } from '../gen/jwks_verify.js';
import { core } from './errors.js';
import { markUsedOnce } from './replay.js';
import { instanceId, loadProtocol, release } from './runtime.js';
import { resolveKeySet, runProfile } from './verify.js';
import { optionsCache } from './options-cache.js';
import { ownOptions } from './own.js';

// The options read once (own.js ownOptions): the replay store marked is the one the core
// checked (it was read again, so a getter or Proxy could answer another).
function readWebhookOptions(options) {
  const read = ownOptions(options, 'verifyWebhook');
  return { profile: core(() => WasmProfile.webhook(read)), replay: read?.replay };
}
const cachedProfile = optionsCache(readWebhookOptions);

export async function verifyWebhook(request, keys, options) {
  await loadProtocol();
  const made = instanceId();
  const cached = cachedProfile(options);
  const { profile, replay: store } = cached ?? readWebhookOptions(options);
  try {
    // The core reads the request once and refuses a body that is neither a string nor a Uint8Array.
    const [text, raw] = core(() => profile.webhookRequest(request));
    const body = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
    const replayTimeoutMs = core(() => profile.replayTimeoutMs());
    const keySet = await resolveKeySet(keys, text, profile);
    const { jti, replay, ...verified } = await runProfile(profile, text, keySet, -1, body);
    if (replay) await markUsedOnce(store, replay, replayTimeoutMs, verified.payload);
    return verified;
  } finally {
    if (cached === undefined) release(profile, made);
  }
}
