//! The `RemoteJwks` cache policy: a pure state machine. The host asks [`RemoteCache::decide`]
//! what to do for a verification (serve the cached set, start a fetch, wait for the fetch in
//! flight) and reports each fetch's outcome;
//! every time is a parameter (Unix epoch ms), so the policy runs natively under a fake clock.
//! The fetch itself lives in the wasm bindings.
//!
//! Rules (API.md, "RemoteJwks"):
//! - A set is fresh for `cacheMaxAgeMs` after its fetch, or for a shorter `Cache-Control:
//!   max-age` (less its `Age`), to the second. A response that may not be reused at all
//!   (`no-store`, `no-cache`, `max-age=0`, an `Age` past its max-age) is fresh for `cooldownMs`,
//!   so that a server cannot make every verification a fetch.
//! - An expired set is refreshed before it verifies again, as jose's `createRemoteJWKSet`
//!   does: a key removed upstream never verifies past the set's expiry. Only when that refresh
//!   fails does the expired set keep serving (stale-if-error), while less than
//!   `staleIfErrorMs` past its expiry; a failed fetch is not retried before `cooldownMs` (or a
//!   bounded `Retry-After`) has passed since it ended, and meanwhile nobody waits.
//! - A `kid` the set lacks refetches once, unless a fetch finished less than `cooldownMs` ago
//!   and the set is still fresh (an expired set's refresh is due, as for a known kid). So does
//!   a token the set has no key for at all ([`has_candidate`]: a kid-less token whose `alg` no
//!   key fits, or a known `kid` whose key no longer fits), as jose reloads on any "no matching
//!   key" ([`RemoteCache::decide_without_candidate`]).
//! - When the refetch such a token needs fails (or a failed attempt's cooldown holds it back),
//!   the token gets that fetch's error (`ERR_JWKS_TIMEOUT`, `ERR_JWKS_FETCH_FAILED`,
//!   `ERR_JWKS_INVALID`), as from jose's `createRemoteJWKSet`, not `ERR_JWKS_NO_MATCHING_KEY`.
//! - One fetch at a time: callers that would fetch while one is in flight wait for it, and
//!   after waiting they take what it produced instead of fetching again.
//! - A body whose `keys` holds anything but JWK objects, or more than `maxKeys` of them, is
//!   malformed: the refresh fails and the last good set stays.
//! - State from elsewhere (`fromState`, a shared store) is checked as a fetched body is, its
//!   expiry clamped to `fetchedAtMs + cacheMaxAgeMs`, and times later than now are discarded.

pub mod cache_control;
pub mod discovery;
pub mod retry_after;
pub mod time_text;

use crate::alg::Alg;
use crate::encoding::parse_json_strict;
use crate::error::{ErrorCode, JoseError, Result};
use crate::json_view::{JsonObject, Member};
use crate::jwks::KeySet;
use crate::token::{header_view, Parts};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use crate::quote::{quoted, quoted_list};
use time_text::{iso_utc, span};

/// `RemoteOptions` of API.md that the policy uses. The host keeps the others
/// ([`HOST_OPTIONS`]).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoteOptions {
    /// Default 5000: a fetch (response and body) that takes longer fails with `ERR_JWKS_TIMEOUT`;
    /// also bounds each call to a `store`.
    pub timeout_ms: f64,
    /// Default 30000: the least time between the end of a fetch attempt (failed or not) and an
    /// unknown-`kid` refetch, or between a failed attempt and the next one.
    pub cooldown_ms: f64,
    /// Default 600000: the longest a fetched set counts as fresh.
    pub cache_max_age_ms: f64,
    /// Default 86400000: how long past its expiry the last good set keeps serving while its
    /// refreshes fail.
    pub stale_if_error_ms: f64,
    /// Default 1048576: the largest response body (and stored state `jwks`) accepted.
    pub max_bytes: f64,
    /// Default 1000: the most keys a set may hold; a larger one is `ERR_JWKS_INVALID`, refused
    /// before any per-key work.
    pub max_keys: f64,
}

/// `RemoteOptions` members the host holds itself, not the policy: `headers` (extra request
/// headers), `fetch` (a fetch-compatible function) and `store` (a `JwksStore`: `{ get(url):
/// Promise<string | null>, set(url, state, ttlMs): Promise<void> }` shared by many processes).
pub const HOST_OPTIONS: [&str; 3] = ["headers", "fetch", "store"];

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            timeout_ms: 5000.0,
            cooldown_ms: 30_000.0,
            cache_max_age_ms: 600_000.0,
            stale_if_error_ms: 86_400_000.0,
            max_bytes: 1_048_576.0,
            max_keys: DEFAULT_MAX_KEYS as f64,
        }
    }
}

