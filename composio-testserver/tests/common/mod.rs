//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use composio_testserver::corpus_dir;

/// A corpus file, read where CI and developers have `shared/` beside the checkout.
pub fn corpus_path(name: &str) -> PathBuf {
    corpus_dir().join(name)
}

fn read_json(name: &str) -> Value {
    let path = corpus_path(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read corpus file {}: {e}", path.display()));
    serde_json::from_str(&text).expect("corpus file is JSON")
}

/// The 930 tools of `tools-github-google-latest.json`, parsed once per test binary.
pub fn github_google_tools() -> Vec<Value> {
    static TOOLS: OnceLock<Vec<Value>> = OnceLock::new();
    TOOLS
        .get_or_init(|| match read_json("tools-github-google-latest.json") {
            Value::Array(items) => items,
            other => panic!("expected an array, got {}", other),
        })
        .clone()
}

/// One tool object from a single-tool corpus file.
pub fn corpus_tool(name: &str) -> Value {
    read_json(name)
}

/// A reqwest client; reqwest is built without a TLS provider, so one is installed first.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// `base?k=v&…` with keys and values percent-encoded the way a form encoder does (brackets
/// included), since the workspace's reqwest is built without its `query` feature.
pub fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    fn enc(s: &str) -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => (b as char).to_string(),
                b' ' => "+".to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    }
    let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect();
    format!("{base}?{}", query.join("&"))
}
