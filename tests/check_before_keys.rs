//! `verify::check_before_keys` is exactly the part of the pipeline that needs the token alone:
//! over many generated tokens (well-formed and not), when it refuses a token, the pipeline
//! refuses it with the same error whatever the key set; when it passes one, the pipeline never
//! refuses it for a reason it could have seen. A `RemoteJwks` runs it before fetching.

mod common;

use common::*;
use jwks_verify::verify::{check_before_keys, prepare};
use jwks_verify::{ErrorCode, KeySet, VerifyOptions};
use serde_json::json;

const SECRET: &[u8; 32] = b"check-before-keys-secret-000001!";

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

fn token(rng: &mut Rng) -> String {
    let alg = *rng.pick(&["\"HS256\"", "\"HS256\"", "\"HS256\"", "\"ES256\"", "\"RS256\"", "\"none\"", "\"XS1\"", "5", "\"\"", "null"]);
    let kid = *rng.pick(&["", ",\"kid\":\"k\"", ",\"kid\":5"]);
    let extra = *rng.pick(&[
        "",
        ",\"b64\":false,\"crit\":[\"b64\"]",
        ",\"b64\":\"no\"",
        ",\"crit\":[\"ext\"],\"ext\":1",
        ",\"crit\":[\"known\"],\"known\":1",
        ",\"crit\":[\"known\"]",
        ",\"crit\":[]",
        ",\"typ\":\"JWT\"",
    ]);
    let header = format!("{{\"alg\":{alg}{kid}{extra}}}");
    let mut token = sign_hmac(&header, br#"{"sub":"x"}"#, SECRET);
    // Damage one part now and then: a byte, a dot, padding, a truncation.
    match rng.next() % 6 {
        0 => {
            let at = rng.next() as usize % token.len();
            let byte = *rng.pick(b"!=.+A{");
            token.replace_range(at..=at, std::str::from_utf8(&[byte]).unwrap());
        }
        1 => token.truncate(rng.next() as usize % token.len()),
        _ => {}
    }
    token
}

fn key_sets() -> Vec<KeySet> {
    vec![
        keyset(&json!({ "keys": [] }), true),
        keyset(&json!({ "keys": [oct_jwk(SECRET, json!({ "kid": "k" }))] }), true),
        keyset(&json!({ "keys": [oct_jwk(SECRET, json!({}))] }), true),
    ]
}

#[test]
fn it_refuses_exactly_what_the_pipeline_refuses_before_the_keys() {
    let option_sets: Vec<VerifyOptions> = vec![
        VerifyOptions::default(),
        options(json!({ "algorithms": ["HS256"], "crit": { "known": true } })),
        options(json!({ "algorithms": ["ES256"] })),
        options(json!({ "algorithms": ["HS256"], "maxTokenLength": 60 })),
    ];
    let sets = key_sets();
    let mut rng = Rng(7);
    let (mut refused, mut passed) = (0, 0);
    for _ in 0..3000 {
        let token = token(&mut rng);
        for opts in &option_sets {
            let early = check_before_keys(&token, opts);
            for keys in &sets {
                let full = prepare(&token, keys, opts).map(|_| ());
                match &early {
                    Err(err) => assert_eq!(full.as_ref().err(), Some(err), "{token}"),
                    // Past the header, only the keys can refuse it before the signature.
                    Ok(()) => {
                        if let Err(err) = &full {
                            assert_eq!(err.code, ErrorCode::NoMatchingKey, "{token}: {err:?}");
                        }
                    }
                }
            }
            if early.is_err() { refused += 1 } else { passed += 1 }
        }
    }
    assert!(refused > 3000 && passed > 300, "refused {refused}, passed {passed}");
}
