//! The MCP server over streamable HTTP on a local port, driven by rmcp's HTTP client.

mod common;

use common::{composio, issue_json, mcp_server};
use composio_testserver::ExecuteReply;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::{Value, json};

fn arguments(value: Value) -> rmcp::model::JsonObject {
    value.as_object().cloned().expect("an object")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamable_http_lists_and_calls_tools() {
    // rmcp's HTTP client is built on reqwest without a TLS provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let composio = composio().await;
    composio.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(issue_json(3, "Over HTTP")));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(mcp_server(&composio).serve_http(listener, &[], async {
        let _ = stopped.await;
    }));

    let transport = StreamableHttpClientTransport::from_uri(format!("http://{address}{}", composio_mcp::HTTP_PATH));
    let client = ().serve(transport).await.expect("initialize over HTTP");
    let tools = client.list_all_tools().await.expect("tools/list");
    assert_eq!(tools.len(), 3);

    let bad = client
        .call_tool(
            CallToolRequestParams::new("create_an_issue")
                .with_arguments(arguments(json!({"owner": "o", "repo": "r", "title": ["not", "text"]}))),
        )
        .await
        .expect("a result");
    assert_eq!(bad.is_error, Some(true), "{bad:?}");
    assert!(composio.requests().is_empty(), "the bad call was not sent");

    let good = client
        .call_tool(
            CallToolRequestParams::new("create_an_issue")
                .with_arguments(arguments(json!({"owner": "o", "repo": "r", "title": "Over HTTP"}))),
        )
        .await
        .expect("a result");
    assert_eq!(good.is_error, Some(false), "{good:?}");
    assert_eq!(good.structured_content.expect("structured")["output"]["number"], 3);

    client.cancel().await.expect("close");
    let _ = stop.send(());
    served.await.expect("server task").expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_http_server_ends_the_sessions_still_open() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let composio = composio().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a local port");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(mcp_server(&composio).serve_http(listener, &[], async {
        let _ = stopped.await;
    }));
    let transport = StreamableHttpClientTransport::from_uri(format!("http://{address}{}", composio_mcp::HTTP_PATH));
    let client = ().serve(transport).await.expect("initialize over HTTP");
    client.list_all_tools().await.expect("tools/list");

    // The client keeps its session (and its event stream) open; a stop must not wait for it.
    let _ = stop.send(());
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), served).await;
    assert!(finished.is_ok(), "the server still waits for the client's open session");
    drop(client);
}
