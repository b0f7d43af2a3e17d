//! The `composio-mcp` binary: its command line, and one stdio session with a real process.

mod common;

use std::process::{Command, Output, Stdio};

use common::{API_KEY, composio};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;

const BIN: &str = env!("CARGO_BIN_EXE_composio-mcp");

/// Runs the binary with `args` and no Composio settings in its environment.
fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("COMPOSIO_API_KEY")
        .env_remove("COMPOSIO_BASE_URL")
        .env_remove("COMPOSIO_USER_ID")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Asserts exit code 2, nothing on standard output (it is the protocol's), and `expected` in
/// the error line.
fn assert_refused(args: &[&str], expected: &str) {
    let output = run(args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(output.stdout.is_empty(), "{args:?}: stdout is the transport: {:?}", output.stdout);
    assert!(stderr.contains(expected), "{args:?}: expected {expected:?} in {stderr}");
}

#[test]
fn an_unknown_toolkit_or_slug_is_a_clear_error() {
    assert_refused(&["--toolkit", "jira", "--tools", "X"], "unknown toolkit `jira`; this build serves: github, gmail");
    assert_refused(&["--toolkit", "github", "--tools", "GITHUB_NOPE"], "no tool `GITHUB_NOPE` in github");
    assert_refused(&["--toolkit", "github", "--tools", "CREATE_AN_ISSUE,SEND_EMAIL"], "no tool `SEND_EMAIL`");
}

#[test]
fn a_selection_is_required_and_bounded() {
    assert_refused(&["--toolkit", "github"], "choose the tools to serve with --tools");
    assert_refused(&["--toolkit", "github", "--all", "--max-tools", "5"], "more than --max-tools 5");
    assert_refused(&["--toolkit", "github", "--tags", "noSuchTag"], "the selection matches no tool");
    assert_refused(&["--tools", "X"], "--toolkit");
    assert_refused(&["--toolkit", "github", "--tools", "X", "--transport", "pigeon"], "pigeon");
}

#[test]
fn a_good_selection_without_an_api_key_names_the_variable() {
    assert_refused(&["--toolkit", "github", "--tools", "CREATE_AN_ISSUE"], "COMPOSIO_API_KEY");
}

#[tokio::test]
async fn a_stdio_session_with_the_binary() {
    let composio = composio().await;
    let mut child = tokio::process::Command::new(BIN)
        .args(["--toolkit", "github", "--tags", "readOnlyHint", "--tools", "get_a_repository,create_an_issue"])
        .args(["--user-id", "user-42"])
        .env("COMPOSIO_API_KEY", API_KEY)
        .env("COMPOSIO_BASE_URL", composio.base_url())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let stdin = child.stdin.take().expect("stdin");
    let client = ().serve((stdout, stdin)).await.expect("initialize over stdio");

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["get_a_repository"], "--tags keeps the read-only one of the named tools");
    let args = serde_json::json!({"owner": "octocat"}).as_object().cloned().unwrap();
    let result =
        client.call_tool(CallToolRequestParams::new("get_a_repository").with_arguments(args)).await.expect("a result");
    assert_eq!(result.is_error, Some(true));
    assert!(composio.requests().is_empty());

    // Closing the client's end of stdio ends the server.
    client.cancel().await.expect("close");
    let output = child.wait_with_output().await.expect("the binary exits");
    assert!(output.status.success(), "{:?}", output.status);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains(API_KEY), "{stderr}");
    assert!(stderr.contains("serving"), "logs go to standard error: {stderr}");
}
