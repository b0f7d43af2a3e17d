//! The fault matrix: every fault the local server can inject, on a side-effecting tool
//! (`GITHUB_CREATE_AN_ISSUE`, which must never be sent twice after it may have run) and on a
//! read-only one (`GITHUB_GET_AN_ISSUE`, which is retried). Each test asserts the error variant,
//! the attempts the server saw and `may_have_run`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{builder, capture, client, issue_json, server};
use composio_testserver::{ExecuteReply, Fault, FaultRule, Route, TestServer};
use composio_typed::retry::{ExecuteRetries, RetryPolicy};
use composio_typed::toolkits::github;
use composio_typed::{Client, Error, Execution};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn create(client: &Client) -> composio_typed::Call<'_, github::CreateAnIssueInput> {
    github::create_an_issue(client, github::CreateAnIssueInput::new("octocat", "hello-world", "Found a bug"))
}

fn get(client: &Client) -> composio_typed::Call<'_, github::GetAnIssueInput> {
    github::get_an_issue(client, github::GetAnIssueInput::new("octocat", "hello-world", 7))
}

/// A server whose two tools answer with an issue when no fault intervenes.
async fn issue_server() -> TestServer {
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(issue_json(7, "Found a bug")));
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(issue_json(7, "Found a bug")));
    server
}

fn executes(server: &TestServer) -> usize {
    server.count(Route::Execute)
}

fn api(err: &Error) -> &composio_typed::ApiError {
    match err {
        Error::Api(api) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

fn assert_issue(result: composio_typed::Result<Execution<github::Issue>>, attempts: u32) {
    let execution = result.unwrap_or_else(|e| panic!("expected success, got {e:?}"));
    assert_eq!(execution.data.number, 7);
    assert_eq!(execution.attempts, attempts);
}

// --- platform refusals: never retried, never ran ---------------------------------------------

#[tokio::test]
async fn unauthorized_401() {
    let server = issue_server().await;
    let client = builder(&server).api_key("ak_wrong_0000000000000000000000").build().unwrap();
    let err = create(&client).await.unwrap_err();
    let api = api(&err);
    assert_eq!((api.status, api.code, api.error_slug.as_deref()), (401, Some(801), Some("APIKey_InvalidAPIKey")));
    assert!(api.request_id.is_some());
    assert!(!err.may_have_run());
    assert_eq!(executes(&server), 1);
}

#[tokio::test]
async fn tool_not_found_404() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(404, 2401, "Tool_ToolNotFound", "Tool X not found")));
    let client = client(&server);
    let err = get(&client).await.unwrap_err();
    let api = api(&err);
    assert_eq!((api.status, api.code, api.error_slug.as_deref()), (404, Some(2401), Some("Tool_ToolNotFound")));
    assert_eq!(api.message, "Tool X not found");
    assert!(!err.may_have_run());
    assert_eq!(executes(&server), 1, "a 404 is not retried, even for a read-only tool");

    // The server's own 404 for a slug it does not have, through the untyped path.
    let err = client.execute("GITHUB_NO_SUCH_TOOL", json!({})).version("20251027_00").await.unwrap_err();
    assert_eq!(api_slug(&err), Some("Tool_ToolNotFound"));
    assert_eq!(executes(&server), 2);
}

fn api_slug(err: &Error) -> Option<&str> {
    api(err).error_slug.as_deref()
}

#[tokio::test]
async fn deprecated_410() {
    let server = issue_server().await;
    server.fault(FaultRule::new(
        Route::Execute,
        Fault::api_error(410, 2410, "Tool_ToolDeprecated", "This tool version is deprecated"),
    ));
    let client = client(&server);
    let err = get(&client).await.unwrap_err();
    let api = api(&err);
    assert_eq!((api.status, api.code, api.error_slug.as_deref()), (410, Some(2410), Some("Tool_ToolDeprecated")));
    assert!(!err.may_have_run());
    assert_eq!(executes(&server), 1);
}

