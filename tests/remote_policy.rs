//! The RemoteJwks cache policy under a fake clock: cold start, single flight, max age and
//! Cache-Control, unknown-kid refetch and its cooldown, stale-if-error, export/import.

use jwks_verify::remote::{cache_control, discovery, time_text, Action, RemoteCache, RemoteOptions};
use jwks_verify::ErrorCode;
use serde_json::{json, Value};

const URL: &str = "https://idp.example/jwks.json";
const T0: f64 = 1_700_000_000_000.0;
const SECOND: f64 = 1000.0;

fn options() -> RemoteOptions {
    RemoteOptions::default()
}

fn jwks(kids: &[&str]) -> String {
    let keys: Vec<Value> = kids.iter().map(|kid| json!({ "kty": "EC", "crv": "P-256", "kid": kid, "x": "x", "y": "y" })).collect();
    json!({ "keys": keys }).to_string()
}

/// A cache that fetched `kids` at `now` with no caching headers.
fn warm(options: RemoteOptions, now: f64, kids: &[&str]) -> RemoteCache {
    let mut cache = RemoteCache::new(URL, options);
    assert_eq!(cache.decide(now, None, false), Ok(Action::Fetch));
    cache.start_fetch(now);
    cache.fetch_succeeded(now, &jwks(kids), None, None).unwrap();
    cache
}

fn fetch_ok(cache: &mut RemoteCache, now: f64, kids: &[&str]) {
    cache.start_fetch(now);
    cache.fetch_succeeded(now, &jwks(kids), None, None).unwrap();
}

fn fetch_err(cache: &mut RemoteCache, now: f64, code: ErrorCode) -> jwks_verify::JoseError {
    cache.start_fetch(now);
    cache.fetch_failed(now, jwks_verify::JoseError::new(code, format!("GET {URL} failed: HTTP status 500")))
}

