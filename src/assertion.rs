//! RFC 7523 §3 / OIDC Core §9 client assertions (`private_key_jwt`, `client_secret_jwt`) on
//! top of [`crate::verify`].
//!
//! A profile is (a) the [`VerifyOptions`] it derives for the key set the assertion is routed
//! to, and (b) the checks that VerifyOptions cannot express, run on the verified token
//! ([`AssertionOptions::check`]), both run by the one pipeline ([`verify::run`]). Replay
//! (`jti` single use) is the caller's: the outcome says under which key and until when the
//! `jti` must be remembered.

use crate::claims::{accepted_until, normalize_typ, optional_jti, Rule};
use crate::crypto::SignatureVerifier;
use crate::error::{ClaimReason, JoseError, Result};
use crate::json_view::{JsonObject, Member};
use crate::jwks::KeySet;
use crate::replay::Replay;
use crate::options::{read, HostKind, HostValue, OneOrMany, OptionError, OptionValue, Part, Reader, ReplayOptions, TokenOptions, VerifyOptions};
use crate::token::{claims_view, Parts};
use crate::verify::{self, Checked, Profile};
use std::collections::BTreeMap;

pub const DEFAULT_MAX_LIFETIME: f64 = 300.0;
pub const DEFAULT_CLOCK_TOLERANCE: f64 = 30.0;
/// `typ` values an assertion may carry (compared as `claims::normalize_typ` does).
const ACCEPTED_TYP: [&str; 2] = ["JWT", "client-authentication+jwt"];

/// Which audience rule applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AudienceProfile {
    /// Exactly one `aud` value (a string or a one-element array): Keycloak 26.2, rfc7523bis.
    #[default]
    Strict,
    /// RFC 7523 as published: any `aud` array that contains an expected value.
    Rfc7523,
}

/// A trusted external issuer whose tokens may authenticate the client (workload identity).
/// Its keys stay with the caller; the core only knows the rules.
#[derive(Debug, Clone)]
pub struct FederatedIdentity {
    pub issuer: String,
    /// The `sub` the issuer gives this client's workload. Default: the client id.
    pub subject: Option<String>,
    /// Replaces `AssertionOptions::audience` for this issuer's tokens.
    pub audience: Option<OneOrMany>,
    /// Replaces `AssertionOptions::max_lifetime` (a Kubernetes service-account token lives
    /// 10 minutes at least).
    pub max_lifetime: Option<f64>,
    /// Default `true`: the `jti` rules of the client assertion apply. `false`: the token is a
    /// reusable workload credential; no `jti` is required and none is marked used.
    pub single_use: bool,
    /// The issuer's keys (a `KeysInput`; the host resolves it).
    pub keys: HostValue,
}

impl FederatedIdentity {
    fn read(value: &OptionValue) -> Result<FederatedIdentity, OptionError> {
        let (mut issuer, mut subject, mut audience, mut max_lifetime, mut single_use, mut keys) = (None, None, None, None, true, None);
        read::object(value, &["issuer", "subject", "audience", "maxLifetime", "singleUse", "keys"], &mut |name, v| {
            match name {
                "issuer" => issuer = Some(read::string(v)?),
                "subject" => subject = Some(read::string(v)?),
                "audience" => audience = Some(read::one_or_many(v)?),
                "maxLifetime" => max_lifetime = Some(crate::duration::seconds(v)?),
                "singleUse" => single_use = read::boolean(v)?,
                "keys" => keys = Some(read::host(v)?),
                _ => {}
            }
            Ok(())
        })?;
        let issuer = read::required(issuer, "issuer")?;
        let keys = read::required(keys, "keys")?;
        // Empty text, as for clientId and audience, is a configuration slip: it would match an
        // empty claim. (Errors here are named `federated[i].<name>` by `read::list`.)
        if issuer.is_empty() || subject.as_deref() == Some("") {
            return Err(OptionError::new(if issuer.is_empty() { "issuer" } else { "subject" }, "must be a non-empty string"));
        }
        if let Some(audience) = &audience {
            audience.check_names("audience")?;
        }
        check_lifetime("maxLifetime", max_lifetime)?;
        keys.expect("keys", KEYS_KINDS, KEYS_WHAT)?;
        Ok(FederatedIdentity { issuer, subject, audience, max_lifetime, single_use, keys })
    }
}