#[tokio::test]
async fn arguments_the_schema_rejects_400() {
    let server = issue_server().await;
    let client = client(&server);
    let err = client
        .execute("GITHUB_CREATE_AN_ISSUE", json!({"owner": 42, "repo": "r"}))
        .toolkit("github")
        .version("20251027_00")
        .await
        .unwrap_err();
    let api = api(&err);
    assert_eq!((api.status, api.code, api.error_slug.as_deref()), (400, Some(10400), Some("HTTP_BadRequest")));
    let errors: Vec<String> = api.errors.iter().map(|e| e.as_str().unwrap().to_owned()).collect();
    assert!(errors.iter().any(|e| e.starts_with("arguments/owner:")), "{errors:?}");
    assert!(errors.iter().any(|e| e.contains("\"title\" is a required property")), "{errors:?}");
    assert!(!err.may_have_run());
    assert_eq!(executes(&server), 1);
}

#[tokio::test]
async fn legacy_error_body_with_error_code() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::legacy_api_error(400, 1700, "Invalid request")));
    let client = client(&server);
    let err = create(&client).await.unwrap_err();
    let api = api(&err);
    assert_eq!(
        (api.status, api.code, api.message.as_str(), api.error_slug.as_deref()),
        (400, Some(1700), "Invalid request", None)
    );
    assert_eq!(executes(&server), 1);
}

// --- rate limits: refused before running, so retried even for side-effecting tools ----------

#[tokio::test]
async fn rate_limited_429_with_retry_after_is_waited_out_and_retried() {
    let (capture, _guard) = capture();
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::rate_limited(1)));
    let client = client(&server);
    assert_issue(create(&client).send_with_details().await, 2);
    assert_eq!(executes(&server), 2);
    let retries: Vec<_> =
        capture.events().into_iter().filter(|e| e.fields.get("message").is_some_and(|m| m == "retrying")).collect();
    assert_eq!(retries.len(), 1);
    // The server's Retry-After, not the policy's millisecond backoff.
    assert_eq!(retries[0].fields.get("delay_ms").map(String::as_str), Some("1000"));
}

#[tokio::test]
async fn rate_limited_429_asking_longer_than_allowed_is_returned_at_once() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::rate_limited(30)).forever());
    let client = client(&server);
    let err = create(&client).await.unwrap_err();
    let Error::RateLimited { retry_after, error } = &err else { panic!("expected RateLimited, got {err:?}") };
    assert_eq!(*retry_after, Some(Duration::from_secs(30)));
    assert_eq!(error.status, 429);
    assert_eq!(error.message, "Rate limit exceeded. Please retry after 30 seconds.");
    assert!(!err.may_have_run());
    assert_eq!(executes(&server), 1);
}

fn rate_limited_with(header: &str, value: &str) -> Fault {
    Fault::Reply {
        status: 429,
        headers: vec![(header.into(), value.into())],
        body: json!({"message": "Rate limit exceeded"}).to_string(),
    }
}

#[tokio::test]
async fn rate_limited_429_with_retry_after_ms() {
    let (capture, _guard) = capture();
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, rate_limited_with("retry-after-ms", "30")));
    assert_issue(create(&client(&server)).send_with_details().await, 2);
    let retry =
        capture.events().into_iter().find(|e| e.fields.get("message").is_some_and(|m| m == "retrying")).unwrap();
    assert_eq!(retry.fields.get("delay_ms").map(String::as_str), Some("30"));
}

#[tokio::test]
async fn rate_limited_429_with_retry_after_as_an_http_date() {
    let server = issue_server().await;
    let in_an_hour = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(3600));
    server.fault(FaultRule::new(Route::Execute, rate_limited_with("retry-after", &in_an_hour)));
    let err = create(&client(&server)).await.unwrap_err();
    let Error::RateLimited { retry_after: Some(wait), .. } = &err else { panic!("expected RateLimited, got {err:?}") };
    assert!(*wait > Duration::from_secs(3500) && *wait <= Duration::from_secs(3600), "{wait:?}");
    assert_eq!(executes(&server), 1, "an hour is longer than max_retry_after: returned, not waited");
}

