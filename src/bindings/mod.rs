//! The only module that knows JavaScript. Options cross as JS values read strictly in Rust
//! ([`options`]); results cross as JSON text; errors cross as JSON text
//! `{"code","message","claim"?,"reason"?,"kids"?}` that the JS layer turns into a `JoseError`
//! (or `{"name":"TypeError",…}` for a caller's bad options).
//!
//! Without the `full-protocol` feature (the verify-only module) only what `parseJwks`,
//! `verifyJwt`/`verifyJwtSync`/`createVerifier` and `decodeJwt` call is exported; with
//! `remote-jwks` also `RemoteJwks`/`discoverJwks`. LTO drops the core code no export reaches.

use crate::error::JoseError;
use crate::jwks::KeySet;
use crate::options::ParseJwksOptions;
#[cfg(feature = "full-protocol")]
use crate::options::{ExplainOptions, ReplayCacheOptions};
use crate::{token, Alg};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

#[cfg(feature = "full-protocol")]
mod dpop;
#[cfg(feature = "full-protocol")]
mod heap;
mod options;
#[cfg(feature = "remote-jwks")]
mod remote;
#[cfg(feature = "full-protocol")]
mod resource;
#[cfg(feature = "remote-jwks")]
mod text;
mod trusted;
pub mod verify;

pub(crate) fn jose_error(err: JoseError) -> JsValue {
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

/// `{"name":"TypeError","code","message","option"?}`: a caller's bad argument, as the JS layer
/// throws it.
pub(crate) fn type_error(code: &str, message: String, option: Option<&str>) -> JsValue {
    let mut out = json!({ "name": "TypeError", "code": code, "message": message });
    if let Some(option) = option {
        out["option"] = json!(option);
    }
    JsValue::from_str(&out.to_string())
}

#[wasm_bindgen]
pub struct WasmKeySet {
    inner: KeySet,
}

#[wasm_bindgen]
impl WasmKeySet {
    /// `json`: the text as UTF-8 (`TextEncoder` output: for a large set, much faster than
    /// wasm-bindgen's conversion of a string). `options`: the `parseJwks` options (`TypeError`
    /// when wrong); past `maxKeys` keys are not checked, and the set is refused.
    pub fn parse(json: &[u8], options: &JsValue) -> Result<WasmKeySet, JsValue> {
        let (options, max_keys) = options::read(options, "parseJwks", ParseJwksOptions::read)?;
        let json = std::str::from_utf8(json).map_err(|_| jose_error(JoseError::jwks_invalid("not valid JSON: the text is not UTF-8")))?;
        KeySet::parse_str_bounded(json, options, max_keys).map(|inner| WasmKeySet { inner }).map_err(jose_error)
    }

    /// Keys passed inline to a verifier are the caller's own: `oct` secrets may verify.
    #[wasm_bindgen(js_name = parseInline)]
    pub fn parse_inline(json: &str) -> Result<WasmKeySet, JsValue> {
        let options = crate::jwk::ParseOptions { allow_private: true, allow_weak_keys: false };
        KeySet::parse_str_bounded(json, options, crate::jwks::DEFAULT_MAX_KEYS).map(|inner| WasmKeySet { inner }).map_err(jose_error)
    }

    /// `{"keys": KeyInfo[], "diagnostics": Diagnostic[]}`, members in API.md's order (as a
    /// result's `key`): through `json!` they came out sorted by name.
    pub fn describe(&self) -> String {
        #[derive(serde::Serialize)]
        struct Described<'a> {
            keys: Vec<crate::jwks::KeyInfo<'a>>,
            diagnostics: &'a [crate::diagnostics::Diagnostic],
        }
        let keys = self.inner.keys.iter().map(|k| k.info()).collect();
        serde_json::to_string(&Described { keys, diagnostics: &self.inner.diagnostics }).unwrap_or_default()
    }

    /// The `KeyInfo` of key `index` (JSON text; empty when there is none): a result's `key`
    /// without describing the whole set.
    #[wasm_bindgen(js_name = keyInfo)]
    pub fn key_info(&self, index: usize) -> String {
        self.inner.keys.get(index).and_then(|k| serde_json::to_string(&k.info()).ok()).unwrap_or_default()
    }

    /// The members a host crypto API needs to import key `index` (JSON text).
    #[wasm_bindgen(js_name = publicJwk)]
    pub fn public_jwk(&self, index: usize) -> String {
        self.inner.keys.get(index).map(|k| k.public_jwk()).unwrap_or_default()
    }

    /// Key `index`'s checked public parameters for the signature module (`crypto::params`);
    /// empty for a key that cannot verify.
    #[wasm_bindgen(js_name = keyParams)]
    pub fn key_params(&self, index: usize) -> Vec<u8> {
        self.inner.keys.get(index).and_then(|k| k.material.as_ref()).map(crate::crypto::params::encode).unwrap_or_default()
    }
}

