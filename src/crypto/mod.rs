//! Signature backends behind one trait. Parsing, key selection and claims never look past it,
//! so a host backend (node:crypto, WebCrypto) can replace the pure-Rust one.

mod ecdsa_p384_p521;
pub mod rust;
mod shape;

use crate::alg::Alg;
use crate::error::Result;
use crate::jwk::Jwk;

pub trait SignatureVerifier {
    /// `Ok(true)` when `signature` is `key`'s valid signature of `signing_input` under `alg`;
    /// `Ok(false)` for any wrong signature. Callers pass only signatures that [`shape_fits`].
    /// `Err` only when the backend itself cannot run (never for bad input).
    fn verify(&self, alg: Alg, key: &Jwk, signing_input: &[u8], signature: &[u8]) -> Result<bool>;
}

pub use rust::RustCrypto;
pub use shape::shape_fits;
