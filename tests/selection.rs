//! The key-selection rule of API.md, algorithm confusion, malformed tokens, and unsupported
//! key types.

mod common;

use common::vectors::*;
use common::*;
use jwks_verify::{Alg, KeySet, VerifyOptions};
use serde_json::{json, Value};

const K1: &[u8; 32] = b"selection-secret-number-one-0001";
const K2: &[u8; 32] = b"selection-secret-number-two-0002";
const K3: &[u8; 32] = b"selection-secret-number-three-03";
const K4: &[u8; 32] = b"selection-secret-number-four-004";
const K5: &[u8; 32] = b"selection-secret-number-five-005";
const PAYLOAD: &[u8] = br#"{"sub":"selection","exp":1700000100}"#;

fn hs256() -> VerifyOptions {
    options_with_algorithms(&["HS256"])
}

fn oct_set(keys: &[Value]) -> KeySet {
    keyset(&json!({ "keys": keys }), true)
}

fn hs_token(header: &str, secret: &[u8]) -> String {
    sign_hmac(header, PAYLOAD, secret)
}

/// The RFC 7515 A.3 P-256 private scalar.
fn es256_scalar() -> Vec<u8> {
    let file = json(RFC7515_APPENDIX_A);
    let a3 = file["tests"].as_array().unwrap().iter().find(|t| t["id"] == "RFC7515-A.3").unwrap();
    b64u_decode(s(&a3["jwk"], "d"))
}

const OTHER_P256_SCALAR: [u8; 32] = [0x11; 32];

fn rsa_public_jwk() -> Value {
    let file = json(RFC7515_APPENDIX_A);
    file["tests"].as_array().unwrap().iter().find(|t| t["id"] == "RFC7515-A.2").unwrap()["public_jwk"].clone()
}

fn p384_public_jwk(extra: Value) -> Value {
    use p384::elliptic_curve::sec1::ToEncodedPoint;
    let secret = p384::SecretKey::from_slice(&[0x22; 48]).unwrap();
    let point = secret.public_key().to_encoded_point(false);
    let mut jwk = json!({ "kty": "EC", "crv": "P-384", "x": b64u(point.x().unwrap()), "y": b64u(point.y().unwrap()) });
    merge(&mut jwk, extra);
    jwk
}

// ------------------------------------------------------------------------------------------
// kid matching, no kid, duplicates, maxCandidates
// ------------------------------------------------------------------------------------------

