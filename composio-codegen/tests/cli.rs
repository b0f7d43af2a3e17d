//! The command line as a user meets it: bad input gets a clear error and a non-zero exit, and
//! nothing is ever half-written.

use std::path::Path;
use std::process::{Command, Output};

fn codegen(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_composio-codegen"))
        .args(args)
        .current_dir(cwd)
        .env_remove("COMPOSIO_API_KEY")
        // This repository's .cargo/config.toml sets it for `cargo run`; tests see the default.
        .env_remove("COMPOSIO_CODEGEN_OUT")
        .output()
        .expect("the binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A working directory with a copy of the committed cache, as on a fresh clone.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let schemas = dir.path().join("schemas");
    std::fs::create_dir_all(schemas.join("github")).unwrap();
    std::fs::create_dir_all(schemas.join("gmail")).unwrap();
    for file in ["composio.lock", "github/20251027_00.json", "gmail/20251027_00.json"] {
        std::fs::copy(root.join("schemas").join(file), schemas.join(file)).unwrap();
    }
    dir
}

fn write_tools(dir: &Path, name: &str, tools: &serde_json::Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, tools.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn generates_from_the_cache_then_check_passes() {
    let dir = workspace();
    let out = codegen(dir.path(), &["--out", "gen", "github", "gmail"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("wrote gen/github.rs (37 tools, version 20251027_00)"), "{stdout}");
    let check = codegen(dir.path(), &["--out", "gen", "--check", "github", "gmail"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let again = codegen(dir.path(), &["--out", "gen", "github"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("unchanged gen/github.rs"));
}

#[test]
fn a_module_its_mod_rs_does_not_declare_gets_a_hint() {
    let dir = workspace();
    std::fs::create_dir_all(dir.path().join("gen")).unwrap();
    std::fs::write(dir.path().join("gen/mod.rs"), "#[cfg(feature = \"github\")]\npub mod github;\n").unwrap();
    let out = codegen(dir.path(), &["--out", "gen", "github", "gmail"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let hints: Vec<String> = stderr(&out).lines().filter(|l| l.starts_with("hint:")).map(str::to_owned).collect();
    let mod_rs = Path::new("gen").join("mod.rs");
    assert_eq!(hints, [format!("hint: {} does not declare `gmail`; add `pub mod gmail;` to use it", mod_rs.display())]);

    // No mod.rs, no opinion: the modules may be included any other way.
    std::fs::remove_file(dir.path().join("gen/mod.rs")).unwrap();
    let out = codegen(dir.path(), &["--out", "gen", "github", "gmail"]);
    assert!(!stderr(&out).contains("hint:"), "{}", stderr(&out));
}

#[test]
fn check_names_each_stale_module_and_writes_nothing() {
    let dir = workspace();
    assert!(codegen(dir.path(), &["--out", "gen", "github", "gmail"]).status.success());
    std::fs::write(dir.path().join("gen/gmail.rs"), "// edited by hand\n").unwrap();
    std::fs::remove_file(dir.path().join("gen/github.rs")).unwrap();
    let out = codegen(dir.path(), &["--out", "gen", "--check", "github", "gmail"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("stale: gen/github.rs") && err.contains("stale: gen/gmail.rs"), "{err}");
    assert!(!dir.path().join("gen/github.rs").exists(), "--check wrote a file");
    assert_eq!(std::fs::read_to_string(dir.path().join("gen/gmail.rs")).unwrap(), "// edited by hand\n");
}

#[test]
fn an_unknown_toolkit_is_an_error_that_says_what_to_do() {
    let dir = workspace();
    let out = codegen(dir.path(), &["--out", "gen", "github", "nosuch"]);
    assert_eq!(out.status.code(), Some(2), "errors exit 2: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("nosuch") && err.contains("COMPOSIO_API_KEY"), "{err}");
    assert!(!dir.path().join("gen").exists(), "nothing may be written when one toolkit fails");
}

#[test]
fn invalid_toolkit_names_and_missing_arguments_are_usage_errors() {
    let dir = workspace();
    let out = codegen(dir.path(), &["GitHub!"]);
    assert_eq!(out.status.code(), Some(2), "errors exit 2: {}", stderr(&out));
    assert!(stderr(&out).contains("not a toolkit slug"), "{}", stderr(&out));
    let out = codegen(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2), "errors exit 2: {}", stderr(&out));
    assert!(stderr(&out).contains("toolkit"), "{}", stderr(&out));
    let help = codegen(dir.path(), &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--from") && text.contains("--check") && text.contains("Examples:"), "{text}");
}

#[test]
fn malformed_json_names_the_file_and_position() {
    let dir = workspace();
    std::fs::write(dir.path().join("broken.json"), "[{\"slug\": \"GITHUB_X\",").unwrap();
    let out = codegen(dir.path(), &["--from", "broken.json", "--out", "gen", "github"]);
    assert_eq!(out.status.code(), Some(2), "errors exit 2: {}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("broken.json: invalid JSON") && err.contains("line 1"), "{err}");
}

#[test]
fn an_unmappable_schema_degrades_with_a_warning_and_strict_refuses_it() {
    let dir = workspace();
    let tools = serde_json::json!([{
        "slug": "GITHUB_BROKEN",
        "input_parameters": {"type": "object", "properties": {"labels": {"type": "array", "items": {"type": "strnig"}}}}
    }]);
    let file = write_tools(dir.path(), "tools.json", &tools);
    let pointer = "GITHUB_BROKEN: schema at /input_parameters/properties/labels/items/type: unknown type `strnig`";
    let out = codegen(dir.path(), &["--from", &file, "--out", "gen", "--strict", "github"]);
    assert_eq!(out.status.code(), Some(2), "errors exit 2: {}", stderr(&out));
    assert!(stderr(&out).contains(&format!("error: {pointer}")), "{}", stderr(&out));
    assert!(!dir.path().join("gen").exists());

    let out = codegen(dir.path(), &["--from", &file, "--out", "gen", "github"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("warning: {pointer}")), "{}", stderr(&out));
    let module = std::fs::read_to_string(dir.path().join("gen/github.rs")).unwrap();
    assert!(module.contains("pub labels: Option<Vec<Value>>,"), "{module}");
}

#[test]
fn stats_count_typed_free_form_and_given_up_positions_and_write_nothing() {
    let dir = workspace();
    let tools = serde_json::json!([{
        "slug": "GITHUB_MIXED",
        "input_parameters": {"type": "object", "properties": {
            "a": {"type": "string"},
            "b": {"type": "object"},
            "c": {"type": "array", "items": {"type": "strnig"}},
            "d": {"type": "strnig"}
        }}
    }]);
    let file = write_tools(dir.path(), "tools.json", &tools);
    let out = codegen(dir.path(), &["--from", &file, "--out", "gen", "--stats", "github"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    // a; b; c and d; and the result, with no output schema.
    assert!(text.contains("5 positions: 1 typed, 2 JSON (free-form schema), 2 JSON (gave up)"), "{text}");
    assert!(text.contains("    2  unknown type `strnig`"), "{text}");
    assert!(!dir.path().join("gen").exists(), "--stats writes nothing");
}

#[test]
fn a_failure_leaves_existing_modules_untouched() {
    let dir = workspace();
    assert!(codegen(dir.path(), &["--out", "gen", "github", "gmail"]).status.success());
    let before = std::fs::read(dir.path().join("gen/github.rs")).unwrap();
    let tools = serde_json::json!([
        {"slug": "GITHUB_FINE", "input_parameters": {"type": "object", "properties": {}}},
        {"slug": "GMAIL_BROKEN", "input_parameters": {"type": "object", "properties": {"a": {"$ref": "#/$defs/Gone"}}}}
    ]);
    let file = write_tools(dir.path(), "tools.json", &tools);
    let out = codegen(dir.path(), &["--from", &file, "--out", "gen", "--strict", "github", "gmail"]);
    assert_eq!(out.status.code(), Some(2), "errors exit 2: {}", stderr(&out));
    assert!(stderr(&out).contains("GMAIL_BROKEN"), "{}", stderr(&out));
    assert_eq!(std::fs::read(dir.path().join("gen/github.rs")).unwrap(), before, "github.rs was rewritten");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("gen"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".rs"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

#[test]
fn from_files_sort_tools_into_toolkits_by_longest_prefix() {
    let dir = workspace();
    let tool = |slug: &str| serde_json::json!({"slug": slug, "input_parameters": {"type": "object", "properties": {}}});
    let tools = serde_json::json!([tool("GOOGLE_CLASSROOM_LIST_COURSES"), tool("GOOGLE_SEARCH"), tool("GITHUB_STAR")]);
    let file = write_tools(dir.path(), "tools.json", &tools);
    let out = codegen(dir.path(), &["--from", &file, "--out", "gen", "google", "google_classroom"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let classroom = std::fs::read_to_string(dir.path().join("gen/google_classroom.rs")).unwrap();
    let google = std::fs::read_to_string(dir.path().join("gen/google.rs")).unwrap();
    assert!(classroom.contains("pub fn list_courses("), "{classroom}");
    assert!(google.contains("pub fn search(") && !google.contains("list_courses"), "{google}");
    assert!(classroom.contains("// version: latest"), "unversioned definitions are marked `latest`");
}

#[test]
fn check_tells_an_error_from_a_stale_module_by_its_exit_status() {
    let dir = workspace();
    assert!(codegen(dir.path(), &["--out", "gen", "github"]).status.success());
    std::fs::write(dir.path().join("schemas/composio.lock"), "not = [a lock").unwrap();
    let out = codegen(dir.path(), &["--out", "gen", "--check", "github"]);
    assert_eq!(out.status.code(), Some(2), "a broken lock is an error, not a stale module: {}", stderr(&out));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    assert!(!stderr(&out).contains("stale:"), "{}", stderr(&out));
}

#[test]
fn in_a_users_crate_modules_go_to_src_toolkits_unless_told_otherwise() {
    let dir = workspace();
    let out = codegen(dir.path(), &["github"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = Path::new("src").join("toolkits").join("github.rs");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("wrote {}", written.display())));
    assert!(dir.path().join(&written).is_file());
    assert!(!dir.path().join("composio-typed").exists(), "wrote into this repository's layout");

    let out = Command::new(env!("CARGO_BIN_EXE_composio-codegen"))
        .args(["gmail"])
        .current_dir(dir.path())
        .env_remove("COMPOSIO_API_KEY")
        .env("COMPOSIO_CODEGEN_OUT", "elsewhere")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("elsewhere/gmail.rs").is_file());
}

#[test]
fn a_pin_that_is_not_a_version_is_refused() {
    let dir = workspace();
    let tools = serde_json::json!([{"slug": "GITHUB_STAR", "input_parameters": {"type": "object", "properties": {}}}]);
    let file = write_tools(dir.path(), "tools.json", &tools);
    let out = codegen(dir.path(), &["--from", &file, "--pin", "github=1\npub fn evil() {}", "--out", "gen", "github"]);
    assert!(!out.status.success(), "the pin was accepted");
    assert!(stderr(&out).contains("--pin"), "{}", stderr(&out));
    assert!(!dir.path().join("gen").exists());
}
