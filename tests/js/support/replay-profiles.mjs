// The three checks that mark a token's jti used (checkAssertion, verifyWebhook, verifyDpopProof)
// on one signer and one DPoP key: `profiles[name](at, { lifetime? })` issues a fresh token at `at`
// (seconds) and gives its check, `(replay, currentDate, extra) => Promise`.

import { createHash, randomUUID } from 'node:crypto';
import * as jose from 'jose';
import { checkAssertion, verifyWebhook, verifyDpopProof } from '../../../pkg/node.mjs';
import { generateKey, mint } from '../helpers.mjs';

export const CLIENT = 'client-1';
export const TOKEN_ENDPOINT = 'https://as.example/token';
export const SENDER = 'https://sender.example';
export const RESOURCE_URL = 'https://rs.example/api';

/** `{ signer (ES256, kid k1), jwks, profiles }`. */
export async function replayProfiles() {
  const signer = await generateKey('ES256', { kid: 'k1' });
  const jwks = { keys: [signer.jwk] };
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const { ext, key_ops, ...holderJwk } = await jose.exportJWK(publicKey);
  const profiles = {
    async assertion(at, { lifetime = 120 } = {}) {
      const token = await mint(signer, { iss: CLIENT, sub: CLIENT, aud: TOKEN_ENDPOINT, iat: at, exp: at + lifetime, jti: randomUUID() });
      return (replay, currentDate, extra = {}) => checkAssertion(token, { clientId: CLIENT, audience: TOKEN_ENDPOINT, keys: jwks, replay, currentDate, ...extra });
    },
    async webhook(at) {
      const body = `{"event":"paid","id":"${randomUUID()}"}`;
      const hash = createHash('sha256').update(body).digest('hex');
      const token = await mint(signer, { iss: SENDER, iat: at, jti: randomUUID(), request_body_sha256: hash });
      return (replay, currentDate, extra = {}) => verifyWebhook({ authorization: `Bearer ${token}`, body }, jwks, { replay, currentDate, ...extra });
    },
    async dpop(at) {
      const proof = await new jose.SignJWT({ jti: randomUUID(), htm: 'GET', htu: RESOURCE_URL, iat: at })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: holderJwk })
        .sign(privateKey);
      return (replay, currentDate, extra = {}) => verifyDpopProof(proof, { method: 'GET', url: RESOURCE_URL, replay, currentDate, ...extra });
    },
  };
  return { signer, jwks, profiles };
}
