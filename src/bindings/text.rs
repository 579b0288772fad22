//! Text helpers for the CLI (one quoting rule: `crate::quote`) and the trap hook the runtime
//! recovery test uses.

use wasm_bindgen::prelude::*;

/// `text` as a JSON string, escaped and cut to 64 characters (`crate::quote::quoted`).
#[wasm_bindgen(js_name = quoteText)]
pub fn quote_text(text: &str) -> String {
    crate::quote::quoted(text)
}

/// JSON text safe to print; `limit` (characters) cuts it, 0 for no limit.
#[cfg(feature = "full-protocol")]
#[wasm_bindgen(js_name = safeJsonText)]
pub fn safe_json_text(json: &str, limit: usize) -> String {
    crate::quote::safe_json_text(json, (limit > 0).then_some(limit))
}

/// Traps the instance (as an allocation failure would): tests force the recovery path with
/// it. Harmless to call: the runtime replaces the instance.
#[cfg(feature = "full-protocol")]
#[wasm_bindgen(js_name = __trapForTests)]
pub fn trap_for_tests() {
    core::arch::wasm32::unreachable()
}
