//! Helpers shared by the native integration tests (and, later, the wasm-bindgen tests).
//!
//! Keep this module free of `std::fs`, threads and clocks: vector files are embedded with
//! `include_str!`, and "now" is always an explicit number.
#![allow(dead_code)]

use hmac::{Hmac, Mac};
use jwks_verify::crypto::RustCrypto;
use jwks_verify::encoding::{b64url_decode, b64url_encode};
use jwks_verify::error::JoseError;
use jwks_verify::verify::{self, Verified};
use jwks_verify::{KeySet, ParseOptions, VerifyOptions};
use serde_json::{json, Map, Value};
use sha2::{Sha256, Sha384, Sha512};

/// The staged vector files, embedded. Paths are relative to this file.
pub mod vectors {
    pub const KNOWN_ISSUES: &str = include_str!("../vectors/KNOWN_ISSUES.json");

    pub const RFC7515_APPENDIX_A: &str = include_str!("../vectors/rfc-examples/rfc7515_appendix_a.json");
    pub const RFC7517_A1_JWKS: &str = include_str!("../vectors/rfc-examples/rfc7517_appendix_a1_jwks.json");
    pub const RFC7638_THUMBPRINT: &str = include_str!("../vectors/rfc-examples/rfc7638_jwk_thumbprint.json");
    pub const RFC8037_ED25519: &str = include_str!("../vectors/rfc-examples/rfc8037_ed25519.json");

    pub const COOKBOOK_JWS_4_1: &str = include_str!("../vectors/rfc7520-cookbook/jws/4_1.rsa_v15_signature.json");
    pub const COOKBOOK_JWS_4_2: &str = include_str!("../vectors/rfc7520-cookbook/jws/4_2.rsa-pss_signature.json");
    pub const COOKBOOK_JWS_4_3: &str = include_str!("../vectors/rfc7520-cookbook/jws/4_3.ecdsa_signature.json");
    pub const COOKBOOK_JWS_4_4: &str = include_str!("../vectors/rfc7520-cookbook/jws/4_4.hmac-sha2_integrity_protection.json");
    pub const COOKBOOK_JWK_3_1: &str = include_str!("../vectors/rfc7520-cookbook/jwk/3_1.ec_public_key.json");
    pub const COOKBOOK_JWK_3_3: &str = include_str!("../vectors/rfc7520-cookbook/jwk/3_3.rsa_public_key.json");
    pub const COOKBOOK_JWK_3_5: &str = include_str!("../vectors/rfc7520-cookbook/jwk/3_5.symmetric_key_mac_computation.json");
    pub const COOKBOOK_JWK_3_6: &str = include_str!("../vectors/rfc7520-cookbook/jwk/3_6.symmetric_key_encryption.json");
    pub const COOKBOOK_ED25519: &str = include_str!("../vectors/rfc7520-cookbook/curve25519/jws.json");
    pub const COOKBOOK_RFC7797_COMPACT: &str = include_str!("../vectors/rfc7520-cookbook/rfc7797/hmac-sha2_b64_false.json");

