//! The MCP server driven by an rmcp client in process, over an in-memory duplex stream (what
//! stdio is to a real client), against the local Composio.

mod common;

use common::{API_KEY, composio, issue_json, mcp_server};
use composio_mcp::McpServer;
use composio_testserver::{ExecuteReply, Route};
use composio_typed::Tool;
use composio_typed::toolkits::github;
use rmcp::model::{CallToolRequestParams, CallToolResult, ErrorCode, PaginatedRequestParams};
use rmcp::service::RunningService;
use rmcp::{RoleClient, ServiceError, ServiceExt};
use serde_json::{Value, json};

async fn connect(server: McpServer) -> RunningService<RoleClient, ()> {
    let (server_io, client_io) = tokio::io::duplex(1 << 16);
    tokio::spawn(server.serve_transport(tokio::io::split(server_io)));
    ().serve(client_io).await.expect("initialize")
}

fn call(name: &str, arguments: Value) -> CallToolRequestParams {
    let Value::Object(arguments) = arguments else { panic!("arguments must be an object") };
    CallToolRequestParams::new(name.to_owned()).with_arguments(arguments)
}

fn text(result: &CallToolResult) -> &str {
    assert_eq!(result.content.len(), 1, "{result:?}");
    &result.content[0].as_text().expect("text content").text
}

