//! DPoP proofs (RFC 9449 §4.3) on top of [`crate::verify`].
//!
//! The proof carries its own key: [`DpopOptions::proof_key`] applies the header rules (`typ`,
//! asymmetric `alg`, a public `jwk`) and turns the header's `jwk` into a one-key [`KeySet`];
//! the one pipeline then verifies the signature with it (any host backend), checks `exp`/`nbf`,
//! and runs [`ProofCheck`] (the claims of §4.3: `htm`, `htu`, `iat`, `jti`, `ath`, `nonce`).
//! Replay (`jti` single use, scoped by the key's thumbprint) is the caller's, last.
//!
//! Errors: every failure but a replayed `jti` is `ERR_DPOP_INVALID`, with `claim` and `reason`
//! for a claim, `reason` alone (`typ`, `alg`, `jwk`, `crit`, `signature`, `malformed`) for the
//! rest; private members in the header `jwk` are `ERR_JWS_INVALID` (API.md says so explicitly).

use crate::alg::Alg;
use crate::claims::{accepted_until, normalize_typ, refused_from_at_most};
use crate::crypto::SignatureVerifier;
use crate::encoding::{b64url_encode, parse_json_strict};
use crate::error::{ClaimReason, ErrorCode, JoseError, Result};
use crate::http_uri;
use crate::json_view::{JsonObject, Member};
use crate::jwk::ParseOptions;
use crate::jwks::KeySet;
use crate::options::{read, OptionError, OptionValue, Part, Reader, ReplayOptions, TokenOptions, VerifyOptions};
use crate::quote::quoted;
use crate::replay::Replay;
use crate::token::{over_max_length, Parts};
use crate::verify::{self, Checked, Profile};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const DEFAULT_MAX_AGE: f64 = 300.0;
/// Largest `maxAge`: a proof is a per-request signature, and replay entries live this long.
pub const MAX_MAX_AGE: f64 = 3600.0;
pub const TYP: &str = "dpop+jwt";
/// Longest `jti` accepted (oauth4webapi and openid-client send 43 characters).
pub const MAX_JTI_LENGTH: usize = 256;
/// Members of a JWK that only a private (or secret) key has.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// The members of the options of `verifyDpopProof` that only DPoP has.
#[derive(Debug, Clone)]
struct DpopSettings {
    /// The request's method; `htm` must equal it exactly.
    method: String,
    /// The request's absolute URL; `htu` must equal it without query and fragment.
    url: String,
    /// The access token presented with the proof: makes `ath` required.
    access_token: Option<String>,
    /// The nonce the server gave: makes `nonce` required and equal.
    nonce: Option<String>,
    /// Seconds `iat` may differ from now, in either direction (plus `clockTolerance`). Default 300.
    max_age: Option<f64>,
}

impl Part for DpopSettings {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let (mut method, mut url, mut access_token, mut nonce, mut max_age) = (None, None, None, None, None);
        reader.members(&["method", "url", "accessToken", "nonce", "maxAge"], &mut |name, v| {
            match name {
                "method" => method = Some(read::string(v)?),
                "url" => url = Some(read::string(v)?),
                "accessToken" => access_token = Some(read::string(v)?),
                "nonce" => nonce = Some(read::string(v)?),
                "maxAge" => max_age = Some(crate::duration::seconds(v)?),
                _ => {}
            }
            Ok(())
        })?;
        let method = read::required(method, "method")?;
        Ok(DpopSettings { method, url: read::required(url, "url")?, access_token, nonce, max_age })
    }
}

/// The options of `verifyDpopProof`, resolved.
#[derive(Debug, Clone)]
pub struct DpopOptions {
    /// `algorithms` (asymmetric only), `clockTolerance`, `currentDate`, `crit`, `maxTokenLength`.
    pub verify: VerifyOptions,
    pub method: String,
    /// `url`, normalised as `htu` is ([`http_uri::normalize`]).
    pub url: String,
    /// base64url(SHA-256(accessToken)): the `ath` to expect.
    pub ath: Option<String>,
    pub nonce: Option<String>,
    pub max_age: f64,
    pub replay: ReplayOptions,
}

/// What the checks established about a valid proof.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// RFC 7638 thumbprint of the header `jwk`.
    pub jkt: String,
    pub jti: String,
    /// The single-use check to make (with a replay store), scoped by `jkt`.
    pub replay: Option<Replay>,
}

