//! DPoP proofs (src/dpop.rs) through the whole pipeline with the pure-Rust backend: the header
//! rules (typ, alg, jwk), each claim rule of RFC 9449 §4.3, the replay key and its instant.

mod common;

use common::{es256_public_jwk, oct_jwk, sign_es256, sign_hmac, NOW};
use jwks_verify::crypto::RustCrypto;
use jwks_verify::dpop::{access_token_hash, verify_dpop_proof, DpopOptions, Outcome};
use jwks_verify::error::JoseError;
use jwks_verify::replay::Replay;
use jwks_verify::KeySet;
use serde_json::{json, Value};

const HOLDER_D: [u8; 32] = [0x61; 32];
const OTHER_D: [u8; 32] = [0x62; 32];
const URL: &str = "https://rs.example.com/resource";
const INVALID: &str = "ERR_DPOP_INVALID";

fn options(extra: Value) -> DpopOptions {
    let mut value = json!({ "method": "GET", "url": URL });
    common::merge(&mut value, extra);
    DpopOptions::from_json(&value).unwrap_or_else(|e| panic!("DpopOptions: {e}"))
}

fn header(d: &[u8], extra: Value) -> Value {
    let mut header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": es256_public_jwk(d, json!({})) });
    common::merge(&mut header, extra);
    header.as_object_mut().expect("object").retain(|_, v| !v.is_null());
    header
}

fn claims(changes: Value) -> Value {
    let mut claims = json!({ "jti": "p-1", "htm": "GET", "htu": URL, "iat": NOW });
    common::merge(&mut claims, changes);
    claims.as_object_mut().expect("object").retain(|_, v| !v.is_null());
    claims
}

fn proof_with(header: &Value, claims: &Value, d: &[u8]) -> String {
    sign_es256(&header.to_string(), claims.to_string().as_bytes(), d)
}

fn proof(changes: Value) -> String {
    proof_with(&header(&HOLDER_D, json!({})), &claims(changes), &HOLDER_D)
}

fn check(proof: &str, opts: &DpopOptions) -> Result<Outcome, JoseError> {
    check_at(proof, opts, NOW)
}

fn check_at(proof: &str, opts: &DpopOptions, now: f64) -> Result<Outcome, JoseError> {
    verify_dpop_proof(proof, opts, now, &RustCrypto).map(|v| v.outcome)
}

fn jkt_of(d: &[u8]) -> String {
    KeySet::parse_value(&es256_public_jwk(d, json!({})), Default::default()).expect("key").keys[0].thumbprint().to_owned()
}

#[track_caller]
fn assert_ok(result: Result<Outcome, JoseError>) -> Outcome {
    result.unwrap_or_else(|e| panic!("expected success, got {}: {} ({:?}/{:?})", e.code(), e.message, e.claim, e.reason))
}

#[track_caller]
fn assert_error(result: Result<Outcome, JoseError>, code: &str, claim: Option<&str>, reason: &str) {
    match result {
        Ok(outcome) => panic!("expected {code}, got success {outcome:?}"),
        Err(e) => assert_eq!((e.code(), e.claim.as_deref(), e.reason.map(|r| r.as_str())), (code, claim, Some(reason)), "message: {}", e.message),
    }
}

#[test]
fn a_valid_proof_gives_the_thumbprint_of_its_key_and_the_scoped_replay_key() {
    let outcome = assert_ok(check(&proof(json!({})), &options(json!({ "replay": { "markUsed": true } }))));
    let jkt = jkt_of(&HOLDER_D);
    assert_eq!(outcome, Outcome { jkt: jkt.clone(), jti: "p-1".into(), replay: Some(Replay::new(&jkt, "p-1", NOW + 301.0, NOW)) });
    // Without a store nothing is to be remembered; exp and the tolerance bound the instant.
    assert_eq!(assert_ok(check(&proof(json!({})), &options(json!({})))).replay, None);
    let outcome = assert_ok(check(&proof(json!({ "exp": NOW + 30.0 })), &options(json!({ "replay": { "markUsed": true }, "clockTolerance": 5 }))));
    assert_eq!(outcome.replay, Some(Replay::new(&jkt, "p-1", NOW + 35.0, NOW)));
}