/// The default `maxKeys` of `RemoteOptions` (the same as `parseJwks`'s).
pub const DEFAULT_MAX_KEYS: usize = crate::jwks::DEFAULT_MAX_KEYS;
/// The longest `Retry-After` honoured (a longer one waits this long).
pub const MAX_RETRY_AFTER_MS: f64 = 600_000.0;
/// The longest error message recorded (longer ones are cut), and accepted in a state.
pub const MAX_ERROR_TEXT: usize = 4096;
/// The longest `ETag` / `Last-Modified` value kept for conditional requests.
pub const MAX_VALIDATOR_TEXT: usize = 1024;

impl RemoteOptions {
    /// `Err` names the first option that is not a usable number.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let checks = [
            ("timeoutMs", self.timeout_ms, 1.0),
            ("cooldownMs", self.cooldown_ms, 0.0),
            ("cacheMaxAgeMs", self.cache_max_age_ms, 0.0),
            ("staleIfErrorMs", self.stale_if_error_ms, 0.0),
            ("maxBytes", self.max_bytes, 1.0),
            ("maxKeys", self.max_keys, 0.0),
        ];
        for (name, value, least) in checks {
            if !value.is_finite() || value < least {
                return Err(format!("{name} must be a finite number of at least {least}, got {value}"));
            }
        }
        if self.max_keys.fract() != 0.0 {
            return Err(format!("maxKeys must be a whole number, got {}", self.max_keys));
        }
        Ok(())
    }

    fn max_keys(&self) -> usize {
        self.max_keys as usize
    }
}

/// The last good set: its JSON text, its `kid`s, when it was fetched and expires, and the
/// validators of its response for conditional requests.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedSet {
    pub jwks_text: String,
    pub kids: Vec<String>,
    pub fetched_at_ms: f64,
    pub expires_at_ms: f64,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

impl CachedSet {
    pub fn has_kid(&self, kid: &str) -> bool {
        self.kids.iter().any(|k| k == kid)
    }
}

/// Response headers the policy reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResponseHeaders<'a> {
    pub cache_control: Option<&'a str>,
    pub age: Option<&'a str>,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

/// What the host does next for one verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Use the cached set.
    Serve,
    /// Call [`RemoteCache::start_fetch`], fetch, report the outcome, then decide again with
    /// `waited = true`.
    Fetch,
    /// Wait for the fetch in flight, then decide again with `waited = true`.
    Join,
    /// Only with a shared store, when a fetch is not allowed (cooldown) but another process
    /// may have fetched: call [`RemoteCache::start_consult`], read the store, hand its state to
    /// [`RemoteCache::adopt_state`], [`RemoteCache::cancel_fetch`], then decide again with
    /// `waited = true`.
    Consult,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Serve => "serve",
            Action::Fetch => "fetch",
            Action::Join => "join",
            Action::Consult => "consult",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Attempt {
    finished_at_ms: f64,
    /// `None` when it succeeded.
    error: Option<JoseError>,
    /// A server's `Retry-After`, bounded: no attempt before `finished_at_ms` plus this (or
    /// plus `cooldownMs`, whichever is longer).
    retry_after_ms: f64,
}

#[derive(Debug, Clone)]
pub struct RemoteCache {
    url: String,
    options: RemoteOptions,
    set: Option<CachedSet>,
    last_attempt: Option<Attempt>,
    fetching_since_ms: Option<f64>,
    fetches: u64,
    /// Bumped whenever the set's keys change, so the host knows when to parse it again.
    generation: u64,
    /// A shared store backs this cache ([`Action::Consult`]).
    shared: bool,
    last_consult_ms: Option<f64>,
}

/// `stats()` of API.md (times in seconds).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub fetches: u64,
    pub last_fetch_at: Option<f64>,
    pub last_error: Option<Value>,
    pub kids: Vec<String>,
}

const STATE_VERSION: u64 = 1;
/// With a shared store, a `kid` the set lacks reads the store at most this often (ms) while
/// fetching is held back by the cooldown.
pub const STORE_RECHECK_MS: f64 = 1000.0;

/// Whether `keys` has a key the token may select under the key-selection rule (its `alg` and
/// `kid`). A token whose header cannot be read, or whose `alg` is unknown, counts as served:
/// no refetch can help it, and verification reports what is wrong.
pub fn has_candidate(keys: &KeySet, token: &str, max_length: usize) -> bool {
    let Some(header_bytes) = Parts::split(token, max_length).ok().and_then(|parts| parts.header_bytes().ok()) else { return true };
    let Ok(header) = header_view(&header_bytes) else { return true };
    let Some(alg) = header.str_member("alg").and_then(Alg::parse) else { return true };
    let kid = match header.member("kid") {
        None => None,
        Some(Member::Str(kid)) => Some(kid),
        Some(_) => return true,
    };
    !keys.select(alg, kid, 1).candidates.is_empty()
}

