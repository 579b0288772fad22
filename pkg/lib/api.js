// The public API of API.md, the same for every runtime entry.

export { JoseError } from './errors.js';
export { KeySet, parseJwks } from './keys.js';
export { verifyJwt, verifyJwtSync, decodeJwt } from './verify.js';
export { ready } from './runtime.js';
