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

/// An HMAC key whose padded blocks (RFC 2104's K xor ipad, K xor opad) are hashed once, for
/// the hash it was first used with: a check clones it rather than hashing them again (two of
/// the ~8 SHA-256 blocks of a typical token). Not in the size builds (`compact-sha2`), where
/// it costs ~900 gzipped bytes and HMAC is not the hot path.
#[cfg(not(feature = "compact-sha2"))]
#[derive(Clone)]
pub enum KeyedHmac {
    Sha256(Hmac<Sha256>),
    Sha384(Hmac<Sha384>),
    Sha512(Hmac<Sha512>),
}

#[cfg(not(feature = "compact-sha2"))]
impl std::fmt::Debug for KeyedHmac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyedHmac")
    }
}

#[cfg(not(feature = "compact-sha2"))]
impl KeyedHmac {
    fn new(hash: Hash, secret: &[u8]) -> Option<KeyedHmac> {
        Some(match hash {
            Hash::Sha256 => KeyedHmac::Sha256(<Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret).ok()?),
            Hash::Sha384 => KeyedHmac::Sha384(<Hmac<Sha384> as hmac::digest::KeyInit>::new_from_slice(secret).ok()?),
            Hash::Sha512 => KeyedHmac::Sha512(<Hmac<Sha512> as hmac::digest::KeyInit>::new_from_slice(secret).ok()?),
        })
    }

    fn verifies(&self, hash: Hash, message: &[u8], tag: &[u8]) -> Option<bool> {
        fn check<M: Mac + Clone>(mac: &M, message: &[u8], tag: &[u8]) -> bool {
            let mut mac = mac.clone();
            mac.update(message);
            mac.verify_slice(tag).is_ok()
        }
        match (self, hash) {
            (KeyedHmac::Sha256(mac), Hash::Sha256) => Some(check(mac, message, tag)),
            (KeyedHmac::Sha384(mac), Hash::Sha384) => Some(check(mac, message, tag)),
            (KeyedHmac::Sha512(mac), Hash::Sha512) => Some(check(mac, message, tag)),
            _ => None,
        }
    }
}

/// Whether `tag` is the HMAC of `message` under `key`'s secret, with the key's hashed padded
/// blocks kept on the key (see [`KeyedHmac`]).
#[cfg(not(feature = "compact-sha2"))]
fn key_verifies(key: &Jwk, hash: Hash, message: &[u8], tag: &[u8]) -> bool {
    let Some(KeyMaterial::Oct(secret)) = &key.material else { return false };
    let keyed = key.keyed_hmac.get_or_init(|| KeyedHmac::new(hash, secret));
    match keyed.as_ref().and_then(|keyed| keyed.verifies(hash, message, tag)) {
        Some(verified) => verified,
        None => hmac_verifies(hash, secret, message, tag),
    }
}

#[cfg(feature = "compact-sha2")]
fn key_verifies(key: &Jwk, hash: Hash, message: &[u8], tag: &[u8]) -> bool {
    matches!(&key.material, Some(KeyMaterial::Oct(secret)) if hmac_verifies(hash, secret, message, tag))
}

/// The protocol build's [`super::Builtin`]: HMAC here, every other algorithm is the signature
/// module's (an error, so nothing verifies by default).
#[derive(Debug, Default, Clone, Copy)]
pub struct HmacOnly;

impl SignatureVerifier for HmacOnly {
    fn verify(&self, alg: Alg, key: &Jwk, message: &[u8], signature: &[u8]) -> Result<bool> {
        let facts = alg.facts();
        match (&key.material, facts.family) {
            (Some(KeyMaterial::Oct(_)), Family::Hmac) => Ok(super::shape_fits(alg, key, signature) && key_verifies(key, facts.hash, message, signature)),
            (_, Family::Hmac) => Ok(false),
            _ => Err(JoseError::not_supported(format!("{} needs the pure-Rust signature module, which this build does not contain", facts.name))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::b64url_encode;
    use crate::jwk::{parse_jwk, ParseOptions};

    fn tag(hash: Hash, secret: &[u8], message: &[u8]) -> Vec<u8> {
        fn mac<M: Mac + hmac::digest::KeyInit>(secret: &[u8], message: &[u8]) -> Vec<u8> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret).unwrap();
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        match hash {
            Hash::Sha256 => mac::<Hmac<Sha256>>(secret, message),
            Hash::Sha384 => mac::<Hmac<Sha384>>(secret, message),
            Hash::Sha512 => mac::<Hmac<Sha512>>(secret, message),
        }
    }

    #[test]
    fn a_key_checked_with_any_hash_in_any_order_agrees_with_a_fresh_hmac() {
        let mut below = crate::test_rng::below(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: usize| below(n as u64) as usize;
        let hashes = [Hash::Sha256, Hash::Sha384, Hash::Sha512];
        let (mut accepted, mut refused) = (0, 0);
        for _ in 0..300 {
            // Secrets shorter and longer than every block size (64 and 128 octets).
            let secret: Vec<u8> = (0..1 + next(200)).map(|_| next(256) as u8).collect();
            let value = serde_json::json!({ "kty": "oct", "k": b64url_encode(&secret) });
            let key = parse_jwk(0, &value, ParseOptions { allow_private: true, allow_weak_keys: false }, &mut Vec::new());
            for _ in 0..8 {
                let hash = hashes[next(3)];
                let message: Vec<u8> = (0..next(400)).map(|_| next(256) as u8).collect();
                let mut candidate = tag(hash, &secret, &message);
                let genuine = next(2) == 0;
                if !genuine {
                    let at = next(candidate.len());
                    candidate[at] ^= 1 << next(8);
                }
                assert_eq!(key_verifies(&key, hash, &message, &candidate), genuine);
                assert_eq!(hmac_verifies(hash, &secret, &message, &candidate), genuine);
                if genuine { accepted += 1 } else { refused += 1 }
            }
        }
        assert!(accepted > 500 && refused > 500);
    }
}
