//! One JSON Web Key: member rules of RFC 7517/7518, the public key material it holds, its
//! RFC 7638 thumbprint, and the diagnostics that explain what is wrong with it.

use crate::alg::{Alg, Kty, MAX_RSA_BITS, MIN_RSA_BITS};
use crate::diagnostics::{Diagnostic, Severity};
use crate::encoding::{b64url_decode, b64url_encode};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Verification material of a usable key.
#[derive(Clone)]
pub enum KeyMaterial {
    Rsa(rsa::RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Oct(Vec<u8>),
}

impl std::fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            KeyMaterial::Rsa(_) => "Rsa",
            KeyMaterial::P256(_) => "P256",
            KeyMaterial::P384(_) => "P384",
            KeyMaterial::P521(_) => "P521",
            KeyMaterial::Ed25519(_) => "Ed25519",
            KeyMaterial::Oct(_) => "Oct",
        };
        f.write_str(name)
    }
}

/// Options that decide which keys count as usable.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseOptions {
    /// Keys carrying private members (and `oct` keys, whose `k` is the secret) may verify.
    pub allow_private: bool,
    /// RSA keys below 2048 bits may verify (they are still reported).
    pub allow_weak_rsa: bool,
}

const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

#[derive(Debug, Clone)]
pub struct Jwk {
    pub index: usize,
    pub kid: Option<String>,
    pub kty: String,
    pub alg: Option<String>,
    pub use_: Option<String>,
    pub key_ops: Option<Vec<String>>,
    pub crv: Option<String>,
    pub bits: Option<usize>,
    pub thumbprint: String,
    /// The public members a host crypto API needs to import the key (plus `k` for `oct`).
    pub public_jwk: Map<String, Value>,
    /// `None` when the key cannot verify anything; the diagnostics say why.
    pub material: Option<KeyMaterial>,
    /// The diagnostic that made the key unusable, if any.
    pub unusable_because: Option<String>,
}

impl Jwk {
    pub fn usable(&self) -> bool {
        self.material.is_some()
    }

    pub fn kty(&self) -> Option<Kty> {
        Kty::parse(&self.kty)
    }
}

fn member_str<'a>(jwk: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    jwk.get(name).and_then(Value::as_str)
}

/// Collects the diagnostics of one key and remembers the first error that blocks use.
struct Findings<'a> {
    index: usize,
    kid: Option<&'a str>,
    out: &'a mut Vec<Diagnostic>,
    blocking: Option<String>,
}

impl Findings<'_> {
    fn add(&mut self, severity: Severity, code: &str, message: String) {
        self.out.push(Diagnostic { severity, code: code.to_owned(), index: Some(self.index), kid: self.kid.map(str::to_owned), message });
    }

    /// An error that makes the key unusable.
    fn block(&mut self, code: &str, message: String) {
        if self.blocking.is_none() {
            self.blocking = Some(code.to_owned());
        }
        self.add(Severity::Error, code, message);
    }
}

fn label(index: usize, kid: Option<&str>) -> String {
    match kid {
        Some(kid) => format!("key {index} (kid \"{kid}\")"),
        None => format!("key {index}"),
    }
}

