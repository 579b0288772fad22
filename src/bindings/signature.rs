//! The signature module: the pure-Rust RSA/ECDSA/EdDSA check and nothing else. Browsers,
//! workerd and Deno load it only when their host crypto cannot serve (`verifyJwtSync`,
//! `setBackend('rust')`, a missing algorithm); the protocol module hands it a key's checked
//! parameters (`WasmKeySet.keyParams`) and a candidate whose shape already fits.

use crate::crypto::{params, rust::verify_material};
use wasm_bindgen::prelude::*;

/// `host(keyIndex, algCode, signedBytes, signature)`'s answer for one candidate: 1 verified,
/// 0 not (also for parameters or an algorithm code this module cannot read).
#[wasm_bindgen(js_name = verifySignature)]
pub fn verify_signature(alg_code: u32, key_params: &[u8], signing_input: &[u8], signature: &[u8]) -> u32 {
    let Some(facts) = crate::alg::ALGORITHMS.get(alg_code as usize) else { return 0 };
    let Some(material) = params::decode(key_params) else { return 0 };
    u32::from(verify_material(facts.alg, &material, signing_input, signature))
}
