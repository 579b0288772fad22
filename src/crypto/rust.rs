//! The pure-Rust backend (feature `rust-crypto`): jwt-compact's algorithms (plus our
//! ES384/ES512) over RustCrypto keys built from the checked key material. Works everywhere,
//! including `verifyJwtSync` outside Node, but is the slowest in wasm.

use super::ecdsa_p384_p521::{Es384, Es512};
use super::SignatureVerifier;
use crate::alg::{Alg, Family, MAX_RSA_BITS};
use crate::error::Result;
use crate::jwk::{EcPoint, Jwk, KeyMaterial};
use jwt_compact::alg::{Ed25519, Es256, Rsa};
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

fn sec1(point: &EcPoint) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + point.x.len() + point.y.len());
    out.push(0x04);
    out.extend_from_slice(&point.x);
    out.extend_from_slice(&point.y);
    out
}

impl SignatureVerifier for RustCrypto {
    fn verify(&self, alg: Alg, key: &Jwk, message: &[u8], signature: &[u8]) -> Result<bool> {
        if alg.facts().family == Family::Hmac {
            return super::HmacOnly.verify(alg, key, message, signature);
        }
        Ok(key.material.as_ref().is_some_and(|material| verify_material(alg, material, message, signature)))
    }
}

/// The check for bare key material (what the signature module gets from the protocol module).
pub fn verify_material(alg: Alg, material: &KeyMaterial, message: &[u8], signature: &[u8]) -> bool {
    if !super::material_fits(alg, Some(material), signature) {
        return false;
    }
    let rsa_key = |k: &crate::jwk::RsaParts| rsa::RsaPublicKey::new_with_max_size(rsa::BigUint::from_bytes_be(&k.n), rsa::BigUint::from_bytes_be(&k.e), MAX_RSA_BITS).ok();
    match (alg, material) {
        (Alg::HS256 | Alg::HS384 | Alg::HS512, KeyMaterial::Oct(secret)) => super::hmac_verifies(alg.facts().hash, secret, message, signature),
        (Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512, KeyMaterial::Rsa(k)) => {
            let Some(key) = rsa_key(k) else { return false };
            let algorithm = match alg {
                Alg::RS256 => Rsa::rs256(),
                Alg::RS384 => Rsa::rs384(),
                Alg::RS512 => Rsa::rs512(),
                Alg::PS256 => Rsa::ps256(),
                Alg::PS384 => Rsa::ps384(),
                _ => Rsa::ps512(),
            };
            check(&algorithm, &key, message, signature)
        }
        (Alg::ES256, KeyMaterial::P256(p)) => p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1(p)).is_ok_and(|k| check(&Es256, &k, message, signature)),
        (Alg::ES384, KeyMaterial::P384(p)) => p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1(p)).is_ok_and(|k| check(&Es384, &k, message, signature)),
        (Alg::ES512, KeyMaterial::P521(p)) => p521::ecdsa::VerifyingKey::from_sec1_bytes(&sec1(p)).is_ok_and(|k| check(&Es512, &k, message, signature)),
        (Alg::EdDSA | Alg::Ed25519, KeyMaterial::Ed25519(x)) => ed25519_dalek::VerifyingKey::from_bytes(x).is_ok_and(|k| check(&Ed25519, &k, message, signature)),
        _ => false,
    }
}