#[test]
fn the_header_must_be_a_dpop_proof_with_a_public_asymmetric_key() {
    let opts = options(json!({}));
    let body = claims(json!({}));
    for typ in [json!(null), json!("JWT"), json!("at+jwt"), json!(7)] {
        assert_error(check(&proof_with(&header(&HOLDER_D, json!({ "typ": typ })), &body, &HOLDER_D), &opts), INVALID, None, "typ");
    }
    // The typ comparison of every profile: case-insensitive, application/ optional.
    assert_ok(check(&proof_with(&header(&HOLDER_D, json!({ "typ": "application/DPoP+JWT" })), &body, &HOLDER_D), &opts));
    // The jwk must be the signer's.
    assert_error(check(&proof_with(&header(&OTHER_D, json!({})), &body, &HOLDER_D), &opts), INVALID, None, "signature");
    for jwk in [json!(null), json!("key"), json!([]), json!({ "kty": "EC" }), json!({ "kty": "RSA", "n": "AQAB", "e": "AQAB" })] {
        assert_error(check(&proof_with(&header(&HOLDER_D, json!({ "jwk": jwk })), &body, &HOLDER_D), &opts), INVALID, None, "jwk");
    }
    // Private members: ERR_JWS_INVALID (API.md's explicit line).
    for private in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
        let jwk = es256_public_jwk(&HOLDER_D, json!({ private: "AAAA" }));
        let result = check(&proof_with(&header(&HOLDER_D, json!({ "jwk": jwk })), &body, &HOLDER_D), &opts);
        assert_eq!(result.map_err(|e| e.code()), Err("ERR_JWS_INVALID"), "{private}");
    }
    // A symmetric alg, even with a matching oct key, and unknown ones.
    let secret = [7u8; 32];
    let hs = sign_hmac(&json!({ "typ": "dpop+jwt", "alg": "HS256", "jwk": oct_jwk(&secret, json!({})) }).to_string(), body.to_string().as_bytes(), &secret);
    assert_error(check(&hs, &opts), INVALID, None, "alg");
    for alg in ["none", "", "ES257"] {
        assert_error(check(&proof_with(&header(&HOLDER_D, json!({ "alg": alg })), &body, &HOLDER_D), &opts), INVALID, None, "alg");
    }
    // The allow-list, and a key that does not fit the alg.
    assert_error(check(&proof(json!({})), &options(json!({ "algorithms": ["EdDSA"] }))), INVALID, None, "alg");
    let rs = header(&HOLDER_D, json!({ "alg": "RS256" }));
    assert_error(check(&proof_with(&rs, &body, &HOLDER_D), &opts), INVALID, None, "jwk");
    let wrong_alg = header(&HOLDER_D, json!({ "jwk": es256_public_jwk(&HOLDER_D, json!({ "alg": "ES384" })) }));
    assert_error(check(&proof_with(&wrong_alg, &body, &HOLDER_D), &opts), INVALID, None, "jwk");
    // A header kid names the proof's own key; a crit it does not understand is refused.
    assert_ok(check(&proof_with(&header(&HOLDER_D, json!({ "kid": "k1" })), &body, &HOLDER_D), &opts));
    assert_error(check(&proof_with(&header(&HOLDER_D, json!({ "kid": 1 })), &body, &HOLDER_D), &opts), INVALID, None, "malformed");
    assert_error(check(&proof_with(&header(&HOLDER_D, json!({ "crit": ["x"], "x": 1 })), &body, &HOLDER_D), &opts), INVALID, None, "crit");
    for garbage in ["", "a.b", "a.b.c", "W10.e30.", "!!.e30.AA"] {
        assert_error(check(garbage, &opts), INVALID, None, "malformed");
    }
}

#[test]
fn htm_must_equal_the_method_exactly() {
    assert_ok(check(&proof(json!({})), &options(json!({}))));
    assert_error(check(&proof(json!({ "htm": "get" })), &options(json!({}))), INVALID, Some("htm"), "check_failed");
    assert_error(check(&proof(json!({ "htm": "POST" })), &options(json!({}))), INVALID, Some("htm"), "check_failed");
    assert_error(check(&proof(json!({ "htm": null })), &options(json!({}))), INVALID, Some("htm"), "missing");
    assert_error(check(&proof(json!({ "htm": ["GET"] })), &options(json!({}))), INVALID, Some("htm"), "invalid");
    assert_ok(check(&proof(json!({ "htm": "POST" })), &options(json!({ "method": "POST" }))));
}

