import { ready, verifyJwt, verifyJwtSync } from 'jwks-verify';

await ready(); // before a sync function; also fetches the signature module (verifyJwtSync)
const token = sessionStorage.getItem('id_token') ?? '';
const jwks = await (await fetch('/.well-known/jwks.json')).json();

const { payload } = await verifyJwt(token, jwks, { audience: 'my-api' });
const again = verifyJwtSync(token, jwks, { audience: 'my-api' }); // same verdict, no await
document.body.textContent = `${payload.sub} ${again.payload.sub === payload.sub}`;
