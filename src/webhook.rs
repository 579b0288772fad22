//! Signed push notifications (A2A style): an `Authorization: Bearer <jwt>` whose
//! `request_body_sha256` claim binds the token to the raw request body.
//!
//! As for assertions, a profile is (a) derived [`VerifyOptions`] and (b) the checks they
//! cannot express ([`WebhookOptions::check`]), so a host backend can verify the signature in
//! between. Replay (`jti` single use) is the caller's; the check says until when to remember.
//!
//! Error choices: a missing `request_body_sha256` is a claim error (`missing`), like every
//! other required claim; one that is not 64 lowercase hex digits is `invalid`; a well-formed
//! hash of some other body is `ERR_WEBHOOK_BODY_MISMATCH`.

use crate::claims::optional_jti;
use crate::crypto::SignatureVerifier;
use crate::error::{ClaimReason, ErrorCode, JoseError, Result};
use crate::jwks::KeySet;
use crate::options::VerifyOptions;
use crate::verify::{self, Verified};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

pub const BODY_HASH_CLAIM: &str = "request_body_sha256";
pub const DEFAULT_MAX_AGE: f64 = 300.0;

/// `WebhookOptions`: every `VerifyOptions` member, plus the webhook's own.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookOptions {
    #[serde(flatten)]
    pub verify: VerifyOptions,
    /// Seconds `iat` may differ from now, in either direction (plus `clockTolerance`).
    /// Default 300.
    #[serde(default = "default_max_age", deserialize_with = "crate::duration::seconds")]
    pub max_age: f64,
    /// Makes `jti` required. The JS layer sets it when a replay store is given.
    #[serde(default)]
    pub require_jti: bool,
}

fn default_max_age() -> f64 {
    DEFAULT_MAX_AGE
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions { verify: VerifyOptions::default(), max_age: DEFAULT_MAX_AGE, require_jti: false }
    }
}

/// What the webhook checks established about a verified notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub jti: Option<String>,
    /// Until when (seconds) this token would still be accepted, so until when its `jti` must
    /// be remembered: the earlier of `iat + maxAge` and `exp`, plus the tolerance.
    pub replay_until: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct VerifiedWebhook {
    pub verified: Verified,
    pub outcome: Outcome,
}

/// The token of an `Authorization: Bearer <jwt>` value (scheme case-insensitive, RFC 7235).
pub fn bearer_token(authorization: &str) -> Result<&str> {
    let value = authorization.trim_matches(|c| c == ' ' || c == '\t');
    let malformed = || JoseError::jws_invalid("the Authorization header must be \"Bearer <jwt>\"");
    let (scheme, token) = value.split_once(' ').ok_or_else(malformed)?;
    let token = token.trim_start_matches(' ');
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() || token.contains([' ', '\t']) {
        return Err(malformed());
    }
    Ok(token)
}

/// Lowercase hex SHA-256 of the raw body bytes.
pub fn body_sha256_hex(body: &[u8]) -> String {
    Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect()
}

fn is_lower_hex_sha256(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl WebhookOptions {
    /// Option errors a caller must fix (reported as a `TypeError` by the bindings).
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.max_age <= 0.0 {
            return Err("maxAge must be a positive number of seconds".into());
        }
        Ok(())
    }

    /// The caller's `VerifyOptions` with `iat` and `request_body_sha256` (and `jti` when
    /// required) added to `requiredClaims`.
    pub fn verify_options(&self) -> VerifyOptions {
        let mut options = self.verify.clone();
        let mut add = |claim: &str| {
            if !options.required_claims.iter().any(|c| c == claim) {
                options.required_claims.push(claim.to_owned());
            }
        };
        add("iat");
        add(BODY_HASH_CLAIM);
        if self.require_jti {
            add("jti");
        }
        options
    }

    /// On a token that passed `verify_options()`: `iat` within `maxAge` both ways, then the
    /// body hash.
    pub fn check(&self, payload: &Map<String, Value>, body: &[u8], now: f64) -> Result<Outcome> {
        let tolerance = self.verify.clock_tolerance;
        let now = now.floor();
        let iat = match payload.get("iat") {
            Some(Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => n.as_f64().unwrap_or_default(),
            Some(_) => return Err(JoseError::claim_failed("iat", ClaimReason::Invalid, "\"iat\" claim must be a number")),
            None => return Err(JoseError::claim_failed("iat", ClaimReason::Missing, "missing required \"iat\" claim")),
        };
        if iat < now - self.max_age - tolerance {
            return Err(JoseError::claim(ErrorCode::JwtExpired, "iat", ClaimReason::CheckFailed, format!("\"iat\" claim timestamp check failed (more than {} seconds in the past)", self.max_age)));
        }
        if iat > now + self.max_age + tolerance {
            return Err(JoseError::claim_failed("iat", ClaimReason::CheckFailed, format!("\"iat\" claim timestamp check failed (more than {} seconds in the future)", self.max_age)));
        }

        let claimed = match payload.get(BODY_HASH_CLAIM) {
            Some(Value::String(hash)) if is_lower_hex_sha256(hash) => hash,
            Some(_) => return Err(JoseError::claim_failed(BODY_HASH_CLAIM, ClaimReason::Invalid, "\"request_body_sha256\" claim must be 64 lowercase hex digits")),
            None => return Err(JoseError::claim_failed(BODY_HASH_CLAIM, ClaimReason::Missing, "missing required \"request_body_sha256\" claim")),
        };
        if *claimed != body_sha256_hex(body) {
            return Err(JoseError::new(ErrorCode::WebhookBodyMismatch, "the request body does not match the token's \"request_body_sha256\" claim"));
        }

        let jti = optional_jti(payload)?;
        let exp = payload.get("exp").and_then(Value::as_f64);
        let accepted_until = exp.map_or(iat + self.max_age, |exp| exp.min(iat + self.max_age)) + tolerance;
        let replay_until = jti.as_ref().map(|_| accepted_until);
        Ok(Outcome { jti, replay_until })
    }
}

/// The whole check with one synchronous backend. Replay is left to the caller.
pub fn verify_webhook(
    authorization: &str,
    body: &[u8],
    keys: &KeySet,
    options: &WebhookOptions,
    now: f64,
    backend: &dyn SignatureVerifier,
) -> Result<VerifiedWebhook> {
    let token = bearer_token(authorization)?;
    let verified = verify::verify(token, keys, &options.verify_options(), now, backend)?;
    let outcome = options.check(&verified.payload, body, now)?;
    Ok(VerifiedWebhook { verified, outcome })
}
