//! The only module that knows JavaScript. Values cross as JSON text and byte arrays; errors
//! cross as JSON text `{"code","message","claim"?,"reason"?}` that the JS layer turns into a
//! `JoseError` (or `{"name":"TypeError",...}` for a caller's bad options).

use crate::crypto::RustCrypto;
use crate::error::JoseError;
use crate::jwk::ParseOptions;
use crate::jwks::KeySet;
use crate::options::VerifyOptions;
use crate::verify::{self, Prepared};
use crate::{token, Alg};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

mod profiles;
mod remote;
mod text;

fn jose_error(err: JoseError) -> JsValue {
    let mut out = json!({ "code": err.code(), "message": err.message });
    if let Some(claim) = err.claim {
        out["claim"] = Value::String(claim);
    }
    if let Some(reason) = err.reason {
        out["reason"] = Value::String(reason.as_str().to_owned());
    }
    if let Some(kids) = err.kids {
        out["kids"] = json!(kids.first);
        out["kidCount"] = json!(kids.count);
    }
    JsValue::from_str(&out.to_string())
}

fn type_error(message: String) -> JsValue {
    JsValue::from_str(&json!({ "name": "TypeError", "message": message }).to_string())
}

/// Options of `what` from JSON text, validated; either fault is a `TypeError` naming `what`.
fn parse_options<T: DeserializeOwned>(json: &str, what: &str, validate: impl FnOnce(&T) -> Result<(), String>) -> Result<T, JsValue> {
    let invalid = |why: String| type_error(format!("invalid {what} options: {why}"));
    let options: T = serde_json::from_str(json).map_err(|e| invalid(e.to_string()))?;
    validate(&options).map_err(invalid)?;
    Ok(options)
}

/// Parsed `VerifyOptions`, kept on the JS side so that repeated calls skip the parse.
#[wasm_bindgen]
pub struct WasmOptions {
    inner: VerifyOptions,
}

#[wasm_bindgen]
impl WasmOptions {
    pub fn parse(json: &str) -> Result<WasmOptions, JsValue> {
        serde_json::from_str(json)
            .map(|inner| WasmOptions { inner })
            .map_err(|e| type_error(format!("invalid verify options: {e}")))
    }
}

#[wasm_bindgen]
pub struct WasmKeySet {
    inner: KeySet,
}

#[wasm_bindgen]
impl WasmKeySet {
    pub fn parse(json: &str, allow_private: bool, allow_weak_rsa: bool) -> Result<WasmKeySet, JsValue> {
        KeySet::parse_str(json, ParseOptions { allow_private, allow_weak_rsa })
            .map(|inner| WasmKeySet { inner })
            .map_err(jose_error)
    }

    /// `{"keys": KeyInfo[], "diagnostics": Diagnostic[]}`.
    pub fn describe(&self) -> String {
        let keys: Vec<_> = self.inner.keys.iter().map(|k| k.info()).collect();
        json!({ "keys": keys, "diagnostics": self.inner.diagnostics }).to_string()
    }

    /// The members a host crypto API needs to import key `index`.
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self, index: usize) -> String {
        self.inner.keys.get(index).map(|k| Value::Object(k.public_jwk.clone()).to_string()).unwrap_or_default()
    }

    /// The selection trace for `alg` and `kid` (for the debugging page).
    pub fn select(&self, alg: &str, kid: Option<String>, max_candidates: usize) -> Result<String, JsValue> {
        let alg = Alg::parse(alg).ok_or_else(|| jose_error(JoseError::not_supported(format!("Unsupported \"alg\" value {}", crate::quote::quoted(alg)))))?;
        Ok(serde_json::to_string(&self.inner.explain(alg, kid.as_deref(), max_candidates)).unwrap_or_default())
    }
}

/// A token checked up to its signature; a host backend verifies the signature, then `finish`.
#[wasm_bindgen]
pub struct WasmPrepared {
    inner: Prepared,
}

#[wasm_bindgen]
impl WasmPrepared {
    pub fn alg(&self) -> String {
        self.inner.alg.name().to_owned()
    }

    pub fn candidates(&self) -> Vec<u32> {
        self.inner.selection.candidates.iter().map(|&i| i as u32).collect()
    }

    pub fn signature(&self) -> Vec<u8> {
        self.inner.token.signature.clone()
    }

