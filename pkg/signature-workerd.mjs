// `import 'jwks-verify/signature'` in workerd: the pure-Rust signature module, imported as a
// compiled module (workerd refuses to compile wasm from bytes) and instantiated now, so that
// verifyJwtSync and setBackend('rust') work. Without this import the worker uploads only the
// protocol module, and those calls throw ERR_FALLBACK_NOT_LOADED.

import signatureModule from './gen/jwks_verify_signature_bg.wasm';
import * as glue from './gen/jwks_verify_signature.js';
import { markSignatureLoaded } from './lib/signature.js';

glue.initSync({ module: signatureModule });
markSignatureLoaded(glue);
