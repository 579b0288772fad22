//! One table of algorithm facts: which key type and curve an `alg` needs, its hash and
//! signature shape, and what each host crypto API needs for it ([`HostFacts`]). Everything
//! else, the JS backends included, asks this table instead of matching on names.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alg {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    EdDSA,
    /// RFC 9864's fully-specified name for EdDSA over Ed25519 (jose 6 and openid-client use it).
    Ed25519,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kty {
    Oct,
    Rsa,
    Ec,
    Okp,
}

impl Kty {
    pub fn as_str(self) -> &'static str {
        match self {
            Kty::Oct => "oct",
            Kty::Rsa => "RSA",
            Kty::Ec => "EC",
            Kty::Okp => "OKP",
        }
    }

    pub fn parse(name: &str) -> Option<Kty> {
        Some(match name {
            "oct" => Kty::Oct,
            "RSA" => Kty::Rsa,
            "EC" => Kty::Ec,
            "OKP" => Kty::Okp,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// node:crypto's name for it.
    pub fn node_name(self) -> &'static str {
        match self {
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        }
    }

    /// WebCrypto's name for it.
    pub fn web_name(self) -> &'static str {
        match self {
            Hash::Sha256 => "SHA-256",
            Hash::Sha384 => "SHA-384",
            Hash::Sha512 => "SHA-512",
        }
    }

    pub fn output_len(self) -> usize {
        match self {
            Hash::Sha256 => 32,
            Hash::Sha384 => 48,
            Hash::Sha512 => 64,
        }
    }
}

/// The signature family, which decides the backend code path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Hmac,
    RsaPkcs1,
    RsaPss,
    Ecdsa,
    EdDsa,
}

pub struct AlgFacts {
    pub alg: Alg,
    pub name: &'static str,
    pub kty: Kty,
    /// The curve for EC algorithms; `None` where the key decides (EdDSA) or there is none.
    pub crv: Option<&'static str>,
    pub hash: Hash,
    pub family: Family,
    /// Exact signature length in bytes, where the algorithm fixes it.
    pub signature_len: Option<usize>,
}

const fn facts(alg: Alg, name: &'static str, kty: Kty, crv: Option<&'static str>, hash: Hash, family: Family, signature_len: Option<usize>) -> AlgFacts {
    AlgFacts { alg, name, kty, crv, hash, family, signature_len }
}

pub const ALGORITHMS: [AlgFacts; 14] = [
    facts(Alg::HS256, "HS256", Kty::Oct, None, Hash::Sha256, Family::Hmac, Some(32)),
    facts(Alg::HS384, "HS384", Kty::Oct, None, Hash::Sha384, Family::Hmac, Some(48)),
    facts(Alg::HS512, "HS512", Kty::Oct, None, Hash::Sha512, Family::Hmac, Some(64)),
    facts(Alg::RS256, "RS256", Kty::Rsa, None, Hash::Sha256, Family::RsaPkcs1, None),
    facts(Alg::RS384, "RS384", Kty::Rsa, None, Hash::Sha384, Family::RsaPkcs1, None),
    facts(Alg::RS512, "RS512", Kty::Rsa, None, Hash::Sha512, Family::RsaPkcs1, None),
    facts(Alg::PS256, "PS256", Kty::Rsa, None, Hash::Sha256, Family::RsaPss, None),
    facts(Alg::PS384, "PS384", Kty::Rsa, None, Hash::Sha384, Family::RsaPss, None),
    facts(Alg::PS512, "PS512", Kty::Rsa, None, Hash::Sha512, Family::RsaPss, None),
    facts(Alg::ES256, "ES256", Kty::Ec, Some("P-256"), Hash::Sha256, Family::Ecdsa, Some(64)),
    facts(Alg::ES384, "ES384", Kty::Ec, Some("P-384"), Hash::Sha384, Family::Ecdsa, Some(96)),
    facts(Alg::ES512, "ES512", Kty::Ec, Some("P-521"), Hash::Sha512, Family::Ecdsa, Some(132)),
    facts(Alg::EdDSA, "EdDSA", Kty::Okp, Some("Ed25519"), Hash::Sha512, Family::EdDsa, Some(64)),
    facts(Alg::Ed25519, "Ed25519", Kty::Okp, Some("Ed25519"), Hash::Sha512, Family::EdDsa, Some(64)),
];

/// What a host crypto API needs to verify one algorithm; the JS backends read this table from
/// the core (`algorithmTable()`) and write no algorithm fact of their own.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HostFacts {
    pub name: &'static str,
    /// "hmac", "pkcs1", "pss", "ecdsa" or "eddsa".
    pub family: &'static str,
    /// node:crypto's digest name (`createHmac`, `crypto.verify`); `None` for EdDSA, where
    /// `crypto.verify` takes no digest.
    pub node_hash: Option<&'static str>,
    /// RSA-PSS salt length in bytes (the hash length, RFC 7518 §3.5).
    pub pss_salt_length: Option<usize>,
    /// node:crypto's `dsaEncoding`: JWS ECDSA signatures are `r || s` (IEEE P1363).
    pub node_dsa_encoding: Option<&'static str>,
    /// `subtle.importKey` algorithm parameters.
    pub web_import: WebParams,
    /// `subtle.verify` algorithm parameters.
    pub web_verify: WebParams,
}

/// A WebCrypto algorithm object (`{ name, hash?, namedCurve?, saltLength? }`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebParams {
    pub name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub named_curve: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salt_length: Option<usize>,
}

impl AlgFacts {
    pub fn host_facts(&self) -> HostFacts {
        let hash = Some(self.hash.web_name());
        let salt = self.hash.output_len();
        let named = |name| WebParams { name, ..WebParams::default() };
        let (family, web_import, web_verify) = match self.family {
            Family::Hmac => ("hmac", WebParams { hash, ..named("HMAC") }, named("HMAC")),
            Family::RsaPkcs1 => ("pkcs1", WebParams { hash, ..named("RSASSA-PKCS1-v1_5") }, named("RSASSA-PKCS1-v1_5")),
            Family::RsaPss => ("pss", WebParams { hash, ..named("RSA-PSS") }, WebParams { salt_length: Some(salt), ..named("RSA-PSS") }),
            Family::Ecdsa => ("ecdsa", WebParams { named_curve: self.crv, ..named("ECDSA") }, WebParams { hash, ..named("ECDSA") }),
            Family::EdDsa => ("eddsa", named("Ed25519"), named("Ed25519")),
        };
        HostFacts {
            name: self.name,
            family,
            node_hash: (self.family != Family::EdDsa).then(|| self.hash.node_name()),
            pss_salt_length: (self.family == Family::RsaPss).then_some(salt),
            node_dsa_encoding: (self.family == Family::Ecdsa).then_some("ieee-p1363"),
            web_import,
            web_verify,
        }
    }
}

impl Alg {
    pub fn parse(name: &str) -> Option<Alg> {
        ALGORITHMS.iter().find(|f| f.name == name).map(|f| f.alg)
    }

    pub fn facts(self) -> &'static AlgFacts {
        ALGORITHMS.iter().find(|f| f.alg == self).expect("every Alg has a row in ALGORITHMS")
    }

    pub fn name(self) -> &'static str {
        self.facts().name
    }

    pub fn is_symmetric(self) -> bool {
        self.facts().kty == Kty::Oct
    }

    pub fn all() -> impl Iterator<Item = Alg> {
        ALGORITHMS.iter().map(|f| f.alg)
    }
}

/// RSA moduli accepted for verification, in bits.
pub const MIN_RSA_BITS: usize = 2048;
pub const MAX_RSA_BITS: usize = 8192;
