import { RemoteJwks, verifyJwt } from 'jwks-verify';

// A key resolver picks a KeysInput for each token from its header and unverified payload; the
// signature and every claim are then checked as usual. Pin `issuer` when the choice depends on
// an unverified claim (TrustedIssuers does that by itself).
const tenants = new Map([['acme', new RemoteJwks('https://issuer.example/.well-known/jwks.json')]]);
const keys = async (header, payload) => tenants.get(payload.tenant) ?? { keys: [] };

const { payload } = await verifyJwt(process.argv[2], keys, { issuer: 'https://issuer.example', audience: 'my-api' });
console.log(payload.tenant, payload.sub);
