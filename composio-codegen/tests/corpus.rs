//! The corpus step: every one of the 954 real tools in `../shared/corpus/composio/` is
//! generated, compiled (clippy and rustdoc with warnings denied) and exercised: an arguments
//! instance built from each tool's schema validates against that schema (`jsonschema`),
//! decodes into the generated input type and re-encodes equal; each typed `data` instance
//! decodes into the generated output type.
//!
//! It compiles about 80,000 lines, so it runs on its own:
//! `cargo test -p composio-codegen --release --test corpus -- --ignored --nocapture`
//! (`.ci/run` does, after the main test command).

#[path = "support/instance.rs"]
mod instance;
#[path = "support/scratch.rs"]
mod scratch;

use std::path::PathBuf;
use std::time::Instant;

use composio_codegen::Config;
use scratch::{Scratch, module, workspace_root};

const BIG_FILE_TOOLKITS: [&str; 6] =
    ["github", "googledrive", "google_classroom", "google_admin", "google_maps", "google_analytics"];

fn corpus(file: &str) -> PathBuf {
    workspace_root().join("../shared/corpus/composio").join(file)
}

#[test]
#[ignore = "the corpus step: slow, run explicitly by .ci/run"]
fn every_corpus_tool_is_generated_compiled_and_exercised() {
    let big = corpus("tools-github-google-latest.json");
    assert!(big.exists(), "the corpus is expected at {}", big.display());

    // Generation figures for the closing note, measured in-process.
    let started = Instant::now();
    let github = Config::new().from_file(&big).generate(&["github"]).unwrap().remove(0);
    let elapsed = started.elapsed();
    println!(
        "github: {} tools generated in {:.0} ms, {} lines",
        github.tools.len(),
        elapsed.as_secs_f64() * 1000.0,
        github.code.lines().count()
    );

    let mut modules = Vec::new();
    let mut cases = Vec::new();
    for toolkit in BIG_FILE_TOOLKITS {
        let (m, c) = module(toolkit, &[big.as_path()], toolkit);
        modules.push(m);
        cases.extend(c);
    }
    let gmail = corpus("tools-gmail-2025.json");
    let (m, c) = module("gmail", &[gmail.as_path()], "gmail");
    modules.push(m);
    cases.extend(c);
    let mut notion: Vec<PathBuf> = std::fs::read_dir(corpus(""))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("notion-")))
        .collect();
    notion.sort();
    let notion: Vec<&std::path::Path> = notion.iter().map(PathBuf::as_path).collect();
    let (m, c) = module("notion", &notion, "notion");
    modules.push(m);
    cases.extend(c);
    println!(
        "{} tools in {} modules; every arguments instance validates against its schema",
        cases.len(),
        modules.len()
    );
    assert_eq!(cases.len(), 954, "the corpus holds 954 tool definitions");

    let crate_ = Scratch::new("corpus", &modules, &cases);
    let started = Instant::now();
    let (ok, log) = crate_.cargo(&["clippy", "--lib", "--", "-D", "warnings"]);
    assert!(ok, "generated corpus code is not clippy-clean:\n{}", tail(&log));
    println!("clippy of all modules, both derive modes: {:.1} s", started.elapsed().as_secs_f64());
    let (ok, log) = crate_.cargo(&["doc", "--no-deps"]);
    assert!(ok, "generated corpus docs have warnings:\n{}", tail(&log));
    let (ok, log) = crate_.cargo(&["test", "--test", "roundtrip", "--", "--nocapture"]);
    assert!(ok, "corpus round trip failed:\n{}", tail(&log));
    let expected = "round-trip: 954/954 arguments";
    let line = log.lines().find(|l| l.starts_with("round-trip:")).unwrap_or("no round-trip line");
    println!("{line}");
    assert!(log.contains(expected), "expected `{expected}` in:\n{}", tail(&log));
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(80)..].join("\n")
}