#[test]
fn htu_matches_after_normalisation_only() {
    let opts = options(json!({}));
    for same in [
        URL, "HTTPS://RS.Example.COM/resource", "https://rs.example.com:443/resource", "https://rs.example.com/resource?x=1",
        "https://rs.example.com/resource#frag", "https://rs.example.com/./resource", "https://rs.example.com/%72esource",
    ] {
        assert_ok(check(&proof(json!({ "htu": same })), &opts));
    }
    for other in [
        "http://rs.example.com/resource", "https://rs.example.com:8443/resource", "https://rs2.example.com/resource",
        "https://rs.example.com/resource/", "https://rs.example.com/Resource", "https://rs.example.com/other",
    ] {
        assert_error(check(&proof(json!({ "htu": other })), &opts), INVALID, Some("htu"), "check_failed");
    }
    for bad in ["/resource", "rs.example.com/resource", "ftp://rs.example.com/resource", "https://u@rs.example.com/resource"] {
        assert_error(check(&proof(json!({ "htu": bad })), &opts), INVALID, Some("htu"), "invalid");
    }
    assert_error(check(&proof(json!({ "htu": null })), &opts), INVALID, Some("htu"), "missing");
    // The url option is normalised the same way.
    assert_ok(check(&proof(json!({})), &options(json!({ "url": "https://RS.example.com:443/resource?page=2" }))));
}

#[test]
fn iat_is_required_within_max_age_both_ways() {
    let at = |iat: f64, opts: &DpopOptions| check(&proof(json!({ "iat": iat })), opts);
    let opts = options(json!({}));
    assert_ok(at(NOW - 300.0, &opts));
    assert_error(at(NOW - 301.0, &opts), INVALID, Some("iat"), "too_old");
    assert_ok(at(NOW + 300.0, &opts));
    assert_error(at(NOW + 301.0, &opts), INVALID, Some("iat"), "in_future");
    let short = options(json!({ "maxAge": 60, "clockTolerance": 5 }));
    assert_ok(at(NOW - 65.0, &short));
    assert_error(at(NOW - 66.0, &short), INVALID, Some("iat"), "too_old");
    assert_error(at(NOW + 66.0, &short), INVALID, Some("iat"), "in_future");
    assert_error(check(&proof(json!({ "iat": null })), &opts), INVALID, Some("iat"), "missing");
    assert_error(check(&proof(json!({ "iat": "now" })), &opts), INVALID, Some("iat"), "invalid");
    // exp and nbf are honoured when present.
    assert_error(check(&proof(json!({ "exp": NOW - 1.0 })), &opts), INVALID, Some("exp"), "check_failed");
    assert_error(check(&proof(json!({ "nbf": NOW + 10.0 })), &opts), INVALID, Some("nbf"), "check_failed");
}

#[test]
fn jti_is_required_non_empty_and_bounded() {
    let opts = options(json!({}));
    assert_error(check(&proof(json!({ "jti": null })), &opts), INVALID, Some("jti"), "missing");
    for bad in [json!(""), json!(5), json!("x".repeat(257))] {
        assert_error(check(&proof(json!({ "jti": bad })), &opts), INVALID, Some("jti"), "invalid");
    }
    assert_ok(check(&proof(json!({ "jti": "x".repeat(256) })), &opts));
}

#[test]
fn ath_and_nonce_are_required_when_asked_for() {
    let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let with_token = options(json!({ "accessToken": token }));
    assert_ok(check(&proof(json!({ "ath": access_token_hash(token) })), &with_token));
    assert_error(check(&proof(json!({})), &with_token), INVALID, Some("ath"), "missing");
    assert_error(check(&proof(json!({ "ath": access_token_hash("another") })), &with_token), INVALID, Some("ath"), "check_failed");
    assert_error(check(&proof(json!({ "ath": 1 })), &with_token), INVALID, Some("ath"), "invalid");
    // Without accessToken an ath is not looked at.
    assert_ok(check(&proof(json!({ "ath": "anything" })), &options(json!({}))));

    let with_nonce = options(json!({ "nonce": "n-42" }));
    assert_ok(check(&proof(json!({ "nonce": "n-42" })), &with_nonce));
    assert_error(check(&proof(json!({})), &with_nonce), INVALID, Some("nonce"), "missing");
    assert_error(check(&proof(json!({ "nonce": "n-41" })), &with_nonce), INVALID, Some("nonce"), "check_failed");
}