#[cfg(feature = "full-protocol")]
/// `explainSelection`: the selection trace of a token (or a header `{alg, kid?}` object's JSON
/// text) against a key set, as verification computes it. `options`: `{ maxCandidates? }`.
#[wasm_bindgen(js_name = explainSelection)]
pub fn explain_selection(keys: &WasmKeySet, token: &JsValue, options: &JsValue) -> Result<String, JsValue> {
    let max_candidates = options::read(options, "explainSelection", ExplainOptions::read)?;
    let token = verify::token_text(token, token::DEFAULT_MAX_TOKEN_LENGTH)?;
    crate::explain::selection(&keys.inner, &token, max_candidates).map(|v| v.to_string()).map_err(jose_error)
}

#[cfg(feature = "full-protocol")]
/// `explainClaims`: one row per claim rule of `verifyJwt` for a token whose signature is not
/// checked (for the debugging page). `options`: `VerifyOptions`.
#[wasm_bindgen(js_name = explainClaims)]
pub fn explain_claims(token: &JsValue, options: &JsValue) -> Result<String, JsValue> {
    let options = options::read(options, "explainClaims", crate::options::VerifyOptions::read)?;
    let token = verify::token_text(token, options.max_token_length)?;
    let now = options.now(js_sys::Date::now() / 1000.0);
    crate::explain::claims(&token, &options, now).map(|v| v.to_string()).map_err(jose_error)
}

#[cfg(feature = "full-protocol")]
/// `explainAssertion`: one row per rule of `checkAssertion` for an assertion whose signature
/// is not checked (for the debugging page). `options`: `AssertionOptions` (`keys` is read but
/// not used).
#[wasm_bindgen(js_name = explainAssertion)]
pub fn explain_assertion(token: &JsValue, options: &JsValue) -> Result<String, JsValue> {
    let options = options::read(options, "explainAssertion", crate::assertion::AssertionOptions::read)?;
    let token = verify::token_text(token, options.max_token_length)?;
    let now = options.current_date.unwrap_or_else(|| js_sys::Date::now() / 1000.0);
    crate::explain::assertion(&token, &options, now).map(|v| v.to_string()).map_err(jose_error)
}

#[cfg(feature = "full-protocol")]
/// `explainAccessToken`: one row per rule of `verifyAccessToken` for a token whose signature is
/// not checked (for the debugging page). `options`: the options of `verifyAccessToken`.
#[wasm_bindgen(js_name = explainAccessToken)]
pub fn explain_access_token(token: &JsValue, options: &JsValue) -> Result<String, JsValue> {
    let options = options::read(options, "explainAccessToken", crate::access_token::AccessTokenOptions::read)?;
    let token = verify::token_text(token, options.verify.max_token_length)?;
    let now = options.verify.now(js_sys::Date::now() / 1000.0);
    crate::explain::access_token(&token, &options, now).map(|v| v.to_string()).map_err(jose_error)
}

#[cfg(feature = "full-protocol")]
/// The `maxEntries` of `new ReplayCache(options)` (`TypeError` when the options are wrong).
#[wasm_bindgen(js_name = replayCacheOptions)]
pub fn replay_cache_options(options: &JsValue) -> Result<usize, JsValue> {
    options::read(options, "ReplayCache", ReplayCacheOptions::read)
}

/// THE algorithm table for the host backends: `HostFacts[]` (JSON text), in the order of
/// the codes the pipeline passes to a host check.
#[wasm_bindgen(js_name = algorithmTable)]
pub fn algorithm_table() -> String {
    let facts: Vec<_> = crate::alg::ALGORITHMS.iter().map(|f| f.host_facts()).collect();
    serde_json::to_string(&facts).unwrap_or_default()
}

/// `{"header","payload","signature"}` without verification; malformed input is `ERR_JWT_INVALID`
/// (jose's `decodeJwt`), a token over the size limit `ERR_JWS_INVALID` (as on every path).
#[wasm_bindgen(js_name = decodeJwt)]
pub fn decode_jwt(token: &JsValue) -> Result<String, JsValue> {
    let text = verify::text_of(token, token::DEFAULT_MAX_TOKEN_LENGTH, |malformed| match malformed {
        verify::Malformed::NotText => JoseError::jwt_invalid("JWTs must use Compact JWS serialization, JWT must be a string or Uint8Array"),
        verify::Malformed::NotUtf8 => JoseError::jwt_invalid("a JWT must be UTF-8 text"),
    })
    .map_err(jose_error)?;
    let decoded = token::decode_jwt(&text, token::DEFAULT_MAX_TOKEN_LENGTH).map_err(jose_error)?;
    let signature = crate::encoding::b64url_encode(&decoded.signature);
    Ok(format!("{{\"header\":{},\"payload\":{},\"signature\":\"{signature}\"}}", decoded.header_json, decoded.payload_json))
}

/// The algorithm an `Alg` code names (for messages that need it).
pub(crate) fn alg_code(alg: Alg) -> u32 {
    crate::alg::ALGORITHMS.iter().position(|f| f.alg == alg).unwrap_or_default() as u32
}