#[tokio::test]
async fn rate_limited_429_asking_longer_than_any_duration_is_returned_not_a_panic() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, rate_limited_with("retry-after", "1e300")));
    server.fault(FaultRule::new(Route::Execute, rate_limited_with("retry-after-ms", "1e30")));
    let client = client(&server);
    for header in ["retry-after", "retry-after-ms"] {
        let err = create(&client).await.unwrap_err();
        let Error::RateLimited { retry_after, .. } = &err else {
            panic!("{header}: expected RateLimited, got {err:?}")
        };
        assert_eq!(*retry_after, Some(Duration::MAX), "{header}");
    }
    assert_eq!(executes(&server), 2, "each wait is longer than max_retry_after: returned, not waited");
}

#[tokio::test]
async fn rate_limited_429_headerless_edge_form() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::rate_limited_edge()).forever());
    let client = client(&server);
    let err = create(&client).await.unwrap_err();
    let Error::RateLimited { retry_after, error } = &err else { panic!("expected RateLimited, got {err:?}") };
    assert_eq!(*retry_after, None);
    assert_eq!((error.code, error.error_slug.as_deref()), (Some(10429), Some("HTTP_TooManyRequests")));
    assert!(!err.may_have_run());
    assert_eq!(executes(&server), 3, "first attempt and two retries");

    server.clear_faults();
    server.fault(FaultRule::new(Route::Execute, Fault::rate_limited_edge()));
    server.clear_requests();
    assert_issue(create(&client).send_with_details().await, 2);
    assert_eq!(executes(&server), 2);
}

// --- server errors: the tool may have run ------------------------------------------------------

async fn server_error(fault: Fault, status: u16) {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, fault.clone()).slug("GITHUB_CREATE_AN_ISSUE").forever());
    server.fault(FaultRule::new(Route::Execute, fault).slug("GITHUB_GET_AN_ISSUE").times(1));
    let client = client(&server);

    let err = create(&client).await.unwrap_err();
    assert_eq!(api(&err).status, status);
    assert!(err.may_have_run(), "{status}");
    assert!(err.to_string().ends_with("; the tool may have run"), "{err}");
    assert_eq!(executes(&server), 1, "a side-effecting tool is never sent twice after a {status}");

    server.clear_requests();
    assert_issue(get(&client).send_with_details().await, 2);
    assert_eq!(executes(&server), 2, "a read-only tool is retried after a {status}");
}

#[tokio::test]
async fn internal_error_500() {
    server_error(Fault::api_error(500, 10500, "HTTP_InternalServerError", "Internal error"), 500).await;
}

#[tokio::test]
async fn bad_gateway_502_with_an_html_body() {
    server_error(Fault::bad_gateway_html(), 502).await;
}

#[tokio::test]
async fn unavailable_503() {
    server_error(Fault::api_error(503, 10503, "HTTP_ServiceUnavailable", "Service unavailable"), 503).await;
}

#[tokio::test]
async fn a_read_only_tool_failing_every_time_gives_up_after_the_retries() {
    let server = issue_server().await;
    server.fault(
        FaultRule::new(Route::Execute, Fault::api_error(503, 10503, "HTTP_ServiceUnavailable", "down")).forever(),
    );
    let client = client(&server);
    let err = get(&client).await.unwrap_err();
    assert_eq!(api(&err).status, 503);
    assert!(err.may_have_run());
    assert_eq!(executes(&server), 3);
}

#[tokio::test]
async fn bad_gateway_html_message() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::bad_gateway_html()));
    let err = create(&client(&server)).await.unwrap_err();
    assert!(api(&err).message.starts_with("Bad Gateway: <html>"), "{}", api(&err).message);
}

// --- lost answers ------------------------------------------------------------------------------

