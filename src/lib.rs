//! jwks-verify: verify JWTs against JSON Web Key Sets.
//!
//! Module map (one job each):
//! - [`error`]: the one error type; `code()` gives the `ERR_*` string of API.md.
//! - [`quote`]: attacker-controlled text in messages: JSON-quoted, escaped, cut to 64 characters.
//! - [`encoding`]: strict base64url and duplicate-refusing JSON for untrusted input.
//! - [`token`]: splitting and decoding an untrusted compact JWS.
//! - [`alg`]: the table of algorithm facts.
//! - [`crypto`]: signature backends behind [`crypto::SignatureVerifier`].
//! - [`jwk`], [`jwks`], [`diagnostics`], [`x509`]: keys, sets, lints, x5c checks and the key-selection rule.
//! - [`options`], [`duration`], [`claims`]: `VerifyOptions` and registered-claim rules.
//! - [`verify`]: the pipeline that chains them.
//! - [`remote`]: the `RemoteJwks` cache policy (a pure state machine), `Cache-Control`, discovery.
//! - `bindings` (wasm only): the one module that knows JavaScript.
//!
//! The core never reads a clock: "now" is always a parameter.

pub mod alg;
pub mod assertion;
pub mod claims;
pub mod crypto;
pub mod diagnostics;
pub mod duration;
pub mod encoding;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod jwk;
pub mod json_view;
pub mod jwks;
pub mod options;
pub mod quote;
pub mod remote;
pub mod token;
pub mod verify;
pub mod webhook;
pub mod x509;

#[cfg(target_arch = "wasm32")]
mod bindings;

pub use alg::Alg;
pub use error::{ErrorCode, JoseError};
pub use jwk::ParseOptions;
pub use jwks::KeySet;
pub use options::VerifyOptions;
