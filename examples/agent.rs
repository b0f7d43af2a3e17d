//! An agent loop: a model (OpenAI Chat Completions) is offered a few GitHub tools, every tool
//! call it makes runs through Composio and is answered, until it replies in text.
//!
//! ```sh
//! # Offline: a scripted model and a local Composio, both in this process.
//! cargo run --example agent
//!
//! # The real APIs (the user needs a connected GitHub account):
//! OPENAI_API_KEY=… COMPOSIO_API_KEY=… cargo run --example agent -- "What is octocat/hello-world#7 about?"
//! ```
//!
//! Online, `OPENAI_BASE_URL` (default `https://api.openai.com/v1`), `OPENAI_MODEL` (default
//! `gpt-4.1-mini`), `COMPOSIO_BASE_URL` and `COMPOSIO_USER_ID` (default `default`) are read too.
//! Offline, the scripted model first makes two parallel calls, one of them with a bad argument,
//! and answers in text once both have their result.

use std::process::ExitCode;

use composio_testserver::{ChatReply, ExecuteReply, ScriptedCall, TestServer};
use composio_typed::agents::{Executor, Prepared, Provider, Strictness, ToolSet};
use composio_typed::toolkits::github;
use composio_typed::{Client, Value};
use serde_json::json;

/// The model gets this many turns to answer in text.
const MAX_TURNS: usize = 6;

const DEFAULT_TASK: &str = "What is issue #7 of octocat/hello-world about, and which other open issues are \
                            labelled bug or crash?";

#[tokio::main]
async fn main() -> ExitCode {
    // reqwest is built without a TLS provider of its own; this program is the application,
    // so it picks one for the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let task = std::env::args().nth(1).unwrap_or_else(|| DEFAULT_TASK.to_owned());
    match run(&task).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

async fn run(task: &str) -> Result<(), String> {
    let online = ["OPENAI_BASE_URL", "OPENAI_API_KEY", "COMPOSIO_API_KEY"].iter().any(|name| env(name).is_some());
    // Kept alive for the whole run: offline, it is the model and Composio.
    let mut local = None;
    let (model, composio) = if online {
        let api_key = env("OPENAI_API_KEY")
            .ok_or("OPENAI_API_KEY is not set (OPENAI_BASE_URL or COMPOSIO_API_KEY is, so this run is online)")?;
        let model = Model {
            http: http()?,
            base_url: env("OPENAI_BASE_URL").unwrap_or_else(|| "https://api.openai.com/v1".to_owned()),
            api_key,
            model: env("OPENAI_MODEL").unwrap_or_else(|| "gpt-4.1-mini".to_owned()),
        };
        let client = Client::from_env().map_err(|e| e.to_string())?;
        let user = env("COMPOSIO_USER_ID").unwrap_or_else(|| composio_typed::DEFAULT_USER_ID.to_owned());
        (model, client.for_user(user))
    } else {
        println!(
            "(offline: a scripted model and a local Composio; set OPENAI_API_KEY and COMPOSIO_API_KEY for the real ones)"
        );
        let server = offline_server().await?;
        let model = Model {
            http: http()?,
            base_url: server.url("/v1"),
            api_key: server.api_key().to_owned(),
            model: "scripted".to_owned(),
        };
        let client = Client::builder()
            .api_key(server.api_key())
            .base_url(server.base_url())
            .user_id("user-42")
            .build()
            .map_err(|e| e.to_string())?;
        local = Some(server);
        (model, client)
    };

    let tools = ToolSet::new()
        .with_slugs(
            github::TOOLS,
            ["GITHUB_GET_AN_ISSUE", "GITHUB_LIST_REPOSITORY_ISSUES", "GITHUB_CREATE_AN_ISSUE_COMMENT"],
        )
        .map_err(|e| e.to_string())?
        .prepare(Provider::OpenAiChat, Strictness::Lenient);
    let answer = agent_loop(&model, &tools, Executor::client(&composio), task).await?;
    println!("\nanswer: {answer}");
    drop(local);
    Ok(())
}

/// Runs the conversation until the model answers in text, for at most [`MAX_TURNS`] turns.
async fn agent_loop(model: &Model, tools: &Prepared, executor: Executor<'_>, task: &str) -> Result<String, String> {
    println!("user: {task}");
    let mut messages = vec![
        json!({"role": "system", "content": "You help with GitHub repositories. Use the tools to look things up."}),
        json!({"role": "user", "content": task}),
    ];
    let definitions = tools.tools_json();
    for number in 1..=MAX_TURNS {
        let response = model.complete(&messages, &definitions).await?;
        let turn = tools.parse_turn(&response).map_err(|e| e.to_string())?;
        messages.extend(turn.assistant_messages().iter().cloned());
        if turn.is_final() {
            return Ok(turn.text().unwrap_or_default().to_owned());
        }
        println!("\nturn {number}: the model calls {} tool(s)", turn.calls().len());
        let results = tools.run_turn(executor, &turn).await;
        for (call, record) in turn.calls().iter().zip(results.records()) {
            println!("  {} {}", call.name(), arguments_text(call.arguments()));
            let text = record.outcome.text();
            let status = if record.outcome.is_error() { "error" } else { "ok" };
            println!("    → {status}: {}", shorten(&text, 240));
        }
        // One tool message per call id: the next request is refused without them.
        messages.extend(results.messages());
    }
    Err(format!("no answer after {MAX_TURNS} turns"))
}

fn arguments_text(arguments: &composio_typed::agents::Arguments) -> String {
    match arguments {
        composio_typed::agents::Arguments::Text(text) => text.clone(),
        composio_typed::agents::Arguments::Json(value) => value.to_string(),
    }
}

fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn http() -> Result<reqwest::Client, String> {
    reqwest::Client::builder().build().map_err(|e| format!("HTTP client: {e}"))
}

/// An OpenAI-compatible Chat Completions endpoint. The key is never printed.
struct Model {
    http: reqwest::Client,
    base_url: String,
    api_key: String,
    model: String,
}

impl Model {
    async fn complete(&self, messages: &[Value], tools: &Value) -> Result<Value, String> {
        let url = format!("{}/chat/completions", self.base_url.trim_end_matches('/'));
        let body = json!({"model": self.model, "messages": messages, "tools": tools});
        let response = self
            .http
            .post(&url)
            .bearer_auth(&self.api_key)
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("chat completion: {}", e.without_url()))?;
        let status = response.status();
        let answer: Value = response.json().await.map_err(|e| format!("chat completion: {}", e.without_url()))?;
        if !status.is_success() {
            let message = answer["error"]["message"].as_str().unwrap_or("no message");
            return Err(format!("chat completion: HTTP {status}: {message}"));
        }
        Ok(answer)
    }
}

