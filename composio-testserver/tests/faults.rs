//! Fault injection, counters under concurrency, and shutdown.

mod common;

use std::time::{Duration, Instant};

use common::client;
use composio_testserver::{Fault, FaultRule, Route, TestServer};
use serde_json::{Value, json};

const SLUG: &str = "GITHUB_STAR_A_REPOSITORY";

fn star_tool() -> Value {
    json!({
        "slug": SLUG,
        "name": "Star a repository",
        "description": "Stars a repository",
        "toolkit": {"slug": "github", "name": "GitHub", "logo": ""},
        "version": "20251027_00",
        "input_parameters": {
            "type": "object",
            "properties": {"owner": {"type": "string"}, "repo": {"type": "string"}},
            "required": ["owner", "repo"],
        },
        "output_parameters": {},
        "tags": [],
    })
}

fn other_tool() -> Value {
    let mut t = star_tool();
    t["slug"] = json!("GITHUB_UNSTAR_A_REPOSITORY");
    t
}

async fn server(rules: Vec<FaultRule>) -> TestServer {
    let mut b = TestServer::builder().tools([star_tool(), other_tool()]);
    for r in rules {
        b = b.fault(r);
    }
    b.start().await
}

async fn execute(c: &reqwest::Client, s: &TestServer, slug: &str) -> reqwest::Result<reqwest::Response> {
    c.post(s.url(&format!("/api/v3.1/tools/execute/{slug}")))
        .header("x-api-key", s.api_key())
        .json(&json!({
            "arguments": {"owner": "octocat", "repo": "hello"},
            "user_id": "u1",
            "version": "20251027_00",
        }))
        .send()
        .await
}

async fn status_of(c: &reqwest::Client, s: &TestServer, slug: &str) -> u16 {
    execute(c, s, slug).await.expect("response").status().as_u16()
}

#[tokio::test]
async fn api_error_has_the_real_body_shape_and_applies_once() {
    let s = server(vec![FaultRule::new(
        Route::Execute,
        Fault::api_error(503, 1234, "Upstream_Unavailable", "provider down"),
    )])
    .await;
    let c = client();
    let resp = execute(&c, &s, SLUG).await.unwrap();
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body: Value = resp.json().await.unwrap();
    let err = &body["error"];
    assert_eq!(err["message"], "provider down");
    assert_eq!(err["code"], 1234);
    assert_eq!(err["slug"], "Upstream_Unavailable");
    assert_eq!(err["status"], 503);
    assert!(err["request_id"].is_string());
    assert_eq!(err["suggested_fix"], "");
    assert_eq!(err["errors"], json!([]));
    assert_eq!(status_of(&c, &s, SLUG).await, 200);
    assert_eq!(s.count(Route::Execute), 2);
}

#[tokio::test]
async fn legacy_error_says_error_code() {
    let s = server(vec![FaultRule::new(
        Route::ListTools,
        Fault::legacy_api_error(400, 10400, "Validation error while processing request"),
    )])
    .await;
    let c = client();
    let resp = c.get(s.url("/api/v3/tools")).header("x-api-key", s.api_key()).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["error_code"], 10400);
    assert_eq!(body["error"]["message"], "Validation error while processing request");
    assert!(body["error"].get("code").is_none());
}

#[tokio::test]
async fn rate_limits_in_both_forms() {
    let s = server(vec![
        FaultRule::new(Route::Execute, Fault::rate_limited(7)),
        FaultRule::new(Route::Execute, Fault::rate_limited_edge()),
    ])
    .await;
    let c = client();
    let resp = execute(&c, &s, SLUG).await.unwrap();
    assert_eq!(resp.status(), 429);
    let h = resp.headers();
    assert_eq!(h["retry-after"], "7");
    assert_eq!(h["x-ratelimit"], "1000");
    assert_eq!(h["x-ratelimit-remaining"], "0");
    assert_eq!(h["x-ratelimit-window-size"], "60");
    let body: Value = resp.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().starts_with("Rate limit exceeded"));
    assert_eq!(body.as_object().unwrap().len(), 1);

    let resp = execute(&c, &s, SLUG).await.unwrap();
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_none());
    assert!(resp.headers().get("x-ratelimit").is_none());
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body, json!({"code": 10429, "slug": "HTTP_TooManyRequests"}));

    assert_eq!(status_of(&c, &s, SLUG).await, 200);
}

