//! Signed push notifications (A2A style): an `Authorization: Bearer <jwt>` whose
//! `request_body_sha256` claim binds the token to the raw request body.
//!
//! As for assertions, a profile is (a) derived [`VerifyOptions`] and (b) the checks they
//! cannot express ([`WebhookOptions::check`]), so a host backend can verify the signature in
//! between. Replay (`jti` single use) is the caller's; the check says until when to remember.
//!
//! Error choices: a missing `request_body_sha256` is a claim error (`missing`), like every
//! other required claim; one that is not 64 lowercase hex digits is `invalid`; a well-formed
//! hash of some other body is `ERR_WEBHOOK_BODY_MISMATCH`, which names the claim too
//! (`check_failed`, as `ERR_JWT_REPLAYED` names `jti`), so that it carries the payload.

use crate::claims::{accepted_until, optional_jti, refused_from_at_most};
use crate::crypto::SignatureVerifier;
use crate::error::{ClaimReason, ErrorCode, JoseError, Result};
use crate::json_view::{JsonObject, Member};
use crate::jwks::KeySet;
use crate::options::{read, ClaimOptions, OptionError, OptionValue, Part, Reader, ReplayOptions, TokenOptions, VerifyOptions};
use crate::replay::Replay;
use crate::verify::{self, Checked, Profile};
use sha2::{Digest, Sha256};

pub const BODY_HASH_CLAIM: &str = "request_body_sha256";
pub const DEFAULT_MAX_AGE: f64 = 300.0;

/// The members of `WebhookOptions` that only webhooks have.
#[derive(Debug, Clone, Default)]
struct WebhookSettings {
    /// Seconds `iat` may differ from now, in either direction (plus `clockTolerance`).
    /// Default 300.
    max_age: Option<f64>,
    /// Makes `jti` required. Default: true when a `replay` store is given.
    require_jti: Option<bool>,
}

