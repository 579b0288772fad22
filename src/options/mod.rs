//! Every options struct of API.md, read strictly from the caller's value ([`value`]), with each
//! option's default in its doc. Options are defined once, in parts that several entry points
//! share ([`TokenOptions`] everywhere, [`ClaimOptions`] wherever claims are matched); each entry
//! point then resolves its parts into the plain struct its rules read ([`VerifyOptions`], …).

pub mod names;
pub mod read;
pub mod value;

use crate::alg::Alg;
use crate::jwks::DEFAULT_MAX_CANDIDATES;
use crate::remote::RemoteOptions;
use crate::token::DEFAULT_MAX_TOKEN_LENGTH;
use std::cell::RefCell;
use std::collections::BTreeMap;
pub use value::{HostKind, OptionError, OptionValue};

/// An options object read in parts: each [`Reader::part`] takes the members its struct knows;
/// [`Reader::finish`] refuses any member no part knew.
pub struct Reader<'a> {
    members: &'a [(String, OptionValue)],
    seen: RefCell<Vec<&'static str>>,
}

/// An options struct (or the part of one that several entry points share), read from the
/// members it names.
pub trait Part: Sized {
    fn read_part(reader: &Reader) -> Result<Self, OptionError>;
}

impl<'a> Reader<'a> {
    /// `undefined` reads as `{}`; anything but a plain object is an error.
    pub fn new(value: &'a OptionValue) -> Result<Self, OptionError> {
        let members: &[(String, OptionValue)] = match value {
            OptionValue::Undefined => &[],
            OptionValue::Object(members) => members,
            other => return Err(OptionError::new("", format!("must be an object, got {}", other.describe()))),
        };
        Ok(Reader { members, seen: RefCell::new(Vec::new()) })
    }

    pub fn part<T: Part>(&self) -> Result<T, OptionError> {
        T::read_part(self)
    }

    /// Calls `each` with the set members named in `fields`, in the object's order; the names
    /// count as known for [`Reader::finish`] (and are listed, in this order, when one is not).
    pub fn members(&self, fields: &'static [&'static str], each: &mut dyn FnMut(&str, &OptionValue) -> Result<(), OptionError>) -> Result<(), OptionError> {
        self.seen.borrow_mut().extend_from_slice(fields);
        read::members(self.members, Some(fields), each)
    }

    pub fn finish(self) -> Result<(), OptionError> {
        value::check_names(self.members, &self.seen.borrow())
    }

    /// One struct, all of the options.
    pub fn read<T: Part>(value: &OptionValue) -> Result<T, OptionError> {
        let reader = Reader::new(value)?;
        let options = reader.part()?;
        reader.finish()?;
        Ok(options)
    }
}

/// A string or an array of strings (`issuer`, `audience`).
#[derive(Debug, Clone, PartialEq)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }

    /// For a value that must name someone (an audience, an issuer): none, or an empty text,
    /// would refuse every token or match an empty claim, a configuration slip said at once.
    pub fn check_names(&self, name: &str) -> Result<(), OptionError> {
        if self.as_slice().is_empty() || self.as_slice().iter().any(String::is_empty) {
            return Err(OptionError::new(name, "must be a non-empty string or array of non-empty strings"));
        }
        Ok(())
    }
}

/// "Now" as the caller gave it (`currentDate`): a `Date`, or a number of seconds. In seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timestamp(pub f64);

/// A member only the host uses (a key set, a store, a function): the core sees its kind only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostValue(pub HostKind);

impl HostValue {
    /// A `ReplayStore`: an object with a `markUsed` function, checked when the options are read.
    pub fn expect_replay_store(self, name: &str) -> Result<(), OptionError> {
        let what = "a ReplayStore (an object with a markUsed(key, expiresAt) function)";
        match self.0 {
            HostKind::ReplayStore => Ok(()),
            HostKind::Object | HostKind::Function => Err(OptionError::new(name, format!("must be {what}, got {} without a markUsed function", OptionValue::Host(self.0).describe()))),
            _ => self.expect(name, &[HostKind::ReplayStore], what),
        }
    }

