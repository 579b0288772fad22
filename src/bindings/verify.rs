//! Verification from JavaScript: THE pipeline of `crate::verify` for every profile (`verifyJwt`,
//! `checkAssertion`, `verifyWebhook`), with a synchronous host check in one crossing, or a
//! prepare/finish pair around an asynchronous host (WebCrypto).

use super::options::read;
use super::{alg_code, jose_error, WasmKeySet};
#[cfg(feature = "full-protocol")]
use crate::access_token::AccessTokenOptions;
#[cfg(feature = "full-protocol")]
use crate::assertion::{self, AssertionOptions, Route};
use crate::crypto::{Builtin, SignatureVerifier};
use crate::error::JoseError;
use crate::options::VerifyOptions;
#[cfg(feature = "full-protocol")]
use crate::replay::Replay;
use crate::verify::{self, Candidate, Checked, Prepared};
#[cfg(feature = "full-protocol")]
use crate::webhook::{self, WebhookOptions};
use js_sys::{Function, JsString, Uint8Array};
use serde_json::Value;
#[cfg(feature = "full-protocol")]
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// How a wrong argument is named in a message ("null", "an ArrayBuffer", ...).
#[cfg(feature = "full-protocol")]
fn kind_of(value: &JsValue) -> &'static str {
    if value.is_undefined() {
        "undefined"
    } else if value.is_null() {
        "null"
    } else if value.is_instance_of::<js_sys::ArrayBuffer>() {
        "an ArrayBuffer"
    } else if js_sys::ArrayBuffer::is_view(value) {
        "a typed array or DataView other than Uint8Array"
    } else if js_sys::Array::is_array(value) {
        "an array"
    } else {
        match value.js_typeof().as_string().as_deref() {
            Some("string") => "a string",
            Some("number") => "a number",
            Some("boolean") => "a boolean",
            Some("bigint") => "a bigint",
            Some("symbol") => "a symbol",
            Some("function") => "a function",
            _ => "an object",
        }
    }
}

/// A token argument (a string or UTF-8 bytes) as text, refused before it is copied into wasm
/// when it is longer than `max_length` (characters, then bytes).
pub(crate) fn token_text(token: &JsValue, max_length: usize) -> Result<String, JsValue> {
    text_of(token, max_length, |malformed| match malformed {
        Malformed::NotText => JoseError::jws_invalid("Compact JWS must be a string or Uint8Array"),
        Malformed::NotUtf8 => JoseError::jws_invalid("Compact JWS must be UTF-8 text"),
    })
    .map_err(jose_error)
}

/// Why a token argument is no token text (each caller words and codes it: `decodeJwt` as jose's).
pub(crate) enum Malformed {
    NotText,
    NotUtf8,
}

/// [`token_text`] with the caller's error for an argument that is no text; the size limit is
/// `ERR_JWS_INVALID` on every path.
pub(crate) fn text_of(token: &JsValue, max_length: usize, malformed: impl Fn(Malformed) -> JoseError) -> Result<String, JoseError> {
    let too_long = |length: usize| crate::token::too_long(length, max_length);
    if let Some(text) = token.dyn_ref::<JsString>() {
        let length = text.length() as usize;
        if length > max_length {
            return Err(too_long(length));
        }
        return Ok(utf8_of(text, length));
    }
    if let Some(bytes) = token.dyn_ref::<Uint8Array>() {
        let length = bytes.length() as usize;
        if length > max_length {
            return Err(too_long(length));
        }
        return String::from_utf8(bytes.to_vec()).map_err(|_| malformed(Malformed::NotUtf8));
    }
    Err(malformed(Malformed::NotText))
}

#[wasm_bindgen]
extern "C" {
    type TextEncoder;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<TextEncoder, JsValue>;
    #[wasm_bindgen(method, catch, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &JsString, destination: &mut [u8]) -> Result<EncodedInto, JsValue>;
    type EncodedInto;
    #[wasm_bindgen(method, getter, catch)]
    fn written(this: &EncodedInto) -> Result<u32, JsValue>;
}

thread_local! {
    /// `None` where the host has no usable `TextEncoder` constructor.
    static ENCODER: Option<TextEncoder> = TextEncoder::new().ok();
}

