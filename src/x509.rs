//! The X.509 members of a JWK (RFC 7517 §4.7–4.9): `x5c` must carry, first, a certificate
//! whose public key is the JWK's own; `x5t` / `x5t#S256` must be that certificate's SHA-1 /
//! SHA-256 thumbprint. Certificates are read down to their public key ([`crate::der`]); chains
//! are not validated.

use crate::encoding::{b64_standard_decode, b64url_decode};
use serde_json::{Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use crate::der::{self, Spki};


// The contents octets of the OBJECT IDENTIFIERs compared here.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]; // 1.2.840.113549.1.1.1
const RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a]; // 1.2.840.113549.1.1.10
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]; // 1.2.840.10045.2.1
const SECP256R1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]; // 1.2.840.10045.3.1.7
const SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22]; // 1.3.132.0.34
const SECP521R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23]; // 1.3.132.0.35
const ED25519: &[u8] = &[0x2b, 0x65, 0x70]; // 1.3.101.112

/// A problem with the X.509 members of one JWK. Every finding makes the key unusable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X509Finding {
    /// `invalid_key` (a member breaks RFC 7517 syntax), `x5c_mismatch` or `x5t_mismatch`.
    pub code: &'static str,
    pub message: String,
}

fn finding(code: &'static str, message: String) -> X509Finding {
    X509Finding { code, message }
}

/// A public key in a form both a certificate and a JWK reduce to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PublicKey {
    Rsa { n: Vec<u8>, e: Vec<u8> },
    Ec { crv: &'static str, point: Vec<u8> },
    Ed25519(Vec<u8>),
    /// A key this crate does not compare; holds a description for the message.
    Other(String),
}

impl PublicKey {
    fn describe(&self) -> String {
        match self {
            PublicKey::Rsa { n, .. } => format!("an RSA key ({} bits)", big_endian_bits(n)),
            PublicKey::Ec { crv, .. } => format!("an EC {crv} key"),
            PublicKey::Ed25519(_) => "an Ed25519 key".to_owned(),
            PublicKey::Other(what) => what.clone(),
        }
    }
}