impl Part for WebhookSettings {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = WebhookSettings::default();
        reader.members(&["maxAge", "requireJti"], &mut |name, v| {
            match name {
                "maxAge" => o.max_age = Some(crate::duration::seconds(v)?),
                "requireJti" => o.require_jti = Some(read::boolean(v)?),
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

/// `WebhookOptions` of API.md (`VerifyOptions` & `{ maxAge?, replay? }`), resolved. The
/// derived `VerifyOptions` also require `iat`, `request_body_sha256`, and `jti` when a replay
/// store is given.
#[derive(Debug, Clone)]
pub struct WebhookOptions {
    pub verify: VerifyOptions,
    pub max_age: f64,
    pub replay: ReplayOptions,
}

/// What the webhook checks established about a verified notification.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub jti: Option<String>,
    /// The single-use check to make (with a replay store and a `jti`), scoped by `iss`.
    pub replay: Option<Replay>,
}

impl WebhookOptions {
    pub fn read(value: &OptionValue) -> std::result::Result<WebhookOptions, OptionError> {
        let reader = Reader::new(value)?;
        let token: TokenOptions = reader.part()?;
        let claims: ClaimOptions = reader.part()?;
        let settings: WebhookSettings = reader.part()?;
        let replay: ReplayOptions = reader.part()?;
        reader.finish()?;
        token.validate()?;
        replay.validate()?;
        let max_age = settings.max_age.unwrap_or(DEFAULT_MAX_AGE);
        if max_age <= 0.0 {
            return Err(OptionError::new("maxAge", "must be a positive number of seconds"));
        }
        let mut verify = VerifyOptions::resolve(token, claims, 0.0);
        let require_jti = settings.require_jti.unwrap_or(replay.replay.is_some());
        for claim in ["iat", BODY_HASH_CLAIM].into_iter().chain(require_jti.then_some("jti")) {
            if !verify.required_claims.iter().any(|c| c == claim) {
                verify.required_claims.push(claim.to_owned());
            }
        }
        Ok(WebhookOptions { verify, max_age, replay })
    }

    /// For native callers and tests: the options as JSON.
    pub fn from_json(json: &serde_json::Value) -> std::result::Result<WebhookOptions, OptionError> {
        WebhookOptions::read(&OptionValue::from_json(json))
    }

    /// The profile the pipeline runs for a notification with this raw body.
    pub fn for_body<'a>(&'a self, body: &'a [u8]) -> BodyCheck<'a> {
        BodyCheck { options: self, body }
    }
}

/// A webhook's profile for one request body (see [`WebhookOptions::for_body`]).
pub struct BodyCheck<'a> {
    options: &'a WebhookOptions,
    body: &'a [u8],
}

impl Profile for BodyCheck<'_> {
    type Outcome = Outcome;

    fn verify_options(&self) -> &VerifyOptions {
        &self.options.verify
    }

    fn check<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, _: &H, claims: &C, now: f64) -> Result<Outcome> {
        self.options.check(claims, self.body, now)
    }
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
    /// On a token that passed the derived `VerifyOptions`: `iat` within `maxAge` both ways,
    /// then the body hash.
    fn check(&self, payload: &(impl JsonObject + ?Sized), body: &[u8], now: f64) -> Result<Outcome> {
        let tolerance = self.verify.clock_tolerance;
        let now = now.floor();
        let iat = match payload.member("iat") {
            Some(Member::Num(n)) if n.is_finite() => n,
            Some(_) => return Err(JoseError::claim_failed("iat", ClaimReason::Invalid, "\"iat\" claim must be a number")),
            None => return Err(JoseError::claim_failed("iat", ClaimReason::Missing, "missing required \"iat\" claim")),
        };
        if iat < now - self.max_age - tolerance {
            return Err(JoseError::claim(ErrorCode::JwtExpired, "iat", ClaimReason::CheckFailed, format!("\"iat\" claim timestamp check failed (more than {} seconds in the past)", crate::quote::number_text(self.max_age))));
        }
        if iat > now + self.max_age + tolerance {
            return Err(JoseError::claim_failed("iat", ClaimReason::CheckFailed, format!("\"iat\" claim timestamp check failed (more than {} seconds in the future)", crate::quote::number_text(self.max_age))));
        }

        let claimed = match payload.member(BODY_HASH_CLAIM) {
            Some(Member::Str(hash)) if is_lower_hex_sha256(hash) => hash,
            Some(_) => return Err(JoseError::claim_failed(BODY_HASH_CLAIM, ClaimReason::Invalid, "\"request_body_sha256\" claim must be 64 lowercase hex digits")),
            None => return Err(JoseError::claim_failed(BODY_HASH_CLAIM, ClaimReason::Missing, "missing required \"request_body_sha256\" claim")),
        };
        if claimed != body_sha256_hex(body) {
            return Err(JoseError::claim(ErrorCode::WebhookBodyMismatch, BODY_HASH_CLAIM, ClaimReason::CheckFailed, "the request body does not match the token's \"request_body_sha256\" claim"));
        }

        let jti = optional_jti(payload)?;
        let replay = match (&jti, self.replay.replay) {
            (Some(jti), Some(_)) => {
                // Accepted while floor(now) <= iat + maxAge + tolerance, and the claims' own bounds.
                let window = refused_from_at_most(iat + self.max_age + tolerance);
                let expires_at = accepted_until(payload, &self.verify).map_or(window, |until| until.min(window));
                // The scope: `iss`, "" when absent; any other value would share the absent one's.
                let scope = match payload.member("iss") {
                    None => "",
                    Some(Member::Str(iss)) => iss,
                    Some(_) => return Err(JoseError::claim_failed("iss", ClaimReason::Invalid, "\"iss\" claim must be a string (it scopes the replay check)")),
                };
                Some(Replay::new(scope, jti, expires_at, now))
            }
            _ => None,
        };
        Ok(Outcome { jti, replay })
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
) -> Result<Checked<Outcome>> {
    let token = bearer_token(authorization)?;
    verify::run(token, keys, &options.for_body(body), now, |c| backend.verify(c.alg, c.key, c.signing_input, c.signature))
}
