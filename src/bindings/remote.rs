//! `RemoteJwks` in JavaScript: the cache policy of `crate::remote` as a wasm object, and the
//! fetch itself through the host's `fetch` (web-sys / js-sys), with a timeout that covers the
//! response and its body (AbortController), a body size limit, and no redirects.

use super::jose_error;
use crate::encoding::parse_json_strict;
use crate::error::{ErrorCode, JoseError};
use crate::options::read_remote;
use crate::quote::quoted;
use crate::remote::{self, discovery, RemoteCache, RemoteOptions, ResponseHeaders};
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use std::cell::Cell;
use web_sys::{AbortController, Headers, Request, RequestCache, RequestInit, RequestRedirect};

/// JSON text read by the core's one parser (serde_json's would be a second one in the module).
fn json(text: &str) -> Result<Value, String> {
    parse_json_strict(text.as_bytes())
}

fn json_object(text: &str) -> Result<serde_json::Map<String, Value>, String> {
    match json(text)? {
        Value::Object(members) => Ok(members),
        _ => Err("not a JSON object".to_owned()),
    }
}

/// An error of the remote cache, with the URL and the kids it knows (JoseError `url`, `kids`).
fn remote_error(err: JoseError, cache: &RemoteCache) -> JsValue {
    let text = jose_error(err).as_string().unwrap_or_default();
    let mut value: Value = json(&text).unwrap_or_else(|_| json!({}));
    value["url"] = json!(cache.url());
    if value.get("kids").is_none() {
        let (first, count) = crate::quote::capped_kids(cache.kids());
        value["kids"] = json!(first);
        value["kidCount"] = json!(count);
    }
    JsValue::from_str(&value.to_string())
}

/// `RemoteOptions`, all of them: the policy's and the host's.
fn parse_options(options: &JsValue, owner: &str) -> Result<RemoteOptions, JsValue> {
    super::options::read(options, owner, |value| read_remote(value, |_| Ok(())).map(|(policy, ())| policy))
}

/// Whether a remote key set has a key `token` may select (`false`: refetch as for an unknown
/// `kid`). A token that is no text, or too long, counts as served: verification refuses it.
#[wasm_bindgen(js_name = hasCandidate)]
pub fn has_candidate(keys: &super::WasmKeySet, token: &JsValue, max_length: usize) -> bool {
    super::verify::token_text(token, max_length).map_or(true, |token| remote::has_candidate(&keys.inner, &token, max_length))
}

/// Validates `RemoteOptions` (a `TypeError` naming the option), for `discoverJwks`.
#[wasm_bindgen(js_name = checkRemoteOptions)]
pub fn check_remote_options(options: &JsValue, owner: &str) -> Result<(), JsValue> {
    parse_options(options, owner).map(|_| ())
}

/// The cache policy of one `RemoteJwks`.
#[wasm_bindgen]
pub struct WasmRemoteCache {
    inner: RemoteCache,
}

#[wasm_bindgen]
impl WasmRemoteCache {
    #[wasm_bindgen(constructor)]
    pub fn new(url: String, options: &JsValue) -> Result<WasmRemoteCache, JsValue> {
        Ok(WasmRemoteCache { inner: RemoteCache::new(url, parse_options(options, "RemoteJwks")?) })
    }

    /// A cache restored from `exportState()` JSON text (`"null"`: empty) at `now_ms`.
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(url: String, options: &JsValue, state_json: &str, now_ms: f64) -> Result<WasmRemoteCache, JsValue> {
        let options = parse_options(options, "RemoteJwks.fromState")?;
        let state = state_value(&url, state_json).map_err(jose_error)?;
        RemoteCache::from_state(url, options, &state, now_ms).map(|inner| WasmRemoteCache { inner }).map_err(jose_error)
    }

    /// Takes the state text a `JwksStore` returned where it is newer: `"skip"` (the fetch in
    /// flight for `kid` is not needed), `"fetch"` or `"wait"` (another process is fetching).
    /// Throws the JoseError of a malformed state.
    #[wasm_bindgen(js_name = adoptState)]
    pub fn adopt_state(&mut self, now_ms: f64, state_json: &str, kid: Option<String>) -> Result<String, JsValue> {
        let state = state_value(self.inner.url(), state_json).map_err(jose_error)?;
        self.inner.adopt_state(now_ms, &state, kid.as_deref()).map(|v| v.as_str().to_owned()).map_err(jose_error)
    }

