//! The pure-Rust backend: jwt-compact's algorithms (plus our ES384/ES512) over RustCrypto keys.
//! Works everywhere, including `verifyJwtSync` outside Node, but is the slowest in wasm.

use super::ecdsa_p384_p521::{Es384, Es512};
use super::SignatureVerifier;
use crate::alg::Alg;
use crate::error::Result;
use crate::jwk::{Jwk, KeyMaterial};
use jwt_compact::alg::{Ed25519, Es256, Hs256, Hs256Key, Hs384, Hs384Key, Hs512, Hs512Key, Rsa};
use jwt_compact::{Algorithm, AlgorithmSignature};

#[derive(Debug, Default, Clone, Copy)]
pub struct RustCrypto;

fn check<A: Algorithm>(algorithm: &A, key: &A::VerifyingKey, message: &[u8], signature: &[u8]) -> bool {
    if let Some(len) = <A::Signature as AlgorithmSignature>::LENGTH {
        if signature.len() != len.get() {
            return false;
        }
    }
    match A::Signature::try_from_slice(signature) {
        Ok(signature) => algorithm.verify_signature(&signature, key, message),
        Err(_) => false,
    }
}

/// RFC 8017 §8.1.2 / §8.2.2: the signature is exactly k octets and, as an integer, below the
/// modulus. The `rsa` crate's PSS path does not check the second (signature + n verified).
fn rsa_signature_in_range(key: &rsa::RsaPublicKey, signature: &[u8]) -> bool {
    use rsa::traits::PublicKeyParts;
    signature.len() == key.size() && rsa::BigUint::from_bytes_be(signature) < *key.n()
}

/// RFC 7518 §3.2: an HMAC key must be at least as long as the hash output.
fn hmac_key_long_enough(alg: Alg, secret: &[u8]) -> bool {
    secret.len() >= alg.facts().hash.output_len()
}

impl SignatureVerifier for RustCrypto {
    fn verify(&self, alg: Alg, key: &Jwk, message: &[u8], signature: &[u8]) -> Result<bool> {
        let Some(material) = &key.material else { return Ok(false) };
        Ok(match (alg, material) {
            (Alg::HS256 | Alg::HS384 | Alg::HS512, KeyMaterial::Oct(secret)) if !hmac_key_long_enough(alg, secret) => false,
            (_, KeyMaterial::Rsa(k)) if !rsa_signature_in_range(k, signature) => false,
            (Alg::HS256, KeyMaterial::Oct(secret)) => check(&Hs256, &Hs256Key::new(secret), message, signature),
            (Alg::HS384, KeyMaterial::Oct(secret)) => check(&Hs384, &Hs384Key::new(secret), message, signature),
            (Alg::HS512, KeyMaterial::Oct(secret)) => check(&Hs512, &Hs512Key::new(secret), message, signature),
            (Alg::RS256, KeyMaterial::Rsa(k)) => check(&Rsa::rs256(), k, message, signature),
            (Alg::RS384, KeyMaterial::Rsa(k)) => check(&Rsa::rs384(), k, message, signature),
            (Alg::RS512, KeyMaterial::Rsa(k)) => check(&Rsa::rs512(), k, message, signature),
            (Alg::PS256, KeyMaterial::Rsa(k)) => check(&Rsa::ps256(), k, message, signature),
            (Alg::PS384, KeyMaterial::Rsa(k)) => check(&Rsa::ps384(), k, message, signature),
            (Alg::PS512, KeyMaterial::Rsa(k)) => check(&Rsa::ps512(), k, message, signature),
            (Alg::ES256, KeyMaterial::P256(k)) => check(&Es256, k, message, signature),
            (Alg::ES384, KeyMaterial::P384(k)) => check(&Es384, k, message, signature),
            (Alg::ES512, KeyMaterial::P521(k)) => check(&Es512, k, message, signature),
            (Alg::EdDSA | Alg::Ed25519, KeyMaterial::Ed25519(k)) => check(&Ed25519, k, message, signature),
            _ => false,
        })
    }
}