const STATE_MEMBERS: [&str; 11] = [
    "version",
    "url",
    "jwks",
    "fetchedAtMs",
    "expiresAtMs",
    "etag",
    "lastModified",
    "lastAttemptAtMs",
    "lastError",
    "retryAfterMs",
    "fetchingSinceMs",
];

/// What a shared store's state means for the fetch in flight ([`RemoteCache::adopt_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreVerdict {
    /// The state serves (or the shared cooldown holds): the fetch is over, nothing to fetch.
    Skip,
    /// Fetch upstream (after writing this cache's state, which marks the fetch in flight).
    Fetch,
    /// Another process is fetching (its `fetchingSinceMs` is less than `timeoutMs` old): read
    /// the store again shortly instead of fetching too, until `timeoutMs` has passed.
    Wait,
}

impl StoreVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            StoreVerdict::Skip => "skip",
            StoreVerdict::Fetch => "fetch",
            StoreVerdict::Wait => "wait",
        }
    }
}

impl RemoteCache {
    pub fn new(url: impl Into<String>, options: RemoteOptions) -> Self {
        RemoteCache {
            url: url.into(),
            options,
            set: None,
            last_attempt: None,
            fetching_since_ms: None,
            fetches: 0,
            generation: 0,
            shared: false,
            last_consult_ms: None,
        }
    }