    /// `adoptState` for the refetch of a token the set has no key for (`decideWithoutCandidate`).
    #[wasm_bindgen(js_name = adoptStateWithoutCandidate)]
    pub fn adopt_state_without_candidate(&mut self, now_ms: f64, state_json: &str) -> Result<String, JsValue> {
        let state = state_value(self.inner.url(), state_json).map_err(jose_error)?;
        self.inner.adopt_state_without_candidate(now_ms, &state).map(|v| v.as_str().to_owned()).map_err(jose_error)
    }

    /// A shared store backs this cache (`RemoteOptions.store`).
    #[wasm_bindgen(js_name = setShared)]
    pub fn set_shared(&mut self, shared: bool) {
        self.inner.set_shared(shared);
    }

    #[wasm_bindgen(js_name = startConsult)]
    pub fn start_consult(&mut self, now_ms: f64) {
        self.inner.start_consult(now_ms);
    }

    /// Ends the fetch in flight without a request.
    #[wasm_bindgen(js_name = cancelFetch)]
    pub fn cancel_fetch(&mut self) {
        self.inner.cancel_fetch();
    }

    /// How long a `JwksStore` should keep `exportState()` text written now, in ms.
    #[wasm_bindgen(js_name = storeTtlMs)]
    pub fn store_ttl_ms(&self, now_ms: f64) -> f64 {
        self.inner.store_ttl_ms(now_ms)
    }

    /// The request headers for the next fetch: `base_json` plus `If-None-Match` /
    /// `If-Modified-Since` from the cached set's response, where no HTTP cache does that.
    #[wasm_bindgen(js_name = requestHeaders)]
    pub fn request_headers(&self, base_json: &str) -> String {
        let mut headers = json_object(base_json).unwrap_or_default();
        if !has_http_cache() {
            let (etag, last_modified) = self.inner.validators();
            if let Some(etag) = etag {
                headers.insert("if-none-match".to_owned(), json!(etag));
            }
            if let Some(last_modified) = last_modified {
                headers.insert("if-modified-since".to_owned(), json!(last_modified));
            }
        }
        Value::Object(headers).to_string()
    }

    /// `"serve"`, `"fetch"` or `"join"`; throws the error to report when nothing can serve.
    pub fn decide(&self, now_ms: f64, kid: Option<String>, waited: bool) -> Result<String, JsValue> {
        self.inner
            .decide(now_ms, kid.as_deref(), waited)
            .map(|action| action.as_str().to_owned())
            .map_err(|err| remote_error(err, &self.inner))
    }

    /// `"serve"`, `"fetch"` or `"join"` for a token the served set has no key for
    /// (`hasCandidate` false): the refetch an unknown `kid` gets, under the same cooldown.
    /// `waited`: after that refetch. Throws the fetch error when the refetch failed.
    #[wasm_bindgen(js_name = decideWithoutCandidate)]
    pub fn decide_without_candidate(&self, now_ms: f64, waited: bool) -> Result<String, JsValue> {
        self.inner
            .decide_without_candidate(now_ms, waited)
            .map(|action| action.as_str().to_owned())
            .map_err(|err| remote_error(err, &self.inner))
    }

    #[wasm_bindgen(js_name = startFetch)]
    pub fn start_fetch(&mut self, now_ms: f64) {
        self.inner.start_fetch(now_ms);
    }

    /// Records what `fetchText` resolved to (a 200 with its body, or a 304).
    #[wasm_bindgen(js_name = fetchSucceeded)]
    pub fn fetch_succeeded(&mut self, now_ms: f64, response: &JsValue) -> Result<(), JsValue> {
        let text = |name: &str| property(response, name).as_string();
        let (cache_control, age, etag, last_modified) = (text("cacheControl"), text("age"), text("etag"), text("lastModified"));
        let headers = ResponseHeaders {
            cache_control: cache_control.as_deref(),
            age: age.as_deref(),
            etag: etag.as_deref(),
            last_modified: last_modified.as_deref(),
        };
        let result = if property(response, "status").as_f64() == Some(304.0) {
            self.inner.not_modified(now_ms, headers)
        } else {
            self.inner.fetch_succeeded_with(now_ms, &text("body").unwrap_or_default(), headers)
        };
        result.map_err(|err| remote_error(err, &self.inner))
    }

