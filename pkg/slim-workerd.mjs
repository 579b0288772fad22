// `jwks-verify/slim` in workerd: the protocol module alone. workerd refuses to compile
// WebAssembly from bytes at run time, so the .wasm is imported as a module (wrangler and other
// workerd bundlers turn this import into a compiled Wasm module) and instantiated
// synchronously at load. Async functions and HS* verify with it alone; verifyJwtSync of
// RSA/ECDSA/EdDSA needs `import 'jwks-verify/signature'` (the default entry imports both).

import wasmModule from './gen/jwks_verify_bg.wasm';
import { initSync, __wbg_reset_state } from './gen/jwks_verify.js';
import { markInstantiated, registerReset } from './lib/runtime.js';
import { registerSignatureLoader } from './lib/signature.js';

initSync({ module: wasmModule });
markInstantiated();
registerReset(__wbg_reset_state);
registerSignatureLoader(null, "in workerd, add `import 'jwks-verify/signature'` to the worker (it uploads and instantiates the module)");

export * from './lib/api.js';
