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

/// Every tool definition of the corpus, the 954 of them: the GitHub and Google file, the
/// Gmail file and the four Notion files, in that order. Panics when a file does not read,
/// which in a test is the failure wanted; call [`corpus_missing`] first.
pub fn corpus_tools() -> Vec<serde_json::Value> {
    let dir = corpus_dir();
    let read = |name: &str| -> serde_json::Value {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    };
    let mut tools = Vec::new();
    for file in ["tools-github-google-latest.json", "tools-gmail-2025.json"] {
        tools.extend(read(file).as_array().cloned().unwrap_or_default());
    }
    for file in [
        "notion-append-text-blocks.json",
        "notion-archive-page.json",
        "notion-create-comment.json",
        "notion-delete-block.json",
    ] {
        tools.push(read(file));
    }
    tools
}

/// The tools of one toolkit in the repository's committed schema cache
/// (`schemas/<toolkit>/20251027_00.json`), which tests serve from the local server.
pub fn committed_tools(toolkit: &str) -> Vec<serde_json::Value> {
    let path = format!("{}/../schemas/{toolkit}/20251027_00.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    match serde_json::from_str(&text).expect("schema cache is JSON") {
        serde_json::Value::Array(tools) => tools,
        other => panic!("{path}: expected an array of tools, got {other}"),
    }
}
