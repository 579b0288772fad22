//! Wycheproof: the JWS and JWK(S) files end to end, and the primitive files through the
//! signature layer (`SignatureVerifier::verify`).

mod common;

use common::vectors::*;
use common::*;
use jwks_verify::crypto::{RustCrypto, SignatureVerifier};
use jwks_verify::jwk::Jwk;
use jwks_verify::{Alg, KeySet, ParseOptions, VerifyOptions};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

fn groups(file: &Value) -> &Vec<Value> {
    file["testGroups"].as_array().expect("testGroups")
}

fn tc_id(test: &Value) -> u64 {
    test["tcId"].as_u64().expect("tcId")
}

/// What happened to one token: accepted by key `n`, or rejected with an error code.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Accepted(usize),
    Rejected(&'static str),
}

fn signature_outcome(token: &str, keys: &KeySet, opts: &VerifyOptions) -> Outcome {
    match verify_signature_only(token, keys, opts) {
        Ok(index) => Outcome::Accepted(index),
        Err(e) => Outcome::Rejected(e.code()),
    }
}

// ------------------------------------------------------------------------------------------
// json_web_signature_test.json
// ------------------------------------------------------------------------------------------

/// KNOWN_ISSUES.json: byte-identical copies of the valid tcId 357, labelled invalid. Skipped.
const JWS_SKIP: [u64; 2] = [367, 370];
/// KNOWN_ISSUES.json: labelled valid, but we reject them on purpose:
/// 372/373 contain '?' (not base64url; strict decoding), 346/350 use a PS256 key for a
/// PS384 token and 347/351 a key with alg "ES521" (we enforce the key's alg).
const JWS_EXPECT_INVALID: [u64; 6] = [372, 373, 346, 350, 347, 351];

