//! Registered-claim validation with jose's order and codes. A claim that is absent and one
//! that is present but malformed are kept apart (`missing` vs `invalid`).

use crate::error::{ClaimReason, ErrorCode, JoseError, Result};
use crate::options::{OneOrMany, VerifyOptions};
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

/// The claims [`validate`] and the profiles read (an [`crate::json_view::ObjectView`] of the
/// payload captures them).
pub const CLAIM_MEMBERS: &[&str] = &["iss", "sub", "aud", "iat", "nbf", "exp", "jti", "request_body_sha256", "client_id", "scope", "htm", "htu", "ath", "nonce"];

/// Time checks compare whole seconds: `floor(now)`. For a rule that accepts while
/// `floor(now) < bound`, the first instant it refuses is `ceil(bound)`.
pub fn refused_from_below(bound: f64) -> f64 {
    bound.ceil()
}

/// For a rule that accepts while `floor(now) <= bound`: `floor(bound) + 1`.
pub fn refused_from_at_most(bound: f64) -> f64 {
    bound.floor() + 1.0
}

/// The first instant (seconds) at which [`validate`]'s time rules refuse these claims,
/// whatever the clock says after: `exp` (accepted while `floor(now) < exp + tolerance`) and
/// `maxTokenAge` (while `floor(now) <= iat + maxTokenAge + tolerance`). `None`: unbounded.
pub fn accepted_until(payload: &(impl JsonObject + ?Sized), options: &VerifyOptions) -> Option<f64> {
    let tolerance = options.clock_tolerance;
    let exp = number(payload, "exp").ok().flatten().map(|exp| refused_from_below(exp + tolerance));
    let age = match (options.max_token_age, number(payload, "iat").ok().flatten()) {
        (Some(max_age), Some(iat)) => Some(refused_from_at_most(iat + max_age + tolerance)),
        _ => None,
    };
    match (exp, age) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One rule of [`validate`], in the order they run (jose's order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule<'o> {
    Typ,
    Present(&'o str),
    Iss,
    Sub,
    Aud,
    AudCount,
    IatType,
    Nbf,
    Exp,
    MaxTokenAge,
}

impl Rule<'_> {
    /// The claim (or header parameter, for `typ`) the rule is about.
    pub fn claim(&self) -> &str {
        match self {
            Rule::Typ => "typ",
            Rule::Present(claim) => claim,
            Rule::Iss => "iss",
            Rule::Sub => "sub",
            Rule::Aud | Rule::AudCount => "aud",
            Rule::IatType | Rule::MaxTokenAge => "iat",
            Rule::Nbf => "nbf",
            Rule::Exp => "exp",
        }
    }

    /// A name for the rule, unique among the rules of one set of options (but for a claim
    /// both implied and listed in `requiredClaims`).
    pub fn id(&self) -> String {
        match self {
            Rule::Typ => "typ".to_owned(),
            Rule::Present(claim) => format!("{claim}_required"),
            Rule::Iss => "iss".to_owned(),
            Rule::Sub => "sub".to_owned(),
            Rule::Aud => "aud".to_owned(),
            Rule::AudCount => "aud_count".to_owned(),
            Rule::IatType => "iat".to_owned(),
            Rule::Nbf => "nbf".to_owned(),
            Rule::Exp => "exp".to_owned(),
            Rule::MaxTokenAge => "max_token_age".to_owned(),
        }
    }

    /// The option values the rule compares the token with, if any.
    pub fn expected<'o>(&self, options: &'o VerifyOptions) -> Option<&'o [String]> {
        match self {
            Rule::Typ => options.typ.as_ref().map(std::slice::from_ref),
            Rule::Iss => options.issuer.as_ref().map(OneOrMany::as_slice),
            Rule::Sub => options.subject.as_ref().map(std::slice::from_ref),
            Rule::Aud => options.audience.as_ref().map(OneOrMany::as_slice),
            _ => None,
        }
    }

    /// What the rule checks, in words (for `explainClaims`).
    pub fn describe(&self) -> &'static str {
        match self {
            Rule::Typ => "header typ equals the typ option",
            Rule::Present(_) => "present (required by the options)",
            Rule::Iss => "equals one of the issuer option",
            Rule::Sub => "equals the subject option",
            Rule::Aud => "contains one of the audience option",
            Rule::AudCount => "a single value (allowMultipleAudiences: false)",
            Rule::IatType => "a number when present",
            Rule::Nbf => "not in the future (nbf <= now + clockTolerance)",
            Rule::Exp => "not expired (exp > now - clockTolerance)",
            Rule::MaxTokenAge => "iat within maxTokenAge of now (and not in the future)",
        }
    }
}

