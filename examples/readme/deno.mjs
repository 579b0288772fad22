import { verifyJwt, RemoteJwks } from 'jwks-verify'; // 'npm:jwks-verify' once it is on the registry

const jwks = new RemoteJwks('https://issuer.example/.well-known/jwks.json');
const { payload } = await verifyJwt(Deno.args[0], jwks, { issuer: 'https://issuer.example', audience: 'my-api' });
console.log(payload.sub);