/// `text` (`length` UTF-16 units) as UTF-8, encoded by the host's `TextEncoder` straight into
/// wasm memory: `String::from(JsString)` copies it one character at a time in a JS loop, a
/// measurable share of a token's cost. 3 bytes per unit always suffice; lone surrogates become
/// U+FFFD either way. Past `ENCODE_INTO_MAX` units (a caller's raised `maxTokenLength`) the
/// 3x buffer is not worth it. A host whose `TextEncoder` lacks `encodeInto` or throws (an old
/// polyfill, a patched global) gets wasm-bindgen's copy: an exception must not unwind through
/// this frame, which would leak the buffer and leave the caller's Rust object borrowed.
pub(crate) fn utf8_of(text: &JsString, length: usize) -> String {
    const ENCODE_INTO_MAX: usize = 1 << 16;
    if length > ENCODE_INTO_MAX {
        return String::from(text);
    }
    let mut bytes = vec![0; length * 3];
    let written = ENCODER.with(|encoder| encoder.as_ref().and_then(|encoder| encoder.encode_into(text, &mut bytes).ok()?.written().ok()));
    let Some(written) = written else {
        return String::from(text);
    };
    bytes.truncate(written as usize);
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// What a host check returns for one candidate.
const HOST_VERIFIED: f64 = 1.0;
const HOST_ASKS_RUST: f64 = 2.0;

#[wasm_bindgen]
extern "C" {
    /// `host.call(this, index, algCode, data, signature)` in one crossing: the numbers go as
    /// numbers and the byte slices as views of wasm memory (wasm-bindgen passes `&[u8]` to an
    /// import as a view, not a copy; two copies per token were a measurable share of its cost).
    /// A view is valid until the host calls back into this module (a key's first use reads its
    /// public JWK), which can grow the memory and detach it: a host that calls in copies them
    /// first (pkg/lib/backends.js; tests/js/host_views.test.mjs).
    type HostCheck;
    #[wasm_bindgen(catch, method, js_name = call)]
    fn call(this: &HostCheck, this_arg: &JsValue, index: u32, alg_code: u32, data: &[u8], signature: &[u8]) -> Result<JsValue, JsValue>;
}

/// The pipeline with a synchronous host: `host(keyIndex, algCode, signedBytes, signature)` is
/// called for each candidate whose signature fits, in set order, and returns 1 (verified), 2
/// (the host cannot use this key: check it in Rust; in the protocol module, which holds only
/// HMAC, anything else is an error) or anything else (not verified). HMAC signatures are
/// always checked in Rust (faster than a call out to the host).
/// `algCode` indexes `algorithmTable()`; the byte arrays are views of wasm memory, valid until
/// the host calls into this module again (copy them before doing so). An
/// exception `host` throws is rethrown as is. No host (`undefined`): the pure-Rust code.
fn run<P: verify::Profile>(token: &str, keys: &WasmKeySet, profile: &P, now: f64, host: Option<&Function>) -> Result<Checked<P::Outcome>, JsValue> {
    run_mapped(token, keys, profile, now, host, |err| err)
}

/// [`run`] with the core's error passed through `map` (a profile's own error codes).
pub(crate) fn run_mapped<P: verify::Profile>(token: &str, keys: &WasmKeySet, profile: &P, now: f64, host: Option<&Function>, map: impl FnOnce(JoseError) -> JoseError) -> Result<Checked<P::Outcome>, JsValue> {
    let mut thrown = None;
    let checked = verify::run(token, &keys.inner, profile, now, |c: &Candidate| {
        let host = host.filter(|_| c.alg.facts().family != crate::alg::Family::Hmac);
        let Some(host) = host else { return Builtin::default().verify(c.alg, c.key, c.signing_input, c.signature) };
        let verdict = host.unchecked_ref::<HostCheck>().call(&JsValue::UNDEFINED, c.index as u32, alg_code(c.alg), c.signing_input, c.signature);
        match verdict {
            Ok(v) if v.as_f64() == Some(HOST_VERIFIED) => Ok(true),
            Ok(v) if v.as_f64() == Some(HOST_ASKS_RUST) => Builtin::default().verify(c.alg, c.key, c.signing_input, c.signature),
            Ok(_) => Ok(false),
            Err(exception) => {
                thrown = Some(exception);
                Err(JoseError::signature_failed())
            }
        }
    });
    checked.map_err(|err| thrown.take().unwrap_or_else(|| jose_error(map(err))))
}

pub(crate) fn host_now() -> f64 {
    js_sys::Date::now() / 1000.0
}

/// `{"header":…,"payload":…, …outcome, "key":n}` from the original JSON texts: `key` is the
/// index of the key used, which the JS layer replaces with its `KeyInfo` (no copy of the object).
pub(crate) fn result_json(checked: &Checked<impl Serialize>) -> String {
    use std::fmt::Write;
    let outcome = checked.outcome.fields();
    let mut out = String::with_capacity(checked.header_json.len() + checked.payload_json.len() + 40);
    out.push_str("{\"header\":");
    out.push_str(&checked.header_json);
    out.push_str(",\"payload\":");
    out.push_str(&checked.payload_json);
    for (name, value) in outcome {
        let _ = write!(out, ",\"{name}\":{value}");
    }
    let _ = write!(out, ",\"key\":{}}}", checked.key_index);
    out
}

/// A profile outcome's members for the JS result.
pub(crate) trait Serialize {
    fn fields(&self) -> Vec<(&'static str, Value)>;
}

impl Serialize for () {
    fn fields(&self) -> Vec<(&'static str, Value)> {
        Vec::new()
    }
}

#[cfg(feature = "full-protocol")]
pub(crate) fn replay_json(replay: &Option<Replay>) -> Value {
    replay.as_ref().map_or(Value::Null, |r| json!({ "key": r.key, "expiresAt": r.expires_at, "checkedAt": r.checked_at }))
}

#[cfg(feature = "full-protocol")]
impl Serialize for assertion::Outcome {
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![("clientId", json!(self.client_id)), ("federated", json!(self.federated)), ("jti", json!(self.jti)), ("replay", replay_json(&self.replay))]
    }
}

#[cfg(feature = "full-protocol")]
impl Serialize for webhook::Outcome {
    fn fields(&self) -> Vec<(&'static str, Value)> {
        vec![("jti", json!(self.jti)), ("replay", replay_json(&self.replay))]
    }
}

/// `verifyJwt` / `verifyJwtSync` with `options` read on this call (see [`run`] for `host`).
#[wasm_bindgen(js_name = verifyJwt)]
pub fn verify_jwt(token: &JsValue, keys: &WasmKeySet, options: &JsValue, host: Option<Function>) -> Result<String, JsValue> {
    let options = read(options, "verifyJwt", VerifyOptions::read)?;
    let token = token_text(token, options.max_token_length)?;
    let checked = run(&token, keys, &options, options.now(host_now()), host.as_ref())?;
    Ok(result_json(&checked))
}

/// The `kid` of a token's header for a remote key set's lookup (`undefined`: none, or a token
/// that verification will refuse), after the same length check as verification.
#[cfg(feature = "remote-jwks")]
#[wasm_bindgen(js_name = tokenKid)]
pub fn token_kid(token: &JsValue, max_length: usize) -> Result<Option<String>, JsValue> {
    let token = token_text(token, max_length)?;
    Ok(crate::token::kid(&token, max_length))
}

/// A profile read once (`createVerifier`, `checkAssertion`, `verifyWebhook`), run on tokens.
#[wasm_bindgen]
pub struct WasmProfile {
    kind: Kind,
}

enum Kind {
    Jwt(VerifyOptions),
    #[cfg(feature = "full-protocol")]
    Assertion(AssertionOptions),
    #[cfg(feature = "full-protocol")]
    Webhook(WebhookOptions),
    #[cfg(feature = "full-protocol")]
    AccessToken(AccessTokenOptions),
}

#[wasm_bindgen]
impl WasmProfile {
    /// `VerifyOptions`; `owner` names the call in messages (`createVerifier`, `verifyJwt`).
    pub fn jwt(options: &JsValue, owner: &str) -> Result<WasmProfile, JsValue> {
        Ok(WasmProfile { kind: Kind::Jwt(read(options, owner, VerifyOptions::read)?) })
    }

    #[cfg(feature = "full-protocol")]
    pub fn assertion(options: &JsValue) -> Result<WasmProfile, JsValue> {
        Ok(WasmProfile { kind: Kind::Assertion(read(options, "checkAssertion", AssertionOptions::read)?) })
    }

    #[cfg(feature = "full-protocol")]
    pub fn webhook(options: &JsValue) -> Result<WasmProfile, JsValue> {
        Ok(WasmProfile { kind: Kind::Webhook(read(options, "verifyWebhook", WebhookOptions::read)?) })
    }

    #[cfg(feature = "full-protocol")]
    #[wasm_bindgen(js_name = accessToken)]
    pub fn access_token(options: &JsValue) -> Result<WasmProfile, JsValue> {
        Ok(WasmProfile { kind: Kind::AccessToken(read(options, "verifyAccessToken", AccessTokenOptions::read)?) })
    }

    #[wasm_bindgen(js_name = maxTokenLength)]
    pub fn max_token_length(&self) -> usize {
        match &self.kind {
            Kind::Jwt(options) => options.max_token_length,
            #[cfg(feature = "full-protocol")]
            Kind::Assertion(a) => a.max_token_length,
            #[cfg(feature = "full-protocol")]
            Kind::Webhook(w) => w.verify.max_token_length,
            #[cfg(feature = "full-protocol")]
            Kind::AccessToken(a) => a.verify.max_token_length,
        }
    }

    /// `verifyWebhook`'s `request` (`{ authorization, body }`), each member read once:
    /// `[token, body]`, the token of `Authorization: Bearer <jwt>` and the body as given (a
    /// string, or its raw bytes as a Uint8Array). A request that is no object, a body of
    /// another type (an ArrayBuffer too), or a member whose getter throws is a `TypeError`
    /// (`ERR_INVALID_OPTION`, `option` naming it), before any key is fetched.
    #[cfg(feature = "full-protocol")]
    #[wasm_bindgen(js_name = webhookRequest)]
    pub fn webhook_request(&self, request: &JsValue) -> Result<js_sys::Array, JsValue> {
        let wrong = |option: &str, message: String| super::type_error("ERR_INVALID_OPTION", format!("verifyWebhook: {message}"), Some(option));
        if !request.is_object() {
            return Err(wrong("request", format!("request must be an object {{ authorization, body }}, got {}", kind_of(request))));
        }
        let member = |name: &str| {
            js_sys::Reflect::get(request, &JsValue::from_str(name))
                .map_err(|_| wrong(&format!("request.{name}"), format!("request.{name} cannot be read: reading it threw")))
        };
        let body = member("body")?;
        if !body.is_string() && !body.is_instance_of::<Uint8Array>() {
            let hint = if body.is_instance_of::<js_sys::ArrayBuffer>() { " (wrap an ArrayBuffer as new Uint8Array(buffer))" } else { "" };
            return Err(wrong("request.body", format!("request.body must be the raw body as a string or a Uint8Array{hint}, got {}", kind_of(&body))));
        }
        let token = self.bearer_token(&member("authorization")?)?;
        Ok(js_sys::Array::of2(&JsValue::from_str(&token), &body))
    }

    /// Milliseconds a replay store may take (assertions and webhooks).
    #[cfg(feature = "full-protocol")]
    #[wasm_bindgen(js_name = replayTimeoutMs)]
    pub fn replay_timeout_ms(&self) -> f64 {
        match &self.kind {
            Kind::Jwt(_) | Kind::AccessToken(_) => crate::options::DEFAULT_REPLAY_TIMEOUT_MS,
            #[cfg(feature = "full-protocol")]
            Kind::Assertion(a) => a.replay.timeout_ms(),
            #[cfg(feature = "full-protocol")]
            Kind::Webhook(w) => w.replay.timeout_ms(),
        }
    }

    /// Which key set verifies `token`: -1 for the caller's `keys`, `i` for `federated[i].keys`.
    #[cfg(feature = "full-protocol")]
    pub fn route(&self, token: &str) -> i32 {
        match &self.kind {
            #[cfg(feature = "full-protocol")]
            Kind::Assertion(a) => match a.route(token) {
                Route::Client => -1,
                Route::Federated(index) => i32::try_from(index).unwrap_or(-1),
            },
            _ => -1,
        }
    }

    /// The token text after the length check (assertions: their own `maxTokenLength`).
    pub fn text(&self, token: &JsValue) -> Result<String, JsValue> {
        token_text(token, self.max_token_length())
    }

    /// [`WasmProfile::text`] then [`WasmProfile::verify`] (no route, no body) in one crossing.
    #[wasm_bindgen(js_name = verifyToken)]
    pub fn verify_token(&self, token: &JsValue, keys: &WasmKeySet, host: Option<Function>) -> Result<String, JsValue> {
        let text = self.text(token)?;
        self.verify(&text, keys, -1, None, host)
    }

    /// The rules that need `token` alone ([`verify::check_before_keys`]), for a host about to
    /// find keys for it (a remote set, a resolver): throws the error verification would.
    #[cfg_attr(not(feature = "full-protocol"), allow(unused_variables))]
    #[wasm_bindgen(js_name = checkBeforeKeys)]
    pub fn check_before_keys(&self, token: &str, route: i32) -> Result<(), JsValue> {
        let checked = match &self.kind {
            Kind::Jwt(options) => verify::check_before_keys(token, options),
            #[cfg(feature = "full-protocol")]
            Kind::Assertion(a) => verify::check_before_keys(token, &a.verify_options(route_of(route))),
            #[cfg(feature = "full-protocol")]
            Kind::Webhook(w) => verify::check_before_keys(token, &w.verify),
            #[cfg(feature = "full-protocol")]
            Kind::AccessToken(a) => verify::check_before_keys(token, &a.verify),
        };
        checked.map_err(jose_error)
    }

    /// The whole pipeline (see [`run`] for `host`); `body` is a webhook's raw body.
    // The verify-only module has one profile: `route` and `body` are the others'.
    #[cfg_attr(not(feature = "full-protocol"), allow(unused_variables))]
    pub fn verify(&self, token: &str, keys: &WasmKeySet, route: i32, body: Option<Vec<u8>>, host: Option<Function>) -> Result<String, JsValue> {
        let host = host.as_ref();
        match &self.kind {
            Kind::Jwt(options) => Ok(result_json(&run(token, keys, options, options.now(host_now()), host)?)),
            #[cfg(feature = "full-protocol")]
            Kind::Assertion(a) => {
                let now = a.current_date.unwrap_or_else(host_now);
                Ok(result_json(&run(token, keys, &a.for_route(route_of(route)), now, host)?))
            }
            #[cfg(feature = "full-protocol")]
            Kind::Webhook(w) => {
                let body = body.unwrap_or_default();
                Ok(result_json(&run(token, keys, &w.for_body(&body), w.verify.now(host_now()), host)?))
            }
            #[cfg(feature = "full-protocol")]
            Kind::AccessToken(a) => Ok(result_json(&run(token, keys, a, a.verify.now(host_now()), host)?)),
        }
    }

    /// Everything before the signature, for an asynchronous host.
    #[cfg_attr(not(feature = "full-protocol"), allow(unused_variables))]
    pub fn prepare(&self, token: &str, keys: &WasmKeySet, route: i32) -> Result<WasmPrepared, JsValue> {
        let prepared = match &self.kind {
            Kind::Jwt(options) => verify::prepare(token, &keys.inner, options),
            #[cfg(feature = "full-protocol")]
            Kind::Assertion(a) => verify::prepare(token, &keys.inner, &a.verify_options(route_of(route))),
            #[cfg(feature = "full-protocol")]
            Kind::Webhook(w) => verify::prepare(token, &keys.inner, &w.verify),
            #[cfg(feature = "full-protocol")]
            Kind::AccessToken(a) => verify::prepare(token, &keys.inner, &a.verify),
        };
        prepared.map(|inner| WasmPrepared { inner, options: None }).map_err(jose_error)
    }

    /// After candidate `key_index` of `prepared` verified the signature: claims and the
    /// profile's rules; the same result as [`WasmProfile::verify`].
    #[cfg_attr(not(feature = "full-protocol"), allow(unused_variables))]
    pub fn finish(&self, prepared: &WasmPrepared, key_index: usize, route: i32, body: Option<Vec<u8>>) -> Result<String, JsValue> {
        let prepared = &prepared.inner;
        let result = match &self.kind {
            Kind::Jwt(options) => prepared.finish(key_index, options, options.now(host_now())).map(|c| result_json(&c)),
            #[cfg(feature = "full-protocol")]
            Kind::Assertion(a) => prepared.finish(key_index, &a.for_route(route_of(route)), a.current_date.unwrap_or_else(host_now)).map(|c| result_json(&c)),
            #[cfg(feature = "full-protocol")]
            Kind::Webhook(w) => {
                let body = body.unwrap_or_default();
                prepared.finish(key_index, &w.for_body(&body), w.verify.now(host_now())).map(|c| result_json(&c))
            }
            #[cfg(feature = "full-protocol")]
            Kind::AccessToken(a) => prepared.finish(key_index, a, a.verify.now(host_now())).map(|c| result_json(&c)),
        };
        result.map_err(jose_error)
    }
}

#[cfg(feature = "full-protocol")]
impl WasmProfile {
    /// The JWT of an `Authorization: Bearer <jwt>` header value.
    fn bearer_token(&self, authorization: &JsValue) -> Result<String, JsValue> {
        let malformed = || jose_error(JoseError::jws_invalid("the Authorization header must be \"Bearer <jwt>\""));
        let text = authorization.dyn_ref::<JsString>().ok_or_else(malformed)?;
        // The scheme and its spaces, then a token no longer than maxTokenLength: a longer value is
        // refused before it is copied, in words about the header (its token may be shorter).
        let (length, max) = (text.length() as usize, self.max_token_length());
        if length > crate::resource::max_authorization_length(max) {
            return Err(jose_error(crate::resource::authorization_too_long(length, max)));
        }
        let text = utf8_of(text, length);
        webhook::bearer_token(&text).map(str::to_owned).map_err(jose_error)
    }

    /// The token check of `authenticateRequest` (its options read by `WasmResource`).
    pub(crate) fn from_access_token(options: AccessTokenOptions) -> WasmProfile {
        WasmProfile { kind: Kind::AccessToken(options) }
    }
}

#[cfg(feature = "full-protocol")]
fn route_of(route: i32) -> Route {
    usize::try_from(route).map_or(Route::Client, Route::Federated)
}

/// A token checked up to its signature; the host tries `candidates()`, then `finish`.
#[wasm_bindgen]
pub struct WasmPrepared {
    inner: Prepared,
    /// The options of a plain `verifyJwt` ([`prepare_jwt`]), read on that call.
    options: Option<VerifyOptions>,
}

/// `verifyJwt` for an asynchronous host, with `options` read on this call: everything before
/// the signature; the host tries `candidates()`, then `finishJwt`.
#[wasm_bindgen(js_name = prepareJwt)]
pub fn prepare_jwt(token: &JsValue, keys: &WasmKeySet, options: &JsValue) -> Result<WasmPrepared, JsValue> {
    let options = read(options, "verifyJwt", VerifyOptions::read)?;
    let token = token_text(token, options.max_token_length)?;
    let inner = verify::prepare(&token, &keys.inner, &options).map_err(jose_error)?;
    Ok(WasmPrepared { inner, options: Some(options) })
}

impl WasmPrepared {
    /// A token prepared for a profile other than plain `verifyJwt`.
    #[cfg(feature = "full-protocol")]
    pub(crate) fn new(inner: Prepared) -> WasmPrepared {
        WasmPrepared { inner, options: None }
    }

    #[cfg(feature = "full-protocol")]
    pub(crate) fn prepared(&self) -> &Prepared {
        &self.inner
    }
}

#[wasm_bindgen]
impl WasmPrepared {
    /// The index of the token's algorithm in `algorithmTable()`.
    #[wasm_bindgen(js_name = algCode)]
    pub fn alg_code(&self) -> u32 {
        alg_code(self.inner.alg)
    }

    /// The keys to try, in set order (their signature shape fits).
    pub fn candidates(&self) -> Vec<u32> {
        self.inner.candidates.iter().map(|&i| i as u32).collect()
    }

    pub fn signature(&self) -> Vec<u8> {
        self.inner.signature().to_vec()
    }

    #[wasm_bindgen(js_name = signingInput)]
    pub fn signing_input(&self) -> Vec<u8> {
        self.inner.signing_input().to_vec()
    }

    /// After candidate `key_index` verified the signature of a [`prepare_jwt`] token.
    #[wasm_bindgen(js_name = finishJwt)]
    pub fn finish_jwt(&self, key_index: usize) -> Result<String, JsValue> {
        let options = self.options.as_ref().ok_or_else(|| jose_error(JoseError::jwks_invalid("finishJwt needs a token prepared by prepareJwt")))?;
        self.inner.finish(key_index, options, options.now(host_now())).map(|c| result_json(&c)).map_err(jose_error)
    }

    /// The pure-Rust check of candidate `index`, where the host lacks the algorithm (in the
    /// protocol module: HMAC only, `false` for the rest).
    #[wasm_bindgen(js_name = verifyRust)]
    pub fn verify_rust(&self, keys: &WasmKeySet, index: usize) -> bool {
        let Some(key) = keys.inner.keys.get(index) else { return false };
        Builtin::default().verify(self.inner.alg, key, self.inner.signing_input(), self.inner.signature()).unwrap_or(false)
    }
}

/// `SignatureVerificationFailed` as the JS layer reports it after trying every candidate.
#[wasm_bindgen(js_name = signatureFailed)]
pub fn signature_failed() -> JsValue {
    jose_error(JoseError::signature_failed())
}
