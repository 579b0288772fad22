//! RFC 8017 §8.2.2 step 2: an RSA signature is an integer below the modulus. `s + n` is the
//! same value modulo n, so a backend that skips the range check accepts it (the `rsa` crate's
//! PSS path did). Wycheproof tcId 1 of the PS256 file is valid, and its s + n still fits in
//! 256 bytes, which makes it a true out-of-range signature rather than a wrong-length one.

mod common;

use common::vectors::WP_PSS_2048_SHA256;
use common::*;
use jwks_verify::crypto::{RustCrypto, SignatureVerifier};
use jwks_verify::Alg;
use rsa::BigUint;

#[test]
fn rsa_signature_at_or_above_the_modulus_is_rejected() {
    let file = json(WP_PSS_2048_SHA256);
    let group = &file["testGroups"][0];
    let test = group["tests"].as_array().unwrap().iter().find(|t| t["tcId"] == 1).expect("tcId 1");
    assert_eq!(test["result"], "valid");
    let keys = keyset(&group["publicKeyJwk"], false);
    let key = &keys.keys[0];
    let msg = hex(s(test, "msg"));
    let sig = hex(s(test, "sig"));
    assert!(RustCrypto.verify(Alg::PS256, key, &msg, &sig).unwrap(), "the original signature verifies");

    let n = BigUint::parse_bytes(s(&group["publicKey"], "modulus").as_bytes(), 16).unwrap();
    let lifted = (BigUint::from_bytes_be(&sig) + &n).to_bytes_be();
    assert_eq!(lifted.len(), sig.len(), "s + n must still be k octets for this test to mean anything");
    assert!(!RustCrypto.verify(Alg::PS256, key, &msg, &lifted).unwrap(), "s + n is out of range");
    let modulus = n.to_bytes_be();
    assert!(!RustCrypto.verify(Alg::PS256, key, &msg, &modulus).unwrap(), "s = n is out of range");
}
