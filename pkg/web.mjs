// Browser / bundler / Deno entry: the wasm file next to the glue is fetched and instantiated
// on first use. Async functions await it themselves; call `await ready()` once before a
// sync function.

import init from './gen/jwks_verify.js';
import { registerInstantiate } from './lib/runtime.js';

registerInstantiate(() => init({ module_or_path: new URL('./gen/jwks_verify_bg.wasm', import.meta.url) }));

export * from './lib/api.js';
