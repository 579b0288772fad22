// `jwks-verify/slim`: the same API as the package's main entry (its protocol module alone in
// workerd and Deno). For TypeScript's node10 resolution, which does not read `exports`.
export * from './index.js';
