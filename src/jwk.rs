//! One JSON Web Key: member rules of RFC 7517/7518, the public key material it holds, its
//! RFC 7638 thumbprint, and the diagnostics that explain what is wrong with it.

use crate::alg::{Alg, Kty, MAX_RSA_BITS, MIN_RSA_BITS};
use crate::crypto::field::Ed25519Point;
use crate::diagnostics::{Diagnostic, Severity};
use crate::encoding::{b64url_decode, b64url_encode};
use crate::x509::check_x509_members;
use crate::quote::{quoted, quoted_list};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

mod members;

pub(crate) use members::{Element, KeyView, Raw};
use members::{MemberRef, Members};

/// Verification material of a usable key: its checked public parameters as octets. The
/// signature arithmetic (feature `rust-crypto`, or the host) builds its own key from them.
#[derive(Clone, PartialEq, Eq)]
pub enum KeyMaterial {
    Rsa(RsaParts),
    P256(EcPoint),
    P384(EcPoint),
    P521(EcPoint),
    Ed25519([u8; 32]),
    Oct(Vec<u8>),
}

/// An RSA public key: modulus and exponent, big-endian, without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RsaParts {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
}

impl RsaParts {
    /// k, the modulus length in octets.
    pub fn size(&self) -> usize {
        self.n.len()
    }
}

/// An EC point on its curve: x and y, big-endian, of the curve's exact size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcPoint {
    pub x: Vec<u8>,
    pub y: Vec<u8>,
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
    pub allow_weak_keys: bool,
}

const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "oth"];

/// The members [`check_x509_members`] reads: without any of them it has nothing to say.
const X509_MEMBERS: [&str; 3] = ["x5c", "x5t", "x5t#S256"];

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
    /// Whether the key has the members of an RFC 7638 canonical JSON (else no thumbprint).
    has_canonical: bool,
    /// [`Jwk::thumbprint`], hashed on first use: most keys of a large set never need it.
    thumbprint: OnceLock<String>,
    /// An oct key's HMAC state, made on its first check (crypto::hmac).
    #[cfg(not(feature = "compact-sha2"))]
    pub(crate) keyed_hmac: OnceLock<Option<crate::crypto::KeyedHmac>>,
    /// [`Jwk::public_jwk`] when the material cannot rebuild it (an RSA key, or a key that
    /// cannot verify); `None` keeps a large set of EC/OKP keys small.
    public_jwk_text: Option<String>,
    /// `None` when the key cannot verify anything; the diagnostics say why.
    pub material: Option<KeyMaterial>,
    /// The diagnostic that made the key unusable, if any.
    pub unusable_because: Option<String>,
}

impl Jwk {
    /// A set member that is not even a JSON object.
    fn not_a_key(index: usize) -> Jwk {
        Jwk {
            index,
            kid: None,
            kty: String::new(),
            alg: None,
            use_: None,
            key_ops: None,
            crv: None,
            bits: None,
            has_canonical: false,
            thumbprint: OnceLock::new(),
            #[cfg(not(feature = "compact-sha2"))]
            keyed_hmac: OnceLock::new(),
            public_jwk_text: Some("{}".to_owned()),
            material: None,
            unusable_because: Some("invalid_key".to_owned()),
        }
    }

    /// The public members a host crypto API needs to import the key (plus `k` for `oct`), as
    /// JSON text with sorted member names (for a usable key: its RFC 7638 canonical JSON).
    pub fn public_jwk(&self) -> String {
        if let Some(text) = &self.public_jwk_text {
            return text.clone();
        }
        match &self.material {
            Some(material) => canonical_of_material(material),
            None => "{}".to_owned(),
        }
    }

    pub fn usable(&self) -> bool {
        self.material.is_some()
    }

    /// The RFC 7638 SHA-256 thumbprint, base64url ("" when the key lacks a required member).
    pub fn thumbprint(&self) -> &str {
        self.thumbprint.get_or_init(|| {
            if self.has_canonical {
                b64url_encode(&Sha256::digest(self.public_jwk().as_bytes()))
            } else {
                String::new()
            }
        })
    }

