// Test tokens for trying jwks-verify without an identity provider: signs a JWT with the demo
// keys in examples/keys/private-jwks.json (their public half is examples/keys/public-jwks.json).
// Run in a clone of this repository (it uses the dev dependency jose):
//   node examples/mint.mjs [--alg ES256|RS256] [--iss URL] [--aud AUD] [--sub SUB]
//                          [--typ at+jwt] [--scope "a b"] [--ttl SECONDS]
// With --typ at+jwt it adds what RFC 9068 requires (client_id, jti, iat), so that
// verifyAccessToken and the framework adapters accept it.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SignJWT, importJWK } from 'jose';

const { values } = parseArgs({
  options: {
    alg: { type: 'string', default: 'ES256' },
    iss: { type: 'string', default: 'https://issuer.example' },
    aud: { type: 'string', default: 'my-api' },
    sub: { type: 'string', default: 'alice' },
    typ: { type: 'string', default: 'JWT' },
    scope: { type: 'string' },
    ttl: { type: 'string', default: '600' },
  },
});
const { keys } = JSON.parse(readFileSync(new URL('./keys/private-jwks.json', import.meta.url), 'utf8'));
const jwk = keys.find((key) => key.alg === values.alg);
if (!jwk) throw new Error(`no demo key for ${values.alg}; the demo keys are ${keys.map((k) => k.alg).join(', ')}`);
const claims = { sub: values.sub };
if (values.scope !== undefined) claims.scope = values.scope;
if (values.typ === 'at+jwt') Object.assign(claims, { client_id: 'demo-client', jti: crypto.randomUUID() });
const token = await new SignJWT(claims)
  .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: values.typ })
  .setIssuer(values.iss)
  .setAudience(values.aud)
  .setIssuedAt()
  .setExpirationTime(Math.floor(Date.now() / 1000) + Number(values.ttl))
  .sign(await importJWK(jwk, jwk.alg));
console.log(token);