fn big_endian_bits(bytes: &[u8]) -> usize {
    let bytes = strip_leading_zeros(bytes);
    bytes.first().map_or(0, |b| bytes.len() * 8 - b.leading_zeros() as usize)
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Checks `x5c`, `x5t` and `x5t#S256` of one JWK. `who` names the key in messages.
pub fn check_x509_members(jwk: &Map<String, Value>, who: &str) -> Vec<X509Finding> {
    let mut findings = Vec::new();
    let x5t = digest_member(jwk, "x5t", 20, "SHA-1", who, &mut findings);
    let x5t256 = digest_member(jwk, "x5t#S256", 32, "SHA-256", who, &mut findings);
    let Some(first_der) = first_certificate(jwk, who, &mut findings) else { return findings };

    let sha1 = Sha1::digest(&first_der).to_vec();
    let sha256 = Sha256::digest(&first_der).to_vec();
    if x5t.is_some_and(|t| t != sha1) {
        findings.push(finding("x5t_mismatch", format!("{who}: \"x5t\" is not the SHA-1 thumbprint of the first x5c certificate (expected \"{}\")", crate::encoding::b64url_encode(&sha1))));
    }
    if x5t256.is_some_and(|t| t != sha256) {
        findings.push(finding("x5t_mismatch", format!("{who}: \"x5t#S256\" is not the SHA-256 thumbprint of the first x5c certificate (expected \"{}\")", crate::encoding::b64url_encode(&sha256))));
    }

    let certificate_key = match der::certificate_spki(&first_der) {
        Ok(spki) => certificate_public_key(&spki),
        Err(err) => {
            findings.push(finding("x5c_mismatch", format!("{who}: x5c[0] is not a DER X.509 certificate ({err})")));
            return findings;
        }
    };
    let certificate_key = match certificate_key {
        Ok(key) => key,
        Err(why) => {
            findings.push(finding("x5c_mismatch", format!("{who}: the public key of the x5c[0] certificate cannot be read ({why})")));
            return findings;
        }
    };
    // A JWK whose own members do not decode is reported elsewhere (invalid_key).
    if let Some(jwk_key) = jwk_public_key(jwk) {
        if jwk_key != certificate_key {
            findings.push(finding("x5c_mismatch", format!(
                "{who}: the x5c[0] certificate holds {}, not this JWK's {}; publish the certificate of this key or drop x5c",
                certificate_key.describe(),
                jwk_key.describe_as_jwk(&certificate_key)
            )));
        }
    }
    findings
}

impl PublicKey {
    /// How the JWK differs, worded against the certificate's key.
    fn describe_as_jwk(&self, certificate_key: &PublicKey) -> String {
        match (self, certificate_key) {
            (PublicKey::Rsa { e, .. }, PublicKey::Rsa { e: cert_e, .. }) if e != cert_e => "RSA key (different exponent e)".to_owned(),
            (PublicKey::Rsa { .. }, PublicKey::Rsa { .. }) => "RSA key (different modulus n)".to_owned(),
            (PublicKey::Ec { crv, .. }, PublicKey::Ec { crv: cert_crv, .. }) if crv == cert_crv => format!("EC {crv} key (different point x, y)"),
            (PublicKey::Ed25519(_), PublicKey::Ed25519(_)) => "Ed25519 key (different x)".to_owned(),
            (other, _) => other.describe().trim_start_matches("an ").trim_start_matches("a ").to_owned(),
        }
    }
}

/// `x5t` / `x5t#S256`: base64url of a digest of the given length, when present.
fn digest_member(jwk: &Map<String, Value>, name: &str, len: usize, hash: &str, who: &str, findings: &mut Vec<X509Finding>) -> Option<Vec<u8>> {
    let value = jwk.get(name)?;
    let Some(text) = value.as_str() else {
        findings.push(finding("invalid_key", format!("{who}: \"{name}\" must be a base64url string")));
        return None;
    };
    let Some(bytes) = b64url_decode(text) else {
        findings.push(finding("invalid_key", format!("{who}: \"{name}\" is not base64url without padding (a {hash} digest of the certificate, RFC 7517 §4.8/§4.9; not hex, not base64)")));
        return None;
    };
    if bytes.len() != len {
        findings.push(finding("invalid_key", format!("{who}: \"{name}\" decodes to {} bytes; a {hash} thumbprint has {len}", bytes.len())));
        return None;
    }
    Some(bytes)
}

/// The DER of `x5c[0]`, after checking that every entry is standard base64.
fn first_certificate(jwk: &Map<String, Value>, who: &str, findings: &mut Vec<X509Finding>) -> Option<Vec<u8>> {
    let value = jwk.get("x5c")?;
    let Some(entries) = value.as_array().filter(|a| !a.is_empty()) else {
        findings.push(finding("invalid_key", format!("{who}: \"x5c\" must be a non-empty array of base64 DER certificates")));
        return None;
    };
    let mut first = None;
    for (position, entry) in entries.iter().enumerate() {
        let Some(text) = entry.as_str() else {
            findings.push(finding("invalid_key", format!("{who}: x5c[{position}] must be a string (base64 DER certificate)")));
            return None;
        };
        // Standard base64 with padding (RFC 7517 §4.7 cites RFC 4648 §4, not base64url); padding
        // is not insisted on, since dropping it loses nothing.
        match b64_standard_decode(text).ok_or(()) {
            Ok(der) if position == 0 => first = Some(der),
            Ok(_) => {}
            Err(_) => {
                let hint = if text.contains(['-', '_']) {
                    "it uses base64url characters ('-', '_'); x5c entries are standard base64 (RFC 7517 §4.7)"
                } else if text.contains("-----BEGIN") || text.contains(char::is_whitespace) {
                    "it contains PEM armour or whitespace; x5c entries are bare base64 DER"
                } else {
                    "it is not valid base64"
                };
                findings.push(finding("invalid_key", format!("{who}: x5c[{position}] cannot be decoded: {hint}")));
                return None;
            }
        }
    }
    first
}

fn certificate_public_key(spki: &Spki) -> Result<PublicKey, String> {
    let Some((&0, bits)) = spki.public_key.split_first() else {
        return Err("the subjectPublicKey BIT STRING has unused bits".to_owned());
    };
    let oid = spki.algorithm;
    if oid == RSA_ENCRYPTION || oid == RSASSA_PSS {
        let (n, e) = der::rsa_public_key(bits).map_err(|e| format!("bad RSAPublicKey: {e}"))?;
        return Ok(PublicKey::Rsa { n, e });
    }
    if oid == ED25519 {
        return Ok(PublicKey::Ed25519(bits.to_vec()));
    }
    let oid_text = |oid: &[u8]| der::oid_text(oid).unwrap_or_default();
    if oid != EC_PUBLIC_KEY {
        return Ok(PublicKey::Other(format!("a key of algorithm {}", oid_text(oid))));
    }
    let parameters = spki.parameters.ok_or("EC key without curve parameters")?;
    if parameters.tag != der::OID || der::oid_text(parameters.body).is_err() {
        return Err("EC parameters are not a named curve".to_owned());
    }
    let crv = match parameters.body {
        c if c == SECP256R1 => "P-256",
        c if c == SECP384R1 => "P-384",
        c if c == SECP521R1 => "P-521",
        other => return Ok(PublicKey::Other(format!("an EC key on curve {}", oid_text(other)))),
    };
    Ok(PublicKey::Ec { crv, point: uncompressed_point(crv, bits)? })
}

/// SEC1 point bytes in uncompressed form (certificates may carry compressed points).
fn uncompressed_point(crv: &str, sec1: &[u8]) -> Result<Vec<u8>, String> {
    if sec1.first() == Some(&0x04) {
        return Ok(sec1.to_vec());
    }
    crate::crypto::field::ec_uncompressed(crv, sec1).ok_or_else(|| format!("the {crv} point is not valid"))
}

/// The JWK's public key from its members; `None` when they do not decode.
fn jwk_public_key(jwk: &Map<String, Value>) -> Option<PublicKey> {
    let member = |name: &str| jwk.get(name).and_then(Value::as_str).and_then(b64url_decode);
    let crv = jwk.get("crv").and_then(Value::as_str);
    Some(match jwk.get("kty").and_then(Value::as_str)? {
        "RSA" => PublicKey::Rsa { n: strip_leading_zeros(&member("n")?).to_vec(), e: strip_leading_zeros(&member("e")?).to_vec() },
        "EC" => {
            let crv = match crv? {
                "P-256" => "P-256",
                "P-384" => "P-384",
                "P-521" => "P-521",
                other => return Some(PublicKey::Other(format!("EC {} key", crate::quote::quoted(other)))),
            };
            let mut point = vec![0x04];
            point.extend(member("x")?);
            point.extend(member("y")?);
            PublicKey::Ec { crv, point }
        }
        "OKP" if crv == Some("Ed25519") => PublicKey::Ed25519(member("x")?),
        other => PublicKey::Other(format!("{} key", crate::quote::quoted(other))),
    })
}
