//! The fixtures' generated modules compile in a user-like crate without a single warning,
//! pass clippy and rustdoc with warnings denied, and round-trip their instances.
//!
//! A text snapshot proves nothing about compiling; this test does.

#[path = "support/instance.rs"]
mod instance;
#[path = "support/scratch.rs"]
mod scratch;

use std::path::Path;

use scratch::{Scratch, module};

#[test]
fn fixtures_compile_cleanly_and_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    fixtures.sort();
    let mut modules = Vec::new();
    let mut cases = Vec::new();
    for path in &fixtures {
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let (module, module_cases) = module(&name, &[path.as_path()], "fixture");
        modules.push(module);
        cases.extend(module_cases);
    }
    assert!(cases.len() >= 25, "every fixture tool is checked");
    let crate_ = Scratch::new("fixtures", &modules, &cases);
    let (ok, log) = crate_.cargo(&["clippy", "--all-targets", "--", "-D", "warnings"]);
    assert!(ok, "generated fixtures are not clippy-clean:\n{log}");
    let (ok, log) = crate_.cargo(&["doc", "--no-deps"]);
    assert!(ok, "generated docs have warnings:\n{log}");
    let (ok, log) = crate_.cargo(&["test", "--", "--nocapture"]);
    assert!(ok, "round trip failed:\n{log}");
    let expected = format!("round-trip: {n}/{n} arguments", n = cases.len());
    assert!(log.contains(&expected), "expected `{expected}` in:\n{log}");
}
