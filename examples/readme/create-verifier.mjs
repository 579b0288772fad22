import { createVerifier } from 'jwks-verify';
const verifier = createVerifier({ keys: [] }, { issuer: 'https://issuer.example', audience: 'my-api' });
await verifier.verify('a.b.c').catch((err) => console.log(err.code)); // ERR_JWS_INVALID