/// The rules `options` switch on, in the order [`validate`] runs them.
pub fn rules(options: &VerifyOptions) -> Vec<Rule<'_>> {
    // Sized once: every rule below at most once, plus the required claims.
    let mut rules = Vec::with_capacity(13 + options.required_claims.len());
    if options.typ.is_some() {
        rules.push(Rule::Typ);
    }
    let implied = [(options.issuer.is_some(), "iss"), (options.subject.is_some(), "sub"), (options.audience.is_some(), "aud"), (options.max_token_age.is_some(), "iat")];
    rules.extend(implied.iter().filter(|(on, _)| *on).map(|(_, claim)| Rule::Present(claim)));
    rules.extend(options.required_claims.iter().rev().map(|c| Rule::Present(c.as_str())));
    if options.issuer.is_some() {
        rules.push(Rule::Iss);
    }
    if options.subject.is_some() {
        rules.push(Rule::Sub);
    }
    if options.audience.is_some() {
        rules.push(Rule::Aud);
    }
    if !options.allow_multiple_audiences {
        rules.push(Rule::AudCount);
    }
    rules.extend([Rule::IatType, Rule::Nbf, Rule::Exp]);
    if options.max_token_age.is_some() {
        rules.push(Rule::MaxTokenAge);
    }
    rules
}

/// Checks the claims of a verified token against `options`, with `now` in seconds: the first
/// rule of [`rules`] that fails.
pub fn validate(header: &dyn JsonObject, payload: &dyn JsonObject, options: &VerifyOptions, now: f64) -> Result<()> {
    rules(options).into_iter().try_for_each(|rule| check(rule, header, payload, options, now))
}

/// One rule on one token. (`dyn`: one copy for parsed views and JSON maps alike.)
pub fn check(rule: Rule, header: &dyn JsonObject, payload: &dyn JsonObject, options: &VerifyOptions, now: f64) -> Result<()> {
    let tolerance = options.clock_tolerance;
    let now = now.floor();
    match rule {
        Rule::Typ => {
            let expected = options.typ.as_deref().unwrap_or_default();
            if !header.str_member("typ").is_some_and(|t| normalize_typ(t) == normalize_typ(expected)) {
                return Err(JoseError::claim_failed("typ", ClaimReason::CheckFailed, format!("unexpected \"typ\" JWT header value (expected {})", crate::quote::quoted(expected))));
            }
        }
        Rule::Present(claim) => {
            if !payload.has(claim) {
                return Err(JoseError::claim_failed(claim, ClaimReason::Missing, format!("missing required {} claim", crate::quote::quoted(claim))));
            }
        }
        Rule::Iss => {
            let issuers = options.issuer.as_ref().map(OneOrMany::as_slice).unwrap_or_default();
            if !payload.str_member("iss").is_some_and(|iss| issuers.iter().any(|e| e == iss)) {
                return Err(JoseError::claim_failed("iss", ClaimReason::CheckFailed, "unexpected \"iss\" claim value"));
            }
        }
        Rule::Sub => {
            if payload.str_member("sub") != options.subject.as_deref() {
                return Err(JoseError::claim_failed("sub", ClaimReason::CheckFailed, "unexpected \"sub\" claim value"));
            }
        }
        Rule::Aud => {
            let expected = options.audience.as_ref().map(OneOrMany::as_slice).unwrap_or_default();
            if !audience_matches(payload.member("aud"), expected) {
                return Err(JoseError::claim_failed("aud", ClaimReason::CheckFailed, "unexpected \"aud\" claim value"));
            }
        }
        Rule::AudCount => check_audience_count(payload, false)?,
        Rule::IatType => {
            number(payload, "iat")?;
        }
        Rule::Nbf => {
            if let Some(nbf) = number(payload, "nbf")? {
                if nbf > now + tolerance {
                    return Err(JoseError::claim_failed("nbf", ClaimReason::CheckFailed, "\"nbf\" claim timestamp check failed (the token is not yet valid)"));
                }
            }
        }
        Rule::Exp => {
            if let Some(exp) = number(payload, "exp")? {
                if exp <= now - tolerance {
                    return Err(JoseError::claim(ErrorCode::JwtExpired, "exp", ClaimReason::CheckFailed, "\"exp\" claim timestamp check failed (the token has expired)"));
                }
            }
        }
        // A maxTokenAge of 0 is a bound like any other (jose 6 checks `!== undefined`, not truthiness).
        Rule::MaxTokenAge => {
            let max_age = options.max_token_age.unwrap_or(f64::INFINITY);
            let age = now - number(payload, "iat")?.unwrap_or(f64::NAN);
            if age - tolerance > max_age {
                return Err(JoseError::claim(ErrorCode::JwtExpired, "iat", ClaimReason::CheckFailed, "\"iat\" claim timestamp check failed (too far in the past)"));
            }
            if age < -tolerance {
                return Err(JoseError::claim_failed("iat", ClaimReason::CheckFailed, "\"iat\" claim timestamp check failed (it should be in the past)"));
            }
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
