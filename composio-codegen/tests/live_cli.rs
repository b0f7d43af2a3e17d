//! The `composio-codegen` binary end to end, in a scratch directory as its working directory,
//! against composio-testserver serving the real corpus: lock semantics, --update, --pin, the
//! drift check's exit codes, a server killed mid-fetch, Ctrl-C mid-fetch, and the API key never printed.

#![cfg(feature = "live")]

mod live_common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use composio_codegen::__private::render_tools;
use composio_testserver::{Fault, FaultRule, Route, TestServer};
use live_common::*;
use serde_json::{Value, json};

/// Runs the binary in `ws` with `args`, the key and base URL given (or none), off the async
/// runtime so the server keeps answering.
async fn run(ws: &Workspace, args: &[&str], env: Option<(&str, String)>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_composio-codegen"));
    command
        .current_dir(ws.path())
        .args(["--schemas", "schemas", "--out", "out"])
        .args(args)
        .env_remove("COMPOSIO_API_KEY")
        .env_remove("COMPOSIO_BASE_URL")
        .env_remove("COMPOSIO_CODEGEN_OUT");
    if let Some((key, base_url)) = env {
        command.env("COMPOSIO_API_KEY", key).env("COMPOSIO_BASE_URL", base_url);
    }
    tokio::task::spawn_blocking(move || command.output().unwrap()).await.unwrap()
}