#[test]
fn defaults_are_those_of_the_api() {
    let o: RemoteOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(o, options());
    assert_eq!((o.timeout_ms, o.cooldown_ms, o.cache_max_age_ms, o.stale_if_error_ms, o.max_bytes), (5000.0, 30_000.0, 600_000.0, 86_400_000.0, 1_048_576.0));
    let o: RemoteOptions = serde_json::from_str(r#"{"cooldownMs": 5, "maxBytes": 10}"#).unwrap();
    assert_eq!((o.cooldown_ms, o.max_bytes, o.timeout_ms), (5.0, 10.0, 5000.0));
    assert!(RemoteOptions { timeout_ms: 0.0, ..options() }.validate().unwrap_err().contains("timeoutMs"));
    assert!(RemoteOptions { cooldown_ms: -1.0, ..options() }.validate().unwrap_err().contains("cooldownMs"));
    assert!(RemoteOptions { stale_if_error_ms: f64::NAN, ..options() }.validate().is_err());
    assert!(options().validate().is_ok());
}

#[test]
fn cold_cache_fetches_once_and_concurrent_callers_join() {
    let mut cache = RemoteCache::new(URL, options());
    assert_eq!(cache.decide(T0, Some("a"), false), Ok(Action::Fetch));
    cache.start_fetch(T0);
    for kid in [None, Some("a"), Some("zzz")] {
        assert_eq!(cache.decide(T0, kid, false), Ok(Action::Join), "{kid:?}");
    }
    cache.fetch_succeeded(T0 + 5.0, &jwks(&["a", "b"]), None, None).unwrap();
    assert!(!cache.in_flight());
    assert_eq!(cache.decide(T0 + 5.0, Some("a"), true), Ok(Action::Serve));
    assert_eq!(cache.decide(T0 + 5.0, None, true), Ok(Action::Serve));
    assert_eq!(cache.stats().fetches, 1);
    assert_eq!(cache.kids(), ["a", "b"]);
}

#[test]
fn known_kid_is_served_even_while_a_fetch_is_in_flight() {
    let mut cache = warm(options(), T0, &["a"]);
    cache.start_fetch(T0 + 40.0 * SECOND);
    assert_eq!(cache.decide(T0 + 40.0 * SECOND, Some("a"), false), Ok(Action::Serve));
    assert_eq!(cache.decide(T0 + 40.0 * SECOND, Some("new"), false), Ok(Action::Join));
}

#[test]
fn unknown_kid_refetches_once_then_fails_with_context() {
    let mut cache = warm(options(), T0, &["a"]);
    let later = T0 + 31.0 * SECOND;
    assert_eq!(cache.decide(later, Some("b"), false), Ok(Action::Fetch));
    fetch_ok(&mut cache, later, &["a"]);
    let err = cache.decide(later, Some("b"), true).unwrap_err();
    assert_eq!(err.code, ErrorCode::NoMatchingKey);
    for part in [URL, "\"b\"", "kids known: [\"a\"]", "after a refetch", "2023-11-14T22:13:51.000Z"] {
        assert!(err.message.contains(part), "{part:?} missing in {}", err.message);
    }
}

#[test]
fn rotation_a_new_kid_verifies_after_exactly_one_refetch() {
    let mut cache = warm(options(), T0, &["old"]);
    let now = T0 + 60.0 * SECOND;
    assert_eq!(cache.decide(now, Some("new"), false), Ok(Action::Fetch));
    fetch_ok(&mut cache, now + 1.0, &["old", "new"]);
    assert_eq!(cache.decide(now + 1.0, Some("new"), true), Ok(Action::Serve));
    assert_eq!(cache.decide(now + 2.0, Some("new"), false), Ok(Action::Serve));
    assert_eq!(cache.stats().fetches, 2);
}

#[test]
fn unknown_kid_within_cooldown_does_not_fetch() {
    let cache = warm(options(), T0, &["a"]);
    let err = cache.decide(T0 + 29.0 * SECOND, Some("b"), false).unwrap_err();
    assert_eq!(err.code, ErrorCode::NoMatchingKey);
    assert!(err.message.contains("within cooldownMs (30.0 s)"), "{}", err.message);
    assert!(err.message.contains("29.0 s ago"), "{}", err.message);
    assert_eq!(cache.decide(T0 + 30.0 * SECOND, Some("b"), false), Ok(Action::Fetch));
}

#[test]
fn unknown_kid_flood_fetches_at_most_once_per_cooldown() {
    let cooldown = 30.0 * SECOND;
    let mut cache = warm(RemoteOptions { cache_max_age_ms: 3_600_000.0, ..options() }, T0, &["a"]);
    let mut fetch_times = vec![];
    // 10,000 random kids, one every 10 ms: 100 seconds of flood.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..10_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let kid = format!("{seed:016x}");
        let now = T0 + 1.0 + f64::from(i) * 10.0;
        match cache.decide(now, Some(&kid), false) {
            Ok(Action::Fetch) => {
                fetch_times.push(now);
                fetch_ok(&mut cache, now, &["a"]);
                assert!(cache.decide(now, Some(&kid), true).is_err());
            }
            Ok(other) => panic!("unexpected {other:?}"),
            Err(err) => assert_eq!(err.code, ErrorCode::NoMatchingKey),
        }
    }
    assert_eq!(fetch_times.len(), 3, "{fetch_times:?}");
    for pair in fetch_times.windows(2) {
        assert!(pair[1] - pair[0] >= cooldown);
    }
    assert!(fetch_times[0] - T0 >= cooldown);
}

#[test]
fn expired_set_is_refetched_even_within_cooldown() {
    let o = RemoteOptions { cache_max_age_ms: 10.0 * SECOND, cooldown_ms: 30.0 * SECOND, ..options() };
    let cache = warm(o, T0, &["a"]);
    assert_eq!(cache.decide(T0 + 9.0 * SECOND, Some("a"), false), Ok(Action::Serve));
    assert_eq!(cache.decide(T0 + 10.0 * SECOND, Some("a"), false), Ok(Action::Fetch));
    assert_eq!(cache.decide(T0 + 10.0 * SECOND, None, false), Ok(Action::Fetch));
}

