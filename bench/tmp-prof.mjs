import * as nodeCrypto from 'node:crypto';
import * as jose from 'jose';
import * as pkg from '../pkg/node.mjs';
const alg = process.argv[2] ?? 'HS256';
const ISSUER = 'https://issuer.example', AUDIENCE = 'https://api.example';
let pair, jwk;
if (alg === 'HS256') { const secret = nodeCrypto.randomBytes(32); pair = { privateKey: nodeCrypto.createSecretKey(secret), secret }; jwk = { kty: 'oct', k: secret.toString('base64url') }; }
else { pair = nodeCrypto.generateKeyPairSync('rsa', { modulusLength: 2048 }); jwk = pair.publicKey.export({ format: 'jwk' }); }
Object.assign(jwk, { kid: 'k', alg, use: 'sig' });
const now = Math.floor(Date.now() / 1000);
const token = await new jose.SignJWT({ sub: 'user-123', scope: 'read write', client_id: 'c', jti: 'b6f3a2e0-6f7e-4a7e-9c1d-1d6c8d0f2a11' }).setProtectedHeader({ alg, kid: 'k', typ: 'JWT' }).setIssuer(ISSUER).setAudience(AUDIENCE).setIssuedAt(now).setExpirationTime(now + 3600).sign(pair.privateKey);
const keys = pkg.parseJwks({ keys: [jwk] }, { allowPrivate: alg === 'HS256' });
const options = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE };
const mode = process.argv[3] ?? 'sync';
const v = pkg.createVerifier(keys, options);
const op = mode === 'sync' ? () => pkg.verifyJwtSync(token, keys, options) : () => v.verifySync(token);
for (let i = 0; i < 300000; i++) op();
