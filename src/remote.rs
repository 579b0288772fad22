//! The `RemoteJwks` cache policy: a pure state machine. The host asks [`RemoteCache::decide`]
//! what to do for a verification (serve the cached set, start a fetch, wait for the fetch in
//! flight) and reports each fetch's outcome; every time is a parameter (Unix epoch ms), so the
//! policy runs natively under a fake clock. The fetch itself lives in the wasm bindings.
//!
//! Rules (API.md, "RemoteJwks"):
//! - A set is fresh for `cacheMaxAgeMs` after its fetch, or for a shorter `Cache-Control:
//!   max-age`. A server max-age (or `no-store` / `no-cache`) below `cooldownMs` is raised to
//!   `cooldownMs`, so that a server cannot make every verification a fetch.
//! - An expired or missing set is fetched; a failed fetch is not retried before `cooldownMs`
//!   has passed, and meanwhile the last good set is served while it is less than
//!   `staleIfErrorMs` past its expiry (`must-revalidate` does not cut that short).
//! - A `kid` the set lacks refetches once, unless a fetch finished less than `cooldownMs` ago.
//! - One fetch at a time: callers that would fetch while one is in flight wait for it, and
//!   after waiting they take what it produced instead of fetching again.

pub mod cache_control;
pub mod discovery;
pub mod time_text;

use crate::encoding::parse_json_strict;
use crate::error::{ErrorCode, JoseError, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use crate::quote::{quoted, quoted_list};
use time_text::{iso_utc, span};

/// `RemoteOptions` of API.md that the policy uses (the host keeps `headers` and `fetch`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RemoteOptions {
    /// Default 5000: a fetch (response and body) that takes longer fails with `ERR_JWKS_TIMEOUT`.
    pub timeout_ms: f64,
    /// Default 30000: the least time between a finished fetch and an unknown-`kid` refetch, or
    /// between a failed fetch and the next attempt.
    pub cooldown_ms: f64,
    /// Default 600000: the longest a fetched set counts as fresh.
    pub cache_max_age_ms: f64,
    /// Default 86400000: how long past its expiry the last good set keeps serving while
    /// fetches fail.
    pub stale_if_error_ms: f64,
    /// Default 1048576: the largest response body accepted.
    pub max_bytes: f64,
}

impl Default for RemoteOptions {
    fn default() -> Self {
        RemoteOptions {
            timeout_ms: 5000.0,
            cooldown_ms: 30_000.0,
            cache_max_age_ms: 600_000.0,
            stale_if_error_ms: 86_400_000.0,
            max_bytes: 1_048_576.0,
        }
    }
}

impl RemoteOptions {
    /// `Err` names the first option that is not a usable number.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let checks = [
            ("timeoutMs", self.timeout_ms, 1.0),
            ("cooldownMs", self.cooldown_ms, 0.0),
            ("cacheMaxAgeMs", self.cache_max_age_ms, 0.0),
            ("staleIfErrorMs", self.stale_if_error_ms, 0.0),
            ("maxBytes", self.max_bytes, 1.0),
        ];
        for (name, value, least) in checks {
            if !value.is_finite() || value < least {
                return Err(format!("{name} must be a finite number of at least {least}, got {value}"));
            }
        }
        Ok(())
    }
}

/// The last good set: its JSON text, its `kid`s, and when it was fetched and expires.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedSet {
    pub jwks_text: String,
    pub kids: Vec<String>,
    pub fetched_at_ms: f64,
    pub expires_at_ms: f64,
}

