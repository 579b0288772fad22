//! THE pipeline, for every profile: token -> header rules -> alg allow-list -> key candidates
//! -> signature shape -> host signature check -> registered claims -> the profile's own rules.
//!
//! The token is split and base64url-decoded once; the header and claims are read through
//! borrowing views ([`crate::json_view`]). A synchronous host (node:crypto, the pure-Rust code)
//! runs it in one call ([`run`]); an asynchronous one (WebCrypto) uses [`prepare`], checks the
//! candidates itself, then [`Prepared::finish`]es.

use crate::alg::Alg;
use crate::claims;
use crate::crypto::{shape_fits, SignatureVerifier};
use crate::error::{ErrorCode, JoseError, Result};
use crate::json_view::{JsonObject, Member, ObjectView};
use crate::jwk::Jwk;
use crate::jwks::{KeySet, Selection};
use crate::options::VerifyOptions;
use crate::token::{claims_view, header_view, parse_claims, Parts};
use serde_json::{Map, Value};

/// A profile: the `VerifyOptions` it verifies with, and the rules those cannot express, run
/// on the verified token's header and claims. Plain `verifyJwt` is the empty profile.
pub trait Profile {
    type Outcome;
    fn verify_options(&self) -> &VerifyOptions;
    /// Rules that must run before the registered-claim rules (claim types they leave open).
    fn precheck<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, _header: &H, _claims: &C) -> Result<()> {
        Ok(())
    }
    fn check<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, header: &H, claims: &C, now: f64) -> Result<Self::Outcome>;
}

impl Profile for VerifyOptions {
    type Outcome = ();
    fn verify_options(&self) -> &VerifyOptions {
        self
    }
    fn check<H: JsonObject + ?Sized, C: JsonObject + ?Sized>(&self, _: &H, _: &C, _: f64) -> Result<()> {
        Ok(())
    }
}

/// A verified token: the original JSON texts (member order kept) and the profile's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked<O> {
    pub header_json: String,
    pub payload_json: String,
    /// Index in the key set of the key that verified the signature.
    pub key_index: usize,
    pub outcome: O,
}

/// One key to try: the host answers whether `signature` is its signature of `signing_input`.
/// Only candidates whose signature has the shape the key needs get this far.
pub struct Candidate<'a> {
    pub alg: Alg,
    pub index: usize,
    pub key: &'a Jwk,
    pub signing_input: &'a [u8],
    pub signature: &'a [u8],
}

/// The whole pipeline with a synchronous host: `host` decides each candidate, in set order.
pub fn run<P: Profile>(token: &str, keys: &KeySet, profile: &P, now: f64, mut host: impl FnMut(&Candidate) -> Result<bool>) -> Result<Checked<P::Outcome>> {
    let options = profile.verify_options();
    let parts = Parts::split(token, options.max_token_length)?;
    let header_bytes = parts.header_bytes()?;
    let header = header_view(&header_bytes)?;
    let (payload, signature) = parts.payload_and_signature()?;
    let (alg, selection) = check_header(&header, keys, options)?;
    let signing_input = &token.as_bytes()[..parts.signed_len()];
    let mut verified = None;
    for index in fitting(alg, keys, &selection, &signature) {
        let candidate = Candidate { alg, index, key: &keys.keys[index], signing_input, signature: &signature };
        if host(&candidate)? {
            verified = Some(index);
            break;
        }
    }
    let key_index = verified.ok_or_else(JoseError::signature_failed)?;
    finish(&header, &header_bytes, payload, key_index, keys.issuer.as_deref(), profile, now)
}

