// Key resolvers: a KeysInput that is a function `(header, unverifiedPayload) => KeysInput |
// Promise<KeysInput>`. It is called with the header and claims the core decoded (after the
// maxTokenLength check; a token that does not decode never reaches it); what it returns is
// resolved as any other KeysInput. An exception it throws propagates as is.

import { resolverInput } from '../gen/jwks_verify.js';
import { JoseError, core } from './errors.js';

export function isResolver(keys) {
  return typeof keys === 'function';
}

export async function resolveKeys(resolver, text, maxTokenLength) {
  const { header, payload } = JSON.parse(core(() => resolverInput(text, maxTokenLength)));
  const keys = await resolver(header, payload);
  if (isResolver(keys)) {
    throw new JoseError('ERR_JWKS_INVALID', 'the key resolver returned a function; it must return a KeysInput (a KeySet, a JWKS or JWK object or its JSON text, a RemoteJwks or a TrustedIssuers), or a Promise of one');
  }
  return keys;
}