    pub const WP_JWS: &str = include_str!("../vectors/wycheproof/testvectors_v1/json_web_signature_test.json");
    pub const WP_JWK: &str = include_str!("../vectors/wycheproof/testvectors_v1/json_web_key_test.json");
    pub const WP_ECDSA_P256: &str = include_str!("../vectors/wycheproof/testvectors_v1/ecdsa_secp256r1_sha256_p1363_test.json");
    pub const WP_ECDSA_P384: &str = include_str!("../vectors/wycheproof/testvectors_v1/ecdsa_secp384r1_sha384_p1363_test.json");
    pub const WP_ECDSA_P521: &str = include_str!("../vectors/wycheproof/testvectors_v1/ecdsa_secp521r1_sha512_p1363_test.json");
    pub const WP_RSA_SHA256: &str = include_str!("../vectors/wycheproof/testvectors_v1/rsa_signature_2048_sha256_test.json");
    pub const WP_RSA_SHA384: &str = include_str!("../vectors/wycheproof/testvectors_v1/rsa_signature_2048_sha384_test.json");
    pub const WP_RSA_SHA512: &str = include_str!("../vectors/wycheproof/testvectors_v1/rsa_signature_2048_sha512_test.json");
    pub const WP_PSS_2048_SHA256: &str = include_str!("../vectors/wycheproof/testvectors_v1/rsa_pss_2048_sha256_mgf1_32_test.json");
    pub const WP_PSS_4096_SHA384: &str = include_str!("../vectors/wycheproof/testvectors_v1/rsa_pss_4096_sha384_mgf1_48_test.json");
    pub const WP_PSS_4096_SHA512: &str = include_str!("../vectors/wycheproof/testvectors_v1/rsa_pss_4096_sha512_mgf1_64_test.json");
    pub const WP_ED25519: &str = include_str!("../vectors/wycheproof/testvectors_v1/ed25519_test.json");
    pub const WP_HMAC_SHA256: &str = include_str!("../vectors/wycheproof/testvectors_v1/hmac_sha256_test.json");
    pub const WP_HMAC_SHA384: &str = include_str!("../vectors/wycheproof/testvectors_v1/hmac_sha384_test.json");
    pub const WP_HMAC_SHA512: &str = include_str!("../vectors/wycheproof/testvectors_v1/hmac_sha512_test.json");
}

// ------------------------------------------------------------------------------------------
// Small utilities
// ------------------------------------------------------------------------------------------

pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("test data is not JSON: {e}"))
}

pub fn hex(text: &str) -> Vec<u8> {
    assert!(text.len() % 2 == 0, "odd-length hex: {text}");
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit")).collect()
}

pub fn b64u(bytes: &[u8]) -> String {
    b64url_encode(bytes)
}

pub fn b64u_decode(text: &str) -> Vec<u8> {
    b64url_decode(text).unwrap_or_else(|| panic!("not base64url: {text}"))
}

/// The string member `name` of a JSON object.
pub fn s<'a>(value: &'a Value, name: &str) -> &'a str {
    value[name].as_str().unwrap_or_else(|| panic!("missing string member {name:?} in {value}"))
}

/// A JWK without its private members (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`).
pub fn public_only(jwk: &Value) -> Value {
    let mut map = jwk.as_object().expect("JWK object").clone();
    for m in ["d", "p", "q", "dp", "dq", "qi", "oth"] {
        map.remove(m);
    }
    Value::Object(map)
}

pub fn parse_options(allow_private: bool) -> ParseOptions {
    ParseOptions { allow_private, ..ParseOptions::default() }
}

/// Parses a JWKS or a single JWK; panics only when the input is not a JWK (set) at all.
pub fn keyset(value: &Value, allow_private: bool) -> KeySet {
    KeySet::parse_value(value, parse_options(allow_private)).unwrap_or_else(|e| panic!("KeySet::parse_value: {e}"))
}

/// `VerifyOptions` from their JSON (camelCase) form, as the JS binding would pass them.
pub fn options(value: Value) -> VerifyOptions {
    VerifyOptions::from_json(&value).unwrap_or_else(|e| panic!("VerifyOptions: {e}"))
}

pub fn options_with_algorithms(algorithms: &[&str]) -> VerifyOptions {
    options(json!({ "algorithms": algorithms }))
}

/// The error code of a result, or "OK".
pub fn code_of<T>(result: &Result<T, JoseError>) -> &'static str {
    match result {
        Ok(_) => "OK",
        Err(e) => e.code(),
    }
}

/// The full pipeline with the pure-Rust backend.
/// Every call also runs the asynchronous-host form (prepare, try candidates, finish) and
/// asserts that it reaches the same verdict, error included.
pub fn verify_at(token: &str, keys: &KeySet, opts: &VerifyOptions, now: f64) -> Result<Verified, JoseError> {
    let verified = verify::verify(token, keys, opts, now, &RustCrypto);
    let prepared = verify::prepare(token, keys, opts).and_then(|p| {
        let index = p.verify_signature(keys, &RustCrypto)?;
        p.finish(index, opts, now)
    });
    match (&verified, &prepared) {
        (Ok(a), Ok(b)) => assert_eq!((a.key_index, &a.header_json, &a.payload_json), (b.key_index, &b.header_json, &b.payload_json)),
        (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "prepare/finish disagrees on {token}"),
        _ => panic!("verify and prepare/finish disagree on {token}: {verified:?} vs {prepared:?}"),
    }
    verified
}

