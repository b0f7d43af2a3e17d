//! A generated call against the local server: the exact request it sends, the typed output it
//! decodes, and what it does with a tool failure and a platform error.

mod common;

use common::{API_KEY, client, issue_json, server};
use composio_testserver::{ExecuteReply, Fault, FaultRule, Route};
use composio_typed::toolkits::github;
use composio_typed::{ApiPrefix, Error};
use serde_json::json;

#[tokio::test]
async fn create_an_issue_sends_exactly_the_pinned_request_and_decodes_the_issue() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |req| {
        let title = req.arguments["title"].as_str().unwrap_or_default();
        ExecuteReply::Data(issue_json(7, title))
    });
    let client = common::builder(&server).user_agent("composio-tests/1.0").build().unwrap().for_user("user-42");

    let issue = github::create_an_issue(
        &client,
        github::CreateAnIssueInput::new("octocat", "hello-world", "Found a bug").labels(["bug", "ui"]),
    )
    .await
    .expect("issue");

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one HTTP request per call, no schema fetch: {requests:#?}");
    let sent = &requests[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/api/v3/tools/execute/GITHUB_CREATE_AN_ISSUE");
    assert_eq!(sent.header("x-api-key"), Some(API_KEY));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("user-agent"), Some("composio-tests/1.0"));
    assert_eq!(
        sent.json().unwrap(),
        json!({
            // Optional arguments left unset are omitted, not sent as null.
            "arguments": {"owner": "octocat", "repo": "hello-world", "title": "Found a bug", "labels": ["bug", "ui"]},
            "user_id": "user-42",
            "version": github::VERSION,
        })
    );
    assert_eq!(github::VERSION, "20251027_00");

    assert_eq!(issue.number, 7);
    assert_eq!(issue.title, "Found a bug");
    assert_eq!(issue.state, github::State::Open);
    assert_eq!(issue.user.login, "octocat");
    assert_eq!(issue.labels.len(), 1);
    assert_eq!(issue.labels[0].name, "bug");
    assert_eq!(issue.author_association, Some(github::AuthorAssociation::Owner));
    assert_eq!(issue.milestone, None);
}

#[tokio::test]
async fn connected_account_user_agent_default_and_v3_1_prefix() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(issue_json(1, "t")));
    let client = common::builder(&server)
        .api_prefix(ApiPrefix::V3_1)
        .user_id("user-7")
        .connected_account("ca_abc123")
        .build()
        .unwrap();

    let details = github::create_an_issue(&client, github::CreateAnIssueInput::new("o", "r", "t").body("text"))
        .send_with_details()
        .await
        .expect("issue");
    assert_eq!(details.data.number, 1);
    assert_eq!(details.version, "20251027_00");
    assert_eq!(details.attempts, 1);
    assert!(details.log_id.as_deref().is_some_and(|id| id.starts_with("log_")), "{:?}", details.log_id);

    let sent = &server.requests()[0];
    assert_eq!(sent.path, "/api/v3.1/tools/execute/GITHUB_CREATE_AN_ISSUE");
    assert_eq!(sent.header("user-agent"), Some(concat!("composio-typed/", env!("CARGO_PKG_VERSION"))));
    assert_eq!(
        sent.json().unwrap(),
        json!({
            "arguments": {"owner": "o", "repo": "r", "title": "t", "body": "text"},
            "user_id": "user-7",
            "connected_account_id": "ca_abc123",
            "version": "20251027_00",
        })
    );
}

#[tokio::test]
async fn per_call_user_and_account_override_the_client() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(issue_json(1, "t")));
    let client = common::builder(&server).user_id("u1").connected_account("ca_1").build().unwrap();

    github::create_an_issue(&client, github::CreateAnIssueInput::new("o", "r", "t"))
        .user_id("u2")
        .connected_account("ca_2")
        .await
        .unwrap();
    // Another user's calls must not carry the first user's connected account.
    github::create_an_issue(&client.for_user("u3"), github::CreateAnIssueInput::new("o", "r", "t")).await.unwrap();
    github::create_an_issue(&client.with_connected_account("ca_4"), github::CreateAnIssueInput::new("o", "r", "t"))
        .await
        .unwrap();

    let bodies: Vec<_> = server.requests().iter().map(|r| r.json().unwrap()).collect();
    let scope = |b: &serde_json::Value| (b["user_id"].clone(), b.get("connected_account_id").cloned());
    assert_eq!(scope(&bodies[0]), (json!("u2"), Some(json!("ca_2"))));
    assert_eq!(scope(&bodies[1]), (json!("u3"), None));
    assert_eq!(scope(&bodies[2]), (json!("u1"), Some(json!("ca_4"))));
}

