//! RFC 7523 §3 / OIDC Core §9 client assertions (`private_key_jwt`, `client_secret_jwt`) on
//! top of [`crate::verify`].
//!
//! A profile is (a) the [`VerifyOptions`] it derives for the key set the assertion is routed
//! to, and (b) the checks that VerifyOptions cannot express, run on the verified token
//! ([`AssertionOptions::check`]). That split lets a host backend verify the signature in
//! between, exactly as for `verifyJwt`. Replay (`jti` single use) is the caller's: the check
//! says until when the `jti` must be remembered.

use crate::claims::{normalize_typ, optional_jti};
use crate::crypto::SignatureVerifier;
use crate::error::{ClaimReason, JoseError, Result};
use crate::jwks::KeySet;
use crate::options::{OneOrMany, VerifyOptions};
use crate::token::{parse_claims, UntrustedToken};
use crate::verify::{self, Verified};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const DEFAULT_MAX_LIFETIME: f64 = 300.0;
pub const DEFAULT_CLOCK_TOLERANCE: f64 = 30.0;
/// `typ` values an assertion may carry (compared as `claims::normalize_typ` does).
const ACCEPTED_TYP: [&str; 2] = ["JWT", "client-authentication+jwt"];

/// Which audience rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    /// Exactly one `aud` value (a string or a one-element array): Keycloak 26.2, rfc7523bis.
    #[default]
    Strict,
    /// RFC 7523 as published: any `aud` array that contains an expected value.
    Rfc7523,
}

/// A trusted external issuer whose tokens may authenticate the client (workload identity).
/// Its keys stay with the caller; the core only knows the rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FederatedIdentity {
    pub issuer: String,
    /// The `sub` the issuer gives this client's workload. Default: the client id.
    #[serde(default)]
    pub subject: Option<String>,
    /// Replaces `AssertionOptions::audience` for this issuer's tokens.
    #[serde(default)]
    pub audience: Option<OneOrMany>,
    /// Replaces `AssertionOptions::max_lifetime` (a Kubernetes service-account token lives
    /// 10 minutes at least).
    #[serde(default, deserialize_with = "crate::duration::optional_seconds")]
    pub max_lifetime: Option<f64>,
    /// Default `true`: the `jti` rules of the client assertion apply. `false`: the token is a
    /// reusable workload credential; no `jti` is required and none is marked used.
    #[serde(default = "crate::options::yes")]
    pub single_use: bool,
}

/// `AssertionOptions` of API.md, minus `keys` and `replay` (the caller's objects).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssertionOptions {
    pub client_id: String,
    /// The server's issuer identifier and/or token endpoint URL.
    pub audience: OneOrMany,
    /// Default: every asymmetric algorithm; list `HS256` for `client_secret_jwt`.
    #[serde(default)]
    pub algorithms: Option<Vec<String>>,
    /// Default `strict`.
    #[serde(default)]
    pub profile: Profile,
    /// Overrides the profile's audience rule when set.
    #[serde(default)]
    pub allow_multiple_audiences: Option<bool>,
    /// Seconds `exp` may lie after `iat` (after now, plus tolerance, without `iat`). Default 300.
    #[serde(default = "default_max_lifetime", deserialize_with = "crate::duration::seconds")]
    pub max_lifetime: f64,
    /// Seconds of leeway for every comparison with the server's clock. Default 30.
    #[serde(default = "default_clock_tolerance", deserialize_with = "crate::duration::seconds")]
    pub clock_tolerance: f64,
    /// Default `true`.
    #[serde(default = "crate::options::yes")]
    pub require_jti: bool,
    #[serde(default)]
    pub federated: Vec<FederatedIdentity>,
    /// Filled in by the caller from the host clock; unused by the core (time is a parameter).
    #[serde(default)]
    pub current_date: Option<f64>,
    #[serde(default)]
    pub crit: BTreeMap<String, bool>,
    #[serde(default = "crate::options::default_max_token_length")]
    pub max_token_length: usize,
    #[serde(default = "crate::options::default_max_candidates")]
    pub max_candidates: usize,
}

fn default_max_lifetime() -> f64 {
    DEFAULT_MAX_LIFETIME
}
fn default_clock_tolerance() -> f64 {
    DEFAULT_CLOCK_TOLERANCE
}

/// Which key set verifies an assertion: the client's own, or a federated issuer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Client,
    Federated(usize),
}

