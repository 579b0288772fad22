// README ("The URL a DPoP proof must name"): behind a proxy, "pass the public URL yourself —
// authenticateRequest({ method, url: new URL(req.url, 'https://api.example.com').href,
// headers: req.headers })". Node's req.headers holds the internal Host: is that a 400?
import * as jose from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { authenticateRequest } from '../../pkg/node.mjs';
const now = () => Math.floor(Date.now() / 1000);
const as = await jose.generateKeyPair('ES256', { extractable: true });
const asJwk = { ...(await jose.exportJWK(as.publicKey)), kid: 'as', alg: 'ES256' };
const holder = await jose.generateKeyPair('ES256', { extractable: true });
const jwk = await jose.exportJWK(holder.publicKey);
const jkt = await jose.calculateJwkThumbprint(jwk);
const token = await new jose.SignJWT({ iss: 'https://as.example', aud: 'https://api.example', sub: 'u', client_id: 'c', iat: now(), exp: now() + 300, jti: randomUUID(), cnf: { jkt } })
  .setProtectedHeader({ alg: 'ES256', kid: 'as', typ: 'at+jwt' }).sign(as.privateKey);
const url = 'https://api.example.com/r';
const proof = await new jose.SignJWT({ htm: 'GET', htu: url, iat: now(), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
  .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(holder.privateKey);
const options = { keys: { keys: [asJwk] }, issuer: 'https://as.example', audience: 'https://api.example' };
const result = await authenticateRequest({ method: 'GET', url, headers: { host: '10.0.0.7:3000', authorization: `DPoP ${token}`, dpop: proof } }, options);
console.log(result.ok ? 'ok (README example works)' : `README example fails: ${result.status} ${result.error} ${result.errorDescription}`);