#[tokio::test]
async fn a_tool_failure_is_tool_failed_with_message_and_log_id() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Failure("Repository is archived".into()));
    let client = client(&server);

    let err = github::create_an_issue(&client, github::CreateAnIssueInput::new("o", "r", "t")).await.unwrap_err();
    let Error::ToolFailed(failure) = &err else { panic!("expected ToolFailed, got {err:?}") };
    assert_eq!(failure.slug, "GITHUB_CREATE_AN_ISSUE");
    assert_eq!(failure.message, "Repository is archived");
    assert!(failure.log_id.as_deref().is_some_and(|id| id.starts_with("log_")), "{failure:?}");
    assert!(err.may_have_run());
    assert_eq!(server.count(Route::Execute), 1);
}

#[tokio::test]
async fn a_4xx_error_body_is_an_api_error_with_every_field() {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Raw {
        status: 403,
        body: json!({"error": {
            "message": "Connected account is not active",
            "code": 1805,
            "slug": "ConnectedAccount_Inactive",
            "status": 403,
            "request_id": "req_123",
            "suggested_fix": "Reconnect the account.",
            "errors": ["account ca_1 is expired"],
        }}),
    });
    let client = client(&server);

    let err = github::create_an_issue(&client, github::CreateAnIssueInput::new("o", "r", "t")).await.unwrap_err();
    let Error::Api(api) = &err else { panic!("expected Api, got {err:?}") };
    assert_eq!(api.status, 403);
    assert_eq!(api.message, "Connected account is not active");
    assert_eq!(api.code, Some(1805));
    assert_eq!(api.error_slug.as_deref(), Some("ConnectedAccount_Inactive"));
    assert_eq!(api.request_id.as_deref(), Some("req_123"));
    assert_eq!(api.suggested_fix.as_deref(), Some("Reconnect the account."));
    assert_eq!(api.errors, vec![json!("account ca_1 is expired")]);
    assert_eq!(api.tool.as_deref(), Some("GITHUB_CREATE_AN_ISSUE"));
    assert!(!err.may_have_run());
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.request_id(), Some("req_123"));
    assert_eq!(
        err.to_string(),
        "GITHUB_CREATE_AN_ISSUE: HTTP 403 ConnectedAccount_Inactive: Connected account is not active \
         (Reconnect the account.)"
    );
    assert_eq!(server.count(Route::Execute), 1);
}

#[tokio::test]
async fn a_result_that_does_not_match_the_type_keeps_the_json_and_the_path() {
    let server = server().await;
    let mut bad = issue_json(3, "t");
    bad["labels"][0]["id"] = json!("not-a-number");
    let sent = bad.clone();
    server.respond("GITHUB_GET_AN_ISSUE", move |_| ExecuteReply::Data(sent.clone()));
    let client = client(&server);

    let err = github::get_an_issue(&client, github::GetAnIssueInput::new("o", "r", 3)).await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("expected Decode, got {err:?}") };
    assert_eq!(decode.slug, "GITHUB_GET_AN_ISSUE");
    assert_eq!(decode.path, "labels[0].id");
    assert_eq!(decode.raw, bad);
    assert!(decode.message.contains("invalid type: string \"not-a-number\", expected i64"), "{}", decode.message);
    // A decode failure is not retried, even for a read-only tool: the server answered.
    assert_eq!(server.count(Route::Execute), 1);
}