    pub fn kty(&self) -> Option<Kty> {
        Kty::parse(&self.kty)
    }
}

fn member_str<'a>(jwk: &'a dyn Members, name: &str) -> Option<&'a str> {
    jwk.member(name).and_then(MemberRef::as_str)
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

/// How messages name a key ("key 3 (kid \"a\")"); written only when a message is (most
/// keys of a large set have none).
struct Who<'a> {
    index: usize,
    kid: Option<&'a str>,
}

impl std::fmt::Display for Who<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kid {
            Some(kid) => write!(f, "key {} (kid {})", self.index, quoted(kid)),
            None => write!(f, "key {}", self.index),
        }
    }
}

/// Parses the key at `index` of a set. Always returns a `Jwk`; problems become diagnostics.
pub fn parse_jwk(index: usize, value: &Value, options: ParseOptions, diagnostics: &mut Vec<Diagnostic>) -> Jwk {
    match value.as_object() {
        Some(jwk) => parse_members(index, jwk, options, diagnostics),
        None => not_an_object(index, diagnostics),
    }
}

/// [`parse_jwk`] of a member of a JWKS array as the set reader found it.
pub(crate) fn parse_element(index: usize, element: &Element<'_>, options: ParseOptions, diagnostics: &mut Vec<Diagnostic>) -> Jwk {
    match element {
        Element::Object(view) => parse_members(index, view, options, diagnostics),
        Element::Other(value) => parse_jwk(index, value, options, diagnostics),
    }
}

fn not_an_object(index: usize, diagnostics: &mut Vec<Diagnostic>) -> Jwk {
    let mut findings = Findings { index, kid: None, out: diagnostics, blocking: None };
    let who = &Who { index, kid: None };
    findings.block("invalid_key", format!("{who} is not a JSON object, so it is not a key"));
    Jwk::not_a_key(index)
}

