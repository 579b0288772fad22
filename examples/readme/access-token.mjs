import { verifyAccessToken, RemoteJwks } from 'jwks-verify';

const keys = new RemoteJwks('https://issuer.example/.well-known/jwks.json');
const { payload } = await verifyAccessToken(process.argv[2], keys, {
  issuer: 'https://issuer.example',
  audience: 'my-api',
  requiredScopes: ['read'],
});
console.log(payload.client_id, payload.sub, payload.scope);