/// The members of `AssertionOptions` that only assertions have (see each for its default).
#[derive(Debug, Clone)]
struct AssertionSettings {
    client_id: String,
    /// The server's issuer identifier and/or token endpoint URL.
    audience: OneOrMany,
    /// The client's registered keys (a `KeysInput`; the host resolves it).
    keys: HostValue,
    /// Default `strict`.
    profile: Option<AudienceProfile>,
    /// Overrides the profile's audience rule when set.
    allow_multiple_audiences: Option<bool>,
    /// Seconds `exp` may lie after `iat` (after now, plus tolerance, without `iat`). Default 300.
    max_lifetime: Option<f64>,
    /// Default `true`.
    require_jti: Option<bool>,
    federated: Option<Vec<FederatedIdentity>>,
}

impl Part for AssertionSettings {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let (mut client_id, mut audience, mut keys) = (None, None, None);
        let (mut profile, mut allow_multiple_audiences, mut max_lifetime, mut require_jti, mut federated) = (None, None, None, None, None);
        reader.members(&["clientId", "audience", "keys", "profile", "allowMultipleAudiences", "maxLifetime", "requireJti", "federated"], &mut |name, v| {
            match name {
                "clientId" => client_id = Some(read::string(v)?),
                "audience" => audience = Some(read::one_or_many(v)?),
                "keys" => keys = Some(read::host(v)?),
                "profile" => profile = Some([AudienceProfile::Strict, AudienceProfile::Rfc7523][read::one_of(v, &["strict", "rfc7523"])?]),
                "allowMultipleAudiences" => allow_multiple_audiences = Some(read::boolean(v)?),
                "maxLifetime" => max_lifetime = Some(crate::duration::seconds(v)?),
                "requireJti" => require_jti = Some(read::boolean(v)?),
                "federated" => federated = Some(read::list(v, FederatedIdentity::read)?),
                _ => {}
            }
            Ok(())
        })?;
        let client_id = read::required(client_id, "clientId")?;
        let audience = read::required(audience, "audience")?;
        let keys = read::required(keys, "keys")?;
        Ok(AssertionSettings { client_id, audience, keys, profile, allow_multiple_audiences, max_lifetime, require_jti, federated })
    }
}

/// `AssertionOptions` of API.md, resolved: [`TokenOptions`] (clock tolerance default 30 s),
/// the assertion's own settings and [`ReplayOptions`].
#[derive(Debug, Clone)]
pub struct AssertionOptions {
    pub client_id: String,
    pub audience: OneOrMany,
    pub algorithms: Option<Vec<String>>,
    pub profile: AudienceProfile,
    pub allow_multiple_audiences: Option<bool>,
    pub max_lifetime: f64,
    pub clock_tolerance: f64,
    pub require_jti: bool,
    pub federated: Vec<FederatedIdentity>,
    pub current_date: Option<f64>,
    pub crit: BTreeMap<String, bool>,
    pub max_token_length: usize,
    pub max_candidates: usize,
    pub replay: ReplayOptions,
}

impl AssertionOptions {
    pub fn read(value: &OptionValue) -> std::result::Result<AssertionOptions, OptionError> {
        let reader = Reader::new(value)?;
        let token: TokenOptions = reader.part()?;
        let settings: AssertionSettings = reader.part()?;
        let replay: ReplayOptions = reader.part()?;
        reader.finish()?;
        token.validate()?;
        replay.validate()?;
        let base = VerifyOptions::resolve(token, Default::default(), DEFAULT_CLOCK_TOLERANCE);
        let options = AssertionOptions {
            client_id: settings.client_id,
            audience: settings.audience,
            algorithms: base.algorithms,
            profile: settings.profile.unwrap_or_default(),
            allow_multiple_audiences: settings.allow_multiple_audiences,
            max_lifetime: settings.max_lifetime.unwrap_or(DEFAULT_MAX_LIFETIME),
            clock_tolerance: base.clock_tolerance,
            require_jti: settings.require_jti.unwrap_or(true),
            federated: settings.federated.unwrap_or_default(),
            current_date: base.current_date,
            crit: base.crit,
            max_token_length: base.max_token_length,
            max_candidates: base.max_candidates,
            replay,
        };
        settings.keys.expect("keys", KEYS_KINDS, KEYS_WHAT)?;
        options.validate()?;
        Ok(options)
    }

