//! Signed push notifications (src/webhook.rs) through the whole pipeline with the pure-Rust
//! backend: the bearer header, the iat window both ways, the body hash, VerifyOptions.

mod common;

use common::{es256_public_jwk, keyset, sign_es256, NOW};
use jwks_verify::crypto::RustCrypto;
use jwks_verify::error::JoseError;
use jwks_verify::replay::Replay;
use jwks_verify::webhook::{bearer_token, body_sha256_hex, verify_webhook, Outcome, WebhookOptions};
use jwks_verify::KeySet;
use serde_json::{json, Value};

const SENDER_D: [u8; 32] = [0x44; 32];
const STRANGER_D: [u8; 32] = [0x55; 32];
const BODY: &[u8] = br#"{"taskId":"t-1","status":"completed"}"#;
const FAILED: &str = "ERR_JWT_CLAIM_VALIDATION_FAILED";

fn sender_keys() -> KeySet {
    keyset(&json!({ "keys": [es256_public_jwk(&SENDER_D, json!({ "kid": "sender" }))] }), false)
}

fn options(value: Value) -> WebhookOptions {
    WebhookOptions::from_json(&value).unwrap_or_else(|e| panic!("WebhookOptions: {e}"))
}

/// Claims binding `body`, with `changes` applied (`null` removes a claim).
fn claims_for(body: &[u8], changes: Value) -> Value {
    let mut claims = json!({ "iss": "https://sender.example", "iat": NOW, "jti": "n-1", "request_body_sha256": body_sha256_hex(body) });
    common::merge(&mut claims, changes);
    claims.as_object_mut().expect("object").retain(|_, v| !v.is_null());
    claims
}

