//! jwks-verify: verify JWTs against JSON Web Key Sets.
//!
//! Module map (one job each):
//! - [`error`]: the one error type; `code()` gives the `ERR_*` string of API.md.
//! - [`encoding`]: strict base64url and duplicate-refusing JSON for untrusted input.
//! - [`token`]: splitting and decoding an untrusted compact JWS.
//! - [`alg`]: the table of algorithm facts.
//! - [`crypto`]: signature backends behind [`crypto::SignatureVerifier`]; the pure-Rust
//!   RSA/ECDSA/EdDSA code only with the `rust-crypto` feature (the signature module).
//! - [`jwk`], [`jwks`], [`diagnostics`], [`x509`]: keys, sets, lints, x5c checks and the key-selection rule
//!   ([`der`]: the certificate read down to its public key).
//! - [`options`]: every options struct, read strictly from the caller's value
//!   ([`options::value`]: undefined vs null, unknown names, the nearest known name).
//! - [`duration`], [`claims`]: durations ("30s"), registered-claim rules.
//! - [`quote`]: untrusted text made safe for messages.
//! - [`json_parse`]: JSON text for the serde visitors, read as serde_json reads it ([`decimal`]: numbers).
//! - [`verify`]: THE pipeline every profile runs (shape checks before any host).
//! - [`assertion`], [`webhook`], [`access_token`]: profiles on top of it; [`replay`]: what they ask a store.
//! - [`resource`]: `authenticateRequest`'s decisions (Authorization parsing, RFC 6750 results, challenges).
//! - [`dpop`]: RFC 9449 DPoP proofs, a profile whose key is the proof's own `jwk`;
//!   [`http_uri`]: the `htu` comparison (RFC 3986 normalisation).
//! - [`explain`]: the same rules, each reported (`explainSelection`, `explainClaims`, `explainAssertion`).
//! - [`remote`]: the `RemoteJwks` cache policy (a pure state machine), `Cache-Control`, discovery.
//! - [`trusted`]: `TrustedIssuers`: which `iss` may pick keys, the issuer a key set binds, the
//!   bounded set of issuers held.
//! - `bindings` (wasm only): the one module that knows JavaScript.
//! - `test_rng` (unit tests only): the deterministic generator the unit tests share.
//!
//! The core never reads a clock: "now" is always a parameter.

pub mod access_token;
pub mod alg;
pub mod assertion;
pub mod claims;
pub mod crypto;
pub mod der;
pub mod diagnostics;
pub mod dpop;
pub mod decimal;
pub mod duration;
pub mod encoding;
pub mod error;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
pub mod http_uri;
pub mod jwk;
pub mod json_parse;
pub mod json_view;
pub mod jwks;
pub mod options;
pub mod quote;
pub mod remote;
pub mod replay;
#[cfg(test)]
mod test_rng;
pub mod resource;
pub mod token;
pub mod trusted;
pub mod verify;
pub mod webhook;
pub mod x509;

#[cfg(all(target_arch = "wasm32", not(feature = "signature-module")))]
#[doc(hidden)]
pub mod bindings;

// The signature module's one export (the wasm built with `--features signature-module`).
#[cfg(all(target_arch = "wasm32", feature = "signature-module"))]
#[doc(hidden)]
#[path = "bindings/signature.rs"]
pub mod signature_bindings;

pub use alg::Alg;
pub use error::{ErrorCode, JoseError};
pub use jwk::ParseOptions;
pub use jwks::KeySet;
pub use options::VerifyOptions;
