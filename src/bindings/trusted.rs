//! Key resolvers and `TrustedIssuers` from JavaScript: the token's header and claims as the
//! core decodes them (for a resolver), the trust rules and issuer cache of `crate::trusted`,
//! and key sets bound to the issuer they were picked for.

use super::jose_error;
#[cfg(feature = "full-protocol")]
use super::{options::read, WasmKeySet};
#[cfg(feature = "full-protocol")]
use crate::trusted::{IssuerCache, Lookup, Trust, TrustedOptions};
#[cfg(feature = "full-protocol")]
use serde_json::json;
use wasm_bindgen::prelude::*;

/// `{"header":…,"payload":…}` of a token that decodes (after the `maxTokenLength` check), for
/// a key resolver; a token that does not decode is refused here, before any resolver runs.
#[wasm_bindgen(js_name = resolverInput)]
pub fn resolver_input(token: &str, max_length: usize) -> Result<String, JsValue> {
    let decoded = crate::token::decode(token, max_length).map_err(jose_error)?;
    Ok(format!("{{\"header\":{},\"payload\":{}}}", decoded.header_json, decoded.payload_json))
}

/// A copy of `keys` that verifies only tokens whose `iss` is exactly `issuer`.
#[cfg(feature = "full-protocol")]
#[wasm_bindgen(js_name = boundKeySet)]
pub fn bound_key_set(keys: &WasmKeySet, issuer: String) -> WasmKeySet {
    let mut inner = keys.inner.clone();
    inner.issuer = Some(issuer);
    WasmKeySet { inner }
}

/// One `TrustedIssuers`: its trust rule and the issuers whose discovery the host holds.
#[cfg(feature = "full-protocol")]
#[wasm_bindgen]
pub struct WasmTrustedIssuers {
    trust: Trust,
    cache: IssuerCache,
}

#[cfg(feature = "full-protocol")]
#[wasm_bindgen]
impl WasmTrustedIssuers {
    /// `issuers`: a function (the host calls it; see [`WasmTrustedIssuers::admit`]) or a
    /// non-empty array of issuer URLs; `options`: `RemoteOptions` & `{ maxIssuers? }`.
    /// Wrong ones are `TypeError`s.
    #[wasm_bindgen(constructor)]
    pub fn new(issuers: &JsValue, options: &JsValue) -> Result<WasmTrustedIssuers, JsValue> {
        let trust = if issuers.is_function() {
            Trust::Predicate
        } else {
            read(issuers, "TrustedIssuers", |value| Trust::read_list(value).map_err(|e| e.within("issuers")))?
        };
        let options = read(options, "TrustedIssuers", TrustedOptions::read)?;
        Ok(WasmTrustedIssuers { trust, cache: IssuerCache::new(options.max_issuers, options.remote.cooldown_ms) })
    }

    /// The token's `iss` when it may pick keys (a list: it is listed; a predicate: the host
    /// asks it next). Else the claim error of verification (`claim: "iss"`).
    #[wasm_bindgen(js_name = issuerOf)]
    pub fn issuer_of(&self, token: &str, max_length: usize) -> Result<String, JsValue> {
        self.trust.issuer_of(token, max_length).map_err(jose_error)
    }

    /// Whether the predicate's `verdict` on `issuer` trusts it: exactly `true` only.
    pub fn admit(&self, issuer: &str, verdict: &JsValue) -> Result<(), JsValue> {
        self.trust.admit(issuer, verdict.as_bool()).map_err(jose_error)
    }

    #[wasm_bindgen(js_name = usesPredicate)]
    pub fn uses_predicate(&self) -> bool {
        matches!(self.trust, Trust::Predicate)
    }

    /// `{"discover":bool,"evicted":string|null}`: whether to discover `issuer` now (after
    /// dropping `evicted`), or use the discovery held for it.
    pub fn lookup(&mut self, issuer: &str, now_ms: f64) -> String {
        match self.cache.lookup(issuer, now_ms) {
            Lookup::Use => json!({ "discover": false, "evicted": null }),
            Lookup::Discover { evicted } => json!({ "discover": true, "evicted": evicted }),
        }
        .to_string()
    }

    /// The discovery of `issuer` that [`WasmTrustedIssuers::lookup`] started failed.
    pub fn failed(&mut self, issuer: &str, now_ms: f64) {
        self.cache.failed(issuer, now_ms);
    }

    /// The issuers held, most recently used first (JSON array).
    pub fn issuers(&self) -> String {
        json!(self.cache.issuers()).to_string()
    }
}
