// verifyAccessToken: an RFC 9068 JWT access token. The core reads the options and runs the one
// pipeline with the access-token profile (typ at+jwt, the required claims, requiredScopes).

import { WasmProfile, explainAccessToken as coreExplainAccessToken } from '../gen/jwks_verify.js';
import { core } from './errors.js';
import { assertReady, instanceId, loadProtocol, release } from './runtime.js';
import { resolveKeySet, runProfile } from './verify.js';
import { optionsCache } from './options-cache.js';

const readAccessTokenOptions = (options) => core(() => WasmProfile.accessToken(options));
const cachedProfile = optionsCache(readAccessTokenOptions);

export async function verifyAccessToken(token, keys, options) {
  await loadProtocol();
  const made = instanceId();
  const cached = cachedProfile(options);
  const profile = cached ?? readAccessTokenOptions(options);
  try {
    const text = core(() => profile.text(token));
    const keySet = await resolveKeySet(keys, text, profile);
    return await runProfile(profile, text, keySet);
  } finally {
    if (cached === undefined) release(profile, made);
  }
}

/** Every rule verifyAccessToken runs with `options`, on the token without its signature. */
export function explainAccessToken(token, options) {
  assertReady('explainAccessToken');
  return JSON.parse(core(() => coreExplainAccessToken(token, options)));
}