    /// Records a failed fetch (`error_json` as thrown by `fetchJson`, or any other text);
    /// returns the error JSON to throw.
    #[wasm_bindgen(js_name = fetchFailed)]
    pub fn fetch_failed(&mut self, now_ms: f64, error_json: &str) -> JsValue {
        let parsed: Option<Value> = json(error_json).ok();
        let code = parsed.as_ref().and_then(|v| v.get("code")).and_then(Value::as_str);
        let code = [ErrorCode::JwksTimeout, ErrorCode::JwksInvalid].into_iter().find(|c| Some(c.as_str()) == code);
        let message = parsed.as_ref().and_then(|v| v.get("message")).and_then(Value::as_str).unwrap_or(error_json);
        let retry_after = parsed.as_ref().and_then(|v| v.get("retryAfter")).and_then(Value::as_str);
        let err = JoseError::new(code.unwrap_or(ErrorCode::JwksFetchFailed), message);
        let err = self.inner.fetch_failed_with(now_ms, err, retry_after);
        remote_error(err, &self.inner)
    }

    /// Changes whenever the cached set does.
    pub fn generation(&self) -> f64 {
        self.inner.generation() as f64
    }

    /// The cached JWK Set's JSON text.
    #[wasm_bindgen(js_name = jwksText)]
    pub fn jwks_text(&self) -> Option<String> {
        self.inner.set().map(|s| s.jwks_text.clone())
    }

    /// `{fetches, lastFetchAt, lastError, kids}` (seconds).
    pub fn stats(&self) -> String {
        serde_json::to_string(&self.inner.stats()).unwrap_or_default()
    }

    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(&self) -> String {
        self.inner.export_state().to_string()
    }
}

/// State text as JSON, refusing duplicate members (as a fetched body is).
fn state_value(url: &str, state_json: &str) -> Result<Value, JoseError> {
    parse_json_strict(state_json.as_bytes()).map_err(|e| JoseError::jwks_invalid(format!("RemoteJwks state for {} is not JSON: {e}", quoted(url))))
}

/// Throws a `TypeError` for a `RemoteJwks` / `discoverJwks` URL the core refuses (`what`
/// names it; `href` is `new URL(url).href`).
#[wasm_bindgen(js_name = checkRemoteUrl)]
pub fn check_remote_url(what: &str, href: &str) -> Result<(), JsValue> {
    remote::check_url(href).map_err(|why| super::type_error("ERR_INVALID_URL", format!("{what} {why}"), None))
}

/// The metadata URLs to try for `issuer`, as a JSON array.
#[wasm_bindgen(js_name = metadataUrls)]
pub fn metadata_urls(issuer: &str) -> Result<String, JsValue> {
    // An issuer identifier discovery cannot use is the caller's error, before any request.
    discovery::check_issuer(issuer).map_err(|why| super::type_error("ERR_INVALID_URL", format!("discoverJwks issuer is not usable for discovery: {why}"), None))?;
    discovery::metadata_urls(issuer).map(|urls| json!(urls).to_string()).map_err(jose_error)
}

/// The `jwks_uri` of a metadata document, after the issuer check.
#[wasm_bindgen(js_name = jwksUriOf)]
pub fn jwks_uri_of(issuer: &str, document_url: &str, body: &str) -> Result<String, JsValue> {
    discovery::jwks_uri(issuer, document_url, body).map_err(jose_error)
}

fn global_function(name: &str) -> Option<Function> {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name)).ok()?.dyn_into::<Function>().ok()
}

