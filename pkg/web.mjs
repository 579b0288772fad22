// Browser / bundler / Deno entry: the wasm file next to the glue is fetched and instantiated
// on first use. Async functions await it themselves; call `await ready()` once before a
// sync function.

import init, { __wbg_reset_state } from './gen/jwks_verify.js';
import { registerInstantiate, registerReset } from './lib/runtime.js';

registerInstantiate(() => init({ module_or_path: new URL('./gen/jwks_verify_bg.wasm', import.meta.url) }));
registerReset(__wbg_reset_state);

export * from './lib/api.js';
