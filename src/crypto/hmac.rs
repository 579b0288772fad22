//! HS256/HS384/HS512 (RFC 7518 §3.2): part of every build, since no host call beats it.

use super::SignatureVerifier;
use crate::alg::{Alg, Family, Hash};
use crate::error::{JoseError, Result};
use crate::jwk::{Jwk, KeyMaterial};
use hmac::{Hmac, Mac};
use sha2::{Sha256, Sha384, Sha512};

/// Whether `tag` is the HMAC of `message` under `secret` with `hash` (constant-time compare).
pub fn hmac_verifies(hash: Hash, secret: &[u8], message: &[u8], tag: &[u8]) -> bool {
    fn check<M: Mac + hmac::digest::KeyInit>(secret: &[u8], message: &[u8], tag: &[u8]) -> bool {
        match <M as hmac::digest::KeyInit>::new_from_slice(secret) {
            Ok(mut mac) => {
                mac.update(message);
                mac.verify_slice(tag).is_ok()
            }
            Err(_) => false,
        }
    }
    match hash {
        Hash::Sha256 => check::<Hmac<Sha256>>(secret, message, tag),
        Hash::Sha384 => check::<Hmac<Sha384>>(secret, message, tag),
        Hash::Sha512 => check::<Hmac<Sha512>>(secret, message, tag),
    }
}

/// The protocol build's [`super::Builtin`]: HMAC here, every other algorithm is the signature
/// module's (an error, so nothing verifies by default).
#[derive(Debug, Default, Clone, Copy)]
pub struct HmacOnly;

impl SignatureVerifier for HmacOnly {
    fn verify(&self, alg: Alg, key: &Jwk, message: &[u8], signature: &[u8]) -> Result<bool> {
        let facts = alg.facts();
        match (&key.material, facts.family) {
            (Some(KeyMaterial::Oct(secret)), Family::Hmac) => Ok(super::shape_fits(alg, key, signature) && hmac_verifies(facts.hash, secret, message, signature)),
            (_, Family::Hmac) => Ok(false),
            _ => Err(JoseError::not_supported(format!("{} needs the pure-Rust signature module, which this build does not contain", facts.name))),
        }
    }
}
