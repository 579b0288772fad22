// A DPoP-bound access token for the Express and Fastify adapter tests: the adapters, an issuer
// key, the token bound to a holder key, `proof(url)` (a GET proof for `url`) and the adapters'
// options (their own replay cache).

import * as jose from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { generateKey, mint } from '../helpers.mjs';

const now = () => Math.floor(Date.now() / 1000);

export async function dpopAdapters() {
  const { default: express } = await import('express');
  const { default: Fastify } = await import('fastify');
  const { bearerAuth: expressAuth } = await import('../../../pkg/express.mjs');
  const { bearerAuth: fastifyAuth } = await import('../../../pkg/fastify.mjs');
  const { ReplayCache } = await import('../../../pkg/node.bundle.mjs');
  const issuer = await generateKey('ES256', { kid: 'as' });
  const holder = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = await jose.exportJWK(holder.publicKey);
  const jkt = await jose.calculateJwkThumbprint(jwk);
  const token = await mint(issuer, { iss: 'https://as.example', aud: 'https://api.example', sub: 'u', client_id: 'c', iat: now(), exp: now() + 300, jti: randomUUID(), cnf: { jkt } }, { header: { typ: 'at+jwt' } });
  const proof = (url) => new jose.SignJWT({ htm: 'GET', htu: url, iat: now(), jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk }).sign(holder.privateKey);
  const options = { keys: { keys: [issuer.jwk] }, issuer: 'https://as.example', audience: 'https://api.example', dpopReplay: new ReplayCache() };
  return { express, Fastify, expressAuth, fastifyAuth, token, proof, options };
}
