// The size build (nightly, -Cpanic=immediate-abort): a trap mid-call, then the runtime's reset
// (__wbg_reset_state), then the module works again; an object of the old instance is refused.
import { readFileSync } from 'node:fs';
import * as gen from '../../pkg/gen/jwks_verify.js';
gen.initSync({ module: readFileSync(new URL('../../pkg/gen/jwks_verify_bg.wasm', import.meta.url)) });
const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln';
const set = gen.WasmKeySet.parse(new TextEncoder().encode('{"keys":[{"kty":"oct","k":"AAAA"}]}'), undefined);
let trapped;
try { gen.__trapForTests(); } catch (err) { trapped = err; }
console.log('trap:', trapped?.constructor.name, trapped?.message);
// A panic path: a token over the length bound is an error, not a trap; then the reset.
gen.__wbg_reset_state();
console.log('after reset decodeJwt:', JSON.parse(gen.decodeJwt(token)).payload.sub);
try { set.describe(); console.log('old object: still works (BAD)'); } catch (err) { console.log('old object:', err.message); }