fn property(target: &JsValue, name: &str) -> JsValue {
    if !target.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

/// Calls `target[name]()` when it is a function.
fn call_method(target: &JsValue, name: &str) -> Option<Result<JsValue, JsValue>> {
    let method = property(target, name).dyn_into::<Function>().ok()?;
    Some(method.call0(target))
}

/// A thrown JS value as text: its message, and its `cause` (Node's `fetch failed` hides the
/// reason there).
fn describe(thrown: &JsValue) -> String {
    let text = |value: &JsValue| {
        property(value, "message").as_string().or_else(|| value.as_string()).unwrap_or_else(|| format!("{value:?}"))
    };
    let mut out = quoted(&text(thrown));
    let cause = property(thrown, "cause");
    if !cause.is_undefined() && !cause.is_null() {
        out.push_str(&format!(" ({})", quoted(&text(&cause))));
    }
    out
}

/// Whether `fetch` goes through an HTTP cache that needs `cache: "no-cache"`: browsers do
/// (their cache would answer an unknown-kid refetch with the set the policy already has; a
/// `max-age` of hours is common), and they revalidate with the server themselves. Node, Deno
/// and Bun have no HTTP cache, and there the mode only adds `Cache-Control: max-age=0` to
/// every request; workerd refuses the member unless a compatibility flag is set.
fn has_http_cache() -> bool {
    let global = js_sys::global();
    let versions = property(&property(&global, "process"), "versions");
    let server_side = property(&versions, "node").is_string() || property(&global, "Deno").is_object();
    !server_side && http_cache_mode_supported()
}

/// Whether `fetch` takes `cache: "no-cache"` (probed once).
fn http_cache_mode_supported() -> bool {
    thread_local!(static SUPPORTED: Cell<Option<bool>> = const { Cell::new(None) });
    SUPPORTED.with(|supported| {
        if let Some(known) = supported.get() {
            return known;
        }
        let init = RequestInit::new();
        init.set_cache(RequestCache::NoCache);
        let known = Request::new_with_str_and_init("http://127.0.0.1/", &init).is_ok();
        supported.set(Some(known));
        known
    })
}

/// Lets a `cancel()` promise settle unobserved: a rejection must not surface as unhandled.
/// The handler is the global `Boolean` (a JS function that ignores its effect), not a Rust
/// closure: a closure handed to JS is freed only when called, and it is not called when
/// `cancel()` succeeds (that leaked ~46 bytes of wasm heap per refused response).
fn discard(cancelled: Option<Result<JsValue, JsValue>>) {
    if let Some(Ok(promise)) = cancelled {
        if let (Ok(catch), Some(handler)) = (property(&promise, "catch").dyn_into::<Function>(), global_function("Boolean")) {
            let _ = catch.call1(&promise, &handler);
        }
    }
}

/// One timer for the whole fetch: it aborts the request and rejects `promise`.
struct Deadline {
    controller: AbortController,
    promise: Promise,
    timer: JsValue,
    /// Owned here, so that it is freed once the timer is cleared.
    _fire: Option<Closure<dyn FnMut()>>,
}

impl Deadline {
    fn start(timeout_ms: f64) -> Result<Deadline, JoseError> {
        let unavailable = |what: &str| JoseError::new(ErrorCode::JwksFetchFailed, format!("this runtime has no {what}"));
        let controller = AbortController::new().map_err(|_| unavailable("AbortController"))?;
        let set_timeout = global_function("setTimeout").ok_or_else(|| unavailable("setTimeout"))?;
        let mut timer = JsValue::UNDEFINED;
        let mut owned = None;
        let aborter = controller.clone();
        let promise = Promise::new(&mut |_resolve, reject| {
            let aborter = aborter.clone();
            let fire: Closure<dyn FnMut()> = Closure::once(move || {
                aborter.abort();
                let _ = reject.call1(&JsValue::UNDEFINED, &JsValue::from_str("timeout"));
            });
            let callback: &JsValue = fire.as_ref();
            timer = set_timeout.call2(&JsValue::UNDEFINED, callback, &JsValue::from_f64(timeout_ms)).unwrap_or(JsValue::UNDEFINED);
            owned = Some(fire);
        });
        Ok(Deadline { controller, promise, timer, _fire: owned })
    }

    /// `promise`, unless the deadline passes first.
    async fn race(&self, promise: Promise) -> Result<JsValue, JsValue> {
        JsFuture::from(Promise::race(&Array::of2(&promise, &self.promise))).await
    }

    fn expired(&self) -> bool {
        self.controller.signal().aborted()
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        if let Some(clear) = global_function("clearTimeout") {
            let _ = clear.call1(&JsValue::UNDEFINED, &self.timer);
        }
    }
}

struct Fetch<'a> {
    url: &'a str,
    timeout_ms: f64,
    max_bytes: f64,
    deadline: Deadline,
}

