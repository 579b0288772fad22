//! parseJwks lints: a table of broken sets, each with the exact diagnostics expected
//! (code, severity, index, kid) and which keys stay usable; plus the x5c fixtures, the
//! selection trace, and set-level rules. RFC/Wycheproof vectors are tested elsewhere.

use jwks_verify::alg::Alg;
use jwks_verify::diagnostics::Severity::{self, Error, Info, Warning};
use jwks_verify::jwks::DEFAULT_MAX_CANDIDATES;
use jwks_verify::{KeySet, ParseOptions};
use serde_json::{json, Value};

// ---------------------------------------------------------------------------------------------
// Keys to break
// ---------------------------------------------------------------------------------------------

/// RFC 7517 A.1 RSA key (2048 bits).
const RSA_N: &str = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
const RSA_THUMBPRINT: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
/// RFC 7517 A.1 / A.2 EC P-256 key.
const P256_X: &str = "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4";
const P256_Y: &str = "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM";
const P256_D: &str = "870MB6gfuTJ4HtUnUvYMyJpr5eUZNP4Bk43bVdj3eAE";
/// RFC 8037 A.1 Ed25519 public key.
const ED25519_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

const FIXTURE_RSA: &str = include_str!("fixtures/x5c/rsa2048.jwk.json");
const FIXTURE_RSA_WRONG_CERT: &str = include_str!("fixtures/x5c/rsa2048-wrong-cert.jwk.json");
const FIXTURE_P256: &str = include_str!("fixtures/x5c/p256.jwk.json");
const FIXTURE_P256_RSA_CERT: &str = include_str!("fixtures/x5c/p256-rsa-cert.jwk.json");
const FIXTURE_P384_COMPRESSED: &str = include_str!("fixtures/x5c/p384-compressed.jwk.json");
const FIXTURE_ED25519: &str = include_str!("fixtures/x5c/ed25519.jwk.json");

fn fixture(text: &str) -> Value {
    serde_json::from_str(text).expect("fixture is JSON")
}

fn rsa(kid: &str) -> Value {
    json!({ "kty": "RSA", "kid": kid, "alg": "RS256", "n": RSA_N, "e": "AQAB" })
}

fn p256(kid: &str) -> Value {
    json!({ "kty": "EC", "kid": kid, "crv": "P-256", "x": P256_X, "y": P256_Y })
}

fn p384(kid: &str) -> Value {
    let key = fixture(FIXTURE_P384_COMPRESSED);
    json!({ "kty": "EC", "kid": kid, "crv": "P-384", "x": key["x"], "y": key["y"] })
}

fn ed25519(kid: &str) -> Value {
    json!({ "kty": "OKP", "kid": kid, "crv": "Ed25519", "x": ED25519_X })
}

fn oct(kid: &str) -> Value {
    json!({ "kty": "oct", "kid": kid, "alg": "HS256", "k": "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow" })
}

/// `key` with members set (`Value::Null` removes the member).
fn with(mut key: Value, members: &[(&str, Value)]) -> Value {
    let object = key.as_object_mut().expect("a key object");
    for (name, value) in members {
        if value.is_null() {
            object.remove(*name);
        } else {
            object.insert((*name).to_owned(), value.clone());
        }
    }
    key
}

fn set(keys: Vec<Value>) -> Value {
    json!({ "keys": keys })
}

/// base64url of a fake RSA modulus of exactly `bits` bits (odd, top bit set).
fn fake_modulus(bits: usize) -> String {
    let mut bytes = vec![0x5a_u8; bits / 8];
    bytes[0] = 0xc3;
    *bytes.last_mut().unwrap() |= 1;
    jwks_verify::encoding::b64url_encode(&bytes)
}

