// Node entry: both wasm modules (the protocol and the pure-Rust signature module) are
// instantiated synchronously at import, so every function, sync ones included, works at
// once; `ready()` resolves immediately.

import * as nodeCrypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { initSync, __wbg_reset_state } from './gen/jwks_verify.js';
import * as signatureGlue from './gen/jwks_verify_signature.js';
import { markSignatureLoaded } from './lib/signature.js';
import { registerNodeCrypto } from './lib/backends.js';
import { markInstantiated, registerReset } from './lib/runtime.js';

initSync({ module: readFileSync(new URL('./gen/jwks_verify_bg.wasm', import.meta.url)) });
signatureGlue.initSync({ module: readFileSync(new URL('./gen/jwks_verify_signature_bg.wasm', import.meta.url)) });
markSignatureLoaded(signatureGlue);
markInstantiated();
registerReset(__wbg_reset_state);
registerNodeCrypto(nodeCrypto);

export * from './lib/api.js';