/// What the profile checks established about a verified assertion.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub client_id: String,
    pub jti: Option<String>,
    pub federated: bool,
    /// When the `jti` must be marked used: until this time (seconds) the assertion would
    /// still be accepted (`exp` plus the clock tolerance). `None`: no single-use check.
    pub replay_until: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct VerifiedAssertion {
    pub verified: Verified,
    pub outcome: Outcome,
}

/// The rules of one route, resolved from the options.
struct RouteRules<'a> {
    issuer: &'a str,
    subject: &'a str,
    audience: &'a OneOrMany,
    max_lifetime: f64,
    require_jti: bool,
    single_use: bool,
}

impl AssertionOptions {
    /// Option errors a caller must fix (reported as a `TypeError` by the bindings).
    pub fn validate(&self) -> std::result::Result<(), String> {
        if self.client_id.is_empty() {
            return Err("clientId must be a non-empty string".into());
        }
        if self.audience.as_slice().is_empty() || self.audience.as_slice().iter().any(String::is_empty) {
            return Err("audience must be a non-empty string or array of non-empty strings".into());
        }
        // Durations are finite (see `duration`), so plain comparisons suffice.
        if self.max_lifetime <= 0.0 || self.clock_tolerance < 0.0 {
            return Err("maxLifetime must be positive and clockTolerance not negative".into());
        }
        for (i, entry) in self.federated.iter().enumerate() {
            if entry.issuer.is_empty() {
                return Err(format!("federated[{i}].issuer must be a non-empty string"));
            }
            if entry.audience.as_ref().is_some_and(|a| a.as_slice().is_empty()) {
                return Err(format!("federated[{i}].audience must not be empty"));
            }
            if entry.max_lifetime.is_some_and(|m| m <= 0.0) {
                return Err(format!("federated[{i}].maxLifetime must be positive"));
            }
        }
        Ok(())
    }

    /// Picks the key set from the (unverified) `iss`: a federated issuer's entry when `iss`
    /// names one (the entry whose subject equals `sub` first), else the client's keys. The
    /// choice is safe to make before verification because the derived options then require
    /// `iss` (and `sub`) to be exactly what the route expects. A token that cannot be read
    /// goes to the client route, where `verify` reports what is wrong with it.
    pub fn route(&self, token: &str) -> Route {
        let Ok(parsed) = UntrustedToken::parse(token, self.max_token_length) else { return Route::Client };
        let Ok(claims) = parse_claims(parsed.payload()) else { return Route::Client };
        let Some(iss) = claims.get("iss").and_then(Value::as_str) else { return Route::Client };
        let sub = claims.get("sub").and_then(Value::as_str);
        let mut by_issuer = self.federated.iter().enumerate().filter(|(_, f)| f.issuer == iss);
        let first = by_issuer.clone().next();
        let exact = by_issuer.find(|(_, f)| Some(f.subject.as_deref().unwrap_or(&self.client_id)) == sub);
        match exact.or(first) {
            Some((index, _)) => Route::Federated(index),
            None => Route::Client,
        }
    }

