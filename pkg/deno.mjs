// Deno entry (`deno` export condition): the protocol module (slim-deno.mjs) and the pure-Rust
// signature module, both through source phase imports and instantiated at load, so every
// function works at once, verifyJwtSync included (API.md, "Loading"). `jwks-verify/slim` is
// the protocol module alone.

export * from './slim-deno.mjs';
import './signature-deno.mjs';