/// A local Composio serving the committed GitHub tools, and a scripted model: two parallel
/// calls (the second passes `labels` as a list where the tool takes a comma-separated
/// string), then a text answer once both calls have their result.
async fn offline_server() -> Result<TestServer, String> {
    let path = format!("{}/schemas/github/{}.json", env!("CARGO_MANIFEST_DIR"), github::VERSION);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let tools: Vec<Value> = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let server = TestServer::builder().tools(tools).start().await;
    server.respond("GITHUB_GET_AN_ISSUE", |request| {
        let number = request.arguments["issue_number"].as_i64().unwrap_or_default();
        ExecuteReply::Data(json!({
            "number": number,
            "title": "Crash on empty config",
            "state": "open",
            "body": "Starting with an empty config file panics.",
            "labels": [{"name": "bug"}],
            "html_url": format!("https://github.com/octocat/hello-world/issues/{number}"),
        }))
    });
    server.script_chat(offline_script());
    Ok(server)
}

/// What the scripted model says, turn by turn.
fn offline_script() -> Vec<ChatReply> {
    vec![
        ChatReply::ToolCalls(vec![
            ScriptedCall::new(
                "call_issue",
                "GITHUB_GET_AN_ISSUE",
                r#"{"owner":"octocat","repo":"hello-world","issue_number":7}"#,
            ),
            ScriptedCall::new(
                "call_list",
                "GITHUB_LIST_REPOSITORY_ISSUES",
                r#"{"owner":"octocat","repo":"hello-world","labels":["bug","crash"]}"#,
            ),
        ]),
        ChatReply::Text(
            "Issue #7, \"Crash on empty config\", is open and labelled bug: an empty config file makes the \
             program panic. I could not list the other issues: the tool takes `labels` as one \
             comma-separated string."
                .to_owned(),
        ),
    ]
}
