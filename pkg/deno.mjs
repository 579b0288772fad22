// Deno entry (`deno` export condition): the .wasm comes in through a source phase import,
// which Deno compiles while loading the module graph, so no --allow-read is needed and the
// module is instantiated synchronously at load; every function, sync ones included, works
// at once. Signatures use WebCrypto (async) or the Rust code (sync).

import source wasmModule from './gen/jwks_verify_bg.wasm';
import { initSync, __wbg_reset_state } from './gen/jwks_verify.js';
import { markInstantiated, registerReset } from './lib/runtime.js';
import { registerSignatureLoader } from './lib/signature.js';

initSync({ module: wasmModule });
markInstantiated();
registerReset(__wbg_reset_state);
// verifyJwtSync and setBackend('rust') need the signature module: `import 'jwks-verify/signature'`.
registerSignatureLoader(null, "in Deno, add `import 'jwks-verify/signature'` (it loads the module)");

export * from './lib/api.js';
