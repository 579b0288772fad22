#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| jwks_verify::fuzzing::json(data));
