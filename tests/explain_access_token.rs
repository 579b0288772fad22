//! `explainAccessToken` (src/explain.rs): every rule of `verifyAccessToken` reported on its own,
//! and the first failing row is the error verification gives.

mod common;

use common::{es256_public_jwk, keyset, sign_es256, NOW};
use jwks_verify::access_token::{verify_access_token, AccessTokenOptions};
use jwks_verify::crypto::RustCrypto;
use jwks_verify::explain;
use serde_json::{json, Value};

const D: [u8; 32] = [0x71; 32];

fn token(changes: Value) -> String {
    let mut claims = json!({ "iss": "https://as.example", "sub": "u1", "aud": "api", "client_id": "c1", "iat": NOW, "exp": NOW + 60.0, "jti": "t1", "scope": "read write" });
    common::merge(&mut claims, changes);
    claims.as_object_mut().unwrap().retain(|_, v| !v.is_null());
    sign_es256(r#"{"alg":"ES256","typ":"at+jwt","kid":"k"}"#, claims.to_string().as_bytes(), &D)
}

fn options(scopes: &[&str]) -> AccessTokenOptions {
    AccessTokenOptions::from_json(&json!({ "issuer": "https://as.example", "audience": "api", "requiredScopes": scopes })).unwrap()
}

#[test]
fn every_rule_is_reported_and_the_first_failure_is_verifications_error() {
    let rows = explain::access_token(&token(json!({})), &options(&["read"]), NOW).unwrap();
    let rows = rows.as_array().unwrap();
    assert!(rows.iter().all(|r| r["ok"] == json!(true)), "{rows:?}");
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.first(), Some(&"claim_types"));
    assert_eq!(ids.last(), Some(&"scope"));
    for id in ["typ", "client_id_required", "iss", "aud", "exp"] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }

    let keys = keyset(&json!({ "keys": [es256_public_jwk(&D, json!({ "kid": "k" }))] }), false);
    for (changes, scopes) in [
        (json!({ "client_id": null }), vec!["read"]),
        (json!({ "sub": 5 }), vec![]),
        (json!({ "aud": "other" }), vec![]),
        (json!({ "exp": NOW - 10.0 }), vec![]),
        (json!({}), vec!["admin"]),
        (json!({ "aud": "other", "scope": "none" }), vec!["read"]),
    ] {
        let opts = options(&scopes);
        let t = token(changes.clone());
        let err = verify_access_token(&t, &keys, &opts, NOW, &RustCrypto).unwrap_err();
        let rows = explain::access_token(&t, &opts, NOW).unwrap();
        let failed: Vec<&Value> = rows.as_array().unwrap().iter().filter(|r| r["ok"] == json!(false)).collect();
        assert!(!failed.is_empty(), "{changes}");
        assert_eq!((failed[0]["code"].as_str(), failed[0]["claim"].as_str(), failed[0]["reason"].as_str()), (Some(err.code()), err.claim.as_deref(), err.reason.map(|r| r.as_str())), "{changes}");
    }
}