#[test]
fn cache_control_max_age_shorter_wins_and_is_capped() {
    let cache = RemoteCache::new(URL, options());
    assert_eq!(cache.lifetime_ms(None, None), 600_000.0);
    assert_eq!(cache.lifetime_ms(Some("public, max-age=120"), None), 120_000.0);
    assert_eq!(cache.lifetime_ms(Some("max-age=86400, must-revalidate"), None), 600_000.0, "capped at cacheMaxAgeMs");
    assert_eq!(cache.lifetime_ms(Some("max-age=120"), Some("100")), 30_000.0, "Age counts; the rest is raised to the cooldown");
    assert_eq!(cache.lifetime_ms(Some("max-age=300"), Some("100")), 200_000.0);
    assert_eq!(cache.lifetime_ms(Some("no-store"), None), 30_000.0, "no-store never means a fetch per verification");
    assert_eq!(cache.lifetime_ms(Some("no-cache, max-age=500"), None), 30_000.0);
    assert_eq!(cache.lifetime_ms(Some("max-age=0"), None), 30_000.0);
    assert_eq!(cache.lifetime_ms(Some("public"), None), 600_000.0, "no freshness directive: our maximum");
    let short = RemoteCache::new(URL, RemoteOptions { cache_max_age_ms: 5.0 * SECOND, ..options() });
    assert_eq!(short.lifetime_ms(Some("no-store"), None), 5_000.0, "the caller's cacheMaxAgeMs bounds the floor too");
}

#[test]
fn cache_control_header_drives_expiry() {
    let mut cache = RemoteCache::new(URL, options());
    cache.start_fetch(T0);
    cache.fetch_succeeded(T0, &jwks(&["a"]), Some("max-age=60"), None).unwrap();
    assert_eq!(cache.set().unwrap().expires_at_ms, T0 + 60.0 * SECOND);
    assert_eq!(cache.decide(T0 + 59.0 * SECOND, None, false), Ok(Action::Serve));
    assert_eq!(cache.decide(T0 + 60.0 * SECOND, None, false), Ok(Action::Fetch));
}

#[test]
fn cache_control_parsing() {
    use cache_control::{freshness_seconds, parse};
    assert_eq!(parse("Max-Age=10").max_age, Some(10));
    assert_eq!(parse("max-age=\"15\"").max_age, Some(15));
    assert_eq!(parse("max-age=10, max-age=20").max_age, Some(0), "a repeated max-age is stale");
    assert_eq!(parse("max-age=abc").max_age, Some(0), "a malformed max-age is stale");
    assert_eq!(parse("max-age=-5").max_age, Some(0));
    assert_eq!(parse("s-maxage=50").max_age, None);
    assert_eq!(parse("private=\"a, max-age=1\", max-age=9").max_age, Some(9), "commas inside quotes");
    assert_eq!(parse("max-age=99999999999999999999").max_age, Some(1 << 31));
    assert!(parse("NO-STORE").no_store);
    assert!(parse(" no-cache ,").no_cache);
    assert_eq!(freshness_seconds(None, Some("5")), None);
    assert_eq!(freshness_seconds(Some("max-age=10"), Some("30")), Some(0));
    assert_eq!(freshness_seconds(Some("max-age=10"), Some("junk")), Some(10));
}