impl Fetch<'_> {
    fn failed(&self, why: impl std::fmt::Display) -> JoseError {
        JoseError::new(ErrorCode::JwksFetchFailed, format!("GET {} failed: {why}", quoted(self.url)))
    }

    /// A rejection while waiting: the timeout, or the fetch's own failure.
    fn rejected(&self, thrown: &JsValue, stage: &str) -> JoseError {
        if self.deadline.expired() {
            JoseError::new(ErrorCode::JwksTimeout, format!("GET {} timed out after {} ms (timeoutMs) {stage}", quoted(self.url), self.timeout_ms))
        } else {
            self.failed(format!("{stage}: {}", describe(thrown)))
        }
    }

    fn too_large(&self, size: impl std::fmt::Display) -> JoseError {
        self.failed(format!("the response body is larger than maxBytes ({} bytes): {size}", self.max_bytes))
    }

    async fn send(&self, fetch: &Function, headers_json: &str) -> Result<JsValue, JoseError> {
        let headers = Headers::new().map_err(|e| self.failed(describe(&e)))?;
        let pairs = json_object(headers_json).map_err(|e| self.failed(format!("bad headers: {e}")))?;
        for (name, value) in &pairs {
            let value = value.as_str().unwrap_or_default();
            headers.set(name, value).map_err(|e| self.failed(format!("header {}: {}", quoted(name), describe(&e))))?;
        }
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_redirect(RequestRedirect::Manual);
        init.set_signal(Some(&self.deadline.controller.signal()));
        init.set_headers(&headers);
        if has_http_cache() {
            init.set_cache(RequestCache::NoCache);
        }
        let pending = fetch
            .call2(&js_sys::global(), &JsValue::from_str(self.url), &init)
            .map_err(|e| self.failed(describe(&e)))?;
        self.deadline.race(Promise::resolve(&pending)).await.map_err(|e| self.rejected(&e, "waiting for the response"))
    }

    fn header(response: &JsValue, name: &str) -> Option<String> {
        let headers = property(response, "headers");
        let get = property(&headers, "get").dyn_into::<Function>().ok()?;
        get.call1(&headers, &JsValue::from_str(name)).ok()?.as_string()
    }

    /// Only a plain 200 is a JWKS (and a 304 revalidates the cached one, which the policy
    /// judges); redirects (3xx under `redirect: "manual"`, an `opaqueredirect` in browsers,
    /// or a `redirected` response from a custom fetch) are not. A 429 or 503 carries its
    /// `Retry-After` to the policy.
    fn check_status(&self, response: &JsValue) -> Result<(), (JoseError, Option<String>)> {
        if !response.is_object() {
            return Err((self.failed("fetch did not resolve to a Response"), None));
        }
        let status = property(response, "status").as_f64().unwrap_or(0.0);
        self.check_redirect(response, status).map_err(|e| (e, None))?;
        if status != 200.0 && status != 304.0 {
            let text = property(response, "statusText").as_string().filter(|t| !t.is_empty()).map(|t| format!(" {}", quoted(&t))).unwrap_or_default();
            let retry_after = if status == 429.0 || status == 503.0 { Self::header(response, "retry-after") } else { None };
            return Err((self.failed(format!("HTTP status {status}{text}, expected 200")), retry_after));
        }
        if let Some(length) = Self::header(response, "content-length") {
            if length.trim().parse::<f64>().is_ok_and(|n| n > self.max_bytes) {
                return Err((self.too_large(format!("its Content-Length is {}", quoted(length.trim()))), None));
            }
        }
        Ok(())
    }

    fn check_redirect(&self, response: &JsValue, status: f64) -> Result<(), JoseError> {
        // A member that cannot be read (a throwing getter or Proxy trap of a custom fetch's
        // response) is no answer to "was it redirected?": refused, never taken as "no".
        let read = |name: &str| {
            Reflect::get(response, &JsValue::from_str(name))
                .map_err(|_| self.failed(format!("the response's {name} cannot be read (reading it threw)")))
        };
        let kind = read("type")?.as_string().unwrap_or_default();
        if kind == "opaqueredirect" || ((300.0..400.0).contains(&status) && status != 304.0) {
            let location = Self::header(response, "location").map(|l| format!(" to {}", quoted(&l))).unwrap_or_default();
            return Err(self.failed(format!("it answered with a redirect{location} (status {status}); redirects are not followed")));
        }
        if read("redirected")?.is_truthy() {
            let to = property(response, "url").as_string().unwrap_or_default();
            return Err(self.failed(format!("the response was redirected to {}; redirects are not followed", quoted(&to))));
        }
        Ok(())
    }

    /// The body, read no further than `maxBytes`.
    async fn read_body(&self, response: &JsValue) -> Result<Vec<u8>, JoseError> {
        let stream = property(response, "body");
        let reader = match call_method(&stream, "getReader") {
            Some(Ok(reader)) => reader,
            Some(Err(e)) => return Err(self.failed(format!("reading the body: {}", describe(&e)))),
            None => return self.read_whole(response).await,
        };
        let mut bytes = Vec::new();
        loop {
            let read = call_method(&reader, "read").unwrap_or_else(|| Err(JsValue::from_str("the body reader has no read()")));
            let chunk = match read {
                Ok(promise) => self.deadline.race(Promise::resolve(&promise)).await,
                Err(e) => Err(e),
            };
            let chunk = chunk.map_err(|e| self.rejected(&e, "reading the body"))?;
            if property(&chunk, "done").is_truthy() {
                return Ok(bytes);
            }
            let value = property(&chunk, "value");
            let part = value.dyn_into::<Uint8Array>().unwrap_or_else(|v| Uint8Array::new(&v));
            if bytes.len() as f64 + f64::from(part.length()) > self.max_bytes {
                discard(call_method(&reader, "cancel"));
                self.deadline.controller.abort();
                return Err(self.too_large(format!("reading stopped at {} bytes", bytes.len() as f64 + f64::from(part.length()))));
            }
            bytes.extend_from_slice(&part.to_vec());
        }
    }

    /// For a custom fetch whose response has no body stream.
    async fn read_whole(&self, response: &JsValue) -> Result<Vec<u8>, JoseError> {
        let (method, text) = if property(response, "arrayBuffer").is_function() { ("arrayBuffer", false) } else { ("text", true) };
        let pending = call_method(response, method)
            .unwrap_or_else(|| Err(JsValue::from_str("the response has neither a body stream, arrayBuffer() nor text()")))
            .map_err(|e| self.failed(format!("reading the body: {}", describe(&e))))?;
        let value = self.deadline.race(Promise::resolve(&pending)).await.map_err(|e| self.rejected(&e, "reading the body"))?;
        let bytes = if text { value.as_string().unwrap_or_default().into_bytes() } else { Uint8Array::new(&value).to_vec() };
        if bytes.len() as f64 > self.max_bytes {
            return Err(self.too_large(format!("it has {} bytes", bytes.len())));
        }
        Ok(bytes)
    }
}

