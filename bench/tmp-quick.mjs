import * as nodeCrypto from 'node:crypto';
import * as jose from 'jose';
import { createVerifier } from 'fast-jwt';
import * as pkg from '../pkg/node.mjs';
const ISSUER = 'https://issuer.example', AUDIENCE = 'https://api.example';
for (const alg of (process.argv[2] ?? 'HS256,RS256,ES256').split(',')) {
  let pair, jwk;
  if (alg === 'HS256') { const secret = nodeCrypto.randomBytes(32); pair = { privateKey: nodeCrypto.createSecretKey(secret), secret }; jwk = { kty: 'oct', k: secret.toString('base64url') }; }
  else if (alg[0] === 'R') { pair = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 }); jwk = pair.publicKey.export({ format: 'jwk' }); }
  else { pair = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }); jwk = pair.publicKey.export({ format: 'jwk' }); }
  Object.assign(jwk, { kid: 'k', alg, use: 'sig' });
  const now = Math.floor(Date.now() / 1000);
  const token = await new jose.SignJWT({ sub: 'user-123', scope: 'read write', client_id: 'c', jti: 'b6f3a2e0-6f7e-4a7e-9c1d-1d6c8d0f2a11' }).setProtectedHeader({ alg, kid: 'k', typ: 'JWT' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt(now).setExpirationTime(now + 3600).sign(pair.privateKey);
  const keys = pkg.parseJwks({ keys: [jwk] }, { allowPrivate: alg === 'HS256' });
  const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
  const fj = createVerifier({ key: pair.secret ?? pair.publicKey.export({ type: 'spki', format: 'pem' }), algorithms: [alg], allowedIss: ISSUER, allowedAud: AUDIENCE });
  const v = pkg.createVerifier(keys, options);
  const ops = { ours: () => pkg.verifyJwtSync(token, keys, options), verifier: () => v.verifySync(token), fastjwt: () => fj(token) };
  const res = {};
  for (let round = 0; round < 5; round++) for (const [name, op] of Object.entries(ops)) {
    const n = alg === 'HS256' ? 40000 : 8000; const t = process.hrtime.bigint(); for (let i = 0; i < n; i++) op();
    const r = n / (Number(process.hrtime.bigint() - t) / 1e9); (res[name] ??= []).push(r);
  }
  const med = (a) => a.sort((x, y) => x - y)[2];
  console.log(alg, Object.fromEntries(Object.entries(res).map(([k, v]) => [k, Math.round(med(v))])), 'ours/fast-jwt', (med(res.ours) / med(res.fastjwt)).toFixed(2), 'verifier/fast-jwt', (med(res.verifier) / med(res.fastjwt)).toFixed(2));
}