    fn rules(&self, route: Route) -> RouteRules<'_> {
        match route.federated_entry(self) {
            None => RouteRules {
                issuer: &self.client_id,
                subject: &self.client_id,
                audience: &self.audience,
                max_lifetime: self.max_lifetime,
                require_jti: self.require_jti,
                single_use: true,
            },
            Some(entry) => RouteRules {
                issuer: &entry.issuer,
                subject: entry.subject.as_deref().unwrap_or(&self.client_id),
                audience: entry.audience.as_ref().unwrap_or(&self.audience),
                max_lifetime: entry.max_lifetime.unwrap_or(self.max_lifetime),
                require_jti: self.require_jti && entry.single_use,
                single_use: entry.single_use,
            },
        }
    }

    fn allow_multiple_audiences(&self) -> bool {
        self.allow_multiple_audiences.unwrap_or(self.profile == Profile::Rfc7523)
    }

    /// The `VerifyOptions` for `route`: `iss` = the route's issuer, `sub` = its subject,
    /// `aud` one of its audiences under the profile's count rule, `exp` (and `jti`) required.
    pub fn verify_options(&self, route: Route) -> VerifyOptions {
        let rules = self.rules(route);
        let mut required_claims = vec!["exp".to_owned()];
        if rules.require_jti {
            required_claims.push("jti".to_owned());
        }
        VerifyOptions {
            algorithms: self.algorithms.clone(),
            issuer: Some(OneOrMany::One(rules.issuer.to_owned())),
            audience: Some(rules.audience.clone()),
            allow_multiple_audiences: self.allow_multiple_audiences(),
            subject: Some(rules.subject.to_owned()),
            typ: None,
            required_claims,
            clock_tolerance: self.clock_tolerance,
            max_token_age: None,
            current_date: None,
            crit: self.crit.clone(),
            max_token_length: self.max_token_length,
            max_candidates: self.max_candidates,
        }
    }

    /// The rules VerifyOptions cannot express, on a token that passed `verify_options(route)`:
    /// `typ`, `jti` form, `iat` not in the future, and the lifetime bound.
    pub fn check(&self, header: &Map<String, Value>, payload: &Map<String, Value>, route: Route, now: f64) -> Result<Outcome> {
        let rules = self.rules(route);
        let tolerance = self.clock_tolerance;
        let now = now.floor();
        check_typ(header)?;
        let jti = optional_jti(payload)?;
        let iat = number(payload, "iat")?;
        if let Some(iat) = iat {
            if iat > now + tolerance {
                return Err(JoseError::claim_failed("iat", ClaimReason::CheckFailed, "\"iat\" claim timestamp check failed (the assertion is issued in the future)"));
            }
        }
        let Some(exp) = number(payload, "exp")? else {
            return Err(JoseError::claim_failed("exp", ClaimReason::Missing, "missing required \"exp\" claim"));
        };
        // With iat both times come from the client's clock; without it exp meets our clock,
        // so the tolerance applies.
        let (lifetime, allowed, from) = match iat {
            Some(iat) => (exp - iat, rules.max_lifetime, "\"iat\""),
            None => (exp - now, rules.max_lifetime + tolerance, "now"),
        };
        if lifetime > allowed {
            return Err(JoseError::claim_failed(
                "exp",
                ClaimReason::LifetimeTooLong,
                format!("\"exp\" is {lifetime} seconds after {from}; an assertion may live at most {} seconds", rules.max_lifetime),
            ));
        }
        let replay_until = match (&jti, rules.single_use) {
            (Some(_), true) => Some(exp + tolerance),
            _ => None,
        };
        Ok(Outcome { client_id: self.client_id.clone(), jti, federated: matches!(route, Route::Federated(_)), replay_until })
    }
}

impl Route {
    fn federated_entry(self, options: &AssertionOptions) -> Option<&FederatedIdentity> {
        match self {
            Route::Client => None,
            Route::Federated(index) => options.federated.get(index),
        }
    }
}

fn number(payload: &Map<String, Value>, claim: &str) -> Result<Option<f64>> {
    match payload.get(claim) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(_) => Err(JoseError::claim_failed(claim, ClaimReason::Invalid, format!("\"{claim}\" claim must be a number"))),
    }
}

fn check_typ(header: &Map<String, Value>) -> Result<()> {
    match header.get("typ") {
        None => Ok(()),
        Some(Value::String(typ)) if ACCEPTED_TYP.iter().any(|ok| normalize_typ(ok) == normalize_typ(typ)) => Ok(()),
        Some(Value::String(typ)) => Err(JoseError::claim_failed(
            "typ",
            ClaimReason::CheckFailed,
            format!("unexpected \"typ\" JWT header value {} (an assertion's typ is JWT or client-authentication+jwt)", crate::quote::quoted(typ)),
        )),
        Some(_) => Err(JoseError::claim_failed("typ", ClaimReason::Invalid, "\"typ\" JWT header value must be a string")),
    }
}

/// The whole check with one synchronous backend. `federated_keys[i]` holds the keys of
/// `options.federated[i]`. Replay is left to the caller (see [`Outcome::replay_until`]).
pub fn verify_assertion(
    token: &str,
    client_keys: &KeySet,
    federated_keys: &[&KeySet],
    options: &AssertionOptions,
    now: f64,
    backend: &dyn SignatureVerifier,
) -> Result<VerifiedAssertion> {
    let route = options.route(token);
    let keys = match route {
        Route::Client => client_keys,
        Route::Federated(index) => federated_keys
            .get(index)
            .copied()
            .ok_or_else(|| JoseError::jwks_invalid(format!("no key set given for federated identity {index}")))?,
    };
    let verified = verify::verify(token, keys, &options.verify_options(route), now, backend)?;
    let outcome = options.check(&verified.header, &verified.payload, route, now)?;
    Ok(VerifiedAssertion { verified, outcome })
}