/// GETs `url` with `fetch` (default: the global `fetch`) and returns `{status, body,
/// cacheControl, age, etag, lastModified}` (status 200, or 304 with no body); throws
/// JoseError JSON (`ERR_JWKS_TIMEOUT`, `ERR_JWKS_FETCH_FAILED` with `retryAfter` for a 429 or
/// 503 that sent one, or `ERR_JWKS_INVALID` for a body that is not UTF-8 text).
#[wasm_bindgen(js_name = fetchText)]
pub async fn fetch_text(url: String, fetch: Option<Function>, headers_json: String, timeout_ms: f64, max_bytes: f64) -> Result<JsValue, JsValue> {
    let fetch = fetch
        .or_else(|| global_function("fetch"))
        .ok_or_else(|| jose_error(JoseError::new(ErrorCode::JwksFetchFailed, "this runtime has no global fetch; pass options.fetch")))?;
    let deadline = Deadline::start(timeout_ms).map_err(jose_error)?;
    let request = Fetch { url: &url, timeout_ms, max_bytes, deadline };
    let response = request.send(&fetch, &headers_json).await.map_err(jose_error)?;
    let optional = |value: Option<String>| value.map_or(JsValue::NULL, |v| JsValue::from_str(&v));
    if let Err((err, retry_after)) = request.check_status(&response) {
        discard(call_method(&property(&response, "body"), "cancel"));
        let mut value: Value = json(&jose_error(err).as_string().unwrap_or_default()).unwrap_or_else(|_| json!({}));
        if let Some(retry_after) = retry_after {
            value["retryAfter"] = json!(retry_after);
        }
        return Err(JsValue::from_str(&value.to_string()));
    }
    let out = Object::new();
    let set = |name: &str, value: JsValue| Reflect::set(&out, &JsValue::from_str(name), &value);
    let status = property(&response, "status").as_f64().unwrap_or(200.0);
    let _ = set("status", JsValue::from_f64(status));
    let _ = set("cacheControl", optional(Fetch::header(&response, "cache-control")));
    let _ = set("age", optional(Fetch::header(&response, "age")));
    let _ = set("etag", optional(Fetch::header(&response, "etag")));
    let _ = set("lastModified", optional(Fetch::header(&response, "last-modified")));
    if status == 304.0 {
        discard(call_method(&property(&response, "body"), "cancel"));
        return Ok(out.into());
    }
    let bytes = request.read_body(&response).await.map_err(jose_error)?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let body = std::str::from_utf8(bytes)
        .map_err(|_| jose_error(JoseError::jwks_invalid(format!("the response from {} is not UTF-8 text", quoted(&url)))))?;
    let _ = set("body", JsValue::from_str(body));
    Ok(out.into())
}
