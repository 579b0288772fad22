// `jwks-verify/verify-only` in workerd: the verify-only module, imported as a compiled module
// (workerd refuses to compile wasm from bytes) and instantiated at load. Async functions and
// HS* verify with it alone; verifyJwtSync of RSA/ECDSA/EdDSA needs
// `import 'jwks-verify/signature'` (as `jwks-verify/slim`).

import wasmModule from './gen/jwks_verify_verify_only_bg.wasm';
import { initSync, __wbg_reset_state } from './gen/jwks_verify_verify_only.js';
import { markInstantiated, registerReset } from './verify-only-core.mjs';
import { registerSignatureLoader } from './lib/signature.js';

initSync({ module: wasmModule });
markInstantiated();
registerReset(__wbg_reset_state);
registerSignatureLoader(null, "in workerd, add `import 'jwks-verify/signature'` to the worker (it uploads and instantiates the module)");

export { JoseError, isJoseError, KeySet, parseJwks, verifyJwt, verifyJwtSync, createVerifier, Verifier, decodeJwt, ready } from './verify-only-core.mjs';