#[test]
fn kid_selects_only_keys_with_that_kid() {
    let keys = oct_set(&[oct_jwk(K1, json!({"kid": "a"})), oct_jwk(K2, json!({"kid": "b"})), oct_jwk(K3, json!({}))]);
    let token = hs_token(r#"{"alg":"HS256","kid":"b"}"#, K2);
    let prepared = jwks_verify::verify::prepare(&token, &keys, &hs256()).unwrap();
    assert_eq!(prepared.selection.candidates, vec![1]);
    assert_eq!(prepared.selection.trace[0].filtered_by, Some("kid"));
    assert_eq!(prepared.selection.trace[1].filtered_by, None);
    // A key without kid never matches a token with a kid.
    assert_eq!(prepared.selection.trace[2].filtered_by, Some("kid"));
    assert_eq!(verify_at(&token, &keys, &hs256(), NOW).map(|v| v.key_index), Ok(1));

    // Right kid, wrong secret: the kid's key is the only one tried.
    let token = hs_token(r#"{"alg":"HS256","kid":"a"}"#, K2);
    assert_eq!(code_of(&verify_at(&token, &keys, &hs256(), NOW)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

#[test]
fn unknown_kid_error_lists_the_kids() {
    let keys = oct_set(&[oct_jwk(K1, json!({"kid": "first-kid"})), oct_jwk(K2, json!({"kid": "second-kid"}))]);
    let token = hs_token(r#"{"alg":"HS256","kid":"nope"}"#, K1);
    let err = verify_at(&token, &keys, &hs256(), NOW).unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert!(err.message.contains("\"first-kid\"") && err.message.contains("\"second-kid\""), "{}", err.message);
    assert!(err.message.contains("nope"), "{}", err.message);

    // A set without kids says so.
    let keys = oct_set(&[oct_jwk(K1, json!({}))]);
    let err = verify_at(&token, &keys, &hs256(), NOW).unwrap_err();
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert!(err.message.contains("none with a kid"), "{}", err.message);
    assert!(keys.diagnostics.iter().any(|d| d.code == "missing_kid" && d.index == Some(0)), "{:?}", keys.diagnostics);
}

#[test]
fn the_kids_listed_are_each_named_once_in_set_order() {
    let mut jwks: Vec<Value> = (0..30).map(|_| oct_jwk(K1, json!({"kid": "a"}))).collect();
    jwks.push(oct_jwk(K2, json!({"kid": "b"})));
    jwks.push(oct_jwk(K2, json!({"kid": "a"})));
    let keys = oct_set(&jwks);
    assert_eq!(keys.kids(), vec!["a", "b"]);
    let err = verify_at(&hs_token(r#"{"alg":"HS256","kid":"nope"}"#, K1), &keys, &hs256(), NOW).unwrap_err();
    assert!(err.message.contains("the set has kids [\"a\", \"b\"]"), "{}", err.message);
}

#[test]
fn no_kid_takes_all_candidates_in_set_order() {
    let keys = oct_set(&[oct_jwk(K1, json!({"kid": "a"})), oct_jwk(K2, json!({"kid": "b"})), oct_jwk(K3, json!({}))]);
    let token = hs_token(r#"{"alg":"HS256"}"#, K3);
    let prepared = jwks_verify::verify::prepare(&token, &keys, &hs256()).unwrap();
    assert_eq!(prepared.selection.candidates, vec![0, 1, 2]);
    assert_eq!(prepared.verify_signature(&keys, &jwks_verify::crypto::RustCrypto), Ok(2));
    assert_eq!(verify_at(&token, &keys, &hs256(), NOW).map(|v| v.key_index), Ok(2));
}

#[test]
fn duplicate_kids_are_tried_in_order() {
    let keys = oct_set(&[oct_jwk(K1, json!({"kid": "dup"})), oct_jwk(K2, json!({"kid": "other"})), oct_jwk(K3, json!({"kid": "dup"}))]);
    assert!(keys.diagnostics.iter().any(|d| d.code == "duplicate_kid" && d.index == Some(2)));
    let token = hs_token(r#"{"alg":"HS256","kid":"dup"}"#, K3);
    let prepared = jwks_verify::verify::prepare(&token, &keys, &hs256()).unwrap();
    assert_eq!(prepared.selection.candidates, vec![0, 2]);
    assert_eq!(verify_at(&token, &keys, &hs256(), NOW).map(|v| v.key_index), Ok(2));
    let token = hs_token(r#"{"alg":"HS256","kid":"dup"}"#, K1);
    assert_eq!(verify_at(&token, &keys, &hs256(), NOW).map(|v| v.key_index), Ok(0));
    let token = hs_token(r#"{"alg":"HS256","kid":"dup"}"#, K2);
    assert_eq!(code_of(&verify_at(&token, &keys, &hs256(), NOW)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

#[test]
fn at_most_max_candidates_are_tried() {
    let secrets = [K1, K2, K3, K4, K5];
    let keys = oct_set(&secrets.iter().map(|k| oct_jwk(*k, json!({"kid": "same"}))).collect::<Vec<_>>());
    let fourth = hs_token(r#"{"alg":"HS256","kid":"same"}"#, K4);
    let fifth = hs_token(r#"{"alg":"HS256","kid":"same"}"#, K5);
    let defaults = hs256();
    assert_eq!(defaults.max_candidates, 4);
    assert_eq!(jwks_verify::verify::prepare(&fifth, &keys, &defaults).unwrap().selection.candidates, vec![0, 1, 2, 3]);
    assert_eq!(verify_at(&fourth, &keys, &defaults, NOW).map(|v| v.key_index), Ok(3));
    assert_eq!(code_of(&verify_at(&fifth, &keys, &defaults, NOW)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    let five = options(json!({"algorithms": ["HS256"], "maxCandidates": 5}));
    assert_eq!(verify_at(&fifth, &keys, &five, NOW).map(|v| v.key_index), Ok(4));
    let one = options(json!({"algorithms": ["HS256"], "maxCandidates": 1}));
    assert_eq!(code_of(&verify_at(&fourth, &keys, &one, NOW)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    // The cap also applies without kids. Unusable keys do not use up the budget.
    let mut jwks: Vec<Value> = vec![oct_jwk(b"", json!({})), oct_jwk(K1, json!({"use": "enc"}))];
    jwks.extend(secrets.iter().map(|k| oct_jwk(*k, json!({}))));
    let keys = oct_set(&jwks);
    let token = hs_token(r#"{"alg":"HS256"}"#, K4);
    let prepared = jwks_verify::verify::prepare(&token, &keys, &defaults).unwrap();
    assert_eq!(prepared.selection.candidates, vec![2, 3, 4, 5]);
    assert_eq!(verify_at(&token, &keys, &defaults, NOW).map(|v| v.key_index), Ok(5));
}

// ------------------------------------------------------------------------------------------
// kty / crv / alg / use / key_ops filters
// ------------------------------------------------------------------------------------------

#[test]
fn kty_and_crv_filter() {
    let d = es256_scalar();
    let keys = keyset(
        &json!({ "keys": [
            oct_jwk(K1, json!({})),
            rsa_public_jwk(),
            p384_public_jwk(json!({})),
            json(COOKBOOK_JWK_3_1),
            es256_public_jwk(&OTHER_P256_SCALAR, json!({})),
            es256_public_jwk(&d, json!({})),
        ]}),
        true,
    );
    assert!(keys.keys.iter().all(|k| k.usable()), "{:?}", keys.diagnostics);
    let token = sign_es256(r#"{"alg":"ES256"}"#, PAYLOAD, &d);
    let prepared = jwks_verify::verify::prepare(&token, &keys, &VerifyOptions::default()).unwrap();
    let filters: Vec<Option<&str>> = prepared.selection.trace.iter().map(|v| v.filtered_by).collect();
    assert_eq!(filters, vec![Some("kty"), Some("kty"), Some("crv"), Some("crv"), None, None]);
    assert_eq!(prepared.selection.candidates, vec![4, 5]);
    assert_eq!(verify_at(&token, &keys, &VerifyOptions::default(), NOW).map(|v| v.key_index), Ok(5));

    // ES384 selects only the P-384 key (and fails its signature: wrong curve, wrong key).
    let es384 = jwks_verify::verify::prepare(&token.replacen(&b64u(br#"{"alg":"ES256"}"#), &b64u(br#"{"alg":"ES384"}"#), 1), &keys, &VerifyOptions::default()).unwrap();
    assert_eq!(es384.selection.candidates, vec![2]);
}

#[test]
fn alg_use_and_key_ops_filter() {
    let d = es256_scalar();
    let token = sign_es256(r#"{"alg":"ES256","kid":"k"}"#, PAYLOAD, &d);
    let cases: &[(Value, Option<&str>)] = &[
        (json!({"kid": "k"}), None),
        (json!({"kid": "k", "alg": "ES256"}), None),
        (json!({"kid": "k", "use": "sig"}), None),
        (json!({"kid": "k", "key_ops": ["verify"]}), None),
        (json!({"kid": "k", "key_ops": ["sign", "verify"]}), None),
        (json!({"kid": "k", "alg": "ES384"}), Some("alg")),
        (json!({"kid": "k", "use": "enc"}), Some("use")),
        (json!({"kid": "k", "key_ops": ["sign"]}), Some("key_ops")),
        (json!({"kid": "k", "key_ops": []}), Some("key_ops")),
    ];
    for (extra, filtered_by) in cases {
        let keys = keyset(&es256_public_jwk(&d, extra.clone()), false);
        let selection = keys.select(Alg::ES256, Some("k"), 4);
        assert_eq!(selection.trace[0].filtered_by, *filtered_by, "{extra}");
        let result = verify_at(&token, &keys, &VerifyOptions::default(), NOW);
        match filtered_by {
            None => assert_eq!(result.map(|v| v.key_index), Ok(0), "{extra}"),
            Some(_) => {
                assert_eq!(code_of(&result), "ERR_JWKS_NO_MATCHING_KEY", "{extra}");
                assert!(!keys.keys[0].usable(), "{extra}: a filtered key is also reported unusable");
            }
        }
    }
    // An oct key pinned to HS384 is not a candidate for HS256.
    let keys = oct_set(&[oct_jwk(K1, json!({"alg": "HS384"}))]);
    let selection = keys.select(Alg::HS256, None, 4);
    assert_eq!(selection.trace[0].filtered_by, Some("alg"));
    assert_eq!(code_of(&verify_at(&hs_token(r#"{"alg":"HS256"}"#, K1), &keys, &hs256(), NOW)), "ERR_JWKS_NO_MATCHING_KEY");
}

// ------------------------------------------------------------------------------------------
// Algorithm confusion
// ------------------------------------------------------------------------------------------

/// The classic attack: an HS256 token MACed with the RSA public key as the secret.
#[test]
fn hs256_token_against_rsa_key() {
    let rsa = rsa_public_jwk();
    let keys = keyset(&rsa, false);
    let secrets: [Vec<u8>; 3] = [serde_json::to_vec(&rsa).unwrap(), b64u_decode(s(&rsa, "n")), s(&rsa, "n").as_bytes().to_vec()];
    for secret in &secrets {
        let token = hs_token(r#"{"alg":"HS256"}"#, secret);
        // Default options: HS* is never accepted unless listed.
        assert_eq!(code_of(&verify_at(&token, &keys, &VerifyOptions::default(), NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");
        // Listed: no oct key in the set.
        assert_eq!(code_of(&verify_at(&token, &keys, &hs256(), NOW)), "ERR_JWKS_NO_MATCHING_KEY");
        assert_eq!(code_of(&verify_at(&token, &keys, &options_with_algorithms(&["HS256", "RS256"]), NOW)), "ERR_JWKS_NO_MATCHING_KEY");
        // Not listed.
        assert_eq!(code_of(&verify_at(&token, &keys, &options_with_algorithms(&["RS256"]), NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");
        // allowPrivate changes nothing for an RSA public key.
        assert_eq!(code_of(&verify_at(&token, &keyset(&rsa, true), &hs256(), NOW)), "ERR_JWKS_NO_MATCHING_KEY");
    }
    // The other way round: an RS256 token (RFC 7515 A.2) against an oct set.
    let file = json(RFC7515_APPENDIX_A);
    let a2 = file["tests"].as_array().unwrap().iter().find(|t| t["id"] == "RFC7515-A.2").unwrap();
    let oct = oct_set(&[oct_jwk(K1, json!({}))]);
    assert_eq!(code_of(&verify_at(s(a2, "compact"), &oct, &VerifyOptions::default(), NOW)), "ERR_JWKS_NO_MATCHING_KEY");
}

/// An EC key must not verify an EdDSA or RS256 header, even with the right bytes elsewhere.
#[test]
fn alg_must_fit_the_key() {
    let d = es256_scalar();
    let keys = keyset(&es256_public_jwk(&d, json!({})), false);
    for alg in ["RS256", "PS256", "EdDSA", "ES384", "ES512"] {
        let token = sign_es256(&format!(r#"{{"alg":"{alg}"}}"#), PAYLOAD, &d);
        assert_eq!(code_of(&verify_at(&token, &keys, &VerifyOptions::default(), NOW)), "ERR_JWKS_NO_MATCHING_KEY", "{alg}");
    }
}

// ------------------------------------------------------------------------------------------
// Malformed tokens and header rules
// ------------------------------------------------------------------------------------------

fn one_oct() -> KeySet {
    oct_set(&[oct_jwk(K1, json!({}))])
}

fn code(token: &str) -> &'static str {
    code_of(&verify_at(token, &one_oct(), &hs256(), NOW))
}

#[test]
fn malformed_compact_serialization() {
    let good = hs_token(r#"{"alg":"HS256"}"#, K1);
    assert_eq!(code(&good), "OK");
    let parts: Vec<&str> = good.split('.').collect();
    let (h, p, sig) = (parts[0], parts[1], parts[2]);
    for (name, token) in [
        ("empty", String::new()),
        ("one part", h.to_owned()),
        ("two parts", format!("{h}.{p}")),
        ("four parts", format!("{good}.")),
        ("five parts", format!("{h}.{p}.{sig}.{h}.{p}")),
        ("bad base64url in header", format!("{h}!.{p}.{sig}")),
        ("bad base64url in payload", format!("{h}.{p}*.{sig}")),
        ("bad base64url in signature", format!("{h}.{p}.{sig}$")),
        ("padding in header", format!("{}=.{p}.{sig}", b64u(br#"{"alg":"HS256"}"#))),
        ("standard base64 alphabet", format!("{h}.{p}.{}", sig.replace('-', "+").replace('_', "/"))),
        ("whitespace", format!("{h} .{p}.{sig}")),
        ("empty header", format!(".{p}.{sig}")),
        ("header not JSON", format!("{}.{p}.{sig}", b64u(b"alg=HS256"))),
        ("header a JSON array", format!("{}.{p}.{sig}", b64u(br#"["HS256"]"#))),
        ("header a JSON string", format!("{}.{p}.{sig}", b64u(br#""HS256""#))),
        ("header with trailing data", format!("{}.{p}.{sig}", b64u(br#"{"alg":"HS256"} x"#))),
    ] {
        // Skip the case where the alphabet swap changed nothing.
        if name == "standard base64 alphabet" && !sig.contains(['-', '_']) {
            continue;
        }
        assert_eq!(code(&token), "ERR_JWS_INVALID", "{name}");
    }
}

#[test]
fn duplicate_members() {
    // In the header: ERR_JWS_INVALID, even with a correct MAC.
    assert_eq!(code(&hs_token(r#"{"alg":"HS256","alg":"HS256"}"#, K1)), "ERR_JWS_INVALID");
    assert_eq!(code(&hs_token(r#"{"alg":"HS256","kid":"a","kid":"b"}"#, K1)), "ERR_JWS_INVALID");
    assert_eq!(code(&hs_token(r#"{"alg":"HS256","x":{"y":1,"y":2}}"#, K1)), "ERR_JWS_INVALID");
    // A duplicate spelled with a JSON escape is still a duplicate ("\u0061lg" is "alg").
    assert_eq!(code(&hs_token(r#"{"alg":"HS256","\u0061lg":"none"}"#, K1)), "ERR_JWS_INVALID");
    // In the payload: ERR_JWT_INVALID, after the signature.
    for payload in [&br#"{"sub":"a","sub":"b"}"#[..], br#"{"exp":1700000100,"exp":1}"#, br#"{"a":{"b":1,"b":1}}"#, br#"{"exp":1,"\u0065xp":1700000100}"#] {
        let token = sign_hmac(r#"{"alg":"HS256"}"#, payload, K1);
        assert_eq!(code(&token), "ERR_JWT_INVALID", "{}", String::from_utf8_lossy(payload));
    }
}

#[test]
fn payload_must_be_a_json_object() {
    for payload in [&b"[1,2]"[..], b"\"claims\"", b"123", b"null", b"true", b"", b"{", b"not json", b"{\"a\":1} trailing", b"\xff\xfe"] {
        let token = sign_hmac(r#"{"alg":"HS256"}"#, payload, K1);
        assert_eq!(code(&token), "ERR_JWT_INVALID", "{:?}", String::from_utf8_lossy(payload));
    }
    // ... but a bad signature is reported first.
    let token = sign_hmac(r#"{"alg":"HS256"}"#, b"[1]", K2);
    assert_eq!(code(&token), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

#[test]
fn max_token_length() {
    let filler = "x".repeat(13_000);
    let payload = format!(r#"{{"sub":"{filler}"}}"#);
    let long = sign_hmac(r#"{"alg":"HS256"}"#, payload.as_bytes(), K1);
    assert!(long.len() > 16_384, "{}", long.len());
    assert_eq!(code(&long), "ERR_JWS_INVALID");
    let roomy = options(json!({"algorithms": ["HS256"], "maxTokenLength": long.len()}));
    assert!(verify_at(&long, &one_oct(), &roomy, NOW).is_ok(), "exactly maxTokenLength characters is fine");
    let tight = options(json!({"algorithms": ["HS256"], "maxTokenLength": long.len() - 1}));
    assert_eq!(code_of(&verify_at(&long, &one_oct(), &tight, NOW)), "ERR_JWS_INVALID");
    // The length check comes before anything else, even for garbage.
    let garbage = "!".repeat(20_000);
    assert_eq!(code(&garbage), "ERR_JWS_INVALID");
}

#[test]
fn crit_header() {
    let keys = one_oct();
    let token = hs_token(r#"{"alg":"HS256","crit":["exp"],"exp":1700000100}"#, K1);
    assert_eq!(code_of(&verify_at(&token, &keys, &hs256(), NOW)), "ERR_JOSE_NOT_SUPPORTED");
    let understood = options(json!({"algorithms": ["HS256"], "crit": {"exp": true}}));
    assert!(verify_at(&token, &keys, &understood, NOW).is_ok());
    // Recognised names count whatever their value (as jose).
    let recognised_false = options(json!({"algorithms": ["HS256"], "crit": {"exp": false}}));
    assert!(verify_at(&token, &keys, &recognised_false, NOW).is_ok());
    // Listed in crit but absent from the header.
    let missing = hs_token(r#"{"alg":"HS256","crit":["exp"]}"#, K1);
    assert_eq!(code_of(&verify_at(&missing, &keys, &understood, NOW)), "ERR_JWS_INVALID");
    // Malformed crit values.
    for header in [r#"{"alg":"HS256","crit":[]}"#, r#"{"alg":"HS256","crit":"exp","exp":1}"#, r#"{"alg":"HS256","crit":[""]}"#, r#"{"alg":"HS256","crit":[1]}"#] {
        assert_eq!(code_of(&verify_at(&hs_token(header, K1), &keys, &understood, NOW)), "ERR_JWS_INVALID", "{header}");
    }
    // crit is checked before alg (jose order): an unknown extension wins over "none".
    let none = format!("{}.{}.", b64u(br#"{"alg":"none","crit":["zip2"],"zip2":1}"#), b64u(PAYLOAD));
    assert_eq!(code_of(&verify_at(&none, &keys, &hs256(), NOW)), "ERR_JOSE_NOT_SUPPORTED");
}

#[test]
fn alg_header_rules() {
    let keys = one_oct();
    let unsecured = format!("{}.{}.", b64u(br#"{"alg":"none"}"#), b64u(PAYLOAD));
    assert_eq!(code_of(&verify_at(&unsecured, &keys, &VerifyOptions::default(), NOW)), "ERR_JOSE_NOT_SUPPORTED");
    assert_eq!(code_of(&verify_at(&unsecured, &keys, &hs256(), NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");
    assert_eq!(code_of(&verify_at(&unsecured, &keys, &options_with_algorithms(&["none"]), NOW)), "ERR_JOSE_NOT_SUPPORTED");
    // With a (meaningless) signature too.
    let unsecured_sig = format!("{}.{}.{}", b64u(br#"{"alg":"none"}"#), b64u(PAYLOAD), b64u(&[0; 32]));
    assert_eq!(code_of(&verify_at(&unsecured_sig, &keys, &VerifyOptions::default(), NOW)), "ERR_JOSE_NOT_SUPPORTED");

    // HS256 only when listed.
    let token = hs_token(r#"{"alg":"HS256"}"#, K1);
    assert_eq!(code_of(&verify_at(&token, &keys, &VerifyOptions::default(), NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");
    assert_eq!(code_of(&verify_at(&token, &keys, &options_with_algorithms(&["HS384"]), NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");
    assert_eq!(code_of(&verify_at(&token, &keys, &options_with_algorithms(&["HS256"]), NOW)), "OK");
    // An empty allow-list allows nothing.
    assert_eq!(code_of(&verify_at(&token, &keys, &options_with_algorithms(&[]), NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");

    // alg missing / not a string / empty: ERR_JWS_INVALID.
    for header in [r#"{"typ":"JWT"}"#, r#"{"alg":256}"#, r#"{"alg":""}"#, r#"{"alg":null}"#] {
        assert_eq!(code_of(&verify_at(&hs_token(header, K1), &keys, &hs256(), NOW)), "ERR_JWS_INVALID", "{header}");
    }
    // Unknown or unsupported algorithms.
    for alg in ["ES256K", "Ed448", "HS1", "RSA-OAEP", "hs256"] {
        let token = hs_token(&format!(r#"{{"alg":"{alg}"}}"#), K1);
        assert_eq!(code_of(&verify_at(&token, &keys, &VerifyOptions::default(), NOW)), "ERR_JOSE_NOT_SUPPORTED", "{alg}");
    }
    // A non-string kid matches no key (as in jose, whose kid comparison is strict equality).
    let keys_with_kid = oct_set(&[oct_jwk(K1, json!({"kid": "7"}))]);
    for header in [r#"{"alg":"HS256","kid":7}"#, r#"{"alg":"HS256","kid":null}"#, r#"{"alg":"HS256","kid":["7"]}"#] {
        let err = verify_at(&hs_token(header, K1), &keys_with_kid, &hs256(), NOW).unwrap_err();
        assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY", "{header}");
        assert!(err.message.contains("\"7\""), "lists the kids: {}", err.message);
    }
}

// ------------------------------------------------------------------------------------------
// Unsupported curves: ES256K (secp256k1) and Ed448
// ------------------------------------------------------------------------------------------

#[test]
fn secp256k1_and_ed448_keys_are_unsupported() {
    // The secp256k1 generator point, and the RFC 8032 §7.4 Ed448 test key 1 (public).
    let secp256k1 = json!({
        "kty": "EC", "crv": "secp256k1", "kid": "k1",
        "x": b64u(&hex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")),
        "y": b64u(&hex("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")),
    });
    let ed448 = json!({
        "kty": "OKP", "crv": "Ed448", "kid": "ed448",
        "x": b64u(&hex("5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180")),
    });
    let es256k_alg = json!({ "kty": "EC", "crv": "secp256k1", "alg": "ES256K", "kid": "k1-alg", "x": secp256k1["x"], "y": secp256k1["y"] });
    let keys = keyset(&json!({ "keys": [secp256k1, ed448, es256k_alg] }), false);
    for (index, key) in keys.keys.iter().enumerate() {
        assert!(!key.usable(), "key {index}");
        assert!(!key.thumbprint().is_empty(), "key {index}: thumbprint still computed");
        assert!(
            keys.diagnostics.iter().any(|d| d.index == Some(index) && matches!(d.code.as_str(), "unsupported_kty" | "unsupported_alg")),
            "key {index}: {:?}",
            keys.diagnostics
        );
    }
    assert_eq!(keys.keys[0].unusable_because.as_deref(), Some("unsupported_kty"));
    assert_eq!(keys.keys[1].unusable_because.as_deref(), Some("unsupported_kty"));

    // Tokens for those algorithms: not supported, before any key is looked at.
    for (alg, kid) in [("ES256K", "k1"), ("EdDSA", "ed448")] {
        let header = format!(r#"{{"alg":"{alg}","kid":"{kid}"}}"#);
        let token = format!("{}.{}.{}", b64u(header.as_bytes()), b64u(PAYLOAD), b64u(&[1; 64]));
        let result = verify_at(&token, &keys, &VerifyOptions::default(), NOW);
        let expected = if alg == "EdDSA" { "ERR_JWKS_NO_MATCHING_KEY" } else { "ERR_JOSE_NOT_SUPPORTED" };
        assert_eq!(code_of(&result), expected, "{alg}");
    }
    // EdDSA selection filters the Ed448 key by curve.
    let selection = keys.select(Alg::EdDSA, Some("ed448"), 4);
    assert_eq!(selection.trace[1].filtered_by, Some("crv"));
}