    /// `Err` names what `name` must be when its kind is not one of `allowed`.
    pub fn expect(self, name: &str, allowed: &[HostKind], what: &str) -> Result<(), OptionError> {
        if allowed.contains(&self.0) {
            Ok(())
        } else {
            Err(OptionError::new(name, format!("must be {what}, got {}", OptionValue::Host(self.0).describe())))
        }
    }
}

/// Options every verifying entry point takes.
#[derive(Debug, Clone, Default)]
pub struct TokenOptions {
    /// Allow-list of `alg` values. Default: every asymmetric algorithm that fits the selected
    /// key; `HS*` only when listed. `none` is never accepted.
    pub algorithms: Option<Vec<String>>,
    /// Seconds of leeway for every time check (a number, or jose's text form such as "30s").
    /// Default 0 (30 for client assertions).
    pub clock_tolerance: Option<f64>,
    /// "Now" for every time check: a `Date` or seconds. Default: the host clock.
    pub current_date: Option<Timestamp>,
    /// Extensions the caller understands; any other name in a `crit` header is refused.
    pub crit: Option<BTreeMap<String, bool>>,
    /// Default 16384 characters; longer tokens are refused before any other work.
    pub max_token_length: Option<usize>,
    /// How many keys are tried when several match. Default 4.
    pub max_candidates: Option<usize>,
}

/// Expectations about the claims, wherever the caller states them.
#[derive(Debug, Clone, Default)]
pub struct ClaimOptions {
    /// Makes `iss` required; it must equal one of these.
    pub issuer: Option<OneOrMany>,
    /// Makes `aud` required; passes when any expected value is in the token's `aud`.
    pub audience: Option<OneOrMany>,
    /// Default `true`; `false` rejects an `aud` array of more than one value.
    pub allow_multiple_audiences: Option<bool>,
    /// Makes `sub` required; it must equal this.
    pub subject: Option<String>,
    /// Expected `typ` header, compared case-insensitively with `application/` optional.
    pub typ: Option<String>,
    /// Claims that must be present.
    pub required_claims: Option<Vec<String>>,
    /// Seconds (or text such as "1h"); makes `iat` required and bounds the token's age.
    pub max_token_age: Option<f64>,
}

/// The rules of one verification, resolved from [`TokenOptions`] and [`ClaimOptions`] with
/// their defaults applied (see those for each option's meaning).
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    pub algorithms: Option<Vec<String>>,
    pub issuer: Option<OneOrMany>,
    pub audience: Option<OneOrMany>,
    pub allow_multiple_audiences: bool,
    pub subject: Option<String>,
    pub typ: Option<String>,
    pub required_claims: Vec<String>,
    pub clock_tolerance: f64,
    pub max_token_age: Option<f64>,
    /// Seconds; `None`: the host clock.
    pub current_date: Option<f64>,
    pub crit: BTreeMap<String, bool>,
    pub max_token_length: usize,
    pub max_candidates: usize,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions::resolve(TokenOptions::default(), ClaimOptions::default(), 0.0)
    }
}

impl TokenOptions {
    pub fn validate(&self) -> Result<(), OptionError> {
        positive("maxTokenLength", self.max_token_length)?;
        positive("maxCandidates", self.max_candidates)?;
        Ok(())
    }
}

impl VerifyOptions {
    /// `VerifyOptions` of API.md.
    pub fn read(value: &OptionValue) -> Result<VerifyOptions, OptionError> {
        let reader = Reader::new(value)?;
        let token: TokenOptions = reader.part()?;
        let claims: ClaimOptions = reader.part()?;
        reader.finish()?;
        token.validate()?;
        Ok(VerifyOptions::resolve(token, claims, 0.0))
    }

