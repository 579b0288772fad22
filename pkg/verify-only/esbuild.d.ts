// jwks-verify/verify-only/esbuild for TypeScript's node10 resolution (which does not read
// `exports`): the types of jwks-verify/verify-only.
export * from '../verify-only.js';
