// Browser / bundler entry: the protocol module next to the glue is fetched and instantiated on
// first use; async functions await it themselves and verify with WebCrypto. `await ready()`
// (API.md: once before a sync function) also fetches the pure-Rust signature module, which
// verifyJwtSync of RSA/ECDSA/EdDSA needs; `ready({ sync: false })` fetches the protocol
// module alone.

import init, { __wbg_reset_state } from './gen/jwks_verify.js';
import { registerInstantiate, registerReset } from './lib/runtime.js';
import { registerSignatureLoader } from './lib/signature.js';

registerInstantiate(() => init({ module_or_path: new URL('./gen/jwks_verify_bg.wasm', import.meta.url) }));
registerReset(__wbg_reset_state);
registerSignatureLoader(async () => {
  const glue = await import('./gen/jwks_verify_signature.js');
  await glue.default({ module_or_path: new URL('./gen/jwks_verify_signature_bg.wasm', import.meta.url) });
  return glue;
});

export * from './lib/api.js';