fn parse_members(index: usize, jwk: &dyn Members, options: ParseOptions, diagnostics: &mut Vec<Diagnostic>) -> Jwk {
    let kid = member_str(jwk, "kid");
    let mut findings = Findings { index, kid, out: diagnostics, blocking: None };
    let who = &Who { index, kid };
    if jwk.member("kid").is_some_and(|v| !v.is_string()) {
        findings.block("invalid_key", format!("{who}: \"kid\" must be a string"));
    }
    let kty = member_str(jwk, "kty").unwrap_or("").to_owned();
    let alg = optional_string(jwk, "alg", who, &mut findings);
    let use_ = optional_string(jwk, "use", who, &mut findings);
    // WebCrypto's JsonWebKey member: jose 6 does not select a key whose `ext` is not a boolean.
    if jwk.member("ext").is_some_and(|v| !matches!(v, MemberRef::Value(Value::Bool(_)))) {
        findings.block("invalid_key", format!("{who}: \"ext\" must be a boolean (WebCrypto's JsonWebKey)"));
    }
    let key_ops = match jwk.member("key_ops").map(|m| m.as_array()) {
        None => None,
        Some(Some(items)) if items.iter().all(Value::is_string) => {
            let ops = items.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>();
            // RFC 7517 §4.3: "Duplicate key operation values MUST NOT be present" (jose 6 does
            // not select such a key either).
            let mut seen = crate::json_view::Names::new();
            let repeated = ops.iter().find(|op| {
                seen.contains(op) || {
                    seen.push(std::borrow::Cow::Borrowed(op.as_str()));
                    false
                }
            });
            if let Some(repeated) = repeated {
                findings.block("invalid_key", format!("{who}: \"key_ops\" lists {} twice; duplicate key operation values must not be present (RFC 7517 §4.3)", quoted(repeated)));
            }
            Some(ops)
        }
        Some(_) => {
            findings.block("invalid_key", format!("{who}: \"key_ops\" must be an array of strings"));
            None
        }
    };
    let crv = member_str(jwk, "crv").map(str::to_owned);

    let (material, bits) = match Kty::parse(&kty) {
        None if jwk.member("kty").is_some_and(|v| !v.is_string()) => {
            findings.block("invalid_key", format!("{who}: \"kty\" must be a string"));
            (None, None)
        }
        None if kty.is_empty() => {
            findings.block("invalid_key", format!("{who} has no \"kty\" member (RFC 7517 §4.1 requires it)"));
            (None, None)
        }
        None => {
            findings.block("unsupported_kty", format!("{who} has kty {}; only RSA, EC, OKP and oct keys verify JWS signatures, so it is not used", quoted(&kty)));
            (None, None)
        }
        Some(kty) => key_material(kty, jwk, who, options, &mut findings),
    };

    // One pass over the member names instead of a lookup for each name that might be there.
    let (mut private_members, mut x509_members) = (false, false);
    jwk.each_name(&mut |name| {
        private_members |= PRIVATE_MEMBERS.contains(&name);
        x509_members |= X509_MEMBERS.contains(&name);
    });
    if private_members || kty == "oct" {
        check_private_members(jwk, &kty, who, options, &mut findings);
    }
    if let Some(alg_name) = &alg {
        check_alg(alg_name, &kty, crv.as_deref(), who, &mut findings);
    }
    check_purpose(use_.as_deref(), key_ops.as_deref(), who, &mut findings);
    if x509_members {
        for x509 in check_x509_members(&jwk.as_map(), &who.to_string()) {
            findings.block(x509.code, x509.message);
        }
    }
    if alg.is_none() && material.is_some() && findings.blocking.is_none() {
        note_missing_alg(&kty, who, &mut findings);
    }

    let blocking = findings.blocking.clone();
    let material = if blocking.is_none() { material } else { None };
    let (public_jwk_text, has_canonical) = public_jwk_text(&kty, jwk, material.as_ref());
    Jwk {
        index,
        kid: kid.map(str::to_owned),
        kty,
        alg,
        use_,
        key_ops,
        crv,
        bits,
        has_canonical,
        thumbprint: OnceLock::new(),
        #[cfg(not(feature = "compact-sha2"))]
        keyed_hmac: OnceLock::new(),
        public_jwk_text,
        material,
        unusable_because: blocking,
    }
}

/// Private members in a published set are a leak; `oct` keys are nothing but their secret.
fn check_private_members(jwk: &dyn Members, kty: &str, who: &Who, options: ParseOptions, findings: &mut Findings) {
    let present: Vec<&str> = PRIVATE_MEMBERS.iter().copied().filter(|m| jwk.has(m)).collect();
    let what = if kty == "oct" {
        "is a symmetric (oct) key: its \"k\" is a shared secret".to_owned()
    } else if !present.is_empty() {
        format!("contains private key members ({})", present.join(", "))
    } else {
        return;
    };
    if options.allow_private {
        findings.add(Severity::Warning, "private_key_material", format!("{who} {what}; it is used because allowPrivate is set, but a JWKS that others can read must never contain it"));
    } else if kty == "oct" {
        findings.block("private_key_material", format!("{who} {what} that must never be published in a JWKS; it is not used (pass allowPrivate to verify HS* with a secret you hold)"));
    } else {
        findings.block("private_key_material", format!("{who} {what}; a public JWKS must not contain them, so the key is not used: remove them (and rotate the key, it has leaked), or pass allowPrivate"));
    }
}

/// The JWE algorithms: a key that names one is an encryption key.
fn is_jwe_alg(name: &str) -> bool {
    name == "RSA1_5"
        || name == "dir"
        || name.starts_with("RSA-OAEP")
        || name.starts_with("ECDH-ES")
        || name.starts_with("PBES2-")
        || (name.starts_with('A') && (name.ends_with("KW") || name.ends_with("GCM") || name.contains("CBC-HS")))
}

