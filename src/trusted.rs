//! `TrustedIssuers`: which issuers a token may pick keys from by its (unverified) `iss`, the
//! rule that binds a key set to its issuer, and the bounded set of issuers whose keys are held.
//!
//! Picking keys by an unverified `iss` is safe because (a) only a trusted issuer's keys can be
//! picked, refused before any network request, and (b) a key set picked for issuer X verifies
//! only tokens whose `iss` is exactly X ([`check_bound_issuer`], run by the one pipeline), so a
//! token of issuer A signed with issuer B's key never passes.

use crate::error::{ClaimReason, JoseError, Result};
use crate::json_view::{JsonObject, Member};
use crate::options::{read, read_remote, OptionError, OptionValue, Part, Reader};
use crate::quote::quoted;
use crate::remote::{check_url, discovery, RemoteOptions};
use crate::token::{claims_view, header_view, Parts};
use std::collections::{HashMap, HashSet};

pub const DEFAULT_MAX_ISSUERS: usize = 100;

/// The members of `TrustedIssuers` options that `RemoteOptions` does not have.
#[derive(Debug, Clone, Copy, Default)]
struct TrustedSettings {
    /// Default 100: issuers whose keys are held at most; the least recently used is dropped.
    max_issuers: Option<usize>,
}

impl Part for TrustedSettings {
    fn read_part(reader: &Reader) -> std::result::Result<Self, OptionError> {
        let mut max_issuers = None;
        reader.members(&["maxIssuers"], &mut |_, v| {
            max_issuers = Some(read::count(v)?);
            Ok(())
        })?;
        Ok(TrustedSettings { max_issuers })
    }
}

/// `new TrustedIssuers(issuers, options)` options: `RemoteOptions` & `{ maxIssuers? }`.
#[derive(Debug, Clone, Copy)]
pub struct TrustedOptions {
    pub remote: RemoteOptions,
    pub max_issuers: usize,
}

impl TrustedOptions {
    pub fn read(value: &OptionValue) -> std::result::Result<TrustedOptions, OptionError> {
        let (remote, settings) = read_remote(value, |reader| reader.part::<TrustedSettings>())?;
        let max_issuers = match settings.max_issuers {
            Some(0) => return Err(OptionError::new("maxIssuers", "must be a positive integer, got 0")),
            other => other.unwrap_or(DEFAULT_MAX_ISSUERS),
        };
        Ok(TrustedOptions { remote, max_issuers })
    }

    pub fn from_json(json: &serde_json::Value) -> std::result::Result<TrustedOptions, OptionError> {
        TrustedOptions::read(&OptionValue::from_json(json))
    }
}

/// Which issuers are trusted: a fixed list (exact string match, no normalisation), or the
/// caller's predicate, whose verdict the host passes to [`Trust::admit`].
#[derive(Debug, Clone)]
pub enum Trust {
    List(HashSet<String>),
    Predicate,
}

/// Refuses an issuer identifier that is not usable as a discovery base: not an absolute
/// `http:`/`https:` URL, user info, whitespace and control characters (which a URL parser
/// would silently strip, so the text fetched would not be the text trusted), a backslash (which
/// a URL parser reads as `/`, so the host fetched would not be the host the text names), or
/// one discovery cannot use (a query or fragment, an upper-case scheme).
pub fn check_issuer(issuer: &str) -> std::result::Result<(), String> {
    if issuer.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain whitespace or control characters".to_owned());
    }
    if issuer.contains('\\') {
        return Err("must not contain a backslash (a URL parser reads it as \"/\")".to_owned());
    }
    check_url(issuer)?;
    discovery::check_issuer(issuer).map_err(|why| format!("is not usable for discovery: {why}"))
}

impl Trust {
    /// The allow-list form: a non-empty array of issuer identifiers (each checked by
    /// [`check_issuer`]).
    pub fn read_list(value: &OptionValue) -> std::result::Result<Trust, OptionError> {
        let OptionValue::Array(items) = value else {
            return Err(OptionError::new("", format!("must be a non-empty array of issuer URLs or a function (iss) => boolean, got {}", value.describe())));
        };
        if items.is_empty() {
            return Err(OptionError::new("", "must not be an empty array (no issuer would be trusted)"));
        }
        let mut list = HashSet::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let OptionValue::String(issuer) = item else {
                return Err(OptionError::new(format!("[{index}]"), format!("must be an issuer URL string, got {}", item.describe())));
            };
            check_issuer(issuer).map_err(|why| OptionError::new(format!("[{index}]"), why))?;
            list.insert(issuer.clone());
        }
        Ok(Trust::List(list))
    }

    /// The token's `iss` when it may pick keys: with a list, when listed; with a predicate,
    /// the caller's predicate then decides ([`Trust::admit`]). Before any network request.
    pub fn issuer_of(&self, token: &str, max_length: usize) -> Result<String> {
        let issuer = unverified_issuer(token, max_length)?;
        match self {
            Trust::List(list) if !list.contains(&issuer) => Err(untrusted(&issuer)),
            _ => Ok(issuer),
        }
    }

    /// The predicate's verdict on `issuer`: trusted only when it is exactly `true`, and the
    /// issuer is usable for discovery.
    pub fn admit(&self, issuer: &str, verdict: Option<bool>) -> Result<()> {
        match self {
            Trust::List(list) if list.contains(issuer) => Ok(()),
            Trust::List(_) => Err(untrusted(issuer)),
            Trust::Predicate if verdict == Some(true) && check_issuer(issuer).is_ok() => Ok(()),
            Trust::Predicate => Err(untrusted(issuer)),
        }
    }
}

