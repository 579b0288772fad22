//! Nothing panics on bad input: thousands of mutated tokens, key sets and JSON texts, each of
//! which must come back as `Ok` or as a `JoseError` with one of API.md's codes. A panic in wasm
//! would kill the instance, so this guards every path the bindings expose.

mod common;

use common::*;
use jwks_verify::encoding::b64url_encode;
use jwks_verify::{token, KeySet, ParseOptions};
use serde_json::json;

const CODES: [&str; 14] = [
    "ERR_JWS_INVALID", "ERR_JWT_INVALID", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ERR_JOSE_ALG_NOT_ALLOWED",
    "ERR_JOSE_NOT_SUPPORTED", "ERR_JWT_EXPIRED", "ERR_JWT_CLAIM_VALIDATION_FAILED", "ERR_JWK_INVALID",
    "ERR_JWKS_INVALID", "ERR_JWKS_NO_MATCHING_KEY", "ERR_JWKS_TIMEOUT", "ERR_JWKS_FETCH_FAILED",
    "ERR_JWT_REPLAYED", "ERR_WEBHOOK_BODY_MISMATCH",
];

/// xorshift64*: deterministic, so a failure names a reproducible iteration.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}[]:,\\\x00\xff";

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] = ALPHABET[rng.below(ALPHABET.len())];
            }
            1 => bytes.insert(at, ALPHABET[rng.below(ALPHABET.len())]),
            2 if !bytes.is_empty() => {
                bytes.remove(at.min(bytes.len() - 1));
            }
            _ => bytes.truncate(at),
        }
    }
    bytes
}

/// Checks the outcome and returns its name ("OK" or the code).
fn assert_known(result: Result<(), jwks_verify::JoseError>, what: &str) -> &'static str {
    match result {
        Ok(()) => "OK",
        Err(err) => {
            assert!(CODES.contains(&err.code()), "{what}: unknown code {}", err.code());
            assert!(!err.message.is_empty(), "{what}: empty message");
            err.code()
        }
    }
}

#[test]
fn mutated_tokens_never_panic() {
    let keys = claims_keyset();
    let options = options(json!({ "algorithms": ["HS256", "RS256", "ES256"], "issuer": "i", "audience": ["a", "b"], "maxTokenAge": 60, "requiredClaims": ["jti"], "crit": { "x": true } }));
    let payload = json!({ "iss": "i", "aud": ["a", "b"], "iat": NOW, "exp": NOW + 60.0, "jti": "j", "nested": { "k": [1, 2.5, null, true] } }).to_string();
    let header = r#"{"alg":"HS256","kid":"claims","typ":"JWT","crit":["x"],"x":1}"#;
    // Mutate the encoded token, and the JSON under a valid MAC (so the claims code runs too).
    let seeds = [sign_hmac(header, payload.as_bytes(), CLAIMS_SECRET)];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..20_000 {
        let token = if i % 2 == 0 {
            String::from_utf8_lossy(&mutate(&mut rng, seeds[0].as_bytes())).into_owned()
        } else {
            let h = String::from_utf8_lossy(&mutate(&mut rng, header.as_bytes())).into_owned();
            let p = mutate(&mut rng, payload.as_bytes());
            sign_hmac(&h, &p, CLAIMS_SECRET)
        };
        seen.insert(assert_known(verify_at(&token, &keys, &options, NOW).map(|_| ()), &format!("iteration {i}: {token}")));
        assert_known(token::decode(&token, 16384).map(|_| ()), &format!("decode, iteration {i}"));
    }
    // The mutations reach every stage: parsing, header rules, selection, signature, claims.
    for stage in ["OK", "ERR_JWS_INVALID", "ERR_JOSE_NOT_SUPPORTED", "ERR_JWKS_NO_MATCHING_KEY", "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "ERR_JWT_INVALID", "ERR_JWT_CLAIM_VALIDATION_FAILED"] {
        assert!(seen.contains(stage), "no mutation reached {stage}: {seen:?}");
    }
}

