// jwks-verify/edge: a JwksStore on the Cache API (Cloudflare Workers, Deno, browsers), so
// that short-lived isolates share the fetched JWKS. Plain JavaScript, no wasm.
export { CacheApiJwksStore } from './lib/edge.js';
