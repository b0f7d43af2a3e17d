//! Helpers shared by the MCP tests: the local Composio loaded with the committed schemas, and a
//! server over a chosen tool set running against it.

#![allow(dead_code, missing_docs)] // each test binary uses part of the helpers

use composio_mcp::McpServer;
use composio_testserver::TestServer;
use composio_testserver::committed_tools;
use composio_typed::Client;
use composio_typed::agents::ToolSet;
use composio_typed::toolkits::github;
use serde_json::{Value, json};

/// The key the test server requires; long enough that a leak of it is unmistakable.
pub const API_KEY: &str = "ak_test_mcp_7e1f0c9a3b5d2e4f6a8c0b1d3e5f7a9c";

/// The slugs the tests serve.
pub const SLUGS: [&str; 3] = ["GITHUB_CREATE_AN_ISSUE", "GITHUB_GET_A_REPOSITORY", "GITHUB_LIST_REPOSITORY_ISSUES"];

/// A local Composio serving the committed github tools.
pub async fn composio() -> TestServer {
    TestServer::builder().api_key(API_KEY).tools(committed_tools("github")).start().await
}

/// A client aimed at `server`.
pub fn client(server: &TestServer) -> Client {
    Client::builder().api_key(API_KEY).base_url(server.base_url()).build().expect("client")
}

/// An MCP server named `github` over [`SLUGS`], running its calls for `user-42`.
pub fn mcp_server(server: &TestServer) -> McpServer {
    let tools = ToolSet::new().with_slugs(github::TOOLS, SLUGS).expect("committed slugs");
    McpServer::builder(tools, client(server)).name("github").user_id("user-42").build().expect("server")
}

/// A GitHub issue as the API returns it.
pub fn issue_json(number: i64, title: &str) -> Value {
    json!({
        "id": 1_000_000 + number,
        "number": number,
        "title": title,
        "state": "open",
        "html_url": format!("https://github.com/octocat/hello-world/issues/{number}"),
        "url": format!("https://api.github.com/repos/octocat/hello-world/issues/{number}"),
        "user": {"login": "octocat", "id": 583231, "html_url": "https://github.com/octocat", "type": "User"},
        "labels": [],
        "assignees": [],
        "comments": 0,
        "created_at": "2025-10-27T10:00:00Z",
        "updated_at": "2025-10-27T10:00:00Z",
        "author_association": "OWNER",
        "locked": false,
    })
}