/// The rules that need the token alone, in the pipeline's order: its form, the header's `crit`
/// and `alg`. A host that must find keys for the token (a `RemoteJwks`, a resolver, a
/// `TrustedIssuers`) runs these first, so that a token the pipeline refuses whatever the keys
/// makes no request and gets the error it gets with local keys (as jose checks the header
/// before it calls a key function).
pub fn check_before_keys(token: &str, options: &VerifyOptions) -> Result<()> {
    let parts = Parts::split(token, options.max_token_length)?;
    let header_bytes = parts.header_bytes()?;
    let header = header_view(&header_bytes)?;
    parts.payload_and_signature()?;
    header_alg(&header, options).map(|_| ())
}

/// The candidates whose signature shape fits, in set order.
fn fitting<'a>(alg: Alg, keys: &'a KeySet, selection: &'a Selection, signature: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    selection.candidates.iter().copied().filter(move |&index| shape_fits(alg, &keys.keys[index], signature))
}

/// After the signature: the issuer the key set is bound to, the registered claims, then the
/// profile's rules.
fn finish<P: Profile>(header: &ObjectView, header_bytes: &[u8], payload: Vec<u8>, key_index: usize, issuer: Option<&str>, profile: &P, now: f64) -> Result<Checked<P::Outcome>> {
    let claims = claims_view(&payload, claims::CLAIM_MEMBERS)?;
    profile.precheck(header, &claims)?;
    crate::trusted::check_bound_issuer(&claims, issuer)?;
    claims::validate(header, &claims, profile.verify_options(), now)?;
    let outcome = profile.check(header, &claims, now)?;
    drop(claims);
    let payload_json = String::from_utf8(payload).map_err(|_| JoseError::jwt_invalid("JWT Claims Set is not UTF-8"))?;
    let header_json = String::from_utf8(header_bytes.to_vec()).map_err(|_| JoseError::jws_invalid("JWS Protected Header is not UTF-8"))?;
    Ok(Checked { header_json, payload_json, key_index, outcome })
}

/// A token checked up to its signature, for an asynchronous host.
#[derive(Debug)]
pub struct Prepared {
    pub alg: Alg,
    token: String,
    signed_len: usize,
    header_bytes: Vec<u8>,
    payload: Vec<u8>,
    signature: Vec<u8>,
    /// The key-selection outcome (candidates before the shape check).
    pub selection: Selection,
    /// The candidates whose signature shape fits, in set order: the keys to try.
    pub candidates: Vec<usize>,
    /// The issuer the key set is bound to ([`KeySet::issuer`]).
    issuer: Option<String>,
}

/// Header rules, key selection and the shape check; no signature is checked yet.
pub fn prepare(token: &str, keys: &KeySet, options: &VerifyOptions) -> Result<Prepared> {
    let parts = Parts::split(token, options.max_token_length)?;
    let header_bytes = parts.header_bytes()?;
    let header = header_view(&header_bytes)?;
    let (payload, signature) = parts.payload_and_signature()?;
    let (alg, selection) = check_header(&header, keys, options)?;
    let candidates = fitting(alg, keys, &selection, &signature).collect();
    let signed_len = parts.signed_len();
    drop(header);
    Ok(Prepared { alg, token: token.to_owned(), signed_len, header_bytes, payload, signature, selection, candidates, issuer: keys.issuer.clone() })
}

impl Prepared {
    /// The octets the signature covers.
    pub fn signing_input(&self) -> &[u8] {
        &self.token.as_bytes()[..self.signed_len]
    }

    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The decoded payload octets (not yet parsed).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Tries each candidate with `backend`; the first that verifies wins.
    pub fn verify_signature(&self, keys: &KeySet, backend: &dyn SignatureVerifier) -> Result<usize> {
        for &index in &self.candidates {
            if backend.verify(self.alg, &keys.keys[index], self.signing_input(), &self.signature)? {
                return Ok(index);
            }
        }
        Err(JoseError::signature_failed())
    }

    /// After candidate `key_index` verified the signature: claims and the profile's rules.
    pub fn finish<P: Profile>(&self, key_index: usize, profile: &P, now: f64) -> Result<Checked<P::Outcome>> {
        let header = header_view(&self.header_bytes)?;
        finish(&header, &self.header_bytes, self.payload.clone(), key_index, self.issuer.as_deref(), profile, now)
    }
}

