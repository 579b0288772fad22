// Node entry: the protocol module (Node's speed build, jwks_verify_node_bg.wasm, driven by the
// same glue as the size build every other entry loads) is instantiated synchronously at import,
// so every function, sync ones included, works at once; `ready()` resolves immediately. The
// pure-Rust signature module is instantiated synchronously too, on first need only
// (setBackend('rust'), a key node:crypto cannot import): node:crypto does the signatures.

import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { initSync, __wbg_reset_state } from './gen/jwks_verify.js';
import * as signatureGlue from './gen/jwks_verify_signature.js';
import { registerSyncSignatureLoader } from './lib/signature.js';
import { registerNodeCrypto } from './lib/backends.js';
import { markInstantiated, registerReset } from './lib/runtime.js';

initSync({ module: readFileSync(new URL('./gen/jwks_verify_node_bg.wasm', import.meta.url)) });
registerSyncSignatureLoader(() => {
  signatureGlue.initSync({ module: readFileSync(new URL('./gen/jwks_verify_signature_bg.wasm', import.meta.url)) });
  return signatureGlue;
});
markInstantiated();
registerReset(__wbg_reset_state);
registerNodeCrypto(nodeCrypto);

export * from './lib/api.js';
