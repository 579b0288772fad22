//! `explainClaims` and `explainAssertion` (src/explain.rs) against verification itself: over
//! the claims table and many generated tokens and options, the first rule an explanation
//! reports as failing is exactly the error verification gives (code, claim, reason), and every
//! rule passes when verification accepts. The page and the CLI show these rows, so they cannot
//! drift from the verdict.

mod common;

use common::{claim_case_token, claims_keyset, oct_jwk, keyset, run_claim_case, sign_hmac, verify_at, CLAIM_CASES, CLAIMS_KID, CLAIMS_SECRET, NOW};
use jwks_verify::assertion::{verify_assertion, AssertionOptions};
use jwks_verify::crypto::RustCrypto;
use jwks_verify::error::JoseError;
use jwks_verify::explain;
use jwks_verify::options::VerifyOptions;
use serde_json::{json, Map, Value};

/// (code, claim, reason) of an error; what a row reports.
type Verdict = Option<(String, String, String)>;

fn verdict_of<T>(result: &Result<T, JoseError>) -> Verdict {
    result.as_ref().err().map(|e| (e.code().to_owned(), e.claim.clone().unwrap_or_default(), e.reason.map(|r| r.as_str().to_owned()).unwrap_or_default()))
}

fn first_failure(rows: &Value) -> Verdict {
    let rows = rows.as_array().expect("rows");
    rows.iter().find(|r| r["ok"] == false).map(|r| {
        let text = |name: &str| r[name].as_str().unwrap_or_default().to_owned();
        (text("code"), text("claim"), text("reason"))
    })
}

fn assert_rows_shape(rows: &Value) {
    for row in rows.as_array().expect("rows") {
        assert!(row["id"].is_string() && row["claim"].is_string() && row["rule"].is_string(), "{row}");
        let failed = row["ok"] == false;
        assert_eq!(row["code"].is_string(), failed, "{row}");
        assert_eq!(row["message"].is_string(), failed, "{row}");
    }
}

/// A small deterministic generator (xorshift), so that a failure reproduces.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const STRINGS: &[&str] = &["client-1", "https://as.example", "https://as.example/token", "other", ""];

/// A claim value: absent (None), a fitting value, or one of the wrong type.
fn claim_value(g: &mut Gen, time: bool) -> Option<Value> {
    if g.chance(25) {
        return None;
    }
    if g.chance(15) {
        return Some(g.pick(&[json!(null), json!(true), json!({}), json!("1700000000"), json!(7)]).clone());
    }
    Some(if time {
        json!(NOW + *g.pick(&[-3600.0, -301.0, -31.0, -30.0, -1.0, 0.0, 0.5, 1.0, 29.0, 30.0, 31.0, 299.0, 300.0, 301.0, 3600.0]))
    } else if g.chance(20) {
        json!([g.pick(STRINGS), g.pick(STRINGS)])
    } else {
        json!(g.pick(STRINGS))
    })
}

/// A valid client assertion's claims, each member replaced by a generated value (or removed)
/// one time in five, so that both outcomes and every rule's failure occur.
fn payload(g: &mut Gen) -> Value {
    let valid = json!({ "iss": "client-1", "sub": "client-1", "aud": "https://as.example", "iat": NOW - 10.0, "exp": NOW + 50.0, "jti": "jti-1" });
    let mut claims = Map::new();
    for (name, time) in [("iss", false), ("sub", false), ("aud", false), ("exp", true), ("nbf", true), ("iat", true), ("jti", false)] {
        let value = if g.chance(20) || valid.get(name).is_none() { claim_value(g, time) } else { valid.get(name).cloned() };
        if let Some(value) = value {
            claims.insert(name.to_owned(), value);
        }
    }
    Value::Object(claims)
}