    /// For native callers and tests: the options as JSON.
    pub fn from_json(json: &serde_json::Value) -> std::result::Result<AssertionOptions, OptionError> {
        AssertionOptions::read(&OptionValue::from_json(json))
    }
}

pub(crate) const KEYS_KINDS: &[HostKind] = &[HostKind::Object, HostKind::String, HostKind::Function];
pub(crate) const KEYS_WHAT: &str = "a KeysInput (a KeySet, a JWKS or JWK object or its JSON text, a RemoteJwks, a TrustedIssuers or a key resolver function)";

/// A lifetime option (the main `maxLifetime`, or a federated entry's): positive seconds.
fn check_lifetime(name: &str, seconds: Option<f64>) -> std::result::Result<(), OptionError> {
    if seconds.is_some_and(|m| m <= 0.0) {
        return Err(OptionError::new(name, "must be a positive number of seconds"));
    }
    Ok(())
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
    /// The single-use check to make, if any.
    pub replay: Option<Replay>,
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
    /// Option values a caller must fix (reported as a `TypeError` by the bindings).
    fn validate(&self) -> std::result::Result<(), OptionError> {
        if self.client_id.is_empty() {
            return Err(OptionError::new("clientId", "must be a non-empty string"));
        }
        self.audience.check_names("audience")?;
        check_lifetime("maxLifetime", Some(self.max_lifetime))?;
        Ok(())
    }

    /// Picks the key set from the (unverified) `iss`: a federated issuer's entry when `iss`
    /// names one (the entry whose subject equals `sub` first), else the client's keys. The
    /// choice is safe to make before verification because the derived options then require
    /// `iss` (and `sub`) to be exactly what the route expects. A token that cannot be read
    /// goes to the client route, where `verify` reports what is wrong with it.
    pub fn route(&self, token: &str) -> Route {
        let Ok(parts) = Parts::split(token, self.max_token_length) else { return Route::Client };
        let Ok((payload, _)) = parts.payload_and_signature() else { return Route::Client };
        let Ok(claims) = claims_view(&payload, &["iss", "sub"]) else { return Route::Client };
        let Some(iss) = claims.str_member("iss") else { return Route::Client };
        let sub = claims.str_member("sub");
        let mut by_issuer = self.federated.iter().enumerate().filter(|(_, f)| f.issuer == iss);
        let first = by_issuer.clone().next();
        let exact = by_issuer.find(|(_, f)| Some(f.subject.as_deref().unwrap_or(&self.client_id)) == sub);
        match exact.or(first) {
            Some((index, _)) => Route::Federated(index),
            None => Route::Client,
        }
    }

    /// The profile the pipeline runs for an assertion on `route`.
    pub fn for_route(&self, route: Route) -> RouteCheck<'_> {
        RouteCheck { options: self, route, verify: self.verify_options(route) }
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
        self.allow_multiple_audiences.unwrap_or(self.profile == AudienceProfile::Rfc7523)
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
            current_date: self.current_date,
            crit: self.crit.clone(),
            max_token_length: self.max_token_length,
            max_candidates: self.max_candidates,
        }
    }

    /// The rules VerifyOptions cannot express, in the order they run on a token that passed
    /// `verify_options(route)`.
    pub fn assertion_rules(&self, route: Route) -> [AssertionRule; 4] {
        let max_lifetime = self.rules(route).max_lifetime;
        [AssertionRule::Typ, AssertionRule::Jti, AssertionRule::IatNotFuture, AssertionRule::Lifetime { max_lifetime }]
    }

    /// One rule of [`AssertionOptions::assertion_rules`] on one token.
    pub fn check_rule(&self, rule: AssertionRule, header: &(impl JsonObject + ?Sized), payload: &(impl JsonObject + ?Sized), now: f64) -> Result<()> {
        let tolerance = self.clock_tolerance;
        let now = now.floor();
        match rule {
            AssertionRule::Typ => check_typ(header),
            AssertionRule::Jti => optional_jti(payload).map(drop),
            AssertionRule::IatNotFuture => match number(payload, "iat")? {
                Some(iat) if iat > now + tolerance => {
                    Err(JoseError::claim_failed("iat", ClaimReason::CheckFailed, "\"iat\" claim timestamp check failed (the assertion is issued in the future)"))
                }
                _ => Ok(()),
            },
            AssertionRule::Lifetime { max_lifetime } => {
                let Some(exp) = number(payload, "exp")? else {
                    return Err(JoseError::claim_failed("exp", ClaimReason::Missing, "missing required \"exp\" claim"));
                };
                // With iat both times come from the client's clock; without it exp meets our
                // clock, so the tolerance applies.
                let (lifetime, allowed, from) = match number(payload, "iat")? {
                    Some(iat) => (exp - iat, max_lifetime, "\"iat\""),
                    None => (exp - now, max_lifetime + tolerance, "now"),
                };
                if lifetime > allowed {
                    return Err(JoseError::claim_failed(
                        "exp",
                        ClaimReason::LifetimeTooLong,
                        format!("\"exp\" is {lifetime} seconds after {from}; an assertion may live at most {max_lifetime} seconds"),
                    ));
                }
                Ok(())
            }
        }
    }

    /// What a rule of the derived `VerifyOptions` checks, in an assertion's words (the option
    /// names of `AssertionOptions`, not of `VerifyOptions`).
    pub fn describe_derived(&self, rule: Rule, route: Route) -> &'static str {
        let federated = matches!(route, Route::Federated(_));
        match rule {
            Rule::Present("exp") => "present (an assertion must expire)",
            Rule::Present("jti") => "present (requireJti)",
            Rule::Present(_) => "present",
            Rule::Iss if federated => "equals the federated issuer",
            Rule::Iss => "equals clientId",
            Rule::Sub if federated => "equals the federated subject (default clientId)",
            Rule::Sub => "equals clientId",
            Rule::Aud => "contains one of the audience option",
            Rule::AudCount if self.allow_multiple_audiences.is_some() => "a single value (allowMultipleAudiences: false)",
            Rule::AudCount => "a single value (the strict profile)",
            Rule::Nbf => "not in the future (nbf <= now + clockTolerance)",
            Rule::Exp => "not expired (exp > now - clockTolerance)",
            other => other.describe(),
        }
    }

    /// The rules VerifyOptions cannot express, on a token that passed `verify_options(route)`,
    /// then what the outcome records.
    fn check<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, header: &H, payload: &C, route: Route, verify: &VerifyOptions, now: f64) -> Result<Outcome> {
        for rule in self.assertion_rules(route) {
            self.check_rule(rule, header, payload, now)?;
        }
        let jti = optional_jti(payload)?;
        let replay = match (&jti, self.rules(route).single_use && self.replay.replay.is_some()) {
            (Some(jti), true) => Some(Replay::new(&self.client_id, jti, accepted_until(payload, verify).unwrap_or(f64::MAX), now)),
            _ => None,
        };
        Ok(Outcome { client_id: self.client_id.clone(), jti, federated: matches!(route, Route::Federated(_)), replay })
    }
}