impl DpopOptions {
    pub fn read(value: &OptionValue) -> std::result::Result<DpopOptions, OptionError> {
        let reader = Reader::new(value)?;
        let token: TokenOptions = reader.part()?;
        let settings: DpopSettings = reader.part()?;
        let replay: ReplayOptions = reader.part()?;
        reader.finish()?;
        token.validate()?;
        replay.validate()?;
        if let Some(symmetric) = token.algorithms.iter().flatten().find(|a| Alg::parse(a).is_some_and(Alg::is_symmetric)) {
            return Err(OptionError::new("algorithms", format!("must list asymmetric algorithms only (a DPoP proof is signed with a public key), got {}", quoted(symmetric))));
        }
        if settings.method.is_empty() {
            return Err(OptionError::new("method", "must be the request's method, got \"\""));
        }
        let url = http_uri::normalize(&settings.url).map_err(|why| OptionError::new("url", format!("must be the request's absolute http(s) URL; {} {why}", quoted(&settings.url))))?;
        let max_age = settings.max_age.unwrap_or(DEFAULT_MAX_AGE);
        if !(max_age > 0.0 && max_age <= MAX_MAX_AGE) {
            return Err(OptionError::new("maxAge", format!("must be a positive number of seconds, at most {MAX_MAX_AGE}")));
        }
        if settings.nonce.as_deref() == Some("") {
            return Err(OptionError::new("nonce", "must be the nonce the server gave, got \"\" (leave it out when there is none)"));
        }
        if settings.access_token.as_deref() == Some("") {
            return Err(OptionError::new("accessToken", "must be the access token presented with the proof, got \"\""));
        }
        let verify = VerifyOptions::resolve(token, Default::default(), 0.0);
        if settings.access_token.as_deref().is_some_and(|t| over_max_length(t, verify.max_token_length).is_some()) {
            return Err(OptionError::new("accessToken", format!("must be at most maxTokenLength ({}) characters long", verify.max_token_length)));
        }
        Ok(DpopOptions {
            verify,
            method: settings.method,
            url,
            ath: settings.access_token.as_deref().map(access_token_hash),
            nonce: settings.nonce,
            max_age,
            replay,
        })
    }

    /// For native callers and tests: the options as JSON.
    pub fn from_json(json: &serde_json::Value) -> std::result::Result<DpopOptions, OptionError> {
        DpopOptions::read(&OptionValue::from_json(json))
    }

    /// The header rules, before any signature: `typ`, `alg`, `jwk`. Returns the header `jwk`
    /// as a one-key set (the pipeline's keys) and its thumbprint.
    pub fn proof_key(&self, proof: &str) -> Result<ProofKey> {
        let header = self.proof_header(proof)?;
        check_typ(&header)?;
        let alg = self.check_alg(&header)?;
        header_key(&header, alg)
    }

    /// The proof's protected header, fully parsed (duplicate members refused).
    pub fn proof_header(&self, proof: &str) -> Result<Map<String, Value>> {
        let parts = Parts::split(proof, self.verify.max_token_length).map_err(malformed)?;
        let header_bytes = parts.header_bytes().map_err(malformed)?;
        match parse_json_strict(&header_bytes) {
            Ok(Value::Object(header)) => Ok(header),
            Ok(_) => Err(header_error(ClaimReason::Malformed, "the DPoP proof's header is not a JSON object")),
            Err(why) => Err(header_error(ClaimReason::Malformed, format!("the DPoP proof's header is not valid JSON: {why}"))),
        }
    }

    /// `alg`: a known asymmetric algorithm, in `algorithms` when given.
    pub fn check_alg(&self, header: &Map<String, Value>) -> Result<Alg> {
        let name = header.str_member("alg").unwrap_or_default();
        let alg = Alg::parse(name).filter(|alg| !alg.is_symmetric()).ok_or_else(|| header_error(ClaimReason::Alg, format!("the DPoP proof's \"alg\" {} is not an asymmetric signature algorithm", quoted(name))))?;
        if !self.verify.allows(alg) {
            return Err(header_error(ClaimReason::Alg, format!("the DPoP proof's \"alg\" {name} is not allowed (allowed: {})", self.verify.algorithms.as_deref().unwrap_or_default().join(", "))));
        }
        Ok(alg)
    }

    /// The profile the pipeline runs for a proof signed by the key of `jkt`.
    pub fn for_key<'a>(&'a self, jkt: &'a str) -> ProofCheck<'a> {
        ProofCheck { options: self, jkt }
    }

