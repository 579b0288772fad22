// `jwks-verify/verify-only` in Node (import): the same functions of the full Node entry (Node
// reads its wasm from disk and loads everything at import; a smaller module saves nothing there).

export { JoseError, isJoseError, KeySet, parseJwks, verifyJwt, verifyJwtSync, createVerifier, Verifier, decodeJwt, ready } from './node.bundle.mjs';