/// Flips one character of a base64url string, keeping it valid base64url.
fn tamper(text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    chars[4] = if chars[4] == 'A' { 'B' } else { 'A' };
    chars.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const PUBLIC: ParseOptions = ParseOptions { allow_private: false, allow_weak_keys: false };
const ALLOW_PRIVATE: ParseOptions = ParseOptions { allow_private: true, allow_weak_keys: false };
const ALLOW_WEAK: ParseOptions = ParseOptions { allow_private: false, allow_weak_keys: true };

type Expected = (&'static str, Severity, usize, Option<&'static str>);

struct Case {
    name: &'static str,
    input: Value,
    options: ParseOptions,
    diagnostics: Vec<Expected>,
    usable: Vec<bool>,
}

fn case(name: &'static str, input: Value, options: ParseOptions, diagnostics: Vec<Expected>, usable: Vec<bool>) -> Case {
    Case { name, input, options, diagnostics, usable }
}

fn cases() -> Vec<Case> {
    let x5c_rsa = fixture(FIXTURE_RSA);
    vec![
        // --- healthy sets: nothing to say ---
        case("healthy RSA + EC + Ed25519", set(vec![rsa("r"), p256("e"), ed25519("o")]), PUBLIC, vec![], vec![true, true, true]),
        case("8192-bit RSA is the largest accepted", set(vec![with(rsa("big"), &[("n", fake_modulus(8192).into())])]), PUBLIC, vec![], vec![true]),
        case("single JWK without kid is not linted for kid", with(rsa("x"), &[("kid", Value::Null)]), PUBLIC, vec![], vec![true]),
        case("key_ops with verify is fine", set(vec![with(p256("e"), &[("key_ops", json!(["verify"]))])]), PUBLIC, vec![], vec![true]),
        // --- kid ---
        case("missing kid", set(vec![with(rsa("x"), &[("kid", Value::Null)])]), PUBLIC, vec![("missing_kid", Warning, 0, None)], vec![true]),
        case(
            "duplicate kid, different keys of one type",
            set(vec![rsa("a"), with(fixture(FIXTURE_RSA), &[("kid", "a".into())])]),
            PUBLIC,
            vec![("duplicate_kid", Warning, 1, Some("a"))],
            vec![true, true],
        ),
        case("duplicate kid, the same key twice", set(vec![rsa("a"), p256("b"), rsa("a")]), PUBLIC, vec![("duplicate_kid", Warning, 2, Some("a"))], vec![true, true, true]),
        case("duplicate kid across key types (RFC 7517 §4.5)", set(vec![rsa("a"), p256("a")]), PUBLIC, vec![("duplicate_kid", Info, 1, Some("a"))], vec![true, true]),
        // --- purpose ---
        case("use enc", set(vec![with(p256("e"), &[("use", "enc".into())])]), PUBLIC, vec![("use_not_sig", Error, 0, Some("e"))], vec![false]),
        case("key_ops without verify", set(vec![with(p256("e"), &[("key_ops", json!(["encrypt", "wrapKey"]))])]), PUBLIC, vec![("use_not_sig", Error, 0, Some("e"))], vec![false]),
        case("key_ops sign only", set(vec![with(p256("e"), &[("key_ops", json!(["sign"]))])]), PUBLIC, vec![("use_not_sig", Error, 0, Some("e"))], vec![false]),
        case("key_ops repeating verify", set(vec![with(p256("e"), &[("key_ops", json!(["verify", "verify"]))])]), PUBLIC, vec![("invalid_key", Error, 0, Some("e"))], vec![false]),
        case("key_ops repeating sign", set(vec![with(p256("e"), &[("key_ops", json!(["verify", "sign", "sign"]))])]), PUBLIC, vec![("invalid_key", Error, 0, Some("e"))], vec![false]),
        case("ext not a boolean", set(vec![with(p256("e"), &[("ext", json!("x"))])]), PUBLIC, vec![("invalid_key", Error, 0, Some("e"))], vec![false]),
        case("ext a number", set(vec![with(p256("e"), &[("ext", json!(1))])]), PUBLIC, vec![("invalid_key", Error, 0, Some("e"))], vec![false]),
        case("ext true is fine", set(vec![with(p256("e"), &[("ext", json!(true))])]), PUBLIC, vec![], vec![true]),
        case("ext false is fine", set(vec![with(p256("e"), &[("ext", json!(false))])]), PUBLIC, vec![], vec![true]),
        case("key_ops mixing verify and encrypt", set(vec![with(p256("e"), &[("key_ops", json!(["verify", "encrypt"]))])]), PUBLIC, vec![("use_not_sig", Warning, 0, Some("e"))], vec![true]),
        // --- private members ---
        case("RSA with d", set(vec![with(rsa("r"), &[("d", "AQAB".into())])]), PUBLIC, vec![("private_key_material", Error, 0, Some("r"))], vec![false]),
        case("RSA with d, allowPrivate", set(vec![with(rsa("r"), &[("d", "AQAB".into())])]), ALLOW_PRIVATE, vec![("private_key_material", Warning, 0, Some("r"))], vec![true]),
        case("EC with d", set(vec![with(p256("e"), &[("d", P256_D.into())])]), PUBLIC, vec![("private_key_material", Error, 0, Some("e"))], vec![false]),
        case("EC with d, allowPrivate", set(vec![with(p256("e"), &[("d", P256_D.into())])]), ALLOW_PRIVATE, vec![("private_key_material", Warning, 0, Some("e"))], vec![true]),
        case("oct k", set(vec![oct("h")]), PUBLIC, vec![("private_key_material", Error, 0, Some("h"))], vec![false]),
        case("oct k, allowPrivate", set(vec![oct("h")]), ALLOW_PRIVATE, vec![("private_key_material", Warning, 0, Some("h"))], vec![true]),
        case(
            "oct without alg, allowPrivate",
            set(vec![with(oct("h"), &[("alg", Value::Null)])]),
            ALLOW_PRIVATE,
            vec![("private_key_material", Warning, 0, Some("h")), ("missing_alg", Info, 0, Some("h"))],
            vec![true],
        ),
        // --- RSA size and exponent ---
        case("1024-bit RSA", set(vec![with(rsa("w"), &[("n", fake_modulus(1024).into())])]), PUBLIC, vec![("weak_rsa_key", Error, 0, Some("w"))], vec![false]),
        case("1024-bit RSA, allowWeakKeys", set(vec![with(rsa("w"), &[("n", fake_modulus(1024).into())])]), ALLOW_WEAK, vec![("weak_rsa_key", Warning, 0, Some("w"))], vec![true]),
        case("16384-bit RSA", set(vec![with(rsa("h"), &[("n", fake_modulus(16384).into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("h"))], vec![false]),
        case("16384-bit RSA, allowWeakKeys does not help", set(vec![with(rsa("h"), &[("n", fake_modulus(16384).into())])]), ALLOW_WEAK, vec![("invalid_key", Error, 0, Some("h"))], vec![false]),
        case("even exponent 65536", set(vec![with(rsa("r"), &[("e", "AQAA".into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("r"))], vec![false]),
        case("exponent 1", set(vec![with(rsa("r"), &[("e", "AQ".into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("r"))], vec![false]),
        case("33-bit exponent", set(vec![with(rsa("r"), &[("e", "AQAAAAE".into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("r"))], vec![false]),
        case("even modulus", set(vec![with(rsa("r"), &[("n", jwks_verify::encoding::b64url_encode(&[0xc0; 256]).into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("r"))], vec![false]),
        case("RSA without e", set(vec![with(rsa("r"), &[("e", Value::Null)])]), PUBLIC, vec![("invalid_key", Error, 0, Some("r"))], vec![false]),
        // --- EC / OKP material ---
        case("EC point not on the curve", set(vec![with(p256("e"), &[("y", tamper(P256_Y).into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("e"))], vec![false]),
        case("EC coordinate of 31 bytes", set(vec![with(p256("e"), &[("x", jwks_verify::encoding::b64url_encode(&[7; 31]).into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("e"))], vec![false]),
        case("Ed25519 x of 31 bytes", set(vec![with(ed25519("o"), &[("x", jwks_verify::encoding::b64url_encode(&[7; 31]).into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("o"))], vec![false]),
        // --- strict base64url ---
        case("base64 padding", set(vec![with(p256("e"), &[("x", format!("{P256_X}=").into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("e"))], vec![false]),
        case("base64 + and /", set(vec![with(rsa("r"), &[("n", RSA_N.replace('-', "+").replace('_', "/").into())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("r"))], vec![false]),
        case("n is a number", set(vec![with(rsa("r"), &[("n", json!(12345))])]), PUBLIC, vec![("invalid_key", Error, 0, Some("r"))], vec![false]),
        // --- unsupported key types and curves ---
        case("kty foo", set(vec![json!({ "kty": "foo", "kid": "f" })]), PUBLIC, vec![("unsupported_kty", Error, 0, Some("f"))], vec![false]),
        case("kty foo with an alg does not add alg_key_mismatch", set(vec![json!({ "kty": "foo", "kid": "f", "alg": "RS256" })]), PUBLIC, vec![("unsupported_kty", Error, 0, Some("f"))], vec![false]),
        case("no kty", set(vec![json!({ "kid": "n", "n": RSA_N, "e": "AQAB" })]), PUBLIC, vec![("invalid_key", Error, 0, Some("n"))], vec![false]),
        case("EC secp256k1", set(vec![with(p256("k"), &[("crv", "secp256k1".into())])]), PUBLIC, vec![("unsupported_kty", Error, 0, Some("k"))], vec![false]),
        case("EC secp256k1 with ES256K", set(vec![with(p256("k"), &[("crv", "secp256k1".into()), ("alg", "ES256K".into())])]), PUBLIC, vec![("unsupported_kty", Error, 0, Some("k")), ("unsupported_alg", Error, 0, Some("k"))], vec![false]),
        case("OKP Ed448", set(vec![with(ed25519("o"), &[("crv", "Ed448".into())])]), PUBLIC, vec![("unsupported_kty", Error, 0, Some("o"))], vec![false]),
        case("OKP X25519", set(vec![with(ed25519("o"), &[("crv", "X25519".into())])]), PUBLIC, vec![("unsupported_kty", Error, 0, Some("o"))], vec![false]),
        // --- alg ---
        case("alg ES521", set(vec![with(p256("e"), &[("alg", "ES521".into())])]), PUBLIC, vec![("unsupported_alg", Error, 0, Some("e"))], vec![false]),
        case("alg RSA-OAEP", set(vec![with(rsa("r"), &[("alg", "RSA-OAEP".into())])]), PUBLIC, vec![("unsupported_alg", Error, 0, Some("r"))], vec![false]),
        case("alg none", set(vec![with(rsa("r"), &[("alg", "none".into())])]), PUBLIC, vec![("unsupported_alg", Error, 0, Some("r"))], vec![false]),
        case("ES256 on a P-384 key", set(vec![with(p384("e"), &[("alg", "ES256".into())])]), PUBLIC, vec![("alg_key_mismatch", Error, 0, Some("e"))], vec![false]),
        case("RS256 on an EC key", set(vec![with(p256("e"), &[("alg", "RS256".into())])]), PUBLIC, vec![("alg_key_mismatch", Error, 0, Some("e"))], vec![false]),
        case("HS256 on an RSA key", set(vec![with(rsa("r"), &[("alg", "HS256".into())])]), PUBLIC, vec![("alg_key_mismatch", Error, 0, Some("r"))], vec![false]),
        case("RSA without alg", set(vec![with(rsa("r"), &[("alg", Value::Null)])]), PUBLIC, vec![("missing_alg", Info, 0, Some("r"))], vec![true]),
        // --- x5c / x5t ---
        case(
            "x5c fixtures that match",
            set(vec![fixture(FIXTURE_RSA), fixture(FIXTURE_P256), fixture(FIXTURE_P384_COMPRESSED), fixture(FIXTURE_ED25519)]),
            PUBLIC,
            vec![],
            vec![true, true, true, true],
        ),
        case("x5c of another RSA key", set(vec![fixture(FIXTURE_RSA_WRONG_CERT)]), PUBLIC, vec![("x5c_mismatch", Error, 0, Some("rsa-wrong-cert"))], vec![false]),
        case("x5c with an RSA certificate on an EC key", set(vec![fixture(FIXTURE_P256_RSA_CERT)]), PUBLIC, vec![("x5c_mismatch", Error, 0, Some("p256-rsa-cert"))], vec![false]),
        case(
            "x5t of another certificate",
            set(vec![with(x5c_rsa.clone(), &[("x5t", tamper(x5c_rsa["x5t"].as_str().unwrap()).into())])]),
            PUBLIC,
            vec![("x5t_mismatch", Error, 0, Some("rsa-x5c"))],
            vec![false],
        ),
        case(
            "x5t#S256 of another certificate",
            set(vec![with(x5c_rsa.clone(), &[("x5t#S256", tamper(x5c_rsa["x5t#S256"].as_str().unwrap()).into())])]),
            PUBLIC,
            vec![("x5t_mismatch", Error, 0, Some("rsa-x5c"))],
            vec![false],
        ),
        case(
            "x5t#S256 holding a SHA-1",
            set(vec![with(x5c_rsa.clone(), &[("x5t#S256", x5c_rsa["x5t"].clone())])]),
            PUBLIC,
            vec![("invalid_key", Error, 0, Some("rsa-x5c"))],
            vec![false],
        ),
        case(
            "x5c in base64url",
            set(vec![with(x5c_rsa.clone(), &[("x5c", json!([x5c_rsa["x5c"][0].as_str().unwrap().replace('+', "-").replace('/', "_")]))])]),
            PUBLIC,
            vec![("invalid_key", Error, 0, Some("rsa-x5c"))],
            vec![false],
        ),
        case("x5c not an array", set(vec![with(x5c_rsa.clone(), &[("x5c", x5c_rsa["x5c"][0].clone())])]), PUBLIC, vec![("invalid_key", Error, 0, Some("rsa-x5c"))], vec![false]),
        case("x5c empty", set(vec![with(x5c_rsa.clone(), &[("x5c", json!([]))])]), PUBLIC, vec![("invalid_key", Error, 0, Some("rsa-x5c"))], vec![false]),
        case(
            "x5c not a certificate",
            set(vec![with(x5c_rsa.clone(), &[("x5c", json!(["MAMCAQE="])), ("x5t", Value::Null), ("x5t#S256", Value::Null)])]),
            PUBLIC,
            vec![("x5c_mismatch", Error, 0, Some("rsa-x5c"))],
            vec![false],
        ),
        case("x5t without x5c is only checked for form", set(vec![with(x5c_rsa.clone(), &[("x5c", Value::Null)])]), PUBLIC, vec![], vec![true]),
        // --- several findings in one set, in set order, set lints last ---
        case(
            "a botched rotation",
            set(vec![rsa("2024"), with(rsa("2024"), &[("n", fake_modulus(1024).into())]), with(p256("enc"), &[("use", "enc".into())]), with(ed25519("x"), &[("kid", Value::Null)])]),
            PUBLIC,
            vec![
                ("weak_rsa_key", Error, 1, Some("2024")),
                ("use_not_sig", Error, 2, Some("enc")),
                ("duplicate_kid", Warning, 1, Some("2024")),
                ("missing_kid", Warning, 3, None),
            ],
            vec![true, false, false, true],
        ),
    ]
}

#[test]
fn every_broken_set_reports_exactly_its_diagnostics() {
    let mut failures = Vec::new();
    for case in cases() {
        let parsed = KeySet::parse_value(&case.input, case.options).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let actual: Vec<(String, Severity, Option<usize>, Option<String>)> =
            parsed.diagnostics.iter().map(|d| (d.code.clone(), d.severity, d.index, d.kid.clone())).collect();
        let expected: Vec<(String, Severity, Option<usize>, Option<String>)> =
            case.diagnostics.iter().map(|(code, severity, index, kid)| ((*code).to_owned(), *severity, Some(*index), kid.map(str::to_owned))).collect();
        let usable: Vec<bool> = parsed.keys.iter().map(|k| k.usable()).collect();
        if actual != expected || usable != case.usable {
            failures.push(format!(
                "{}:\n  expected {expected:?} usable {:?}\n  actual   {actual:?} usable {usable:?}\n  messages {:#?}",
                case.name,
                case.usable,
                parsed.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>()
            ));
        }
        for diagnostic in &parsed.diagnostics {
            assert!(diagnostic.message.starts_with(&format!("key {}", diagnostic.index.unwrap())), "{}: message names the key: {}", case.name, diagnostic.message);
        }
    }
    assert!(failures.is_empty(), "{} case(s) differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn unusable_keys_say_which_diagnostic_blocked_them() {
    for case in cases() {
        let parsed = KeySet::parse_value(&case.input, case.options).unwrap();
        for key in &parsed.keys {
            match &key.unusable_because {
                None => assert!(key.usable(), "{}", case.name),
                Some(code) => {
                    assert!(!key.usable(), "{}", case.name);
                    assert!(
                        parsed.diagnostics.iter().any(|d| d.index == Some(key.index) && &d.code == code && d.severity == Error),
                        "{}: key {} blocked by {code} without an error diagnostic",
                        case.name,
                        key.index
                    );
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Messages a person can act on
// ---------------------------------------------------------------------------------------------

fn messages(input: Value, options: ParseOptions) -> Vec<String> {
    KeySet::parse_value(&input, options).unwrap().diagnostics.into_iter().map(|d| d.message).collect()
}

fn assert_mentions(messages: &[String], needles: &[&str]) {
    let all = messages.join("\n");
    for needle in needles {
        assert!(all.contains(needle), "expected {needle:?} in:\n{all}");
    }
}

#[test]
fn missing_kid_suggests_the_thumbprint() {
    let found = messages(set(vec![rsa("a"), with(rsa("b"), &[("kid", Value::Null)])]), PUBLIC);
    assert_eq!(found, vec![format!("key 1 has no kid; tokens carrying a kid will never select it, and tokens without one try it with every other kid-less key; add kid = \"{RSA_THUMBPRINT}\" (its RFC 7638 thumbprint)")]);
}

#[test]
fn messages_explain_the_problem_and_the_fix() {
    assert_mentions(&messages(set(vec![with(p256("e"), &[("x", format!("{P256_X}=").into())])]), PUBLIC), &["key 0 (kid \"e\")", "\"x\"", "'=' padding"]);
    assert_mentions(&messages(set(vec![with(rsa("r"), &[("n", RSA_N.replace('_', "/").into())])]), PUBLIC), &["'+' or '/'"]);
    assert_mentions(&messages(set(vec![with(rsa("w"), &[("n", fake_modulus(1024).into())])]), PUBLIC), &["1024-bit", "at least 2048", "allowWeakKeys"]);
    assert_mentions(&messages(set(vec![with(rsa("h"), &[("n", fake_modulus(16384).into())])]), PUBLIC), &["16384-bit", "8192"]);
    assert_mentions(&messages(set(vec![with(rsa("r"), &[("e", "AQAA".into())])]), PUBLIC), &["exponent", "even"]);
    assert_mentions(&messages(set(vec![with(p256("e"), &[("y", tamper(P256_Y).into())])]), PUBLIC), &["not on curve P-256"]);
    assert_mentions(&messages(set(vec![with(p256("e"), &[("use", "enc".into())])]), PUBLIC), &["use \"enc\"", "never selects it"]);
    assert_mentions(&messages(set(vec![with(rsa("r"), &[("d", "AQAB".into()), ("p", "AQAB".into())])]), PUBLIC), &["private key members (d, p)", "allowPrivate"]);
    assert_mentions(&messages(set(vec![oct("h")]), PUBLIC), &["shared secret", "allowPrivate"]);
    assert_mentions(&messages(set(vec![with(p256("e"), &[("alg", "ES521".into())])]), PUBLIC), &["ES512"]);
    assert_mentions(&messages(set(vec![with(rsa("r"), &[("alg", "RSA-OAEP".into())])]), PUBLIC), &["JWE (encryption) algorithm"]);
    assert_mentions(&messages(set(vec![with(p384("e"), &[("alg", "ES256".into())])]), PUBLIC), &["is a EC P-384 key", "needs a EC P-256 key"]);
    assert_mentions(&messages(set(vec![with(ed25519("o"), &[("crv", "X25519".into())])]), PUBLIC), &["key-agreement"]);
    assert_mentions(&messages(set(vec![rsa("a"), rsa("a")]), PUBLIC), &["repeats key 0", "remove the copy"]);
    assert_mentions(&messages(set(vec![fixture(FIXTURE_RSA_WRONG_CERT)]), PUBLIC), &["x5c[0] certificate", "different modulus n"]);
    assert_mentions(&messages(set(vec![fixture(FIXTURE_P256_RSA_CERT)]), PUBLIC), &["holds an RSA key (2048 bits), not this JWK's EC P-256 key"]);
    let x5c_rsa = fixture(FIXTURE_RSA);
    let wrong_x5t = with(x5c_rsa.clone(), &[("x5t", tamper(x5c_rsa["x5t"].as_str().unwrap()).into())]);
    assert_mentions(&messages(set(vec![wrong_x5t]), PUBLIC), &["SHA-1 thumbprint", x5c_rsa["x5t"].as_str().unwrap()]);
}

// ---------------------------------------------------------------------------------------------
// KeyInfo facts
// ---------------------------------------------------------------------------------------------

#[test]
fn key_info_reports_bits_and_thumbprint() {
    let parsed = KeySet::parse_value(&set(vec![rsa("r"), p256("e"), oct("h")]), ALLOW_PRIVATE).unwrap();
    let infos: Vec<Value> = parsed.keys.iter().map(|k| serde_json::to_value(k.info()).unwrap()).collect();
    assert_eq!(infos[0], json!({ "index": 0, "kid": "r", "kty": "RSA", "alg": "RS256", "bits": 2048, "thumbprint": RSA_THUMBPRINT, "usable": true }));
    assert_eq!(infos[1]["crv"], "P-256");
    assert!(infos[1].get("bits").is_none());
    assert_eq!(infos[2]["bits"], 512);
}

#[test]
fn x5c_fixture_thumbprint_is_the_certificates_key_thumbprint() {
    // The JWK thumbprint depends only on the public key, not on x5c.
    let bare = with(fixture(FIXTURE_P256), &[("x5c", Value::Null), ("x5t", Value::Null), ("x5t#S256", Value::Null)]);
    let with_x5c = KeySet::parse_value(&fixture(FIXTURE_P256), PUBLIC).unwrap();
    let without = KeySet::parse_value(&bare, PUBLIC).unwrap();
    assert_eq!(with_x5c.keys[0].thumbprint(), without.keys[0].thumbprint());
}

// ---------------------------------------------------------------------------------------------
// Inputs that are not a set at all
// ---------------------------------------------------------------------------------------------

#[test]
fn non_sets_are_refused_with_jwks_invalid() {
    for text in ["[]", "42", "\"keys\"", "null", "{\"keys\":\"x\"}", "{\"keys\":{}}", "{}", "{\"keys\":[", "{\"keys\":[],\"keys\":[]}"] {
        let err = KeySet::parse_str(text, PUBLIC).err().unwrap_or_else(|| panic!("{text} parsed"));
        assert_eq!(err.code(), "ERR_JWKS_INVALID", "{text}");
    }
    // An empty set is a set: no keys, nothing to say.
    let empty = KeySet::parse_str("{\"keys\":[]}", PUBLIC).unwrap();
    assert!(empty.keys.is_empty() && empty.diagnostics.is_empty());
}

#[test]
fn members_that_are_not_keys_are_invalid_keys_not_a_failure() {
    let parsed = KeySet::parse_value(&json!({ "keys": [42, "x", null, rsa("ok")] }), PUBLIC).unwrap();
    let codes: Vec<(&str, Option<usize>)> = parsed.diagnostics.iter().map(|d| (d.code.as_str(), d.index)).collect();
    assert_eq!(codes, vec![("invalid_key", Some(0)), ("invalid_key", Some(1)), ("invalid_key", Some(2))]);
    assert!(parsed.keys[3].usable());
}

// ---------------------------------------------------------------------------------------------
// Large sets
// ---------------------------------------------------------------------------------------------

/// 1,000 distinct 2048-bit RSA public keys (fake moduli: parsing does not factor them).
fn thousand_keys() -> Value {
    let keys = (0..1000u32)
        .map(|i| {
            let mut n = vec![0xc3_u8; 256];
            n[1..5].copy_from_slice(&i.to_be_bytes());
            n[255] |= 1;
            with(rsa(&format!("k{i}")), &[("n", jwks_verify::encoding::b64url_encode(&n).into())])
        })
        .collect();
    set(keys)
}

#[test]
fn a_thousand_key_set_parses_and_reports_one_duplicate() {
    let mut input = thousand_keys();
    input["keys"][999]["kid"] = json!("k500");
    let parsed = KeySet::parse_value(&input, PUBLIC).unwrap();
    assert_eq!(parsed.keys.len(), 1000);
    assert!(parsed.keys.iter().all(|k| k.usable()));
    let dups: Vec<_> = parsed.diagnostics.iter().filter(|d| d.code == "duplicate_kid").collect();
    assert_eq!(dups.len(), 1);
    assert_eq!((dups[0].index, dups[0].kid.as_deref()), (Some(999), Some("k500")));
    assert!(dups[0].message.contains("of key 500"), "{}", dups[0].message);
}

// ---------------------------------------------------------------------------------------------
// Selection trace
// ---------------------------------------------------------------------------------------------

#[test]
fn selection_trace_says_why_each_key_was_filtered() {
    let input = set(vec![
        p256("a"),                                  // 0: kty
        with(rsa("a"), &[("use", "enc".into())]),   // 1: use
        with(rsa("a"), &[("alg", "PS256".into())]), // 2: alg
        with(rsa("a"), &[("key_ops", json!(["sign"]))]), // 3: key_ops
        rsa("b"),                                   // 4: kid
        with(rsa("a"), &[("n", fake_modulus(1024).into())]), // 5: unusable
        rsa("a"),                                   // 6: candidate
    ]);
    let parsed = KeySet::parse_value(&input, PUBLIC).unwrap();
    let selection = parsed.select(Alg::RS256, Some("a"), DEFAULT_MAX_CANDIDATES);
    assert_eq!(selection.candidates, vec![6]);
    let filters: Vec<Option<&str>> = selection.trace.iter().map(|v| v.filtered_by).collect();
    assert_eq!(filters, vec![Some("kty"), Some("use"), Some("alg"), Some("key_ops"), Some("kid"), Some("unusable"), None]);

    let explained = parsed.explain(Alg::RS256, Some("a"), DEFAULT_MAX_CANDIDATES);
    assert_eq!(explained.candidates, selection.candidates);
    let details: Vec<Option<&str>> = explained.trace.iter().map(|v| v.detail.as_deref()).collect();
    assert_eq!(
        details,
        vec![
            Some("kty EC does not fit RS256 (needs RSA)"),
            Some("use is \"enc\", not \"sig\""),
            Some("key alg PS256 differs from token alg RS256"),
            Some("key_ops lacks \"verify\""),
            Some("kid \"b\", token wants \"a\""),
            Some("unusable (weak_rsa_key; see diagnostics)"),
            None,
        ]
    );
    assert_eq!(serde_json::to_value(&explained.trace[4]).unwrap(), json!({ "index": 4, "kid": "b", "filteredBy": "kid", "detail": "kid \"b\", token wants \"a\"" }));
    assert_eq!(serde_json::to_value(&explained.trace[6]).unwrap(), json!({ "index": 6, "kid": "a" }));
}

#[test]
fn selection_beyond_max_candidates_is_traced() {
    let input = set((0..6).map(|i| with(rsa("same"), &[("x-i", json!(i))])).collect());
    let parsed = KeySet::parse_value(&input, PUBLIC).unwrap();
    let selection = parsed.select(Alg::RS256, Some("same"), 2);
    assert_eq!(selection.candidates, vec![0, 1]);
    assert_eq!(selection.trace[2].filtered_by, Some("max_candidates"));
    assert_eq!(selection.trace.len(), 6);
    let explained = parsed.explain(Alg::RS256, Some("same"), 2);
    assert_eq!(explained.trace[5].detail.as_deref(), Some("fits, but maxCandidates (2) keys before it are tried first"));
}

#[test]
fn use_enc_key_is_never_a_candidate() {
    let input = set(vec![with(oct("enc"), &[("use", "enc".into())])]);
    let parsed = KeySet::parse_value(&input, ALLOW_PRIVATE).unwrap();
    let selection = parsed.select(Alg::HS256, Some("enc"), DEFAULT_MAX_CANDIDATES);
    assert!(selection.candidates.is_empty());
    assert_eq!(selection.trace[0].filtered_by, Some("use"));
    let err = parsed.no_match_error(Alg::HS256, Some("enc"), &selection);
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert!(err.message.contains("kids [\"enc\"]") && err.message.contains("use is \"enc\""), "{}", err.message);
}

#[test]
fn no_match_error_stays_short_in_a_large_set() {
    let parsed = KeySet::parse_value(&thousand_keys(), PUBLIC).unwrap();
    let selection = parsed.select(Alg::RS256, Some("nope"), DEFAULT_MAX_CANDIDATES);
    let err = parsed.no_match_error(Alg::RS256, Some("nope"), &selection);
    assert!(err.message.starts_with("no key in the JWKS matches kid \"nope\" and alg RS256; the set has kids [\"k0\", \"k1\","), "{}", err.message);
    assert!(err.message.ends_with("\"k19\", and 980 more]"), "{}", err.message);

    // With the kid present but unusable, the message says why that key was passed over.
    let mut input = thousand_keys();
    input["keys"][3]["use"] = json!("enc");
    let parsed = KeySet::parse_value(&input, PUBLIC).unwrap();
    let selection = parsed.select(Alg::RS256, Some("k3"), DEFAULT_MAX_CANDIDATES);
    let err = parsed.no_match_error(Alg::RS256, Some("k3"), &selection);
    assert!(err.message.ends_with("and 980 more] (key 3: use is \"enc\", not \"sig\")"), "{}", err.message);
}

/// The identity point (and every small-order point) "verifies" forged signatures: refused.
#[test]
fn small_order_ed25519_key_is_unusable() {
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let x = jwks_verify::encoding::b64url_encode(&identity);
    let set = KeySet::parse_value(&serde_json::json!({ "keys": [{ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": "weak" }] }), Default::default()).unwrap();
    assert!(!set.keys[0].usable());
    assert!(set.diagnostics.iter().any(|d| d.code == "invalid_key" && d.message.contains("small-order")), "{:?}", set.diagnostics);
}

/// The thumbprint is hashed on first use, not at parse: over every fixture key, each with a
/// member dropped, an unusable `use`, or a wrong-length coordinate, it equals the RFC 7638 hash
/// of the JWK as given ("" when a required member is missing), and stays the same when asked again.
#[test]
fn lazy_thumbprints_equal_the_rfc_7638_hash_of_each_key_as_given() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/fuzz_keys.json")).expect("fixture");
    let mut variants = Vec::new();
    for key in fixture["keys"].as_array().expect("keys") {
        variants.push(key.clone());
        for name in ["x", "y", "n", "e", "crv", "k", "kid"] {
            if key.get(name).is_some() {
                let mut dropped = key.clone();
                dropped.as_object_mut().expect("object").remove(name);
                variants.push(dropped);
            }
        }
        variants.push(with(key.clone(), &[("use", json!("enc"))]));
        if key.get("x").is_some() {
            variants.push(with(key.clone(), &[("x", json!("AAAA"))]));
        }
    }
    let options = ParseOptions { allow_private: true, allow_weak_keys: true };
    let mut checked = 0;
    for (i, variant) in variants.iter().enumerate() {
        let Ok(keys) = KeySet::parse_value(&set(vec![variant.clone()]), options) else { continue };
        let map = variant.as_object().expect("object");
        let kty = map.get("kty").and_then(Value::as_str).unwrap_or_default();
        let expected = jwks_verify::jwk::thumbprint(kty, map).unwrap_or_default();
        for key in &keys.keys {
            assert_eq!(key.thumbprint(), expected, "variant {i}: {variant}");
            assert_eq!(key.thumbprint(), expected, "variant {i}, asked again");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} keys checked");
}

/// A JWKS URL passed where the keys go (jose's users pass `jwks_uri`; a `URL` object arrives as
/// its JSON string) is told to use RemoteJwks, not "not valid JSON"; other bad texts keep their
/// messages, and a set whose text merely contains a URL still parses.
#[test]
fn a_url_given_as_the_keys_says_to_use_remote_jwks() {
    let hosts = ["issuer.example", "127.0.0.1:8788", "login.example.com/tenant"];
    let paths = ["/.well-known/jwks.json", "/jwks", "", "/keys?x=1"];
    let mut seen = 0;
    for scheme in ["https://", "http://", "HTTPS://", "Http://"] {
        for host in hosts {
            for path in paths {
                let url = format!("{scheme}{host}{path}");
                for text in [url.clone(), format!("  {url}\n"), format!("\"{url}\""), format!(" \"{url}\" ")] {
                    let err = KeySet::parse_str(&text, ParseOptions::default()).expect_err(&text);
                    assert_eq!(err.code(), "ERR_JWKS_INVALID", "{text}");
                    assert!(err.message.contains("new RemoteJwks(url)"), "{text}: {}", err.message);
                    assert!(!err.message.contains(host), "the message does not repeat the URL: {}", err.message);
                    seen += 1;
                }
            }
        }
    }
    assert_eq!(seen, 4 * 3 * 4 * 4);
    for text in ["", "ftp://x/jwks", "issuer.example/jwks", "{\"keys\": 5}", "[1]", "\"jwks\"", "https:/x", "{\"url\": \"https://x\"}"] {
        let err = KeySet::parse_str(text, ParseOptions::default()).expect_err(text);
        assert!(!err.message.contains("RemoteJwks"), "{text}: {}", err.message);
    }
    let set = json!({ "keys": [rsa("https://issuer.example/k1")] }).to_string();
    assert_eq!(KeySet::parse_str(&set, ParseOptions::default()).expect("a set").keys.len(), 1);
}
