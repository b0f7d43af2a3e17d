//! The `connect_and_call` example, run as its user would run it: the built binary, pointed at
//! the local server through `COMPOSIO_BASE_URL` and `COMPOSIO_API_KEY`, with this test playing
//! the user who opens the printed link.
//!
//! `cargo test` builds the examples before it runs the tests; a run limited to this target
//! (`--test example_connect`) needs `cargo build -p composio-typed --features github --example
//! connect_and_call` first.

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{API_KEY, committed_tools, visit};
use composio_testserver::{ExecuteReply, Route, TestServer};
use serde_json::json;

/// `target/<profile>/examples/connect_and_call`, beside this test's own `deps/` directory.
fn example_binary() -> PathBuf {
    let me = std::env::current_exe().expect("the test binary's path");
    let profile_dir = me.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    profile_dir.join("examples").join(format!("connect_and_call{}", std::env::consts::EXE_SUFFIX))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_and_call_prints_the_link_waits_and_calls_a_tool() {
    let binary = example_binary();
    assert!(
        binary.exists(),
        "{} is missing: run `cargo build -p composio-typed --features github --example connect_and_call`",
        binary.display()
    );
    let server = TestServer::builder().api_key(API_KEY).tools(committed_tools("github")).start().await;
    server.respond("GITHUB_GET_THE_AUTHENTICATED_USER", |_| {
        ExecuteReply::Data(json!({"login": "octocat", "id": 583231, "html_url": "https://github.com/octocat",
                                  "type": "User", "created_at": "2011-01-25T18:44:36Z"}))
    });

    let mut child = Command::new(&binary)
        .args(["github", "user-42"])
        .env_clear()
        .env("COMPOSIO_API_KEY", API_KEY)
        .env("COMPOSIO_BASE_URL", server.base_url())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example starts");
    let pid = child.id();
    let stdout = child.stdout.take().unwrap();
    let (link_tx, link_rx) = tokio::sync::oneshot::channel();
    // The example blocks on its wait until the link is opened: read its output on a thread.
    let reader = std::thread::spawn(move || {
        let mut link_tx = Some(link_tx);
        let mut printed = Vec::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.starts_with("http")
                && let Some(tx) = link_tx.take()
            {
                let _ = tx.send(line.clone());
            }
            printed.push(line);
        }
        printed
    });

    let link = tokio::time::timeout(Duration::from_secs(30), link_rx)
        .await
        .expect("the example prints a link within 30 s")
        .expect("the example prints a link before it exits");
    assert!(link.starts_with(&format!("{}/link/", server.base_url())), "{link}");
    assert_eq!(visit(&link).await.0, 200);

    let waited = tokio::task::spawn_blocking(move || {
        let status = child.wait();
        let mut errors = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            let _ = stderr.read_to_string(&mut errors);
        }
        (status, errors)
    });
    let (status, errors) = match tokio::time::timeout(Duration::from_secs(30), waited).await {
        Ok(done) => done.unwrap(),
        Err(_) => {
            // Only the process this test started, by its id.
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("the example did not finish within 30 s of the link being opened");
        }
    };
    let printed = reader.join().unwrap().join("\n");
    assert!(status.unwrap().success(), "stdout:\n{printed}\nstderr:\n{errors}");
    assert!(printed.contains("Connected: ca_"), "{printed}");
    assert!(printed.contains("Signed in to GitHub as octocat"), "{printed}");
    assert!(!printed.contains(API_KEY) && !errors.contains(API_KEY));

    let executed = server.requests_for(Route::Execute);
    assert_eq!(executed.len(), 1);
    let body = executed[0].json().unwrap();
    assert_eq!(body["user_id"], "user-42");
    assert!(body["connected_account_id"].as_str().is_some_and(|id| id.starts_with("ca_")));
}