/// A rule of an assertion that `VerifyOptions` cannot express, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AssertionRule {
    /// Header `typ`, when present: `JWT` or `client-authentication+jwt`.
    Typ,
    /// `jti`, when present: a non-empty string (its presence is `requireJti`'s).
    Jti,
    /// `iat`, when present, not after now + clockTolerance.
    IatNotFuture,
    /// `exp` at most `max_lifetime` after `iat` (after now + clockTolerance without `iat`).
    Lifetime { max_lifetime: f64 },
}

impl AssertionRule {
    /// The claim (or header parameter, for `typ`) the rule is about.
    pub fn claim(&self) -> &'static str {
        match self {
            AssertionRule::Typ => "typ",
            AssertionRule::Jti => "jti",
            AssertionRule::IatNotFuture => "iat",
            AssertionRule::Lifetime { .. } => "exp",
        }
    }

    /// A name for the rule, unique among an assertion's rules.
    pub fn id(&self) -> &'static str {
        match self {
            AssertionRule::Typ => "typ",
            AssertionRule::Jti => "jti",
            AssertionRule::IatNotFuture => "iat_not_future",
            AssertionRule::Lifetime { .. } => "lifetime",
        }
    }

    /// What the rule checks, in words (for `explainAssertion`).
    pub fn describe(&self) -> String {
        match self {
            AssertionRule::Typ => "header typ absent, JWT or client-authentication+jwt".to_owned(),
            AssertionRule::Jti => "absent or a non-empty string (single use)".to_owned(),
            AssertionRule::IatNotFuture => "not in the future (iat <= now + clockTolerance)".to_owned(),
            AssertionRule::Lifetime { max_lifetime } => format!("at most {max_lifetime} s after iat (maxLifetime; after now + clockTolerance without iat)"),
        }
    }
}

