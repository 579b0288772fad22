//! Issue 12, parsing and output: `b64` must be a boolean, numbers are read as JavaScript
//! reads them, attacker text in messages is quoted and bounded, kid lists are capped.

mod common;

use common::*;
use jwks_verify::remote::{RemoteCache, RemoteOptions};
use jwks_verify::{KeySet, ParseOptions};
use serde_json::json;

fn hs_keys() -> KeySet {
    claims_keyset()
}

fn hs_token(header: &str, payload: &str) -> String {
    sign_hmac(header, payload.as_bytes(), CLAIMS_SECRET)
}

#[test]
fn b64_that_is_not_a_boolean_is_jws_invalid_with_or_without_crit() {
    let keys = hs_keys();
    let opts = options_with_algorithms(&["HS256"]);
    for b64 in [r#""false""#, r#""true""#, "0", "1", "null", "{}", "[]", r#""""#] {
        for crit in [r#","crit":["b64"]"#, ""] {
            let header = format!(r#"{{"alg":"HS256","kid":"claims"{crit},"b64":{b64}}}"#);
            let result = verify_at(&hs_token(&header, r#"{"sub":"x"}"#), &keys, &opts, NOW);
            let err = result.expect_err(&header);
            assert_eq!(err.code(), "ERR_JWS_INVALID", "{header}: {err}");
            assert!(err.message.contains("\"b64\" must be a boolean"), "{header}: {err}");
            // decodeJwt's path too.
            let decoded = jwks_verify::token::decode(&hs_token(&header, "{}"), 16384);
            assert_eq!(decoded.err().map(|e| e.code()), Some("ERR_JWS_INVALID"), "decode {header}");
        }
    }
    let header = r#"{"alg":"HS256","kid":"claims","crit":["b64"],"b64":true}"#;
    assert!(verify_at(&hs_token(header, r#"{"sub":"x"}"#), &keys, &opts, NOW).is_ok());
    let header = r#"{"alg":"HS256","kid":"claims","crit":["b64"],"b64":false}"#;
    assert_eq!(code_of(&verify_at(&hs_token(header, r#"{"sub":"x"}"#), &keys, &opts, NOW)), "ERR_JWT_INVALID");
}

#[test]
fn numbers_round_as_in_javascript() {
    // The parser must agree with JSON.parse for every claim number; these are ties and
    // near-ties that the fast (non-roundtrip) float path gets wrong.
    let keys = hs_keys();
    let opts = options_with_algorithms(&["HS256"]);
    let now = 1_750_000_000.0;
    let cases = [
        ("1750000000.00000011920928955078125", "ERR_JWT_EXPIRED"),
        ("1750000000.000000119209289550781249", "ERR_JWT_EXPIRED"),
        ("1750000000.0000001192092895507813", "OK"),
        ("17500000000000000000e-10", "ERR_JWT_EXPIRED"),
        ("1.75000000000000001192092895507812e9", "ERR_JWT_EXPIRED"),
    ];
    for (exp, expect) in cases {
        let token = hs_token(r#"{"alg":"HS256","kid":"claims"}"#, &format!(r#"{{"exp":{exp}}}"#));
        assert_eq!(code_of(&verify_at(&token, &keys, &opts, now)), expect, "exp {exp}");
    }
    let parsed = jwks_verify::encoding::parse_json_strict(b"[1750000000.00000011920928955078125, 0.1, 9007199254740993]").unwrap();
    assert_eq!(parsed[0].as_f64(), Some(1_750_000_000.0));
    assert_eq!(parsed[1].as_f64(), Some(0.1));
}

/// Strings an attacker controls that must never reach a log or a terminal as they are.
fn hostile_strings() -> Vec<String> {
    let mut out: Vec<String> = [
        "line\nbreak",
        "cr\rreturn",
        "\u{1b}[31mred\u{1b}[0m",
        "\u{1b}]0;title\u{7}",
        "tab\there",
        "nul\u{0}byte",
        "quote\"and\\backslash",
        "\u{2028}js line sep\u{2029}",
        "\u{202e}reversed",
        "\u{9b}31m C1 CSI",
        "del\u{7f}",
        "\u{feff}bom",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    out.push("k".repeat(10_000));
    out.push("\n".repeat(5_000));
    out.push(format!("{}\u{1b}[2J", "é".repeat(100)));
    out
}

/// A message is safe: no control character (C0, DEL, C1), no line or bidi separators, and
/// bounded whatever the input size.
fn assert_safe(message: &str, context: &str) {
    let bad = message.chars().find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'));
    assert!(bad.is_none(), "{context}: control character {bad:?} in message {message:?}");
    assert!(message.chars().count() <= 4096, "{context}: message of {} characters", message.chars().count());
}

#[test]
fn token_text_in_errors_is_quoted_and_bounded() {
    let keys = hs_keys();
    let opts = options_with_algorithms(&["HS256"]);
    let big = 1 << 20;
    let opts_big: jwks_verify::VerifyOptions = options(json!({ "algorithms": ["HS256"], "maxTokenLength": big }));
    let mut checked = 0;
    for text in hostile_strings() {
        let t = serde_json::to_string(&text).unwrap();
        let headers = [
            format!(r#"{{"alg":"HS256","kid":{t}}}"#),
            format!(r#"{{"alg":{t}}}"#),
            format!(r#"{{"alg":"HS256","kid":"claims","crit":[{t}],{t}:1}}"#),
            format!(r#"{{"alg":"HS256","kid":"claims","crit":[{t}]}}"#),
            format!(r#"{{"alg":"HS256","kid":"claims",{t}:1,{t}:2}}"#),
        ];
        for header in &headers {
            for o in [&opts, &opts_big] {
                let err = verify_at(&hs_token(header, r#"{"sub":"x"}"#), &keys, o, NOW).expect_err(header);
                assert_safe(&err.message, header);
                checked += 1;
            }
        }
        let payload = format!(r#"{{{t}:1,{t}:2}}"#);
        let err = verify_at(&hs_token(r#"{"alg":"HS256","kid":"claims"}"#, &payload), &keys, &opts_big, NOW).expect_err("duplicate claim");
        assert_safe(&err.message, "duplicate claim");
        // With algorithms restricted, an unlisted alg is named in the message.
        let opts_es: jwks_verify::VerifyOptions = options(json!({ "algorithms": ["ES256"], "maxTokenLength": big }));
        let err = verify_at(&hs_token(&format!(r#"{{"alg":{t}}}"#), "{}"), &keys, &opts_es, NOW).expect_err("alg");
        assert_safe(&err.message, "unlisted alg");
        checked += 2;
    }
    assert!(checked > 100);
}

#[test]
fn key_set_text_in_diagnostics_and_errors_is_quoted_and_bounded() {
    let opts = options_with_algorithms(&["HS256", "ES256", "RS256"]);
    for text in hostile_strings() {
        let jwks = json!({ "keys": [
            { "kty": text, "kid": text },
            { "kty": "EC", "crv": text, "x": "AA", "y": "AA", "kid": text },
            { "kty": "OKP", "crv": text, "x": "AA" },
            { "kty": "RSA", "n": "AQAB", "e": "AQAB", "alg": text, "use": text, "key_ops": [text, text], "kid": text },
            { "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA", "x5c": ["MIIB"], "kid": text },
            oct_jwk(CLAIMS_SECRET, json!({ "kid": text, "alg": text })),
            oct_jwk(CLAIMS_SECRET, json!({ "kid": text })),
            oct_jwk(CLAIMS_SECRET, json!({ "kid": text })),
        ]});
        let keys = KeySet::parse_value(&jwks, ParseOptions { allow_private: true, ..ParseOptions::default() }).unwrap();
        assert!(keys.diagnostics.len() >= 8);
        for d in &keys.diagnostics {
            assert_safe(&d.message, &format!("diagnostic {}", d.code));
        }
        for alg in ["HS256", "ES256", "RS256"] {
            let token = hs_token(&format!(r#"{{"alg":"{alg}","kid":"other\n"}}"#), "{}");
            let err = verify_at(&token, &keys, &opts, NOW).expect_err("no key");
            assert_safe(&err.message, "no matching key");
            let token = hs_token(&format!(r#"{{"alg":"{alg}"}}"#), "{}");
            if let Err(err) = verify_at(&token, &keys, &opts, NOW) {
                assert_safe(&err.message, "no kid");
            }
            let explained = keys.explain(jwks_verify::Alg::parse(alg).unwrap(), Some(&text), 4);
            for verdict in &explained.trace {
                if let Some(detail) = &verdict.detail {
                    assert_safe(detail, "explain detail");
                }
            }
        }
        // A duplicate member name in the set's JSON text.
        let t = serde_json::to_string(&text).unwrap();
        let err = KeySet::parse_str(&format!(r#"{{"keys":[],{t}:1,{t}:2}}"#), ParseOptions::default()).unwrap_err();
        assert_safe(&err.message, "duplicate member in JWKS");
    }
}

#[test]
fn kid_lists_are_capped_at_20_with_a_count() {
    let keys: Vec<_> = (0..5000).map(|i| oct_jwk(CLAIMS_SECRET, json!({ "kid": format!("kid-{i:04}"), "alg": "HS256" }))).collect();
    let keys = keyset(&json!({ "keys": keys }), true);
    let opts = options_with_algorithms(&["HS256"]);
    let token = hs_token(r#"{"alg":"HS256","kid":"unknown"}"#, "{}");
    let err = verify_at(&token, &keys, &opts, NOW).unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert!(err.message.len() < 1000, "{} bytes: {}", err.message.len(), err.message);
    assert!(err.message.contains("\"kid-0019\", and 4980 more]"), "{}", err.message);
    assert!(!err.message.contains("kid-0020"));
    let kids = err.kids.expect("kids on every no-matching-key error");
    assert_eq!(kids.first.len(), 20);
    assert_eq!(kids.first[19], "kid-0019");
    assert_eq!(kids.count, 5000);
    // A kid that is not a string: the same cap.
    let token = hs_token(r#"{"alg":"HS256","kid":7}"#, "{}");
    let err = verify_at(&token, &keys, &opts, NOW).unwrap_err();
    assert_eq!((err.code(), err.kids.map(|k| (k.first.len(), k.count))), ("ERR_JWKS_NO_MATCHING_KEY", Some((20, 5000))));
    // Huge kids are cut in `kids` too.
    let huge = keyset(&json!({ "keys": [oct_jwk(CLAIMS_SECRET, json!({ "kid": "x".repeat(10_000), "alg": "HS256" }))] }), true);
    let err = verify_at(&token, &huge, &opts, NOW).unwrap_err();
    assert_eq!(err.kids.unwrap().first[0].len(), 64);
}

#[test]
fn remote_unknown_kid_is_capped_and_quoted() {
    let kids: Vec<_> = (0..5000).map(|i| json!({ "kty": "oct", "k": "AAAA", "kid": format!("k{i}\n") })).collect();
    let body = json!({ "keys": kids }).to_string();
    let mut cache = RemoteCache::new("https://issuer.example/jwks\u{1b}[2J", RemoteOptions { max_keys: 5000.0, ..RemoteOptions::default() });
    cache.start_fetch(0.0);
    cache.fetch_succeeded(1.0, &body, None, None).unwrap();
    let err = cache.decide(2.0, Some("nope\u{1b}[31m"), true).unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert_safe(&err.message, "remote unknown kid");
    assert!(err.message.len() < 1500, "{}", err.message.len());
    let k = err.kids.expect("kids");
    assert_eq!((k.first.len(), k.count), (20, 5000));
    let err = cache.fetch_failed(3.0, jwks_verify::JoseError::jwks_invalid("x"));
    assert_safe(&err.message, "remote fetch failed context");
    assert!(err.message.len() < 1500);
}