#[test]
fn stale_if_error_serves_the_last_good_set_then_fails() {
    let o = RemoteOptions { cache_max_age_ms: 60.0 * SECOND, cooldown_ms: 10.0 * SECOND, stale_if_error_ms: 120.0 * SECOND, ..options() };
    let mut cache = warm(o, T0, &["a"]);
    let expiry = T0 + 60.0 * SECOND;

    assert_eq!(cache.decide(expiry, Some("a"), false), Ok(Action::Fetch));
    let err = fetch_err(&mut cache, expiry, ErrorCode::JwksFetchFailed);
    assert!(err.message.contains("last good fetch of \"https://idp.example/jwks.json\" at 2023-11-14T22:13:20.000Z, kids known: [\"a\"]"), "{}", err.message);
    assert_eq!(cache.decide(expiry, Some("a"), true), Ok(Action::Serve), "stale after the failed refresh");
    assert_eq!(cache.decide(expiry + 5.0 * SECOND, Some("a"), false), Ok(Action::Serve), "no retry within the cooldown");
    assert_eq!(cache.stats().last_error.as_ref().unwrap()["code"], "ERR_JWKS_FETCH_FAILED");

    assert_eq!(cache.decide(expiry + 10.0 * SECOND, Some("a"), false), Ok(Action::Fetch), "retry after the cooldown");
    fetch_err(&mut cache, expiry + 10.0 * SECOND, ErrorCode::JwksTimeout);
    assert_eq!(cache.decide(expiry + 10.0 * SECOND, Some("a"), true), Ok(Action::Serve));

    // Past the window: the set no longer serves, and the last error is reported.
    let past = expiry + 120.0 * SECOND;
    assert_eq!(cache.decide(past, Some("a"), false), Ok(Action::Fetch));
    fetch_err(&mut cache, past, ErrorCode::JwksTimeout);
    let err = cache.decide(past, Some("a"), true).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksTimeout);
    assert!(err.message.contains("may serve only until 2023-11-14T22:16:20.000Z (staleIfErrorMs)"), "{}", err.message);
    let err = cache.decide(past + SECOND, None, false).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksTimeout, "no new attempt within the cooldown");

    // Recovery.
    assert_eq!(cache.decide(past + 10.0 * SECOND, None, false), Ok(Action::Fetch));
    fetch_ok(&mut cache, past + 10.0 * SECOND, &["a"]);
    assert_eq!(cache.decide(past + 10.0 * SECOND, None, true), Ok(Action::Serve));
    assert!(cache.stats().last_error.is_none());
}

#[test]
fn a_failed_refetch_of_a_fresh_set_keeps_serving_it() {
    let mut cache = warm(options(), T0, &["a"]);
    let now = T0 + 40.0 * SECOND;
    assert_eq!(cache.decide(now, Some("b"), false), Ok(Action::Fetch));
    fetch_err(&mut cache, now, ErrorCode::JwksFetchFailed);
    assert_eq!(cache.decide(now, Some("a"), false), Ok(Action::Serve));
    assert_eq!(cache.decide(now, Some("b"), true).unwrap_err().code, ErrorCode::NoMatchingKey);
}

#[test]
fn cold_failure_is_not_retried_before_the_cooldown() {
    let mut cache = RemoteCache::new(URL, options());
    assert_eq!(cache.decide(T0, None, false), Ok(Action::Fetch));
    fetch_err(&mut cache, T0, ErrorCode::JwksTimeout);
    let err = cache.decide(T0, None, true).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksTimeout);
    assert!(err.message.contains("no good fetch of \"https://idp.example/jwks.json\" yet"), "{}", err.message);
    assert_eq!(cache.decide(T0 + 29.0 * SECOND, None, false).unwrap_err().code, ErrorCode::JwksTimeout);
    assert_eq!(cache.decide(T0 + 30.0 * SECOND, None, false), Ok(Action::Fetch));
    let zero = RemoteCache::new(URL, RemoteOptions { cooldown_ms: 0.0, ..options() });
    assert_eq!(zero.decide(T0, None, false), Ok(Action::Fetch));
}

#[test]
fn a_body_that_is_not_a_jwk_set_is_a_failure_and_keeps_the_old_set() {
    let mut cache = warm(RemoteOptions { cooldown_ms: 0.0, ..options() }, T0, &["a"]);
    for body in ["<html>", "[]", "{\"kty\":\"EC\"}", "{\"keys\":{}}", "{\"keys\":[],\"keys\":[]}"] {
        cache.start_fetch(T0 + 1.0);
        let err = cache.fetch_succeeded(T0 + 1.0, body, None, None).unwrap_err();
        assert_eq!(err.code, ErrorCode::JwksInvalid, "{body}");
        assert!(err.message.contains(URL), "{}", err.message);
        assert!(!cache.in_flight());
    }
    assert_eq!(cache.kids(), ["a"]);
    assert_eq!(cache.stats().last_error.unwrap()["code"], "ERR_JWKS_INVALID");
}

