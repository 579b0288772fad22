//! Explanations for people (`explainSelection`, `explainClaims`, `explainAssertion`,
//! `explainDpop`, `explainAccessToken`, the debugging page): the same rules verification runs, each reported instead of stopping at
//! the first failure.

use crate::alg::Alg;
use crate::assertion::AssertionOptions;
use crate::claims;
use crate::access_token::AccessTokenOptions;
use crate::dpop::{self, DpopOptions};
use crate::verify::Profile;
use crate::error::{ErrorCode, JoseError, Result};
use crate::json_view::{JsonObject, Member};
use crate::jwks::KeySet;
use crate::options::VerifyOptions;
use crate::token::{claims_view, header_view, Parts};
use serde_json::{json, Value};

/// The key-selection trace of a compact JWS (or of a protected header's JSON text, `{alg,
/// kid?}`): `{ alg, kid?, kids, candidates, trace: [{ index, kid?, filteredBy?, detail? }] }`.
pub fn selection(keys: &KeySet, token_or_header: &str, max_candidates: usize) -> Result<Value> {
    let header_bytes = if token_or_header.trim_start().starts_with('{') {
        token_or_header.as_bytes().to_vec()
    } else {
        Parts::split(token_or_header, usize::MAX)?.header_bytes()?
    };
    let header = header_view(&header_bytes)?;
    let Some(name) = header.str_member("alg").filter(|a| !a.is_empty()) else {
        return Err(JoseError::jws_invalid("JWS \"alg\" (Algorithm) Header Parameter missing or invalid"));
    };
    let alg = Alg::parse(name).ok_or_else(|| JoseError::not_supported(format!("Unsupported \"alg\" value {}", crate::quote::quoted(name))))?;
    let kid = match header.member("kid") {
        None => None,
        Some(Member::Str(kid)) => Some(kid),
        Some(_) => return Err(JoseError::new(ErrorCode::NoMatchingKey, format!("the token's \"kid\" is not a string; no key can match it ({})", keys.describe_kids()))),
    };
    let explanation = keys.explain(alg, kid, max_candidates);
    // Every key's kid, in set order (the trace's rows), where messages name each kid once.
    let kids: Vec<&str> = keys.keys.iter().filter_map(|k| k.kid.as_deref()).collect();
    let mut out = json!({ "alg": alg.name(), "kids": kids, "candidates": explanation.candidates, "trace": explanation.trace });
    if let Some(kid) = kid {
        out["kid"] = json!(kid);
    }
    Ok(out)
}

/// Every claim rule `options` switch on, run on the token's claims without its signature:
/// `[{ id, claim, rule, expected?, ok, code?, reason?, message? }]`, in the order verification
/// runs them.
pub fn claims(token: &str, options: &VerifyOptions, now: f64) -> Result<Value> {
    let parts = Parts::split(token, options.max_token_length)?;
    let header_bytes = parts.header_bytes()?;
    let header = header_view(&header_bytes)?;
    let (payload, _) = parts.payload_and_signature()?;
    let payload = claims_view(&payload, claims::CLAIM_MEMBERS)?;
    let rows = claims::rules(options).into_iter().map(|rule| {
        let outcome = claims::check(rule, &header, &payload, options, now);
        row(&rule.id(), rule.claim(), rule.describe(), rule.expected(options), outcome)
    });
    Ok(Value::Array(rows.collect()))
}

/// Every rule `checkAssertion` runs with `options` on the token's claims, without its
/// signature, in its order: the rules of the `VerifyOptions` the assertion's route derives
/// (`iss` = `sub` = clientId, audience, profile, `exp` and `jti` required), then the assertion's
/// own (`typ`, `jti` form, `iat` not in the future, lifetime); rows as [`claims`] gives them.
/// The route (client or federated issuer) is the one verification takes: the `iss` row's
/// `expected` names it.
pub fn assertion(token: &str, options: &AssertionOptions, now: f64) -> Result<Value> {
    let parts = Parts::split(token, options.max_token_length)?;
    let header_bytes = parts.header_bytes()?;
    let header = header_view(&header_bytes)?;
    let (payload, _) = parts.payload_and_signature()?;
    let payload = claims_view(&payload, claims::CLAIM_MEMBERS)?;
    let route = options.route(token);
    let verify = options.verify_options(route);
    let mut rows: Vec<Value> = claims::rules(&verify)
        .into_iter()
        .map(|rule| {
            let outcome = claims::check(rule, &header, &payload, &verify, now);
            row(&rule.id(), rule.claim(), options.describe_derived(rule, route), rule.expected(&verify), outcome)
        })
        .collect();
    rows.extend(options.assertion_rules(route).into_iter().map(|rule| {
        let outcome = options.check_rule(rule, &header, &payload, now);
        row(rule.id(), rule.claim(), &rule.describe(), None, outcome)
    }));
    Ok(Value::Array(rows))
}

