// jwks-verify/esbuild: the same API as the main entry (see esbuild.mjs).
export * from './index.js';
