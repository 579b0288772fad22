//! The wasm suite under Node (wasm-bindgen-test-runner; see `make test-wasm-node`).
#![cfg(target_arch = "wasm32")]

mod common;
mod wasm_suite;
