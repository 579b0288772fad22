// The API of `jwks-verify/verify-only`: what verifying tokens needs (parseJwks, verifyJwt,
// verifyJwtSync, createVerifier, decodeJwt), and the loader hooks its entries call. make build
// bundles it into verify-only-core.mjs with every import of the protocol module's glue pointed
// at the verify-only module's (scripts/verify-only-bundle.mjs), so that this file's closure of
// lib/ runs on the smaller module; signature.js stays shared with `jwks-verify/signature`.

export { JoseError, isJoseError } from './errors.js';
export { KeySet, parseJwks } from './keys.js';
export { verifyJwt, verifyJwtSync, createVerifier, Verifier, decodeJwt } from './verify.js';
export { ready, registerInstantiate, markInstantiated, registerReset } from './runtime.js';
