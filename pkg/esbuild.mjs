// esbuild entry (`jwks-verify/esbuild`): the same API as the browser entry, with the .wasm
// files imported, so that esbuild's `file` loader copies them into the output and rewrites
// their URLs: `esbuild app.mjs --bundle --format=esm --outdir=out --loader:.wasm=file`.
// No copy step. (Vite needs none of this: it handles the default entry's
// `new URL('./gen/…wasm', import.meta.url)` itself.)

import init, { __wbg_reset_state } from './gen/jwks_verify.js';
import protocolWasm from './gen/jwks_verify_bg.wasm';
import signatureWasm from './gen/jwks_verify_signature_bg.wasm';
import { registerInstantiate, registerReset } from './lib/runtime.js';
import { registerSignatureLoader } from './lib/signature.js';

registerInstantiate(() => init({ module_or_path: new URL(protocolWasm, import.meta.url) }));
registerReset(__wbg_reset_state);
registerSignatureLoader(async () => {
  const glue = await import('./gen/jwks_verify_signature.js');
  await glue.default({ module_or_path: new URL(signatureWasm, import.meta.url) });
  return glue;
});

export * from './lib/api.js';
