//! `TrustedIssuers` in the core (src/trusted.rs): which `iss` may pick keys, the issuer a key
//! set is bound to (run by the one pipeline, both host forms), the bounded issuer cache.

mod common;

use common::{code_of, es256_public_jwk, keyset, sign_es256, verify_at, NOW};
use jwks_verify::options::OptionValue;
use jwks_verify::trusted::{unverified_issuer, IssuerCache, Lookup, Trust, TrustedOptions, DEFAULT_MAX_ISSUERS};
use jwks_verify::{JoseError, KeySet, VerifyOptions};
use serde_json::{json, Value};

const FAILED: &str = "ERR_JWT_CLAIM_VALIDATION_FAILED";

fn scalar(seed: u8) -> [u8; 32] {
    let mut d = [seed; 32];
    d[0] = 0x11;
    d
}

fn issuer(i: usize) -> String {
    format!("https://tenant-{i}.example")
}

fn keys_of(i: usize, bound: Option<String>) -> KeySet {
    let mut set = keyset(&json!({ "keys": [es256_public_jwk(&scalar(i as u8 + 1), json!({ "kid": "k1" }))] }), false);
    set.issuer = bound;
    set
}

fn token(claims: &Value, signer: usize) -> String {
    sign_es256(r#"{"alg":"ES256","kid":"k1"}"#, claims.to_string().as_bytes(), &scalar(signer as u8 + 1))
}

fn claim_error(result: &Result<impl std::fmt::Debug, JoseError>) -> (String, String, String) {
    let err = result.as_ref().expect_err("refused");
    (err.code().to_owned(), err.claim.clone().unwrap_or_default(), err.reason.map(|r| r.as_str().to_owned()).unwrap_or_default())
}

fn list(issuers: &[&str]) -> Trust {
    Trust::read_list(&OptionValue::from_json(&json!(issuers))).expect("a valid list")
}

#[test]
fn a_bound_key_set_verifies_only_its_issuers_tokens_for_every_issuer_and_signer() {
    let options = VerifyOptions::default();
    for owner in 0..6 {
        for signer in 0..6 {
            for claimed in 0..6 {
                let t = token(&json!({ "iss": issuer(claimed), "sub": "s" }), signer);
                let result = verify_at(&t, &keys_of(owner, Some(issuer(owner))), &options, NOW);
                let accepted = signer == owner && claimed == owner;
                assert_eq!(result.is_ok(), accepted, "keys of {owner}, signed by {signer}, iss {claimed}: {result:?}");
                if signer == owner && claimed != owner {
                    assert_eq!(claim_error(&result), (FAILED.into(), "iss".into(), "check_failed".into()));
                }
            }
        }
    }
}

#[test]
fn a_bound_key_set_refuses_a_missing_or_non_string_iss_and_near_misses() {
    let options = VerifyOptions::default();
    let keys = keys_of(0, Some(issuer(0)));
    let missing = verify_at(&token(&json!({ "sub": "s" }), 0), &keys, &options, NOW);
    assert_eq!(claim_error(&missing), (FAILED.into(), "iss".into(), "missing".into()));
    let number = verify_at(&token(&json!({ "iss": 7 }), 0), &keys, &options, NOW);
    assert_eq!(claim_error(&number), (FAILED.into(), "iss".into(), "invalid".into()));
    for near in [format!("{}/", issuer(0)), issuer(0).to_uppercase(), format!("{} ", issuer(0)), issuer(0).replace("https", "http")] {
        let result = verify_at(&token(&json!({ "iss": near }), 0), &keys, &options, NOW);
        assert_eq!(claim_error(&result).2, "check_failed", "{near}");
    }
    // Unbound sets are unchanged.
    assert!(verify_at(&token(&json!({ "iss": "anything" }), 0), &keys_of(0, None), &options, NOW).is_ok());
}

#[test]
fn the_allow_list_is_an_exact_match_checked_on_the_decoded_token() {
    let trust = list(&["https://a.example", "https://b.example/tenant"]);
    let t = |iss: &str| token(&json!({ "iss": iss }), 0);
    assert_eq!(trust.issuer_of(&t("https://a.example"), 16384).unwrap(), "https://a.example");
    assert_eq!(trust.issuer_of(&t("https://b.example/tenant"), 16384).unwrap(), "https://b.example/tenant");
    for refused in ["https://a.example/", "HTTPS://a.example", "https://A.example", "https://b.example/tenant/", "https://b.example", "", "https://a.example#"] {
        assert_eq!(claim_error(&trust.issuer_of(&t(refused), 16384)), (FAILED.into(), "iss".into(), "check_failed".into()), "{refused:?}");
    }
    assert_eq!(claim_error(&trust.issuer_of(&token(&json!({ "sub": "x" }), 0), 16384)).2, "missing");
    assert_eq!(code_of(&trust.issuer_of("not.a.jwt", 16384)), "ERR_JWS_INVALID");
    let long = t("https://a.example");
    assert_eq!(code_of(&trust.issuer_of(&long, long.len() - 1)), "ERR_JWS_INVALID");
    assert_eq!(unverified_issuer(&long, long.len()).unwrap(), "https://a.example");
}

#[test]
fn a_predicate_trusts_only_an_exact_true_and_a_discoverable_issuer() {
    let trust = Trust::Predicate;
    assert!(trust.admit("https://a.example", Some(true)).is_ok());
    assert_eq!(claim_error(&trust.admit("https://a.example", Some(false))).2, "check_failed");
    assert_eq!(claim_error(&trust.admit("https://a.example", None)).2, "check_failed");
    for bad in ["file:///etc/passwd", "https://user:pw@a.example", "https://", "a.example", "https://a.example\n"] {
        assert!(trust.admit(bad, Some(true)).is_err(), "{bad:?}");
    }
    // The list form ignores any verdict.
    assert!(list(&["https://a.example"]).admit("https://b.example", Some(true)).is_err());
}

#[test]
fn an_issuer_discovery_cannot_use_is_refused_up_front_in_both_forms() {
    // OpenID Connect Discovery §2 / RFC 8414 §2: no query or fragment; discovery reads only a
    // lower-case scheme; a backslash is a "/" to a URL parser, so the host fetched is not the
    // host the text names (`https://a.example\\.b.example` is fetched from a.example).
    let unusable = ["https://a.example?x=1", "https://a.example/?", "https://a.example/t#f", "https://a.example#", "HTTPS://a.example", "Http://a.example", "https://a.example\\.b.example", "https://a.example/t\\.."];
    for bad in unusable {
        let err = Trust::read_list(&OptionValue::from_json(&json!(["https://ok.example", bad]))).expect_err(bad);
        assert_eq!(err.path, "[1]", "{bad}");
        assert_eq!(claim_error(&Trust::Predicate.admit(bad, Some(true))).2, "check_failed", "{bad}");
    }
    for good in ["https://a.example", "https://a.example/", "https://a.example/t/1", "http://127.0.0.1:8080/realms/x", "https://a.example:8443/p"] {
        assert!(Trust::read_list(&OptionValue::from_json(&json!([good]))).is_ok(), "{good}");
        assert!(Trust::Predicate.admit(good, Some(true)).is_ok(), "{good}");
    }
}

#[test]
fn issuer_lists_and_options_are_checked() {
    let bad = [json!([]), json!("https://a.example"), json!([1]), json!(["http//a.example"]), json!(["https://u@a.example"]), json!(["ftp://a.example"]), json!([" https://a.example"])];
    for value in bad {
        let err = Trust::read_list(&OptionValue::from_json(&value)).expect_err("refused");
        assert!(!err.message("TrustedIssuers").is_empty());
    }
    assert_eq!(TrustedOptions::from_json(&json!({})).unwrap().max_issuers, DEFAULT_MAX_ISSUERS);
    let options = TrustedOptions::from_json(&json!({ "maxIssuers": 3, "cooldownMs": 10, "timeoutMs": 100 })).unwrap();
    assert_eq!((options.max_issuers, options.remote.cooldown_ms), (3, 10.0));
    for wrong in [json!({ "maxIssuers": 0 }), json!({ "maxIssuers": -1 }), json!({ "maxIssuers": "3" }), json!({ "maxIssuer": 3 }), json!({ "timeoutMs": 0 }), json!({ "cooldownMs": -1 })] {
        assert!(TrustedOptions::from_json(&wrong).is_err(), "{wrong}");
    }
    let err = TrustedOptions::from_json(&json!({ "maxIssuer": 3 })).unwrap_err();
    assert!(err.message("TrustedIssuers").contains("maxIssuers"), "{}", err.message("TrustedIssuers"));
}

#[test]
fn the_issuer_cache_is_bounded_and_evicts_the_least_recently_used() {
    let mut cache = IssuerCache::new(3, 1000.0);
    for i in 0..3 {
        assert_eq!(cache.lookup(&issuer(i), 0.0), Lookup::Discover { evicted: None });
    }
    assert_eq!(cache.lookup(&issuer(0), 1.0), Lookup::Use);
    assert_eq!(cache.lookup(&issuer(3), 2.0), Lookup::Discover { evicted: Some(issuer(1)) });
    assert_eq!(cache.issuers(), vec![issuer(3), issuer(0), issuer(2)]);
    // Invariant over a long run: never more than `max`, and a held issuer is never discovered again.
    let mut cache = IssuerCache::new(5, 1000.0);
    let mut held: Vec<String> = Vec::new();
    for step in 0..2000usize {
        let name = issuer((step * 7919) % 13);
        match cache.lookup(&name, step as f64) {
            Lookup::Use => assert!(held.contains(&name)),
            Lookup::Discover { evicted } => {
                assert!(!held.contains(&name));
                if let Some(gone) = evicted {
                    assert_eq!(held.remove(0), gone, "the least recently used goes first");
                }
                held.push(name.clone());
            }
        }
        held.retain(|h| *h != name);
        held.push(name);
        assert!(cache.len() <= 5 && held.len() == cache.len());
    }
}

#[test]
fn a_failed_discovery_is_kept_for_the_cooldown_only() {
    let mut cache = IssuerCache::new(3, 1000.0);
    assert!(matches!(cache.lookup("https://a.example", 0.0), Lookup::Discover { .. }));
    cache.failed("https://a.example", 10.0);
    assert_eq!(cache.lookup("https://a.example", 500.0), Lookup::Use);
    assert_eq!(cache.lookup("https://a.example", 1009.0), Lookup::Use);
    assert_eq!(cache.lookup("https://a.example", 1010.0), Lookup::Discover { evicted: None });
    assert_eq!(cache.lookup("https://a.example", 1011.0), Lookup::Use);
    cache.failed("https://a.example", 2000.0);
    assert_eq!(cache.lookup("https://a.example", 1500.0), Lookup::Discover { evicted: None }, "a clock that went back");
}

#[test]
fn only_the_exact_text_of_a_listed_issuer_is_trusted_over_many_near_variants() {
    let allowed = ["https://a.example", "https://login.b.example/tenant/7", "http://127.0.0.1:8080/realms/x"];
    let trust = list(&allowed);
    // Deterministic variants: each character dropped, doubled, case-flipped, or replaced, plus
    // suffixes and prefixes a normaliser would strip or add.
    let mut variants = Vec::new();
    for issuer in allowed {
        let chars: Vec<char> = issuer.chars().collect();
        for i in 0..chars.len() {
            let mut dropped = chars.clone();
            dropped.remove(i);
            let mut doubled = chars.clone();
            doubled.insert(i, chars[i]);
            let mut flipped = chars.clone();
            flipped[i] = if chars[i].is_ascii_lowercase() { chars[i].to_ascii_uppercase() } else { chars[i].to_ascii_lowercase() };
            let mut replaced = chars.clone();
            replaced[i] = if chars[i] == 'x' { 'y' } else { 'x' };
            variants.extend([dropped, doubled, flipped, replaced].into_iter().map(|c| c.into_iter().collect::<String>()));
        }
        for affix in ["/", "#", "?", "/.", ":443", " ", "\u{0}", "%2F"] {
            variants.push(format!("{issuer}{affix}"));
            variants.push(format!("{affix}{issuer}"));
        }
    }
    let mut checked = 0;
    for variant in variants {
        let t = token(&json!({ "iss": variant }), 0);
        let result = trust.issuer_of(&t, 16384);
        assert_eq!(result.is_ok(), allowed.contains(&variant.as_str()), "{variant:?}");
        assert!(trust.admit(&variant, Some(true)).is_ok() == allowed.contains(&variant.as_str()), "{variant:?}");
        checked += 1;
    }
    assert!(checked > 300, "{checked}");
}