/// An assertion's profile for one route (see [`AssertionOptions::for_route`]).
pub struct RouteCheck<'a> {
    options: &'a AssertionOptions,
    route: Route,
    verify: VerifyOptions,
}

impl Profile for RouteCheck<'_> {
    type Outcome = Outcome;

    fn verify_options(&self) -> &VerifyOptions {
        &self.verify
    }

    fn check<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, header: &H, claims: &C, now: f64) -> Result<Outcome> {
        self.options.check(header, claims, self.route, &self.verify, now)
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

fn number(payload: &(impl JsonObject + ?Sized), claim: &str) -> Result<Option<f64>> {
    match payload.member(claim) {
        None => Ok(None),
        Some(Member::Num(n)) => Ok(Some(n)),
        Some(_) => Err(JoseError::claim_failed(claim, ClaimReason::Invalid, format!("\"{claim}\" claim must be a number"))),
    }
}

fn check_typ(header: &(impl JsonObject + ?Sized)) -> Result<()> {
    match header.member("typ") {
        None => Ok(()),
        Some(Member::Str(typ)) if ACCEPTED_TYP.iter().any(|ok| normalize_typ(ok) == normalize_typ(typ)) => Ok(()),
        Some(Member::Str(typ)) => Err(JoseError::claim_failed(
            "typ",
            ClaimReason::CheckFailed,
            format!("unexpected \"typ\" JWT header value {} (an assertion's typ is JWT or client-authentication+jwt)", crate::quote::quoted(typ)),
        )),
        Some(_) => Err(JoseError::claim_failed("typ", ClaimReason::Invalid, "\"typ\" JWT header value must be a string")),
    }
}

/// The whole check with one synchronous backend. `federated_keys[i]` holds the keys of
/// `options.federated[i]`. Replay is left to the caller (see [`Outcome::replay`]).
pub fn verify_assertion(
    token: &str,
    client_keys: &KeySet,
    federated_keys: &[&KeySet],
    options: &AssertionOptions,
    now: f64,
    backend: &dyn SignatureVerifier,
) -> Result<Checked<Outcome>> {
    let route = options.route(token);
    let keys = match route {
        Route::Client => client_keys,
        Route::Federated(index) => federated_keys
            .get(index)
            .copied()
            .ok_or_else(|| JoseError::jwks_invalid(format!("no key set given for federated identity {index}")))?,
    };
    verify::run(token, keys, &options.for_route(route), now, |c| backend.verify(c.alg, c.key, c.signing_input, c.signature))
}