fn check_alg(alg_name: &str, kty: &str, crv: Option<&str>, who: &Who, findings: &mut Findings) {
    let Some(alg) = Alg::parse(alg_name) else {
        let why = if is_jwe_alg(alg_name) {
            "a JWE (encryption) algorithm; this key encrypts and never verifies a JWS".to_owned()
        } else if alg_name == "none" {
            "an unsecured JWS; a key never verifies \"none\"".to_owned()
        } else if alg_name == "ES521" {
            "not a JWS algorithm; ECDSA on P-521 is \"ES512\" (RFC 7518 §3.1)".to_owned()
        } else {
            let supported: Vec<&str> = Alg::all().map(Alg::name).collect();
            format!("not a JWS algorithm this library verifies (supported: {})", supported.join(", "))
        };
        findings.block("unsupported_alg", format!("{who} has alg {}, {why}; the key is not used", quoted(alg_name)));
        return;
    };
    let facts = alg.facts();
    // An unknown kty was reported already; a second finding would say nothing new.
    let Some(key_kty) = Kty::parse(kty) else { return };
    let crv_fits = facts.crv.is_none() || facts.crv == crv;
    if key_kty != facts.kty || !crv_fits {
        let shape = match crv {
            Some(c) => format!("{kty} {}", crate::quote::known_or_quoted(c, Alg::all().any(|alg| alg.facts().crv == Some(c)))),
            None => kty.to_owned(),
        };
        let needs = format!("{}{}", facts.kty.as_str(), facts.crv.map(|c| format!(" {c}")).unwrap_or_default());
        findings.block("alg_key_mismatch", format!("{who} has alg \"{alg_name}\" but is a {shape} key; {alg_name} needs a {needs} key, so nothing can verify with it: fix alg or the key"));
    }
}

const NON_SIGNATURE_OPS: [&str; 6] = ["encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits"];

/// `use` and `key_ops` (RFC 7517 §4.2–4.3): only signature keys verify.
fn check_purpose(use_: Option<&str>, key_ops: Option<&[String]>, who: &Who, findings: &mut Findings) {
    if let Some(u) = use_ {
        if u != "sig" {
            findings.block("use_not_sig", format!("{who} has use {}; only use \"sig\" keys verify signatures, so a JWS never selects it (publish signing keys with use \"sig\")", quoted(u)));
        }
    }
    let Some(ops) = key_ops else { return };
    let listed = quoted_list(ops);
    if !ops.iter().any(|op| op == "verify") {
        findings.block("use_not_sig", format!("{who} has key_ops {listed} without \"verify\"; it never verifies a signature (add \"verify\" if it is a signing key)"));
    } else if ops.iter().any(|op| NON_SIGNATURE_OPS.contains(&op.as_str())) {
        findings.add(Severity::Warning, "use_not_sig", format!("{who} has key_ops {listed}, mixing signature and encryption operations; RFC 7517 §4.3 says one key should serve one purpose"));
    }
}

/// Keys whose type leaves several algorithms open (RSA: RS*/PS*, oct: HS*).
fn note_missing_alg(kty: &str, who: &Who, findings: &mut Findings) {
    let open = match kty {
        "RSA" => "RS256, RS384, RS512, PS256, PS384 and PS512",
        "oct" => "HS256, HS384 and HS512",
        _ => return, // EC and OKP keys: the curve fixes the algorithm.
    };
    findings.add(Severity::Info, "missing_alg", format!("{who} has no \"alg\"; tokens signed with any of {open} may select it (set \"alg\" to pin the one you sign with)"));
}

fn optional_string(jwk: &dyn Members, name: &str, who: &Who, findings: &mut Findings) -> Option<String> {
    match jwk.member(name).map(MemberRef::as_str) {
        None => None,
        Some(Some(s)) => Some(s.to_owned()),
        Some(_) => {
            findings.block("invalid_key", format!("{who}: \"{name}\" must be a string"));
            None
        }
    }
}