impl CachedSet {
    pub fn has_kid(&self, kid: &str) -> bool {
        self.kids.iter().any(|k| k == kid)
    }
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
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Serve => "serve",
            Action::Fetch => "fetch",
            Action::Join => "join",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Attempt {
    finished_at_ms: f64,
    /// `None` when it succeeded.
    error: Option<JoseError>,
}

#[derive(Debug, Clone)]
pub struct RemoteCache {
    url: String,
    options: RemoteOptions,
    set: Option<CachedSet>,
    last_attempt: Option<Attempt>,
    fetching_since_ms: Option<f64>,
    fetches: u64,
    /// Bumped whenever `set` changes, so the host knows when to parse it again.
    generation: u64,
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

impl RemoteCache {
    pub fn new(url: impl Into<String>, options: RemoteOptions) -> Self {
        RemoteCache { url: url.into(), options, set: None, last_attempt: None, fetching_since_ms: None, fetches: 0, generation: 0 }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn options(&self) -> &RemoteOptions {
        &self.options
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
                return Ok(Action::Serve);
            }
        }
        if !waited {
            if self.in_flight() {
                return Ok(Action::Join);
            }
            let may_fetch = match usable {
                Some(_) => !self.cooling_down(now_ms),
                None => self.may_refresh(now_ms),
            };
            if may_fetch {
                return Ok(Action::Fetch);
            }
        }
        Err(match usable {
            Some(set) => self.unknown_kid_error(now_ms, set, kid.unwrap_or_default(), waited),
            None => self.unavailable_error(now_ms),
        })
    }

    /// The cached set when it may be served now.
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
        let refresh_failed = waited || !self.may_refresh(now_ms);
        (refresh_failed && last_failed && now_ms < set.expires_at_ms + self.options.stale_if_error_ms).then_some(set)
    }

    /// A fetch finished less than `cooldownMs` ago.
    fn cooling_down(&self, now_ms: f64) -> bool {
        self.last_attempt.as_ref().is_some_and(|a| now_ms - a.finished_at_ms < self.options.cooldown_ms)
    }

    /// An automatic (re)fetch is allowed: the last attempt did not fail within `cooldownMs`.
    fn may_refresh(&self, now_ms: f64) -> bool {
        !self.last_attempt.as_ref().is_some_and(|a| a.error.is_some() && now_ms - a.finished_at_ms < self.options.cooldown_ms)
    }

    /// Records that a fetch starts now.
    pub fn start_fetch(&mut self, now_ms: f64) {
        self.fetching_since_ms = Some(now_ms);
        self.fetches += 1;
    }

    /// Records a 200 response. `Err` (and a recorded failure) when the body is not a JWK Set.
    pub fn fetch_succeeded(&mut self, now_ms: f64, body: &str, cache_control: Option<&str>, age: Option<&str>) -> Result<()> {
        let kids = match jwks_kids(body) {
            Ok(kids) => kids,
            Err(why) => {
                let err = JoseError::jwks_invalid(format!("the response from {} is not a JWK Set: {why}", quoted(&self.url)));
                return Err(self.fetch_failed(now_ms, err));
            }
        };
        let lifetime_ms = self.lifetime_ms(cache_control, age);
        self.fetching_since_ms = None;
        self.last_attempt = Some(Attempt { finished_at_ms: now_ms, error: None });
        self.set = Some(CachedSet { jwks_text: body.to_owned(), kids, fetched_at_ms: now_ms, expires_at_ms: now_ms + lifetime_ms });
        self.generation += 1;
        Ok(())
    }

    /// Records a failed fetch; returns the error with the cache's context added.
    pub fn fetch_failed(&mut self, now_ms: f64, error: JoseError) -> JoseError {
        let error = JoseError::new(error.code, format!("{}; {}", error.message, self.context()));
        self.fetching_since_ms = None;
        self.last_attempt = Some(Attempt { finished_at_ms: now_ms, error: Some(error.clone()) });
        error
    }

