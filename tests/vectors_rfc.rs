//! RFC examples: RFC 7515 App. A, RFC 8037 (Ed25519), RFC 7638 thumbprints, RFC 7517 A.1,
//! and the RFC 7520 "JOSE Cookbook" (+ RFC 7797 b64:false).

mod common;

use common::vectors::*;
use common::*;
use jwks_verify::jwk::thumbprint;
use jwks_verify::verify;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A time before the RFC 7515 examples' `exp` (1300819380).
const RFC7515_NOW: f64 = 1_300_819_370.0;
/// Some time well after it.
const TODAY: f64 = 1_750_000_000.0;

fn rfc7515_case(id: &str) -> Value {
    let file = json(RFC7515_APPENDIX_A);
    file["tests"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("no {id}")).clone()
}

fn assert_rfc7515_payload(verified: &verify::Verified) {
    assert_eq!(verified.payload["iss"], "joe");
    assert_eq!(verified.payload["exp"], 1_300_819_380u64);
    assert_eq!(verified.payload["http://example.com/is_root"], true);
}

// ------------------------------------------------------------------------------------------
// RFC 7515 Appendix A
// ------------------------------------------------------------------------------------------

#[test]
fn rfc7515_a1_hs256() {
    let case = rfc7515_case("RFC7515-A.1");
    let token = s(&case, "compact");
    let hs256 = options_with_algorithms(&["HS256"]);

    // The A.1 header contains CR LF; the signature covers those exact octets.
    let keys = keyset(&case["jwk"], true);
    let verified = verify_at(token, &keys, &hs256, RFC7515_NOW).expect("A.1 verifies");
    assert_rfc7515_payload(&verified);
    assert_eq!(verified.header["typ"], "JWT");
    assert_eq!(verified.header_json, s(&case, "protected_header_utf8"));

    // exp is in the past today.
    let err = verify_at(token, &keys, &hs256, TODAY).unwrap_err();
    assert_eq!(err.code(), "ERR_JWT_EXPIRED");
    assert_eq!(err.claim.as_deref(), Some("exp"));

    // HS256 needs the algorithms option...
    assert_eq!(code_of(&verify_at(token, &keys, &Default::default(), RFC7515_NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");
    // ... and an oct key needs allowPrivate.
    let public_only_set = keyset(&case["jwk"], false);
    assert!(!public_only_set.keys[0].usable());
    assert_eq!(code_of(&verify_at(token, &public_only_set, &hs256, RFC7515_NOW)), "ERR_JWKS_NO_MATCHING_KEY");

    // One flipped signature bit.
    let mut sig = b64u_decode(s(&case, "signature_b64u"));
    sig[0] ^= 1;
    let tampered = format!("{}.{}", s(&case, "signing_input"), b64u(&sig));
    assert_eq!(code_of(&verify_at(&tampered, &keys, &hs256, RFC7515_NOW)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

fn rfc7515_asymmetric(id: &str) {
    let case = rfc7515_case(id);
    let token = s(&case, "compact");
    let keys = keyset(&case["public_jwk"], false);
    let defaults = Default::default();
    let verified = verify_at(token, &keys, &defaults, RFC7515_NOW).unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_rfc7515_payload(&verified);
    assert_eq!(verified.key_index, 0);

    let err = verify_at(token, &keys, &defaults, TODAY).unwrap_err();
    assert_eq!((err.code(), err.claim.as_deref()), ("ERR_JWT_EXPIRED", Some("exp")), "{id}");

    // The private JWK is refused by default (private_key_material) and accepted with allowPrivate.
    let private_set = keyset(&case["jwk"], false);
    assert!(!private_set.keys[0].usable(), "{id}: private JWK must be unusable by default");
    assert!(private_set.diagnostics.iter().any(|d| d.code == "private_key_material"), "{id}");
    assert_eq!(code_of(&verify_at(token, &private_set, &defaults, RFC7515_NOW)), "ERR_JWKS_NO_MATCHING_KEY", "{id}");
    let private_allowed = keyset(&case["jwk"], true);
    assert!(verify_at(token, &private_allowed, &defaults, RFC7515_NOW).is_ok(), "{id}: private JWK with allowPrivate");

    // An allow-list without the token's alg.
    assert_eq!(code_of(&verify_at(token, &keys, &options_with_algorithms(&["PS256"]), RFC7515_NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");

    // A modified payload: the signature no longer matches.
    let (input, sig) = token.rsplit_once('.').unwrap();
    let (header, _) = input.split_once('.').unwrap();
    let other = format!("{header}.{}.{sig}", b64u(br#"{"iss":"joe","exp":1300819380,"http://example.com/is_root":true}"#));
    assert_eq!(code_of(&verify_at(&other, &keys, &defaults, RFC7515_NOW)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "{id}");
}

#[test]
fn rfc7515_a2_rs256() {
    rfc7515_asymmetric("RFC7515-A.2");
}

#[test]
fn rfc7515_a3_es256() {
    rfc7515_asymmetric("RFC7515-A.3");
}

/// A.4's payload is the text "Payload", not a JWT Claims Set: the JWS verifies, the JWT does not.
#[test]
fn rfc7515_a4_es512() {
    let case = rfc7515_case("RFC7515-A.4");
    assert_eq!(s(&case, "payload_utf8"), "Payload");
    let token = s(&case, "compact");
    let keys = keyset(&case["public_jwk"], false);
    let defaults = Default::default();
    assert_eq!(verify_signature_only(token, &keys, &defaults), Ok(0));
    assert_eq!(code_of(&verify_at(token, &keys, &defaults, RFC7515_NOW)), "ERR_JWT_INVALID");

    let mut sig = b64u_decode(s(&case, "signature_b64u"));
    assert_eq!(sig.len(), 132, "ES512 raw R||S");
    sig[131] ^= 0x80;
    let tampered = format!("{}.{}", s(&case, "signing_input"), b64u(&sig));
    assert_eq!(code_of(&verify_signature_only(&tampered, &keys, &defaults)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

#[test]
fn rfc7515_a5_unsecured_is_rejected() {
    let case = rfc7515_case("RFC7515-A.5");
    assert_eq!(case["expected"], "invalid");
    let token = s(&case, "compact");
    assert!(token.ends_with('.'), "unsecured JWS has an empty signature");
    // Any key set: "none" never reaches key selection.
    let keys = keyset(&rfc7515_case("RFC7515-A.2")["public_jwk"], false);
    assert_eq!(code_of(&verify_at(token, &keys, &Default::default(), RFC7515_NOW)), "ERR_JOSE_NOT_SUPPORTED");
    assert_eq!(code_of(&verify_at(token, &keys, &options_with_algorithms(&["RS256"]), RFC7515_NOW)), "ERR_JOSE_ALG_NOT_ALLOWED");
    // Even when a caller lists "none", it is never supported.
    assert_eq!(code_of(&verify_at(token, &keys, &options_with_algorithms(&["none"]), RFC7515_NOW)), "ERR_JOSE_NOT_SUPPORTED");
}

/// A.6/A.7 are JSON serializations; each signature re-assembled as compact JWS
/// (protected.payload.signature) verifies. The kids are in the unprotected header, so the
/// compact tokens have none: selection goes by alg alone over the 2-key set.
#[test]
fn rfc7515_a6_a7_as_compact() {
    let a6 = rfc7515_case("RFC7515-A.6");
    let keys = keyset(&a6["jwks"], false);
    assert_eq!(keys.keys.len(), 2);
    let payload = s(&a6["json_general"], "payload");
    let mut verified_with = Vec::new();
    for signature in a6["json_general"]["signatures"].as_array().unwrap() {
        let compact = format!("{}.{payload}.{}", s(signature, "protected"), s(signature, "signature"));
        let verified = verify_at(&compact, &keys, &Default::default(), RFC7515_NOW).expect("A.6 signature verifies");
        assert_rfc7515_payload(&verified);
        assert_eq!(keys.keys[verified.key_index].kid.as_deref(), signature["header"]["kid"].as_str());
        verified_with.push(verified.key_index);
    }
    assert_eq!(verified_with, vec![0, 1]);

    let a7 = rfc7515_case("RFC7515-A.7");
    let flat = &a7["json_flattened"];
    let compact = format!("{}.{}.{}", s(flat, "protected"), s(flat, "payload"), s(flat, "signature"));
    let keys = keyset(&a7["jwks"], false);
    assert_eq!(verify_at(&compact, &keys, &Default::default(), RFC7515_NOW).map(|v| v.key_index), Ok(0));
}

// ------------------------------------------------------------------------------------------
// RFC 8037 Ed25519 and RFC 7638 thumbprints
// ------------------------------------------------------------------------------------------

#[test]
fn rfc8037_ed25519() {
    let file = json(RFC8037_ED25519);
    let keys = keyset(&file["public_jwk"], false);
    assert!(keys.keys[0].usable());
    assert_eq!(keys.keys[0].thumbprint(), s(&file["thumbprint"], "b64u"));
    let defaults = Default::default();
    let tests = file["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2);
    for test in tests {
        let token = s(test, "compact");
        let result = verify_signature_only(token, &keys, &defaults);
        match s(test, "expected") {
            "valid" => {
                assert_eq!(result, Ok(0), "{}", test["id"]);
                // "Example of Ed25519 signing" is not a JWT Claims Set.
                assert_eq!(code_of(&verify_at(token, &keys, &defaults, TODAY)), "ERR_JWT_INVALID");
            }
            // The derived negative case changes the last payload character 'c' -> 'n', which
            // also sets the 2 unused trailing bits: a strict base64url decoder refuses the
            // token before any signature check.
            _ => assert_eq!(code_of(&result), "ERR_JWS_INVALID", "{}", test["id"]),
        }
    }
    // A canonical tamper (a middle payload character) reaches the signature check and fails it.
    let (header, rest) = s(&tests[0], "compact").split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    let mut payload = payload.to_owned();
    payload.replace_range(4..5, if &payload[4..5] == "A" { "B" } else { "A" });
    let tampered = format!("{header}.{payload}.{sig}");
    assert_eq!(code_of(&verify_signature_only(&tampered, &keys, &defaults)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    // The private JWK (d) is refused without allowPrivate, verifies with it.
    let token = s(&tests[0], "compact");
    assert_eq!(code_of(&verify_signature_only(token, &keyset(&file["private_jwk"], false), &defaults)), "ERR_JWKS_NO_MATCHING_KEY");
    assert_eq!(verify_signature_only(token, &keyset(&file["private_jwk"], true), &defaults), Ok(0));
    // EdDSA is asymmetric: allowed by default, refused when the allow-list omits it.
    assert_eq!(code_of(&verify_signature_only(token, &keys, &options_with_algorithms(&["ES256"]))), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[test]
fn cookbook_curve25519_jws() {
    let file = json(COOKBOOK_ED25519);
    let public = public_only(&file["input"]["key"]);
    assert!(public.get("d").is_none());
    let keys = keyset(&public, false);
    let token = s(&file["output"], "compact");
    assert_eq!(verify_signature_only(token, &keys, &Default::default()), Ok(0));
    // Same token as RFC 8037 A.4.
    assert_eq!(token, s(&json(RFC8037_ED25519)["tests"][0], "compact"));
}

#[test]
fn rfc7638_thumbprints() {
    let file = json(RFC7638_THUMBPRINT);
    let tests = file["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 2);
    for test in tests {
        let jwk = test["jwk"].as_object().unwrap();
        let expected = s(test, "thumbprint_b64u");
        // The data itself: SHA-256 over the canonical JSON.
        assert_eq!(b64u(&Sha256::digest(s(test, "canonical_json").as_bytes())), expected);
        assert_eq!(hex(s(test, "thumbprint_hex")), b64u_decode(expected));
        // Our thumbprint function, and the KeySet field.
        assert_eq!(thumbprint(jwk["kty"].as_str().unwrap(), jwk).as_deref(), Some(expected), "{}", test["id"]);
        let keys = keyset(&test["jwk"], false);
        assert_eq!(keys.keys[0].thumbprint(), expected, "{}", test["id"]);
        assert!(keys.keys[0].usable(), "{}", test["id"]);
    }
    // alg/kid and member order do not change the thumbprint.
    let mut reordered = serde_json::Map::new();
    let rsa = tests[0]["jwk"].as_object().unwrap();
    for name in ["n", "kid", "e", "alg", "kty"] {
        reordered.insert(name.to_owned(), rsa[name].clone());
    }
    reordered.insert("use".to_owned(), json!("sig"));
    assert_eq!(thumbprint("RSA", &reordered).as_deref(), Some(s(&tests[0], "thumbprint_b64u")));
    // A missing required member gives no thumbprint.
    reordered.remove("e");
    assert_eq!(thumbprint("RSA", &reordered), None);
}

// ------------------------------------------------------------------------------------------
// RFC 7517 A.1
// ------------------------------------------------------------------------------------------

#[test]
fn rfc7517_a1_jwks() {
    let file = json(RFC7517_A1_JWKS);
    let keys = keyset(&file["jwks"], false);
    assert_eq!(keys.keys.len(), 2);
    let ec = &keys.keys[0];
    let rsa = &keys.keys[1];

    assert_eq!((ec.kid.as_deref(), ec.kty.as_str(), ec.use_.as_deref(), ec.crv.as_deref()), (Some("1"), "EC", Some("enc"), Some("P-256")));
    assert!(!ec.usable(), "use:enc key must not verify");
    assert_eq!(ec.unusable_because.as_deref(), Some("use_not_sig"));
    assert!(keys.diagnostics.iter().any(|d| d.code == "use_not_sig" && d.index == Some(0)));

    assert_eq!((rsa.kid.as_deref(), rsa.kty.as_str(), rsa.alg.as_deref(), rsa.bits), (Some("2011-04-29"), "RSA", Some("RS256"), Some(2048)));
    assert!(rsa.usable());
    assert!(!keys.diagnostics.iter().any(|d| d.index == Some(1) && d.severity == jwks_verify::diagnostics::Severity::Error));

    let thumbprints = &file["derived_facts"]["thumbprints_sha256_b64u"];
    assert_eq!(ec.thumbprint(), s(thumbprints, "1"));
    assert_eq!(rsa.thumbprint(), s(thumbprints, "2011-04-29"));

    // Selection: kid "1" for ES256 finds nothing (filtered by use), and the message lists kids.
    let selection = keys.select(jwks_verify::Alg::ES256, Some("1"), 4);
    assert!(selection.candidates.is_empty());
    assert_eq!(selection.trace[0].filtered_by, Some("use"));
    let err = keys.no_match_error(jwks_verify::Alg::ES256, Some("1"), &selection);
    assert_eq!(err.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert!(err.message.contains("\"1\"") && err.message.contains("\"2011-04-29\""), "{}", err.message);
    // RS256 with kid 2011-04-29 selects the RSA key.
    assert_eq!(keys.select(jwks_verify::Alg::RS256, Some("2011-04-29"), 4).candidates, vec![1]);
    // PS256 does not: the key pins alg RS256.
    let ps = keys.select(jwks_verify::Alg::PS256, Some("2011-04-29"), 4);
    assert!(ps.candidates.is_empty());
    assert_eq!(ps.trace[1].filtered_by, Some("alg"));
}

// ------------------------------------------------------------------------------------------
// RFC 7520 cookbook
// ------------------------------------------------------------------------------------------

/// `output.compact` of a cookbook JWS verifies its signature with `key`; the payload (prose)
/// is not a JWT Claims Set.
fn cookbook_case(file_text: &str, key: &Value, allow_private: bool, algorithms: Option<&[&str]>) -> usize {
    let file = json(file_text);
    let token = s(&file["output"], "compact");
    let keys = keyset(key, allow_private);
    let opts = algorithms.map(options_with_algorithms).unwrap_or_default();
    let index = verify_signature_only(token, &keys, &opts).unwrap_or_else(|e| panic!("{}: {e}", file["title"]));
    assert_eq!(code_of(&verify_at(token, &keys, &opts, TODAY)), "ERR_JWT_INVALID", "{}", file["title"]);
    // The alg in the header is the input alg.
    let header = json(std::str::from_utf8(&b64u_decode(token.split('.').next().unwrap())).unwrap());
    assert_eq!(header["alg"], file["input"]["alg"]);
    // A flipped bit in the signature fails.
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut sig = b64u_decode(sig);
    let last = sig.len() - 1;
    sig[last / 2] ^= 0x01;
    let tampered = format!("{input}.{}", b64u(&sig));
    assert_eq!(code_of(&verify_signature_only(&tampered, &keys, &opts)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "{}", file["title"]);
    index
}

#[test]
fn cookbook_4_1_rs256() {
    let public = json(COOKBOOK_JWK_3_3);
    assert_eq!(cookbook_case(COOKBOOK_JWS_4_1, &public, false, None), 0);
    // The input key with its private members stripped is the same key.
    let stripped = public_only(&json(COOKBOOK_JWS_4_1)["input"]["key"]);
    assert_eq!(cookbook_case(COOKBOOK_JWS_4_1, &stripped, false, None), 0);
}

#[test]
fn cookbook_4_2_ps384() {
    assert_eq!(cookbook_case(COOKBOOK_JWS_4_2, &json(COOKBOOK_JWK_3_3), false, None), 0);
}

#[test]
fn cookbook_4_3_es512() {
    let public = json(COOKBOOK_JWK_3_1);
    assert_eq!(public["crv"], "P-521");
    assert_eq!(cookbook_case(COOKBOOK_JWS_4_3, &public, false, None), 0);
}

#[test]
fn cookbook_4_4_hs256() {
    let key = json(COOKBOOK_JWK_3_5);
    assert_eq!(cookbook_case(COOKBOOK_JWS_4_4, &key, true, Some(&["HS256"])), 0);
    // Without allowPrivate the oct key is not used.
    let file = json(COOKBOOK_JWS_4_4);
    let token = s(&file["output"], "compact");
    assert_eq!(code_of(&verify_signature_only(token, &keyset(&key, false), &options_with_algorithms(&["HS256"]))), "ERR_JWKS_NO_MATCHING_KEY");
}

/// jwk/3_6 is an encryption key (use enc, alg A256GCM): never usable, never selected for HS256,
/// even when its secret is the one that MACed the token.
#[test]
fn cookbook_3_6_encryption_key_never_verifies() {
    let enc = json(COOKBOOK_JWK_3_6);
    let sig = json(COOKBOOK_JWK_3_5);
    let both = keyset(&json!({ "keys": [sig, enc] }), true);
    assert!(both.keys[0].usable());
    assert!(!both.keys[1].usable());
    assert!(both.diagnostics.iter().any(|d| d.index == Some(1) && d.code == "use_not_sig"));
    let selection = both.select(jwks_verify::Alg::HS256, None, 4);
    assert_eq!(selection.candidates, vec![0]);
    assert!(selection.trace[1].filtered_by.is_some());

    // A token MACed with 3_6's secret, in 4_4's style (HS256, kid of the key).
    let secret = b64u_decode(s(&enc, "k"));
    let hs256 = options_with_algorithms(&["HS256"]);
    let header = format!(r#"{{"alg":"HS256","kid":"{}"}}"#, s(&enc, "kid"));
    let token = sign_hmac(&header, br#"{"sub":"x"}"#, &secret);
    assert_eq!(code_of(&verify_at(&token, &both, &hs256, TODAY)), "ERR_JWKS_NO_MATCHING_KEY");
    let token_no_kid = sign_hmac(r#"{"alg":"HS256"}"#, br#"{"sub":"x"}"#, &secret);
    // Without a kid the 3_5 key is tried, and fails.
    assert_eq!(code_of(&verify_at(&token_no_kid, &both, &hs256, TODAY)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    // Dropping its alg does not help: use "enc" still filters it.
    let mut enc_no_alg = enc.clone();
    enc_no_alg.as_object_mut().unwrap().remove("alg");
    let only_enc = keyset(&enc_no_alg, true);
    let selection = only_enc.select(jwks_verify::Alg::HS256, None, 4);
    assert!(selection.candidates.is_empty());
    assert_eq!(selection.trace[0].filtered_by, Some("use"));
    assert_eq!(code_of(&verify_at(&token_no_kid, &only_enc, &hs256, TODAY)), "ERR_JWKS_NO_MATCHING_KEY");
    // Control: the same secret as a signature key verifies.
    let as_sig = keyset(&oct_jwk(&secret, json!({"use": "sig"})), true);
    assert!(verify_at(&token_no_kid, &as_sig, &hs256, TODAY).is_ok());
}

/// RFC 7797 `b64: false` is not allowed in a JWT: ERR_JWT_INVALID, as jose. The cookbook's
/// compact form has an unencoded payload with spaces ("This is the payload string!"); the
/// header rule answers before the payload is base64url-decoded, so the code is not
/// ERR_JWS_INVALID.
#[test]
fn rfc7797_b64_false_is_rejected() {
    let file = json(COOKBOOK_RFC7797_COMPACT);
    let token = s(&file["output"], "compact");
    assert!(token.contains(' '), "unencoded payload");
    let keys = keyset(&file["input"]["key"], true);
    let hs256 = options_with_algorithms(&["HS256"]);
    let result = verify_at(token, &keys, &hs256, TODAY);
    assert!(result.is_err());
    assert_eq!(code_of(&result), "ERR_JWT_INVALID");
    // Also without allowPrivate/algorithms: the token itself is refused first.
    assert_eq!(code_of(&verify_at(token, &keyset(&file["input"]["key"], false), &Default::default(), TODAY)), "ERR_JWT_INVALID");

    // With a payload that happens to be valid base64url, the b64 rule itself answers.
    let header = r#"{"alg":"HS256","b64":false,"crit":["b64"]}"#;
    let input = format!("{}.{}", b64u(header.as_bytes()), "e30");
    let secret = b64u_decode(s(&file["input"]["key"], "k"));
    let token = format!("{input}.{}", b64u(&hmac_sign("HS256", &secret, input.as_bytes())));
    assert_eq!(code_of(&verify_at(&token, &keys, &hs256, TODAY)), "ERR_JWT_INVALID");
}
