//! `verifyDpopProof` from JavaScript: the options read once per call, the proof's header
//! `jwk` handed back as a one-key `WasmKeySet`, then THE pipeline with the DPoP profile
//! (the same `verify` / `prepare` / `finish` shape as [`super::verify::WasmProfile`], so the
//! JS layer runs it with any backend).

use super::options::read;
use super::verify::{host_now, replay_json, result_json, run_mapped, Serialize, WasmPrepared};
use super::{jose_error, WasmKeySet};
use crate::dpop::{self, header_error, proof_error, DpopOptions};
use crate::error::{ClaimReason, JoseError};
use crate::verify;
use js_sys::{Function, JsString};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

impl Serialize for dpop::Outcome {
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![("jkt", json!(self.jkt)), ("jti", json!(self.jti)), ("replay", replay_json(&self.replay))]
    }
}

/// One `verifyDpopProof` call: its options, and the thumbprint of the proof's key once
/// [`WasmDpop::proof_key`] has read it.
#[wasm_bindgen]
pub struct WasmDpop {
    options: DpopOptions,
    jkt: Option<String>,
}

#[wasm_bindgen]
impl WasmDpop {
    /// The options of `verifyDpopProof` (`TypeError` when wrong).
    pub fn read(options: &JsValue) -> Result<WasmDpop, JsValue> {
        Ok(WasmDpop { options: read(options, "verifyDpopProof", DpopOptions::read)?, jkt: None })
    }

    /// Milliseconds the replay store may take.
    #[wasm_bindgen(js_name = replayTimeoutMs)]
    pub fn replay_timeout_ms(&self) -> f64 {
        self.options.replay.timeout_ms()
    }

    /// The proof's text, refused before it is copied into wasm when longer than `maxTokenLength`.
    pub fn text(&self, proof: &JsValue) -> Result<String, JsValue> {
        let max = self.options.verify.max_token_length;
        let Some(text) = proof.dyn_ref::<JsString>() else {
            return Err(jose_error(header_error(ClaimReason::Malformed, "a DPoP proof must be a string (the DPoP request header's value)")));
        };
        let length = text.length() as usize;
        if length > max {
            return Err(jose_error(crate::dpop::proof_too_long(length, max)));
        }
        Ok(super::verify::utf8_of(text, length))
    }

    /// The header rules (`typ`, `alg`, `jwk`); the proof's key as the set to verify it with.
    #[wasm_bindgen(js_name = proofKey)]
    pub fn proof_key(&mut self, proof: &str) -> Result<WasmKeySet, JsValue> {
        let key = self.options.proof_key(proof).map_err(jose_error)?;
        self.jkt = Some(key.jkt);
        Ok(WasmKeySet { inner: key.keys })
    }

    fn jkt(&self) -> Result<&str, JsValue> {
        self.jkt.as_deref().ok_or_else(|| jose_error(JoseError::jwks_invalid("verifyDpopProof: proofKey must run before the pipeline")))
    }

    /// The whole pipeline with a synchronous host (`route` and `body` are not used).
    pub fn verify(&self, proof: &str, keys: &WasmKeySet, _route: i32, _body: Option<Vec<u8>>, host: Option<Function>) -> Result<String, JsValue> {
        let profile = self.options.for_key(self.jkt()?);
        let checked = run_mapped(proof, keys, &profile, self.options.verify.now(host_now()), host.as_ref(), proof_error)?;
        Ok(result_json(&checked))
    }

    /// Everything before the signature, for an asynchronous host.
    pub fn prepare(&self, proof: &str, keys: &WasmKeySet, _route: i32) -> Result<WasmPrepared, JsValue> {
        verify::prepare(proof, &keys.inner, &self.options.verify).map(WasmPrepared::new).map_err(|e| jose_error(proof_error(e)))
    }

    /// After candidate `key_index` verified the signature: the claims and §4.3's rules.
    pub fn finish(&self, prepared: &WasmPrepared, key_index: usize, _route: i32, _body: Option<Vec<u8>>) -> Result<String, JsValue> {
        let profile = self.options.for_key(self.jkt()?);
        let now = self.options.verify.now(host_now());
        prepared.prepared().finish(key_index, &profile, now).map(|c| result_json(&c)).map_err(|e| jose_error(proof_error(e)))
    }

    /// The error of a proof whose signature no host check accepted.
    #[wasm_bindgen(js_name = signatureFailed)]
    pub fn signature_failed(&self) -> JsValue {
        jose_error(proof_error(JoseError::signature_failed()))
    }
}

/// `explainDpop`: every check of `verifyDpopProof` but the signature, each reported (for the
/// debugging page). `options`: the options of `verifyDpopProof`.
#[wasm_bindgen(js_name = explainDpop)]
pub fn explain_dpop(proof: &JsValue, options: &JsValue) -> Result<String, JsValue> {
    let dpop = WasmDpop::read(options)?;
    let proof = dpop.text(proof)?;
    let now = dpop.options.verify.now(host_now());
    crate::explain::dpop(&proof, &dpop.options, now).map(|v| v.to_string()).map_err(jose_error)
}
