import { discoverJwks, verifyJwt } from 'jwks-verify';

// OIDC / RFC 8414 discovery: reads the issuer's metadata, checks its "issuer", follows jwks_uri.
const jwks = await discoverJwks('https://issuer.example', { cooldownMs: 30_000 });
await verifyJwt(process.argv[2], jwks, { issuer: 'https://issuer.example' });
console.log(jwks.url, jwks.stats()); // { fetches, lastFetchAt, lastError, kids }