/// Header rules, key selection and the signature, but not the payload/claims: for JWS whose
/// payload is not a JWT Claims Set. `Ok(index of the key that verified)`.
pub fn verify_signature_only(token: &str, keys: &KeySet, opts: &VerifyOptions) -> Result<usize, JoseError> {
    let prepared = verify::prepare(token, keys, opts)?;
    prepared.verify_signature(keys, &RustCrypto)
}

// ------------------------------------------------------------------------------------------
// Token construction
// ------------------------------------------------------------------------------------------

/// `b64(header).b64(payload)`: exact bytes of the given JSON texts (no re-serialisation).
pub fn signing_input(header_json: &str, payload: &[u8]) -> String {
    format!("{}.{}", b64u(header_json.as_bytes()), b64u(payload))
}

pub fn hmac_sign(alg: &str, key: &[u8], message: &[u8]) -> Vec<u8> {
    match alg {
        "HS256" => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        "HS384" => {
            let mut mac = Hmac::<Sha384>::new_from_slice(key).expect("any key length");
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        "HS512" => {
            let mut mac = Hmac::<Sha512>::new_from_slice(key).expect("any key length");
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        other => panic!("hmac_sign: unsupported {other}"),
    }
}

/// A compact JWS MACed with `key` under the header's HS256/384/512 algorithm (HS256 for any
/// other header, e.g. to build tokens with a bogus alg).
pub fn sign_hmac(header_json: &str, payload: &[u8], key: &[u8]) -> String {
    let alg = serde_json::from_str::<Value>(header_json)
        .ok()
        .and_then(|h| h.get("alg").and_then(Value::as_str).map(str::to_owned))
        .filter(|a| matches!(a.as_str(), "HS256" | "HS384" | "HS512"))
        .unwrap_or_else(|| "HS256".to_owned());
    let input = signing_input(header_json, payload);
    let tag = hmac_sign(&alg, key, input.as_bytes());
    format!("{input}.{}", b64u(&tag))
}

/// A compact ES256 JWS signed (deterministically, RFC 6979) with the P-256 scalar `d`.
pub fn sign_es256(header_json: &str, payload: &[u8], d: &[u8]) -> String {
    use p256::ecdsa::signature::Signer;
    let key = p256::ecdsa::SigningKey::from_slice(d).expect("valid P-256 scalar");
    let input = signing_input(header_json, payload);
    let signature: p256::ecdsa::Signature = key.sign(input.as_bytes());
    format!("{input}.{}", b64u(&signature.to_bytes()))
}

/// The public JWK of the P-256 scalar `d` (plus `extra` members such as kid/alg/use).
pub fn es256_public_jwk(d: &[u8], extra: Value) -> Value {
    let key = p256::ecdsa::SigningKey::from_slice(d).expect("valid P-256 scalar");
    let point = key.verifying_key().to_encoded_point(false);
    let mut jwk = json!({
        "kty": "EC",
        "crv": "P-256",
        "x": b64u(point.x().expect("uncompressed")),
        "y": b64u(point.y().expect("uncompressed")),
    });
    merge(&mut jwk, extra);
    jwk
}

/// An `oct` JWK holding `secret` (plus `extra` members).
pub fn oct_jwk(secret: &[u8], extra: Value) -> Value {
    let mut jwk = json!({ "kty": "oct", "k": b64u(secret) });
    merge(&mut jwk, extra);
    jwk
}

pub fn merge(target: &mut Value, extra: Value) {
    if let (Some(t), Value::Object(e)) = (target.as_object_mut(), extra) {
        for (k, v) in e {
            t.insert(k, v);
        }
    }
}

// ------------------------------------------------------------------------------------------
// Claims table (mirrors jose's validateClaimsSet), shared by native and wasm tests
// ------------------------------------------------------------------------------------------

/// The HS256 secret every claims case is MACed with (32 bytes, as RFC 7518 §3.2 requires).
pub const CLAIMS_SECRET: &[u8; 32] = b"claims-table-secret-0123456789ab";
pub const CLAIMS_KID: &str = "claims";
/// "now" of most cases: 2023-11-14T22:13:20Z.
pub const NOW: f64 = 1_700_000_000.0;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expect {
    Ok,
    /// code, claim, reason
    Err(&'static str, &'static str, &'static str),
}

#[derive(Debug, Clone, Copy)]
pub struct ClaimCase {
    pub name: &'static str,
    /// Extra protected-header members, as a JSON fragment starting with a comma (or "").
    pub header_extra: &'static str,
    /// The exact JWT Claims Set text.
    pub payload: &'static str,
    /// `VerifyOptions` JSON; `algorithms` defaults to `["HS256"]` when absent.
    pub options: &'static str,
    pub now: f64,
    pub expect: Expect,
}

const EXPIRED: &str = "ERR_JWT_EXPIRED";
const FAILED: &str = "ERR_JWT_CLAIM_VALIDATION_FAILED";

const fn case(name: &'static str, payload: &'static str, options: &'static str, expect: Expect) -> ClaimCase {
    ClaimCase { name, header_extra: "", payload, options, now: NOW, expect }
}

const fn case_at(name: &'static str, payload: &'static str, options: &'static str, now: f64, expect: Expect) -> ClaimCase {
    ClaimCase { name, header_extra: "", payload, options, now, expect }
}

const fn case_typ(name: &'static str, header_extra: &'static str, options: &'static str, expect: Expect) -> ClaimCase {
    ClaimCase { name, header_extra, payload: r#"{"exp":1700000100}"#, options, now: NOW, expect }
}

/// NOW = 1700000000. Numbers in the payloads are written out relative to it.
pub const CLAIM_CASES: &[ClaimCase] = &[
    // --- no claims, no options ---
    case("empty claims set", "{}", "{}", Expect::Ok),
    case("unregistered claims only", r#"{"foo":"bar","n":[1,2]}"#, "{}", Expect::Ok),
    // --- exp: expired when exp <= now - tolerance ---
    case("exp in the future", r#"{"exp":1700000001}"#, "{}", Expect::Ok),
    case("exp == now is expired", r#"{"exp":1700000000}"#, "{}", Expect::Err(EXPIRED, "exp", "check_failed")),
    case("exp in the past", r#"{"exp":1600000000}"#, "{}", Expect::Err(EXPIRED, "exp", "check_failed")),
    case("exp == now - tolerance is expired", r#"{"exp":1699999990}"#, r#"{"clockTolerance":10}"#, Expect::Err(EXPIRED, "exp", "check_failed")),
    case("exp == now - tolerance + 1 passes", r#"{"exp":1699999991}"#, r#"{"clockTolerance":10}"#, Expect::Ok),
    case("clockTolerance as text '10s' (boundary ok)", r#"{"exp":1699999991}"#, r#"{"clockTolerance":"10s"}"#, Expect::Ok),
    case("clockTolerance as text '10s' (boundary expired)", r#"{"exp":1699999990}"#, r#"{"clockTolerance":"10s"}"#, Expect::Err(EXPIRED, "exp", "check_failed")),
    case("fractional exp just above now passes", r#"{"exp":1700000000.5}"#, "{}", Expect::Ok),
    // Numbers are read as JavaScript reads them (correctly rounded): this exp is a tie
    // between two doubles and rounds to exactly now, so it is expired, as in jose.
    case_at("exp a rounding tie above now is now (expired)", r#"{"exp":1750000000.00000011920928955078125}"#, "{}", 1_750_000_000.0, Expect::Err(EXPIRED, "exp", "check_failed")),
    case_at("nbf a rounding tie above now is now (valid)", r#"{"nbf":1750000000.00000011920928955078125}"#, "{}", 1_750_000_000.0, Expect::Ok),
    case_at("exp just above the tie is after now", r#"{"exp":1750000000.0000001192092895507813}"#, "{}", 1_750_000_000.0, Expect::Ok),
    case("exp as string is invalid", r#"{"exp":"1700000100"}"#, "{}", Expect::Err(FAILED, "exp", "invalid")),
    case("exp null is invalid", r#"{"exp":null}"#, "{}", Expect::Err(FAILED, "exp", "invalid")),
    case("exp as bool is invalid", r#"{"exp":true}"#, "{}", Expect::Err(FAILED, "exp", "invalid")),
    // now is floored to whole seconds, as jose's epoch() does
    case_at("fractional now is floored (exp = floor(now) + 1 passes)", r#"{"exp":1700000001}"#, "{}", NOW + 0.9, Expect::Ok),
    case_at("fractional now is floored (exp = floor(now) expired)", r#"{"exp":1700000000}"#, "{}", NOW + 0.9, Expect::Err(EXPIRED, "exp", "check_failed")),
    // --- nbf: not yet valid when nbf > now + tolerance ---
    case("nbf == now passes", r#"{"nbf":1700000000}"#, "{}", Expect::Ok),
    case("nbf in the past passes", r#"{"nbf":1600000000}"#, "{}", Expect::Ok),
    case("nbf == now + 1 fails", r#"{"nbf":1700000001}"#, "{}", Expect::Err(FAILED, "nbf", "check_failed")),
    case("nbf == now + tolerance passes", r#"{"nbf":1700000010}"#, r#"{"clockTolerance":10}"#, Expect::Ok),
    case("nbf == now + tolerance + 1 fails", r#"{"nbf":1700000011}"#, r#"{"clockTolerance":10}"#, Expect::Err(FAILED, "nbf", "check_failed")),
    case_at("fractional now: nbf = floor(now) + 1 fails", r#"{"nbf":1700000001}"#, "{}", NOW + 0.9, Expect::Err(FAILED, "nbf", "check_failed")),
    case("nbf as string is invalid", r#"{"nbf":"0"}"#, "{}", Expect::Err(FAILED, "nbf", "invalid")),
    case("nbf is checked before exp", r#"{"nbf":1700000100,"exp":1600000000}"#, "{}", Expect::Err(FAILED, "nbf", "check_failed")),
    // --- iat ---
    case("iat in the future without maxTokenAge is not checked", r#"{"iat":1800000000}"#, "{}", Expect::Ok),
    case("iat as string is invalid even without maxTokenAge", r#"{"iat":"yesterday"}"#, "{}", Expect::Err(FAILED, "iat", "invalid")),
    case("iat type is checked before nbf/exp", r#"{"iat":"x","nbf":1800000000,"exp":1600000000}"#, "{}", Expect::Err(FAILED, "iat", "invalid")),
    // --- maxTokenAge: makes iat required; too old -> ERR_JWT_EXPIRED; future -> failed ---
    case("maxTokenAge: age == max passes", r#"{"iat":1699999700}"#, r#"{"maxTokenAge":300}"#, Expect::Ok),
    case("maxTokenAge: age == max + 1 is too old", r#"{"iat":1699999699}"#, r#"{"maxTokenAge":300}"#, Expect::Err(EXPIRED, "iat", "check_failed")),
    case("maxTokenAge: age == max + tolerance passes", r#"{"iat":1699999690}"#, r#"{"maxTokenAge":300,"clockTolerance":10}"#, Expect::Ok),
    case("maxTokenAge: age == max + tolerance + 1 is too old", r#"{"iat":1699999689}"#, r#"{"maxTokenAge":300,"clockTolerance":10}"#, Expect::Err(EXPIRED, "iat", "check_failed")),
    case("maxTokenAge as text '5m'", r#"{"iat":1699999699}"#, r#"{"maxTokenAge":"5m"}"#, Expect::Err(EXPIRED, "iat", "check_failed")),
    case("maxTokenAge as text '5 minutes' (boundary ok)", r#"{"iat":1699999700}"#, r#"{"maxTokenAge":"5 minutes"}"#, Expect::Ok),
    case("maxTokenAge: iat == now passes", r#"{"iat":1700000000}"#, r#"{"maxTokenAge":300}"#, Expect::Ok),
    case("maxTokenAge: iat in the future fails", r#"{"iat":1700000001}"#, r#"{"maxTokenAge":300}"#, Expect::Err(FAILED, "iat", "check_failed")),
    case("maxTokenAge: iat == now + tolerance passes", r#"{"iat":1700000010}"#, r#"{"maxTokenAge":300,"clockTolerance":10}"#, Expect::Ok),
    case("maxTokenAge: iat == now + tolerance + 1 fails", r#"{"iat":1700000011}"#, r#"{"maxTokenAge":300,"clockTolerance":10}"#, Expect::Err(FAILED, "iat", "check_failed")),
    case("maxTokenAge: missing iat", r#"{"exp":1700000100}"#, r#"{"maxTokenAge":300}"#, Expect::Err(FAILED, "iat", "missing")),
    case("maxTokenAge: iat as string is invalid", r#"{"iat":"1700000000"}"#, r#"{"maxTokenAge":300}"#, Expect::Err(FAILED, "iat", "invalid")),
    case("maxTokenAge 0 still requires iat", "{}", r#"{"maxTokenAge":0}"#, Expect::Err(FAILED, "iat", "missing")),
    case("maxTokenAge 0 bounds the age like any value (jose 6: !== undefined)", r#"{"iat":1699999999}"#, r#"{"maxTokenAge":0}"#, Expect::Err(EXPIRED, "iat", "check_failed")),
    case("maxTokenAge 0: iat == now passes", r#"{"iat":1700000000}"#, r#"{"maxTokenAge":0}"#, Expect::Ok),
    case("exp is checked before the token age", r#"{"iat":1000000000,"exp":1600000000}"#, r#"{"maxTokenAge":300}"#, Expect::Err(EXPIRED, "exp", "check_failed")),
    // --- iss ---
    case("issuer matches", r#"{"iss":"https://issuer.example"}"#, r#"{"issuer":"https://issuer.example"}"#, Expect::Ok),
    case("issuer list matches the second", r#"{"iss":"b"}"#, r#"{"issuer":["a","b"]}"#, Expect::Ok),
    case("issuer mismatch", r#"{"iss":"https://evil.example"}"#, r#"{"issuer":"https://issuer.example"}"#, Expect::Err(FAILED, "iss", "check_failed")),
    case("issuer comparison is exact (trailing slash)", r#"{"iss":"https://issuer.example/"}"#, r#"{"issuer":"https://issuer.example"}"#, Expect::Err(FAILED, "iss", "check_failed")),
    case("issuer missing", "{}", r#"{"issuer":"a"}"#, Expect::Err(FAILED, "iss", "missing")),
    case("iss not a string", r#"{"iss":["a"]}"#, r#"{"issuer":"a"}"#, Expect::Err(FAILED, "iss", "check_failed")),
    case("iss is not checked without the issuer option", r#"{"iss":42}"#, "{}", Expect::Ok),
    // --- sub ---
    case("subject matches", r#"{"sub":"alice"}"#, r#"{"subject":"alice"}"#, Expect::Ok),
    case("subject mismatch", r#"{"sub":"bob"}"#, r#"{"subject":"alice"}"#, Expect::Err(FAILED, "sub", "check_failed")),
    case("subject missing", "{}", r#"{"subject":"alice"}"#, Expect::Err(FAILED, "sub", "missing")),
    // --- aud ---
    case("audience string == aud string", r#"{"aud":"api"}"#, r#"{"audience":"api"}"#, Expect::Ok),
    case("audience in aud array", r#"{"aud":["other","api"]}"#, r#"{"audience":"api"}"#, Expect::Ok),
    case("any expected audience matches", r#"{"aud":"api2"}"#, r#"{"audience":["api1","api2"]}"#, Expect::Ok),
    case("audience mismatch", r#"{"aud":"other"}"#, r#"{"audience":"api"}"#, Expect::Err(FAILED, "aud", "check_failed")),
    case("audience mismatch (array)", r#"{"aud":["x","y"]}"#, r#"{"audience":["api"]}"#, Expect::Err(FAILED, "aud", "check_failed")),
    case("audience missing", "{}", r#"{"audience":"api"}"#, Expect::Err(FAILED, "aud", "missing")),
    case("aud not a string", r#"{"aud":7}"#, r#"{"audience":"7"}"#, Expect::Err(FAILED, "aud", "check_failed")),
    case("allowMultipleAudiences default true", r#"{"aud":["api","other"]}"#, r#"{"audience":"api"}"#, Expect::Ok),
    case("allowMultipleAudiences false: two values", r#"{"aud":["api","other"]}"#, r#"{"audience":"api","allowMultipleAudiences":false}"#, Expect::Err(FAILED, "aud", "multiple_audiences")),
    case("allowMultipleAudiences false: one-element array", r#"{"aud":["api"]}"#, r#"{"audience":"api","allowMultipleAudiences":false}"#, Expect::Ok),
    case("allowMultipleAudiences false: string", r#"{"aud":"api"}"#, r#"{"audience":"api","allowMultipleAudiences":false}"#, Expect::Ok),
    case("allowMultipleAudiences false without audience option", r#"{"aud":["a","b"]}"#, r#"{"allowMultipleAudiences":false}"#, Expect::Err(FAILED, "aud", "multiple_audiences")),
    case("audience mismatch is reported before multiple audiences", r#"{"aud":["x","y"]}"#, r#"{"audience":"api","allowMultipleAudiences":false}"#, Expect::Err(FAILED, "aud", "check_failed")),
    // --- presence order: iss, sub, aud, iat, then requiredClaims reversed ---
    case("missing: iss first", "{}", r#"{"issuer":"i","subject":"s","audience":"a","maxTokenAge":60,"requiredClaims":["jti","nonce"]}"#, Expect::Err(FAILED, "iss", "missing")),
    case("missing: then sub", r#"{"iss":"i"}"#, r#"{"issuer":"i","subject":"s","audience":"a","maxTokenAge":60,"requiredClaims":["jti","nonce"]}"#, Expect::Err(FAILED, "sub", "missing")),
    case("missing: then aud", r#"{"iss":"i","sub":"s"}"#, r#"{"issuer":"i","subject":"s","audience":"a","maxTokenAge":60,"requiredClaims":["jti","nonce"]}"#, Expect::Err(FAILED, "aud", "missing")),
    case("missing: then iat", r#"{"iss":"i","sub":"s","aud":"a"}"#, r#"{"issuer":"i","subject":"s","audience":"a","maxTokenAge":60,"requiredClaims":["jti","nonce"]}"#, Expect::Err(FAILED, "iat", "missing")),
    case("missing: then requiredClaims last-to-first", r#"{"iss":"i","sub":"s","aud":"a","iat":1700000000}"#, r#"{"issuer":"i","subject":"s","audience":"a","maxTokenAge":60,"requiredClaims":["jti","nonce"]}"#, Expect::Err(FAILED, "nonce", "missing")),
    case("missing: first requiredClaim last", r#"{"iss":"i","sub":"s","aud":"a","iat":1700000000,"nonce":"n"}"#, r#"{"issuer":"i","subject":"s","audience":"a","maxTokenAge":60,"requiredClaims":["jti","nonce"]}"#, Expect::Err(FAILED, "jti", "missing")),
    case("all present", r#"{"iss":"i","sub":"s","aud":"a","iat":1700000000,"nonce":"n","jti":"j"}"#, r#"{"issuer":"i","subject":"s","audience":"a","maxTokenAge":60,"requiredClaims":["jti","nonce"]}"#, Expect::Ok),
    case("presence is checked before values (wrong iss, missing sub)", r#"{"iss":"wrong"}"#, r#"{"issuer":"i","subject":"s"}"#, Expect::Err(FAILED, "sub", "missing")),
    case("requiredClaims: a null value counts as present", r#"{"jti":null}"#, r#"{"requiredClaims":["jti"]}"#, Expect::Ok),
    case("requiredClaims: exp required and missing", "{}", r#"{"requiredClaims":["exp"]}"#, Expect::Err(FAILED, "exp", "missing")),
    case("values are checked before times (iss mismatch, expired)", r#"{"iss":"x","exp":1600000000}"#, r#"{"issuer":"i"}"#, Expect::Err(FAILED, "iss", "check_failed")),
    // --- typ header: case-insensitive, "application/" optional ---
    case_typ("typ JWT == JWT", r#","typ":"JWT""#, r#"{"typ":"JWT"}"#, Expect::Ok),
    case_typ("typ jwt == JWT", r#","typ":"jwt""#, r#"{"typ":"JWT"}"#, Expect::Ok),
    case_typ("typ application/jwt == JWT", r#","typ":"application/jwt""#, r#"{"typ":"JWT"}"#, Expect::Ok),
    case_typ("typ JWT == application/JWT", r#","typ":"JWT""#, r#"{"typ":"application/JWT"}"#, Expect::Ok),
    case_typ("typ at+jwt == application/AT+JWT", r#","typ":"at+jwt""#, r#"{"typ":"application/AT+JWT"}"#, Expect::Ok),
    case_typ("typ mismatch", r#","typ":"JOSE""#, r#"{"typ":"JWT"}"#, Expect::Err(FAILED, "typ", "check_failed")),
    case_typ("typ with another media type prefix", r#","typ":"text/jwt""#, r#"{"typ":"JWT"}"#, Expect::Err(FAILED, "typ", "check_failed")),
    case_typ("typ missing in the header", "", r#"{"typ":"JWT"}"#, Expect::Err(FAILED, "typ", "check_failed")),
    case_typ("typ not a string", r#","typ":1"#, r#"{"typ":"JWT"}"#, Expect::Err(FAILED, "typ", "check_failed")),
    case_typ("typ not checked without the option", r#","typ":"anything""#, "{}", Expect::Ok),
    ClaimCase {
        name: "typ is checked before the claims",
        header_extra: r#","typ":"JOSE""#,
        payload: r#"{"exp":1600000000}"#,
        options: r#"{"typ":"JWT"}"#,
        now: NOW,
        expect: Expect::Err(FAILED, "typ", "check_failed"),
    },
];

pub fn claims_keyset() -> KeySet {
    keyset(&json!({ "keys": [oct_jwk(CLAIMS_SECRET, json!({ "kid": CLAIMS_KID, "alg": "HS256" }))] }), true)
}

pub fn claim_case_token(case: &ClaimCase) -> String {
    let header = format!(r#"{{"alg":"HS256","kid":"{CLAIMS_KID}"{}}}"#, case.header_extra);
    sign_hmac(&header, case.payload.as_bytes(), CLAIMS_SECRET)
}

/// Runs one claims case through the full pipeline; `Err(description)` when the outcome
/// differs from the table.
pub fn run_claim_case(case: &ClaimCase) -> Result<(), String> {
    let token = claim_case_token(case);
    let keys = claims_keyset();
    let mut opts: Value = serde_json::from_str(case.options).map_err(|e| format!("{}: options JSON: {e}", case.name))?;
    let map: &mut Map<String, Value> = opts.as_object_mut().ok_or_else(|| format!("{}: options must be an object", case.name))?;
    map.entry("algorithms").or_insert_with(|| json!(["HS256"]));
    let opts = VerifyOptions::from_json(&opts).map_err(|e| format!("{}: VerifyOptions: {e}", case.name))?;
    let result = verify_at(&token, &keys, &opts, case.now);
    let matches = match (&result, case.expect) {
        (Ok(verified), Expect::Ok) => {
            // The verified payload must be the table's payload, untouched.
            if verified.payload_json != case.payload {
                return Err(format!("{}: payload_json {:?} != {:?}", case.name, verified.payload_json, case.payload));
            }
            true
        }
        (Err(e), Expect::Err(code, claim, reason)) => {
            e.code() == code && e.claim.as_deref() == Some(claim) && e.reason.map(|r| r.as_str()) == Some(reason)
        }
        _ => false,
    };
    if matches {
        return Ok(());
    }
    let got = match &result {
        Ok(_) => "Ok".to_owned(),
        Err(e) => format!("Err({}, {:?}, {:?}): {}", e.code(), e.claim, e.reason.map(|r| r.as_str()), e.message),
    };
    Err(format!("{}: expected {:?}, got {got}", case.name, case.expect))
}
