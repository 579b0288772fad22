//! Replays every committed fuzz corpus (`fuzz/corpus/<target>/`) through the target bodies of
//! `jwks_verify::fuzzing` on stable Rust: what `make fuzz` once found stays fixed.

use std::path::Path;

#[test]
fn every_fuzz_corpus_replays_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut total = 0;
    for (name, body) in jwks_verify::fuzzing::TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("directory entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "the {name} corpus is empty");
        for file in &files {
            let data = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            if let Err(panic) = std::panic::catch_unwind(|| body(&data)) {
                let why = panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                panic!("{name} target fails on {}: {}", file.display(), why.unwrap_or_default());
            }
        }
        total += files.len();
    }
    assert!(total >= 100, "only {total} corpus files");
}

/// The oracle must be able to fail: a message with a raw ESC is refused.
#[test]
fn the_message_oracle_can_fail() {
    assert!(std::panic::catch_unwind(|| jwks_verify::fuzzing::assert_safe_message("kid \u{1b}[2J", "test")).is_err());
    jwks_verify::fuzzing::assert_safe_message("kid \"\\u001b[2J\"", "test");
}