/// Why `text` is not strict base64url, in words a person can act on.
fn base64url_problem(text: &str) -> &'static str {
    if text.contains('=') {
        "has '=' padding; JWK members are base64url without padding (RFC 7515 §2)"
    } else if text.contains(['+', '/']) {
        "uses the base64 characters '+' or '/'; base64url uses '-' and '_' (RFC 7515 §2)"
    } else if text.contains(char::is_whitespace) {
        "contains whitespace; base64url has none"
    } else {
        "is not valid base64url"
    }
}

fn b64_member(jwk: &dyn Members, name: &str, who: &Who, findings: &mut Findings) -> Option<Vec<u8>> {
    match jwk.member(name).map(MemberRef::as_str) {
        None => {
            findings.block("invalid_key", format!("{who} lacks the \"{name}\" member"));
            None
        }
        Some(Some(text)) => {
            let decoded = b64url_decode(text);
            if decoded.is_none() {
                findings.block("invalid_key", format!("{who}: \"{name}\" {}", base64url_problem(text)));
            }
            decoded
        }
        Some(_) => {
            findings.block("invalid_key", format!("{who}: \"{name}\" must be a base64url string"));
            None
        }
    }
}

fn key_material(kty: Kty, jwk: &dyn Members, who: &Who, options: ParseOptions, findings: &mut Findings) -> (Option<KeyMaterial>, Option<usize>) {
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

fn rsa_material(jwk: &dyn Members, who: &Who, options: ParseOptions, findings: &mut Findings) -> (Option<KeyMaterial>, Option<usize>) {
    let n = b64_member(jwk, "n", who, findings);
    let e = b64_member(jwk, "e", who, findings);
    let (Some(n), Some(e)) = (n, e) else { return (None, None) };
    let modulus_is_even = n.last().map_or(true, |b| b % 2 == 0);
    let n = strip_leading_zeros(&n).to_vec();
    let e = strip_leading_zeros(&e).to_vec();
    let bits = bit_length(&n);
    if let Some(problem) = exponent_problem(&e) {
        findings.block("invalid_key", format!("{who}: the RSA exponent e {problem}; real keys use 65537 (\"AQAB\"), so it is not used"));
        return (None, Some(bits));
    }
    if bits > MAX_RSA_BITS {
        findings.block("invalid_key", format!("{who}: its {bits}-bit RSA modulus is larger than the {MAX_RSA_BITS} bits accepted (huge keys make every verification slow), so it is not used"));
        return (None, Some(bits));
    }
    if bits < MIN_RSA_BITS {
        if options.allow_weak_keys {
            findings.add(Severity::Warning, "weak_rsa_key", format!("{who} is a {bits}-bit RSA key; RFC 7518 §3.3 requires at least {MIN_RSA_BITS} bits; it is used only because allowWeakKeys is set: replace it"));
        } else {
            findings.block("weak_rsa_key", format!("{who} is a {bits}-bit RSA key; RFC 7518 §3.3 requires at least {MIN_RSA_BITS} bits, so it is not used (replace it with a {MIN_RSA_BITS}-bit or larger key, or pass allowWeakKeys)"));
            return (None, Some(bits));
        }
    }
    if modulus_is_even {
        findings.block("invalid_key", format!("{who}: the RSA modulus n is even, so it is not a product of two odd primes; the key is not used"));
        return (None, Some(bits));
    }
    // The rest of the `rsa` crate's public-key check: the exponent below the modulus.
    if (e.len(), e.as_slice()) >= (n.len(), n.as_slice()) {
        findings.block("invalid_key", format!("{who} is not a valid RSA public key: invalid modulus"));
        return (None, Some(bits));
    }
    (Some(KeyMaterial::Rsa(RsaParts { n, e })), Some(bits))
}

pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Bits of a big-endian integer without leading zero octets.
fn bit_length(bytes: &[u8]) -> usize {
    bytes.first().map_or(0, |&top| 8 * bytes.len() - top.leading_zeros() as usize)
}

/// A public exponent (big-endian, no leading zeros) must be odd, at least 3 and fit in 32 bits.
fn exponent_problem(e: &[u8]) -> Option<&'static str> {
    if e.len() <= 1 && e.first().copied().unwrap_or(0) < 3 {
        Some("is smaller than 3")
    } else if e.last().map_or(true, |low| low % 2 == 0) {
        Some("is even")
    } else if bit_length(e) > 32 {
        Some("is larger than 32 bits")
    } else {
        None
    }
}

