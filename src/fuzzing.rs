//! The bodies of the fuzz targets, shared by `fuzz/` (cargo-fuzz, nightly) and
//! `tests/fuzz_corpus.rs` (replays the committed corpora on stable, so a found crash stays
//! fixed). Each body takes any bytes, must never panic, and asserts the invariants that hold
//! for every input: the two verification pipelines agree, messages are safe to print, a
//! state the cache exports is a state it accepts.
//!
//! Not part of the API (hidden from the docs); the wasm build drops it (nothing calls it).

use crate::crypto::Builtin;
use crate::error::JoseError;
use crate::jwk::ParseOptions;
use crate::jwks::KeySet;
use crate::options::VerifyOptions;
use crate::remote::{cache_control, RemoteCache, RemoteOptions};
use crate::{alg, duration, token, verify};
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// A fuzz target: `(name, body)`.
pub type Target = (&'static str, fn(&[u8]));

/// `(name, body)` of every target; `fuzz/fuzz_targets/<name>.rs` calls `body`.
pub const TARGETS: &[Target] = &[("token", token), ("jwks", jwks), ("options", options), ("remote", remote), ("x509", x509), ("json", json)];

/// "now" of every target: 2023-11-14T22:13:20Z.
const NOW: f64 = 1_700_000_000.0;

/// One or more public keys per algorithm, from the test vectors (`scripts/fuzz_seeds.py`).
const KEYS_JSON: &str = include_str!("../tests/fixtures/fuzz_keys.json");

fn keys() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::parse_str(KEYS_JSON, ParseOptions { allow_private: true, ..ParseOptions::default() }).expect("fuzz_keys.json is a JWK Set"))
}

/// A message is safe to print: no control character, no line or bidi separator, bounded.
pub fn assert_safe_message(message: &str, context: &str) {
    let bad = message
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'));
    assert!(bad.is_none(), "{context}: control character {bad:?} in {message:?}");
    assert!(message.len() <= 8192, "{context}: a message of {} bytes", message.len());
}

fn assert_safe_error(err: &JoseError, context: &str) {
    assert_safe_message(&err.message, context);
    if let Some(kids) = &err.kids {
        assert!(kids.first.len() <= crate::quote::KIDS_LIMIT && kids.first.len() <= kids.count, "{context}: kids not capped");
    }
}

/// A compact token, verified against a key set with a key for every algorithm, by both
/// pipelines (maps and views), with the default and an every-algorithm allow-list.
pub fn token(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let keys = keys();
    let all: Vec<&str> = alg::ALGORITHMS.iter().map(|f| f.name).collect();
    let option_sets = [
        VerifyOptions::default(),
        VerifyOptions::from_json(&json!({ "algorithms": all, "maxCandidates": 40, "maxTokenLength": 1 << 20 })).expect("valid options"),
    ];
    for options in &option_sets {
        // The one pipeline with a synchronous host, and the prepare/finish form of an async one.
        let verified = verify::verify(text, keys, options, NOW, &Builtin::default());
        let viewed = verify::prepare(text, keys, options).and_then(|p| {
            let index = p.verify_signature(keys, &Builtin::default())?;
            p.finish(index, options, NOW)
        });
        match (&verified, &viewed) {
            (Ok(a), Ok(b)) => {
                assert_eq!((a.key_index, &a.header_json, &a.payload_json), (b.key_index, &b.header_json, &b.payload_json));
                assert!(keys.keys[a.key_index].usable());
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b, "the pipelines disagree");
                assert_safe_error(a, "verify");
            }
            _ => panic!("the pipelines disagree: {verified:?} vs {viewed:?}"),
        }
    }
    if let Err(err) = token::decode(text, token::DEFAULT_MAX_TOKEN_LENGTH) {
        assert_safe_error(&err, "decode");
    }
    dpop(text);
}

