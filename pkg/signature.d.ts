/**
 * `import 'jwks-verify/signature'`: loads the pure-Rust signature module (RSA, ECDSA, EdDSA)
 * at import in workerd and Deno, where `verifyJwtSync` and `setBackend('rust')` need it.
 * Elsewhere it does nothing: Node and the default workerd and Deno entries load it at import, browsers on `await ready()`.
 */
export {};
