//! Tracing: one span per call with its slug, version, attempt, status, log_id and request_id;
//! and the API key, which must appear in no span, event, log line, `Debug` or error.

mod common;

use std::io::Write;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{API_KEY, Capture, builder, client, issue_json, server};
use composio_testserver::{ExecuteReply, Fault, FaultRule, Route};
use composio_typed::toolkits::github;
use composio_typed::{Client, Error, FileInput};
use serde_json::json;

fn create(client: &Client) -> composio_typed::Call<'_, github::CreateAnIssueInput> {
    github::create_an_issue(client, github::CreateAnIssueInput::new("o", "r", "t"))
}

fn field<'a>(span: &'a common::Captured, name: &str) -> Option<&'a str> {
    span.fields.get(name).map(String::as_str)
}

#[tokio::test]
async fn a_successful_call_records_slug_version_attempt_status_and_log_id() {
    let (capture, _guard) = common::capture();
    let server = server().await;
    server.respond("GITHUB_CREATE_AN_ISSUE", |_| ExecuteReply::Data(issue_json(1, "t")));
    let done = create(&client(&server)).send_with_details().await.unwrap();

    let spans = capture.spans("composio.execute");
    assert_eq!(spans.len(), 1, "{spans:?}");
    let span = &spans[0];
    assert_eq!(field(span, "slug"), Some("GITHUB_CREATE_AN_ISSUE"));
    assert_eq!(field(span, "version"), Some("20251027_00"));
    assert_eq!(field(span, "attempt"), Some("1"));
    assert_eq!(field(span, "status"), Some("200"));
    assert_eq!(field(span, "log_id"), done.log_id.as_deref());
    assert_eq!(field(span, "request_id"), None, "the server sent none");
}

#[tokio::test]
async fn a_failed_call_records_the_status_and_the_request_id_of_the_error_body() {
    let (capture, _guard) = common::capture();
    let server = server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(404, 2401, "Tool_ToolNotFound", "gone")));
    let err = create(&client(&server)).await.unwrap_err();
    let Error::Api(api) = &err else { panic!("{err:?}") };

    let span = &capture.spans("composio.execute")[0];
    assert_eq!(field(span, "status"), Some("404"));
    assert_eq!(field(span, "request_id"), api.request_id.as_deref());
    assert!(api.request_id.is_some());
}

#[tokio::test]
async fn a_retried_call_records_each_attempt_and_a_retry_event() {
    let (capture, _guard) = common::capture();
    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(issue_json(1, "t")));
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(503, 10503, "HTTP_ServiceUnavailable", "x")));
    github::get_an_issue(&client(&server), github::GetAnIssueInput::new("o", "r", 1)).await.unwrap();

    let span = &capture.spans("composio.execute")[0];
    assert_eq!((field(span, "attempt"), field(span, "status")), (Some("2"), Some("200")));
    let retries: Vec<_> = capture.events().into_iter().filter(|e| field(e, "message") == Some("retrying")).collect();
    assert_eq!(retries.len(), 1);
    assert_eq!(field(&retries[0], "attempt"), Some("1"));
    assert_eq!(field(&retries[0], "status"), Some("503"));
}

#[tokio::test]
async fn a_retry_that_gets_no_answer_leaves_no_stale_status_on_the_span() {
    let (capture, _guard) = common::capture();
    let server = server().await;
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(503, 10503, "HTTP_ServiceUnavailable", "x")));
    server.fault(FaultRule::new(Route::Execute, Fault::Delay(Duration::from_secs(5))).forever());
    let client = builder(&server)
        .timeout(Duration::from_millis(300))
        .retry_policy(composio_typed::retry::RetryPolicy { max_retries: 1, ..common::fast_retries() })
        .build()
        .unwrap();
    let err = github::get_an_issue(&client, github::GetAnIssueInput::new("o", "r", 1)).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");

    let span = &capture.spans("composio.execute")[0];
    assert_eq!(field(span, "attempt"), Some("2"));
    assert_eq!(field(span, "status"), None, "the final attempt got no answer; 503 was the first one's");
    let retries: Vec<_> = capture.events().into_iter().filter(|e| field(e, "message") == Some("retrying")).collect();
    assert_eq!(field(&retries[0], "status"), Some("503"));
}