#[tokio::test]
async fn a_response_slower_than_the_timeout() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::Delay(Duration::from_secs(5))).times(2));
    let client = builder(&server).timeout(Duration::from_millis(500)).build().unwrap();

    let err = create(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Timeout { slug: Some(s), may_have_run: true } if s == "GITHUB_CREATE_AN_ISSUE"),
        "{err:?}"
    );
    assert!(err.may_have_run());
    assert_eq!(executes(&server), 1);

    server.clear_requests();
    // The second delay hits the first attempt; the retry is answered at once.
    assert_issue(get(&client).send_with_details().await, 2);
    assert_eq!(executes(&server), 2);
}

#[tokio::test]
async fn a_truncated_body() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::TruncatedBody).times(2));
    let client = client(&server);

    let err = create(&client).await.unwrap_err();
    assert!(matches!(&err, Error::InvalidResponse { status: 200, slug: Some(_), .. }), "{err:?}");
    assert!(err.may_have_run());
    assert_eq!(executes(&server), 1);

    server.clear_requests();
    assert_issue(get(&client).send_with_details().await, 2);
    assert_eq!(executes(&server), 2);
}

#[tokio::test]
async fn a_non_json_body() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::NonJsonBody).times(2));
    let client = client(&server);
    for (err, what) in [(create(&client).await.unwrap_err(), "create"), (get(&client).await.unwrap_err(), "get")] {
        let Error::InvalidResponse { status, message, body, .. } = &err else { panic!("{what}: {err:?}") };
        assert_eq!(*status, 200);
        assert!(message.starts_with("not JSON"), "{message}");
        assert!(body.starts_with("<html>"), "{body}");
        assert!(err.may_have_run(), "{what}");
    }
    // The server answered: a body it should not have sent is not a reason to run the tool again.
    assert_eq!(executes(&server), 2);
}

#[tokio::test]
async fn a_tool_that_ran_and_failed() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::ToolFailure("Issues are disabled".into())).times(2));
    let client = client(&server);
    for err in [create(&client).await.unwrap_err(), get(&client).await.unwrap_err()] {
        let Error::ToolFailed(failure) = &err else { panic!("expected ToolFailed, got {err:?}") };
        assert_eq!(failure.message, "Issues are disabled");
        assert!(failure.log_id.is_some());
        assert!(err.may_have_run());
    }
    assert_eq!(executes(&server), 2);
}

#[tokio::test]
async fn a_dropped_connection() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::DropConnection).times(2));
    let client = client(&server);

    let err = create(&client).await.unwrap_err();
    assert!(matches!(&err, Error::Connection { may_have_run: true, .. }), "{err:?}");
    assert!(err.may_have_run());
    assert_eq!(executes(&server), 1);

    server.clear_requests();
    assert_issue(get(&client).send_with_details().await, 2);
    assert_eq!(executes(&server), 2);
}

/// A port nothing listens on: connections are refused before the request is sent.
fn refused_base_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn connection_refused_is_retried_even_for_a_side_effecting_tool() {
    let (capture, _guard) = capture();
    let client = Client::builder()
        .api_key(common::API_KEY)
        .base_url(refused_base_url())
        .retry_policy(common::fast_retries())
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Connection { may_have_run: false, slug: Some(s), .. } if s == "GITHUB_CREATE_AN_ISSUE"),
        "{err:?}"
    );
    assert!(!err.may_have_run());
    let spans = capture.spans("composio.execute");
    assert_eq!(spans.len(), 1);
    assert_eq!(spans[0].fields.get("attempt").map(String::as_str), Some("3"), "{spans:?}");
}

/// A listener whose accept queue is full and never drained: the kernel drops new SYNs, so a
/// connection attempt hangs until the client's connect timeout. Keep the returned parts alive.
async fn unanswered_base_url() -> (tokio::net::TcpListener, Vec<std::net::TcpStream>, String) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    let full = tokio::task::spawn_blocking(move || {
        for _ in 0..64 {
            match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
                Ok(stream) => queued.push(stream),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Some(queued),
                Err(e) => panic!("filling the accept queue: {e}"),
            }
        }
        None
    })
    .await
    .unwrap()
    .expect("the accept queue never filled: new connections are not left hanging here");
    (listener, full, format!("http://{addr}"))
}

