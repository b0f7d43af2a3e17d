//! The code of the runtime guide (`composio-typed/README.md`), compiled and run against the local
//! server. Each function the guide shows in a `rust` block appears verbatim below; the first test
//! checks that, so the guide cannot drift from the code that runs.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{API_KEY, server};
use composio_testserver::{ExecuteReply, Fault, FaultRule, Route};
use composio_typed::agents::{Executor, Prepared, Provider, Strictness, ToolSet, TurnError, UnknownSlug};
use composio_typed::retry::{ExecuteRetries, RetryPolicy};
use composio_typed::toolkits::{github, gmail};
use composio_typed::{ApiPrefix, Client, Error, FileInput, LATEST, Value};
use serde_json::json;

// README: configuration -----------------------------------------------------------------------

#[allow(dead_code, reason = "compiled only: `from_env` is exercised in tests/config.rs")]
fn from_environment() -> composio_typed::Result<Client> {
    // COMPOSIO_API_KEY (required), COMPOSIO_BASE_URL, COMPOSIO_TOOLKIT_VERSION_<TOOLKIT>.
    let client = Client::from_env()?;
    Ok(client.for_user("user-42"))
}

fn configure(api_key: &str, base_url: &str) -> composio_typed::Result<Client> {
    let client = Client::builder()
        .api_key(api_key)
        .base_url(base_url) // https://backend.composio.dev by default
        .api_prefix(ApiPrefix::V3_1) // /api/v3 by default
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30)) // per attempt, until the whole answer is read
        .header("x-team", "billing")
        .user_agent("billing-agent/1.4")
        .user_id("user-42")
        .connected_account("ca_8kzQ3")
        .build()?;
    Ok(client)
}

// README: version pinning --------------------------------------------------------------------

async fn pinning(client: &Client) -> composio_typed::Result<()> {
    let input = || github::GetAnIssueInput::new("octocat", "hello-world", 7);

    // Runs on github::VERSION, the version the types were generated from.
    let pinned = github::get_an_issue(client, input()).await?;

    // Another version, for this call only: the server then validates against that version.
    let other = github::get_an_issue(client, input()).version("20251201_00").await?;

    // `latest` is refused unless the call (or the client, `allow_latest(true)`) opts in.
    let refused = github::get_an_issue(client, input()).version(LATEST).await;
    assert!(matches!(refused, Err(Error::VersionRefused { .. })));
    let newest = github::get_an_issue(client, input()).version(LATEST).allow_latest().await?;

    // Any tool, untyped, with JSON arguments and an explicit version.
    let data = client
        .execute("GITHUB_GET_AN_ISSUE", json!({"owner": "octocat", "repo": "hello-world", "issue_number": 7}))
        .version("20251027_00")
        .await?;
    println!("{} {} {} {}", pinned.title, other.title, newest.title, data["title"]);
    Ok(())
}

// README: error handling ---------------------------------------------------------------------

