//! RFC 7523 client-assertion rules (src/assertion.rs) through the whole pipeline with the
//! pure-Rust backend: every rule accepted at its boundary and rejected just past it.

mod common;

use common::{es256_public_jwk, keyset, oct_jwk, sign_es256, sign_hmac, NOW};
use jwks_verify::assertion::{verify_assertion, AssertionOptions, Outcome, Route};
use jwks_verify::replay::Replay;
use jwks_verify::crypto::RustCrypto;
use jwks_verify::error::JoseError;
use jwks_verify::KeySet;
use serde_json::{json, Value};

const CLIENT: &str = "client-1";
const TOKEN_ENDPOINT: &str = "https://as.example/token";
const ISSUER: &str = "https://as.example";
const K8S: &str = "https://k8s.example";
const WORKLOAD: &str = "system:serviceaccount:ns:app";

const CLIENT_D: [u8; 32] = [0x11; 32];
const FEDERATED_D: [u8; 32] = [0x22; 32];
const STRANGER_D: [u8; 32] = [0x33; 32];
const CLIENT_SECRET: &[u8; 32] = b"client-secret-0123456789abcdefgh";

fn client_keys() -> KeySet {
    keyset(&json!({ "keys": [es256_public_jwk(&CLIENT_D, json!({ "kid": "client-key" }))] }), false)
}

fn federated_keys() -> KeySet {
    keyset(&json!({ "keys": [es256_public_jwk(&FEDERATED_D, json!({ "kid": "k8s-key" }))] }), false)
}

fn secret_keys() -> KeySet {
    keyset(&json!({ "keys": [oct_jwk(CLIENT_SECRET, json!({ "kid": "secret" }))] }), true)
}

/// The assertion options of these tests, with `extra` members merged in.
fn options(extra: Value) -> AssertionOptions {
    let mut base = json!({ "clientId": CLIENT, "audience": [ISSUER, TOKEN_ENDPOINT], "keys": { "keys": [] }, "replay": { "markUsed": true } });
    common::merge(&mut base, extra);
    AssertionOptions::from_json(&base).unwrap_or_else(|e| panic!("AssertionOptions: {e}"))
}

fn federation() -> Value {
    json!({ "federated": [{ "issuer": K8S, "subject": WORKLOAD, "audience": ISSUER, "maxLifetime": 3600, "singleUse": false, "keys": {} }] })
}