/// Parses the key at `index` of a set. Always returns a `Jwk`; problems become diagnostics.
pub fn parse_jwk(index: usize, value: &Value, options: ParseOptions, diagnostics: &mut Vec<Diagnostic>) -> Jwk {
    let empty = Map::new();
    let jwk = value.as_object().unwrap_or(&empty);
    let kid = member_str(jwk, "kid");
    let mut findings = Findings { index, kid, out: diagnostics, blocking: None };
    let who = label(index, kid);
    if !value.is_object() {
        findings.block("invalid_key", format!("{who} is not a JSON object"));
    }
    if jwk.get("kid").is_some_and(|v| !v.is_string()) {
        findings.block("invalid_key", format!("{who}: \"kid\" must be a string"));
    }
    let kty = member_str(jwk, "kty").unwrap_or("").to_owned();
    let alg = optional_string(jwk, "alg", &who, &mut findings);
    let use_ = optional_string(jwk, "use", &who, &mut findings);
    let key_ops = match jwk.get("key_ops") {
        None => None,
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => {
            Some(items.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>())
        }
        Some(_) => {
            findings.block("invalid_key", format!("{who}: \"key_ops\" must be an array of strings"));
            None
        }
    };
    let crv = member_str(jwk, "crv").map(str::to_owned);

    let (material, bits) = match Kty::parse(&kty) {
        None if kty.is_empty() => {
            findings.block("invalid_key", format!("{who} has no \"kty\" member"));
            (None, None)
        }
        None => {
            findings.block("unsupported_kty", format!("{who} has kty \"{kty}\", which no JWS algorithm here uses (RSA, EC, OKP, oct)"));
            (None, None)
        }
        Some(kty) => key_material(kty, jwk, &who, options, &mut findings),
    };

    let has_private = PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m));
    let is_secret = kty == "oct";
    if has_private || is_secret {
        let what = if is_secret { "is a symmetric (oct) key whose \"k\" is a shared secret" } else { "contains private key members" };
        if options.allow_private {
            findings.add(Severity::Warning, "private_key_material", format!("{who} {what}; it is used because allowPrivate is set, but never publish it in a JWKS"));
        } else {
            findings.block("private_key_material", format!("{who} {what}; a public JWKS must not contain it, so it is not used (pass allowPrivate to verify HS* with a secret you hold)"));
        }
    }

    if let Some(alg_name) = &alg {
        match Alg::parse(alg_name) {
            None => findings.block("unsupported_alg", format!("{who} has alg \"{alg_name}\", which is not a JWS signature algorithm supported here")),
            Some(a) => {
                let facts = a.facts();
                let kty_fits = Kty::parse(&kty) == Some(facts.kty);
                let crv_fits = facts.crv.is_none() || facts.crv == crv.as_deref();
                if !kty_fits || !crv_fits {
                    let shape = match &crv { Some(c) => format!("{kty} {c}"), None => kty.clone() };
                    findings.block("alg_key_mismatch", format!("{who} has alg \"{alg_name}\" but is a {shape} key; {alg_name} needs {}{}", facts.kty.as_str(), facts.crv.map(|c| format!(" {c}")).unwrap_or_default()));
                }
            }
        }
    } else if material.is_some() {
        findings.add(Severity::Info, "missing_alg", format!("{who} has no \"alg\"; any algorithm that fits its key type may select it (setting alg pins it)"));
    }
    if let Some(u) = &use_ {
        if u != "sig" {
            findings.block("use_not_sig", format!("{who} has use \"{u}\"; only use \"sig\" keys verify signatures"));
        }
    }
    if let Some(ops) = &key_ops {
        if !ops.iter().any(|op| op == "verify") {
            findings.block("use_not_sig", format!("{who} has key_ops {ops:?} without \"verify\"; it cannot verify signatures"));
        }
        if let Some(u) = &use_ {
            if u == "sig" && ops.iter().any(|op| op == "encrypt" || op == "wrapKey") {
                findings.add(Severity::Warning, "use_not_sig", format!("{who}: key_ops {ops:?} contradict use \"sig\""));
            }
        }
    }

    let thumbprint = thumbprint(&kty, jwk).unwrap_or_default();
    let public_jwk = public_members(&kty, jwk);
    let blocking = findings.blocking.clone();
    Jwk {
        index,
        kid: kid.map(str::to_owned),
        kty,
        alg,
        use_,
        key_ops,
        crv,
        bits,
        thumbprint,
        public_jwk,
        material: if blocking.is_none() { material } else { None },
        unusable_because: blocking,
    }
}

fn optional_string(jwk: &Map<String, Value>, name: &str, who: &str, findings: &mut Findings) -> Option<String> {
    match jwk.get(name) {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            findings.block("invalid_key", format!("{who}: \"{name}\" must be a string"));
            None
        }
    }
}

fn b64_member(jwk: &Map<String, Value>, name: &str, who: &str, findings: &mut Findings) -> Option<Vec<u8>> {
    match jwk.get(name) {
        None => {
            findings.block("invalid_key", format!("{who} lacks the \"{name}\" member"));
            None
        }
        Some(Value::String(text)) => {
            let decoded = b64url_decode(text);
            if decoded.is_none() {
                findings.block("invalid_key", format!("{who}: \"{name}\" is not base64url without padding"));
            }
            decoded
        }
        Some(_) => {
            findings.block("invalid_key", format!("{who}: \"{name}\" must be a base64url string"));
            None
        }
    }
}

fn key_material(kty: Kty, jwk: &Map<String, Value>, who: &str, options: ParseOptions, findings: &mut Findings) -> (Option<KeyMaterial>, Option<usize>) {
    match kty {
        Kty::Rsa => rsa_material(jwk, who, options, findings),
        Kty::Ec => (ec_material(jwk, who, findings), None),
        Kty::Okp => (okp_material(jwk, who, findings), None),
        Kty::Oct => {
            let k = b64_member(jwk, "k", who, findings);
            let bits = k.as_ref().map(|k| k.len() * 8);
            if k.as_ref().is_some_and(|k| k.is_empty()) {
                findings.block("invalid_key", format!("{who}: \"k\" is empty"));
            }
            (k.map(KeyMaterial::Oct), bits)
        }
    }
}