    /// For native callers and tests: the options as JSON.
    pub fn from_json(json: &serde_json::Value) -> Result<VerifyOptions, OptionError> {
        VerifyOptions::read(&OptionValue::from_json(json))
    }

    pub fn resolve(token: TokenOptions, claims: ClaimOptions, default_tolerance: f64) -> VerifyOptions {
        VerifyOptions {
            algorithms: token.algorithms,
            issuer: claims.issuer,
            audience: claims.audience,
            allow_multiple_audiences: claims.allow_multiple_audiences.unwrap_or(true),
            subject: claims.subject,
            typ: claims.typ,
            required_claims: claims.required_claims.unwrap_or_default(),
            clock_tolerance: token.clock_tolerance.unwrap_or(default_tolerance),
            max_token_age: claims.max_token_age,
            current_date: token.current_date.map(|t| t.0),
            crit: token.crit.unwrap_or_default(),
            max_token_length: token.max_token_length.unwrap_or(DEFAULT_MAX_TOKEN_LENGTH),
            max_candidates: token.max_candidates.unwrap_or(DEFAULT_MAX_CANDIDATES),
        }
    }

    /// Whether `alg` is allowed before any key is looked at.
    pub fn explicitly_lists(&self, name: &str) -> bool {
        self.algorithms.as_ref().is_some_and(|list| list.iter().any(|a| a == name))
    }

    pub fn allows(&self, alg: Alg) -> bool {
        match &self.algorithms {
            Some(list) => list.iter().any(|a| a == alg.name()),
            None => !alg.is_symmetric(),
        }
    }

    /// "Now" in seconds: `currentDate`, else the host clock's `host_now`.
    pub fn now(&self, host_now: f64) -> f64 {
        self.current_date.unwrap_or(host_now)
    }
}

/// `parseJwks` options.
#[derive(Debug, Clone, Copy, Default)]
pub struct ParseJwksOptions {
    /// Default `false`: keys with private members, and `oct` keys, are unusable.
    pub allow_private: Option<bool>,
    /// Default `false`: RSA keys under 2048 bits are unusable.
    pub allow_weak_keys: Option<bool>,
    /// Default 1000: a larger set is refused (`ERR_JWKS_INVALID`) before any key is parsed.
    pub max_keys: Option<usize>,
}

impl ParseJwksOptions {
    /// The parse options and the `maxKeys` bound.
    pub fn read(value: &OptionValue) -> Result<(crate::jwk::ParseOptions, usize), OptionError> {
        let options: ParseJwksOptions = Reader::read(value)?;
        let parse = crate::jwk::ParseOptions { allow_private: options.allow_private.unwrap_or(false), allow_weak_keys: options.allow_weak_keys.unwrap_or(false) };
        Ok((parse, options.max_keys.unwrap_or(crate::jwks::DEFAULT_MAX_KEYS)))
    }
}

/// `explainSelection` options.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExplainOptions {
    /// Default 4, as in verification.
    pub max_candidates: Option<usize>,
}

impl ExplainOptions {
    pub fn read(value: &OptionValue) -> Result<usize, OptionError> {
        let options: ExplainOptions = Reader::read(value)?;
        Ok(positive("maxCandidates", options.max_candidates)?.unwrap_or(DEFAULT_MAX_CANDIDATES))
    }
}

/// `new ReplayCache(options)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplayCacheOptions {
    /// Default 100000: live entries held at most; when full of live entries, new ones are
    /// refused (`ERR_REPLAY_STORE_FULL`).
    pub max_entries: Option<usize>,
    /// A function returning "now" in seconds. Default: the host clock.
    pub clock: Option<HostValue>,
}

pub const DEFAULT_REPLAY_CACHE_ENTRIES: usize = 100_000;

impl ReplayCacheOptions {
    /// The `maxEntries` to use.
    pub fn read(value: &OptionValue) -> Result<usize, OptionError> {
        let options: ReplayCacheOptions = Reader::read(value)?;
        if let Some(clock) = options.clock {
            clock.expect("clock", &[HostKind::Function], "a function returning seconds")?;
        }
        Ok(positive("maxEntries", options.max_entries)?.unwrap_or(DEFAULT_REPLAY_CACHE_ENTRIES))
    }
}

