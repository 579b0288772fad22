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

impl SignatureVerifier for RustCrypto {
    fn verify(&self, alg: Alg, key: &Jwk, message: &[u8], signature: &[u8]) -> Result<bool> {
        let Some(material) = &key.material else { return Ok(false) };
        if !super::shape_fits(alg, key, signature) {
            return Ok(false);
        }
        Ok(match (alg, material) {
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
