//! Registered-claim validation with jose's order and codes. A claim that is absent and one
//! that is present but malformed are kept apart (`missing` vs `invalid`).

use crate::error::{ClaimReason, ErrorCode, JoseError, Result};
use crate::options::VerifyOptions;
use crate::json_view::{JsonObject, Member};

/// `typ` values compare case-insensitively, with the `application/` prefix optional.
pub fn normalize_typ(value: &str) -> String {
    let lower = value.to_ascii_lowercase();
    if lower.contains('/') {
        lower
    } else {
        format!("application/{lower}")
    }
}

fn audience_matches(aud: Option<Member>, expected: &[String]) -> bool {
    match aud {
        Some(Member::Str(a)) => expected.iter().any(|e| e == a),
        Some(Member::Array(items)) => expected.iter().any(|e| items.strings().any(|i| i == Some(e.as_str()))),
        _ => false,
    }
}

fn number(payload: &(impl JsonObject + ?Sized), claim: &str) -> Result<Option<f64>> {
    match payload.member(claim) {
        None => Ok(None),
        Some(Member::Num(n)) => Ok(Some(n)),
        Some(_) => Err(JoseError::claim_failed(claim, ClaimReason::Invalid, format!("\"{claim}\" claim must be a number"))),
    }
}

/// The `jti` claim of a profile with single use: absent, or a non-empty string.
pub fn optional_jti(payload: &(impl JsonObject + ?Sized)) -> Result<Option<String>> {
    match payload.member("jti") {
        None => Ok(None),
        Some(Member::Str(jti)) if !jti.is_empty() => Ok(Some(jti.to_owned())),
        Some(_) => Err(JoseError::claim_failed("jti", ClaimReason::Invalid, "\"jti\" claim must be a non-empty string")),
    }
}

/// The members [`validate`] reads from the header and from the claims (an
/// [`crate::json_view::ObjectView`] must capture them).
pub const HEADER_MEMBERS: &[&str] = &["typ"];
pub const CLAIM_MEMBERS: &[&str] = &["iss", "sub", "aud", "iat", "nbf", "exp"];

/// Checks the claims of a verified token against `options`, with `now` in seconds.
pub fn validate(header: &(impl JsonObject + ?Sized), payload: &(impl JsonObject + ?Sized), options: &VerifyOptions, now: f64) -> Result<()> {
    if let Some(expected) = &options.typ {
        let ok = header.str_member("typ").is_some_and(|t| normalize_typ(t) == normalize_typ(expected));
        if !ok {
            return Err(JoseError::claim_failed("typ", ClaimReason::CheckFailed, format!("unexpected \"typ\" JWT header value (expected \"{expected}\")")));
        }
    }

    let mut presence: Vec<&str> = Vec::new();
    if options.issuer.is_some() {
        presence.push("iss");
    }
    if options.subject.is_some() {
        presence.push("sub");
    }
    if options.audience.is_some() {
        presence.push("aud");
    }
    if options.max_token_age.is_some() {
        presence.push("iat");
    }
    presence.extend(options.required_claims.iter().rev().map(String::as_str));
    for claim in presence {
        if !payload.has(claim) {
            return Err(JoseError::claim_failed(claim, ClaimReason::Missing, format!("missing required \"{claim}\" claim")));
        }
    }

    if let Some(issuers) = &options.issuer {
        let iss = payload.str_member("iss");
        if !iss.is_some_and(|iss| issuers.as_slice().iter().any(|e| e == iss)) {
            return Err(JoseError::claim_failed("iss", ClaimReason::CheckFailed, "unexpected \"iss\" claim value"));
        }
    }
    if let Some(subject) = &options.subject {
        if payload.str_member("sub") != Some(subject.as_str()) {
            return Err(JoseError::claim_failed("sub", ClaimReason::CheckFailed, "unexpected \"sub\" claim value"));
        }
    }
    if let Some(audience) = &options.audience {
        if !audience_matches(payload.member("aud"), audience.as_slice()) {
            return Err(JoseError::claim_failed("aud", ClaimReason::CheckFailed, "unexpected \"aud\" claim value"));
        }
    }
    check_audience_count(payload, options.allow_multiple_audiences)?;

    let tolerance = options.clock_tolerance;
    let now = now.floor();
    let iat = number(payload, "iat")?;
    if let Some(nbf) = number(payload, "nbf")? {
        if nbf > now + tolerance {
            return Err(JoseError::claim_failed("nbf", ClaimReason::CheckFailed, "\"nbf\" claim timestamp check failed (the token is not yet valid)"));
        }
    }
    if let Some(exp) = number(payload, "exp")? {
        if exp <= now - tolerance {
            return Err(JoseError::claim(ErrorCode::JwtExpired, "exp", ClaimReason::CheckFailed, "\"exp\" claim timestamp check failed (the token has expired)"));
        }
    }
    // A maxTokenAge of 0 is a bound like any other (jose 6 checks `!== undefined`, not truthiness).
    if let Some(max_age) = options.max_token_age {
        let iat = iat.unwrap_or(f64::NAN);
        let age = now - iat;
        if age - tolerance > max_age {
            return Err(JoseError::claim(ErrorCode::JwtExpired, "iat", ClaimReason::CheckFailed, "\"iat\" claim timestamp check failed (too far in the past)"));
        }
        if age < -tolerance {
            return Err(JoseError::claim_failed("iat", ClaimReason::CheckFailed, "\"iat\" claim timestamp check failed (it should be in the past)"));
        }
    }
    Ok(())
}

/// `allowMultipleAudiences: false` rejects an `aud` array of more than one value.
pub fn check_audience_count(payload: &(impl JsonObject + ?Sized), allow_multiple: bool) -> Result<()> {
    if allow_multiple {
        return Ok(());
    }
    if let Some(Member::Array(items)) = payload.member("aud") {
        if items.len() > 1 {
            return Err(JoseError::claim_failed("aud", ClaimReason::MultipleAudiences, format!("\"aud\" has {} values; exactly one audience is required", items.len())));
        }
    }
    Ok(())
}
