//! Bindings of the protocol profiles (`checkAssertion`, `verifyWebhook`). Each profile hands
//! the JS layer the `WasmOptions` to verify with (so the signature goes through the same
//! backend path as `verifyJwt`), then checks the verified token. Outcomes cross as JSON text.

use super::{jose_error, parse_options, WasmOptions};
use crate::assertion::{AssertionOptions, Route};
use crate::token::{self, UntrustedToken};
use crate::webhook::{self, WebhookOptions};
use serde_json::{json, Map, Value};
use wasm_bindgen::prelude::*;

type Object = Map<String, Value>;

/// The header and claims of a token that has already been verified.
fn decoded(token: &str, max_length: usize) -> Result<(Object, Object), JsValue> {
    let parsed = UntrustedToken::parse(token, max_length).map_err(jose_error)?;
    let payload = token::parse_claims(parsed.payload()).map_err(jose_error)?;
    Ok((parsed.header, payload))
}

/// A route crosses as -1 (the client's keys) or the index of a federated identity.
fn route_of(route: i32) -> Route {
    usize::try_from(route).map_or(Route::Client, Route::Federated)
}

#[wasm_bindgen]
pub struct WasmAssertion {
    inner: AssertionOptions,
}

#[wasm_bindgen]
impl WasmAssertion {
    pub fn parse(json: &str) -> Result<WasmAssertion, JsValue> {
        parse_options(json, "assertion", AssertionOptions::validate).map(|inner| WasmAssertion { inner })
    }

    /// -1: verify with the client's keys; `i`: with `federated[i]`'s keys.
    pub fn route(&self, token: &str) -> i32 {
        match self.inner.route(token) {
            Route::Client => -1,
            Route::Federated(index) => i32::try_from(index).unwrap_or(-1),
        }
    }

    #[wasm_bindgen(js_name = verifyOptions)]
    pub fn verify_options(&self, route: i32) -> WasmOptions {
        WasmOptions { inner: self.inner.verify_options(route_of(route)) }
    }

    /// After verification with `verifyOptions(route)`: `{"clientId","federated","jti"?,"replayUntil"?}`.
    pub fn check(&self, token: &str, route: i32, now: f64) -> Result<String, JsValue> {
        let (header, payload) = decoded(token, self.inner.max_token_length)?;
        let outcome = self.inner.check(&header, &payload, route_of(route), now).map_err(jose_error)?;
        Ok(json!({
            "clientId": outcome.client_id,
            "federated": outcome.federated,
            "jti": outcome.jti,
            "replayUntil": outcome.replay_until,
        })
        .to_string())
    }
}

#[wasm_bindgen]
pub struct WasmWebhook {
    inner: WebhookOptions,
}

#[wasm_bindgen]
impl WasmWebhook {
    pub fn parse(json: &str) -> Result<WasmWebhook, JsValue> {
        parse_options(json, "webhook", WebhookOptions::validate).map(|inner| WasmWebhook { inner })
    }

    #[wasm_bindgen(js_name = verifyOptions)]
    pub fn verify_options(&self) -> WasmOptions {
        WasmOptions { inner: self.inner.verify_options() }
    }

    /// After verification with `verifyOptions()`: `{"jti"?,"replayUntil"?}`.
    pub fn check(&self, token: &str, body: &[u8], now: f64) -> Result<String, JsValue> {
        let (_, payload) = decoded(token, self.inner.verify.max_token_length)?;
        let outcome = self.inner.check(&payload, body, now).map_err(jose_error)?;
        Ok(json!({ "jti": outcome.jti, "replayUntil": outcome.replay_until }).to_string())
    }
}

/// The JWT of an `Authorization: Bearer <jwt>` header value.
#[wasm_bindgen(js_name = bearerToken)]
pub fn bearer_token(authorization: &str) -> Result<String, JsValue> {
    webhook::bearer_token(authorization).map(str::to_owned).map_err(jose_error)
}
