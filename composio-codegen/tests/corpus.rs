//! The corpus step: every one of the 954 real tools in `../shared/corpus/composio/` is
//! generated, compiled (clippy and rustdoc with warnings denied) and exercised: an arguments
//! instance built from each tool's schema validates against that schema (`jsonschema`),
//! decodes into the generated input type and re-encodes equal; each typed `data` instance
//! decodes into the generated output type.
//!
//! It compiles about 80,000 lines, so it runs on its own:
//! `cargo test -p composio-codegen --release --test corpus -- --ignored --nocapture`
//! (`.ci/run` does, after the main test command).

#[path = "support/boundary.rs"]
mod boundary;
#[path = "support/instance.rs"]
mod instance;
#[path = "support/scratch.rs"]
mod scratch;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use composio_codegen::Config;
use scratch::{Case, ModuleSource, Scratch, module, workspace_root};
use serde_json::Value;

const BIG_FILE_TOOLKITS: [&str; 6] =
    ["github", "googledrive", "google_classroom", "google_admin", "google_maps", "google_analytics"];

fn corpus(file: &str) -> PathBuf {
    workspace_root().join("../shared/corpus/composio").join(file)
}

/// Every module of the corpus with a case per tool: the six toolkits of the big file, Gmail,
/// and the Notion tools.
fn corpus_modules() -> (Vec<ModuleSource>, Vec<Case>) {
    let big = corpus("tools-github-google-latest.json");
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
    (modules, cases)
}

/// The source definitions of every corpus tool, by slug.
fn corpus_definitions() -> BTreeMap<String, Value> {
    let mut files = vec![corpus("tools-github-google-latest.json"), corpus("tools-gmail-2025.json")];
    files.extend(
        std::fs::read_dir(corpus(""))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("notion-"))),
    );
    let mut out = BTreeMap::new();
    for file in files {
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for tool in composio_codegen::model::parse_document("corpus", &doc).unwrap() {
            out.insert(tool.slug.clone(), tool.input_parameters().clone());
        }
    }
    out
}

/// The `jsonschema` validator the generated check is compared with: formats asserted, except
/// those the check does not claim, which pass.
fn oracle(schema: &Value) -> jsonschema::Validator {
    let mut options = jsonschema::options().should_validate_formats(true);
    for format in [
        "email",
        "idn-email",
        "hostname",
        "idn-hostname",
        "uri",
        "uri-reference",
        "iri",
        "iri-reference",
        "uri-template",
        "json-pointer",
        "relative-json-pointer",
        "regex",
        "duration",
    ] {
        options = options.with_format(format, |_: &str| true);
    }
    options.build(&instance::unique_lists(schema)).expect("the corpus schemas compile")
}

/// A `jsonschema` instance location (`/rules/0/name`) as the check writes paths (`rules[0].name`).
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-$".contains(&b)) {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        } else {
            out.push_str(&format!("[{}]", Value::from(segment)));
        }
    }
    out
}

#[derive(Default)]
struct Tally {
    instances: usize,
    agree: usize,
    disagree: usize,
    undecodable: usize,
    same_paths: usize,
}

#[test]
#[ignore = "the corpus step: slow, run explicitly by .ci/run"]
fn every_corpus_constraint_is_checked_as_jsonschema_checks_it() {
    let big = corpus("tools-github-google-latest.json");
    assert!(big.exists(), "the corpus is expected at {}", big.display());
    let (mut modules, mut cases) = corpus_modules();
    let mut definitions = corpus_definitions();
    // The corpus states few kinds of constraint; the hand-made fixtures state the others
    // (exclusive bounds, multipleOf, uniqueItems, map values, item patterns, formats).
    for fixture in ["constraints", "formats"] {
        let path = workspace_root().join(format!("composio-codegen/tests/fixtures/{fixture}.json"));
        let (m, c) = module(&format!("fixture_{fixture}"), &[path.as_path()], "fixture");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for tool in composio_codegen::model::parse_document("fixture", &doc).unwrap() {
            definitions.insert(tool.slug.clone(), tool.input_parameters().clone());
        }
        modules.push(m);
        cases.extend(c);
    }
    // Only the types that decode arguments are needed.
    modules.iter_mut().for_each(|m| m.plain.clear());

    let mut skipped = BTreeMap::new();
    let mut probes = Vec::new();
    for case in &cases {
        let schema = &definitions[&case.slug];
        probes.extend(boundary::probes(&case.slug, schema, &case.input, &mut skipped));
    }
    println!("{} probes of {} tools", probes.len(), cases.len());

    let crate_ = Scratch::new("differential", &modules, &cases);
    let pairs: Vec<(String, Value)> = probes.iter().map(|p| (p.slug.clone(), p.instance.clone())).collect();
    crate_.write_judge(&cases, &pairs);
    let started = Instant::now();
    let (ok, log) = crate_.cargo(&["test", "--test", "judge"]);
    assert!(ok, "the judge failed:\n{}", tail(&log));
    println!("judge built and run in {:.1} s", started.elapsed().as_secs_f64());
    let verdicts = crate_.verdicts();
    assert_eq!(verdicts.len(), probes.len());

    let mut oracles: BTreeMap<&str, jsonschema::Validator> = BTreeMap::new();
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (probe, verdict) in probes.iter().zip(&verdicts) {
        let validator = oracles.entry(probe.slug.as_str()).or_insert_with(|| oracle(&definitions[&probe.slug]));
        let errors: Vec<(String, String)> = validator
            .iter_errors(&probe.instance)
            .map(|e| (dotted(&e.instance_path().to_string()), format!("{}: {e}", e.schema_path())))
            .collect();
        let tally = tallies.entry(probe.keyword).or_default();
        tally.instances += 1;
        if verdict["decoded"] != Value::Bool(true) {
            // The Rust type itself refuses the value (an integer where a float was): no check runs.
            tally.undecodable += 1;
            continue;
        }
        let ours: Vec<String> = verdict["violations"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| v[0].as_str().unwrap_or_default().to_owned())
            .collect();
        if ours.is_empty() == errors.is_empty() {
            tally.agree += 1;
            let mut theirs: Vec<&String> = errors.iter().map(|(path, _)| path).collect();
            theirs.sort();
            theirs.dedup();
            let mut mine: Vec<&String> = ours.iter().collect();
            mine.sort();
            mine.dedup();
            if theirs == mine {
                tally.same_paths += 1;
            }
        } else {
            tally.disagree += 1;
            disagreements.push(format!(
                "{} ({}): check says {:?}, jsonschema says {:?}\n  instance: {}",
                probe.slug,
                probe.keyword,
                ours,
                errors,
                probe.instance.to_string().chars().take(400).collect::<String>()
            ));
        }
    }
    println!("keyword            instances  agree  disagree  undecodable  same paths");
    for (keyword, t) in &tallies {
        println!(
            "{keyword:<18} {:>9}  {:>5}  {:>8}  {:>11}  {:>10}",
            t.instances, t.agree, t.disagree, t.undecodable, t.same_paths
        );
    }
    println!("not probed (the check does not claim them):");
    for (reason, count) in &skipped {
        println!("  {count:>5}  {reason}");
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
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

    let (modules, cases) = corpus_modules();
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
