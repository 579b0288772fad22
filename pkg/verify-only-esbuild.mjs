// `jwks-verify/verify-only/esbuild`: verify-only-web.mjs with the .wasm files imported, so that
// esbuild's `file` loader copies them into the output and rewrites their URLs:
// `esbuild app.mjs --bundle --format=esm --outdir=out --loader:.wasm=file`. No copy step.
// (Vite needs none of this: it handles verify-only-web.mjs's `new URL('./gen/…wasm',
// import.meta.url)` itself.)

import init, { __wbg_reset_state } from './gen/jwks_verify_verify_only.js';
import verifyOnlyWasm from './gen/jwks_verify_verify_only_bg.wasm';
import signatureWasm from './gen/jwks_verify_signature_bg.wasm';
import { registerInstantiate, registerReset } from './verify-only-core.mjs';
import { registerSignatureLoader } from './lib/signature.js';

registerInstantiate(() => init({ module_or_path: new URL(verifyOnlyWasm, import.meta.url) }));
registerReset(__wbg_reset_state);
registerSignatureLoader(async () => {
  const glue = await import('./gen/jwks_verify_signature.js');
  await glue.default({ module_or_path: new URL(signatureWasm, import.meta.url) });
  return glue;
});

export { JoseError, isJoseError, KeySet, parseJwks, verifyJwt, verifyJwtSync, createVerifier, Verifier, decodeJwt, ready } from './verify-only-core.mjs';