fn header(g: &mut Gen) -> String {
    let typ = if g.chance(70) { "" } else { g.pick(&[r#","typ":"JWT""#, r#","typ":"at+jwt""#, r#","typ":"client-authentication+jwt""#, r#","typ":7"#]) };
    format!(r#"{{"alg":"HS256","kid":"{CLAIMS_KID}"{typ}}}"#)
}

fn maybe(g: &mut Gen, options: &mut Map<String, Value>, name: &str, values: &[Value]) {
    if g.chance(50) {
        options.insert(name.to_owned(), g.pick(values).clone());
    }
}

fn verify_options(g: &mut Gen) -> Value {
    let mut o = Map::new();
    o.insert("algorithms".into(), json!(["HS256"]));
    maybe(g, &mut o, "issuer", &[json!("client-1"), json!(["other", "https://as.example"])]);
    maybe(g, &mut o, "audience", &[json!("https://as.example"), json!(["x", "https://as.example/token"])]);
    maybe(g, &mut o, "subject", &[json!("client-1")]);
    maybe(g, &mut o, "typ", &[json!("jwt"), json!("application/at+jwt")]);
    maybe(g, &mut o, "allowMultipleAudiences", &[json!(false), json!(true)]);
    maybe(g, &mut o, "clockTolerance", &[json!(0), json!(30), json!("1m")]);
    maybe(g, &mut o, "maxTokenAge", &[json!(0), json!(300), json!("1h")]);
    maybe(g, &mut o, "requiredClaims", &[json!(["jti"]), json!(["exp", "nbf"])]);
    Value::Object(o)
}

fn assertion_options(g: &mut Gen) -> Value {
    let mut o = Map::new();
    o.insert("clientId".into(), json!("client-1"));
    o.insert("audience".into(), g.pick(&[json!("https://as.example"), json!(["https://as.example", "https://as.example/token"])]).clone());
    o.insert("keys".into(), json!({ "keys": [] }));
    o.insert("algorithms".into(), json!(["HS256"]));
    o.insert("currentDate".into(), json!(NOW));
    maybe(g, &mut o, "profile", &[json!("strict"), json!("rfc7523")]);
    maybe(g, &mut o, "allowMultipleAudiences", &[json!(false), json!(true)]);
    maybe(g, &mut o, "clockTolerance", &[json!(0), json!(30), json!(60)]);
    maybe(g, &mut o, "maxLifetime", &[json!(60), json!(300), json!(3600)]);
    maybe(g, &mut o, "requireJti", &[json!(false), json!(true)]);
    Value::Object(o)
}

#[test]
fn explain_claims_agrees_with_the_claims_table() {
    let keys = claims_keyset();
    for case in CLAIM_CASES {
        run_claim_case(case).unwrap_or_else(|e| panic!("{e}"));
        let token = claim_case_token(case);
        let mut options: Value = serde_json::from_str(case.options).expect("options");
        options.as_object_mut().expect("object").entry("algorithms").or_insert_with(|| json!(["HS256"]));
        let options = VerifyOptions::from_json(&options).expect("options");
        let Ok(rows) = explain::claims(&token, &options, case.now) else {
            // A claims set that is not a JSON object is refused before any rule.
            assert!(verify_at(&token, &keys, &options, case.now).is_err(), "{}", case.name);
            continue;
        };
        assert_rows_shape(&rows);
        assert_eq!(first_failure(&rows), verdict_of(&verify_at(&token, &keys, &options, case.now)), "{}: {rows}", case.name);
    }
}

#[test]
fn explain_claims_agrees_with_verification_on_generated_tokens() {
    let keys = claims_keyset();
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let mut failures = 0;
    for _ in 0..1500 {
        let token = sign_hmac(&header(&mut g), payload(&mut g).to_string().as_bytes(), CLAIMS_SECRET);
        let options = VerifyOptions::from_json(&verify_options(&mut g)).expect("options");
        let now = NOW + *g.pick(&[0.0, 0.9]);
        let rows = explain::claims(&token, &options, now).expect("rows");
        assert_rows_shape(&rows);
        let verdict = verdict_of(&verify_at(&token, &keys, &options, now));
        failures += usize::from(verdict.is_some());
        assert_eq!(first_failure(&rows), verdict, "{token} {options:?}: {rows}");
    }
    assert!((150..1350).contains(&failures), "the generator should give both outcomes: {failures} failures of 1500");
}

#[test]
fn explain_assertion_agrees_with_check_assertion_on_generated_tokens() {
    let keys = keyset(&json!({ "keys": [oct_jwk(CLAIMS_SECRET, json!({ "kid": CLAIMS_KID }))] }), true);
    let mut g = Gen(0x2545_f491_4f6c_dd1d);
    let mut accepted = 0;
    for _ in 0..1500 {
        let token = sign_hmac(&header(&mut g), payload(&mut g).to_string().as_bytes(), CLAIMS_SECRET);
        let options = AssertionOptions::from_json(&assertion_options(&mut g)).expect("options");
        let rows = explain::assertion(&token, &options, NOW).expect("rows");
        assert_rows_shape(&rows);
        let result = verify_assertion(&token, &keys, &[], &options, NOW, &RustCrypto);
        accepted += usize::from(result.is_ok());
        assert_eq!(first_failure(&rows), verdict_of(&result), "{token} {options:?}: {rows}");
        let ids: Vec<_> = rows.as_array().expect("rows").iter().map(|r| r["id"].as_str().expect("id")).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "row ids repeat: {ids:?}");
    }
    assert!((50..1450).contains(&accepted), "the generator should give both outcomes: {accepted} accepted of 1500");
}

fn assertion_rows(claims: Value, options: Value) -> Vec<Value> {
    let token = sign_hmac(&format!(r#"{{"alg":"HS256","kid":"{CLAIMS_KID}"}}"#), claims.to_string().as_bytes(), CLAIMS_SECRET);
    let mut base = json!({ "clientId": "client-1", "audience": "https://as.example", "keys": {}, "currentDate": NOW });
    common::merge(&mut base, options);
    let options = AssertionOptions::from_json(&base).expect("options");
    explain::assertion(&token, &options, NOW).expect("rows").as_array().expect("rows").clone()
}

fn row<'a>(rows: &'a [Value], id: &str) -> Option<&'a Value> {
    rows.iter().find(|r| r["id"] == id)
}

#[test]
fn explain_assertion_names_each_rule_of_the_profile() {
    let claims = json!({ "iss": "client-1", "sub": "client-1", "aud": ["https://as.example", "https://x"], "iat": NOW, "exp": NOW + 600.0, "jti": "j" });
    let strict = assertion_rows(claims.clone(), json!({}));
    let ids: Vec<_> = strict.iter().map(|r| r["id"].as_str().unwrap_or_default()).collect();
    for id in ["iss", "sub", "aud", "aud_count", "exp_required", "jti_required", "nbf", "exp", "typ", "jti", "iat_not_future", "lifetime"] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let count = row(&strict, "aud_count").expect("aud_count");
    assert_eq!((count["ok"].clone(), count["reason"].clone()), (json!(false), json!("multiple_audiences")));
    assert_eq!(row(&strict, "iss").expect("iss")["expected"], json!(["client-1"]));
    assert_eq!(row(&strict, "iss").expect("iss")["rule"], "equals clientId");
    let lifetime = row(&strict, "lifetime").expect("lifetime");
    assert_eq!((lifetime["ok"].clone(), lifetime["reason"].clone()), (json!(false), json!("lifetime_too_long")));
    assert!(lifetime["rule"].as_str().unwrap_or_default().contains("300"), "{lifetime}");

    let relaxed = assertion_rows(claims.clone(), json!({ "profile": "rfc7523", "maxLifetime": 600 }));
    assert!(row(&relaxed, "aud_count").is_none(), "rfc7523 has no count rule");
    assert!(relaxed.iter().all(|r| r["ok"] == true), "{relaxed:?}");
    assert!(row(&assertion_rows(claims, json!({ "requireJti": false })), "jti_required").is_none());

    let federated = assertion_rows(
        json!({ "iss": "https://k8s", "sub": "w", "aud": "https://as.example", "exp": NOW + 60.0 }),
        json!({ "federated": [{ "issuer": "https://k8s", "subject": "w", "keys": {}, "singleUse": false }] }),
    );
    assert_eq!(row(&federated, "iss").expect("iss")["expected"], json!(["https://k8s"]));
    assert_eq!(row(&federated, "iss").expect("iss")["rule"], "equals the federated issuer");
    assert!(row(&federated, "jti_required").is_none());
    assert!(federated.iter().all(|r| r["ok"] == true), "{federated:?}");
}