fn ec_material(jwk: &dyn Members, who: &Who, findings: &mut Findings) -> Option<KeyMaterial> {
    let crv = member_str(jwk, "crv").unwrap_or("");
    let size = match crv {
        "P-256" => 32,
        "P-384" => 48,
        "P-521" => 66,
        "" => {
            findings.block("invalid_key", format!("{who} is an EC key without a \"crv\" string (P-256, P-384 or P-521)"));
            return None;
        }
        other => {
            findings.block("unsupported_kty", format!("{who} uses EC curve {}; only P-256, P-384 and P-521 (ES256, ES384, ES512) verify here, so it is not used", quoted(other)));
            return None;
        }
    };
    let x = b64_member(jwk, "x", who, findings);
    let y = b64_member(jwk, "y", who, findings);
    let (Some(x), Some(y)) = (x, y) else { return None };
    if x.len() != size || y.len() != size {
        findings.block("invalid_key", format!("{who}: {crv} coordinates must be exactly {size} bytes, leading zeros kept (x has {}, y has {}; RFC 7518 §6.2.1.2)", x.len(), y.len()));
        return None;
    }
    let material = crate::crypto::field::ec_point_on_curve(crv, &x, &y).then(|| {
        let point = EcPoint { x, y };
        match crv {
            "P-256" => KeyMaterial::P256(point),
            "P-384" => KeyMaterial::P384(point),
            _ => KeyMaterial::P521(point),
        }
    });
    if material.is_none() {
        findings.block("invalid_key", format!("{who}: the point (x, y) is not on curve {crv}; the key is corrupt (or x/y were copied from another key) and is not used"));
    }
    material
}

fn okp_material(jwk: &dyn Members, who: &Who, findings: &mut Findings) -> Option<KeyMaterial> {
    match member_str(jwk, "crv") {
        Some("Ed25519") => {}
        Some(other) => {
            let why = match other {
                "X25519" | "X448" => "a key-agreement (ECDH) curve that never signs",
                "Ed448" => "an Ed448 signature curve, which is not supported here",
                _ => "not a curve supported here",
            };
            findings.block("unsupported_kty", format!("{who} uses OKP curve {}, {why}; only Ed25519 (EdDSA) verifies, so it is not used", quoted(other)));
            return None;
        }
        None => {
            findings.block("invalid_key", format!("{who} is an OKP key without a \"crv\" string (Ed25519)"));
            return None;
        }
    }
    let x = b64_member(jwk, "x", who, findings)?;
    let Ok(bytes) = <[u8; 32]>::try_from(x.as_slice()) else {
        findings.block("invalid_key", format!("{who}: an Ed25519 \"x\" must be 32 bytes, not {}", x.len()));
        return None;
    };
    match crate::crypto::field::ed25519_point(&bytes) {
        // A small-order point "verifies" signatures that no private key made (RFC 8032 §5.1.7
        // leaves it to the verifier; we refuse such keys outright).
        Ed25519Point::SmallOrder => {
            findings.block("invalid_key", format!("{who}: \"x\" is a small-order Ed25519 point, under which forged signatures verify; it is not a real public key"));
            None
        }
        Ed25519Point::Valid => Some(KeyMaterial::Ed25519(bytes)),
        Ed25519Point::NotAPoint => {
            findings.block("invalid_key", format!("{who}: \"x\" is not a valid Ed25519 point"));
            None
        }
    }
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

/// RFC 7638 canonical JSON of the required members, `None` when one is missing or not a
/// string. It is also the public JWK a host imports: the same members, names in sorted order.
fn canonical_json(kty: &str, jwk: &dyn Members) -> Option<String> {
    let mut canonical = String::new();
    write_canonical(kty, jwk, &mut canonical).then_some(canonical)
}

/// [`canonical_json`] into `canonical` (cleared first); false when it has none.
fn write_canonical(kty: &str, jwk: &dyn Members, canonical: &mut String) -> bool {
    canonical.clear();
    let Some(members) = required_members(kty) else { return false };
    canonical.push('{');
    for (i, name) in members.iter().enumerate() {
        let Some(value) = member_str(jwk, name) else { return false };
        if i > 0 {
            canonical.push(',');
        }
        canonical.push('"');
        canonical.push_str(name);
        canonical.push_str("\":");
        push_json_string(canonical, value);
    }
    canonical.push('}');
    true
}

/// `value` as a JSON string, escaped as serde_json writes it.
fn push_json_string(out: &mut String, value: &str) {
    if value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(value);
        out.push('"');
    } else {
        out.push_str(&Value::from(value).to_string());
    }
}

