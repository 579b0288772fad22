// Deno entry (`deno` export condition): the .wasm comes in through a source phase import,
// which Deno compiles while loading the module graph, so no --allow-read is needed and the
// module is instantiated synchronously at load; every function, sync ones included, works
// at once. Signatures use WebCrypto (async) or the Rust code (sync).

import source wasmModule from './gen/jwks_verify_bg.wasm';
import { initSync } from './gen/jwks_verify.js';
import { markInstantiated } from './lib/runtime.js';

initSync({ module: wasmModule });
markInstantiated();

export * from './lib/api.js';
