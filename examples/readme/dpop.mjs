import { verifyDpopProof, ReplayCache } from 'jwks-verify';
import { SignJWT, exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';
import { createHash, randomUUID } from 'node:crypto';

// The client keeps a key pair and signs a fresh proof for each request (RFC 9449 §4).
const { publicKey, privateKey } = await generateKeyPair('ES256');
const accessToken = 'eyJhbGciOiJFUzI1NiJ9.eyJjbmYiOnt9fQ.c2ln'; // the DPoP-bound token the AS issued
const proof = await new SignJWT({
  htm: 'GET',
  htu: 'https://api.example/orders',
  ath: createHash('sha256').update(accessToken).digest('base64url'),
})
  .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: await exportJWK(publicKey) })
  .setIssuedAt()
  .setJti(randomUUID())
  .sign(privateKey);

// The resource server: the method and URL the client addressed, the token of
// `Authorization: DPoP <token>`, the proof of the `DPoP` header.
const replay = new ReplayCache();
const options = { method: 'GET', url: 'https://api.example/orders?page=2', accessToken, replay };
const { jkt } = await verifyDpopProof(proof, options); // query and fragment are not compared
console.log(jkt === (await calculateJwkThumbprint(await exportJWK(publicKey)))); // true: compare it with the token's cnf.jkt
console.log(await verifyDpopProof(proof, options).catch((err) => err.code)); // ERR_JWT_REPLAYED