async fn open_issue(client: &Client, title: &str) -> composio_typed::Result<Option<github::Issue>> {
    let input = github::CreateAnIssueInput::new("octocat", "hello-world", title).labels(["bug"]);
    match github::create_an_issue(client, input).await {
        Ok(issue) => Ok(Some(issue)),
        // The tool ran and said no: `successful: false`.
        Err(Error::ToolFailed(failure)) => {
            eprintln!("GitHub refused: {} (log {:?})", failure.message, failure.log_id);
            Ok(None)
        }
        // Refused before it ran, and already retried as the policy allows: safe to try later.
        Err(Error::RateLimited { retry_after, .. }) => {
            eprintln!("rate limited, retry after {retry_after:?}");
            Ok(None)
        }
        // A 5xx, a timeout or a dropped connection after the request was sent: creating an
        // issue is not idempotent, so the client did not retry. Look before trying again.
        Err(e) if e.may_have_run() => {
            eprintln!("unknown outcome, check the repository before retrying: {e}");
            Ok(None)
        }
        Err(Error::Api(api)) if api.error_slug.as_deref() == Some("Tool_ToolNotFound") => {
            eprintln!("no such tool at this version: {} (request {:?})", api.message, api.request_id);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

// README: checking arguments -----------------------------------------------------------------

async fn plan_milestone(client: &Client, due_on: &str) -> composio_typed::Result<bool> {
    let input = github::CreateAMilestoneInput::new("octocat", "hello-world", "2.0").due_on(due_on);
    match github::create_a_milestone(client, input).await {
        Ok(_) => Ok(true),
        Err(Error::InvalidArguments { violations, .. }) => {
            for violation in &violations {
                // `due_on: must be a valid `date-time``
                eprintln!("{violation} ({})", violation.keyword);
            }
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

// README: files ------------------------------------------------------------------------------

async fn send_report(client: &Client, report: &Path, downloads: &Path) -> composio_typed::Result<PathBuf> {
    // A local path (or `FileInput::bytes(name, bytes)`): uploaded before the call, sent as
    // {name, mimetype, s3key}.
    let draft = gmail::CreateEmailDraftInput::new("pat@example.org", "Q3 report", "Attached.")
        .attachment(FileInput::path(report));
    gmail::create_email_draft(client, draft).await?;

    // A file a tool returns is saved into a directory with one call.
    let attachment =
        gmail::get_attachment(client, gmail::GetAttachmentInput::new("18c3f0a9", "ANGjdJ8", "receipt.pdf")).await?;
    client.download(&attachment.file, downloads).await
}

// README: retries ----------------------------------------------------------------------------

fn with_retries(api_key: &str) -> composio_typed::Result<Client> {
    let policy = RetryPolicy {
        max_retries: 4,
        initial_backoff: Duration::from_millis(250),
        max_backoff: Duration::from_secs(8),
        max_retry_after: Duration::from_secs(30), // a longer Retry-After is returned, not waited
        execute: ExecuteRetries::Safe,            // the default; `Never`, or `Always` as the SDKs do
    };
    Client::builder().api_key(api_key).retry_policy(policy).build()
}

// README: agents -----------------------------------------------------------------------------

fn issue_tools() -> Result<Prepared, UnknownSlug> {
    let tools = ToolSet::new()
        .with_slugs(github::TOOLS, ["GITHUB_GET_AN_ISSUE", "GITHUB_CREATE_AN_ISSUE_COMMENT"])?
        .with_matching(github::TOOLS, |meta| meta.slug.starts_with("GITHUB_LIST_") && meta.has_tag("readOnlyHint"));
    let prepared = tools.prepare(Provider::Anthropic, Strictness::Lenient);
    for left_out in prepared.rejected() {
        eprintln!("not offered: {left_out}"); // the rule its schema breaks
    }
    Ok(prepared) // the request's "tools": prepared.tools_json()
}

async fn answer_turn(
    client: &Client,
    tools: &Prepared,
    history: &mut Vec<Value>,
    response: &Value,
) -> Result<bool, TurnError> {
    // `response`: the body of Anthropic's POST /v1/messages.
    let (turn, results) = tools.handle_turn(Executor::client(client), response).await?;
    history.extend(turn.assistant_messages().iter().cloned());
    for record in results.records() {
        println!("{record}"); // "GITHUB_GET_AN_ISSUE (toolu_01): ok", or the error the model reads
    }
    // One user message of tool_result blocks, `is_error: true` on the failed ones.
    history.extend(results.messages());
    Ok(turn.is_final()) // no calls: `turn.text()` is the answer
}

// The tests ----------------------------------------------------------------------------------

/// The functions of the README's ```` ```rust ```` blocks (the ones compiled as doctests), each as
/// its text from the `fn` line to the closing brace at column 0.
fn readme_functions(readme: &str) -> Vec<String> {
    let mut functions = Vec::new();
    let mut in_block = false;
    let mut current: Option<Vec<&str>> = None;
    for line in readme.lines() {
        if !in_block {
            in_block = line.trim_end() == "```rust";
            continue;
        }
        if line.starts_with("```") {
            in_block = false;
            continue;
        }
        if let Some(lines) = current.as_mut() {
            lines.push(line);
            if line == "}" {
                functions.push(current.take().unwrap_or_default().join("\n"));
            }
        } else if line.starts_with("fn ") || line.starts_with("async fn ") {
            current = Some(vec![line]);
        }
    }
    functions
}

#[test]
fn every_function_the_readme_shows_is_the_one_run_here() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let functions = readme_functions(&readme);
    assert!(functions.len() >= 6, "the runtime guide shows at least six functions: {functions:#?}");
    let here = include_str!("readme.rs");
    for function in &functions {
        assert!(
            here.contains(function.as_str()),
            "README.md shows a function that tests/readme.rs does not run:\n{function}"
        );
    }
}

#[tokio::test]
async fn checking_snippet_refuses_a_bad_date_without_sending() {
    let server = server().await;
    server.respond("GITHUB_CREATE_A_MILESTONE", |_| ExecuteReply::Data(json!({"number": 3})));
    let client = Client::builder().api_key(API_KEY).base_url(server.base_url()).build().unwrap();
    assert!(!plan_milestone(&client, "end of January").await.unwrap());
    assert!(server.requests().is_empty());
    assert!(plan_milestone(&client, "2026-01-31T00:00:00Z").await.unwrap());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn configuration_snippet_builds_the_described_client() {
    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(common::issue_json(7, "t")));
    let client = configure(API_KEY, &server.base_url()).unwrap();
    github::get_an_issue(&client, github::GetAnIssueInput::new("o", "r", 7)).await.unwrap();
    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/api/v3.1/tools/execute/GITHUB_GET_AN_ISSUE");
    assert_eq!((sent.header("x-team"), sent.header("user-agent")), (Some("billing"), Some("billing-agent/1.4")));
    let body = sent.json().unwrap();
    assert_eq!((&body["user_id"], &body["connected_account_id"]), (&json!("user-42"), &json!("ca_8kzQ3")));
    assert_eq!(with_retries(API_KEY).unwrap().base_url(), "https://backend.composio.dev");
}

#[tokio::test]
async fn pinning_snippet_sends_the_versions_it_describes() {
    let server = common::server_with_newer_github().await;
    pinning(&common::client(&server)).await.unwrap();
    let versions: Vec<_> =
        server.requests_for(Route::Execute).iter().map(|r| r.json().unwrap()["version"].clone()).collect();
    assert_eq!(versions, [json!("20251027_00"), json!("20251201_00"), json!("latest"), json!("20251027_00")]);
}

#[tokio::test]
async fn error_snippet_sorts_each_failure() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(common::issue_json(9, "t")));
    let client = common::client(&server);
    assert_eq!(open_issue(&client, "t").await.unwrap().map(|i| i.number), Some(9));

    let faults = [
        Fault::ToolFailure("archived".into()),
        Fault::rate_limited(60),
        Fault::api_error(502, 10502, "HTTP_BadGateway", "x"),
        Fault::api_error(404, 2401, "Tool_ToolNotFound", "x"),
    ];
    for fault in faults {
        server.fault(FaultRule::new(Route::Execute, fault));
        assert_eq!(open_issue(&client, "t").await.unwrap(), None);
    }
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(401, 801, "APIKey_InvalidAPIKey", "x")));
    assert_eq!(open_issue(&client, "t").await.unwrap_err().status(), Some(401));
    assert_eq!(server.count(Route::Execute), 6, "no failure above was retried");
}

#[tokio::test]
async fn files_snippet_uploads_and_downloads() {
    let server = server().await;
    let url = server.register_download("receipts/1", b"%PDF".to_vec());
    server.respond("GMAIL_GET_ATTACHMENT", move |req| {
        ExecuteReply::Data(
            json!({"file": {"name": req.arguments["file_name"], "mimetype": "application/pdf", "s3url": url}}),
        )
    });
    server.respond("GMAIL_CREATE_EMAIL_DRAFT", |_| ExecuteReply::Data(json!({})));
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("q3.csv");
    std::fs::write(&report, "quarter,revenue\nQ3,10\n").unwrap();

    let saved = send_report(&common::client(&server), &report, &dir.path().join("downloads")).await.unwrap();
    assert_eq!(saved, dir.path().join("downloads/receipt.pdf"));
    assert_eq!(std::fs::read(saved).unwrap(), b"%PDF");
    let draft = server.requests_for(Route::Execute)[0].json().unwrap();
    assert_eq!(draft["arguments"]["attachment"]["name"], "q3.csv");
    assert_eq!(draft["arguments"]["attachment"]["mimetype"], "text/csv");
}

#[tokio::test]
async fn agents_snippet_answers_every_call_of_a_turn() {
    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(common::issue_json(7, "Crash")));
    let client = common::client(&server);
    let tools = issue_tools().unwrap();
    assert!(tools.rejected().is_empty());
    let offered: Vec<&str> = tools.definitions().iter().map(|d| d.name()).collect();
    assert!(offered.contains(&"GITHUB_GET_AN_ISSUE") && offered.contains(&"GITHUB_LIST_REPOSITORY_ISSUES"));
    assert!(!offered.contains(&"GITHUB_CREATE_AN_ISSUE"), "{offered:?}");

    let mut history = vec![json!({"role": "user", "content": "What is octocat/hello-world#7 about?"})];
    let response = json!({"role": "assistant", "stop_reason": "tool_use", "content": [
        {"type": "tool_use", "id": "toolu_01", "name": "GITHUB_GET_AN_ISSUE",
         "input": {"owner": "octocat", "repo": "hello-world", "issue_number": 7}},
        {"type": "tool_use", "id": "toolu_02", "name": "GITHUB_CREATE_AN_ISSUE_COMMENT",
         "input": {"owner": "octocat", "repo": "hello-world", "issue_number": "7", "body": "Looking into it."}},
    ]});
    assert!(!answer_turn(&client, &tools, &mut history, &response).await.unwrap());
    assert_eq!(history.len(), 3);
    let results = history[2]["content"].as_array().unwrap();
    assert_eq!(results[0]["tool_use_id"], "toolu_01");
    assert!(results[0].get("is_error").is_none());
    assert_eq!(results[1]["tool_use_id"], "toolu_02");
    assert_eq!(results[1]["is_error"], true);
    assert!(results[1]["content"].as_str().unwrap().contains("`issue_number`"), "{}", results[1]);
    assert_eq!(server.count(Route::Execute), 1, "the bad call was stopped locally");

    let done = json!({"role": "assistant", "content": [{"type": "text", "text": "A crash report."}]});
    assert!(answer_turn(&client, &tools, &mut history, &done).await.unwrap());
    assert!(answer_turn(&client, &tools, &mut history, &json!("not a message")).await.is_err());
}
