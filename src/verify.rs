//! token -> header rules -> alg allow-list -> key candidates -> signature -> claims.
//!
//! The work is split so that an asynchronous host backend can sit in the middle:
//! [`prepare`] does everything up to the signature, [`Prepared::finish`] everything after.

use crate::alg::Alg;
use crate::claims;
use crate::crypto::SignatureVerifier;
use crate::error::{ErrorCode, JoseError, Result};
use crate::jwks::{KeySet, Selection};
use crate::options::VerifyOptions;
use crate::token::{parse_claims, UntrustedToken};
use serde_json::{Map, Value};

/// A token that passed every check that comes before the signature.
#[derive(Debug)]
pub struct Prepared {
    pub alg: Alg,
    pub token: UntrustedToken,
    pub selection: Selection,
}

/// The result of a successful verification.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Map<String, Value>,
    pub header_json: String,
    pub payload: Map<String, Value>,
    pub payload_json: String,
    /// Index in the key set of the key that verified the signature.
    pub key_index: usize,
}

/// Header rules and key selection; no signature is checked yet.
pub fn prepare(token: &str, keys: &KeySet, options: &VerifyOptions) -> Result<Prepared> {
    let token = UntrustedToken::parse(token, options.max_token_length)?;
    check_crit(&token.header, options)?;
    let alg = check_alg(&token.header, options)?;
    let kid = match token.header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.as_str()),
        // No key's kid can equal a non-string; jose reports that as no matching key too.
        Some(_) => return Err(JoseError::new(ErrorCode::NoMatchingKey, format!("the token's \"kid\" is not a string; no key can match it ({})", describe_kids(keys)))),
    };
    let selection = keys.select(alg, kid, options.max_candidates);
    if selection.candidates.is_empty() {
        return Err(keys.no_match_error(alg, kid, &selection));
    }
    Ok(Prepared { alg, token, selection })
}

impl Prepared {
    /// After `key_index` verified the signature: payload and claims.
    pub fn finish(&self, key_index: usize, options: &VerifyOptions, now: f64) -> Result<Verified> {
        let payload = parse_claims(self.token.payload())?;
        claims::validate(&self.token.header, &payload, options, now)?;
        let payload_json = String::from_utf8(self.token.payload().to_vec())
            .map_err(|_| JoseError::jwt_invalid("JWT Claims Set is not UTF-8"))?;
        Ok(Verified { header: self.token.header.clone(), header_json: self.token.header_json.clone(), payload, payload_json, key_index })
    }

    /// Tries each candidate in set order with `backend`; the first that verifies wins.
    pub fn verify_signature(&self, keys: &KeySet, backend: &dyn SignatureVerifier) -> Result<usize> {
        for &index in &self.selection.candidates {
            let key = &keys.keys[index];
            if backend.verify(self.alg, key, self.token.signing_input().as_bytes(), &self.token.signature)? {
                return Ok(index);
            }
        }
        Err(JoseError::signature_failed())
    }
}

/// The whole pipeline with one synchronous backend.
pub fn verify(token: &str, keys: &KeySet, options: &VerifyOptions, now: f64, backend: &dyn SignatureVerifier) -> Result<Verified> {
    let prepared = prepare(token, keys, options)?;
    let key_index = prepared.verify_signature(keys, backend)?;
    prepared.finish(key_index, options, now)
}

fn describe_kids(keys: &KeySet) -> String {
    let kids = keys.kids();
    if kids.is_empty() {
        "the set has no kids".to_owned()
    } else {
        format!("the set has kids [{}]", kids.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", "))
    }
}

fn check_crit(header: &Map<String, Value>, options: &VerifyOptions) -> Result<()> {
    let Some(crit) = header.get("crit") else { return Ok(()) };
    let names = match crit {
        Value::Array(items) if !items.is_empty() && items.iter().all(|i| i.as_str().is_some_and(|s| !s.is_empty())) => items,
        _ => return Err(JoseError::jws_invalid("\"crit\" (Critical) Header Parameter MUST be an array of non-empty strings when present")),
    };
    for name in names.iter().filter_map(Value::as_str) {
        if name != "b64" && !options.crit.contains_key(name) {
            return Err(JoseError::not_supported(format!("Extension Header Parameter \"{name}\" is not recognized")));
        }
        if !header.contains_key(name) {
            return Err(JoseError::jws_invalid(format!("Extension Header Parameter \"{name}\" is missing")));
        }
    }
    Ok(())
}

fn check_alg(header: &Map<String, Value>, options: &VerifyOptions) -> Result<Alg> {
    let Some(name) = header.get("alg").and_then(Value::as_str).filter(|a| !a.is_empty()) else {
        return Err(JoseError::jws_invalid("JWS \"alg\" (Algorithm) Header Parameter missing or invalid"));
    };
    if options.algorithms.is_some() && !options.explicitly_lists(name) {
        return Err(JoseError::new(ErrorCode::AlgNotAllowed, format!("\"alg\" (Algorithm) Header Parameter value \"{name}\" not allowed (allowed: {})", options.algorithms.as_deref().unwrap_or_default().join(", "))));
    }
    let Some(alg) = Alg::parse(name) else {
        return Err(JoseError::not_supported(format!("Unsupported \"alg\" value \"{name}\" (\"none\" and unknown algorithms are never accepted)")));
    };
    if !options.allows(alg) {
        return Err(JoseError::new(ErrorCode::AlgNotAllowed, format!("\"alg\" {name} is symmetric; HS* tokens are accepted only when listed in the algorithms option")));
    }
    Ok(alg)
}
