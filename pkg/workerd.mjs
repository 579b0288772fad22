// Cloudflare workerd entry (`workerd` / `worker` export conditions): the protocol module
// (slim-workerd.mjs) and the pure-Rust signature module, both imported as compiled Wasm
// modules and instantiated at load, so every function works at once, verifyJwtSync
// included (API.md, "Loading"). `jwks-verify/slim` is the protocol module alone.

export * from './slim-workerd.mjs';
import './signature-workerd.mjs';
