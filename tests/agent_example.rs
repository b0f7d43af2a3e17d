//! The `agent` example, run as its user would run it: the built binary, offline (its own
//! scripted model and local Composio) and online against this test's local server, which plays
//! both OpenAI and Composio and records what the loop sent.
//!
//! `cargo test` builds the examples before it runs the tests; a run limited to this target
//! (`--test agent_example`) needs `cargo build --example agent` first.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use composio_testserver::{ChatReply, ExecuteReply, Route, ScriptedCall, TestServer};
use serde_json::{Value, json};

const API_KEY: &str = "ak_test_agent_0f1e2d3c4b5a69788796a5b4c3d2e1f0";

/// `target/<profile>/examples/agent`, beside this test's own `deps/` directory.
fn example_binary() -> PathBuf {
    let me = std::env::current_exe().expect("the test binary's path");
    let profile_dir = me.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    let binary = profile_dir.join("examples").join(format!("agent{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} is missing: run `cargo build --example agent`", binary.display());
    binary
}

/// Runs the example with exactly these environment variables, for at most a minute.
async fn run_example(env: &[(&str, String)]) -> Output {
    let mut command = Command::new(example_binary());
    command.env_clear();
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let pid = child.id();
    let waited = tokio::task::spawn_blocking(move || child.wait_with_output());
    match tokio::time::timeout(Duration::from_secs(60), waited).await {
        Ok(output) => output.unwrap().unwrap(),
        Err(_) => {
            // Only the process this test started, by its id.
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("the example did not finish within 60 s");
        }
    }
}

fn text(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_the_example_runs_its_scripted_model_to_an_answer() {
    let output = run_example(&[]).await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.contains("(offline:"), "{stdout}");
    assert!(stdout.contains("turn 1: the model calls 2 tool(s)"), "{stdout}");
    assert!(stdout.contains("→ ok: {"), "{stdout}");
    assert!(
        stdout.contains("→ error: Error: GITHUB_LIST_REPOSITORY_ISSUES: invalid arguments: `labels`: invalid type"),
        "{stdout}"
    );
    assert!(stdout.contains("\nanswer: Issue #7, \"Crash on empty config\""), "{stdout}");
}

/// The model of the offline script: two parallel calls, the second with `labels` as a list.
fn script() -> Vec<ChatReply> {
    vec![
        ChatReply::ToolCalls(vec![
            ScriptedCall::new(
                "call_1",
                "GITHUB_GET_AN_ISSUE",
                r#"{"owner":"octocat","repo":"hello-world","issue_number":7}"#,
            ),
            ScriptedCall::new(
                "call_2",
                "GITHUB_LIST_REPOSITORY_ISSUES",
                r#"{"owner":"octocat","repo":"hello-world","labels":["bug"]}"#,
            ),
        ]),
        ChatReply::Text("Issue 7 is a crash report.".into()),
    ]
}

fn committed_github_tools() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/github/20251027_00.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_the_loop_answers_every_call_once_and_sends_typed_arguments() {
    let server = TestServer::builder().api_key(API_KEY).tools(committed_github_tools()).start().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| {
        ExecuteReply::Data(json!({"number": 7, "title": "Crash", "state": "open"}))
    });
    server.script_chat(script());
    let output = run_example(&[
        ("OPENAI_BASE_URL", server.url("/v1")),
        ("OPENAI_API_KEY", API_KEY.to_owned()),
        ("OPENAI_MODEL", "gpt-test".to_owned()),
        ("COMPOSIO_API_KEY", API_KEY.to_owned()),
        ("COMPOSIO_BASE_URL", server.base_url()),
        ("COMPOSIO_USER_ID", "user-42".to_owned()),
    ])
    .await;
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stdout.contains("(offline:"), "{stdout}");
    assert!(stdout.contains("\nanswer: Issue 7 is a crash report."), "{stdout}");
    assert!(!stdout.contains(API_KEY) && !stderr.contains(API_KEY));

    let chats: Vec<Value> = server.requests_for(Route::ChatCompletions).iter().map(|r| r.json().unwrap()).collect();
    assert_eq!(chats.len(), 2, "one request per model turn");
    let offered: Vec<&str> =
        chats[0]["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
    assert_eq!(offered, ["GITHUB_GET_AN_ISSUE", "GITHUB_LIST_REPOSITORY_ISSUES", "GITHUB_CREATE_AN_ISSUE_COMMENT"]);
    assert_eq!(chats[0]["model"], "gpt-test");

    // The second request: the assistant's calls, then exactly one tool message per call id.
    let messages = chats[1]["messages"].as_array().unwrap();
    let calls = messages.iter().position(|m| m.get("tool_calls").is_some()).expect("the assistant's calls");
    let replies: Vec<&Value> = messages[calls + 1..].iter().take_while(|m| m["role"] == "tool").collect();
    let ids: Vec<&str> = replies.iter().map(|m| m["tool_call_id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["call_1", "call_2"]);
    assert_eq!(messages.len(), calls + 3, "nothing after the two replies");
    let issue = replies[0]["content"].as_str().unwrap();
    assert_eq!(serde_json::from_str::<Value>(issue).unwrap()["title"], "Crash");
    let bad = replies[1]["content"].as_str().unwrap();
    assert!(bad.starts_with("Error: GITHUB_LIST_REPOSITORY_ISSUES: invalid arguments: `labels`"), "{bad}");

    // Only the valid call reached Composio, with its arguments typed.
    let executed = server.requests_for(Route::Execute);
    assert_eq!(executed.len(), 1);
    assert!(executed[0].path.ends_with("/tools/execute/GITHUB_GET_AN_ISSUE"));
    let body = executed[0].json().unwrap();
    assert_eq!(body["arguments"], json!({"owner": "octocat", "repo": "hello-world", "issue_number": 7}));
    assert_eq!(body["user_id"], "user-42");
}

/// What makes a dropped call fail the test above: the endpoint refuses a history that misses
/// a reply, with OpenAI's error.
#[tokio::test]
async fn the_scripted_endpoint_refuses_a_history_that_misses_a_reply() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = TestServer::builder().api_key(API_KEY).start().await;
    server.script_chat(script());
    let assistant = json!({"role": "assistant", "content": null, "tool_calls": [
        {"id": "call_1", "type": "function", "function": {"name": "GITHUB_GET_AN_ISSUE", "arguments": "{}"}},
        {"id": "call_2", "type": "function", "function": {"name": "GITHUB_LIST_REPOSITORY_ISSUES", "arguments": "{}"}},
    ]});
    let only_first = json!({"role": "tool", "tool_call_id": "call_1", "content": "{}"});
    let request = json!({"model": "m", "messages": [{"role": "user", "content": "hi"}, assistant, only_first]});
    let http = reqwest::Client::new();
    let answer =
        http.post(server.url("/v1/chat/completions")).bearer_auth(API_KEY).json(&request).send().await.unwrap();
    assert_eq!(answer.status(), 400);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert_eq!(body["error"]["param"], "messages.[1].role");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("An assistant message with 'tool_calls' must be followed by tool messages")
            && message.ends_with("did not have response messages: call_2"),
        "{message}"
    );

    let mut complete = request.clone();
    complete["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "tool", "tool_call_id": "call_2", "content": "{}"}));
    let answer =
        http.post(server.url("/v1/chat/completions")).bearer_auth(API_KEY).json(&complete).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["choices"][0]["message"]["content"], "Issue 7 is a crash report.");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");

    let wrong_key = http.post(server.url("/v1/chat/completions")).bearer_auth("sk-wrong-key-1234").json(&complete);
    let answer = wrong_key.send().await.unwrap();
    assert_eq!(answer.status(), 401);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_api_key");
}
