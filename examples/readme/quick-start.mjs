import { verifyJwt, RemoteJwks } from 'jwks-verify';

const jwks = new RemoteJwks('https://issuer.example/.well-known/jwks.json'); // one per issuer, reused
const token = process.argv[2]; // in a server: the Authorization header's bearer token

const { payload } = await verifyJwt(token, jwks, { issuer: 'https://issuer.example', audience: 'my-api' });
console.log(payload.sub);
