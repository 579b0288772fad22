// Both modules in one process (a page that loads the main entry and jwks-verify/verify-only):
// a KeySet, RemoteJwks or resolver result of the main entry handed to the verify-only verifyJwt.
import { readFileSync } from 'node:fs';
import * as jose from 'jose';
import { initSync, __wbg_reset_state } from '../../pkg/gen/jwks_verify_verify_only.js';
import * as vo from '../../pkg/verify-only-core.mjs';
import * as main from '../../pkg/node.mjs';
initSync({ module: readFileSync(new URL('../../pkg/gen/jwks_verify_verify_only_bg.wasm', import.meta.url)) });
vo.markInstantiated();
vo.registerReset(__wbg_reset_state);
const secret = new TextEncoder().encode('k'.repeat(32));
const jwk = { kty: 'oct', k: Buffer.from(secret).toString('base64url'), kid: 'h', alg: 'HS256' };
const token = await new jose.SignJWT({ sub: 'a' }).setProtectedHeader({ alg: 'HS256', kid: 'h' }).sign(secret);
const outcome = (p) => Promise.resolve().then(p).then((r) => `ok ${r.payload.sub}`, (e) => `${e.code ?? e.name}: ${e.message.slice(0, 90)}`);
console.log('verify-only, own keys     ', await outcome(() => vo.verifyJwt(token, { keys: [jwk] }, { algorithms: ['HS256'] })));
const mainSet = main.parseJwks({ keys: [jwk] }, { allowPrivate: true });
console.log('verify-only, main KeySet  ', await outcome(() => vo.verifyJwt(token, mainSet, { algorithms: ['HS256'] })));
console.log('verify-only, main set sync', await outcome(() => vo.verifyJwtSync(token, mainSet, { algorithms: ['HS256'] })));
const remote = new main.RemoteJwks('https://x.example/jwks', { fetch: async () => new Response(JSON.stringify({ keys: [jwk] })) });
console.log('verify-only, main Remote  ', await outcome(() => vo.verifyJwt(token, remote, { algorithms: ['HS256'] })));
const voSet = vo.parseJwks({ keys: [jwk] }, { allowPrivate: true });
console.log('main, verify-only KeySet  ', await outcome(() => main.verifyJwt(token, voSet, { algorithms: ['HS256'] })));
