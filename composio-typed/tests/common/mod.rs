//! Helpers shared by the integration tests: a local Composio loaded with the committed
//! schemas, a client pointed at it, and a tracing layer that keeps every field it sees.

#![allow(dead_code, missing_docs)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub use composio_testserver::committed_tools;
use composio_testserver::{ExecuteReply, TestServer};
use composio_typed::retry::{ExecuteRetries, RetryPolicy};
use composio_typed::{Client, ClientBuilder};
use serde_json::{Value, json};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::Registry;
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

/// The key the test server requires; long enough that a leak of it is unmistakable.
pub const API_KEY: &str = "ak_test_5f3c9e1d7b2a4c6e8f0a1b3c5d7e9f11";

/// A local Composio serving the committed github and gmail tools.
pub async fn server() -> TestServer {
    TestServer::builder()
        .api_key(API_KEY)
        .tools(committed_tools("github"))
        .tools(committed_tools("gmail"))
        .start()
        .await
}

/// A toolkit version newer than the one the committed bindings were generated from.
pub const NEWER_GITHUB: &str = "20251201_00";

/// A local Composio serving the committed github tools and also listing [`NEWER_GITHUB`], which
/// answers `GITHUB_GET_AN_ISSUE` with issue 7: for tests of the version each call sends.
pub async fn server_with_newer_github() -> TestServer {
    let server = TestServer::builder()
        .api_key(API_KEY)
        .tools(committed_tools("github"))
        .toolkit_versions("github", &[NEWER_GITHUB])
        .start()
        .await;
    server.respond("GITHUB_GET_AN_ISSUE", |_| ExecuteReply::Data(issue_json(7, "t")));
    server
}

/// Retries as in production, but with millisecond waits so fault tests run fast.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 2,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(4),
        max_retry_after: Duration::from_secs(5),
        execute: ExecuteRetries::Safe,
    }
}

/// A builder aimed at `server`, with fast retries.
pub fn builder(server: &TestServer) -> ClientBuilder {
    Client::builder().api_key(API_KEY).base_url(server.base_url()).retry_policy(fast_retries())
}

/// A client aimed at `server`, with fast retries.
pub fn client(server: &TestServer) -> Client {
    builder(server).build().expect("client")
}

/// A GitHub issue as the API returns it, with fields the generated type does not know.
pub fn issue_json(number: i64, title: &str) -> Value {
    json!({
        "id": 1_000_000 + number,
        "number": number,
        "title": title,
        "state": "open",
        "html_url": format!("https://github.com/octocat/hello-world/issues/{number}"),
        "url": format!("https://api.github.com/repos/octocat/hello-world/issues/{number}"),
        "user": {"login": "octocat", "id": 583231, "html_url": "https://github.com/octocat", "type": "User"},
        "labels": [{"id": 208045946, "name": "bug", "color": "d73a4a", "default": true}],
        "assignees": [],
        "comments": 0,
        "created_at": "2025-10-27T10:00:00Z",
        "updated_at": "2025-10-27T10:00:00Z",
        "author_association": "OWNER",
        "locked": false,
        "timeline_url": "https://api.github.com/repos/octocat/hello-world/issues/1/timeline",
    })
}

/// A span or event as the capturing layer saw it.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

/// Everything the capturing layer saw, in order.
#[derive(Clone, Default)]
pub struct Capture {
    spans: Arc<Mutex<Vec<(u64, Captured)>>>,
    events: Arc<Mutex<Vec<Captured>>>,
}

impl Capture {
    /// The spans named `name`, with their final field values.
    pub fn spans(&self, name: &str) -> Vec<Captured> {
        self.spans.lock().unwrap().iter().filter(|(_, s)| s.name == name).map(|(_, s)| s.clone()).collect()
    }

    /// Every event, with its message under `message`.
    pub fn events(&self) -> Vec<Captured> {
        self.events.lock().unwrap().clone()
    }

    /// Every name, field name and value seen, for leak checks.
    pub fn all_text(&self) -> String {
        let mut out = String::new();
        let spans = self.spans.lock().unwrap();
        let events = self.events.lock().unwrap();
        for c in spans.iter().map(|(_, s)| s).chain(events.iter()) {
            out.push_str(&c.name);
            for (k, v) in &c.fields {
                out.push_str(&format!(" {k}={v}"));
            }
            out.push('\n');
        }
        out
    }
}