#[tokio::test]
async fn list_tools_shows_the_selected_tools_with_schemas_and_annotations() {
    let composio = composio().await;
    let client = connect(mcp_server(&composio)).await;

    let info = client.peer_info().expect("server info");
    assert_eq!(info.server_info.as_ref().map(|i| i.name.as_str()), Some("github"));
    assert!(info.capabilities.tools.is_some(), "the tools capability is declared");

    let tools = client.list_all_tools().await.expect("tools/list");
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["create_an_issue", "get_a_repository", "list_repository_issues"]);

    let create = &tools[0];
    assert_eq!(create.title.as_deref(), Some(<github::CreateAnIssueInput as Tool>::META.name));
    assert!(create.description.as_deref().is_some_and(|d| !d.is_empty()));
    let schema = Value::Object((*create.input_schema).clone());
    assert_eq!(schema["type"], "object");
    for required in ["owner", "repo", "title"] {
        assert!(schema["required"].as_array().unwrap().contains(&json!(required)), "{schema}");
    }
    assert_eq!(schema["properties"]["labels"]["type"], "array", "{schema}");
    let annotations = create.annotations.as_ref().expect("annotations");
    assert_eq!(annotations.read_only_hint, None, "creating an issue writes");
    assert_eq!(annotations.open_world_hint, Some(true));

    let get = tools[1].annotations.as_ref().expect("annotations");
    assert_eq!((get.read_only_hint, get.open_world_hint, get.destructive_hint), (Some(true), Some(true), None));

    // Every schema the server lists is one Anthropic takes: no repeated `required` entries,
    // no OpenAPI `nullable` left, property keys within Anthropic's pattern.
    for tool in &tools {
        let text = Value::Object((*tool.input_schema).clone()).to_string();
        assert!(!text.contains("\"nullable\""), "{}: {text}", tool.name);
        assert!(!text.contains("file_uploadable"), "{}: {text}", tool.name);
    }
    assert!(composio.requests().is_empty(), "listing sends nothing to Composio");
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_call_returns_the_data_as_structured_content_and_text() {
    let composio = composio().await;
    composio.respond("GITHUB_CREATE_AN_ISSUE", |req| {
        ExecuteReply::Data(issue_json(7, req.arguments["title"].as_str().unwrap_or_default()))
    });
    let client = connect(mcp_server(&composio)).await;

    let arguments = json!({"owner": "octocat", "repo": "hello-world", "title": "Found a bug", "labels": ["bug"]});
    let result = client.call_tool(call("create_an_issue", arguments.clone())).await.expect("tools/call");
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let structured = result.structured_content.clone().expect("structured content");
    assert_eq!(structured["output"]["number"], 7);
    assert_eq!(structured["output"]["title"], "Found a bug");
    assert_eq!(serde_json::from_str::<Value>(text(&result)).unwrap(), structured, "the text is the same JSON");

    let sent = composio.requests_for(Route::Execute);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].path, "/api/v3/tools/execute/GITHUB_CREATE_AN_ISSUE");
    assert_eq!(sent[0].header("x-api-key"), Some(API_KEY));
    assert_eq!(
        sent[0].json().unwrap(),
        json!({"arguments": arguments, "user_id": "user-42", "version": github::VERSION})
    );
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_bad_argument_is_an_error_result_with_its_path_and_nothing_is_sent() {
    let composio = composio().await;
    let client = connect(mcp_server(&composio)).await;

    let cases = [
        (
            json!({"owner": "o", "repo": "r", "title": "t", "labels": ["bug", 3]}),
            "`labels[1]`: invalid type: integer `3`",
        ),
        (json!({"owner": "o", "repo": "r"}), "missing field `title`"),
        (json!({"owner": "o", "repo": "r", "title": "t", "titel": "x"}), "unknown field `titel`"),
        (json!({"owner": 5, "repo": "r", "title": "t"}), "`owner`: invalid type: integer `5`, expected a string"),
    ];
    for (arguments, expected) in cases {
        let result =
            client.call_tool(call("create_an_issue", arguments.clone())).await.expect("a result, not an error");
        assert_eq!(result.is_error, Some(true), "{arguments}: {result:?}");
        assert!(text(&result).contains(expected), "{arguments}: {}", text(&result));
        assert!(text(&result).contains("GITHUB_CREATE_AN_ISSUE"), "{}", text(&result));
    }
    let no_arguments = client.call_tool(CallToolRequestParams::new("create_an_issue")).await.expect("a result");
    assert_eq!(no_arguments.is_error, Some(true));
    assert!(text(&no_arguments).contains("missing field"), "{}", text(&no_arguments));

    assert!(composio.requests().is_empty(), "nothing reached Composio: {:#?}", composio.requests());
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_tool_failure_is_an_error_result() {
    let composio = composio().await;
    composio.respond("GITHUB_GET_A_REPOSITORY", |_| ExecuteReply::Failure("Repository not found".into()));
    let client = connect(mcp_server(&composio)).await;

    let result = client
        .call_tool(call("get_a_repository", json!({"owner": "octocat", "repo": "nope"})))
        .await
        .expect("a result, not a protocol error");
    assert_eq!(result.is_error, Some(true), "{result:?}");
    assert!(text(&result).contains("Repository not found"), "{}", text(&result));
    assert!(!text(&result).contains(API_KEY));
    assert_eq!(composio.count(Route::Execute), 1);
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn an_unknown_tool_is_a_protocol_error_and_the_slug_is_accepted() {
    let composio = composio().await;
    composio.respond("GITHUB_GET_A_REPOSITORY", |_| ExecuteReply::Data(json!({"id": 1, "name": "hello-world"})));
    let client = connect(mcp_server(&composio)).await;

    match client.call_tool(call("delete_everything", json!({}))).await {
        Err(ServiceError::McpError(error)) => {
            assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
            assert_eq!(error.message, "Unknown tool: delete_everything");
            let offered = error.data.expect("data")["tools"].clone();
            assert_eq!(offered, json!(["create_an_issue", "get_a_repository", "list_repository_issues"]));
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert!(composio.requests().is_empty());

    let result = client
        .call_tool(call("GITHUB_GET_A_REPOSITORY", json!({"owner": "octocat", "repo": "hello-world"})))
        .await
        .expect("the slug names the tool too");
    assert_eq!(result.is_error, Some(false), "{result:?}");
    assert_eq!(result.structured_content.as_ref().map(|s| &s["output"]["name"]), Some(&json!("hello-world")));
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn a_cursor_the_server_never_issued_is_refused() {
    let composio = composio().await;
    let client = connect(mcp_server(&composio)).await;
    let first = client.list_tools(None).await.expect("the first page");
    assert_eq!((first.tools.len(), first.next_cursor), (3, None), "one page holds every tool");
    let page = PaginatedRequestParams::default().with_cursor(Some("2".to_owned()));
    match client.list_tools(Some(page)).await {
        Err(ServiceError::McpError(error)) => assert_eq!(error.code, ErrorCode::INVALID_PARAMS),
        other => panic!("expected invalid params for a cursor never issued, got {other:?}"),
    }
    client.cancel().await.expect("close");
}

#[tokio::test]
async fn the_server_never_shows_the_api_key() {
    let composio = composio().await;
    let server = mcp_server(&composio);
    let debug = format!("{server:?}");
    assert!(!debug.contains(API_KEY), "{debug}");
    assert!(debug.contains("create_an_issue"), "{debug}");
}