    /// On a proof whose signature verified: §4.3's claim checks ([`DpopOptions::rules`]).
    fn check(&self, payload: &(impl JsonObject + ?Sized), jkt: &str, now: f64) -> Result<Outcome> {
        for rule in self.rules() {
            self.check_rule(rule, payload, now)?;
        }
        let jti = payload.str_member("jti").unwrap_or_default().to_owned();
        let iat = self.check_iat(payload, now)?;
        let replay = self.replay.replay.map(|_| {
            // Accepted while floor(now) <= iat + maxAge + tolerance, and `exp`'s own bound.
            let window = refused_from_at_most(iat + self.max_age + self.verify.clock_tolerance);
            let expires_at = accepted_until(payload, &self.verify).map_or(window, |until| until.min(window));
            Replay::new(jkt, &jti, expires_at, now)
        });
        Ok(Outcome { jkt: jkt.to_owned(), jti, replay })
    }

    /// The claim rules these options switch on, in the order they run.
    pub fn rules(&self) -> Vec<Rule> {
        let mut rules = vec![Rule::Jti, Rule::Htm, Rule::Htu];
        if self.nonce.is_some() {
            rules.push(Rule::Nonce);
        }
        rules.push(Rule::Iat);
        if self.ath.is_some() {
            rules.push(Rule::Ath);
        }
        rules
    }

    /// One claim rule on a proof's claims.
    pub fn check_rule(&self, rule: Rule, payload: &(impl JsonObject + ?Sized), now: f64) -> Result<()> {
        match rule {
            Rule::Jti => match payload.member("jti") {
                Some(Member::Str(jti)) if !jti.is_empty() && jti.len() <= MAX_JTI_LENGTH => {}
                Some(_) => return Err(claim_error("jti", ClaimReason::Invalid, format!("\"jti\" claim must be a non-empty string of at most {MAX_JTI_LENGTH} bytes"))),
                None => return Err(claim_error("jti", ClaimReason::Missing, "missing required \"jti\" claim")),
            },
            Rule::Htm => {
                let htm = required_str(payload, "htm")?;
                if htm != self.method {
                    return Err(claim_error("htm", ClaimReason::CheckFailed, format!("\"htm\" claim {} does not match the request's method", quoted(htm))));
                }
            }
            Rule::Htu => {
                let htu = required_str(payload, "htu")?;
                let htu = http_uri::normalize(htu).map_err(|why| claim_error("htu", ClaimReason::Invalid, format!("\"htu\" claim {why}")))?;
                if htu != self.url {
                    return Err(claim_error("htu", ClaimReason::CheckFailed, format!("\"htu\" claim {} does not match the request's URL", quoted(&htu))));
                }
            }
            Rule::Nonce => {
                if Some(required_str(payload, "nonce")?) != self.nonce.as_deref() {
                    return Err(claim_error("nonce", ClaimReason::CheckFailed, "\"nonce\" claim does not match the server's nonce"));
                }
            }
            Rule::Iat => {
                self.check_iat(payload, now)?;
            }
            Rule::Ath => {
                if Some(required_str(payload, "ath")?) != self.ath.as_deref() {
                    return Err(claim_error("ath", ClaimReason::CheckFailed, "\"ath\" claim is not the hash of the access token"));
                }
            }
        }
        Ok(())
    }

    /// `iat` within `maxAge` of now, in both directions (plus `clockTolerance`).
    fn check_iat(&self, payload: &(impl JsonObject + ?Sized), now: f64) -> Result<f64> {
        let tolerance = self.verify.clock_tolerance;
        let now = now.floor();
        let iat = match payload.member("iat") {
            Some(Member::Num(n)) if n.is_finite() => n,
            Some(_) => return Err(claim_error("iat", ClaimReason::Invalid, "\"iat\" claim must be a number")),
            None => return Err(claim_error("iat", ClaimReason::Missing, "missing required \"iat\" claim")),
        };
        if iat < now - self.max_age - tolerance {
            return Err(claim_error("iat", ClaimReason::TooOld, format!("\"iat\" claim is more than {} seconds in the past", self.max_age)));
        }
        if iat > now + self.max_age + tolerance {
            return Err(claim_error("iat", ClaimReason::InFuture, format!("\"iat\" claim is more than {} seconds in the future", self.max_age)));
        }
        Ok(iat)
    }
}

/// The header `jwk` of a proof as a one-key set, and its RFC 7638 thumbprint.
#[derive(Debug, Clone)]
pub struct ProofKey {
    pub keys: KeySet,
    pub jkt: String,
}

/// One claim rule of RFC 9449 §4.3 (see [`DpopOptions::rules`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Jti,
    Htm,
    Htu,
    Nonce,
    Iat,
    Ath,
}

