//! The RemoteJwks cache policy under a fake clock: cold start, single flight, max age and
//! Cache-Control, unknown-kid refetch and its cooldown, stale-if-error, export/import.

use jwks_verify::remote::{cache_control, discovery, time_text, Action, RemoteCache, RemoteOptions, StoreVerdict};
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
    assert_eq!((o.timeout_ms, o.cooldown_ms, o.cache_max_age_ms, o.stale_if_error_ms, o.max_bytes, o.max_keys), (5000.0, 30_000.0, 600_000.0, 86_400_000.0, 1_048_576.0, 1000.0));
    assert!(RemoteOptions { max_keys: 1.5, ..options() }.validate().unwrap_err().contains("maxKeys"));
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
    let no_stale = warm(RemoteOptions { stale_if_error_ms: 0.0, ..o }, T0, &["a"]);
    assert_eq!(no_stale.decide(T0 + 10.0 * SECOND, Some("a"), false), Ok(Action::Fetch));
}

#[test]
fn cache_control_max_age_shorter_wins_and_is_capped() {
    let cache = RemoteCache::new(URL, options());
    assert_eq!(cache.lifetime_ms(None, None), 600_000.0);
    assert_eq!(cache.lifetime_ms(Some("public, max-age=120"), None), 120_000.0);
    assert_eq!(cache.lifetime_ms(Some("max-age=86400, must-revalidate"), None), 600_000.0, "capped at cacheMaxAgeMs");
    assert_eq!(cache.lifetime_ms(Some("max-age=120"), Some("100")), 20_000.0, "Age counts");
    assert_eq!(cache.lifetime_ms(Some("max-age=120"), Some("150")), 30_000.0, "no freshness left: the cooldown");
    // API.md: a shorter max-age wins, below cooldownMs too (cooldownMs is 30 s here).
    for seconds in [1, 5, 29] {
        assert_eq!(cache.lifetime_ms(Some(&format!("max-age={seconds}")), None), seconds as f64 * 1000.0, "max-age={seconds}");
    }
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

/// A max-age below cooldownMs (now honoured) expires the set before the cooldown ends: a token
/// whose kid the expired set lacks (a key rotation) is due the refresh the expiry calls for,
/// not refused until cooldownMs has passed; fetches stay at most one per lifetime.
#[test]
fn an_unknown_kid_on_a_set_expired_by_a_short_max_age_refreshes_within_cooldown() {
    let mut cache = RemoteCache::new(URL, options());
    cache.start_fetch(T0);
    cache.fetch_succeeded(T0, &jwks(&["old"]), Some("max-age=5"), None).unwrap();
    let err = cache.decide(T0 + 4.0 * SECOND, Some("new"), false).unwrap_err();
    assert_eq!(err.code, ErrorCode::NoMatchingKey, "fresh: the unknown-kid cooldown holds");
    let expired = T0 + 5.0 * SECOND;
    assert_eq!(cache.decide(expired, Some("new"), false), Ok(Action::Fetch), "expired: the refresh is due");
    cache.start_fetch(expired);
    cache.fetch_succeeded(expired, &jwks(&["old", "new"]), Some("max-age=5"), None).unwrap();
    assert_eq!(cache.decide(expired, Some("new"), true), Ok(Action::Serve));
    // A flood of unknown kids: one fetch per 5 s lifetime at most, as known-kid traffic causes.
    let mut fetch_times = vec![];
    for step in 1..=200 {
        let now = expired + f64::from(step) * 100.0;
        if let Ok(Action::Fetch) = cache.decide(now, Some(&format!("kid-{step}")), false) {
            fetch_times.push(now);
            cache.start_fetch(now);
            cache.fetch_succeeded(now, &jwks(&["old", "new"]), Some("max-age=5"), None).unwrap();
        }
    }
    assert_eq!(fetch_times, vec![expired + 5.0 * SECOND, expired + 10.0 * SECOND, expired + 15.0 * SECOND, expired + 20.0 * SECOND]);
    // A failed refresh still holds every fetch back for cooldownMs.
    let failed_at = T0 + 100.0 * SECOND;
    fetch_err(&mut cache, failed_at, ErrorCode::JwksFetchFailed);
    assert!(cache.decide(failed_at + 29.0 * SECOND, Some("other"), false).is_err());
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

    assert_eq!(cache.decide(expiry, Some("a"), false), Ok(Action::Fetch), "expired: refreshed before it verifies");
    let err = fetch_err(&mut cache, expiry, ErrorCode::JwksFetchFailed);
    assert!(err.message.contains("last good fetch of \"https://idp.example/jwks.json\" at 2023-11-14T22:13:20.000Z, kids known: [\"a\"]"), "{}", err.message);
    assert_eq!(cache.decide(expiry, Some("a"), true), Ok(Action::Serve), "stale after the failed refresh");
    assert_eq!(cache.decide(expiry + 5.0 * SECOND, Some("a"), false), Ok(Action::Serve), "no retry within the cooldown");
    assert_eq!(cache.stats().last_error.as_ref().unwrap()["code"], "ERR_JWKS_FETCH_FAILED");

    assert_eq!(cache.decide(expiry + 10.0 * SECOND, Some("a"), false), Ok(Action::Fetch), "retry after the cooldown; the caller waits for it");
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
    // The refetch "b" needed failed: that failure is the answer (jose's createRemoteJWKSet
    // surfaces its reload's error), not ERR_JWKS_NO_MATCHING_KEY.
    let err = cache.decide(now, Some("b"), true).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksFetchFailed);
    for part in ["kid \"b\" is not in the cached set", "HTTP status 500", "kids known: [\"a\"]"] {
        assert!(err.message.contains(part), "{part:?} missing in {}", err.message);
    }
}

