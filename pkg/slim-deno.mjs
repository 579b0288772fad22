// `jwks-verify/slim` in Deno: the protocol module alone, through a source phase import (Deno
// compiles it while loading the module graph, so no --allow-read is needed), instantiated
// synchronously at load. Async functions and HS* verify with it alone; verifyJwtSync of
// RSA/ECDSA/EdDSA needs `import 'jwks-verify/signature'` (the default entry imports both).

import source wasmModule from './gen/jwks_verify_bg.wasm';
import { initSync, __wbg_reset_state } from './gen/jwks_verify.js';
import { markInstantiated, registerReset } from './lib/runtime.js';
import { registerSignatureLoader } from './lib/signature.js';

initSync({ module: wasmModule });
markInstantiated();
registerReset(__wbg_reset_state);
registerSignatureLoader(null, "in Deno, add `import 'jwks-verify/signature'` (it loads the module)");

export * from './lib/api.js';