/// The members of the options of a profile that takes a replay store.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReplayOptions {
    /// A `ReplayStore`: makes `jti` single use.
    pub replay: Option<HostValue>,
    /// Milliseconds a `ReplayStore.markUsed` may take before the check fails closed
    /// (`ERR_REPLAY_STORE_UNAVAILABLE`). Default 5000.
    pub replay_timeout_ms: Option<f64>,
}

pub const DEFAULT_REPLAY_TIMEOUT_MS: f64 = 5000.0;
/// setTimeout's largest delay.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;

impl ReplayOptions {
    pub fn validate(&self) -> Result<(), OptionError> {
        if let Some(replay) = self.replay {
            replay.expect_replay_store("replay")?;
        }
        if let Some(ms) = self.replay_timeout_ms {
            check_timer("replayTimeoutMs", ms, 1.0)?;
        }
        Ok(())
    }

    pub fn timeout_ms(&self) -> f64 {
        self.replay_timeout_ms.unwrap_or(DEFAULT_REPLAY_TIMEOUT_MS)
    }
}

/// The members of `RemoteOptions` only the host uses; the cache policy's own are
/// `crate::remote::RemoteOptions`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RemoteHostOptions {
    /// Extra request headers (a `HeadersInit`).
    pub headers: Option<HostValue>,
    /// A fetch-compatible function. Default: the global `fetch`.
    pub fetch: Option<HostValue>,
    /// A `JwksStore` shared by many processes or isolates.
    pub store: Option<HostValue>,
}

impl RemoteHostOptions {
    pub fn validate(&self) -> Result<(), OptionError> {
        if let Some(headers) = self.headers {
            headers.expect("headers", &[HostKind::Object], "a HeadersInit (an object, an array of pairs or a Headers)")?;
        }
        if let Some(fetch) = self.fetch {
            fetch.expect("fetch", &[HostKind::Function], "a fetch-compatible function")?;
        }
        if let Some(store) = self.store {
            store.expect("store", &[HostKind::Object], "a JwksStore (an object with get(url) and set(url, state, ttlMs))")?;
        }
        Ok(())
    }
}

/// `RemoteOptions` of API.md, read and checked in one place for every entry point that takes
/// them (`RemoteJwks`, `discoverJwks`, `TrustedIssuers`): the cache policy's members and the
/// host's. `more` reads the members an entry point adds to them from the same object.
pub fn read_remote<T>(value: &OptionValue, more: impl FnOnce(&Reader) -> Result<T, OptionError>) -> Result<(RemoteOptions, T), OptionError> {
    let reader = Reader::new(value)?;
    let policy: RemoteOptions = reader.part()?;
    let host: RemoteHostOptions = reader.part()?;
    let added = more(&reader)?;
    reader.finish()?;
    host.validate()?;
    policy.validate().map_err(|why| OptionError::new("", why))?;
    check_timer("timeoutMs", policy.timeout_ms, 1.0)?;
    Ok((policy, added))
}

/// A count that must be at least 1 when set (the reader already refuses negatives and fractions).
fn positive(name: &str, value: Option<usize>) -> Result<Option<usize>, OptionError> {
    match value {
        Some(0) => Err(OptionError::new(name, "must be a positive integer, got 0")),
        other => Ok(other),
    }
}

/// A millisecond count a host timer can wait: finite, at least `least`, below 2^31.
pub fn check_timer(name: &str, ms: f64, least: f64) -> Result<(), OptionError> {
    if ms.is_finite() && ms >= least && ms <= MAX_TIMER_MS {
        Ok(())
    } else {
        Err(OptionError::new(name, format!("must be a number of milliseconds from {least} to {MAX_TIMER_MS}, got {}", OptionValue::Number(ms).describe())))
    }
}