/// The error code we give for selected invalid cases (the others only need to fail).
const JWS_CODES: &[(u64, &str, &str)] = &[
    (2, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "modified MAC"),
    (3, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "empty MAC"),
    (4, "ERR_JWS_INVALID", "two parts"),
    (13, "ERR_JWS_INVALID", "empty string"),
    (15, "ERR_JWS_INVALID", "four parts"),
    (16, "ERR_JOSE_ALG_NOT_ALLOWED", "alg none, algorithms [HS256]"),
    (17, "ERR_JWS_INVALID", "JSON serialization"),
    (31, "ERR_JOSE_ALG_NOT_ALLOWED", "HS256 token for an EC key, default algorithms"),
    (331, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "PS512 header, RS256 signature"),
    (332, "ERR_JWKS_NO_MATCHING_KEY", "RS256 header, key pinned to PS512"),
    (341, "ERR_JOSE_NOT_SUPPORTED", "alg none"),
    (342, "ERR_JOSE_NOT_SUPPORTED", "alg NONE"),
    (343, "ERR_JOSE_NOT_SUPPORTED", "alg none with kid"),
    (344, "ERR_JOSE_NOT_SUPPORTED", "alg none with the key's kid"),
    (346, "ERR_JWKS_NO_MATCHING_KEY", "key alg PS256, token PS384"),
    (347, "ERR_JWKS_NO_MATCHING_KEY", "key alg ES521"),
    (350, "ERR_JWKS_NO_MATCHING_KEY", "key alg PS256, token PS384"),
    (351, "ERR_JWKS_NO_MATCHING_KEY", "key alg ES521"),
    (353, "ERR_JWKS_NO_MATCHING_KEY", "use enc"),
    (354, "ERR_JWKS_NO_MATCHING_KEY", "use enc"),
    (355, "ERR_JWKS_NO_MATCHING_KEY", "key_ops [encrypt]"),
    (356, "ERR_JWKS_NO_MATCHING_KEY", "key_ops [encrypt]"),
    (360, "ERR_JWS_INVALID", "spaces in MAC"),
    (365, "ERR_JWS_INVALID", "spaces in header"),
    (368, "ERR_JWS_INVALID", "spaces in payload"),
    (372, "ERR_JWS_INVALID", "'?' in header"),
    (373, "ERR_JWS_INVALID", "'?' in payload"),
    (374, "ERR_JWS_INVALID", "non-zero unused bits in payload"),
    (379, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ES256 signature too long"),
];

struct JwsCase {
    tc_id: u64,
    group: String,
    jws: String,
    valid: bool,
    outcome: Outcome,
    keys: KeySet,
    opts: VerifyOptions,
}

fn run_wycheproof_jws() -> Vec<JwsCase> {
    let file = json(WP_JWS);
    let mut cases = Vec::new();
    for group in groups(&file) {
        // Asymmetric groups carry the public key; oct groups only the (secret) "private" key.
        let (key, secret) = match group.get("public") {
            Some(public) => (public, false),
            None => (&group["private"], true),
        };
        assert_eq!(secret, key["kty"] == "oct", "group {}: public key presence vs kty", group["comment"]);
        let keys = keyset(key, secret);
        let opts = if secret { options_with_algorithms(&["HS256"]) } else { VerifyOptions::default() };
        for test in group["tests"].as_array().unwrap() {
            let id = tc_id(test);
            if JWS_SKIP.contains(&id) {
                continue;
            }
            let jws = s(test, "jws").to_owned();
            let valid = s(test, "result") == "valid" && !JWS_EXPECT_INVALID.contains(&id);
            let outcome = signature_outcome(&jws, &keys, &opts);
            cases.push(JwsCase { tc_id: id, group: group["comment"].as_str().unwrap_or("").to_owned(), jws, valid, outcome, keys: keys.clone(), opts: opts.clone() });
        }
    }
    cases
}

#[test]
fn wycheproof_json_web_signature() {
    let cases = run_wycheproof_jws();
    let mut failures = Vec::new();
    for case in &cases {
        match (&case.outcome, case.valid) {
            (Outcome::Accepted(_), true) | (Outcome::Rejected(_), false) => {}
            (outcome, valid) => failures.push(format!("tcId {} ({}): expected {}, got {outcome:?}", case.tc_id, case.group, if valid { "valid" } else { "invalid" })),
        }
    }
    assert!(failures.is_empty(), "{} Wycheproof JWS mismatches:\n{}", failures.len(), failures.join("\n"));

    // 401 tests minus the 2 skipped ones, every one executed.
    assert_eq!(cases.len(), 399);
    let valid = cases.iter().filter(|c| c.valid).count();
    // 46 labelled valid, minus the 6 we reject on purpose.
    assert_eq!(valid, 40);
    assert_eq!(cases.len() - valid, 359);

    // The codes of selected rejections.
    let by_id: BTreeMap<u64, &JwsCase> = cases.iter().map(|c| (c.tc_id, c)).collect();
    for (id, code, why) in JWS_CODES {
        assert_eq!(by_id[id].outcome, Outcome::Rejected(code), "tcId {id}: {why}");
    }
}

/// The valid JWS payloads ("foo", "", bytes...) are not JWT Claims Sets: after the signature,
/// `finish` rejects them as ERR_JWT_INVALID, except for payloads that are JSON objects.
#[test]
fn wycheproof_json_web_signature_payloads() {
    let mut objects = 0;
    let mut not_objects = 0;
    for case in run_wycheproof_jws().iter().filter(|c| c.valid) {
        let Outcome::Accepted(index) = case.outcome else { panic!("tcId {} not accepted", case.tc_id) };
        let prepared = jwks_verify::verify::prepare(&case.jws, &case.keys, &case.opts).unwrap();
        let is_object = matches!(serde_json::from_slice::<Value>(prepared.payload()), Ok(Value::Object(_)));
        let finished = prepared.finish(index, &case.opts, NOW);
        if is_object {
            objects += 1;
            assert!(finished.is_ok(), "tcId {}: {:?}", case.tc_id, finished.err());
        } else {
            not_objects += 1;
            assert_eq!(code_of(&finished), "ERR_JWT_INVALID", "tcId {}", case.tc_id);
        }
    }
    assert_eq!((objects, not_objects), (0, 40));
}

/// The skipped tcIds really are the valid token of tcId 357 (and so verify).
#[test]
fn wycheproof_json_web_signature_skipped_are_copies_of_357() {
    let file = json(WP_JWS);
    let all: BTreeMap<u64, &Value> = groups(&file).iter().flat_map(|g| g["tests"].as_array().unwrap()).map(|t| (tc_id(t), t)).collect();
    assert_eq!(all.len(), 401);
    for id in JWS_SKIP {
        assert_eq!(all[&id]["jws"], all[&357]["jws"], "tcId {id}");
        assert_eq!(all[&id]["result"], "invalid");
    }
    assert_eq!(all[&357]["result"], "valid");
}

/// 346/350: the key is pinned to PS256 and the token is PS384. With the key's alg corrected to
/// PS384 the signature verifies, so the rejection is about the alg pin alone.
/// 347/351: same with "ES521" corrected to "ES512".
#[test]
fn wycheproof_json_web_signature_key_alg_cases() {
    let file = json(WP_JWS);
    for group in groups(&file) {
        for test in group["tests"].as_array().unwrap() {
            let (fixed_alg, id) = match tc_id(test) {
                id @ (346 | 350) => ("PS384", id),
                id @ (347 | 351) => ("ES512", id),
                _ => continue,
            };
            let mut key = group["public"].clone();
            let keys = keyset(&key, false);
            assert!(keys.select(Alg::parse(fixed_alg).unwrap(), keys.keys[0].kid.as_deref(), 4).candidates.is_empty(), "tcId {id}");
            key["alg"] = json!(fixed_alg);
            let fixed = keyset(&key, false);
            assert_eq!(verify_signature_only(s(test, "jws"), &fixed, &VerifyOptions::default()), Ok(0), "tcId {id} with alg {fixed_alg}");
        }
    }
}

/// Our special cases are exactly the tcIds listed in KNOWN_ISSUES.json for this file.
#[test]
fn wycheproof_known_issues_are_all_handled() {
    let issues = json(KNOWN_ISSUES);
    let listed: BTreeSet<u64> = issues["wycheproof/testvectors_v1/json_web_signature_test.json"].as_array().unwrap().iter().map(tc_id).collect();
    let handled: BTreeSet<u64> = JWS_SKIP.iter().chain(JWS_EXPECT_INVALID.iter()).copied().collect();
    assert_eq!(listed, handled);
    // json_web_key_test.json: one entry lists the policy-dependent tcIds (with a
    // recommendation), another the intentionally mismatched keys 19/20 (no recommendation).
    let mut policy = BTreeSet::new();
    let mut intentional = BTreeSet::new();
    for entry in issues["wycheproof/testvectors_v1/json_web_key_test.json"].as_array().unwrap() {
        let ids = entry["tcIds"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap());
        if entry.get("recommendation").is_some() { policy.extend(ids) } else { intentional.extend(ids) }
    }
    let table_policy: BTreeSet<u64> = JWK_TABLE.iter().filter(|row| row.known_issue).map(|row| row.tc_id).collect();
    assert_eq!(policy, table_policy);
    assert_eq!(intentional, BTreeSet::from([19, 20]));
    for row in JWK_TABLE.iter().filter(|row| intentional.contains(&row.tc_id)) {
        assert!(!row.wycheproof_valid && row.default == NO_KEY && row.allow_private == NO_KEY, "tcId {}", row.tc_id);
    }
}

// ------------------------------------------------------------------------------------------
// json_web_key_test.json
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    /// Verified with the key at this index.
    Accept(usize),
    Reject(&'static str),
}

struct JwkRow {
    tc_id: u64,
    /// Wycheproof's label.
    wycheproof_valid: bool,
    /// Listed in KNOWN_ISSUES.json (policy-dependent).
    known_issue: bool,
    /// Our outcome with default ParseOptions.
    default: Want,
    /// Our outcome with allowPrivate (how a holder of the secret would verify HS*).
    allow_private: Want,
    why: &'static str,
}

const NO_KEY: Want = Want::Reject("ERR_JWKS_NO_MATCHING_KEY");
const BAD_SIG: Want = Want::Reject("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");

const fn row(tc_id: u64, wycheproof_valid: bool, known_issue: bool, default: Want, allow_private: Want, why: &'static str) -> JwkRow {
    JwkRow { tc_id, wycheproof_valid, known_issue, default, allow_private, why }
}

/// Every tcId of json_web_key_test.json with what we do. Sets without a "public" member are
/// secret (oct) sets; they verify only with allowPrivate.
const JWK_TABLE: &[JwkRow] = &[
    // Mixed set (oct secret + EC public). Wycheproof wants the whole set rejected. We judge keys
    // one by one: by default the oct key is unusable (private_key_material) so the HS256 token
    // finds no key; a caller who passes allowPrivate opts in to HS256 with that secret, and it
    // verifies. DIFFERS from Wycheproof under allowPrivate (policy, flagged Ambiguous).
    row(1, false, true, NO_KEY, Want::Accept(0), "mixed public/secret set"),
    row(2, true, false, NO_KEY, Want::Accept(0), "2 oct keys, kid picks the first"),
    row(3, false, false, NO_KEY, BAD_SIG, "modified MAC"),
    // Duplicate kid: we try both keys in set order (API.md key selection); the token is MACed
    // with the first one, so it verifies. DIFFERS from Wycheproof (policy, flagged Ambiguous);
    // the set gets a duplicate_kid warning.
    row(4, false, true, NO_KEY, Want::Accept(0), "duplicate kid"),
    row(5, true, false, Want::Accept(0), Want::Accept(0), "RS256 public key"),
    row(6, false, false, NO_KEY, NO_KEY, "use enc, alg RSA1_5"),
    // ROCA-vulnerable modulus (2049 bits): we do not fingerprint ROCA keys, so it verifies.
    // DIFFERS from Wycheproof.
    row(7, false, true, Want::Accept(0), Want::Accept(0), "ROCA-weak RSA key"),
    // 1024-bit RSA: weak_rsa_key, unusable unless allowWeakRsa.
    row(8, false, true, NO_KEY, NO_KEY, "1024-bit RSA key"),
    row(9, false, false, NO_KEY, NO_KEY, "RSA e = 1"),
    // HMAC keys shorter than the hash (RFC 7518 §3.2): key selection passes them over for that
    // algorithm (filtered by key_size), so no key matches.
    row(10, false, true, NO_KEY, NO_KEY, "31-byte HS256 key"),
    row(11, false, true, NO_KEY, NO_KEY, "47-byte HS384 key"),
    row(12, false, true, NO_KEY, NO_KEY, "63-byte HS512 key"),
    row(13, true, false, NO_KEY, Want::Accept(0), "65-byte HS256 key"),
    row(14, true, false, NO_KEY, Want::Accept(0), "65-byte HS384 key"),
    row(15, true, false, NO_KEY, Want::Accept(0), "65-byte HS512 key"),
    // Empty "k": invalid_key at parse time.
    row(16, false, true, NO_KEY, NO_KEY, "empty HS256 key"),
    row(17, false, true, NO_KEY, NO_KEY, "empty HS384 key"),
    row(18, false, true, NO_KEY, NO_KEY, "empty HS512 key"),
    row(19, false, false, NO_KEY, NO_KEY, "key alg ES521"),
    row(20, false, false, NO_KEY, NO_KEY, "key alg ES224"),
    row(21, false, false, NO_KEY, NO_KEY, "use enc"),
    row(22, false, false, NO_KEY, NO_KEY, "point not on the curve"),
    row(23, false, false, NO_KEY, NO_KEY, "crv P-384 with P-256 coordinates"),
    row(24, false, false, NO_KEY, NO_KEY, "kty RSA with EC members"),
    row(25, false, false, NO_KEY, NO_KEY, "oct key with alg A256GCM"),
    row(26, false, false, NO_KEY, NO_KEY, "oct key with alg A256KW"),
];

fn want_of(outcome: &Outcome) -> Want {
    match outcome {
        Outcome::Accepted(i) => Want::Accept(*i),
        Outcome::Rejected(code) => Want::Reject(code),
    }
}

#[test]
fn wycheproof_json_web_key() {
    let file = json(WP_JWK);
    let table: BTreeMap<u64, &JwkRow> = JWK_TABLE.iter().map(|r| (r.tc_id, r)).collect();
    assert_eq!(table.len(), JWK_TABLE.len(), "duplicate rows");
    let mut executed = 0;
    let mut differs_from_wycheproof = Vec::new();
    let mut failures = Vec::new();
    for group in groups(&file) {
        let set = group.get("public").unwrap_or(&group["private"]);
        assert!(set["keys"].is_array(), "JWK set");
        for test in group["tests"].as_array().unwrap() {
            let id = tc_id(test);
            let row = table.get(&id).unwrap_or_else(|| panic!("tcId {id} has no row"));
            let jws = s(test, "jws");
            assert_eq!(row.wycheproof_valid, s(test, "result") == "valid", "tcId {id}: label");
            let header: Value = serde_json::from_slice(&jwks_verify::token::Parts::split(jws, 16384).unwrap().header_bytes().unwrap()).unwrap();
            let alg = header["alg"].as_str().unwrap().to_owned();
            let opts = if alg.starts_with("HS") { options_with_algorithms(&["HS256", "HS384", "HS512"]) } else { VerifyOptions::default() };
            for (allow_private, want) in [(false, row.default), (true, row.allow_private)] {
                let keys = keyset(set, allow_private);
                let got = want_of(&signature_outcome(jws, &keys, &opts));
                if got != want {
                    failures.push(format!("tcId {id} ({}), allowPrivate {allow_private}: want {want:?}, got {got:?}", row.why));
                }
                if allow_private && matches!(got, Want::Accept(_)) != row.wycheproof_valid {
                    differs_from_wycheproof.push(id);
                }
            }
            executed += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(executed, 26);
    // Where our policy (with allowPrivate) differs from Wycheproof: all three are policy cases
    // listed in KNOWN_ISSUES.json.
    assert_eq!(differs_from_wycheproof, vec![1, 4, 7]);
    assert!(differs_from_wycheproof.iter().all(|id| table[id].known_issue));
}

/// tcId 8: the 1024-bit key is refused by policy only; allowWeakRsa lets the signature verify.
/// tcId 4: the set gets a duplicate_kid warning; tcId 1: the oct key gets private_key_material.
#[test]
fn wycheproof_json_web_key_diagnostics() {
    let file = json(WP_JWK);
    let find = |id: u64| -> (Value, String) {
        for group in groups(&file) {
            for test in group["tests"].as_array().unwrap() {
                if tc_id(test) == id {
                    return (group.get("public").unwrap_or(&group["private"]).clone(), s(test, "jws").to_owned());
                }
            }
        }
        panic!("no tcId {id}")
    };
    let (set, jws) = find(8);
    let weak = KeySet::parse_value(&set, ParseOptions { allow_weak_keys: true, ..Default::default() }).unwrap();
    assert_eq!(weak.keys[0].bits, Some(1024));
    assert!(weak.diagnostics.iter().any(|d| d.code == "weak_rsa_key"));
    assert_eq!(verify_signature_only(&jws, &weak, &VerifyOptions::default()), Ok(0));
    let strict = keyset(&set, false);
    assert_eq!(strict.keys[0].unusable_because.as_deref(), Some("weak_rsa_key"));

    let (set, _) = find(4);
    let keys = keyset(&set, true);
    assert!(keys.diagnostics.iter().any(|d| d.code == "duplicate_kid" && d.index == Some(1)));

    let (set, _) = find(1);
    let keys = keyset(&set, false);
    assert_eq!(keys.keys[0].unusable_because.as_deref(), Some("private_key_material"));
    assert!(keys.keys[1].usable(), "the EC public key of the mixed set is fine");

    let (set, _) = find(7);
    let keys = keyset(&set, false);
    assert_eq!(keys.keys[0].bits, Some(2049));
}

// ------------------------------------------------------------------------------------------
// Primitive files through the signature layer
// ------------------------------------------------------------------------------------------

#[derive(Debug, Default, PartialEq)]
struct Stats {
    executed: usize,
    verified: usize,
    /// Tests whose group key did not parse as usable.
    unusable_key_tests: usize,
}

/// The one usable-or-not key of a JWK.
fn single_key(jwk: &Value, allow_private: bool) -> Jwk {
    let keys = keyset(jwk, allow_private);
    assert_eq!(keys.keys.len(), 1);
    keys.keys[0].clone()
}

/// Runs each test of each group through `RustCrypto.verify`. `expect(group, test)` says
/// whether the test must verify; groups for which `key` returns None are skipped.
fn run_primitive(
    text: &str,
    key: impl Fn(&Value) -> Option<(Alg, Jwk)>,
    expect: impl Fn(&Value, &Value) -> bool,
) -> Stats {
    let file = json(text);
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    for group in groups(&file) {
        let Some((alg, jwk)) = key(group) else { continue };
        for test in group["tests"].as_array().unwrap() {
            let msg = hex(s(test, "msg"));
            let sig = hex(test.get("sig").or(test.get("tag")).and_then(Value::as_str).expect("sig/tag"));
            let verified = RustCrypto.verify(alg, &jwk, &msg, &sig).expect("backend runs");
            let want = expect(group, test);
            if !jwk.usable() {
                stats.unusable_key_tests += 1;
            }
            if verified != want {
                failures.push(format!(
                    "tcId {} ({}, {}, flags {}): want {want}, got {verified}{}",
                    test["tcId"],
                    test["comment"],
                    test["result"],
                    test["flags"],
                    if jwk.usable() { String::new() } else { format!(" [key unusable: {:?}]", jwk.unusable_because) }
                ));
            }
            stats.executed += 1;
            stats.verified += verified as usize;
        }
    }
    assert!(failures.is_empty(), "{} mismatches in {}:\n{}", failures.len(), file["schema"], failures.join("\n"));
    stats
}

fn is_valid(_: &Value, test: &Value) -> bool {
    // "acceptable" (RSA MissingNull) is rejected by this library: only "valid" verifies.
    s(test, "result") == "valid"
}

/// EC JWK of a group: publicKeyJwk, or built from publicKey.wx/wy (hex, maybe with a leading
/// 00, maybe shorter than the field) for the groups that have none.
fn ecdsa_key(group: &Value, alg: Alg, crv: &str, size: usize) -> Option<(Alg, Jwk)> {
    let jwk = match group.get("publicKeyJwk") {
        Some(jwk) => jwk.clone(),
        None => {
            let coordinate = |name: &str| {
                let mut bytes = hex(s(&group["publicKey"], name));
                while bytes.len() > size && bytes[0] == 0 {
                    bytes.remove(0);
                }
                assert!(bytes.len() <= size, "coordinate too long");
                let mut padded = vec![0u8; size - bytes.len()];
                padded.extend_from_slice(&bytes);
                b64u(&padded)
            };
            json!({ "kty": "EC", "crv": crv, "x": coordinate("wx"), "y": coordinate("wy") })
        }
    };
    assert_eq!(jwk["crv"], crv);
    Some((alg, single_key(&jwk, false)))
}

fn assert_all_keys_usable(stats: &Stats) {
    assert_eq!(stats.unusable_key_tests, 0, "some group keys were unusable");
}

#[test]
fn wycheproof_ecdsa_p256_p1363() {
    let stats = run_primitive(WP_ECDSA_P256, |g| ecdsa_key(g, Alg::ES256, "P-256", 32), is_valid);
    assert_eq!((stats.executed, stats.verified), (262, 173));
    assert_all_keys_usable(&stats);
}

#[test]
fn wycheproof_ecdsa_p384_p1363() {
    let stats = run_primitive(WP_ECDSA_P384, |g| ecdsa_key(g, Alg::ES384, "P-384", 48), is_valid);
    assert_eq!((stats.executed, stats.verified), (280, 193));
    assert_all_keys_usable(&stats);
}

#[test]
fn wycheproof_ecdsa_p521_p1363() {
    let stats = run_primitive(WP_ECDSA_P521, |g| ecdsa_key(g, Alg::ES512, "P-521", 66), is_valid);
    assert_eq!((stats.executed, stats.verified), (318, 231));
    assert_all_keys_usable(&stats);
}

fn rsa_key(group: &Value, member: &str, alg: Alg) -> Option<(Alg, Jwk)> {
    let jwk = &group[member];
    assert_eq!(jwk["alg"], alg.name());
    Some((alg, single_key(jwk, false)))
}

fn count_results(text: &str, result: &str) -> usize {
    groups(&json(text)).iter().flat_map(|g| g["tests"].as_array().unwrap()).filter(|t| t["result"] == result).count()
}

#[test]
fn wycheproof_rsa_pkcs1_sha256() {
    let stats = run_primitive(WP_RSA_SHA256, |g| rsa_key(g, "keyJwk", Alg::RS256), is_valid);
    assert_eq!((stats.executed, stats.verified), (259, 9));
    assert_eq!(count_results(WP_RSA_SHA256, "acceptable"), 1);
    assert_all_keys_usable(&stats);
}

#[test]
fn wycheproof_rsa_pkcs1_sha384() {
    let stats = run_primitive(WP_RSA_SHA384, |g| rsa_key(g, "keyJwk", Alg::RS384), is_valid);
    assert_eq!((stats.executed, stats.verified), (258, 7));
    assert_eq!(count_results(WP_RSA_SHA384, "acceptable"), 1);
    assert_all_keys_usable(&stats);
}

#[test]
fn wycheproof_rsa_pkcs1_sha512() {
    let stats = run_primitive(WP_RSA_SHA512, |g| rsa_key(g, "keyJwk", Alg::RS512), is_valid);
    assert_eq!((stats.executed, stats.verified), (259, 8));
    assert_eq!(count_results(WP_RSA_SHA512, "acceptable"), 1);
    assert_all_keys_usable(&stats);
}

fn pss_key(group: &Value, alg: Alg, hash: &str, salt: u64) -> Option<(Alg, Jwk)> {
    assert_eq!((s(group, "sha"), s(group, "mgfSha"), group["sLen"].as_u64()), (hash, hash, Some(salt)));
    rsa_key(group, "publicKeyJwk", alg)
}

#[test]
fn wycheproof_rsa_pss_2048_sha256() {
    let stats = run_primitive(WP_PSS_2048_SHA256, |g| pss_key(g, Alg::PS256, "SHA-256", 32), is_valid);
    assert_eq!((stats.executed, stats.verified), (108, 63));
    assert_all_keys_usable(&stats);
}

#[test]
fn wycheproof_rsa_pss_4096_sha384() {
    let stats = run_primitive(WP_PSS_4096_SHA384, |g| pss_key(g, Alg::PS384, "SHA-384", 48), is_valid);
    assert_eq!((stats.executed, stats.verified), (141, 95));
    assert_all_keys_usable(&stats);
}

#[test]
fn wycheproof_rsa_pss_4096_sha512() {
    let stats = run_primitive(WP_PSS_4096_SHA512, |g| pss_key(g, Alg::PS512, "SHA-512", 64), is_valid);
    assert_eq!((stats.executed, stats.verified), (179, 132));
    assert_all_keys_usable(&stats);
}

#[test]
fn wycheproof_ed25519() {
    let stats = run_primitive(WP_ED25519, |g| Some((Alg::EdDSA, single_key(&g["publicKeyJwk"], false))), is_valid);
    assert_eq!((stats.executed, stats.verified), (151, 88));
    assert_all_keys_usable(&stats);
}

/// HMAC groups with full-length tags only (JWS never truncates); the files carry the key per
/// test, so each test gets its own oct JWK. Keys shorter than the hash output are refused by
/// the backend (RFC 7518 §3.2), whatever Wycheproof says about raw HMAC.
fn run_hmac_per_test(text: &str, alg: Alg, hash_bits: u64) -> Stats {
    let file = json(text);
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    for group in groups(&file) {
        if group["tagSize"].as_u64() != Some(hash_bits) {
            continue;
        }
        let key_bits = group["keySize"].as_u64().unwrap();
        for test in group["tests"].as_array().unwrap() {
            let key = hex(s(test, "key"));
            assert_eq!(key.len() as u64 * 8, key_bits);
            let jwk = single_key(&oct_jwk(&key, json!({})), true);
            assert!(jwk.usable(), "tcId {}: oct key of {} bytes", test["tcId"], key.len());
            let verified = RustCrypto.verify(alg, &jwk, &hex(s(test, "msg")), &hex(s(test, "tag"))).unwrap();
            let want = s(test, "result") == "valid" && key_bits >= hash_bits;
            if verified != want {
                failures.push(format!("tcId {} ({}, key {key_bits} bits): want {want}, got {verified}", test["tcId"], test["comment"]));
            }
            stats.executed += 1;
            stats.verified += verified as usize;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    stats
}

#[test]
fn wycheproof_hmac_sha256() {
    // 81 tests with 256-bit keys (27 valid), 3 with 128-bit keys (valid in Wycheproof, refused
    // here), 3 with 520-bit keys (valid).
    assert_eq!(run_hmac_per_test(WP_HMAC_SHA256, Alg::HS256, 256), Stats { executed: 87, verified: 30, unusable_key_tests: 0 });
}

#[test]
fn wycheproof_hmac_sha384() {
    assert_eq!(run_hmac_per_test(WP_HMAC_SHA384, Alg::HS384, 384), Stats { executed: 87, verified: 30, unusable_key_tests: 0 });
}

#[test]
fn wycheproof_hmac_sha512() {
    assert_eq!(run_hmac_per_test(WP_HMAC_SHA512, Alg::HS512, 512), Stats { executed: 87, verified: 30, unusable_key_tests: 0 });
}

/// The short-key HMAC tests verify with raw HMAC (the data is right), so the refusal above is
/// the RFC 7518 §3.2 rule and nothing else.
#[test]
fn wycheproof_hmac_short_keys_are_correct_raw_hmac() {
    for (text, alg, hash_bits) in [(WP_HMAC_SHA256, "HS256", 256), (WP_HMAC_SHA384, "HS384", 384), (WP_HMAC_SHA512, "HS512", 512)] {
        let file = json(text);
        let mut checked = 0;
        for group in groups(&file).iter().filter(|g| g["tagSize"].as_u64() == Some(hash_bits) && g["keySize"].as_u64().unwrap() < hash_bits) {
            for test in group["tests"].as_array().unwrap() {
                assert_eq!(s(test, "result"), "valid");
                assert_eq!(hmac_sign(alg, &hex(s(test, "key")), &hex(s(test, "msg"))), hex(s(test, "tag")), "tcId {}", test["tcId"]);
                checked += 1;
            }
        }
        assert_eq!(checked, 3, "{alg}");
    }
}