    /// Pure-Rust signature check of candidate `index` (a fallback for one algorithm).
    #[wasm_bindgen(js_name = verifyCandidateRust)]
    pub fn verify_candidate_rust(&self, keys: &WasmKeySet, index: usize) -> bool {
        use crate::crypto::SignatureVerifier;
        let Some(key) = keys.inner.keys.get(index) else { return false };
        RustCrypto.verify(self.inner.alg, key, self.inner.token.signing_input().as_bytes(), &self.inner.token.signature).unwrap_or(false)
    }

    /// After a candidate verified the signature: claims, then `{"header":…,"payload":…}`.
    /// No key: the JS side already holds every KeyInfo (KeySet.keys).
    #[wasm_bindgen(js_name = finishClaims)]
    pub fn finish_claims(&self, options: &WasmOptions, now: f64) -> Result<String, JsValue> {
        let payload_json = self.inner.check_claims(&options.inner, now).map_err(jose_error)?;
        Ok(format!("{{\"header\":{},\"payload\":{payload_json}}}", self.inner.token.header_json))
    }
}

#[wasm_bindgen]
pub fn prepare(token: &str, keys: &WasmKeySet, options: &WasmOptions) -> Result<WasmPrepared, JsValue> {
    verify::prepare(token, &keys.inner, &options.inner).map(|inner| WasmPrepared { inner }).map_err(jose_error)
}

/// The algorithm names in the order of the codes `verifyWithHost` passes to its host check.
#[wasm_bindgen(js_name = algNames)]
pub fn alg_names() -> String {
    serde_json::to_string(&crate::alg::ALGORITHMS.iter().map(|f| f.name).collect::<Vec<_>>()).unwrap_or_default()
}

/// What a host check returns for one candidate.
const HOST_VERIFIED: f64 = 1.0;
const HOST_ASKS_RUST: f64 = 2.0;

/// The whole verification in one crossing, for a synchronous host backend:
/// `host(keyIndex, algCode)` is called for each candidate in set order and returns 1 (the
/// signature verifies), 2 (the host cannot use this key: check it in Rust) or anything else
/// (it does not verify). `algCode` indexes `algNames()`. Returns the index of the key that
/// verified: the caller decodes the header and payload itself (cheaper than a JSON string out
/// of wasm); an exception `host` throws is rethrown as is.
#[wasm_bindgen(js_name = verifyWithHost)]
pub fn verify_with_host(token: &str, keys: &WasmKeySet, options: &WasmOptions, now: f64, host: &js_sys::Function) -> Result<u32, JsValue> {
    use crate::crypto::SignatureVerifier;
    let mut thrown = None;
    let verified = verify::verify_json(token, &keys.inner, &options.inner, now, |alg, index, signing_input, signature| {
        let alg_code = crate::alg::ALGORITHMS.iter().position(|f| f.alg == alg).unwrap_or_default() as u32;
        match host.call2(&JsValue::UNDEFINED, &JsValue::from(index as u32), &JsValue::from(alg_code)) {
            Ok(verdict) if verdict.as_f64() == Some(HOST_VERIFIED) => Ok(true),
            Ok(verdict) if verdict.as_f64() == Some(HOST_ASKS_RUST) => RustCrypto.verify(alg, &keys.inner.keys[index], signing_input, signature),
            Ok(_) => Ok(false),
            Err(exception) => {
                thrown = Some(exception);
                Err(JoseError::signature_failed())
            }
        }
    });
    match verified {
        Ok(v) => Ok(v.key_index as u32),
        Err(err) => Err(thrown.take().unwrap_or_else(|| jose_error(err))),
    }
}

/// `SignatureVerificationFailed` as the JS layer reports it after trying every candidate.
#[wasm_bindgen(js_name = signatureFailed)]
pub fn signature_failed() -> JsValue {
    jose_error(JoseError::signature_failed())
}

/// `{"header","payload","signature"}` without verification.
#[wasm_bindgen(js_name = decodeJwt)]
pub fn decode_jwt(token: &str) -> Result<String, JsValue> {
    let decoded = token::decode(token, token::DEFAULT_MAX_TOKEN_LENGTH).map_err(jose_error)?;
    let signature = crate::encoding::b64url_encode(&decoded.signature);
    Ok(format!("{{\"header\":{},\"payload\":{},\"signature\":\"{signature}\"}}", decoded.header_json, decoded.payload_json))
}