impl Rule {
    pub fn claim(self) -> &'static str {
        match self {
            Rule::Jti => "jti",
            Rule::Htm => "htm",
            Rule::Htu => "htu",
            Rule::Nonce => "nonce",
            Rule::Iat => "iat",
            Rule::Ath => "ath",
        }
    }

    /// What the rule checks, in words (for `explainDpop`).
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Jti => "a non-empty string, single use per key",
            Rule::Htm => "equals the request's method",
            Rule::Htu => "equals the request's URL without query and fragment (RFC 3986 normalised)",
            Rule::Nonce => "equals the server-provided nonce",
            Rule::Iat => "within maxAge of now, both ways (plus clockTolerance)",
            Rule::Ath => "base64url(SHA-256(access token))",
        }
    }
}

/// A proof's profile for the key it carries (see [`DpopOptions::for_key`]).
pub struct ProofCheck<'a> {
    options: &'a DpopOptions,
    jkt: &'a str,
}

impl Profile for ProofCheck<'_> {
    type Outcome = Outcome;

    fn verify_options(&self) -> &VerifyOptions {
        &self.options.verify
    }

    fn check<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, _: &H, claims: &C, now: f64) -> Result<Outcome> {
        self.options.check(claims, self.jkt, now)
    }
}

/// `typ` is `dpop+jwt` (compared as every profile compares `typ`).
pub fn check_typ(header: &Map<String, Value>) -> Result<()> {
    if header.str_member("typ").is_some_and(|typ| normalize_typ(typ) == normalize_typ(TYP)) {
        Ok(())
    } else {
        Err(header_error(ClaimReason::Typ, "the DPoP proof's \"typ\" header must be \"dpop+jwt\""))
    }
}

/// `jwk`: a public key (private members are `ERR_JWS_INVALID`) that can verify `alg`.
pub fn header_key(header: &Map<String, Value>, alg: Alg) -> Result<ProofKey> {
    let jwk = match header.get("jwk") {
        Some(Value::Object(jwk)) => jwk,
        Some(_) => return Err(header_error(ClaimReason::Jwk, "the DPoP proof's \"jwk\" header must be a JSON object")),
        None => return Err(header_error(ClaimReason::Jwk, "the DPoP proof has no \"jwk\" header")),
    };
    if let Some(private) = PRIVATE_MEMBERS.iter().find(|m| jwk.contains_key(**m)) {
        return Err(JoseError::jws_invalid(format!("the DPoP proof's \"jwk\" header has the private member \"{private}\"; it must hold the public key only")));
    }
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.as_str()),
        Some(_) => return Err(header_error(ClaimReason::Malformed, "the DPoP proof's \"kid\" header must be a string")),
    };
    // The key is the proof's own: a header `kid` names it, whatever the jwk says.
    let mut jwk = jwk.clone();
    if let Some(kid) = kid {
        jwk.insert("kid".to_owned(), Value::String(kid.to_owned()));
    }
    let keys = KeySet::parse_value(&Value::Object(jwk), ParseOptions::default()).map_err(|err| header_error(ClaimReason::Jwk, format!("the DPoP proof's \"jwk\" header is not a JWK: {}", err.message)))?;
    let key = &keys.keys[0];
    if !key.usable() {
        let why = keys.diagnostics.iter().find(|d| d.severity == crate::diagnostics::Severity::Error).map_or("it cannot verify", |d| d.message.as_str());
        return Err(header_error(ClaimReason::Jwk, format!("the DPoP proof's \"jwk\" header cannot verify: {why}")));
    }
    if keys.select(alg, kid, 1).candidates.is_empty() {
        return Err(header_error(ClaimReason::Jwk, format!("the DPoP proof's \"jwk\" header does not fit its \"alg\" {}", alg.name())));
    }
    let jkt = key.thumbprint().to_owned();
    Ok(ProofKey { keys, jkt })
}

/// base64url(SHA-256(accessToken)): the `ath` a proof sent with this token carries.
pub fn access_token_hash(access_token: &str) -> String {
    b64url_encode(&Sha256::digest(access_token.as_bytes()))
}

/// The error for a DPoP proof of `length` characters over `max_length`, on every path.
pub fn proof_too_long(length: usize, max_length: usize) -> JoseError {
    header_error(ClaimReason::Malformed, format!("the DPoP proof is {length} characters long, more than maxTokenLength ({max_length})"))
}