#[test]
fn removed_keys_are_gone_after_the_next_refresh() {
    let o = RemoteOptions { cache_max_age_ms: 60.0 * SECOND, ..options() };
    let mut cache = warm(o, T0, &["a", "b"]);
    let generation = cache.generation();
    assert_eq!(cache.decide(T0 + 60.0 * SECOND, Some("b"), false), Ok(Action::Fetch));
    fetch_ok(&mut cache, T0 + 60.0 * SECOND, &["a"]);
    assert!(cache.generation() > generation);
    assert_eq!(cache.decide(T0 + 60.0 * SECOND, Some("b"), true).unwrap_err().code, ErrorCode::NoMatchingKey);
    assert_eq!(cache.decide(T0 + 60.0 * SECOND, Some("a"), false), Ok(Action::Serve));
}

#[test]
fn zero_lifetime_still_serves_what_the_waited_fetch_brought() {
    let o = RemoteOptions { cache_max_age_ms: 0.0, cooldown_ms: 0.0, ..options() };
    let mut cache = RemoteCache::new(URL, o);
    assert_eq!(cache.decide(T0, None, false), Ok(Action::Fetch));
    fetch_ok(&mut cache, T0, &["a"]);
    assert_eq!(cache.decide(T0, Some("a"), true), Ok(Action::Serve));
    assert_eq!(cache.decide(T0, Some("a"), false), Ok(Action::Fetch));
}

#[test]
fn clock_going_backwards_does_not_panic_or_fetch() {
    let cache = warm(options(), T0, &["a"]);
    assert_eq!(cache.decide(T0 - 3_600_000.0, Some("a"), false), Ok(Action::Serve));
    assert_eq!(cache.decide(T0 - 3_600_000.0, Some("x"), false).unwrap_err().code, ErrorCode::NoMatchingKey);
    assert_eq!(cache.decide(f64::NAN, None, false), Ok(Action::Fetch));
}

#[test]
fn export_and_import_carry_the_cache() {
    let o = RemoteOptions { cache_max_age_ms: 60.0 * SECOND, ..options() };
    let mut cache = warm(o, T0, &["a", "b"]);
    let state = cache.export_state();
    assert_eq!(state["version"], 1);
    assert_eq!(state["url"], URL);
    assert_eq!(state["jwks"]["keys"][1]["kid"], "b");
    assert_eq!(state["fetchedAtMs"], T0);
    assert_eq!(state["expiresAtMs"], T0 + 60.0 * SECOND);

    let text = state.to_string();
    let restored = RemoteCache::from_state(URL, o, &serde_json::from_str(&text).unwrap()).unwrap();
    assert_eq!(restored.kids(), ["a", "b"]);
    assert_eq!(restored.decide(T0 + SECOND, Some("b"), false), Ok(Action::Serve), "fresh: no fetch in the new isolate");
    assert_eq!(restored.decide(T0 + 60.0 * SECOND, Some("b"), false), Ok(Action::Fetch), "expiry carried over");
    assert_eq!(restored.stats().fetches, 0);
    assert_eq!(restored.stats().last_fetch_at, Some(T0 / 1000.0));
    assert_eq!(restored.decide(T0 + 10.0 * SECOND, Some("new"), false).unwrap_err().code, ErrorCode::NoMatchingKey, "cooldown carried over");

    // A failure is carried too, so a new isolate does not hammer a failing server.
    fetch_err(&mut cache, T0 + 60.0 * SECOND, ErrorCode::JwksTimeout);
    let restored = RemoteCache::from_state(URL, o, &cache.export_state()).unwrap();
    assert_eq!(restored.stats().last_error.unwrap()["code"], "ERR_JWKS_TIMEOUT");
    assert_eq!(restored.decide(T0 + 61.0 * SECOND, Some("a"), false), Ok(Action::Serve), "stale, no retry within cooldown");
}