    /// How long a set fetched with these headers stays fresh, in ms.
    pub fn lifetime_ms(&self, cache_control: Option<&str>, age: Option<&str>) -> f64 {
        let cap = self.options.cache_max_age_ms;
        match cache_control::freshness_seconds(cache_control, age) {
            None => cap,
            Some(seconds) => (seconds as f64 * 1000.0).max(self.options.cooldown_ms).min(cap),
        }
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

    fn unavailable_error(&self, now_ms: f64) -> JoseError {
        let Some(Attempt { finished_at_ms, error: Some(error) }) = &self.last_attempt else {
            return JoseError::new(ErrorCode::JwksFetchFailed, format!("no JWKS fetched from {} yet", quoted(&self.url)));
        };
        let mut message = error.message.clone();
        let retry_at = finished_at_ms + self.options.cooldown_ms;
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

    /// A JSON-safe snapshot to carry the cache to another isolate ([`RemoteCache::from_state`]).
    pub fn export_state(&self) -> Value {
        let mut state = json!({ "version": STATE_VERSION, "url": self.url, "jwks": Value::Null });
        if let Some(set) = &self.set {
            state["jwks"] = parse_json_strict(set.jwks_text.as_bytes()).unwrap_or(Value::Null);
            state["fetchedAtMs"] = json!(set.fetched_at_ms);
            state["expiresAtMs"] = json!(set.expires_at_ms);
        }
        if let Some(attempt) = &self.last_attempt {
            state["lastAttemptAtMs"] = json!(attempt.finished_at_ms);
            if let Some(error) = &attempt.error {
                state["lastError"] = json!({ "code": error.code(), "message": error.message });
            }
        }
        state
    }

    /// A cache restored from [`RemoteCache::export_state`] output (`null`: an empty cache).
    /// Fails with `ERR_JWKS_INVALID` on a malformed state or one exported for another URL.
    pub fn from_state(url: impl Into<String>, options: RemoteOptions, state: &Value) -> Result<Self> {
        let mut cache = RemoteCache::new(url, options);
        if state.is_null() {
            return Ok(cache);
        }
        let invalid = |why: &str| JoseError::jwks_invalid(format!("RemoteJwks state for {}: {why}", quoted(&cache.url)));
        let Some(object) = state.as_object() else { return Err(invalid("not an object")) };
        if object.get("version").and_then(Value::as_u64) != Some(STATE_VERSION) {
            return Err(invalid(&format!("unsupported version (expected {STATE_VERSION})")));
        }
        match object.get("url").and_then(Value::as_str) {
            Some(url) if url == cache.url => {}
            Some(url) => return Err(invalid(&format!("it was exported for {}", quoted(url)))),
            None => return Err(invalid("no url")),
        }
        let time = |name: &str| object.get(name).and_then(Value::as_f64).filter(|t| t.is_finite());
        match object.get("jwks") {
            None | Some(Value::Null) => {}
            Some(jwks) => {
                let text = jwks.to_string();
                let kids = jwks_kids(&text).map_err(|why| invalid(&format!("jwks is not a JWK Set: {why}")))?;
                let (Some(fetched_at_ms), Some(expires_at_ms)) = (time("fetchedAtMs"), time("expiresAtMs")) else {
                    return Err(invalid("fetchedAtMs and expiresAtMs must be numbers"));
                };
                cache.set = Some(CachedSet { jwks_text: text, kids, fetched_at_ms, expires_at_ms });
                cache.generation = 1;
            }
        }
        if let Some(finished_at_ms) = time("lastAttemptAtMs") {
            let error = match object.get("lastError") {
                None | Some(Value::Null) => None,
                Some(error) => {
                    let code = error.get("code").and_then(Value::as_str).and_then(fetch_error_code);
                    let message = error.get("message").and_then(Value::as_str);
                    let (Some(code), Some(message)) = (code, message) else {
                        return Err(invalid("lastError must be {code, message} with a JWKS fetch error code"));
                    };
                    Some(JoseError::new(code, message))
                }
            };
            cache.last_attempt = Some(Attempt { finished_at_ms, error });
        }
        Ok(cache)
    }
}

/// The codes a fetch can fail with.
fn fetch_error_code(code: &str) -> Option<ErrorCode> {
    [ErrorCode::JwksTimeout, ErrorCode::JwksFetchFailed, ErrorCode::JwksInvalid].into_iter().find(|c| c.as_str() == code)
}

/// The `kid`s of a JWK Set's keys, or why `body` is not a JWK Set `{"keys": [...]}`.
fn jwks_kids(body: &str) -> std::result::Result<Vec<String>, String> {
    let value = parse_json_strict(body.as_bytes()).map_err(|why| format!("not valid JSON: {why}"))?;
    let Some(Value::Array(keys)) = value.get("keys") else {
        return Err("expected an object with a \"keys\" array".to_owned());
    };
    Ok(keys.iter().filter_map(|k| k.get("kid").and_then(Value::as_str).map(str::to_owned)).collect())
}