fn env_of(server: &TestServer) -> Option<(&str, String)> {
    Some((server.api_key(), server.base_url()))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpinned_with_a_key_is_fetched_pinned_and_generated_then_pinned_needs_no_network() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().start().await;
    let ws = Workspace::new();
    let out = run(&ws, &["google_maps"], env_of(&server)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "pinned google_maps {V1} (7 tools)\nwrote schemas/google_maps/{V1}.json\n\
             wrote out/google_maps.rs (7 tools, version {V1})\nwrote schemas/google_maps/names.toml\n\
             wrote schemas/composio.lock\n"
        )
    );
    assert_eq!(text(&out.stderr), format!("fetched google_maps {V1}: 7 tools (1 page)\n"));
    assert!(ws.lock_text().contains(&format!("google_maps = \"{V1}\"")));

    // Pinned now: generated from the cache, with the key set and the server up, yet no request.
    server.clear_requests();
    std::fs::remove_file(ws.out().join("google_maps.rs")).unwrap();
    let out = run(&ws, &["google_maps"], env_of(&server)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), format!("wrote out/google_maps.rs (7 tools, version {V1})\n"));
    assert!(server.requests().is_empty(), "{:?}", server.requests());
    let out = run(&ws, &["--check", "google_maps"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unpinned_without_a_key_prints_the_exact_guidance() {
    let ws = Workspace::new();
    let out = run(&ws, &["google_maps"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: toolkit `google_maps` is not pinned in schemas/composio.lock (pinned: none), and COMPOSIO_API_KEY \
         is not set to fetch it.\nTo fetch the latest version, pin it and generate: set COMPOSIO_API_KEY to your \
         Composio API key and run `composio-codegen google_maps` again.\nTo pin a given version instead: \
         `composio-codegen --pin google_maps=VERSION`. To generate from a file of tool definitions: add --from FILE.\n"
    );
    assert!(out.stdout.is_empty());
    assert!(ws.snapshot().is_empty());

    let out = run(&ws, &["--update"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("none is pinned yet"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_then_update_end_to_end() {
    if corpus_missing() {
        return;
    }
    let maps = corpus_toolkit("google_maps");
    let server = corpus_server().tools(revised(&maps[..3], V2, |t| t["description"] = json!("v2"))).start().await;
    let ws = Workspace::new();
    let out = run(&ws, &["--pin", &format!("google_maps={V1}")], env_of(&server)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with(&format!("pinned google_maps {V1} (7 tools)\n")), "{}", text(&out.stdout));
    assert!(ws.lock_text().contains(&format!("google_maps = \"{V1}\"")));

    let out = run(&ws, &["--update"], env_of(&server)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "updated google_maps {V1} -> {V2} (7 tools)\nwrote schemas/google_maps/{V2}.json\n\
             wrote out/google_maps.rs (7 tools, version {V2})\nwrote schemas/composio.lock\n\
             removed schemas/google_maps/{V1}.json (no longer pinned)\n"
        )
    );
    // Updating again finds nothing new and touches nothing.
    let before = ws.snapshot();
    let out = run(&ws, &["--update", "google_maps"], env_of(&server)).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "refreshed google_maps {V2} (7 tools)\nunchanged schemas/google_maps/{V2}.json\n\
             unchanged out/google_maps.rs (7 tools, version {V2})\n"
        )
    );
    assert_eq!(ws.snapshot(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_with_from_still_only_labels_the_version() {
    if corpus_missing() {
        return;
    }
    let ws = Workspace::new();
    let corpus = corpus_dir().join("tools-github-google-latest.json");
    let out =
        run(&ws, &["--from", corpus.to_str().unwrap(), "--pin", "google_maps=20250101_00", "google_maps"], None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "wrote out/google_maps.rs (7 tools, version 20250101_00)\n");
    assert!(!ws.schemas().exists(), "no lock, no cache");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diff_exit_codes_0_1_2() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().start().await;
    let ws = Workspace::new();
    pin_latest(&ws, &server, &["google_maps"]).await;

    let out = run(&ws, &["--diff"], env_of(&server)).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        format!(
            "google_maps: pinned {V1}, latest {V1}\n  cache vs API at {V1} (pinned): no drift\n  latest is the pinned version\n"
        )
    );

    let path = ws.schemas().join(format!("google_maps/{V1}.json"));
    let mut tools: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    tools[0]["input_parameters"]["properties"]["origins"]["type"] = json!("integer");
    tools[1]["description"] = json!("edited");
    std::fs::write(&path, render_tools(&tools)).unwrap();
    let out = run(&ws, &["--diff"], env_of(&server)).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("(pinned): 0 tools added, 0 removed, 2 changed (BREAKING)\n"), "{report}");
    assert!(
        report.contains(
            "    ~ GOOGLE_MAPS_DISTANCE_MATRIX_API\n        /input_parameters/properties/origins: \
             retyped integer -> string  [breaking]\n"
        ),
        "{report}"
    );
    assert!(report.contains("descriptions, examples or metadata changed"), "{report}");
    assert!(text(&out.stderr).ends_with("\ndrift in google_maps (--fail-on any)\n"), "{}", text(&out.stderr));

    let out = run(&ws, &["--diff", "--json", "--fail-on", "breaking"], env_of(&server)).await;
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["toolkits"][0]["against_pinned"]["changed"][0]["fields"][0]["change"]["kind"], "retyped");

    // Errors are 2: a wrong key, an unreachable API, a toolkit not pinned.
    let wrong = Some(("wrong-key-123456", server.base_url()));
    let out = run(&ws, &["--diff"], wrong).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let out = run(&ws, &["--diff", "github"], env_of(&server)).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`github` is not pinned"), "{}", text(&out.stderr));
    let out = run(&ws, &["--diff"], None).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("set COMPOSIO_API_KEY"), "{}", text(&out.stderr));
}

/// An `--update` of a pinned google_maps, running in a child process, caught while the
/// server (returned beside it by [`HungUpdate::start`]) holds its second listing page for 30 s.
struct HungUpdate {
    ws: Workspace,
    /// Every file of the workspace before the update started.
    before: BTreeMap<PathBuf, Vec<u8>>,
    child: Child,
}

impl HungUpdate {
    async fn start() -> (HungUpdate, TestServer) {
        let ws = Workspace::new();
        {
            let server = corpus_server().start().await;
            pin_latest(&ws, &server, &["google_maps"]).await;
        }
        let before = ws.snapshot();
        let maps = corpus_toolkit("google_maps");
        let server = corpus_server()
            .tools(revised(&maps, V2, |t| t["description"] = json!("v2")))
            .fault(FaultRule::new(Route::ListTools, Fault::Delay(Duration::from_secs(30))).skip(1))
            .start()
            .await;
        let child = Command::new(env!("CARGO_BIN_EXE_composio-codegen"))
            .current_dir(ws.path())
            .args(["--schemas", "schemas", "--out", "out", "--update", "--page-size", "2"])
            .env("COMPOSIO_API_KEY", server.api_key())
            .env("COMPOSIO_BASE_URL", server.base_url())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        for _ in 0..600 {
            if server.count(Route::ListTools) >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(server.count(Route::ListTools) >= 2, "the fetch never reached page 2");
        (HungUpdate { ws, before, child }, server)
    }

    /// Waits for the child, off the async runtime, and checks that no file changed.
    async fn finish(self) -> Output {
        let HungUpdate { ws, before, child } = self;
        let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
        assert_eq!(ws.snapshot(), before, "cache, lock and module byte-for-byte unchanged");
        out
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_mid_fetch_changes_no_file() {
    if corpus_missing() {
        return;
    }
    let (update, server) = HungUpdate::start().await;
    server.shutdown().await;
    let out = update.finish().await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).starts_with("error: google_maps: GET /tools?toolkit_slug=google_maps (page 2"),
        "{}",
        text(&out.stderr)
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_mid_fetch_stops_with_130_and_changes_no_file() {
    if corpus_missing() {
        return;
    }
    let (update, _server) = HungUpdate::start().await;
    // Page 2 hangs for 30 s: the interrupt lands mid-fetch, after the listener is installed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sigint = Command::new("kill").args(["-INT", &update.child.id().to_string()]).status().unwrap();
    assert!(sigint.success());
    let out = update.finish().await;
    assert_eq!(out.status.code(), Some(130), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("interrupted: nothing was written"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_is_never_printed() {
    if corpus_missing() {
        return;
    }
    let server = corpus_server().api_key("sk_live_0123456789abcdef").start().await;
    let ws = Workspace::new();
    for key in ["sk_live_0123456789abcdef", "sk_live_wrongwrongwrong"] {
        for args in [&["google_maps"][..], &["--diff"], &["--update"]] {
            let out = run(&ws, args, Some((key, server.base_url()))).await;
            for stream in [&out.stdout, &out.stderr] {
                assert!(!text(stream).contains(key), "{args:?}: {}", text(stream));
            }
        }
    }
}

#[tokio::test]
async fn help_documents_the_live_flags_and_exit_codes() {
    let ws = Workspace::new();
    let out = run(&ws, &["--help"], None).await;
    let help = text(&out.stdout);
    for needle in [
        "--update",
        "--pin <TOOLKIT=VERSION>",
        "With --from: only label",
        "--diff",
        "--fail-on",
        "Exit status:",
        "COMPOSIO_API_KEY",
    ] {
        assert!(help.contains(needle), "{needle}: {help}");
    }
    assert!(!help.contains("--page-size"), "advanced options stay hidden");
}