    /// Marks the cache as backed by a shared store: a miss held back by the cooldown then
    /// consults the store (at most once per [`STORE_RECHECK_MS`]) before it fails.
    pub fn set_shared(&mut self, shared: bool) {
        self.shared = shared;
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn set(&self) -> Option<&CachedSet> {
        self.set.as_ref()
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn in_flight(&self) -> bool {
        self.fetching_since_ms.is_some()
    }

    pub fn kids(&self) -> &[String] {
        self.set.as_ref().map_or(&[], |s| &s.kids)
    }

    /// What to do for a verification that needs `kid` (`None`: any key of the set).
    /// `waited` is true once this caller has waited for a fetch: it then never fetches again.
    /// `Err` when nothing can be served: the last fetch error, or `ERR_JWKS_NO_MATCHING_KEY`
    /// for a `kid` the set lacks (no key can match it under the key-selection rule).
    pub fn decide(&self, now_ms: f64, kid: Option<&str>, waited: bool) -> Result<Action> {
        let usable = self.usable_set(now_ms, waited);
        if let Some(set) = usable {
            if kid.map_or(true, |kid| set.has_kid(kid)) {
                // An expired set is refreshed before it verifies again (a key removed upstream
                // must not verify once more): it serves stale only after its refresh failed,
                // or while a failed attempt's cooldown holds the next one back.
                let expired = now_ms >= set.expires_at_ms;
                // Waiting is a refresh only when an attempt ended at or after the expiry: a
                // caller that joined a store consult (another caller's unknown kid) waited for
                // no fetch. One still in flight after the wait is served, never waited for again.
                let refreshed = waited && (self.in_flight() || self.last_attempt.as_ref().is_some_and(|a| a.finished_at_ms >= set.expires_at_ms));
                if !expired || refreshed || !self.may_refresh(now_ms) {
                    return Ok(Action::Serve);
                }
                return Ok(if self.in_flight() { Action::Join } else { Action::Fetch });
            }
        }
        if !waited {
            if self.in_flight() {
                return Ok(Action::Join);
            }
            // An unknown kid on a fresh set waits out the cooldown; on an expired set (a
            // max-age shorter than cooldownMs) the refresh its expiry calls for is due.
            let may_fetch = match usable {
                Some(set) if now_ms < set.expires_at_ms => !self.cooling_down(now_ms),
                _ => self.may_refresh(now_ms),
            };
            if may_fetch {
                return Ok(Action::Fetch);
            }
            // A consult less than STORE_RECHECK_MS ago holds the next one back (a NaN time never does).
            let recent = |at: f64| (now_ms - at).partial_cmp(&STORE_RECHECK_MS) == Some(std::cmp::Ordering::Less);
            if self.shared && !self.last_consult_ms.is_some_and(recent) {
                return Ok(Action::Consult);
            }
        }
        Err(match (usable, self.last_error()) {
            (Some(_), Some(error)) => self.refetch_failed_error(now_ms, error, kid),
            (Some(set), None) => self.unknown_kid_error(now_ms, set, kid.unwrap_or_default(), waited),
            (None, _) => self.unavailable_error(now_ms),
        })
    }

    /// What to do when the set [`RemoteCache::decide`] served has no candidate key for the
    /// token ([`has_candidate`] is false): the refetch an unknown `kid` gets, under the same
    /// cooldown; `Serve` when none is due (verification then reports the missing key).
    /// `waited` is true once this caller has waited for that refetch (it then never fetches
    /// again). `Err` with the fetch error when the refetch the token needs failed, or a failed
    /// attempt's cooldown holds it back, as for an unknown `kid`.
    pub fn decide_without_candidate(&self, now_ms: f64, waited: bool) -> Result<Action> {
        if self.set.is_none() {
            return Ok(Action::Serve);
        }
        if !waited {
            if self.in_flight() {
                return Ok(Action::Join);
            }
            // The cooldown, expired set or not: decide() has just refreshed an expired set (or
            // failed to, or joined the refresh), so another fetch now would fetch the same set
            // again (a lifetime of 0, `cacheMaxAgeMs: 0`: three fetches per such token).
            if !self.cooling_down(now_ms) {
                return Ok(Action::Fetch);
            }
        }
        match self.last_error() {
            Some(error) => Err(self.refetch_failed_error(now_ms, error, None)),
            None => Ok(Action::Serve),
        }
    }

    /// The cached set when it may be served now: fresh, just fetched by the fetch this caller
    /// waited for, or expired less than `staleIfErrorMs` ago.
    fn usable_set(&self, now_ms: f64, waited: bool) -> Option<&CachedSet> {
        let set = self.set.as_ref()?;
        if now_ms < set.expires_at_ms {
            return Some(set);
        }
        let last_failed = self.last_attempt.as_ref().is_some_and(|a| a.error.is_some());
        if waited && !last_failed {
            // The fetch just waited for produced this set; a zero lifetime must not void it.
            return Some(set);
        }
        (now_ms < set.expires_at_ms + self.options.stale_if_error_ms).then_some(set)
    }

    /// When the next attempt may start after the last one (`None`: no attempt yet).
    fn next_attempt_at(&self) -> Option<f64> {
        let attempt = self.last_attempt.as_ref()?;
        Some(attempt.finished_at_ms + self.options.cooldown_ms.max(attempt.retry_after_ms))
    }

    /// An attempt ended less than `cooldownMs` (or its `Retry-After`) ago.
    fn cooling_down(&self, now_ms: f64) -> bool {
        self.next_attempt_at().is_some_and(|at| now_ms < at)
    }

    /// An automatic (re)fetch is allowed: the last attempt did not fail within its cooldown.
    fn may_refresh(&self, now_ms: f64) -> bool {
        !(self.last_error().is_some() && self.cooling_down(now_ms))
    }

    /// Records that a fetch starts now (or a store is read before it).
    pub fn start_fetch(&mut self, now_ms: f64) {
        self.fetching_since_ms = Some(now_ms);
    }

    /// Records that the shared store is read now ([`Action::Consult`]); callers join it.
    pub fn start_consult(&mut self, now_ms: f64) {
        self.fetching_since_ms = Some(now_ms);
        self.last_consult_ms = Some(now_ms);
    }

    /// Records a 200 response. `Err` (and a recorded failure) when the body is not a JWK Set.
    pub fn fetch_succeeded(&mut self, now_ms: f64, body: &str, cache_control: Option<&str>, age: Option<&str>) -> Result<()> {
        self.fetch_succeeded_with(now_ms, body, ResponseHeaders { cache_control, age, ..ResponseHeaders::default() })
    }

    /// [`RemoteCache::fetch_succeeded`] with every header the policy reads. A body equal to
    /// the cached one is not parsed again and keeps the generation.
    pub fn fetch_succeeded_with(&mut self, now_ms: f64, body: &str, headers: ResponseHeaders<'_>) -> Result<()> {
        let unchanged = self.set.as_ref().is_some_and(|set| set.jwks_text == body);
        let kids = if unchanged {
            self.kids().to_vec()
        } else {
            let checked = parse_json_strict(body.as_bytes())
                .map_err(|why| format!("not valid JSON: {why}"))
                .and_then(|value| jwks_kids(&value, self.options.max_keys()));
            match checked {
                Ok(kids) => kids,
                Err(why) => {
                    let err = JoseError::jwks_invalid(format!("the response from {} is not a JWK Set: {why}", quoted(&self.url)));
                    return Err(self.fetch_failed(now_ms, err));
                }
            }
        };
        self.record_success(now_ms);
        let lifetime_ms = self.lifetime_ms(headers.cache_control, headers.age);
        self.set = Some(CachedSet {
            jwks_text: body.to_owned(),
            kids,
            fetched_at_ms: now_ms,
            expires_at_ms: now_ms + lifetime_ms,
            etag: validator(headers.etag),
            last_modified: validator(headers.last_modified),
        });
        if !unchanged {
            self.generation += 1;
        }
        Ok(())
    }

    /// Records a `304 Not Modified`: the cached set is fresh again. Without a cached set it is
    /// a failed fetch (nothing asked for one).
    pub fn not_modified(&mut self, now_ms: f64, headers: ResponseHeaders<'_>) -> Result<()> {
        if self.set.is_none() {
            let err = JoseError::new(
                ErrorCode::JwksFetchFailed,
                format!("GET {} failed: HTTP status 304 (Not Modified), but there is no cached set to revalidate", quoted(&self.url)),
            );
            return Err(self.fetch_failed(now_ms, err));
        }
        self.record_success(now_ms);
        let lifetime_ms = self.lifetime_ms(headers.cache_control, headers.age);
        if let Some(set) = self.set.as_mut() {
            set.fetched_at_ms = now_ms;
            set.expires_at_ms = now_ms + lifetime_ms;
            set.etag = validator(headers.etag).or(set.etag.take());
            set.last_modified = validator(headers.last_modified).or(set.last_modified.take());
        }
        Ok(())
    }

    fn record_success(&mut self, now_ms: f64) {
        self.fetches += 1;
        self.fetching_since_ms = None;
        self.last_attempt = Some(Attempt { finished_at_ms: now_ms, error: None, retry_after_ms: 0.0 });
    }

    /// Records a failed fetch; returns the error with the cache's context added.
    pub fn fetch_failed(&mut self, now_ms: f64, error: JoseError) -> JoseError {
        self.fetch_failed_with(now_ms, error, None)
    }

    /// [`RemoteCache::fetch_failed`] for a 429 or 503 whose `Retry-After` asks for a delay:
    /// no attempt before it has passed, at most [`MAX_RETRY_AFTER_MS`], at least `cooldownMs`.
    pub fn fetch_failed_with(&mut self, now_ms: f64, error: JoseError, retry_after: Option<&str>) -> JoseError {
        let retry_after_ms =
            retry_after.and_then(|value| retry_after::delay_ms(value, now_ms)).map_or(0.0, |ms| ms.min(MAX_RETRY_AFTER_MS));
        let mut message = format!("{}; {}", error.message, self.context());
        if retry_after_ms > self.options.cooldown_ms {
            message.push_str(&format!("; Retry-After asks to wait {}", span(retry_after_ms)));
        }
        let error = JoseError::new(error.code, truncate(message, MAX_ERROR_TEXT));
        self.fetches += 1;
        self.fetching_since_ms = None;
        self.last_attempt = Some(Attempt { finished_at_ms: now_ms, error: Some(error.clone()), retry_after_ms });
        error
    }

    /// How long a set fetched with these headers stays fresh, in ms.
    pub fn lifetime_ms(&self, cache_control: Option<&str>, age: Option<&str>) -> f64 {
        let cap = self.options.cache_max_age_ms;
        match cache_control::freshness_seconds(cache_control, age) {
            None => cap,
            // API.md: a shorter max-age wins, whatever the cooldown (at most one fetch a second
            // before a verification needs it); only "no reuse at all" falls back to the cooldown.
            Some(0) => self.options.cooldown_ms.min(cap),
            Some(seconds) => (seconds as f64 * 1000.0).min(cap),
        }
    }

    /// `(ETag, Last-Modified)` of the cached set, for `If-None-Match` / `If-Modified-Since`.
    pub fn validators(&self) -> (Option<&str>, Option<&str>) {
        self.set.as_ref().map_or((None, None), |s| (s.etag.as_deref(), s.last_modified.as_deref()))
    }

    /// "last fetched ... (kids [...])", for error messages.
    fn context(&self) -> String {
        match &self.set {
            Some(set) => format!(
                "last good fetch of {} at {}, kids known: {}",
                quoted(&self.url),
                iso_utc(set.fetched_at_ms),
                quoted_list(&set.kids)
            ),
            None => format!("no good fetch of {} yet, no kids known", quoted(&self.url)),
        }
    }

    fn unknown_kid_error(&self, now_ms: f64, set: &CachedSet, kid: &str, waited: bool) -> JoseError {
        let why = if waited {
            "after a refetch".to_owned()
        } else {
            let since = self.last_attempt.as_ref().map_or(0.0, |a| now_ms - a.finished_at_ms);
            format!(
                "not refetched: the last fetch finished {} ago, within cooldownMs ({})",
                span(since),
                span(self.options.cooldown_ms)
            )
        };
        JoseError::new(
            ErrorCode::NoMatchingKey,
            format!(
                "no key with kid {} in the JWKS from {} ({why}); fetched at {}, kids known: {}",
                quoted(kid),
                quoted(&self.url),
                iso_utc(set.fetched_at_ms),
                quoted_list(&set.kids)
            ),
        )
        .with_kids(&set.kids)
    }

    /// A token the usable set has no key for, whose refetch failed (or is held back by the
    /// cooldown of a failed attempt): that failure, with its code, is the answer, as jose's
    /// `createRemoteJWKSet` surfaces its reload's error; "no matching key" would hide that the
    /// key may well exist upstream.
    fn refetch_failed_error(&self, now_ms: f64, error: &JoseError, kid: Option<&str>) -> JoseError {
        let missing = match kid {
            Some(kid) => format!("kid {} is not in the cached set", quoted(kid)),
            None => "no key of the cached set fits the token".to_owned(),
        };
        let mut message = format!("{missing} and the refetch it needs failed: {}", error.message);
        if let Some(retry_at) = self.next_attempt_at().filter(|at| *at > now_ms) {
            message.push_str(&format!("; no new attempt before {}", iso_utc(retry_at)));
        }
        JoseError::new(error.code, truncate(message, MAX_ERROR_TEXT))
    }

    fn unavailable_error(&self, now_ms: f64) -> JoseError {
        let Some(Attempt { finished_at_ms, error: Some(error), .. }) = &self.last_attempt else {
            return JoseError::new(ErrorCode::JwksFetchFailed, format!("no JWKS fetched from {} yet", quoted(&self.url)));
        };
        let mut message = error.message.clone();
        let retry_at = self.next_attempt_at().unwrap_or(*finished_at_ms);
        if retry_at > now_ms {
            message.push_str(&format!("; that attempt ended at {}, no new attempt before {}", iso_utc(*finished_at_ms), iso_utc(retry_at)));
        }
        if let Some(set) = &self.set {
            message.push_str(&format!(
                "; the cached set expired at {} and may serve only until {} (staleIfErrorMs)",
                iso_utc(set.expires_at_ms),
                iso_utc(set.expires_at_ms + self.options.stale_if_error_ms)
            ));
        }
        JoseError::new(error.code, message)
    }

    pub fn stats(&self) -> Stats {
        Stats {
            fetches: self.fetches,
            last_fetch_at: self.set.as_ref().map(|s| s.fetched_at_ms / 1000.0),
            last_error: self.last_error().map(|e| json!({ "code": e.code(), "message": e.message })),
            kids: self.kids().to_vec(),
        }
    }

    /// The error of the latest fetch, when it failed.
    pub fn last_error(&self) -> Option<&JoseError> {
        self.last_attempt.as_ref().and_then(|a| a.error.as_ref())
    }

    /// A JSON-safe snapshot to carry the cache to another isolate or a shared store
    /// ([`RemoteCache::from_state`]).
    pub fn export_state(&self) -> Value {
        let mut state = json!({ "version": STATE_VERSION, "url": self.url, "jwks": Value::Null });
        if let Some(set) = &self.set {
            state["jwks"] = parse_json_strict(set.jwks_text.as_bytes()).unwrap_or(Value::Null);
            state["fetchedAtMs"] = json!(set.fetched_at_ms);
            state["expiresAtMs"] = json!(set.expires_at_ms);
            if let Some(etag) = &set.etag {
                state["etag"] = json!(etag);
            }
            if let Some(last_modified) = &set.last_modified {
                state["lastModified"] = json!(last_modified);
            }
        }
        if let Some(attempt) = &self.last_attempt {
            state["lastAttemptAtMs"] = json!(attempt.finished_at_ms);
            if let Some(error) = &attempt.error {
                state["lastError"] = json!({ "code": error.code(), "message": error.message });
            }
            if attempt.retry_after_ms > 0.0 {
                state["retryAfterMs"] = json!(attempt.retry_after_ms);
            }
        }
        if let Some(since) = self.fetching_since_ms {
            state["fetchingSinceMs"] = json!(since);
        }
        state
    }

    /// How long a shared store should keep the exported state (ms): while its set may still
    /// serve, or its last attempt still holds the next one back; at least a second.
    pub fn store_ttl_ms(&self, now_ms: f64) -> f64 {
        let serves_until = self.set.as_ref().map_or(now_ms, |s| s.expires_at_ms + self.options.stale_if_error_ms);
        let holds_until = self.next_attempt_at().unwrap_or(now_ms);
        (serves_until.max(holds_until) - now_ms).max(1000.0).ceil()
    }

    /// A cache restored from [`RemoteCache::export_state`] output (`null`: an empty cache),
    /// checked as a fetched body is: `ERR_JWKS_INVALID` on a malformed state, one exported
    /// for another URL, a `jwks` that is not a JWK Set within `maxBytes` and `maxKeys`, or a
    /// `lastError` longer than [`MAX_ERROR_TEXT`]. The expiry is clamped to `fetchedAtMs +
    /// cacheMaxAgeMs`; a set fetched later than `now_ms` is dropped, and so is an attempt that
    /// ended later than `now_ms`.
    pub fn from_state(url: impl Into<String>, options: RemoteOptions, state: &Value, now_ms: f64) -> Result<Self> {
        let mut cache = RemoteCache::new(url, options);
        if state.is_null() {
            return Ok(cache);
        }
        let invalid = |why: &str| JoseError::jwks_invalid(format!("RemoteJwks state for {}: {why}", quoted(&cache.url)));
        let Some(object) = state.as_object() else { return Err(invalid("not an object")) };
        if let Some(unknown) = object.keys().find(|name| !STATE_MEMBERS.contains(&name.as_str())) {
            return Err(invalid(&format!("unknown member {}", quoted(unknown))));
        }
        if object.get("version").and_then(Value::as_u64) != Some(STATE_VERSION) {
            return Err(invalid(&format!("unsupported version (expected {STATE_VERSION})")));
        }
        match object.get("url").and_then(Value::as_str) {
            Some(url) if url == cache.url => {}
            Some(url) => return Err(invalid(&format!("it was exported for {}", quoted(url)))),
            None => return Err(invalid("no url")),
        }
        let time = |name: &str| -> Result<Option<f64>> {
            match object.get(name) {
                None => Ok(None),
                Some(value) => match value.as_f64().filter(|t| t.is_finite() && *t >= 0.0) {
                    Some(t) => Ok(Some(t)),
                    None => Err(invalid(&format!("{name} must be a non-negative number of ms"))),
                },
            }
        };
        let text = |name: &str, limit: usize| -> Result<Option<String>> {
            match object.get(name) {
                None => Ok(None),
                Some(Value::String(s)) if s.len() <= limit => Ok(Some(s.clone())),
                Some(_) => Err(invalid(&format!("{name} must be a string of at most {limit} bytes"))),
            }
        };
        let (etag, last_modified) = (text("etag", MAX_VALIDATOR_TEXT)?, text("lastModified", MAX_VALIDATOR_TEXT)?);
        match object.get("jwks") {
            None | Some(Value::Null) => {}
            Some(jwks) => {
                let text = jwks.to_string();
                if text.len() as f64 > options.max_bytes {
                    return Err(invalid(&format!("jwks is larger than maxBytes ({} bytes)", options.max_bytes)));
                }
                let kids = jwks_kids(jwks, options.max_keys()).map_err(|why| invalid(&format!("jwks is not a JWK Set: {why}")))?;
                let (Some(fetched_at_ms), Some(expires_at_ms)) = (time("fetchedAtMs")?, time("expiresAtMs")?) else {
                    return Err(invalid("fetchedAtMs and expiresAtMs must be numbers"));
                };
                if fetched_at_ms <= now_ms {
                    let expires_at_ms = expires_at_ms.min(fetched_at_ms + options.cache_max_age_ms);
                    cache.set = Some(CachedSet { jwks_text: text, kids, fetched_at_ms, expires_at_ms, etag, last_modified });
                    cache.generation = 1;
                }
            }
        }
        let error = match object.get("lastError") {
            None | Some(Value::Null) => None,
            Some(error) => {
                let code = error.get("code").and_then(Value::as_str).and_then(fetch_error_code);
                let message = error.get("message").and_then(Value::as_str);
                let (Some(code), Some(message)) = (code, message) else {
                    return Err(invalid("lastError must be {code, message} with a JWKS fetch error code"));
                };
                if message.len() > MAX_ERROR_TEXT {
                    return Err(invalid(&format!("lastError.message is longer than {MAX_ERROR_TEXT} bytes")));
                }
                Some(JoseError::new(code, message))
            }
        };
        time("fetchingSinceMs")?;
        let retry_after_ms = time("retryAfterMs")?.unwrap_or(0.0);
        if retry_after_ms > MAX_RETRY_AFTER_MS {
            return Err(invalid(&format!("retryAfterMs is above {MAX_RETRY_AFTER_MS}")));
        }
        if let Some(finished_at_ms) = time("lastAttemptAtMs")?.filter(|t| *t <= now_ms) {
            cache.last_attempt = Some(Attempt { finished_at_ms, error, retry_after_ms });
        }
        Ok(cache)
    }

    /// Takes what a shared store holds (`export_state` output of another process) where it is
    /// newer than this cache's own: a set fetched later, an attempt that ended later. The state
    /// is checked exactly as [`RemoteCache::from_state`] checks it. [`StoreVerdict::Skip`] when,
    /// with it, the fetch in flight for `kid` is no longer needed (another process fetched, or
    /// its cooldown holds): the fetch is then over.
    pub fn adopt_state(&mut self, now_ms: f64, state: &Value, kid: Option<&str>) -> Result<StoreVerdict> {
        self.adopt_then(now_ms, state, |cache| matches!(cache.decide(now_ms, kid, false), Ok(Action::Fetch)))
    }

    /// [`RemoteCache::adopt_state`] for the refetch of a token the set has no key for
    /// ([`RemoteCache::decide_without_candidate`]): skipped when another process fetched within
    /// the cooldown, so that such tokens make one upstream fetch per cooldown across processes.
    pub fn adopt_state_without_candidate(&mut self, now_ms: f64, state: &Value) -> Result<StoreVerdict> {
        self.adopt_then(now_ms, state, |cache| matches!(cache.decide_without_candidate(now_ms, false), Ok(Action::Fetch)))
    }

    fn adopt_then(&mut self, now_ms: f64, state: &Value, still_needed: impl Fn(&Self) -> bool) -> Result<StoreVerdict> {
        let other = RemoteCache::from_state(self.url.clone(), self.options, state, now_ms)?;
        let other_fetching = state
            .get("fetchingSinceMs")
            .and_then(Value::as_f64)
            .is_some_and(|since| since <= now_ms && now_ms - since < self.options.timeout_ms);
        if let Some(set) = other.set {
            if self.set.as_ref().map_or(true, |own| set.fetched_at_ms > own.fetched_at_ms) {
                if self.set.as_ref().map_or(true, |own| own.jwks_text != set.jwks_text) {
                    self.generation += 1;
                }
                self.set = Some(set);
            }
        }
        if let Some(attempt) = other.last_attempt {
            if self.last_attempt.as_ref().map_or(true, |own| attempt.finished_at_ms > own.finished_at_ms) {
                self.last_attempt = Some(attempt);
            }
        }
        let in_flight = self.fetching_since_ms.take();
        let shared = std::mem::replace(&mut self.shared, false);
        let needed = still_needed(self);
        self.shared = shared;
        if !needed {
            return Ok(StoreVerdict::Skip);
        }
        self.fetching_since_ms = in_flight;
        Ok(if other_fetching { StoreVerdict::Wait } else { StoreVerdict::Fetch })
    }

    /// Ends the fetch in flight without an upstream request (the store could not be read and
    /// fetching is left to the caller's next decision).
    pub fn cancel_fetch(&mut self) {
        self.fetching_since_ms = None;
    }
}

/// The codes a fetch can fail with.
fn fetch_error_code(code: &str) -> Option<ErrorCode> {
    [ErrorCode::JwksTimeout, ErrorCode::JwksFetchFailed, ErrorCode::JwksInvalid].into_iter().find(|c| c.as_str() == code)
}

/// The `kid`s of a JWK Set `{"keys": [...]}` whose entries are all JWK objects (an object with
/// a string `kty`), or why it is not one. The key count is checked before any entry is.
pub fn jwks_kids(value: &Value, max_keys: usize) -> std::result::Result<Vec<String>, String> {
    let Some(Value::Array(keys)) = value.get("keys") else {
        return Err("expected an object with a \"keys\" array".to_owned());
    };
    if keys.len() > max_keys {
        return Err(format!("it has {} keys, more than maxKeys ({max_keys})", keys.len()));
    }
    let mut kids = Vec::new();
    for (index, key) in keys.iter().enumerate() {
        let Some(jwk) = key.as_object().filter(|jwk| jwk.get("kty").is_some_and(Value::is_string)) else {
            return Err(format!("keys[{index}] is not a JWK object (an object with a string \"kty\"), got {}", kind(key)));
        };
        if let Some(kid) = jwk.get("kid").and_then(Value::as_str) {
            kids.push(kid.to_owned());
        }
    }
    Ok(kids)
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(map) if map.is_empty() => "an empty object",
        Value::Object(_) => "an object without a string \"kty\"",
    }
}

/// A response validator worth keeping: present, non-empty and not oversized.
fn validator(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|v| !v.is_empty() && v.len() <= MAX_VALIDATOR_TEXT).map(str::to_owned)
}

/// `text` cut to at most `limit` bytes at a character boundary, marked with "…".
fn truncate(mut text: String, limit: usize) -> String {
    if text.len() > limit {
        let mut end = limit.saturating_sub('…'.len_utf8());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

/// Refuses a `RemoteJwks` / `discoverJwks` URL that is not absolute `http:` / `https:`, or
/// that carries user info (credentials would leak into messages, `stats()` and state). `url`
/// is the WHATWG-normalized text (`new URL(url).href`). The reason never repeats the URL.
pub fn check_url(url: &str) -> std::result::Result<(), String> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        let scheme = url.split_once(':').map_or("", |(s, _)| s);
        return Err(format!("must be an absolute http: or https: URL, got the scheme {:?}", truncate(scheme.to_owned(), 32)));
    };
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@') {
        return Err("must not contain user info (credentials before an @): they would leak into messages, stats() and exported state".to_owned());
    }
    if authority.is_empty() {
        return Err("must have a host".to_owned());
    }
    Ok(())
}
