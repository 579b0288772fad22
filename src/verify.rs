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
use crate::quote::quoted;
use crate::json_view::{JsonObject, Member};
use crate::token::{claims_view, header_object, parse_claims, Parts, UntrustedToken};
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

/// The result of [`verify_json`]: the original JSON texts, no parsed maps.
#[derive(Debug, Clone)]
pub struct VerifiedJson {
    pub header_json: String,
    pub payload_json: String,
    pub key_index: usize,
}

/// Every header member the rules before and after the signature read.
const HEADER_VIEW_MEMBERS: &[&str] = &["alg", "kid", "typ", "crit", "b64"];

/// Header rules and key selection; no signature is checked yet.
pub fn prepare(token: &str, keys: &KeySet, options: &VerifyOptions) -> Result<Prepared> {
    let token = UntrustedToken::parse(token, options.max_token_length)?;
    let (alg, selection) = check_header(&token.header, keys, options)?;
    Ok(Prepared { alg, token, selection })
}

/// The whole pipeline for a host backend, the same checks in the same order as
/// [`prepare`] → [`Prepared::verify_signature`] → [`Prepared::finish`], with the header
/// and claims read through borrowing views instead of maps. `check(alg, index, signing_input,
/// signature)` decides each candidate key (a key set index), in set order.
pub fn verify_json(token: &str, keys: &KeySet, options: &VerifyOptions, now: f64, mut check: impl FnMut(Alg, usize, &[u8], &[u8]) -> Result<bool>) -> Result<VerifiedJson> {
    debug_assert!(crate::token::HEADER_MEMBERS.iter().chain(claims::HEADER_MEMBERS).all(|m| HEADER_VIEW_MEMBERS.contains(m)));
    let parts = Parts::split(token, options.max_token_length)?;
    let header_bytes = parts.header_bytes()?;
    let header = header_object(crate::json_view::ObjectView::parse(&header_bytes, HEADER_VIEW_MEMBERS))?;
    crate::token::check_header_json(&header, &header_bytes)?;
    let (payload, signature) = parts.payload_and_signature()?;
    let (alg, selection) = check_header(&header, keys, options)?;
    let signing_input = &token.as_bytes()[..parts.signed_len()];
    let mut key_index = None;
    for &index in &selection.candidates {
        if check(alg, index, signing_input, &signature)? {
            key_index = Some(index);
            break;
        }
    }
    let key_index = key_index.ok_or_else(JoseError::signature_failed)?;
    let claims = claims_view(&payload, claims::CLAIM_MEMBERS)?;
    claims::validate(&header, &claims, options, now)?;
    drop((header, claims));
    let payload_json = String::from_utf8(payload).map_err(|_| JoseError::jwt_invalid("JWT Claims Set is not UTF-8"))?;
    let header_json = String::from_utf8(header_bytes).map_err(|_| JoseError::jws_invalid("JWS Protected Header is not UTF-8"))?;
    Ok(VerifiedJson { header_json, payload_json, key_index })
}

/// crit, alg, kid, then key selection: the rules between the header's parse and the signature.
fn check_header(header: &(impl JsonObject + ?Sized), keys: &KeySet, options: &VerifyOptions) -> Result<(Alg, Selection)> {
    check_crit(header, options)?;
    let alg = check_alg(header, options)?;
    let kid = match header.member("kid") {
        None => None,
        Some(Member::Str(kid)) => Some(kid),
        // No key's kid can equal a non-string; jose reports that as no matching key too.
        Some(_) => return Err(JoseError::new(ErrorCode::NoMatchingKey, format!("the token's \"kid\" is not a string; no key can match it ({})", keys.describe_kids())).with_kids(&keys.kids())),
    };
    let selection = keys.select(alg, kid, options.max_candidates);
    if selection.candidates.is_empty() {
        return Err(keys.no_match_error(alg, kid, &selection));
    }
    Ok((alg, selection))
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

    /// [`Prepared::finish`] without building the result: the claims are read through a view.
    /// Returns the payload's JSON text.
    pub fn check_claims(&self, options: &VerifyOptions, now: f64) -> Result<&str> {
        let claims = claims_view(self.token.payload(), claims::CLAIM_MEMBERS)?;
        claims::validate(&self.token.header, &claims, options, now)?;
        std::str::from_utf8(self.token.payload()).map_err(|_| JoseError::jwt_invalid("JWT Claims Set is not UTF-8"))
    }

    /// Tries each candidate in set order with `backend`; the first that verifies wins.
    pub fn verify_signature(&self, keys: &KeySet, backend: &dyn SignatureVerifier) -> Result<usize> {
        let signing_input = self.token.signing_input().as_bytes();
        for &index in &self.selection.candidates {
            if backend.verify(self.alg, &keys.keys[index], signing_input, &self.token.signature)? {
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

fn check_crit(header: &(impl JsonObject + ?Sized), options: &VerifyOptions) -> Result<()> {
    let Some(crit) = header.member("crit") else { return Ok(()) };
    let names = match crit {
        Member::Array(items) if !items.is_empty() && items.strings().all(|i| i.is_some_and(|s| !s.is_empty())) => items,
        _ => return Err(JoseError::jws_invalid("\"crit\" (Critical) Header Parameter MUST be an array of non-empty strings when present")),
    };
    for name in names.strings().flatten() {
        if name != "b64" && !options.crit.contains_key(name) {
            return Err(JoseError::not_supported(format!("Extension Header Parameter {} is not recognized", quoted(name))));
        }
        if !header.has(name) {
            return Err(JoseError::jws_invalid(format!("Extension Header Parameter {} is missing", quoted(name))));
        }
    }
    Ok(())
}

fn check_alg(header: &(impl JsonObject + ?Sized), options: &VerifyOptions) -> Result<Alg> {
    let Some(name) = header.str_member("alg").filter(|a| !a.is_empty()) else {
        return Err(JoseError::jws_invalid("JWS \"alg\" (Algorithm) Header Parameter missing or invalid"));
    };
    if options.algorithms.is_some() && !options.explicitly_lists(name) {
        return Err(JoseError::new(ErrorCode::AlgNotAllowed, format!("\"alg\" (Algorithm) Header Parameter value {} not allowed (allowed: {})", quoted(name), options.algorithms.as_deref().unwrap_or_default().join(", "))));
    }
    let Some(alg) = Alg::parse(name) else {
        return Err(JoseError::not_supported(format!("Unsupported \"alg\" value {} (\"none\" and unknown algorithms are never accepted)", quoted(name))));
    };
    if !options.allows(alg) {
        return Err(JoseError::new(ErrorCode::AlgNotAllowed, format!("\"alg\" {name} is symmetric; HS* tokens are accepted only when listed in the algorithms option")));
    }
    Ok(alg)
}