/// The refetch a token needs (an unknown kid, or a set with no key for it) fails: every caller
/// of it gets that fetch's error with its code, whether it fetched, joined the fetch, or came
/// while the failed attempt's cooldown holds the retry back (invariant over failure codes,
/// kids and times). A refetch that succeeds but lacks the kid stays ERR_JWKS_NO_MATCHING_KEY.
#[test]
fn a_failed_refetch_reports_its_error_to_every_token_that_needed_it() {
    let mut seed = 11_u64;
    for round in 0..300_u32 {
        let code = [ErrorCode::JwksFetchFailed, ErrorCode::JwksTimeout, ErrorCode::JwksInvalid][(xorshift(&mut seed) % 3) as usize];
        let mut cache = warm(options(), T0, &["a"]);
        let kid = format!("k{}", xorshift(&mut seed) % 1000);
        let start = T0 + 30.0 * SECOND + (xorshift(&mut seed) % 600_000) as f64;
        assert_eq!(cache.decide(start, Some(&kid), false), Ok(Action::Fetch), "round {round}");
        cache.start_fetch(start);
        assert_eq!(cache.decide(start, Some("other"), false), Ok(Action::Join), "round {round}");
        assert_eq!(cache.decide_without_candidate(start, false), Ok(Action::Join), "round {round}");
        cache.fetch_failed(start + 5.0, jwks_verify::JoseError::new(code, format!("GET {URL} failed")));
        let ended = start + 5.0;
        for (who, result) in [
            ("the fetcher", cache.decide(ended, Some(&kid), true)),
            ("a joiner", cache.decide(ended, Some("other"), true)),
            ("within the cooldown", cache.decide(ended + 29.0 * SECOND, Some("third"), false)),
        ] {
            let err = result.unwrap_err();
            assert_eq!(err.code, code, "round {round}, {who}: {}", err.message);
            assert!(err.message.contains("GET"), "round {round}, {who}: {}", err.message);
        }
        for (who, result) in [
            ("no-candidate joiner", cache.decide_without_candidate(ended, true)),
            ("no-candidate within the cooldown", cache.decide_without_candidate(ended + 29.0 * SECOND, false)),
        ] {
            assert_eq!(result.unwrap_err().code, code, "round {round}, {who}");
        }
        assert_eq!(cache.decide(ended, Some("a"), false), Ok(Action::Serve), "round {round}: a known kid still verifies");
        // After the cooldown: retried; a success without the kid is a missing key again.
        let retry = ended + 30.0 * SECOND;
        assert_eq!(cache.decide(retry, Some(&kid), false), Ok(Action::Fetch), "round {round}");
        fetch_ok(&mut cache, retry, &["a"]);
        assert_eq!(cache.decide(retry, Some(&kid), true).unwrap_err().code, ErrorCode::NoMatchingKey, "round {round}");
        assert_eq!(cache.decide_without_candidate(retry, true), Ok(Action::Serve), "round {round}");
    }
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
    for body in ["<html>", "[]", "{\"kty\":\"EC\"}", "{\"keys\":{}}", "{\"keys\":[],\"keys\":[]}", r#"{"keys":[1,null,"x",{}]}"#, r#"{"keys":[{"kid":"a"}]}"#] {
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
    assert_eq!(cache.decide(T0 + 60.0 * SECOND, Some("b"), false), Ok(Action::Fetch), "not served stale: b may be gone");
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
    let restored = RemoteCache::from_state(URL, o, &serde_json::from_str(&text).unwrap(), T0 + SECOND).unwrap();
    assert_eq!(restored.kids(), ["a", "b"]);
    assert_eq!(restored.decide(T0 + SECOND, Some("b"), false), Ok(Action::Serve), "fresh: no fetch in the new isolate");
    assert_eq!(restored.decide(T0 + 60.0 * SECOND, Some("b"), false), Ok(Action::Fetch), "expiry carried over");
    assert_eq!(restored.stats().fetches, 0);
    assert_eq!(restored.stats().last_fetch_at, Some(T0 / 1000.0));
    assert_eq!(restored.decide(T0 + 10.0 * SECOND, Some("new"), false).unwrap_err().code, ErrorCode::NoMatchingKey, "cooldown carried over");

    // A failure is carried too, so a new isolate does not hammer a failing server.
    fetch_err(&mut cache, T0 + 60.0 * SECOND, ErrorCode::JwksTimeout);
    let restored = RemoteCache::from_state(URL, o, &cache.export_state(), T0 + 61.0 * SECOND).unwrap();
    assert_eq!(restored.stats().last_error.unwrap()["code"], "ERR_JWKS_TIMEOUT");
    assert_eq!(restored.decide(T0 + 61.0 * SECOND, Some("a"), false), Ok(Action::Serve), "stale, no retry within cooldown");
}

#[test]
fn import_rejects_foreign_or_malformed_state() {
    let state = warm(options(), T0, &["a"]).export_state();
    let err = RemoteCache::from_state("https://other.example/jwks", options(), &state, T0).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksInvalid);
    assert!(err.message.contains("exported for \"https://idp.example/jwks.json\""), "{}", err.message);
    let empty = RemoteCache::from_state(URL, options(), &Value::Null, T0).unwrap();
    assert!(empty.set().is_none());
    let mut broken = state.clone();
    broken["version"] = json!(2);
    assert!(RemoteCache::from_state(URL, options(), &broken, T0).is_err());
    let mut broken = state.clone();
    broken["jwks"] = json!({ "kty": "EC" });
    assert!(RemoteCache::from_state(URL, options(), &broken, T0).is_err());
    let mut broken = state.clone();
    broken["expiresAtMs"] = json!("soon");
    assert!(RemoteCache::from_state(URL, options(), &broken, T0).is_err());
    let mut broken = state;
    broken["lastError"] = json!({ "code": "ERR_JWT_EXPIRED", "message": "x" });
    assert!(RemoteCache::from_state(URL, options(), &broken, T0).is_err());
    assert!(RemoteCache::from_state(URL, options(), &json!([1]), T0).is_err());
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
    let err = discovery::jwks_uri("https://idp.example", at, &doc("https://idp.example", "https://u:hunter2@idp.example/jwks")).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksInvalid);
    assert!(err.message.contains("user info"), "{}", err.message);
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

