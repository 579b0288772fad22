//! What a signature must look like before any backend is asked (RFC 7518, RFC 8017): every
//! host gets only signatures that fit the key, so no backend accepts what another rejects.

use crate::alg::{Alg, Family};
use crate::jwk::{Jwk, KeyMaterial, RsaParts};

/// Whether `signature` has the shape `key` needs under `alg`: an HMAC secret at least as long
/// as the hash and a tag of the hash's length; an RSA signature of exactly k octets and, as an
/// integer, below the modulus (the `rsa` crate's PSS path accepted s + n); ECDSA `r || s` and
/// EdDSA signatures of their fixed length.
pub fn shape_fits(alg: Alg, key: &Jwk, signature: &[u8]) -> bool {
    material_fits(alg, key.material.as_ref(), signature)
}

/// [`shape_fits`] for bare key material (the signature module gets no `Jwk`).
pub fn material_fits(alg: Alg, material: Option<&KeyMaterial>, signature: &[u8]) -> bool {
    let facts = alg.facts();
    match (material, facts.family) {
        (Some(KeyMaterial::Oct(secret)), Family::Hmac) => secret.len() >= facts.hash.output_len() && signature.len() == facts.hash.output_len(),
        (Some(KeyMaterial::Rsa(rsa_key)), Family::RsaPkcs1 | Family::RsaPss) => rsa_in_range(rsa_key, signature),
        (Some(_), Family::Ecdsa | Family::EdDsa) => facts.signature_len == Some(signature.len()),
        _ => false,
    }
}

/// Both are k octets big-endian (the modulus has no leading zero), so octet order is numeric order.
fn rsa_in_range(key: &RsaParts, signature: &[u8]) -> bool {
    signature.len() == key.size() && signature < key.n.as_slice()
}
