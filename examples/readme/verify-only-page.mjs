import { ready, parseJwks, verifyJwt } from 'jwks-verify/verify-only/esbuild';

await ready({ sync: false }); // fetches the verify-only module alone: the one index.html preloads
const keys = parseJwks(await (await fetch('/.well-known/jwks.json')).json());
const token = sessionStorage.getItem('id_token') ?? '';

const { payload } = await verifyJwt(token, keys, { audience: 'my-api' });
document.body.textContent = payload.sub;
