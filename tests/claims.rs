//! Registered-claim rules (jose's validateClaimsSet semantics), run natively from the shared
//! table in `common::CLAIM_CASES`.

mod common;

use common::*;
use serde_json::json;

#[test]
fn claims_table() {
    let failures: Vec<String> = CLAIM_CASES.iter().filter_map(|case| run_claim_case(case).err()).collect();
    assert!(failures.is_empty(), "{} of {} claim cases failed:\n{}", failures.len(), CLAIM_CASES.len(), failures.join("\n"));
    // The table must not shrink silently.
    assert!(CLAIM_CASES.len() >= 80, "only {} claim cases", CLAIM_CASES.len());
    let errors = CLAIM_CASES.iter().filter(|c| c.expect != Expect::Ok).count();
    assert!(errors >= 40 && CLAIM_CASES.len() - errors >= 30, "table lost its balance: {errors} error cases");
}

#[test]
fn claim_case_names_are_unique() {
    let mut names: Vec<&str> = CLAIM_CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate claim case names");
}

/// The table's runner must be able to fail: a wrong expectation is reported, not swallowed.
#[test]
fn claims_runner_detects_a_wrong_expectation() {
    let mut case = CLAIM_CASES.iter().find(|c| c.name == "exp == now is expired").copied().expect("case exists");
    case.expect = Expect::Ok;
    assert!(run_claim_case(&case).is_err());
    case.expect = Expect::Err("ERR_JWT_EXPIRED", "nbf", "check_failed");
    assert!(run_claim_case(&case).is_err());
    case.expect = Expect::Err("ERR_JWT_EXPIRED", "exp", "check_failed");
    assert!(run_claim_case(&case).is_ok());
}

/// Claims are only looked at after the signature: a bad MAC on an expired token reports the
/// signature, not the expiry.
#[test]
fn signature_is_checked_before_claims() {
    let keys = claims_keyset();
    let opts = options_with_algorithms(&["HS256"]);
    let token = sign_hmac(r#"{"alg":"HS256","kid":"claims"}"#, br#"{"exp":1}"#, b"another-secret-another-secret-32");
    assert_eq!(code_of(&verify_at(&token, &keys, &opts, NOW)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    let token = sign_hmac(r#"{"alg":"HS256","kid":"claims"}"#, br#"{"exp":1}"#, CLAIMS_SECRET);
    assert_eq!(code_of(&verify_at(&token, &keys, &opts, NOW)), "ERR_JWT_EXPIRED");
}

/// A successful verification returns the header and payload as parsed, and the key index.
#[test]
fn verified_result_shape() {
    let keys = claims_keyset();
    let opts = options(json!({ "algorithms": ["HS256"], "issuer": "i" }));
    let payload = r#"{"iss":"i","exp":1700000100,"nested":{"a":[1,2]}}"#;
    let token = sign_hmac(r#"{"alg":"HS256","kid":"claims","typ":"JWT"}"#, payload.as_bytes(), CLAIMS_SECRET);
    let verified = verify_at(&token, &keys, &opts, NOW).expect("verifies");
    assert_eq!(verified.key_index, 0);
    assert_eq!(verified.header["typ"], "JWT");
    assert_eq!(verified.header_json, r#"{"alg":"HS256","kid":"claims","typ":"JWT"}"#);
    assert_eq!(verified.payload["nested"]["a"][1], 2);
    assert_eq!(verified.payload_json, payload);
}

/// Durations are never negative (jose throws a TypeError for those); text durations are
/// parsed like jose's `secs`.
#[test]
fn duration_options() {
    use jwks_verify::VerifyOptions;
    for bad in [json!({"clockTolerance": -1}), json!({"maxTokenAge": -5}), json!({"clockTolerance": "-10s"}), json!({"maxTokenAge": "1 day ago"}), json!({"clockTolerance": "ten seconds"})] {
        assert!(VerifyOptions::from_json(&bad).is_err(), "{bad}");
    }
    let parsed = VerifyOptions::from_json(&json!({"clockTolerance": "2 minutes", "maxTokenAge": "1h"})).unwrap();
    assert_eq!((parsed.clock_tolerance, parsed.max_token_age), (120.0, Some(3600.0)));
    let defaults = VerifyOptions::from_json(&json!({})).unwrap();
    assert_eq!((defaults.clock_tolerance, defaults.max_token_age, defaults.allow_multiple_audiences), (0.0, None, true));
}