#[tokio::test]
async fn uploads_reads_and_downloads_have_their_own_spans() {
    let (capture, _guard) = common::capture();
    let server = server().await;
    let client = client(&server);
    client.toolkit("github", "latest").await.unwrap();
    let uploaded =
        client.upload("gmail", "GMAIL_CREATE_EMAIL_DRAFT", FileInput::bytes("a.txt", b"abc".to_vec())).await.unwrap();
    let url = server.register_download("k", b"abc".to_vec());
    let file = composio_typed::FileDownload { name: uploaded.name, mimetype: uploaded.mimetype, s3url: url };
    assert_eq!(client.download_bytes(&file).await.unwrap(), b"abc");

    let read = &capture.spans("composio.read")[0];
    assert_eq!((field(read, "call"), field(read, "status")), (Some("composio.toolkit"), Some("200")));
    let upload = &capture.spans("composio.upload")[0];
    assert_eq!(
        (field(upload, "tool"), field(upload, "file"), field(upload, "bytes")),
        (Some("GMAIL_CREATE_EMAIL_DRAFT"), Some("a.txt"), Some("3"))
    );
    assert_eq!(field(&capture.spans("composio.download")[0], "status"), Some("200"));
}

/// Collects what a `fmt` subscriber would print, at every level.
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_api_key_never_appears_in_logs_debug_or_errors() {
    let capture = Capture::default();
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let fmt = tracing_subscriber::fmt::layer().with_writer(move || writer.clone()).with_ansi(false);
    let _guard = common::route(vec![Rc::new(capture.clone()), Rc::new(fmt)]);

    let server = server().await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(json!({"number": "not a number"})));
    // A server that echoes the key back is the worst case: the error must still not carry it.
    let echo = format!("API key {API_KEY} is not allowed here");
    let echo_body = json!({"error": {"message": echo, "suggested_fix": echo, "errors": [echo], "request_id": "r1"}});
    server.fault(FaultRule::new(
        Route::Execute,
        Fault::Reply {
            status: 403,
            headers: vec![("content-type".into(), "application/json".into())],
            body: echo_body.to_string(),
        },
    ));
    server.fault(FaultRule::new(
        Route::Execute,
        Fault::Reply { status: 200, headers: vec![], body: format!("<html>{echo}") },
    ));
    server.fault(FaultRule::new(Route::Execute, Fault::ToolFailure(echo.clone())));
    server.fault(FaultRule::new(Route::Execute, Fault::rate_limited_edge()).times(3));
    server.fault(FaultRule::new(Route::Execute, Fault::api_error(500, 10500, "HTTP_InternalServerError", "x")));
    server.fault(FaultRule::new(Route::Execute, Fault::DropConnection));
    server.fault(FaultRule::new(Route::Execute, Fault::Delay(Duration::from_secs(3))));
    let client = builder(&server).timeout(Duration::from_millis(300)).build().unwrap();

    let mut errors = Vec::new();
    for _ in 0..7 {
        errors.push(create(&client).await.unwrap_err());
    }
    errors.push(github::get_an_issue(&client, github::GetAnIssueInput::new("o", "r", 1)).await.unwrap_err());
    let wrong_key = builder(&server).api_key(format!("{API_KEY}x")).build().unwrap();
    errors.push(create(&wrong_key).await.unwrap_err());
    errors.push(create(&builder(&server).base_url("http://127.0.0.1:1").build().unwrap()).await.unwrap_err());
    errors.push(Client::builder().build().unwrap_err());

    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::Api(_) => "api",
            Error::InvalidResponse { .. } => "invalid",
            Error::ToolFailed(_) => "tool",
            Error::RateLimited { .. } => "rate",
            Error::Connection { .. } => "connection",
            Error::Timeout { .. } => "timeout",
            Error::Decode(_) => "decode",
            Error::Config(_) => "config",
            _ => "other",
        })
        .collect();
    assert_eq!(
        kinds,
        ["api", "invalid", "tool", "rate", "api", "connection", "timeout", "decode", "api", "connection", "config"]
    );
    for err in &errors {
        for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
            assert!(!text.contains(API_KEY), "{text}");
        }
    }
    let Error::Api(api) = &errors[0] else { unreachable!() };
    assert_eq!(api.message, "API key <redacted> is not allowed here");

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("retrying"), "the log sink saw the calls: {logs}");
    assert!(!logs.contains(API_KEY), "{logs}");
    assert!(!capture.all_text().contains(API_KEY));
    assert!(!format!("{client:?}").contains(API_KEY));
}