#[tokio::test]
async fn reply_sends_arbitrary_status_headers_and_body() {
    let s = server(vec![]).await;
    s.fault(FaultRule::new(
        Route::GetToolkit,
        Fault::Reply {
            status: 418,
            headers: vec![("X-Test".into(), "teapot".into()), ("content-length".into(), "999".into())],
            body: "short and stout".into(),
        },
    ));
    let c = client();
    let resp = c.get(s.url("/api/v3/toolkits/github")).send().await.unwrap();
    assert_eq!(resp.status(), 418);
    assert_eq!(resp.headers()["x-test"], "teapot");
    assert_eq!(resp.headers()["content-length"], "15");
    assert_eq!(resp.text().await.unwrap(), "short and stout");
    // Faults come before the API key check; the next request meets it.
    let resp = c.get(s.url("/api/v3/toolkits/github")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn delay_answers_normally_after_the_delay() {
    let s = server(vec![FaultRule::new(Route::Execute, Fault::Delay(Duration::from_millis(300)))]).await;
    let c = client();
    let start = Instant::now();
    let resp = execute(&c, &s, SLUG).await.unwrap();
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["successful"], true);
    // A client timeout shorter than the delay fires.
    s.fault(FaultRule::new(Route::Execute, Fault::Delay(Duration::from_secs(5))));
    let err = c
        .post(s.url(&format!("/api/v3.1/tools/execute/{SLUG}")))
        .header("x-api-key", s.api_key())
        .json(&json!({"arguments": {"owner": "o", "repo": "r"}}))
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn truncated_body_fails_the_body_read() {
    let s = server(vec![FaultRule::new(Route::Execute, Fault::TruncatedBody)]).await;
    let c = client();
    let resp = execute(&c, &s, SLUG).await.unwrap();
    assert_eq!(resp.status(), 200);
    let declared: usize = resp.headers()["content-length"].to_str().unwrap().parse().unwrap();
    let err = resp.bytes().await.unwrap_err();
    assert!(err.is_body() || err.is_decode(), "{err:?}");
    assert!(declared > 0);
    // The next request (on a fresh connection) is answered normally.
    assert_eq!(status_of(&c, &s, SLUG).await, 200);
    assert_eq!(s.count(Route::Execute), 2);
}

#[tokio::test]
async fn non_json_body_is_html_with_200() {
    let s = server(vec![FaultRule::new(Route::ListTools, Fault::NonJsonBody)]).await;
    let c = client();
    let resp = c.get(s.url("/api/v3/tools")).header("x-api-key", s.api_key()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let text = resp.text().await.unwrap();
    assert!(text.starts_with("<html>"));
    assert!(serde_json::from_str::<Value>(&text).is_err());

    s.fault(FaultRule::new(Route::ListTools, Fault::bad_gateway_html()));
    let resp = c.get(s.url("/api/v3/tools")).header("x-api-key", s.api_key()).send().await.unwrap();
    assert_eq!(resp.status(), 502);
}

#[tokio::test]
async fn drop_connection_gives_a_connection_error_not_a_status() {
    let s = server(vec![FaultRule::new(Route::Execute, Fault::DropConnection)]).await;
    let c = client();
    // Warm a pooled connection first, so the drop also hits a reused connection.
    let resp = c.get(s.url("/api/v3/tools/enum")).header("x-api-key", s.api_key()).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let _ = resp.bytes().await.unwrap();

    let err = execute(&c, &s, SLUG).await.unwrap_err();
    assert!(err.status().is_none());
    assert!(err.is_request() || err.is_connect(), "{err:?}");
    assert!(!err.is_timeout());
    // The request was read fully and recorded before the socket closed, exactly once.
    assert_eq!(s.count(Route::Execute), 1);
    let recorded = &s.requests_for(Route::Execute)[0];
    assert_eq!(recorded.json().unwrap()["arguments"]["owner"], "octocat");
    assert_eq!(status_of(&c, &s, SLUG).await, 200);
    assert_eq!(s.count(Route::Execute), 2);
}

#[tokio::test]
async fn tool_failure_is_a_200_with_successful_false() {
    let s = server(vec![FaultRule::new(Route::Execute, Fault::ToolFailure("Repository not found".into()))]).await;
    let c = client();
    let resp = execute(&c, &s, SLUG).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["successful"], false);
    assert_eq!(body["error"], "Repository not found");
    assert_eq!(body["data"], json!({}));
    assert!(body["log_id"].as_str().unwrap().starts_with("log_"));
}

#[tokio::test]
async fn skip_times_and_slug_select_requests() {
    let s = server(vec![
        FaultRule::new(Route::Execute, Fault::api_error(500, 1, "X", "x"))
            .slug("github_star_a_repository")
            .skip(1)
            .times(2),
    ])
    .await;
    let c = client();
    let mut got = Vec::new();
    for _ in 0..5 {
        got.push(status_of(&c, &s, SLUG).await);
        got.push(status_of(&c, &s, "GITHUB_UNSTAR_A_REPOSITORY").await);
    }
    assert_eq!(got, [200, 200, 500, 200, 500, 200, 200, 200, 200, 200]);

    // Rules added at run time go after the existing ones; `forever` never runs out.
    s.fault(FaultRule::new(Route::Execute, Fault::api_error(502, 2, "Y", "y")).forever());
    for _ in 0..3 {
        assert_eq!(status_of(&c, &s, "GITHUB_UNSTAR_A_REPOSITORY").await, 502);
    }
    s.clear_faults();
    assert_eq!(status_of(&c, &s, SLUG).await, 200);
    assert_eq!(s.count(Route::Execute), 14);
}

#[tokio::test]
async fn faults_on_file_routes() {
    let s = server(vec![]).await;
    let url = s.register_download("k.bin", vec![9; 10]);
    s.fault(FaultRule::new(Route::FileDownload, Fault::api_error(503, 5, "S3_Down", "down")).slug("k.bin"));
    let c = client();
    assert_eq!(c.get(&url).send().await.unwrap().status(), 503);
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.bytes().await.unwrap().len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_are_exact_under_concurrency() {
    let s = server(vec![FaultRule::new(Route::Execute, Fault::api_error(500, 1, "X", "x")).times(50)]).await;
    let c = client();
    let s = std::sync::Arc::new(s);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..200 {
        let c = c.clone();
        let s = s.clone();
        tasks.spawn(async move {
            let slug = if i % 2 == 0 { SLUG } else { "GITHUB_UNSTAR_A_REPOSITORY" };
            status_of(&c, &s, slug).await
        });
    }
    let mut ok = 0;
    let mut failed = 0;
    while let Some(status) = tasks.join_next().await {
        match status.unwrap() {
            200 => ok += 1,
            500 => failed += 1,
            other => panic!("status {other}"),
        }
    }
    assert_eq!((ok, failed), (150, 50));
    assert_eq!(s.count(Route::Execute), 200);
    assert_eq!(s.requests().len(), 200);
}

#[tokio::test]
async fn shutdown_refuses_later_connections() {
    let s = server(vec![]).await;
    let c = client();
    assert_eq!(status_of(&c, &s, SLUG).await, 200);
    let url = s.url(&format!("/api/v3.1/tools/execute/{SLUG}"));
    s.shutdown().await;
    let err = c.post(&url).json(&json!({"arguments": {}})).send().await.unwrap_err();
    assert!(err.is_connect() || err.is_request(), "{err:?}");
    assert!(err.status().is_none());
    // A fresh client cannot connect at all.
    let err = client().get(&url).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
}

#[tokio::test]
async fn drop_stops_the_server() {
    let s = server(vec![]).await;
    let url = s.url("/api/v3/tools/enum");
    drop(s);
    // Dropping only signals the server task; give it a moment to close the port.
    let c = client();
    for _ in 0..50 {
        if let Err(e) = c.get(&url).send().await {
            assert!(e.is_connect(), "{e:?}");
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("server still answering after drop");
}