#[tokio::test]
async fn a_connect_timeout_is_a_connection_failure_that_never_sent_the_request() {
    let (capture, _guard) = capture();
    let (_listener, _queued, base_url) = unanswered_base_url().await;
    let client = Client::builder()
        .api_key(common::API_KEY)
        .base_url(base_url)
        .connect_timeout(Duration::from_millis(200))
        .timeout(Duration::from_secs(30))
        .retry_policy(common::fast_retries())
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    assert!(matches!(&err, Error::Connection { may_have_run: false, .. }), "{err:?}");
    assert!(!err.may_have_run());
    // Retried like a refused connection: the request never left.
    let spans = capture.spans("composio.execute");
    assert_eq!(spans[0].fields.get("attempt").map(String::as_str), Some("3"), "{spans:?}");
    // Had the 30 s total timeout fired instead, the error would be Error::Timeout.
    assert!(err.is_timeout(), "a connect timeout is a timeout: {err:?}");
}

#[tokio::test]
async fn a_connection_error_never_shows_the_api_key() {
    // The transport's error names the URL; here the URL carries the key.
    let client = Client::builder()
        .api_key(common::API_KEY)
        .base_url(format!("{}/{}", refused_base_url(), common::API_KEY))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let err = create(&client).await.unwrap_err();
    let Error::Connection { source, may_have_run: false, .. } = &err else {
        panic!("expected Connection, got {err:?}")
    };
    // The transport's own error type is not part of the API.
    let source: &(dyn std::error::Error + Send + Sync) = &**source;
    for text in [err.to_string(), format!("{err:?}"), source.to_string(), format!("{source:?}")] {
        assert!(!text.contains(common::API_KEY), "the key leaked: {text}");
    }
    assert!(err.to_string().contains("<redacted>"), "{err}");
    assert!(!err.is_timeout());
}

// --- redirects: the key stays with the origin it was configured for -------------------------

/// A listener on another port that records the head of every request it gets and answers each
/// with `200 {}`: where a redirect to another origin would take the client.
async fn another_origin() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                log.lock().unwrap().push(String::from_utf8_lossy(&head).into_owned());
                let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\
                              connection: close\r\n\r\n{}";
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (origin, seen)
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let (elsewhere, seen) = another_origin().await;
    let server = issue_server().await;
    let client = builder(&server).header("x-tenant", "tenant-7f1e").build().unwrap();
    for status in [302, 307, 308] {
        let location = format!("{elsewhere}/collect");
        let redirect = Fault::Reply { status, headers: vec![("location".into(), location)], body: String::new() };
        server.fault(FaultRule::new(Route::Execute, redirect));
        let result = create(&client).await;

        let seen = seen.lock().unwrap().clone();
        for head in &seen {
            let head = head.to_ascii_lowercase();
            assert!(!head.contains("x-api-key") && !head.contains(common::API_KEY), "{status}: the key left: {head}");
            assert!(!head.contains("x-tenant"), "{status}: a custom header left: {head}");
        }
        assert!(seen.is_empty(), "{status}: the other origin was called: {seen:?}");
        let err = result.unwrap_err();
        assert_eq!(api(&err).status, status, "{err:?}");
        assert!(err.to_string().contains("redirect"), "{err}");
        assert!(err.to_string().contains(&elsewhere), "the error names where it was sent: {err}");
        assert!(!err.may_have_run());
    }
    assert_eq!(executes(&server), 3, "a redirect is an answer, not retried");
}

#[tokio::test]
async fn a_redirect_within_the_api_origin_is_followed() {
    let server = issue_server().await;
    let again = format!("{}/api/v3/tools/execute/GITHUB_GET_AN_ISSUE", server.base_url());
    let redirect = Fault::Reply { status: 307, headers: vec![("location".into(), again)], body: String::new() };
    server.fault(FaultRule::new(Route::Execute, redirect));
    assert_issue(get(&client(&server)).send_with_details().await, 1);
    assert_eq!(executes(&server), 2);
}

