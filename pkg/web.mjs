// Browser / bundler / Deno entry: the wasm file next to the glue is fetched and instantiated
// on first use. Async functions await it themselves; call `await ready()` once before a
// sync function, `await ready({ sync: true })` before verifyJwtSync (it also fetches the
// pure-Rust signature module, which WebCrypto makes unnecessary otherwise).

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