#[test]
fn mutated_key_sets_never_panic() {
    let set = json!({ "keys": [
        json(r#"{"kty":"RSA","kid":"r","alg":"RS256","use":"sig","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","x5t#S256":"abc"}"#),
        json!({ "kty": "EC", "crv": "P-256", "kid": "e", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", "key_ops": ["verify"] }),
        json!({ "kty": "OKP", "crv": "Ed25519", "kid": "o", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" }),
        json!({ "kty": "oct", "kid": "s", "k": b64url_encode(CLAIMS_SECRET), "x5c": ["MIIB"] }),
    ]})
    .to_string();
    let mut rng = Rng(0x5151_5151_1234_5678);
    for i in 0..5_000 {
        let text = String::from_utf8_lossy(&mutate(&mut rng, set.as_bytes())).into_owned();
        for allow_private in [false, true] {
            match KeySet::parse_str(&text, ParseOptions { allow_private, allow_weak_keys: i % 3 == 0 }) {
                Ok(keys) => {
                    for key in &keys.keys {
                        let _ = key.info();
                    }
                    let token = sign_hmac(r#"{"alg":"HS256","kid":"s"}"#, b"{}", CLAIMS_SECRET);
                    assert_known(verify_at(&token, &keys, &options(json!({ "algorithms": ["HS256"] })), NOW).map(|_| ()), &format!("set {i}"));
                }
                Err(err) => assert_eq!(err.code(), "ERR_JWKS_INVALID", "set {i}: {text}"),
            }
        }
    }
}

#[test]
fn hostile_json_shapes_never_panic() {
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let deep_object = format!("{}1{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    for text in [deep_array.as_str(), deep_object.as_str(), "1e999999", "-0", "\"\\ud800\"", "{\"a\":1e400}", "", "\u{feff}{}"] {
        let _ = KeySet::parse_str(text, ParseOptions::default());
        let header = format!(r#"{{"alg":"HS256","kid":"claims","x":{text}}}"#);
        let token = sign_hmac(&header, text.as_bytes(), CLAIMS_SECRET);
        assert_known(verify_at(&token, &claims_keyset(), &options(json!({ "algorithms": ["HS256"] })), NOW).map(|_| ()), "hostile JSON");
    }
}

/// `decodeJwt` reports every malformed input as jose's `decodeJwt` does: `ERR_JWT_INVALID`,
/// whichever part is at fault, and decodes what `decode` decodes.
#[test]
fn decode_jwt_reports_every_bad_input_as_jwt_invalid() {
    let payload = json!({ "iss": "i", "iat": NOW }).to_string();
    let seed = sign_hmac(r#"{"alg":"HS256","kid":"claims"}"#, payload.as_bytes(), CLAIMS_SECRET);
    let fixed = [
        "garbage".to_owned(),
        "a.b".to_owned(),
        "a.b.c.d.e".to_owned(),
        "eyJhbGciOiJub25lIn0.@@@.x".to_owned(),
        "eyJhbGciOiJub25lIn0..".to_owned(),
        "@@@.e30.".to_owned(),
        format!("eyJhbGciOiJub25lIn0.{}.", b64url_encode(b"[1]")),
        format!("eyJhbGciOiJub25lIn0.{}.", b64url_encode(b"null")),
        format!("{}.e30.", b64url_encode(br#"{"alg":"none","b64":"no"}"#)),
    ];
    for token in &fixed {
        let err = token::decode_jwt(token, 16384).err().unwrap_or_else(|| panic!("{token:?} decoded"));
        assert_eq!(err.code(), "ERR_JWT_INVALID", "{token:?}: {}", err.message);
    }
    assert!(token::decode_jwt(&seed, 16384).is_ok());
    // The size limit keeps its code of every path.
    let too_long = token::decode_jwt(&format!("{seed}{}", "A".repeat(16384)), 16384).err().map(|e| e.code());
    assert_eq!(too_long, Some("ERR_JWS_INVALID"));
    let mut rng = Rng(0x0dec_0de0_1234_abcd);
    let mut failures = 0;
    for i in 0..5_000 {
        let token = String::from_utf8_lossy(&mutate(&mut rng, seed.as_bytes())).into_owned();
        match (token::decode(&token, 16384), token::decode_jwt(&token, 16384)) {
            (Ok(_), Ok(_)) => {}
            (Err(_), Err(err)) => {
                failures += 1;
                assert_eq!(err.code(), "ERR_JWT_INVALID", "iteration {i}: {token:?}: {}", err.message);
            }
            _ => panic!("iteration {i}: decode and decode_jwt disagree on {token:?}"),
        }
    }
    assert!(failures > 1_000, "the mutations must reach the error paths ({failures})");
}