/// A valid client assertion's claims with `changes` applied (`null` removes a claim).
fn claims(changes: Value) -> Value {
    let mut claims = json!({ "iss": CLIENT, "sub": CLIENT, "aud": TOKEN_ENDPOINT, "iat": NOW, "exp": NOW + 60.0, "jti": "jti-1" });
    for (name, value) in changes.as_object().expect("object") {
        if value.is_null() {
            claims.as_object_mut().expect("object").remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn es256(d: &[u8], kid: &str, header_extra: Value, claims: &Value) -> String {
    let mut header = json!({ "alg": "ES256", "kid": kid });
    common::merge(&mut header, header_extra);
    sign_es256(&header.to_string(), claims.to_string().as_bytes(), d)
}

fn by_client(claims: &Value) -> String {
    es256(&CLIENT_D, "client-key", json!({}), claims)
}

fn check(token: &str, options: &AssertionOptions) -> Result<Outcome, JoseError> {
    let federated = federated_keys();
    // One key set per federated entry (the tests' entries all name the same issuer).
    verify_assertion(token, &client_keys(), &[&federated, &federated], options, NOW, &RustCrypto).map(|v| v.outcome)
}

#[track_caller]
fn assert_ok(result: Result<Outcome, JoseError>) -> Outcome {
    result.unwrap_or_else(|e| panic!("expected success, got {}: {} ({:?}/{:?})", e.code(), e.message, e.claim, e.reason))
}

#[track_caller]
fn assert_claim_error(result: Result<Outcome, JoseError>, code: &str, claim: &str, reason: &str) {
    match result {
        Ok(outcome) => panic!("expected {code} {claim}/{reason}, got success {outcome:?}"),
        Err(e) => assert_eq!(
            (e.code(), e.claim.as_deref(), e.reason.map(|r| r.as_str())),
            (code, Some(claim), Some(reason)),
            "message: {}",
            e.message
        ),
    }
}

#[track_caller]
fn assert_code(result: Result<Outcome, JoseError>, code: &str) {
    match result {
        Ok(outcome) => panic!("expected {code}, got success {outcome:?}"),
        Err(e) => assert_eq!(e.code(), code, "message: {}", e.message),
    }
}

const FAILED: &str = "ERR_JWT_CLAIM_VALIDATION_FAILED";
const EXPIRED: &str = "ERR_JWT_EXPIRED";

#[test]
fn a_valid_private_key_jwt_assertion_passes_with_its_outcome() {
    let outcome = assert_ok(check(&by_client(&claims(json!({}))), &options(json!({}))));
    assert_eq!(
        outcome,
        Outcome { client_id: CLIENT.into(), jti: Some("jti-1".into()), federated: false, replay: Some(Replay::new(CLIENT, "jti-1", NOW + 60.0 + 30.0, NOW)) }
    );
}

#[test]
fn iss_and_sub_must_both_be_the_client_id() {
    let opts = options(json!({}));
    assert_claim_error(check(&by_client(&claims(json!({ "iss": "client-2" }))), &opts), FAILED, "iss", "check_failed");
    assert_claim_error(check(&by_client(&claims(json!({ "sub": "client-2" }))), &opts), FAILED, "sub", "check_failed");
    assert_claim_error(check(&by_client(&claims(json!({ "iss": null }))), &opts), FAILED, "iss", "missing");
    assert_claim_error(check(&by_client(&claims(json!({ "sub": null }))), &opts), FAILED, "sub", "missing");
}

#[test]
fn aud_must_name_this_server() {
    let opts = options(json!({}));
    assert_ok(check(&by_client(&claims(json!({ "aud": ISSUER }))), &opts));
    assert_ok(check(&by_client(&claims(json!({ "aud": [TOKEN_ENDPOINT] }))), &opts));
    assert_claim_error(check(&by_client(&claims(json!({ "aud": "https://other.example" }))), &opts), FAILED, "aud", "check_failed");
    assert_claim_error(check(&by_client(&claims(json!({ "aud": [] }))), &opts), FAILED, "aud", "check_failed");
    assert_claim_error(check(&by_client(&claims(json!({ "aud": null }))), &opts), FAILED, "aud", "missing");
}

#[test]
fn strict_profile_takes_exactly_one_audience_and_rfc7523_takes_arrays() {
    let two = by_client(&claims(json!({ "aud": [TOKEN_ENDPOINT, "https://other.example"] })));
    assert_claim_error(check(&two, &options(json!({}))), FAILED, "aud", "multiple_audiences");
    assert_claim_error(check(&two, &options(json!({ "profile": "strict" }))), FAILED, "aud", "multiple_audiences");
    assert_ok(check(&two, &options(json!({ "profile": "rfc7523" }))));
    // allowMultipleAudiences overrides the profile either way.
    assert_ok(check(&two, &options(json!({ "profile": "strict", "allowMultipleAudiences": true }))));
    assert_claim_error(check(&two, &options(json!({ "profile": "rfc7523", "allowMultipleAudiences": false }))), FAILED, "aud", "multiple_audiences");
    // Two of our own audiences are still two values.
    let both_ours = by_client(&claims(json!({ "aud": [ISSUER, TOKEN_ENDPOINT] })));
    assert_claim_error(check(&both_ours, &options(json!({}))), FAILED, "aud", "multiple_audiences");
    // An array that names nobody we know is an audience mismatch, whatever the profile.
    let strangers = by_client(&claims(json!({ "aud": ["https://a.example", "https://b.example"] })));
    assert_claim_error(check(&strangers, &options(json!({ "profile": "rfc7523" }))), FAILED, "aud", "check_failed");
}

#[test]
fn exp_is_required_and_honoured_with_the_default_tolerance_of_30_seconds() {
    let opts = options(json!({}));
    assert_claim_error(check(&by_client(&claims(json!({ "exp": null }))), &opts), FAILED, "exp", "missing");
    assert_claim_error(check(&by_client(&claims(json!({ "exp": "soon" }))), &opts), FAILED, "exp", "invalid");
    assert_ok(check(&by_client(&claims(json!({ "iat": NOW - 100.0, "exp": NOW - 29.0 }))), &opts));
    assert_claim_error(check(&by_client(&claims(json!({ "iat": NOW - 100.0, "exp": NOW - 30.0 }))), &opts), EXPIRED, "exp", "check_failed");
    let no_tolerance = options(json!({ "clockTolerance": 0 }));
    assert_claim_error(check(&by_client(&claims(json!({ "iat": NOW - 100.0, "exp": NOW }))), &no_tolerance), EXPIRED, "exp", "check_failed");
}

#[test]
fn lifetime_is_bounded_from_iat_or_from_now() {
    let opts = options(json!({}));
    assert_ok(check(&by_client(&claims(json!({ "iat": NOW, "exp": NOW + 300.0 }))), &opts));
    assert_claim_error(check(&by_client(&claims(json!({ "iat": NOW, "exp": NOW + 301.0 }))), &opts), FAILED, "exp", "lifetime_too_long");
    // iat in the past does not buy a longer life.
    assert_claim_error(check(&by_client(&claims(json!({ "iat": NOW - 100.0, "exp": NOW + 201.0 }))), &opts), FAILED, "exp", "lifetime_too_long");
    // Without iat: measured from now, with the clock tolerance.
    assert_ok(check(&by_client(&claims(json!({ "iat": null, "exp": NOW + 330.0 }))), &opts));
    assert_claim_error(check(&by_client(&claims(json!({ "iat": null, "exp": NOW + 331.0 }))), &opts), FAILED, "exp", "lifetime_too_long");
    let longer = options(json!({ "maxLifetime": "10 minutes" }));
    assert_ok(check(&by_client(&claims(json!({ "iat": NOW, "exp": NOW + 600.0 }))), &longer));
    assert_claim_error(check(&by_client(&claims(json!({ "iat": NOW, "exp": NOW + 601.0 }))), &longer), FAILED, "exp", "lifetime_too_long");
}

#[test]
fn nbf_and_iat_are_honoured_with_tolerance() {
    let opts = options(json!({}));
    assert_ok(check(&by_client(&claims(json!({ "nbf": NOW + 30.0 }))), &opts));
    assert_claim_error(check(&by_client(&claims(json!({ "nbf": NOW + 31.0 }))), &opts), FAILED, "nbf", "check_failed");
    assert_ok(check(&by_client(&claims(json!({ "iat": NOW + 30.0, "exp": NOW + 90.0 }))), &opts));
    assert_claim_error(check(&by_client(&claims(json!({ "iat": NOW + 31.0, "exp": NOW + 90.0 }))), &opts), FAILED, "iat", "check_failed");
    assert_claim_error(check(&by_client(&claims(json!({ "iat": "now" }))), &opts), FAILED, "iat", "invalid");
}

#[test]
fn jti_is_required_by_default_and_must_be_a_non_empty_string() {
    let opts = options(json!({}));
    assert_claim_error(check(&by_client(&claims(json!({ "jti": null }))), &opts), FAILED, "jti", "missing");
    assert_claim_error(check(&by_client(&claims(json!({ "jti": 7 }))), &opts), FAILED, "jti", "invalid");
    assert_claim_error(check(&by_client(&claims(json!({ "jti": "" }))), &opts), FAILED, "jti", "invalid");
    let optional = options(json!({ "requireJti": false }));
    let outcome = assert_ok(check(&by_client(&claims(json!({ "jti": null }))), &optional));
    assert_eq!((outcome.jti, outcome.replay), (None, None));
    // A jti that is there is still single-use.
    let outcome = assert_ok(check(&by_client(&claims(json!({}))), &optional));
    assert_eq!(outcome.replay, Some(Replay::new(CLIENT, "jti-1", NOW + 90.0, NOW)));
}

#[test]
fn typ_when_present_is_jwt_or_client_authentication_jwt() {
    let opts = options(json!({}));
    let with_typ = |typ: Value| es256(&CLIENT_D, "client-key", json!({ "typ": typ }), &claims(json!({})));
    for ok in ["JWT", "jwt", "application/jwt", "client-authentication+jwt", "application/client-authentication+JWT"] {
        assert_ok(check(&with_typ(json!(ok)), &opts));
    }
    assert_claim_error(check(&with_typ(json!("at+jwt")), &opts), FAILED, "typ", "check_failed");
    assert_claim_error(check(&with_typ(json!("JOSE")), &opts), FAILED, "typ", "check_failed");
    assert_claim_error(check(&with_typ(json!(1)), &opts), FAILED, "typ", "invalid");
}

#[test]
fn the_key_must_be_the_clients() {
    let opts = options(json!({}));
    // Same kid, other key: the signature fails.
    let forged = es256(&STRANGER_D, "client-key", json!({}), &claims(json!({})));
    assert_code(check(&forged, &opts), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    // The federated issuer's key does not authenticate the client itself.
    let federated_key = es256(&FEDERATED_D, "k8s-key", json!({}), &claims(json!({})));
    assert_code(check(&federated_key, &opts), "ERR_JWKS_NO_MATCHING_KEY");
    assert_code(check("not.a.jwt", &opts), "ERR_JWS_INVALID");
}

#[test]
fn client_secret_jwt_verifies_with_an_oct_key_only_when_hs256_is_listed() {
    let token = sign_hmac(r#"{"alg":"HS256","kid":"secret"}"#, claims(json!({})).to_string().as_bytes(), CLIENT_SECRET);
    let run = |opts: &AssertionOptions| verify_assertion(&token, &secret_keys(), &[], opts, NOW, &RustCrypto).map(|v| v.outcome);
    assert_code(run(&options(json!({}))), "ERR_JOSE_ALG_NOT_ALLOWED");
    assert_ok(run(&options(json!({ "algorithms": ["HS256"] }))));
    let wrong = sign_hmac(r#"{"alg":"HS256","kid":"secret"}"#, claims(json!({})).to_string().as_bytes(), b"another-secret-0123456789abcdefg");
    let result = verify_assertion(&wrong, &secret_keys(), &[], &options(json!({ "algorithms": ["HS256"] })), NOW, &RustCrypto);
    assert_code(result.map(|v| v.outcome), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

fn workload_claims(changes: Value) -> Value {
    let mut base = json!({ "iss": K8S, "sub": WORKLOAD, "aud": ISSUER, "iat": NOW, "exp": NOW + 3600.0 });
    common::merge(&mut base, changes);
    base.as_object_mut().expect("object").retain(|_, v| !v.is_null());
    base
}

fn by_workload(claims: &Value) -> String {
    es256(&FEDERATED_D, "k8s-key", json!({}), claims)
}

#[test]
fn a_federated_issuer_authenticates_the_client_with_its_own_keys_and_rules() {
    let opts = options(federation());
    let token = by_workload(&workload_claims(json!({})));
    assert_eq!(opts.route(&token), Route::Federated(0));
    let outcome = assert_ok(check(&token, &opts));
    assert_eq!(outcome, Outcome { client_id: CLIENT.into(), jti: None, federated: true, replay: None });
    // The entry's sub mapping, audience and lifetime apply.
    assert_claim_error(check(&by_workload(&workload_claims(json!({ "sub": "system:serviceaccount:ns:other" }))), &opts), FAILED, "sub", "check_failed");
    assert_claim_error(check(&by_workload(&workload_claims(json!({ "aud": TOKEN_ENDPOINT }))), &opts), FAILED, "aud", "check_failed");
    assert_claim_error(check(&by_workload(&workload_claims(json!({ "exp": NOW + 3601.0 }))), &opts), FAILED, "exp", "lifetime_too_long");
    // Signed by the client's key instead of the issuer's: no key of the issuer matches.
    let wrong_key = es256(&CLIENT_D, "client-key", json!({}), &workload_claims(json!({})));
    assert_code(check(&wrong_key, &opts), "ERR_JWKS_NO_MATCHING_KEY");
    let forged = es256(&STRANGER_D, "k8s-key", json!({}), &workload_claims(json!({})));
    assert_code(check(&forged, &opts), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    // The client's own assertions still work next to the federation.
    assert!(!assert_ok(check(&by_client(&claims(json!({}))), &opts)).federated);
}

#[test]
fn a_federated_entry_defaults_to_the_client_id_subject_and_single_use() {
    let opts = options(json!({ "federated": [{ "issuer": K8S, "keys": {} }] }));
    let token = by_workload(&workload_claims(json!({ "sub": CLIENT, "aud": TOKEN_ENDPOINT, "exp": NOW + 60.0, "jti": "w-1" })));
    let outcome = assert_ok(check(&token, &opts));
    assert_eq!(outcome, Outcome { client_id: CLIENT.into(), jti: Some("w-1".into()), federated: true, replay: Some(Replay::new(CLIENT, "w-1", NOW + 90.0, NOW)) });
    let no_jti = by_workload(&workload_claims(json!({ "sub": CLIENT, "aud": TOKEN_ENDPOINT, "exp": NOW + 60.0 })));
    assert_claim_error(check(&no_jti, &opts), FAILED, "jti", "missing");
    let workload_sub = by_workload(&workload_claims(json!({ "aud": TOKEN_ENDPOINT, "exp": NOW + 60.0, "jti": "w-2" })));
    assert_claim_error(check(&workload_sub, &opts), FAILED, "sub", "check_failed");
}

#[test]
fn entries_of_one_issuer_are_routed_by_subject() {
    let opts = options(json!({ "federated": [
        { "issuer": K8S, "subject": "system:serviceaccount:ns:first", "audience": ISSUER, "maxLifetime": 3600, "singleUse": false, "keys": {} },
        { "issuer": K8S, "subject": WORKLOAD, "audience": ISSUER, "maxLifetime": 3600, "singleUse": false, "keys": {} },
    ] }));
    let token = by_workload(&workload_claims(json!({})));
    assert_eq!(opts.route(&token), Route::Federated(1));
    assert!(assert_ok(check(&token, &opts)).federated);
    // An unknown subject goes to the issuer's first entry, whose sub rule rejects it.
    let unknown = by_workload(&workload_claims(json!({ "sub": "system:serviceaccount:ns:nobody" })));
    assert_eq!(opts.route(&unknown), Route::Federated(0));
    assert_claim_error(check(&unknown, &opts), FAILED, "sub", "check_failed");
    assert_eq!(opts.route("garbage"), Route::Client);
}

#[test]
fn bad_options_are_reported() {
    let parse = |mut value: Value| {
        value["keys"] = json!({});
        AssertionOptions::from_json(&value)
    };
    assert!(parse(json!({ "clientId": CLIENT, "audience": ISSUER })).is_ok());
    assert!(parse(json!({ "audience": ISSUER })).is_err(), "clientId is required");
    assert!(parse(json!({ "clientId": CLIENT })).is_err(), "audience is required");
    assert!(parse(json!({ "clientId": "", "audience": ISSUER })).is_err());
    assert!(parse(json!({ "clientId": CLIENT, "audience": [] })).is_err());
    assert!(parse(json!({ "clientId": CLIENT, "audience": ISSUER, "profile": "loose" })).is_err());
    assert!(parse(json!({ "clientId": CLIENT, "audience": ISSUER, "maxLifetime": 0 })).is_err());
    assert!(parse(json!({ "clientId": CLIENT, "audience": ISSUER, "federated": [{ "issuer": "", "keys": {} }] })).is_err());
    // A federated entry's audience and subject follow the main options' rule: never empty text.
    for (entry, option) in [
        (json!({ "issuer": K8S, "keys": {}, "audience": "" }), "federated[0].audience"),
        (json!({ "issuer": K8S, "keys": {}, "audience": [ISSUER, ""] }), "federated[0].audience"),
        (json!({ "issuer": K8S, "keys": {}, "audience": [] }), "federated[0].audience"),
        (json!({ "issuer": K8S, "keys": {}, "subject": "" }), "federated[0].subject"),
    ] {
        let err = parse(json!({ "clientId": CLIENT, "audience": ISSUER, "federated": [entry] })).expect_err(option);
        assert!(err.to_string().contains(option), "{err}");
    }
    assert!(parse(json!({ "clientId": CLIENT, "audience": ISSUER, "federated": [{ "issuer": K8S, "keys": {}, "subject": "s", "audience": ["a"] }] })).is_ok());
}