#[test]
fn import_rejects_foreign_or_malformed_state() {
    let state = warm(options(), T0, &["a"]).export_state();
    let err = RemoteCache::from_state("https://other.example/jwks", options(), &state).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksInvalid);
    assert!(err.message.contains("exported for \"https://idp.example/jwks.json\""), "{}", err.message);
    let empty = RemoteCache::from_state(URL, options(), &Value::Null).unwrap();
    assert!(empty.set().is_none());
    let mut broken = state.clone();
    broken["version"] = json!(2);
    assert!(RemoteCache::from_state(URL, options(), &broken).is_err());
    let mut broken = state.clone();
    broken["jwks"] = json!({ "kty": "EC" });
    assert!(RemoteCache::from_state(URL, options(), &broken).is_err());
    let mut broken = state.clone();
    broken["expiresAtMs"] = json!("soon");
    assert!(RemoteCache::from_state(URL, options(), &broken).is_err());
    let mut broken = state;
    broken["lastError"] = json!({ "code": "ERR_JWT_EXPIRED", "message": "x" });
    assert!(RemoteCache::from_state(URL, options(), &broken).is_err());
    assert!(RemoteCache::from_state(URL, options(), &json!([1])).is_err());
}

#[test]
fn discovery_urls_and_issuer_check() {
    assert_eq!(
        discovery::metadata_urls("https://idp.example").unwrap(),
        ["https://idp.example/.well-known/openid-configuration", "https://idp.example/.well-known/oauth-authorization-server"]
    );
    assert_eq!(
        discovery::metadata_urls("https://idp.example/realms/a/").unwrap(),
        [
            "https://idp.example/realms/a/.well-known/openid-configuration",
            "https://idp.example/.well-known/oauth-authorization-server/realms/a"
        ]
    );
    for bad in ["idp.example", "ftp://idp.example", "https://idp.example/?x=1", "https:///path"] {
        assert_eq!(discovery::metadata_urls(bad).unwrap_err().code, ErrorCode::JwksFetchFailed, "{bad}");
    }
    let doc = |issuer: &str, jwks_uri: &str| json!({ "issuer": issuer, "jwks_uri": jwks_uri }).to_string();
    let at = "https://idp.example/.well-known/openid-configuration";
    assert_eq!(discovery::jwks_uri("https://idp.example", at, &doc("https://idp.example", "https://idp.example/jwks")).unwrap(), "https://idp.example/jwks");
    let err = discovery::jwks_uri("https://idp.example", at, &doc("https://evil.example", "https://evil.example/jwks")).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksInvalid);
    assert!(err.message.contains("\"https://evil.example\" does not equal"), "{}", err.message);
    assert!(discovery::jwks_uri("https://idp.example", at, &doc("https://idp.example/", "https://idp.example/jwks")).is_err(), "exact match");
    assert!(discovery::jwks_uri("https://idp.example", at, &doc("https://idp.example", "http://idp.example/jwks")).is_err(), "no https downgrade");
    assert!(discovery::jwks_uri("http://127.0.0.1:9", at, &doc("http://127.0.0.1:9", "http://127.0.0.1:9/jwks")).is_ok());
    assert!(discovery::jwks_uri("https://idp.example", at, "<html>").is_err());
    assert!(discovery::jwks_uri("https://idp.example", at, r#"{"issuer":"https://idp.example"}"#).is_err());
}

#[test]
fn times_in_messages_are_iso_utc() {
    assert_eq!(time_text::iso_utc(0.0), "1970-01-01T00:00:00.000Z");
    assert_eq!(time_text::iso_utc(T0 + 123.0), "2023-11-14T22:13:20.123Z");
    assert_eq!(time_text::iso_utc(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
    assert_eq!(time_text::iso_utc(-1.0), "1969-12-31T23:59:59.999Z");
    assert!(time_text::iso_utc(f64::INFINITY).contains("invalid"));
}