fn rsa_material(jwk: &Map<String, Value>, who: &str, options: ParseOptions, findings: &mut Findings) -> (Option<KeyMaterial>, Option<usize>) {
    let n = b64_member(jwk, "n", who, findings);
    let e = b64_member(jwk, "e", who, findings);
    let (Some(n), Some(e)) = (n, e) else { return (None, None) };
    let n = rsa::BigUint::from_bytes_be(&n);
    let e_value = rsa::BigUint::from_bytes_be(&e);
    let bits = n.bits();
    if e.len() > 4 || e_value < rsa::BigUint::from(3u32) || e.last().is_some_and(|b| b % 2 == 0) {
        findings.block("invalid_key", format!("{who}: exponent e is not a sane RSA public exponent (odd, at least 3, at most 32 bits)"));
        return (None, Some(bits));
    }
    if bits > MAX_RSA_BITS {
        findings.block("invalid_key", format!("{who}: a {bits}-bit RSA modulus is larger than the {MAX_RSA_BITS} bits accepted"));
        return (None, Some(bits));
    }
    if bits < MIN_RSA_BITS {
        let message = format!("{who} is a {bits}-bit RSA key; RFC 7518 requires at least {MIN_RSA_BITS} bits");
        if options.allow_weak_rsa {
            findings.add(Severity::Warning, "weak_rsa_key", message);
        } else {
            findings.block("weak_rsa_key", message);
            return (None, Some(bits));
        }
    }
    match rsa::RsaPublicKey::new_with_max_size(n, e_value, MAX_RSA_BITS) {
        Ok(key) => (Some(KeyMaterial::Rsa(key)), Some(bits)),
        Err(err) => {
            findings.block("invalid_key", format!("{who} is not a valid RSA public key: {err}"));
            (None, Some(bits))
        }
    }
}

fn ec_material(jwk: &Map<String, Value>, who: &str, findings: &mut Findings) -> Option<KeyMaterial> {
    let crv = member_str(jwk, "crv").unwrap_or("");
    let size = match crv {
        "P-256" => 32,
        "P-384" => 48,
        "P-521" => 66,
        "" => {
            findings.block("invalid_key", format!("{who} is an EC key without \"crv\""));
            return None;
        }
        other => {
            findings.block("unsupported_kty", format!("{who} uses EC curve \"{other}\"; supported curves are P-256, P-384 and P-521"));
            return None;
        }
    };
    let x = b64_member(jwk, "x", who, findings);
    let y = b64_member(jwk, "y", who, findings);
    let (Some(x), Some(y)) = (x, y) else { return None };
    if x.len() != size || y.len() != size {
        findings.block("invalid_key", format!("{who}: {crv} coordinates must be exactly {size} bytes (x has {}, y has {})", x.len(), y.len()));
        return None;
    }
    let mut point = Vec::with_capacity(1 + 2 * size);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    let material = match crv {
        "P-256" => p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).ok().map(KeyMaterial::P256),
        "P-384" => p384::ecdsa::VerifyingKey::from_sec1_bytes(&point).ok().map(KeyMaterial::P384),
        _ => p521::ecdsa::VerifyingKey::from_sec1_bytes(&point).ok().map(KeyMaterial::P521),
    };
    if material.is_none() {
        findings.block("invalid_key", format!("{who}: the point (x, y) is not on curve {crv}"));
    }
    material
}

fn okp_material(jwk: &Map<String, Value>, who: &str, findings: &mut Findings) -> Option<KeyMaterial> {
    match member_str(jwk, "crv") {
        Some("Ed25519") => {}
        Some(other) => {
            findings.block("unsupported_kty", format!("{who} uses OKP curve \"{other}\"; only Ed25519 is supported"));
            return None;
        }
        None => {
            findings.block("invalid_key", format!("{who} is an OKP key without \"crv\""));
            return None;
        }
    }
    let x = b64_member(jwk, "x", who, findings)?;
    let Ok(bytes) = <[u8; 32]>::try_from(x.as_slice()) else {
        findings.block("invalid_key", format!("{who}: an Ed25519 \"x\" must be 32 bytes, not {}", x.len()));
        return None;
    };
    let material = ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok().map(KeyMaterial::Ed25519);
    if material.is_none() {
        findings.block("invalid_key", format!("{who}: \"x\" is not a valid Ed25519 point"));
    }
    material
}

/// The members RFC 7638 hashes, in its order, for each key type.
fn required_members(kty: &str) -> Option<&'static [&'static str]> {
    Some(match kty {
        "RSA" => &["e", "kty", "n"],
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        "oct" => &["k", "kty"],
        _ => return None,
    })
}

/// RFC 7638 SHA-256 thumbprint, base64url. `None` when a required member is missing.
pub fn thumbprint(kty: &str, jwk: &Map<String, Value>) -> Option<String> {
    let members = required_members(kty)?;
    let mut canonical = String::from("{");
    for (i, name) in members.iter().enumerate() {
        let value = member_str(jwk, name)?;
        if i > 0 {
            canonical.push(',');
        }
        canonical.push_str(&serde_json::to_string(name).ok()?);
        canonical.push(':');
        canonical.push_str(&serde_json::to_string(value).ok()?);
    }
    canonical.push('}');
    Some(b64url_encode(&Sha256::digest(canonical.as_bytes())))
}

fn public_members(kty: &str, jwk: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for name in required_members(kty).unwrap_or(&[]) {
        if let Some(v) = jwk.get(*name) {
            out.insert((*name).to_owned(), v.clone());
        }
    }
    out
}
