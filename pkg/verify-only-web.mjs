// `jwks-verify/verify-only` for browsers and bundlers: the verify-only module (parseJwks,
// verifyJwt, verifyJwtSync, createVerifier, decodeJwt; no profiles, RemoteJwks or explain*),
// fetched next to the glue and instantiated on first use; async functions verify with
// WebCrypto. As web.mjs: `await ready()` also fetches the pure-Rust signature module, which
// verifyJwtSync of RSA/ECDSA/EdDSA needs; `ready({ sync: false })` fetches this module alone.

import init, { __wbg_reset_state } from './gen/jwks_verify_verify_only.js';
import { registerInstantiate, registerReset } from './verify-only-core.mjs';
import { registerSignatureLoader } from './lib/signature.js';

registerInstantiate(() => init({ module_or_path: new URL('./gen/jwks_verify_verify_only_bg.wasm', import.meta.url) }));
registerReset(__wbg_reset_state);
registerSignatureLoader(async () => {
  const glue = await import('./gen/jwks_verify_signature.js');
  await glue.default({ module_or_path: new URL('./gen/jwks_verify_signature_bg.wasm', import.meta.url) });
  return glue;
});

export { JoseError, isJoseError, KeySet, parseJwks, verifyJwt, verifyJwtSync, createVerifier, Verifier, decodeJwt, ready } from './verify-only-core.mjs';
