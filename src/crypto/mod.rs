//! Signature backends behind one trait. Parsing, key selection and claims never look past it,
//! so a host backend (node:crypto, WebCrypto) can replace the pure-Rust one.
//!
//! HMAC is part of the protocol build; the RSA/ECDSA/EdDSA arithmetic is behind the
//! `rust-crypto` feature (the signature module browsers and edge workers load only on demand).
//! Without it, [`Builtin`] checks HMAC and reports every other algorithm as unavailable.

pub mod field;
mod hmac;
pub mod params;
mod shape;

#[cfg(feature = "rust-crypto")]
mod ecdsa_p384_p521;
#[cfg(feature = "rust-crypto")]
pub mod rust;

use crate::alg::Alg;
use crate::error::Result;
use crate::jwk::Jwk;

pub trait SignatureVerifier {
    /// `Ok(true)` when `signature` is `key`'s valid signature of `signing_input` under `alg`;
    /// `Ok(false)` for any wrong signature. Callers pass only signatures that [`shape_fits`].
    /// `Err` only when the backend itself cannot run (never for bad input).
    fn verify(&self, alg: Alg, key: &Jwk, signing_input: &[u8], signature: &[u8]) -> Result<bool>;
}

#[cfg(feature = "rust-crypto")]
pub use rust::RustCrypto;
pub use shape::{material_fits, shape_fits};

/// The signature code built into this module: all of it with `rust-crypto`, HMAC only without.
#[cfg(feature = "rust-crypto")]
pub type Builtin = RustCrypto;
#[cfg(not(feature = "rust-crypto"))]
pub type Builtin = hmac::HmacOnly;

pub use self::hmac::{hmac_verifies, HmacOnly};
#[cfg(not(feature = "compact-sha2"))]
pub use self::hmac::KeyedHmac;
