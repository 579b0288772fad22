// `import 'jwks-verify/signature'` in Deno: the pure-Rust signature module through a source
// phase import (compiled while the module graph loads, no --allow-read) and instantiated now,
// so that verifyJwtSync and setBackend('rust') work.

import source signatureModule from './gen/jwks_verify_signature_bg.wasm';
import * as glue from './gen/jwks_verify_signature.js';
import { markSignatureLoaded } from './lib/signature.js';

glue.initSync({ module: signatureModule });
markSignatureLoaded(glue);