fn untrusted(issuer: &str) -> JoseError {
    JoseError::claim_failed("iss", ClaimReason::CheckFailed, format!("unexpected \"iss\" claim value {}: not a trusted issuer", quoted(issuer)))
}

/// The `iss` of a token that decodes (header and claims as verification reads them), before
/// its signature is checked. Missing or not a string: the claim errors of verification.
pub fn unverified_issuer(token: &str, max_length: usize) -> Result<String> {
    let parts = Parts::split(token, max_length)?;
    let header_bytes = parts.header_bytes()?;
    header_view(&header_bytes)?;
    let (payload, _) = parts.payload_and_signature()?;
    let claims = claims_view(&payload, &["iss"])?;
    issuer_member(&claims).map(str::to_owned)
}

fn issuer_member<C: JsonObject + ?Sized>(claims: &C) -> Result<&str> {
    match claims.member("iss") {
        Some(Member::Str(iss)) => Ok(iss),
        Some(_) => Err(JoseError::claim_failed("iss", ClaimReason::Invalid, "\"iss\" claim must be a string")),
        None => Err(JoseError::claim_failed("iss", ClaimReason::Missing, "missing required \"iss\" claim")),
    }
}

/// A key set bound to `issuer` verifies only tokens whose `iss` is exactly `issuer`.
pub fn check_bound_issuer<C: JsonObject + ?Sized>(claims: &C, issuer: Option<&str>) -> Result<()> {
    let Some(issuer) = issuer else { return Ok(()) };
    let iss = issuer_member(claims)?;
    if iss != issuer {
        return Err(JoseError::claim_failed("iss", ClaimReason::CheckFailed, format!("unexpected \"iss\" claim value {}: these keys belong to issuer {}", quoted(iss), quoted(issuer))));
    }
    Ok(())
}

/// What the host does for an issuer's keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Use the discovery held for it (done, in flight, or failed less than `cooldownMs` ago).
    Use,
    /// Discover it now; drop the discovery of `evicted` (the least recently used) first.
    Discover { evicted: Option<String> },
}

#[derive(Debug, Clone)]
struct Entry {
    last_use: u64,
    failed_at_ms: Option<f64>,
}

/// The issuers whose discovery the host holds: at most `max` of them, the least recently used
/// dropped first; a failed discovery is retried once `cooldown_ms` has passed.
#[derive(Debug, Clone)]
pub struct IssuerCache {
    max: usize,
    cooldown_ms: f64,
    clock: u64,
    entries: HashMap<String, Entry>,
}

impl IssuerCache {
    pub fn new(max: usize, cooldown_ms: f64) -> Self {
        IssuerCache { max: max.max(1), cooldown_ms, clock: 0, entries: HashMap::new() }
    }

    pub fn lookup(&mut self, issuer: &str, now_ms: f64) -> Lookup {
        self.clock += 1;
        let clock = self.clock;
        if let Some(entry) = self.entries.get_mut(issuer) {
            entry.last_use = clock;
            // A clock that went back counts as the cooldown being over.
            let retry = entry.failed_at_ms.is_some_and(|at| now_ms - at >= self.cooldown_ms || now_ms < at);
            if retry {
                entry.failed_at_ms = None;
                return Lookup::Discover { evicted: None };
            }
            return Lookup::Use;
        }
        let evicted = if self.entries.len() >= self.max { self.evict() } else { None };
        self.entries.insert(issuer.to_owned(), Entry { last_use: clock, failed_at_ms: None });
        Lookup::Discover { evicted }
    }

    fn evict(&mut self) -> Option<String> {
        let oldest = self.entries.iter().min_by_key(|(_, e)| e.last_use).map(|(issuer, _)| issuer.clone())?;
        self.entries.remove(&oldest);
        Some(oldest)
    }

    /// The discovery of `issuer` started by the last [`IssuerCache::lookup`] failed.
    pub fn failed(&mut self, issuer: &str, now_ms: f64) {
        if let Some(entry) = self.entries.get_mut(issuer) {
            entry.failed_at_ms = Some(now_ms);
        }
    }

    /// The issuers held, most recently used first.
    pub fn issuers(&self) -> Vec<&str> {
        let mut held: Vec<_> = self.entries.iter().collect();
        held.sort_by_key(|(_, e)| std::cmp::Reverse(e.last_use));
        held.into_iter().map(|(issuer, _)| issuer.as_str()).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