#[tokio::test]
async fn a_redirect_loop_within_the_api_origin_ends_in_an_error() {
    let server = issue_server().await;
    let again = format!("{}/api/v3/tools/execute/GITHUB_GET_AN_ISSUE", server.base_url());
    let redirect = Fault::Reply { status: 307, headers: vec![("location".into(), again)], body: String::new() };
    server.fault(FaultRule::new(Route::Execute, redirect).forever());
    let err = get(&client(&server)).await.unwrap_err();
    assert_eq!(api(&err).status, 307, "{err:?}");
    assert!(err.to_string().contains("too many redirects"), "{err}");
    assert_eq!(executes(&server), 11, "the request and ten redirects");
}

// --- policies ----------------------------------------------------------------------------------

#[tokio::test]
async fn execute_retries_always_repeats_a_side_effecting_tool_after_a_5xx() {
    let server = issue_server().await;
    server
        .fault(FaultRule::new(Route::Execute, Fault::api_error(500, 10500, "HTTP_InternalServerError", "x")).times(2));
    let policy = RetryPolicy { execute: ExecuteRetries::Always, ..common::fast_retries() };
    let client = builder(&server).retry_policy(policy).build().unwrap();
    assert_issue(create(&client).send_with_details().await, 3);
    assert_eq!(executes(&server), 3);
}

#[tokio::test]
async fn execute_retries_never_does_not_even_repeat_a_429() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::rate_limited_edge()));
    let policy = RetryPolicy { execute: ExecuteRetries::Never, ..common::fast_retries() };
    let client = builder(&server).retry_policy(policy).build().unwrap();
    assert!(matches!(get(&client).await.unwrap_err(), Error::RateLimited { .. }));
    assert_eq!(executes(&server), 1);
}

#[tokio::test]
async fn an_untyped_call_is_retried_after_a_5xx_only_when_declared_retry_safe() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(502, 10502, "HTTP_BadGateway", "x")).times(2));
    let client = client(&server);
    let args = json!({"owner": "o", "repo": "r", "issue_number": 7});
    let err = client.execute("GITHUB_GET_AN_ISSUE", args.clone()).version("20251027_00").await.unwrap_err();
    assert!(err.may_have_run());
    assert_eq!(executes(&server), 1);

    server.clear_requests();
    let done = client
        .execute("GITHUB_GET_AN_ISSUE", args)
        .version("20251027_00")
        .retry_safe(true)
        .send_with_details()
        .await
        .unwrap();
    assert_eq!((done.data["number"].as_i64(), done.attempts), (Some(7), 2));
    assert_eq!(executes(&server), 2);
}

// --- catalog reads are retried on every transient failure -----------------------------------

#[tokio::test]
async fn catalog_reads_are_retried_on_5xx_429_and_drops_but_not_on_404() {
    let server = issue_server().await;
    server.fault(FaultRule::new(Route::GetTool, Fault::api_error(503, 10503, "HTTP_ServiceUnavailable", "x")));
    server.fault(FaultRule::new(Route::GetTool, Fault::rate_limited_edge()));
    let client = client(&server);
    let tool = client.tool("GITHUB_CREATE_AN_ISSUE", "20251027_00").await.unwrap();
    assert_eq!(tool["slug"], "GITHUB_CREATE_AN_ISSUE");
    assert_eq!(server.count(Route::GetTool), 3);

    server.fault(FaultRule::new(Route::GetToolkit, Fault::DropConnection));
    let toolkit = client.toolkit("github", "latest").await.unwrap();
    assert_eq!(toolkit.version.as_deref(), Some("20251027_00"));
    assert_eq!(server.count(Route::GetToolkit), 2);

    let err = client.tool("GITHUB_NOPE", "20251027_00").await.unwrap_err();
    assert_eq!(api_slug(&err), Some("Tool_ToolNotFound"));
    assert!(!err.may_have_run());
    assert_eq!(server.count(Route::GetTool), 4);
}