/// The canonical JSON of an EC, OKP or oct key from its checked material (RSA: the text it
/// was read from may keep leading zero octets that the material drops).
fn canonical_of_material(material: &KeyMaterial) -> String {
    let (crv, point) = match material {
        KeyMaterial::P256(point) => ("P-256", point),
        KeyMaterial::P384(point) => ("P-384", point),
        KeyMaterial::P521(point) => ("P-521", point),
        KeyMaterial::Ed25519(x) => return format!("{{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"{}\"}}", b64url_encode(x)),
        KeyMaterial::Oct(k) => return format!("{{\"k\":\"{}\",\"kty\":\"oct\"}}", b64url_encode(k)),
        KeyMaterial::Rsa(parts) => return format!("{{\"e\":\"{}\",\"kty\":\"RSA\",\"n\":\"{}\"}}", b64url_encode(&parts.e), b64url_encode(&parts.n)),
    };
    format!("{{\"crv\":\"{crv}\",\"kty\":\"EC\",\"x\":\"{}\",\"y\":\"{}\"}}", b64url_encode(&point.x), b64url_encode(&point.y))
}

/// RFC 7638 SHA-256 thumbprint, base64url. `None` when a required member is missing.
pub fn thumbprint(kty: &str, jwk: &Map<String, Value>) -> Option<String> {
    canonical_json(kty, jwk).map(|canonical| b64url_encode(&Sha256::digest(canonical.as_bytes())))
}

/// The key's public JWK text, when its material cannot rebuild it ([`Jwk::public_jwk`]), and
/// whether it has an RFC 7638 canonical JSON (then [`Jwk::public_jwk`] is that text).
fn public_jwk_text(kty: &str, jwk: &dyn Members, material: Option<&KeyMaterial>) -> (Option<String>, bool) {
    // The canonical text of most keys is only checked here: one buffer serves every key of a set.
    thread_local!(static CANONICAL: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) });
    CANONICAL.with_borrow_mut(|canonical| {
        if !write_canonical(kty, jwk, canonical) {
            return (Some(Value::Object(public_members(kty, jwk)).to_string()), false);
        }
        // Strict base64url (canonical, unpadded) makes decoding and encoding exact inverses, so
        // fixed-size material gives back the very text it was read from.
        let text = match material {
            Some(KeyMaterial::Rsa(_)) | None => Some(canonical.clone()),
            Some(material) => {
                debug_assert_eq!(&canonical_of_material(material), canonical);
                None
            }
        };
        (text, true)
    })
}

fn public_members(kty: &str, jwk: &dyn Members) -> Map<String, Value> {
    let mut out = Map::new();
    for name in required_members(kty).unwrap_or(&[]) {
        if let Some(v) = jwk.member(name) {
            out.insert((*name).to_owned(), v.to_value());
        }
    }
    out
}