/// The text as a DPoP proof (verified and explained) and as an `htu`: errors are safe to
/// print, and the URL normalisation is idempotent.
fn dpop(text: &str) {
    let options = crate::dpop::DpopOptions::from_json(&json!({ "method": "GET", "url": "https://rs.example/r", "accessToken": "t", "nonce": "n" })).expect("valid options");
    match crate::dpop::verify_dpop_proof(text, &options, NOW, &Builtin::default()) {
        Ok(checked) => assert!(!checked.outcome.jkt.is_empty() && !checked.outcome.jti.is_empty()),
        Err(err) => assert_safe_error(&err, "verifyDpopProof"),
    }
    if let Err(err) = crate::explain::dpop(text, &options, NOW) {
        assert_safe_error(&err, "explainDpop");
    }
    if let Ok(normal) = crate::http_uri::normalize(text) {
        assert_eq!(crate::http_uri::normalize(&normal).as_deref(), Ok(normal.as_str()), "htu normalisation is not idempotent for {text:?}");
    }
}

/// A JWK or JWK Set: parse (both private-key settings), lints, KeyInfo, selection for every
/// algorithm with and without a kid.
pub fn jwks(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for allow_private in [false, true] {
        let set = match KeySet::parse_str(text, ParseOptions { allow_private, ..ParseOptions::default() }) {
            Ok(set) => set,
            Err(err) => {
                assert_safe_error(&err, "parse");
                return;
            }
        };
        for diagnostic in &set.diagnostics {
            assert_safe_message(&diagnostic.message, "diagnostic");
        }
        for key in &set.keys {
            let _ = serde_json::to_string(&key.info());
        }
        let kid = set.kids().first().map(|k| k.to_string());
        for facts in alg::ALGORITHMS {
            for kid in [None, kid.as_deref(), Some("no such kid")] {
                let explained = set.explain(facts.alg, kid, 4);
                assert!(explained.candidates.len() <= 4);
                for verdict in &explained.trace {
                    if let Some(detail) = &verdict.detail {
                        assert_safe_message(detail, "explain");
                    }
                }
                let selection = set.select(facts.alg, kid, 4);
                if selection.candidates.is_empty() {
                    assert_safe_error(&set.no_match_error(facts.alg, kid, &selection), "no match");
                }
                for &index in &selection.candidates {
                    assert!(set.keys[index].usable(), "an unusable key was selected");
                }
            }
        }
    }
}

/// `VerifyOptions` (and the other options of the core) from JSON, and the text as a duration.
pub fn options(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // parse_span may overflow to infinity; the options reader must refuse that.
    let _ = duration::parse_span(text);
    let Ok(json) = crate::encoding::parse_json_strict(text.as_bytes()) else { return };
    if let Ok(options) = VerifyOptions::from_json(&json) {
        assert!(options.clock_tolerance.is_finite() && options.clock_tolerance >= 0.0, "clockTolerance {}", options.clock_tolerance);
        assert!(options.max_token_age.map_or(true, |a| a.is_finite() && a >= 0.0), "maxTokenAge {:?}", options.max_token_age);
        // The options must drive a verification without a panic.
        let _ = verify::verify("eyJhbGciOiJIUzI1NiJ9.e30.", keys(), &options, NOW, &Builtin::default());
    }
    if let Ok(options) = serde_json::from_value::<RemoteOptions>(json.clone()) {
        let _ = options.validate();
    }
    let value = crate::options::OptionValue::from_json(&json);
    if let Err(err) = crate::assertion::AssertionOptions::read(&value) {
        assert_safe_message(&err.to_string(), "AssertionOptions");
    }
    if let Err(err) = VerifyOptions::read(&value) {
        assert_safe_message(&err.to_string(), "VerifyOptions");
    }
    if let Err(err) = crate::dpop::DpopOptions::read(&value) {
        assert_safe_message(&err.to_string(), "DpopOptions");
    }
    resource(text, &value);
}

/// `authenticateRequest`: its options, then the text as an `Authorization` value, a `DPoP`
/// value and a request URL. Every challenge must be a header value (printable ASCII).
fn resource(text: &str, value: &crate::options::OptionValue) {
    use crate::resource::{HeaderValue, RequestParts, ResourceOptions};
    let options = match ResourceOptions::read(value) {
        Ok(options) => options,
        Err(err) => {
            assert_safe_message(&err.to_string(), "AuthenticateOptions");
            ResourceOptions::from_json(&json!({ "keys": {}, "issuer": "i", "audience": "a", "realm": "r \\ \"q\"" })).expect("valid options")
        }
    };
    let header = |t: &str| HeaderValue::Text(t.to_owned());
    let request = RequestParts { method: Some(header("GET")), url: Some(header(text)), authorization: vec![header(text)], dpop: vec![header(text)], host: Some(header(text)), encrypted: false };
    let dpop = RequestParts { authorization: vec![header(&format!("DPoP {text}"))], ..request.clone() };
    for request in [request, dpop] {
        if let Err(failure) = options.credentials(&request) {
            let challenge = options.challenge(&failure);
            assert!(challenge.bytes().all(|b| (0x20..=0x7e).contains(&b)), "challenge {challenge:?}");
        }
    }
}