/// `ERR_DPOP_INVALID` with `reason` naming the check that failed (not a claim).
pub fn header_error(reason: ClaimReason, message: impl Into<String>) -> JoseError {
    let mut err = JoseError::new(ErrorCode::DpopInvalid, message);
    err.reason = Some(reason);
    err
}

fn claim_error(claim: &str, reason: ClaimReason, message: impl Into<String>) -> JoseError {
    JoseError::claim(ErrorCode::DpopInvalid, claim, reason, message)
}

fn malformed(err: JoseError) -> JoseError {
    header_error(ClaimReason::Malformed, format!("the DPoP proof is malformed: {}", err.message))
}

fn required_str<'p>(payload: &'p (impl JsonObject + ?Sized), claim: &str) -> Result<&'p str> {
    match payload.member(claim) {
        Some(Member::Str(value)) => Ok(value),
        Some(_) => Err(claim_error(claim, ClaimReason::Invalid, format!("\"{claim}\" claim must be a string"))),
        None => Err(claim_error(claim, ClaimReason::Missing, format!("missing required \"{claim}\" claim"))),
    }
}

/// A failure of the pipeline (after [`DpopOptions::proof_key`]) as the DPoP error it is.
/// The header rules ran first, so an unsupported algorithm cannot reach here: the pipeline's
/// `ERR_JOSE_NOT_SUPPORTED` is an unknown `crit` name.
pub fn proof_error(err: JoseError) -> JoseError {
    let reason = match err.code {
        ErrorCode::DpopInvalid | ErrorCode::JwtReplayed | ErrorCode::ReplayStoreFull | ErrorCode::ReplayStoreUnavailable => return err,
        ErrorCode::JwtExpired | ErrorCode::ClaimValidationFailed => {
            let (claim, reason) = (err.claim.as_deref().unwrap_or("exp"), err.reason.unwrap_or(ClaimReason::CheckFailed));
            return claim_error(claim, reason, err.message);
        }
        ErrorCode::SignatureVerificationFailed => ClaimReason::Signature,
        ErrorCode::AlgNotAllowed => ClaimReason::Alg,
        ErrorCode::NotSupported => ClaimReason::Crit,
        ErrorCode::NoMatchingKey | ErrorCode::JwkInvalid | ErrorCode::JwksInvalid => ClaimReason::Jwk,
        _ => ClaimReason::Malformed,
    };
    let message = match reason {
        ClaimReason::Signature => "the DPoP proof's signature does not verify with its \"jwk\" header".to_owned(),
        _ => format!("the DPoP proof is invalid: {}", err.message),
    };
    header_error(reason, message)
}

/// The whole check with one synchronous backend. Replay is left to the caller.
pub fn verify_dpop_proof(proof: &str, options: &DpopOptions, now: f64, backend: &dyn SignatureVerifier) -> Result<Checked<Outcome>> {
    let ProofKey { keys, jkt } = options.proof_key(proof)?;
    verify::run(proof, &keys, &options.for_key(&jkt), now, |c| backend.verify(c.alg, c.key, c.signing_input, c.signature)).map_err(proof_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn options_refuse_symmetric_algorithms_and_bad_urls() {
        let ok = DpopOptions::from_json(&json!({ "method": "GET", "url": "https://Api.Example/r?x" })).unwrap();
        assert_eq!(ok.url, "https://api.example/r");
        assert_eq!(ok.max_age, DEFAULT_MAX_AGE);
        for (bad, path) in [
            (json!({ "url": "https://a.example/" }), "method"),
            (json!({ "method": "GET" }), "url"),
            (json!({ "method": "GET", "url": "/relative" }), "url"),
            (json!({ "method": "GET", "url": "ftp://a.example/" }), "url"),
            (json!({ "method": "GET", "url": "https://a.example/", "algorithms": ["ES256", "HS256"] }), "algorithms"),
            (json!({ "method": "GET", "url": "https://a.example/", "maxAge": 0 }), "maxAge"),
            (json!({ "method": "", "url": "https://a.example/" }), "method"),
            (json!({ "method": "GET", "url": "https://a.example/", "accessToken": "" }), "accessToken"),
            (json!({ "method": "GET", "url": "https://a.example/", "htm": "GET" }), "htm"),
        ] {
            let err = DpopOptions::from_json(&bad).expect_err(&bad.to_string());
            assert!(err.path == path || (path == "htm" && err.message("verifyDpopProof").contains("htm")), "{bad}: {err:?}");
        }
    }

    #[test]
    fn ath_is_the_base64url_sha256_of_the_token() {
        // RFC 9449 §7.1's example access token and its ath.
        assert_eq!(access_token_hash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
    }
}