struct FieldWriter<'a>(&'a mut BTreeMap<String, String>);

impl Visit for FieldWriter<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, _ctx: Context<'_, S>) {
        let mut captured = Captured { name: attrs.metadata().name().to_owned(), fields: BTreeMap::new() };
        attrs.record(&mut FieldWriter(&mut captured.fields));
        self.spans.lock().unwrap().push((id.into_u64(), captured));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.spans.lock().unwrap();
        // Span ids are reused after a span closes, so the latest span with the id is the live one.
        if let Some((_, span)) = spans.iter_mut().rev().find(|(i, _)| *i == id.into_u64()) {
            values.record(&mut FieldWriter(&mut span.fields));
        }
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut captured = Captured { name: event.metadata().name().to_owned(), fields: BTreeMap::new() };
        event.record(&mut FieldWriter(&mut captured.fields));
        self.events.lock().unwrap().push(captured);
    }
}

/// Routes every span and event to the layers the current test thread registered with [`route`].
///
/// tracing caches each callsite's interest process-wide, computed by whichever thread reaches
/// the callsite first; while a single dispatcher is registered, from that thread's own default
/// subscriber. With a per-test `set_default` subscriber, a sibling test thread that has none can
/// cache `never` for `composio.execute`, and a capturing test then sees no span at all (a CI
/// flake, 0 spans of 1). So no test sets a scoped subscriber: one global subscriber, interested
/// in everything, is installed before the first capture and forwards by thread. Tests run on
/// current-thread runtimes, so a call's spans and events stay on its test's thread.
struct Router;

thread_local! {
    static ROUTES: RefCell<Vec<Rc<dyn Layer<Registry>>>> = const { RefCell::new(Vec::new()) };
}

impl Router {
    fn each(f: impl Fn(&dyn Layer<Registry>)) {
        // A clone of the list, so a layer that emits tracing itself cannot re-borrow it.
        let layers = ROUTES.with(|routes| routes.borrow().clone());
        for layer in &layers {
            f(layer.as_ref());
        }
    }
}

impl Layer<Registry> for Router {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, Registry>) {
        Router::each(|l| l.on_new_span(attrs, id, ctx.clone()));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, Registry>) {
        Router::each(|l| l.on_record(id, values, ctx.clone()));
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, Registry>) {
        Router::each(|l| l.on_event(event, ctx.clone()));
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, Registry>) {
        Router::each(|l| l.on_enter(id, ctx.clone()));
    }

    fn on_exit(&self, id: &Id, ctx: Context<'_, Registry>) {
        Router::each(|l| l.on_exit(id, ctx.clone()));
    }

    fn on_close(&self, id: Id, ctx: Context<'_, Registry>) {
        Router::each(|l| l.on_close(id.clone(), ctx.clone()));
    }
}

/// Unregisters the current thread's layers when dropped.
pub struct RouteGuard(());

impl Drop for RouteGuard {
    fn drop(&mut self) {
        ROUTES.with(|routes| routes.borrow_mut().clear());
    }
}

/// Sends what the current thread traces to `layers` until the guard is dropped.
pub fn route(layers: Vec<Rc<dyn Layer<Registry>>>) -> RouteGuard {
    static GLOBAL: OnceLock<()> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        use tracing_subscriber::layer::SubscriberExt;
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Router))
            .expect("no other global subscriber in the runtime's tests");
    });
    ROUTES.with(|routes| *routes.borrow_mut() = layers);
    RouteGuard(())
}

/// Captures what the current thread traces, until the guard is dropped.
pub fn capture() -> (Capture, RouteGuard) {
    let capture = Capture::default();
    let guard = route(vec![Rc::new(capture.clone())]);
    (capture, guard)
}

/// Plays the user's browser: opens the link and returns the status and `Location`, without
/// following it.
pub async fn visit(url: &str) -> (u16, Option<String>) {
    // Links here are plain HTTP, but reqwest wants a TLS configuration all the same; one with
    // its own provider leaves the process-wide default alone.
    let tls =
        rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
    let browser = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = browser.get(url).send().await.expect("the link page answers");
    let location = answer.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    (answer.status().as_u16(), location)
}
