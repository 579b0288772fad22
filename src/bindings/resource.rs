//! `authenticateRequest` from JavaScript: the options read once per call, and each decision of
//! `crate::resource` between the host's steps (read the request, verify the token, verify the
//! proof, build the response). Results cross as JSON text.

use super::jose_error;
use super::options::read;
use super::verify::WasmProfile;
use crate::resource::{Failure, HeaderValue, RequestParts, ResourceOptions, Scheme, MAX_METHOD_LENGTH, MAX_URL_LENGTH};
use js_sys::{Array, JsString};
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
pub struct WasmResource {
    options: ResourceOptions,
}

/// A header value (a string) read only when it is at most `max` characters long.
fn header_value(value: &JsValue, max: usize) -> Option<HeaderValue> {
    let text = value.dyn_ref::<JsString>()?;
    let length = text.length() as usize;
    Some(if length > max { HeaderValue::TooLong(length) } else { HeaderValue::Text(super::verify::utf8_of(text, length)) })
}

/// A header's values: a value that is not a string is [`HeaderValue::NotText`] (refused, never
/// skipped). More than two values are as refused as two: read no more.
fn header_values(values: &Array, max: usize) -> Vec<HeaderValue> {
    values.iter().take(2).map(|v| header_value(&v, max).unwrap_or(HeaderValue::NotText)).collect()
}

fn scheme(name: &str) -> Scheme {
    Scheme::parse(name).unwrap_or(Scheme::Bearer)
}

#[wasm_bindgen]
impl WasmResource {
    /// `AuthenticateOptions` (a wrong one is a `TypeError` naming it).
    pub fn read(options: &JsValue) -> Result<WasmResource, JsValue> {
        Ok(WasmResource { options: read(options, "authenticateRequest", ResourceOptions::read)? })
    }

    /// The profile that verifies the access token.
    pub fn profile(&self) -> WasmProfile {
        WasmProfile::from_access_token(self.options.token.clone())
    }

    /// The options a DPoP proof is verified with, besides the request's (JSON text):
    /// `{ algorithms, clockTolerance, currentDate?, maxTokenLength }`.
    #[wasm_bindgen(js_name = proofOptions)]
    pub fn proof_options(&self) -> String {
        let verify = &self.options.token.verify;
        let mut out = json!({
            "algorithms": self.options.dpop_algorithms.iter().map(|a| a.name()).collect::<Vec<_>>(),
            "clockTolerance": verify.clock_tolerance,
            "maxTokenLength": verify.max_token_length,
        });
        if let Some(now) = verify.current_date {
            out["currentDate"] = json!(now);
        }
        out.to_string()
    }

    /// Which store marks a DPoP proof's `jti` used (`crate::resource::ProofReplay`):
    /// `"dpopReplay"` (the option) or `"process"` (the host's process-wide `ReplayCache`).
    #[wasm_bindgen(js_name = proofReplay)]
    pub fn proof_replay(&self) -> String {
        self.options.proof_replay.name().to_owned()
    }

    /// The credentials of a request: `{"scheme","token","proof"?,"method"?,"url"?}`, or
    /// `{"failure": AuthResult}` when it is refused before any verification. `authorization`
    /// and `dpop` hold every value of those headers; `host` the `Host` header (or undefined).
    pub fn credentials(&self, method: &JsValue, url: &JsValue, authorization: &Array, dpop: &Array, host: &JsValue, encrypted: bool) -> String {
        let request = RequestParts {
            method: header_value(method, MAX_METHOD_LENGTH),
            url: header_value(url, MAX_URL_LENGTH),
            authorization: header_values(authorization, self.options.max_authorization_length()),
            dpop: header_values(dpop, self.options.max_proof_length()),
            host: header_value(host, 1024),
            encrypted,
        };
        match self.options.credentials(&request) {
            Err(failure) => self.failure(&failure),
            Ok(credentials) => {
                let mut out = json!({ "scheme": credentials.scheme.name(), "token": credentials.token });
                if let Some(proof) = credentials.proof {
                    out["proof"] = json!(proof.proof);
                    out["method"] = json!(proof.method);
                    out["url"] = json!(proof.url);
                }
                out.to_string()
            }
        }
    }

    /// The result for a token that failed with this `JoseError`; `undefined` when the
    /// failure is not the client's (the host rethrows it).
    #[wasm_bindgen(js_name = tokenFailed)]
    pub fn token_failed(&self, scheme_name: &str, code: &str, claim: Option<String>, reason: Option<String>) -> Option<String> {
        self.options.token_failure(scheme(scheme_name), code, claim.as_deref(), reason.as_deref()).map(|f| self.failure(&f))
    }

    /// The result for a DPoP proof that failed with this error; `undefined` as above.
    #[wasm_bindgen(js_name = proofFailed)]
    pub fn proof_failed(&self, code: &str, claim: Option<String>, reason: Option<String>) -> Option<String> {
        self.options.proof_failure(code, claim.as_deref(), reason.as_deref()).map(|f| self.failure(&f))
    }

    /// After the token (and the proof) verified: `{"jkt"?}` when the binding holds, else
    /// `{"failure": AuthResult}`. `cnf_json`: the verified token's `cnf` claim as JSON text
    /// (undefined: it has none), all the rule reads of the payload, which the pipeline has
    /// already parsed strictly (no duplicate members).
    pub fn bind(&self, scheme_name: &str, cnf_json: Option<String>, proof_jkt: Option<String>) -> Result<String, JsValue> {
        let cnf = cnf_json.map(|text| crate::encoding::parse_json_strict(text.as_bytes())).transpose().map_err(|why| jose_error(crate::error::JoseError::jwt_invalid(format!("\"cnf\" claim is not valid JSON: {why}"))))?;
        Ok(match self.options.bind(scheme(scheme_name), cnf.as_ref(), proof_jkt.as_deref()) {
            Ok(Some(jkt)) => json!({ "jkt": jkt }).to_string(),
            Ok(None) => "{}".to_owned(),
            Err(failure) => self.failure(&failure),
        })
    }

    fn failure(&self, failure: &Failure) -> String {
        json!({ "failure": self.options.failure_json(failure) }).to_string()
    }
}