// How each struct is read: its members in declaration order (the order `known:` lists them).

impl Part for TokenOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = TokenOptions::default();
        reader.members(&["algorithms", "clockTolerance", "currentDate", "crit", "maxTokenLength", "maxCandidates"], &mut |name, v| {
            match name {
                "algorithms" => o.algorithms = Some(read::strings(v)?),
                "clockTolerance" => o.clock_tolerance = Some(crate::duration::seconds(v)?),
                "currentDate" => o.current_date = Some(read::timestamp(v)?),
                "crit" => o.crit = Some(read::flags(v)?),
                "maxTokenLength" => o.max_token_length = Some(read::count(v)?),
                "maxCandidates" => o.max_candidates = Some(read::count(v)?),
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl Part for ClaimOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = ClaimOptions::default();
        reader.members(&["issuer", "audience", "allowMultipleAudiences", "subject", "typ", "requiredClaims", "maxTokenAge"], &mut |name, v| {
            match name {
                "issuer" => o.issuer = Some(read::one_or_many(v)?),
                "audience" => o.audience = Some(read::one_or_many(v)?),
                "allowMultipleAudiences" => o.allow_multiple_audiences = Some(read::boolean(v)?),
                "subject" => o.subject = Some(read::string(v)?),
                "typ" => o.typ = Some(read::string(v)?),
                "requiredClaims" => o.required_claims = Some(read::strings(v)?),
                "maxTokenAge" => o.max_token_age = Some(crate::duration::seconds(v)?),
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl Part for ParseJwksOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = ParseJwksOptions::default();
        reader.members(&["allowPrivate", "allowWeakKeys", "maxKeys"], &mut |name, v| {
            match name {
                "allowPrivate" => o.allow_private = Some(read::boolean(v)?),
                "allowWeakKeys" => o.allow_weak_keys = Some(read::boolean(v)?),
                "maxKeys" => o.max_keys = Some(read::count(v)?),
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl Part for ExplainOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = ExplainOptions::default();
        reader.members(&["maxCandidates"], &mut |_, v| {
            o.max_candidates = Some(read::count(v)?);
            Ok(())
        })?;
        Ok(o)
    }
}

impl Part for ReplayCacheOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = ReplayCacheOptions::default();
        reader.members(&["maxEntries", "clock"], &mut |name, v| {
            match name {
                "maxEntries" => o.max_entries = Some(read::count(v)?),
                "clock" => o.clock = Some(read::host(v)?),
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl Part for ReplayOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = ReplayOptions::default();
        reader.members(&["replay", "replayTimeoutMs"], &mut |name, v| {
            match name {
                "replay" => o.replay = Some(read::host(v)?),
                "replayTimeoutMs" => o.replay_timeout_ms = Some(read::number(v)?),
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl Part for RemoteHostOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = RemoteHostOptions::default();
        reader.members(&["headers", "fetch", "store"], &mut |name, v| {
            let value = Some(read::host(v)?);
            match name {
                "headers" => o.headers = value,
                "fetch" => o.fetch = value,
                "store" => o.store = value,
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

impl Part for RemoteOptions {
    fn read_part(reader: &Reader) -> Result<Self, OptionError> {
        let mut o = RemoteOptions::default();
        reader.members(&["timeoutMs", "cooldownMs", "cacheMaxAgeMs", "staleIfErrorMs", "maxBytes", "maxKeys"], &mut |name, v| {
            let value = read::number(v)?;
            match name {
                "timeoutMs" => o.timeout_ms = value,
                "cooldownMs" => o.cooldown_ms = value,
                "cacheMaxAgeMs" => o.cache_max_age_ms = value,
                "staleIfErrorMs" => o.stale_if_error_ms = value,
                "maxBytes" => o.max_bytes = value,
                "maxKeys" => o.max_keys = value,
                _ => {}
            }
            Ok(())
        })?;
        Ok(o)
    }
}

#[cfg(test)]
mod tests;