/// The result of [`verify`]: [`Checked`] with the header and payload also parsed.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Map<String, Value>,
    pub header_json: String,
    pub payload: Map<String, Value>,
    pub payload_json: String,
    pub key_index: usize,
}

/// The whole pipeline with one synchronous [`SignatureVerifier`] (the Rust API).
pub fn verify(token: &str, keys: &KeySet, options: &VerifyOptions, now: f64, backend: &dyn SignatureVerifier) -> Result<Verified> {
    let checked = run(token, keys, options, now, |c| backend.verify(c.alg, c.key, c.signing_input, c.signature))?;
    Ok(Verified::from(checked))
}

impl<O> From<Checked<O>> for Verified {
    fn from(checked: Checked<O>) -> Verified {
        let object = |text: &str| match crate::encoding::parse_json_strict(text.as_bytes()) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        Verified {
            header: object(&checked.header_json),
            payload: parse_claims(checked.payload_json.as_bytes()).unwrap_or_default(),
            header_json: checked.header_json,
            payload_json: checked.payload_json,
            key_index: checked.key_index,
        }
    }
}

/// crit, alg, kid, then key selection: the rules between the header's parse and the signature.
fn check_header(header: &(impl JsonObject + ?Sized), keys: &KeySet, options: &VerifyOptions) -> Result<(Alg, Selection)> {
    let alg = header_alg(header, options)?;
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

/// The header rules that need no key: `crit`, then `alg` (also run by [`check_before_keys`]).
fn header_alg(header: &(impl JsonObject + ?Sized), options: &VerifyOptions) -> Result<Alg> {
    check_crit(header, options)?;
    check_alg(header, options)
}

fn check_crit(header: &(impl JsonObject + ?Sized), options: &VerifyOptions) -> Result<()> {
    let Some(crit) = header.member("crit") else { return Ok(()) };
    let names = match crit {
        Member::Array(items) if !items.is_empty() && items.strings().all(|i| i.is_some_and(|s| !s.is_empty())) => items,
        _ => return Err(JoseError::jws_invalid("\"crit\" (Critical) Header Parameter MUST be an array of non-empty strings when present")),
    };
    for name in names.strings().flatten() {
        if name != "b64" && !options.crit.contains_key(name) {
            return Err(JoseError::not_supported(format!("Extension Header Parameter {} is not recognized", crate::quote::quoted(name))));
        }
        if !header.has(name) {
            return Err(JoseError::jws_invalid(format!("Extension Header Parameter {} is missing", crate::quote::quoted(name))));
        }
    }
    Ok(())
}

fn check_alg(header: &(impl JsonObject + ?Sized), options: &VerifyOptions) -> Result<Alg> {
    let Some(name) = header.str_member("alg").filter(|a| !a.is_empty()) else {
        return Err(JoseError::jws_invalid("JWS \"alg\" (Algorithm) Header Parameter missing or invalid"));
    };
    if options.algorithms.is_some() && !options.explicitly_lists(name) {
        return Err(JoseError::new(ErrorCode::AlgNotAllowed, format!("\"alg\" (Algorithm) Header Parameter value {} not allowed (allowed: {})", crate::quote::quoted(name), options.algorithms.as_deref().unwrap_or_default().join(", "))));
    }
    let Some(alg) = Alg::parse(name) else {
        return Err(JoseError::not_supported(format!("Unsupported \"alg\" value {} (\"none\" and unknown algorithms are never accepted)", crate::quote::quoted(name))));
    };
    if !options.allows(alg) {
        return Err(JoseError::new(ErrorCode::AlgNotAllowed, format!("\"alg\" {name} is symmetric; HS* tokens are accepted only when listed in the algorithms option")));
    }
    Ok(alg)
}