#[tokio::test]
async fn the_untyped_escape_hatch_runs_any_slug() {
    let server = server().await;
    server.respond("GITHUB_GET_A_PULL_REQUEST", |req| {
        ExecuteReply::Data(json!({"number": req.arguments["pull_number"]}))
    });
    let client = client(&server);

    let data = client
        .execute("GITHUB_GET_A_PULL_REQUEST", json!({"owner": "o", "repo": "r", "pull_number": 12}))
        .version("20251027_00")
        .await
        .unwrap();
    assert_eq!(data, json!({"number": 12}));
    let sent = server.requests()[0].json().unwrap();
    assert_eq!(
        sent,
        json!({"arguments": {"owner": "o", "repo": "r", "pull_number": 12}, "user_id": "default", "version": "20251027_00"})
    );
}

#[tokio::test]
async fn faults_on_a_generated_call_fail_the_call_without_a_panic() {
    let server = server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(404, 2401, "Tool_ToolNotFound", "Tool X not found")));
    let client = client(&server);
    let err = github::create_an_issue(&client, github::CreateAnIssueInput::new("o", "r", "t")).await.unwrap_err();
    assert!(matches!(&err, Error::Api(api) if api.error_slug.as_deref() == Some("Tool_ToolNotFound")), "{err:?}");
}

#[tokio::test]
async fn the_envelope_is_read_leniently() {
    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Raw {
        status: 200,
        body: json!({
            "data": issue_json(5, "t"),
            "error": null,
            "successfull": true,
            "successful": true,
            "log_id": "log_x",
            "session_info": {"id": "s1"},
            "status": "active",
        }),
    });
    let client = client(&server);
    let done =
        github::get_an_issue(&client, github::GetAnIssueInput::new("o", "r", 5)).send_with_details().await.unwrap();
    assert_eq!((done.data.number, done.log_id.as_deref()), (5, Some("log_x")));
}

#[tokio::test]
async fn a_successful_run_without_data_is_an_empty_free_form_output() {
    let server = server().await;
    // `data: null`, then no `data` at all: the tool ran, so neither may become a decode error.
    server.respond("GITHUB_ACCEPT_A_REPOSITORY_INVITATION", |_| ExecuteReply::Data(json!(null)));
    server.respond("GITHUB_STAR_A_REPOSITORY_FOR_THE_AUTHENTICATED_USER", |_| ExecuteReply::Raw {
        status: 200,
        body: json!({"error": null, "successful": true, "log_id": "log_y"}),
    });
    let client = client(&server);

    let accepted = github::accept_a_repository_invitation(&client, github::AcceptARepositoryInvitationInput::new(1))
        .await
        .expect("null data on a free-form output");
    assert!(accepted.is_empty());
    let starred = github::star_a_repository_for_the_authenticated_user(
        &client,
        github::StarARepositoryForTheAuthenticatedUserInput::new("o", "r"),
    )
    .await
    .expect("absent data on a free-form output");
    assert!(starred.is_empty());
}

#[tokio::test]
async fn a_successful_run_without_data_still_fails_a_struct_output_with_required_fields() {
    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(json!(null)));
    let client = client(&server);
    let err = github::get_an_issue(&client, github::GetAnIssueInput::new("o", "r", 5)).await.unwrap_err();
    let Error::Decode(decode) = &err else { panic!("expected Decode, got {err:?}") };
    assert_eq!(decode.raw, json!(null));
}

#[tokio::test]
async fn a_defaulted_output_field_sent_as_null_reads_as_its_default() {
    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| {
        let mut issue = issue_json(7, "t");
        issue["assignees"] = json!(null);
        issue["locked"] = json!(null);
        ExecuteReply::Data(issue)
    });
    let issue = github::get_an_issue(&client(&server), github::GetAnIssueInput::new("o", "r", 7)).await.unwrap();
    assert!(issue.assignees.is_empty());
    assert!(!issue.locked);
}

#[test]
fn generated_enums_spell_their_wire_values() {
    use github::{CreateACheckRunConclusion, State};
    // Inputs: the value serde sends, as text.
    let conclusion = CreateACheckRunConclusion::ActionRequired;
    assert_eq!(conclusion.as_str(), "action_required");
    assert_eq!(conclusion.to_string(), serde_json::to_value(conclusion).unwrap().as_str().unwrap());
    // Outputs: known values and values added later alike.
    assert_eq!(State::Closed.to_string(), "closed");
    assert_eq!(State::Unknown("archived".into()).to_string(), "archived");
}