/// Every check `verifyDpopProof` runs with `options` on a proof, but its signature (which the
/// caller verifies with `verifyDpopProof`): `{ jkt?, checks: [rows as [`claims`] gives them] }`,
/// the header checks (`typ`, `alg`, `jwk`) then the claim rules of RFC 9449 §4.3 and `exp` /
/// `nbf`. A check that cannot run (the `jwk` when `alg` failed) has `skipped: true`. A proof
/// that is not a JWS with a JSON header and payload is an error.
pub fn dpop(proof: &str, options: &DpopOptions, now: f64) -> Result<Value> {
    let header = options.proof_header(proof)?;
    let (payload, _) = Parts::split(proof, options.verify.max_token_length)?.payload_and_signature().map_err(dpop::proof_error)?;
    let payload = claims_view(&payload, claims::CLAIM_MEMBERS).map_err(dpop::proof_error)?;
    let one = |value: &str| vec![value.to_owned()];
    let mut checks = vec![row("typ", "typ", "header typ is dpop+jwt", None, dpop::check_typ(&header))];
    let alg = options.check_alg(&header);
    let allowed = options.verify.algorithms.clone();
    checks.push(row("alg", "alg", "an asymmetric algorithm, in algorithms when given", allowed.as_deref(), alg.as_ref().map(|_| ()).map_err(Clone::clone)));
    let mut jkt = None;
    match alg {
        Ok(alg) => {
            let key = dpop::header_key(&header, alg);
            checks.push(row("jwk", "jwk", "a public key that can verify alg (its RFC 7638 thumbprint is jkt)", None, key.as_ref().map(|_| ()).map_err(Clone::clone)));
            jkt = key.ok().map(|k| k.jkt);
        }
        Err(_) => {
            let mut skipped = row("jwk", "jwk", "a public key that can verify alg (its RFC 7638 thumbprint is jkt)", None, Ok(()));
            skipped["ok"] = json!(false);
            skipped["skipped"] = json!(true);
            skipped["message"] = json!("not checked: the alg failed");
            checks.push(skipped);
        }
    }
    for rule in options.rules() {
        let expected = match rule {
            dpop::Rule::Htm => Some(one(&options.method)),
            dpop::Rule::Htu => Some(one(&options.url)),
            dpop::Rule::Nonce => options.nonce.as_deref().map(one),
            dpop::Rule::Ath => options.ath.as_deref().map(one),
            _ => None,
        };
        checks.push(row(rule.claim(), rule.claim(), rule.describe(), expected.as_deref(), options.check_rule(rule, &payload, now)));
    }
    for rule in [claims::Rule::Nbf, claims::Rule::Exp] {
        let outcome = claims::check(rule, &header, &payload, &options.verify, now).map_err(dpop::proof_error);
        checks.push(row(&rule.id(), rule.claim(), rule.describe(), None, outcome));
    }
    let mut out = json!({ "checks": checks });
    if let Some(jkt) = jkt {
        out["jkt"] = json!(jkt);
    }
    Ok(out)
}

/// Every rule `verifyAccessToken` runs with `options` on a token's claims, without its
/// signature, in its order: the claim types of RFC 9068 §2.2, the rules of the derived
/// `VerifyOptions` (`typ` at+jwt, the required claims, `iss`, `aud`, times), then the scopes.
/// Rows as [`claims`] gives them.
pub fn access_token(token: &str, options: &AccessTokenOptions, now: f64) -> Result<Value> {
    let parts = Parts::split(token, options.verify.max_token_length)?;
    let header_bytes = parts.header_bytes()?;
    let header = header_view(&header_bytes)?;
    let (payload, _) = parts.payload_and_signature()?;
    let payload = claims_view(&payload, claims::CLAIM_MEMBERS)?;
    let mut rows = Vec::new();
    if options.rfc9068 {
        let types = options.precheck(&header, &payload);
        let claim = types.as_ref().err().and_then(|e| e.claim.clone()).unwrap_or_else(|| "claims".to_owned());
        rows.push(row("claim_types", &claim, "iss, sub, client_id, jti strings; aud a string or strings; exp, iat numbers (RFC 9068 §2.2)", None, types));
    }
    rows.extend(claims::rules(&options.verify).into_iter().map(|rule| {
        let outcome = claims::check(rule, &header, &payload, &options.verify, now);
        row(&rule.id(), rule.claim(), rule.describe(), rule.expected(&options.verify), outcome)
    }));
    if !options.required_scopes.is_empty() {
        let outcome = options.check(&header, &payload, now);
        rows.push(row("scope", "scope", "holds every required scope (space-separated)", Some(&options.required_scopes), outcome));
    }
    Ok(Value::Array(rows))
}

fn row(id: &str, claim: &str, rule: &str, expected: Option<&[String]>, outcome: Result<()>) -> Value {
    let mut row = json!({ "id": id, "claim": claim, "rule": rule, "ok": outcome.is_ok() });
    if let Some(expected) = expected {
        row["expected"] = json!(expected);
    }
    if let Err(err) = outcome {
        row["code"] = json!(err.code());
        row["message"] = json!(err.message);
        if let Some(reason) = err.reason {
            row["reason"] = json!(reason.as_str());
        }
    }
    row
}
