//! Where tests find the real tool corpus, and what they do without it.
//!
//! The corpus (`shared/corpus/composio` beside the checkout) is read at run time and never
//! copied into the repository.

use std::path::PathBuf;

/// The corpus directory: `$CORPUS` when set, else `shared/corpus/composio` beside the checkout.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/composio"))
}

/// True when the corpus is absent and the calling test should return at once. A fresh clone
/// has no `shared/` beside it and its `cargo test` must still pass; CI (`CI` set to anything but
/// `false`) always has the corpus, so there a missing one fails the test instead of skipping it.
pub fn corpus_missing() -> bool {
    static NOTICE: std::sync::Once = std::sync::Once::new();
    let dir = corpus_dir();
    if dir.is_dir() {
        return false;
    }
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
        panic!("CI needs the corpus at {} (or set CORPUS)", dir.display());
    }
    // Written to the stream itself, not through `eprintln!`, which the test harness captures
    // and hides for tests that pass.
    NOTICE.call_once(|| {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "note: no corpus at {}: the tests that need it pass without running (set CORPUS to run them)",
            dir.display()
        );
    });
    true
}