fn xorshift(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn from_state_clamps_expiry_and_discards_future_times() {
    let o = RemoteOptions { cache_max_age_ms: 60.0 * SECOND, ..options() };
    let mut state = warm(o, T0, &["attacker"]).export_state();
    state["expiresAtMs"] = json!(4_102_444_800_000.0_f64); // 2100
    let restored = RemoteCache::from_state(URL, o, &state, T0 + SECOND).unwrap();
    assert_eq!(restored.set().unwrap().expires_at_ms, T0 + 60.0 * SECOND, "clamped to fetchedAtMs + cacheMaxAgeMs");
    let beyond = T0 + 60.0 * SECOND + o.stale_if_error_ms;
    assert_eq!(restored.decide(beyond, Some("attacker"), false), Ok(Action::Fetch), "the key does not verify forever");

    // A set "fetched" in the future is dropped; an attempt "ended" in the future is ignored.
    let mut future = state.clone();
    future["fetchedAtMs"] = json!(T0 + 3_600_000.0);
    future["lastAttemptAtMs"] = json!(T0 + 1e12);
    future["lastError"] = json!({ "code": "ERR_JWKS_TIMEOUT", "message": "x" });
    let restored = RemoteCache::from_state(URL, o, &future, T0).unwrap();
    assert!(restored.set().is_none());
    assert_eq!(restored.decide(T0, None, false), Ok(Action::Fetch), "a future lastAttemptAtMs does not block fetching");
    assert!(restored.last_error().is_none());
}

#[test]
fn from_state_invariants_over_random_states() {
    let o = RemoteOptions { cache_max_age_ms: 600.0 * SECOND, cooldown_ms: 30.0 * SECOND, ..options() };
    let mut seed = 0x1234_5678_9abc_def1_u64;
    let base = warm(o, T0, &["a"]).export_state();
    for _ in 0..5000 {
        let mut state = base.clone();
        let now = T0 + (xorshift(&mut seed) % 10_000_000) as f64;
        let pick = |seed: &mut u64| T0 + (xorshift(seed) % 40_000_000_000) as f64 - 20_000_000_000.0;
        let fetched = pick(&mut seed).max(0.0);
        state["fetchedAtMs"] = json!(fetched);
        state["expiresAtMs"] = json!(pick(&mut seed).max(0.0));
        state["lastAttemptAtMs"] = json!(pick(&mut seed).max(0.0));
        if xorshift(&mut seed) % 2 == 0 {
            state["lastError"] = json!({ "code": "ERR_JWKS_FETCH_FAILED", "message": "boom" });
        }
        let cache = RemoteCache::from_state(URL, o, &state, now).unwrap();
        if let Some(set) = cache.set() {
            assert!(set.fetched_at_ms <= now);
            assert!(set.expires_at_ms <= set.fetched_at_ms + o.cache_max_age_ms);
        }
        // Nothing restored holds fetching back beyond one cooldown from now.
        let later = now + o.cooldown_ms;
        assert!(matches!(cache.decide(later, Some("unknown"), false), Ok(Action::Fetch)), "state {state}");
    }
}

#[test]
fn from_state_checks_like_a_fetched_body() {
    let o = RemoteOptions { max_keys: 2.0, max_bytes: 400.0, ..options() };
    let state = warm(o, T0, &["a"]).export_state();
    let refused = |edit: &dyn Fn(&mut Value), why: &str| {
        let mut broken = state.clone();
        edit(&mut broken);
        let err = RemoteCache::from_state(URL, o, &broken, T0 + 1.0).unwrap_err();
        assert_eq!(err.code, ErrorCode::JwksInvalid);
        assert!(err.message.contains(why), "{why}: {}", err.message);
    };
    refused(&|s| s["jwks"] = json!({ "keys": [1, null] }), "keys[0] is not a JWK object");
    refused(&|s| s["jwks"] = serde_json::from_str(&jwks(&["a", "b", "c"])).unwrap(), "more than maxKeys (2)");
    refused(&|s| s["jwks"]["keys"][0]["pad"] = json!("x".repeat(500)), "larger than maxBytes");
    refused(
        &|s| {
            s["lastAttemptAtMs"] = json!(T0);
            s["lastError"] = json!({ "code": "ERR_JWKS_FETCH_FAILED", "message": "m".repeat(5000) });
        },
        "longer than 4096 bytes",
    );
    refused(&|s| s["extra"] = json!(1), "unknown member \"extra\"");
    refused(&|s| s["fetchedAtMs"] = json!(-5), "fetchedAtMs must be");
    refused(&|s| s["etag"] = json!("e".repeat(2000)), "etag must be");
    refused(&|s| s["retryAfterMs"] = json!(1e9), "retryAfterMs");
}

#[test]
fn a_malformed_refresh_keeps_serving_the_last_good_set() {
    let o = RemoteOptions { cache_max_age_ms: 60.0 * SECOND, cooldown_ms: 10.0 * SECOND, stale_if_error_ms: 120.0 * SECOND, ..options() };
    let mut cache = warm(o, T0, &["a"]);
    let generation = cache.generation();
    let expiry = T0 + 60.0 * SECOND;
    assert_eq!(cache.decide(expiry, Some("a"), false), Ok(Action::Fetch));
    cache.start_fetch(expiry);
    let err = cache.fetch_succeeded(expiry + 5.0, r#"{"keys":[1,null,"x",{}]}"#, None, None).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksInvalid);
    assert!(err.message.contains("keys[0] is not a JWK object"), "{}", err.message);
    assert_eq!(cache.generation(), generation);
    assert_eq!(cache.decide(expiry + 6.0, Some("a"), false), Ok(Action::Serve), "stale within staleIfErrorMs, no retry in the cooldown");
    // cooldownMs counts from the end of the failed attempt.
    assert_eq!(cache.decide(expiry + 5.0 + 10.0 * SECOND - 1.0, Some("a"), false), Ok(Action::Serve));
    assert_eq!(cache.decide(expiry + 5.0 + 10.0 * SECOND, Some("a"), false), Ok(Action::Fetch));
    // A well-formed set replaces the cached one, even an empty one.
    fetch_ok(&mut cache, expiry + 20.0 * SECOND, &[]);
    assert!(cache.kids().is_empty());
    assert!(cache.generation() > generation);
    assert_eq!(cache.decide(expiry + 20.0 * SECOND, Some("a"), true).unwrap_err().code, ErrorCode::NoMatchingKey);
}

#[test]
fn cooldown_counts_from_the_end_of_a_successful_attempt_too() {
    let mut cache = warm(options(), T0, &["a"]);
    cache.start_fetch(T0 + 40.0 * SECOND);
    cache.fetch_succeeded(T0 + 45.0 * SECOND, &jwks(&["a"]), None, None).unwrap();
    assert!(cache.decide(T0 + 74.0 * SECOND, Some("b"), false).is_err());
    assert_eq!(cache.decide(T0 + 75.0 * SECOND, Some("b"), false), Ok(Action::Fetch));
}

/// jose's createRemoteJWKSet refetches an expired set before it verifies with it; a set served
/// stale while its refresh runs let a key removed upstream verify again (the rotation case:
/// an issuer drops a compromised key). Stale is for failed refreshes only (staleIfErrorMs).
#[test]
fn an_expired_set_waits_for_its_refresh_and_serves_stale_only_after_a_failure() {
    let o = RemoteOptions { cache_max_age_ms: 60.0 * SECOND, stale_if_error_ms: 600.0 * SECOND, ..options() };
    let mut cache = warm(o, T0, &["a"]);
    let expired = T0 + 61.0 * SECOND;
    assert_eq!(cache.decide(expired, Some("a"), false), Ok(Action::Fetch));
    assert_eq!(cache.decide(expired, None, false), Ok(Action::Fetch));
    cache.start_fetch(expired);
    assert_eq!(cache.decide(expired, Some("a"), false), Ok(Action::Join), "waits for the refresh, known kid too");
    assert_eq!(cache.decide(expired, None, false), Ok(Action::Join));
    assert_eq!(cache.decide(expired, Some("b"), false), Ok(Action::Join), "an unknown kid waits for it");
    fetch_err(&mut cache, expired + 5000.0, ErrorCode::JwksTimeout);
    assert_eq!(cache.decide(expired + 5000.0, Some("a"), true), Ok(Action::Serve), "stale after the failed refresh");
    // During an outage nobody waits for the retries within a cooldown; once per cooldown a
    // caller waits for one attempt.
    let mut attempts = 0;
    for step in 0..200 {
        let now = expired + 5000.0 + f64::from(step) * SECOND;
        match cache.decide(now, Some("a"), false).unwrap() {
            Action::Serve => {}
            Action::Fetch => {
                attempts += 1;
                cache.start_fetch(now);
                fetch_err(&mut cache, now + 500.0, ErrorCode::JwksTimeout);
                assert_eq!(cache.decide(now + 500.0, Some("a"), true), Ok(Action::Serve));
            }
            other => panic!("{other:?}"),
        }
    }
    assert!((6..=7).contains(&attempts), "{attempts}");
    let past = T0 + 60.0 * SECOND + 600.0 * SECOND;
    assert_eq!(cache.decide(past + 31.0 * SECOND, Some("a"), false), Ok(Action::Fetch), "past staleIfErrorMs: a miss");
}

/// The rotation an issuer makes to drop a key, over many kid sets and expiry times (invariant):
/// once the set has expired, a kid the upstream set no longer holds is never served, and every
/// kid it still holds is.
#[test]
fn a_key_removed_upstream_never_verifies_past_the_expiry() {
    let mut seed = 7_u64;
    for round in 0..300_u32 {
        let max_age = f64::from(1 + (xorshift(&mut seed) % 600) as u32) * SECOND;
        let o = RemoteOptions { cache_max_age_ms: max_age, ..options() };
        let mut cache = warm(o, T0, &["keep", "drop"]);
        let later = T0 + max_age + (xorshift(&mut seed) % 100_000) as f64;
        for kid in ["drop", "keep"] {
            let action = cache.decide(later, Some(kid), false);
            assert_eq!(action, Ok(Action::Fetch), "round {round}: an expired set is not served as it is");
        }
        cache.start_fetch(later);
        assert_eq!(cache.decide(later, Some("drop"), false), Ok(Action::Join), "round {round}");
        fetch_ok(&mut cache, later + 10.0, &["keep"]);
        assert_eq!(cache.decide(later + 10.0, Some("drop"), true).unwrap_err().code, ErrorCode::NoMatchingKey, "round {round}");
        assert_eq!(cache.decide(later + 10.0, Some("keep"), true), Ok(Action::Serve), "round {round}");
    }
}

#[test]
fn an_unchanged_body_keeps_the_generation_and_a_304_renews() {
    let o = RemoteOptions { cache_max_age_ms: 60.0 * SECOND, cooldown_ms: 0.0, ..options() };
    let mut cache = warm(o, T0, &["a"]);
    let generation = cache.generation();
    cache.start_fetch(T0 + 61.0 * SECOND);
    let headers = jwks_verify::remote::ResponseHeaders { etag: Some("\"v1\""), last_modified: Some("Sun, 06 Nov 1994 08:49:37 GMT"), ..Default::default() };
    cache.fetch_succeeded_with(T0 + 61.0 * SECOND, &jwks(&["a"]), headers).unwrap();
    assert_eq!(cache.generation(), generation, "same body: not parsed again");
    assert_eq!(cache.set().unwrap().expires_at_ms, T0 + 121.0 * SECOND);
    assert_eq!(cache.validators(), (Some("\"v1\""), Some("Sun, 06 Nov 1994 08:49:37 GMT")));
    cache.start_fetch(T0 + 130.0 * SECOND);
    cache.not_modified(T0 + 130.0 * SECOND, Default::default()).unwrap();
    assert_eq!(cache.set().unwrap().expires_at_ms, T0 + 190.0 * SECOND, "a 304 renews freshness");
    assert_eq!(cache.validators().0, Some("\"v1\""));
    assert_eq!(cache.generation(), generation);
    assert_eq!(cache.stats().fetches, 3);
    let state = cache.export_state();
    assert_eq!(state["etag"], "\"v1\"");
    let restored = RemoteCache::from_state(URL, o, &state, T0 + 131.0 * SECOND).unwrap();
    assert_eq!(restored.validators().0, Some("\"v1\""));

    let mut cold = RemoteCache::new(URL, options());
    cold.start_fetch(T0);
    let err = cold.not_modified(T0, Default::default()).unwrap_err();
    assert_eq!(err.code, ErrorCode::JwksFetchFailed);
    assert!(err.message.contains("304") && err.message.contains("no cached set") && !err.message.contains("redirect"), "{}", err.message);
}

#[test]
fn retry_after_is_honoured_within_bounds() {
    let o = RemoteOptions { cooldown_ms: 30.0 * SECOND, ..options() };
    let failed_with = |retry_after: &str| {
        let mut cache = RemoteCache::new(URL, o);
        cache.start_fetch(T0);
        let err = jwks_verify::JoseError::new(ErrorCode::JwksFetchFailed, "HTTP status 429");
        cache.fetch_failed_with(T0, err, Some(retry_after));
        let first_fetch = (0..=700).map(|s| T0 + f64::from(s) * SECOND).find(|now| cache.decide(*now, None, false) == Ok(Action::Fetch));
        (first_fetch.unwrap() - T0) / SECOND
    };
    assert_eq!(failed_with("120"), 120.0);
    assert_eq!(failed_with("1"), 30.0, "never less than cooldownMs");
    assert_eq!(failed_with("99999"), 600.0, "at most 10 minutes");
    assert_eq!(failed_with("soon"), 30.0);
    assert_eq!(failed_with("Tue, 14 Nov 2023 22:15:20 GMT"), 120.0, "an HTTP-date");
}

#[test]
fn max_keys_is_checked_before_the_keys() {
    let o = RemoteOptions { max_keys: 3.0, cooldown_ms: 0.0, ..options() };
    let mut cache = warm(o, T0, &["a", "b", "c"]);
    cache.start_fetch(T0 + 1.0);
    let mut big: Vec<Value> = (0..4).map(|i| json!({ "kty": "EC", "kid": format!("k{i}") })).collect();
    big.push(json!(1));
    let err = cache.fetch_succeeded(T0 + 1.0, &json!({ "keys": big }).to_string(), None, None).unwrap_err();
    assert!(err.message.contains("it has 5 keys, more than maxKeys (3)"), "{}", err.message);
    assert_eq!(cache.kids(), ["a", "b", "c"]);
}

#[test]
fn urls_with_credentials_or_other_schemes_are_refused() {
    use jwks_verify::remote::check_url;
    for ok in ["https://idp.example/jwks.json", "http://127.0.0.1:8080/a@b", "https://idp.example/?u=a@b", "HTTPS://IDP.EXAMPLE/"] {
        assert!(check_url(ok).is_ok(), "{ok}");
    }
    for bad in ["http://user:pass@idp.example/jwks", "https://user@idp.example/", "https://:secret@idp.example/", "file:///etc/passwd", "ftp://idp.example/", "data:,x", "https://", "idp.example"] {
        let why = check_url(bad).unwrap_err();
        assert!(!why.contains("pass") && !why.contains("secret"), "{why}");
    }
    assert!(check_url("http://user:pass@idp.example/").unwrap_err().contains("user info"));
}

/// N processes share a store (`get`/`set` of the exported state) and the upstream: a flood of
/// unknown kids spread over them makes at most one upstream fetch per cooldown, and a
/// rotation fetched by one is seen by all.
#[test]
fn a_shared_store_holds_the_cooldown_and_spreads_a_rotation() {
    let o = RemoteOptions { cache_max_age_ms: 3_600_000.0, ..options() };
    let mut store: Option<Value> = None;
    let mut processes: Vec<RemoteCache> = (0..5)
        .map(|_| {
            let mut cache = RemoteCache::new(URL, o);
            cache.set_shared(true);
            cache
        })
        .collect();
    let mut consults = [0_u32; 5];
    let mut upstream = vec!["a"];
    let mut fetch_times = vec![];
    let mut seed = 42_u64;
    for i in 0..5000_u32 {
        let now = T0 + f64::from(i) * 20.0;
        let p = (xorshift(&mut seed) % 5) as usize;
        if i == 2500 {
            upstream.push("rotated");
        }
        let kid = if i % 7 == 0 { "a".to_owned() } else if i > 2500 && i % 11 == 0 { "rotated".to_owned() } else { format!("r{}", xorshift(&mut seed)) };
        let cache = &mut processes[p];
        match cache.decide(now, Some(&kid), false) {
            Ok(Action::Fetch) => {
                cache.start_fetch(now);
                let skipped = match &store {
                    Some(state) => cache.adopt_state(now, state, Some(&kid)).unwrap() == StoreVerdict::Skip,
                    None => false,
                };
                if !skipped {
                    fetch_times.push(now);
                    cache.fetch_succeeded(now, &jwks(&upstream), None, None).unwrap();
                    store = Some(cache.export_state());
                }
            }
            Ok(Action::Consult) => {
                consults[p] += 1;
                cache.start_consult(now);
                if let Some(state) = &store {
                    cache.adopt_state(now, state, Some(&kid)).unwrap();
                }
                cache.cancel_fetch();
                match cache.decide(now, Some(&kid), true) {
                    Ok(Action::Serve) => {}
                    Err(err) => assert_eq!(err.code, ErrorCode::NoMatchingKey),
                    Ok(other) => panic!("{other:?} after consulting"),
                }
            }
            Ok(Action::Serve) => {}
            Ok(Action::Join) => panic!("no fetch is left in flight"),
            Err(err) => assert_eq!(err.code, ErrorCode::NoMatchingKey, "{}", err.message),
        }
    }
    // The store is read for misses at most once per STORE_RECHECK_MS per process.
    assert!(consults.iter().all(|&n| n <= 101), "{consults:?}");
    for pair in fetch_times.windows(2) {
        assert!(pair[1] - pair[0] >= o.cooldown_ms, "{fetch_times:?}");
    }
    assert!(fetch_times.len() <= 5, "{fetch_times:?}");
    // Every process sees the rotation, without an upstream fetch of its own.
    for cache in &mut processes {
        let now = T0 + 5000.0 * 20.0 + 2.0 * SECOND;
        match cache.decide(now, Some("rotated"), false) {
            Ok(Action::Serve) => {}
            Ok(Action::Fetch) => {
                cache.start_fetch(now);
                assert_eq!(cache.adopt_state(now, store.as_ref().unwrap(), Some("rotated")).unwrap(), StoreVerdict::Skip, "the store has the rotation");
            }
            Ok(Action::Consult) => {
                cache.start_consult(now);
                cache.adopt_state(now, store.as_ref().unwrap(), Some("rotated")).unwrap();
                cache.cancel_fetch();
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(cache.decide(now, Some("rotated"), true), Ok(Action::Serve));
    }
}

#[test]
fn adopt_state_takes_only_newer_state_and_refuses_a_malformed_one() {
    let mut own = warm(options(), T0 + 10.0 * SECOND, &["new"]);
    let older = warm(options(), T0, &["old"]).export_state();
    own.start_fetch(T0 + 50.0 * SECOND);
    assert_eq!(own.adopt_state(T0 + 50.0 * SECOND, &older, Some("x")).unwrap(), StoreVerdict::Fetch, "an older state does not stop the fetch");
    assert_eq!(own.kids(), ["new"]);
    let mut broken = older.clone();
    broken["expiresAtMs"] = json!("later");
    assert_eq!(own.adopt_state(T0 + 50.0 * SECOND, &broken, None).unwrap_err().code, ErrorCode::JwksInvalid);
    assert!(own.in_flight(), "a refused state leaves the fetch to go on");
    let ttl = own.store_ttl_ms(T0 + 10.0 * SECOND);
    assert_eq!(ttl, 600_000.0 + 86_400_000.0);
}

#[test]
fn a_fetch_in_flight_elsewhere_is_waited_for_until_timeout_ms() {
    let o = RemoteOptions { timeout_ms: 5000.0, ..options() };
    let mut fetching = RemoteCache::new(URL, o);
    fetching.start_fetch(T0);
    let lease = fetching.export_state();
    assert_eq!(lease["fetchingSinceMs"], T0);
    let mut cold = RemoteCache::new(URL, o);
    cold.start_fetch(T0 + 10.0);
    assert_eq!(cold.adopt_state(T0 + 10.0, &lease, None).unwrap(), StoreVerdict::Wait);
    assert!(cold.in_flight());
    assert_eq!(cold.adopt_state(T0 + 5000.0, &lease, None).unwrap(), StoreVerdict::Fetch, "a lease older than timeoutMs is over");
    let mut future = lease.clone();
    future["fetchingSinceMs"] = json!(T0 + 1e9);
    assert_eq!(cold.adopt_state(T0 + 10.0, &future, None).unwrap(), StoreVerdict::Fetch, "a lease in the future is ignored");
    fetching.fetch_succeeded(T0 + 20.0, &jwks(&["a"]), None, None).unwrap();
    let done = fetching.export_state();
    assert!(done.get("fetchingSinceMs").is_none());
    assert_eq!(cold.adopt_state(T0 + 30.0, &done, Some("a")).unwrap(), StoreVerdict::Skip);
    assert!(!cold.in_flight());
}

mod common;

/// jose's createRemoteJWKSet reloads on any "no matching key", not only on an unknown kid: a
/// kid-less token after the issuer moved from an RSA to an EC key, or a kept kid whose key
/// changed type, refetched there and failed here until the set expired (up to cacheMaxAgeMs).
#[test]
fn a_token_the_cached_set_has_no_key_for_refetches_like_an_unknown_kid() {
    use jwks_verify::remote::has_candidate;
    let d = [7_u8; 32];
    let ec = common::es256_public_jwk(&d, json!({}));
    let ec_kid = common::es256_public_jwk(&d, json!({ "kid": "same" }));
    let token = |header: &str| format!("{}.{}.{}", common::b64u(header.as_bytes()), common::b64u(b"{}"), common::b64u(&[0; 64]));
    let ec_set = common::keyset(&json!({ "keys": [ec] }), false);
    let kid_set = common::keyset(&json!({ "keys": [ec_kid] }), false);
    assert!(has_candidate(&ec_set, &token(r#"{"alg":"ES256"}"#), 16384));
    assert!(!has_candidate(&ec_set, &token(r#"{"alg":"RS256"}"#), 16384), "kid-less RS256 token, EC-only set");
    assert!(!has_candidate(&ec_set, &token(r#"{"alg":"ES384"}"#), 16384));
    assert!(!has_candidate(&kid_set, &token(r#"{"alg":"RS256","kid":"same"}"#), 16384), "known kid, key of another type");
    assert!(has_candidate(&kid_set, &token(r#"{"alg":"ES256","kid":"same"}"#), 16384));
    // Nothing a refetch could help: counted as served, verification reports it.
    for header in [r#"{"alg":"none"}"#, r#"{"alg":"XX1"}"#, r#"{"kid":"same"}"#, r#"{"alg":"ES256","kid":5}"#, "not json"] {
        assert!(has_candidate(&kid_set, &token(header), 16384), "{header}");
    }
    assert!(has_candidate(&kid_set, "garbage", 16384));
    assert!(has_candidate(&ec_set, &token(r#"{"alg":"RS256"}"#), 10), "over maxTokenLength: refused before any fetch");

    // The policy: the unknown-kid refetch, under the same cooldown.
    let mut cache = warm(options(), T0, &["a"]);
    assert_eq!(cache.decide_without_candidate(T0 + SECOND, false), Ok(Action::Serve), "within the cooldown of the last fetch");
    assert_eq!(cache.decide_without_candidate(T0 + 30.0 * SECOND, false), Ok(Action::Fetch));
    cache.start_fetch(T0 + 30.0 * SECOND);
    assert_eq!(cache.decide_without_candidate(T0 + 30.0 * SECOND, false), Ok(Action::Join), "one fetch at a time");
    cache.fetch_succeeded(T0 + 31.0 * SECOND, &jwks(&["a"]), None, None).unwrap();
    assert_eq!(cache.decide_without_candidate(T0 + 40.0 * SECOND, false), Ok(Action::Serve), "a flood: at most one fetch per cooldown");
    fetch_err(&mut cache, T0 + 61.0 * SECOND, ErrorCode::JwksFetchFailed);
    let held = cache.decide_without_candidate(T0 + 62.0 * SECOND, false).unwrap_err();
    assert_eq!(held.code, ErrorCode::JwksFetchFailed, "a failed attempt holds retries back too, and is the answer: {}", held.message);
    assert_eq!(RemoteCache::new(URL, options()).decide_without_candidate(T0, false), Ok(Action::Serve), "no set: decide() fetches");
}

/// With a shared store, the refetch for tokens the set has no key for is one upstream fetch
/// per cooldown across the processes: another's recent fetch (in the store) makes it a skip.
#[test]
fn a_shared_store_holds_the_no_candidate_refetch_to_one_per_cooldown() {
    let o = RemoteOptions { cooldown_ms: 10.0 * SECOND, ..options() };
    let mut processes: Vec<RemoteCache> = (0..5)
        .map(|_| {
            let mut cache = warm(o, T0, &["a"]);
            cache.set_shared(true);
            cache
        })
        .collect();
    let mut store: Option<Value> = None;
    let mut upstream = 0;
    for i in 0..500_u32 {
        let now = T0 + 10.0 * SECOND + f64::from(i) * 100.0;
        let cache = &mut processes[(i % 5) as usize];
        if cache.decide_without_candidate(now, false) != Ok(Action::Fetch) {
            continue;
        }
        cache.start_fetch(now);
        let skipped = match &store {
            Some(state) => cache.adopt_state_without_candidate(now, state).unwrap() == StoreVerdict::Skip,
            None => false,
        };
        if !skipped {
            upstream += 1;
            cache.fetch_succeeded(now, &jwks(&["a"]), None, None).unwrap();
            store = Some(cache.export_state());
        }
    }
    // 50 s of misses over five processes, a 10 s cooldown: one fetch per cooldown, not five.
    assert!((5..=6).contains(&upstream), "{upstream}");
}

/// A caller that joined a store consult (another caller's unknown kid, held back by the
/// cooldown) waited for no refresh: once the set has expired it is refreshed before it serves,
/// as for a caller that waited for nothing (attack review, wave 5).
#[test]
fn joining_a_store_consult_is_no_refresh_of_an_expired_set() {
    let o = RemoteOptions { cache_max_age_ms: 10.0 * SECOND, cooldown_ms: 30.0 * SECOND, ..options() };
    for stale_if_error_ms in [86_400_000.0, 0.0] {
        let mut cache = warm(RemoteOptions { stale_if_error_ms, ..o }, T0, &["keep", "drop"]);
        cache.set_shared(true);
        let fresh = T0 + 9.0 * SECOND;
        assert_eq!(cache.decide(fresh, Some("stranger"), false), Ok(Action::Consult));
        cache.start_consult(fresh);
        // The set expires while the store is read; a caller for a known kid joins the read.
        let expired = T0 + 10.5 * SECOND;
        assert_eq!(cache.decide(expired, Some("drop"), false), Ok(Action::Join));
        cache.cancel_fetch(); // the store held nothing newer
        assert_eq!(cache.decide(expired, Some("drop"), true), Ok(Action::Fetch), "staleIfErrorMs {stale_if_error_ms}: served unrefreshed");
        fetch_ok(&mut cache, expired + 100.0, &["keep"]);
        assert_eq!(cache.decide(expired + 100.0, Some("drop"), true).unwrap_err().code, ErrorCode::NoMatchingKey);
        assert_eq!(cache.decide(expired + 100.0, Some("keep"), true), Ok(Action::Serve));
        // A fetch still in flight after a wait is served from, never waited for again.
        let later = expired + 100.0 + 11.0 * SECOND;
        cache.start_fetch(later);
        assert_eq!(cache.decide(later, Some("keep"), true), Ok(Action::Serve));
    }
}

/// `cacheMaxAgeMs: 0` (every verification refetches): a token the set has no key for makes no
/// fetch beyond the one decide() made for it (it made three: decide, the no-candidate refetch,
/// decide again).
#[test]
fn a_token_without_candidate_on_a_zero_lifetime_set_fetches_once() {
    let o = RemoteOptions { cache_max_age_ms: 0.0, ..options() };
    let mut cache = warm(o, T0, &["a"]);
    let now = T0 + 5.0 * SECOND;
    assert_eq!(cache.decide(now, None, false), Ok(Action::Fetch));
    fetch_ok(&mut cache, now, &["a"]);
    assert_eq!(cache.decide(now, None, true), Ok(Action::Serve));
    assert_eq!(cache.decide_without_candidate(now, false), Ok(Action::Serve), "the set was fetched for this very token");
}