#[test]
fn a_proof_is_never_accepted_at_or_after_the_instant_its_replay_key_expires() {
    // Over many iat, exp, tolerance, maxAge and clock values (fractional ones included): the
    // stored expiresAt is the first instant the proof is refused, and every later one is too.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |range: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % range
    };
    for _ in 0..100 {
        let max_age = 1 + next(120);
        let tolerance = next(10);
        let iat = NOW - 60.0 + next(120) as f64 + if next(2) == 0 { 0.5 } else { 0.0 };
        let exp = (next(3) == 0).then(|| iat + next(200) as f64 + 0.25);
        let opts = options(json!({ "replay": { "markUsed": true }, "maxAge": max_age, "clockTolerance": tolerance }));
        let proof = proof(json!({ "iat": iat, "exp": exp }));
        let at = assert_ok(check_at(&proof, &opts, iat)).replay.expect("a replay key").expires_at;
        // Around the instant, then anywhere later.
        let later = (0..8).map(|_| at + next(100_000) as f64 / 7.0);
        for now in (0..24).map(|i| at - 3.0 + i as f64 * 0.25).chain(later) {
            let accepted = check_at(&proof, &opts, now).is_ok();
            assert!(!(accepted && now >= at), "accepted at {now}, at or after its expiresAt {at}");
            if now < at && now >= iat {
                assert!(accepted, "refused at {now}, before its expiresAt {at}: the instant is not the first refused one");
            }
        }
    }
}

#[test]
fn the_same_jti_under_two_keys_has_two_replay_keys() {
    let opts = options(json!({ "replay": { "markUsed": true } }));
    let a = assert_ok(check(&proof(json!({})), &opts)).replay.expect("replay");
    let b = assert_ok(check(&proof_with(&header(&OTHER_D, json!({})), &claims(json!({})), &OTHER_D), &opts)).replay.expect("replay");
    assert_ne!(a.key, b.key);
    assert_eq!(a.key, format!("{} p-1", jkt_of(&HOLDER_D)));
}

#[test]
fn the_explanation_runs_each_check_of_verification() {
    use jwks_verify::explain;
    let opts = options(json!({ "nonce": "n-1", "accessToken": "tok" }));
    let good = proof(json!({ "nonce": "n-1", "ath": access_token_hash("tok") }));
    let out = explain::dpop(&good, &opts, NOW).unwrap();
    let ids: Vec<&str> = out["checks"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["typ", "alg", "jwk", "jti", "htm", "htu", "nonce", "iat", "ath", "nbf", "exp"]);
    assert!(out["checks"].as_array().unwrap().iter().all(|r| r["ok"] == json!(true)), "{out}");
    assert_eq!(out["jkt"], json!(jkt_of(&HOLDER_D)));
    // Every failing check is reported, not just the first; each as verification reports it.
    let bad = proof_with(&header(&HOLDER_D, json!({ "typ": "JWT", "alg": "HS256" })), &claims(json!({ "htm": "POST", "iat": NOW - 1000.0, "exp": NOW - 1.0 })), &HOLDER_D);
    let out = explain::dpop(&bad, &opts, NOW).unwrap();
    let failed: Vec<(&str, &str)> = out["checks"].as_array().unwrap().iter().filter(|r| r["ok"] == json!(false))
        .map(|r| (r["id"].as_str().unwrap(), r["reason"].as_str().unwrap_or("skipped"))).collect();
    assert_eq!(failed, [("typ", "typ"), ("alg", "alg"), ("jwk", "skipped"), ("htm", "check_failed"), ("nonce", "missing"), ("iat", "too_old"), ("ath", "missing"), ("exp", "check_failed")]);
    assert!(out.get("jkt").is_none());
    assert!(explain::dpop("not-a-proof", &opts, NOW).is_err());
}

#[test]
fn max_age_is_bounded_and_an_empty_nonce_is_refused() {
    let read = |extra: Value| {
        let mut base = json!({ "method": "GET", "url": "https://rs.example/r" });
        common::merge(&mut base, extra);
        DpopOptions::from_json(&base).map(|o| o.max_age).map_err(|e| e.path)
    };
    assert_eq!(read(json!({ "maxAge": 3600 })), Ok(3600.0));
    assert_eq!(read(json!({ "maxAge": 0.5 })), Ok(0.5));
    for bad in [json!(3600.5), json!(1e300), json!(0), json!(-1), json!("2h")] {
        assert_eq!(read(json!({ "maxAge": bad })), Err("maxAge".into()), "{bad}");
    }
    assert_eq!(read(json!({ "nonce": "" })), Err("nonce".into()));
    assert_eq!(read(json!({ "nonce": "n" })), Ok(300.0));
}