/// A `RemoteJwks` state (`fromState`), then a few decisions; the same text as `Cache-Control`.
pub fn remote(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let url = "https://issuer.example/jwks";
    let options = RemoteOptions::default();
    let lifetime = RemoteCache::new(url, options).lifetime_ms(Some(text), Some(text));
    assert!(lifetime.is_finite() && lifetime >= 0.0 && lifetime <= options.cache_max_age_ms, "lifetime {lifetime}");
    let _ = cache_control::freshness_seconds(Some(text), None);
    let Ok(state) = crate::encoding::parse_json_strict(text.as_bytes()) else { return };
    let now_ms = NOW * 1000.0;
    let mut cache = match RemoteCache::from_state(url, options, &state, now_ms) {
        Ok(cache) => cache,
        Err(err) => {
            assert_safe_error(&err, "fromState");
            return;
        }
    };
    let exported = cache.export_state();
    let again = RemoteCache::from_state(url, options, &exported, now_ms).expect("an exported state is accepted");
    assert_eq!(again.export_state(), exported, "export/import is not a round trip");
    for (now, kid, waited) in [(now_ms, None, false), (now_ms, Some("kid-ec-sign"), false), (now_ms + 1e9, Some("x\n"), true)] {
        match cache.decide(now, kid, waited) {
            Ok(_) => {}
            Err(err) => assert_safe_error(&err, "decide"),
        }
    }
    let _ = cache.stats();
    cache.start_fetch(now_ms);
    let err = cache.fetch_failed(now_ms + 1.0, JoseError::new(crate::error::ErrorCode::JwksFetchFailed, "boom"));
    assert_safe_error(&err, "fetch_failed");
}

/// DER bytes as the first `x5c` certificate of a JWK, with and without thumbprints.
pub fn x509(data: &[u8]) {
    let der = crate::encoding::b64_standard_encode(data);
    let mut jwk = Map::new();
    jwk.insert("kty".into(), json!("EC"));
    jwk.insert("crv".into(), json!("P-256"));
    jwk.insert("x5c".into(), json!([der]));
    for finding in crate::x509::check_x509_members(&jwk, "key 0") {
        assert_safe_message(&finding.message, "x509");
    }
    jwk.insert("x5t".into(), Value::String(crate::encoding::b64url_encode(&data[..data.len().min(20)])));
    let set = json!({ "keys": [Value::Object(jwk)] });
    if let Ok(set) = KeySet::parse_value(&set, ParseOptions::default()) {
        for diagnostic in &set.diagnostics {
            assert_safe_message(&diagnostic.message, "x509 diagnostic");
        }
    }
}

/// Any bytes as JSON: the crate's parser (`json_parse`) gives exactly what serde_json's
/// `from_slice` gives through the same strict visitor: the same value (float bits included),
/// or the same error text with its line and column.
pub fn json(data: &[u8]) {
    use serde::de::Deserializer as _;
    let ours = crate::encoding::parse_json_strict(data);
    let mut deserializer = serde_json::Deserializer::from_slice(data);
    let theirs = deserializer.deserialize_any(crate::encoding::StrictVisitor).and_then(|v| deserializer.end().map(|()| v)).map_err(|e| e.to_string());
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert!(same_value(a, b), "{a:?} vs {b:?}"),
        _ => assert_eq!(ours, theirs),
    }
}

fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            _ if x.is_u64() || x.is_i64() => x == y,
            (Some(p), Some(q)) => !y.is_u64() && !y.is_i64() && p.to_bits() == q.to_bits(),
            _ => false,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_value(p, q)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().zip(y).all(|((k, p), (l, q))| k == l && same_value(p, q)),
        _ => a == b,
    }
}