fn bearer(d: &[u8], claims: &Value) -> String {
    format!("Bearer {}", sign_es256(r#"{"alg":"ES256","kid":"sender"}"#, claims.to_string().as_bytes(), d))
}

fn receive(authorization: &str, body: &[u8], opts: &WebhookOptions) -> Result<Outcome, JoseError> {
    verify_webhook(authorization, body, &sender_keys(), opts, NOW, &RustCrypto).map(|v| v.outcome)
}

#[track_caller]
fn assert_ok(result: Result<Outcome, JoseError>) -> Outcome {
    result.unwrap_or_else(|e| panic!("expected success, got {}: {} ({:?}/{:?})", e.code(), e.message, e.claim, e.reason))
}

#[track_caller]
fn assert_error(result: Result<Outcome, JoseError>, code: &str, claim: Option<&str>, reason: Option<&str>) {
    match result {
        Ok(outcome) => panic!("expected {code}, got success {outcome:?}"),
        Err(e) => assert_eq!((e.code(), e.claim.as_deref(), e.reason.map(|r| r.as_str())), (code, claim, reason), "message: {}", e.message),
    }
}

#[test]
fn body_hash_is_lowercase_hex_sha256() {
    assert_eq!(body_sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_eq!(body_sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[test]
fn the_authorization_header_must_be_bearer_and_one_token() {
    assert_eq!(bearer_token("Bearer a.b.c").ok(), Some("a.b.c"));
    assert_eq!(bearer_token("bearer a.b.c").ok(), Some("a.b.c"));
    assert_eq!(bearer_token("  BEARER   a.b.c ").ok(), Some("a.b.c"));
    for bad in ["", "Bearer", "Bearer ", "Basic a.b.c", "a.b.c", "Bearer a.b.c d", "Bearer\ta.b.c"] {
        assert_eq!(bearer_token(bad).map_err(|e| e.code()), Err("ERR_JWS_INVALID"), "{bad:?}");
    }
}

#[test]
fn a_signed_notification_passes_and_says_how_long_to_remember_its_jti() {
    let opts = options(json!({ "replay": { "markUsed": true } }));
    let outcome = assert_ok(receive(&bearer(&SENDER_D, &claims_for(BODY, json!({}))), BODY, &opts));
    // Accepted while floor(now) <= iat + maxAge: refused from iat + maxAge + 1 on.
    let sender = "https://sender.example";
    assert_eq!(outcome, Outcome { jti: Some("n-1".into()), replay: Some(Replay::new(sender, "n-1", NOW + 301.0, NOW)) });
    // exp earlier than iat + maxAge ends acceptance sooner; the tolerance extends it.
    let opts = options(json!({ "clockTolerance": 5, "replay": { "markUsed": true } }));
    let outcome = assert_ok(receive(&bearer(&SENDER_D, &claims_for(BODY, json!({ "exp": NOW + 60.0 }))), BODY, &opts));
    assert_eq!(outcome.replay, Some(Replay::new(sender, "n-1", NOW + 65.0, NOW)));
    // Without a replay store a jti is optional and nothing is remembered.
    let outcome = assert_ok(receive(&bearer(&SENDER_D, &claims_for(BODY, json!({ "jti": null }))), BODY, &options(json!({}))));
    assert_eq!(outcome, Outcome { jti: None, replay: None });
}

#[test]
fn the_time_to_remember_a_jti_is_a_finite_number_even_when_the_options_overflow_it() {
    // iat + maxAge + clockTolerance is infinite in f64: the store gets the largest finite
    // number (infinity reaches JS as JSON null), never a bound before the token's last instant.
    let opts = options(json!({ "maxAge": 1e308, "clockTolerance": 1e308, "replay": { "markUsed": true } }));
    let outcome = assert_ok(receive(&bearer(&SENDER_D, &claims_for(BODY, json!({}))), BODY, &opts));
    assert_eq!(outcome.replay.map(|r| r.expires_at), Some(f64::MAX));
    let opts = options(json!({ "maxAge": f64::MAX, "replay": { "markUsed": true } }));
    let outcome = assert_ok(receive(&bearer(&SENDER_D, &claims_for(BODY, json!({ "iat": f64::MAX }))), BODY, &opts));
    assert_eq!(outcome.replay.map(|r| r.expires_at), Some(f64::MAX));
}

#[test]
fn the_replay_scope_is_the_iss_text_or_empty_and_nothing_else() {
    let opts = options(json!({ "replay": { "markUsed": true } }));
    let scope_of = |iss: Value| receive(&bearer(&SENDER_D, &claims_for(BODY, json!({ "iss": iss }))), BODY, &opts).map(|o| o.replay.map(|r| r.key));
    assert_eq!(scope_of(json!("a b")).unwrap(), Some("a%20b n-1".to_owned()));
    assert_eq!(scope_of(json!(null)).unwrap(), Some(" n-1".to_owned()), "no iss: the empty scope");
    // A non-string iss would share the absent one's scope: refused when a replay store is given.
    for iss in [json!(5), json!(1.5), json!(["a"]), json!({ "a": 1 }), json!(true)] {
        assert_error(receive(&bearer(&SENDER_D, &claims_for(BODY, json!({ "iss": iss }))), BODY, &opts), "ERR_JWT_CLAIM_VALIDATION_FAILED", Some("iss"), Some("invalid"));
        assert_ok(receive(&bearer(&SENDER_D, &claims_for(BODY, json!({ "iss": iss }))), BODY, &options(json!({}))));
    }
}

#[test]
fn the_body_must_match_its_hash() {
    let opts = options(json!({}));
    let token = bearer(&SENDER_D, &claims_for(BODY, json!({})));
    assert_error(receive(&token, br#"{"taskId":"t-1","status":"failed"}"#, &opts), "ERR_WEBHOOK_BODY_MISMATCH", Some("request_body_sha256"), Some("check_failed"));
    assert_error(receive(&token, b"", &opts), "ERR_WEBHOOK_BODY_MISMATCH", Some("request_body_sha256"), Some("check_failed"));
    let empty = bearer(&SENDER_D, &claims_for(b"", json!({})));
    assert_ok(receive(&empty, b"", &opts));
}

#[test]
fn the_hash_claim_is_required_and_must_be_lowercase_hex() {
    let opts = options(json!({}));
    let missing = bearer(&SENDER_D, &claims_for(BODY, json!({ "request_body_sha256": null })));
    assert_error(receive(&missing, BODY, &opts), FAILED, Some("request_body_sha256"), Some("missing"));
    let upper = bearer(&SENDER_D, &claims_for(BODY, json!({ "request_body_sha256": body_sha256_hex(BODY).to_uppercase() })));
    assert_error(receive(&upper, BODY, &opts), FAILED, Some("request_body_sha256"), Some("invalid"));
    let not_text = bearer(&SENDER_D, &claims_for(BODY, json!({ "request_body_sha256": 12 })));
    assert_error(receive(&not_text, BODY, &opts), FAILED, Some("request_body_sha256"), Some("invalid"));
}

#[test]
fn iat_is_required_within_max_age_both_ways() {
    let at = |iat: f64, opts: &WebhookOptions| receive(&bearer(&SENDER_D, &claims_for(BODY, json!({ "iat": iat }))), BODY, opts);
    let opts = options(json!({}));
    assert_ok(at(NOW - 300.0, &opts));
    assert_error(at(NOW - 301.0, &opts), "ERR_JWT_EXPIRED", Some("iat"), Some("check_failed"));
    assert_ok(at(NOW + 300.0, &opts));
    assert_error(at(NOW + 301.0, &opts), FAILED, Some("iat"), Some("check_failed"));
    let short = options(json!({ "maxAge": "1 minute", "clockTolerance": 10 }));
    assert_ok(at(NOW - 70.0, &short));
    assert_error(at(NOW - 71.0, &short), "ERR_JWT_EXPIRED", Some("iat"), Some("check_failed"));
    assert_ok(at(NOW + 70.0, &short));
    assert_error(at(NOW + 71.0, &short), FAILED, Some("iat"), Some("check_failed"));
    let missing = bearer(&SENDER_D, &claims_for(BODY, json!({ "iat": null })));
    assert_error(receive(&missing, BODY, &opts), FAILED, Some("iat"), Some("missing"));
    let text = bearer(&SENDER_D, &claims_for(BODY, json!({ "iat": "now" })));
    assert_error(receive(&text, BODY, &opts), FAILED, Some("iat"), Some("invalid"));
}

#[test]
fn every_verify_option_still_applies() {
    let token = bearer(&SENDER_D, &claims_for(BODY, json!({ "exp": NOW - 1.0 })));
    assert_error(receive(&token, BODY, &options(json!({}))), "ERR_JWT_EXPIRED", Some("exp"), Some("check_failed"));
    let token = bearer(&SENDER_D, &claims_for(BODY, json!({})));
    assert_error(receive(&token, BODY, &options(json!({ "issuer": "https://other.example" }))), FAILED, Some("iss"), Some("check_failed"));
    assert_error(receive(&token, BODY, &options(json!({ "audience": "me" }))), FAILED, Some("aud"), Some("missing"));
    assert_error(receive(&token, BODY, &options(json!({ "algorithms": ["RS256"] }))), "ERR_JOSE_ALG_NOT_ALLOWED", None, None);
    assert_ok(receive(&token, BODY, &options(json!({ "issuer": "https://sender.example", "algorithms": ["ES256"] }))));
}

#[test]
fn require_jti_makes_jti_required() {
    let token = bearer(&SENDER_D, &claims_for(BODY, json!({ "jti": null })));
    assert_error(receive(&token, BODY, &options(json!({ "requireJti": true }))), FAILED, Some("jti"), Some("missing"));
    let token = bearer(&SENDER_D, &claims_for(BODY, json!({ "jti": 5 })));
    assert_error(receive(&token, BODY, &options(json!({}))), FAILED, Some("jti"), Some("invalid"));
}

#[test]
fn a_wrong_key_or_header_is_refused() {
    let opts = options(json!({}));
    let forged = bearer(&STRANGER_D, &claims_for(BODY, json!({})));
    assert_error(receive(&forged, BODY, &opts), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", None, None);
    let token = bearer(&SENDER_D, &claims_for(BODY, json!({})));
    assert_error(receive(token.trim_start_matches("Bearer "), BODY, &opts), "ERR_JWS_INVALID", None, None);
    assert!(WebhookOptions::from_json(&json!({ "maxAge": 0 })).is_err());
    assert!(WebhookOptions::from_json(&json!({ "maxAge": "forever" })).is_err());
}
