//! The core's behaviour inside WebAssembly: the same claims table and third-party vectors as
//! the native tests, run by wasm-bindgen-test in Node (tests/wasm_node.rs) and in headless
//! Chromium and Firefox (tests/wasm_browser.rs).

use crate::common::vectors::*;
use crate::common::*;
use jwks_verify::{KeySet, VerifyOptions};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn claims_table() {
    let failures: Vec<String> = CLAIM_CASES.iter().filter_map(|case| run_claim_case(case).err()).collect();
    assert!(failures.is_empty(), "{} of {} claim cases failed in wasm:\n{}", failures.len(), CLAIM_CASES.len(), failures.join("\n"));
    assert!(CLAIM_CASES.len() >= 80, "only {} claim cases", CLAIM_CASES.len());
}

fn rfc7515_case(id: &str) -> Value {
    let file = json(RFC7515_APPENDIX_A);
    file["tests"].as_array().unwrap().iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("no {id}")).clone()
}

#[wasm_bindgen_test]
fn rfc7515_appendix_a_signatures() {
    for (id, alg, secret) in [("RFC7515-A.1", "HS256", true), ("RFC7515-A.2", "RS256", false), ("RFC7515-A.3", "ES256", false), ("RFC7515-A.4", "ES512", false)] {
        let case = rfc7515_case(id);
        let key = if secret { &case["jwk"] } else { &case["public_jwk"] };
        let keys = keyset(key, secret);
        let opts = options_with_algorithms(&[alg]);
        let token = s(&case, "compact");
        assert_eq!(verify_signature_only(token, &keys, &opts).map_err(|e| e.code()), Ok(0), "{id}");
        let mut tampered = token.to_owned();
        let last = tampered.pop().unwrap();
        // Swap the final character for another whose unused low bits are the same (zero).
        tampered.push(if last == 'A' { 'Q' } else { 'A' });
        assert!(verify_signature_only(&tampered, &keys, &opts).is_err(), "{id} tampered");
    }
    let none = rfc7515_case("RFC7515-A.5");
    let keys = keyset(&rfc7515_case("RFC7515-A.2")["public_jwk"], false);
    assert_eq!(code_of(&verify_signature_only(s(&none, "compact"), &keys, &VerifyOptions::default())), "ERR_JOSE_NOT_SUPPORTED");
}

#[wasm_bindgen_test]
fn rfc8037_ed25519() {
    let file = json(RFC8037_ED25519);
    let keys = keyset(&file["public_jwk"], false);
    let mut checked = 0;
    for case in file["tests"].as_array().unwrap() {
        let outcome = verify_signature_only(s(case, "compact"), &keys, &VerifyOptions::default());
        assert_eq!(outcome.is_ok(), case["expected"] == "valid", "{}", case["id"]);
        checked += 1;
    }
    assert_eq!(checked, 2);
}

#[wasm_bindgen_test]
fn rfc7638_thumbprints() {
    let file = json(RFC7638_THUMBPRINT);
    let mut checked = 0;
    for case in file["tests"].as_array().unwrap() {
        let keys = KeySet::parse_value(&case["jwk"], jwks_verify::ParseOptions { allow_private: true, ..Default::default() }).unwrap();
        assert_eq!(keys.keys[0].thumbprint(), s(case, "thumbprint_b64u"));
        checked += 1;
    }
    assert!(checked >= 2);
}

/// Wycheproof json_web_signature_test.json, with KNOWN_ISSUES.json's handling (see
/// tests/vectors_wycheproof.rs for the per-tcId reasons).
#[wasm_bindgen_test]
fn wycheproof_json_web_signature() {
    const SKIP: [u64; 2] = [367, 370];
    const EXPECT_INVALID: [u64; 6] = [372, 373, 346, 350, 347, 351];
    let file = json(WP_JWS);
    let (mut run, mut accepted, mut mismatches) = (0, 0, Vec::new());
    for group in file["testGroups"].as_array().unwrap() {
        let (key, secret) = match group.get("public") {
            Some(public) => (public, false),
            None => (&group["private"], true),
        };
        let keys = keyset(key, secret);
        let opts = if secret { options_with_algorithms(&["HS256"]) } else { VerifyOptions::default() };
        for test in group["tests"].as_array().unwrap() {
            let id = test["tcId"].as_u64().unwrap();
            if SKIP.contains(&id) {
                continue;
            }
            let valid = test["result"] == "valid" && !EXPECT_INVALID.contains(&id);
            let ok = verify_signature_only(s(test, "jws"), &keys, &opts).is_ok();
            run += 1;
            accepted += usize::from(ok);
            if ok != valid {
                mismatches.push(id);
            }
        }
    }
    assert!(mismatches.is_empty(), "Wycheproof JWS mismatches in wasm: {mismatches:?}");
    assert_eq!((run, accepted), (399, 40));
}

/// Options cross from JS values into the core's strict reader (src/bindings/options.rs) the
/// same way in Node, Chromium and Firefox: a wrong-typed value is a TypeError naming the
/// option, never "not set".
#[wasm_bindgen_test]
fn options_from_js_values_are_read_strictly() {
    use jwks_verify::bindings::{verify::verify_jwt, WasmKeySet};
    use wasm_bindgen::JsValue;
    let keys = WasmKeySet::parse_inline(r#"{"keys":[]}"#).unwrap_or_else(|_| panic!("parseInline"));
    let call = |name: &str, value: JsValue| {
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &JsValue::from_str(name), &value).unwrap();
        verify_jwt(&JsValue::from_str("a.b.c"), &keys, &options.into(), None).err().and_then(|e| e.as_string()).unwrap_or_default()
    };
    let function = js_sys::Function::new_no_args("return 1");
    let wrong: Vec<(&str, JsValue)> = vec![
        ("issuer", JsValue::NULL),
        ("audience", function.into()),
        ("subject", js_sys::Symbol::for_("s").into()),
        ("clockTolerance", JsValue::from_f64(f64::NAN)),
        ("maxTokenAge", JsValue::from_f64(f64::INFINITY)),
        ("currentDate", js_sys::Date::new(&JsValue::from_str("not a date")).into()),
        ("clockTolerance", JsValue::from_str(&format!("{}s", "9".repeat(400)))),
        ("algorithms", JsValue::from_str("RS256")),
        ("audiance", JsValue::from_str("api")),
    ];
    for (name, value) in wrong {
        let thrown = call(name, value);
        let parsed: Value = serde_json::from_str(&thrown).unwrap_or_else(|_| panic!("{name}: not an error JSON: {thrown}"));
        assert_eq!(parsed["name"], "TypeError", "{name}: {thrown}");
        assert_eq!(parsed["code"], "ERR_INVALID_OPTION", "{name}: {thrown}");
        assert!(parsed["message"].as_str().unwrap_or_default().contains(if name == "audiance" { "audience" } else { name }), "{name}: {thrown}");
    }
    // undefined is "not set": the token is then judged (and refused as malformed).
    let thrown = call("issuer", JsValue::UNDEFINED);
    assert!(thrown.contains("ERR_JWS_INVALID"), "{thrown}");
}
